"""The operator API (SPEC section 8) over HTTPS with an operator's
certificate, and the kentongan client's operator views (section 9):
reports and their filters and pages, one report with its deliveries,
members, statistics, Prometheus metrics, errors and access control."""

import collections
import datetime
import http.client
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import time
import unittest

import hub
import pki
from hub import Hub, free_port, make_report, report_msg

# Generous limits for waiting, never for judging.
WAIT_TIMEOUT = 30.0
RUN_TIMEOUT = 60

RFC3339_UTC = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$")
ROW_KEYS = {"seq", "sender", "received_at", "recipients", "report"}
DELIVERY_KEYS = {"member", "tier", "delivered_at", "acked_at", "signed"}
MEMBER_KEYS = {"id", "name", "role", "connected", "last_seen", "acked_seq",
               "backlog"}
STATS_KEYS = {"since", "until", "total", "by_code", "by_severity",
              "by_sender", "by_day"}
SEVERITIES = ("info", "low", "medium", "high", "critical")
TLPS = ("clear", "green", "amber", "amber+strict", "red")
METRIC_LINE = re.compile(
    r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="[^"]*"'
    r'(?:,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*)?\})? (?P<value>\S+)$')


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


def ordered(obj):
    """obj as nested lists of (key, value) pairs, so that comparing two of
    them also compares the order of keys."""
    text = json.dumps(obj, ensure_ascii=False)
    return json.loads(text, object_pairs_hook=list)


def registry():
    """{id: (name, role)} of the core member registry."""
    out = {}
    for mid, spec in hub.CORE_MEMBERS:
        name = re.search(r'name="([^"]*)"', spec).group(1)
        role = re.search(r"role=(\w+)", spec)
        out[mid] = (name, role.group(1) if role else "member")
    return out


def wait_port(port, proc, timeout=hub.START_TIMEOUT):
    """Wait until a TCP connection to 127.0.0.1:port succeeds."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise hub.HubError("kentongand exited before listening on %d"
                               % port)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise hub.HubError("nothing listens on port %d" % port)
            time.sleep(0.05)


def operator_hub(**kw):
    """A Hub with the operator API on a port of its own (op_port) and no
    rate limit; not started."""
    op_port = free_port()
    settings = {"operator_listen": "127.0.0.1:%d" % op_port,
                "report_rate": "0 0"}
    settings.update(kw.pop("settings", {}))
    h = Hub(settings=settings, **kw)
    h.op_port = op_port
    return h


def start_operator_hub(h):
    h.start()
    wait_port(h.op_port, h.proc)
    return h


def tls_context(name="OPS"):
    """A client context trusting the test CA, with name's certificate
    (None: no certificate)."""
    p = pki.get()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(p.ca_cert)
    if name is not None:
        ctx.load_cert_chain(p.cert(name), p.key(name))
    return ctx


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def json(self, **kw):
        try:
            return json.loads(self.body.decode("utf-8"), **kw)
        except ValueError as e:
            raise AssertionError("the body is not JSON: %r"
                                 % self.body[:300]) from e


def http_request(port, target, method="GET", name="OPS", conn=None):
    """One request to the operator API; returns a Response. With conn, the
    request goes on that (kept-alive) connection."""
    own = conn is None
    if own:
        conn = http.client.HTTPSConnection("127.0.0.1", port,
                                           context=tls_context(name),
                                           timeout=hub.READ_TIMEOUT)
    try:
        conn.request(method, target)
        r = conn.getresponse()
        body = r.read()
        return Response(r.status, r.getheaders(), body)
    finally:
        if own:
            conn.close()


def publish(client, report):
    """Push report on client; return the accepted reply."""
    reply = client.request(report_msg(report))
    if reply.get("type") != "accepted" or reply.get("id") != report["id"]:
        raise AssertionError("report not accepted: %r" % (reply,))
    return reply


class OperatorMixin:
    """Requests to self.hub's operator API and assertions on the answers."""

    def get(self, target, method="GET", name="OPS", conn=None):
        return http_request(self.hub.op_port, target, method, name, conn)

    def get_json(self, target):
        """GET target; it must be 200 with a JSON body, which is returned."""
        r = self.get(target)
        self.assertEqual(r.status, 200, "%s: %r" % (target, r.body[:200]))
        self.assertTrue((r.header("Content-Type") or "")
                        .startswith("application/json"),
                        "%s: Content-Type %r" % (target,
                                                 r.header("Content-Type")))
        return r.json()

    def assertApiError(self, r, status, error=None, mentions=None,
                       target=""):
        """r is an error answer: that status and a JSON body of exactly
        {"error": CODE, "message": TEXT}."""
        self.assertEqual(r.status, status, "%s: %r" % (target, r.body[:200]))
        self.assertTrue((r.header("Content-Type") or "")
                        .startswith("application/json"),
                        "%s: Content-Type %r" % (target,
                                                 r.header("Content-Type")))
        obj = r.json()
        self.assertIsInstance(obj, dict, target)
        self.assertEqual(set(obj), {"error", "message"}, "%s: %r"
                         % (target, obj))
        self.assertIsInstance(obj["error"], str, target)
        self.assertIsInstance(obj["message"], str, target)
        self.assertTrue(obj["error"], target)
        self.assertTrue(obj["message"], target)
        if error is not None:
            self.assertEqual(obj["error"], error, "%s: %r" % (target, obj))
        if mentions is not None:
            self.assertIn(mentions, obj["message"], "%s: %r"
                          % (target, obj))
        return obj

    def reports(self, query=""):
        """The rows of one page of /v1/reports?query, and next."""
        body = self.get_json("/v1/reports" + ("?" + query if query else ""))
        self.assertEqual(set(body), {"reports", "next"}, body)
        self.assertIsInstance(body["reports"], list, body)
        for row in body["reports"]:
            self.assertEqual(set(row), ROW_KEYS, row)
        nxt = body["next"]
        if nxt is not None:
            self.assertIsInstance(nxt, int, body)
            self.assertNotIsInstance(nxt, bool, body)
        return body["reports"], nxt

    def seqs(self, query=""):
        """The seqs of one page of /v1/reports?query, which must be the
        last page (next null)."""
        rows, nxt = self.reports(query)
        self.assertIsNone(nxt, "%s: next %r" % (query, nxt))
        return [r["seq"] for r in rows]

    def report(self, seq):
        """GET /v1/reports/SEQ, checked for shape."""
        body = self.get_json("/v1/reports/%d" % seq)
        self.assertEqual(set(body), ROW_KEYS | {"deliveries", "ledger"},
                         body)
        self.assertEqual(set(body["ledger"]), {"n", "hash", "prev"}, body)
        self.assertEqual(body["seq"], seq, body)
        for d in body["deliveries"]:
            self.assertEqual(set(d), DELIVERY_KEYS, d)
        return body

    def deliveries(self, seq):
        """{member: delivery} of a report; each member once."""
        ds = self.report(seq)["deliveries"]
        members = [d["member"] for d in ds]
        self.assertEqual(len(members), len(set(members)), ds)
        return {d["member"]: d for d in ds}

    def members(self):
        """{id: member} of /v1/members, checked for shape."""
        body = self.get_json("/v1/members")
        self.assertEqual(set(body), {"members"}, body)
        out = {}
        for m in body["members"]:
            self.assertEqual(set(m), MEMBER_KEYS, m)
            self.assertNotIn(m["id"], out, body)
            out[m["id"]] = m
        return out

    def wait_for(self, what, predicate, timeout=WAIT_TIMEOUT):
        """Poll what() until predicate(value); return the last value. Fails
        with the last value after timeout."""
        deadline = time.monotonic() + timeout
        while True:
            value = what()
            if predicate(value):
                return value
            if time.monotonic() > deadline:
                self.fail("condition not reached within %gs; last value: %r"
                          % (timeout, value))
            time.sleep(0.05)

    def subscribe(self, c, **fields):
        msg = {"type": "subscribe"}
        msg.update(fields)
        reply = c.request(msg)
        self.assertEqual(reply.get("type"), "subscribed", reply)
        return reply

    def next_alert(self, c):
        m = c.recv(timeout=WAIT_TIMEOUT)
        self.assertEqual(m.get("type"), "alert", m)
        return m

    def ack(self, c, seq):
        """Acknowledge up to seq; a ping follows to know it was handled."""
        c.send({"type": "ack", "seq": seq})
        self.assertEqual(c.ping("after-ack"),
                         {"type": "pong", "ref": "after-ack"})


