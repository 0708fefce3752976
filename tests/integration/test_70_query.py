"""History (SPEC sections 5, 6 and 9): the query request, what it may show,
its filters and pages, its errors; and the kentongan client's listen and
query commands."""

import datetime
import json
import os
import queue
import re
import signal
import subprocess
import time
import unittest

import hub
from hub import Hub, make_report, report_msg

# Generous limits for waiting, never for judging.
WAIT = 30.0
RUN_TIMEOUT = 60

# SPEC section 13: every alert carries the chain of its ledger entry.
ALERT_KEYS = {"type", "seq", "sender", "received_at", "tier", "chain",
              "report"}
RESULT_KEYS = {"type", "ref", "alerts", "next"}
RFC3339_UTC = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$")


def parse_utc(text):
    """The datetime of an RFC 3339 UTC time such as received_at."""
    m = RFC3339_UTC.match(text)
    if m is None:
        raise ValueError("not RFC 3339 UTC: %r" % text)
    frac = m.group(7) or ".0"
    return datetime.datetime(
        int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4)),
        int(m.group(5)), int(m.group(6)),
        int(round(float("0" + frac) * 1e6)) % 1000000,
        tzinfo=datetime.timezone.utc)


def format_offset(when, hours):
    """when as RFC 3339 with a numeric offset of hours, milliseconds
    kept."""
    local = when.astimezone(datetime.timezone(datetime.timedelta(
        hours=hours)))
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + \
        "%03d" % (local.microsecond // 1000) + \
        local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:]


# A history seen from every party. Each entry: sender, report fields, and
# the tier each party sees it with (None: its own report; absent: not
# entitled). Core registry and agreements: ID-SG amber, ID-MY red.
HISTORY = [
    ("ID", {"tlp": "green"},
     {"ID": None, "SG": "regional", "MY": "regional", "TH": "regional"}),
    ("ID", {"tlp": "amber", "code": "availability/ddos"},
     {"ID": None, "SG": "bilateral", "MY": "bilateral"}),
    ("ID", {"tlp": "amber+strict"}, {"ID": None, "MY": "bilateral"}),
    ("ID", {"tlp": "red", "recipients": ["MY"]},
     {"ID": None, "MY": "bilateral"}),
    ("ID", {"tlp": "green", "recipients": ["TH"]},
     {"ID": None, "TH": "regional"}),
    ("MY", {"tlp": "green", "code": "intrusion-attempts/exploit"},
     {"MY": None, "ID": "regional", "SG": "regional", "TH": "regional"}),
    ("MY", {"tlp": "amber"}, {"MY": None, "ID": "bilateral"}),
    ("APCERT", {"tlp": "clear", "code": "malicious-code/c2-server"},
     {"APCERT": None, "ID": "global", "SG": "global", "MY": "global",
      "TH": "global"}),
    ("SG", {"tlp": "amber", "severity": "critical"},
     {"SG": None, "ID": "bilateral"}),
    ("SG", {"tlp": "amber", "recipients": ["ID"], "severity": "low"},
     {"SG": None, "ID": "bilateral"}),
    ("TH", {"tlp": "clear", "code": "availability/ddos", "severity": "info"},
     {"TH": None, "ID": "regional", "SG": "regional", "MY": "regional",
      "APCERT": "global"}),
    ("APCERT", {"tlp": "green"}, {"APCERT": None}),
]


