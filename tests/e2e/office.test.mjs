// Office staff on a desktop: sign in, find a family, see its answers and history, record a
// paper form, print letters (one A4 page per family), the no-photo sheet, and download the
// exports and check what Excel would get. Also the letters file consentctl writes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BASE, DESKTOP, Session, TMP, decodeLetters, env, focusedClass, launch } from './lib.mjs';

const USER = env('OFFICE_USER');
const PASSWORD = env('OFFICE_PASSWORD');
const text = (page, sel) => page.locator(sel).first().innerText().then((s) => s.replace(/\s+/g, ' ').trim());

// Prints the page as Chromium's print-to-PDF does and returns the number of pages.
async function pdfPages(page, name) {
	const file = path.join(TMP, `${name}.pdf`);
	await page.emulateMedia({ media: 'print' });
	await page.pdf({ path: file, preferCSSPageSize: true, format: 'A4', printBackground: true });
	await page.emulateMedia({ media: 'screen' });
	fs.copyFileSync(file, path.join(env('OUT'), `${name}.pdf`));
	const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
	const size = info.match(/Page size:\s*([\d.]+) x ([\d.]+) pts/);
	assert.ok(size && Math.abs(size[1] - 595.28) < 2 && Math.abs(size[2] - 841.89) < 2, `A4 pages: ${size}`);
	return Number(info.match(/^Pages:\s*(\d+)/m)[1]);
}