class OwnHubTestCase(OperatorMixin, unittest.TestCase):
    """Each test has a fresh hub with the operator API."""

    def setUp(self):
        self.hub = operator_hub()
        self.addCleanup(self.hub.kill)
        start_operator_hub(self.hub)

    def tearDown(self):
        if not self.hub.alive():
            self.fail("kentongand died during this test (status %r); "
                      "stderr:\n%s" % (self.hub.proc.returncode,
                                       self.hub.stderr_tail()))
        status = self.hub.stop()
        self.assertEqual(status, 0, "kentongand ended with status %r after "
                         "SIGTERM; stderr:\n%s"
                         % (status, self.hub.stderr_tail()))

    def connect(self, name):
        c = self.hub.connect(name)
        self.addCleanup(c.close)
        return c


def past_time(days=2):
    """A time some days ago with a +07:00 offset and a fraction, as an
    analyst in Jakarta would write it."""
    tz = datetime.timezone(datetime.timedelta(hours=7))
    t = datetime.datetime.now(tz) - datetime.timedelta(days=days)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ".250+07:00"


# The history of the shared hub, in three groups received some time apart:
# (sender, fields of the report).
GROUPS = (
    (
        ("ID", dict(code="intrusions/system-compromise", severity="high",
                    tlp="green")),
        ("ID", dict(code="intrusions/burglary", severity="low",
                    tlp="amber")),
        ("ID", dict(code="intrusion-attempts/brute-force",
                    severity="medium", tlp="green")),
        ("ID", dict(code="availability/ddos", severity="critical",
                    tlp="amber+strict")),
        ("ID", dict(code="malicious-code/c2-server", severity="info",
                    tlp="clear")),
        ("ID", dict(code="intrusions/system-compromise", severity="medium",
                    tlp="red", recipients=["MY"])),
    ),
    (
        ("SG", dict(code="availability/ddos", severity="high",
                    tlp="green")),
        ("SG", "full"),
        ("SG", dict(code="test/test", severity="info", tlp="green")),
        ("SG", dict(code="fraud/phishing", severity="low", tlp="amber",
                    recipients=["ID"])),
        ("SG", dict(code="intrusions/system-compromise", severity="low",
                    tlp="green")),
    ),
    (
        ("MY", dict(code="availability/dos", severity="medium",
                    tlp="green")),
        ("MY", dict(code="intrusions/system-compromise", severity="high",
                    tlp="amber+strict", recipients=["ID"])),
        ("APCERT", dict(code="vulnerable/weak-crypto", severity="low",
                        tlp="clear")),
        ("APCERT", dict(code="intrusions/burglary", severity="critical",
                        tlp="clear")),
        ("MY", dict(code="information-gathering/scanner", severity="info",
                    tlp="clear")),
    ),
)


def full_report():
    """A report with every optional field, values an analyst would type."""
    return make_report(
        code="intrusions/application-compromise", severity="critical",
        tlp="clear",
        title="Kompromi aplikasi \u2014 portal e-Gov (\u00e9t\u00e9)",
        description="Line one.\nLine two with \"quotes\", a tab\tand "
                    "\u65e5\u672c\u8a9e; emoji \U0001F6A8.",
        observed_at=past_time(),
        indicators=[{"type": "ipv4", "value": "203.0.113.7"},
                    {"type": "domain", "value": "evil.example"},
                    {"type": "url", "value": "https://evil.example/a?b=c"},
                    {"type": "sha256", "value": "e3b0c44298fc1c149afbf4c8"
                                                "996fb92427ae41e4649b934c"
                                                "a495991b7852b855"},
                    {"type": "cve", "value": "CVE-2026-12345"}],
        sectors=["government", "finance"],
        recipients=["ID", "MY", "APCERT"])


class SharedHistory(OperatorMixin, unittest.TestCase):
    """One hub with a known history of 16 reports from four senders, read
    by every test of the subclasses (which change nothing)."""

    hub = None

    @classmethod
    def setUpClass(cls):
        cls.hub = operator_hub()
        try:
            start_operator_hub(cls.hub)
            cls._publish_history()
        except BaseException:
            cls.hub.kill()
            raise

    @classmethod
    def _publish_history(cls):
        clients = {}
        cls.sent = []       # dicts: seq, sender, report, recipients, group
        try:
            for g, group in enumerate(GROUPS):
                if g > 0:
                    # Received times of different groups are apart.
                    time.sleep(0.05)
                for sender, fields in group:
                    if sender not in clients:
                        clients[sender] = cls.hub.connect(sender)
                    r = full_report() if fields == "full" else \
                        make_report(title="Report %d" % (len(cls.sent) + 1),
                                    **fields)
                    reply = publish(clients[sender], r)
                    cls.sent.append({"seq": reply["seq"], "sender": sender,
                                     "report": r, "group": g,
                                     "recipients": reply["recipients"]})
        finally:
            for c in clients.values():
                c.close()
        # One member stays connected for the member views.
        cls.keeper = cls.hub.connect("TH")
        if cls.keeper.ping() != {"type": "pong", "ref": "p1"}:
            raise AssertionError("TH cannot ping")

    @classmethod
    def tearDownClass(cls):
        h, cls.hub = cls.hub, None
        if getattr(cls, "keeper", None) is not None:
            cls.keeper.close()
        was_alive = h.alive()
        status = h.stop()
        if not was_alive or status != 0:
            raise AssertionError("kentongand ended with status %r; stderr:\n"
                                 "%s" % (status, h.stderr_tail()))

    def tearDown(self):
        if not self.hub.alive():
            self.fail("kentongand died during this test (status %r); "
                      "stderr:\n%s" % (self.hub.proc.returncode,
                                       self.hub.stderr_tail()))

    # -- the expected answers -----------------------------------------

    def all_seqs(self):
        return [s["seq"] for s in self.sent]

    def where(self, pred):
        """The seqs of the sent reports for which pred(sent) holds."""
        return [s["seq"] for s in self.sent if pred(s)]

    def all_rows(self):
        """Every row, through pages of 1000."""
        rows, nxt = self.reports("limit=1000")
        self.assertIsNone(nxt)
        return rows

    def group_start(self, g):
        """received_at of the first report of group g, as the hub shows
        it."""
        first = self.where(lambda s: s["group"] == g)[0]
        for row in self.all_rows():
            if row["seq"] == first:
                return row["received_at"]
        self.fail("seq %d not listed" % first)


