"""Storage faults (SPEC section 7): a database that cannot be written (disk
full, read-only, I/O errors) makes reports fail with internal_error, never
accepted; subscribers and queries keep being served; the hub recovers by
itself once the disk does. A damaged database file is refused at start.

The faults come from tests/faults/faultfs.so, preloaded into the daemon: it
fails the writes, syncs and truncations of the database files with the
errno written in a control file, for as long as that file exists."""

import json
import os
import shutil
import subprocess
import time
import unittest

import hub
from hub import Hub, make_report, report_msg

FAULTFS = os.environ.get("KENTONGAN_FAULTFS") or os.path.join(
    os.path.dirname(hub.KENTONGAND), "..", "tests", "faults", "faultfs.so")


def fault_env(h, control):
    """The environment that preloads the fault library for hub h."""
    asan = os.environ.get("ASAN_OPTIONS", "")
    return {
        "LD_PRELOAD": os.path.abspath(FAULTFS),
        "KENTONGAN_FAULT_PATH": h.db_path,
        "KENTONGAN_FAULT_CONTROL": control,
        # A sanitized daemon wants its runtime first among the libraries.
        "ASAN_OPTIONS": (asan + ":" if asan else "") +
        "verify_asan_link_order=0",
    }


class StorageFaults(unittest.TestCase):
    """One hub whose disk fails on demand."""

    def setUp(self):
        if not os.path.exists(FAULTFS):
            self.skipTest("no fault library at %s (make check builds it)"
                          % FAULTFS)
        self.hub = Hub(settings={"report_rate": "0 1"})
        self.control = os.path.join(self.hub.dir, "fault")
        self.hub.env.update(fault_env(self.hub, self.control))
        self.addCleanup(self.hub.kill)
        self.hub.start()

    def connect(self, name):
        c = self.hub.connect(name)
        self.addCleanup(c.close)
        return c

    def fail_disk(self, error):
        with open(self.control, "w") as f:
            f.write(error)

    def heal_disk(self):
        os.unlink(self.control)

    def push(self, c, reports):
        """Send reports back to back; return the replies in order."""
        c.send_raw(b"".join(json.dumps(report_msg(r)).encode() + b"\n"
                            for r in reports))
        return [c.recv() for _ in reports]

    def subscribe(self, c, **kw):
        reply = c.request(dict({"type": "subscribe"}, **kw))
        self.assertEqual(reply.get("type"), "subscribed", reply)
        return reply

    def alerts(self, c, n):
        out = []
        for _ in range(n):
            m = c.recv()
            self.assertEqual(m.get("type"), "alert", m)
            out.append(m)
        return out

    def assertQuiet(self, c):
        """Nothing more arrives: a ping is answered first."""
        self.assertEqual(c.ping("quiet"), {"type": "pong", "ref": "quiet"})

    def check_fault(self, error, log_text):
        pub = self.connect("ID")
        sub = self.connect("SG")
        self.subscribe(sub)
        before = [make_report(title="Before %d" % i) for i in range(5)]
        replies = self.push(pub, before)
        seqs = [r["seq"] for r in replies]
        for r in replies:
            self.assertEqual(r.get("type"), "accepted", r)
        self.assertEqual([a["seq"] for a in self.alerts(sub, 5)], seqs)

        self.fail_disk(error)
        during = [make_report(title="During %d" % i) for i in range(20)]
        for reply, r in zip(self.push(pub, during), during):
            self.assertEqual(reply.get("type"), "rejected", reply)
            self.assertEqual(reply.get("error"), "internal_error", reply)
            self.assertEqual(reply.get("id"), r["id"], reply)
        self.assertIsNotNone(self.hub.wait_stderr(
            lambda t: log_text in t), "no %r in the log" % log_text)
        # Readers are served from what is stored: a live subscriber, a
        # member that replays, a query; nothing of the failed reports.
        self.assertQuiet(sub)
        late = self.connect("MY")
        self.subscribe(late)
        self.assertEqual([a["seq"] for a in self.alerts(late, 5)], seqs)
        self.assertQuiet(late)
        q = self.connect("TH")
        result = q.request({"type": "query", "ref": "q"})
        self.assertEqual(result.get("type"), "result", result)
        self.assertEqual([a["seq"] for a in result["alerts"]], seqs)
        # Acknowledgements during the fault are taken; at worst repeated.
        sub.send({"type": "ack", "seq": seqs[-1]})
        self.assertQuiet(sub)
        self.assertTrue(self.hub.alive())

        # The disk recovers; so does the hub, by itself.
        self.heal_disk()
        deadline = time.monotonic() + hub.READ_TIMEOUT
        while True:
            reply = pub.request(report_msg(during[0]))
            if reply.get("type") == "accepted":
                break
            self.assertEqual(reply.get("error"), "internal_error", reply)
            self.assertLess(time.monotonic(), deadline, "never recovered")
            time.sleep(0.1)
        self.assertIs(reply["duplicate"], False, reply)
        self.assertEqual(reply["seq"], seqs[-1] + 1, reply)
        replies = self.push(pub, during[1:])
        for reply in replies:
            self.assertEqual(reply.get("type"), "accepted", reply)
            self.assertIs(reply["duplicate"], False, reply)
        after = [seqs[-1] + 1] + [r["seq"] for r in replies]
        self.assertEqual(after, list(range(seqs[-1] + 1, seqs[-1] + 21)))
        self.assertEqual([a["seq"] for a in self.alerts(sub, 20)], after)
        self.assertIsNotNone(self.hub.wait_stderr(
            lambda t: "commits succeed again" in t))

        # All of it is durable: after a restart each report is known once.
        self.hub.stop()
        self.hub.start()
        pub = self.connect("ID")
        for reply, seq in zip(self.push(pub, before + during), seqs + after):
            self.assertEqual(reply.get("type"), "accepted", reply)
            self.assertIs(reply["duplicate"], True, reply)
            self.assertEqual(reply["seq"], seq, reply)

    def test_disk_full(self):
        self.check_fault("ENOSPC", "database or disk is full")

    def test_disk_full_errors_do_not_close_the_connection(self):
        """internal_error is the hub's failure, not the member's: 150
        reports refused on a full disk, more than the 100 errors that
        close a connection, leave it open, and it works once the disk
        heals."""
        pub = self.connect("ID")
        self.fail_disk("ENOSPC")
        during = [make_report(title="During %d" % i) for i in range(150)]
        for reply, r in zip(self.push(pub, during), during):
            self.assertEqual(reply.get("type"), "rejected", reply)
            self.assertEqual(reply.get("error"), "internal_error", reply)
            self.assertEqual(reply.get("id"), r["id"], reply)
        self.assertEqual(pub.ping("open"), {"type": "pong", "ref": "open"})
        self.heal_disk()
        deadline = time.monotonic() + hub.READ_TIMEOUT
        while True:
            reply = pub.request(report_msg(during[0]))
            if reply.get("type") == "accepted":
                break
            self.assertEqual(reply.get("error"), "internal_error", reply)
            self.assertLess(time.monotonic(), deadline, "never recovered")
            time.sleep(0.1)
        for reply in self.push(pub, during[1:]):
            self.assertEqual(reply.get("type"), "accepted", reply)
            self.assertIs(reply["duplicate"], False, reply)
        self.assertNotIn("too many errors", self.hub.stderr_text())
        # The member's own mistakes still count.
        bad = [make_report(severity="extreme") for _ in range(100)]
        pub.send_raw(b"".join(json.dumps(report_msg(r)).encode() + b"\n"
                              for r in bad))
        msgs = pub.expect_closed()
        self.assertEqual(len(msgs), 100, msgs[-3:])

    def test_read_only(self):
        self.check_fault("EROFS", "disk I/O error")

    def test_io_error(self):
        self.check_fault("EIO", "disk I/O error")

    def test_ack_during_full_disk_is_kept(self):
        """An acknowledgement whose commit failed is written once the disk
        heals: after a crash the member resumes after it, not before."""
        pub = self.connect("ID")
        sub = self.connect("SG")
        self.subscribe(sub)
        replies = self.push(pub, [make_report() for _ in range(3)])
        seqs = [r["seq"] for r in replies]
        self.assertEqual([a["seq"] for a in self.alerts(sub, 3)], seqs)
        self.fail_disk("ENOSPC")
        sub.send({"type": "ack", "seq": seqs[-1]})
        self.assertQuiet(sub)
        # A report refused shows that a commit ran, and failed, meanwhile.
        reply = pub.request(report_msg(make_report()))
        self.assertEqual(reply.get("error"), "internal_error", reply)
        self.heal_disk()
        deadline = time.monotonic() + hub.READ_TIMEOUT
        while True:
            reply = pub.request(report_msg(make_report()))
            if reply.get("type") == "accepted":
                break
            self.assertLess(time.monotonic(), deadline, "never recovered")
            time.sleep(0.1)
        # The accepted report's commit carried the kept acknowledgement.
        self.hub.kill()
        self.hub.start()
        sub = self.connect("SG")
        self.assertEqual(self.subscribe(sub)["from"], seqs[-1])
        alert = sub.recv()
        self.assertEqual(alert.get("seq"), reply["seq"], alert)


