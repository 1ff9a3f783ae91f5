#!/bin/bash
# portal-profile.sh: the signing POST's instructions in sign.fcgi, counted by callgrind,
# so they hold whatever else the machine is doing; and the bytes it answers and stores,
# to compare two builds (bench/PORTAL.md, issue 16's fifth round).
#
#   bench/portal-profile.sh [SIGN_FCGI [NAME]]
#
# Makes once, in bench/work/profile/base, a database as bench/portal.sh makes its own, but
# of 300 families (one to three children, two in three answered through bench/portal-fill.c).
# Then, each time on a fresh copy of it in bench/work/profile/NAME (default "run"),
# SIGN_FCGI (default build/sign.fcgi) serves bench/portal-profile.py's requests in one
# thread over FastCGI, with bench/portal-fixed.c preloaded (a fixed clock and fixed random
# bytes, so that a run repeats byte for byte):
#  1. under callgrind, counting inside handle() only: 50 families, 6 rounds of check page
#     and confirm, the counters zeroed after the first 100 submissions (each carer's
#     first, which signs). Prints the instructions per submission over the other 200, and
#     leaves NAME/callgrind.out and NAME/top.txt (callgrind_annotate's functions, self).
#     With PROFILE_PER_REQUEST=1 also one dump per request, for the check page's and the
#     confirm's means (these include the FastCGI I/O between requests).
#  2. without valgrind: 100 families, 4 rounds. Every page is kept and the database's
#     rows written out (events with their hashes and salts, answers, signatures, the
#     families' languages), with consentctl verify's report, in NAME/same/:
#       diff -r bench/work/profile/A/same bench/work/profile/B/same
#     shows whether two builds answer and store the same bytes.
# Needs valgrind, python3, sqlite3 and the build (make all).
set -euo pipefail
cd "$(dirname "$0")/.."
TOP=$PWD
SIGN=$(realpath "${1:-build/sign.fcgi}")
NAME=${2:-run}
WORK=$TOP/bench/work/profile
BASE=$WORK/base
OUT=$WORK/$NAME
PKGS="libcmark fcgi sqlite3 libqrencode libsodium yaml-0.1"
die() { echo "bench/portal-profile: $*" >&2; exit 1; }

for t in valgrind callgrind_control callgrind_annotate python3 sqlite3 cc; do
	command -v $t >/dev/null || die "$t is not on PATH"
done
for p in "$SIGN" build/consentctl build/policygen; do
	[ -x "$p" ] || die "$p is not built (make all)"
done
mkdir -p "$WORK"
cc -std=c11 -O2 -Wall -Wextra -shared -fPIC -o "$WORK/portal-fixed.so" bench/portal-fixed.c

if [ ! -f "$BASE/db" ]; then
	rm -rf "$BASE"
	mkdir -p "$BASE"
	# shellcheck disable=SC2046,SC2086
	cc -std=c11 -D_DEFAULT_SOURCE -O2 -Isrc/core -Isrc/site -Isrc/portal $(pkg-config --cflags $PKGS) \
		-o "$BASE/portal-fill" bench/portal-fill.c build/libportal.a build/libcore.a \
		$(pkg-config --libs $PKGS) -lm
	awk 'BEGIN {
		print "family_ref,child_ref,first_name,last_name,class,carers,language"
		for (f = 1; f <= 300; f++)
			for (k = 0; k <= f % 3; k++) {
				c++
				printf "B%05d,BC%06d,Child%d,Family%d,Year %d,Carer %d A; Carer %d B,%s\n",
					f, c, c, f, 1 + c % 6, f, f, f % 2 ? "en" : "cy"
			}
	}' >"$BASE/families.csv"
	build/policygen build --content content --templates templates --out "$BASE/public" \
		--portal "$BASE/portal" --state "$BASE/state" --today 2026-12-01 >"$BASE/policygen.log" 2>&1
	build/consentctl --db "$BASE/db" init --content content --portal "$BASE/portal" >/dev/null
	build/consentctl --db "$BASE/db" import "$BASE/families.csv" >/dev/null
	"$BASE/portal-fill" "$BASE/db" 3 >/dev/null
	build/consentctl --db "$BASE/db" tokens --base-url http://localhost 2>/dev/null |
		tr -d '\r' | tail -n +2 >"$BASE/tokens.csv"