class QueryTestCase(unittest.TestCase):
    """Each test has a hub of its own, with the core registry."""

    def setUp(self):
        self.hub = Hub(settings={"report_rate": "0 0"})
        self.addCleanup(self.hub.kill)
        self.hub.start()

    def tearDown(self):
        if not self.hub.alive():
            self.fail("kentongand died during this test (status %r); "
                      "stderr:\n%s" % (self.hub.proc.returncode,
                                       self.hub.stderr_tail()))
        status = self.hub.stop(signal.SIGTERM)
        self.assertEqual(status, 0, "kentongand ended with status %r after "
                         "SIGTERM; stderr:\n%s"
                         % (status, self.hub.stderr_tail()))

    def connect(self, name="ID"):
        c = self.hub.connect(name)
        self.addCleanup(c.close)
        return c

    def publish(self, client, reports, chunk=50):
        """Send reports (pipelined); return their seqs in order."""
        seqs = {}
        for i in range(0, len(reports), chunk):
            part = reports[i:i + chunk]
            client.send_raw(b"".join(
                json.dumps(report_msg(r), ensure_ascii=False)
                .encode("utf-8") + b"\n" for r in part))
            for _ in part:
                m = client.recv(timeout=WAIT)
                self.assertEqual(m.get("type"), "accepted", m)
                self.assertIs(m.get("duplicate"), False, m)
                seqs[m["id"]] = m["seq"]
        return [seqs[r["id"]] for r in reports]

    def publish_history(self, history=HISTORY):
        """Send each entry of history from its sender, one after another;
        return [(seq, sender, report, tiers)]."""
        conns = {}
        out = []
        for sender, fields, tiers in history:
            if sender not in conns:
                conns[sender] = self.connect(sender)
            r = make_report(title="%s report %d" % (sender, len(out)),
                            **fields)
            seq = self.publish(conns[sender], [r])[0]
            out.append((seq, sender, r, tiers))
        return out

    def query(self, c, ref="q", **fields):
        """Send a query and return its result, checked for shape."""
        msg = {"type": "query", "ref": ref}
        msg.update(fields)
        reply = c.request(msg, timeout=WAIT)
        self.assertEqual(reply.get("type"), "result", reply)
        self.assertEqual(set(reply), RESULT_KEYS, reply)
        self.assertEqual(reply["ref"], ref, reply)
        self.assertIsInstance(reply["alerts"], list, reply)
        nxt = reply["next"]
        self.assertTrue(nxt is None or (isinstance(nxt, int) and
                                        not isinstance(nxt, bool)), reply)
        for a in reply["alerts"]:
            self.assertEqual(set(a), ALERT_KEYS, a)
            self.assertEqual(a["type"], "alert", a)
            self.assertRegex(a["received_at"], RFC3339_UTC)
        seqs = [a["seq"] for a in reply["alerts"]]
        self.assertEqual(seqs, sorted(set(seqs)), reply)
        return reply

    def query_all(self, c, limit=1000, **fields):
        """Every page of a query; the alerts."""
        alerts, after = [], 0
        for _ in range(10000):
            reply = self.query(c, after=after, limit=limit, **fields)
            alerts += reply["alerts"]
            if reply["next"] is None:
                return alerts
            after = reply["next"]
        self.fail("the pages do not end")

    def assertError(self, reply, error, ref=None):
        self.assertEqual(reply.get("type"), "error", reply)
        self.assertEqual(reply.get("error"), error, reply)
        self.assertIsInstance(reply.get("message"), str, reply)
        self.assertTrue(reply["message"], reply)
        if ref is not None:
            self.assertEqual(reply.get("ref"), ref, reply)


class Visibility(QueryTestCase):
    """A member sees what it sent and what it was entitled to, no more."""

    def check_party(self, name, published):
        wanted = [(seq, sender, r, tiers[name])
                  for seq, sender, r, tiers in published if name in tiers]
        got = self.query_all(self.connect(name))
        self.assertEqual([a["seq"] for a in got], [w[0] for w in wanted],
                         name)
        for a, (seq, sender, r, tier) in zip(got, wanted):
            self.assertEqual(a["seq"], seq, a)
            self.assertEqual(a["sender"], sender, a)
            self.assertEqual(a["tier"], tier, a)
            self.assertEqual(a["report"], r, a)

    def test_each_party_sees_its_own_and_entitled(self):
        """Every party's history is exactly its own reports (tier null)
        and those it was entitled to, with the tier that entitled it."""
        published = self.publish_history()
        for name in ("ID", "SG", "MY", "TH", "APCERT"):
            with self.subTest(party=name):
                self.check_party(name, published)

    def test_bilateral_and_red_stay_private(self):
        """Another member's bilateral and red reports never appear, not
        even with a sender filter naming their sender."""
        published = self.publish_history()
        th = self.connect("TH")
        got = self.query_all(th, filter={"sender": "ID"})
        private = {seq for seq, sender, r, tiers in published
                   if r["tlp"] in ("amber", "amber+strict", "red")}
        self.assertFalse(private & {a["seq"] for a in got}, got)
        self.assertEqual([a["seq"] for a in got],
                         [published[0][0], published[4][0]])
        got = self.query_all(th, filter={"code": "availability/ddos"})
        self.assertEqual([a["seq"] for a in got], [published[10][0]])

    def test_history_survives_restart(self):
        """The same query gives the same answer after a restart."""
        self.publish_history()
        before = self.query_all(self.connect("SG"))
        self.assertEqual(self.hub.stop(signal.SIGTERM), 0)
        self.hub.start()
        self.assertEqual(self.query_all(self.connect("SG")), before)

    def test_query_with_nothing(self):
        """An empty hub answers an empty page."""
        reply = self.query(self.connect("SG"), ref="empty")
        self.assertEqual(reply, {"type": "result", "ref": "empty",
                                 "alerts": [], "next": None})


