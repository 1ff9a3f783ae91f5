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
