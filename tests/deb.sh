#!/bin/sh
# The Debian package: `dpkg-buildpackage -us -uc -b` in a copy of the checkout (its clean
# step empties build/) builds an installable .deb whose contents, conffiles, maintainer
# scripts and systemd units are checked: the units pass `systemd-analyze verify` against
# the unpacked files (systemd itself need not run), and the unpacked programs read the
# packaged configuration. With DEB_INSTALL=1 (as root, on a machine of its own, as in
# CI) it is also installed for real, its daily job and review report run as the
# system user, and it is purged again. About 1.5 minutes, mostly compiling.
. "$(dirname "$0")/lib.sh"

for tool in dpkg-buildpackage dh systemd-analyze git; do
	command -v $tool >/dev/null 2>&1 || { fail deb_setup "$tool not found; install it with tools/deps.sh check"; exit 1; }
done
mkdir -p "$TMP/src"
(cd "$TOP" && { git ls-files; git ls-files --others --exclude-standard; } | grep -v '^tests/e2e/' |
	while read -r f; do [ -e "$f" ] && echo "$f"; done | tar cf - -T -) | tar xf - -C "$TMP/src"
if (cd "$TMP/src" && dpkg-buildpackage -us -uc -b) >"$TMP/build.log" 2>&1; then
	pass deb_builds
else
	fail deb_builds "$(tail -n 30 "$TMP/build.log")"
	exit 1
fi
deb=$(ls "$TMP"/school-policies_*_*.deb | head -n 1)
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's,^\./,/,' >"$TMP/files"
missing=
for f in /usr/bin/policygen /usr/sbin/consentctl /usr/sbin/fcgi-pool /usr/lib/policies/sign.fcgi \
	/usr/lib/policies/office.fcgi /usr/lib/policies/policies-daily /usr/lib/policies/policies-review \
	/usr/share/policies/templates/policy.html /usr/share/policies/content/site.yaml \
	/etc/policies/policies.conf /etc/nginx/sites-available/policies \
	/usr/share/man/man1/policygen.1.gz /usr/share/man/man5/policies.conf.5.gz \
	/usr/share/man/man5/policies-content.5.gz /usr/share/man/man8/consentctl.8.gz \
	/usr/share/man/man8/sign.fcgi.8.gz /usr/share/man/man8/office.fcgi.8.gz \
	/lib/systemd/system/policies-sign.socket /lib/systemd/system/policies-sign.service \
	/lib/systemd/system/policies-office.socket /lib/systemd/system/policies-office.service \
	/lib/systemd/system/policies-daily.timer /lib/systemd/system/policies-review.timer \
	/lib/systemd/system/policies-watch.service; do
	grep -qxF "$f" "$TMP/files" || missing="$missing $f"
done
[ -z "$missing" ] && pass deb_contents || fail deb_contents "missing:$missing"
dpkg-deb -e "$deb" "$TMP/control"
if grep -qxF /etc/policies/policies.conf "$TMP/control/conffiles" &&
	grep -qxF /etc/nginx/sites-available/policies "$TMP/control/conffiles"; then
	pass deb_conffiles
else
	fail deb_conffiles "$(cat "$TMP/control/conffiles")"
fi
if grep -q 'adduser --system' "$TMP/control/postinst" && grep -q 'consentctl init' "$TMP/control/postinst" &&
	grep -q 'deb-systemd-helper' "$TMP/control/postinst" && grep -q 'policies-sign.socket' "$TMP/control/postinst"; then
	pass deb_postinst_user_migrations_units
else
	fail deb_postinst_user_migrations_units "$(head -c 800 "$TMP/control/postinst")"
fi
dpkg-deb -x "$deb" "$TMP/root"
mkdir -p "$TMP/units"
for u in "$TMP"/root/lib/systemd/system/*; do
	sed -e "s|/usr/|$TMP/root/usr/|g" "$u" >"$TMP/units/${u##*/}"
done
if MANPATH=$TMP/root/usr/share/man systemd-analyze verify "$TMP"/units/* >"$TMP/verify" 2>&1 && [ ! -s "$TMP/verify" ]; then
	pass deb_units_verify
else
	fail deb_units_verify "$(cat "$TMP/verify")"
fi
# Negative: a unit whose program is missing is caught.
sed 's|^ExecStart=.*|ExecStart=/nonexistent/sign.fcgi|' "$TMP/units/policies-sign.service" >"$TMP/bad.service"
if systemd-analyze verify --man=no "$TMP/bad.service" >/dev/null 2>&1; then
	fail deb_units_verify_catches_mistakes "verify passed a unit with a missing program"
else
	pass deb_units_verify_catches_mistakes
fi
# Each service may write only its data: the database, and for the office what publishing
# writes (new policy files, the site, the portal's folder, the generator's state).
rw_sign="/var/lib/policies/db"
rw_office="/var/lib/policies/content /var/lib/policies/db /var/lib/policies/portal /var/lib/policies/public /var/lib/policies/state"
for u in sign office; do
	rw=$(sed -n 's/^ReadWritePaths=//p' "$TMP/units/policies-$u.service" | tr ' ' '\n' | sort | xargs)
	eval "want=\$rw_$u"
	[ "$rw" = "$want" ] &&
		grep -q '^Restart=always' "$TMP/units/policies-$u.service" &&
		grep -q '^ProtectSystem=strict' "$TMP/units/policies-$u.service" &&
		grep -q '^PrivateTmp=yes' "$TMP/units/policies-$u.service" &&
		grep -q '^NoNewPrivileges=yes' "$TMP/units/policies-$u.service" &&
		grep -q 'fcgi-pool -n [2-9]' "$TMP/units/policies-$u.service" &&
		pass "deb_${u}_unit_sandboxed_restarted_workers" || fail "deb_${u}_unit_sandboxed_restarted_workers" "$(cat "$TMP/units/policies-$u.service")"
done
CONSENT_CONFIG=$TMP/root/etc/policies/policies.conf "$TMP/root/usr/sbin/consentctl" config >"$TMP/config" 2>&1
grep -qxF 'db = /var/lib/policies/db/consent.db' "$TMP/config" && pass deb_programs_read_configuration ||
	fail deb_programs_read_configuration "$(cat "$TMP/config")"
strings "$TMP/root/usr/sbin/consentctl" | grep -qxF /etc/policies/policies.conf &&
	pass deb_default_configuration_file || fail deb_default_configuration_file "not compiled in"

if [ "${DEB_INSTALL:-}" = 1 ] && [ "$(id -u)" = 0 ]; then
	if dpkg -i "$deb" >"$TMP/install.log" 2>&1 && id policies >/dev/null 2>&1 &&
		[ -f /var/lib/policies/db/consent.db ] && [ -f /var/lib/policies/public/index.html ]; then
		pass deb_installs
	else
		fail deb_installs "$(tail -n 20 "$TMP/install.log")"
	fi
	runuser -u policies -- /usr/lib/policies/policies-daily >"$TMP/daily.log" 2>&1 &&
		ls /var/lib/policies/backups/consent-*.db >/dev/null 2>&1 && pass deb_daily_job ||
		fail deb_daily_job "$(cat "$TMP/daily.log")"
	runuser -u policies -- /usr/lib/policies/policies-review >"$TMP/review.log" 2>&1 &&
		grep -q 'social' "$TMP/review.log" && pass deb_review_report || fail deb_review_report "$(cat "$TMP/review.log")"
	dpkg --purge school-policies >/dev/null 2>&1 && pass deb_purges || fail deb_purges "dpkg --purge failed"
fi
finish
