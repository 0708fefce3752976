"""Federation (SPEC section 12): three real hubs on loopback, each with its
own PKI, linked in a line and in a triangle. What leaves a hub, and what
never does, is checked on the other hubs' databases, not only in their
alerts; forwards survive a hub killed in the middle of a stream; loops are
refused even when a peer forges the path; a hub certificate that no peer
line pins is refused."""

import json
import os
import signal
import subprocess
import time
import unittest

import hub
from federation import FedHub, Region, peer_line, wait_for
from hub import make_report, report_msg
from test_80_operator import Response

WAIT = 30.0
_regions = {}


def regions():
    """The three regions of this test run, made on first use."""
    if not _regions:
        for name in ("A", "B", "C"):
            _regions[name] = Region(name, members=[
                name + "1", name + "2", "OPS" + name],
                extra_hubs=[name + "X"] if name == "B" else ())
    return _regions


def push(client, report):
    reply = client.request(report_msg(report))
    if reply.get("type") != "accepted":
        raise AssertionError("not accepted: %r" % reply)
    return reply


def subscribed(client):
    reply = client.request({"type": "subscribe"})
    if reply.get("type") != "subscribed":
        raise AssertionError("not subscribed: %r" % reply)
    return client


def quiet(client):
    """Nothing but the pong comes: no alert is owed on this connection."""
    reply = client.ping("quiet")
    if reply != {"type": "pong", "ref": "quiet"}:
        raise AssertionError("expected nothing more, got %r" % reply)


def operator_get(h, target):
    """GET target on h's operator API with its region's operator."""
    import http.client
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.load_cert_chain(h.region.cert("OPS" + h.region.name),
                        h.region.key("OPS" + h.region.name))
    conn = http.client.HTTPSConnection("127.0.0.1", h.op_port, context=ctx,
                                       timeout=hub.READ_TIMEOUT)
    try:
        conn.request("GET", target)
        r = conn.getresponse()
        return Response(r.status, r.getheaders(), r.read())
    finally:
        conn.close()


class FederationCase(unittest.TestCase):
    """Regions A, B and C, each with two members and an operator."""

    @classmethod
    def setUpClass(cls):
        cls.regions = regions()

    def make_hub(self, name, peers, settings=None, extra=()):
        r = self.regions[name]
        members = [(name + "1", "member"), (name + "2", "member"),
                   ("OPS" + name, "operator")]
        trust = [self.regions[n] for n in ("A", "B", "C") if n != name]
        h = FedHub(r, members, trust=trust, settings=settings, extra=extra)
        h.peers = peers
        h.write_conf()
        self.addCleanup(h.kill)
        return h

    def start(self, *hubs):
        for h in hubs:
            h.start()

    def member(self, h, name):
        c = h.connect_as(name)
        self.addCleanup(c.close)
        return c

    def wait_linked(self, h, peer):
        """Wait until h's /v1/members says peer is connected."""
        def linked():
            try:
                r = operator_get(h, "/v1/members")
            except OSError:
                # The operator listener may not be bound yet.
                return False
            ms = {m["id"]: m for m in json.loads(r.body)["members"]}
            return ms[peer]["connected"]
        wait_for(linked, WAIT, "%s linked to %s" % (h.region.name, peer))


