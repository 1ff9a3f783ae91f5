#!/bin/sh
# Drives the parents' portal (build/sign.fcgi) as plain CGI, one request per run, with the
# environment and standard input a web server would give it, against a database made by
# tests/sign-fixture.c and a site built by policygen. Prints "PASS name" / "FAIL name".
#
# Every response is also checked for the security headers, and every refused request
# for leaving the database as it was (a hash of `sqlite3 DB .dump`; the throttle table
# is left out where a failed token look-up is meant to count).
#
# Overrides: SIGN (the program), SIGN_FIXTURE, POLICYGEN.
. "$(dirname "$0")/lib.sh"

FIXTURE=${SIGN_FIXTURE:-$BUILD/tests/sign-fixture}
DB=$TMP/consent.db
need_programs sign_setup "$SIGN" "$FIXTURE" "$POLICYGEN"
if ! demo_site >"$TMP/policygen.log" 2>&1; then
	fail sign_setup "policygen build failed: $(cat "$TMP/policygen.log")"
	exit 1
fi
if ! tokens=$("$FIXTURE" "$DB" "$TOP/content" "$PORTAL" 2>"$TMP/fixture.log"); then
	fail sign_setup "sign-fixture failed: $(cat "$TMP/fixture.log")"
	exit 1
fi
set -- $tokens
T1=$1 # family 1: Ffion (11), Osian (12)
T2=$2 # family 2: Cai (21), Welsh
TR=$3 # family 1's revoked token
ADDR=192.0.2.10
: >"$TMP/stderr.log"

# req METHOD URI [BODY [CONTENT_TYPE [CONTENT_LENGTH]]]: one request (tests/lib.sh).
req() { cgi_run "$SIGN" "" "$@"; }

# refused NAME STATUS [TEXT...]: as expect, and the database is still $BEFORE (by $SNAP).
SNAP=snap
refused() {
	expect "$@" || return 1
	if [ "$($SNAP)" != "$BEFORE" ]; then
		fail "$1_stored_nothing" "the database changed"
		BEFORE=$($SNAP)
	fi
}

# The database, as a hash; snap_nothrottle leaves out the failed-look-up counts.
snap() { sqlite3 "$DB" .dump | sha256sum; }
snap_nothrottle() { sqlite3 "$DB" .dump | grep -v '^INSERT INTO throttle' | sha256sum; }

DOC=$(doc en)
OLDDOC=$(q "SELECT min(id) FROM document WHERE slug = 'code-of-conduct'")
PURPOSES=$(q "SELECT id FROM purpose ORDER BY position")

# confirm_via TOKEN BODY: the check page for BODY, then Confirm with the once-only value
# that page issued, as a browser sends it. Leaves the response to Confirm.
confirm_via() {
	req POST "/sign/$1/check" "$2"
	_once=$(once_of)
	req POST "/sign/$1/confirm" "$2&once=$_once"
}

# --- The family's page, the code of conduct, the form -------------------------------

req GET "/SIGN/$T1"
expect family_page 200 '<html lang="en">' 'Ffion' 'Osian' 'Not signed yet' \
	'Social Media Code of Conduct' 'aria-current="true">English' "/sign/$T1/answer?lang=en"
if grep -q Aled "$TMP/body"; then fail family_page_left_child "a child who left is shown"; else
	pass family_page_left_child; fi
if grep -q 'checked' "$TMP/body"; then fail family_page_nothing_given "shows an answer"; else
	pass family_page_nothing_given; fi
BEFORE=$(snap)

lower=$(printf '%s' "$T1" | tr 'A-Z' 'a-z')
req GET "/sign/$lower/"
expect family_page_lower_case 200 'Ffion'

req HEAD "/sign/$T1"
if [ "$status" = 200 ] && [ ! -s "$TMP/body" ]; then pass head_no_body; else
	fail head_no_body "status $status, body $(wc -c <"$TMP/body") bytes"; fi

req GET "/sign/$T1/conduct"
version=$(q "SELECT version FROM document WHERE id = $DOC")
text=$PORTAL/texts/code-of-conduct/$version.en.html
off=$(grep -b -o '<article' "$TMP/body" | head -n 1 | cut -d: -f1)
if [ "$status" = 200 ] && [ -n "$off" ] &&
	tail -c +$((off + 1)) "$TMP/body" | head -c "$(wc -c <"$text")" | cmp -s - "$text"; then
	pass conduct_exact_bytes
