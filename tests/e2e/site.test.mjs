// The static policy site, every generated page of it, on a phone: axe-core, no sideways
// scrolling at 320 px, target sizes, and passages in the other language marked with lang.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BASE, PHONE, Session, env, launch } from './lib.mjs';

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
	it('public/ holds only pages, feeds, the sitemap and the stylesheet', () => {
		const published = /^(\/(.*\/)?index\.html|\/(en|cy)\/feed\.xml|\/sitemap\.xml|\/style\.css)$/;
		const other = files(SITE).filter((f) => !published.test(f));
		assert.deepEqual(other, [], `files in ${SITE} that are not for readers`);
	});

	it('serves none of the portal\'s texts nor the generator\'s state', async () => {
		for (const p of ['/signable.tsv', '/reviews.tsv', '/.policygen-state', '/.policygen-cache',
			'/en/policies/code-of-conduct/2026-09-01/text.html']) {
			const res = await s.page.goto(BASE + p);
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
		};
		for (const [kind, test] of Object.entries(kinds))
			assert.ok(all.some(test), `no ${kind} page in ${SITE}: ${all.join(' ')}`);
	});

	for (const p of all) {
		it(`page ${p}`, async () => {
			const res = await s.page.goto(BASE + p);
			assert.equal(res.status(), 200);
			await s.check(p === '/' ? 'landing' : p);
		});
	}

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
