// The static policy site, every generated page of it, on a phone: axe-core, no sideways
// scrolling at 320 px, target sizes, and passages in the other language marked with lang.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BASE, DESKTOP, PHONE, Session, TMP, env, launch } from './lib.mjs';

const SITE = env('SITE');

// Every file under public/, as its address.
function files(dir, rel = '') {
	const out = [];
	for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
		const r = rel ? `${rel}/${e.name}` : e.name;
		if (e.isDirectory()) out.push(...files(dir, r));
		else out.push('/' + r);
	}
	return out.sort();
}

// Every HTML page under public/, as its address.
function pages(dir) {
	return files(dir).filter((f) => f.endsWith('/index.html')).map((f) => f.replace(/index\.html$/, ''));
}

describe('policy site on a phone', () => {
	let browser, s;
	before(async () => {
		browser = await launch();
		s = await new Session(browser, 'site', { ...PHONE, deviceScaleFactor: 1 }).open();
	});
	after(async () => {
		await s?.close();
		await browser?.close();
	});

	const all = pages(SITE);
	it('public/ holds only pages, feeds, the sitemap and static assets', () => {
		const published = /^(\/(.*\/)?index\.html|\/(en|cy)\/feed\.xml|\/sitemap\.xml|\/style\.css|\/favicon\.svg)$/;
		const other = files(SITE).filter((f) => !published.test(f));
		assert.deepEqual(other, [], `files in ${SITE} that are not for readers`);
	});

	it('serves none of the portal\'s texts nor the generator\'s state', async () => {
		for (const p of ['/signable.tsv', '/reviews.tsv', '/.policygen-state', '/.policygen-cache',
			'/en/policies/code-of-conduct/2026-09-01/text.html']) {
			// A request, not a visit: the refusal is lighttpd's page, not one of ours to check.
			const res = await s.page.request.get(BASE + p);
			assert.ok([403, 404].includes(res.status()), `${p}: status ${res.status()}`);
		}
	});

	it('has every kind of page', () => {
		const kinds = {
			landing: (p) => p === '/',
			index: (p) => /^\/(en|cy)\/$/.test(p),
			current: (p) => /^\/(en|cy)\/policies\/[^/]+\/$/.test(p),
			version: (p) => /\/policies\/[^/]+\/\d{4}-\d\d-\d\d\/$/.test(p),
			changes: (p) => /\/changes\/$/.test(p),
			statement: (p) => /^\/(en|cy)\/accessibility\/$/.test(p),
		};
		for (const [kind, test] of Object.entries(kinds))
			assert.ok(all.some(test), `no ${kind} page in ${SITE}: ${all.join(' ')}`);
	});

	for (const p of all) {
		it(`page ${p}`, async () => {
			// Nothing the page asks for is missing: no favicon 404, no stray request.
			const missing = [];
			const onResponse = (r) => { if (r.status() >= 400) missing.push(`${r.status()} ${r.url()}`); };
			s.page.on('response', onResponse);
			const res = await s.page.goto(BASE + p);
			await s.page.waitForLoadState('load');
			s.page.off('response', onResponse);
			assert.equal(res.status(), 200);
			assert.deepEqual(missing, [], `${p} requested files that are not there`);
			// "Policy title – School name", no stray spaces, on every page.
			const title = await s.page.title();
			assert.equal(title, title.trim().replace(/\s{2,}/g, ' '), `stray spaces in "${title}"`);
			assert.match(title, / – /, `no separator in "${title}"`);
			// Every page but the landing links to the statement in its footer.
			if (p !== '/') {
				const lang = await s.page.getAttribute('html', 'lang');
				const href = await s.page.getAttribute('footer.site a[href$="/accessibility/"]', 'href');
				assert.equal(href, `/${lang}/accessibility/`, `${p}: no statement link in the footer`);
			}
			await s.check(p === '/' ? 'landing' : p);
		});
	}

	it('the landing page links to the statement in both languages', async () => {
		await s.page.goto(BASE + '/');
		const links = await s.page.$$eval('footer a', (l) => l.map((a) => [a.lang, a.getAttribute('href')]));
		assert.deepEqual(links.sort(), [['cy', '/cy/accessibility/'], ['en', '/en/accessibility/']]);
	});

	for (const lang of ['en', 'cy']) {
		it(`a long policy has contents that work without JavaScript (${lang})`, async () => {
			await s.page.goto(`${BASE}/${lang}/policies/code-of-conduct/`);
			assert.equal(await s.page.locator('script').count(), 0);
			const links = await s.page.$$eval('nav.contents a', (l) => l.map((a) => [a.getAttribute('href'), a.textContent]));
			assert.ok(links.length >= 4, `only ${links.length} contents links`);
			for (const [href, text] of links) {
				const id = decodeURIComponent(href.slice(1));
				const heading = await s.page.$eval(`[id="${id}"]`, (h) => [h.tagName, h.textContent]);
				assert.deepEqual(heading, ['H2', text], `${href} does not lead to its heading`);
			}
			const ids = await s.page.$$eval('[id]', (l) => l.map((e) => e.id));
			assert.equal(new Set(ids).size, ids.length, `ids repeat: ${ids}`);
			// Following a link moves to the section; each section leads back.
			await s.page.click(`nav.contents a[href="${links[2][0]}"]`);
			assert.ok(s.page.url().endsWith(links[2][0]));
			const back = await s.page.$$eval('.to-contents a', (l) => l.map((a) => a.getAttribute('href')));
			assert.equal(back.length, links.length);
			assert.ok(back.every((h) => h === '#contents'));
			// The same ids on the page of the version itself.
			const again = await s.page.goto(`${BASE}/${lang}/policies/code-of-conduct/2026-09-01/`);
			assert.equal(again.status(), 200);
			const ids2 = await s.page.$$eval('nav.contents a', (l) => l.map((a) => a.getAttribute('href')));
			assert.deepEqual(ids2, links.map(([h]) => h));
		});
	}

	it('the Welsh list marks English-only policies and links to the English text', async () => {
		await s.page.goto(BASE + '/cy/');
		const item = s.page.locator('.policy-item', { hasText: 'Parent and Community Use of Social Media' });
		assert.match(await item.locator('h2').innerText(), /Saesneg yn unig/);
		const a = item.locator('h2 a');
		assert.equal(await a.getAttribute('hreflang'), 'en');
		assert.equal(await a.getAttribute('lang'), 'en');
		assert.equal(await a.getAttribute('href'), '/en/policies/community-social-media/');
		const welsh = s.page.locator('.policy-item', { hasText: 'Cod Ymddygiad' });
		assert.equal(await welsh.locator('h2 .tag').count(), 0);
	});

	it('the English list marks policies that are also in Welsh', async () => {
		await s.page.goto(BASE + '/en/');
		const item = s.page.locator('.policy-item', { hasText: 'Social Media Code of Conduct' });
		const a = item.locator('.also-in a');
		assert.equal(await a.getAttribute('hreflang'), 'cy');
		assert.equal(await a.innerText(), 'Cymraeg');
		const only = s.page.locator('.policy-item', { hasText: 'Parent and Community Use of Social Media' });
		assert.equal(await only.locator('.also-in').count(), 0);
	});

	it('review dates are shown in the page language', async () => {
		await s.page.goto(BASE + '/cy/');
		const text = await s.page.locator('main').innerText();
		assert.match(text, /Mawrth 2027/); // written "March 2027"
		assert.match(text, /Tymor yr Haf 2027/); // written "Summer 2027" and "Tymor yr Haf 2027"
	});

	it('the landing page gives each language its own section and lang', async () => {
		await s.page.goto(BASE + '/');
		const langs = await s.page.$$eval('section.choice', (l) => l.map((e) => e.lang));
		assert.deepEqual(langs.sort(), ['cy', 'en']);
	});

	it('language switcher links are marked with their language', async () => {
		await s.page.goto(BASE + '/cy/');
		const links = await s.page.$$eval('nav.languages a', (l) => l.map((a) => [a.lang, a.textContent.trim()]));
		assert.ok(links.length >= 2, JSON.stringify(links));
		for (const [lang, text] of links) assert.ok(lang === 'en' || lang === 'cy', `no lang on "${text}"`);
	});

	it('an English text shown on a Welsh page is marked lang="en"', async () => {
		// community-social-media has no Welsh translation (policygen check warns about it).
		const res = await s.page.goto(BASE + '/cy/policies/community-social-media/');
		assert.equal(res.status(), 200);
		assert.equal(await s.page.getAttribute('html', 'lang'), 'cy');
		assert.equal(await s.page.getAttribute('div.body', 'lang'), 'en');
		const title = await s.page.$eval('h1', (h) => h.closest('[lang]').lang);
		assert.equal(title, 'en', 'the English title is not marked lang="en"');
	});
});

