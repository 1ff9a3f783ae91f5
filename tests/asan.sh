#!/bin/sh
# The CGI shell tests again, against the AddressSanitizer + UndefinedBehaviorSanitizer
# builds of the programs (build/asan/: sign.fcgi, office.fcgi, consentctl, policygen,
# sign-fixture; make check builds them), with the sandbox on. Each program runs through a
# wrapper that sets the sanitizers' options (the tests start the programs with env -i, so
# they cannot come from the environment) and keeps any sanitizer report, or death by a
# signal such as SIGSYS from the sandbox. Every test line is passed on with "asan:" in
# front of its name; then each program run that reported anything, or died, is a FAIL.
#
# Overrides: ASAN_BUILD (build/asan), ASAN_TESTS (sign office hostile consentctl
# disk-full), ASAN_LEAKS (1: leaks fail too; 0: memory errors only).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wrapped.sh"

ASAN_BUILD=${ASAN_BUILD:-$BUILD/asan}

# wrapper NAME BIN: sanitizers write their reports to standard error, which the wrapper
# keeps in a file (the sandbox would not let the program create one of its own) and
# passes on when the program ends; a report, or a death by a signal, is also copied to
# $REPORTS.
wrapper() {
	cat <<WRAPPER
#!/bin/sh
ASAN_OPTIONS=detect_leaks=${ASAN_LEAKS:-1}:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS UBSAN_OPTIONS
err=\$(mktemp "$REPORTS/.stderr.XXXXXX")
"$2" "\$@" 2>"\$err"
rc=\$?
cat "\$err" >&2
if grep -q -e 'Sanitizer' -e 'runtime error' "\$err"; then
	{ echo "$1 \$*:"; cat "\$err"; } >"$REPORTS/report.\$\$"
fi
if [ \$rc -gt 128 ]; then
	echo "$1 \$*: killed by signal \$((rc - 128)) (31 is SIGSYS: the sandbox)" >>"$REPORTS/signals"
fi
rm -f "\$err"
exit \$rc
WRAPPER
}
asan_bin() { echo "$ASAN_BUILD/$1"; }
wrap_programs asan asan_bin
# shellcheck disable=SC2086
run_wrapped asan ${ASAN_TESTS:-sign office hostile consentctl disk-full}

# Every report, whichever test it came from, fails.
found=0
for f in "$REPORTS"/report.* "$REPORTS"/signals; do
	[ -s "$f" ] || continue
	found=1
	fail "asan_report $(basename "$f")" "$(head -c 3000 "$f")"
done
[ "$found" = 0 ] && pass asan_no_sanitizer_reports
finish
