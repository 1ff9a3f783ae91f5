#!/bin/sh
# Real-browser tests: Debian's Chromium driven by playwright-core (tests/e2e/), against the
# whole system as `make run` serves it (lighttpd, the site in public/, sign.fcgi and
# office.fcgi) with a fresh temporary database seeded from the demo families. Parents'
# journeys on a phone (English, Welsh, without JavaScript, keyboard only), the office's on
# a desktop, axe-core (WCAG 2.2 AA) on every kind of page, the Nu HTML Checker over every
# page, layout at 320 px, touch targets, and the letters printed to PDF.
#
# Installs what it needs when missing: the Debian packages (tools/deps.sh browser) and the
# npm packages (npm ci in tests/e2e; playwright-core never downloads a browser).
# Prints "PASS name" / "FAIL name" lines and a summary; screenshots of every step go to
# tests/e2e/screenshots/, and the HTML of every page to tests/e2e/screenshots/html/.
#
# Usage: tests/browser.sh [tests/e2e/FILE.test.mjs...]   (default: every test file)
. "$(dirname "$0")/lib.sh"
E2E=$TOP/tests/e2e
export OUT="$E2E/screenshots"

# --- Debian packages, then npm packages ---
need=
for c in chromium node npm java pdfinfo rsvg-convert zbarimg lighttpd curl; do
	command -v "$c" >/dev/null 2>&1 || need="$need $c"
done
if [ -n "$need" ] && ! "$TOP/tools/deps.sh" browser; then
	fail browser_setup "missing:$need (tools/deps.sh browser could not install them)"
	exit 1
fi
for prog in policygen consentctl sign.fcgi office.fcgi; do
	if [ ! -x "$BUILD/$prog" ]; then
		fail browser_setup "$BUILD/$prog is not built (run make)"
		exit 1
	fi
done
# npm ci when node_modules is missing or older than the lock file.
if [ ! -f "$E2E/node_modules/.package-lock.json" ] ||
	[ -n "$(find "$E2E/package-lock.json" -newer "$E2E/node_modules/.package-lock.json")" ]; then
	echo "installing the npm packages in tests/e2e (npm ci)" >&2
	if ! (cd "$E2E" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --ignore-scripts --no-audit \
		--no-fund --loglevel=error >"$TMP/npm.log" 2>&1); then
		fail browser_setup "npm ci failed: $(tail -n 20 "$TMP/npm.log")"
		exit 1
	fi
fi

# --- The system, as make run serves it, on a free port with a fresh database ---
PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
export BASE="http://127.0.0.1:$PORT"
export DB="$TMP/consent.db"
export CONSENTCTL="$BUILD/consentctl"
export LETTERS="$TMP/letters.html"
export OFFICE_USER=office.browser
OFFICE_PASSWORD="Browser-$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')"
export OFFICE_PASSWORD
export E2E_TMP="$TMP"
RUN=$TMP/run
mkdir -p "$RUN"
rm -rf "$OUT"
mkdir -p "$OUT/html"
CTL="$BUILD/consentctl --db $DB"
setup() {
	"$BUILD/policygen" build --content "$TOP/content" --templates "$TOP/templates" \
		--out "$TOP/public" --portal "$TOP/var/portal" --state "$TOP/.cache/policygen" \
		--today 2026-11-21 &&
		$CTL init --content "$TOP/content" --portal "$TOP/var/portal" &&
		$CTL import "$TOP/content/demo/families.csv" &&
		$CTL letters --base-url "$BASE" --content "$TOP/content" --templates "$TOP/templates" \
			--out "$LETTERS" &&
		printf '%s\n' "$OFFICE_PASSWORD" | $CTL add-staff "$OFFICE_USER"
}
if ! setup >"$TMP/setup.log" 2>&1; then
	fail browser_setup "$(tail -n 20 "$TMP/setup.log")"
	exit 1
fi
"$TOP/tools/serve.sh" "$PORT" "$DB" "$RUN" >"$TMP/server.out" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; sleep 0.2; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
i=0
until curl -s -o /dev/null "$BASE/"; do
	i=$((i + 1))
	if [ $i -gt 50 ]; then
		fail browser_setup "the server did not start: $(cat "$TMP/server.out" "$RUN"/*.log 2>/dev/null)"
		exit 1
	fi
	sleep 0.1
done
pass browser_setup

# --- The tests: the journeys and page checks in parallel, then the HTML checker over every
# page they saved, every page in public/ and the letters file ---
export SITE="$TOP/public"
files=
own=
if [ $# -gt 0 ]; then
	for f in "$@"; do
		case "$f" in /*) ;; *) f=$(pwd)/$f ;; esac
		files="$files $f"
	done
else
	# The publishing journeys each start a system of their own (lighttpd, workers, the
	# policygen helper): they run on their own afterwards, so that at most one of those
	# runs beside the shared system and two cores are never shared by four browsers.
	for f in "$E2E"/*.test.mjs; do
		case "$f" in
		"$E2E/validity.test.mjs") ;;
		"$E2E"/policies-*.test.mjs) own="$own $f" ;;
		*) files="$files $f" ;;
		esac
	done
fi
cd "$E2E" || exit 1
# Node 20 runs the test files four at a time and stops a test that hangs (a file counts
# as one test: on a loaded 2-core machine one with several journeys takes minutes);
# Debian 12's Node 18 has neither option and uses its defaults.
opts=
node --help | grep -q -- --test-concurrency && opts="$opts --test-concurrency=4"
node --help | grep -q -- --test-timeout && opts="$opts --test-timeout=600000"
# run FILES...: node's test runner, its report in the project's PASS/FAIL lines.
run() {
	{
		# shellcheck disable=SC2086
		node --test --test-reporter=./reporter.mjs $opts "$@" 2>&1
		echo $? >"$TMP/rc"
	} | tee "$TMP/node.out"
	rc=$(cat "$TMP/rc")
	cat "$TMP/node.out" >>"$TMP/all.out"
	if [ "$rc" != 0 ] && ! grep -q '^FAIL ' "$TMP/node.out"; then
		fail "node --test $*" "exit status $rc"
		echo "FAIL" >>"$TMP/all.out"
	fi
}
: >"$TMP/all.out"
# shellcheck disable=SC2086
run $files
opts=$(echo "$opts" | sed 's/--test-concurrency=4/--test-concurrency=1/')
# shellcheck disable=SC2086
[ -n "$own" ] && run $own
[ $# = 0 ] && run validity.test.mjs
kill $server 2>/dev/null
p=$(grep -c '^PASS ' "$TMP/all.out")
f=$(grep -c '^FAIL' "$TMP/all.out")
echo "browser: $((p + 1)) passed, $f failed; screenshots in $OUT"
[ "$f" = 0 ]
