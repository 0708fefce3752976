#!/usr/bin/env python3
"""Recompute a kentongand ledger from its SQLite database (docs/ledger.md).
Usage: ledger_verify.py DATABASE. Exit 0 and the head, or 1 naming the first
entry that the stored data no longer matches."""
import datetime, hashlib, sqlite3, sys

def rfc3339(us):  # microseconds since the epoch -> ...T03:12:00.123Z
    t = datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=us)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)

db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
prev, n = bytes(32), 0
for n, kind, seq, party, sig, stored in db.execute(
        "SELECT n, kind, seq, party, sig, hash FROM ledger ORDER BY n"):
    if kind == 0:
        row = db.execute("SELECT sender, received_at, body, recipient_list "
                         "FROM reports WHERE seq = ?", (seq,)).fetchone()
        text = row and ("kind report\nseq %d\nparty %s\nat %s\ndigest %s\n"
                        "recipients %s\n" % (seq, row[0], rfc3339(row[1]),
                        hashlib.sha256(row[2].encode()).hexdigest(), row[3]))
    else:
        row = db.execute("SELECT at FROM acks WHERE member = ? AND upto = ?",
                         (party, seq)).fetchone()
        text = row and "kind %s\nseq %d\nparty %s\nat %s\n" % (
            "ack" if kind == 1 else "forward", seq, party, rfc3339(row[0]))
        text = text and text + ("sig %s\n" % (sig or "-") if kind == 1 else "")
    entry = hashlib.sha256(prev + ("kentongan-ledger 1\n%s" % text).encode())
    if row is None or entry.digest() != stored:
        sys.exit("entry %d (%s seq %d, %s) does not match what is stored"
                 % (n, ("report", "ack", "forward")[kind], seq, party))
    prev = stored
print("%d entries good; head %s" % (n, prev.hex()))
