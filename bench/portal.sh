#!/usr/bin/env bash
# bench/portal.sh: the benchmark of issue 6, portal side: the parents' portal (sign.fcgi)
# behind the real lighttpd set-up (tools/serve.sh) against a bare fcgi2 program (the
# floor), measured with wrk on 127.0.0.1; and consentctl's import and exports of 10,000
# families. See bench/PORTAL.md.
#
#   bench/portal.sh                                    from any folder
#   BENCH_RUNS=3 BENCH_PORTAL_SECONDS=3 bench/portal.sh   a quicker run
#
# Environment:
#   BENCH_RUNS               rounds of every measurement; the table shows medians (default 5)
#   BENCH_PORTAL_SECONDS     seconds of each wrk run (default 5)
#   BENCH_PORTAL_CONNS       wrk connections, separated by spaces (default "32 64")
#   BENCH_PORTAL_PROCS       sign.fcgi worker processes, and as many floor processes
#                            (tools/serve.sh's SIGN_PROCS; default 2, its default)
#   BENCH_PORTAL_FAMILIES    families in the database (default 10000)
#   BENCH_PORTAL_POSTERS     of those, the families the signing POST writes to (default 2000);
#                            the family page GET reads the others
#   BENCH_PORTAL_DIR         the working folder (default bench/work/portal); it must be on
#                            a disk, not tmpfs, or fsync costs nothing and the POST's
#                            durability is not measured
#   BENCH_PORTAL_NOSYNC      1 (default): also measure the POST with fsync made a no-op
#                            (bench/portal-nosync.c: NOT durable; what group commit could
#                            approach at best); 0 skips it
#   BENCH_KEEP               1 keeps the working folder (about 1 GB: the database grows with
#                            every submission); by default it is removed at the end
#
# Each round runs, for each number of connections, wrk against: a static page from the
# built site; the floor (bench/fcgi-floor.c under /floor/, as many processes as
# sign.fcgi); the family page GET /sign/TOKEN rotating over many families; the signing
# POST /sign/TOKEN/confirm with real submissions (each family's CSRF token and form read
# once beforehand; each confirm preceded by its POST .../check for the once-only value,
# so half the "post" requests are check pages: bench/portal-wrk.lua), in an order that
# rotates from round to round. After the rounds, every
# acknowledged submission (a 303 with a reference) is looked up in the database.
#
# Prints a Markdown table and which targets of the issue are met, and writes the same to
# bench/work/portal-latest.md (raw per-run values in bench/work/portal-runs.txt). Nothing
# here asserts a time: it exits 0 whether or not targets are met, 1 when something fails
# to run.
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${BENCH_RUNS:-5}
SECS=${BENCH_PORTAL_SECONDS:-5}
CONNS=${BENCH_PORTAL_CONNS:-32 64}
PROCS=${BENCH_PORTAL_PROCS:-2}
FAMILIES=${BENCH_PORTAL_FAMILIES:-10000}
POSTERS=${BENCH_PORTAL_POSTERS:-2000}
NOSYNC=${BENCH_PORTAL_NOSYNC:-1}
WORK=${BENCH_PORTAL_DIR:-$ROOT/bench/work/portal}
TODAY=2026-11-21 # the demo content's policies are all published by then
OUT=$ROOT/bench/work

die() {
	echo "bench/portal: $*" >&2
	exit 1
}
note() { echo "bench/portal: $*" >&2; }

for v in "$RUNS" "$SECS" "$PROCS" "$FAMILIES" "$POSTERS" $CONNS; do
	case $v in '' | *[!0-9]* | 0*) die "BENCH_RUNS, BENCH_PORTAL_SECONDS, _CONNS, _PROCS, _FAMILIES and _POSTERS must be whole numbers from 1" ;; esac
done
[ "$POSTERS" -lt "$FAMILIES" ] || die "BENCH_PORTAL_POSTERS must be fewer than BENCH_PORTAL_FAMILIES"
[ "$FAMILIES" -ge 5000 ] || die "BENCH_PORTAL_FAMILIES must be at least 5000 (the 10,000-children import takes its first 10,000 children)"

# --- Packages -----------------------------------------------------------------------------

