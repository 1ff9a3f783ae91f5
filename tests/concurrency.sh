#!/bin/sh
# Concurrency through the real web server: lighttpd with several sign.fcgi processes
# writing one database, driven by build/tests/load (tests/load.c).
#
# 1. Slow clients: request bodies and headers that stop half-way, more of them than there
#    are workers, hold no worker (full requests made meanwhile are answered while every
#    slow one is still open), and the server drops them after SERVE_READ_IDLE seconds.
# 2. Load: LOAD_CONNS connections (64) sign and answer for LOAD_FAMILIES families (200)
#    for LOAD_SECONDS (10), mixing family pages, forms, submissions and confirmation
#    pages, while staff take an online backup and an export and hold the database's write
#    lock for 3 s (the portal must wait it out, not fail). Then: no 5xx, no connection
#    errors, no unexpected status, nothing in the server's log (a busy database would
#    show there), every acknowledged submission stored whole, each carer's answers those
#    of their last acknowledged submission, PRAGMA integrity_check ok, the chain verifies.
#
# Overrides: LOAD_SECONDS, LOAD_CONNS, LOAD_FAMILIES, SIGN_PROCS (4), SLOW_IDLE (8, the
# server's read idle limit), CONCURRENCY_PORT.
. "$(dirname "$0")/lib.sh"

PORT=${CONCURRENCY_PORT:-$((20000 + ($$ + 7919) % 20000))}
SECS=${LOAD_SECONDS:-10}
IDLE=${SLOW_IDLE:-8}
NAME=concurrency_setup TOOLS="bash timeout"
. "$(dirname "$0")/load-setup.sh"
SLOW_BODIES=$((PROCS * 2))

SIGN_PROCS=$PROCS SERVE_READ_IDLE=$IDLE "$TOP/tools/serve.sh" "$PORT" "$DB" "$RUN" \
	>"$TMP/server.out" 2>&1 &
server=$!
# Stops lighttpd, which stops its FastCGI processes; any still running are ours (their
# environment names this test's database) and are killed by id.
ours() { # the ids of this test's FastCGI processes still running
	for d in /proc/[0-9]*; do
		read -r comm <"$d/comm" && case $comm in sign.fcgi | office.fcgi | fcgi-pool) ;; *) continue ;; esac
		tr '\0' '\n' <"$d/environ" | grep -qxF "CONSENT_DB=$DB" && echo "${d#/proc/}"
	done 2>/dev/null
}
stop_server() {
	kill "$server" 2>/dev/null
	wait "$server" 2>/dev/null
	for p in $(ours); do kill -9 "$p"; done
}
trap 'stop_server; rm -rf "$TMP"' EXIT
trap 'exit 1' HUP INT PIPE TERM # so that the EXIT trap runs
up=
for i in $(seq 50); do
	code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/sign/$TOKEN")
	[ "$code" = 200 ] && up=1 && break
	sleep 0.2
done
if [ -z "$up" ]; then
	fail concurrency_server_starts "port $PORT, status $code; $(cat "$TMP/server.out" "$RUN"/lighttpd-*.log)"
	exit 1
fi

# --- 1. Slow clients ---

# slow NAME TEXT: on a new connection, sends TEXT (a printf format) and then nothing,
# never finishing the request. $TMP/slow.NAME gets "sent", then "closed" when the server
# hangs up, or "open" when it has not after 60 s.
slow() {
	bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
		printf "$2" >&3 && echo sent
		if timeout 60 cat <&3 >/dev/null; then echo closed; else echo open; fi' \
		slow "$PORT" "$2" >"$TMP/slow.$1" 2>&1 &
	slow_pids="$slow_pids $!"
}
slow_pids=
i=0
while [ $i -lt "$SLOW_BODIES" ]; do
	i=$((i + 1))
	slow body$i "POST /sign/$TOKEN/confirm HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 4000\r\n\r\ncsrf=0&lang=en&name=Slow"
done
slow header1 "GET /sign/$TOKEN HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
slow header2 "POST /sign/$TOKEN/confirm HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-"
slow silent ""
for i in $(seq 100); do
	[ "$(cat "$TMP"/slow.* | grep -c '^sent$')" -ge $((SLOW_BODIES + 3)) ] && break
	sleep 0.1
done

# Full requests meanwhile: the answer form, then a complete submission, twice over.
answered=0
for i in 1 2; do
	curl -s --max-time 30 -o "$TMP/form.html" "$BASE/sign/$TOKEN/answer?lang=en"
	csrf=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$TMP/form.html" | head -n 1)
	doc=$(sed -n 's/.*name="agree\.\([0-9]*\)".*/\1/p' "$TMP/form.html" | head -n 1)
	fields=$(grep -o 'name="a\.[^"]*"' "$TMP/form.html" | sort -u |
		sed 's/name="\(.*\)"/\&\1=yes/' | tr -d '\n')
	form="csrf=$csrf&lang=en&name=Load+Carer+L0001+A&agree.$doc=yes$fields"
	curl -s --max-time 30 -o "$TMP/check.html" --data "$form" "$BASE/sign/$TOKEN/check"
	once=$(sed -n 's/.*name="once" value="\([A-Za-z0-9-]*\)".*/\1/p' "$TMP/check.html" | head -n 1)
	status=$(curl -s --max-time 30 -o /dev/null -w '%{http_code}' --data "$form&once=$once" \
		"$BASE/sign/$TOKEN/confirm")
	[ "$status" = 303 ] && answered=$((answered + 1))
