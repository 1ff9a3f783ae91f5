#!/bin/sh
# Rechecks a copy of the consent database's event log with standard tools only (sqlite3,
# sha256sum, base64, od), as someone outside the school would (docs/evidence.md): every
# event-v2 hash is recomputed from its columns in SQL, every event must name the hash of
# the one before, and the log's size and head hash are printed in the checkpoint's form.
# With CHECKPOINT, that checkpoint's event must be in the log with the same hash.
# (Its signature is checked with openssl: docs/evidence.md.)
#
# Usage: tools/recheck-log.sh COPY.db [CHECKPOINT]        exit 1 when anything differs
set -u
db=$1
# One column in the event-v2 encoding: n / i:<int> / r:<real> / t:<bytes>:<text> / b:<bytes>:<hex>.
enc() {
	printf "CASE typeof(%s) WHEN 'null' THEN 'n' WHEN 'integer' THEN 'i:' || %s" "$1" "$1"
	printf " WHEN 'real' THEN 'r:' || printf('%%.17g', %s)" "$1"
	printf " WHEN 'text' THEN 't:' || length(CAST(%s AS BLOB)) || ':' || %s" "$1" "$1"
	printf " ELSE 'b:' || length(%s) || ':' || lower(hex(%s)) END || char(10)" "$1" "$1"
}
sql="SELECT 'event-v2' || char(10)"
for c in id at kind family_id child_id purpose answer document_id signer_hash channel staff \
	detail data prev; do
	sql="$sql || $(enc "$c")"
done
bad=0 prev=0000000000000000000000000000000000000000000000000000000000000000 n=0
for row in $(sqlite3 -separator , "$db" "SELECT id, coalesce(v, 1), prev, hash FROM event ORDER BY id"); do
	id=${row%%,*} rest=${row#*,}
	v=${rest%%,*} rest=${rest#*,}
	p=${rest%%,*} h=${rest#*,}
	n=$((n + 1))
	[ "$id" = "$n" ] || { echo "event $id: expected event $n here"; bad=1; n=$id; }
	[ "$p" = "$prev" ] || { echo "event $id: does not name the hash of the event before"; bad=1; }
	if [ "$v" = 2 ]; then
		canon=$(sqlite3 "$db" "$sql FROM event WHERE id = $id")
		[ "$(printf '%s\n' "$canon" | sha256sum | cut -c1-64)" = "$h" ] ||
			{ echo "event $id: its hash is not the SHA-256 of its contents"; bad=1; }
	fi
	prev=$h
done
echo "events: $n"
echo "head: $(printf '%s' "$prev" | sed 's/../\\x&/g' | xargs -0 printf '%b' | base64)"
if [ $# -ge 2 ]; then
	size=$(sed -n 2p "$2")
	want=$(sed -n 3p "$2" | base64 -d | od -An -tx1 | tr -d ' \n')
	have=$(sqlite3 "$db" "SELECT hash FROM event WHERE id = $size")
	if [ "$size" -gt 0 ] && [ "$have" != "$want" ]; then
		echo "checkpoint: event $size's hash is ${have:-missing}, the checkpoint's $want"
		bad=1
	else
		echo "checkpoint: event $size matches"
	fi
fi
exit $bad
