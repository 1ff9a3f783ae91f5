#!/bin/sh
# Crashes cost a request, not a minute: through the shipped web server configurations
# (tools/serve.sh's lighttpd, and nginx with the site file and FastCGI workers as the
# systemd units run them, see tests/nginx-lib.sh), 16 parents at a time walk their
# journeys (tests/load.c: family page, form, submission, confirmation) for
# JOURNEY_SECONDS (30) while a FastCGI worker is killed with SIGKILL every 50-300 ms.
# Then: at least half of the journeys begun were completed, every acknowledged answer is
# in the database (load verify), integrity_check is ok and the chain verifies.
# And with nothing killed, 64 connections for LOAD_SECONDS (8) get no 5xx.
#
# Overrides: JOURNEY_SECONDS, LOAD_SECONDS, JOURNEY_SERVERS ("lighttpd nginx").
. "$(dirname "$0")/lib.sh"

PORT=$((20000 + ($$ + 15013) % 20000))
BASE=http://127.0.0.1:$PORT
SECS=${JOURNEY_SECONDS:-30}
QUIET_SECS=${LOAD_SECONDS:-8}
FAMILIES=200
LOAD=$BUILD/tests/load
DB=$TMP/consent.db
NAME=journeys_setup TOOLS="awk pgrep xargs"
. "$(dirname "$0")/load-setup.sh"
SITE=$TOP/public
PORTAL=$TOP/var/portal
CONTENT=$TOP/content
. "$(dirname "$0")/nginx-lib.sh"

