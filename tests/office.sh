#!/bin/sh
# Drives the office portal (build/office.fcgi) as plain CGI, one request per run, with the
# environment and standard input a web server would give it. The database is set up with
# the real consentctl (init, import, add-staff, tokens) and a site built by policygen.
# Prints "PASS name" / "FAIL name".
#
# Every response is also checked for the security headers, and refused requests for
# leaving the consent data (events, answers, signatures, tokens) as they were.
#
# Overrides: OFFICE (the program), CONSENTCTL, POLICYGEN.
. "$(dirname "$0")/lib.sh"

DB=$TMP/consent.db
PASSWORD='Llanfair-2026 office!'
need_programs office_setup "$OFFICE" "$CTL" "$POLICYGEN"

# Families with Welsh names and names a spreadsheet would run as formulas.
cat >"$TMP/families.csv" <<'CSV'
family_ref,child_ref,first_name,last_name,class,carers,language
F1,C11,Gwenllïan,Pritchard-Jones,Year 4,Elin Pritchard-Jones; Rhodri Jones,cy
F1,C12,Llŷr,Pritchard-Jones,Reception,Elin Pritchard-Jones; Rhodri Jones,cy
F2,C21,"=HYPERLINK(""http://evil.example"")",Smith,Year 4,Sarah Smith,en
F3,C31,Oliver,Brown,Year 4,Ann Brown,en
F4,C41,Siôn,Williams,Reception,Catrin Williams,cy
CSV
if ! demo_portal "$TMP/families.csv" office.one office.two >"$TMP/setup.log" 2>&1; then
	fail office_setup "$(tail -n 20 "$TMP/setup.log")"
	exit 1
fi
T1=$(token_of F1)
T2=$(token_of F2)
if [ -z "$T1" ] || [ -z "$T2" ]; then
	fail office_setup "consentctl tokens gave no tokens: $(cat "$TMP/tokens.csv")"
	exit 1
fi
pass office_setup
child_id() { q "SELECT id FROM child WHERE ref = '$1'"; }
C11=$(child_id C11)
C12=$(child_id C12)
C21=$(child_id C21)
C31=$(child_id C31)
CONSENT_PURPOSES=$(q "SELECT id FROM purpose WHERE basis = 'consent' ORDER BY position")
: >"$TMP/stderr.log"
: >"$TMP/headers.log"
ADDR=192.0.2.20

# req METHOD URI [BODY [CONTENT_TYPE]]: one request with $COOKIE, $HTTPS_ON and $ADDR
# (tests/lib.sh).
req() { cgi_run "$OFFICE" "$COOKIE" "$@"; }
# to_login NAME: the last response sent the browser to the login page.
to_login() {
	if [ "$status" = 303 ] && [ "$(header Location)" = /office/login ]; then
		pass "$1"
	else
		fail "$1" "status $status, Location '$(header Location)', want 303 to /office/login"
	fi
}
# The consent data, as a hash (sessions and throttles change on every request).
snap() {
	sqlite3 "$DB" "SELECT * FROM event ORDER BY id; SELECT * FROM answer ORDER BY child_id,
		purpose, signer_key; SELECT * FROM signature ORDER BY family_id, document_id,
		signer_key; SELECT * FROM token ORDER BY id;" | sha256sum
}
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

# login USER PASSWORD: the whole sign-in (form, then POST); leaves the session cookie's
# value in $SID ("" when none was set). Uses $HTTPS_ON.
login() {
	COOKIE=
	req GET /office/login
	pre=$(header Set-Cookie | sed -n 's/^\(__Host-\)\{0,1\}office-login=\([A-Z2-7]*\);.*/\2/p')
	lname=office-login
	[ -n "$HTTPS_ON" ] && lname=__Host-office-login
	form_csrf=$(csrf_of)
	COOKIE="$lname=$pre"
	req POST /office/login "csrf=$form_csrf&username=$1&password=$2"
	SID=$(header Set-Cookie | sed -n 's/^\(__Host-\)\{0,1\}office=\([A-Z2-7]\{26\}\);.*/\2/p')
}
PW=$(printf '%s' "$PASSWORD" | sed 's/ /+/g; s/!/%21/g')

# --- Signing in ---

req GET /office/login
expect login_form 200 'name="username"' 'type="password"' 'autocomplete="current-password"'
c=$(header Set-Cookie)
case "$c" in
office-login=*'; Path=/office/; HttpOnly; SameSite=Strict; Max-Age='*) pass login_form_cookie ;;
*) fail login_form_cookie "pre-login cookie: $c" ;;
esac

login office.one "$PW"
c=$(header Set-Cookie | grep '^office=')
if [ "$status" = 303 ] && [ "$(header Location)" = /office/ ] && [ -n "$SID" ]; then
	pass login_ok
else
	fail login_ok "status $status, Location $(header Location), cookie '$c'"
