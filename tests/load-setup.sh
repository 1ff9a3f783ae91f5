# Shared set-up of the load tests (concurrency.sh, crash.sh), sourced after tests/lib.sh
# with NAME (the set-up test's name), PORT and TOOLS (what else the test needs) set. Sets
# BASE, CONNS, FAMILIES, PROCS (from LOAD_CONNS, LOAD_FAMILIES, SIGN_PROCS), LOAD and
# DB; makes FAMILIES families of one to three children each (every carer answers as
# "Load Carer REF A|B"), builds the site, creates the database, imports the families and
# issues their tokens into $TMP/tokens.csv; sets RUN, CTL and TOKEN (the first family's
# token).
BASE=http://127.0.0.1:$PORT
CONNS=${LOAD_CONNS:-64}
FAMILIES=${LOAD_FAMILIES:-200}
PROCS=${SIGN_PROCS:-4}
LOAD=$BUILD/tests/load
DB=$TMP/consent.db
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

# verify_load VERIFY INTEGRITY CHAIN [-l] ACKS: what the database holds after a load run
# against the acknowledgements in ACKS (load verify; -l: losses allowed), each check under
# its own test name; leaves load verify's output in $TMP/verify.out.
verify_load() {
	_verify=$1 _integrity=$2 _chain=$3
	shift 3
	"$LOAD" verify "$@" >"$TMP/verify.out" 2>&1
	_rc=$?
	grep -E '^(PASS|FAIL) ' "$TMP/verify.out"
	if [ "$_rc" != 0 ]; then # its FAIL lines are shown above; without one, say why
		grep -qE '^FAIL ' "$TMP/verify.out" && failures=$((failures + 1)) ||
			fail "$_verify" "$(cat "$TMP/verify.out")"
	fi
	_ok=$(sqlite3 "$DB" 'PRAGMA integrity_check' 2>&1)
	[ "$_ok" = ok ] && pass "$_integrity" || fail "$_integrity" "$_ok"
	check "$_chain" $CTL verify
}
