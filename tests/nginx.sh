#!/bin/sh
# Tested like production: `make install` into a temporary root, then the real nginx with
# the shipped site file and the shipped systemd units' programs (tests/nginx-lib.sh), on
# 127.0.0.1 with a certificate made here. Checks: the security headers (HSTS, CSP,
# nosniff, frame and referrer policies) on static pages, redirects and nginx's own error
# pages; plain HTTP redirected to HTTPS; dotfiles and data files never served; a parent's
# journey from the QR code's /SIGN/ link to the confirmation, stored in the database; an
# office sign-in and page over HTTPS (a __Host- cookie); no /sign/ path in the access
# log; and no family's token in any log after a worker is killed mid-request.
. "$(dirname "$0")/lib.sh"

PORT=$((20000 + ($$ + 17011) % 19000))
DB=$TMP/consent.db
SITE=$TMP/public
CONTENT=$TOP/content
PASSWORD='Llanfair-2026 office!'
. "$(dirname "$0")/nginx-lib.sh"
for tool in nginx spawn-fcgi openssl curl sqlite3; do
	command -v $tool >/dev/null 2>&1 || { fail nginx_setup "$tool not found; install it with tools/deps.sh check"; exit 1; }
done
trap 'nginx_stop; rm -rf "$TMP"' EXIT
trap 'exit 1' HUP INT PIPE TERM
cat >"$TMP/families.csv" <<'CSV'
family_ref,child_ref,first_name,last_name,class,carers,language
N1,NC1,Gwen,Prys,Year 4,Elin Prys,en
N2,NC2,Tom,Hall,Year 2,Sam Hall,en
CSV
BASE=https://127.0.0.1:$PORT
if ! { "$BUILD/policygen" build --content "$CONTENT" --templates "$TOP/templates" --out "$SITE" \
	--portal "$PORTAL" --state "$TMP/state" --today 2026-11-21 &&
	"$BUILD/consentctl" --db "$DB" init --content "$CONTENT" --portal "$PORTAL" &&
	"$BUILD/consentctl" --db "$DB" import "$TMP/families.csv" &&
	printf '%s\n' "$PASSWORD" | "$BUILD/consentctl" --db "$DB" add-staff office &&
	"$BUILD/consentctl" --db "$DB" tokens --base-url "$BASE" >"$TMP/tokens.csv"; } >"$TMP/setup.log" 2>&1; then
	fail nginx_setup "$(cat "$TMP/setup.log")"
	exit 1
fi
TOKEN=$(sed -n 's|^N1,.*/||p' "$TMP/tokens.csv" | tr -d '\r')
TOKEN2=$(sed -n 's|^N2,.*/||p' "$TMP/tokens.csv" | tr -d '\r')
: >"$SITE/.policygen-state-test"
: >"$SITE/copy.db"
if ! nginx_start "$PORT"; then
	fail nginx_starts "$(nginx_logs)"
	exit 1
fi
pass nginx_starts

# get NAME URL [CURL-ARGS...]: status in $status, headers in $TMP/h, body in $TMP/body.
get() {
	name=$1 url=$2
	shift 2
	status=$(curl -sk -o "$TMP/body" -D "$TMP/h" -w '%{http_code}' "$@" "$url")
}
headers_ok() { # NAME: every security header is there, once
	for h in 'Strict-Transport-Security: max-age=31536000' "Content-Security-Policy: default-src 'none'" \
		'X-Content-Type-Options: nosniff' 'X-Frame-Options: DENY' 'Referrer-Policy: no-referrer'; do
		n=$(grep -ciF "$h" "$TMP/h")
		[ "$n" = 1 ] || { fail "$1" "status $status, '$h' $n times: $(tr -d '\r' <"$TMP/h")"; return; }
	done
	pass "$1"
}
get index "$BASE/"
[ "$status" = 200 ] && headers_ok nginx_headers_static_page || fail nginx_headers_static_page "status $status"
get css "$BASE/style.css"
headers_ok nginx_headers_static_file
get missing "$BASE/no/such/page"
[ "$status" = 404 ] && headers_ok nginx_headers_not_found || fail nginx_headers_not_found "status $status"
get dot "$BASE/.policygen-state-test"
[ "$status" = 404 ] && headers_ok nginx_dotfiles_not_served || fail nginx_dotfiles_not_served "status $status"
for f in copy.db signable.tsv; do
	get data "$BASE/$f"
	[ "$status" = 404 ] && pass "nginx_data_not_served_$f" || fail "nginx_data_not_served_$f" "status $status"
