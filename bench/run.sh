#!/usr/bin/env bash
# bench/run.sh: the benchmark of issue 6, generator side: policygen against Hugo and against
# raw libcmark (the floor), on a synthetic bilingual corpus. See bench/README.md.
#
#   make bench                                   runs this script from the top folder
#   bench/run.sh                                 the same, directly (from any folder)
#   BENCH_SIZES=200 BENCH_RUNS=3 bench/run.sh    a quick run
#
# Environment:
#   BENCH_SIZES  policy counts to measure, separated by spaces (default "1000 10000")
#   BENCH_RUNS   runs of every measurement; the table shows medians (default 5)
#   BENCH_DIR    an existing folder for corpora and outputs (default: a new folder in
#                /dev/shm when it has room, else in bench/work/); a new folder is removed
#                at the end, unless BENCH_KEEP=1
#   BENCH_TODAY  the --today given to policygen (default 2026-01-15; the corpus's
#                versions are all published by then and no review is due)
#
# Prints a Markdown table per size and whether each target of the issue is met, and writes
# the same to bench/work/latest.md (raw per-run values in bench/work/runs-N.txt). Needs
# hugo and GNU time (installed from Debian when missing and run as root), cc, pkg-config
# and libcmark (tools/deps.sh). Times are wall-clock medians; nothing here asserts a time:
# it exits 0 whether or not the targets are met, and 1 only when something fails to run.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$ROOT/bench/work
SIZES=${BENCH_SIZES:-1000 10000}
RUNS=${BENCH_RUNS:-5}
TODAY=${BENCH_TODAY:-2026-01-15}

die() {
	echo "bench: $*" >&2
	exit 1
}

case $RUNS in '' | *[!0-9]* | 0) die "BENCH_RUNS must be a number of runs, 1 or more" ;; esac
for n in $SIZES; do
	case $n in '' | *[!0-9]* | 0) die "BENCH_SIZES must be policy counts, e.g. \"1000 10000\"" ;; esac
done

# --- Packages -----------------------------------------------------------------------------

tools/deps.sh build >&2 || die "tools/deps.sh could not install the build packages"
missing=
for p in hugo time; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	[ "$(id -u)" = 0 ] || die "missing Debian packages:$missing (install them with: sudo apt-get install$missing)"
	echo "bench: installing Debian packages:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >&2 ||
		{ apt-get update -q >&2 && apt-get install -y -q --no-install-recommends $missing >&2; } ||
		die "could not install$missing"
fi
HUGO=$(command -v hugo) || die "hugo is not on PATH"
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is missing"

# --- Programs -----------------------------------------------------------------------------

make -s build/policygen >&2 || die "make build/policygen failed"
mkdir -p "$WORK/bin"
# The program and templates under test are copied, so that work going on in the tree during
# the run (a rebuild, an edited template) cannot change them half-way.
cp build/policygen "$WORK/bin/policygen"
PG=$WORK/bin/policygen
CFLAGS=(-std=c11 -D_DEFAULT_SOURCE -O2 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla)
cc "${CFLAGS[@]}" -o "$WORK/bin/gencorpus" bench/gencorpus.c || die "cannot build bench/gencorpus.c"
# shellcheck disable=SC2046
cc "${CFLAGS[@]}" $(pkg-config --cflags libcmark) -o "$WORK/bin/cmark-floor" bench/cmark-floor.c \
	$(pkg-config --libs libcmark) || die "cannot build bench/cmark-floor.c"
cc "${CFLAGS[@]}" -o "$WORK/bin/write-floor" bench/write-floor.c || die "cannot build bench/write-floor.c"
GEN=$WORK/bin/gencorpus
FLOOR=$WORK/bin/cmark-floor
WFLOOR=$WORK/bin/write-floor

# --- Where the data goes ------------------------------------------------------------------

max=0
for n in $SIZES; do [ "$n" -gt "$max" ] && max=$n; done
# About 340 KB per policy: both corpora (2 x 28 KB), policygen's output (about 120 KB) and
# its copy by bench/write-floor (90 KB), Hugo's output twice (CLI and server, 2 x 35 KB);
# with a margin.
need_kb=$((max * 400 + 100000))
avail_kb() { df -Pk "$1" 2>/dev/null | awk 'NR == 2 { print $4 }'; }
created=
if [ -n "${BENCH_DIR:-}" ]; then
	[ -d "$BENCH_DIR" ] || die "BENCH_DIR $BENCH_DIR is not a folder"
	DATA=$(cd "$BENCH_DIR" && pwd)
