# Shared helpers for the shell tests: each test prints "PASS name" or "FAIL name".
# Source it from a test in tests/; it sets TOP (the checkout) and BUILD.
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$TOP/build
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; failures=$((failures + 1)); }
# check NAME COMMAND...: PASS when the command succeeds.
check() {
	name=$1
	shift
	if "$@" >"$TMP/check.out" 2>&1; then pass "$name"; else fail "$name" "$(head -c 2000 "$TMP/check.out")"; fi
}
# contains FILE TEXT: the file contains the fixed string.
contains() { grep -qF -- "$2" "$1"; }
lacks() { ! grep -qiF -- "$2" "$1"; }
finish() { [ "$failures" = 0 ]; }

# serve PORT DB RUN: tools/serve.sh (lighttpd, as make run serves the system) in the
# background with the caller's exported SERVE_* settings, stopped when the test ends;
# waits up to 6 seconds for $BASE/ to answer. The server's output is in $TMP/server.out.
serve() {
	"$TOP/tools/serve.sh" "$1" "$2" "$3" >"$TMP/server.out" 2>&1 &
	server=$!
	trap 'kill $server 2>/dev/null; sleep 0.2; rm -rf "$TMP"' EXIT
	_i=0
	while [ "$_i" -lt 20 ] && ! curl -s -o /dev/null "$BASE/"; do
		sleep 0.3
		_i=$((_i + 1))
	done
}

# exits NAME WANT_STATUS COMMAND...: PASS when the command exits with WANT_STATUS; its
# output is left in $TMP/out and $TMP/err (consentctl.sh, import.sh).
exits() {
	_name=$1 _want=$2
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	_rc=$?
	if [ "$_rc" = "$_want" ]; then
		pass "$_name"
	else
		fail "$_name" "exit $_rc, wanted $_want: $(head -c 1500 "$TMP/err")"
	fi
}

# --- The programs, driven as plain CGI with the environment and standard input a web
# server would give them (sign.sh, office.sh, hostile.sh, disk-full.sh). Overrides: SIGN,
# OFFICE, CONSENTCTL, POLICYGEN (the programs, as tests/asan.sh sets them).
SIGN=${SIGN:-$BUILD/sign.fcgi}
OFFICE=${OFFICE:-$BUILD/office.fcgi}
CTL=${CONSENTCTL:-$BUILD/consentctl}
POLICYGEN=${POLICYGEN:-$BUILD/policygen}
CONTENT=$TOP/content # the programs' CONSENT_CONTENT
SITE=$TMP/public     # the demo site, built by demo_site
PORTAL=$TMP/portal   # what policygen wrote for the portal: CONSENT_PORTAL
COOKIE=
HTTPS_ON=
ADDR=192.0.2.10
headers_bad=0

# need_programs NAME PROGRAM...: each program is built and sqlite3 is at hand; otherwise
# NAME fails and the test stops.
need_programs() {
	_name=$1
	shift
	for _p in "$@"; do
		if [ ! -x "$_p" ]; then
			fail "$_name" "$_p is not built (make $_p)"
			exit 1
		fi
	done
	if ! command -v sqlite3 >/dev/null 2>&1; then
		fail "$_name" "sqlite3 not found; install it with tools/deps.sh check"
		exit 1
	fi
}

# demo_site: policygen build of the demo content into $SITE and $PORTAL.
demo_site() {
	"$POLICYGEN" build --content "$TOP/content" --templates "$TOP/templates" --out "$SITE" \
		--portal "$PORTAL" --state "$TMP/state" --today 2026-11-21
}

# demo_portal CSV [STAFF...]: the demo site, then a database $DB holding the families in
# CSV, a staff account with $PASSWORD for each STAFF, and every family's token in
# $TMP/tokens.csv.
demo_portal() {
	_csv=$1
	shift
	demo_site && "$CTL" --db "$DB" init --content "$TOP/content" --portal "$PORTAL" &&
		"$CTL" --db "$DB" import "$_csv" || return 1
	for _user in "$@"; do
		printf '%s\n' "$PASSWORD" | "$CTL" --db "$DB" add-staff "$_user" || return 1
	done
	"$CTL" --db "$DB" tokens --content "$TOP/content" >"$TMP/tokens.csv"
}

