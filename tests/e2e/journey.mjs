// A parent's journey on a phone, from the QR code on the family's letter: read the code of
// conduct, sign, answer the photo questions for two children, check, confirm; come back,
// change one answer, withdraw another. Elements are found by name, id and role, never by
// their words, so one journey serves both languages; the words are checked against
// content/i18n/<lang>.yaml. Used by parent-*.test.mjs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PHONE, Session, decodeLetters, env, focusedClass, launch } from './lib.mjs';

const TOP = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '../..');

// The one-line strings of content/i18n/LANG.yaml ("key: value", quoted or not).
export function strings(lang) {
	const t = {};
	for (const line of fs.readFileSync(path.join(TOP, 'content/i18n', `${lang}.yaml`), 'utf8').split('\n')) {
		const m = line.match(/^([a-z_]+):\s*(.*)$/);
		if (!m) continue;
		let v = m[2].trim();
		if (v.startsWith('"')) v = JSON.parse(v);
		else if (v.startsWith("'")) v = v.slice(1, -1).replace(/''/g, "'");
		t[m[1]] = v;
	}
	return t;
}

// The family's link, decoded from the QR code on its letter.
export function familyLink(ref) {
	const [letter] = decodeLetters(env('LETTERS'), ref);
	assert.ok(letter, `no letter for ${ref}`);
	assert.match(letter.url, /^HTTP:\/\/127\.0\.0\.1:\d+\/SIGN\/[A-Z2-7]{26}$/, 'the QR code holds the family link in capitals');
	assert.equal(letter.url.toLowerCase().replace(/\/sign\/.*/, ''), letter.printed.toLowerCase().replace(/\/sign\/.*/, ''));
	assert.equal(letter.url.split('/').pop(), letter.printed.split('/').pop(), 'the printed link and the QR code differ');
	return letter.url;
}

// The photo permissions export, as {first name: {purpose: 'yes'|'no'}} for one family's children.
export function permissions(names) {
	const csv = execFileSync(env('CONSENTCTL'), ['--db', env('DB'), 'export', 'photo'], { encoding: 'utf8' });
	const out = {};
	for (const line of csv.replace(/^\uFEFF/, '').split(/\r?\n/).slice(1)) {
		const [, , first, , purpose, , permitted] = line.split(',');
		if (names.includes(first)) (out[first] ??= {})[purpose] = permitted;
	}
	return out;
}

const text = (page, sel) => page.locator(sel).first().innerText().then((s) => s.replace(/\s+/g, ' ').trim());

// The answer form's children, in its order: [{id, name}] (each question's legend starts
// with the child's name for screen readers).
async function formChildren(page) {
	const pairs = await page.$$eval('input[type=radio][value=yes]', (l) => l.map((i) => [
		i.name.split('.')[1],
		i.closest('fieldset').querySelector('legend .visually-hidden').textContent.replace(/:\s*$/, ''),
	]));
	const seen = new Map(pairs);
	return [...seen].map(([id, name]) => ({ id, name }));
}

// Answers: every question yes except these {childIndex: [purposes answered no]}.
async function answer(page, children, no) {
	const fields = await page.$$eval('input[type=radio][value=yes]', (l) => l.map((i) => i.name));
	for (const f of fields) {
		const [, child, purpose] = f.split('.');
		const i = children.indexOf(child);
		const v = (no[i] ?? []).includes(purpose) ? 'no' : 'yes';
		await page.check(`input[type=radio][name="${f}"][value="${v}"]`);
	}
}

