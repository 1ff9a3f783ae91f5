#!/bin/sh
# Issue 12: the school's own exports in, safely, and any family found however its name is
# typed. consentctl with the synthetic SIMS, Arbor and Bromcom exports in tests/fixtures/
# (each imported twice, a dry run and a partial file leaving the database byte-identical,
# --columns and --map), then the office through the real web server (lighttpd, started as
# tools/serve.sh starts it): the upload with its plan and its confirmation, refusals,
# the search table, the Families page by class, and letters under the served address.
. "$(dirname "$0")/lib.sh"
CTL=$BUILD/consentctl
FIX=$TOP/tests/fixtures
cd "$TOP" || exit 1
for prog in "$CTL" "$BUILD/office.fcgi" "$BUILD/policygen"; do
	if [ ! -x "$prog" ]; then
		fail import_binaries "$prog is not built; run make"
		exit 1
	fi
done

run() {
	name=$1 want=$2
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" = "$want" ]; then pass "$name"; else fail "$name" "exit $rc, wanted $want: $(head -c 1500 "$TMP/err")"; fi
}
expect() {
	if contains "$2" "$3"; then pass "$1"; else fail "$1" "no '$3' in: $(head -c 1500 "$2")"; fi
}
same_file() {
	if cmp -s "$2" "$3"; then pass "$1"; else fail "$1" "the database changed"; fi
}

# --- consentctl --------------------------------------------------------------------------
run columns_without_db 0 "$CTL" import --columns "$FIX/sims.csv"
expect columns_child "$TMP/out" 'child_ref     "Adno", then "UPN"'
expect columns_first "$TMP/out" 'first_name    "Preferred Forename", then "Legal Forename"'
expect columns_class "$TMP/out" 'class         "Reg Group", then "Year Group"'
expect columns_family "$TMP/out" 'family_ref    (none: families are formed from siblings'
printf 'Pupil No,Name,Family,Group\r\n1,Ann,Jones,Year 1\r\n' >"$TMP/odd.csv"
run columns_missing 1 "$CTL" import --columns "$TMP/odd.csv"
expect columns_missing_says "$TMP/err" "no column for child_ref, first_name, last_name, class"
run columns_map 0 "$CTL" import --columns --map 'child_ref=Pupil No,first_name=Name,last_name=Family,class=Group' "$TMP/odd.csv"
run columns_map_bad 1 "$CTL" import --columns --map 'class=Form' "$TMP/odd.csv"
expect columns_map_bad_says "$TMP/err" "--map: the file has no column 'Form' (for class)"
run import_still_needs_db 2 "$CTL" import "$FIX/sims.csv"

for f in sims arbor bromcom; do
	DB=$TMP/$f.db
	"$CTL" --db "$DB" init >/dev/null 2>&1
	cp "$DB" "$TMP/before.db"
	run "${f}_dry_run" 0 "$CTL" --db "$DB" import --dry-run "$FIX/$f.csv"
	expect "${f}_dry_run_plan" "$TMP/out" "Dry run: nothing was changed."
	expect "${f}_dry_run_families" "$TMP/out" "grouped into families by their primary contact"
	same_file "${f}_dry_run_unchanged" "$DB" "$TMP/before.db"
	run "${f}_import" 0 "$CTL" --db "$DB" import "$FIX/$f.csv"
	expect "${f}_import_added" "$TMP/out" "Gwenllïan Pritchard-Jones added"
	run "${f}_import_again" 0 "$CTL" --db "$DB" import "$FIX/$f.csv"
	expect "${f}_again_no_changes" "$TMP/out" "No changes."
	# A partial file (the first two rows) would make the rest leave: refused.
	head -n 3 "$FIX/$f.csv" >"$TMP/partial.csv"
	cp "$DB" "$TMP/before.db"
	run "${f}_partial_refused" 1 "$CTL" --db "$DB" import "$TMP/partial.csv"
	expect "${f}_partial_says" "$TMP/err" "current children as left"
	same_file "${f}_partial_unchanged" "$DB" "$TMP/before.db"