# token_of REF [FILE]: the token of family REF in `consentctl tokens` output (default
# $TMP/tokens.csv).
token_of() { tr -d '\r' <"${2:-$TMP/tokens.csv}" | sed -n "s|^$1,.*/sign/\([A-Z2-7]*\)\$|\1|p"; }
q() { sqlite3 "$DB" "$1" </dev/null; }
# doc LANG: the id of the current code of conduct in LANG.
doc() {
	q "SELECT id FROM document WHERE slug = 'code-of-conduct' AND lang = '$1'
		AND version = (SELECT max(version) FROM document WHERE slug = 'code-of-conduct')"
}
# answers CHILD VALUE: a.CHILD.P=VALUE for every purpose in $PURPOSES.
answers() {
	for p in $PURPOSES; do
		printf '&a.%s.%s=%s' "$1" "$p" "$2"
	done
}

# cgi_run PROGRAM COOKIE METHOD URI [BODY [CONTENT_TYPE [CONTENT_LENGTH]]]: one request
# from $ADDR (with HTTPS=$HTTPS_ON). A method other than GET and HEAD sends the body with
# its length and the urlencoded form's type, or CONTENT_TYPE ("-": none). Leaves the
# status in $status, the headers in $TMP/head and the body in $TMP/body; a security
# header missing is counted in $headers_bad and noted in $TMP/headers.log.
cgi_run() {
	_prog=$1 _cookie=$2 _method=$3 _uri=$4
	printf '%s' "${5-}" >"$TMP/in"
	_len= _type=
	if [ "$_method" != GET ] && [ "$_method" != HEAD ]; then
		_len=${7:-$(wc -c <"$TMP/in" | tr -d ' ')}
		_type=${6:-application/x-www-form-urlencoded}
		[ "$_type" = - ] && _type=
	fi
	env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 \
		CONSENT_DB="$DB" CONSENT_PORTAL="$PORTAL" CONSENT_CONTENT="$CONTENT" \
		CONSENT_TEMPLATES="$TOP/templates" REQUEST_METHOD="$_method" REQUEST_URI="$_uri" \
		REMOTE_ADDR="$ADDR" CONTENT_LENGTH="$_len" CONTENT_TYPE="$_type" \
		HTTP_COOKIE="$_cookie" HTTPS="$HTTPS_ON" \
		"$_prog" <"$TMP/in" >"$TMP/out" 2>>"$TMP/stderr.log"
	sed -n '1,/^\r$/p' "$TMP/out" | tr -d '\r' >"$TMP/head"
	sed '1,/^\r$/d' "$TMP/out" >"$TMP/body"
	status=$(sed -n '1s/^Status: \([0-9]*\).*/\1/p' "$TMP/head")
	for _h in 'Cache-Control: no-store' 'Referrer-Policy: no-referrer' \
		'X-Content-Type-Options: nosniff' 'X-Frame-Options: DENY' \
		"Content-Security-Policy: default-src 'none'" "frame-ancestors 'none'" \
		"form-action 'self'"; do
		if ! grep -qF "$_h" "$TMP/head"; then
			headers_bad=$((headers_bad + 1))
			echo "  missing '$_h' on $_method $_uri" >>"$TMP/headers.log"
		fi
	done
}

# req_from_each PROG METHOD URI [BODY [CONTENT_TYPE]]: cgi_run of sign or office (office
# with $COOKIE), each request from an address of its own, so that failed look-ups never
# add up to the rate limit.
n=0
req_from_each() {
	n=$((n + 1))
	ADDR="198.51.$((n / 250)).$((n % 250 + 1))"
	case $1 in
	sign) shift && cgi_run "$SIGN" "" "$@" ;;
	office) shift && cgi_run "$OFFICE" "$COOKIE" "$@" ;;
	esac
}