class Line(FederationCase):
    """A - B - C: A dials B, B dials C; B passes A's reports on to C
    (hops=2 on B's line for C)."""

    def setUp(self):
        R = self.regions
        self.c = self.make_hub("C", [], extra=())
        self.b = self.make_hub("B", [], extra=["peer_amber_to B1"])
        self.a = self.make_hub("A", [], extra=["agreement A1 A2 "
                                               "max_tlp=red"])
        # Ports are known before start: each hub's own.
        self.c.peers = [peer_line(R["B"])]
        self.b.peers = [peer_line(R["A"]),
                        peer_line(R["C"], connect=self.c.port, hops=2)]
        self.a.peers = [peer_line(R["B"], connect=self.b.port,
                                  max_tlp="amber")]
        for h in (self.a, self.b, self.c):
            h.write_conf()
        self.start(self.c, self.b, self.a)
        self.wait_linked(self.a, "B")
        self.wait_linked(self.b, "C")

    def test_green_reaches_the_end_once_with_its_path(self):
        b1 = subscribed(self.member(self.b, "B1"))
        c1 = subscribed(self.member(self.c, "C1"))
        a1 = self.member(self.a, "A1")
        r = make_report(tlp="green", title="Scanning from a botnet")
        accepted = push(a1, r)
        # A's own member A2 and peer B are its recipients.
        self.assertEqual(accepted["recipients"], 2)
        at_b = b1.recv(timeout=WAIT)
        self.assertEqual(at_b["type"], "alert")
        self.assertEqual(at_b["sender"], "A")
        self.assertEqual(at_b["tier"], "global")
        self.assertEqual(at_b["report"], r)
        self.assertEqual(at_b["origin"]["hub"], "A")
        self.assertEqual(at_b["origin"]["member"], "A1")
        self.assertEqual(at_b["origin"]["seq"], accepted["seq"])
        self.assertEqual(at_b["origin"]["path"], ["A"])
        at_c = c1.recv(timeout=WAIT)
        self.assertEqual(at_c["sender"], "B")
        self.assertEqual(at_c["tier"], "global")
        self.assertEqual(at_c["report"], r)
        self.assertEqual(at_c["origin"]["hub"], "A")
        self.assertEqual(at_c["origin"]["path"], ["A", "B"])
        quiet(c1)
        self.assertEqual(len(self.c.stored(r["id"])), 1)

    def test_ledgers_of_the_line(self):
        """Each hub's ledger: A enters the forward B took, B and C the
        forwarded report with its origin; every chain recomputes from its
        database with docs/ledger_verify.py."""
        a1 = self.member(self.a, "A1")
        r = make_report(tlp="green", title="Ledgers along the line")
        seq = push(a1, r)["seq"]
        wait_for(lambda: len(self.c.stored(r["id"])) == 1, WAIT,
                 "the report at C")

        def entries(h):
            body = json.loads(operator_get(h, "/v1/ledger?limit=1000").body)
            return body["entries"]
        wait_for(lambda: any(e["kind"] == "forward" and e["party"] == "B"
                             and e["seq"] >= seq for e in entries(self.a)),
                 WAIT, "A's entry of B's acknowledgement")
        for h, path in ((self.b, ["A"]), (self.c, ["A", "B"])):
            rep = [e for e in entries(h) if e["kind"] == "report"][-1]
            origin = json.loads(rep["origin"])
            self.assertEqual((origin["hub"], origin["member"],
                              origin["path"]), ("A", "A1", path), rep)
        verifier = os.path.join(os.path.dirname(os.path.dirname(
            os.path.dirname(os.path.abspath(__file__)))), "docs",
            "ledger_verify.py")
        for h in (self.a, self.b, self.c):
            proc = subprocess.run(["python3", verifier, h.db_path],
                                  capture_output=True, encoding="utf-8",
                                  timeout=60)
            self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        # The origin is covered: changed on C, C's chain no longer holds.
        self.c.stop()
        import sqlite3
        db = sqlite3.connect(self.c.db_path)
        with db:
            db.execute("UPDATE reports SET origin = replace(origin, "
                       "'\"A1\"', '\"A2\"')")
        db.close()
        proc = subprocess.run(["python3", verifier, self.c.db_path],
                              capture_output=True, encoding="utf-8",
                              timeout=60)
        self.assertEqual(proc.returncode, 1, proc.stdout)

    def test_cli_shows_the_origin(self):
        """kentongan query on B shows where a forwarded report came from."""
        a1 = self.member(self.a, "A1")
        b1 = subscribed(self.member(self.b, "B1"))
        r = make_report(title="Seen from B")
        push(a1, r)
        b1.recv(timeout=WAIT)
        env = dict(os.environ, KENTONGAN_HUB="127.0.0.1:%d" % self.b.port,
                   KENTONGAN_CERT=self.b.region.cert("B1"),
                   KENTONGAN_KEY=self.b.region.key("B1"),
                   KENTONGAN_CA=self.b.settings["tls_client_ca"])
        p = subprocess.run([hub.KENTONGAN, "query"], env=env,
                           capture_output=True, text=True, timeout=60,
                           stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 0, p.stderr)
        head, row = p.stdout.splitlines()[:2]
        self.assertIn("ORIGIN", head.split())
        self.assertIn("A/A1", row.split())
        self.assertIn("global", row.split())
        self.assertIn("green", row.split())
        self.assertIn("Seen from B", row)

    def test_amber_only_where_allowed(self):
        """A lets amber go to B; B gives it to peer_amber_to (B1) only and
        never passes it to C (max_tlp green there)."""
        b1 = subscribed(self.member(self.b, "B1"))
        b2 = subscribed(self.member(self.b, "B2"))
        a1 = self.member(self.a, "A1")
        amber = make_report(tlp="amber", title="Amber for B1")
        push(a1, amber)
        got = b1.recv(timeout=WAIT)
        self.assertEqual(got["report"], amber)
        quiet(b2)
        # A green report after it reaches C, so the amber one had its
        # chance and did not go.
        c1 = subscribed(self.member(self.c, "C1"))
        green = make_report(tlp="green")
        push(a1, green)
        self.assertEqual(c1.recv(timeout=WAIT)["report"], green)
        quiet(c1)
        self.assertEqual(self.c.stored(amber["id"]), [])
        self.assertEqual(len(self.b.stored(amber["id"])), 1)

    def test_strict_and_red_never_leave(self):
        a1 = self.member(self.a, "A1")
        b1 = subscribed(self.member(self.b, "B1"))
        strict = make_report(tlp="amber+strict")
        red = make_report(tlp="red", recipients=["A2"])
        push(a1, strict)
        push(a1, red)
        # Named as a recipient, a peer hub is refused for red.
        reply = a1.request(report_msg(make_report(tlp="red",
                                                  recipients=["B"])))
        self.assertEqual(reply.get("error"), "recipient_not_permitted",
                         reply)
        marker = make_report(tlp="green")
        push(a1, marker)
        self.assertEqual(b1.recv(timeout=WAIT)["report"], marker)
        quiet(b1)
        for h in (self.b, self.c):
            self.assertEqual(h.stored(strict["id"]), [])
            self.assertEqual(h.stored(red["id"]), [])

    def test_named_recipients_keep_it_home(self):
        """A report for A2 alone does not leave; one naming B does."""
        a1 = self.member(self.a, "A1")
        b1 = subscribed(self.member(self.b, "B1"))
        home = make_report(recipients=["A2"])
        push(a1, home)
        out = make_report(recipients=["B"])
        self.assertEqual(push(a1, out)["recipients"], 1)
        self.assertEqual(b1.recv(timeout=WAIT)["report"], out)
        quiet(b1)
        self.assertEqual(self.b.stored(home["id"]), [])

    def test_operators_see_the_peers(self):
        a1 = self.member(self.a, "A1")
        accepted = push(a1, make_report())
        self.wait_linked(self.a, "B")
        members = {m["id"]: m for m in json.loads(
            operator_get(self.a, "/v1/members").body)["members"]}
        self.assertEqual(members["B"]["role"], "hub")
        self.assertIs(members["B"]["connected"], True)

        def acked():
            d = json.loads(operator_get(
                self.a, "/v1/reports/%d" % accepted["seq"]).body)
            return [x for x in d["deliveries"] if x["member"] == "B" and
                    x["acked_at"] is not None]
        got = wait_for(acked, WAIT, "B's acknowledgement")
        self.assertEqual(got[0]["tier"], "global")
        text = operator_get(self.a, "/metrics").body.decode()
        self.assertIn('kentongan_peer_connected{peer="B"} 1', text)
        wait_for(lambda: 'kentongan_peer_forwarded_total{peer="B"} 1' in
                 operator_get(self.a, "/metrics").body.decode(), WAIT,
                 "the forward counted")

    def test_b_killed_mid_stream(self):
        """1,000 reports from A; B is killed with SIGKILL among them and
        started again: C's member gets every one, none twice."""
        c1 = subscribed(self.member(self.c, "C1"))
        a1 = self.member(self.a, "A1")
        ids = []
        batch = []
        for i in range(1000):
            r = make_report(title="Stream %d" % i)
            ids.append(r["id"])
            batch.append(json.dumps(report_msg(r)).encode() + b"\n")
        a1.send_raw(b"".join(batch[:400]))
        for _ in range(400):
            self.assertEqual(a1.recv(timeout=WAIT)["type"], "accepted")
        self.b.kill()
        a1.send_raw(b"".join(batch[400:]))
        for _ in range(600):
            self.assertEqual(a1.recv(timeout=WAIT)["type"], "accepted")
        self.b.start()
        seen = []
        deadline = time.monotonic() + 120
        while len(seen) < 1000 and time.monotonic() < deadline:
            m = c1.recv(timeout=WAIT)
            self.assertEqual(m["type"], "alert")
            seen.append(m["report"]["id"])
            if len(seen) % 100 == 0:
                c1.send({"type": "ack", "seq": m["seq"]})
        self.assertEqual(sorted(seen), sorted(ids))
        self.assertEqual(len(set(seen)), 1000)
        quiet(c1)
        print("# federation: 1,000 reports A > B > C with B killed after "
              "400: %d arrived at C, %d distinct" % (len(seen),
                                                     len(set(seen))))


