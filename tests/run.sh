#!/bin/sh
# Runs test programs and shell tests, each of which prints "PASS name" / "FAIL name" lines,
# shows the output of any that failed, and ends with the summary "N passed, N failed".
# A program that exits non-zero without printing a FAIL line counts as one failure.
passed=0
failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for t in "$@"; do
	case "$t" in
	*.sh) sh "$t" >"$out" 2>&1 ;;
	*) "$t" >"$out" 2>&1 ;;
	esac
	rc=$?
	p=$(grep -c '^PASS ' "$out")
	f=$(grep -c '^FAIL ' "$out")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1
		echo "FAIL $t (exit status $rc)" >>"$out"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" != 0 ]; then
		echo "--- $t"
		cat "$out"
	else
		echo "ok   $t ($p)"
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
