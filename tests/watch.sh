#!/bin/sh
# policygen watch: files are edited, added, renamed and removed under a running watch, and
# after each change its output and portal folders must be byte for byte what a fresh
# `policygen build` of the same content makes (diff -r). Waits are bounded; nothing is
# timed.
. "$(dirname "$0")/lib.sh"
PG=${POLICYGEN:-$BUILD/policygen}
TODAY=2026-11-21
C=$TMP/content
T=$TMP/templates
W=$TMP/watch
cp -RL "$TOP/tests/golden/content" "$C"
cp -R "$TOP/templates" "$T"
conduct=$C/policies/conduct

"$PG" watch --content "$C" --templates "$T" --out "$W/out" --portal "$W/portal" \
	--state "$W/state" --today "$TODAY" >"$TMP/watch.out" 2>"$TMP/watch.err" &
watch=$!
trap 'kill $watch 2>/dev/null; wait $watch 2>/dev/null; rm -rf "$TMP"' EXIT

lines() { wc -l <"$TMP/watch.out"; }
# settle BEFORE: waits (at most 20 s) for a line after the first BEFORE, then until no
# new line comes for 0.3 s (an editor's save can be two rebuilds).
settle() {
	_i=0
	while [ "$(lines)" -le "$1" ] && [ $_i -lt 200 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	_n=$(lines)
	_i=0
	while [ $_i -lt 30 ]; do
		sleep 0.3
		[ "$(lines)" = "$_n" ] && break
		_n=$(lines)
		_i=$((_i + 1))
	done
}
# same NAME: the watch's folders are those of a fresh build of the content.
same() {
	rm -rf "$TMP/ref"
	if ! "$PG" build --content "$C" --templates "$T" --out "$TMP/ref/out" \
		--portal "$TMP/ref/portal" --state "$TMP/ref/state" --today "$TODAY" \
		>"$TMP/build.out" 2>&1; then
		fail "$1" "the fresh build failed: $(tail -3 "$TMP/build.out")"
	elif diff -r "$TMP/ref/out" "$W/out" >"$TMP/diff" 2>&1 &&
		diff -r "$TMP/ref/portal" "$W/portal" >>"$TMP/diff" 2>&1; then
		pass "$1"
	else
		fail "$1" "$(head -c 1500 "$TMP/diff"); watch said: $(tail -3 "$TMP/watch.out")"
	fi
}
# change NAME COMMAND...: runs the command, waits for the watch, compares.
change() {
	_name=$1
	shift
	_before=$(lines)
	"$@"
	settle "$_before"
	if [ "$(lines)" -le "$_before" ]; then
		fail "$_name" "no rebuild line within 20 s; stderr: $(tail -3 "$TMP/watch.err")"
	else
		same "$_name"
	fi
}

settle 0
if contains "$TMP/watch.out" "built in"; then
	same first_build_as_build
else
	fail first_build_as_build "no 'built in' line: $(cat "$TMP/watch.out" "$TMP/watch.err")"
fi

append() { printf '\nOne more sentence at the end.\n' >>"$conduct/2025-09-01.en.md"; }
change append_to_a_file append
contains "$TMP/watch.out" "rebuilt in" || fail rebuilt_line "$(tail -2 "$TMP/watch.out")"

# The same bytes written again: the policy is made again, and nothing is written.
rewrite() { cp "$conduct/2024-09-01.en.md" "$TMP/same" && cat "$TMP/same" >"$conduct/2024-09-01.en.md"; }
change same_bytes_rewritten rewrite
if tail -1 "$TMP/watch.out" | grep -q ': 0 files written$'; then
	pass same_bytes_write_nothing
else
	fail same_bytes_write_nothing "$(tail -1 "$TMP/watch.out")"
fi
change touched touch "$conduct/2024-09-01.cy.md"

# Editors: a temporary file then a rename (sed -i), and a hidden one renamed over.
change sed_in_place sed -i 's/^title: \(.*\)$/title: \1 (revised)/' "$conduct/2025-09-01.en.md"
edit_by_rename() {
	sed 's/One more sentence/One more, edited, sentence/' "$conduct/2025-09-01.en.md" \
		>"$conduct/.2025-09-01.en.md.swp" &&
		mv "$conduct/.2025-09-01.en.md.swp" "$conduct/2025-09-01.en.md"
}
change temp_file_and_rename edit_by_rename

# A new policy folder, made then filled; a new version; a removed translation.
new_policy() {
	mkdir "$C/policies/added" && cp "$C/policies/community/"* "$C/policies/added/"
}
change new_policy_folder new_policy
new_version() { sed -e 's/^title: .*/title: Photos, second version/' -e '/^effective:/d' \
	"$C/policies/photos/2025-01-15.en.md" >"$C/policies/photos/2026-01-15.en.md"; }
change new_version new_version
change translation_removed rm "$C/policies/added/2024-09-01.cy.md"

# A folder moved in whole from outside, renamed, and removed.
moved_in() { cp -R "$C/policies/community" "$TMP/outside" && mv "$TMP/outside" "$C/policies/moved-in"; }
change folder_moved_in moved_in
change folder_renamed mv "$C/policies/moved-in" "$C/policies/renamed"
change file_in_renamed_folder sh -c "printf '\nAnother sentence.\n' >>'$C/policies/renamed/2024-09-01.en.md'"
change folder_removed rm -rf "$C/policies/renamed"

# An error: nothing is written and the last good site stays; fixed, it is built again.
cp -R "$W/out" "$TMP/good"
break_it() { sed -i '/^title:/d' "$C/policies/added/2024-09-01.en.md"; }
before=$(lines)
break_it
settle "$before"
if tail -1 "$TMP/watch.out" | grep -q '^not rebuilt' &&
	contains "$TMP/watch.err" "missing title" && diff -r "$TMP/good" "$W/out" >/dev/null; then
	pass error_keeps_the_site
else
	fail error_keeps_the_site "$(tail -1 "$TMP/watch.out"); $(tail -2 "$TMP/watch.err")"
fi
change error_fixed sed -i 's/^summary:/title: Added again\nsummary:/' "$C/policies/added/2024-09-01.en.md"
contains "$C/policies/added/2024-09-01.en.md" "title: Added again" ||
	fail error_fixed_setup "no summary line to put the title before"

# The templates, the settings and the UI strings.
change template_edited sh -c "printf '<!-- edited -->\n' >>'$T/policy.html'"
change settings_edited sh -c "sed -i 's/^\(base_url: .*[^/]\)\$/\1/' '$C/site.yaml' && touch '$C/site.yaml'"
change i18n_edited sh -c "printf '\n' >>'$C/i18n/cy.yaml'"
# The templates folder replaced whole (as a deployment might): the new one is watched.
swap_templates() {
	cp -R "$T" "$T.new" && printf '<!-- replaced -->\n' >>"$T.new/policy.html" &&
		mv "$T" "$T.old" && mv "$T.new" "$T"
}
change templates_folder_replaced swap_templates
change new_templates_folder_watched sh -c "printf '<!-- again -->\n' >>'$T/changes.html'"

# Lost events: the watch is stopped while more changes than the kernel queues
# (fs.inotify.max_queued_events) are made, one of them a real edit; it reads everything
# again and the site is right.
max=$(cat /proc/sys/fs/inotify/max_queued_events 2>/dev/null || echo 0)
if [ "$max" -gt 0 ] && [ "$max" -le 65536 ]; then
	overflow() {
		kill -STOP $watch
		i=0
		while [ $i -le $((max / 2 + 100)) ]; do
			: >"$C/.f$i" # two events each (created, closed); ignored, but queued
			i=$((i + 1))
		done
		printf '\nWritten while events were lost.\n' >>"$conduct/2024-09-01.en.md"
		kill -CONT $watch
	}
	change queue_overflow overflow
	contains "$TMP/watch.err" "queue of events overflowed" ||
		fail queue_overflow_seen "no overflow message: $(tail -2 "$TMP/watch.err")"
	find "$C" -maxdepth 1 -name '.f*' -delete
else
	echo "NOTE queue_overflow not tried: fs.inotify.max_queued_events is $max"
fi

# SIGTERM: a clean exit; the state it left lets a one-shot build find nothing to do.
kill -TERM $watch
i=0
while kill -0 $watch 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
if kill -0 $watch 2>/dev/null; then
	fail sigterm_exits "still running 10 s after SIGTERM"
else
	wait $watch
	rc=$?
	[ $rc = 0 ] && pass sigterm_exits || fail sigterm_exits "exit status $rc"
fi
"$PG" build --content "$C" --templates "$T" --out "$W/out" --portal "$W/portal" \
	--state "$W/state" --today "$TODAY" >"$TMP/after.out" 2>&1
if grep -q ' 0 rebuilt; .* 0 written, ' "$TMP/after.out"; then
	pass state_left_current
else
	fail state_left_current "$(tail -1 "$TMP/after.out")"
fi

# Started again over a current site (its memory of the last build taken from the state),
# then an edit and a removed policy.
"$PG" watch --content "$C" --templates "$T" --out "$W/out" --portal "$W/portal" \
	--state "$W/state" --today "$TODAY" >"$TMP/watch.out" 2>"$TMP/watch.err" &
watch=$!
settle 0
if tail -1 "$TMP/watch.out" | grep -q '^built in .*: 0 files written$'; then
	pass restart_writes_nothing
else
	fail restart_writes_nothing "$(cat "$TMP/watch.out")"
fi
change edit_after_restart sh -c "printf '\nAfter the restart.\n' >>'$conduct/2025-09-01.en.md'"
change removal_after_restart rm -rf "$C/policies/added"
kill -TERM $watch
wait $watch

# A content folder that is not there is an error, not a silent wait.
exits missing_content_folder 1 "$PG" watch --content "$TMP/none" --templates "$T" \
	--out "$W/out" --portal "$W/portal" --state "$W/state" --today "$TODAY"
# Midnight: without --today, the watch rebuilds when the day changes, so a version dated
# tomorrow is published on the day. The clock is moved to five seconds before midnight UTC
# for the watch alone (time() from a preloaded shim; the wait is the watch's own).
cat >"$TMP/clock.c" <<'SHIM'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>
/* time() moved by WATCH_CLOCK_OFFSET seconds. */
time_t time(time_t *t)
{
	static time_t (*real)(time_t *);
	const char *o = getenv("WATCH_CLOCK_OFFSET");
	time_t now;
	if (real == NULL)
		real = (time_t (*)(time_t *))dlsym(RTLD_NEXT, "time");
	now = real(NULL) + (o ? atol(o) : 0);
	if (t)
		*t = now;
	return now;
}
SHIM
if cc -shared -fPIC -o "$TMP/clock.so" "$TMP/clock.c" -ldl 2>"$TMP/cc.err"; then
	C2=$TMP/content2
	W2=$TMP/watch2
	cp -RL "$TOP/tests/golden/content" "$C2"
	mkdir "$C2/policies/tomorrow"
	cp "$C2/policies/community/2024-09-01.en.md" "$C2/policies/tomorrow/2026-11-22.en.md"
	# seconds from now to 2026-11-21 23:59:55 UTC (five seconds for the first build)
	offset=$(($(date -u -d '2026-11-21 23:59:55' +%s) - $(date -u +%s)))
	WATCH_CLOCK_OFFSET=$offset LD_PRELOAD=$TMP/clock.so "$PG" watch --content "$C2" \
		--templates "$T" --out "$W2/out" --portal "$W2/portal" --state "$W2/state" \
		>"$TMP/watch2.out" 2>"$TMP/watch2.err" &
	watch2=$!
	i=0
	while ! grep -q '' "$TMP/watch2.out" && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	# day_is NAME DAY: the second watch's site is a fresh build of C2 for DAY.
	day_is() {
		rm -rf "$TMP/ref2"
		"$PG" build --content "$C2" --templates "$T" --out "$TMP/ref2/out" \
			--portal "$TMP/ref2/portal" --state "$TMP/ref2/state" --today "$2" >/dev/null 2>&1 &&
			diff -r "$TMP/ref2/out" "$W2/out" >"$TMP/diff2" 2>&1 &&
			diff -r "$TMP/ref2/portal" "$W2/portal" >>"$TMP/diff2" 2>&1 &&
			pass "$1" || fail "$1" "$(head -c 800 "$TMP/diff2"); $(cat "$TMP/watch2.out" "$TMP/watch2.err")"
	}
	day_is before_midnight 2026-11-21
	[ -e "$W2/out/en/policies/tomorrow/index.html" ] &&
		fail tomorrow_not_yet "the version dated tomorrow is published already"
	i=0
	while [ "$(wc -l <"$TMP/watch2.out")" -lt 2 ] && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	day_is after_midnight 2026-11-22
	[ -e "$W2/out/en/policies/tomorrow/index.html" ] ||
		fail tomorrow_published "no page for the version dated 2026-11-22"
	kill $watch2
	wait $watch2
else
	fail midnight_setup "cannot build the clock shim: $(cat "$TMP/cc.err")"
fi

# Folders the watch would write into what it watches are refused.
exits out_inside_content 2 "$PG" watch --content "$C" --templates "$T" --out "$C/public" \
	--portal "$W/portal" --state "$W/state" --today "$TODAY"
finish
