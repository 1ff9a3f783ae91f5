// Shared by the browser tests (run by tests/browser.sh, which starts the server and sets
// the environment): launching Debian's Chromium, a Session per simulated person that saves
// a screenshot and the served HTML of every step and checks each page (axe-core with the
// WCAG 2.0/2.1/2.2 A and AA rules, no horizontal scrolling at 320 px, targets of at least
// 24x24 CSS px), and decoding the QR codes of a letters file as a phone camera would.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

function need(name) {
	const v = process.env[name];
	if (!v) throw new Error(`${name} is not set: run the tests with tests/browser.sh`);
	return v;
}
export const BASE = need('BASE');
export const OUT = need('OUT');
export const TMP = need('E2E_TMP');
export const env = (name) => need(name);

export const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
export const DESKTOP = { viewport: { width: 1280, height: 900 } };
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// within(ms, what, promise): the promise's outcome, or an error naming the step once ms
// have passed. Every browser step without a time-out of its own goes through it (opening
// and closing contexts, pages and the browser), so that a step that never ends fails its
// test instead of holding the test file for ever.
export function within(ms, what, promise) {
	let timer;
	const late = new Promise((resolve, reject) => {
		timer = setTimeout(() => reject(new Error(`${what} did not end within ${ms / 1000} s`)), ms);
	});
	return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
// Generous bounds in ms: four browsers may share two loaded cores. (lib.test.mjs
// shortens the wait for the pages' HTML to test it.)
export const BOUNDS = { open: 60000, close: 60000, save: 10000 };

// Chromium from Debian, never a downloaded one. The background-networking flags keep it
// from calling home on a closed network; Playwright gives it a fresh profile directory.
// The browser's close() is bounded (within) for every test file.
export async function launch() {
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		timeout: BOUNDS.open,
		args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking',
			'--disable-component-update', '--disable-sync', '--no-first-run'],
	});
	const close = browser.close.bind(browser);
	browser.close = (options) => within(BOUNDS.close, 'closing the browser', close(options));
	return browser;
}

const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

// One person's browser: a context and a page. Every HTML document the server sends to it
// (not redirects) is saved under OUT/html/ for the Nu HTML Checker.
export class Session {
	constructor(browser, name, options = {}) {
		this.browser = browser;
		this.name = slug(name);
		this.options = options;
		this.js = options.javaScriptEnabled !== false;
		this.step = 0;
		this.saves = [];
		this.saved = 0;
	}

	async open() {
		this.context = await within(BOUNDS.open, `opening a browser context (${this.name})`,
			this.browser.newContext({ acceptDownloads: true, ...this.options }));
		this.page = await within(BOUNDS.open, `opening a page (${this.name})`, this.context.newPage());
		this.page.setDefaultTimeout(15000);
		this.page.on('response', (res) => this.save(res));
		return this;
	}

	save(res) {
		const req = res.request();
		if (!req.isNavigationRequest() || req.frame() !== this.page.mainFrame()) return;
		if (!/^(https?|file):/.test(res.url())) return;
		if (res.status() >= 300 && res.status() < 400) return;
		if (!/^text\/html/.test(res.headers()['content-type'] || '')) return;
		const n = ++this.saved;
		const save = { url: res.url(), done: false };
		save.promise = res.body().then((body) => {
			const file = path.join(OUT, 'html', `${this.name}-${String(n).padStart(2, '0')}.html`);
			fs.writeFileSync(file, body);
			fs.writeFileSync(file + '.url', req.method() + ' ' + res.url() + '\n');
		}).catch(() => {}).finally(() => { save.done = true; });
		this.saves.push(save);
	}

	// Waits for the pages' HTML to be saved, for at most BOUNDS.save, then closes the
	// context (bounded too). The wait must be bounded: a page left a moment after it
	// arrived (a goto straight after a click that navigated) may never have its body:
	// Chromium then reports neither the end nor the failure of its loading, and
	// Playwright's response.body() waits until the page is closed. Waiting for it before
	// closing was a deadlock that hung the test file (docs/decisions.md).
	async close() {
		if (!this.context) return;
		await within(BOUNDS.save, 'saving the HTML', Promise.all(this.saves.map((s) => s.promise))).catch(() => {});
		const lost = this.saves.filter((s) => !s.done).map((s) => s.url);
		if (lost.length > 0)
			console.error(`${this.name}: the HTML of ${lost.join(', ')} was not saved for the HTML checker (its loading had not ended)`);
		await within(BOUNDS.close, `closing the browser context (${this.name})`, this.context.close());
	}

	// A full-page screenshot, numbered in the order of the journey.
	async shot(label) {
		this.step++;
		const file = path.join(OUT, `${this.name}-${String(this.step).padStart(2, '0')}-${slug(label)}.png`);
		await this.page.screenshot({ path: file, fullPage: true });
		return file;
	}