class Triangle(FederationCase):
    """A, B and C each dial the others, hops=2 everywhere: a report of A
    reaches C directly and through B; C keeps it once."""

    def test_once_by_two_routes(self):
        R = self.regions
        hubs = {n: self.make_hub(n, []) for n in "ABC"}
        for n, h in hubs.items():
            h.peers = [peer_line(R[o], connect=hubs[o].port, hops=2)
                       for o in "ABC" if o != n]
            h.write_conf()
        self.start(*hubs.values())
        for n in "ABC":
            for o in "ABC":
                if o != n:
                    self.wait_linked(hubs[n], o)
        c1 = subscribed(self.member(hubs["C"], "C1"))
        a1 = self.member(hubs["A"], "A1")
        r = make_report()
        push(a1, r)
        got = c1.recv(timeout=WAIT)
        self.assertEqual(got["report"], r)
        # Give the second route time to arrive: B's copy of it.
        wait_for(lambda: len(hubs["B"].stored(r["id"])) == 1, WAIT,
                 "B's copy")
        marker = make_report()
        push(a1, marker)
        self.assertEqual(c1.recv(timeout=WAIT)["report"], marker)
        quiet(c1)
        self.assertEqual(len(hubs["C"].stored(r["id"])), 1)
        # Nothing comes back to A.
        self.assertEqual(len(hubs["A"].stored(r["id"])), 1)
        self.assertIsNone(hubs["A"].stored(r["id"])[0][2])


