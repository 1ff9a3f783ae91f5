#!/bin/sh
# make valgrind: the CGI shell tests with every program (sign.fcgi, office.fcgi,
# consentctl, policygen, sign-fixture from build/) run under valgrind's memcheck. Any
# memory error, and any definite leak, in any run fails. Each program runs through a
# wrapper (the tests start the programs with env -i, so nothing can come from the
# environment) with its own log; every test line is passed on with "valgrind:" in front
# of its name, then each run that reported anything is a FAIL.
#
# valgrind (3.19, Debian 12) does not know the seccomp and Landlock system calls, so the
# programs run with CONSENT_SANDBOX=0 here; the sandbox is tested by test-sandbox and by
# every other run of these tests.
#
# Overrides: VALGRIND_TESTS (sign hostile office; office signs in often, and each sign-in
# hashes a password with 64 MiB, which is slow under valgrind), VALGRIND (the command).
. "$(dirname "$0")/lib.sh"

TESTS=${VALGRIND_TESTS:-sign hostile office}
VG=${VALGRIND:-valgrind}
REPORTS=$TMP/reports
WRAP=$TMP/bin
mkdir -p "$REPORTS" "$WRAP"
if ! command -v "$VG" >/dev/null 2>&1; then
	fail valgrind_setup "valgrind not found; install it with apt-get install valgrind (tools/deps.sh check)"
	exit 1
fi

# wrap NAME: $WRAP/NAME runs $BUILD/NAME (or build/tests/NAME) under memcheck.
wrap() {
	bin=$BUILD/$1
	[ -x "$bin" ] || bin=$BUILD/tests/$1
	if [ ! -x "$bin" ]; then
		fail valgrind_setup "$BUILD/$1 is not built (make)"
		exit 1
	fi
	cat >"$WRAP/$1" <<WRAPPER
#!/bin/sh
CONSENT_SANDBOX=0
export CONSENT_SANDBOX
exec "$VG" -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \\
	--show-leak-kinds=definite --vgdb=no --log-file="$REPORTS/vg.$1.%p" "$bin" "\$@"
WRAPPER
	chmod +x "$WRAP/$1"
}
for prog in sign.fcgi office.fcgi consentctl policygen sign-fixture; do
	wrap "$prog"
done

for t in $TESTS; do
	if [ ! -f "$TOP/tests/$t.sh" ]; then
		fail "valgrind:$t" "no tests/$t.sh"
		continue
	fi
	SIGN=$WRAP/sign.fcgi OFFICE=$WRAP/office.fcgi CONSENTCTL=$WRAP/consentctl \
		POLICYGEN=$WRAP/policygen SIGN_FIXTURE=$WRAP/sign-fixture \
		sh "$TOP/tests/$t.sh" >"$TMP/$t.out" 2>&1
	rc=$?
	sed -n 's/^\(PASS\|FAIL\|SKIP\) /\1 valgrind:/p' "$TMP/$t.out"
	nfail=$(grep -c '^FAIL' "$TMP/$t.out")
	failures=$((failures + nfail))
	if [ "$rc" != 0 ] && [ "$nfail" = 0 ]; then
		fail "valgrind:$t" "exit status $rc: $(tail -n 5 "$TMP/$t.out")"
	fi
done

runs=0
found=0
for f in "$REPORTS"/vg.*; do
	[ -e "$f" ] || continue
	runs=$((runs + 1))
	[ -s "$f" ] || continue
	found=1
	fail "valgrind_report $(basename "$f")" "$(head -c 3000 "$f")"
done
if [ "$runs" = 0 ]; then
	fail valgrind_ran "no program ran under valgrind"
elif [ "$found" = 0 ]; then
	pass "valgrind_clean ($runs runs)"
fi
finish
