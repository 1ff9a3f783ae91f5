#!/bin/sh
# Replays every fuzz target's seed corpus, then fuzzes each briefly (FUZZ_CHECK_TIME
# seconds, default 3). `make fuzz` runs them for longer.
. "$(dirname "$0")/lib.sh"
secs=${FUZZ_CHECK_TIME:-3}
for bin in "$BUILD"/fuzz/fuzz-*; do
	[ -x "$bin" ] || continue
	name=${bin##*/fuzz-}
	[ "${name%.o}" = "$name" ] || continue
	seeds=$TOP/tests/fuzz/corpus/$name
	if "$bin" -artifact_prefix="$BUILD/fuzz/" -runs=0 "$seeds" >"$TMP/replay" 2>&1; then
		pass "fuzz_replay_$name"
	else
		fail "fuzz_replay_$name" "$(tail -20 "$TMP/replay")"
	fi
	mkdir -p "$TMP/corpus-$name"
	dict=
	[ -f "$TOP/tests/fuzz/$name.dict" ] && dict=-dict=$TOP/tests/fuzz/$name.dict
	if "$bin" -artifact_prefix="$BUILD/fuzz/" -max_total_time="$secs" -max_len=65536 $dict "$TMP/corpus-$name" "$seeds" \
		>"$TMP/fuzz" 2>&1; then
		pass "fuzz_${name}_${secs}s"
	else
		fail "fuzz_${name}_${secs}s" "$(grep -A20 'ERROR\|SUMMARY' "$TMP/fuzz" | head -40)"
	fi
done
finish
