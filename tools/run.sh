#!/bin/sh
# make run: the whole system on 127.0.0.1:$PORT with demo data, until Ctrl-C.
#   PORT (default 8080), DB (default var/consent.db)
# On first run (no database yet) it creates and seeds the database from
# content/demo/families.csv, writes the demo letters to var/letters.html and adds an
# office user "office" (an editor: it may publish policies, into content/) with a random
# password, saved in var/demo-login.txt.
# Every program reads var/policies.conf (policies.conf(5)), written here with this PORT,
# so that every link the office prints is the address the demo is served on.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
port=${PORT:-8080}
db=${DB:-var/consent.db}
base=http://127.0.0.1:$port
mkdir -p var "$(dirname "$db")"
case "$db" in /*) ;; *) db=$top/$db ;; esac
cat >var/policies.conf <<CONF
# Written by make run (tools/run.sh) for the demo on port $port; see policies.conf(5).
db = $db
content = $top/content
templates = $top/templates
output = $top/public
portal = $top/var/portal
state = $top/.cache/policygen
base_url = $base
backups = $top/var/backups
CONF
CONSENT_CONFIG=$top/var/policies.conf
export CONSENT_CONFIG

build/policygen build --content content --templates templates --out public --portal var/portal \
	--state .cache/policygen
if [ ! -f "$db" ]; then
	echo "Creating the demo database $db"
	build/consentctl --db "$db" init --content content --portal var/portal
	build/consentctl --db "$db" import content/demo/families.csv
	build/consentctl --db "$db" letters --base-url "$base" --out var/letters.html
	grep -o '<p class="url">[^<]*' var/letters.html | sed 's/.*>//' >var/demo-links.txt
	password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
	printf '%s\n' "$password" | build/consentctl --db "$db" add-staff office --role editor
	umask 077
	printf 'office %s\n' "$password" >var/demo-login.txt
else
	# Upgrades the schema if this program is newer, and loads the new signable versions.
	build/consentctl --db "$db" init --content content --portal var/portal
fi

echo
echo "Policy site:      $base/"
echo "Office portal:    $base/office/   (user and password: $(cat var/demo-login.txt 2>/dev/null || echo 'see var/demo-login.txt'))"
echo "Demo letters:     $top/var/letters.html (open in a browser and print)"
echo "Families' signing links (each also on its letter as a QR code):"
sed 's/^/  /' var/demo-links.txt 2>/dev/null || true
echo
echo "Serving on $base until Ctrl-C"
exec tools/serve.sh "$port" "$db"
