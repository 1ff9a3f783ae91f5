#!/bin/sh
# The consent record is what the office reads, and verify proves it. A database made the
# real way (consentctl init, import, tokens, staff; two carers answering through
# sign.fcgi as plain CGI, one objecting and then withdrawing the objection), then a
# tamper table: each row of each table the pages and exports read edited, inserted or
# deleted, an id's storage type changed, the log truncated, an event rewritten with every
# later hash recomputed, a signed text's hash or a purpose's basis changed; on a copy of
# the database each time. `consentctl verify` (with
# the day's saved checkpoint) must exit 1 and name the problem.
#
# Needs build/consentctl, build/sign.fcgi, build/policygen, sqlite3 and Debian's python3
# (tests/tools/rewrite_log.py uses only the standard library).
. "$(dirname "$0")/lib.sh"
CTL=$BUILD/consentctl
DB=$TMP/consent.db
KEY=$DB.checkpoint-key
PY=${PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3
cd "$TOP" || exit 1
need_programs tamper_setup "$CTL" "$SIGN" "$BUILD/policygen"

setup() {
	demo_site && "$CTL" --db "$DB" init --content content --portal "$PORTAL" &&
		"$CTL" --db "$DB" import content/demo/families.csv &&
		"$CTL" --db "$DB" tokens --base-url https://school.example/ >"$TMP/tokens.csv" &&
		printf 'a-long-staff-password-1\n' | "$CTL" --db "$DB" add-staff meg.jones &&
		"$CTL" --db "$DB" tokens --family F1002 --reissue --base-url https://school.example/
}
if ! setup >"$TMP/setup.log" 2>&1; then
	fail tamper_setup "$(tail -n 20 "$TMP/setup.log")"
	exit 1
fi
T=$(tr -d '\r' <"$TMP/tokens.csv" | sed -n 's|^F1001,.*/sign/||p')
q() { sqlite3 "$DB" "$1"; }

# req METHOD URI [BODY]: one request to sign.fcgi (cgi_run); the answer's body in $TMP/body.
req() { cgi_run "$SIGN" "" "$@"; }
send() {
	req POST "/sign/$T/check" "$1"
	once=$(sed -n 's/.*name="once" value="\([A-Za-z0-9-]*\)".*/\1/p' "$TMP/body" | head -n 1)
	req POST "/sign/$T/confirm" "$1&once=$once"
}
req GET "/sign/$T/answer?lang=en"
CSRF=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$TMP/body" | head -n 1)
DOCS=$(grep -o 'name="agree\.[0-9]*"' "$TMP/body" | sort -u | sed 's/name="\(.*\)"/\&\1=yes/' | tr -d '\n')
C1=$(q "SELECT id FROM child WHERE ref = 'C2001'")
ALL=
for p in $(q "SELECT id FROM purpose ORDER BY position"); do
	v=yes
	[ "$p" = displays ] && v=no
	ALL="$ALL&a.$C1.$p=$v"
done
C2=$(q "SELECT id FROM child WHERE ref = 'C2002'")
for p in $(q "SELECT id FROM purpose ORDER BY position"); do ALL="$ALL&a.$C2.$p=yes"; done
# Carer A answers everything, objecting to displays for Gwenllïan; carer B answers one
# question; A then withdraws the objection.
send "csrf=$CSRF&lang=en&name=Elin+Pritchard-Jones$DOCS$ALL"
send "csrf=$CSRF&lang=en&name=Rhodri+Jones&a.$C1.website=no"
photo() { "$CTL" --db "$DB" export photo | grep "^Year 4,C2001,Gwenllïan,Pritchard-Jones,$1,"; }
if photo displays | grep -q ',public_task,no,' && photo website | grep -q ',consent,no,2,'; then
	pass two_carers_export_before
else
	fail two_carers_export_before "$(photo displays) / $(photo website)"
fi
if [ "$(q "SELECT group_concat(purpose) FROM answer WHERE signer_key = 'rhodri jones'")" = website ]; then
	pass two_carers_second_carer_own_answers
else
	fail two_carers_second_carer_own_answers "$(q "SELECT purpose, answer FROM answer WHERE signer_key = 'rhodri jones'")"
fi
send "csrf=$CSRF&lang=en&name=Elin+Pritchard-Jones&a.$C1.displays=yes"
if photo displays | grep -q ',public_task,yes,'; then pass two_carers_objection_withdrawn_export; else
	fail two_carers_objection_withdrawn_export "$(photo displays)"; fi
# A withdrawal of a consent through the link (every carer's yes becomes no).
req POST "/sign/$T/withdraw" "csrf=$CSRF&lang=en&child=$C2&purpose=press&confirm=yes"
check verify_real_database "$CTL" --db "$DB" verify
"$CTL" --db "$DB" checkpoint >"$TMP/checkpoint"

# tamper NAME WANT SQL: on a copy of the database, with the log's triggers dropped and
# foreign keys off (as an attacker with the file would), run SQL; verify with the saved
# checkpoint must exit 1 and print WANT.
tamper() {
	rm -f "$TMP/t.db" "$TMP/t.db-wal" "$TMP/t.db-shm"
	sqlite3 "$DB" ".backup '$TMP/t.db'"
	sqlite3 "$TMP/t.db" "PRAGMA foreign_keys = OFF; DROP TRIGGER event_no_update;
		DROP TRIGGER event_no_delete; $3" 2>"$TMP/sql.err" || {
		fail "$1" "the tampering SQL failed: $(cat "$TMP/sql.err")"
		return
	}
	"$CTL" --db "$TMP/t.db" verify --key "$KEY" --checkpoint "$TMP/checkpoint" >"$TMP/v.out" 2>&1
	rc=$?
	if [ "$rc" = 1 ] && grep -qF -- "$2" "$TMP/v.out"; then
		pass "$1"
	else
		fail "$1" "exit $rc, want 1 and '$2': $(head -c 1200 "$TMP/v.out")"
	fi
}

