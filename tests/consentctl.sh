#!/bin/sh
# The real consentctl binary: set-up, import, tokens, letters (with their QR codes decoded
# by zbarimg), exports, verify, backup and restore, staff accounts, purge, usage errors.
# Needs build/consentctl and build/policygen (make), sqlite3, zbarimg and rsvg-convert
# (tools/deps.sh check). CONSENTCTL=path overrides the binary.
. "$(dirname "$0")/lib.sh"
CTL=${CONSENTCTL:-$BUILD/consentctl}
PG=$BUILD/policygen
DB=$TMP/var/consent.db
cd "$TOP" || exit 1

for prog in "$CTL" "$PG"; do
	if [ ! -x "$prog" ]; then
		fail consentctl_binaries "$prog is not built; run make"
		exit 1
	fi
done

# run NAME WANT_STATUS COMMAND...: PASS when the command exits with WANT_STATUS; its
# output is left in $TMP/out and $TMP/err.
run() {
	name=$1 want=$2
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" = "$want" ]; then
		pass "$name"
	else
		fail "$name" "exit $rc, wanted $want: $(head -c 1500 "$TMP/err")"
	fi
}
# expect NAME FILE TEXT: the file contains TEXT.
expect() {
	if contains "$2" "$3"; then pass "$1"; else fail "$1" "no '$3' in: $(head -c 1500 "$2")"; fi
}
sql() { sqlite3 "$DB" "$1"; }

# --- usage errors: exit status 2 and a one-line reason -----------------------------------
run usage_no_command 2 "$CTL" --db "$DB"
expect usage_no_command_says "$TMP/err" "consentctl: no command given"
run usage_unknown_command 2 "$CTL" --db "$DB" frobnicate
expect usage_unknown_command_says "$TMP/err" "unknown command 'frobnicate'"
run usage_no_db 2 "$CTL" verify
expect usage_no_db_says "$TMP/err" "verify needs --db FILE"
run usage_unknown_option 2 "$CTL" --db "$DB" verify --force
run usage_option_of_other_command 2 "$CTL" --db "$DB" tokens --out x.html
expect usage_option_of_other_command_says "$TMP/err" "tokens does not take --out"
run usage_missing_operand 2 "$CTL" --db "$DB" import
run usage_extra_operand 2 "$CTL" --db "$DB" verify now
run usage_option_without_value 2 "$CTL" --db
run usage_export_unknown 2 "$CTL" --db "$DB" export everything
run usage_letters_without_out 2 "$CTL" --db "$DB" letters
run usage_purge_bad_date 2 "$CTL" --db "$DB" purge --left-before 2026-02-30
run help 0 "$CTL" --help
expect help_lists_commands "$TMP/out" "letters --out FILE.html"
expect help_warns_letters_revoke "$TMP/out" "stop working"
run no_database_yet 1 "$CTL" --db "$DB" verify
expect no_database_says_init "$TMP/err" "consentctl init"

# --- init ----------------------------------------------------------------------------------
run site_build 0 "$PG" build --content content --templates templates --out "$TMP/site" \
	--portal "$TMP/portal" --state "$TMP/state"
