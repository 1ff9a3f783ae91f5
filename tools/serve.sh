#!/bin/sh
# Writes a lighttpd configuration for this checkout and runs lighttpd in the foreground:
# the static site from public/ and the FastCGI programs under /sign/ and /office/.
# Usage: tools/serve.sh PORT DB [RUNDIR]     (RUNDIR holds the config and sockets: var/)
# There is deliberately no access log: parents' links carry their family's token.
# Environment: SIGN_PROCS (sign.fcgi worker processes, default 2), SERVE_READ_IDLE (seconds
# a client may stay silent while sending its request before it is cut off, default 20),
# CONSENT_BASE_URL (the address the portal is reached at, which the office prints on
# letters and their QR codes; default http://127.0.0.1:PORT, this server's own).
#
# Slow clients never hold a worker: lighttpd reads the whole request body itself
# (stream-request-body 0, at most max-request-size KiB) and only then hands it to a
# FastCGI process, and a client that stops sending is dropped after max-read-idle.
set -eu
port=$1
db=$2
top=$(cd "$(dirname "$0")/.." && pwd)
run=${3:-$top/var}
sign_procs=${SIGN_PROCS:-2}
read_idle=${SERVE_READ_IDLE:-20}
base_url=${CONSENT_BASE_URL:-http://127.0.0.1:$port}
for n in "$sign_procs" "$read_idle"; do
	case $n in '' | *[!0-9]* | 0*)
		echo "serve.sh: SIGN_PROCS and SERVE_READ_IDLE must be whole numbers from 1" >&2
		exit 2 ;;
	esac
done
mkdir -p "$run"
case "$db" in /*) ;; *) db=$top/$db ;; esac
conf=$run/lighttpd-$port.conf
env_block() {
	cat <<ENV
		"bin-environment" => (
			"CONSENT_DB" => "$db",
			"CONSENT_CONTENT" => "$top/content",
			"CONSENT_PORTAL" => "$top/var/portal",
			"CONSENT_TEMPLATES" => "$top/templates",
			"CONSENT_BASE_URL" => "$base_url"
		),
ENV
}
cat >"$conf" <<CONF
server.modules = ("mod_access", "mod_rewrite", "mod_fastcgi")
server.document-root = "$top/public"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$run/lighttpd-$port.log"
server.max-request-size = 64           # KiB of a request body
server.max-request-field-size = 8192   # bytes of the request line and headers
server.stream-request-body = 0         # the whole body is read before a worker sees it
server.max-read-idle = $read_idle      # seconds a client may pause while sending
server.max-write-idle = 60             # ... or while receiving
server.max-keep-alive-idle = 5         # ... between requests
server.tag = ""
# The office's upload of the school's export (at most 5 MB; office.fcgi checks it too).
\$HTTP["url"] == "/office/import" { server.max-request-size = 6144 }
index-file.names = ("index.html")
# public/ holds only the site (policygen keeps its state and the portal's texts elsewhere);
# dotfiles are refused all the same, should one ever be copied in.
\$HTTP["url"] =~ "/\\." { url.access-deny = ("") }
mimetype.assign = (
	".html" => "text/html; charset=utf-8",
	".css" => "text/css; charset=utf-8",
	".xml" => "application/xml; charset=utf-8",
	".svg" => "image/svg+xml",
)
# Letters print the link in capitals so the QR code is smaller (alphanumeric mode).
url.rewrite-once = ("^/SIGN/(.*)\$" => "/sign/\$1", "^/SIGN\$" => "/sign/")
fastcgi.server = (
	"/sign/" => ((
		"socket" => "$run/sign-$port.sock",
		"bin-path" => "$top/build/sign.fcgi",
		"max-procs" => $sign_procs,
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