class Reports(SharedHistory):
    """GET /v1/reports: rows, filters, time windows and pages."""

    def test_every_report_as_accepted(self):
        """Without parameters every report is listed, oldest first, with its
        seq, sender, receive time, number of recipients and the report
        exactly as accepted; next is null."""
        rows, nxt = self.reports()
        self.assertIsNone(nxt)
        self.assertEqual([r["seq"] for r in rows], self.all_seqs())
        self.assertEqual(self.all_seqs(), sorted(set(self.all_seqs())))
        for row, sent in zip(rows, self.sent):
            with self.subTest(seq=sent["seq"]):
                self.assertEqual(row["sender"], sent["sender"], row)
                self.assertEqual(row["recipients"], sent["recipients"], row)
                self.assertEqual(row["report"], sent["report"], row)
                self.assertRegex(row["received_at"], RFC3339_UTC)

    def test_report_fields_keep_their_order_and_text(self):
        """The report with every optional field comes back with the same
        keys in the same order and the same text, unicode included."""
        r = self.get("/v1/reports?limit=1000")
        self.assertEqual(r.status, 200)
        rows = r.json(object_pairs_hook=list)
        rows = dict(rows)["reports"]
        by_seq = {dict(row)["seq"]: dict(row) for row in rows}
        full = [s for s in self.sent if "indicators" in s["report"]]
        self.assertEqual(len(full), 1)
        self.assertEqual(by_seq[full[0]["seq"]]["report"],
                         ordered(full[0]["report"]))

    def test_received_at_in_order(self):
        """received_at never goes backwards as seq grows, and groups sent
        apart are apart."""
        rows = self.all_rows()
        times = [parse_utc(r["received_at"]) for r in rows]
        self.assertEqual(times, sorted(times))
        for g in (1, 2):
            last = max(t for t, s in zip(times, self.sent)
                       if s["group"] == g - 1)
            first = min(t for t, s in zip(times, self.sent)
                        if s["group"] == g)
            self.assertLess(last, first)

    def test_code_exact(self):
        """code=CLASS/TYPE lists exactly the reports of that code."""
        for code in ("intrusions/system-compromise", "availability/ddos",
                     "test/test", "fraud/phishing"):
            with self.subTest(code=code):
                self.assertEqual(
                    self.seqs("code=" + code),
                    self.where(lambda s: s["report"]["code"] == code))

    def test_code_percent_encoded(self):
        """A percent-encoded code is the same code."""
        self.assertEqual(
            self.seqs("code=intrusions%2Fburglary"),
            self.where(lambda s: s["report"]["code"] ==
                       "intrusions/burglary"))
        self.assertEqual(
            self.seqs("code=%69ntrusions/burglary"),
            self.where(lambda s: s["report"]["code"] ==
                       "intrusions/burglary"))

    def test_code_class_prefix(self):
        """code=CLASS/ lists every code of the class, and not a class whose
        name only starts the same (intrusion-attempts)."""
        want = self.where(lambda s: s["report"]["code"]
                          .startswith("intrusions/"))
        self.assertEqual(len(want), 7)
        self.assertEqual(self.seqs("code=intrusions/"), want)
        self.assertEqual(
            self.seqs("code=intrusion-attempts/"),
            self.where(lambda s: s["report"]["code"]
                       .startswith("intrusion-attempts/")))
        self.assertEqual(
            self.seqs("code=availability/"),
            self.where(lambda s: s["report"]["code"]
                       .startswith("availability/")))
        # A known class with no report.
        self.assertEqual(self.seqs("code=abusive-content/"), [])

    def test_sender(self):
        """sender=ID lists exactly what that member sent."""
        for sender in ("ID", "SG", "MY", "APCERT", "TH"):
            with self.subTest(sender=sender):
                self.assertEqual(self.seqs("sender=" + sender),
                                 self.where(lambda s: s["sender"] == sender))

    def test_min_severity(self):
        """min_severity=S lists the reports of severity S or above."""
        for i, level in enumerate(SEVERITIES):
            with self.subTest(min_severity=level):
                self.assertEqual(
                    self.seqs("min_severity=" + level),
                    self.where(lambda s: SEVERITIES.index(
                        s["report"]["severity"]) >= i))

    def test_tlp(self):
        """tlp=L lists the reports of exactly that label; amber+strict is
        written amber%2Bstrict."""
        for label in TLPS:
            with self.subTest(tlp=label):
                self.assertEqual(
                    self.seqs("tlp=" + label.replace("+", "%2B")),
                    self.where(lambda s: s["report"]["tlp"] == label))
        self.assertEqual(len(self.seqs("tlp=amber%2Bstrict")), 2)

    def test_combined_filters(self):
        """Filters combine with AND."""
        self.assertEqual(
            self.seqs("code=intrusions/&sender=ID&min_severity=medium"),
            self.where(lambda s: s["report"]["code"].startswith("intrusions/")
                       and s["sender"] == "ID" and
                       SEVERITIES.index(s["report"]["severity"]) >= 2))
        self.assertEqual(
            self.seqs("tlp=clear&sender=APCERT&code=intrusions/burglary"),
            self.where(lambda s: s["sender"] == "APCERT" and
                       s["report"]["code"] == "intrusions/burglary"))
        self.assertEqual(self.seqs("sender=SG&tlp=red"), [])

    def test_since_until(self):
        """since is received at or after (inclusive), until received before
        (exclusive)."""
        g1, g2 = self.group_start(1), self.group_start(2)
        in_group = lambda *gs: self.where(lambda s: s["group"] in gs)
        self.assertEqual(self.seqs("since=" + g1), in_group(1, 2))
        self.assertEqual(self.seqs("since=" + g2), in_group(2))
        self.assertEqual(self.seqs("until=" + g1), in_group(0))
        self.assertEqual(self.seqs("until=" + g2), in_group(0, 1))
        self.assertEqual(self.seqs("since=%s&until=%s" % (g1, g2)),
                         in_group(1))
        self.assertEqual(self.seqs("since=%s&until=%s" % (g2, g1)), [])
        self.assertEqual(self.seqs("since=%s&sender=SG" % g1),
                         self.where(lambda s: s["sender"] == "SG"))

    def test_since_until_far(self):
        """A window before the first report or after the last one is empty;
        one around everything lists everything."""
        self.assertEqual(self.seqs("since=2999-01-01T00:00:00Z"), [])
        self.assertEqual(self.seqs("until=2000-01-01T00:00:00Z"), [])
        self.assertEqual(self.seqs("since=2000-01-01T00:00:00Z&"
                                   "until=2999-01-01T00:00:00Z"),
                         self.all_seqs())

    def test_since_with_offset(self):
        """since with a numeric offset (the + written %2B) is the same
        instant as its UTC form."""
        g1 = parse_utc(self.group_start(1))
        tz = datetime.timezone(datetime.timedelta(hours=7))
        local = g1.astimezone(tz).strftime("%Y-%m-%dT%H:%M:%S.%f")
        self.assertEqual(self.seqs("since=%s%%2B07:00" % local),
                         self.where(lambda s: s["group"] >= 1))
        self.assertEqual(self.seqs("until=%s%%2B07:00" % local),
                         self.where(lambda s: s["group"] == 0))

    def test_after(self):
        """after=N lists the reports with seq greater than N."""
        seqs = self.all_seqs()
        for after in (0, seqs[0], seqs[4], seqs[-2]):
            with self.subTest(after=after):
                self.assertEqual(self.seqs("after=%d" % after),
                                 [s for s in seqs if s > after])
        self.assertEqual(self.seqs("after=%d" % seqs[-1]), [])
        self.assertEqual(self.seqs("after=%d" % (seqs[-1] + 1000)), [])

    def walk(self, query, limit):
        """Follow next from the first page; return the pages (lists of
        seqs)."""
        pages = []
        after = None
        for _ in range(100):
            q = "%s%slimit=%d" % (query, "&" if query else "", limit)
            if after is not None:
                q += "&after=%d" % after
            rows, nxt = self.reports(q)
            seqs = [r["seq"] for r in rows]
            pages.append(seqs)
            self.assertLessEqual(len(seqs), limit, q)
            if nxt is None:
                return pages
            self.assertEqual(len(seqs), limit, "a page before the last is "
                             "full: %s" % q)
            self.assertEqual(nxt, seqs[-1], "next is the after of the "
                             "following page: %s" % q)
            after = nxt
        self.fail("more than 100 pages")

    def test_pages(self):
        """Pages of every size, followed through next, list every report
        once, in order, with no gap and no overlap, and the last page has
        next null."""
        want = self.all_seqs()
        for limit in (1, 2, 3, 5, 8, 15, 16, 17, 1000):
            with self.subTest(limit=limit):
                pages = self.walk("", limit)
                got = [s for p in pages for s in p]
                self.assertEqual(got, want)
                self.assertEqual(len(pages), -(-len(want) // limit),
                                 pages)

    def test_pages_with_filter(self):
        """Pages of a filtered listing have no gap and no overlap."""
        for query in ("code=intrusions/", "sender=SG",
                      "min_severity=medium&tlp=green"):
            want = self.seqs(query)
            for limit in (1, 2, 3):
                with self.subTest(query=query, limit=limit):
                    pages = self.walk(query, limit)
                    self.assertEqual([s for p in pages for s in p], want)

    def test_pages_within_window(self):
        """Pages of a time window stay in the window."""
        g1, g2 = self.group_start(1), self.group_start(2)
        pages = self.walk("since=%s&until=%s" % (g1, g2), 2)
        self.assertEqual([s for p in pages for s in p],
                         self.where(lambda s: s["group"] == 1))

    def test_empty_values_are_absent(self):
        """A parameter with an empty value counts as not given."""
        self.assertEqual(
            self.seqs("code=&sender=&min_severity=&tlp=&since=&until=&"
                      "after=&limit="), self.all_seqs())
        self.assertEqual(self.seqs("sender=&tlp=clear"),
                         self.where(lambda s: s["report"]["tlp"] == "clear"))


class ReportErrors(SharedHistory):
    """400 for every bad parameter, with a JSON error that names it."""

    def check(self, query, error, mentions, path="/v1/reports"):
        target = path + "?" + query
        self.assertApiError(self.get(target), 400, error, mentions, target)

    def test_unknown_parameter(self):
        """An unknown parameter is unknown_field, named in the message."""
        for query, name in (("colour=blue", "colour"),
                            ("code=test/test&severity=high", "severity"),
                            ("Sender=ID", "Sender"),
                            ("min-severity=low", "min-severity")):
            with self.subTest(query=query):
                self.check(query, "unknown_field", name)

    def test_repeated_parameter(self):
        """A parameter given twice is refused, even with the same value."""
        for query, name in (("limit=1&limit=2", "limit"),
                            ("sender=ID&sender=ID", "sender"),
                            ("code=test/test&tlp=clear&code=test/test",
                             "code"),
                            ("since=&since=2026-01-01T00:00:00Z", "since")):
            with self.subTest(query=query):
                self.check(query, "invalid_field", name)

    def test_bad_time(self):
        """since and until must be RFC 3339 times."""
        for name in ("since", "until"):
            for value in ("yesterday", "2026-11-01", "2026-13-01T00:00:00Z",
                          "2026-02-30T00:00:00Z", "1700000000",
                          "2026-11-01T00:00:00",
                          "2026-11-01T00:00:00+07:00"):   # + is a space
                with self.subTest(name=name, value=value):
                    self.check("%s=%s" % (name, value), "invalid_field",
                               name)

    def test_bad_severity(self):
        for value in ("severe", "HIGH", "0", "high%20"):
            with self.subTest(value=value):
                self.check("min_severity=" + value, "invalid_field",
                           "min_severity")

    def test_bad_tlp(self):
        """tlp must be one of the five labels; amber+strict with a raw +
        is "amber strict"."""
        for value in ("white", "AMBER", "amber+strict", "amber_strict",
                      "amber%20strict", "TLP:AMBER"):
            with self.subTest(value=value):
                self.check("tlp=" + value, "invalid_field", "tlp")

    def test_bad_limit(self):
        """limit is 1 to 1000."""
        for value in ("0", "1001", "-1", "ten", "1.5", "99999999999999999999",
                      "%2B5"):
            with self.subTest(value=value):
                self.check("limit=" + value, "invalid_field", "limit")

    def test_good_limits(self):
        """limit=1 and limit=1000 are accepted."""
        rows, nxt = self.reports("limit=1")
        self.assertEqual([r["seq"] for r in rows], self.all_seqs()[:1])
        self.assertEqual(nxt, self.all_seqs()[0])
        self.assertEqual(self.seqs("limit=1000"), self.all_seqs())

    def test_bad_after(self):
        for value in ("-1", "first", "1.0", "99999999999999999999"):
            with self.subTest(value=value):
                self.check("after=" + value, "invalid_field", "after")

    def test_bad_sender(self):
        for value in ("S.G", "A" * 33, "S%20G"):
            with self.subTest(value=value):
                self.check("sender=" + value, "invalid_field", "sender")

    def test_unknown_code(self):
        """A code or class the taxonomy does not know is unknown_code."""
        for value in ("intrusions/teleportation", "intrusions",
                      "information/", "Intrusions/system-compromise",
                      "no-such-class/", "/"):
            with self.subTest(value=value):
                self.check("code=" + value, "unknown_code", None)

    def test_embedded_nul(self):
        """A value with a NUL inside (%00) is refused, never cut short at
        the NUL and answered."""
        for query, error, name in (
                ("tlp=red%00x", "invalid_field", "tlp"),
                ("code=test/test%00x", "unknown_code", None),
                ("sender=SG%00x", "invalid_field", "sender"),
                ("min_severity=high%00", "invalid_field", "min_severity"),
                ("limit=5%000", "invalid_field", "limit"),
                ("since=2026-11-01T00:00:00Z%00x", "invalid_field",
                 "since")):
            with self.subTest(query=query):
                self.check(query, error, name)

    def test_stats_parameters(self):
        """/v1/stats takes since and until only, checked the same way."""
        self.check("code=test/test", "unknown_field", "code", "/v1/stats")
        self.check("since=soon", "invalid_field", "since", "/v1/stats")
        self.check("until=2026-11-01", "invalid_field", "until", "/v1/stats")
        self.check("since=2026-11-01T00:00:00Z&since=2026-11-02T00:00:00Z",
                   "invalid_field", "since", "/v1/stats")

    def test_members_takes_no_parameter(self):
        """/v1/members takes no parameter: one given is unknown_field."""
        self.check("since=2026-11-01T00:00:00Z", "unknown_field", None,
                   "/v1/members")

    def test_report_takes_no_parameter(self):
        """/v1/reports/SEQ takes no parameter."""
        target = "/v1/reports/%d?limit=1" % self.all_seqs()[0]
        self.assertApiError(self.get(target), 400, "unknown_field",
                            target=target)

    def test_parameter_names_not_utf8(self):
        """A parameter name of raw bytes that are not UTF-8 still gets a
        JSON error (the message quotes it with the bad bytes replaced):
        found by fuzzing the parameters."""
        for path in (b"/metrics", b"/v1/members", b"/v1/reports",
                     b"/v1/stats"):
            with self.subTest(path=path):
                raw = socket.create_connection(("127.0.0.1",
                                                self.hub.op_port))
                with tls_context().wrap_socket(
                        raw, server_hostname="localhost") as s:
                    s.settimeout(hub.READ_TIMEOUT)
                    s.sendall(b"GET " + path + b"?\xa0\xff=1&\xa0\xff=2 "
                              b"HTTP/1.1\r\nHost: localhost\r\n"
                              b"Connection: close\r\n\r\n")
                    data = b""
                    while True:
                        chunk = s.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                head, _, body = data.partition(b"\r\n\r\n")
                self.assertTrue(head.startswith(b"HTTP/1.1 400"), head)
                obj = json.loads(body.decode("utf-8"))
                self.assertIn(obj.get("error"), ("unknown_field",
                                                 "invalid_field"), obj)
                self.assertTrue(obj.get("message"), obj)


class OneReport(SharedHistory):
    """GET /v1/reports/SEQ."""

    def test_report_and_recipients(self):
        """Each report is shown as listed, with one delivery per entitled
        recipient and its tier."""
        rows = {r["seq"]: r for r in self.all_rows()}
        for sent in self.sent:
            with self.subTest(seq=sent["seq"]):
                body = self.report(sent["seq"])
                listed = dict(body)
                del listed["deliveries"]
                del listed["ledger"]
                self.assertEqual(listed, rows[sent["seq"]])
                self.assertEqual(body["report"], sent["report"])
                self.assertEqual(len(body["deliveries"]),
                                 sent["recipients"], body)

    def test_tiers(self):
        """The tier of each delivery follows the sharing policy."""
        by_title = {s["report"]["title"]: s["seq"] for s in self.sent}
        want = {
            # ID green: the region.
            "Report 1": {"SG": "regional", "MY": "regional",
                         "TH": "regional"},
            # ID amber: the two agreements.
            "Report 2": {"SG": "bilateral", "MY": "bilateral"},
            # ID amber+strict: the red agreement only.
            "Report 4": {"MY": "bilateral"},
            # ID clear: the region and the partner.
            "Report 5": {"SG": "regional", "MY": "regional",
                         "TH": "regional", "APCERT": "global"},
            # ID red to MY.
            "Report 6": {"MY": "bilateral"},
            # SG amber to ID.
            "Report 10": {"ID": "bilateral"},
            # APCERT clear: everyone else, global.
            "Report 14": {"ID": "global", "SG": "global", "MY": "global",
                          "TH": "global"},
        }
        for title, tiers in want.items():
            with self.subTest(title=title):
                ds = self.deliveries(by_title[title])
                self.assertEqual({m: d["tier"] for m, d in ds.items()},
                                 tiers)
                for d in ds.values():
                    self.assertIsNone(d["delivered_at"], d)
                    self.assertIsNone(d["acked_at"], d)

    def test_named_recipients(self):
        """The report with named recipients lists exactly them."""
        full = [s for s in self.sent if "indicators" in s["report"]][0]
        ds = self.deliveries(full["seq"])
        self.assertEqual({m: d["tier"] for m, d in ds.items()},
                         {"ID": "regional", "MY": "regional",
                          "APCERT": "global"})

    def test_not_found(self):
        """A seq past the last is 404 with a JSON error."""
        last = self.all_seqs()[-1]
        for seq in (last + 1, last + 1000, 9223372036854775807):
            with self.subTest(seq=seq):
                target = "/v1/reports/%d" % seq
                self.assertApiError(self.get(target), 404, target=target)

    def test_bad_seq(self):
        """A SEQ that is not a positive decimal number is 400."""
        for text in ("abc", "0", "01", "-1", "1.0", "1e3", "0x10", "+1",
                     "99999999999999999999", "1abc"):
            with self.subTest(seq=text):
                target = "/v1/reports/" + text
                self.assertApiError(self.get(target), 400, "invalid_field",
                                    target=target)


class Stats(SharedHistory):
    """GET /v1/stats."""

    def expected(self, groups):
        sent = [s for s in self.sent if s["group"] in groups]
        rows = {r["seq"]: r for r in self.all_rows()}
        return {
            "total": len(sent),
            "by_code": dict(collections.Counter(
                s["report"]["code"] for s in sent)),
            "by_severity": dict(collections.Counter(
                s["report"]["severity"] for s in sent)),
            "by_sender": dict(collections.Counter(s["sender"]
                                                  for s in sent)),
            "by_day": dict(collections.Counter(
                rows[s["seq"]]["received_at"][:10] for s in sent)),
        }

    def stats(self, query=""):
        body = self.get_json("/v1/stats" + ("?" + query if query else ""))
        self.assertEqual(set(body), STATS_KEYS, body)
        return body

    def counts(self, body):
        return {k: body[k] for k in STATS_KEYS - {"since", "until"}}

    def test_everything(self):
        """Without a window: counts of every report by code, severity,
        sender and day; since and until null."""
        body = self.stats()
        self.assertIsNone(body["since"])
        self.assertIsNone(body["until"])
        self.assertEqual(self.counts(body), self.expected((0, 1, 2)))
        self.assertEqual(body["total"], 16)
        self.assertEqual(body["by_sender"],
                         {"ID": 6, "SG": 5, "MY": 3, "APCERT": 2})

    def test_window(self):
        """since (inclusive) and until (exclusive) bound the counts and
        are shown back."""
        g1, g2 = self.group_start(1), self.group_start(2)
        body = self.stats("since=" + g1)
        self.assertEqual(self.counts(body), self.expected((1, 2)))
        self.assertEqual(parse_utc(body["since"]), parse_utc(g1))
        self.assertIsNone(body["until"])
        body = self.stats("until=" + g2)
        self.assertEqual(self.counts(body), self.expected((0, 1)))
        self.assertIsNone(body["since"])
        self.assertEqual(parse_utc(body["until"]), parse_utc(g2))
        body = self.stats("since=%s&until=%s" % (g1, g2))
        self.assertEqual(self.counts(body), self.expected((1,)))

    def test_empty_window(self):
        """A window with no report counts nothing."""
        body = self.stats("since=2999-01-01T00:00:00Z")
        self.assertEqual(self.counts(body), {
            "total": 0, "by_code": {}, "by_severity": {}, "by_sender": {},
            "by_day": {}})

    def test_empty_values_are_absent(self):
        body = self.stats("since=&until=")
        self.assertIsNone(body["since"])
        self.assertIsNone(body["until"])
        self.assertEqual(self.counts(body), self.expected((0, 1, 2)))


class Access(SharedHistory):
    """Only operators; GET only; unknown paths."""

    def assertRefused(self, name):
        """name's certificate (None: none) gets no answer but 403."""
        try:
            r = self.get("/v1/reports", name=name)
        except (ssl.SSLError, OSError, http.client.HTTPException):
            return
        self.assertApiError(r, 403, target="as %s" % name)

    def test_member_certificate_refused(self):
        """A member's or partner's certificate is refused on the operator
        listener."""
        for name in ("SG", "ID", "APCERT"):
            with self.subTest(name=name):
                self.assertRefused(name)

    def test_other_certificates_refused(self):
        """An unregistered, revoked or missing certificate is refused."""
        for name in ("UNREG", "REVOKED", None):
            with self.subTest(name=name):
                self.assertRefused(name)

    def test_refusal_logged(self):
        """A member's certificate on the operator listener is logged with
        its fingerprint."""
        self.assertRefused("MY")
        fp = self.hub.pki.fingerprint("MY")
        self.assertIsNotNone(self.hub.wait_stderr(lambda t: fp in t),
                             self.hub.stderr_tail())

    def test_methods(self):
        """Anything but GET is 405 with Allow: GET."""
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            for target in ("/v1/reports", "/v1/members", "/metrics",
                           "/v1/reports/1"):
                with self.subTest(method=method, target=target):
                    r = self.get(target, method=method)
                    self.assertApiError(r, 405, target=target)
                    self.assertEqual(r.header("Allow"), "GET")

    def test_unknown_paths(self):
        """Unknown paths are 404 with a JSON error ("/" is the console's
        live view, SPEC section 15)."""
        for target in ("/v1", "/v1/", "/console", "/index.html", "/v1/report", "/v2/reports",
                       "/v1/members/SG", "/v1/stats/today", "/metrics/x",
                       "/V1/reports", "/v1/reportsx", "/v1/statsx",
                       "/metricsx", "/v1/members/"):
            with self.subTest(target=target):
                self.assertApiError(self.get(target), 404, target=target)

    def test_keep_alive(self):
        """Several requests on one connection are answered in turn."""
        conn = http.client.HTTPSConnection("127.0.0.1", self.hub.op_port,
                                           context=tls_context(),
                                           timeout=hub.READ_TIMEOUT)
        self.addCleanup(conn.close)
        first = self.get("/v1/stats", conn=conn)
        sock = conn.sock
        self.assertEqual(first.status, 200)
        self.assertEqual(self.get("/v1/nope", conn=conn).status, 404)
        self.assertEqual(self.get("/v1/members", conn=conn).status, 200)
        self.assertIs(conn.sock, sock)

    def test_members_view(self):
        """/v1/members lists every registered party with its name and
        role; TH, connected, has a last_seen."""
        ms = self.members()
        reg = registry()
        self.assertEqual(set(ms), set(reg))
        for mid, (name, role) in reg.items():
            with self.subTest(member=mid):
                self.assertEqual(ms[mid]["name"], name)
                self.assertEqual(ms[mid]["role"], role)
                self.assertIsInstance(ms[mid]["connected"], bool)
        self.assertIs(ms["TH"]["connected"], True)
        self.assertRegex(ms["TH"]["last_seen"], RFC3339_UTC)
        # The operator asking is connected, and was seen just now.
        self.assertIs(ms["OPS"]["connected"], True)
        self.assertRegex(ms["OPS"]["last_seen"], RFC3339_UTC)
        # Backlogs: no one ever acknowledged anything here.
        for mid in ("ID", "SG", "MY", "TH", "APCERT"):
            with self.subTest(backlog=mid):
                self.assertEqual(ms[mid]["acked_seq"], 0)
                self.assertEqual(
                    ms[mid]["backlog"],
                    sum(1 for s in self.sent
                        if mid in self.deliveries(s["seq"])))


class Deliveries(OwnHubTestCase):
    """delivered_at and acked_at of a real subscriber."""

    def test_delivered_then_acked(self):
        """Before any subscriber both times are null; once SG receives the
        alerts delivered_at is set for SG only, and once SG acknowledges
        the first one acked_at is set for that report only."""
        pub = self.connect("ID")
        green = make_report(tlp="green")
        amber = make_report(tlp="amber", code="availability/ddos")
        s1 = publish(pub, green)["seq"]
        s2 = publish(pub, amber)["seq"]
        self.assertEqual(
            {m: (d["tier"], d["delivered_at"], d["acked_at"])
             for m, d in self.deliveries(s1).items()},
            {"SG": ("regional", None, None), "MY": ("regional", None, None),
             "TH": ("regional", None, None)})
        self.assertEqual(
            {m: (d["tier"], d["delivered_at"], d["acked_at"])
             for m, d in self.deliveries(s2).items()},
            {"SG": ("bilateral", None, None),
             "MY": ("bilateral", None, None)})

        sg = self.connect("SG")
        self.subscribe(sg)
        a1, a2 = self.next_alert(sg), self.next_alert(sg)
        self.assertEqual((a1["seq"], a2["seq"]), (s1, s2))
        for seq in (s1, s2):
            ds = self.wait_for(lambda: self.deliveries(seq),
                               lambda d: d["SG"]["delivered_at"] is not None)
            self.assertRegex(ds["SG"]["delivered_at"], RFC3339_UTC)
            self.assertIsNone(ds["SG"]["acked_at"])
            self.assertIsNone(ds["MY"]["delivered_at"])
            self.assertIsNone(ds["MY"]["acked_at"])
        self.assertIsNone(self.deliveries(s1)["TH"]["delivered_at"])

        self.ack(sg, s1)
        ds = self.wait_for(lambda: self.deliveries(s1),
                           lambda d: d["SG"]["acked_at"] is not None)
        self.assertRegex(ds["SG"]["acked_at"], RFC3339_UTC)
        self.assertLessEqual(parse_utc(ds["SG"]["delivered_at"]),
                             parse_utc(ds["SG"]["acked_at"]))
        self.assertIsNone(ds["MY"]["acked_at"])
        self.assertIsNone(ds["TH"]["acked_at"])
        self.assertIsNone(self.deliveries(s2)["SG"]["acked_at"])

        self.ack(sg, s2)
        ds = self.wait_for(lambda: self.deliveries(s2),
                           lambda d: d["SG"]["acked_at"] is not None)
        self.assertIsNone(ds["MY"]["acked_at"])
        self.assertIsNone(ds["MY"]["delivered_at"])

    def test_replayed_delivery(self):
        """An alert sent while the member was away is delivered when it
        subscribes later, and the times survive a restart."""
        pub = self.connect("ID")
        s1 = publish(pub, make_report(tlp="amber+strict"))["seq"]
        self.assertEqual(list(self.deliveries(s1)), ["MY"])
        pub.close()
        my = self.connect("MY")
        self.subscribe(my)
        self.assertEqual(self.next_alert(my)["seq"], s1)
        self.ack(my, s1)
        before = self.wait_for(lambda: self.deliveries(s1),
                               lambda d: d["MY"]["acked_at"] is not None)
        self.assertIsNotNone(before["MY"]["delivered_at"])
        my.close()
        self.assertEqual(self.hub.stop(), 0, self.hub.stderr_tail())
        start_operator_hub(self.hub)
        self.assertEqual(self.deliveries(s1), before)


class Members(OwnHubTestCase):
    """GET /v1/members follows connections and acknowledgements."""

    def test_fresh_hub(self):
        """On a fresh hub every member is listed, not connected, never
        seen, at position 0 with nothing pending; but the operator asking,
        connected and seen now."""
        ms = self.members()
        reg = registry()
        self.assertEqual(set(ms), set(reg))
        for mid, (name, role) in reg.items():
            with self.subTest(member=mid):
                asking = mid == "OPS"
                if asking:
                    self.assertRegex(ms[mid].pop("last_seen"), RFC3339_UTC)
                self.assertEqual(ms[mid], dict({
                    "id": mid, "name": name, "role": role,
                    "connected": asking, "acked_seq": 0, "backlog": 0},
                    **({} if asking else {"last_seen": None})))

    def test_connected_and_last_seen(self):
        """connected is true while a member has a connection, last_seen is
        set from then on and stays after it leaves."""
        start = datetime.datetime.now(datetime.timezone.utc) \
            - datetime.timedelta(seconds=2)
        th = self.connect("TH")
        self.assertEqual(th.ping(), {"type": "pong", "ref": "p1"})
        ms = self.members()
        self.assertIs(ms["TH"]["connected"], True)
        self.assertIs(ms["SG"]["connected"], False)
        seen = ms["TH"]["last_seen"]
        self.assertRegex(seen, RFC3339_UTC)
        self.assertGreaterEqual(parse_utc(seen), start)
        th2 = self.connect("TH")
        self.assertEqual(th2.ping(), {"type": "pong", "ref": "p1"})
        th.close()
        # One of two connections left: still connected.
        self.assertEqual(th2.ping("p2"), {"type": "pong", "ref": "p2"})
        self.assertIs(self.members()["TH"]["connected"], True)
        th2.close()
        ms = self.wait_for(self.members,
                           lambda m: m["TH"]["connected"] is False)
        self.assertRegex(ms["TH"]["last_seen"], RFC3339_UTC)
        self.assertGreaterEqual(parse_utc(ms["TH"]["last_seen"]),
                                parse_utc(seen))

    def test_connected_without_traffic(self):
        """A member that has connected but sent nothing yet is connected
        and has been seen."""
        sg = self.connect("SG")
        ms = self.wait_for(self.members,
                           lambda m: m["SG"]["connected"] is True)
        self.assertRegex(ms["SG"]["last_seen"] or "", RFC3339_UTC)
        sg.close()

    def test_backlog_and_acked_seq(self):
        """backlog counts the alerts a member is entitled to and has not
        acknowledged; an ack moves acked_seq and lowers the backlog."""
        pub = self.connect("ID")
        seqs = [publish(pub, make_report(tlp="green"))["seq"]
                for _ in range(3)]
        amber = publish(pub, make_report(tlp="amber"))["seq"]
        ms = self.members()
        self.assertEqual({m: ms[m]["backlog"] for m in ms},
                         {"ID": 0, "SG": 4, "MY": 4, "TH": 3, "APCERT": 0,
                          "OPS": 0})
        sg = self.connect("SG")
        self.subscribe(sg)
        got = [self.next_alert(sg)["seq"] for _ in range(4)]
        self.assertEqual(got, seqs + [amber])
        self.ack(sg, seqs[1])
        ms = self.members()
        self.assertEqual(ms["SG"]["acked_seq"], seqs[1])
        self.assertEqual(ms["SG"]["backlog"], 2)
        self.assertEqual(ms["MY"]["backlog"], 4)
        self.assertEqual(ms["MY"]["acked_seq"], 0)
        self.ack(sg, amber)
        ms = self.members()
        self.assertEqual(ms["SG"]["acked_seq"], amber)
        self.assertEqual(ms["SG"]["backlog"], 0)
        # A new report raises it again.
        s5 = publish(pub, make_report(tlp="green"))["seq"]
        self.assertEqual(self.next_alert(sg)["seq"], s5)
        self.assertEqual(self.members()["SG"]["backlog"], 1)
        # The position and backlog survive a restart.
        sg.close()
        pub.close()
        self.assertEqual(self.hub.stop(), 0, self.hub.stderr_tail())
        start_operator_hub(self.hub)
        ms = self.members()
        self.assertEqual((ms["SG"]["acked_seq"], ms["SG"]["backlog"]),
                         (amber, 1))
        self.assertEqual((ms["TH"]["acked_seq"], ms["TH"]["backlog"]),
                         (0, 4))


def parse_metrics(testcase, text):
    """{name or name{labels}: value} of a Prometheus text exposition, and
    {family: type}; every line is checked for form."""
    samples, types, helps = {}, {}, set()
    for line in text.splitlines():
        if line.startswith("# HELP "):
            helps.add(line.split(" ")[2])
            continue
        if line.startswith("# TYPE "):
            parts = line.split(" ")
            testcase.assertEqual(len(parts), 4, line)
            testcase.assertIn(parts[3], ("counter", "gauge", "histogram",
                                         "summary", "untyped"), line)
            testcase.assertNotIn(parts[2], types, "TYPE given twice")
            types[parts[2]] = parts[3]
            continue
        testcase.assertFalse(line.startswith("#"), line)
        testcase.assertTrue(line, "empty line in the exposition")
        m = METRIC_LINE.match(line)
        testcase.assertIsNotNone(m, "not a sample line: %r" % line)
        key = m.group(1) + (m.group(2) or "")
        testcase.assertNotIn(key, samples, "sample given twice: %r" % line)
        samples[key] = float(m.group("value"))
    for name in list(types) + list(helps) + list(samples):
        testcase.assertTrue(name.startswith("kentongan_"), name)
    return samples, types


class Metrics(OwnHubTestCase):
    """GET /metrics."""

    def scrape(self):
        r = self.get("/metrics")
        self.assertEqual(r.status, 200, r.body[:300])
        self.assertTrue((r.header("Content-Type") or "")
                        .startswith("text/plain"), r.header("Content-Type"))
        text = r.body.decode("utf-8")
        self.assertTrue(text.endswith("\n"))
        return parse_metrics(self, text)

    def test_form(self):
        """Every family has a type; counters end in _total; the commit
        histogram has cumulative buckets ending in +Inf = count."""
        samples, types = self.scrape()
        for key in samples:
            family = re.sub(r"\{.*", "", key)
            base = re.sub(r"_(bucket|sum|count)$", "", family)
            self.assertTrue(family in types or
                            types.get(base) == "histogram", key)
        for name, kind in types.items():
            if kind == "counter":
                self.assertTrue(name.endswith("_total"), name)
        for name in ("kentongan_reports_accepted_total",
                     "kentongan_alerts_delivered_total",
                     "kentongan_acks_total", "kentongan_refused_total"):
            self.assertEqual(types.get(name), "counter", name)
        self.assertEqual(types.get("kentongan_commit_seconds"), "histogram")
        self.assertEqual(types.get("kentongan_member_backlog"), "gauge")
        self.check_histogram(samples)
        # Every error code of the protocol has its refusal counter.
        for error in ("malformed_json", "message_too_large", "unknown_type",
                      "missing_field", "invalid_field", "unknown_field",
                      "unknown_code", "recipients_required",
                      "unknown_recipient", "recipient_not_permitted",
                      "id_conflict", "rate_limited", "not_subscribed",
                      "internal_error"):
            self.assertEqual(
                samples.get('kentongan_refused_total{error="%s"}' % error),
                0.0, error)
        # Members and partners have their gauges; on a fresh hub nothing
        # is pending.
        for mid in ("ID", "SG", "MY", "TH", "APCERT"):
            self.assertEqual(
                samples.get('kentongan_member_backlog{member="%s"}' % mid),
                0.0, mid)

    def check_histogram(self, samples):
        buckets = []
        for key, value in samples.items():
            m = re.match(r'^kentongan_commit_seconds_bucket\{le="([^"]+)"\}$',
                         key)
            if m:
                buckets.append((float(m.group(1)), value))
        buckets.sort()
        self.assertTrue(buckets)
        self.assertEqual(buckets[-1][0], float("inf"))
        values = [v for _, v in buckets]
        self.assertEqual(values, sorted(values), "buckets are cumulative")
        self.assertEqual(buckets[-1][1],
                         samples["kentongan_commit_seconds_count"])
        self.assertIn("kentongan_commit_seconds_sum", samples)
        self.assertGreaterEqual(samples["kentongan_commit_seconds_sum"], 0)

    def test_counters_move(self):
        """Accepted, duplicate and refused reports, delivered alerts, acks
        and backlogs move the counters by exactly what happened; the commit
        histogram counts more commits."""
        sg = self.connect("SG")
        self.subscribe(sg)
        pub = self.connect("ID")
        self.assertEqual(pub.ping(), {"type": "pong", "ref": "p1"})
        before, _ = self.scrape()
        self.assertEqual(before['kentongan_member_connected{member="SG"}'],
                         1.0)
        self.assertEqual(before['kentongan_member_connected{member="TH"}'],
                         0.0)
        r1, r2 = make_report(), make_report(tlp="amber")
        s1 = publish(pub, r1)["seq"]
        s2 = publish(pub, r2)["seq"]
        self.assertEqual(pub.request(report_msg(r1)).get("duplicate"), True)
        bad = pub.request(report_msg(make_report(code="intrusions/nothing")))
        self.assertEqual(bad.get("error"), "unknown_code", bad)
        bad = pub.request(report_msg(make_report(severity="severe")))
        self.assertEqual(bad.get("error"), "invalid_field", bad)
        self.assertEqual([self.next_alert(sg)["seq"] for _ in range(2)],
                         [s1, s2])
        mid, _ = self.scrape()

        def delta(after, key):
            return after.get(key, 0.0) - before.get(key, 0.0)

        self.assertEqual(delta(mid, "kentongan_reports_accepted_total"), 2)
        self.assertEqual(delta(mid, "kentongan_reports_duplicate_total"), 1)
        self.assertEqual(
            delta(mid, 'kentongan_refused_total{error="unknown_code"}'), 1)
        self.assertEqual(
            delta(mid, 'kentongan_refused_total{error="invalid_field"}'), 1)
        self.assertEqual(
            delta(mid, 'kentongan_refused_total{error="id_conflict"}'), 0)
        self.assertEqual(delta(mid, "kentongan_alerts_delivered_total"), 2)
        self.assertEqual(delta(mid, "kentongan_acks_total"), 0)
        self.assertEqual(mid['kentongan_member_backlog{member="SG"}'], 2)
        self.assertEqual(mid['kentongan_member_backlog{member="MY"}'], 2)
        self.assertEqual(mid['kentongan_member_backlog{member="TH"}'], 1)
        self.assertEqual(mid['kentongan_member_backlog{member="ID"}'], 0)
        self.assertEqual(mid["kentongan_last_seq"], s2)
        self.assertGreater(mid["kentongan_commit_seconds_count"],
                           before["kentongan_commit_seconds_count"])
        self.check_histogram(mid)

        self.ack(sg, s2)
        after, _ = self.scrape()
        self.assertEqual(delta(after, "kentongan_acks_total"), 1)
        self.assertEqual(after['kentongan_member_backlog{member="SG"}'], 0)
        self.assertEqual(after['kentongan_member_acked_seq{member="SG"}'],
                         s2)
        self.assertEqual(after['kentongan_member_backlog{member="MY"}'], 2)
        self.assertEqual(delta(after, "kentongan_reports_accepted_total"), 2)


class OperatorReload(OwnHubTestCase):
    """The operator's role is checked against the registry in force."""

    def test_removed_operator(self):
        """After a reload that removes the operator, a request on its
        kept-alive connection is 403 and a new connection is refused."""
        conn = http.client.HTTPSConnection("127.0.0.1", self.hub.op_port,
                                           context=tls_context(),
                                           timeout=hub.READ_TIMEOUT)
        self.addCleanup(conn.close)
        self.assertEqual(self.get("/v1/members", conn=conn).status, 200)
        sock = conn.sock
        self.hub.members = [m for m in self.hub.members if m[0] != "OPS"]
        self.hub.write_conf()
        self.hub.send_signal(signal.SIGHUP)
        self.assertIsNotNone(
            self.hub.wait_stderr(lambda t: "reloaded" in t),
            self.hub.stderr_tail())
        r = self.get("/v1/members", conn=conn)
        self.assertIs(conn.sock, sock, "the request went on a new "
                      "connection")
        self.assertApiError(r, 403)
        try:
            r = self.get("/v1/members")
        except (ssl.SSLError, OSError, http.client.HTTPException):
            return
        self.assertApiError(r, 403)


class HttpHygiene(OwnHubTestCase):
    """Requests that HTTP servers disagree about (RFC 9112): refused, each
    with the JSON error of SPEC section 8, never a page of the server's
    own; and the connection is closed where the request's framing cannot
    be trusted."""

    def raw(self, data, name="OPS"):
        """Send raw bytes on a fresh TLS connection to the operator port
        and read everything until the hub closes it (or 10 s)."""
        raw = socket.create_connection(("127.0.0.1", self.hub.op_port))
        with tls_context(name).wrap_socket(
                raw, server_hostname="localhost") as s:
            s.settimeout(hub.READ_TIMEOUT)
            s.sendall(data)
            out = b""
            while True:
                try:
                    chunk = s.recv(65536)
                except (TimeoutError, socket.timeout):
                    break
                except (ssl.SSLError, OSError):
                    break
                if not chunk:
                    break
                out += chunk
        return out

    def assertRefusedWith(self, data, status, error):
        out = self.raw(data)
        head, _, body = out.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 %d " % status),
                        out[:300])
        headers = head.decode("latin-1").lower()
        self.assertIn("content-type: application/json", headers)
        self.assertIn("connection: close", headers)
        obj = json.loads(body.decode("utf-8"))
        self.assertEqual(set(obj), {"error", "message"}, obj)
        self.assertEqual(obj["error"], error, obj)
        self.assertTrue(obj["message"], obj)
        return obj

    def test_conflicting_content_length(self):
        self.assertRefusedWith(
            b"GET /v1/members HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n"
            b"Content-Length: 2\r\n\r\nx", 400, "bad_request")

    def test_content_length_list(self):
        self.assertRefusedWith(
            b"GET /v1/members HTTP/1.1\r\nHost: h\r\n"
            b"Content-Length: 3, 4\r\n\r\n", 400, "bad_request")

    def test_obsolete_line_folding(self):
        self.assertRefusedWith(
            b"GET /v1/members HTTP/1.1\r\nHost: h\r\nX-A: one\r\n"
            b" folded\r\n\r\n", 400, "bad_request")

    def test_http_0_9(self):
        self.assertRefusedWith(b"GET /v1/members\r\n", 400, "bad_request")

    def test_transfer_encoding(self):
        self.assertRefusedWith(
            b"GET /v1/members HTTP/1.1\r\nHost: h\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501,
            "not_implemented")

    def test_request_body(self):
        self.assertRefusedWith(
            b"GET /v1/members HTTP/1.1\r\nHost: h\r\nContent-Length: 5"
            b"\r\n\r\nhello", 413, "body_too_large")

    def test_huge_head(self):
        self.assertRefusedWith(
            b"GET /v1/members HTTP/1.1\r\nHost: h\r\nX-A: " +
            b"a" * 20000 + b"\r\n\r\n", 431, "header_too_large")

    def test_huge_target(self):
        self.assertRefusedWith(
            b"GET /v1/" + b"a" * 9000 + b" HTTP/1.1\r\nHost: h\r\n\r\n",
            414, "uri_too_long")

    def test_unknown_version(self):
        self.assertRefusedWith(
            b"GET /v1/members HTTP/2.0\r\nHost: h\r\n\r\n", 505,
            "version_not_supported")

    def test_bare_newlines(self):
        self.assertRefusedWith(b"GET /v1/members HTTP/1.1\nHost: h\n\n",
                               400, "bad_request")

    def test_hub_still_serves(self):
        """After all of that, the next operator is served."""
        self.raw(b"GET /v1/members\r\n")
        self.assertEqual(self.get("/v1/members").status, 200)