describe('office staff on a desktop', () => {
	let browser, s, page;
	before(async () => {
		browser = await launch();
		s = await new Session(browser, 'office', DESKTOP).open();
		page = s.page;
	});
	after(async () => {
		await s?.close();
		await browser?.close();
	});

	it('signs in, after a wrong password', async () => {
		await page.goto(BASE + '/office/');
		assert.match(page.url(), /\/office\/login$/);
		await s.check('sign in');
		await page.fill('#username', USER);
		await page.fill('#password', 'not the password');
		await page.click('form.office-form button[type=submit]');
		assert.equal(await focusedClass(page, '.error-summary'), 'error-summary');
		await s.check('sign in, wrong password');
		await page.fill('#username', USER);
		await page.fill('#password', PASSWORD);
		await page.click('form.office-form button[type=submit]');
		assert.equal(new URL(page.url()).pathname, '/office/');
		assert.ok((await text(page, 'header.site')).includes(USER));
		assert.match(await page.locator('section.checkpoint pre').first().innerText(),
			/\n\d+\n[A-Za-z0-9+/]{43}=\n\n\u2014 /, 'today\'s signed checkpoint');
		await s.check('progress');
	});

	it('finds the family and sees its children, answers and history', async () => {
		await page.click('nav.office-nav a[href="/office/families"]');
		await s.check('families, search form');
		await page.fill('#q', 'Siôn');
		await page.click('form.office-search button[type=submit]');
		await s.check('families, found');
		await page.click('table a[href="/office/family/F1003"]');
		assert.equal(await text(page, 'h1'), 'Family F1003');
		const children = await text(page, 'section[aria-labelledby=children-heading]');
		for (const name of ['Siôn Williams', 'Dafydd Williams', 'Mali Williams']) assert.ok(children.includes(name), name);
		assert.ok((await page.locator('section[aria-labelledby=history-heading] tbody tr').count()) >= 1, 'the history has the import');
		await s.check('family page');
	});

	it('records a paper form, after leaving out the name', async () => {
		const radio = (child, purpose, v) => page.locator(`fieldset.paper-child:has(> legend:text-is("Photo consent for ${child}")) input[name$=".${purpose}"][value="${v}"]`);
		await radio('Siôn', 'press', 'no').check();
		await page.click('#paper-answers button[type=submit]');
		assert.equal(await focusedClass(page, '.error-summary'), 'error-summary');
		await s.check('paper form with an error');
		await page.fill('#signer', 'Catrin Williams');
		await page.check('input[name="sign.code-of-conduct"][value="cy"]');
		await radio('Siôn', 'website', 'yes').check();
		await radio('Siôn', 'press', 'no').check();
		await radio('Mali', 'class-photos', 'yes').check();
		await page.click('#paper-answers button[type=submit]');
		assert.match(page.url(), /\/office\/family\/F1003\?done=/);
		assert.ok((await text(page, '.notice.success')).length > 0, 'the paper form is recorded');
		const answers = await text(page, 'section[aria-labelledby=photo-heading]');
		assert.match(answers, /Paper form office\.browser/);
		const history = await text(page, 'section[aria-labelledby=history-heading]');
		assert.match(history, /Catrin Williams/);
		await s.check('family page with the paper answers');
		// The paper form's evidence page, from the history.
		await page.click('section[aria-labelledby=history-heading] a[href*="/evidence?s="]');
		assert.match(await text(page, 'h1'), /^Evidence for submission \d+-[0-9A-F]{4}$/);
		const evidence = await text(page, 'main');
		assert.match(evidence, /Catrin Williams/);
		assert.match(evidence, /office\.browser/);
		assert.match(evidence, /[0-9a-f]{64}/);
		await s.check('evidence for a paper form');
		await page.goBack();
	});

	it('downloads the exports: UTF-8 with a byte order mark, Welsh names, the paper answers', async () => {
		await page.click('nav.office-nav a[href="/office/"]');
		const get = async (name) => {
			const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`a[href="/office/export/${name}.csv"]`)]);
			assert.match(dl.suggestedFilename(), new RegExp(`^${name}-\\d{4}-\\d\\d-\\d\\d\\.csv$`));
			const file = path.join(env('OUT'), dl.suggestedFilename());
			await dl.saveAs(file);
			const bytes = fs.readFileSync(file);
			assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], `${name}: byte order mark`);
			const csv = bytes.toString('utf8').slice(1);
			assert.ok(csv.endsWith('\r\n') && !/[^\r]\n/.test(csv), `${name}: CRLF line ends`);
			return csv;
		};
		const decl = await get('declarations');
		assert.match(decl, /^F1003,Catrin Williams,Catrin Williams,code-of-conduct,\d{4}-\d\d-\d\d,cy,[^,]+,paper,office\.browser\r$/m);
		const photo = await get('photo');
		assert.match(photo, /^Year 6,C2004,Siôn,Williams,press,consent,no,1,/m);
		assert.match(photo, /^Year 6,C2004,Siôn,Williams,website,consent,yes,1,/m);
		assert.match(photo, /^Year 1,C2006,Mali,Williams,class-photos,consent,yes,1,/m);
		assert.match(photo, /^Year 4,C2001,Gwenllïan,Pritchard-Jones,/m);
		assert.match(photo, /^Reception,C2002,Llŷr,Pritchard-Jones,/m);
		const outstanding = await get('outstanding');
		assert.match(outstanding, /^family_ref,/);
		assert.match(outstanding, /^F1006,/m, 'a family that has not answered is still to answer');
	});

	it('prints the no-photo sheet for a class', async () => {
		await page.click('nav.office-nav a[href="/office/nophoto"]');
		await s.check('no-photo, choose a class');
		await page.click('a[href="/office/nophoto?class=Year%206"]');
		assert.match(await text(page, 'h1'), /Year 6$/);
		const row = await text(page, 'table.nophoto tr:has(th:text-is("Siôn Williams"))');
		assert.match(row, /NO/);
		assert.equal(await pdfPages(page, 'office-nophoto'), 1);
		await s.check('no-photo sheet');
	});

	it('prints a class\'s letters, one A4 page for each family', async () => {
		await page.click('nav.office-nav a[href="/office/letters"]');
		await s.check('letters, choose');
		await page.click('a[href="/office/letters?class=Year%206"]');
		const families = await page.locator('table tbody th a').count();
		assert.equal(families, 2, 'Year 6 has two families');
		await s.check('letters, confirm');
		await page.click('main form button[type=submit]');
		assert.equal(await page.locator('section.letter').count(), families);
		assert.equal(await page.locator('section.letter svg').count(), families);
		assert.equal(await pdfPages(page, 'office-letters'), families);
		await s.check('letters printed');
	});

	it('reissues one family\'s QR code', async () => {
		await page.goto(BASE + '/office/family/F1006');
		await page.click('form[action="/office/family/F1006/reissue"] button');
		assert.equal(await page.locator('section.letter').count(), 1);
		assert.equal(await pdfPages(page, 'office-reissue'), 1);
		await s.check('new letter');
	});

	it('an unknown family gets a plain page', async () => {
		const res = await page.goto(BASE + '/office/family/F9999');
		assert.equal(res.status(), 404);
		await s.check('no such family');
	});

	it('uploads the school\'s export, sees the plan and imports it once', async () => {
		await page.click('nav.office-nav a[href="/office/import"]');
		await s.check('import, upload form');
		// A file from another school would make every child leave: refused in plain words.
		await page.setInputFiles('#file', new URL('../fixtures/sims.csv', import.meta.url).pathname);
		await page.click('form[action="/office/import"] button[type=submit]');
		assert.ok((await text(page, '[role=alert]')).includes('Nothing was imported'));
		assert.ok((await text(page, 'main')).includes('current children as left'));
		await s.check('import, refused');
		// The demo families again, without their language column (a column the file does
		// not have changes nothing, so the parents' tests running beside this one keep
		// the languages they chose): nothing would change; confirmed, it is imported once.
		const demo = fs.readFileSync(new URL('../../content/demo/families.csv', import.meta.url), 'utf8');
		const file = path.join(TMP, 'families-no-language.csv');
		fs.writeFileSync(file, demo.split('\n').map((l) => l.replace(/,(language|en|cy)\r?$/, '')).join('\n'));
		await page.goto(BASE + '/office/import');
		await page.setInputFiles('#file', file);
		await page.click('form[action="/office/import"] button[type=submit]');
		assert.ok((await text(page, '[role=alert]')).includes('Nothing has changed yet'));
		assert.ok((await text(page, 'main')).includes('No changes.'));
		await s.check('import, plan');
		const form = {
			csrf: await page.locator('form[action="/office/import/confirm"] input[name=csrf]').inputValue(),
			upload: await page.locator('input[name=upload]').inputValue(),
		};
		await page.click('form[action="/office/import/confirm"] button[type=submit]');
		assert.ok((await text(page, '[role=status]')).includes('Imported'));
		await s.check('import, done');
		// The same confirmation again (a second tap, or back and resubmit) imports nothing.
		const again = await page.request.post(BASE + '/office/import/confirm', { form });
		assert.equal(again.status(), 422);
		assert.ok((await again.text()).includes('imported already'));
	});

	it('signs out', async () => {
		await page.goto(BASE + '/office/');
		await page.click('form.office-logout button');
		assert.match(page.url(), /\/office\/login\?out=1$/);
		await s.check('signed out');
		await page.goto(BASE + '/office/');
		assert.match(page.url(), /\/office\/login$/);
	});
});

