#!/bin/sh
# Hostile input against the real programs, as a table: one row per case, each giving the
# request, the status wanted, a text the page must hold (a clear message) and one it must
# not. Both portals (sign.fcgi, office.fcgi) run as plain CGI, as in sign.sh and
# office.sh, over a database whose families have names made to break pages, SQL and
# spreadsheets: markup, quotes, SQL, formulas. For every row the database (but for the
# failed-look-up counts and the staff session's last-seen time) must be unchanged, and
# no response may carry a name's markup unescaped. Then the exports and letters (office
# and consentctl) are checked for escaping and formula cells, and policygen and
# consentctl for file and folder names that try to leave their folders.
# Prints "PASS name" / "FAIL name".
#
# Overrides: SIGN, OFFICE, CONSENTCTL, POLICYGEN (the programs).
. "$(dirname "$0")/lib.sh"

DB=$TMP/consent.db
PASSWORD='Hostile-2026 office!'
need_programs hostile_setup "$SIGN" "$OFFICE" "$CTL" "$POLICYGEN"

# Markup in names and a class, quotes, SQL, and cells a spreadsheet would run.
cat >"$TMP/families.csv" <<'CSV'
family_ref,child_ref,first_name,last_name,class,carers,language
F1,C11,<script>alert(1)</script>,"O'Brien ""Quote""","Year <5> & ""6""","<img src=x onerror=alert(2)>; =HYPERLINK(""http://evil.example"")",en
F1,C12,Osian,"O'Brien ""Quote""",Year 2,,en
F2,C21,=cmd|' /C calc'!A0,Robert'); DROP TABLE child;--,Year 2,-2+3; @SUM(A1),cy
F3,C31,Plain,Family,Year 2,Ann Plain,en
CSV
setup() {
	demo_portal "$TMP/families.csv" office.one &&
		"$CTL" --db "$DB" tokens --content "$TOP/content" --family F3 --reissue \
			>"$TMP/tokens3.csv"
}
if ! setup >"$TMP/setup.log" 2>&1; then
	fail hostile_setup "$(tail -n 20 "$TMP/setup.log")"
	exit 1
fi
T1=$(token_of F1)
T2=$(token_of F2)
TR=$(token_of F3)                    # revoked by the reissue
T3=$(token_of F3 "$TMP/tokens3.csv") # F3's live token
if [ -z "$T1" ] || [ -z "$T2" ] || [ -z "$T3" ] || [ -z "$TR" ]; then
	fail hostile_setup "no tokens: $(cat "$TMP/tokens.csv" "$TMP/tokens3.csv")"
	exit 1
fi
C11=$(q "SELECT id FROM child WHERE ref = 'C11'")
C12=$(q "SELECT id FROM child WHERE ref = 'C12'")
C21=$(q "SELECT id FROM child WHERE ref = 'C21'")
C31=$(q "SELECT id FROM child WHERE ref = 'C31'")
DOC=$(doc en)
DOCCY=$(doc cy)
PURPOSES=$(q "SELECT id FROM purpose ORDER BY position")
pass hostile_setup

# --- Requests ---

: >"$TMP/stderr.log"
: >"$TMP/headers.log"
# req PROG METHOD URI [BODY [CONTENT_TYPE]]: one CGI request to sign or office, each from
# its own address (tests/lib.sh). CONTENT_TYPE "-" sends none. Leaves $status, $TMP/head
# and $TMP/body.
req() { req_from_each "$@"; }
# The database but for the throttle (failed look-ups) and the sessions (last seen).
snap() { sqlite3 "$DB" .dump </dev/null | grep -v -e '^INSERT INTO throttle' -e '^INSERT INTO session' | sha256sum; }
# raw_markup FILE: the file holds a name's markup unescaped.
raw_markup() { grep -q -e '<script>alert' -e '<img src=x' -e '"><img' -e '<b>bold' "$1"; }

# Carers whose names hold markup and SQL answer (stored verbatim, shown escaped).
req sign GET "/sign/$T1/answer"
CS1=$(csrf_of)
req sign GET "/sign/$T2/answer"
CS2=$(csrf_of)
req sign GET "/sign/$T3/answer"
CS3=$(csrf_of)
NAME1='%3Cscript%3Ealert(3)%3C%2Fscript%3E+%22Q%22+%27A%27+%3Cb%3Ebold%3C%2Fb%3E'
# Ffion's website consent (for the withdraw page), no to the rest (for the no-photo list).
# confirm_via T BODY: the check page, then Confirm with the once-only value it issued.
confirm_via() {
	req sign POST "/sign/$1/check" "$2"
	_once=$(sed -n 's/.*name="once" value="\([A-Za-z0-9-]*\)".*/\1/p' "$TMP/body" | head -n 1)
	req sign POST "/sign/$1/confirm" "$2&once=$_once"
}
confirm_via "$T1" "csrf=$CS1&lang=en&name=$NAME1&agree.$DOC=yes$(answers "$C11" no |
	sed "s/a\.$C11\.website=no/a.$C11.website=yes/")$(answers "$C12" yes)"