else
	fail conduct_exact_bytes "status $status; the page does not hold the signable text byte for byte"
fi
# ... and that text is the very body the published site shows for that version.
site_body "$SITE/en/policies/code-of-conduct/$version/index.html" >"$TMP/site-body"
sed -n '/^<article/,/^<p class="declaration">/p' "$TMP/body" | sed '1,2d;$d' >"$TMP/portal-body"
if [ -s "$TMP/site-body" ] && cmp -s "$TMP/site-body" "$TMP/portal-body"; then
	pass conduct_same_text_as_site
else
	fail conduct_same_text_as_site "$(diff "$TMP/site-body" "$TMP/portal-body" | head -10)"
fi
expect conduct_page 200 'I have read the Social Media Code of Conduct' "/sign/$T1/answer?lang=en"

req GET "/sign/$T1/conduct?lang=cy"
expect conduct_welsh 200 '<html lang="cy">' '<article lang="cy"' 'Cod Ymddygiad y Cyfryngau'

cp "$text" "$TMP/text.orig"
printf ' ' >>"$text"
req GET "/sign/$T1/conduct"
if [ "$status" = 503 ] && ! grep -q '<article' "$TMP/body"; then pass conduct_hash_mismatch_refused
else fail conduct_hash_mismatch_refused "status $status for a text that does not match"; fi
cp "$TMP/text.orig" "$text"

req GET "/sign/$T1/answer"
expect answer_form 200 'name="csrf"' "name=\"agree.$DOC\"" 'name="a.11.website"' \
	'type="radio"' '<legend' '<label class="label" for="name">' 'I object' \
	'Yes, I give consent' 'action="/sign/'"$T1"'/check"'
CSRF=$(csrf_of)
if grep -q ' checked' "$TMP/body"; then fail answer_form_nothing_preticked "an input is checked"
else pass answer_form_nothing_preticked; fi
inputs=$(grep -c '<input type="\(radio\|checkbox\)"' "$TMP/body")
labels=$(grep -c '<label for="' "$TMP/body")
if [ "$inputs" -gt 0 ] && [ "$inputs" = "$labels" ]; then pass answer_form_labels; else
	fail answer_form_labels "$inputs radios and checkboxes, $labels labels"; fi

# --- Errors, check, confirm ---------------------------------------------------------

req POST "/sign/$T1/check" "csrf=$CSRF&lang=en"
expect form_errors 200 'class="error-summary"' 'href="#name"' "href=\"#agree.$DOC\"" \
	'href="#a.11.website"' 'Enter your full name' 'id="name-error"' \
	'<title>Error: ' 'Select whether you object for Ffion: Displays'
unchanged form_errors_store_nothing "$BEFORE"

long=$(printf '%0150d' 0 | tr 0 a)
req POST "/sign/$T1/check" "csrf=$CSRF&lang=en&name=$long&agree.$DOC=yes$(answers 11 yes)$(answers 12 no)"
expect form_name_too_long 200 'class="error-summary"' 'Your name must be 100 characters or fewer'

FULL="csrf=$CSRF&lang=en&name=Si%C3%A2n+Jones&agree.$DOC=yes$(answers 11 yes)$(answers 12 no)"
req POST "/sign/$T1/check" "$FULL"
expect check_page 200 'Check your answers' 'Siân Jones' 'action="/sign/'"$T1"'/confirm"' \
	'type="hidden" name="a.12.press" value="no"' "name=\"agree.$DOC\" value=\"yes\"" \
	'formaction="/sign/'"$T1"'/answer#a.11.press"' 'Confirm and send'
unchanged check_stores_nothing "$BEFORE"

req POST "/sign/$T1/answer" "$FULL"
expect change_from_check_page 200 'value="Siân Jones"' 'checked'

# Confirm is refused without the once-only value the check page issues, or with one made
# up or another family's: nothing is stored.
BEFORE=$(snap)
req POST "/sign/$T1/confirm" "$FULL"
refused confirm_without_once 400 'not sent from the check-your-answers page'
req POST "/sign/$T1/confirm" "$FULL&once=AAAAAAAAAAAAAAAAAAAAAAAAAA-$(printf '%064d' 0)"
refused confirm_made_up_once 400
req POST "/sign/$T1/check" "$FULL"
GOOD_ONCE=$(once_of)
last=$(printf '%s' "$GOOD_ONCE" | tail -c 1)
if [ "$last" = 0 ]; then bad_once="${GOOD_ONCE%?}1"; else bad_once="${GOOD_ONCE%?}0"; fi
req POST "/sign/$T1/confirm" "$FULL&once=$bad_once"
refused confirm_once_wrong_last_byte 400

