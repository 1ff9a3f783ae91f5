// A parent using only the keyboard (Tab, Space and Enter, and typing their name): every
// element on the way shows where the focus is, the error summary takes the focus, and
// the form can be filled in, checked and sent.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PHONE, Session, focusProblem, focusedClass, launch, tabTo } from './lib.mjs';
import { familyLink, permissions, strings } from './journey.mjs';

const isEl = (sel) => new Function(`const a = document.activeElement; return !!a && a.matches(${JSON.stringify(sel)});`);

describe('parent with the keyboard only', () => {
	const t = strings('cy');
	let browser, s, page;
	before(async () => {
		browser = await launch();
		s = await new Session(browser, 'keyboard', { ...PHONE, isMobile: false, hasTouch: false }).open();
		page = s.page;
	});
	after(async () => {
		await s?.close();
		await browser?.close();
	});

	it('the first Tab shows the skip link, which leads to the content', async () => {
		await page.goto(familyLink('F1009'));
		await page.keyboard.press('Tab');
		assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
		assert.equal(await focusProblem(page), null);
		const r = await page.evaluate(() => document.activeElement.getBoundingClientRect().toJSON());
		assert.ok(r.left >= 0 && r.top >= 0 && r.width > 50, `the focused skip link is on screen: ${JSON.stringify(r)}`);
		await s.shot('skip link focused');
		await page.keyboard.press('Enter');
		assert.match(page.url(), /#main$/);
	});

	it('Tab and Enter open the form; sending it empty puts the focus on the error summary', async () => {
		await page.goto(familyLink('F1009'));
		assert.deepEqual(await tabTo(page, isEl('main a.button')), []);
		await s.shot('start button focused');
		await page.keyboard.press('Enter');
		await page.waitForURL(/\/answer\?/);
		assert.deepEqual(await tabTo(page, isEl('form button[type=submit]')), []);
		await page.keyboard.press('Enter');
		await page.waitForSelector('.error-summary');
		assert.equal(await focusedClass(page, '.error-summary'), 'error-summary');
		assert.equal(await focusProblem(page), null, 'the focused error summary is outlined');
		await s.shot('error summary focused');
		await page.keyboard.press('Tab');
		assert.equal(await page.evaluate(() => document.activeElement.closest('.error-summary') !== null), true,
			'the next Tab goes to the first error');
		assert.equal(await focusProblem(page), null);
	});

	it('ticks the declaration, answers every question, types a name and sends, by keyboard', async () => {
		const problems = [];
		// The declaration: Space ticks the box.
		problems.push(...(await tabTo(page, isEl('input[type=checkbox]'))));
		await page.keyboard.press('Space');
		assert.ok(await page.evaluate(() => document.activeElement.checked), 'Space ticks the declaration');
		// Each question: Tab reaches the group's first radio (yes), Space selects it.
		const groups = await page.$$eval('input[type=radio][value=yes]', (l) => l.map((i) => i.name));
		for (const name of groups) {
			problems.push(...(await tabTo(page, isEl(`input[type=radio][name="${name}"]`), 5)));
			await page.keyboard.press('Space');
		}
		await s.shot('questions answered by keyboard');
		problems.push(...(await tabTo(page, isEl('#name'), 5)));
		await page.keyboard.type('Siân Thomas');
		problems.push(...(await tabTo(page, isEl('form button.button[type=submit]'), 5)));
		assert.deepEqual(problems, []);
		await page.keyboard.press('Enter');
		await page.waitForSelector('.summary-list');
		assert.equal(await page.locator('h1').innerText(), t.sign_check_title);
		await s.shot('check answers');
		// Through every Change button to the one that sends.
		assert.deepEqual(await tabTo(page, isEl('form > button.button[type=submit]')), []);
		await s.shot('confirm button focused');
		await page.keyboard.press('Enter');
		await page.waitForURL(/\/done\?/);
		assert.equal(await page.locator('.panel-confirmation h1').innerText(), t.sign_done_title);
		await s.check('confirmation');
		const p = permissions(['Harri', 'Elis']);
		for (const child of ['Harri', 'Elis'])
			for (const purpose of ['displays', 'website', 'social-media', 'press', 'class-photos', 'performance-video'])
				assert.equal(p[child]?.[purpose], 'yes', `${child} ${purpose}`);
	});
});