REF1=$(header Location | sed -n 's/.*ref=\([0-9A-F-]*\).*/\1/p')
NAME2="Robert%27%29%3B+DROP+TABLE+answer%3B--"
confirm_via "$T2" "csrf=$CS2&lang=cy&name=$NAME2&agree.$DOCCY=yes$(answers "$C21" no)"
REF2=$(header Location | sed -n 's/.*ref=\([0-9A-F-]*\).*/\1/p')
if [ -n "$REF1" ] && [ -n "$REF2" ] &&
	[ "$(q "SELECT count(DISTINCT signer) FROM answer WHERE signer = '<script>alert(3)</script> \"Q\" ''A'' <b>bold</b>'")" = 1 ] &&
	[ "$(q "SELECT count(*) FROM answer WHERE signer = 'Robert''); DROP TABLE answer;--'")" = 6 ] &&
	[ "$(q "SELECT count(*) FROM child")" = 4 ]; then
	pass hostile_names_stored_verbatim
else
	fail hostile_names_stored_verbatim "refs '$REF1' '$REF2'; $(q "SELECT DISTINCT signer FROM answer")"
fi

# Staff sign in; a paper form from a carer whose name is a formula with markup.
req office GET /office/login
pre=$(header Set-Cookie | sed -n 's/^office-login=\([A-Z2-7]*\);.*/\1/p')
lc=$(csrf_of)
COOKIE="office-login=$pre"
req office POST /office/login "csrf=$lc&username=office.one&password=$(printf '%s' "$PASSWORD" | sed 's/ /+/g; s/!/%21/g')"
SID=$(header Set-Cookie | sed -n 's/^office=\([A-Z2-7]\{26\}\);.*/\1/p')
COOKIE="office=$SID"
req office GET /office/family/F3
OC=$(csrf_of)
once_of() { sed -n 's/.*name="once" value="\([A-Za-z0-9-]*\)".*/\1/p' "$TMP/body" | head -n 1; }
OO=$(once_of)
req office POST /office/family/F3/paper \
	"csrf=$OC&once=$OO&signer=%40SUM%281%2B1%29%3Cb%3Ebold%3C%2Fb%3E&sign.code-of-conduct=en&answer.$C31.website=yes"
if [ -n "$SID" ] && [ -n "$OC" ] && [ "$status" = 303 ]; then pass hostile_office_setup; else
	fail hostile_office_setup "session '$SID', csrf '$OC', paper form status $status"; fi
# The table's office forms carry the CSRF value and a fresh, unused once-only value.
req office GET /office/family/F3
OC="$OC&once=$(once_of)"

# The page for a token that never existed: unknown, revoked and altered tokens get it.
req sign GET /sign/AAAAAAAAAAAAAAAAAAAAAAAAAA
cp "$TMP/body" "$TMP/never.body"

# Tokens one character away from T1, and with the last character's unused bits set.
c=$(printf '%s' "$T1" | cut -c5)
if [ "$c" = Q ]; then c=R; else c=Q; fi
TX=$(printf '%s' "$T1" | sed "s/^\(....\)./\1$c/")
TB=$(printf '%s' "$T1" | sed 's/.$/B/')
LONG=$(printf '%0500d' 0 | tr 0 a)
Q101=$(printf '%0101d' 0 | tr 0 q)
BIG=$(printf '%020000d' 0)
HUGE=$(printf '%070000d' 0)
MANY=$(i=0; while [ $i -lt 300 ]; do printf '&a.%s.p%s=yes' "$C11" $i; i=$((i + 1)); done)
ANS1="$(answers "$C11" yes)$(answers "$C12" yes)"
FORM1="csrf=$CS1&lang=en&name=Nia&agree.$DOC=yes$ANS1"
ZERO=$(printf '%064d' 0)