class Filters(QueryTestCase):
    """Each filter of the query narrows the member's history."""

    def setUp(self):
        super().setUp()
        published = self.publish_history()
        extra = [
            ("ID", {"code": "intrusions/burglary", "severity": "medium"}),
            ("MY", {"code": "intrusions/application-compromise",
                    "severity": "critical"}),
            ("TH", {"code": "availability/dos", "severity": "high"}),
            ("MY", {"code": "availability/ddos", "severity": "high"}),
        ]
        members = ("ID", "SG", "MY", "TH")
        published += self.publish_history(
            [(s, f, dict({m: "regional" for m in members if m != s},
                         **{s: None}))
             for s, f in extra])
        # What SG may see: (seq, sender, code, severity).
        levels = ["info", "low", "medium", "high", "critical"]
        self.visible = [(seq, sender, r["code"], levels.index(r["severity"]))
                        for seq, sender, r, tiers in published
                        if "SG" in tiers]
        self.sg = self.connect("SG")

    def check(self, filt, keep):
        got = [a["seq"] for a in self.query_all(self.sg, filter=filt)]
        wanted = [v[0] for v in self.visible if keep(*v[1:])]
        self.assertEqual(got, wanted, filt)
        return got

    def test_code_exact(self):
        got = self.check({"code": "availability/ddos"},
                         lambda s, c, v: c == "availability/ddos")
        self.assertEqual(len(got), 3)

    def test_code_class(self):
        """A class prefix: that class, not one that starts alike."""
        got = self.check({"code": "intrusions/"},
                         lambda s, c, v: c.startswith("intrusions/"))
        self.assertEqual(len(got), 5)
        self.check({"code": "intrusion-attempts/"},
                   lambda s, c, v: c.startswith("intrusion-attempts/"))

    def test_code_none_matching(self):
        self.check({"code": "fraud/"}, lambda s, c, v: False)

    def test_sender(self):
        self.check({"sender": "MY"}, lambda s, c, v: s == "MY")
        self.check({"sender": "SG"}, lambda s, c, v: s == "SG")
        self.check({"sender": "APCERT"}, lambda s, c, v: s == "APCERT")
        self.check({"sender": "NOBODY"}, lambda s, c, v: False)

    def test_min_severity(self):
        for i, level in enumerate(["info", "low", "medium", "high",
                                   "critical"]):
            with self.subTest(level=level):
                self.check({"min_severity": level},
                           lambda s, c, v, i=i: v >= i)

    def test_combined(self):
        got = self.check({"code": "availability/", "sender": "MY",
                          "min_severity": "medium"},
                         lambda s, c, v: c.startswith("availability/") and
                         s == "MY" and v >= 2)
        self.assertEqual(len(got), 1)