elif [ -d /dev/shm ] && [ -w /dev/shm ] && [ "$(avail_kb /dev/shm || echo 0)" -gt "$need_kb" ]; then
	DATA=$(mktemp -d /dev/shm/policygen-bench.XXXXXX)
	created=1
else
	mkdir -p "$WORK"
	DATA=$(mktemp -d "$WORK/data.XXXXXX")
	created=1
	[ "$(avail_kb "$WORK" || echo 0)" -gt "$need_kb" ] ||
		echo "bench: warning: $WORK may not have the $((need_kb / 1024)) MiB this needs" >&2
fi
FSTYPE=$(stat -f -c %T "$DATA" 2>/dev/null || echo unknown)
rm -rf -- "$DATA/templates"
cp -R templates "$DATA/templates"

SERVER_PID=
WATCH_PID=
cleanup() {
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	if [ -n "$WATCH_PID" ]; then
		kill "$WATCH_PID" 2>/dev/null || true
		wait "$WATCH_PID" 2>/dev/null || true
	fi
	if [ -n "$created" ] && [ "${BENCH_KEEP:-0}" != 1 ]; then
		rm -rf -- "$DATA"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Measuring helpers --------------------------------------------------------------------

# now_us: wall clock in microseconds, without starting a process.
now_us() { echo "${EPOCHREALTIME/./}"; }

# timed LOG CMD...: runs CMD with output to LOG; prints the wall time in microseconds.
timed() {
	local log=$1 t0 t1
	shift
	t0=$(now_us)
	"$@" >"$log" 2>&1 || {
		echo "bench: failed: $* (output in $log):" >&2
		tail -20 "$log" >&2
		return 1
	}
	t1=$(now_us)
	echo $((t1 - t0))
}

# timed_res LOG RESFILE CMD...: as timed, and CMD's peak RSS (KiB) and CPU time (user and
# system, seconds) into RESFILE, as one line "RSS USER SYS".
timed_res() {
	local log=$1 res=$2
	shift 2
	timed "$log" /usr/bin/time -f "%M %U %S" -o "$res" "$@"
}

# record_res PREFIX RESFILE: records PREFIX_rss (KiB) and PREFIX_cpu (microseconds).
record_res() {
	local line
	line=$(tail -1 "$2")
	record "$1_rss" "${line%% *}"
	record "$1_cpu" "$(echo "$line" | awk '{ printf "%.0f\n", ($2 + $3) * 1e6 }')"
}

# proc_cpu_us PID: the CPU time of a running process in microseconds: its own from
# /proc/PID/schedstat (nanoseconds, exact), its waited-for children's (build workers) from
# /proc/PID/stat (clock ticks).
proc_cpu_us() {
	local own stat tck
	tck=$(getconf CLK_TCK)
	read -r own _ <"/proc/$1/schedstat"
	stat=$(sed 's/.*) //' "/proc/$1/stat")
	echo "$stat" | awk -v own="$own" -v tck="$tck" '{ printf "%.0f\n", own / 1000 + ($14 + $15) * 1e6 / tck }'
}

# record KEY VALUE: adds one run's value of measurement KEY for the current size.
record() { echo "$2" >>"$RES/$1"; }

# median KEY: the median of KEY's values (the mean of the middle two for an even count).
median() {
	[ -s "$RES/$1" ] || { echo ""; return; }
	sort -n "$RES/$1" | awk '{ v[NR] = $1 } END {
		if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Formatting: seconds from microseconds, MiB from KiB, ratio a/b.
secs() { [ -n "$1" ] && awk -v u="$1" 'BEGIN { s = u / 1e6; printf(s < 10 ? "%.3f s" : "%.1f s", s) }' || echo "n/a"; }
mib() { [ -n "$1" ] && awk -v k="$1" 'BEGIN { printf(k < 10240 ? "%.1f MiB" : "%.0f MiB", k / 1024) }' || echo "n/a"; }
ratio() { [ -n "$1" ] && [ -n "$2" ] && [ "$2" != 0 ] && awk -v a="$1" -v b="$2" 'BEGIN { r = a / b; printf(r < 10 ? "%.2fx" : "%.0fx", r) }' || echo "n/a"; }
# meets A OP B: "MET" or "NOT MET" (awk comparison of numbers).
meets() { [ -n "$1" ] && [ -n "$3" ] && awk -v a="$1" -v b="$3" "BEGIN { exit !(a $2 b) }" && echo "MET" || echo "NOT MET"; }
thousands() { printf "%s" "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }

# pg_written LOG: the "N written" count from policygen's summary line.
pg_written() { sed -n 's/.*: \([0-9]*\) written, \([0-9]*\) unchanged$/\1/p' "$1" | tail -1; }

# --- The machine --------------------------------------------------------------------------

CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
NPROC=$(nproc)
MEM=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
HUGO_VERSION=$("$HUGO" version | awk '{ print $2 }')
CMARK_VERSION=$(pkg-config --modversion libcmark)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
git diff --quiet HEAD -- src templates 2>/dev/null || COMMIT="$COMMIT (with uncommitted changes in src/ or templates/)"
DATE=$(date -u +%Y-%m-%d)

MD=$WORK/latest.md.new
mkdir -p "$WORK"
{
	echo "# policygen benchmark: $DATE"
	echo
	echo "Machine: $NPROC cores ($CPU), $MEM RAM, Linux $(uname -r). Corpora and outputs on"
	echo "$FSTYPE ($DATA). policygen $COMMIT; Hugo $HUGO_VERSION; libcmark $CMARK_VERSION."
	echo "Medians of $RUNS run$([ "$RUNS" = 1 ] || echo s); policygen and Hugo alternate within each run. Load average at"
	echo "the start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine makes wall times noisy;"
	echo "CPU times are steadier)."
	echo
} >"$MD"

# --- One size -----------------------------------------------------------------------------

bench_size() {
	local n=$1 D i t edit slug files_pg files_hugo en
	D=$DATA/n$n
	RES=$DATA/results-$n
	rm -rf -- "$D" "$RES"
	mkdir -p "$RES"

	echo "bench: N = $n: generating the corpus in $D" >&2
	"$GEN" "$n" "$D" >"$RES/corpus.txt" || die "gencorpus failed"
	mkdir -p "$D/content/i18n"
	cp content/site.yaml "$D/content/"
	cp content/i18n/*.yaml "$D/content/i18n/"
	"$PG" check --content "$D/content" --today "$TODAY" 2>"$RES/check.txt" ||
		{ cat "$RES/check.txt" >&2; die "policygen check fails on the corpus"; }

	# The file the edit measurements append to: the current English version of the first
	# policy with three versions (so its changes page is rebuilt too).
	edit=
	for slug in "$D"/content/policies/*/; do
		slug=$(basename "$slug")
		en=("$D/content/policies/$slug"/*.en.md) # sorted: the last is the newest
		[ -z "$edit" ] && edit=policies/$slug/$(basename "${en[-1]}")
		if [ "${#en[@]}" -ge 3 ]; then
			edit=policies/$slug/$(basename "${en[-1]}")
			break
		fi
	done

	# Its state and the portal's texts in folders of their own, emptied with the output.
	local pg_build=("$PG" build --content "$D/content" --templates "$DATA/templates" --today "$TODAY"
		--portal "$D/portal-pg" --state "$D/state-pg" --out)
	local hugo_build=("$HUGO" --quiet --source "$D/hugo" --cacheDir "$D/hugo-cache" --destination)

	# Warm-up, not measured: page cache, Hugo's cache folder.
	echo "bench: N = $n: warming up" >&2
	timed "$RES/log" "${pg_build[@]}" "$D/warm-pg" >/dev/null
	timed "$RES/log" "${hugo_build[@]}" "$D/warm-hugo" >/dev/null
	files_pg=$(find "$D/warm-pg" -type f | wc -l)
	files_hugo=$(find "$D/warm-hugo" -type f | wc -l)
	rm -rf -- "$D/warm-pg" "$D/warm-hugo" "$D/portal-pg" "$D/state-pg"

	for i in $(seq "$RUNS"); do
		echo "bench: N = $n: run $i of $RUNS" >&2
		rm -rf -- "$D/out-pg" "$D/out-hugo" "$D/portal-pg" "$D/state-pg"
		# (a) full build into an empty folder, with peak RSS (d)
		t=$(timed_res "$RES/log" "$RES/res" "${pg_build[@]}" "$D/out-pg")
		record pg_full "$t"
		record_res pg "$RES/res"
		grep -q ' [1-9][0-9]* written, 0 unchanged$' "$RES/log" ||
			die "policygen's full build did not write every file: $(tail -1 "$RES/log")"
		t=$(timed_res "$RES/log" "$RES/res" "${hugo_build[@]}" "$D/out-hugo")
		record hugo_full "$t"
		record_res hugo "$RES/res"
		# the floor: the same Markdown through libcmark, 1 and 2 processes
		t=$(timed_res "$RES/floor1.log" "$RES/res" "$FLOOR" "$D/content")
		record floor1 "$t"
		record_res floor1 "$RES/res"
		t=$(timed_res "$RES/floor2.log" "$RES/res" "$FLOOR" -j 2 "$D/content")
		record floor2 "$t"
		record_res floor2 "$RES/res"
		# what writing the full build's files costs by itself: the same folders and file
		# sizes, no other work (bench/write-floor.c), 2 processes; its own times
		"$WFLOOR" -j 2 "$D/writes" "$D/out-pg" "$D/portal-pg" >"$RES/writes.log" ||
			die "bench/write-floor failed"
		record writes2 "$(awk '{ printf "%.0f", $7 * 1e6 }' "$RES/writes.log")"
		record writes2_cpu "$(awk '{ printf "%.0f", $9 * 1e6 }' "$RES/writes.log")"
		rm -rf -- "$D/writes"
		# (b) rebuild with nothing changed, and whether anything was written
		touch "$RES/marker"
		sleep 0.05 # coarse file-system clocks: later writes get a later time
		t=$(timed_res "$RES/log" "$RES/res" "${pg_build[@]}" "$D/out-pg")
		record pg_nochange "$t"
		record_res pg_nochange "$RES/res"
		find "$D/out-pg" -type f -newer "$RES/marker" -printf '%P\n' | sort >"$RES/nochange-files"
		record pg_nochange_written "$(wc -l <"$RES/nochange-files")"
		t=$(timed_res "$RES/log" "$RES/res" "${hugo_build[@]}" "$D/out-hugo")
		record hugo_nochange "$t"
		record_res hugo_nochange "$RES/res"
		# (c) policygen: rebuild after appending a sentence to one file (the same sentence
		# goes into the Hugo site, to keep the two corpora the same)
		printf '\nBench edit %s: one more sentence at the end of the policy.\n' "$i" |
			tee -a "$D/content/$edit" >>"$D/hugo/content/$edit"
		t=$(timed_res "$RES/log" "$RES/res" "${pg_build[@]}" "$D/out-pg")
		record pg_edit "$t"
		record_res pg_edit "$RES/res"
		record pg_edit_written "$(pg_written "$RES/log")"
	done

	# (c) Hugo: rebuild after one edit. Hugo has no incremental build from the command line (a
	# second run rebuilds everything, as in (b)); its incremental path is its server, so the
	# server runs with --renderToDisk and the time is the one it reports ("Total in N ms"),
	# which leaves out its file watcher's delay. (policygen's edits were measured above,
	# without this server and its memory in the background.)
	echo "bench: N = $n: Hugo server, one-edit rebuilds ($edit)" >&2
	local srvlog=$RES/hugo-server.log port=$((20000 + RANDOM % 20000)) before waited
	(cd "$D/hugo" && exec "$HUGO" server --renderToDisk --bind 127.0.0.1 --port "$port" \
		--disableLiveReload --cacheDir "$D/hugo-cache" --destination "$D/out-hugo-server" \
		>"$srvlog" 2>&1) &
	SERVER_PID=$!
	waited=0
	until grep -q 'Web Server is available' "$srvlog" 2>/dev/null; do
		if ! kill -0 "$SERVER_PID" 2>/dev/null || [ $waited -gt 18000 ]; then
			echo "bench: hugo server did not start (log: $srvlog); its edit time is not measured" >&2
			kill "$SERVER_PID" 2>/dev/null || true
			SERVER_PID=
			break
		fi
		sleep 0.1
		waited=$((waited + 1))
	done
	for i in $(seq "$RUNS"); do
		[ -n "$SERVER_PID" ] || break
		before=$(grep -c '^Total in' "$srvlog" || true)
		printf '\nBench server edit %s: one more sentence at the end of the policy.\n' "$i" >>"$D/hugo/content/$edit"
		waited=0
		until [ "$(grep -c '^Total in' "$srvlog" || true)" -gt "$before" ]; do
			sleep 0.05
			waited=$((waited + 1))
			[ $waited -lt 2400 ] || die "hugo server did not rebuild after an edit (log: $srvlog)"
		done
		sleep 1 # a second rebuild for the same edit, if the watcher sends two events
		record hugo_edit "$(grep '^Total in' "$srvlog" | tail -n +$((before + 1)) |
			awk '{ ms += $3 } END { printf "%.0f\n", ms * 1000 }')"
	done
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
		SERVER_PID=
	fi

	# (e) policygen watch: the resident builder over the same output, state and portal
	# folders. Its rebuilds are timed from just before a file is written to the moment its
	# "rebuilt" line arrives (read from a pipe, no polling), and its CPU time is read from
	# /proc before the write and after the line. "Nothing changed": a source file written
	# again with the same bytes; "one edit": the same append as in (c).
	echo "bench: N = $n: policygen watch" >&2
	local wfifo=$RES/watch.fifo wline same_copy=$RES/same-bytes c0 c1 t0 t1
	rm -f "$wfifo"
	mkfifo "$wfifo"
	"$PG" watch --content "$D/content" --templates "$DATA/templates" --today "$TODAY" \
		--portal "$D/portal-pg" --state "$D/state-pg" --out "$D/out-pg" \
		>"$wfifo" 2>"$RES/watch.err" &
	WATCH_PID=$!
	exec 3<"$wfifo"
	# its first build (everything is current: as the rebuild in (b)) may take a while
	if ! read -r -t 600 wline <&3 || [ "${wline#built in}" = "$wline" ]; then
		echo "bench: policygen watch did not start: ${wline:-no line} $(tail -3 "$RES/watch.err")" >&2
		kill "$WATCH_PID" 2>/dev/null || true
		wait "$WATCH_PID" 2>/dev/null || true
		WATCH_PID=
	fi
	echo "$wline" >"$RES/watch.out"
	# watch_step KEY: does the change prepared in watch_change and records the rebuild.
	watch_step() {
		local key=$1
		c0=$(proc_cpu_us "$WATCH_PID")
		t0=$(now_us)
		watch_change
		read -r -t 120 wline <&3 || die "policygen watch did not rebuild within 120 s ($key; $RES/watch.err)"
		t1=$(now_us)
		c1=$(proc_cpu_us "$WATCH_PID")
		echo "$wline" >>"$RES/watch.out"
		case $wline in
		"rebuilt in "*) ;;
		*) die "policygen watch: $wline ($(tail -3 "$RES/watch.err"))" ;;
		esac
		record "$key" $((t1 - t0))
		record "${key}_cpu" $((c1 - c0))
		record "${key}_written" "$(echo "$wline" | sed -n 's/.*: \([0-9]*\) files written$/\1/p')"
	}
	for i in $(seq "$RUNS"); do
		[ -n "$WATCH_PID" ] || break
		cp "$D/content/$edit" "$same_copy"
		sleep 0.05 # a later modification time than the last write
		watch_change() { cat "$same_copy" >"$D/content/$edit"; }
		watch_step pg_watch_nochange
		watch_change() {
			printf '\nBench watch edit %s: one more sentence at the end of the policy.\n' "$i" >>"$D/content/$edit"
		}
		watch_step pg_watch_edit
	done
	if [ -n "$WATCH_PID" ]; then
		kill "$WATCH_PID" 2>/dev/null || true
		wait "$WATCH_PID" 2>/dev/null || true
		WATCH_PID=
	fi
	exec 3<&-

	# --- The table for this size ---
	local pf hf f1 f2 pn hn pe he pr hr nw ew pc hc c1 c2 pnc hnc pec
	pf=$(median pg_full) hf=$(median hugo_full) f1=$(median floor1) f2=$(median floor2)
	pn=$(median pg_nochange) hn=$(median hugo_nochange) pe=$(median pg_edit) he=$(median hugo_edit)
	pr=$(median pg_rss) hr=$(median hugo_rss)
	pc=$(median pg_cpu) hc=$(median hugo_cpu) c1=$(median floor1_cpu) c2=$(median floor2_cpu)
	pnc=$(median pg_nochange_cpu) hnc=$(median hugo_nochange_cpu) pec=$(median pg_edit_cpu)
	local w2 w2c
	w2=$(median writes2) w2c=$(median writes2_cpu)
	local wn wnc wnw we wec wew
	wn=$(median pg_watch_nochange) wnc=$(median pg_watch_nochange_cpu)
	wnw=$(sort -n "$RES/pg_watch_nochange_written" 2>/dev/null | tail -1)
	we=$(median pg_watch_edit) wec=$(median pg_watch_edit_cpu) wew=$(median pg_watch_edit_written)
	nw=$(sort -n "$RES/pg_nochange_written" | tail -1)
	local nwfiles="" nwword="files"
	[ "$nw" = 1 ] && nwword="file"
	[ "$nw" -gt 0 ] && [ "$nw" -le 3 ] && nwfiles=": $(paste -sd, "$RES/nochange-files" | sed 's/,/, /g')"
	ew=$(median pg_edit_written)
	local mdfiles bytes mdbytes
	mdfiles=$(awk '{ print $5 }' "$RES/corpus.txt")
	bytes=$(awk '{ print $10 }' "$RES/corpus.txt")
	mdbytes=$(awk '{ print $3 }' "$RES/floor1.log") # bodies, without front matter
	{
		echo "## N = $(thousands "$n") policies"
		echo
		echo "$(thousands "$n") policies, $(thousands "$(awk '{ print $3 }' "$RES/corpus.txt")") versions," \
			"$(thousands "$mdfiles") Markdown files ($(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1e6 }') MB)." \
			"policygen writes $(thousands "$files_pg") files, Hugo $(thousands "$files_hugo")." \
			"Raw libcmark renders the $(awk -v b="$mdbytes" 'BEGIN { printf "%.0f", b / 1e6 }') MB of bodies at" \
			"$(awk -v b="$mdbytes" -v u="$f1" 'BEGIN { printf "%.0f", b / u }') MB/s on one process," \
			"$(awk -v b="$mdbytes" -v u="$f2" 'BEGIN { printf "%.0f", b / u }') MB/s on two (medians)." \
			"Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
		echo
		echo "| measurement | policygen | Hugo | Hugo / policygen | raw libcmark, 1 / 2 processes | policygen / libcmark, 1 / 2 |"
		echo "| --- | ---: | ---: | ---: | ---: | ---: |"
		echo "| full build, empty folder | $(secs "$pf") | $(secs "$hf") | $(ratio "$hf" "$pf") | $(secs "$f1") / $(secs "$f2") | $(ratio "$pf" "$f1") / $(ratio "$pf" "$f2") |"
		echo "| rebuild, nothing changed | $(secs "$pn") ($nw $nwword written$nwfiles) | $(secs "$hn") | $(ratio "$hn" "$pn") | | |"
		echo "| rebuild after one edit | $(secs "$pe") ($ew files written) | $(secs "$he") (server) | $(ratio "$he" "$pe") | | |"
		echo "| peak memory, full build | $(mib "$pr") | $(mib "$hr") | $(ratio "$hr" "$pr") | | |"
		echo "| CPU time (user + system): full build | $(secs "$pc") | $(secs "$hc") | $(ratio "$hc" "$pc") | $(secs "$c1") / $(secs "$c2") | $(ratio "$pc" "$c1") / $(ratio "$pc" "$c2") |"
		echo "| policygen's files written alone, no other work (bench/write-floor), 2 processes | $(secs "$w2") ($(secs "$w2c") of CPU) | | | | $(ratio "$w2" "$f2") of the floor on 2 |"
		echo "| CPU time: nothing changed | $(secs "$pnc") | $(secs "$hnc") | $(ratio "$hnc" "$pnc") | | |"
		echo "| CPU time: one edit | $(secs "$pec") | n/a (server) | | | |"
		echo "| \`policygen watch\`: rebuild, nothing changed (same bytes written) | $(secs "$wn") (${wnw:-?} files written) | $(secs "$hn") | $(ratio "$hn" "$wn") | | |"
		echo "| \`policygen watch\`: rebuild after one edit | $(secs "$we") (${wew:-?} files written) | $(secs "$he") (server) | $(ratio "$he" "$we") | | |"
		echo "| \`policygen watch\`: CPU time, nothing changed | $(secs "$wnc") | $(secs "$hnc") | $(ratio "$hnc" "$wnc") | | |"
		echo "| \`policygen watch\`: CPU time, one edit | $(secs "$wec") | n/a (server) | | | |"
		echo
		# The issue's table sets the Hugo target at both sizes, the others at 10,000 (its
		# "today" for the libcmark row, 4.4x, was the 10,000 run's): at 1,000 they are shown.
		echo "Targets (issue 16)$([ "$n" = 10000 ] || echo "; the libcmark, memory and rebuild targets are set at 10,000 policies, shown here at $(thousands "$n")"):"
		echo
		echo "- full build at least 6x faster than Hugo: $(meets "$(awk -v a="$hf" -v b="$pf" 'BEGIN { print a / b }')" '>=' 6) ($(ratio "$hf" "$pf"))"
		echo "- full build within 1.5x of raw libcmark using both cores: $(meets "$(awk -v a="$pf" -v b="$f2" 'BEGIN { print a / b }')" '<=' 1.5) ($(ratio "$pf" "$f2"); on one core $(ratio "$pf" "$f1"); writing policygen's files alone takes $(ratio "$w2" "$f2") of the floor on two)"
		echo "- peak memory under 48 MiB: $(meets "$pr" '<' 49152) ($(mib "$pr"))"
		echo "- rebuild with nothing changed under 0.1 s of CPU, nothing written, \`policygen watch\`: $( [ "${wnw:-1}" = 0 ] && meets "$wnc" '<' 100000 || echo "NOT MET") ($(secs "$wnc") of CPU, $(secs "$wn") wall, ${wnw:-?} files written; one-shot \`policygen build\`: $(secs "$pnc") of CPU, $nw $nwword written$nwfiles)"
		echo "- rebuild after one edit under 0.1 s, \`policygen watch\`: $(meets "$we" '<' 100000) ($(secs "$we") wall, $(secs "$wec") of CPU; one-shot \`policygen build\`: $(secs "$pe"))"
		echo
	} | tee -a "$MD"

	# raw values, one column per measurement
	{
		echo "# N = $n, microseconds (times) and KiB (rss); one line per run"
		echo "# edit target: $edit; hugo server start: $(grep -m1 '^Built in' "$srvlog" 2>/dev/null || echo '?')"
		cat "$RES/corpus.txt" "$RES/check.txt"
		for k in pg_full hugo_full floor1 floor2 pg_nochange pg_nochange_written hugo_nochange pg_edit pg_edit_written hugo_edit pg_rss hugo_rss pg_cpu hugo_cpu floor1_cpu floor2_cpu writes2 writes2_cpu pg_nochange_cpu hugo_nochange_cpu pg_edit_cpu pg_watch_nochange pg_watch_nochange_cpu pg_watch_nochange_written pg_watch_edit pg_watch_edit_cpu pg_watch_edit_written; do
			printf "%-20s %s\n" "$k" "$(tr '\n' ' ' <"$RES/$k" 2>/dev/null)"
		done
	} >"$WORK/runs-$n.txt"
	rm -rf -- "$D"
}

for n in $SIZES; do
	bench_size "$n"
done

{
	echo "## Portal (issue 6, point 3)"
	echo
	echo "Measured by bench/portal.sh (make bench runs it next; make bench-portal alone):"
	echo "see bench/PORTAL.md and bench/work/portal-latest.md."
} | tee -a "$MD"
mv "$MD" "$WORK/latest.md"
echo "bench: the table is in $WORK/latest.md" >&2
