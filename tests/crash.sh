#!/bin/sh
# Crash durability through the real web server, driven by build/tests/load (tests/load.c):
# LOAD_CONNS connections (64) sign and answer for LOAD_FAMILIES families (200) while
#   phase 1 (CRASH_SECONDS, 12): sign.fcgi processes are killed with SIGKILL one at a
#            time at random moments (lighttpd starts a new one each time);
#   phase 2 (CRASH_SECONDS, 12): the whole server, lighttpd and every FastCGI process,
#            is killed with SIGKILL at random moments and started again.
# Requests cut off by a kill fail (a 5xx or a broken connection); that is expected. Then:
# every submission answered with success (303 to its confirmation) is in the database
# with every answer sent, no submission is half-written (each is all its events and the
# answer and signature rows they imply, or nothing), PRAGMA integrity_check is ok and
# the event chain verifies. Prints the counts: requests sent, acknowledged, found.
#
# Overrides: CRASH_SECONDS, LOAD_CONNS, LOAD_FAMILIES, SIGN_PROCS (4), CRASH_PORT.
. "$(dirname "$0")/lib.sh"

PORT=${CRASH_PORT:-$((20000 + ($$ + 12011) % 20000))}
SECS=${CRASH_SECONDS:-12}
NAME=crash_setup TOOLS="od"
. "$(dirname "$0")/load-setup.sh"

# The processes of this test's server: lighttpd ($server) and, by id, every process
# whose environment names this test's database (the FastCGI programs, even orphaned).
server=
ours() {
	for d in /proc/[0-9]*; do
		read -r comm <"$d/comm" && case $comm in sign.fcgi | office.fcgi | fcgi-pool) ;; *) continue ;; esac
		tr '\0' '\n' <"$d/environ" | grep -qxF "CONSENT_DB=$DB" && echo "${d#/proc/}"
	done 2>/dev/null
}
# The sign.fcgi workers running now: fcgi-pool's children (tools/serve.sh), found by
# their environment, which names this test's database.
workers() {
	pgrep -x sign.fcgi | sed 's,.*,/proc/&/environ,' | xargs -r grep -lzxF "CONSENT_DB=$DB" 2>/dev/null |
		cut -d/ -f3
}
kill_server() { # SIGKILL to lighttpd and every FastCGI process at once
	kill -9 $server $(ours) 2>/dev/null
	wait "$server" 2>/dev/null
	kill -9 $(ours) 2>/dev/null # any started in the meantime
	server=
}
start_server() { # returns 1 when it does not answer within 10 s
	SIGN_PROCS=$PROCS "$TOP/tools/serve.sh" "$PORT" "$DB" "$RUN" >>"$TMP/server.out" 2>&1 &
	server=$!
	for i in $(seq 50); do
		code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/sign/$TOKEN")
		[ "$code" = 200 ] && return 0
		sleep 0.2
	done
	return 1
}
load=
trap '[ -n "$load" ] && kill "$load" 2>/dev/null; kill_server; rm -rf "$TMP"' EXIT
trap 'exit 1' HUP INT PIPE TERM # so that the EXIT trap runs
# rand N: a random whole number from 0 to N - 1.
rand() { echo $(($(od -An -N2 -tu2 /dev/urandom) % $1)); }
# nap MIN SPAN: sleeps MIN to MIN + SPAN milliseconds.
nap() { sleep "$(awk -v ms=$(($1 + $(rand "$2"))) 'BEGIN { printf "%.3f", ms / 1000 }')"; }
# run_load N: starts the load for one phase in the background as $load.
run_load() {
	"$LOAD" -p "$PORT" -f "$TMP/tokens.csv" -c "$CONNS" -d "$SECS" -t 20 -s $(($$ + $1)) \
		-o "$TMP/ack$1.log" >"$TMP/load$1.out" 2>"$TMP/load$1.err" &
	load=$!
}
# num PHASE NAME: a count from that phase's summary line (0 when absent).
num() {
	v=$(tr ' ' '\n' <"$TMP/load$1.out" | sed -n "s/^$2=//p")
	echo "${v:-0}"
}
if ! start_server; then
	fail crash_server_starts "port $PORT, status $code; $(cat "$TMP/server.out" "$RUN"/*.log)"
	exit 1
fi

# --- Phase 1: kill one worker at a time ---
run_load 1
worker_kills=0
while kill -0 "$load" 2>/dev/null; do
	nap 100 500
	set -- $(workers)
	[ $# -gt 0 ] || continue
	shift $(rand $#)
	kill -9 "$1" 2>/dev/null && worker_kills=$((worker_kills + 1))
done
wait "$load"
rc1=$?
load=
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$BASE/sign/$TOKEN")
sleep 1 # lighttpd may still be starting the last one killed
if [ "$rc1" = 0 ] && [ "$worker_kills" -gt 0 ] && [ "$(num 1 acknowledged)" -gt 0 ] &&
	[ "$code" = 200 ] && [ -n "$(workers)" ]; then
	pass crash_workers_killed_under_load
else
	fail crash_workers_killed_under_load "exit $rc1, $worker_kills kills, after them $(
		)status $code; $(cat "$TMP/load1.out" "$TMP/load1.err")"
fi

# --- Phase 2: kill the whole server ---
run_load 2
server_kills=0
restart_failed=0
while kill -0 "$load" 2>/dev/null; do
	nap 1000 1500
	kill -0 "$load" 2>/dev/null || break
	kill_server
	server_kills=$((server_kills + 1))
	nap 100 400
	start_server || restart_failed=$((restart_failed + 1))
done
wait "$load"
rc2=$?
load=
if [ "$rc2" = 0 ] && [ "$server_kills" -gt 0 ] && [ "$restart_failed" = 0 ] &&
	[ "$(num 2 acknowledged)" -gt 0 ]; then
	pass crash_server_killed_under_load
else
	fail crash_server_killed_under_load "exit $rc2, $server_kills kills, $restart_failed $(
		)restarts failed; $(cat "$TMP/load2.out" "$TMP/load2.err" "$TMP/server.out")"
fi
kill_server

# --- What the database holds ---
cat "$TMP/ack1.log" "$TMP/ack2.log" >"$TMP/ack.log"
verify_load crash_verify crash_integrity_check crash_chain_verifies "$DB" "$TMP/ack.log"
found=$(sed -n 's/.*found=\([0-9]*\).*/\1/p' "$TMP/verify.out")
stored=$(sed -n 's/.*submissions=\([0-9]*\).*/\1/p' "$TMP/verify.out")
for p in 1 2; do
	echo "counts: phase $p: requests sent $(num $p requests), acknowledged $(num $p acknowledged)," \
		"5xx $(num $p s5xx), connection errors $(num $p errors), outcome unknown $(num $p unknown)"
done
echo "counts: $worker_kills workers and $server_kills servers killed; acknowledged" \
	"$(($(num 1 acknowledged) + $(num 2 acknowledged))), found ${found:-?}; submissions in the $(
	)database ${stored:-?} (the rest of them stored, but their answer was cut off)"
finish