fi
case "$c" in
"office=$SID; Path=/office/; HttpOnly; SameSite=Strict") pass login_cookie_flags ;;
*) fail login_cookie_flags "session cookie over HTTP: $c" ;;
esac
if [ "$(q "SELECT count(*) FROM session WHERE hash = '$(sha "$SID")'")" = 1 ] &&
	[ "$(q "SELECT count(*) FROM session WHERE hash = '$SID'")" = 0 ]; then
	pass session_stored_hashed
else
	fail session_stored_hashed "the session table does not hold exactly the id's SHA-256"
fi
S1=$SID

HTTPS_ON=on
login office.two "$PW"
c=$(header Set-Cookie | grep '^__Host-office=')
case "$c" in
"__Host-office=$SID; Path=/; HttpOnly; SameSite=Strict; Secure") pass login_cookie_https ;;
*) fail login_cookie_https "session cookie over HTTPS: '$c'" ;;
esac
COOKIE="__Host-office=$SID"
req GET /office/
expect session_https 200 'Signed in as'
COOKIE="office=$SID"
req GET /office/
to_login https_needs_host_cookie
HTTPS_ON=

# A new id at every login.
COOKIE="office=$S1"
req GET /office/login
if [ "$status" = 303 ] && [ "$(header Location)" = /office/ ]; then
	pass login_page_when_signed_in
else
	fail login_page_when_signed_in "status $status"
fi
login office.one "$PW"
S2=$SID
if [ -n "$S2" ] && [ "$S2" != "$S1" ]; then pass login_new_id; else fail login_new_id "same id"; fi
COOKIE="office=$S2"
req GET /office/
expect second_session_works 200 'office.one'

# Signing in with an earlier session's cookie still in the browser ends that session.
COOKIE=
req GET /office/login
pre=$(header Set-Cookie | sed -n 's/^office-login=\([A-Z2-7]*\);.*/\1/p')
lc=$(csrf_of)
COOKIE="office=$S2; office-login=$pre"
req POST /office/login "csrf=$lc&username=office.one&password=$PW"
S3=$(header Set-Cookie | sed -n 's/^office=\([A-Z2-7]\{26\}\);.*/\1/p')
COOKIE="office=$S2"
req GET /office/
if [ -n "$S3" ] && [ "$S3" != "$S2" ] && [ "$status" = 303 ]; then
	pass login_ends_old_session
else
	fail login_ends_old_session "new id '$S3', old session status $status"
fi
SID=$S3

# Wrong password, unknown user: the same answer, and no session.
login office.one 'wrong+password'
expect login_wrong_password 200 'The user name or password is not right'
if header Set-Cookie | grep -q '^office='; then fail login_wrong_no_cookie "a session cookie"; else pass login_wrong_no_cookie; fi
login nobody.here 'wrong+password'
expect login_unknown_user 200 'The user name or password is not right'

# The login form's CSRF token.
req GET /office/login
pre=$(header Set-Cookie | sed -n 's/^office-login=\([A-Z2-7]*\);.*/\1/p')
COOKIE="office-login=$pre"
req POST /office/login "username=office.one&password=$PW"
expect login_csrf_missing 403
req POST /office/login "csrf=$(printf '%064d' 0)&username=office.one&password=$PW"
expect login_csrf_wrong 403
COOKIE=
req POST /office/login "csrf=$lc&username=office.one&password=$PW"
expect login_without_form_cookie 403

# Five failures from five addresses lock nobody out (issue 15: anyone could lock the
# office out); five from one address lock that name there for 15 minutes, whatever the
# password, but not from another address.
i=0
while [ $i -lt 5 ]; do
	ADDR=198.51.100.$((i + 1))
	login office.two "guess$i"
	i=$((i + 1))
done
ADDR=198.51.100.99
login office.two "$PW"
[ "$status" = 303 ] && [ -n "$SID" ] && pass login_five_addresses_lock_nobody ||
	fail login_five_addresses_lock_nobody "status $status"
ADDR=198.51.100.50
i=0
while [ $i -lt 5 ]; do
	login office.two "guess$i"
	i=$((i + 1))
done
login office.two "$PW"
if [ "$status" = 429 ] && [ -z "$SID" ] && [ -n "$(header Retry-After)" ] &&
	grep -qF 'Too many attempts' "$TMP/body"; then
	pass login_lockout
else
	fail login_lockout "status $status, Retry-After '$(header Retry-After)', cookie '$SID'"
fi
ADDR=198.51.100.99
login office.two "$PW"
[ "$status" = 303 ] && [ -n "$SID" ] && pass login_lockout_only_that_address ||
	fail login_lockout_only_that_address "status $status"
ADDR=198.51.100.50
login office.one "$PW"
if [ "$status" = 303 ] && [ -n "$SID" ]; then pass lockout_other_account_ok; else fail lockout_other_account_ok "status $status"; fi
ADDR=192.0.2.20
SID=$S3

