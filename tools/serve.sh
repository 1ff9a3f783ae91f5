#!/bin/sh
# Writes a lighttpd configuration for this checkout and runs lighttpd in the foreground:
# the static site from public/ and the FastCGI programs under /sign/ and /office/.
# Usage: tools/serve.sh PORT DB [RUNDIR]     (RUNDIR holds the config and sockets: var/)
# There is deliberately no access log: parents' links carry their family's token.
set -eu
port=$1
db=$2
top=$(cd "$(dirname "$0")/.." && pwd)
run=${3:-$top/var}
mkdir -p "$run"
case "$db" in /*) ;; *) db=$top/$db ;; esac
conf=$run/lighttpd-$port.conf
env_block() {
	cat <<ENV
		"bin-environment" => (
			"CONSENT_DB" => "$db",
			"CONSENT_CONTENT" => "$top/content",
			"CONSENT_SITE" => "$top/public",
			"CONSENT_TEMPLATES" => "$top/templates"
		),
ENV
}
cat >"$conf" <<CONF
server.modules = ("mod_rewrite", "mod_fastcgi")
server.document-root = "$top/public"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$run/lighttpd-$port.log"
server.max-request-size = 64
server.max-read-idle = 20
server.max-write-idle = 60
server.tag = ""
index-file.names = ("index.html")
mimetype.assign = (
	".html" => "text/html; charset=utf-8",
	".css" => "text/css; charset=utf-8",
	".xml" => "application/xml; charset=utf-8",
	".tsv" => "text/plain; charset=utf-8",
	".svg" => "image/svg+xml",
)
# Letters print the link in capitals so the QR code is smaller (alphanumeric mode).
url.rewrite-once = ("^/SIGN/(.*)\$" => "/sign/\$1", "^/SIGN\$" => "/sign/")
fastcgi.server = (
	"/sign/" => ((
		"socket" => "$run/sign-$port.sock",
		"bin-path" => "$top/build/sign.fcgi",
		"max-procs" => 2,
		"check-local" => "disable",
$(env_block)
	)),
	"/office/" => ((
		"socket" => "$run/office-$port.sock",
		"bin-path" => "$top/build/office.fcgi",
		"max-procs" => 1,
		"check-local" => "disable",
$(env_block)
	)),
)
CONF
[ -x "$top/build/office.fcgi" ] || sed -i '/"\/office\/" => ((/,/^\t)),$/d' "$conf"
exec lighttpd -D -f "$conf"