class TimeWindow(QueryTestCase):
    """since and until bound the hub's receive time: since included, until
    excluded."""

    def test_since_until(self):
        sender = self.connect("ID")
        batches = []
        for b in range(3):
            if b:
                # Separate the batches' receive times.
                time.sleep(0.05)
            batches.append(self.publish(sender, [make_report()
                                                 for _ in range(3)]))
        sg = self.connect("SG")
        alerts = {a["seq"]: a for a in self.query_all(sg)}
        a_seqs, b_seqs, c_seqs = batches
        b_first = alerts[b_seqs[0]]["received_at"]
        c_first = alerts[c_seqs[0]]["received_at"]

        def seqs(**filt):
            return [a["seq"] for a in self.query_all(sg, filter=filt)]

        self.assertEqual(seqs(since=b_first, until=c_first), b_seqs)
        self.assertEqual(seqs(since=b_first), b_seqs + c_seqs)
        self.assertEqual(seqs(until=c_first), a_seqs + b_seqs)
        self.assertEqual(seqs(until=b_first), a_seqs)
        # The same instants written with an offset.
        self.assertEqual(seqs(since=format_offset(parse_utc(b_first), 7),
                              until=format_offset(parse_utc(c_first), -5)),
                         b_seqs)
        # An empty or inverted window.
        self.assertEqual(seqs(since=c_first, until=c_first), [])
        self.assertEqual(seqs(since=c_first, until=b_first), [])
        self.assertEqual(seqs(since="2100-01-01T00:00:00Z"), [])
        self.assertEqual(seqs(until="2000-01-01T00:00:00Z"), [])
        self.assertEqual(seqs(since="2000-01-01T00:00:00Z"),
                         a_seqs + b_seqs + c_seqs)

    def test_received_at_is_receive_time(self):
        """received_at is the hub's receive time in UTC, close to this
        machine's clock (wide margin) and not observed_at."""
        before = datetime.datetime.now(datetime.timezone.utc)
        r = make_report(observed_at="2020-01-01T00:00:00Z")
        seq = self.publish(self.connect("ID"), [r])[0]
        after = datetime.datetime.now(datetime.timezone.utc)
        got = self.query_all(self.connect("SG"))
        self.assertEqual([a["seq"] for a in got], [seq])
        when = parse_utc(got[0]["received_at"])
        self.assertGreaterEqual(when, before - datetime.timedelta(seconds=60))
        self.assertLessEqual(when, after + datetime.timedelta(seconds=60))
        self.assertEqual(got[0]["report"]["observed_at"],
                         "2020-01-01T00:00:00Z")


class Pages(QueryTestCase):
    """after, limit and next walk the history with no overlap and no gap."""

    def setUp(self):
        super().setUp()
        sender = self.connect("ID")
        reports = []
        for i in range(25):
            reports.append(make_report(title="Page %d" % i))
            if i % 4 == 0:
                # Not for SG: interleaved, never listed.
                reports.append(make_report(tlp="amber+strict"))
        seqs = self.publish(sender, reports)
        self.wanted = [s for s, r in zip(seqs, reports)
                       if r["tlp"] == "green"]
        self.assertEqual(len(self.wanted), 25)
        self.sg = self.connect("SG")

    def test_pages_of_ten(self):
        """Pages of 10, 10 and 5; next is the last seq of a page that has
        more after it, then null."""
        pages, after = [], 0
        for _ in range(3):
            reply = self.query(self.sg, after=after, limit=10)
            pages.append([a["seq"] for a in reply["alerts"]])
            after = reply["next"]
            if after is not None:
                self.assertEqual(after, pages[-1][-1], reply)
        self.assertEqual([len(p) for p in pages], [10, 10, 5])
        self.assertIsNone(after)
        self.assertEqual(pages[0] + pages[1] + pages[2], self.wanted)

    def test_every_page_size(self):
        """For any limit, the pages put together are the whole history,
        once each, in order."""
        for limit in (1, 2, 3, 5, 7, 24, 25, 26, 1000):
            with self.subTest(limit=limit):
                pages, after = [], 0
                while True:
                    reply = self.query(self.sg, after=after, limit=limit)
                    got = [a["seq"] for a in reply["alerts"]]
                    self.assertLessEqual(len(got), limit)
                    pages.append(got)
                    if reply["next"] is None:
                        break
                    self.assertTrue(got, reply)
                    self.assertEqual(reply["next"], got[-1], reply)
                    after = reply["next"]
                    self.assertLess(len(pages), 100)
                flat = [s for p in pages for s in p]
                self.assertEqual(flat, self.wanted)
                # Only the last page may be short (or empty).
                for p in pages[:-1]:
                    self.assertEqual(len(p), limit)

    def test_after(self):
        """after starts past that seq, whether or not it is listed."""
        mid = self.wanted[11]
        reply = self.query(self.sg, after=mid, limit=1000)
        self.assertEqual([a["seq"] for a in reply["alerts"]],
                         self.wanted[12:])
        self.assertIsNone(reply["next"])
        reply = self.query(self.sg, after=mid + 1, limit=1000)
        self.assertEqual([a["seq"] for a in reply["alerts"]],
                         [s for s in self.wanted if s > mid + 1])
        reply = self.query(self.sg, after=self.wanted[-1])
        self.assertEqual(reply["alerts"], [])
        self.assertIsNone(reply["next"])
        reply = self.query(self.sg, after=10 ** 12)
        self.assertEqual(reply["alerts"], [])
        self.assertIsNone(reply["next"])

    def test_limit_bounds(self):
        """limit is 1 to 1000; outside is invalid_field."""
        reply = self.query(self.sg, limit=1)
        self.assertEqual([a["seq"] for a in reply["alerts"]],
                         self.wanted[:1])
        self.assertEqual(reply["next"], self.wanted[0])
        reply = self.query(self.sg, limit=1000)
        self.assertEqual([a["seq"] for a in reply["alerts"]], self.wanted)
        self.assertIsNone(reply["next"])
        for i, limit in enumerate([0, 1001, -1, 10 ** 9, "10", 2.5, None,
                                   True]):
            with self.subTest(limit=limit):
                ref = "l%d" % i
                self.assertError(self.sg.request({"type": "query",
                                                  "ref": ref,
                                                  "limit": limit}),
                                 "invalid_field", ref=ref)
        self.assertEqual(self.sg.ping(), {"type": "pong", "ref": "p1"})