# --- Every page needs a session ---

BEFORE=$(snap)
for page in /office/ /office/families '/office/families?q=Jones' /office/family/F1 \
	/office/letters '/office/letters?class=Year%204' '/office/nophoto?class=Year%204' \
	/office/export/declarations.csv /office/export/photo.csv /office/export/outstanding.csv \
	/office/unknown /office/family/F1/paper; do
	for cookie in '' 'office=AAAAAAAAAAAAAAAAAAAAAAAAAA' "office=$T1" 'office=garbage;'; do
		COOKIE=$cookie
		req GET "$page"
		if [ "$status" != 303 ] || [ "$(header Location)" != /office/login ]; then
			fail "no_session_get $page ($cookie)" "status $status"
			continue 2
		fi
	done
	pass "no_session_get $page"
done
for page in /office/logout /office/family/F1/paper /office/family/F1/reissue /office/letters; do
	COOKIE="office=$T1"
	req POST "$page" "csrf=$(printf '%064d' 0)&signer=X&class=Year+4"
	if [ "$status" = 303 ] && [ "$(header Location)" = /office/login ]; then
		pass "no_session_post $page"
	else
		fail "no_session_post $page" "status $status"
	fi
done
unchanged no_session_nothing_changed "$BEFORE"

# A family's token is no key to the office: not as a cookie, nor in the address.
COOKIE="office=$T1"
req GET "/office/?token=$T1"
to_login parent_token_cookie
COOKIE="__Host-office=$T1; office-login=$T1"
req GET /office/family/F1
to_login parent_token_host_cookie
COOKIE=
req GET "/office/family/$T1"
to_login parent_token_url
COOKIE="office=$SID"
req GET "/office/family/$T1"
expect parent_token_url_signed_in 404
req GET "/office/$T1"
expect parent_token_path 404

# --- Request rules ---

COOKIE="office=$SID"
for m in PUT DELETE OPTIONS; do
	req "$m" /office/
	if [ "$status" = 405 ] && [ "$(header Allow)" = "GET, HEAD, POST" ]; then pass "method_$m"
	else fail "method_$m" "status $status, Allow: $(header Allow)"; fi
done
# HEAD is GET without the body, as in the parents' portal (docs/decisions.md).
req HEAD /office/families
if [ "$status" = 200 ] && [ ! -s "$TMP/body" ]; then pass head_no_body; else
	fail head_no_body "status $status, body $(wc -c <"$TMP/body") bytes"; fi
req POST /office/families "csrf=x"
if [ "$status" = 405 ] && [ "$(header Allow)" = "GET, HEAD" ]; then pass post_on_get_405; else
	fail post_on_get_405 "status $status, Allow: $(header Allow)"; fi
req GET /office/family/F1
FORM_CSRF=$(csrf_of)
BEFORE=$(snap)
req POST /office/family/F1/paper "signer=Elin+Pritchard-Jones&answer.$C11.website=yes"
expect csrf_missing 403
req POST /office/family/F1/paper "csrf=$(printf '%064d' 0)&signer=Elin&answer.$C11.website=yes"
expect csrf_wrong 403
req POST /office/letters "class=Year+4"
expect csrf_missing_letters 403
req POST /office/family/F1/reissue ""
expect csrf_missing_reissue 403
req POST /office/logout ""
expect csrf_missing_logout 403
# another session's token
login office.one "$PW"
OTHER=$SID
COOKIE="office=$OTHER"
req POST /office/family/F1/paper "csrf=$FORM_CSRF&signer=Elin&answer.$C11.website=yes"
expect csrf_other_session 403
COOKIE="office=$S3"
req POST /office/family/F1/paper "csrf=$FORM_CSRF&signer=Elin&answer.$C11.website=yes" \
	'multipart/form-data; boundary=x'
expect form_multipart_refused 415
req POST /office/family/F1/paper "csrf=$FORM_CSRF&signer=Elin&evil=1"
expect form_unknown_field 400
req POST /office/family/F1/paper "csrf=$FORM_CSRF&signer=Elin&signer=Tom"
expect form_repeated_field 400
req POST "/office/family/F1/paper?x=1" "csrf=$FORM_CSRF&signer=Elin"
expect form_query_on_post 400
req POST /office/family/F1/paper "csrf=$FORM_CSRF&signer=Elin%00&answer.$C11.website=yes"
expect form_control_char 400
req GET '/office/families?q=x&token=1'
expect query_unknown_field 400
req GET '/office/families?q=%ZZ'
expect query_bad_escape 400
unchanged refused_nothing_changed "$BEFORE"

# --- Dashboard, search, family page ---

req GET /office/
expect dashboard 200 '<caption>' 'scope="row">Year 4</th>' 'scope="row">Reception</th>' \
	'Policy reviews' 'Overdue'