tools/deps.sh check >&2 || die "tools/deps.sh could not install the packages"
missing=
for p in wrk strace; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	[ "$(id -u)" = 0 ] || die "missing Debian packages:$missing (install them with: sudo apt-get install$missing)"
	note "installing Debian packages:$missing"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >&2 ||
		{ apt-get update -q >&2 && apt-get install -y -q --no-install-recommends $missing >&2; } ||
		die "could not install$missing"
fi
for t in wrk lighttpd curl sqlite3 awk ps; do
	command -v $t >/dev/null || die "$t is not on PATH"
done

# --- Programs -----------------------------------------------------------------------------

make -s build/policygen build/consentctl build/sign.fcgi build/fcgi-pool build/libportal.a build/libcore.a >&2 ||
	die "make failed"
rm -rf "$WORK"
mkdir -p "$WORK/bin" "$WORK/shim" "$WORK/run" "$WORK/forms"
# The programs under test are copied, so that work going on in the tree during the run (a
# rebuild) cannot change them half-way; lighttpd starts the copies.
cp build/policygen build/consentctl build/sign.fcgi build/fcgi-pool "$WORK/bin/"
BIN=$WORK/bin
PKGS="libcmark fcgi sqlite3 libqrencode libsodium yaml-0.1"
CFLAGS=(-std=c11 -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 -O2 -Wall -Wextra -Wshadow
	-Wstrict-prototypes -Wmissing-prototypes -Wvla -Isrc/core -Isrc/site -Isrc/portal)
# shellcheck disable=SC2046
cc "${CFLAGS[@]}" $(pkg-config --cflags fcgi) -o "$BIN/fcgi-floor" bench/fcgi-floor.c \
	$(pkg-config --libs fcgi) || die "cannot build bench/fcgi-floor.c"
# shellcheck disable=SC2046,SC2086
cc "${CFLAGS[@]}" $(pkg-config --cflags $PKGS) -o "$BIN/portal-fill" bench/portal-fill.c \
	build/libportal.a build/libcore.a $(pkg-config --libs $PKGS) -lm || die "cannot build bench/portal-fill.c"
cc -std=c11 -O2 -Wall -Wextra -shared -fPIC -o "$BIN/portal-nosync.so" bench/portal-nosync.c ||
	die "cannot build bench/portal-nosync.c"
CTL=$BIN/consentctl

fstype=$(stat -f -c %T "$WORK")
case $fstype in tmpfs | ramfs)
	die "$WORK is on $fstype, where fsync costs nothing: set BENCH_PORTAL_DIR to a folder on a disk" ;;
esac

# --- Server -------------------------------------------------------------------------------

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=
for _ in $(seq 50); do
	p=$((20000 + RANDOM % 20000))
	port_free $p && port_free $((p + 1)) && PORT=$p && break
done
[ -n "$PORT" ] || die "no free port found"
BASE=http://127.0.0.1:$PORT
DB=$WORK/bench.db
SERVER=
SERVER_KIDS=

# The configuration is tools/serve.sh's own: it is run with a stand-in for lighttpd that
# only returns, and the file it wrote is used with four changes, all checked: sign.fcgi
# is the copy, the site is the benchmark's, /office/ is left out (nothing here uses it),
# and /floor/ is served by the floor program with as many processes as sign.fcgi
# (appended to fastcgi.server).
printf '#!/bin/sh\nexit 0\n' >"$WORK/shim/lighttpd"
chmod +x "$WORK/shim/lighttpd"
make_config() { # make_config PORT RUNDIR [PRELOAD]: writes RUNDIR/lighttpd-PORT.conf
	local port=$1 run=$2 preload=${3:-} conf=$2/lighttpd-$1.conf
	mkdir -p "$run"
	PATH=$WORK/shim:$PATH SIGN_PROCS=$PROCS tools/serve.sh "$port" "$DB" "$run" >&2 ||
		die "tools/serve.sh failed"
	[ -f "$conf" ] || die "tools/serve.sh wrote no $conf"
	# sign.fcgi's processes are started by fcgi-pool (one lighttpd process, -n PROCS).
	sed -i -e "s|\"$ROOT/build/fcgi-pool \\(.*\\) $ROOT/build/sign.fcgi\"|\"$BIN/fcgi-pool \\1 $BIN/sign.fcgi\"|" \
		-e "s|\"$ROOT/public\"|\"$WORK/public\"|g" \
		-e "s|\"$ROOT/var/portal\"|\"$WORK/portal\"|g" \
		-e '/"\/office\/" => ((/,/^\t)),$/d' "$conf"
	if [ -n "$preload" ]; then
		# Only in sign.fcgi's environment (the first bin-environment, under /sign/).
		awk -v so="$preload" '!done && /"bin-environment" => \(/ {
			print; print "\t\t\t\"LD_PRELOAD\" => \"" so "\","; done = 1; next } { print }' \
			"$conf" >"$conf.new" && mv "$conf.new" "$conf"
	fi
	cat >>"$conf" <<CONF
