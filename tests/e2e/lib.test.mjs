// The test helpers of lib.mjs end within their bounds, whatever the browser does: a
// Session closes even when a page's HTML never arrives (the publishing journeys once hung
// for ever on that: Session.close waited for it before closing the page, and Playwright's
// response.body() waits until the page is closed), and within() fails a step that never
// ends with its name. (The line "lib-never-loads: the HTML of .../never was not saved" in
// the output is this test's: expected.)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';

import { BOUNDS, DESKTOP, Session, launch, within } from './lib.mjs';

describe('within', () => {
	it('gives the outcome of a step that ends in time', async () => {
		assert.equal(await within(1000, 'a quick step', Promise.resolve(7)), 7);
		await assert.rejects(within(1000, 'a failing step', Promise.reject(new Error('no'))), /^Error: no$/);
	});

	it('fails a step that never ends, naming it', async () => {
		const t0 = Date.now();
		await assert.rejects(within(200, 'a stuck step', new Promise(() => {})), /a stuck step did not end within 0.2 s/);
		assert.ok(Date.now() - t0 < 2000);
	});
});

describe('Session.close', () => {
	let server, base, browser;
	const sockets = new Set();
	before(async () => {
		// /never sends its headers and half its HTML, then nothing: the page's loading
		// never ends, so neither does response.body() until the page is closed.
		server = http.createServer((req, res) => {
			res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': '100000' });
			if (req.url === '/never') res.write('<!doctype html><html lang="en"><title>Half</title><p>Half a page');
			else res.end('<!doctype html><html lang="en"><title>Whole</title><p>A whole page'.padEnd(100000, ' '));
		});
		server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
		await new Promise((r) => server.listen(0, '127.0.0.1', r));
		base = `http://127.0.0.1:${server.address().port}`;
		browser = await launch();
	});
	after(async () => {
		for (const s of sockets) s.destroy();
		server?.close();
		await browser?.close();
	});

	it('ends within its bound when a page\'s HTML never arrives', async () => {
		const save = BOUNDS.save;
		BOUNDS.save = 1000;
		try {
			const s = await new Session(browser, 'lib never loads', DESKTOP).open();
			await s.page.goto(base + '/whole');
			await s.page.goto(base + '/never', { waitUntil: 'commit' });
			const t0 = Date.now();
			await within(30000, 'Session.close', s.close());
			assert.ok(Date.now() - t0 < 20000, `closing took ${Date.now() - t0} ms`);
			assert.deepEqual(s.saves.map((v) => [new URL(v.url).pathname, v.done]), [['/whole', true], ['/never', true]]);
		} finally {
			BOUNDS.save = save;
		}
	});
});
