// A node:test reporter in the project's format (tests/run.sh counts these lines):
// "PASS name" or "FAIL name: why" for every test that is not a suite, with the suite's
// name in front; whatever a test prints goes through indented.
export default async function* reporter(source) {
	const suites = [];
	for await (const ev of source) {
		const d = ev.data;
		switch (ev.type) {
		case 'test:start':
			suites[d.nesting] = d.name;
			break;
		case 'test:pass':
		case 'test:fail': {
			if (d.details?.type === 'suite') {
				// A suite fails by itself only when its hooks failed.
				if (ev.type === 'test:fail' && d.details.error?.failureType !== 'subtestsFailed')
					yield `FAIL ${d.name}: ${why(d.details.error)}\n`;
				break;
			}
			const name = [...suites.slice(0, d.nesting), d.name].join(' / ');
			if (ev.type === 'test:pass') yield d.skip ? `SKIP ${name}\n` : `PASS ${name}\n`;
			else yield `FAIL ${name}: ${why(d.details.error)}\n`;
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