export function parentJourney({ title, family, lang, js = true, signer }) {
	const t = strings(lang);
	describe(title, () => {
		let browser, s, page, link, childIds = [], names = [];
		before(async () => {
			browser = await launch();
			s = await new Session(browser, title, { ...PHONE, javaScriptEnabled: js }).open();
			page = s.page;
		});
		after(async () => {
			await s?.close();
			await browser?.close();
		});

		it('the letter\'s QR code opens the family page', async () => {
			if (!js) {
				await page.goto('data:text/html,<title>off</title><script>document.title="on"</script>');
				assert.equal(await page.title(), 'off', 'JavaScript is switched off');
			}
			link = familyLink(family);
			const res = await page.goto(link);
			assert.equal(res.status(), 200);
			assert.equal(await page.getAttribute('html', 'lang'), lang);
			assert.equal(await text(page, 'h1'), t.sign_family_title);
			names = await page.$$eval('ul.children li strong', (l) => l.map((e) => e.textContent));
			assert.ok(names.length >= 2, `two children on the page: ${names}`);
			await s.check('family page, nothing answered');
		});

		it('reads the code of conduct', async () => {
			await page.click('section.task a[href*="/conduct"]');
			assert.match(page.url(), /\/conduct\?/);
			assert.ok(await page.locator('.conduct h1').count() === 1, 'the code of conduct has its title');
			assert.ok((await text(page, '.conduct')).length > 500, 'the code of conduct is shown');
			await s.check('code of conduct');
			await page.click('main a.button');
			assert.match(page.url(), /\/answer\?/);
			assert.equal(await text(page, 'h1'), t.sign_answer_title);
			assert.equal(await page.locator('input:checked').count(), 0, 'nothing is pre-ticked the first time');
			await s.check('answer form, empty');
		});

		it('sending the empty form shows every error, linked to its question', async () => {
			await page.click('form button[type=submit]');
			assert.equal(await text(page, '.error-summary h2'), t.sign_error_summary);
			assert.match(await page.title(), new RegExp('^' + t.sign_error_title_prefix));
			const hrefs = await page.$$eval('.error-summary a', (l) => l.map((a) => a.getAttribute('href')));
			// The declaration, each child's questions (6 each), and the name.
			assert.equal(hrefs.length, 1 + 6 * names.length + 1, hrefs.join(' '));
			for (const h of hrefs) {
				const id = decodeURIComponent(h.slice(1));
				const tag = await page.evaluate((i) => document.getElementById(i)?.tagName, id);
				assert.equal(tag, 'INPUT', `the error link ${h} leads to a form control`);
			}
			// autofocus, so without JavaScript too.
			assert.equal(await focusedClass(page, '.error-summary'), 'error-summary', 'the error summary has focus');
			await s.check('answer form with errors');
		});

		it('signs and answers for two children, checks the answers and confirms', async () => {
			const kids = await formChildren(page);
			assert.deepEqual(kids.map((k) => k.name).sort(), [...names].sort());
			childIds = kids.map((k) => k.id);
			names = kids.map((k) => k.name);
			await page.check('input[type=checkbox][name^="agree."]');
			await answer(page, childIds, { 0: ['press'], 1: ['social-media', 'displays'] });
			await page.fill('#name', signer);
			await page.click('form button.button[type=submit]');
			assert.equal(await text(page, 'h1'), t.sign_check_title);
			assert.ok((await text(page, 'main')).includes(signer));
			await s.check('check answers');
			await page.click('form > button.button[type=submit]');
			assert.match(page.url(), /\/done\?/);
			assert.equal(await text(page, '.panel-confirmation h1'), t.sign_done_title);
			assert.match(await text(page, '.reference'), /^\d+-[0-9A-F]{4}$/);
			await s.check('confirmation');
			const p = permissions(names);
			assert.equal(p[names[0]]?.press, 'no');
			assert.equal(p[names[0]]?.website, 'yes');
			assert.equal(p[names[1]]?.['social-media'], 'no');
			assert.equal(p[names[1]]?.displays, 'no', 'an objection to displays is recorded');
			await page.click('main a.button');
			assert.equal(await text(page, 'h1'), t.sign_family_title);
			await s.check('family page, all answered');
		});

		it('comes back with the same QR code and changes one answer', async () => {
			await page.goto(link);
			await page.click('main a.button[href*="/answer"]');
			assert.ok((await text(page, 'main .notice')).includes(t.sign_answer_returning));
			assert.equal(await page.locator('input[type=radio]:checked').count(), 0,
				'nothing is selected: a carer records only what they choose');
			assert.ok((await text(page, 'main .recorded')).includes(`${signer}:`),
				'each question lists the answers already given');
			const press = `input[name="a.${childIds[0]}.press"]`;
			await page.check(`${press}[value=yes]`);
			await page.check('input[type=checkbox][name^="agree."]');
			await page.fill('#name', signer);
			await s.check('answer form, coming back, one answer changed');
			await page.click('form button.button[type=submit]');
			await page.click('form > button.button[type=submit]');
			assert.equal(await text(page, '.panel-confirmation h1'), t.sign_done_title);
			assert.equal(permissions(names)[names[0]]?.press, 'yes');
		});

		it('withdraws another answer, in two steps', async () => {
			await page.goto(link);
			const form = page.locator(`form:has(input[name=child][value="${childIds[1]}"]):has(input[name=purpose][value=website])`);
			assert.equal(await form.count(), 1, 'a withdraw button for the second child\'s website consent');
			await form.locator('button').click();
			assert.equal(await text(page, 'h1'), t.sign_withdraw_title);
			await s.check('withdraw, are you sure');
			await page.click('main form button[type=submit]');
			const heading = await text(page, 'h1');
			assert.ok([t.sign_done_withdrawn_title, t.sign_family_title].includes(heading), heading);
			await s.check('withdrawn');
			const p = permissions(names);
			assert.equal(p[names[1]]?.website, 'no');
			assert.equal(p[names[0]]?.website, 'yes', 'the other child is unchanged');
			await page.goto(link);
			await s.check('family page after the withdrawal');
		});

		it('switches to the other language and asks for it to be remembered', async () => {
			const other = lang === 'en' ? 'cy' : 'en';
			const o = strings(other);
			await page.click(`nav.languages a[lang=${other}]`);
			assert.equal(await page.getAttribute('html', 'lang'), other);
			assert.equal(await text(page, 'h1'), o.sign_family_title);
			assert.equal(await text(page, 'form.remember button'), o.sign_remember_language);
			await s.check(`family page in ${other}`);
			await page.click('form.remember button');
			assert.equal(await text(page, '.notification'), o.sign_language_saved);
			await s.check(`${other} remembered`);
			await page.goto(link);
			assert.equal(await page.getAttribute('html', 'lang'), other, 'the QR code now opens in the other language');
		});

		it('a mistyped link gets a page in both languages', async () => {
			const token = link.split('/').pop();
			const wrong = link.replace(/[A-Z2-7]{26}$/, (token[0] === 'A' ? 'B' : 'A') + token.slice(1));
			const res = await page.goto(wrong);
			assert.equal(res.status(), 404);
			const langs = await page.$$eval('section.message', (l) => l.map((e) => e.lang));
			assert.deepEqual(langs.sort(), ['cy', 'en']);
			await s.check('link does not work');
		});
	});
}