done
DB=$TMP/sims.db
# The export neutralises the '=' cell imported as a name.
run export_photo 0 "$CTL" --db "$DB" export photo
expect export_neutralised "$TMP/out" "'=SUM(1+1)"
head -n 3 "$FIX/sims.csv" >"$TMP/partial.csv"
run partial_allowed 0 "$CTL" --db "$DB" import --allow-leavers "$TMP/partial.csv"
expect partial_allowed_left "$TMP/out" "left"
run import_verify 0 "$CTL" --db "$DB" verify

# --- the office through lighttpd ---------------------------------------------------------
PORT=${IMPORT_PORT:-$((20000 + ($$ + 7) % 20000))}
BASE=http://127.0.0.1:$PORT
DB=$TMP/office.db
RUN=$TMP/run
PASSWORD='Llanfair-2026 office!'
mkdir -p "$RUN"
"$BUILD/policygen" build --content content --templates templates --out "$TOP/public" \
	--today 2026-11-21 >/dev/null 2>&1
"$CTL" --db "$DB" init --content content --portal "$TOP/var/portal" >/dev/null
printf '%s\n' "$PASSWORD" | "$CTL" --db "$DB" add-staff office.one >/dev/null
"$TOP/tools/serve.sh" "$PORT" "$DB" "$RUN" >"$TMP/server.out" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; sleep 0.2; rm -rf "$TMP"' EXIT
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	curl -s -o /dev/null "$BASE/" && break
	sleep 0.3
done
JAR=$TMP/jar
web() { # web METHOD PATH [curl args...]: body in $TMP/body, status in $status
	m=$1 p=$2
	shift 2
	status=$(curl -s -b "$JAR" -c "$JAR" -o "$TMP/body" -w '%{http_code}' -X "$m" "$@" "$BASE$p")
}
see() { # see NAME STATUS TEXT...
	name=$1 want=$2
	shift 2
	[ "$status" = "$want" ] || { fail "$name" "status $status, want $want: $(head -c 600 "$TMP/body")"; return; }
	for text in "$@"; do
		contains "$TMP/body" "$text" || { fail "$name" "no '$text' in $(head -c 1500 "$TMP/body")"; return; }
	done
	pass "$name"
}
csrf() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$TMP/body" | head -n 1; }
sql() { sqlite3 "$DB" "$1"; }

web GET /office/login
web POST /office/login --data-urlencode "csrf=$(csrf)" --data-urlencode username=office.one \
	--data-urlencode "password=$PASSWORD"
[ "$status" = 303 ] && pass office_login || fail office_login "status $status"
web GET /office/import
see import_page 200 'enctype="multipart/form-data"' 'name="file"' 'Import families'
CSRF=$(csrf)

# A wrong CSRF token, wrong only in its last byte: refused, nothing kept.
BAD=$(printf '%s' "$CSRF" | sed 's/.$//')$(printf '%s' "$CSRF" | tail -c 1 | tr '0-9a-f' '1-9a-f0')
web POST /office/import -F "csrf=$BAD" -F "file=@$FIX/sims.csv;type=text/csv"
see upload_bad_csrf 403
[ "$(sql 'SELECT count(*) FROM upload')" = 0 ] && pass upload_bad_csrf_keeps_nothing ||
	fail upload_bad_csrf_keeps_nothing "an upload was kept"
# Not a CSV file: refused in plain words.
printf 'hello' >"$TMP/notes.txt"
web POST /office/import -F "csrf=$CSRF" -F "file=@$TMP/notes.txt"
see upload_not_csv 422 'Choose a CSV file'
# Over 5 MiB: refused by the import (a file just over), by office.fcgi before it reads the
# form (5.5 MB), or by the web server itself (7 MB).
head -c 5243000 /dev/zero | tr '\0' a >"$TMP/big.csv"
web POST /office/import -F "csrf=$CSRF" -F "file=@$TMP/big.csv;type=text/csv"
see upload_too_big 422 'of at most 5 MB'
head -c 5500000 /dev/zero | tr '\0' a >"$TMP/big.csv"
web POST /office/import -F "csrf=$CSRF" -F "file=@$TMP/big.csv;type=text/csv"
see upload_too_big_program 413 'too large'
head -c 7000000 /dev/zero | tr '\0' a >"$TMP/big.csv"
web POST /office/import -F "csrf=$CSRF" -F "file=@$TMP/big.csv;type=text/csv"
see upload_too_big_server 413
rm -f "$TMP/big.csv"
# A urlencoded body to the upload: not the form it expects.
web POST /office/import --data "csrf=$CSRF"
see upload_not_multipart 400