# Today's signed checkpoint, which consentctl verify accepts as a prefix of the log.
expect dashboard_checkpoint 200 'Checkpoint of the consent record' '/consent-log' '— '
sed -n '/<pre class="checkpoint-text">/,/<\/pre>/p' "$TMP/body" | sed '1s/.*<pre class="checkpoint-text">//' |
	sed '/<\/pre>/,$d' >"$TMP/checkpoint"
if "$CTL" --db "$DB" verify --checkpoint "$TMP/checkpoint" >"$TMP/cp.out" 2>&1; then
	pass dashboard_checkpoint_verifies
else
	fail dashboard_checkpoint_verifies "$(cat "$TMP/checkpoint" "$TMP/cp.out")"
fi
# The review dates come from the reviews.tsv policygen build wrote: the office reads no
# policy folder (the content here has none), and a damaged list costs only that table.
mkdir -p "$TMP/settings-only"
cp -R "$TOP/content/site.yaml" "$TOP/content/i18n" "$TOP/content/consent.yaml" "$TMP/settings-only/"
CONTENT=$TMP/settings-only
req GET /office/
expect dashboard_reads_no_policy_folder 200 'Policy reviews' 'Overdue' \
	'Social Media Code of Conduct for Parents and Carers'
CONTENT=$TOP/content
cp "$PORTAL/reviews.tsv" "$TMP/reviews.orig"
printf 'code-of-conduct\t2026-09-01\tSprng 2027\tTitle\n' >"$PORTAL/reviews.tsv"
req GET /office/
expect dashboard_damaged_reviews 200 'scope="row">Year 4</th>' 'No policies have been published.'
if grep -q 'reviews.tsv:1: not slug, version, review date and title' "$TMP/stderr.log"; then
	pass dashboard_damaged_reviews_logged
else
	fail dashboard_damaged_reviews_logged "$(tail -3 "$TMP/stderr.log")"
fi
cp "$TMP/reviews.orig" "$PORTAL/reviews.tsv"
req GET '/office/families?q=pritch'
expect search_name 200 '/office/family/F1"' 'Gwenllïan Pritchard-Jones'
req GET '/office/families?q=C31'
expect search_child_ref 200 '/office/family/F3"'
req GET '/office/families?q=F4'
expect search_family_ref 200 '/office/family/F4"'
req GET '/office/families?q=Ll%C5%B7r'
expect search_welsh 200 '/office/family/F1"'
req GET '/office/families?q=%25'
if [ "$status" = 200 ] && ! grep -q '/office/family/' "$TMP/body"; then pass search_percent_literal; else fail search_percent_literal "'%' matched families"; fi
req GET '/office/families?q=_'
if [ "$status" = 200 ] && ! grep -q '/office/family/' "$TMP/body"; then pass search_underscore_literal; else fail search_underscore_literal "'_' matched families"; fi
req GET "/office/families?q=$(printf 'x%.0s' $(seq 1 101))"
expect search_too_long 400
req GET '/office/families?class=Reception&missing=1'
expect search_class_missing 200 '/office/family/F1"' '/office/family/F4"'

req GET /office/family/F1
expect family_page 200 'Family F1' 'Gwenllïan Pritchard-Jones' 'Llŷr Pritchard-Jones' \
	'Elin Pritchard-Jones; Rhodri Jones' 'History' '<td>QR code</td>' 'Record a paper form'
req GET /office/family/F99
expect family_unknown 404
req GET '/office/family/F1%27'
expect family_bad_ref 404

# --- Paper answers ---

yes_all() { for p in $CONSENT_PURPOSES; do printf '&answer.%s.%s=yes' "$1" "$p"; done; }
BEFORE=$(snap)
req GET /office/family/F1
FORM_CSRF=$(csrf_of)
FORM_ONCE=$(once_of)
# Without the page's once-only value (or with a wrong one) a paper form does nothing.
req POST /office/family/F1/paper "csrf=$FORM_CSRF&signer=Rhodri+Jones&answer.$C11.website=yes"
expect paper_without_once 400 'nothing was done'
req POST /office/family/F1/paper "csrf=$FORM_CSRF&once=${FORM_ONCE%?}x&signer=Rhodri+Jones&answer.$C11.website=yes"
expect paper_wrong_once 400
unchanged paper_without_once_nothing_changed "$BEFORE"
FORM_CSRF="$FORM_CSRF&once=$FORM_ONCE"
req POST /office/family/F1/paper "csrf=$FORM_CSRF&signer=+++&answer.$C11.website=yes"
expect paper_no_name 400 'There is a problem' 'href="#signer"'
req POST /office/family/F1/paper "csrf=$FORM_CSRF&signer=Rhodri+Jones"
expect paper_nothing 400 'Choose at least one answer'
req POST /office/family/F1/paper "csrf=$FORM_CSRF&signer=Rhodri+Jones&answer.$C21.website=yes"
expect paper_other_familys_child 403
req POST /office/family/F1/paper "csrf=$FORM_CSRF&signer=Rhodri+Jones&answer.$C11.website=maybe"
expect paper_bad_answer 400
req POST /office/family/F1/paper "csrf=$FORM_CSRF&signer=Rhodri+Jones&answer.$C11.nosuch=yes"
expect paper_unknown_purpose 400
req POST /office/family/F1/paper "csrf=$FORM_CSRF&signer=Rhodri+Jones&sign.nosuch=en"
expect paper_unknown_policy 400
unchanged paper_refused_nothing_changed "$BEFORE"

