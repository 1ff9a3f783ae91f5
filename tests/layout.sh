#!/bin/sh
# The layout is the architecture: the portal's programs hold none of the generator's code
# (no content loader: they read settings and what policygen wrote for them), policygen
# none of the portal's, and a call across the parts fails to link.
. "$(dirname "$0")/lib.sh"

for prog in policygen consentctl sign.fcgi office.fcgi; do
	if [ ! -x "$BUILD/$prog" ]; then
		fail layout_setup "$BUILD/$prog is not built; run make"
		exit 1
	fi
done
for a in core site portal; do
	if [ ! -f "$BUILD/lib$a.a" ]; then
		fail layout_setup "$BUILD/lib$a.a is not built; run make"
		exit 1
	fi
done

# defined ARCHIVE_OR_PROGRAM: the global symbols it defines, one a line, sorted.
defined() { nm -g --defined-only "$1" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u; }
defined "$BUILD/libsite.a" >"$TMP/site.syms"
defined "$BUILD/libportal.a" >"$TMP/portal.syms"
if ! grep -qx content_load "$TMP/site.syms" || ! grep -qx db_open "$TMP/portal.syms"; then
	fail layout_symbols "nm lists no content_load in libsite.a or no db_open in libportal.a"
fi

# none PROGRAM PART: PROGRAM defines no symbol of PART's archive.
none() {
	defined "$BUILD/$1" | comm -12 - "$TMP/$2.syms" >"$TMP/both"
	if [ -s "$TMP/both" ]; then
		fail "$(echo "$1" | tr . _)_has_no_$2_code" "$(tr '\n' ' ' <"$TMP/both" | head -c 400)"
	else
		pass "$(echo "$1" | tr . _)_has_no_$2_code"
	fi
}
none sign.fcgi site
none office.fcgi site
none consentctl site
none policygen portal
for prog in sign.fcgi office.fcgi consentctl; do
	if nm "$BUILD/$prog" | grep -qE ' (content_load|content_load_cached|content_free|site_build)$'; then
		fail "$(echo "$prog" | tr . _)_no_content_loader" "$(nm "$BUILD/$prog" | grep ' content_')"
	else
		pass "$(echo "$prog" | tr . _)_no_content_loader"
	fi
done

# A program of the portal that calls the content loader does not link.
cat >"$TMP/cross.c" <<'C'
#include "content.h"
int main(void)
{
	struct date d = {2026, 11, 21};
	content_free(content_load("content", &d));
	return 0;
}
C
flags=$(pkg-config --cflags --libs libcmark fcgi sqlite3 libqrencode libsodium yaml-0.1 libseccomp)
# shellcheck disable=SC2086
if cc -std=c11 -I"$TOP/src/core" -I"$TOP/src/site" -I"$TOP/src/portal" -o "$TMP/cross" \
	"$TMP/cross.c" "$BUILD/libportal.a" "$BUILD/libcore.a" $flags -lm >"$TMP/ld.log" 2>&1; then
	fail portal_cannot_link_content_loader "linked against libportal.a and libcore.a"
elif grep -q "undefined reference to .content_load" "$TMP/ld.log"; then
	pass portal_cannot_link_content_loader
else
	fail portal_cannot_link_content_loader "$(head -5 "$TMP/ld.log")"
fi
# shellcheck disable=SC2086
if cc -std=c11 -I"$TOP/src/core" -I"$TOP/src/site" -I"$TOP/src/portal" -o "$TMP/cross" \
	"$TMP/cross.c" "$BUILD/libsite.a" "$BUILD/libcore.a" $flags -lm >"$TMP/ld.log" 2>&1; then
	pass site_links_content_loader
else
	fail site_links_content_loader "$(head -5 "$TMP/ld.log")"
fi
finish
