// The Nu HTML Checker (vnu-jar, on the machine's Java) over every page: each generated page
// in public/, the letters file consentctl writes, and every page sign.fcgi and office.fcgi
// served in the browser tests (saved by them under OUT/html/). Run after those tests.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { OUT, env } from './lib.mjs';

const require = createRequire(import.meta.url);
const VNU = path.join(path.dirname(require.resolve('vnu-jar/package.json')), 'build/dist/vnu.jar');

function walk(dir) {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
		e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]);
}

// Each file with what to call it: the address it was served from, or its path.
const site = env('SITE');
const files = [
	...walk(site).filter((f) => f.endsWith('/index.html')).sort()
		.map((f) => [f, '/' + path.relative(site, f).replace(/index\.html$/, '')]),
	[env('LETTERS'), 'consentctl letters'],
	...walk(path.join(OUT, 'html')).filter((f) => f.endsWith('.html')).sort()
		.map((f) => [f, fs.readFileSync(f + '.url', 'utf8').trim().replace(/ https?:\/\/[^/]+/, ' ')]),
];

// One run of the checker over every file; its JSON report, grouped by file.
function check() {
	let out;
	try {
		out = execFileSync('java', ['-Xss4m', '-jar', VNU, '--errors-only', '--format', 'json', '--stdout',
			...files.map(([f]) => f)], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
	} catch (e) {
		if (e.status !== 1 || !e.stdout) throw e; // 1: errors found, reported on stdout
		out = e.stdout;
	}
	const byFile = new Map();
	for (const m of JSON.parse(out).messages) {
		const file = decodeURIComponent((m.url || '').replace(/^file:/, ''));
		if (!byFile.has(file)) byFile.set(file, []);
		byFile.get(file).push(`${m.type}${m.subType ? '/' + m.subType : ''} line ${m.lastLine}: ${m.message}` +
			(m.extract ? `\n      ${m.extract.replace(/\n/g, ' ').trim()}` : ''));
	}
	return byFile;
}

describe('Nu HTML Checker', () => {
	assert.ok(fs.existsSync(VNU), `${VNU} is missing: npm ci in tests/e2e`);
	const served = files.filter(([f]) => f.startsWith(OUT)).length;
	it('has the pages the portal served', () => {
		assert.ok(served >= 40, `only ${served} pages were saved by the browser tests`);
	});
	const report = check();
	for (const [file, name] of files) {
		it(`valid: ${name}`, () => {
			const errors = report.get(file) ?? [];
			assert.deepEqual(errors, [], `${file}\n  ${errors.join('\n  ')}`);
		});
	}
	it('reports nothing about a file it was not given', () => {
		const known = new Set(files.map(([f]) => f));
		assert.deepEqual([...report.keys()].filter((f) => !known.has(f)), []);
	});
});