run init 0 "$CTL" --db "$DB" init --portal "$TMP/portal"
expect init_reports "$TMP/out" "6 photo purposes; 2 signable policy versions"
key1=$(sql "SELECT hex(value) FROM secret WHERE name = 'csrf'")
[ ${#key1} = 64 ] && pass init_csrf_key || fail init_csrf_key "key: '$key1'"
run init_again 0 "$CTL" --db "$DB" init --portal "$TMP/portal"
expect init_again_no_migration "$TMP/out" "(0 migrations applied)"
[ "$(sql "SELECT hex(value) FROM secret WHERE name = 'csrf'")" = "$key1" ] &&
	pass init_keeps_key || fail init_keeps_key "the key changed"
run sync 0 "$CTL" --db "$DB" sync --portal "$TMP/portal"
run sync_without_site 0 "$CTL" --db "$DB" sync --portal "$TMP/nowhere"
expect sync_without_site_says "$TMP/out" "not found: build the site with policygen build"

# --- import ------------------------------------------------------------------------------
run import 0 "$CTL" --db "$DB" import content/demo/families.csv
expect import_counts "$TMP/out" "families: 12 added"
expect import_counts_children "$TMP/out" "children: 18 added"
run import_again 0 "$CTL" --db "$DB" import content/demo/families.csv
expect import_again_unchanged "$TMP/out" "families: 0 added, 0 updated, 12 unchanged"
printf 'family_ref,child_ref,first_name,last_name,class\nF1,C1,Ann,Jones,Year 1\nF 2,C2,Bob,Jones,Year 1\nF3,C3,,Jones,Year 2\n' >"$TMP/bad.csv"
run import_bad_rows 1 "$CTL" --db "$DB" import "$TMP/bad.csv"
expect import_bad_row_line_3 "$TMP/err" "$TMP/bad.csv:3: family_ref must be"
expect import_bad_row_line_4 "$TMP/err" "$TMP/bad.csv:4: first_name is empty"
expect import_bad_says_nothing "$TMP/err" "nothing was imported"
[ "$(sql "SELECT count(*) FROM child")" = 18 ] && pass import_bad_changes_nothing ||
	fail import_bad_changes_nothing "children: $(sql "SELECT count(*) FROM child")"
run import_missing_file 1 "$CTL" --db "$DB" import "$TMP/nonexistent.csv"

# --- tokens ------------------------------------------------------------------------------
run tokens 0 "$CTL" --db "$DB" tokens
cp "$TMP/out" "$TMP/tokens1.csv"
[ "$(head -1 "$TMP/tokens1.csv")" = "$(printf 'family_ref,url\r')" ] && pass tokens_header ||
	fail tokens_header "$(head -1 "$TMP/tokens1.csv")"
n=$(grep -c '^F10[0-9][0-9],http://127\.0\.0\.1:8080/sign/[A-Z2-7]\{26\}.$' "$TMP/tokens1.csv")
[ "$n" = 12 ] && pass tokens_one_link_per_family || fail tokens_one_link_per_family "$n links"
run tokens_twice 0 "$CTL" --db "$DB" tokens
[ "$(wc -l <"$TMP/out")" = 1 ] && pass tokens_twice_prints_only_new || fail tokens_twice_prints_only_new "$(cat "$TMP/out")"
expect tokens_twice_says "$TMP/err" "12 families already had one"
run tokens_reissue 0 "$CTL" --db "$DB" tokens --family F1002 --reissue --base-url https://consent.example.sch.cymru/
old=$(grep '^F1002,' "$TMP/tokens1.csv" | sed 's|.*/||; s/\r$//')
new=$(grep '^F1002,' "$TMP/out" | sed 's|.*/||; s/\r$//')
if grep -q '^F1002,https://consent.example.sch.cymru/sign/' "$TMP/out" && [ -n "$new" ] && [ "$new" != "$old" ]; then
	pass tokens_reissue_new_link
else
	fail tokens_reissue_new_link "old $old new $new: $(cat "$TMP/out")"
fi
[ "$(sql "SELECT count(*) FROM token WHERE revoked_at IS NOT NULL")" = 1 ] &&
	pass tokens_reissue_revokes || fail tokens_reissue_revokes "revoked: $(sql "SELECT count(*) FROM token WHERE revoked_at IS NOT NULL")"
if sql "SELECT hash FROM token; SELECT detail FROM event" | grep -q "$new"; then
	fail tokens_not_stored "the token is in the database"
else
	pass tokens_not_stored
fi
run tokens_unknown_family 1 "$CTL" --db "$DB" tokens --family F9999
expect tokens_unknown_family_says "$TMP/err" "no family with the reference F9999"
run tokens_bad_base_url 1 "$CTL" --db "$DB" tokens --base-url 'ftp://x.example'

# --- letters -----------------------------------------------------------------------------
run letters 0 "$CTL" --db "$DB" letters --out "$TMP/letters.html"
expect letters_says_revoked "$TMP/err" "12 letters written"
n=$(grep -c '<svg' "$TMP/letters.html")
[ "$n" = 12 ] && pass letters_one_svg_per_family || fail letters_one_svg_per_family "$n SVGs"
for ref in F1001 F1006 F1012; do
	expect "letters_has_$ref" "$TMP/letters.html" ": $ref · "
done
expect letters_welsh_first "$TMP/letters.html" '<p class="school" lang="cy">Ysgol Gynradd Cwm Derw</p>'
expect letters_welsh_and "$TMP/letters.html" "Annwyl riant neu ofalwr Llŷr a Gwenllïan,"
expect letters_english_and "$TMP/letters.html" "Dear parent or carer of Aisha and Mohammed,"
expect letters_a4 "$TMP/letters.html" "size: A4"
if grep -q "$new" "$TMP/letters.html"; then
	fail letters_new_tokens "a letter carries the token issued before it"
else
	pass letters_new_tokens
fi
[ "$(sql "SELECT count(*) FROM token WHERE revoked_at IS NULL")" = 12 ] &&
	pass letters_one_live_token_each || fail letters_one_live_token_each "$(sql "SELECT count(*) FROM token WHERE revoked_at IS NULL")"
# The first letter's QR code, drawn by a real renderer and read by zbarimg, is its link.
url=$(grep -o '<p class="url">[^<]*' "$TMP/letters.html" | head -1 | sed 's/.*>//')
grep -o '<svg.*</svg>' "$TMP/letters.html" | head -1 >"$TMP/qr.svg"
want=$(printf '%s' "$url" | tr 'a-z' 'A-Z')
if ! rsvg-convert --dpi-x 150 --dpi-y 150 -o "$TMP/qr.png" "$TMP/qr.svg" 2>"$TMP/rsvg.err"; then
	fail letters_qr_decodes "rsvg-convert: $(cat "$TMP/rsvg.err")"
elif ! got=$(zbarimg --raw -q "$TMP/qr.png" 2>/dev/null); then
	fail letters_qr_decodes "zbarimg found no QR code"
elif [ "$got" != "$want" ] || [ -z "$url" ]; then
	fail letters_qr_decodes "decoded '$got', wanted '$want'"
else
	pass letters_qr_decodes
fi
case $url in
http://127.0.0.1:8080/sign/??????????????????????????) pass letters_typed_url ;;
*) fail letters_typed_url "'$url'" ;;
esac
run letters_class 0 "$CTL" --db "$DB" letters --class "Year 6" --out "$TMP/y6.html"
[ "$(grep -c '<svg' "$TMP/y6.html")" = 2 ] && pass letters_class_two_families ||
	fail letters_class_two_families "$(grep -c '<svg' "$TMP/y6.html") SVGs"
run letters_family 0 "$CTL" --db "$DB" letters --family F1002 --out "$TMP/one.html"
[ "$(grep -c '<svg' "$TMP/one.html")" = 1 ] && pass letters_family_one ||
	fail letters_family_one "$(grep -c '<svg' "$TMP/one.html") SVGs"
run letters_unknown_family 1 "$CTL" --db "$DB" letters --family F9999 --out "$TMP/none.html"
[ ! -e "$TMP/none.html" ] && pass letters_unknown_family_no_file || fail letters_unknown_family_no_file "file written"
run letters_no_match 0 "$CTL" --db "$DB" letters --class "Year 99" --out "$TMP/none.html"
expect letters_no_match_says "$TMP/err" "no family matches"
# A letter that cannot be written revokes nothing: the family's code still works.
live_before=$(sql "SELECT hash FROM token t JOIN family f ON f.id = t.family_id WHERE f.ref = 'F1003' AND revoked_at IS NULL")
run letters_bad_folder 1 "$CTL" --db "$DB" letters --family F1003 --out "$TMP/no/such/dir/l.html"
[ -n "$live_before" ] && [ "$(sql "SELECT hash FROM token t JOIN family f ON f.id = t.family_id WHERE f.ref = 'F1003' AND revoked_at IS NULL")" = "$live_before" ] &&
	pass letters_failed_write_keeps_token || fail letters_failed_write_keeps_token "the live token changed"

# --- exports -----------------------------------------------------------------------------
run export_photo 0 "$CTL" --db "$DB" export photo
cp "$TMP/out" "$TMP/photo.csv"
[ "$(head -c 3 "$TMP/photo.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ] && pass export_bom || fail export_bom "no BOM"
[ "$(wc -l <"$TMP/photo.csv")" = 109 ] && pass export_photo_rows || fail export_photo_rows "$(wc -l <"$TMP/photo.csv") lines"
[ "$(grep -c "$(printf '\r')\$" "$TMP/photo.csv")" = 109 ] && pass export_crlf || fail export_crlf "lines without CR"
expect export_welsh_names "$TMP/photo.csv" "Year 4,C2001,Gwenllïan,Pritchard-Jones,website,consent,no,0,"
run export_outstanding 0 "$CTL" --db "$DB" export outstanding
[ "$(wc -l <"$TMP/out")" = 13 ] && pass export_outstanding_all || fail export_outstanding_all "$(wc -l <"$TMP/out") lines"
expect export_outstanding_quotes "$TMP/out" 'F1011,"Megan ""Meg"" Davies; Kieran Walsh",en,Jac Davies (Reception),code-of-conduct 2026-09-01,no,'
run export_declarations 0 "$CTL" --db "$DB" export declarations
[ "$(wc -l <"$TMP/out")" = 1 ] && pass export_declarations_empty || fail export_declarations_empty "$(cat "$TMP/out")"
# A paper answer and a signature, as the portal records them, show in the exports.
sql "INSERT INTO answer SELECT id, 'website', 'Elin Pritchard-Jones', 'elin pritchard-jones', 'yes', '2026-11-01T10:00:00Z', 'paper', 'meg', 1 FROM child WHERE ref = 'C2001';
INSERT INTO signature SELECT f.id, d.id, '=HYPERLINK(\"http://evil.example\",\"x\")', 'evil', '2026-11-01T10:00:00Z', 'qr', NULL, 1 FROM family f, document d WHERE f.ref = 'F1001' AND d.version = '2026-09-01' AND d.lang = 'cy';"
run export_photo_after 0 "$CTL" --db "$DB" export photo
expect export_photo_answer "$TMP/out" "Year 4,C2001,Gwenllïan,Pritchard-Jones,website,consent,yes,1,"
run export_declarations_after 0 "$CTL" --db "$DB" export declarations
expect export_formula_neutralised "$TMP/out" 'F1001,"Elin Pritchard-Jones; Rhodri Jones","'"'"'=HYPERLINK(""http://evil.example"",""x"")",code-of-conduct,2026-09-01,cy,'

# Those rows were written behind the log's back: verify names them, and they go.
run verify_forged_rows 1 "$CTL" --db "$DB" verify
expect verify_forged_answer_says "$TMP/out" "website, carer 'elin pritchard-jones'): expected no row, found yes by Elin Pritchard-Jones (event 1), which no event wrote"
expect verify_forged_signature_says "$TMP/out" "carer 'evil'): expected no row, found one signed by"
sql "DELETE FROM answer; DELETE FROM signature;"

# --- verify, backup, restore -------------------------------------------------------------
run verify 0 "$CTL" --db "$DB" verify
expect verify_ok "$TMP/out" "ok: database intact"
run backup 0 "$CTL" --db "$DB" backup "$TMP/backup.db"
run backup_exists 1 "$CTL" --db "$DB" backup "$TMP/backup.db"
expect backup_exists_says "$TMP/err" "already exists"
[ "$(stat -c %a "$TMP/backup.db")" = 600 ] && pass backup_private || fail backup_private "mode $(stat -c %a "$TMP/backup.db")"
# Restore: the copy put in place of a database opens, verifies and holds the same data.
mkdir -p "$TMP/restored" && cp "$TMP/backup.db" "$TMP/restored/consent.db"
run restore_verify 0 "$CTL" --db "$TMP/restored/consent.db" verify
"$CTL" --db "$DB" export declarations >"$TMP/d1.csv" 2>&1
"$CTL" --db "$TMP/restored/consent.db" export declarations >"$TMP/d2.csv" 2>&1
cmp -s "$TMP/d1.csv" "$TMP/d2.csv" && pass restore_same_data || fail restore_same_data "$(diff "$TMP/d1.csv" "$TMP/d2.csv" | head)"

# Someone edits the log behind the portal's back: verify finds it.
cp "$DB" "$TMP/tampered.db"
sqlite3 "$TMP/tampered.db" "DROP TRIGGER event_no_update; UPDATE event SET detail = 'reissued' WHERE id = 3;"
run verify_tampered 1 "$CTL" --db "$TMP/tampered.db" verify
expect verify_tampered_says "$TMP/out" "event 3: its contents were changed after it was written"

# --- signed checkpoints ------------------------------------------------------------------
# Debian's python3, which has python3-nacl (tools/deps.sh check), whatever else is on PATH.
PY=${PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3
KEY=$DB.checkpoint-key
[ "$(stat -c %a "$KEY")" = 600 ] && pass checkpoint_key_owner_only ||
	fail checkpoint_key_owner_only "mode $(stat -c %a "$KEY")"
run checkpoint 0 "$CTL" --db "$DB" checkpoint
cp "$TMP/out" "$TMP/cp1"
run checkpoint_verifier_key 0 "$CTL" --db "$DB" checkpoint --verifier-key
cp "$TMP/out" "$TMP/vkey"
# The C2SP signed-note shape: origin, size, base64 hash, a blank line, "— name base64".
if [ "$(sed -n 2p "$TMP/cp1")" = "$(sql "SELECT count(*) FROM event")" ] &&
	[ -z "$(sed -n 4p "$TMP/cp1")" ] && sed -n 5p "$TMP/cp1" | grep -q "^— $(sed -n 1p "$TMP/cp1") [A-Za-z0-9+/]*=*\$" &&
	[ "$(sed -n 3p "$TMP/cp1" | base64 -d | od -An -tx1 | tr -d ' \n')" = "$(sql "SELECT hash FROM event ORDER BY id DESC LIMIT 1")" ]; then
	pass checkpoint_format
else
	fail checkpoint_format "$(cat "$TMP/cp1")"
fi
# A second implementation (PyNaCl) checks the key id and the Ed25519 signature.
if "$PY" tests/tools/checkpoint_check.py "$TMP/vkey" "$TMP/cp1" >"$TMP/py.out" 2>&1 &&
	[ "$(cut -d' ' -f3 "$TMP/py.out")" = "$(sql "SELECT count(*) FROM event")" ]; then
	pass checkpoint_signature_pynacl
else
	fail checkpoint_signature_pynacl "$(cat "$TMP/py.out")"
fi
sed '2s/.*/999/' "$TMP/cp1" >"$TMP/cp-forged"
if "$PY" tests/tools/checkpoint_check.py "$TMP/vkey" "$TMP/cp-forged" >/dev/null 2>&1; then
	fail checkpoint_forged_pynacl "a changed size verified"
else
	pass checkpoint_forged_pynacl
fi
run verify_checkpoint 0 "$CTL" --db "$DB" verify --checkpoint "$TMP/cp1"
expect verify_checkpoint_says "$TMP/out" "a prefix of today's"
run verify_checkpoint_forged 1 "$CTL" --db "$DB" verify --checkpoint "$TMP/cp-forged"
expect verify_checkpoint_forged_says "$TMP/out" "does not verify"
# More events later: both checkpoints are prefixes.
run checkpoint_later_event 0 "$CTL" --db "$DB" import content/demo/families.csv
"$CTL" --db "$DB" checkpoint >"$TMP/cp2"
run verify_two_checkpoints 0 "$CTL" --db "$DB" verify --checkpoint "$TMP/cp1" --checkpoint "$TMP/cp2"
# Truncated: the last event removed. The chain alone still verifies; the checkpoint does not.
cp "$DB" "$TMP/cut.db"
sqlite3 "$TMP/cut.db" "DROP TRIGGER event_no_delete; DELETE FROM event WHERE id = (SELECT max(id) FROM event);"
run verify_truncated_chain_alone 0 "$CTL" --db "$TMP/cut.db" verify
run verify_truncated 1 "$CTL" --db "$TMP/cut.db" verify --key "$KEY" --checkpoint "$TMP/cp2"
expect verify_truncated_says "$TMP/out" "events were removed since it was signed"
# Rewritten: an event changed and every later hash recomputed (tests/tools/rewrite_log.py).
cp "$DB" "$TMP/rewritten.db"
"$PY" tests/tools/rewrite_log.py "$TMP/rewritten.db" 3 "nothing happened here"
run verify_rewritten_chain_alone 0 "$CTL" --db "$TMP/rewritten.db" verify
run verify_rewritten 1 "$CTL" --db "$TMP/rewritten.db" verify --key "$KEY" --checkpoint "$TMP/cp1"
expect verify_rewritten_says "$TMP/out" "the log was rewritten since it was signed"
# The same checks with standard tools only (tools/recheck-log.sh, as docs/evidence.md shows).
run recheck_log_standard_tools 0 sh tools/recheck-log.sh "$DB" "$TMP/cp2"
expect recheck_log_head "$TMP/out" "head: $(sed -n 3p "$TMP/cp2")"
run recheck_log_rewritten 1 sh tools/recheck-log.sh "$TMP/rewritten.db" "$TMP/cp1"
expect recheck_log_rewritten_says "$TMP/out" "checkpoint: event $(sed -n 2p "$TMP/cp1")'s hash is"
cp "$DB" "$TMP/edited.db"
sqlite3 "$TMP/edited.db" "DROP TRIGGER event_no_update; UPDATE event SET detail = 'x' WHERE id = 2;"
run recheck_log_edited 1 sh tools/recheck-log.sh "$TMP/edited.db"
expect recheck_log_edited_says "$TMP/out" "event 2: its hash is not the SHA-256 of its contents"
run verify_checkpoint_unreadable 1 "$CTL" --db "$DB" verify --checkpoint "$TMP/no-such-checkpoint"

# A stored value whose type changed (an id made a real number, which SQLite's comparisons
# and the old textual hash both read as 7) is found.
cp "$DB" "$TMP/tampered.db"
sqlite3 "$TMP/tampered.db" "DROP TRIGGER event_no_update; UPDATE event SET family_id = family_id + 0.25 WHERE family_id IS NOT NULL AND id = (SELECT max(id) FROM event WHERE family_id IS NOT NULL);"
run verify_type_changed 1 "$CTL" --db "$TMP/tampered.db" verify
expect verify_type_changed_says "$TMP/out" "column family_id is stored as a real number, not an integer"

# A database from before event-v2 (tests/fixtures/consent-v4.sql, made by the program at
# schema 4) upgrades with init; its event-v1 chain still verifies, and new events are v2.
sqlite3 "$TMP/v4.db" <tests/fixtures/consent-v4.sql
run upgrade_init 0 "$CTL" --db "$TMP/v4.db" init --content content --portal "$TMP/portal"
run upgrade_verify 0 "$CTL" --db "$TMP/v4.db" verify
run upgrade_new_event 0 sh -c "printf 'pw-after-upgrade-1\n' | '$CTL' --db '$TMP/v4.db' add-staff new.user"
run upgrade_verify_after 0 "$CTL" --db "$TMP/v4.db" verify
[ "$(sqlite3 "$TMP/v4.db" "SELECT count(*) FROM event WHERE v IS NULL") $(sqlite3 "$TMP/v4.db" "SELECT v FROM event ORDER BY id DESC LIMIT 1")" = "20 2" ] &&
	pass upgrade_v1_then_v2 || fail upgrade_v1_then_v2 "$(sqlite3 "$TMP/v4.db" "SELECT id, v FROM event")"

[ "$(stat -c %a "$DB")" = 600 ] && pass init_database_owner_only ||
	fail init_database_owner_only "mode $(stat -c %a "$DB")"

# --- staff ---------------------------------------------------------------------------------
pw='correct horse battery staple'
run add_staff 0 sh -c "printf '%s\n' '$pw' | '$CTL' --db '$DB' add-staff meg.jones"
case $(sql "SELECT pwhash FROM staff WHERE username = 'meg.jones'") in
'$argon2id$'*) pass add_staff_argon2id ;;
*) fail add_staff_argon2id "hash: $(sql "SELECT pwhash FROM staff")" ;;
esac
if cat "$TMP/out" "$TMP/err" | grep -qF "$pw" || sql "SELECT * FROM staff; SELECT * FROM event" | grep -qF "$pw"; then
	fail add_staff_password_secret "the password was printed or stored"