class DefaultLimit(QueryTestCase):

    def test_default_limit_is_100(self):
        """Without limit a page holds 100 alerts."""
        seqs = self.publish(self.connect("ID"),
                            [make_report() for _ in range(105)])
        sg = self.connect("SG")
        reply = self.query(sg)
        self.assertEqual([a["seq"] for a in reply["alerts"]], seqs[:100])
        self.assertEqual(reply["next"], seqs[99])
        reply = self.query(sg, after=reply["next"])
        self.assertEqual([a["seq"] for a in reply["alerts"]], seqs[100:])
        self.assertIsNone(reply["next"])


class Errors(QueryTestCase):
    """Bad queries get their exact error code and the ref."""

    CASES = [
        ({"filter": {"code": "nope/"}}, "unknown_code"),
        ({"filter": {"code": "intrusions"}}, "unknown_code"),
        ({"filter": {"code": "intrusions/nothing"}}, "unknown_code"),
        ({"filter": {"code": 5}}, "invalid_field"),
        ({"filter": {"code": ""}}, "invalid_field"),
        ({"filter": {"sender": "not an id"}}, "invalid_field"),
        ({"filter": {"sender": ""}}, "invalid_field"),
        ({"filter": {"sender": ["SG"]}}, "invalid_field"),
        ({"filter": {"min_severity": "urgent"}}, "invalid_field"),
        ({"filter": {"since": "yesterday"}}, "invalid_field"),
        ({"filter": {"since": "2026-11-20"}}, "invalid_field"),
        ({"filter": {"until": 1795158900}}, "invalid_field"),
        ({"filter": {"until": "2026-02-30T00:00:00Z"}}, "invalid_field"),
        ({"filter": "intrusions/"}, "invalid_field"),
        ({"filter": None}, "invalid_field"),
        ({"after": -1}, "invalid_field"),
        ({"after": "0"}, "invalid_field"),
        ({"limit": 0}, "invalid_field"),
        ({"filter": {"codes": ["intrusions/"]}}, "unknown_field"),
        ({"filter": {"tlp": "red"}}, "unknown_field"),
        ({"filter": {"recipient": "SG"}}, "unknown_field"),
        ({"before": 10}, "unknown_field"),
        ({"since": 0}, "unknown_field"),
    ]

    def test_bad_fields(self):
        c = self.connect("SG")
        self.publish(self.connect("ID"), [make_report()])
        for i, (fields, error) in enumerate(self.CASES):
            with self.subTest(fields=fields):
                ref = "bad-%d" % i
                msg = {"type": "query", "ref": ref}
                msg.update(fields)
                self.assertError(c.request(msg), error, ref=ref)
        # Still usable, and a good query still answers.
        reply = self.query(c, ref="good")
        self.assertEqual(len(reply["alerts"]), 1)

    def test_ref_echoed(self):
        """The result echoes ref exactly, up to 64 bytes."""
        c = self.connect("SG")
        for ref in ("q1", "x" * 64, "with \"quotes\" and \\ and \u00e9",
                    ""):
            with self.subTest(ref=ref):
                self.query(c, ref=ref)
        self.assertError(c.request({"type": "query", "ref": "x" * 65}),
                         "invalid_field")


