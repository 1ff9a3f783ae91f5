// A node:test reporter in the project's format (tests/run.sh counts these lines):
// "PASS name" or "FAIL name: why" for every test that is not a suite, with the suites'
// names in front; whatever a test prints goes through indented.
export default async function* reporter(source) {
	const names = []; // the name of the test started at each nesting level
	const parents = new Set(); // nesting levels whose test has had a subtest finish
	for await (const ev of source) {
		const d = ev.data;
		switch (ev.type) {
		case 'test:start':
			names[d.nesting] = d.name;
			parents.delete(d.nesting);
			break;
		case 'test:pass':
		case 'test:fail': {
			// A suite (or a test with subtests) is reported through its subtests; it fails
			// by itself only when its own hooks or code failed.
			const suite = d.details?.type === 'suite' || parents.has(d.nesting);
			parents.delete(d.nesting);
			if (d.nesting > 0) parents.add(d.nesting - 1);
			if (suite) {
				if (ev.type === 'test:fail' && d.details?.error?.failureType !== 'subtestsFailed')
					yield `FAIL ${d.name}: ${why(d.details?.error)}\n`;
				break;
			}
			const name = [...names.slice(0, d.nesting), d.name].join(' / ');
			if (ev.type === 'test:pass') yield d.skip ? `SKIP ${name}\n` : `PASS ${name}\n`;
			else yield `FAIL ${name}: ${why(d.details?.error)}\n`;
			break;
		}
		case 'test:stdout':
		case 'test:stderr':
			yield d.message.replace(/^(?=.)/gm, '    ');
			break;
		case 'test:diagnostic':
			if (!/^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /.test(d.message))
				yield `    ${d.message}\n`;
			break;
		}
	}
}

function why(err) {
	if (!err) return 'failed';
	const e = err.cause ?? err;
	const text = e?.message ?? String(e);
	return text.length > 4000 ? text.slice(0, 4000) + ' …' : text;
}