else
	pass add_staff_password_secret
fi
[ "$(sql "SELECT count(*) FROM event WHERE kind = 'staff' AND staff = 'meg.jones'")" = 1 ] &&
	pass add_staff_event || fail add_staff_event "no staff event"
run add_staff_duplicate 1 sh -c "printf '%s\n' '$pw' | '$CTL' --db '$DB' add-staff meg.jones"
expect add_staff_duplicate_says "$TMP/err" "already exists"
run add_staff_short 1 sh -c "printf 'short pass\n' | '$CTL' --db '$DB' add-staff tom"
expect add_staff_short_says "$TMP/err" "at least 12 characters"
run add_staff_no_password 1 sh -c "'$CTL' --db '$DB' add-staff tom </dev/null"
run add_staff_bad_name 1 sh -c "printf '%s\n' '$pw' | '$CTL' --db '$DB' add-staff 'Tom Jones'"
[ "$(sql "SELECT count(*) FROM staff")" = 1 ] && pass add_staff_refusals_change_nothing ||
	fail add_staff_refusals_change_nothing "$(sql "SELECT username FROM staff")"
old_hash=$(sql "SELECT pwhash FROM staff WHERE username = 'meg.jones'")
run set_password 0 sh -c "printf '%s\n' 'a brand new passphrase' | '$CTL' --db '$DB' set-password meg.jones"
[ "$(sql "SELECT pwhash FROM staff WHERE username = 'meg.jones'")" != "$old_hash" ] &&
	pass set_password_changes_hash || fail set_password_changes_hash "hash unchanged"
