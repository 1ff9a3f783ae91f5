#!/bin/sh
# Out of disk: the database lives on a small tmpfs that is then filled to the last byte.
# A parent's confirmation, a withdrawal and a paper form from the office must each get a
# plain error page in the family's (or the office's) language saying nothing was saved,
# with a 5xx status; the database must hold nothing of them (the consent data is as it
# was, PRAGMA integrity_check ok, the event chain verifies); and once space is freed the
# same submission goes through. The programs run as plain CGI, as in sign.sh.
#
# As in production, another connection keeps the database open (there, the other
# FastCGI workers), so its -wal and -shm files stay; the WAL is truncated first, so a
# submission has to grow it.
#
# Needs root to mount the tmpfs; prints "SKIP disk_full: ..." and passes otherwise.
# Overrides: SIGN, OFFICE, CONSENTCTL, POLICYGEN.
. "$(dirname "$0")/lib.sh"

MNT=$TMP/small
DB=$MNT/consent.db
PASSWORD='Disk-full 2026 test'

if [ "$(id -u)" != 0 ]; then
	echo "SKIP disk_full: mounting a small tmpfs needs root"
	exit 0
fi
need_programs disk_full_setup "$SIGN" "$OFFICE" "$CTL" "$POLICYGEN"
mkdir -p "$MNT"
if ! mount -t tmpfs -o size=2m,mode=0755 disk-full-test "$MNT" 2>"$TMP/mount.err"; then
	echo "SKIP disk_full: cannot mount a tmpfs here: $(cat "$TMP/mount.err")"
	exit 0
fi
holder=
cleanup() {
	exec 3>&- 2>/dev/null
	[ -n "$holder" ] && kill "$holder" 2>/dev/null && wait "$holder" 2>/dev/null
	umount "$MNT" 2>/dev/null || umount -l "$MNT"
	rm -rf "$TMP"
}
trap cleanup EXIT

cat >"$TMP/families.csv" <<'CSV'
family_ref,child_ref,first_name,last_name,class,carers,language
F1,C11,Ffion,Evans,Year 2,Mair Evans,en
F2,C21,Cai,Jones,Year 3,Siân Jones,cy
CSV
if ! demo_portal "$TMP/families.csv" office.one >"$TMP/setup.log" 2>&1; then
	fail disk_full_setup "$(tail -n 20 "$TMP/setup.log")"
	exit 1
fi
T1=$(token_of F1)
T2=$(token_of F2)
C11=$(q "SELECT id FROM child WHERE ref = 'C11'")
C21=$(q "SELECT id FROM child WHERE ref = 'C21'")
PURPOSES=$(q "SELECT id FROM purpose ORDER BY position")

: >"$TMP/stderr.log"
# req PROG METHOD URI [BODY]: one request to sign or office (tests/lib.sh).
req() { req_from_each "$@"; }
# The consent data (sessions and failed look-ups change on every request).
snap() {
	sqlite3 "$DB" "SELECT * FROM event ORDER BY id; SELECT * FROM answer ORDER BY child_id,
		purpose, signer_key; SELECT * FROM signature ORDER BY family_id, document_id,
		signer_key; SELECT * FROM token ORDER BY id; SELECT * FROM family ORDER BY id;" \
		</dev/null | sha256sum
}

# The forms and the staff session, while there is room.
req sign GET "/sign/$T1/answer"
CS1=$(csrf_of)
req sign GET "/sign/$T2/answer"
CS2=$(csrf_of)
FORM1="csrf=$CS1&lang=en&name=Mair+Evans&agree.$(doc en)=yes$(answers "$C11" yes)"
FORM2="csrf=$CS2&lang=cy&name=Si%C3%A2n+Jones&agree.$(doc cy)=yes$(answers "$C21" no)"
once_of() { sed -n 's/.*name="once" value="\([A-Za-z0-9-]*\)".*/\1/p' "$TMP/body" | head -n 1; }
req sign POST "/sign/$T2/check" "$FORM2"
req sign POST "/sign/$T2/confirm" "$FORM2&once=$(once_of)"
[ "$status" = 303 ] || fail disk_full_setup "a first submission: status $status"
# Once-only values for the submissions tried while the disk is full (each unused).
req sign POST "/sign/$T1/check" "$FORM1"
ONCE1=$(once_of)
req sign POST "/sign/$T2/check" "$FORM2"
ONCE2=$(once_of)
req office GET /office/login
pre=$(header Set-Cookie | sed -n 's/^office-login=\([A-Z2-7]*\);.*/\1/p')
lc=$(csrf_of)
COOKIE="office-login=$pre"
req office POST /office/login "csrf=$lc&username=office.one&password=$(printf '%s' "$PASSWORD" | sed 's/ /+/g')"
COOKIE="office=$(header Set-Cookie | sed -n 's/^office=\([A-Z2-7]\{26\}\);.*/\1/p')"
req office GET /office/family/F1
OC="$(csrf_of)&once=$(once_of)"
if [ -z "$CS1" ] || [ -z "$OC" ]; then
	fail disk_full_setup "no CSRF tokens (sign '$CS1', office '$OC')"
	exit 1