# What the issue reproduced: every "no" made "yes" changes the photo export.
tamper answer_no_made_yes "answer (child $C1, website, carer 'rhodri jones'): expected no by Rhodri Jones" \
	"UPDATE answer SET answer = 'yes' WHERE answer = 'no'"
tamper answer_inserted "which no event wrote" \
	"INSERT INTO answer VALUES ($C2, 'displays', 'Mallory', 'mallory', 'no', '2026-11-21T09:00:00Z', 'qr', NULL, 3)"
tamper answer_deleted "found no row" "DELETE FROM answer WHERE rowid = (SELECT min(rowid) FROM answer)"
tamper answer_moved_time "answer (child" "UPDATE answer SET at = '2020-01-01T00:00:00Z' WHERE rowid = (SELECT min(rowid) FROM answer)"
tamper answer_event_id_real "answer (child" "UPDATE answer SET event_id = event_id + 0.25 WHERE rowid = (SELECT min(rowid) FROM answer)"
tamper answer_child_id_real "answer (child" "UPDATE answer SET child_id = child_id + 0.25 WHERE rowid = (SELECT min(rowid) FROM answer)"
tamper answer_staff_added "answer (child" "UPDATE answer SET channel = 'paper', staff = 'meg.jones' WHERE rowid = (SELECT min(rowid) FROM answer)"
tamper signature_signer_changed "signature (family" "UPDATE signature SET signer = 'Rhodri Jones'"
tamper signature_inserted "which no event wrote" \
	"INSERT INTO signature SELECT family_id, document_id, 'Mallory', 'mallory', at, 'qr', NULL, event_id FROM signature LIMIT 1"
tamper signature_deleted "found no row" "DELETE FROM signature"
tamper token_inserted "that no event issued" \
	"INSERT INTO token (family_id, hash, issued_at) VALUES (1, '$(printf '%064d' 7)', '2026-11-21T09:00:00Z')"
tamper token_unrevoked "token " "UPDATE token SET revoked_at = NULL"
tamper token_hash_replaced "token " "UPDATE token SET hash = '$(printf '%064d' 9)' WHERE id = 1"
tamper token_deleted "found no row" "DELETE FROM token WHERE id = 2"
tamper token_family_real "token " "UPDATE token SET family_id = family_id + 0.5 WHERE id = 3"
tamper staff_password_changed "staff meg.jones: expected the password hash" \
	"UPDATE staff SET pwhash = '\$argon2id\$v=19\$m=65536,t=2,p=1\$c29tZXNhbHQ\$RdescudvJCsgt3ub+b+dWRWJTmaaJObG'"
tamper staff_enabled_behind "staff meg.jones: expected enabled, found disabled" "UPDATE staff SET disabled = 1"
tamper staff_inserted "staff mallory: expected no account" \
	"INSERT INTO staff (username, pwhash, created_at) SELECT 'mallory', pwhash, created_at FROM staff"
tamper staff_deleted "staff meg.jones: expected an account, found none" "DELETE FROM staff"
tamper secret_changed "secret csrf: expected the value" "UPDATE secret SET value = randomblob(32)"
tamper secret_deleted "secret csrf: expected one, found none" "DELETE FROM secret"
tamper child_renamed "family, child: expected the roster" "UPDATE child SET first_name = 'Mallory' WHERE ref = 'C2003'"
tamper child_class_changed "family, child: expected the roster" "UPDATE child SET class = 'Year 9' WHERE ref = 'C2003'"
tamper child_marked_left "family, child: expected the roster" "UPDATE child SET left_on = '2026-01-01' WHERE ref = 'C2003'"
tamper child_deleted "family, child: expected the roster" "DELETE FROM child WHERE ref = 'C2003'"
tamper family_inserted "family, child: expected the roster" "INSERT INTO family (ref, carers) VALUES ('F9999', 'Mallory')"
tamper family_carers_changed "family, child: expected the roster" "UPDATE family SET carers = 'Mallory' WHERE ref = 'F1002'"
tamper document_text_hash_changed "document, purpose: expected the catalog" \
	"UPDATE document SET sha256 = '$(printf '%064d' 1)' WHERE id = 1"