fastcgi.server += (
	"/floor/" => ((
		"socket" => "$run/floor-$port.sock",
		"bin-path" => "$BIN/fcgi-floor",
		"max-procs" => $PROCS,
		"check-local" => "disable",
	)),
)
CONF
	grep -q "\"bin-path\" => \"$BIN/fcgi-pool -P -n $PROCS -- $BIN/sign.fcgi\"" "$conf" &&
		grep -q "server.document-root = \"$WORK/public\"" "$conf" &&
		grep -q "\"CONSENT_PORTAL\" => \"$WORK/portal\"" "$conf" &&
		grep -q "\"max-procs\" => $PROCS," "$conf" && ! grep -qF '"/office/"' "$conf" ||
		die "$conf: not the configuration expected from tools/serve.sh"
	echo "$conf"
}
start_server() { # start_server CONF: runs lighttpd on it, waits until it answers
	lighttpd -D -f "$1" >"$WORK/run/server.out" 2>&1 &
	SERVER=$!
	for _ in $(seq 100); do
		[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/en/")" = 200 ] &&
			[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/floor/")" = 200 ] && break
		kill -0 "$SERVER" 2>/dev/null || die "lighttpd stopped: $(cat "$WORK/run/server.out" "$WORK"/run/*/lighttpd-*.log 2>/dev/null)"
		sleep 0.1
	done
	SERVER_KIDS=$(ps -o pid= --ppid "$SERVER" | tr -d ' ' | tr '\n' ' ')
}
stop_server() { # stops lighttpd, then any of its FastCGI processes still running, by id
	[ -n "$SERVER" ] || return 0
	kill "$SERVER" 2>/dev/null || true
	wait "$SERVER" 2>/dev/null || true
	for k in $SERVER_KIDS; do kill -9 "$k" 2>/dev/null || true; done
	SERVER=
	SERVER_KIDS=
}
trap stop_server EXIT
trap 'exit 130' INT TERM
kids() { # the server's FastCGI processes: its children and theirs (fcgi-pool's workers)
	local k
	for k in $(ps -o pid= --ppid "$SERVER"); do
		echo "$k"
		ps -o pid= --ppid "$k"
	done
}
sign_pids() { # the running sign.fcgi workers of the server
	local k
	for k in $(kids); do
		if [ "$(readlink "/proc/$k/exe" 2>/dev/null)" = "$BIN/sign.fcgi" ]; then echo "$k"; fi
	done
}

# --- Data ---------------------------------------------------------------------------------

# FAMILIES families of one to three children (two on average); two carers each.
awk -v n="$FAMILIES" 'BEGIN {
	print "family_ref,child_ref,first_name,last_name,class,carers,language"
	for (f = 1; f <= n; f++)
		for (k = 0; k <= f % 3; k++) {
			c++
			printf "B%05d,BC%06d,Child%d,Family%d,Year %d,Carer %d A; Carer %d B,%s\n",
				f, c, c, f, 1 + c % 6, f, f, f % 2 ? "en" : "cy"
		}
}' >"$WORK/families.csv"
# The first 10,000 children (about 5,000 families).
head -n 10001 "$WORK/families.csv" >"$WORK/children-10k.csv"
nfam=$(($(cut -d, -f1 "$WORK/families.csv" | sort -u | wc -l) - 1))
nchild=$(($(wc -l <"$WORK/families.csv") - 1))
nchild10=$(($(wc -l <"$WORK/children-10k.csv") - 1))
nfam10=$(($(cut -d, -f1 "$WORK/children-10k.csv" | sort -u | wc -l) - 1))