# The export: the plan, nothing changed yet.
web POST /office/import -F "csrf=$CSRF" -F "file=@$FIX/sims.csv;type=text/csv"
see upload_preview 200 'Nothing has changed yet' 'child 001001 Gwenllïan Pritchard-Jones added' \
	'language &quot;Polish&quot; is neither English nor Welsh' 'name="upload"'
[ "$(sql 'SELECT count(*) FROM child')" = 0 ] && pass upload_preview_changes_nothing ||
	fail upload_preview_changes_nothing "children: $(sql 'SELECT count(*) FROM child')"
ONCE=$(sed -n 's/.*name="upload" value="\([A-Z2-7]*\)".*/\1/p' "$TMP/body")
web POST /office/import/confirm --data "csrf=$CSRF&upload=$ONCE"
see upload_confirm 200 'Imported' 'families: 6 added'
[ "$(sql 'SELECT count(*) FROM child')" = 8 ] && pass upload_confirm_imports ||
	fail upload_confirm_imports "children: $(sql 'SELECT count(*) FROM child')"
SUM=$(sha256sum "$FIX/sims.csv" | cut -d' ' -f1)
[ "$(sql "SELECT count(*) FROM event WHERE kind = 'import' AND channel = 'office' AND staff = 'office.one' AND detail LIKE '%sha256 $SUM%'")" = 1 ] &&
	pass upload_event_staff_sha256 || fail upload_event_staff_sha256 "$(sql "SELECT channel, staff, detail FROM event WHERE kind = 'import'")"
web POST /office/import/confirm --data "csrf=$CSRF&upload=$ONCE"
see upload_confirm_twice 422 'imported already'
[ "$(sql "SELECT count(*) FROM event WHERE kind = 'import'")" = 1 ] && pass upload_applied_once ||
	fail upload_applied_once "import events: $(sql "SELECT count(*) FROM event WHERE kind = 'import'")"
run office_verify 0 "$CTL" --db "$DB" verify

# A partial file: refused with the leavers named, the roster, the log and the uploads as
# they were (the office's own session bookkeeping may write, so not the file's bytes).
snap() { sqlite3 "$DB" '.dump family child event upload family_fts'; }
snap >"$TMP/before.sql"
head -n 3 "$FIX/sims.csv" >"$TMP/partial.csv"
web POST /office/import -F "csrf=$CSRF" -F "file=@$TMP/partial.csv;type=text/csv"
see upload_partial_refused 422 'Nothing was imported' 'would mark 6 of the 8 current children as left'
snap >"$TMP/after.sql"
same_file upload_partial_unchanged "$TMP/after.sql" "$TMP/before.sql"

# Find anyone, however the name is typed.
search() { # search NAME QUERY CHILD: the families page for QUERY lists CHILD
	web GET "/office/families?q=$2"
	see "$1" 200 "$3"
}
search search_sian sian 'Siân O&#39;Brien'
search search_siAn 'SI%C3%82N' 'Siân O&#39;Brien'
search search_gwenllian gwenllian 'Gwenllïan Pritchard-Jones'
search search_llyr llyr 'Llŷr Pritchard-Jones'
search search_obrien obrien 'Seán O’Brien'
search search_o_apostrophe_brien "O%27Brien" 'Siân O&#39;Brien'
search search_o_curly_brien "O%E2%80%99Brien" 'Siân O&#39;Brien'
search search_brien brien 'Seán O’Brien'
search search_prefix gwen 'Gwenllïan Pritchard-Jones'
search search_hyphen pritchardjones 'Llŷr Pritchard-Jones'
search search_hyphen_part jones 'Llŷr Pritchard-Jones'
search search_ap 'ap+gwyn' 'Llew ap Gwyn'
search search_carer maire 'Seán O’Brien'
search search_child_ref 001005 'Llew ap Gwyn'
web GET '/office/families?q=zzzz'
see search_no_match 200 'No family matches.'
# No query: every family, by class then surname.
web GET /office/families
see families_all 200 'Families found: 6'
order=
for name in '=SUM(1+1) Smith (1S)' 'Siân O&#39;Brien (2B)' 'Llew ap Gwyn (3G)' \
	'Gwenllïan Pritchard-Jones (4P)' 'Ffion Jones (5J)' 'Cai Williams (N1)'; do
	order="$order $(grep -nF -- "$name" "$TMP/body" | head -n 1 | cut -d: -f1)"
