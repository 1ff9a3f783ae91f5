// Staff publish policies from the office: the Welsh translation and other journeys (the
// English ones are in policies-en.test.mjs; each file has a system of its own):
//   - a new English version flags the Welsh translation, which is written beside the
//     English (stacked on a phone), with the English changes marked, and published;
//   - a Word document (made here with pandoc) becomes a draft, with what was lost;
//   - a version scheduled for later is nowhere public until its day (policygen --today).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DESKTOP, PHONE, Session, focusedClass, launch } from './lib.mjs';
import { EDITOR, LATER, OFFICE, TODAY, eventually, finish, get, signIn, startSystem, text } from './policies-lib.mjs';

let sys, browser, s, page;
before(async () => {
	sys = await startSystem();
	browser = await launch();
	s = await new Session(browser, 'policies editor cy', DESKTOP).open();
	page = s.page;
	await signIn(page, sys.base, EDITOR);
});
after(async () => {
	await finish(sys, s, browser);
});

// A new English version of the code of conduct, so that its Welsh needs updating.
async function newEnglishVersion() {
	await page.goto(sys.base + '/office/policies/code-of-conduct/edit');
	await page.fill('#changes', 'Adds a rule about class group chats.');
	const body = await page.inputValue('#body');
	await page.fill('#body', body.replace('## Purpose', '## Purpose\n\nPlease keep class group chats kind and about school matters.'));
	await page.click('button[value=publish]');
	assert.match(await text(page, '.notice.success'), /Published/);
}

describe('the Welsh translation', () => {
	before(newEnglishVersion);
	it('flags the Welsh translation, shows the English beside it and publishes it', async () => {
		await page.goto(sys.base + '/office/policies');
		assert.match(await text(page, 'tr:has(a[href="/office/policies/code-of-conduct"])'), /Welsh needs updating/);
		await page.goto(sys.base + '/office/policies/code-of-conduct');
		await page.click('a[href="/office/policies/code-of-conduct/edit?lang=cy"]');
		assert.match(await text(page, '.english-diff'), /Please keep class group chats kind/);
		assert.ok(await page.locator('.english-diff ins').count() > 0, 'the English words added since the last translation');
		const form = await page.locator('.form-fields').boundingBox();
		const english = await page.locator('.english-text').boundingBox();
		assert.ok(english.x > form.x + form.width - 1, 'the English is beside the Welsh on a wide screen');
		await s.check('Welsh form beside the English');
		await page.setViewportSize(PHONE.viewport);
		const f2 = await page.locator('.form-fields').boundingBox();
		const e2 = await page.locator('.english-text').boundingBox();
		assert.ok(e2.y >= f2.y + f2.height - 1, 'stacked on a phone');
		await s.shot('Welsh form on a phone');
		await page.setViewportSize(DESKTOP.viewport);
		await page.fill('#changes', 'Rheol newydd am sgyrsiau grŵp dosbarth.');
		const cy = await page.inputValue('#body');
		await page.fill('#body', cy.replace('## Diben', '## Diben\n\nCadwch sgyrsiau grŵp dosbarth yn garedig ac am faterion ysgol.'));
		await page.click('button[value=preview]');
		assert.match(await text(page, '.preview-page'), /Cadwch sgyrsiau grŵp dosbarth yn garedig/);
		assert.equal(await page.getAttribute('.preview-page', 'lang'), 'cy');
		await page.click('button[value=publish]');
		assert.match(await text(page, '.notice.success'), /Published/);
		await page.goto(sys.base + '/office/policies');
		assert.doesNotMatch(await text(page, 'tr:has(a[href="/office/policies/code-of-conduct"])'), /Welsh/);
		await eventually(page, sys.base + '/cy/policies/code-of-conduct/', /Cadwch sgyrsiau grŵp dosbarth yn garedig/);
		assert.match(await text(page, '.changes-summary'), /Rheol newydd am sgyrsiau grŵp dosbarth\./);
		await s.shot('public Welsh page');
	});
});

describe('Word documents and scheduled versions', () => {
	it('turns a Word document into a draft and says what was lost', async () => {
		const md = path.join(sys.dir, 'draft.md'), docx = path.join(sys.dir, 'draft.docx');
		fs.writeFileSync(md, '## Purpose\n\nA text written in **Word**.\n\n| Day | Club |\n|---|---|\n| Monday | Choir |\n');
		execFileSync('pandoc', [md, '-o', docx], { timeout: 60000 });
		await page.goto(sys.base + '/office/policies/social-media/edit');
		await page.setInputFiles('#docx', docx);
		await page.click('form.docx-form button[type=submit]');
		assert.match(await page.inputValue('#body'), /A text written in \*\*Word\*\*\./);
		assert.match(await text(page, 'ul.lost'), /1 table/);
		assert.equal(fs.existsSync(path.join(sys.content, 'policies/social-media', `${TODAY}.en.md`)), false, 'nothing is published yet');
		await s.check('draft from Word');
	});

	it('schedules a version that stays off the public site until its day', async () => {
		await page.goto(sys.base + '/office/policies/social-media/edit');
		await page.fill('#effective', LATER);
		await page.fill('#changes', 'Scheduled for later.');
		await page.fill('#body', '## Purpose\n\nThe scheduled text.');
		await page.click('button[value=publish]');
		assert.match(await text(page, '.notice.success'), /Scheduled/);
		assert.match(await text(page, 'table.history'), /Scheduled/);
		await page.goto(sys.base + '/office/policies');
		assert.match(await text(page, 'tr:has(a[href="/office/policies/social-media"])'), /Scheduled/);
		// (fetched outside the browser: the web server's own 404 page is not the project's)
		assert.equal((await get(sys.base + `/en/policies/social-media/${TODAY}/`)).status, 404);
		await page.goto(sys.base + '/en/policies/social-media/');
		assert.doesNotMatch(await text(page, 'main'), /The scheduled text/);
		sys.build(LATER);
		await eventually(page, sys.base + '/en/policies/social-media/', /The scheduled text/);
	});
});
