#!/usr/bin/env python3
"""An attacker with write access to a copy of the database: rewrite_log.py DB ID DETAIL
[COLUMN] sets event ID's detail (or COLUMN: data, say) and recomputes the event-v2 hash of it and of every later event
(docs/evidence.md gives the encoding), so that the chain alone still verifies. Used by
tests/consentctl.sh to show that only a saved checkpoint catches this."""
import hashlib
import sqlite3
import sys

COLS = ["id", "at", "kind", "family_id", "child_id", "purpose", "answer", "document_id",
        "signer_hash", "channel", "staff", "detail", "data", "prev"]


def enc(v):
    if v is None:
        return b"n\n"
    if isinstance(v, int):
        return b"i:%d\n" % v
    if isinstance(v, float):
        return ("r:%.17g\n" % v).encode()
    b = v.encode() if isinstance(v, str) else v
    return b"t:%d:" % len(b) + b + b"\n"


db = sqlite3.connect(sys.argv[1])
first, detail = int(sys.argv[2]), sys.argv[3]
column = sys.argv[4] if len(sys.argv) > 4 else "detail"
if column not in COLS:
    sys.exit("no such hashed column: %s" % column)
db.execute("DROP TRIGGER IF EXISTS event_no_update")
db.execute("UPDATE event SET %s = ? WHERE id = ?" % column, (detail, first))
prev = db.execute("SELECT hash FROM event WHERE id = ?", (first - 1,)).fetchone()
prev = prev[0] if prev else "0" * 64
for row in db.execute("SELECT %s, v FROM event WHERE id >= ? ORDER BY id" % ", ".join(COLS),
                      (first,)).fetchall():
    r = dict(zip(COLS + ["v"], row))
    if r["v"] != 2:
        sys.exit("event %d is not event-v2" % r["id"])
    r["prev"] = prev
    h = hashlib.sha256(b"event-v2\n" + b"".join(enc(r[c]) for c in COLS)).hexdigest()
    db.execute("UPDATE event SET prev = ?, hash = ? WHERE id = ?", (prev, h, r["id"]))
    prev = h
db.commit()
