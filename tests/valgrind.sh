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
. "$(dirname "$0")/wrapped.sh"

VG=${VALGRIND:-valgrind}
if ! command -v "$VG" >/dev/null 2>&1; then
	fail valgrind_setup "valgrind not found; install it with apt-get install valgrind (tools/deps.sh check)"
	exit 1
fi

# wrapper NAME BIN: BIN under memcheck, with a log of its own in $REPORTS.
wrapper() {
	cat <<WRAPPER
#!/bin/sh
CONSENT_SANDBOX=0
export CONSENT_SANDBOX
exec "$VG" -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \\
	--show-leak-kinds=definite --vgdb=no --log-file="$REPORTS/vg.$1.%p" "$2" "\$@"
WRAPPER
}
# vg_bin NAME: build/NAME, or build/tests/NAME.
vg_bin() { if [ -x "$BUILD/$1" ]; then echo "$BUILD/$1"; else echo "$BUILD/tests/$1"; fi; }
wrap_programs valgrind vg_bin
# shellcheck disable=SC2086
run_wrapped valgrind ${VALGRIND_TESTS:-sign hostile office}

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
