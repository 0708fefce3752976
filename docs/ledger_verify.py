#!/usr/bin/env python3
"""Recompute a kentongand ledger from its SQLite database (docs/ledger.md):
ledger_verify.py DATABASE prints the head, or names the first entry that
what is stored no longer matches and exits 1."""
import datetime, hashlib, sqlite3, sys

def at(us):  # microseconds since the epoch, as RFC 3339 to the millisecond
    t = datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=us)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)

db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
db.execute("BEGIN")  # one snapshot, even of a live hub's database
prev, n, last = bytes(32), 0, 0
for n, kind, seq, party, sig, stored in db.execute(
        "SELECT n, kind, seq, party, sig, hash FROM ledger ORDER BY n"):
    text, row = None, db.execute(
        "SELECT sender, received_at, body, recipient_list, origin, chain FROM "
        "reports WHERE seq = ?" if kind == 0 else "SELECT member, at FROM "
        "acks WHERE upto = ? AND member = ?", (seq,) if kind == 0 else
        (seq, party)).fetchone()
    if row and kind == 0 and row[5] == stored and seq == last + 1:
        last, text = seq, "report\nseq %d\nparty %s\nat %s\ndigest %s\n" \
            "recipients %s\n%s" % (seq, row[0], at(row[1]), hashlib.sha256(
                row[2].encode()).hexdigest(), row[3], "" if row[4] is None
                else "origin %s\n" % row[4])
    elif row and kind > 0:
        text = "%s\nseq %d\nparty %s\nat %s\n%s" % (("ack", "forward")[
            kind - 1], seq, party, at(row[1]), "sig %s\n" % (sig or "-")
            if kind == 1 else "")
    entry = b"kentongan-ledger 1\nkind %s" % (text or "").encode()
    if text is None or hashlib.sha256(prev + entry).digest() != stored:
        sys.exit("entry %d (%s seq %d, %s) does not match what is stored"
                 % (n, ("report", "ack", "forward")[kind], seq, party))
    prev = stored
if db.execute("SELECT count(*) FROM reports WHERE seq > ?", (last,)).fetchone()[0]:
    sys.exit("the reports after seq %d have no entry" % last)
print("%d entries good; head %s" % (n, prev.hex()))