describe('the letters file from consentctl', () => {
	let browser, s;
	before(async () => {
		browser = await launch();
		s = await new Session(browser, 'letters-file', DESKTOP).open();
	});
	after(async () => {
		await s?.close();
		await browser?.close();
	});

	it('prints one A4 page for each family, and is accessible', async () => {
		const file = env('LETTERS');
		const families = (fs.readFileSync(file, 'utf8').match(/<section class="letter"/g) || []).length;
		assert.ok(families >= 12, `letters for every demo family: ${families}`);
		await s.page.goto('file://' + file);
		assert.equal(await pdfPages(s.page, 'letters-file'), families);
		await s.check('letters');
	});

	it('as the office serves them (its stylesheet, inline styles refused): one page per family', async () => {
		// The office puts a link to /style.css into the same document (cgi-bin/office.c,
		// send_letters) and serves it under a policy that refuses the inline <style>.
		const html = fs.readFileSync(env('LETTERS'), 'utf8').replace('</head>', '<link rel="stylesheet" href="/style.css">\n</head>');
		const families = (html.match(/<section class="letter"/g) || []).length;
		const page = await s.context.newPage();
		await page.route(BASE + '/office-letters-preview', (route) => route.fulfill({
			status: 200, body: html,
			headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': "default-src 'none'; style-src 'self'; img-src 'self' data:" },
		}));
		await page.goto(BASE + '/office-letters-preview');
		assert.equal(await page.$eval('section.letter', (e) => getComputedStyle(e).fontFamily.includes('DejaVu')), true, 'style.css applies');
		assert.equal(await pdfPages(page, 'letters-file-office-style'), families);
		await page.close();
	});

	it('every QR code decodes to its letter\'s link, and each half is marked with its language', async () => {
		const letters = decodeLetters(env('LETTERS'));
		for (const l of letters) {
			assert.match(l.url, /^HTTP:\/\/127\.0\.0\.1:\d+\/SIGN\/[A-Z2-7]{26}$/, l.ref);
			assert.equal(l.url.toLowerCase(), l.printed.toLowerCase(), `${l.ref}: the QR code and the printed link`);
		}
		assert.equal(new Set(letters.map((l) => l.url)).size, letters.length, 'each family has its own link');
		const langs = await s.page.$$eval('section.letter', (l) => l.map((sec) =>
			[sec.lang, ...[...sec.querySelectorAll('.part')].map((p) => p.lang)].join(' ')));
		for (const l of langs) assert.match(l, /^(en en cy|cy cy en)$/);
	});
});
