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