# expand TEXT: the placeholders of the table (@NAME@ for each variable named in
# PLACEHOLDERS) replaced by their values.
PLACEHOLDERS='T1 T2 T3 TR TX TB CS1 CS2 CS3 OC C11 C12 C21 C31 DOC REF1 REF2 ZERO LONG Q101
ANS1 FORM1 MANY BIG HUGE'
: >"$TMP/expand.sed"
for v in $PLACEHOLDERS; do
	eval "val=\$$v"
	printf 's|@%s@|%s|g\n' "$v" "$(printf '%s' "$val" | sed 's/[&|\\]/\\&/g')" >>"$TMP/expand.sed"
done
expand() { printf '%s' "$1" | sed -f "$TMP/expand.sed"; }

# One row per case:
#   NAME | PROGRAM | METHOD | PATH | BODY | CONTENT_TYPE | STATUS | TEXT | NOT
# TEXT must be in the page ("=NEVER": the page is the unknown-token page, byte for byte)
# and NOT must not be. An empty CONTENT_TYPE on a POST is the urlencoded form's; "-" is
# none. Office requests carry the staff session.
BEFORE=$(snap)
while IFS='|' read -r name prog method path body ctype want text not; do
	case $name in '' | '#'*) continue ;; esac
	logged=$(wc -c <"$TMP/stderr.log")
	req "$prog" "$method" "$(expand "$path")" "$(expand "$body")" "$ctype"
	why=
	if [ "$status" != "$want" ]; then
		why="status $status, want $want"
	elif [ "$text" = =NEVER ] && ! cmp -s "$TMP/body" "$TMP/never.body"; then
		why="not the unknown-token page"
	elif [ -n "$text" ] && [ "$text" != =NEVER ] && ! grep -qF -- "$(expand "$text")" "$TMP/body"; then
		why="the page lacks '$text'"
	elif [ -n "$not" ] && grep -qF -- "$not" "$TMP/body"; then
		why="the page has '$not'"
	elif raw_markup "$TMP/body"; then
		why="a name's markup unescaped: $(grep -o -e '<script>alert.\{0,20\}' -e '<img src=x.\{0,20\}' -e '"><img.\{0,20\}' -e '<b>bold' "$TMP/body" | head -n 1)"
	elif [ "$(snap)" != "$BEFORE" ]; then
		why="the database changed"
		BEFORE=$(snap)
	fi
	if [ -z "$why" ]; then pass "$name"; else
		fail "$name" "$why; the log: $(tail -c +$((logged + 1)) "$TMP/stderr.log" | head -n 3)"; fi