done
if [ "$(echo $order | tr ' ' '\n' | sort -n | tr '\n' ' ')" = "$(echo $order | tr ' ' '\n' | tr '\n' ' ')" ] &&
	[ "$(echo $order | wc -w)" = 6 ]; then
	pass families_by_class
else
	fail families_by_class "lines: $order"
fi

# Letters carry the address this server is reached at, not the site's default port.
F=$(sql "SELECT f.ref FROM family f JOIN child c ON c.family_id = f.id WHERE c.ref = '001001'")
web GET "/office/letters?family=$F"
see letters_one_family 200 "$F"
if contains "$TMP/body" 'Every family'; then fail letters_one_family_wording "says 'Every family'"; else pass letters_one_family_wording; fi
web POST /office/letters --data "csrf=$CSRF&family=$F&once=$(once_of)"
see letters_base_url 200 "$BASE/sign/" 'Gwenllïan Pritchard-Jones (4P), Llŷr Pritchard-Jones (Derbyn)' \
	'Gwenllïan Pritchard-Jones (4P), Llŷr Pritchard-Jones (Reception)' "$F · 4P"
if contains "$TMP/body" '127.0.0.1:8080'; then fail letters_not_default_port "a link to 127.0.0.1:8080"; else pass letters_not_default_port; fi

# A whole new school of 150 families, allowed to make the 8 children above leave: the
# Families page lists them 100 at a time.
{
	echo 'family_ref,child_ref,first_name,last_name,class'
	i=1
	while [ $i -le 150 ]; do
		printf 'N%03d,K%03d,Child%03d,Surname%03d,Year %d\n' $i $i $i $i $((i % 6 + 1))
		i=$((i + 1))
	done
} >"$TMP/school.csv"
web POST /office/import -F "csrf=$CSRF" -F "file=@$TMP/school.csv;type=text/csv"
see upload_leavers_refused 422 'would mark 8 of the 8 current children as left'
web POST /office/import -F "csrf=$CSRF" -F "file=@$TMP/school.csv;type=text/csv" -F allow_leavers=1
see upload_leavers_allowed 200 'Nothing has changed yet' 'child 001001 Gwenllïan Pritchard-Jones left (4P)'
ONCE=$(sed -n 's/.*name="upload" value="\([A-Z2-7]*\)".*/\1/p' "$TMP/body")
web POST /office/import/confirm --data "csrf=$CSRF&upload=$ONCE"
see upload_leavers_imported 200 'families: 150 added' 'children: 150 added'
web GET /office/families
see families_page_1 200 'Families 1–100' 'rel="next"' '/office/families?q=&amp;class=&amp;page=2'
web GET '/office/families?page=2'
see families_page_2 200 'Families 101–156' 'rel="prev"' '<span class="tag">Left</span>'
web GET '/office/families?page=x9'
see families_page_bad 200 'Families 1–100'

# Class names in Welsh on the parents' Welsh pages: "Year 2" is "Blwyddyn 2"; in English
# it stays as imported. (N001's child is in Year 2.)
LINK=$("$CTL" --db "$DB" tokens --family N001 2>/dev/null | tr -d '\r' | sed -n 's|^N001,https*://[^/]*||p')
web GET "$LINK?lang=cy"
see welsh_class_name 200 '<html lang="cy">' '(Blwyddyn 2)'
web GET "$LINK?lang=en"
see english_class_name 200 '(Year 2)'
finish