"$BIN/policygen" build --content content --templates templates --out "$WORK/public" \
	--portal "$WORK/portal" --state "$WORK/state" --today "$TODAY" >"$WORK/policygen.log" 2>&1 || die "policygen build failed: $(cat "$WORK/policygen.log")"
"$CTL" --db "$WORK/empty.db" init --content content --portal "$WORK/portal" >/dev/null ||
	die "consentctl init failed"

now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { # the median of the numbers on standard input
	sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2];
		else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
RAW=$OUT/portal-runs.txt
: >"$RAW"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# --- Import -------------------------------------------------------------------------------

note "import: $RUNS runs of $nchild10 children, $nfam families ($nchild children), and again unchanged"
for r in $(seq "$RUNS"); do
	for what in children families; do
		cp "$WORK/empty.db" "$WORK/import.db"
		csv=$WORK/families.csv
		[ $what = children ] && csv=$WORK/children-10k.csv
		t0=$(now)
		"$CTL" --db "$WORK/import.db" import "$csv" >/dev/null || die "import of $csv failed"
		t1=$(now)
		echo "import-$what $r $(elapsed "$t0" "$t1")" >>"$RAW"
		if [ $what = families ]; then
			t0=$(now)
			"$CTL" --db "$WORK/import.db" import "$csv" >/dev/null || die "second import failed"
			t1=$(now)
			echo "import-unchanged $r $(elapsed "$t0" "$t1")" >>"$RAW"
		fi
		rm -f "$WORK"/import.db*
	done
done

# --- The portal's database ----------------------------------------------------------------

cp "$WORK/empty.db" "$DB"
"$CTL" --db "$DB" import "$WORK/families.csv" >/dev/null || die "import failed"
note "answers for two families in three (set-up, not timed)"
"$BIN/portal-fill" "$DB" 3 >&2 || die "portal-fill failed"
"$CTL" --db "$DB" tokens --base-url "$BASE" | tr -d '\r' | tail -n +2 >"$WORK/tokens.csv"
[ "$(wc -l <"$WORK/tokens.csv")" = "$nfam" ] || die "consentctl tokens gave $(wc -l <"$WORK/tokens.csv") links for $nfam families"

CONF=$(make_config "$PORT" "$WORK/run/full")
start_server "$CONF"

# Requests. The family pages of the first FAMILIES - POSTERS families; the floor at the
# same paths under /floor/ (the floor ignores the path); the site's English index page.
ngets=$((nfam - POSTERS))
head -n "$ngets" "$WORK/tokens.csv" | sed 's|^[^,]*,.*/|GET /sign/|' >"$WORK/family.req"
sed 's,^GET /sign/,GET /floor/,' "$WORK/family.req" >"$WORK/floor.req"
echo "GET /en/" >"$WORK/static.req"

# The signing POST: the answer form of each of the last POSTERS families, read once over
# one connection, gives its CSRF token, language and fields; the body answers every child
# and purpose (yes or no, at random) and ticks every declaration.
tail -n "$POSTERS" "$WORK/tokens.csv" | awk -F, -v base="$BASE" -v dir="$WORK/forms" '{
	sub(/.*\//, "", $2)
	printf "url = \"%s/sign/%s/answer\"\noutput = \"%s/%s.html\"\n", base, $2, dir, $2 }' \
	>"$WORK/forms.curl"
curl -s -f -K "$WORK/forms.curl" || die "could not read the answer forms"
tail -n "$POSTERS" "$WORK/tokens.csv" | sed 's,.*/,,' | while read -r tok; do
	awk -v tok="$tok" 'BEGIN { srand(length(tok) + 7) }
	{
		s = $0
		while (match(s, /name="[^"]*"( [a-z]+="[^"]*")*/)) {
			m = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
			split(m, q, "\""); name = q[2]; val = ""
			if (match(m, /value="[^"]*"/)) val = substr(m, RSTART + 7, RLENGTH - 8)
			if (name == "csrf") csrf = val
			else if (name == "lang" && lang == "") lang = val
			else if (name ~ /^agree\./ && !(name in seen)) { seen[name]; agree = agree "&" name "=yes" }
			else if (name ~ /^a\./ && !(name in seen)) {
				seen[name]; ans = ans "&" name "=" (rand() < 0.25 ? "no" : "yes") }
		}
	}
	END {
		if (csrf == "" || agree == "" || ans == "") { print "no form for " tok > "/dev/stderr"; exit 1 }
		printf "POST /sign/%s/confirm csrf=%s&lang=%s%s%s\n", tok, csrf, lang == "" ? "en" : lang, agree, ans
	}' "$WORK/forms/$tok.html" || exit 1