done <<'TABLE'
# Markup and quotes in names, escaped on every page that shows them
escaped_sign_family_child|sign|GET|/sign/@T1@|||200|&lt;script&gt;alert(1)&lt;/script&gt;|
escaped_sign_family_signer|sign|GET|/sign/@T1@|||200|&lt;script&gt;alert(3)&lt;/script&gt; &quot;Q&quot; &#39;A&#39;|
escaped_sign_family_class|sign|GET|/sign/@T1@|||200|Year &lt;5&gt; &amp; &quot;6&quot;|
escaped_sign_answer_form|sign|GET|/sign/@T1@/answer|||200|&lt;script&gt;alert(1)&lt;/script&gt;|
escaped_sign_check_typed_name|sign|POST|/sign/@T1@/check|csrf=@CS1@&lang=en&name=%22%3E%3Cimg+src%3Dx+onerror%3Dalert(4)%3E&agree.@DOC@=yes@ANS1@||200|value="&quot;&gt;&lt;img src=x onerror=alert(4)&gt;"|
escaped_sign_form_again|sign|POST|/sign/@T1@/answer|csrf=@CS1@&lang=en&name=%22%3E%3Cimg+src%3Dx%3E@ANS1@||200|value="&quot;&gt;&lt;img src=x&gt;"|
escaped_sign_confirmation|sign|GET|/sign/@T1@/done?ref=@REF1@|||200|&lt;script&gt;alert(3)&lt;/script&gt;|
escaped_sign_withdraw_page|sign|POST|/sign/@T1@/withdraw|csrf=@CS1@&lang=en&child=@C11@&purpose=website||200|&lt;script&gt;alert(1)&lt;/script&gt;|
escaped_sign_sql_name|sign|GET|/sign/@T2@/done?ref=@REF2@|||200|Robert&#39;); DROP TABLE answer;--|
escaped_office_family|office|GET|/office/family/F1|||200|&lt;img src=x onerror=alert(2)&gt;; =HYPERLINK(&quot;http://evil.example&quot;)|
escaped_office_family_signer|office|GET|/office/family/F1|||200|&lt;script&gt;alert(3)&lt;/script&gt; &quot;Q&quot; &#39;A&#39; &lt;b&gt;bold&lt;/b&gt;|
escaped_office_paper_signer|office|GET|/office/family/F3|||200|@SUM(1+1)&lt;b&gt;bold&lt;/b&gt;|
escaped_office_search|office|GET|/office/families?q=script|||200|&lt;script&gt;alert(1)&lt;/script&gt;|
escaped_office_dashboard_class|office|GET|/office/|||200|Year &lt;5&gt; &amp; &quot;6&quot;|
escaped_office_nophoto|office|GET|/office/nophoto?class=Year+%3C5%3E+%26+%226%22|||200|&lt;script&gt;alert(1)&lt;/script&gt; O&#39;Brien &quot;Quote&quot;|
escaped_office_letters_confirm|office|GET|/office/letters?class=Year+%3C5%3E+%26+%226%22|||200|Year &lt;5&gt; &amp; &quot;6&quot;|
lang_parameter_markup_ignored|sign|GET|/sign/@T1@?lang=%22%3E%3Cscript%3E|||200|<html lang="en">|
# SQL metacharacters: data, never SQL
sql_in_token|sign|GET|/sign/%27%20OR%20%271%27%3D%271|||404|=NEVER|
sql_in_token_path_union|sign|GET|/sign/@T1@%27%20UNION%20SELECT%201--|||404|=NEVER|
sql_in_field_name|sign|POST|/sign/@T1@/confirm|@FORM1@&a.1%20OR%201%3D1.website=yes||400|a field with a malformed name|
sql_in_child_id|sign|POST|/sign/@T1@/withdraw|csrf=@CS1@&lang=en&child=1%20OR%201%3D1&purpose=website&confirm=yes||400|We could not read the form|
sql_in_purpose|sign|POST|/sign/@T1@/withdraw|csrf=@CS1@&lang=en&child=@C11@&purpose=website%27%20OR%20%271&confirm=yes||400|We could not read the form|
sql_in_search|office|GET|/office/families?q=%27+OR+1%3D1--|||200||/office/family/
sql_like_percent|office|GET|/office/families?q=%25|||200||/office/family/
sql_like_underscore|office|GET|/office/families?q=_|||200||/office/family/
sql_search_finds_literally|office|GET|/office/families?q=DROP+TABLE+child|||200|/office/family/F2"|
sql_in_family_ref|office|GET|/office/family/F1%27%20OR%20%271%27%3D%271|||404|Page not found|
sql_in_class|office|GET|/office/nophoto?class=%27+OR+1%3D1--|||200||Osian
# Text that is not UTF-8
utf8_invalid_name|sign|POST|/sign/@T1@/confirm|csrf=@CS1@&lang=en&name=Ni%FFa@ANS1@||400|not valid UTF-8|
utf8_overlong_slash|sign|POST|/sign/@T1@/confirm|csrf=@CS1@&lang=en&name=%C0%AF@ANS1@||400|not valid UTF-8|
utf8_surrogate|sign|POST|/sign/@T1@/confirm|csrf=@CS1@&lang=en&name=%ED%A0%80@ANS1@||400|not valid UTF-8|
utf8_truncated|sign|POST|/sign/@T1@/check|csrf=@CS1@&lang=en&name=Si%C3||400|not valid UTF-8|
utf8_nul|sign|POST|/sign/@T1@/confirm|csrf=@CS1@&lang=en&name=Ni%00a@ANS1@||400|a control character|
utf8_in_token|sign|GET|/sign/%FF%FE%FD|||404|=NEVER|
utf8_invalid_search|office|GET|/office/families?q=%FF|||400|The request was not understood|
utf8_invalid_paper|office|POST|/office/family/F3/paper|csrf=@OC@&signer=%C3%28&answer.@C31@.press=no||400|Nothing was changed|
bad_escape|sign|POST|/sign/@T1@/confirm|csrf=@CS1@&lang=en&name=%ZZ@ANS1@||400|The form sent was damaged|
# Fields too long or too many, bodies too large
long_name|sign|POST|/sign/@T1@/confirm|csrf=@CS1@&lang=en&name=@LONG@@ANS1@||400|a value that is too long|
long_search|office|GET|/office/families?q=@Q101@|||400|The request was not understood|
long_path_action|sign|GET|/sign/@T1@/@LONG@|||404|=NEVER|
long_token|sign|GET|/sign/@LONG@|||404|=NEVER|
too_many_fields|sign|POST|/sign/@T1@/check|csrf=@CS1@&lang=en@MANY@||400|too many fields|
body_too_large_sign|sign|POST|/sign/@T1@/confirm|@FORM1@&x=@BIG@||413|Content Too Large|
body_too_large_office|office|POST|/office/family/F3/paper|csrf=@OC@&signer=@HUGE@||413|Content Too Large|
# Fields given twice
repeated_name|sign|POST|/sign/@T1@/confirm|@FORM1@&name=Tom||400|the same field more than once|
repeated_csrf|sign|POST|/sign/@T1@/confirm|csrf=@CS1@&@FORM1@||400|the same field more than once|
repeated_answer|sign|POST|/sign/@T1@/confirm|@FORM1@&a.@C11@.website=no||400|the same field more than once|
repeated_query|office|GET|/office/families?q=a&q=b|||400|The request was not understood|
repeated_signer|office|POST|/office/family/F3/paper|csrf=@OC@&signer=A&signer=B&answer.@C31@.press=no||400|Nothing was changed|
# Methods a route does not take
method_put|sign|PUT|/sign/@T1@|x=1||405|This page cannot be opened this way|
method_delete|sign|DELETE|/sign/@T1@/confirm|||405|This page cannot be opened this way|
method_patch|sign|PATCH|/sign/@T1@|x=1||405|This page cannot be opened this way|
method_options|sign|OPTIONS|/sign/@T1@|||405|This page cannot be opened this way|
method_trace|sign|TRACE|/sign/@T1@|||405|This page cannot be opened this way|
method_lower_case_post|sign|post|/sign/@T1@/confirm|@FORM1@||405|This page cannot be opened this way|
method_get_on_confirm|sign|GET|/sign/@T1@/confirm|||405|This page cannot be opened this way|
method_post_on_family_page|sign|POST|/sign/@T1@|@FORM1@||405|This page cannot be opened this way|
method_office_put|office|PUT|/office/family/F1|x=1||405|Only GET and POST|
method_office_get_logout|office|GET|/office/logout|||405|The request was not understood|
method_office_post_export|office|POST|/office/export/photo.csv|csrf=@OC@||405|The request was not understood|
# CSRF tokens missing, wrong, or another family's or session's
csrf_missing|sign|POST|/sign/@T1@/confirm|lang=en&name=Nia&agree.@DOC@=yes@ANS1@||403|This form has expired|
csrf_empty|sign|POST|/sign/@T1@/confirm|csrf=&lang=en&name=Nia&agree.@DOC@=yes@ANS1@||403|This form has expired|
csrf_zero|sign|POST|/sign/@T1@/confirm|csrf=@ZERO@&lang=en&name=Nia&agree.@DOC@=yes@ANS1@||403|This form has expired|
csrf_other_family|sign|POST|/sign/@T1@/confirm|csrf=@CS2@&lang=en&name=Nia&agree.@DOC@=yes@ANS1@||403|This form has expired|
csrf_too_long|sign|POST|/sign/@T1@/language|csrf=@CS1@X&lang=cy||400|a value that is too long|
csrf_withdraw|sign|POST|/sign/@T1@/withdraw|csrf=@CS2@&lang=en&child=@C11@&purpose=website&confirm=yes||403|This form has expired|
csrf_language|sign|POST|/sign/@T1@/language|lang=cy||403|Mae&#39;r ffurflen hon wedi dod i ben|
csrf_office_missing|office|POST|/office/family/F3/paper|signer=Ann+Plain&answer.@C31@.press=no||403|The form has expired|
csrf_office_family_token|office|POST|/office/family/F3/paper|csrf=@CS3@&signer=Ann+Plain&answer.@C31@.press=no||403|The form has expired|
csrf_office_reissue|office|POST|/office/family/F1/reissue|csrf=@ZERO@||403|The form has expired|
csrf_office_letters|office|POST|/office/letters|class=Year+2||403|The form has expired|
# Bodies that are not the urlencoded form
type_text_plain|sign|POST|/sign/@T1@/confirm|@FORM1@|text/plain|415|We could not read the form|
type_multipart|sign|POST|/sign/@T1@/confirm|@FORM1@|multipart/form-data; boundary=x|415|We could not read the form|
type_json|sign|POST|/sign/@T1@/confirm|{"csrf":"@CS1@"}|application/json|415|We could not read the form|
type_none|sign|POST|/sign/@T1@/confirm|@FORM1@|-|415|We could not read the form|
type_prefix_only|sign|POST|/sign/@T1@/confirm|@FORM1@|application/x-www-form-urlencodedx|415|We could not read the form|
type_office_text_plain|office|POST|/office/family/F3/paper|csrf=@OC@&signer=Ann&answer.@C31@.press=no|text/plain|415|The request was not understood|
type_office_query_on_post|office|POST|/office/family/F3/paper?signer=Ann|csrf=@OC@&answer.@C31@.press=no||400|The request was not understood|
# Paths that try to leave their folder
path_dotdot|sign|GET|/sign/../../etc/passwd|||404|=NEVER|
path_dotdot_encoded|sign|GET|/sign/%2e%2e/%2e%2e/etc/passwd|||404|=NEVER|
path_dotdot_after_token|sign|GET|/sign/@T1@/../../../etc/passwd|||404|=NEVER|
path_dotdot_encoded_slash|sign|GET|/sign/@T1@/..%2f..%2fetc%2fpasswd|||404|=NEVER|
path_upper_case_prefix|sign|GET|/SIGN/..%2F..%2Fetc%2Fpasswd|||404|=NEVER|
path_conduct_doc|sign|GET|/sign/@T1@/conduct?doc=..%2F..%2F..%2Fetc%2Fpasswd|||200|Social Media Code of Conduct|root:x:0:0
path_office_family_dotdot|office|GET|/office/family/../../etc/passwd|||404|There is no page at this address|root:x:0:0
path_office_family_encoded|office|GET|/office/family/..%2F..%2Fetc%2Fpasswd|||404|Page not found|root:x:0:0
path_office_export_dotdot|office|GET|/office/export/../../etc/passwd.csv|||404|There is no page at this address|root:x:0:0
path_office_export_encoded|office|GET|/office/export/..%2F..%2Fetc%2Fpasswd.csv|||404|There is no page at this address|root:x:0:0
path_office_up|office|GET|/office/../etc/passwd|||404|There is no page at this address|root:x:0:0
# Another family's children, answers and receipts
other_family_child_answer|sign|POST|/sign/@T1@/confirm|@FORM1@&a.@C21@.website=yes||403|not on your family|
other_family_child_check|sign|POST|/sign/@T1@/check|@FORM1@&a.@C31@.press=no||403|not on your family|
other_family_child_withdraw|sign|POST|/sign/@T1@/withdraw|csrf=@CS1@&lang=en&child=@C21@&purpose=website&confirm=yes||403|not on your family|
other_family_receipt|sign|GET|/sign/@T2@/done?ref=@REF1@|||404|Nid oeddem yn gallu dod o hyd i&#39;r cadarnhad hwn|alert(3)
other_family_child_paper|office|POST|/office/family/F3/paper|csrf=@OC@&signer=Ann&answer.@C11@.press=no||400|Nothing was changed|
# Tokens revoked, altered or malformed: the one unknown-token page
token_revoked|sign|GET|/sign/@TR@|||404|=NEVER|
token_revoked_form|sign|GET|/sign/@TR@/answer|||404|=NEVER|
token_revoked_post|sign|POST|/sign/@TR@/confirm|csrf=@CS3@&lang=en&name=Ann@ANS1@||404|=NEVER|
token_one_character_changed|sign|GET|/sign/@TX@|||404|=NEVER|
token_unused_bits_set|sign|GET|/sign/@TB@|||404|=NEVER|
token_with_padding|sign|GET|/sign/@T1@======|||404|=NEVER|
token_of_family_as_ref|sign|GET|/sign/F1|||404|=NEVER|
TABLE

# --- Exports and letters: escaped, and no cell a spreadsheet would run ---

# formula_cells FILE: lines with a cell that starts with = + - @ tab or CR (after an
# opening quote), the byte order mark left out.
formula_cells() { sed '1s/^\xef\xbb\xbf//' "$1" | grep -E "(^|,)\"?[-=+@$(printf '\t')]"; }
BEFORE=$(snap)
for kind in declarations photo outstanding; do
	req office GET "/office/export/$kind.csv"
	cp "$TMP/body" "$TMP/office-$kind.csv"
	"$CTL" --db "$DB" export "$kind" >"$TMP/ctl-$kind.csv" 2>>"$TMP/stderr.log"
	for f in office ctl; do
		if [ ! -s "$TMP/$f-$kind.csv" ]; then
			fail "csv_${f}_$kind" "empty"
		elif cells=$(formula_cells "$TMP/$f-$kind.csv"); then
			fail "csv_${f}_${kind}_no_formula" "$cells"
		else
			pass "csv_${f}_${kind}_no_formula"
		fi
	done
done
check csv_formula_child_neutralised grep -qF "'=cmd|' /C calc'!A0" "$TMP/office-photo.csv"
check csv_formula_carers_neutralised grep -qF "\"'-2+3; @SUM(A1)\"" "$TMP/office-declarations.csv"
check csv_formula_signer_neutralised grep -qF "'@SUM(1+1)<b>bold</b>" "$TMP/office-declarations.csv"
check csv_quotes_doubled grep -qF '"O'\''Brien ""Quote"""' "$TMP/office-photo.csv"
# The name is kept, quoted; the '-' after its ';' is neutralised like a first character.
check csv_sql_name_verbatim grep -qF "\"Robert'); DROP TABLE child;'--\"" "$TMP/ctl-photo.csv"
check csv_office_same_as_consentctl cmp -s "$TMP/office-outstanding.csv" "$TMP/ctl-outstanding.csv"
if [ "$(snap)" = "$BEFORE" ]; then pass exports_change_nothing; else fail exports_change_nothing "the database changed"; fi

# Letters issue new tokens (the database changes); their names are escaped.
req office GET /office/family/F1
lc=$(csrf_of)
req office POST /office/letters "csrf=$lc&once=$(once_of)&class=Year+%3C5%3E+%26+%226%22"
if [ "$status" = 200 ] && grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' "$TMP/body" &&
	! raw_markup "$TMP/body"; then
	pass letters_office_escaped
else
	fail letters_office_escaped "status $status: $(grep -o '.\{20\}alert(1).\{20\}' "$TMP/body" | head -n 2)"
fi
if "$CTL" --db "$DB" letters --family F1 --content "$TOP/content" --templates "$TOP/templates" \
	--out "$TMP/letters.html" >/dev/null 2>>"$TMP/stderr.log" &&
	grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' "$TMP/letters.html" &&
	! raw_markup "$TMP/letters.html"; then
	pass letters_consentctl_escaped
else
	fail letters_consentctl_escaped "$(grep -o '.\{20\}alert(1).\{20\}' "$TMP/letters.html" 2>/dev/null | head -n 2)"
fi

# --- Content and file names that try to leave their folders ---

# One row per case: NAME | COMMAND (run in a fresh copy of the content) | TEXT
# `policygen check` must fail with TEXT in its report, and `policygen build` must fail
# too, writing nothing (above all nothing outside its output folder).
while IFS='|' read -r name cmd text; do
	case $name in '' | '#'*) continue ;; esac
	rm -rf "$TMP/x"
	mkdir -p "$TMP/x/deep/er"
	cp -RL "$TOP/content" "$TMP/x/deep/er/c"
	EN=$TMP/x/deep/er/c/policies/code-of-conduct/2026-09-01.en.md
	(cd "$TMP/x/deep/er/c" && eval "$cmd") >"$TMP/cmd.out" 2>&1
	"$POLICYGEN" check --content "$TMP/x/deep/er/c" --today 2026-11-21 >"$TMP/pg.out" 2>&1
	rc=$?
	"$POLICYGEN" build --content "$TMP/x/deep/er/c" --templates "$TOP/templates" \
		--out "$TMP/x/deep/er/out" --portal "$TMP/x/deep/er/portal" --state "$TMP/x/deep/er/state" \
		--today 2026-11-21 >"$TMP/pgb.out" 2>&1
	brc=$?
	written=$(find "$TMP/x" -path "$TMP/x/deep/er/c" -prune -o -type f -print | head -n 3)
	if [ "$rc" != 1 ] || [ "$brc" = 0 ]; then
		fail "$name" "policygen check exit $rc, build exit $brc, want 1 and not 0: $(cat "$TMP/cmd.out") $(head -c 300 "$TMP/pg.out")"
	elif ! grep -qF -- "$text" "$TMP/pg.out"; then
		fail "$name" "no '$text' in: $(head -c 300 "$TMP/pg.out")"
	elif [ -n "$written" ]; then
		fail "$name" "files written: $written"
	else
		pass "$name"
	fi
done <<'TABLE'
content_slug_dotdot|mkdir policies/a..b && cp "$EN" policies/a..b/|a policy folder name uses only a-z, 0-9 and '-'
content_slug_encoded|mkdir policies/%2e%2e && cp "$EN" policies/%2e%2e/|a policy folder name uses only a-z, 0-9 and '-'
content_file_dotdot|cp "$EN" policies/code-of-conduct/2026-09-01..en.md|language '.en' is not one of the languages
content_language_traversal|sed -i 's#^default_language: .*#default_language: ../../../outside#; s#^languages: .*#languages: [../../../outside, cy]#' site.yaml|a language is a two- or three-letter code
content_language_file_name|cp "$EN" "policies/code-of-conduct/2026-09-01.e..md"|language 'e.' is not one of the languages
TABLE

# A signable list whose slug would lead the portal out of the site: refused whole.
BEFORE=$(snap)
cp "$PORTAL/signable.tsv" "$TMP/signable.tsv.orig"
sed '1s/^code-of-conduct/..\/..\/..\/etc\/passwd/' "$TMP/signable.tsv.orig" >"$PORTAL/signable.tsv"
if "$CTL" --db "$DB" sync --content "$TOP/content" --portal "$PORTAL" >"$TMP/sync.out" 2>&1; then
	fail signable_slug_traversal "consentctl sync accepted it: $(cat "$TMP/sync.out")"
elif [ "$(snap)" != "$BEFORE" ]; then
	fail signable_slug_traversal "refused, but the database changed"
else
	pass signable_slug_traversal
fi
req sign GET "/sign/$T3/conduct"
if [ "$status" = 200 ] && ! grep -q 'root:x:0' "$TMP/body" && [ "$(snap)" = "$BEFORE" ]; then
	pass signable_slug_traversal_portal
else
	fail signable_slug_traversal_portal "status $status"
fi
cp "$TMP/signable.tsv.orig" "$PORTAL/signable.tsv"

# --- Imports that are not clean text ---

BEFORE=$(snap)
while IFS='|' read -r name row text; do
	case $name in '' | '#'*) continue ;; esac
	{ echo 'family_ref,child_ref,first_name,last_name,class,carers,language'; printf "$row\n"; } >"$TMP/bad.csv"
	if "$CTL" --db "$DB" import "$TMP/bad.csv" >"$TMP/import.out" 2>&1; then
		fail "$name" "imported: $(cat "$TMP/import.out")"
	elif ! grep -qF -- "$text" "$TMP/import.out"; then
		fail "$name" "no '$text' in: $(head -c 300 "$TMP/import.out")"
	elif [ "$(snap)" != "$BEFORE" ]; then
		fail "$name" "refused, but the database changed"
	else
		pass "$name"
	fi
done <<'TABLE'
import_invalid_utf8|F9,C91,Ni\377a,Jones,Year 2,,en|bad.csv:2:
import_control_character|F9,C91,Nia\033[31m,Jones,Year 2,,en|bad.csv:2:
import_nul_byte|F9,C91,Ni\000a,Jones,Year 2,,en|bad.csv:2:
import_overlong_name|F9,C91,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,Jones,Year 2,,en|bad.csv:2:
TABLE

# A language value is matched as letters only ("../en" is en; anything that is neither
# English nor Welsh is English with a note, issue 12), never used as a path: shown by a
# dry run, which changes nothing.
printf 'family_ref,child_ref,first_name,last_name,class,carers,language\nF9,C91,Nia,Jones,Year 2,,../en\n' >"$TMP/bad.csv"
if "$CTL" --db "$DB" import --dry-run --allow-leavers "$TMP/bad.csv" >"$TMP/import.out" 2>&1 &&
	grep -qF 'family F9 added: carers "", language en' "$TMP/import.out" &&
	[ "$(snap)" = "$BEFORE" ]; then
	pass import_bad_language
else
	fail import_bad_language "$(head -c 300 "$TMP/import.out")"
fi

# --- Everywhere ---

# Every response, whatever it was, refused the framing, the referrer, sniffing, caching.
if [ -s "$TMP/headers.log" ]; then fail security_headers_every_response "$(head -n 5 "$TMP/headers.log")"
else pass security_headers_every_response; fi
if grep -qF -e "$T1" -e "$T2" -e "$T3" -e "$TR" -e 'alert(' -e 'DROP TABLE' -e "$PASSWORD" \
	-e "$SID" "$TMP/stderr.log"; then
	fail log_has_no_secrets_or_names "$(head -n 5 "$TMP/stderr.log")"
else
	pass log_has_no_secrets_or_names
fi
if [ "$(q 'PRAGMA integrity_check')" = ok ] && "$CTL" --db "$DB" verify >"$TMP/verify.out" 2>&1; then
	pass database_intact
else
	fail database_intact "$(q 'PRAGMA integrity_check'; cat "$TMP/verify.out")"
fi
finish