confirm_via "$T1" "$FULL"
loc=$(header Location)
case $loc in
"/sign/$T1/done?ref="*"&lang=en") expect confirm_303 303 ;;
*) fail confirm_303 "status $status, Location '$loc'" ;;
esac
n=$(q "SELECT count(*) FROM answer WHERE signer = 'Siân Jones' AND channel = 'qr'")
s=$(q "SELECT count(*) FROM signature WHERE document_id = $DOC AND signer_key = 'siân jones'")
# One event for the submission, its data listing the signature and the 12 answers.
e=$(q "SELECT count(*) FROM event WHERE kind IN ('sign', 'answer')")/$(q "SELECT count(*) FROM event WHERE kind = 'submission'")/$(q "SELECT json_array_length(data) FROM event WHERE kind = 'submission'")
if [ "$n" = 12 ] && [ "$s" = 1 ] && [ "$e" = 0/1/13 ]; then pass confirm_records; else
	fail confirm_records "answers $n, signatures $s, events $e"; fi
REF=${loc#*ref=}
REF=${REF%%&*}

# Confirm tapped twice: the check page's once-only value makes the second tap give back
# the first submission's reference, recording nothing more.
req POST "/sign/$T1/check" "$FULL"
ONCE=$(once_of)
req POST "/sign/$T1/confirm" "$FULL&once=$ONCE"
loc1=$(header Location)
e1=$(q "SELECT count(*) FROM event")
req POST "/sign/$T1/confirm" "$FULL&once=$ONCE"
loc2=$(header Location)
e2=$(q "SELECT count(*) FROM event")
if [ -n "$ONCE" ] && [ "$status" = 303 ] && [ "$loc1" = "$loc2" ] && [ "$e1" = "$e2" ]; then
	pass confirm_twice_recorded_once
else
	fail confirm_twice_recorded_once "once '$ONCE', status $status, '$loc1' vs '$loc2', events $e1 then $e2"
fi

req GET "$loc"
expect confirmation_page 200 "$REF" 'Answers sent' 'Siân Jones' 'Ffion' 'Osian' \
	'Consent given' 'No consent' 'Objects' 'Social Media Code of Conduct'
req GET "/sign/$T2/done?ref=$REF&lang=en"
expect confirmation_other_family 404 'We could not find this confirmation'

req GET "/sign/$T1"
expect family_page_after 200 'Signed by Siân Jones' 'Consent given' 'Withdraw consent' \
	'Change your answers'

# Coming back: nothing is selected (a carer's record holds only what they choose); each
# question lists the answers already given. Change one.
req GET "/sign/$T1/answer"
expect answer_returning 200 'answers your family has already given' 'Already answered:' \
	'Siân Jones: Consent given'
if grep -q ' checked' "$TMP/body"; then fail answer_returning_nothing_selected "an input is checked"
else pass answer_returning_nothing_selected; fi
confirm_via "$T1" "csrf=$CSRF&lang=en&name=si%C3%A2n+jones$(answers 11 yes | sed 's/a\.11\.website=yes/a.11.website=no/')$(answers 12 no)"
if [ "$status" = 303 ] &&
	[ "$(q "SELECT permitted FROM effective WHERE child_id = 11 AND purpose = 'website'")" = 0 ] &&
	[ "$(q "SELECT count(*) FROM answer WHERE child_id = 11 AND purpose = 'website'")" = 1 ] &&
	[ "$(q "SELECT count(*) FROM signature")" = 1 ]; then
	pass change_answer
else
	fail change_answer "status $status; website for Ffion not changed to no by the same carer"
fi

# A second carer, whose name holds markup: escaped on every page.
SCRIPT='Gareth+%3Cscript%3Ealert(1)%3C%2Fscript%3E'
confirm_via "$T1" "csrf=$CSRF&lang=en&name=$SCRIPT$(answers 11 yes)$(answers 12 yes)"
loc=$(header Location)
req GET "$loc"
if [ "$status" = 200 ] && grep -qF 'Gareth &lt;script&gt;alert(1)&lt;/script&gt;' "$TMP/body" &&
	! grep -q '<script' "$TMP/body"; then
	pass name_escaped_on_confirmation
else
	fail name_escaped_on_confirmation "status $status; the typed name is not escaped"
fi
req GET "/sign/$T1"
if grep -q '<script' "$TMP/body"; then fail name_escaped_on_family_page "raw <script>"; else
	pass name_escaped_on_family_page; fi
if [ "$(q "SELECT permitted FROM effective WHERE child_id = 12 AND purpose = 'press'")" = 0 ] &&
	[ "$(q "SELECT permitted FROM effective WHERE child_id = 11 AND purpose = 'press'")" = 1 ]; then
	pass two_carers_most_restrictive
else
	fail two_carers_most_restrictive "the effective answers do not follow the more careful carer"
fi

# --- Withdraw in two taps ----------------------------------------------------------

BEFORE=$(snap)
req POST "/sign/$T1/withdraw" "csrf=$CSRF&lang=en&child=11&purpose=press"
expect withdraw_asks 200 'Do you want to withdraw consent?' 'name="confirm" value="yes"' \
	'Local newspapers and media'
unchanged withdraw_ask_stores_nothing "$BEFORE"
req POST "/sign/$T1/withdraw" "csrf=$CSRF&lang=en&child=11&purpose=press&confirm=yes"
loc=$(header Location)
if [ "$status" = 303 ] &&
	[ "$(q "SELECT permitted FROM effective WHERE child_id = 11 AND purpose = 'press'")" = 0 ] &&
	[ "$(q "SELECT count(*) FROM event WHERE kind = 'withdraw'")" = 2 ]; then
	pass withdraw
else
	fail withdraw "status $status; consent for press not withdrawn for both carers"
fi
req GET "$loc"
expect withdraw_confirmation 200 'Consent withdrawn' 'Local newspapers and media'

# Objecting to a public-task purpose is not withdrawing consent: its own title, heading,
# button and result, in both languages.
req GET "/sign/$T1?lang=en"
expect object_button 200 '>Object<span class="visually-hidden">: Ffion, Displays and newsletters in school'
req POST "/sign/$T1/withdraw" "csrf=$CSRF&lang=en&child=11&purpose=displays"
expect object_asks 200 '<title>Do you want to object?' '<h1>Do you want to object?</h1>' \
	'Yes, I object'
if grep -qi 'withdraw consent\|consent withdrawn' "$TMP/body"; then fail object_asks_no_withdraw_wording "$(grep -i 'withdraw consent' "$TMP/body" | head -3)"; else
	pass object_asks_no_withdraw_wording; fi
req POST "/sign/$T1/withdraw" "csrf=$CSRF&lang=cy&child=11&purpose=displays"
expect object_asks_welsh 200 '<title>Ydych chi am wrthwynebu?' '<h1>Ydych chi am wrthwynebu?</h1>'
req POST "/sign/$T1/withdraw" "csrf=$CSRF&lang=en&child=11&purpose=displays&confirm=yes"
loc=$(header Location)
req GET "$loc"
expect object_result 200 '<title>Objection recorded' '<h1>Objection recorded</h1>'
if grep -q 'Consent withdrawn' "$TMP/body"; then fail object_result_no_withdraw_wording "says Consent withdrawn"; else
	pass object_result_no_withdraw_wording; fi
req GET "${loc%lang=en}lang=cy"
expect object_result_welsh 200 "<h1>Gwrthwynebiad wedi&#39;i gofnodi</h1>"
req GET "/sign/$T1?lang=en"

# --- Welsh ---------------------------------------------------------------------------

req GET "/sign/$T2"
expect welsh_family_page 200 '<html lang="cy">' 'Tudalen eich teulu' 'Cai' \
	'aria-current="true">Cymraeg' 'Heb ei lofnodi eto' "/sign/$T2/answer?lang=cy"
req GET "/sign/$T1?lang=cy"
expect welsh_switch 200 '<html lang="cy">' 'Llofnodwyd gan Siân Jones' \
	'Dangos y dudalen hon yn Gymraeg bob tro'
req GET "/sign/$T2/answer"
expect welsh_form 200 'Ydw, rwy&#39;n rhoi caniatâd' 'Rwy&#39;n gwrthwynebu' 'Eich enw llawn' \
	'Gwefan yr ysgol' '<html lang="cy">'
CSRF2=$(csrf_of)
req POST "/sign/$T2/check" "csrf=$CSRF2&lang=cy"
expect welsh_errors 200 'Mae problem' 'Rhowch eich enw llawn' '<title>Gwall: '
req POST "/sign/$T1/language" "csrf=$CSRF&lang=cy"
if [ "$status" = 303 ] && [ "$(header Location)" = "/sign/$T1?saved=1" ] &&
	[ "$(q "SELECT language FROM family WHERE id = 1")" = cy ]; then
	req GET "/sign/$T1?saved=1"
	expect language_remembered 200 '<html lang="cy">' 'Byddwn yn dangos y dudalen hon yn Gymraeg'
else
	fail language_remembered "status $status; the language was not stored"
fi
req POST "/sign/$T1/language" "csrf=$CSRF&lang=en"

# --- Refused requests -----------------------------------------------------------------

BEFORE=$(snap)
FORM="lang=en&name=Nia$(answers 11 yes)$(answers 12 yes)"
req POST "/sign/$T1/confirm" "$FORM"
refused csrf_missing 403 'This form has expired'
req POST "/sign/$T1/confirm" "csrf=0000000000000000000000000000000000000000000000000000000000000000&$FORM"
refused csrf_wrong 403 'This form has expired'
req POST "/sign/$T1/confirm" "csrf=$CSRF2&$FORM"
refused csrf_other_family 403
req POST "/sign/$T1/withdraw" "child=12&purpose=website&confirm=yes"
refused csrf_missing_withdraw 403

req GET "/sign/$T1/confirm"
if [ "$status" = 405 ] && [ "$(header Allow)" = POST ]; then pass get_on_post_route; else
	fail get_on_post_route "status $status, Allow '$(header Allow)'"; fi
req PUT "/sign/$T1" "x=1"
if [ "$status" = 405 ] && [ "$(header Allow)" = "GET, HEAD, POST" ]; then pass put_405; else
	fail put_405 "status $status"; fi
req DELETE "/sign/$T1"
refused delete_405 405
req POST "/sign/$T1/confirm" "csrf=$CSRF&$FORM" "text/plain"
refused wrong_content_type 415 'We could not read the form'
req POST "/sign/$T1/confirm" "csrf=$CSRF&$FORM" "multipart/form-data; boundary=x"
refused multipart_415 415
req POST "/sign/$T1/confirm" "csrf=$CSRF&$FORM" application/x-www-form-urlencoded 20000
refused oversize_body 413 'Roedd y ffurflen yn rhy fawr'
req POST "/sign/$T1/check" "csrf=$CSRF&$FORM" "application/x-www-form-urlencoded; charset=UTF-8"
refused content_type_with_charset 200 'Check your answers'

req POST "/sign/$T1/confirm" "csrf=$CSRF&$FORM&name2=%FF"
refused unknown_field 400 'a field that this form does not have'
req POST "/sign/$T1/confirm" "csrf=$CSRF&lang=en&name=Ni%FFa$(answers 11 yes)$(answers 12 yes)"
refused invalid_utf8 400 'not valid UTF-8'
req POST "/sign/$T1/confirm" "csrf=$CSRF&$FORM&name=Nia"
refused repeated_field 400 'the same field more than once'
req POST "/sign/$T1/confirm" "csrf=$CSRF&lang=en&name=$(printf '%0500d' 0)$(answers 11 yes)$(answers 12 yes)"
refused oversize_value 400 'a value that is too long'
req POST "/sign/$T1/confirm" "csrf=$CSRF&$FORM&a.21.website=yes"
refused other_family_child 403 'not on your family'
req POST "/sign/$T1/confirm" "csrf=$CSRF&$FORM&a.13.website=yes"
refused left_child 403
req POST "/sign/$T1/confirm" "csrf=$CSRF&$FORM&a.11.billboards=yes"
refused unknown_purpose 400
req POST "/sign/$T1/confirm" "csrf=$CSRF&$FORM&agree.$OLDDOC=yes"
refused old_document 400 'have changed since the form was opened'
req POST "/sign/$T1/confirm" "csrf=$CSRF&lang=en&name=Nia$(answers 11 maybe)$(answers 12 yes)"
refused bad_answer_value 400
req POST "/sign/$T1/withdraw" "csrf=$CSRF&lang=en&child=21&purpose=website&confirm=yes"
refused withdraw_other_family_child 403
req POST "/sign/$T1/confirm" "csrf=$CSRF&lang=en&name=Nia%0ABcc$(answers 11 yes)$(answers 12 yes)"
refused name_line_break 200 'Enter your name on one line'
req POST "/sign/$T1/check" "csrf=$CSRF&lang=en&name=Nia+%E2%80%AEsenoJ$(answers 11 yes)$(answers 12 yes)"
refused name_bidi_override 200 'hidden character' 'id="name-error"'
req POST "/sign/$T1/check" "csrf=$CSRF&lang=en&name=Nia%E2%80%8B+Jones$(answers 11 yes)$(answers 12 yes)"
refused name_zero_width 200 'hidden character'
req POST "/sign/$T1/check" "csrf=$CSRF&lang=cy&name=Nia+%E2%80%AEsenoJ$(answers 11 yes)$(answers 12 yes)"
refused name_bidi_override_welsh 200 'nod cudd'

# --- Unknown tokens and rate limiting ------------------------------------------------

SNAP=snap_nothrottle
BEFORE=$($SNAP)
ADDR=203.0.113.5
never=AAAAAAAAAAAAAAAAAAAAAAAAAA
req GET "/sign/$never"
refused unknown_token 404 'Please check the link or QR code' 'contact the school office' \
	'lang="cy"' 'cysylltwch â swyddfa'
cp "$TMP/out" "$TMP/never.out"
req GET "/sign/$TR"
if cmp -s "$TMP/out" "$TMP/never.out"; then pass revoked_same_as_never; else
	fail revoked_same_as_never "the revoked token's response differs"; fi
c2=$(printf '%s' "$T1" | cut -c2)
if [ "$c2" = A ]; then c2=B; else c2=A; fi
changed=$(printf '%s' "$T1" | sed "s/^\(.\)./\1$c2/")
req GET "/sign/$changed"
if [ "$status" = 404 ] && cmp -s "$TMP/out" "$TMP/never.out"; then pass one_character_changed; else
	fail one_character_changed "status $status"; fi
req GET "/sign/short"
if cmp -s "$TMP/out" "$TMP/never.out"; then pass malformed_same_as_never; else
	fail malformed_same_as_never "status $status"; fi
if [ "$($SNAP)" = "$BEFORE" ]; then pass unknown_tokens_store_nothing; else
	fail unknown_tokens_store_nothing "the database changed"; fi
req GET "/sign/$TR/answer"
refused revoked_answer_404 404
req POST "/sign/$TR/confirm" "csrf=$CSRF&$FORM"
refused revoked_post_404 404

i=0
while [ $i -lt 20 ]; do
	req GET "/sign/$never"
	i=$((i + 1))
done
req GET "/sign/$T1"
if [ "$status" = 429 ] && [ "$(header Retry-After)" = 600 ] &&
	grep -qF 'Please wait 10 minutes' "$TMP/body" && grep -qF 'Arhoswch 10 munud' "$TMP/body"; then
	pass rate_limited
else
	fail rate_limited "status $status after more than 20 failures"
fi
ADDR=203.0.113.6
req GET "/sign/$T1"
expect rate_limit_per_address 200 'Ffion'

# --- Two carers: each carer's answers are their own ---------------------------------
# Carer A objects to displays for Cai; carer B opens the same link, sends the form as the
# browser shows it with only the website answer changed. B's record must hold only what
# B chose; after A withdraws the objection, displays applies again.

ADDR=203.0.113.7
req GET "/sign/$T2/answer?lang=en"
C2=$(csrf_of)
send() { confirm_via "$T2" "$1"; }
A_FORM="csrf=$C2&lang=en&name=Anna+Hughes&agree.$DOC=yes$(answers 21 yes | sed 's/a\.21\.displays=yes/a.21.displays=no/')"
send "$A_FORM"
if [ "$status" = 303 ] && [ "$(q "SELECT permitted FROM effective WHERE child_id = 21 AND purpose = 'displays'")" = 0 ]; then
	pass two_carers_a_objects
else
	fail two_carers_a_objects "status $status"
fi
req GET "/sign/$T2/answer?lang=en"
shown=$(grep -o 'name="a\.21\.[a-z-]*" value="[a-z]*" checked' "$TMP/body" |
	sed 's/name="\([^"]*\)" value="\([a-z]*\)" checked/\&\1=\2/' | tr -d '\n' |
	sed 's/&a\.21\.website=[a-z]*//')
send "csrf=$C2&lang=en&name=Bryn+Hughes$shown&a.21.website=no"
b_rows=$(q "SELECT group_concat(purpose || '=' || answer) FROM answer WHERE signer_key = 'bryn hughes'")
b_events=$(q "SELECT group_concat(data) FROM event WHERE signer = 'Bryn Hughes'")
if [ "$status" = 303 ] && [ "$b_rows" = "website=no" ] &&
	[ "$b_events" = '[["answer",21,"website","no"]]' ]; then
	pass two_carers_b_records_only_own_choice
else
	fail two_carers_b_records_only_own_choice "status $status, B's answers '$b_rows', other events after A: $b_events"
fi
req GET "/sign/$T2?lang=en"
expect two_carers_family_page_who_said_what 200 'Anna Hughes: Objects' 'Bryn Hughes: No consent'
# B's check page shows what the other carer said beside B's own answer.
req POST "/sign/$T2/check" "csrf=$C2&lang=en&name=Bryn+Hughes&a.21.press=no"
expect two_carers_check_page_who_said_what 200 'Anna Hughes: Objects' 'Bryn Hughes'
# A confirm whose form comes back shows what each carer said, as the answers form does.
# A confirm reads the answers only when it needs them (sign.c family_answers): for a
# question left blank (the first), or for the form it sends back (the second: every
# question answered, but no name).
BEFORE=$($SNAP)
req POST "/sign/$T2/confirm" "csrf=$C2&lang=en&a.21.press=no&once=x"
refused two_carers_confirm_blank_form_who_said_what 200 'Enter your full name' \
	'Anna Hughes: Objects' 'Bryn Hughes: No consent'
req POST "/sign/$T2/confirm" "csrf=$C2&lang=en$(answers 21 no)&once=x"
refused two_carers_confirm_form_who_said_what 200 'Enter your full name' 'Anna Hughes: Objects' \
	'Bryn Hughes: No consent'
# A withdraws the objection: displays applies again, as B never objected.
send "csrf=$C2&lang=en&name=Anna+Hughes&a.21.displays=yes"
if [ "$status" = 303 ] && [ "$(q "SELECT permitted FROM effective WHERE child_id = 21 AND purpose = 'displays'")" = 1 ] &&
	[ "$(q "SELECT permitted FROM effective WHERE child_id = 21 AND purpose = 'website'")" = 0 ]; then
	pass two_carers_objection_withdrawn_applies
else
	fail two_carers_objection_withdrawn_applies "status $status; displays still refused by an answer nobody gave"
fi

# --- CSRF and once-only values belong to the family's live token ---------------------

ADDR=203.0.113.8
req POST "/sign/$T2/check" "csrf=$C2&lang=en&name=Bryn+Hughes&a.21.press=no"
ONCE2=$(once_of)
BEFORE=$($SNAP)
req POST "/sign/$T1/confirm" "csrf=$CSRF&lang=en&name=Nia$(answers 11 yes)$(answers 12 yes)&once=$ONCE2"
refused once_other_family 400
# The office reissues family 1's code: the old token is revoked, a new one is live. A form
# opened with the old link (its CSRF value) no longer checks, and the new link's differs.
NEWTOK=ABCDEFGHIJKLMNOPQRSTUVWXYA
q "UPDATE token SET revoked_at = '2026-11-21T09:00:00Z' WHERE family_id = 1 AND revoked_at IS NULL;
	INSERT INTO token (family_id, hash, issued_at) VALUES (1, '$(printf '%s' "$NEWTOK" | sha256sum | cut -d' ' -f1)', '2026-11-21T09:00:00Z')"
req GET "/sign/$NEWTOK/answer?lang=en"
NEWCSRF=$(csrf_of)
if [ "$status" = 200 ] && [ -n "$NEWCSRF" ] && [ "$NEWCSRF" != "$CSRF" ]; then pass csrf_changes_with_token; else
	fail csrf_changes_with_token "status $status; the CSRF value is the same after a reissue"; fi
BEFORE=$($SNAP)
req POST "/sign/$NEWTOK/check" "csrf=$CSRF&lang=en&name=Nia$(answers 11 yes)$(answers 12 yes)"
refused csrf_of_old_token_refused 403

# --- A family that has left --------------------------------------------------------
# An import that no longer lists Cai marks him and his family as left: the family's link
# shows the "contact the school" page in both languages, and nothing can be sent.

q "UPDATE child SET left_on = '2026-11-21' WHERE family_id = 2; UPDATE family SET left_on = '2026-11-21' WHERE id = 2"
BEFORE=$($SNAP)
req GET "/sign/$T2"
refused left_family_page 403 'your children have left the school' 'contact the school office' \
	'cysylltwch â swyddfa'
if grep -q 'Cai' "$TMP/body"; then fail left_family_shows_nothing "the child's name is shown"; else
	pass left_family_shows_nothing; fi
req POST "/sign/$T2/check" "csrf=$C2&lang=en&name=Bryn+Hughes&a.21.press=no"
refused left_family_check 403
req POST "/sign/$T2/confirm" "csrf=$C2&lang=en&name=Bryn+Hughes&a.21.press=no&once=$ONCE2"
refused left_family_confirm 403
q "UPDATE child SET left_on = NULL WHERE family_id = 2; UPDATE family SET left_on = NULL WHERE id = 2"
req GET "/sign/$T2"
expect left_family_back 200 'Cai'

# --- Every response, and the log ----------------------------------------------------

if [ "$headers_bad" = 0 ]; then pass security_headers_everywhere; else
	fail security_headers_everywhere "$(cat "$TMP/headers.log")"; fi
if grep -qF -e "$T1" -e "$T2" -e "$TR" -e "$lower" -e 'Siân' -e 'Gareth' -e 'Nia' \
	"$TMP/stderr.log"; then
	fail log_has_no_tokens_or_names "$(head -5 "$TMP/stderr.log")"
else
	pass log_has_no_tokens_or_names
fi
if sqlite3 "$DB" "PRAGMA integrity_check" | grep -qx ok; then pass database_intact; else
	fail database_intact "integrity_check failed"; fi
# Settings with an error (here a UI string missing in Welsh): the portal does not start,
# answers 503 in both languages and says in the log which file and what to do.
mkdir -p "$TMP/bad-settings"
cp -R "$TOP/content/site.yaml" "$TOP/content/i18n" "$TOP/content/consent.yaml" "$TMP/bad-settings/"
sed -i '/^sign_nodoc_title:/d' "$TMP/bad-settings/i18n/cy.yaml"
env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 CONSENT_DB="$DB" CONSENT_PORTAL="$PORTAL" \
	CONSENT_CONTENT="$TMP/bad-settings" CONSENT_TEMPLATES="$TOP/templates" REQUEST_METHOD=GET \
	REQUEST_URI="/sign/$T1" REMOTE_ADDR="$ADDR" "$SIGN" </dev/null >"$TMP/out" 2>"$TMP/bad.log"
if grep -q '^Status: 503' "$TMP/out" && grep -q 'ar gael ar hyn o bryd' "$TMP/out" &&
	grep -q "bad-settings/i18n/cy.yaml:0: missing string 'sign_nodoc_title'" "$TMP/bad.log" &&
	grep -q 'policygen check --content' "$TMP/bad.log"; then
	pass unavailable_with_bad_settings
else
	fail unavailable_with_bad_settings "$(head -c 600 "$TMP/out") $(cat "$TMP/bad.log")"
fi
# A portal that cannot open its database still answers, in both languages.
env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 CONSENT_DB="$TMP/no-such.db" CONSENT_PORTAL="$PORTAL" \
	CONSENT_CONTENT="$TOP/content" CONSENT_TEMPLATES="$TOP/templates" REQUEST_METHOD=GET \
	REQUEST_URI="/sign/$T1" REMOTE_ADDR="$ADDR" "$SIGN" </dev/null >"$TMP/out" 2>/dev/null
if grep -q '^Status: 503' "$TMP/out" && grep -q 'not available just now' "$TMP/out" &&
	grep -q 'ar gael ar hyn o bryd' "$TMP/out"; then
	pass unavailable_without_database
else
	fail unavailable_without_database "$(head -3 "$TMP/out")"
fi
# A sandbox that cannot be entered: 503 in both languages, as in the office.
sandbox_refused sandbox_refused_503 "$SIGN" "/sign/$T1" 'ar gael ar hyn o bryd'
finish
