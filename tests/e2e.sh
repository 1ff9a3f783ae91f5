#!/bin/sh
# End to end through the real web server: lighttpd serving the built site and starting
# sign.fcgi over FastCGI, driven with curl as a parent's phone would be. The link comes
# from decoding the QR code of the family's printed letter.
. "$(dirname "$0")/lib.sh"
PORT=${E2E_PORT:-$((20000 + $$ % 20000))}
BASE=http://127.0.0.1:$PORT
DB=$TMP/consent.db
RUN=$TMP/run
CTL="$BUILD/consentctl --db $DB"
mkdir -p "$RUN"

"$BUILD/policygen" build --content "$TOP/content" --templates "$TOP/templates" --out "$TOP/public" \
	--portal "$TOP/var/portal" --state "$TOP/.cache/policygen" --today 2026-11-21 2>/dev/null
$CTL init --content "$TOP/content" --portal "$TOP/var/portal" >/dev/null
$CTL import "$TOP/content/demo/families.csv" >/dev/null
$CTL letters --family F1003 --base-url "$BASE" --content "$TOP/content" \
	--templates "$TOP/templates" --out "$TMP/letter.html" >/dev/null 2>&1
"$TOP/tools/serve.sh" "$PORT" "$DB" "$RUN" >"$TMP/server.out" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; sleep 0.2; rm -rf "$TMP"' EXIT
for i in 1 2 3 4 5 6 7 8 9 10; do
	curl -s -o /dev/null "$BASE/" && break
	sleep 0.3
done

# The letter's QR code, decoded as a phone camera would, gives the family's link.
sed -n 's/.*\(<svg[^>]*>.*<\/svg>\).*/\1/p' "$TMP/letter.html" | head -n 1 >"$TMP/qr.svg"
[ -s "$TMP/qr.svg" ] || awk '/<svg/,/<\/svg>/' "$TMP/letter.html" | sed -n '1,/<\/svg>/p' >"$TMP/qr.svg"
rsvg-convert -z 4 -b white "$TMP/qr.svg" -o "$TMP/qr.png" 2>/dev/null
URL=$(zbarimg --raw -q "$TMP/qr.png" 2>/dev/null | head -n 1)
case "$URL" in
"$(echo "$BASE" | tr a-z A-Z)/SIGN/"*) pass qr_decodes_to_family_link ;;
*) fail qr_decodes_to_family_link "decoded '$URL'" ;;
esac
TOKEN=${URL##*/}

# get PATH: the response in $TMP/body, status in $status.
get() { status=$(curl -s -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' "$1"); }
post() { status=$(curl -s -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' --data "$2" "$BASE$1"); }
csrf() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$TMP/body" | head -n 1; }
expect() {
	name=$1 want=$2
	shift 2
	[ "$status" = "$want" ] || { fail "$name" "status $status, want $want"; return; }
	for text in "$@"; do
		contains "$TMP/body" "$text" || { fail "$name" "no '$text' in $(head -c 300 "$TMP/body")"; return; }
	done
	pass "$name"
}

get "$BASE/"
expect site_landing 200 'Cwm Derw Primary School' 'Ysgol Gynradd Cwm Derw'
get "$BASE/cy/policies/code-of-conduct/"
expect site_policy_welsh 200 'lang="cy"' 'Cod Ymddygiad'

get "$URL"
expect scan_opens_family_page 200 'Siôn'
check no_store_header grep -qi '^Cache-Control: no-store' "$TMP/headers"
check csp_header grep -qi "^Content-Security-Policy: default-src 'none'" "$TMP/headers"
check referrer_header grep -qi '^Referrer-Policy: no-referrer' "$TMP/headers"
SIGN=$BASE/sign/$TOKEN
get "$SIGN/answer?lang=en"
expect answer_form 200 'name="name"' 'name="csrf"'
CSRF=$(csrf)
DOC=$(sed -n 's/.*name="agree\.\([0-9]*\)".*/\1/p' "$TMP/body" | head -n 1)
CHILDREN=$(sed -n 's/.*name="a\.\([0-9]*\)\.website".*/\1/p' "$TMP/body" | sort -u)
answers() { # answers VALUE [purpose=value...]: every child and purpose
	v=$1
	shift
	for c in $CHILDREN; do
		for p in displays website social-media press class-photos performance-video; do
			a=$v
			for o in "$@"; do [ "${o%%=*}" = "$p" ] && a=${o#*=}; done
			printf '&a.%s.%s=%s' "$c" "$p" "$a"
		done
	done
}
FORM="csrf=$CSRF&lang=en&name=Catrin+Williams&agree.$DOC=yes$(answers yes press=no)"
post "/sign/$TOKEN/check" "$FORM"
expect check_answers_page 200 'Catrin Williams'
once() { sed -n 's/.*name="once" value="\([A-Za-z0-9-]*\)".*/\1/p' "$TMP/body" | head -n 1; }
post "/sign/$TOKEN/confirm" "$FORM&once=$(once)"
[ "$status" = 303 ] && pass confirm_redirects || fail confirm_redirects "status $status"
LOC=$(sed -n 's/^Location: *\([^\r]*\).*/\1/ip' "$TMP/headers" | tr -d '\r')
get "$BASE$LOC"
expect confirmation_with_reference 200 'Catrin Williams'

$CTL export photo >"$TMP/photo.csv"
check export_shows_consent grep -q 'Siôn,Williams,website,consent,yes,1,' "$TMP/photo.csv"
check export_shows_refusal grep -q 'Siôn,Williams,press,consent,no,1,' "$TMP/photo.csv"
$CTL export declarations >"$TMP/decl.csv"
check export_shows_signature grep -q 'F1003,Catrin Williams,Catrin Williams,code-of-conduct,2026-09-01,en,.*,qr,' "$TMP/decl.csv"

# Come back with the same code and change one answer: press now yes.
post "/sign/$TOKEN/check" "csrf=$CSRF&lang=en&name=Catrin+Williams$(answers yes)"
post "/sign/$TOKEN/confirm" "csrf=$CSRF&lang=en&name=Catrin+Williams$(answers yes)&once=$(once)"
[ "$status" = 303 ] && pass change_answer || fail change_answer "status $status"
$CTL export photo >"$TMP/photo.csv"
check export_shows_change grep -q 'Siôn,Williams,press,consent,yes,1,' "$TMP/photo.csv"

# Withdraw website consent for the first child: two taps.
C1=$(echo "$CHILDREN" | head -n 1)
post "/sign/$TOKEN/withdraw" "csrf=$CSRF&lang=en&child=$C1&purpose=website"
expect withdraw_asks_to_confirm 200 'name="confirm"'
post "/sign/$TOKEN/withdraw" "csrf=$CSRF&lang=en&child=$C1&purpose=website&confirm=yes"
case $status in 200 | 303) pass withdraw_recorded ;; *) fail withdraw_recorded "status $status" ;; esac
$CTL export photo >"$TMP/photo.csv"
n=$(grep -c 'website,consent,no,1,' "$TMP/photo.csv")
[ "$n" = 1 ] && pass export_shows_withdrawal || fail export_shows_withdrawal "$(cat "$TMP/photo.csv")"

# A changed token, and a state change by GET, get nothing.
first=$(printf %.1s "$TOKEN")
other=A
[ "$first" = A ] && other=B
get "$BASE/sign/$other${TOKEN#?}"
[ "$status" = 404 ] && pass changed_token_404 || fail changed_token_404 "status $status"
check chain_verifies $CTL verify
kill $server
finish