done >"$WORK/post.req" || die "an answer form could not be read (see above)"

size() { curl -s -o /dev/null -w '%{size_download}' "$@"; }
SIZES="static page $(size "$BASE/en/") B, floor $(size "$BASE/floor/") B, family page $(
	size "$BASE$(sed -n '1s/^GET //p' "$WORK/family.req")") B"

# --- wrk ----------------------------------------------------------------------------------

want_of() { case $1 in post | nosync) echo 303 ;; *) echo 200 ;; esac; } # the status due
# CPU time (clock ticks) used so far by lighttpd, and by its FastCGI processes together.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
cpu_now() {
	local k w=0
	for k in $(kids); do w=$((w + $(ticks "$k"))); done
	echo "$(ticks "$SERVER") $w"
}
HZ=$(getconf CLK_TCK)
# wrk_run KIND CONNS ROUND [LABEL]: one wrk run; appends "LABEL CONNS ROUND rps p99_ms ok bad
# errors server_us worker_us" to RAW, the last two the CPU time of lighttpd and of the
# FastCGI processes per answered request, in microseconds.
wrk_run() {
	local kind=$1 c=$2 round=$3 label=${4:-$1} out line cpu0 cpu1
	out=$WORK/wrk-$label-$c-$round.out
	cpu0=$(cpu_now)
	wrk -t2 -c"$c" -d"${SECS}s" --timeout 10s --latency -s bench/portal-wrk.lua "$BASE" \
		-- "$WORK/$kind.req" "$(want_of "$kind")" >"$out" 2>&1 || die "wrk failed: $(cat "$out")"
	cpu1=$(cpu_now)
	line=$(awk -v label="$label" -v c="$c" -v round="$round" -v hz="$HZ" -v cpu="$cpu0 $cpu1" '
		function ms(v) {
			if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0
			if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v }
		/^Requests\/sec:/ { rps = $2 }
		/^ +99%/ { p99 = ms($2) }
		/Socket errors:/ { gsub(/,/, ""); err = $4 + $6 + $8 + $10 }
		/^portal:/ { split($2, a, "="); ok = a[2]; split($3, b, "="); bad = b[2] }
		END { if (rps == "" || ok == "") exit 1
			split(cpu, t, " "); n = ok + bad > 0 ? ok + bad : 1
			printf "%s %d %d %.1f %.3f %d %d %d %.0f %.0f\n", label, c, round, rps, p99, ok, bad,
				err + 0, (t[3] - t[1]) * 1e6 / hz / n, (t[4] - t[2]) * 1e6 / hz / n }' "$out") ||
		die "cannot read wrk's output: $(cat "$out")"
	echo "$line" >>"$RAW"
	note "$line"
}

: >"$WORK/post.req.refs"
note "warm-up"
for k in static floor family post; do wrk_run $k 32 0 warmup-$k; done
KINDS=(static floor family post)
note "$RUNS rounds of ${SECS}s runs at $CONNS connections, $PROCS workers"
for r in $(seq "$RUNS"); do
	for c in $CONNS; do
		for i in 0 1 2 3; do
			k=${KINDS[$(((i + r) % 4))]}
			wrk_run "$k" "$c" "$r"
		done
	done
done

# Evidence for where the POST's time goes: its workers' system calls during one more run
# (not in the table: strace slows them).
FSYNC=
if command -v strace >/dev/null; then
	pids=$(sign_pids | sed 's/^/-p /' | tr '\n' ' ')
	if [ -n "$pids" ]; then
		# shellcheck disable=SC2086
		strace -f -c -e trace=fsync,fdatasync,pwrite64,pread64 -o "$WORK/strace.out" $pids &
		tracer=$!
		sleep 0.5
		wrk_run post 32 0 straced-post
		kill -INT $tracer 2>/dev/null || true
		wait $tracer 2>/dev/null || true
		syncs=$(awk '$NF == "fsync" || $NF == "fdatasync" { n += $4 } END { print n + 0 }' \
			"$WORK/strace.out")
		acked=$(awk '$1 == "straced-post" { print $6 }' "$RAW")
		FSYNC="$syncs fsync/fdatasync calls by sign.fcgi for $acked acknowledged submissions under strace"
	fi
fi
stop_server

if [ "$NOSYNC" = 1 ]; then
	note "the POST again with fsync a no-op (not durable), alternating with the floor"
	CONF=$(make_config "$PORT" "$WORK/run/nosync" "$BIN/portal-nosync.so")
	start_server "$CONF"
	cp "$WORK/post.req" "$WORK/nosync.req"
	for r in $(seq "$RUNS"); do
		for c in $CONNS; do
			if [ $((r % 2)) = 1 ]; then
				wrk_run floor "$c" "$r" floor-nosync-phase
				wrk_run nosync "$c" "$r" post-nosync
			else
				wrk_run nosync "$c" "$r" post-nosync
				wrk_run floor "$c" "$r" floor-nosync-phase
			fi
		done
	done
	stop_server
fi

# --- Durability: every acknowledged submission is in the database ----------------------

acked=$(grep -c . "$WORK/post.req.refs" || true)
missing=$(awk -F- '{ printf "%s|%s\n", $1, tolower($2) }' "$WORK/post.req.refs" | sqlite3 "$DB" \
	"CREATE TEMP TABLE ack (id INTEGER, suffix TEXT);" ".mode list" ".import /dev/stdin ack" \
	"SELECT count(*) FROM ack a WHERE NOT EXISTS (SELECT 1 FROM event e WHERE e.id = a.id
	  AND substr(lower(e.hash), 1, 4) = a.suffix AND e.detail = 'submission ' || a.id);")
verify=$("$CTL" --db "$DB" verify 2>&1) || die "consentctl verify failed: $verify"

# --- Export -------------------------------------------------------------------------------

note "export: $RUNS runs of each list for $nfam families"
for r in $(seq "$RUNS"); do
	for what in photo declarations outstanding; do
		t0=$(now)
		"$CTL" --db "$DB" export $what >"$WORK/export-$what.csv" || die "export $what failed"
		t1=$(now)
		echo "export-$what $r $(elapsed "$t0" "$t1")" >>"$RAW"
	done
done
rows() { echo $(($(wc -l <"$WORK/export-$1.csv") - 1)); }

# --- Report -------------------------------------------------------------------------------

med() { # med LABEL CONNS FIELD: the median of a wrk field over the rounds (4 req/s, 5 p99,
	# 9 and 10 CPU per request)
	awk -v l="$1" -v c="$2" -v f="$3" '$1 == l && $2 == c && $3 > 0 { print $f }' "$RAW" | median
}
medt() { awk -v l="$1" '$1 == l { print $3 }' "$RAW" | median; }
sumf() { awk -v l="$1" -v f="$2" '$1 == l { n += $f } END { print n + 0 }' "$RAW"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f %%", 100 * a / b; else print "-" }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }
yes() { if "$@"; then echo met; else echo "NOT met"; fi; }

# share_target KIND LABEL PCT: the target "KIND's req/s >= PCT % of the floor's", per
# connection count.
share_target() {
	local cc
	for cc in $CONNS; do
		echo "- $2 >= $3 % of the floor's req/s at $cc connections: $(pct "$(med "$1" "$cc" 4)" "$(med floor "$cc" 4)"): $(yes ge "$(med "$1" "$cc" 4)" "$(awk -v f="$(med floor "$cc" 4)" -v p="$3" 'BEGIN { print f * p / 100 }')")"
	done
}

REPORT=$OUT/portal-latest.md
{
	echo "## Portal: $nfam families, $PROCS sign.fcgi workers, wrk -t2, ${SECS}s runs, medians of $RUNS"
	echo
	echo "Machine: $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)),"
	echo "Linux $(uname -r), database on $fstype ($(df -P "$WORK" | awk 'NR == 2 { print $1 }')),"
	echo "$(lighttpd -v 2>&1 | head -n 1 | cut -d' ' -f1), $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2),"
	echo "SQLite $(sqlite3 --version | cut -d' ' -f1), $(date -u +%Y-%m-%d). Load average before the"
	echo "run $LOAD_START, after it $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine shows here)."
	echo
	echo "| request | conns | req/s | p99 ms | req/s vs floor | p99 vs floor | CPU µs/req lighttpd | CPU µs/req FastCGI | responses ok / not |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	for c in $CONNS; do
		fr=$(med floor "$c" 4)
		fp=$(med floor "$c" 5)
		for k in static floor family post post-nosync; do
			[ "$(med $k "$c" 4)" = nan ] && continue
			case $k in
			static) name="static page /en/ (lighttpd)" ;;
			floor) name="floor: fcgi2, fixed page" ;;
			family) name="family page GET /sign/T" ;;
			post) name="signing POST, synchronous=FULL" ;;
			post-nosync) name="signing POST, fsync a no-op (not durable)" ;;
			esac
			ref=$fr refp=$fp
			if [ $k = post-nosync ]; then
				ref=$(med floor-nosync-phase "$c" 4) refp=$(med floor-nosync-phase "$c" 5)
			fi
			printf '| %s | %s | %.0f | %.1f | %s | %s | %s | %s | %s / %s |\n' "$name" "$c" \
				"$(med $k "$c" 4)" "$(med $k "$c" 5)" "$(ratio "$(med $k "$c" 4)" "$ref")" \
				"$(ratio "$(med $k "$c" 5)" "$refp")" "$(med $k "$c" 9)" "$(med $k "$c" 10)" \
				"$(awk -v l=$k -v c="$c" '$1 == l && $2 == c && $3 > 0 { n += $6 } END { print n + 0 }' "$RAW")" \
				"$(awk -v l=$k -v c="$c" '$1 == l && $2 == c && $3 > 0 { n += $7 + $8 } END { print n + 0 }' "$RAW")"
		done
	done
	echo
	echo "Bodies: $SIZES. The fsync-a-no-op row is compared with the floor runs alternated"
	echo "with it, on a server started again with the same configuration and that library."
	echo
	echo "| command | rows | median s |"
	echo "| --- | ---: | ---: |"
	echo "| consentctl import, $nchild10 children ($nfam10 families), new | $nchild10 | $(medt import-children) |"
	echo "| consentctl import, $nfam families ($nchild children), new | $nchild | $(medt import-families) |"
	echo "| consentctl import, the same file again (nothing changes) | $nchild | $(medt import-unchanged) |"
	for what in photo declarations outstanding; do
		echo "| consentctl export $what, $nfam families | $(rows $what) | $(medt export-$what) |"
	done
	echo
	echo "Durability: $acked submissions acknowledged (303 with a reference) in the timed runs;"
	echo "$missing of them not found in the database afterwards. $FSYNC. $verify"
	echo
	echo "Targets (issue 6):"
	share_target family "family page GET" 80
	share_target post "signing POST" 50
	echo "- signing POST p99 < 50 ms at 32 connections: $(med post 32 5) ms: $(yes lt "$(med post 32 5)" 50)"
	echo "- every acknowledged answer durable (synchronous=FULL, each found afterwards): $(yes [ "$missing" = 0 ] )"
	echo "- import of $nchild10 children < 1 s: $(medt import-children) s: $(yes lt "$(medt import-children)" 1)"
	echo "- import of $nfam families < 1 s: $(medt import-families) s: $(yes lt "$(medt import-families)" 1)"
	for what in photo declarations outstanding; do
		echo "- export $what of $nfam families < 1 s: $(medt export-$what) s: $(yes lt "$(medt export-$what)" 1)"
	done
	echo
	echo "Targets (issue 16):"
	share_target family "family page GET" 50
	share_target post "signing POST" 25
	echo "- signing POST p99 < 50 ms at 32 connections: $(med post 32 5) ms: $(yes lt "$(med post 32 5)" 50)"
	echo "- every acknowledged answer durable (synchronous=FULL, each found afterwards): $(yes [ "$missing" = 0 ] )"
	echo "- export photo of $nfam families < 0.5 s: $(medt export-photo) s: $(yes lt "$(medt export-photo)" 0.5)"
} >"$REPORT.new"
mv "$REPORT.new" "$REPORT"
cat "$REPORT"
[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$WORK"