class LostDatabase(unittest.TestCase):
    """A database file deleted, moved or damaged while the hub runs: the
    hub stops accepting reports, says why, and never starts the seqs over
    in a file nobody will open again."""

    def setUp(self):
        self.hub = Hub()
        self.addCleanup(self.hub.kill)
        self.hub.start()
        self.pub = self.hub.connect("ID")
        self.addCleanup(self.pub.close)
        reply = self.pub.request(report_msg(make_report()))
        self.assertEqual(reply.get("type"), "accepted", reply)

    def assertRefused(self, log_text):
        for _ in range(3):
            r = make_report()
            reply = self.pub.request(report_msg(r))
            self.assertEqual(reply.get("type"), "rejected", reply)
            self.assertEqual(reply.get("error"), "internal_error", reply)
            self.assertEqual(reply.get("id"), r["id"], reply)
        self.assertEqual(self.pub.ping(), {"type": "pong", "ref": "p1"})
        self.assertIsNotNone(self.hub.wait_stderr(
            lambda t: log_text in t), "no %r in the log" % log_text)
        self.assertIn("restore the database", self.hub.stderr_text())
        self.assertTrue(self.hub.alive())

    def test_deleted(self):
        os.unlink(self.hub.db_path)
        self.assertRefused("the database file was deleted while the hub "
                           "ran")

    def test_moved(self):
        os.rename(self.hub.db_path, self.hub.db_path + ".moved")
        self.assertRefused("the database file was replaced or moved")

    def test_corrupt_schema(self):
        """A database found malformed stays refused, even once the damage
        is undone behind the hub's back."""
        import sqlite3
        db = sqlite3.connect(self.hub.db_path, isolation_level=None)
        self.addCleanup(db.close)
        version = db.execute("PRAGMA schema_version").fetchone()[0]
        sql = db.execute("SELECT sql FROM sqlite_schema WHERE name = "
                         "'reports'").fetchone()[0]
        db.execute("PRAGMA writable_schema = ON")
        db.execute("UPDATE sqlite_schema SET sql = ? WHERE name = "
                   "'reports'", (sql[:-1],))
        db.execute("PRAGMA schema_version = %d" % (version + 1))
        self.assertRefused("the database is corrupt")
        db.execute("UPDATE sqlite_schema SET sql = ? WHERE name = "
                   "'reports'", (sql,))
        db.execute("PRAGMA schema_version = %d" % (version + 2))
        self.assertRefused("the database is corrupt")


