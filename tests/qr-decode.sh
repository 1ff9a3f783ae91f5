#!/bin/sh
# Proves that the QR codes qr_svg draws scan: each case draws a link with the test-qr
# helper, decodes the image with zbarimg (Debian zbar-tools) and compares the text.
# Usage: sh tests/qr-decode.sh [path/to/test-qr]   (default: build/tests/test-qr beside
# this script's tests/ directory; `make build/tests/test-qr` builds it).
# Prints one "PASS name" or "FAIL name" line per case, for tests/run.sh.
# The SVG case needs rsvg-convert (Debian librsvg2-bin); without it that case is skipped.
helper=${1:-$(dirname "$0")/../build/tests/test-qr}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
failed=0

fail() {
	echo "FAIL $1"
	shift
	for line in "$@"; do
		echo "  $line"
	done
	failed=1
}

if [ ! -x "$helper" ]; then
	fail qr_decode_helper "$helper is not an executable; build it with: make build/tests/test-qr"
	exit 1
fi
if ! command -v zbarimg >/dev/null 2>&1; then
	fail qr_decode_zbarimg "zbarimg not found; install zbar-tools (tools/deps.sh check)"
	exit 1
fi

# decode NAME IMAGE WANT: zbarimg must read exactly WANT from IMAGE.
decode() {
	if ! got=$(zbarimg --raw -q "$2" 2>"$tmp/zbar.err"); then
		fail "$1" "zbarimg found no QR code in $2" "$(cat "$tmp/zbar.err")"
	elif [ "$got" != "$3" ]; then
		fail "$1" "decoded: $got" "wanted:  $3"
	else
		echo "PASS $1"
	fi
}

# pbm_case NAME TEXT: the SVG path, rasterised by the helper at 4 pixels a module.
pbm_case() {
	if ! "$helper" pbm 4 "$2" >"$tmp/$1.pbm" 2>"$tmp/$1.err"; then
		fail "$1" "$helper pbm failed:" "$(cat "$tmp/$1.err")"
		return
	fi
	decode "$1" "$tmp/$1.pbm" "$2"
}

token=ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLM
# Upper case: the whole link is in the alphanumeric set.
pbm_case qr_decode_upper "HTTP://127.0.0.1:8080/SIGN/$token"
# Lower-case host, mixed-case token: byte and alphanumeric segments; case must survive.
pbm_case qr_decode_mixed_case "https://consent.ysgol-enghraifft.sch.cymru/sign/aBcDeFgHiJkLmNoPqRsTuVwXyZ?lang=cy"
# A long link: a large version with alignment patterns and version information.
long="HTTPS://CONSENT.EXAMPLE.SCH.CYMRU/SIGN/$token$token$token$token$token$token$token$token"
pbm_case qr_decode_long "$long"

# Too long for any version: the helper must fail and print nothing.
big=$(printf '%03000d' 0 | tr 0 a)
if "$helper" pbm 4 "$big" >"$tmp/big.pbm" 2>"$tmp/big.err"; then
	fail qr_decode_too_long "helper succeeded for 3000 bytes of text"
elif [ -s "$tmp/big.pbm" ]; then
	fail qr_decode_too_long "helper wrote output although it failed"
else
	echo "PASS qr_decode_too_long"
fi

# The SVG markup itself, through a real renderer, at print size (40mm at 150 dpi).
if command -v rsvg-convert >/dev/null 2>&1; then
	url="HTTP://127.0.0.1:8080/SIGN/$token"
	if ! "$helper" svg "$url" >"$tmp/svg.svg" 2>"$tmp/svg.err"; then
		fail qr_decode_svg "$helper svg failed:" "$(cat "$tmp/svg.err")"
	elif ! rsvg-convert --dpi-x 150 --dpi-y 150 -o "$tmp/svg.png" "$tmp/svg.svg" 2>"$tmp/svg.err"; then
		fail qr_decode_svg "rsvg-convert failed:" "$(cat "$tmp/svg.err")"
	else
		decode qr_decode_svg "$tmp/svg.png" "$url"
	fi
else
	echo "SKIP qr_decode_svg (rsvg-convert not installed: Debian librsvg2-bin)"
fi
exit $failed