class Reload(FederationCase):
    """SIGHUP adds and removes peers: a removed peer's link closes, and
    what was owed to it stays in the database until it is back."""

    def test_remove_and_add_again(self):
        R = self.regions
        b = self.make_hub("B", [peer_line(R["A"])])
        a = self.make_hub("A", [])
        b.start()
        a.peers = [peer_line(R["B"], connect=b.port)]
        a.write_conf()
        a.start()
        self.wait_linked(a, "B")
        b.kill()
        a1 = self.member(a, "A1")
        owed = make_report(title="Owed to B")
        self.assertEqual(push(a1, owed)["recipients"], 2)
        # B leaves the registry: the link goes, what B is owed stays.
        a.peers = []
        a.write_conf()
        a.send_signal(signal.SIGHUP)
        self.assertIsNotNone(a.wait_stderr(
            lambda t: "peer B: link to 127.0.0.1:%d stopped: the peer was "
            "removed" % b.port in t), a.stderr_tail())
        # Nothing dials now: B has no connect= for A.
        b.start()
        b1 = subscribed(self.member(b, "B1"))
        quiet(b1)
        self.assertEqual(b.stored(owed["id"]), [])
        a.peers = [peer_line(R["B"], connect=b.port)]
        a.write_conf()
        a.send_signal(signal.SIGHUP)
        self.assertEqual(b1.recv(timeout=WAIT)["report"], owed)


