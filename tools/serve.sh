#!/bin/sh
# Writes a lighttpd configuration for this checkout and runs lighttpd in the foreground:
# the static site from public/ and the FastCGI programs under /sign/ and /office/.
# Usage: tools/serve.sh PORT DB [RUNDIR]     (RUNDIR holds the config and sockets: var/)
# There is deliberately no access log: parents' links carry their family's token.
# Environment: CONSENT_CONFIG (the configuration file, policies.conf(5), passed on to the
# programs; the folders given here override it), SIGN_PROCS and OFFICE_PROCS (worker
# processes of sign.fcgi and office.fcgi, default 4 each), SERVE_READ_IDLE (seconds a
# client may stay silent while sending its request before it is cut off, default 20),
# CONSENT_BASE_URL (the address the portal is reached at, which the office prints on
# letters and their QR codes; default http://127.0.0.1:PORT, this server's own),
# SERVE_CONTENT, SERVE_SITE, SERVE_PORTAL and SERVE_STATE (the content, the built site,
# what the build leaves for the portal and the generator's state; default content/,
# public/, var/portal/ and .cache/policygen/: the office publishes policies into them
# through policygen), SERVE_BUILD (the programs' folder, default build/; build/asan for
# the sanitizer builds).
#
# Slow clients never hold a worker: lighttpd reads the whole request body itself
# (stream-request-body 0, at most max-request-size KiB) and only then hands it to a
# FastCGI process, and a client that stops sending is dropped after max-read-idle.
set -eu
port=$1
db=$2
top=$(cd "$(dirname "$0")/.." && pwd)
run=${3:-$top/var}
sign_procs=${SIGN_PROCS:-4}
office_procs=${OFFICE_PROCS:-4}
read_idle=${SERVE_READ_IDLE:-20}
base_url=${CONSENT_BASE_URL:-http://127.0.0.1:$port}
for n in "$sign_procs" "$office_procs" "$read_idle"; do
	case $n in '' | *[!0-9]* | 0*)
		echo "serve.sh: SIGN_PROCS, OFFICE_PROCS and SERVE_READ_IDLE must be whole numbers from 1" >&2
		exit 2 ;;
	esac
done
content=${SERVE_CONTENT:-$top/content}
bin=${SERVE_BUILD:-$top/build}
site=${SERVE_SITE:-$top/public}
portal=${SERVE_PORTAL:-$top/var/portal}
state=${SERVE_STATE:-$top/.cache/policygen}
mkdir -p "$run"
case "$db" in /*) ;; *) db=$top/$db ;; esac
conf=$run/lighttpd-$port.conf
config_line=
[ -n "${CONSENT_CONFIG:-}" ] && config_line="\"CONSENT_CONFIG\" => \"$CONSENT_CONFIG\","
env_block() {
	cat <<ENV
		"bin-environment" => (
			$config_line
			"CONSENT_DB" => "$db",
			"CONSENT_CONTENT" => "$content",
			"CONSENT_SITE" => "$site",
			"CONSENT_PORTAL" => "$portal",
			"CONSENT_STATE" => "$state",
			"CONSENT_TEMPLATES" => "$top/templates",
			"CONSENT_BASE_URL" => "$base_url",
			"CONSENT_POLICYGEN" => "$bin/policygen"
		),
ENV
}
cat >"$conf" <<CONF
server.modules = ("mod_setenv", "mod_access", "mod_rewrite", "mod_fastcgi")   # setenv first: its headers reach mod_access's 403 too
server.document-root = "$site"
server.bind = "127.0.0.1"
server.port = $port
# lighttpd names the request's path when a worker dies mid-request, and a parent's path
# holds the family's token: every line passes through tools/redact first.
server.errorlog = "|$top/tools/redact $run/lighttpd-$port.log"
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
# A policy's text (up to 512 KB) and a Word document (up to 4 MB) need more room.
\$HTTP["url"] =~ "^/office/policies/" { server.max-request-size = 6144 }
# public/ holds only the site (policygen keeps its state and the portal's texts elsewhere);
# dotfiles are refused all the same, should one ever be copied in.
\$HTTP["url"] =~ "/\\." { url.access-deny = ("") }
mimetype.assign = (
	".html" => "text/html; charset=utf-8",
	".css" => "text/css; charset=utf-8",
	".xml" => "application/xml; charset=utf-8",
	".svg" => "image/svg+xml",
)
# The headers the FastCGI programs send, on the static pages and lighttpd's own error
# pages too (the programs send their own).
\$HTTP["url"] !~ "^/(sign|SIGN|office)(/|\$)" {
	setenv.set-response-header = (
		"Content-Security-Policy" => "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		"X-Content-Type-Options" => "nosniff",
		"X-Frame-Options" => "DENY",
		"Referrer-Policy" => "no-referrer",
	)
}
# Letters print the link in capitals so the QR code is smaller (alphanumeric mode).
url.rewrite-once = ("^/SIGN/(.*)\$" => "/sign/\$1", "^/SIGN\$" => "/sign/")
fastcgi.server = (
	"/sign/" => ((
		"socket" => "$run/sign-$port.sock",
		"bin-path" => "$top/build/fcgi-pool -P -n $sign_procs -- $bin/sign.fcgi",
		"max-procs" => 1,
		"check-local" => "disable",
$(env_block)
	)),
	"/office/" => ((
		"socket" => "$run/office-$port.sock",
		"bin-path" => "$top/build/fcgi-pool -P -n $office_procs -- $bin/office.fcgi",
		"max-procs" => 1,
		"check-local" => "disable",
$(env_block)
	)),
)
CONF
[ -x "$bin/office.fcgi" ] || sed -i '/"\/office\/" => ((/,/^\t)),$/d' "$conf"
exec lighttpd -D -f "$conf"