run set_password_unknown_user 1 sh -c "printf '%s\n' 'a brand new passphrase' | '$CTL' --db '$DB' set-password nobody"
expect set_password_unknown_says "$TMP/err" "there is no staff user nobody"
# Roles: office by default; editor on request; nothing else.
[ "$(sql "SELECT role FROM staff WHERE username = 'meg.jones'")" = office ] &&
	pass add_staff_default_role_office || fail add_staff_default_role_office "$(sql "SELECT role FROM staff")"
run add_staff_editor 0 sh -c "printf '%s\n' '$pw' | '$CTL' --db '$DB' add-staff ed.evans --role editor"
[ "$(sql "SELECT role FROM staff WHERE username = 'ed.evans'")" = editor ] &&
	pass add_staff_editor_role || fail add_staff_editor_role "$(sql "SELECT username, role FROM staff")"
[ "$(sql "SELECT count(*) FROM event WHERE kind = 'staff' AND staff = 'ed.evans' AND detail = 'role editor'")" = 1 ] &&
	pass add_staff_role_event || fail add_staff_role_event "no role event"
run add_staff_bad_role 1 sh -c "printf '%s\n' '$pw' | '$CTL' --db '$DB' add-staff bo.boss --role admin"
expect add_staff_bad_role_says "$TMP/err" "--role is office or editor, not 'admin'"
[ "$(sql "SELECT count(*) FROM staff WHERE username = 'bo.boss'")" = 0 ] &&
	pass add_staff_bad_role_adds_nobody || fail add_staff_bad_role_adds_nobody "bo.boss was added"
