#!/bin/sh
# Login floods stall nobody: through the real web server (tools/serve.sh's lighttpd, with
# its office.fcgi workers), a signed-in member of staff loads the office's front page
# again and again while 16 failed sign-ins (each a password check, argon2id) arrive at
# once, in FLOOD_ROUNDS (3) rounds; every staff page answers 200 within FLOOD_BOUND
# seconds (1), the failed sign-ins were really tried (200 "wrong" or 429 "locked"), and
# afterwards the real user still signs in from another address's point of view... here,
# the same address, with the right password after the lock's window is counted per name
# AND address: a flood under a different name does not lock the office's own name.
# While lighttpd is up, its static and error pages are checked for the security headers.
. "$(dirname "$0")/lib.sh"

PORT=$((20000 + ($$ + 16033) % 20000))
BASE=http://127.0.0.1:$PORT
BOUND=${FLOOD_BOUND:-1}
ROUNDS=${FLOOD_ROUNDS:-3}
DB=$TMP/consent.db
RUN=$TMP/run
PASSWORD='Llanfair-2026 office!'
mkdir -p "$RUN"
for tool in lighttpd curl awk; do
	command -v $tool >/dev/null 2>&1 || { fail flood_setup "$tool not found"; exit 1; }
done
if ! { "$BUILD/policygen" build --content "$TOP/content" --templates "$TOP/templates" \
	--out "$TOP/public" --portal "$TOP/var/portal" --state "$TOP/.cache/policygen" \
	--today 2026-11-21 &&
	"$BUILD/consentctl" --db "$DB" init --content "$TOP/content" --portal "$TOP/var/portal" &&
	printf '%s\n' "$PASSWORD" | "$BUILD/consentctl" --db "$DB" add-staff office; } >"$TMP/setup.log" 2>&1; then
	fail flood_setup "$(cat "$TMP/setup.log")"
	exit 1
fi
"$TOP/tools/serve.sh" "$PORT" "$DB" "$RUN" >"$TMP/server.out" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$TMP"' EXIT
trap 'exit 1' HUP INT PIPE TERM
for i in $(seq 50); do
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/office/login")" = 200 ] && break
	sleep 0.2
done

# login_form JAR: fetches the sign-in form into JAR's cookies; prints its CSRF value.
login_form() {
	curl -s -c "$1" -b "$1" "$BASE/office/login" |
		sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n 1
}
# sign_in JAR USER PASSWORD: prints the status of the sign-in POST.
sign_in() {
	csrf=$(login_form "$1")
	curl -s -o /dev/null -w '%{http_code}' -c "$1" -b "$1" \
		--data-urlencode "csrf=$csrf" --data-urlencode "username=$2" \
		--data-urlencode "password=$3" "$BASE/office/login"
}
code=$(sign_in "$TMP/staff.jar" office "$PASSWORD")
page=$(curl -s -o /dev/null -w '%{http_code}' -b "$TMP/staff.jar" "$BASE/office/")
if [ "$code" = 303 ] && [ "$page" = 200 ]; then
	pass flood_staff_signs_in
else
	fail flood_staff_signs_in "sign-in $code, page $page; $(cat "$RUN"/*.log)"
	exit 1
fi

worst=0
tried=0
for round in $(seq "$ROUNDS"); do
	# 16 forms fetched first, so that the 16 wrong passwords arrive together.
	for i in $(seq 16); do
		login_form "$TMP/flood$i.jar" >"$TMP/csrf$i"
	done
	: >"$TMP/go"
	for i in $(seq 16); do
		(curl -s -o /dev/null -w '%{http_code}\n' -c "$TMP/flood$i.jar" -b "$TMP/flood$i.jar" \
			--data-urlencode "csrf=$(cat "$TMP/csrf$i")" --data-urlencode "username=guess$round-$i" \
			--data-urlencode "password=not the password $i" "$BASE/office/login" \
			>"$TMP/flood$round-$i.code") &
	done
	# The staff page, timed, while the sign-ins are being checked.
	for j in $(seq 8); do
		curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -b "$TMP/staff.jar" \
			"$BASE/office/" >>"$TMP/staff.times"
	done
	wait_for=0
	while [ "$(cat "$TMP"/flood$round-*.code 2>/dev/null | grep -c .)" -lt 16 ] && [ $wait_for -lt 300 ]; do
		sleep 0.1
		wait_for=$((wait_for + 1))
	done
	tried=$((tried + $(cat "$TMP"/flood$round-*.code | grep -cE '^(200|429)$')))
done
worst=$(awk '{ if ($2 > w) w = $2 } END { print w + 0 }' "$TMP/staff.times")
bad=$(grep -vc '^200 ' "$TMP/staff.times")
echo "counts: staff page slowest ${worst}s of $(grep -c . "$TMP/staff.times") during $tried failed sign-ins"
if [ "$tried" = $((16 * ROUNDS)) ] && [ "$bad" = 0 ] && awk -v w="$worst" -v b="$BOUND" 'BEGIN { exit !(w < b) }'; then
	pass flood_staff_page_under_bound
else
	fail flood_staff_page_under_bound "slowest $worst s (bound $BOUND), $bad not 200, $tried of $((16 * ROUNDS)) sign-ins tried: $(cat "$TMP"/flood*-*.code | sort | uniq -c | tr '\n' ' ')"
fi
# While lighttpd is up: its static pages and its own error pages carry the headers the
# programs send (tools/serve.sh), once each.
for path in / /style.css /no/such/page /.policygen-state; do
	curl -s -o /dev/null -D "$TMP/h" "$BASE$path"
	missing=
	for h in "Content-Security-Policy: default-src 'none'" 'X-Content-Type-Options: nosniff' \
		'X-Frame-Options: DENY' 'Referrer-Policy: no-referrer'; do
		[ "$(grep -ciF "$h" "$TMP/h")" = 1 ] || missing="$missing '$h'"
	done
	[ -z "$missing" ] && pass "lighttpd_static_headers_$path" ||
		fail "lighttpd_static_headers_$path" "missing or repeated:$missing; $(tr -d '\r' <"$TMP/h")"
done
curl -s -o /dev/null -D "$TMP/h" -b "$TMP/staff.jar" "$BASE/office/"
[ "$(grep -ci 'X-Frame-Options' "$TMP/h")" = 1 ] && pass lighttpd_program_headers_once ||
	fail lighttpd_program_headers_once "$(tr -d '\r' <"$TMP/h")"
# The flood came from this address under other names: the office's name still signs in.
code=$(sign_in "$TMP/again.jar" office "$PASSWORD")
[ "$code" = 303 ] && pass flood_office_not_locked_out || fail flood_office_not_locked_out "status $code"
finish