req POST /office/family/F1/paper \
	"csrf=$FORM_CSRF&signer=Rhodri+Jones&sign.code-of-conduct=cy&answer.$C11.website=yes&answer.$C11.press=no&answer.$C12.website=no"
loc=$(header Location)
case "$status $loc" in
"303 /office/family/F1?done="*) pass paper_recorded ;;
*) fail paper_recorded "status $status, Location $loc: $(head -c 400 "$TMP/body")" ;;
esac
# The same form sent again (a reload of the POST): the same reference, nothing more.
e1=$(q "SELECT count(*) FROM event")
req POST /office/family/F1/paper \
	"csrf=$FORM_CSRF&signer=Rhodri+Jones&sign.code-of-conduct=cy&answer.$C11.website=yes&answer.$C11.press=no&answer.$C12.website=no"
if [ "$status" = 303 ] && [ "$(header Location)" = "$loc" ] && [ "$(q "SELECT count(*) FROM event")" = "$e1" ]; then
	pass paper_resent_recorded_once
else
	fail paper_resent_recorded_once "status $status, $(header Location) vs $loc, events $e1 then $(q "SELECT count(*) FROM event")"
fi
req GET "$loc"
PAPER_REF=${loc#*done=}
PAPER_ID=${PAPER_REF%%-*}
# The evidence page of that paper form, linked from the family's history.
if grep -qF "href=\"/office/family/F1/evidence?s=$PAPER_ID\"" "$TMP/body"; then pass evidence_linked; else
	fail evidence_linked "no link to /office/family/F1/evidence?s=$PAPER_ID"; fi
cp "$TMP/body" "$TMP/family.html"
req GET "/office/family/F1/evidence?s=$PAPER_ID"
expect evidence_page 200 "Evidence for submission $PAPER_REF" 'Rhodri Jones' 'Paper form' \
	'entered by office.one' "$(q "SELECT sha256 FROM document WHERE slug = 'code-of-conduct' AND lang = 'cy' ORDER BY version DESC LIMIT 1")" \
	"$(q "SELECT hash FROM event WHERE id = $PAPER_ID")" 'Gwenllïan' 'event-v2' 'How to check this'
# One submission event, and from its data the document signed and each of the three
# answers (with the purpose's title and the answer), each pointing at that event.
rows=$(grep -c "<td>$PAPER_ID</td></tr>" "$TMP/body")
sections=$(grep -c "<section class=\"evidence-event\"" "$TMP/body")
answers=$(grep -c "<tr><th scope=\"row\">[^<]* <span class=\"hint\">([^)]*)</span></th><td>[^<]*</td><td>\\(Yes\\|No\\)</td><td>$PAPER_ID</td></tr>" "$TMP/body")
if [ "$rows" = 4 ] && [ "$sections" = 1 ] && [ "$answers" = 3 ]; then
	pass evidence_shows_each_answer
else
	fail evidence_shows_each_answer "rows $rows, event sections $sections, answers: $answers"
fi
# Each event's canonical text, as printed, hashes to the SHA-256 printed beside it.
if /usr/bin/python3 - "$TMP/body" <<'PY'
import hashlib, html, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
events = re.findall(r'<dt>SHA-256</dt><dd><code class="hash">([0-9a-f]{64})</code>.*?<pre class="checkpoint-text">(.*?)</pre>', page, re.S)
assert events, "no events"
for h, canon in events:
    assert hashlib.sha256(html.unescape(canon).encode()).hexdigest() == h, h
PY
then pass evidence_canonical_text_hashes; else fail evidence_canonical_text_hashes "a printed hash is not the SHA-256 of its text"; fi
req GET "/office/family/F2/evidence?s=$PAPER_ID"
expect evidence_other_family 404
req GET "/office/family/F1/evidence?s=1"
expect evidence_not_a_submission 404
req GET "/office/family/F1/evidence?s=x1"
expect evidence_malformed 404
cp "$TMP/family.html" "$TMP/body"
status=200
expect paper_on_family_page 200 'The paper form is recorded' 'Paper form</td><td>office.one</td>' \
	'<th scope="row">Rhodri Jones</th>'
if [ "$(q "SELECT count(*) FROM answer WHERE channel = 'paper' AND staff = 'office.one'")" = 3 ] &&
	[ "$(q "SELECT count(*) FROM event WHERE channel = 'paper' AND staff = 'office.one'")" = 1 ] &&
	[ "$(q "SELECT json_array_length(data) FROM event WHERE channel = 'paper' AND staff = 'office.one' AND kind = 'submission'")" = 4 ]; then
	pass paper_stored_with_staff
else
	fail paper_stored_with_staff "$(q "SELECT * FROM answer")"
fi
# A formula as a carer's name, and everything answered for one child.
req POST /office/family/F3/paper "csrf=$FORM_CSRF&signer=%3DSUM%281%2B1%29&sign.code-of-conduct=en$(yes_all "$C31")"
expect paper_formula_name 303
if "$CTL" --db "$DB" verify >"$TMP/verify.out" 2>&1; then pass paper_chain_verifies; else fail paper_chain_verifies "$(cat "$TMP/verify.out")"; fi

# --- Exports ---

req GET /office/export/declarations.csv
if [ "$status" = 200 ] && [ "$(header Content-Type)" = 'text/csv; charset=utf-8' ] &&
	header Content-Disposition | grep -q '^attachment; filename="declarations-[0-9-]*\.csv"$'; then
	pass export_headers
else
	fail export_headers "status $status, $(header Content-Type), $(header Content-Disposition)"
fi
if [ "$(head -c 3 "$TMP/body" | od -An -tx1 | tr -d ' ')" = efbbbf ]; then pass export_bom; else fail export_bom "no byte order mark"; fi
expect export_declarations_paper 200 ',paper,office.one' 'Rhodri Jones' 'Pritchard-Jones'
expect export_declarations_formula 200 "\"'=SUM(1+1)\""
if grep -q '^=' "$TMP/body" || grep -q ',=' "$TMP/body"; then fail export_no_bare_formula "a cell starts with ="; else pass export_no_bare_formula; fi
req GET /office/export/photo.csv
expect export_photo_welsh 200 'Gwenllïan' 'Llŷr' 'Siôn'
expect export_photo_formula 200 "\"'=HYPERLINK(\"\"http://evil.example\"\")\""
if grep -q "^Year 4,C11,Gwenllïan,Pritchard-Jones,website,consent,yes,1,\"Rhodri Jones: yes (paper, office.one)\"," "$TMP/body" &&
	grep -q "^Year 4,C11,Gwenllïan,Pritchard-Jones,press,consent,no,1," "$TMP/body" &&
	grep -q "^Reception,C12,Llŷr,Pritchard-Jones,website,consent,no,1," "$TMP/body"; then
	pass export_photo_paper_answers
else
	fail export_photo_paper_answers "$(grep C1 "$TMP/body")"
fi
req GET /office/export/outstanding.csv
expect export_outstanding 200 'F4' 'Catrin Williams'
if grep -q '^F3,' "$TMP/body"; then fail export_outstanding_done "F3 answered everything"; else pass export_outstanding_done; fi
req GET /office/export/secrets.csv
expect export_unknown 404

# --- Who must not be photographed ---

req GET '/office/nophoto?class=Year%204'
expect nophoto_sheet 200 'Who must not be photographed: Year 4' 'Gwenllïan Pritchard-Jones' \
	'<th scope="row">=HYPERLINK(&quot;http://evil.example&quot;) Smith</th>' 'NO'
if grep -q 'Oliver Brown' "$TMP/body"; then fail nophoto_consented_not_listed "Oliver has consent for everything"; else pass nophoto_consented_not_listed; fi
req GET /office/nophoto
expect nophoto_choose 200 'nophoto?class=Year%204'

# Two carers through the parents' portal: Ann objects to displays for Oliver, Tom sends only
# his own website answer; Oliver is on the sheet until Ann withdraws her objection, and no
# event puts an answer in Tom's name that he did not give.
if [ -x "${SIGN:-$BUILD/sign.fcgi}" ]; then
	T3=$(token_of F3)
	sreq() {
		printf '%s' "${2-}" >"$TMP/sin"
		env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 CONSENT_DB="$DB" CONSENT_SITE="$SITE" \
			CONSENT_CONTENT="$TOP/content" CONSENT_TEMPLATES="$TOP/templates" \
			REQUEST_METHOD=POST REQUEST_URI="/sign/$T3/$1" REMOTE_ADDR=192.0.2.78 \
			CONTENT_LENGTH="$(wc -c <"$TMP/sin" | tr -d ' ')" \
			CONTENT_TYPE=application/x-www-form-urlencoded "${SIGN:-$BUILD/sign.fcgi}" \
			<"$TMP/sin" 2>/dev/null | sed '1,/^\r$/d' >"$TMP/sbody"
	}
	env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 CONSENT_DB="$DB" CONSENT_SITE="$SITE" \
		CONSENT_CONTENT="$TOP/content" CONSENT_TEMPLATES="$TOP/templates" REQUEST_METHOD=GET \
		REQUEST_URI="/sign/$T3/answer?lang=en" REMOTE_ADDR=192.0.2.78 \
		"${SIGN:-$BUILD/sign.fcgi}" </dev/null 2>/dev/null | sed '1,/^\r$/d' >"$TMP/sbody"
	SC=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$TMP/sbody" | head -n 1)
	send3() {
		sreq check "csrf=$SC&lang=en&$1"
		sreq confirm "csrf=$SC&lang=en&$1&once=$(sed -n 's/.*name="once" value="\([A-Za-z0-9-]*\)".*/\1/p' "$TMP/sbody" | head -n 1)"
	}
	nophoto_has_oliver() {
		req GET '/office/nophoto?class=Year%204'
		grep -q 'Oliver Brown' "$TMP/body"
	}
	send3 "name=Ann+Brown&a.$C31.displays=no"
	if nophoto_has_oliver; then pass two_carers_objection_on_sheet; else
		fail two_carers_objection_on_sheet "Oliver is not on the no-photo sheet after Ann objected"; fi
	send3 "name=Tom+Brown&a.$C31.website=yes"
	if [ "$(q "SELECT group_concat(purpose || '=' || answer) FROM answer WHERE signer_key = 'tom brown'")" = website=yes ] &&
		[ "$(q "SELECT group_concat(data) FROM event WHERE signer = 'Tom Brown'")" = "[[\"answer\",$C31,\"website\",\"yes\"]]" ]; then
		pass two_carers_second_carer_only_own
	else
		fail two_carers_second_carer_only_own "$(q "SELECT purpose, answer FROM answer WHERE signer_key = 'tom brown'")"
	fi
	send3 "name=Ann+Brown&a.$C31.displays=yes"
	if nophoto_has_oliver; then fail two_carers_withdrawn_off_sheet "Oliver is still on the no-photo sheet"; else
		pass two_carers_withdrawn_off_sheet; fi
	req GET /office/family/F3
	expect two_carers_office_family_page 200 'Ann Brown' 'Tom Brown'
fi

# --- Letters and new QR codes ---

BEFORE=$(snap)
req GET '/office/letters?class=Reception&outstanding=1'
expect letters_confirm 200 'gives the family a new QR code' 'name="outstanding" value="1"' \
	'/office/family/F4"'
unchanged letters_confirm_changes_nothing "$BEFORE"
LC=$(csrf_of)
LO=$(once_of)
req POST /office/letters "csrf=$LC&once=$LO"
expect letters_need_filter 400
req POST /office/letters "csrf=$LC&class=Reception&outstanding=1"
expect letters_without_once 400 'nothing was done'
unchanged letters_without_once_nothing_changed "$BEFORE"
req POST /office/letters "csrf=$LC&once=$LO&class=Reception&outstanding=1"
n=$(grep -c 'class="letter"' "$TMP/body")
if [ "$status" = 200 ] && [ "$n" = 2 ] && grep -q '<svg' "$TMP/body" &&
	grep -qF 'rel="stylesheet" href="/style.css"' "$TMP/body"; then
	pass letters_printed
else
	fail letters_printed "status $status, $n letters"
fi
T4NEW=$(sed -n 's|.*class="url">[^<]*/sign/\([A-Z2-7]\{26\}\)<.*|\1|p' "$TMP/body" | head -n 1)
if [ -n "$T4NEW" ] &&
	[ "$(q "SELECT count(*) FROM token WHERE hash = '$(sha "$T4NEW")' AND revoked_at IS NULL")" = 1 ] &&
	[ "$(q "SELECT count(*) FROM token WHERE hash = '$(sha "$T1")' AND revoked_at IS NULL")" = 0 ]; then
	pass letters_reissue_tokens
else
	fail letters_reissue_tokens "the letters' links are not the families' live tokens"
fi
# Reloading the printed letters sends the same form again: no new codes, the letters just
# printed still work, and the browser is sent to a page that says so.
BEFORE=$(snap)
req POST /office/letters "csrf=$LC&once=$LO&class=Reception&outstanding=1"
redirected letters_reload_redirected '/office/letters?again=1'
unchanged letters_reload_no_new_codes "$BEFORE"
req GET '/office/letters?again=1'
expect letters_reload_explained 200 'no new QR codes were made'

old=$(sha "$T2")
req GET /office/family/F2
RC=$(csrf_of)
RO=$(once_of)
BEFORE=$(snap)
req POST /office/family/F2/reissue "csrf=$RC"
expect reissue_without_once 400
unchanged reissue_without_once_nothing_changed "$BEFORE"
req POST /office/family/F2/reissue "csrf=$RC&once=$RO"
new=$(sed -n 's|.*class="url">[^<]*/sign/\([A-Z2-7]\{26\}\)<.*|\1|p' "$TMP/body")
if [ "$status" = 200 ] && [ -n "$new" ] && [ "$new" != "$T2" ] && grep -q '<svg' "$TMP/body"; then
	pass reissue_letter
else
	fail reissue_letter "status $status, token '$new'"
fi
if [ "$(q "SELECT count(*) FROM token WHERE hash = '$old'")" = 1 ] &&
	[ "$(q "SELECT count(*) FROM token WHERE hash = '$old' AND revoked_at IS NULL")" = 0 ] &&
	[ "$(q "SELECT count(*) FROM token WHERE hash = '$(sha "$new")' AND revoked_at IS NULL")" = 1 ] &&
	[ "$(q "SELECT staff FROM event WHERE kind = 'token' ORDER BY id DESC LIMIT 1")" = office.one ]; then
	pass reissue_revokes_old
else
	fail reissue_revokes_old "$(q "SELECT * FROM token WHERE family_id = (SELECT id FROM family WHERE ref = 'F2')")"
fi
cp "$TMP/body" "$TMP/reissue.html"
BEFORE=$(snap)
req POST /office/family/F2/reissue "csrf=$RC&once=$RO"
redirected reissue_reload_redirected '/office/family/F2?again=1'
unchanged reissue_reload_no_new_code "$BEFORE"
req GET '/office/family/F2?again=1'
expect reissue_reload_explained 200 'no new QR codes were made'
cp "$TMP/reissue.html" "$TMP/body"
if [ -x "${SIGN:-$BUILD/sign.fcgi}" ]; then
	for t in "$T2:old" "$new:new"; do
		env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 CONSENT_DB="$DB" CONSENT_PORTAL="$PORTAL" \
			CONSENT_CONTENT="$TOP/content" CONSENT_TEMPLATES="$TOP/templates" \
			REQUEST_METHOD=GET REQUEST_URI="/sign/${t%:*}" REMOTE_ADDR=192.0.2.77 \
			"${SIGN:-$BUILD/sign.fcgi}" </dev/null >"$TMP/sign.${t#*:}" 2>/dev/null
	done
	if grep -q 'HYPERLINK' "$TMP/sign.new" && ! grep -q 'HYPERLINK' "$TMP/sign.old"; then
		pass reissue_old_token_unknown_to_portal
	else
		fail reissue_old_token_unknown_to_portal "$(head -n 1 "$TMP/sign.old") / $(head -n 1 "$TMP/sign.new")"
	fi
fi

# --- A family that has left gets no new code from the office ---
q "UPDATE child SET left_on = '2026-11-21' WHERE family_id = (SELECT id FROM family WHERE ref = 'F4');
	UPDATE family SET left_on = '2026-11-21' WHERE ref = 'F4'"
req GET /office/family/F4
LFC=$(csrf_of)
LFO=$(once_of)
BEFORE=$(snap)
req POST /office/family/F4/reissue "csrf=$LFC&once=$LFO"
expect reissue_left_family_refused 400 'has left the school'
req GET '/office/letters?family=F4'
expect letters_left_family_none 200 'No families match' 'has left the school, so it gets no new QR code'
unchanged left_family_no_new_code "$BEFORE"

# --- Signing out ---

COOKIE="office=$S3"
req GET /office/
LOGOUT_CSRF=$(csrf_of)
req POST /office/logout "csrf=$LOGOUT_CSRF"
if [ "$status" = 303 ] && [ "$(header Location)" = '/office/login?out=1' ] &&
	header Set-Cookie | grep -q '^office=; Path=/office/; HttpOnly; SameSite=Strict; Max-Age=0$'; then
	pass logout
else
	fail logout "status $status, $(header Set-Cookie)"
fi
req GET /office/
to_login logout_cookie_refused
if [ "$(q "SELECT revoked FROM session WHERE hash = '$(sha "$S3")'")" = 1 ]; then pass logout_revoked_server_side; else fail logout_revoked_server_side "session not revoked"; fi
COOKIE=
req GET '/office/login?out=1'
expect logout_message 200 'You have signed out'

# A portal that cannot start (no database) answers 503, as the parents' portal does.
keep_db=$DB
DB=$TMP/no-such.db
req GET /office/login
expect unavailable_without_database 503 'The office portal is not set up'
DB=$keep_db
# A sandbox that cannot be entered: 503, as in the parents' portal (docs/decisions.md).
sandbox_refused sandbox_refused_503 "$OFFICE" /office/login 'The office portal is not set up'

if [ -s "$TMP/headers.log" ]; then fail security_headers "$(cat "$TMP/headers.log")"; else pass security_headers; fi
finish