tamper document_declaration_changed "document, purpose: expected the catalog" \
	"UPDATE document SET declaration = 'I agree to anything.' WHERE id = 1"
tamper purpose_made_public_task "document, purpose: expected the catalog" \
	"UPDATE purpose SET basis = 'public_task' WHERE id = 'press'"
tamper event_detail_changed "its contents were changed after it was written" "UPDATE event SET detail = 'reissued' WHERE id = 3"
tamper event_id_type_changed "column family_id is stored as a real number" \
	"UPDATE event SET family_id = family_id + 0.25 WHERE id = (SELECT max(id) FROM event WHERE family_id IS NOT NULL)"
tamper event_truncated "events were removed since it was signed" "DELETE FROM event WHERE id = (SELECT max(id) FROM event)"
tamper event_deleted_middle "expected event" "DELETE FROM event WHERE id = 5"
tamper event_inserted "does not follow the event before it" \
	"INSERT INTO event (id, at, kind, signer_hash, channel, prev, hash, v) SELECT max(id) + 1, '2026-11-21T09:00:00Z', 'answer', '', 'qr', 'x', 'y', 2 FROM event"

# A submission is one event whose data lists each answer (docs/evidence.md): an answer in
# it turned round, an entry made malformed, a forged entry added.
SUB=$(q "SELECT id FROM event WHERE kind = 'submission' AND signer = 'Rhodri Jones'")
tamper submission_answer_flipped "event $SUB: its contents were changed after it was written" \
	"UPDATE event SET data = replace(data, '\"website\",\"no\"', '\"website\",\"yes\"') WHERE id = $SUB"
tamper submission_entry_malformed "event $SUB: entry 1 of the submission is malformed" \
	"UPDATE event SET data = replace(data, '\"no\"', '\"maybe\"') WHERE id = $SUB"
tamper submission_not_a_list "event $SUB: a submission whose data is not a list of entries" \
	"UPDATE event SET data = 'website=yes' WHERE id = $SUB"
tamper submission_entry_added "event $SUB: its contents were changed after it was written" \
	"UPDATE event SET data = replace(data, ']]', '],[\"answer\",$C2,\"press\",\"yes\"]]') WHERE id = $SUB"

# A submission's answer turned round with its hash and every later one recomputed: the
# chain alone passes; the answer table, left as it was, no longer matches the log.
rm -f "$TMP/t.db"
sqlite3 "$DB" ".backup '$TMP/t.db'"
"$PY" tests/tools/rewrite_log.py "$TMP/t.db" "$SUB" "[[\"answer\",$C1,\"website\",\"yes\"]]" data
"$CTL" --db "$TMP/t.db" verify >"$TMP/v.out" 2>&1
rc=$?
if [ "$rc" = 1 ] && grep -qF "answer (child $C1, website, carer 'rhodri jones'): expected yes" "$TMP/v.out" &&
	! grep -q "contents were changed" "$TMP/v.out"; then
	pass submission_rewritten_tables_differ
else
	fail submission_rewritten_tables_differ "exit $rc: $(head -c 1200 "$TMP/v.out")"
fi
# ... and with the table changed to match, only the saved checkpoint catches it.
sqlite3 "$TMP/t.db" "UPDATE answer SET answer = 'yes' WHERE signer_key = 'rhodri jones'"
"$CTL" --db "$TMP/t.db" verify --key "$KEY" --checkpoint "$TMP/checkpoint" >"$TMP/v.out" 2>&1
rc=$?
if [ "$rc" = 1 ] && grep -qF "the log was rewritten since it was signed" "$TMP/v.out"; then
	pass submission_rewritten_recomputed
else
	fail submission_rewritten_recomputed "exit $rc: $(cat "$TMP/v.out")"
fi

# An event rewritten and every later hash recomputed: the chain alone passes, the
# checkpoint does not.
rm -f "$TMP/t.db"
sqlite3 "$DB" ".backup '$TMP/t.db'"
"$PY" tests/tools/rewrite_log.py "$TMP/t.db" 3 "nothing to see"
"$CTL" --db "$TMP/t.db" verify --key "$KEY" --checkpoint "$TMP/checkpoint" >"$TMP/v.out" 2>&1
rc=$?
if [ "$rc" = 1 ] && grep -qF "the log was rewritten since it was signed" "$TMP/v.out"; then
	pass event_rewritten_recomputed
else
	fail event_rewritten_recomputed "exit $rc: $(cat "$TMP/v.out")"
fi
finish