run set_role 0 "$CTL" --db "$DB" set-role ed.evans --role office
[ "$(sql "SELECT role FROM staff WHERE username = 'ed.evans'")" = office ] &&
	pass set_role_changes || fail set_role_changes "$(sql "SELECT role FROM staff WHERE username = 'ed.evans'")"
run set_role_unknown_user 1 "$CTL" --db "$DB" set-role nobody --role editor
sqlite3 "$DB" "UPDATE staff SET role = 'admin' WHERE username = 'ed.evans'" 2>/dev/null &&
	fail role_constraint "the database took role admin" || pass role_constraint
run disable_staff 0 "$CTL" --db "$DB" disable-staff meg.jones
[ "$(sql "SELECT disabled FROM staff WHERE username = 'meg.jones'")" = 1 ] &&
	pass disable_staff_recorded || fail disable_staff_recorded "not disabled"
run enable_staff 0 "$CTL" --db "$DB" enable-staff meg.jones
[ "$(sql "SELECT disabled FROM staff WHERE username = 'meg.jones'")" = 0 ] &&
	pass enable_staff_recorded || fail enable_staff_recorded "still disabled"
run disable_unknown_staff 1 "$CTL" --db "$DB" disable-staff nobody

# --- leavers and purge -------------------------------------------------------------------
grep -v '^F1012,' content/demo/families.csv >"$TMP/fewer.csv"
run import_leaver 0 "$CTL" --db "$DB" import "$TMP/fewer.csv"
expect import_leaver_counts "$TMP/out" "children: 0 added, 0 updated, 17 unchanged, 1 left"
# A family that has left gets no new token from tokens --reissue, and the command says so.
run tokens_reissue_skips_left 0 "$CTL" --db "$DB" tokens --reissue --base-url https://consent.example.sch.cymru/
if grep -q '^F1012,' "$TMP/out"; then fail tokens_reissue_left_no_token "F1012 (left) got a token"; else
	pass tokens_reissue_left_no_token; fi