class Impostors(FederationCase):
    """Peers that lie: a path without themselves, a path through this hub,
    a certificate no peer line pins."""

    def setUp(self):
        R = self.regions
        self.a = self.make_hub("A", [peer_line(R["B"])])
        self.start(self.a)

    def forward(self, origin, path, report=None):
        report = report or make_report()
        return {"type": "forward", "ref": "1", "forward": {
            "origin": dict({"member": "X1", "seq": 5,
                            "received_at": "2026-12-01T00:00:00Z"},
                           **origin),
            "path": path, "report": report}}

    def test_loop_through_this_hub(self):
        b = self.a.connect_as("B", self.regions["B"])
        self.addCleanup(b.close)
        reply = b.answer(self.forward({"hub": "C"}, ["C", "A", "B"]))
        self.assertEqual(reply.get("type"), "rejected", (reply, b.before))
        self.assertEqual(reply.get("error"), "loop_detected",
                         (reply, b.before))

    def test_own_report_back_with_a_forged_path(self):
        """B sends A's own report back with a path that leaves B out:
        still a loop, whatever B wrote."""
        b = self.a.connect_as("B", self.regions["B"])
        self.addCleanup(b.close)
        reply = b.answer(self.forward({"hub": "A", "member": "A1"},
                                       ["A"]))
        self.assertEqual(reply.get("error"), "loop_detected", reply)
        # A forward B makes honestly is taken, and B is on its path.
        ok = b.answer(self.forward({"hub": "C"}, ["C"]))
        self.assertEqual(ok.get("type"), "accepted", ok)
        stored = self.a.stored(ok["id"])
        self.assertEqual(stored[0][2]["path"], ["C", "B"])

    def test_members_cannot_forward(self):
        a1 = self.a.connect_as("A1")
        self.addCleanup(a1.close)
        reply = a1.request(self.forward({"hub": "C"}, ["C"]))
        self.assertEqual(reply.get("error"), "unknown_type", reply)

    def test_forward_errors(self):
        b = self.a.connect_as("B", self.regions["B"])
        self.addCleanup(b.close)
        bad = self.forward({"hub": "C"}, ["D"])
        self.assertEqual(b.answer(bad).get("error"), "invalid_field")
        bad = self.forward({"hub": "C"}, ["C"],
                           report=make_report(code="no/such-code"))
        self.assertEqual(b.answer(bad).get("error"), "unknown_code")
        bad = self.forward({"hub": "C"}, ["C"],
                           report=make_report(tlp="red", recipients=["A1"]))
        self.assertEqual(b.answer(bad).get("error"), "invalid_field")
        bad = self.forward({"hub": "C"}, ["C"])
        del bad["forward"]["origin"]["seq"]
        self.assertEqual(b.answer(bad).get("error"), "missing_field")

    def test_unpinned_hub_certificate(self):
        """BX: a hub certificate from B's authority, which A trusts, that
        no peer line names."""
        with self.assertRaises(Exception):
            c = self.a.connect_as("BX", self.regions["B"])
            try:
                c.ping()
            finally:
                c.close()
        self.assertIsNotNone(self.a.wait_stderr(
            lambda t: self.regions["B"].fingerprint("BX") in t))

    def test_dialed_peer_not_pinned(self):
        """A dials a hub that presents BX's certificate for B's address:
        the link is refused, not used."""
        R = self.regions
        fake = FedHub(R["B"], [("B1", "member")], trust=[R["A"]],
                      settings={"tls_certificate": R["B"].cert("BX"),
                                "tls_key": R["B"].key("BX")})
        fake.peers = [peer_line(R["A"])]
        fake.write_conf()
        self.addCleanup(fake.kill)
        fake.start()
        a = self.make_hub("A", [peer_line(R["B"], connect=fake.port)])
        a.start()
        self.assertIsNotNone(a.wait_stderr(
            lambda t: "is not the one pinned" in t, timeout=WAIT),
            a.stderr_tail())


    def test_refused_link_backs_off(self):
        """B pins another certificate for A: under TLS 1.3 A's handshake
        completes before B refuses it, and A must still back off (1 s,
        2 s, 4 s...) rather than redial every second, and say why."""
        R = self.regions
        wrong = 'peer A name="Hub A" cert_sha256=%s' % R["A"].fingerprint("A1")
        b = self.make_hub("B", [wrong])
        self.start(b)
        a = self.make_hub("A", [peer_line(R["B"], connect=b.port)])
        first = time.monotonic()
        self.start(a)
        self.assertIsNotNone(a.wait_stderr(
            lambda t: "does it pin this hub's certificate" in t,
            timeout=WAIT), a.stderr_tail())
        time.sleep(max(0, first + 9 - time.monotonic()))
        dials = a.stderr_text().count("peer B dialed")
        # Dials at 0, 1, 3 and 7 s; redialing every second makes 9 or 10.
        self.assertGreaterEqual(dials, 2, a.stderr_tail())
        self.assertLessEqual(dials, 5, "%d dials in %.0f s:\n%s" % (
            dials, time.monotonic() - first, a.stderr_tail()))


class Configuration(FederationCase):
    """kentongand -t on the federation keys."""

    def check(self, h):
        p = subprocess.run(h.command("-t", "-c", h.conf_path),
                           capture_output=True, text=True, timeout=30)
        return p.returncode, p.stderr

    def test_peer_without_hub_id(self):
        h = self.make_hub("A", [peer_line(self.regions["B"])],
                          settings={"hub_id": None})
        h.settings.pop("hub_id", None)
        h.write_conf()
        status, err = self.check(h)
        self.assertEqual(status, 1, err)
        self.assertIn('peer "B": hub_id is required', err)

    def test_peer_with_a_member_id(self):
        h = self.make_hub("A", [peer_line(self.regions["B"]).replace(
            "peer B ", "peer A1 ")])
        status, err = self.check(h)
        self.assertEqual(status, 1, err)
        self.assertIn('peer "A1": the ID is already a member', err)

    def test_max_tlp_above_amber(self):
        for label in ("amber+strict", "red"):
            h = self.make_hub("A", [peer_line(self.regions["B"],
                                              max_tlp=label)])
            status, err = self.check(h)
            self.assertEqual(status, 1, err)
            self.assertIn("max_tlp: expected clear, green or amber", err)

    def test_good(self):
        h = self.make_hub("A", [peer_line(self.regions["B"], connect=1,
                                          max_tlp="amber", hops=3)],
                          extra=["peer_amber_to A1"])
        status, err = self.check(h)
        self.assertEqual(status, 0, err)


if __name__ == "__main__":
    unittest.main()
