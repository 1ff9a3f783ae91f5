#!/bin/sh
# The configuration file (policies.conf(5), src/core/config.c) through the programs:
# every program reads it; the environment overrides it and the command line overrides
# both; a mistake is reported with the file and line and nothing runs; the FastCGI
# programs answer 503 in both languages and log the line when their file is bad.
. "$(dirname "$0")/lib.sh"

CTL=$BUILD/consentctl
GEN=$BUILD/policygen
unset CONSENT_CONFIG CONSENT_DB CONSENT_CONTENT CONSENT_SITE CONSENT_PORTAL CONSENT_STATE CONSENT_TEMPLATES CONSENT_BASE_URL
mkdir -p "$TMP/etc" "$TMP/data"
cat >"$TMP/etc/policies.conf" <<CONF
# a comment, then settings; relative paths are from this file's folder
db = ../data/consent.db
content = $TOP/content
templates = $TOP/templates
output = ../public
base_url = http://127.0.0.1:9931/
CONF
cat >"$TMP/families.csv" <<'CSV'
family_ref,child_ref,first_name,last_name,class
F1,C1,Ann,Ho,Year 1
F2,C2,Bo,Li,Year 2
CSV
check config_policygen_builds_into_output $GEN build --config "$TMP/etc/policies.conf" --today 2026-11-21
if [ -f "$TMP/public/index.html" ] && grep -q 'http://127.0.0.1:9931/' "$TMP/public/sitemap.xml"; then
	pass config_output_and_base_url_reach_the_site
else
	fail config_output_and_base_url_reach_the_site "$(ls "$TMP/public" 2>&1 | head -5)"
fi
check config_consentctl_init_without_db "$CTL" --config "$TMP/etc/policies.conf" init
[ -f "$TMP/data/consent.db" ] && pass config_db_relative_to_file || fail config_db_relative_to_file "$(ls "$TMP/data")"
CONSENT_CONFIG=$TMP/etc/policies.conf "$CTL" import "$TMP/families.csv" >/dev/null 2>&1
CONSENT_CONFIG=$TMP/etc/policies.conf "$CTL" tokens --family F1 >"$TMP/t1.csv" 2>&1
grep -q '^F1,http://127.0.0.1:9931/sign/' "$TMP/t1.csv" && pass config_base_url_in_links ||
	fail config_base_url_in_links "$(cat "$TMP/t1.csv")"
CONSENT_CONFIG=$TMP/etc/policies.conf CONSENT_BASE_URL=https://env.example/p \
	"$CTL" tokens --family F2 >"$TMP/t2.csv" 2>&1
grep -q '^F2,https://env.example/p/sign/' "$TMP/t2.csv" && pass config_environment_over_file ||
	fail config_environment_over_file "$(cat "$TMP/t2.csv")"
CONSENT_CONFIG=$TMP/etc/policies.conf CONSENT_BASE_URL=https://env.example/p \
	"$CTL" tokens --family F2 --reissue --base-url https://args.example >"$TMP/t3.csv" 2>&1
grep -q '^F2,https://args.example/sign/' "$TMP/t3.csv" && pass config_command_line_over_environment ||
	fail config_command_line_over_environment "$(cat "$TMP/t3.csv")"
"$CTL" --config "$TMP/etc/policies.conf" --db "$TMP/other.db" init >/dev/null 2>&1
[ -f "$TMP/other.db" ] && pass config_db_option_over_file || fail config_db_option_over_file "no $TMP/other.db"

# make run's set-up: tools/serve.sh passes CONSENT_CONFIG on, so the office prints
# letters whose links are the address being served (the file's base_url).
PORT=$((20000 + ($$ + 18013) % 20000))
mkdir -p "$TMP/run"
sed "s|^base_url = .*|base_url = http://127.0.0.1:$PORT|" "$TMP/etc/policies.conf" >"$TMP/etc/served.conf"
printf 'Llanfair-2026 office!\n' | "$CTL" --db "$TMP/data/consent.db" add-staff office >/dev/null 2>&1
CONSENT_CONFIG=$TMP/etc/served.conf "$TOP/tools/serve.sh" "$PORT" "$TMP/data/consent.db" "$TMP/run" \
	>"$TMP/serve.out" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$TMP"' EXIT
