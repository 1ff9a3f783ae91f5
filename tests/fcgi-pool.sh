#!/bin/sh
# fcgi-pool (src/portal/fcgi-pool.c): keeps N workers on the listening socket, replaces
# one that dies at once, stops them all on SIGTERM, and with -P stops when its starter
# dies; refuses to run without a socket on standard input. The workers here are
# `sleep`, which is enough to count them.
. "$(dirname "$0")/lib.sh"

POOL=$BUILD/fcgi-pool
command -v spawn-fcgi >/dev/null 2>&1 || { fail pool_setup "spawn-fcgi not found; tools/deps.sh check"; exit 1; }
"$POOL" -n 2 -- /bin/sleep 100 </dev/null >"$TMP/out" 2>&1
rc=$?
[ "$rc" = 2 ] && grep -q 'not a listening socket' "$TMP/out" && pass pool_needs_socket ||
	fail pool_needs_socket "exit $rc: $(cat "$TMP/out")"
"$POOL" -n 0 -- /bin/sleep 100 >"$TMP/out" 2>&1
[ $? = 2 ] && pass pool_bad_count || fail pool_bad_count "$(cat "$TMP/out")"

children() { pgrep -P "$1" | sort; }
# running PID: alive and not a zombie waiting for its (new) parent to collect it.
running() { kill -0 "$1" 2>/dev/null && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]; }
# wait_for N PID: until PID has N children (5 s at most).
wait_for() {
	for i in $(seq 50); do
		[ "$(children "$2" | grep -c .)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
spawn-fcgi -n -s "$TMP/pool.sock" -- "$POOL" -n 3 -- /bin/sleep 1000 2>"$TMP/pool.err" &
pool=$!
trap 'kill $pool 2>/dev/null; rm -rf "$TMP"' EXIT
if wait_for 3 "$pool"; then pass pool_starts_workers; else fail pool_starts_workers "$(children "$pool" | tr '\n' ' ')"; fi
victim=$(children "$pool" | head -n 1)
kill -9 "$victim"
sleep 0.3
if wait_for 3 "$pool" && ! children "$pool" | grep -qx "$victim" &&
	grep -q "worker $victim killed by signal 9; starting another" "$TMP/pool.err"; then
	pass pool_replaces_killed_worker
else
	fail pool_replaces_killed_worker "$(children "$pool" | tr '\n' ' '); $(cat "$TMP/pool.err")"
fi
workers=$(children "$pool")
kill "$pool"
wait "$pool"
sleep 0.2
alive=
for w in $workers; do running "$w" && alive="$alive $w"; done
[ -z "$alive" ] && pass pool_stops_workers || fail pool_stops_workers "still running:$alive"

# -P: the pool goes when its starter is killed outright (lighttpd's bin-path).
sh -c "spawn-fcgi -n -s '$TMP/p2.sock' -- '$POOL' -P -n 2 -- /bin/sleep 1000 & echo \$! >'$TMP/p2.pid'; exec sleep 1000" \
	>/dev/null 2>&1 &
starter=$!
sleep 0.5
pool2=$(cat "$TMP/p2.pid")
wait_for 2 "$pool2"
workers=$(children "$pool2")
kill -9 "$starter"
sleep 0.5
alive=
for p in "$pool2" $workers; do running "$p" && alive="$alive $p"; done
[ -z "$alive" ] && [ -n "$workers" ] && pass pool_follows_its_starter ||
	fail pool_follows_its_starter "still running:$alive (workers: $workers)"
for p in $alive; do kill "$p"; done
finish