class ClientTestCase(QueryTestCase):
    """The kentongan client against the test's hub."""

    def setUp(self):
        if not os.access(hub.KENTONGAN, os.X_OK):
            self.skipTest("no client binary at %s" % hub.KENTONGAN)
        super().setUp()

    def kentongan(self, *args, name="SG"):
        return subprocess.run([hub.KENTONGAN] + list(args),
                              env=self.hub.client_env(name),
                              capture_output=True, text=True,
                              timeout=RUN_TIMEOUT, cwd=self.hub.dir)

    def start_listen(self, *args, name="SG"):
        """Start kentongan listen; return (process, queue of its stdout
        lines)."""
        proc, lines, stop = hub.start_listen(self.hub, args, name, WAIT)
        self.addCleanup(stop)
        return proc, lines, stop

    def next_line(self, lines, proc):
        try:
            line = lines.get(timeout=WAIT)
        except queue.Empty:
            self.fail("kentongan listen printed nothing within %gs" % WAIT)
        if line is None:
            self.fail("kentongan listen ended (status %r)" % proc.poll())
        return line

    def wait_acked(self, name, seq):
        """Wait until the member's acknowledged position is seq, as a
        subscribe without since reports it."""
        deadline = time.monotonic() + WAIT
        while True:
            with self.hub.connect(name) as c:
                reply = c.request({"type": "subscribe"})
            self.assertEqual(reply.get("type"), "subscribed", reply)
            if reply["from"] == seq:
                return
            self.assertLess(reply["from"], seq, reply)
            if time.monotonic() > deadline:
                self.fail("%s's position stayed at %d, not %d"
                          % (name, reply["from"], seq))
            time.sleep(0.1)


class Listen(ClientTestCase):

    def test_listen_json_prints_and_acks(self):
        """listen --json prints each alert as one JSON line and
        acknowledges it; started again, it prints only new alerts."""
        sender = self.connect("ID")
        reports = [make_report(title="Before listen %d" % i)
                   for i in range(2)]
        seqs = self.publish(sender, reports)
        proc, lines, stop = self.start_listen("--json")
        more = [make_report(title="While listening %d" % i,
                            code="availability/ddos") for i in range(2)]
        seqs += self.publish(sender, more)
        reports += more
        for seq, r in zip(seqs, reports):
            a = json.loads(self.next_line(lines, proc))
            self.assertEqual(set(a), ALERT_KEYS, a)
            self.assertEqual(a["type"], "alert", a)
            self.assertEqual(a["seq"], seq, a)
            self.assertEqual(a["sender"], "ID", a)
            self.assertEqual(a["tier"], "regional", a)
            self.assertEqual(a["report"], r, a)
            self.assertRegex(a["received_at"], RFC3339_UTC)
        self.wait_acked("SG", seqs[-1])
        stop()
        last = make_report(title="After restart")
        seq = self.publish(sender, [last])[0]
        proc, lines, stop = self.start_listen("--json")
        a = json.loads(self.next_line(lines, proc))
        self.assertEqual(a["seq"], seq, a)
        self.assertEqual(a["report"], last, a)
        self.wait_acked("SG", seq)

    def test_listen_human(self):
        """listen prints a line per alert with its seq, sender, code and
        title."""
        proc, lines, stop = self.start_listen(name="TH")
        r = make_report(code="malicious-code/c2-server", severity="critical",
                        title="C2 server in a telecom network")
        seq = self.publish(self.connect("ID"), [r])[0]
        line = self.next_line(lines, proc)
        self.assertIn("malicious-code/c2-server", line)
        self.assertIn("C2 server in a telecom network", line)
        self.assertIn("critical", line)
        self.assertRegex(line, r"(^|\s)%d(\s|$)" % seq)
        self.assertRegex(line, r"(^|\s)ID(\s|$)")
        self.wait_acked("TH", seq)

    def test_listen_filters(self):
        """listen --code and --min-severity pass the filter to the hub."""
        proc, lines, stop = self.start_listen(
            "--json", "--code", "availability/", "--code", "test/test",
            "--min-severity", "high")
        reports = [make_report(code="intrusions/burglary",
                               severity="critical"),
                   make_report(code="availability/ddos", severity="low"),
                   make_report(code="availability/dos", severity="high"),
                   make_report(code="test/test", severity="critical")]
        seqs = self.publish(self.connect("ID"), reports)
        for i in (2, 3):
            a = json.loads(self.next_line(lines, proc))
            self.assertEqual(a["seq"], seqs[i], a)
            self.assertEqual(a["report"], reports[i], a)

    def test_listen_bad_filter(self):
        """A filter the hub refuses ends listen with a non-zero status and
        the error code on stderr."""
        proc = self.kentongan("listen", "--code", "nope/")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("unknown_code", proc.stderr)
        self.assertEqual(proc.stdout, "")


