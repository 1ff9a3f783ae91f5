#!/bin/sh
# Installs the Debian packages the project needs, when run as root and any is missing.
# Idempotent and cheap: one dpkg-query when everything is present.
# Usage: tools/deps.sh [build|check|browser]   (each set includes the ones before it)
set -eu
build="gcc make pkg-config libcmark-dev libfcgi-dev libsqlite3-dev libqrencode-dev libsodium-dev libyaml-dev libseccomp-dev lighttpd pandoc"
check="$build sqlite3 curl zbar-tools librsvg2-bin clang valgrind python3-nacl mandoc bsdextrautils nginx-light spawn-fcgi openssl systemd dpkg-dev debhelper"
browser="$check chromium nodejs npm default-jre-headless poppler-utils fonts-dejavu-core"
case "${1:-build}" in
build) want=$build ;;
check) want=$check ;;
browser) want=$browser ;;
*) echo "tools/deps.sh: unknown set '$1' (build, check or browser)" >&2; exit 2 ;;
esac
# A command that is already there (Node.js or Java installed another way) counts as its
# package: installing Debian's over it would conflict.
provided() {
	case "$1" in
	nodejs) command -v node >/dev/null ;;
	nginx-light) command -v nginx >/dev/null ;;
	npm) command -v npm >/dev/null ;;
	default-jre-headless) command -v java >/dev/null ;;
	*) return 1 ;;
	esac
}
missing=
for p in $want; do
	provided "$p" && continue
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "missing Debian packages:$missing" >&2
	echo "install them with: sudo apt-get install$missing" >&2
	exit 1
fi
echo "installing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Refresh the lists only when apt has never been updated, or when an install fails.
[ -n "$(ls /var/lib/apt/lists/ 2>/dev/null | grep -v -e lock -e partial)" ] || apt-get update -q >&2
apt-get install -y -q --no-install-recommends $missing >&2 ||
	{ apt-get update -q >&2 && apt-get install -y -q --no-install-recommends $missing >&2; }
