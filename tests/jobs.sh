#!/bin/sh
# The scheduled jobs (dist/policies-daily and dist/policies-review, run by the systemd
# timers), with the programs from build/ and a configuration file in a temporary folder:
# the daily job rebuilds the site, syncs the portal, writes today's backup (a database
# that verifies) and keeps only backup_keep of them; the review report is mailed through
# sendmail when review_mail is set and one is there, and printed (the journal) otherwise.
. "$(dirname "$0")/lib.sh"

export POLICIES_BINDIR=$BUILD POLICIES_SBINDIR=$BUILD
export CONSENT_CONFIG=$TMP/policies.conf
unset CONSENT_DB CONSENT_CONTENT CONSENT_SITE CONSENT_TEMPLATES CONSENT_BASE_URL CONSENT_BACKUPS \
	CONSENT_BACKUP_KEEP CONSENT_REVIEW_MAIL
cat >"$CONSENT_CONFIG" <<CONF
db = db/consent.db
content = $TOP/content
templates = $TOP/templates
output = public
backups = backups
backup_keep = 2
CONF
mkdir -p "$TMP/db" "$TMP/backups"
"$BUILD/consentctl" init >"$TMP/init.log" 2>&1 || { fail jobs_setup "$(cat "$TMP/init.log")"; exit 1; }
for d in 2026-01-01 2026-01-02 2026-01-03; do : >"$TMP/backups/consent-$d.db"; done
: >"$TMP/backups/notes.txt"
if sh "$TOP/dist/policies-daily" >"$TMP/daily.log" 2>&1; then
	pass jobs_daily_runs
else
	fail jobs_daily_runs "$(cat "$TMP/daily.log")"
fi
today=consent-$(date +%Y-%m-%d).db
[ -f "$TMP/public/index.html" ] && pass jobs_daily_builds_site || fail jobs_daily_builds_site "no public/index.html"
left=$(ls "$TMP/backups" | tr '\n' ' ')
if [ "$left" = "consent-2026-01-03.db $today notes.txt " ]; then
	pass jobs_daily_keeps_newest_backups
else
	fail jobs_daily_keeps_newest_backups "left: $left"
fi
"$BUILD/consentctl" --db "$TMP/backups/$today" verify >"$TMP/verify.log" 2>&1 &&
	pass jobs_daily_backup_verifies || fail jobs_daily_backup_verifies "$(cat "$TMP/verify.log")"
[ "$(stat -c %a "$TMP/backups/$today")" = 600 ] && pass jobs_backup_owner_only ||
	fail jobs_backup_owner_only "mode $(stat -c %a "$TMP/backups/$today")"
# Again the same day: today's backup is replaced, not refused.
sh "$TOP/dist/policies-daily" >"$TMP/daily2.log" 2>&1 && pass jobs_daily_runs_twice_a_day ||
	fail jobs_daily_runs_twice_a_day "$(cat "$TMP/daily2.log")"

# The review report: printed without review_mail ...
sh "$TOP/dist/policies-review" >"$TMP/review.log" 2>&1
rc=$?
[ "$rc" = 0 ] && grep -q 'social-networking' "$TMP/review.log" && pass jobs_review_logged ||
	fail jobs_review_logged "exit $rc: $(cat "$TMP/review.log")"
# ... mailed with it and a sendmail ...
printf 'review_mail = office@example.sch.uk\n' >>"$CONSENT_CONFIG"
printf '#!/bin/sh\necho "$*" >"%s/mail.args"\ncat >"%s/mail.txt"\n' "$TMP" "$TMP" >"$TMP/sendmail"
chmod +x "$TMP/sendmail"
POLICIES_SENDMAIL=$TMP/sendmail sh "$TOP/dist/policies-review" >"$TMP/review2.log" 2>&1
if grep -qx 'To: office@example.sch.uk' "$TMP/mail.txt" && grep -q 'social-networking' "$TMP/mail.txt" &&
	grep -q 'mailed to office@example.sch.uk' "$TMP/review2.log"; then
	pass jobs_review_mailed
else
	fail jobs_review_mailed "$(cat "$TMP/review2.log" "$TMP/mail.txt" 2>&1 | head -c 600)"
fi
# ... and printed, saying why, when there is no sendmail.
POLICIES_SENDMAIL=$TMP/none sh "$TOP/dist/policies-review" >"$TMP/review3.log" 2>&1
grep -q 'no sendmail' "$TMP/review3.log" && grep -q 'social-networking' "$TMP/review3.log" &&
	pass jobs_review_without_sendmail_logged || fail jobs_review_without_sendmail_logged "$(cat "$TMP/review3.log")"
finish