	// The screenshot, then every check of the page as it is now. Fails with the list of
	// problems. With JavaScript disabled the page cannot run axe, so only the screenshot
	// is taken (the same pages are checked in the journeys that have it).
	async check(label, { axe = true, layout = true } = {}) {
		await this.shot(label);
		if (!this.js) return;
		const problems = [];
		if (axe) problems.push(...(await axeViolations(this.page)));
		if (layout) problems.push(...(await layoutProblems(this.page)));
		problems.push(...(await this.page.evaluate(focusIndicators)));
		assert.deepEqual(problems, [], `${label} (${this.page.url()}):\n  ${problems.join('\n  ')}`);
	}
}

// axe-core in the page, with the WCAG 2.0, 2.1 and 2.2 A and AA rules. The portal's
// Content-Security-Policy refuses script elements, so axe is evaluated directly.
export async function axeViolations(page) {
	const loaded = await page.evaluate(() => typeof window.axe === 'object');
	if (!loaded) await page.evaluate(AXE_SOURCE);
	const violations = await page.evaluate((tags) =>
		window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
			.then((r) => r.violations.map((v) => ({
				id: v.id, impact: v.impact, help: v.help,
				nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
			}))), AXE_TAGS);
	return violations.map((v) => `axe ${v.id} (${v.impact}): ${v.help}\n      ${v.nodes.join('\n      ')}`);
}

// Layout rules for phones: at 320 CSS px wide nothing makes the page scroll sideways, and
// every target (link, button, form control) is at least 24x24 CSS px or, as WCAG 2.2's
// 2.5.8 allows, has a 24 px circle around it clear of every other target; links inside a
// sentence are exempt (2.5.8's inline exception).
export async function layoutProblems(page) {
	const problems = [];
	const size = page.viewportSize();
	await page.setViewportSize({ width: 320, height: size.height });
	try {
		const wide = await page.evaluate(() => {
			const w = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
			if (w <= 320) return null;
			const culprits = [];
			for (const el of document.body.querySelectorAll('*')) {
				const r = el.getBoundingClientRect();
				if (r.right > 320.5 && r.width > 0) {
					let inScroller = false;
					for (let p = el.parentElement; p; p = p.parentElement)
						if (/(auto|scroll|hidden)/.test(getComputedStyle(p).overflowX)) inScroller = true;
					if (!inScroller) culprits.push(`${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).split(' ').join('.') : ''} right=${Math.round(r.right)}`);
				}
				if (culprits.length >= 5) break;
			}
			return `page is ${w}px wide at 320px: ${culprits.join(', ')}`;
		});
		if (wide) problems.push(`horizontal scroll: ${wide}`);
		problems.push(...(await page.evaluate(targetProblems)));
	} finally {
		await page.setViewportSize(size);
	}
	return problems;
}

// Runs in the page. Returns a description of each target that is too small.
function targetProblems() {
	const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])';
	const visible = (el) => {
		const r = el.getBoundingClientRect();
		const s = getComputedStyle(el);
		return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && !el.closest('.visually-hidden');
	};
	const blockOf = (el) => {
		for (let p = el.parentElement; p; p = p.parentElement)
			if (getComputedStyle(p).display !== 'inline') return p;
		return document.body;
	};
	// In a sentence: an inline link whose block holds words that are not targets.
	const inline = (el) => {
		if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
		const block = blockOf(el).cloneNode(true);
		for (const t of block.querySelectorAll(sel)) t.remove();
		return /[\p{L}\p{N}]{2}/u.test(block.textContent);
	};
	const targets = [...document.querySelectorAll(sel)].filter(visible);
	const rects = targets.map((el) => el.getBoundingClientRect());
	const out = [];
	targets.forEach((el, i) => {
		const r = rects[i];
		if ((r.width >= 24 && r.height >= 24) || inline(el)) return;
		// The spacing exception: a 24 px circle on the target's centre touches no other target.
		const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
		const clash = rects.some((o, j) => {
			if (j === i || targets[j].contains(el) || el.contains(targets[j])) return false;
			const dx = Math.max(o.left - cx, 0, cx - o.right), dy = Math.max(o.top - cy, 0, cy - o.bottom);
			return dx * dx + dy * dy < 144;
		});
		if (clash) {
			const name = (el.textContent || el.getAttribute('aria-label') || el.name || '').trim().slice(0, 40);
			out.push(`target ${el.tagName.toLowerCase()} "${name}" is ${Math.round(r.width)}x${Math.round(r.height)} px and too close to another target`);
		}
	});
	return out;
}