expect tokens_reissue_left_note "$TMP/err" "1 family that has left was skipped"
run tokens_family_left 1 "$CTL" --db "$DB" tokens --family F1012 --reissue --base-url https://consent.example.sch.cymru/
expect tokens_family_left_says "$TMP/err" "family F1012 has left"
run purge_needs_date 2 "$CTL" --db "$DB" purge
tomorrow=$(date -u -d tomorrow +%Y-%m-%d)
run purge 0 "$CTL" --db "$DB" purge --left-before "$tomorrow"
expect purge_counts "$TMP/out" "1 families, 1 children"
[ "$(sql "SELECT count(*) FROM child WHERE first_name = 'Zofia'")" = 0 ] && pass purge_deletes ||
	fail purge_deletes "Zofia is still there"
[ "$(sql "SELECT count(*) FROM family_fts WHERE family_fts MATCH 'zofia'")" = 0 ] &&
	pass purge_clears_search_index || fail purge_clears_search_index "Zofia is still in the index"
run purge_verify 0 "$CTL" --db "$DB" verify
expect purge_verify_ok "$TMP/out" "chain verified"

# --- upgrading a database from schema 4 (tests/fixtures/consent-v4.sql): the search
# index and the family key come with it, and the log still verifies --------------------
sqlite3 "$TMP/old.db" <tests/fixtures/consent-v4.sql
run upgrade_from_4 0 "$CTL" --db "$TMP/old.db" init --content content --portal "$TMP/portal"
expect upgrade_from_4_applied "$TMP/out" "(4 migrations applied)"
[ "$(sqlite3 "$TMP/old.db" "SELECT count(*) FROM family_fts WHERE family_fts MATCH 'gwenllian'")" = 1 ] &&
	pass upgrade_fills_search_index || fail upgrade_fills_search_index "Gwenllïan not in the index"
[ "$(sqlite3 "$TMP/old.db" "SELECT length(value) FROM secret WHERE name = 'family'")" = 32 ] &&
	pass upgrade_makes_family_key || fail upgrade_makes_family_key "no family key"
run upgrade_from_4_verify 0 "$CTL" --db "$TMP/old.db" verify
finish