BASE=http://127.0.0.1:$PORT
for i in $(seq 50); do
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/office/login")" = 200 ] && break
	sleep 0.2
done
csrf() { sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$TMP/page" | head -n 1; }
curl -s -c "$TMP/jar" -b "$TMP/jar" -o "$TMP/page" "$BASE/office/login"
curl -s -c "$TMP/jar" -b "$TMP/jar" -o /dev/null --data-urlencode "csrf=$(csrf)" \
	--data-urlencode username=office --data-urlencode 'password=Llanfair-2026 office!' "$BASE/office/login"
curl -s -b "$TMP/jar" -o "$TMP/page" "$BASE/office/letters?family=F1"
once=$(sed -n 's/.*name="once" value="\([^"]*\)".*/\1/p' "$TMP/page" | head -n 1)
curl -s -b "$TMP/jar" -o "$TMP/letters.html" --data-urlencode "csrf=$(csrf)" --data-urlencode "once=$once" --data-urlencode family=F1 \
	"$BASE/office/letters"
if grep -qF "http://127.0.0.1:$PORT/sign/" "$TMP/letters.html" && ! grep -q '127.0.0.1:9931' "$TMP/letters.html"; then
	pass config_office_letters_link_to_served_address
else
	fail config_office_letters_link_to_served_address "$(grep -o 'http[^<" ]*sign[^<" ]*' "$TMP/letters.html" | head -3; cat "$TMP/serve.out" "$TMP"/run/*.log 2>/dev/null | tail -5)"
fi
kill $server 2>/dev/null
wait $server 2>/dev/null

# Mistakes: file and line, exit status 2, nothing done.
printf 'db = x.db\noutput = out\nbase_url = ftp://x\n' >"$TMP/bad.conf"
"$GEN" build --config "$TMP/bad.conf" >"$TMP/bad.out" 2>&1
rc=$?
if [ "$rc" = 2 ] && grep -qF "$TMP/bad.conf:3: base_url 'ftp://x' is not an http:// or https:// address" "$TMP/bad.out" &&
	[ ! -e "$TMP/out" ]; then
	pass config_bad_file_names_the_line
else
	fail config_bad_file_names_the_line "exit $rc: $(cat "$TMP/bad.out")"
fi
"$CTL" --config "$TMP/missing.conf" verify >"$TMP/missing.out" 2>&1
rc=$?
[ "$rc" = 2 ] && grep -qF "$TMP/missing.conf: cannot read the configuration file" "$TMP/missing.out" &&
	pass config_missing_file_refused || fail config_missing_file_refused "exit $rc: $(cat "$TMP/missing.out")"
printf 'db = x.db\ndatbase = y\n' >"$TMP/typo.conf"
for prog in sign office; do
	CONSENT_CONFIG=$TMP/typo.conf CONSENT_SANDBOX=0 REQUEST_METHOD=GET SCRIPT_NAME=/$prog \
		PATH_INFO=/ QUERY_STRING= "$BUILD/$prog.fcgi" </dev/null >"$TMP/$prog.out" 2>"$TMP/$prog.err"
	if grep -q '^Status: 503' "$TMP/$prog.out" && grep -qF "$TMP/typo.conf:2: unknown setting 'datbase'" "$TMP/$prog.err"; then
		pass "config_${prog}_bad_file_unavailable_and_logged"
	else
		fail "config_${prog}_bad_file_unavailable_and_logged" "$(head -c 600 "$TMP/$prog.out" "$TMP/$prog.err")"
	fi
done
finish