// Runs in the page: focuses every focusable element in turn and returns each one whose
// look does not change to an outline or a box shadow of at least 2 px (WCAG 2.4.7).
function focusIndicators() {
	const look = (el) => {
		const s = getComputedStyle(el);
		return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor].join('|');
	};
	const shows = (el) => {
		const s = getComputedStyle(el);
		return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || (s.boxShadow && s.boxShadow !== 'none');
	};
	const out = [];
	const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]';
	const before = document.activeElement;
	for (const el of document.querySelectorAll(sel)) {
		if (el.closest('[hidden], [inert]') || el.disabled) continue;
		const idle = look(el);
		el.focus({ preventScroll: true });
		if (document.activeElement !== el) continue;
		if (!shows(el) || look(el) === idle)
			out.push(`focus not visible on ${el.tagName.toLowerCase()} "${(el.textContent || el.name || '').trim().slice(0, 40)}"`);
		el.blur();
	}
	if (before && before !== document.body) before.focus({ preventScroll: true });
	return out;
}

// The focus indicator of the focused element: an outline or a box shadow that differs
// from the element's look without focus. Returns null when visible, or why not.
export async function focusProblem(page) {
	return page.evaluate(() => {
		const el = document.activeElement;
		if (!el || el === document.body) return 'nothing has focus';
		const s = getComputedStyle(el);
		const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
		const shadow = s.boxShadow && s.boxShadow !== 'none';
		if (!outline && !shadow) return `${el.tagName} "${el.textContent.trim().slice(0, 30)}" has no visible focus indicator`;
		// Not hidden behind anything (WCAG 2.4.11): the middle of it is on top.
		// A link over several lines has a box per line: the middle of one must be on top.
		const boxes = [...el.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
		if (boxes.length === 0) return `${el.tagName} has focus but no size`;
		let top = null;
		for (const r of boxes) {
			const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
			const y = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
			top = document.elementFromPoint(x, y);
			if (!top || top === el || el.contains(top) || (el.labels && [...el.labels].some((l) => l.contains(top))))
				return null;
		}
		return `${el.tagName} "${el.textContent.trim().slice(0, 30)}" is covered by ${top.tagName}.${top.className}`;
	});
}

// The letters in a letters file (or only family ref's), each with its family reference and
// the link its QR code holds, decoded from the SVG as a phone's camera would (rsvg-convert,
// then zbarimg).
export function decodeLetters(file, only) {
	const html = fs.readFileSync(file, 'utf8');
	const parts = html.split('<section class="letter"').slice(1);
	return parts.flatMap((part, i) => {
		const ref = (part.match(/class="ref">[^<:]*: ([A-Za-z0-9-]+)[ <]/) || [])[1];
		const svg = (part.match(/<svg[\s\S]*?<\/svg>/) || [])[0];
		assert.ok(ref && svg, `letter ${i + 1} of ${file} has no family reference or QR code`);
		if (only && ref !== only) return [];
		const base = path.join(TMP, `qr-${process.pid}-${ref}`);
		fs.writeFileSync(base + '.svg', svg);
		execFileSync('rsvg-convert', ['-z', '4', '-b', 'white', base + '.svg', '-o', base + '.png'], { stdio: 'pipe' });
		const url = execFileSync('zbarimg', ['--raw', '-q', base + '.png'], { encoding: 'utf8', stdio: 'pipe' }).trim().split('\n')[0];
		const printed = (part.match(/<p class="url">([^<]*)</) || [])[1];
		return [{ ref, url, printed, lang: (part.match(/^ lang="([a-z]+)"/) || [])[1] }];
	});
}

// The class of the focused element once it matches selector, or after 3 s whatever has
// the focus. autofocus acts when the page is next rendered, a moment after it loads; this
// polls rather than using waitForFunction, which needs the page's JavaScript.
export async function focusedClass(page, selector) {
	await page.waitForLoadState('load');
	const deadline = Date.now() + 3000;
	for (;;) {
		const [hit, cls] = await page.evaluate((sel) => [!!document.activeElement?.matches(sel), document.activeElement?.className ?? ''], selector);
		if (hit || Date.now() > deadline) return cls;
		await new Promise((r) => setTimeout(r, 50));
	}
}

// Tab until the focused element matches pred (at most max presses), checking the focus
// indicator of every element passed on the way. Returns the problems found.
export async function tabTo(page, pred, max = 60) {
	const problems = [];
	for (let i = 0; i < max; i++) {
		await page.keyboard.press('Tab');
		const p = await focusProblem(page);
		if (p) problems.push(p);
		const found = await page.evaluate(pred);
		if (found) return problems;
	}
	throw new Error(`no element matched after ${max} presses of Tab: ${pred}`);
}