done
get redirect "http://127.0.0.1:$NGINX_HTTP/SIGN/$TOKEN"
loc=$(sed -n 's/^[Ll]ocation: *//p' "$TMP/h" | tr -d '\r')
[ "$status" = 301 ] && [ "$loc" = "https://127.0.0.1/SIGN/$TOKEN" ] && pass nginx_http_redirects_to_https ||
	fail nginx_http_redirects_to_https "status $status, Location '$loc'"

# --- A parent's journey, from the QR code's capital link ---
get family "$BASE/SIGN/$TOKEN"
[ "$status" = 200 ] && grep -q 'Gwen' "$TMP/body" && headers_ok nginx_parent_family_page ||
	fail nginx_parent_family_page "status $status: $(head -c 300 "$TMP/body")"
get form "$BASE/sign/$TOKEN/answer?lang=en"
csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$TMP/body" | head -n 1)
doc=$(sed -n 's/.*name="agree\.\([^"]*\)".*/\1/p' "$TMP/body" | head -n 1)
fields=$(grep -o 'name="a\.[^"]*"' "$TMP/body" | sed 's/name="\(.*\)"/\1/' | sort -u |
	sed 's/$/=yes/' | tr '\n' '&')
form="csrf=$csrf&lang=en&name=Elin+Prys&agree.$doc=yes&${fields%&}"
get check "$BASE/sign/$TOKEN/check" --data "$form"
get confirm "$BASE/sign/$TOKEN/confirm" --data "$form&once=$(once_of)"
loc=$(sed -n 's/^[Ll]ocation: *//p' "$TMP/h" | tr -d '\r')
case $loc in */done\?ref=*) ;; *) loc= ;; esac
if [ "$status" = 303 ] && [ -n "$loc" ]; then
	case $loc in http*) ;; *) loc=$BASE$loc ;; esac
	get done "$loc"
	ref=${loc##*ref=}
	ref=${ref%%&*}
	stored=$(sqlite3 "$DB" "SELECT count(*) FROM signature" 2>&1)
	[ "$status" = 200 ] && grep -qF "$ref" "$TMP/body" && [ "$stored" -ge 1 ] &&
		pass nginx_parent_journey_stored || fail nginx_parent_journey_stored "done $status, signatures $stored"
else
	fail nginx_parent_journey_stored "confirm $status: $(head -c 400 "$TMP/body") (form: $form)"
fi

# --- An office sign-in ---
get login "$BASE/office/login" -c "$TMP/jar"
lcsrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$TMP/body" | head -n 1)
get signin "$BASE/office/login" -b "$TMP/jar" -c "$TMP/jar" --data-urlencode "csrf=$lcsrf" \
	--data-urlencode username=office --data-urlencode "password=$PASSWORD"
cookie=$(grep -i '^set-cookie: __Host-office=' "$TMP/h" | tr -d '\r')
get dashboard "$BASE/office/" -b "$TMP/jar"
if [ -n "$cookie" ] && [ "$status" = 200 ] && echo "$cookie" | grep -qi 'secure' ; then
	headers_ok nginx_office_sign_in
else
	fail nginx_office_sign_in "status $status, cookie '$cookie'"
fi

# --- Logs: /sign/ never in the access log; no token anywhere, even when a worker dies ---
if grep -q '/office/' "$NGX/log/policies-access.log" &&
	! grep -qiE '"[A-Z]+ /sign([/? ]|$)' "$NGX/log/policies-access.log"; then
	pass nginx_access_log_without_sign
else
	fail nginx_access_log_without_sign "$(grep -i -e /sign -e /office/ "$NGX/log/policies-access.log" | head -c 600)"
fi
# Many requests in flight while every sign.fcgi worker is killed: some die mid-request.
pids=
for i in $(seq 24); do
	curl -sk -o /dev/null --max-time 10 "$BASE/sign/$TOKEN2?lang=cy&n=$i" &
	pids="$pids $!"
done
sleep 0.05
for p in $(pgrep -x sign.fcgi); do
	tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qxF "CONSENT_DB=$DB" && kill -9 "$p"
done
for p in $pids; do wait "$p"; done
get after "$BASE/sign/$TOKEN2"
[ "$status" = 200 ] && pass nginx_worker_replaced || fail nginx_worker_replaced "status $status"
if grep -q 'killed by signal 9' "$NGX/log/sign-journal.log" &&
	! grep -rlF -e "$TOKEN" -e "$TOKEN2" "$NGX/log" "$TMP/install.log" >"$TMP/leaks"; then
	pass nginx_no_token_in_logs
else
	fail nginx_no_token_in_logs "in $(cat "$TMP/leaks"): $(grep -rhF -e "$TOKEN" -e "$TOKEN2" "$NGX/log" | head -c 600)"
fi
finish