// A long policy printed on A4: the text from its first sentence to its last, link
// addresses after their text, headings never last on a page, and no navigation.
describe('a policy printed on A4', () => {
	let browser, s;
	before(async () => {
		browser = await launch();
		s = await new Session(browser, 'print', DESKTOP).open();
	});
	after(async () => {
		await s?.close();
		await browser?.close();
	});

	for (const lang of ['en', 'cy']) {
		it(`prints the policy and nothing else (${lang})`, async () => {
			const page = s.page;
			await page.goto(`${BASE}/${lang}/policies/code-of-conduct/`);
			const paras = await page.$$eval('div.body p:not(.to-contents), div.body li',
				(l) => l.map((p) => p.textContent.replace(/\s+/g, ' ').trim()).filter((t) => t));
			const headings = await page.$$eval('div.body h2', (l) => l.map((h) => h.textContent.trim()));
			const links = await page.$$eval('div.body a[href^="http"]', (l) => l.map((a) => a.getAttribute('href')));
			// Navigation text that the policy itself does not also use (it names the school).
			const body = (await page.locator('div.body').innerText()).replace(/\s+/g, ' ');
			const nav = (await page.$$eval('header.site a, footer.site a, nav.crumbs a, .skip, nav.contents h2, .to-contents a',
				(l) => l.map((a) => a.textContent.trim()))).filter((t) => t.length > 3 && !body.includes(t));
			assert.ok(nav.length >= 4, `too little navigation to check: ${nav}`);
			const file = path.join(TMP, `policy-${lang}.pdf`);
			await page.emulateMedia({ media: 'print' });
			await page.pdf({ path: file, preferCSSPageSize: true, format: 'A4' });
			await page.emulateMedia({ media: 'screen' });
			fs.copyFileSync(file, path.join(env('OUT'), `policy-${lang}.pdf`));
			const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
			const size = info.match(/Page size:\s*([\d.]+) x ([\d.]+) pts/);
			assert.ok(size && Math.abs(size[1] - 595.28) < 2 && Math.abs(size[2] - 841.89) < 2, `A4: ${size}`);
			const raw = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
			const flat = raw.replace(/\s+/g, ' ');
			const dense = raw.replace(/\s+/g, '');
			const first = paras[0], last = paras[paras.length - 1];
			assert.ok(flat.includes(first.slice(0, 60)), `first sentence missing: ${first}`);
			assert.ok(flat.includes(last.slice(-60)), `last sentence missing: ${last}`);
			for (const h of links) assert.ok(dense.includes(`(${h})`), `no address after the link to ${h}`);
			assert.ok(links.length > 0, 'the policy has no links to check');
			for (const t of nav) assert.ok(!flat.includes(t), `navigation printed: "${t}"`);
			// A heading is never the last line of a page.
			const pages = raw.split('\f').map((p) => p.split('\n').map((l) => l.trim()).filter((l) => l));
			assert.ok(pages.length > 1, 'expected several pages');
			pages.slice(0, -1).forEach((lines, i) => {
				const end = lines[lines.length - 1] ?? '';
				assert.ok(!headings.some((h) => h === end || h.endsWith(end)),
					`page ${i + 1} ends with the heading "${end}"`);
			});
		});
	}
});
