// Shared by the office's policy journeys (policies-en.test.mjs, policies-cy.test.mjs).
// Those journeys change the content, so each file runs against its own copy of the
// system: a copy of content/, its own built site, database and lighttpd (tools/serve.sh
// with SERVE_CONTENT, SERVE_SITE, SERVE_PORTAL and SERVE_STATE), never the one the other browser tests share.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TMP, within } from './lib.mjs';

export const TOP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BUILD = path.join(TOP, 'build');
const iso = (d) => d.toISOString().slice(0, 10);
export const TODAY = iso(new Date());
export const LATER = iso(new Date(Date.now() + 40 * 86400000));
export const EDITOR = ['ed.browser', 'Editor-' + Math.random().toString(36).slice(2)];
export const OFFICE = ['office.only', 'Office-' + Math.random().toString(36).slice(2)];

// Every program these files run and every request they make outside the browser is
// bounded, like the browser's own steps (lib.mjs: within).
const RUN_TIME = 120000;
export const get = (url) => fetch(url, { signal: AbortSignal.timeout(20000) });

export const text = (page, sel) => page.locator(sel).first().innerText().then((s) => s.replace(/\s+/g, ' ').trim());

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Whether a process group still has a process that is not a zombie (Linux: /proc).
function groupAlive(pgid) {
	for (const pid of fs.readdirSync('/proc')) {
		if (!/^[0-9]+$/.test(pid)) continue;
		let stat;
		try {
			stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		} catch {
			continue; // ended meanwhile
		}
		// pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses
		const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
	}
	return false;
}

function freePort() {
	return new Promise((resolve) => {
		const s = net.createServer();
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

// A system of its own: { base, dir, content, site, build(today), stop() }.
export async function startSystem() {
	const dir = fs.mkdtempSync(path.join(TMP, 'policies-'));
	const content = path.join(dir, 'content'), site = path.join(dir, 'public'), db = path.join(dir, 'consent.db');
	const portal = path.join(dir, 'portal'), state = path.join(dir, 'state');
	const build = (today) => execFileSync(path.join(BUILD, 'policygen'),
		['build', '--content', content, '--templates', path.join(TOP, 'templates'), '--out', site,
			'--portal', portal, '--state', state, ...(today ? ['--today', today] : [])],
		{ stdio: ['ignore', 'ignore', 'inherit'], timeout: RUN_TIME });
	fs.cpSync(path.join(TOP, 'content'), content, { recursive: true, dereference: true });
	build();
	const ctl = (args, input) => execFileSync(path.join(BUILD, 'consentctl'), ['--db', db, ...args], { input, stdio: ['pipe', 'ignore', 'inherit'], timeout: RUN_TIME });
	ctl(['init', '--content', content, '--portal', portal]);
	ctl(['add-staff', EDITOR[0], '--role', 'editor'], EDITOR[1] + '\n');
	ctl(['add-staff', OFFICE[0]], OFFICE[1] + '\n');
	const port = await freePort();
	const base = `http://127.0.0.1:${port}`;
	const server = spawn(path.join(TOP, 'tools/serve.sh'), [String(port), db, path.join(dir, 'run')], {
		// Few workers: these systems run beside the shared one and the other test files.
		env: { ...process.env, SERVE_CONTENT: content, SERVE_SITE: site, SERVE_PORTAL: portal, SERVE_STATE: state,
			SIGN_PROCS: '1', OFFICE_PROCS: '2' },
		stdio: 'ignore',
		detached: true,
	});
	// The server is a process group of its own (lighttpd, fcgi-pool, the workers, their
	// policygen helpers, the log filter). stop() ends it within 10 s: SIGTERM, then SIGKILL
	// for whatever is left; kill() is the same at once, for the process's exit.
	let stopped = false; // once stopped, its group id may be reused: never signalled again
	const signal = (sig) => {
		if (stopped) return;
		try {
			process.kill(-server.pid, sig);
		} catch {
			// gone already
		}
	};
	const kill = () => signal('SIGKILL');
	const stop = async () => {
		signal('SIGTERM');
		for (let i = 0; i < 50 && groupAlive(server.pid); i++) await sleep(100);
		if (groupAlive(server.pid)) {
			kill();
			for (let i = 0; i < 50 && groupAlive(server.pid); i++) await sleep(100);
		}
		stopped = !groupAlive(server.pid);
		if (!stopped) throw new Error(`the policies test server (process group ${server.pid}) did not stop`);
	};
	// also when the runner ends this file early (a time-out), so no server outlives it
	process.on('exit', kill);
	process.on('SIGTERM', () => { kill(); process.exit(143); });
	for (let i = 0; i < 100; i++) {
		try {
			if ((await fetch(base + '/', { signal: AbortSignal.timeout(2000) })).ok)
				return { base, dir, content, site, build, stop };
		} catch {
			// not listening yet
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	await stop().catch(() => {});
	throw new Error('the policies test server did not start');
}

export async function signIn(page, base, [user, password]) {
	await page.goto(base + '/office/login');
	await page.fill('#username', user);
	await page.fill('#password', password);
	await page.click('form.office-form button[type=submit]');
	assert.equal(new URL(page.url()).pathname, '/office/');
	// Loaded, not only arrived: a goto straight away could leave the page before its
	// loading ends, and its HTML would then never reach the HTML checker (lib.mjs: close).
	await page.waitForLoadState('load');
}

// The web server may answer from its own cache for a moment after a page is rebuilt:
// "within a few seconds", as the issue puts it, so look again for up to five.
export async function eventually(page, url, re) {
	let got = '';
	for (let i = 0; i < 10; i++) {
		await page.goto(`${url}?look=${i}`); // a new address each time: never the browser's cache
		got = await page.locator('main').innerText();
		if (re.test(got)) return;
		await new Promise((r) => setTimeout(r, 500));
	}
	assert.match(got, re);
}

// The end of a file: its system stopped first, then the page and the browser closed, each
// step bounded (lib.mjs: within) and each failure reported, the rest done all the same.
// Should anything still keep the process alive 10 s later (a regression), it says what
// and ends the file with a failure rather than hanging the test run.
export async function finish(sys, session, browser) {
	const problems = [];
	const step = async (p) => {
		try {
			await p;
		} catch (e) {
			problems.push(e.message);
		}
	};
	await step(sys?.stop());
	await step(session?.close());
	await step(browser?.close());
	setTimeout(() => {
		const held = process._getActiveHandles().map((h) => h?.constructor?.name ?? typeof h);
		console.error(`the test file had ended 10 s ago but was still held open by: ${held.join(', ')}`);
		process.exit(1);
	}, 10000).unref();
	if (problems.length > 0) throw new Error(`ending the test file: ${problems.join('; ')}`);
}
