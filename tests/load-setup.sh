# Shared set-up of the load tests (concurrency.sh, crash.sh), sourced after tests/lib.sh
# with NAME (the set-up test's name), LOAD, DB, BASE, FAMILIES and TOOLS set. Makes
# FAMILIES families of one to three children each (every carer answers as "Load Carer
# REF A|B"), builds the site, creates the database, imports the families and issues
# their tokens into $TMP/tokens.csv; sets RUN, CTL and TOKEN (the first family's token).
RUN=$TMP/run
CTL="$BUILD/consentctl --db $DB"
mkdir -p "$RUN"
for prog in "$LOAD" "$BUILD/consentctl" "$BUILD/policygen" "$BUILD/sign.fcgi"; do
	if [ ! -x "$prog" ]; then
		fail "$NAME" "$prog is not built (make $prog)"
		exit 1
	fi
done
for tool in lighttpd curl sqlite3 $TOOLS; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		fail "$NAME" "$tool not found; install it with tools/deps.sh check"
		exit 1
	fi
done
awk -v n="$FAMILIES" 'BEGIN {
	print "family_ref,child_ref,first_name,last_name,class,carers,language"
	for (f = 1; f <= n; f++)
		for (k = 0; k <= f % 3; k++) {
			c++
			printf "L%04d,LC%05d,Child%d,Family%d,Year %d,,%s\n", f, c, c, f, 1 + c % 6,
				f % 2 ? "en" : "cy"
		}
}' >"$TMP/families.csv"
if ! { "$BUILD/policygen" build --content "$TOP/content" --templates "$TOP/templates" \
	--out "$TOP/public" --portal "$TOP/var/portal" --state "$TOP/.cache/policygen" \
	--today 2026-11-21 &&
	$CTL init --content "$TOP/content" --portal "$TOP/var/portal" &&
	$CTL import "$TMP/families.csv" &&
	$CTL tokens --base-url "$BASE" >"$TMP/tokens.csv"; } >"$TMP/setup.log" 2>&1; then
	fail "$NAME" "$(cat "$TMP/setup.log")"
	exit 1
fi
TOKEN=$(sed -n '2s,.*/,,p' "$TMP/tokens.csv" | tr -d '\r')