class DamagedDatabase(unittest.TestCase):
    """kentongand refuses to start on a damaged database, saying so."""

    def setUp(self):
        self.hub = Hub()
        self.addCleanup(self.hub.kill)

    def start_fails(self, *phrases):
        if not os.access(hub.KENTONGAND, os.X_OK):
            self.skipTest("no daemon binary")
        p = subprocess.run(self.hub.command("-c", self.hub.conf_path),
                           stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=hub.STOP_TIMEOUT)
        err = p.stderr.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 1, err)
        self.assertIn(self.hub.db_path, err)
        for phrase in phrases:
            self.assertIn(phrase, err)
        return err

    def filled_database(self, n=300):
        """Store n reports with long descriptions, then stop cleanly."""
        self.hub.start()
        c = self.hub.connect("ID")
        try:
            c.send_raw(b"".join(json.dumps(report_msg(make_report(
                description="x" * 2000))).encode() + b"\n"
                for _ in range(n)))
            for _ in range(n):
                self.assertEqual(c.recv().get("type"), "accepted")
        finally:
            c.close()
        self.assertEqual(self.hub.stop(), 0)
        self.assertFalse(os.path.exists(self.hub.db_path + "-wal") and
                         os.path.getsize(self.hub.db_path + "-wal") > 0,
                         "the WAL was not checkpointed at stop")

    def test_not_a_database(self):
        with open(self.hub.db_path, "wb") as f:
            f.write(os.urandom(8192))
        self.start_fails("not a database")

    def test_damaged_pages(self):
        """A valid header over pages overwritten with garbage."""
        self.filled_database()
        size = os.path.getsize(self.hub.db_path)
        with open(self.hub.db_path, "r+b") as f:
            f.seek(size // 2)
            f.write(os.urandom(16384))
        self.start_fails("corrupt", "restore it from a backup")

    def test_truncated(self):
        self.filled_database()
        size = os.path.getsize(self.hub.db_path)
        with open(self.hub.db_path, "r+b") as f:
            f.truncate(size // 3)
        self.start_fails("corrupt")

    def test_intact_copy_starts(self):
        """The same steps without damage start: the checks above are not
        refusing every database that was written before."""
        self.filled_database()
        copy = self.hub.db_path + ".copy"
        shutil.copyfile(self.hub.db_path, copy)
        os.replace(copy, self.hub.db_path)
        self.hub.start()
        self.assertTrue(self.hub.alive())


if __name__ == "__main__":
    unittest.main()