# expect NAME STATUS [TEXT...]: the last response had STATUS and every TEXT in its body.
expect() {
	_name=$1 _want=$2
	shift 2
	if [ "$status" != "$_want" ]; then
		fail "$_name" "status $status, want $_want: $(head -c 600 "$TMP/body")"
		return 1
	fi
	for _text in "$@"; do
		if ! grep -qF -- "$_text" "$TMP/body"; then
			fail "$_name" "the response lacks: $_text"
			return 1
		fi
	done
	pass "$_name"
}
header() { sed -n "s/^$1: //p" "$TMP/head"; }
# expect_page NAME STATUS [TEXT...]: as expect, for a page fetched through a web server
# (curl): a failure shows the page's <main> (or its start) and which text is missing.
expect_page() {
	_name=$1 _want=$2
	shift 2
	sed -n '/<main/,/<\/main>/p' "$TMP/body" >"$TMP/main"
	[ -s "$TMP/main" ] || head -c 1500 "$TMP/body" >"$TMP/main"
	if [ "$status" != "$_want" ]; then
		fail "$_name" "status $status, want $_want: $(head -c 600 "$TMP/main")"
		return 1
	fi
	for _text in "$@"; do
		if ! contains "$TMP/body" "$_text"; then
			fail "$_name" "no '$_text' in $(head -c 600 "$TMP/main")"
			return 1
		fi
	done
	pass "$_name"
}
# redirected NAME LOCATION: the last response was 303 See Other to LOCATION.
redirected() {
	if [ "$status" = 303 ] && [ "$(header Location)" = "$2" ]; then pass "$1"; else
		fail "$1" "status $status, Location: $(header Location), want $2"; fi
}
csrf_of() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$TMP/body" | head -n 1; }
# once_of: the first once-only value in $TMP/body.
once_of() { sed -n 's/.*name="once" value="\([A-Za-z0-9-]*\)".*/\1/p' "$TMP/body" | head -n 1; }
# unchanged NAME BEFORE: the data (as the test's own snap function hashes it) is as it was.
unchanged() {
	if [ "$(snap)" = "$2" ]; then pass "$1"; else fail "$1" "the data changed"; fi
}

# site_body PAGE: the policy text of a site page, as the portal shows and parents sign it:
# the page's body without what the page adds for moving around it (the headings' ids, the
# contents list and the "back to contents" links).
site_body() {
	sed -n '/^<div class="body"/,/^<\/div>$/p' "$1" | sed '1d;$d' |
		sed -E '/^<nav class="contents"/,/^<\/nav>$/d; /^<p class="to-contents">/d; s/<h([2-6]) id="[^"]*">/<h\1>/'
}

# sandbox_refused NAME PROGRAM URI TEXT: when the sandbox cannot be entered (here: too few
# file descriptors left for its folders, by prlimit), the program still answers, 503 with
# TEXT, and logs why (docs/decisions.md: both programs serve 503 rather than exit). Tries
# limits from 4 to 16 until a run fails at the sandbox, not before it nor not at all. A
# wrapper script (asan.sh, valgrind.sh) is skipped: sh itself needs descriptors from 10 up
# for its redirections, more than the limit leaves.
sandbox_refused() {
	_name=$1 _prog=$2 _uri=$3 _text=$4 _n=4
	if [ "$(head -c 4 "$_prog" | od -An -c | tr -d ' ')" != '177ELF' ]; then
		echo "SKIP $_name: $_prog is a wrapper script, not the program"
		return
	fi
	while [ "$_n" -le 16 ]; do
		env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 CONSENT_DB="$DB" \
			CONSENT_PORTAL="$PORTAL" CONSENT_CONTENT="$CONTENT" \
			CONSENT_TEMPLATES="$TOP/templates" REQUEST_METHOD=GET REQUEST_URI="$_uri" \
			REMOTE_ADDR="$ADDR" prlimit --nofile="$_n:$_n" "$_prog" </dev/null \
			>"$TMP/out" 2>"$TMP/sandbox.log"
		if grep -q 'cannot enter the sandbox' "$TMP/sandbox.log"; then
			if grep -q '^Status: 503' "$TMP/out" && grep -qF -- "$_text" "$TMP/out"; then
				pass "$_name"
			else
				fail "$_name" "$(head -c 400 "$TMP/out")"
			fi
			return
		fi
		_n=$((_n + 1))
	done
	fail "$_name" "no file limit from 4 to 16 stopped the program at the sandbox"
}