done
closed=$(cat "$TMP"/slow.* | grep -c '^closed$')
still_open=$(($(cat "$TMP"/slow.* | grep -c '^sent$') - closed))
if [ "$answered" = 2 ] && [ "$closed" = 0 ]; then
	pass slow_clients_hold_no_worker
else
	fail slow_clients_hold_no_worker "$answered of 2 submissions answered with 303 while $(
		)$still_open slow clients were open; $closed had already been dropped (read idle $IDLE s)"
fi
for p in $slow_pids; do wait "$p"; done
closed=$(cat "$TMP"/slow.* | grep -c '^closed$')
if [ "$closed" = $((SLOW_BODIES + 3)) ]; then
	pass slow_clients_dropped
else
	fail slow_clients_dropped "$closed of $((SLOW_BODIES + 3)) dropped by the server: $(
		grep -l open "$TMP"/slow.* | tr '\n' ' ')"
fi

# --- 2. Load ---

# Staff work beside the parents, after a second: an online backup, an export, and a
# write that holds the database's write lock for 3 s (as a long import would), which
# the portal's writers must wait out (busy timeout 10 s), not fail on.
(
	sleep 1
	$CTL backup "$TMP/backup.db" >"$TMP/backup.log" 2>&1 && echo backup-ok
	$CTL export photo >"$TMP/photo.csv" 2>"$TMP/export.log" && echo export-ok
	sqlite3 "$DB" ".timeout 10000" "BEGIN IMMEDIATE;" ".shell sleep 3" "COMMIT;" \
		>"$TMP/lock.log" 2>&1 && echo lock-ok
) >"$TMP/staff.out" &
staff=$!
"$LOAD" -p "$PORT" -f "$TMP/tokens.csv" -c "$CONNS" -d "$SECS" -t 30 -s $$ \
	-o "$TMP/ack.log" >"$TMP/load.out" 2>"$TMP/load.err"
rc=$?
wait $staff
counts=$(cat "$TMP/load.out")
num() { # num NAME: a count from the summary line (0 when absent)
	v=$(echo "$counts" | tr ' ' '\n' | sed -n "s/^$1=//p")
	echo "${v:-0}"
}
if [ "$rc" != 0 ] || [ "$(num requests)" = 0 ]; then
	fail concurrency_load_runs "exit $rc: $(cat "$TMP/load.out" "$TMP/load.err")"
	exit 1
fi
[ "$(num s5xx)" = 0 ] && pass load_no_5xx || fail load_no_5xx "$counts $(cat "$TMP/load.err")"
[ "$(num errors)" = 0 ] && pass load_no_connection_errors ||
	fail load_no_connection_errors "$counts"
[ "$(num unexpected)" = 0 ] && pass load_only_expected_statuses ||
	fail load_only_expected_statuses "$counts $(cat "$TMP/load.err")"
[ "$(num acknowledged)" -ge "$CONNS" ] && [ "$(num unknown)" = 0 ] &&
	pass load_submissions_acknowledged ||
	fail load_submissions_acknowledged "fewer than $CONNS, or some unknown: $counts"
# The FastCGI programs' standard error goes to lighttpd's, kept in server.out.
if grep -q 'sign.fcgi' "$TMP/server.out" "$RUN"/lighttpd-*.log; then
	fail load_server_log_clean "$(grep -h 'sign.fcgi' "$TMP/server.out" "$RUN"/lighttpd-*.log |
		sed "s/family [0-9]*/family N/" | sort | uniq -c | head)"
else
	pass load_server_log_clean
fi
[ "$(grep -c -e backup-ok -e export-ok -e lock-ok "$TMP/staff.out")" = 3 ] &&
	pass staff_work_during_load ||
	fail staff_work_during_load "$(cat "$TMP/backup.log" "$TMP/export.log" "$TMP/lock.log")"
check backup_verifies "$BUILD/consentctl" --db "$TMP/backup.db" verify

# Stopping lighttpd stops fcgi-pool, whose SIGTERM stops every sign.fcgi, threads and all.
kill "$server" 2>/dev/null
wait "$server" 2>/dev/null
i=0
while [ -n "$(ours)" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -z "$(ours)" ] && pass workers_stop_with_server ||
	fail workers_stop_with_server "still running 5 s after lighttpd stopped: $(ours | tr '\n' ' ')"
stop_server
verify_load load_verify integrity_check chain_verifies -l "$DB" "$TMP/ack.log"
found=$(sed -n 's/.*found=\([0-9]*\).*/\1/p' "$TMP/verify.out")
echo "counts: $CONNS connections, $SECS s, $PROCS workers: requests sent $(num requests)" \
	"($(num get) GET, $(num post) POST), acknowledged $(num acknowledged), found ${found:-?}"
finish