fi

# fresh DIR: a copy of the base database, portal folder and tokens in DIR/data
fresh() {
	rm -rf "$1"
	mkdir -p "$1/data"
	cp -r "$BASE/db" "$BASE/portal" "$BASE/tokens.csv" "$1/data/"
}

export PROFILE_PRELOAD=$WORK/portal-fixed.so
rm -rf "$OUT"
fresh "$OUT/callgrind"
PROFILE_ZERO=100 python3 bench/portal-profile.py "$SIGN" "$OUT/callgrind/data" "$OUT/callgrind" 50 6 \
	valgrind --tool=callgrind --toggle-collect=handle \
	--callgrind-out-file="$OUT/callgrind/out.%p" >/dev/null 2>"$OUT/callgrind/valgrind.log"
mv "$(ls "$OUT"/callgrind/out.*.1)" "$OUT/callgrind.out"
total=$(sed -n 's/^summary: //p' "$OUT/callgrind.out")
callgrind_annotate --threshold=100 "$OUT/callgrind.out" >"$OUT/annotate.txt" 2>/dev/null
sed -n '/file:function/,$p' "$OUT/annotate.txt" | grep -v '(100.0%)' | sed -n 1,40p >"$OUT/top.txt"
echo "$NAME: $((total / 200)) instructions per submission inside handle ($total for 200)"

if [ "${PROFILE_PER_REQUEST:-0}" = 1 ]; then
	fresh "$OUT/per-request"
	python3 bench/portal-profile.py "$SIGN" "$OUT/per-request/data" "$OUT/per-request" 50 6 \
		valgrind --tool=callgrind --dump-after=handle --dump-instr=no --dump-line=no \
		--callgrind-out-file="$OUT/per-request/cg" >/dev/null 2>"$OUT/per-request/valgrind.log"
	# dumps 1-50: the answer forms; then a check page and a confirm per submission
	for i in $(seq 251 2 649); do sed -n 's/^totals: //p' "$OUT/per-request/cg.$i"; done |
		awk '{ s += $1 } END { printf "check page: %d instructions a request (with the FastCGI I/O)\n", s / NR }'
	for i in $(seq 252 2 650); do sed -n 's/^totals: //p' "$OUT/per-request/cg.$i"; done |
		awk '{ s += $1 } END { printf "confirm: %d instructions a request (with the FastCGI I/O)\n", s / NR }'
	rm -f "$OUT"/per-request/cg.*
fi

fresh "$OUT/same"
python3 bench/portal-profile.py "$SIGN" "$OUT/same/data" "$OUT/same" 100 4 >/dev/null 2>&1
db=$OUT/same/data/db
sqlite3 "$db" "SELECT * FROM event ORDER BY id" >"$OUT/same/events.txt"
sqlite3 "$db" "SELECT child_id, purpose, signer, signer_key, answer, at, channel, staff, event_id
	FROM answer ORDER BY child_id, purpose, signer_key" >"$OUT/same/answers.txt"
sqlite3 "$db" "SELECT * FROM signature ORDER BY family_id, document_id, signer_key" >"$OUT/same/signatures.txt"
sqlite3 "$db" "SELECT id, language FROM family ORDER BY id" >"$OUT/same/families.txt"
build/consentctl --db "$db" verify >"$OUT/same/verify.txt" 2>&1 || die "consentctl verify failed: $(cat "$OUT/same/verify.txt")"
rm -rf "$OUT/same/data" "$OUT/same/sock"
echo "$NAME: pages and rows in $OUT/same ($(find "$OUT/same/pages" -type f | wc -l) pages, $(wc -l <"$OUT/same/events.txt") events; verify: ok)"
