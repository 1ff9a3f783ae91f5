# Shared by tests/nginx.sh and tests/crash-journeys.sh: runs the shipped nginx site file
# and the shipped systemd units' programs for real, as installed by `make install` into
# a temporary root. Sourced after tests/lib.sh with DB (the database), SITE (the built
# site), PORTAL (what the build left for the portal) and CONTENT set. systemd is not running in a container, so each service runs as
# its spawn-fcgi equivalent: its ExecStart and Environment lines, read from the installed
# unit, under `spawn-fcgi -n` (the socket unit) in a loop (Restart=always).
#
#   nginx_start PORT   installs (once), writes the configuration, starts the programs
#                      and nginx -g 'daemon off;': HTTPS on PORT, plain HTTP (the
#                      redirect server) on NGINX_HTTP, and the HTTPS server's locations
#                      without TLS on NGINX_PLAIN for tests/load; returns 1 on failure
#   nginx_stop         stops them all, by process id
#   nginx_logs         every log, for a failure message
#   nginx_log_files    the names of every log (nginx's and the programs')
#
# `make install` relinks build/ to read /etc/policies/policies.conf by default (absent
# here, so nothing changes); nginx_stop relinks it back.
NGX=$TMP/nginx
NGX_ROOT=$TMP/root
nginx_pids=

nginx_install() {
	[ -x "$NGX_ROOT/usr/sbin/consentctl" ] && return 0
	make -C "$TOP" --no-print-directory install PREFIX=/usr SYSCONFDIR=/etc \
		DESTDIR="$NGX_ROOT" >"$TMP/install.log" 2>&1
}

# unit_line UNIT KEY: the values of KEY= in an installed unit, paths moved into the test.
unit_line() {
	sed -n "s/^$2=//p" "$NGX_ROOT/usr/lib/systemd/system/$1" | nginx_paths
}
nginx_paths() {
	sed -e "s|/usr/|$NGX_ROOT/usr/|g" -e "s|/run/policies|$NGX/run|g" \
		-e "s|/etc/policies/policies.conf|$NGX/policies.conf|g" \
		-e "s|/var/lib/policies/public|$SITE|g" -e "s|/var/lib/policies/db|$NGX/db|g" \
		-e "s|/var/log/nginx|$NGX/log|g" -e "s|/etc/ssl/certs/policies.pem|$NGX/cert.pem|g" \
		-e "s|/etc/ssl/private/policies.key|$NGX/key.pem|g"
}

nginx_start() {
	port=$1
	NGINX_HTTP=$((port + 1))
	NGINX_PLAIN=$((port + 2))
	nginx_install || { cat "$TMP/install.log"; return 1; }
	mkdir -p "$NGX/run" "$NGX/log" "$NGX/tmp" "$NGX/db"
	[ -f "$NGX/cert.pem" ] || openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		-subj /CN=127.0.0.1 -keyout "$NGX/key.pem" -out "$NGX/cert.pem" >"$NGX/openssl.log" 2>&1 ||
		{ cat "$NGX/openssl.log"; return 1; }
	cp /etc/nginx/fastcgi_params /etc/nginx/mime.types "$NGX/"
	cat >"$NGX/policies.conf" <<CONF
db = $DB
content = $CONTENT
output = $SITE
portal = $PORTAL
templates = $NGX_ROOT/usr/share/policies/templates
base_url = https://127.0.0.1:$port
CONF
	nginx_paths <"$NGX_ROOT/usr/share/doc/policies/examples/nginx-policies.conf" |
		sed -e "s|^\(\t*\)listen 80;|\1listen 127.0.0.1:$NGINX_HTTP;|" \
			-e "s|^\(\t*\)listen 443 ssl http2;|\1listen 127.0.0.1:$port ssl http2;\n\1listen 127.0.0.1:$NGINX_PLAIN;|" \
			-e '/listen \[::\]/d' >"$NGX/site.conf"
	user=
	[ "$(id -u)" = 0 ] && user='user root root;'
	cat >"$NGX/nginx.conf" <<CONF
$user
worker_processes 1;
pid $NGX/nginx.pid;
error_log $NGX/log/main-error.log;
events { worker_connections 1024; }
http {
	include mime.types;
	default_type application/octet-stream;
	client_body_temp_path $NGX/tmp/body;
	fastcgi_temp_path $NGX/tmp/fastcgi;
	proxy_temp_path $NGX/tmp/proxy;
	uwsgi_temp_path $NGX/tmp/uwsgi;
	scgi_temp_path $NGX/tmp/scgi;
	include site.conf;
}
CONF
	rm -f "$NGX/stop"
	for prog in sign office; do
		sock=$(unit_line "policies-$prog.socket" ListenStream)
		exec_start=$(unit_line "policies-$prog.service" ExecStart)
		envs=$(unit_line "policies-$prog.service" Environment | tr '\n' ' ')
		[ -n "$sock" ] && [ -n "$exec_start" ] || { echo "no ListenStream or ExecStart in policies-$prog"; return 1; }
		(
			while [ ! -e "$NGX/stop" ]; do
				# SocketMode=0660 for www-data; the test's nginx runs as this user
				env $envs CONSENT_DB="$DB" spawn-fcgi -n -s "$sock" -M 0660 -- $exec_start \
					>>"$NGX/log/$prog-journal.log" 2>&1
				sleep 0.1
			done
		) &
		nginx_pids="$nginx_pids $!"
	done
	nginx -t -p "$NGX" -c "$NGX/nginx.conf" -e "$NGX/log/main-error.log" >"$NGX/log/test.log" 2>&1 ||
		{ cat "$NGX/log/test.log"; return 1; }
	nginx -p "$NGX" -c "$NGX/nginx.conf" -e "$NGX/log/main-error.log" -g 'daemon off;' \
		>>"$NGX/log/nginx.out" 2>&1 &
	nginx_main=$!
	for i in $(seq 50); do
		[ "$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/")" = 200 ] &&
			[ -S "$NGX/run/sign.sock" ] && [ -S "$NGX/run/office.sock" ] && return 0
		sleep 0.2
	done
	return 1
}

nginx_stop() {
	[ -d "$NGX" ] || return 0
	: >"$NGX/stop"
	[ -n "${nginx_main:-}" ] && kill "$nginx_main" 2>/dev/null && wait "$nginx_main" 2>/dev/null
	nginx_main=
	# The spawn-fcgi loops, then the pools they started (by the socket they serve).
	for p in $nginx_pids; do kill "$p" 2>/dev/null; done
	for p in $(pgrep -x fcgi-pool); do
		tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qxF "CONSENT_DB=$DB" && kill "$p"
	done
	for p in $nginx_pids; do wait "$p" 2>/dev/null; done
	nginx_pids=
	if [ -x "$NGX_ROOT/usr/sbin/consentctl" ] && [ -z "${NGX_RELINKED:-}" ]; then
		make -C "$TOP" --no-print-directory all >/dev/null 2>&1
		NGX_RELINKED=1
	fi
}

nginx_log_files() { ls "$NGX"/log/*.log 2>/dev/null; }
nginx_logs() { for f in $(nginx_log_files); do echo "== $f"; tail -n 20 "$f"; done; }
