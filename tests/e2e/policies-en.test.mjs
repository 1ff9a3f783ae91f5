// Staff publish and review policies from the office, in English (the Welsh journeys are
// in policies-cy.test.mjs; both run on a system of their own, policies-lib.mjs):
//   - an editor publishes a new version of the code of conduct: a check error first (a
//     review date of "Sprung 2027"), then preview and publish; the public page, the
//     what-changed page and the feed show the new text and its summary of changes;
//   - re-adopts another policy without change ("Last reviewed ..., no changes");
//   - an office user sees the list but is refused the forms;
//   - the form works without JavaScript.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { DESKTOP, PHONE, Session, focusedClass, launch } from './lib.mjs';
import { EDITOR, LATER, OFFICE, TODAY, eventually, finish, get, signIn, startSystem, text } from './policies-lib.mjs';

let sys, browser, s, page;
before(async () => {
	sys = await startSystem();
	browser = await launch();
	s = await new Session(browser, 'policies editor en', DESKTOP).open();
	page = s.page;
	await signIn(page, sys.base, EDITOR);
});
after(async () => {
	await finish(sys, s, browser);
});

describe('an editor publishes a new version and re-adopts a policy', () => {
	it('lists the policies with their status', async () => {
		await page.click('nav.office-nav a[href="/office/policies"]');
		assert.equal(await text(page, 'h1'), 'Policies');
		const conduct = await text(page, 'tr:has(a[href="/office/policies/code-of-conduct"])');
		assert.match(conduct, /Up to date/);
		const community = await text(page, 'tr:has(a[href="/office/policies/community-social-media"])');
		assert.match(community, /Welsh missing/);
		await s.check('policy list');
	});

	it('publishes a new version of the code of conduct after fixing a check error', async () => {
		await page.click('a[href="/office/policies/code-of-conduct"]');
		await s.check('policy page');
		await page.click('a[href="/office/policies/code-of-conduct/edit"]');
		assert.equal(await page.inputValue('#title'), 'Social Media Code of Conduct for Parents and Carers');
		assert.match(await page.inputValue('#body'), /## Purpose/);
		await s.shot('new version form');
		await page.fill('#review', 'Sprung 2027');
		await page.fill('#changes', 'Adds a rule about class group chats.');
		const body = await page.inputValue('#body');
		await page.fill('#body', body.replace('## Purpose', '## Purpose\n\nPlease keep class group chats kind and about school matters.'));
		await page.click('button[value=preview]');
		assert.equal(await focusedClass(page, '.error-summary'), 'error-summary');
		assert.match(await text(page, '.error-summary'), /review date "Sprung 2027"/);
		assert.match(await text(page, '#review-error'), /Sprung 2027/);
		assert.equal(await page.getAttribute('#review', 'aria-invalid'), 'true');
		await s.check('form with a check error');
		await page.fill('#review', 'Spring 2027');
		await page.click('button[value=preview]');
		assert.match(await text(page, '.preview-page'), /Please keep class group chats kind/);
		assert.match(await text(page, '.policy-preview'), /Summary of changes: Adds a rule about class group chats\./);
		assert.ok(await page.locator('.policy-preview ins').count() > 0, 'the what-changed view marks the new words');
		await s.check('preview');
		await page.click('button[value=publish]');
		assert.match(page.url(), /\/office\/policies\/code-of-conduct\?done=published$/);
		assert.match(await text(page, '.notice.success'), /Published/);
		await s.shot('published');

		await eventually(page, sys.base + '/en/policies/code-of-conduct/', /Please keep class group chats kind/);
		assert.match(await text(page, '.changes-summary'), /Adds a rule about class group chats\./);
		await s.shot('public page, new version');
		await page.click('.changes-link a');
		assert.match(await text(page, 'main'), /Adds a rule about class group chats\./);
		assert.ok(await page.locator('.diff ins').count() > 0);
		await s.shot('public what-changed page');
		const feed = await (await get(sys.base + '/en/feed.xml')).text();
		assert.ok(feed.includes(`/en/policies/code-of-conduct/${TODAY}/`), 'the feed has the version');
		assert.ok(feed.includes('Adds a rule about class group chats.'), 'the feed has the summary of changes');
	});

	it('re-adopts another policy without change', async () => {
		await page.goto(sys.base + '/office/policies/social-networking');
		await page.click('a[href="/office/policies/social-networking/review"]');
		await s.check('re-adopt form');
		await page.fill('#review', 'Hydref 2027');
		await page.fill('#minute', 'FGB 2026/50');
		await page.click('main form button[type=submit]');
		assert.match(await text(page, '.notice.success'), /Re-adopted/);
		assert.match(await text(page, 'table.history'), /FGB 2026\/50/);
		await eventually(page, sys.base + '/en/policies/social-networking/', /Last reviewed/);
		assert.match(await text(page, '.meta'), /Last reviewed \d+ \w+ \d{4}, no changes/);
		assert.match(await text(page, '.meta'), /Autumn term 2027/);
		await s.shot('public page, reviewed');
		await eventually(page, sys.base + '/cy/policies/social-networking/', /Adolygwyd ddiwethaf/);
		assert.match(await text(page, '.meta'), /Adolygwyd ddiwethaf \d+ \S+ \d{4}, dim newidiadau/);
	});
});

describe('office users and no JavaScript', () => {
	it('refuses an office user the publishing forms, but shows the list', async () => {
		const o = await new Session(browser, 'policies office user', DESKTOP).open();
		try {
			const p = o.page;
			await signIn(p, sys.base, OFFICE);
			await p.goto(sys.base + '/office/policies');
			assert.equal(await p.locator('a[href="/office/policies/new"]').count(), 0);
			assert.match(await text(p, 'main'), /Only staff with the editor role/);
			await p.goto(sys.base + '/office/policies/code-of-conduct');
			assert.equal(await p.locator('a[href$="/edit"]').count(), 0);
			const res = await p.goto(sys.base + '/office/policies/code-of-conduct/edit');
			assert.equal(res.status(), 403);
			assert.equal(await text(p, 'h1'), 'Editors only');
			await o.check('refused');
		} finally {
			await o.close();
		}
	});

	it('previews and publishes without JavaScript', async () => {
		const n = await new Session(browser, 'policies no javascript', { ...DESKTOP, javaScriptEnabled: false }).open();
		try {
			const p = n.page;
			await signIn(p, sys.base, EDITOR);
			await p.goto(sys.base + '/office/policies/community-social-media/edit');
			await p.fill('#changes', 'Clearer about reviews.');
			await p.fill('#body', '## Purpose\n\nWritten and previewed with JavaScript turned off.');
			await p.click('button[value=preview]');
			assert.match(await text(p, '.preview-page'), /Written and previewed with JavaScript turned off\./);
			await n.check('preview without JavaScript');
			await p.click('button[value=publish]');
			assert.match(await text(p, '.notice.success'), /Published/);
		} finally {
			await n.close();
		}
	});
});