num() { # num FILE NAME: a count from a load summary line
	v=$(tr ' ' '\n' <"$1" | sed -n "s/^$2=//p")
	echo "${v:-0}"
}
# The sign.fcgi processes serving this test (their environment names its database), in
# three processes whatever their number, so that the kills keep to their rhythm.
workers() {
	pgrep -x sign.fcgi | sed 's,.*,/proc/&/environ,' | xargs -r grep -lzxF "CONSENT_DB=$DB" 2>/dev/null |
		cut -d/ -f3
}
up() {
	for i in $(seq 50); do
		[ "$(curl -sk -o /dev/null -w '%{http_code}' "$1/sign/$TOKEN")" = 200 ] && return 0
		sleep 0.2
	done
	return 1
}
server=
stop_all() {
	[ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
	server=
	nginx_stop
	kill -9 $(workers) 2>/dev/null
}
trap 'stop_all; [ -n "$KEEP" ] && cp -r "$TMP" "$KEEP"; rm -rf "$TMP"' EXIT
trap 'exit 1' HUP INT PIPE TERM

# journeys NAME URL-BASE LOAD-ARGS...
journeys() {
	name=$1
	shift
	"$LOAD" "$@" -f "$TMP/tokens.csv" -c 16 -d "$SECS" -t 20 -s $$ -o "$TMP/ack-$name.log" \
		>"$TMP/load-$name.out" 2>"$TMP/load-$name.err" &
	load=$!
	kills=0
	# Pauses of 50 to 300 ms and random picks, drawn in advance.
	awk -v n=$((SECS * 20)) -v seed=$$ 'BEGIN { srand(seed); for (i = 0; i < n; i++)
		printf "%.3f %d\n", (50 + rand() * 250) / 1000, int(rand() * 1000) }' >"$TMP/naps"
	while read -r pause pick && kill -0 "$load" 2>/dev/null; do
		sleep "$pause"
		set -- $(workers)
		[ $# -gt 0 ] || continue
		shift $((pick % $#))
		kill -9 "$1" 2>/dev/null && kills=$((kills + 1))
	done <"$TMP/naps"
	wait "$load"
	begun=$(num "$TMP/load-$name.out" journeys)
	done_=$(num "$TMP/load-$name.out" completed)
	echo "counts: $name: $kills workers killed; journeys begun $begun, completed $done_;" \
		"$(cat "$TMP/load-$name.out")"
	if [ "$kills" -ge $((SECS * 2)) ] && [ "$begun" -gt 0 ] && [ $((done_ * 2)) -ge "$begun" ]; then
		pass "journeys_${name}_half_complete_under_kills"
	else
		fail "journeys_${name}_half_complete_under_kills" "$kills kills, $done_ of $begun; $(
			)$(head -c 1500 "$TMP/load-$name.err")"
	fi
}
# no_token NAME FILE...: no family's token in any of the logs (which must exist: an
# empty set of logs would prove nothing), and they do mention the killed workers.
no_token() {
	name=$1
	shift
	sed -n 's,.*/,,p' "$TMP/tokens.csv" | tr -d '\r' | grep -v '^url$' >"$TMP/tokens.txt"
	if [ $# = 0 ] || ! cat "$@" >/dev/null 2>&1; then
		fail "journeys_${name}_no_token_in_logs" "no logs: $*"
	elif grep -F -f "$TMP/tokens.txt" "$@" >"$TMP/leak.txt"; then
		fail "journeys_${name}_no_token_in_logs" "$(head -c 600 "$TMP/leak.txt")"
	elif ! grep -qi "killed\|died\|signal" "$@"; then
		fail "journeys_${name}_no_token_in_logs" "the logs do not mention a killed worker: $(
			)$(cat "$@" | head -c 600)"
	else
		pass "journeys_${name}_no_token_in_logs"
	fi
}
# quiet NAME LOAD-ARGS...: 64 connections, nothing killed: no 5xx, no errors.
quiet() {
	name=$1
	shift
	"$LOAD" "$@" -f "$TMP/tokens.csv" -c 64 -d "$QUIET_SECS" -t 20 -s $$ \
		-o "$TMP/ack-$name-quiet.log" >"$TMP/quiet-$name.out" 2>"$TMP/quiet-$name.err"
	echo "counts: $name, nothing killed: $(cat "$TMP/quiet-$name.out")"
	if [ "$(num "$TMP/quiet-$name.out" s5xx)" = 0 ] && [ "$(num "$TMP/quiet-$name.out" errors)" = 0 ] &&
		[ "$(num "$TMP/quiet-$name.out" acknowledged)" -gt 0 ]; then
		pass "journeys_${name}_64_connections_no_5xx"
	else
		fail "journeys_${name}_64_connections_no_5xx" "$(cat "$TMP/quiet-$name.out" "$TMP/quiet-$name.err" | head -c 1500)"
	fi
}

for s in ${JOURNEY_SERVERS:-lighttpd nginx}; do
	case $s in
	lighttpd)
		"$TOP/tools/serve.sh" "$PORT" "$DB" "$RUN" >"$TMP/server.out" 2>&1 &
		server=$!
		if ! up "$BASE"; then
			fail journeys_lighttpd_starts "$(cat "$TMP/server.out" "$RUN"/*.log)"
			continue
		fi
		quiet lighttpd -p "$PORT"
		journeys lighttpd -p "$PORT"
		stop_all
		no_token lighttpd "$RUN"/*.log "$TMP/server.out"
		;;
	nginx)
		if ! nginx_start "$PORT"; then
			fail journeys_nginx_starts "$(nginx_logs)"
			continue
		fi
		up "https://127.0.0.1:$PORT" || { fail journeys_nginx_starts "$(nginx_logs)"; continue; }
		quiet nginx -p "$NGINX_PLAIN"
		journeys nginx -p "$NGINX_PLAIN"
		stop_all
		no_token nginx $(nginx_log_files)
		;;
	esac
done
cat "$TMP"/ack-*.log >"$TMP/ack.log"
"$LOAD" verify "$DB" "$TMP/ack.log" >"$TMP/verify.out" 2>&1
rc=$?
grep -E '^(PASS|FAIL) ' "$TMP/verify.out" | sed 's/^\(PASS\|FAIL\) /&journeys_/'
[ "$rc" = 0 ] || fail journeys_verify "$(cat "$TMP/verify.out")"
integrity=$(sqlite3 "$DB" 'PRAGMA integrity_check' 2>&1)
[ "$integrity" = ok ] && pass journeys_integrity_check || fail journeys_integrity_check "$integrity"
check journeys_chain_verifies $CTL verify
finish
