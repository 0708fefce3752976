"""Accepted means durable (SPEC section 7): reports survive a clean stop and
a crash, and idempotency and sequence numbers carry across restarts."""

import json
import signal
import unittest

import hub
from hub import Closed, Hub, make_report, report_msg


class DurabilityTestCase(unittest.TestCase):

    def setUp(self):
        self.hub = Hub()
        self.addCleanup(self.hub.kill)
        self.hub.start()

    def connect(self, name="ID"):
        c = self.hub.connect(name)
        self.addCleanup(c.close)
        return c

    def push_all(self, client, reports):
        """Send reports back to back; return their accepted seqs by id."""
        client.send_raw(b"".join(json.dumps(report_msg(r)).encode() + b"\n"
                                 for r in reports))
        seqs = {}
        for _ in reports:
            m = client.recv()
            self.assertEqual(m.get("type"), "accepted", m)
            self.assertIs(m.get("duplicate"), False, m)
            seqs[m["id"]] = m["seq"]
        return seqs

    def assertStored(self, reports, seqs, sender="ID"):
        """Each report, re-sent, is a duplicate with its first seq."""
        c = self.connect(sender)
        for r in reports:
            reply = c.request(report_msg(r))
            self.assertEqual(reply.get("type"), "accepted", reply)
            self.assertEqual(reply.get("id"), r["id"], reply)
            self.assertIs(reply.get("duplicate"), True, reply)
            self.assertEqual(reply.get("seq"), seqs[r["id"]], reply)

    def restart_after(self, how):
        """Stop the hub by SIGTERM ("term") or kill -9 ("kill"), then start
        it again on the same database."""
        if how == "term":
            self.assertEqual(self.hub.stop(signal.SIGTERM), 0,
                             self.hub.stderr_tail())
        else:
            self.hub.kill()
        self.hub.start()


class Restart(DurabilityTestCase):
    """A clean stop loses nothing."""

    def test_reports_survive_sigterm(self):
        """Reports accepted before SIGTERM are duplicates with the same seq
        after a restart."""
        reports = [make_report() for _ in range(10)]
        seqs = self.push_all(self.connect(), reports)
        self.restart_after("term")
        self.assertStored(reports, seqs)

    def test_seq_continues_after_restart(self):
        """The first report after a restart gets a larger seq than any
        before."""
        seqs = self.push_all(self.connect(), [make_report()
                                              for _ in range(3)])
        self.restart_after("term")
        r = make_report()
        after = self.push_all(self.connect(), [r])[r["id"]]
        self.assertGreater(after, max(seqs.values()))

    def test_id_conflict_after_restart(self):
        """After a restart the same id with other content is still an
        id_conflict."""
        r = make_report()
        self.push_all(self.connect(), [r])
        self.restart_after("term")
        reply = self.connect().request(report_msg(dict(r, title="Changed")))
        self.assertEqual(reply.get("type"), "rejected", reply)
        self.assertEqual(reply.get("error"), "id_conflict", reply)
        self.assertEqual(reply.get("id"), r["id"], reply)

    def test_accepted_before_sigterm_in_flight(self):
        """Every accepted the hub sends while SIGTERM stops it stands after
        the restart."""
        c = self.connect()
        reports = [make_report() for _ in range(50)]
        c.send_raw(b"".join(json.dumps(report_msg(r)).encode() + b"\n"
                            for r in reports))
        first = c.recv()
        self.assertEqual(first.get("type"), "accepted", first)
        self.hub.send_signal(signal.SIGTERM)
        seqs = {first["id"]: first["seq"]}
        while True:
            try:
                m = c.recv(timeout=hub.STOP_TIMEOUT)
            except Closed:
                break
            if m.get("type") == "accepted":
                seqs[m["id"]] = m["seq"]
        self.assertEqual(self.hub.wait(), 0, self.hub.stderr_tail())
        self.hub.start()
        self.assertStored([r for r in reports if r["id"] in seqs], seqs)


class Crash(DurabilityTestCase):
    """kill -9 right after accepted loses nothing."""

    def test_report_survives_kill(self):
        """A report accepted just before kill -9 is a duplicate with the
        same seq after a restart."""
        r = make_report()
        seqs = self.push_all(self.connect(), [r])
        self.restart_after("kill")
        self.assertStored([r], seqs)

    def test_burst_survives_kill(self):
        """Every report of a burst, accepted just before kill -9, is stored
        with its seq."""
        reports = [make_report() for _ in range(100)]
        seqs = self.push_all(self.connect(), reports)
        self.restart_after("kill")
        self.assertStored(reports, seqs)

    def test_several_senders_survive_kill(self):
        """Reports of several members accepted before kill -9 are all
        stored."""
        batches = {}
        for name in ("ID", "SG", "TH"):
            reports = [make_report() for _ in range(10)]
            batches[name] = (reports, self.push_all(self.connect(name),
                                                    reports))
        self.restart_after("kill")
        for name, (reports, seqs) in batches.items():
            self.assertStored(reports, seqs, sender=name)

    def test_seq_continues_after_kill(self):
        """After kill -9 and a restart, new seqs are larger than every seq
        handed out before."""
        seqs = self.push_all(self.connect(), [make_report()
                                              for _ in range(5)])
        self.restart_after("kill")
        r = make_report()
        after = self.push_all(self.connect(), [r])[r["id"]]
        self.assertGreater(after, max(seqs.values()))

    def test_two_crashes(self):
        """Reports survive two crashes in a row."""
        a = [make_report() for _ in range(5)]
        seqs = self.push_all(self.connect(), a)
        self.restart_after("kill")
        b = [make_report() for _ in range(5)]
        seqs.update(self.push_all(self.connect(), b))
        self.restart_after("kill")
        self.assertStored(a + b, seqs)


if __name__ == "__main__":
    unittest.main()


class WriteAheadLog(DurabilityTestCase):
    """While the hub runs, its WAL is copied into the database and starts
    over: the database file grows, the WAL does not grow with everything
    ever written."""

    N = 2400
    SIZE = 16000

    def setUp(self):
        self.hub = Hub(settings={"report_rate": "0 1"})
        self.addCleanup(self.hub.kill)
        self.hub.start()

    def test_wal_is_bounded(self):
        c = self.connect("ID")
        text = "w" * self.SIZE
        for start in range(0, self.N, 200):
            self.push_all(c, [make_report(description=text)
                              for _ in range(200)])
        written = self.N * self.SIZE
        # The checkpoints run in the background: give them a moment.
        deadline = hub.time.monotonic() + hub.READ_TIMEOUT
        while True:
            db = hub.os.path.getsize(self.hub.db_path)
            wal = hub.os.path.getsize(self.hub.db_path + "-wal")
            if db > written // 2 or hub.time.monotonic() > deadline:
                break
            hub.time.sleep(0.1)
        print("# %d reports, %d MB of descriptions: database %d kB, WAL "
              "%d kB while running" % (self.N, written // 1000000,
                                        db // 1024, wal // 1024))
        self.assertTrue(self.hub.alive())
        self.assertGreater(db, written // 2, "nothing was checkpointed")
        self.assertLess(wal, written // 2, "the WAL never started over")