class DefaultLimit(OwnHubTestCase):
    """Without limit a page has 100 reports."""

    def test_default_limit(self):
        pub = self.connect("ID")
        reports = [make_report(title="Bulk %d" % i) for i in range(120)]
        pub.send_raw(b"".join(json.dumps(report_msg(r)).encode() + b"\n"
                              for r in reports))
        seqs = []
        for _ in reports:
            m = pub.recv(timeout=WAIT_TIMEOUT)
            self.assertEqual(m.get("type"), "accepted", m)
            seqs.append(m["seq"])
        seqs.sort()
        rows, nxt = self.reports()
        self.assertEqual([r["seq"] for r in rows], seqs[:100])
        self.assertEqual(nxt, seqs[99])
        rows, nxt = self.reports("after=%d" % nxt)
        self.assertEqual([r["seq"] for r in rows], seqs[100:])
        self.assertIsNone(nxt)


class ClientViews(SharedHistory):
    """kentongan members, stats and query --operator."""

    def setUp(self):
        if not os.access(hub.KENTONGAN, os.X_OK):
            self.skipTest("no client binary at %s" % hub.KENTONGAN)

    def kentongan(self, *args, name="OPS"):
        env = self.hub.client_env(name)
        env["KENTONGAN_HUB"] = "127.0.0.1:%d" % self.hub.op_port
        return subprocess.run([hub.KENTONGAN] + list(args), env=env,
                              capture_output=True, encoding="utf-8",
                              errors="replace", timeout=RUN_TIMEOUT,
                              cwd=self.hub.dir, stdin=subprocess.DEVNULL)

    def ok(self, *args):
        proc = self.kentongan(*args)
        self.assertEqual(proc.returncode, 0,
                         "kentongan %s: %s%s" % (" ".join(args), proc.stdout,
                                                 proc.stderr))
        return proc

    def json_lines(self, out):
        return [json.loads(l) for l in out.splitlines() if l.strip()]

    def test_members_json(self):
        """members --json prints what /v1/members says."""
        proc = self.ok("members", "--json")
        printed, served = json.loads(proc.stdout), self.get_json("/v1/members")
        # The operator's last_seen moves with each request it makes.
        for ms in (printed, served):
            for m in ms["members"]:
                if m["role"] == "operator" and m["last_seen"] is not None:
                    m["last_seen"] = "seen"
        self.assertEqual(printed, served)

    def test_members_table(self):
        """members prints a header and one row per member with its role,
        whether connected, its position and backlog."""
        proc = self.ok("members")
        lines = proc.stdout.splitlines()
        self.assertIn("ID", lines[0].split())
        self.assertIn("BACKLOG", lines[0])
        ms = self.members()
        rows = {l.split()[0]: l for l in lines[1:] if l.strip()}
        self.assertEqual(set(rows), set(ms))
        for mid, m in ms.items():
            with self.subTest(member=mid):
                words = rows[mid].split()
                self.assertIn(m["role"], words)
                self.assertIn("yes" if m["connected"] else "no", words)
                self.assertEqual(words[-1], str(m["backlog"]))
                self.assertEqual(words[-2], str(m["acked_seq"]))
                self.assertIn(m["name"][:28], rows[mid])

    def test_stats_json(self):
        """stats --json prints what /v1/stats says, with the window."""
        proc = self.ok("stats", "--json")
        self.assertEqual(json.loads(proc.stdout), self.get_json("/v1/stats"))
        g1 = self.group_start(1)
        proc = self.ok("stats", "--json", "--since", g1)
        self.assertEqual(json.loads(proc.stdout),
                         self.get_json("/v1/stats?since=" + g1))
        self.assertEqual(json.loads(proc.stdout)["total"], 10)

    def test_stats_table(self):
        """stats prints the total and the counts."""
        proc = self.ok("stats")
        self.assertRegex(proc.stdout, r"(?m)^reports: 16\b")
        self.assertRegex(proc.stdout,
                         r"(?m)^\s+intrusions/system-compromise\s+4$")
        self.assertRegex(proc.stdout, r"(?m)^\s+APCERT\s+2$")
        self.assertRegex(proc.stdout, r"(?m)^\s+critical\s+3$")

    def test_query_json_all(self):
        """query --operator --json --all prints every row as the API lists
        it, one JSON object a line, across pages."""
        proc = self.ok("query", "--operator", "--json", "--all",
                       "--limit", "3")
        self.assertEqual(self.json_lines(proc.stdout), self.all_rows())

    def test_query_one_page(self):
        """Without --all, one page, and a hint on stderr how to go on."""
        proc = self.ok("query", "--operator", "--json", "--limit", "5")
        rows = self.json_lines(proc.stdout)
        self.assertEqual([r["seq"] for r in rows], self.all_seqs()[:5])
        self.assertIn("--after %d" % self.all_seqs()[4], proc.stderr)
        proc = self.ok("query", "--operator", "--json", "--limit", "5",
                       "--after", str(self.all_seqs()[4]))
        self.assertEqual([r["seq"] for r in self.json_lines(proc.stdout)],
                         self.all_seqs()[5:10])

    def test_query_filters(self):
        """The client's filters reach the API, amber+strict included."""
        proc = self.ok("query", "--operator", "--json", "--all",
                       "--tlp", "amber+strict")
        self.assertEqual([r["seq"] for r in self.json_lines(proc.stdout)],
                         self.where(lambda s: s["report"]["tlp"] ==
                                    "amber+strict"))
        proc = self.ok("query", "--operator", "--json", "--all",
                       "--code", "intrusions/", "--sender", "ID",
                       "--min-severity", "medium")
        self.assertEqual(
            [r["seq"] for r in self.json_lines(proc.stdout)],
            self.seqs("code=intrusions/&sender=ID&min_severity=medium"))
        g1, g2 = self.group_start(1), self.group_start(2)
        proc = self.ok("query", "--operator", "--json", "--all",
                       "--since", g1, "--until", g2)
        self.assertEqual([r["seq"] for r in self.json_lines(proc.stdout)],
                         self.where(lambda s: s["group"] == 1))

    def test_query_table(self):
        """The table has a row per report with its seq, sender, code and
        title."""
        proc = self.ok("query", "--operator", "--all")
        rows = [l for l in proc.stdout.splitlines()[1:] if l.strip()]
        self.assertEqual(len(rows), 16, proc.stdout)
        for row, sent in zip(rows, self.sent):
            with self.subTest(seq=sent["seq"]):
                words = row.split()
                self.assertEqual(words[0], str(sent["seq"]))
                self.assertIn(sent["sender"], words)
                self.assertIn(sent["report"]["code"], words)
                self.assertIn(sent["report"]["tlp"], words)
                self.assertTrue(row.endswith(sent["report"]["title"]), row)

    def test_bad_parameter(self):
        """A value the hub refuses gives a non-zero exit and its message."""
        proc = self.kentongan("query", "--operator", "--tlp", "purple")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("tlp", proc.stderr)

    def test_member_certificate(self):
        """A member's certificate on the operator port: non-zero exit and a
        message on stderr, for each command."""
        for args in (("members",), ("stats",), ("query", "--operator")):
            with self.subTest(args=args):
                proc = self.kentongan(*args, name="SG")
                self.assertNotEqual(proc.returncode, 0)
                self.assertRegex(proc.stderr, r"kentongan: \S")


if __name__ == "__main__":
    unittest.main()
