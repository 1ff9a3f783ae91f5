#!/bin/sh
# The manual pages (man/): each passes `mandoc -T lint` with no warning or error; every
# installed program and file format has one; each page's options are the program's own
# (every --option the program's usage prints appears in its page, and the reverse).
. "$(dirname "$0")/lib.sh"

if ! command -v mandoc >/dev/null 2>&1; then
	fail man_setup "mandoc not found; install it with tools/deps.sh check"
	exit 1
fi
for page in policygen.1 policies.conf.5 policies-content.5 consentctl.8 sign.fcgi.8 \
	office.fcgi.8 fcgi-pool.8; do
	[ -f "$TOP/man/$page" ] || { fail "man_${page}_exists" "man/$page is missing"; continue; }
	if mandoc -T lint -W warning "$TOP/man/$page" >"$TMP/lint" 2>&1 && [ ! -s "$TMP/lint" ]; then
		pass "man_${page}_lint"
	else
		fail "man_${page}_lint" "$(cat "$TMP/lint")"
	fi
done
for page in "$TOP"/man/*.[0-9]; do
	case ${page##*/} in policygen.1 | policies.conf.5 | policies-content.5 | consentctl.8 | \
		sign.fcgi.8 | office.fcgi.8 | fcgi-pool.8) ;;
	*) fail man_listed "${page##*/} is not in tests/man.sh's list (nor checked)" ;; esac
done
# options PROGRAM-USAGE-TEXT PAGE: --options of one side missing from the other.
options() { grep -o -- '--[a-z][a-z-]*' | sort -u; }
"$BUILD/policygen" 2>&1 | options >"$TMP/gen.usage"
mandoc -T utf8 "$TOP/man/policygen.1" | col -b | options >"$TMP/gen.page"
"$BUILD/consentctl" --help 2>&1 | options >"$TMP/ctl.usage"
mandoc -T utf8 "$TOP/man/consentctl.8" | col -b | options >"$TMP/ctl.page"
for p in gen ctl; do
	if [ -s "$TMP/$p.usage" ] && diff -u "$TMP/$p.usage" "$TMP/$p.page" >"$TMP/$p.diff"; then
		pass "man_${p}_options_match_usage"
	else
		fail "man_${p}_options_match_usage" "usage (-) against page (+): $(cat "$TMP/$p.diff")"
	fi
done
# Negative: a page with a mistake is caught.
printf '.Dd December 2, 2026\n.Dt BAD 1\n.Os\n.Sh NAME\n.Nm bad\n.Sh DESCRIPTION\n.Xr\n' >"$TMP/bad.1"
if mandoc -T lint -W warning "$TMP/bad.1" >"$TMP/lint" 2>&1 && [ ! -s "$TMP/lint" ]; then
	fail man_lint_catches_mistakes "mandoc passed a broken page"
else
	pass man_lint_catches_mistakes
fi
finish