class QueryCommand(ClientTestCase):

    def setUp(self):
        super().setUp()
        self.published = self.publish_history()
        self.sg = self.connect("SG")
        self.history = self.query_all(self.sg)
        self.assertEqual(len(self.history), 7)

    def test_table(self):
        """query prints a header and one line per alert with its seq,
        sender, code and title."""
        proc = self.kentongan("query")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        lines = proc.stdout.splitlines()
        self.assertEqual(len(lines), 1 + len(self.history), proc.stdout)
        for word in ("SEQ", "SENDER", "CODE", "TITLE"):
            self.assertIn(word, lines[0])
        for line, a in zip(lines[1:], self.history):
            self.assertRegex(line, r"(^|\s)%d(\s|$)" % a["seq"])
            self.assertRegex(line, r"(^|\s)%s(\s|$)" % a["sender"])
            self.assertIn(a["report"]["code"], line)
            self.assertIn(a["report"]["title"], line)
            if a["tier"] is not None:
                self.assertIn(a["tier"], line)

    def test_json(self):
        """query --json prints each alert as the hub sent it, one per
        line."""
        proc = self.kentongan("query", "--json")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        got = [json.loads(line) for line in proc.stdout.splitlines()]
        self.assertEqual(got, self.history)

    def test_filters(self):
        """query's filter flags give what the same protocol query gives."""
        first = self.history[2]["received_at"]
        cases = [
            (["--code", "availability/ddos"], {"code": "availability/ddos"}),
            (["--code", "intrusions/"], {"code": "intrusions/"}),
            (["--sender", "ID"], {"sender": "ID"}),
            (["--min-severity", "critical"], {"min_severity": "critical"}),
            (["--since", first], {"since": first}),
            (["--until", first], {"until": first}),
        ]
        for args, filt in cases:
            with self.subTest(args=args):
                proc = self.kentongan("query", "--json", *args)
                self.assertEqual(proc.returncode, 0, proc.stderr)
                got = [json.loads(line) for line in proc.stdout.splitlines()]
                self.assertEqual(got, self.query_all(self.sg, filter=filt))

    def test_pages_and_all(self):
        """--limit prints one page and says how to get the next; --all
        prints every page; --after starts later."""
        proc = self.kentongan("query", "--json", "--limit", "3")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        got = [json.loads(line) for line in proc.stdout.splitlines()]
        self.assertEqual(got, self.history[:3])
        self.assertIn("--after %d" % self.history[2]["seq"], proc.stderr)
        proc = self.kentongan("query", "--json", "--limit", "3", "--after",
                              str(self.history[2]["seq"]))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        got = [json.loads(line) for line in proc.stdout.splitlines()]
        self.assertEqual(got, self.history[3:6])
        proc = self.kentongan("query", "--json", "--limit", "3", "--all")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        got = [json.loads(line) for line in proc.stdout.splitlines()]
        self.assertEqual(got, self.history)
        proc = self.kentongan("query", "--limit", "2", "--all")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(len(proc.stdout.splitlines()),
                         1 + len(self.history), proc.stdout)

    def test_bad_code(self):
        """A code the hub refuses: non-zero status, the error code on
        stderr."""
        proc = self.kentongan("query", "--code", "nope/")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("unknown_code", proc.stderr)

    def test_other_member(self):
        """query shows each member its own history only."""
        proc = self.kentongan("query", "--json", name="TH")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        got = [json.loads(line) for line in proc.stdout.splitlines()]
        self.assertEqual(got, self.query_all(self.connect("TH")))
        self.assertEqual(sorted(a["seq"] for a in got),
                         sorted(seq for seq, s, r, t in self.published
                                if "TH" in t))


if __name__ == "__main__":
    unittest.main()