fi

# Another connection holds the database open; the WAL is emptied; the disk is filled.
mkfifo "$TMP/holder"
sqlite3 "$DB" <"$TMP/holder" >"$TMP/holder.out" 2>&1 &
holder=$!
exec 3>"$TMP/holder"
echo 'PRAGMA wal_checkpoint(TRUNCATE);' >&3
i=0
while [ "$(stat -c %s "$DB-wal" 2>/dev/null)" != 0 ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
dd if=/dev/zero of="$MNT/filler" bs=4096 >/dev/null 2>&1
dd if=/dev/zero of="$MNT/filler2" bs=512 >/dev/null 2>&1
free=$(df -P "$MNT" | awk 'NR == 2 { print $4 }')
if [ "$free" = 0 ]; then pass disk_full_filled; else fail disk_full_filled "$free KiB still free"; fi

BEFORE=$(snap)
# refused NAME STATUS_PATTERN TEXT...: the last response had a matching status and every
# TEXT, and the consent data is as it was.
refused() {
	_name=$1 _want=$2
	shift 2
	case $status in
	$_want) ;;
	*)
		fail "$_name" "status $status: $(head -c 400 "$TMP/body")"
		return
		;;
	esac
	for _t in "$@"; do
		if ! grep -qF -- "$_t" "$TMP/body"; then
			fail "$_name" "the page lacks '$_t': $(head -c 400 "$TMP/body")"
			return
		fi
	done
	if [ "$(snap)" != "$BEFORE" ]; then
		fail "$_name" "the database changed"
		BEFORE=$(snap)
		return
	fi
	pass "$_name"
}
req sign POST "/sign/$T1/confirm" "$FORM1&once=$ONCE1"
refused disk_full_confirm_en '5[0-9][0-9]' 'Sorry, there is a problem with the service' \
	'Nothing has been saved. Please try again later' '<html lang="en">'
req sign POST "/sign/$T2/confirm" "$FORM2&a.$C21.x=1"
refused disk_full_refused_form_still_400 400 'Nid oes dim wedi'
req sign POST "/sign/$T2/confirm" \
	"csrf=$CS2&lang=cy&name=Si%C3%A2n+Jones$(answers "$C21" yes)&once=$ONCE2"
refused disk_full_confirm_cy '5[0-9][0-9]' 'problem gyda&#39;r gwasanaeth' \
	'Nid oes dim wedi&#39;i gadw' '<html lang="cy">'
req sign POST "/sign/$T1/language" "csrf=$CS1&lang=cy"
refused disk_full_language '5[0-9][0-9]' 'Nid oes dim wedi&#39;i gadw'
req office POST /office/family/F1/paper \
	"csrf=$OC&signer=Mair+Evans&sign.code-of-conduct=en&answer.$C11.website=yes"
refused disk_full_office_paper '5[0-9][0-9]' 'Nothing was changed'
req sign GET "/sign/$T1"
refused disk_full_reading_still_works 200 'Ffion'

if [ "$(q 'PRAGMA integrity_check')" = ok ]; then pass disk_full_integrity; else
	fail disk_full_integrity "$(q 'PRAGMA integrity_check')"; fi
if "$CTL" --db "$DB" verify >"$TMP/verify.out" 2>&1; then pass disk_full_chain_verifies; else
	fail disk_full_chain_verifies "$(cat "$TMP/verify.out")"; fi
if [ "$(q "SELECT count(*) FROM answer WHERE signer = 'Mair Evans'")" = 0 ] &&
	[ "$(q "SELECT count(*) FROM event WHERE signer = 'Mair Evans'")" = 0 ]; then
	pass disk_full_nothing_half_stored
else
	fail disk_full_nothing_half_stored "$(q "SELECT * FROM event WHERE signer = 'Mair Evans'")"
fi
if grep -qF -e "$T1" -e "$T2" -e 'Mair' "$TMP/stderr.log"; then
	fail disk_full_log_has_no_tokens_or_names "$(head -n 3 "$TMP/stderr.log")"
elif grep -qi -e 'full' -e 'disk' "$TMP/stderr.log"; then
	pass disk_full_logged
else
	fail disk_full_logged "the log does not say why: $(head -n 3 "$TMP/stderr.log")"
fi

# Room again: the same submission goes through whole.
rm -f "$MNT/filler" "$MNT/filler2"
req sign POST "/sign/$T1/confirm" "$FORM1&once=$ONCE1"
if [ "$status" = 303 ] &&
	[ "$(q "SELECT count(*) FROM answer WHERE signer = 'Mair Evans'")" = "$(echo $PURPOSES | wc -w)" ] &&
	"$CTL" --db "$DB" verify >"$TMP/verify.out" 2>&1; then
	pass disk_full_recovers
else
	fail disk_full_recovers "status $status: $(cat "$TMP/verify.out")"
fi
finish
