"""Alerts (SPEC sections 5, 6 and 7): who receives a report and with which
tier, subscription filters, acknowledgement, replay across disconnects and
restarts, the replay/live seam, and a subscriber that stops reading."""

import datetime
import json
import re
import signal
import socket
import ssl
import threading
import unittest

import hub
import pki
from hub import Hub, make_report, report_msg, try_session

# Generous limits for waiting, never for judging.
ALERT_TIMEOUT = 30.0
BULK_TIMEOUT = 120.0

# SPEC section 13: every alert carries the chain of its ledger entry.
ALERT_KEYS = {"type", "seq", "sender", "received_at", "tier", "chain",
              "report"}
RFC3339_UTC = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$")

# Who is entitled to a report from ID, by TLP, with the core registry and
# agreements (ID-SG amber, ID-MY red): member -> tier.
FROM_ID = {
    "clear": {"SG": "regional", "MY": "regional", "TH": "regional",
              "APCERT": "global"},
    "green": {"SG": "regional", "MY": "regional", "TH": "regional"},
    "amber": {"SG": "bilateral", "MY": "bilateral"},
    "amber+strict": {"MY": "bilateral"},
    "red": {"MY": "bilateral"},
}
# The parties that can subscribe on the member listener.
LISTENERS = ("ID", "SG", "MY", "TH", "APCERT")


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


def big_report(i, size=16000):
    """A green report with a description of size bytes."""
    text = ("%05d " % i) * (size // 6 + 1)
    return make_report(title="Bulk alert %d" % i, description=text[:size])


class SmallWindowClient(hub.Client):
    """A member-protocol client whose socket has a small receive buffer, so
    that a hub writing to it fills its own buffers quickly."""

    def __init__(self, port, name, rcvbuf=4096):
        p = pki.get()
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(p.ca_cert)
        ctx.load_cert_chain(p.cert(name), p.key(name))
        self.name = name
        self.buf = b""
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            raw.settimeout(hub.READ_TIMEOUT)
            raw.connect(("127.0.0.1", port))
            self.sock = ctx.wrap_socket(raw, server_hostname="localhost")
        except BaseException:
            raw.close()
            raise
        self.sock.settimeout(hub.READ_TIMEOUT)


class FanoutTestCase(unittest.TestCase):
    """Each test has a hub of its own, with the core registry."""

    hub_settings = {"report_rate": "0 0"}

    def setUp(self):
        self.hub = Hub(settings=self.hub_settings)
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

    # -- connections --------------------------------------------------

    def connect(self, name="ID"):
        c = self.hub.connect(name)
        self.addCleanup(c.close)
        return c

    def subscribe(self, c, ref=None, expect_from=None, **fields):
        """Send a subscribe and return its subscribed reply."""
        msg = {"type": "subscribe"}
        msg.update(fields)
        if ref is not None:
            msg["ref"] = ref
        reply = c.request(msg)
        self.assertEqual(reply.get("type"), "subscribed", reply)
        self.assertIsInstance(reply.get("from"), int, reply)
        self.assertNotIsInstance(reply.get("from"), bool, reply)
        if expect_from is not None:
            self.assertEqual(reply["from"], expect_from, reply)
        if ref is not None:
            self.assertEqual(reply.get("ref"), ref, reply)
        return reply

    def subscriber(self, name, **fields):
        """A new connection of name, subscribed."""
        c = self.connect(name)
        self.subscribe(c, **fields)
        return c

    # -- publishing ---------------------------------------------------

    def publish(self, client, reports, chunk=50):
        """Send reports (in chunks, pipelined); return their accepted seqs
        in the order sent."""
        seqs = {}
        for i in range(0, len(reports), chunk):
            part = reports[i:i + chunk]
            client.send_raw(b"".join(
                json.dumps(report_msg(r), ensure_ascii=False)
                .encode("utf-8") + b"\n" for r in part))
            for _ in part:
                m = client.recv(timeout=ALERT_TIMEOUT)
                self.assertEqual(m.get("type"), "accepted", m)
                self.assertIs(m.get("duplicate"), False, m)
                seqs[m["id"]] = m["seq"]
        return [seqs[r["id"]] for r in reports]

    def publish_one(self, client, report, recipients=None):
        reply = client.request(report_msg(report))
        self.assertEqual(reply.get("type"), "accepted", reply)
        self.assertEqual(reply.get("id"), report["id"], reply)
        self.assertIs(reply.get("duplicate"), False, reply)
        if recipients is not None:
            self.assertEqual(reply.get("recipients"), recipients, reply)
        return reply["seq"]

    # -- receiving ----------------------------------------------------

    def next_alert(self, c, timeout=ALERT_TIMEOUT):
        m = c.recv(timeout=timeout)
        self.assertEqual(m.get("type"), "alert", m)
        return m

    def alerts(self, c, n, timeout=ALERT_TIMEOUT):
        """The next n messages of c, each an alert."""
        return [self.next_alert(c, timeout) for _ in range(n)]

    def assertQuiet(self, c, ref="quiet"):
        """Nothing is pending for c: a ping is answered by the pong. Used
        after every alert that could come has had its chance: the reports
        were accepted and the expected alerts have arrived."""
        self.assertEqual(c.ping(ref), {"type": "pong", "ref": ref})

    def assertAlert(self, msg, seq, sender, tier, report):
        """msg is the alert of report (as sent) with this seq, sender and
        tier."""
        self.assertEqual(set(msg), ALERT_KEYS, msg)
        self.assertEqual(msg["type"], "alert", msg)
        self.assertEqual(msg["seq"], seq, msg)
        self.assertEqual(msg["sender"], sender, msg)
        self.assertEqual(msg["tier"], tier, msg)
        self.assertEqual(msg["report"], report, msg)
        self.assertIsInstance(msg["received_at"], str, msg)
        self.assertRegex(msg["received_at"], RFC3339_UTC)

    def ack(self, c, seq):
        """Acknowledge up to seq; an ack has no answer, so a ping follows
        to know it was handled."""
        c.send({"type": "ack", "seq": seq})
        self.assertEqual(c.ping("after-ack"),
                         {"type": "pong", "ref": "after-ack"})

    def assertError(self, reply, error, ref=None):
        self.assertEqual(reply.get("type"), "error", reply)
        self.assertEqual(reply.get("error"), error, reply)
        self.assertIsInstance(reply.get("message"), str, reply)
        self.assertTrue(reply["message"], reply)
        if ref is not None:
            self.assertEqual(reply.get("ref"), ref, reply)

    def restart(self, how):
        if how == "term":
            self.assertEqual(self.hub.stop(signal.SIGTERM), 0,
                             self.hub.stderr_tail())
        else:
            self.hub.kill()
        self.hub.start()


class Policy(FanoutTestCase):
    """The sharing policy end to end: who receives, with which tier."""

    def check_from_id(self, tlp, **fields):
        subs = {name: self.subscriber(name) for name in LISTENERS}
        second_id = self.subscriber("ID")
        sender = self.connect("ID")
        report = make_report(tlp=tlp, **fields)
        expected = FROM_ID[tlp]
        seq = self.publish_one(sender, report, recipients=len(expected))
        for name, tier in sorted(expected.items()):
            with self.subTest(receiver=name):
                self.assertAlert(self.next_alert(subs[name]), seq, "ID",
                                 tier, report)
        for name in LISTENERS:
            with self.subTest(quiet=name):
                self.assertQuiet(subs[name])
        self.assertQuiet(second_id)

    def test_clear_from_member(self):
        """clear from ID: every member (regional) and the partner
        (global)."""
        self.check_from_id("clear")

    def test_green_from_member(self):
        """green from ID: the members (regional), not the partner."""
        self.check_from_id("green")

    def test_amber_from_member(self):
        """amber from ID: only SG and MY, through their agreements."""
        self.check_from_id("amber")

    def test_amber_strict_from_member(self):
        """amber+strict from ID: only MY (agreement up to red)."""
        self.check_from_id("amber+strict")

    def test_red_from_member(self):
        """red from ID to MY: only MY, bilateral."""
        self.check_from_id("red", recipients=["MY"])

    def test_agreement_is_symmetric(self):
        """amber from SG reaches ID through the ID-SG agreement, and no
        one else."""
        subs = {name: self.subscriber(name) for name in LISTENERS}
        report = make_report(tlp="amber", code="availability/ddos")
        seq = self.publish_one(self.connect("SG"), report, recipients=1)
        self.assertAlert(self.next_alert(subs["ID"]), seq, "SG",
                         "bilateral", report)
        for name in LISTENERS:
            self.assertQuiet(subs[name])

    def test_named_recipients_narrow(self):
        """green from ID named to TH and SG: only those two, regional."""
        subs = {name: self.subscriber(name) for name in LISTENERS}
        report = make_report(tlp="green", recipients=["TH", "SG"])
        seq = self.publish_one(self.connect("ID"), report, recipients=2)
        for name in ("SG", "TH"):
            self.assertAlert(self.next_alert(subs[name]), seq, "ID",
                             "regional", report)
        for name in LISTENERS:
            self.assertQuiet(subs[name])

    def test_partner_clear_is_global(self):
        """clear from the partner reaches every member, tier global."""
        subs = {name: self.subscriber(name) for name in LISTENERS}
        report = make_report(tlp="clear", code="malicious-code/c2-server")
        seq = self.publish_one(self.connect("APCERT"), report, recipients=4)
        for name in ("ID", "SG", "MY", "TH"):
            self.assertAlert(self.next_alert(subs[name]), seq, "APCERT",
                             "global", report)
        for name in LISTENERS:
            self.assertQuiet(subs[name])

    def test_partner_green_reaches_no_one(self):
        """green from the partner: no party is entitled (no agreement)."""
        subs = {name: self.subscriber(name) for name in LISTENERS}
        self.publish_one(self.connect("APCERT"), make_report(tlp="green"),
                         recipients=0)
        for name in LISTENERS:
            self.assertQuiet(subs[name])

    def test_partner_receives_clear_only(self):
        """The partner gets clear reports of members through global and
        nothing above clear."""
        apcert = self.subscriber("APCERT")
        sender = self.connect("TH")
        reports = [make_report(tlp=t) for t in
                   ("green", "clear", "amber", "clear")]
        seqs = self.publish(sender, reports)
        self.assertAlert(self.next_alert(apcert), seqs[1], "TH", "global",
                         reports[1])
        self.assertAlert(self.next_alert(apcert), seqs[3], "TH", "global",
                         reports[3])
        self.assertQuiet(apcert)

    def test_recipients_fixed_at_acceptance(self):
        """A reload that changes agreements changes who receives new
        reports only: the stored recipient set of an earlier report
        stands, for replay and for query."""
        sender = self.connect("ID")
        r1 = make_report(tlp="amber", title="Before the reload")
        s1 = self.publish_one(sender, r1, recipients=2)
        self.hub.agreements = ["agreement ID MY max_tlp=red",
                               "agreement ID TH max_tlp=amber"]
        self.hub.write_conf()
        self.hub.send_signal(signal.SIGHUP)
        self.assertIsNotNone(self.hub.wait_stderr(
            lambda text: "reloaded" in text, timeout=ALERT_TIMEOUT),
            self.hub.stderr_tail())
        r2 = make_report(tlp="amber", title="After the reload")
        s2 = self.publish_one(sender, r2, recipients=2)
        sg = self.subscriber("SG", since=0)
        self.assertAlert(self.next_alert(sg), s1, "ID", "bilateral", r1)
        self.assertQuiet(sg)
        th = self.subscriber("TH", since=0)
        self.assertAlert(self.next_alert(th), s2, "ID", "bilateral", r2)
        self.assertQuiet(th)
        my = self.subscriber("MY", since=0)
        self.assertAlert(self.next_alert(my), s1, "ID", "bilateral", r1)
        self.assertAlert(self.next_alert(my), s2, "ID", "bilateral", r2)
        self.assertQuiet(my)
        for name, seqs in (("SG", [s1]), ("TH", [s2]), ("MY", [s1, s2])):
            reply = self.connect(name).request({"type": "query",
                                                "ref": name})
            self.assertEqual(reply.get("type"), "result", reply)
            self.assertEqual([(a["seq"], a["tier"])
                              for a in reply["alerts"]],
                             [(s, "bilateral") for s in seqs], reply)

    def test_operator_cannot_connect(self):
        """An operator certificate is refused on the member listener, and
        an operator is never counted as a recipient."""
        outcome, why = try_session(self.hub.port, "OPS")
        self.assertEqual(outcome, "refused", why)
        self.publish_one(self.connect("ID"), make_report(tlp="clear"),
                         recipients=4)

    def test_sender_not_sent_its_own(self):
        """The sender's own subscribed connections get no alert of its
        report, at any TLP."""
        own = [self.subscriber("ID"), self.subscriber("ID")]
        sg = self.subscriber("SG")
        sender = self.connect("ID")
        report = make_report(tlp="clear")
        seq = self.publish_one(sender, report)
        self.assertAlert(self.next_alert(sg), seq, "ID", "regional", report)
        for c in own:
            self.assertQuiet(c)
        # The sending connection itself, subscribed, gets nothing either.
        self.subscribe(sender)
        self.publish_one(sender, make_report(tlp="green"))
        self.next_alert(sg)
        self.assertQuiet(sender)
        for c in own:
            self.assertQuiet(c)

    def test_refusals_reach_no_one(self):
        """Refused reports, duplicates and id conflicts give no alert to
        anyone."""
        subs = {name: self.subscriber(name) for name in LISTENERS}
        sender = self.connect("ID")
        refused = [
            (make_report(severity="urgent"), "invalid_field",
             "report.severity"),
            (make_report(tlp="red"), "recipients_required",
             "report.recipients"),
            (make_report(tlp="red", recipients=["SG"]),
             "recipient_not_permitted", "report.recipients[0]"),
            (make_report(tlp="amber", recipients=["TH"]),
             "recipient_not_permitted", "report.recipients[0]"),
            (make_report(tlp="green", recipients=["SG", "XX"]),
             "unknown_recipient", "report.recipients[1]"),
            (make_report(tlp="clear", recipients=["ID"]),
             "recipient_not_permitted", "report.recipients[0]"),
            (make_report(tlp="clear", recipients=["OPS"]),
             "recipient_not_permitted", "report.recipients[0]"),
            (make_report(tlp="clear", priority="p1"), "unknown_field",
             "report.priority"),
        ]
        for report, error, field in refused:
            with self.subTest(error=error, field=field):
                reply = sender.request(report_msg(report))
                self.assertEqual(reply.get("type"), "rejected", reply)
                self.assertEqual(reply.get("error"), error, reply)
                self.assertEqual(reply.get("field"), field, reply)
        first = make_report(tlp="clear")
        seq = self.publish_one(sender, first, recipients=4)
        dup = sender.request(report_msg(first))
        self.assertEqual(dup.get("type"), "accepted", dup)
        self.assertIs(dup.get("duplicate"), True, dup)
        self.assertEqual(dup.get("seq"), seq, dup)
        conflict = sender.request(report_msg(dict(first, title="Changed")))
        self.assertEqual(conflict.get("type"), "rejected", conflict)
        self.assertEqual(conflict.get("error"), "id_conflict", conflict)
        for name, tier in FROM_ID["clear"].items():
            self.assertAlert(self.next_alert(subs[name]), seq, "ID", tier,
                             first)
        for name in LISTENERS:
            self.assertQuiet(subs[name])


class AlertContent(FanoutTestCase):
    """What an alert carries."""

    def test_report_exactly_as_sent(self):
        """The alert's report has the same keys and values as sent, and
        received_at is the hub's receive time in RFC 3339 UTC."""
        observed = (datetime.datetime.now(datetime.timezone.utc) -
                    datetime.timedelta(hours=2))
        report = {
            "id": hub.new_id(),
            "code": "intrusions/system-compromise",
            "severity": "critical",
            "tlp": "amber",
            "title": "Web shell pada portal kementerian \u2014 \u00fcber",
            "description": "Line one\nline two\t\"quoted\" \\ "
                           "\u65e5\u672c \U0001F6A8 </script>",
            "observed_at": observed.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
            "indicators": [
                {"type": "ipv4", "value": "203.0.113.7"},
                {"type": "domain", "value": "portal.example.go.id"},
                {"type": "url",
                 "value": "https://portal.example.go.id/up/shell.php?a=1&b=2"},
                {"type": "sha256",
                 "value": "e3b0c44298fc1c149afbf4c8996fb924"
                          "27ae41e4649b934ca495991b7852b855"},
                {"type": "cve", "value": "CVE-2021-44228"},
            ],
            "sectors": ["government", "finance"],
            "recipients": ["SG", "MY"],
        }
        sg = self.subscriber("SG")
        my = self.subscriber("MY")
        before = datetime.datetime.now(datetime.timezone.utc)
        seq = self.publish_one(self.connect("ID"), report, recipients=2)
        after = datetime.datetime.now(datetime.timezone.utc)
        got = []
        for c in (sg, my):
            m = self.next_alert(c)
            got.append(m)
            self.assertAlert(m, seq, "ID", "bilateral", report)
            # Nothing reordered either.
            self.assertEqual(list(m["report"]), list(report), m)
            when = parse_utc(m["received_at"])
            # The clock of this machine, within a wide margin.
            self.assertGreaterEqual(when, before - datetime.timedelta(
                seconds=60), m)
            self.assertLessEqual(when, after + datetime.timedelta(
                seconds=60), m)
            self.assertQuiet(c)
        # One receive time for the report, whoever gets it.
        self.assertEqual(got[0], got[1])

    def test_same_alert_for_every_recipient(self):
        """Two recipients of one tier receive identical alerts, with the
        seq of the acceptance, in seq order."""
        sg = self.subscriber("SG")
        th = self.subscriber("TH")
        sender = self.connect("ID")
        reports = [make_report(title="Alert %d" % i) for i in range(5)]
        seqs = self.publish(sender, reports)
        self.assertEqual(seqs, sorted(set(seqs)))
        got_sg = self.alerts(sg, 5)
        got_th = self.alerts(th, 5)
        self.assertEqual(got_sg, got_th)
        for m, seq, r in zip(got_sg, seqs, reports):
            self.assertAlert(m, seq, "ID", "regional", r)
        self.assertQuiet(sg)


class Filters(FanoutTestCase):
    """Subscription filters narrow what a connection is sent."""

    REPORTS = [
        ("intrusions/system-compromise", "high"),
        ("availability/ddos", "medium"),
        ("availability/dos", "critical"),
        ("intrusion-attempts/exploit", "high"),
        ("availability/ddos", "info"),
        ("intrusions/burglary", "low"),
        ("test/test", "critical"),
    ]

    def run_filter(self, filt, wanted):
        """SG subscribes with filt; ID sends REPORTS; SG must receive
        exactly the reports at the indexes wanted, in order, while an
        unfiltered SG connection receives all of them. The same filter
        applies to a replay of the stored alerts."""
        filtered = self.subscriber("SG", filter=filt)
        everything = self.subscriber("SG")
        reports = [make_report(code=c, severity=s) for c, s in self.REPORTS]
        seqs = self.publish(self.connect("ID"), reports)
        for i, m in enumerate(self.alerts(everything, len(reports))):
            self.assertAlert(m, seqs[i], "ID", "regional", reports[i])
        replayed = self.subscriber("SG", filter=filt, since=0)
        for c in (filtered, replayed):
            for i in wanted:
                self.assertAlert(self.next_alert(c), seqs[i], "ID",
                                 "regional", reports[i])
            self.assertQuiet(c)
        self.assertQuiet(everything)

    def test_exact_code(self):
        """An exact code lets only that code through."""
        self.run_filter({"codes": ["availability/ddos"]}, [1, 4])

    def test_class_prefix(self):
        """A class prefix lets its class through, not a class that only
        starts with the same letters."""
        self.run_filter({"codes": ["intrusions/"]}, [0, 5])

    def test_several_codes(self):
        """Several codes: any of them."""
        self.run_filter({"codes": ["intrusion-attempts/", "test/test",
                                   "availability/dos"]}, [2, 3, 6])

    def test_min_severity(self):
        """min_severity lets that level and above through."""
        self.run_filter({"min_severity": "high"}, [0, 2, 3, 6])

    def test_codes_and_severity(self):
        """Codes and min_severity must both pass."""
        self.run_filter({"codes": ["availability/"],
                         "min_severity": "medium"}, [1, 2])

    def test_empty_filter(self):
        """An empty filter and empty codes let everything through."""
        self.run_filter({"codes": []}, list(range(len(self.REPORTS))))

    def test_filter_never_widens(self):
        """A filter that matches everything gives no alert the member is
        not entitled to."""
        wide = {"codes": ["intrusions/", "availability/", "test/"],
                "min_severity": "info"}
        th = self.subscriber("TH", filter=wide)
        apcert = self.subscriber("APCERT", filter=wide)
        sg = self.subscriber("SG", filter=wide)
        sender = self.connect("ID")
        reports = [make_report(tlp="amber"),
                   make_report(tlp="red", recipients=["MY"],
                               code="availability/ddos"),
                   make_report(tlp="amber+strict", code="test/test"),
                   make_report(tlp="green", recipients=["MY"])]
        seqs = self.publish(sender, reports)
        self.assertAlert(self.next_alert(sg), seqs[0], "ID", "bilateral",
                         reports[0])
        for c in (th, apcert, sg):
            self.assertQuiet(c)

    def test_resubscribe_replaces_filter(self):
        """Subscribing again on a connection replaces its filter (and its
        position)."""
        c = self.subscriber("SG", filter={"codes": ["test/test"]})
        sender = self.connect("ID")
        r1 = make_report(code="availability/ddos")
        s1 = self.publish_one(sender, r1)
        self.assertQuiet(c)
        self.subscribe(c, filter={"codes": ["availability/"]}, since=0,
                       expect_from=0)
        self.assertAlert(self.next_alert(c), s1, "ID", "regional", r1)
        r2 = make_report(code="test/test")
        self.publish_one(sender, r2)
        self.assertQuiet(c)

    def test_subscribe_errors(self):
        """A bad subscribe gets an error with its code and ref, does not
        subscribe, and leaves the connection usable."""
        c = self.connect("SG")
        cases = [
            ({"filter": {"codes": ["nope/"]}}, "unknown_code"),
            ({"filter": {"codes": ["intrusions"]}}, "unknown_code"),
            ({"filter": {"codes": ["intrusions/nothing"]}}, "unknown_code"),
            ({"filter": {"codes": [7]}}, "invalid_field"),
            ({"filter": {"codes": "intrusions/"}}, "invalid_field"),
            ({"filter": {"min_severity": "urgent"}}, "invalid_field"),
            ({"filter": []}, "invalid_field"),
            ({"filter": {"code": ["intrusions/"]}}, "unknown_field"),
            ({"since": -1}, "invalid_field"),
            ({"since": "0"}, "invalid_field"),
            ({"since": 1000}, "invalid_field"),
            ({"from": 0}, "unknown_field"),
        ]
        for i, (fields, error) in enumerate(cases):
            with self.subTest(fields=fields):
                msg = {"type": "subscribe", "ref": "s%d" % i}
                msg.update(fields)
                self.assertError(c.request(msg), error, ref="s%d" % i)
        # Still not subscribed: an ack is refused, and no alert comes.
        self.assertError(c.request({"type": "ack", "seq": 0, "ref": "a"}),
                         "not_subscribed", ref="a")
        self.publish_one(self.connect("ID"), make_report())
        self.assertQuiet(c)


class Delivery(FanoutTestCase):
    """At least once, in order, per member, across disconnects."""

    def test_two_connections_both_receive(self):
        """Both subscribed connections of one member receive each alert."""
        a = self.subscriber("SG")
        b = self.subscriber("SG")
        unsubscribed = self.connect("SG")
        reports = [make_report() for _ in range(3)]
        seqs = self.publish(self.connect("ID"), reports)
        for c in (a, b):
            for m, seq, r in zip(self.alerts(c, 3), seqs, reports):
                self.assertAlert(m, seq, "ID", "regional", r)
            self.assertQuiet(c)
        self.assertQuiet(unsubscribed)

    def test_offline_member_gets_missed_alerts(self):
        """Alerts sent while a member was offline arrive in order when it
        subscribes."""
        sender = self.connect("ID")
        reports = [make_report(title="Missed %d" % i) for i in range(6)]
        seqs = self.publish(sender, reports)
        sg = self.connect("SG")
        self.subscribe(sg, ref="sub-1", expect_from=0)
        for m, seq, r in zip(self.alerts(sg, 6), seqs, reports):
            self.assertAlert(m, seq, "ID", "regional", r)
        self.assertQuiet(sg)
        # And live ones follow.
        r = make_report()
        seq = self.publish_one(sender, r)
        self.assertAlert(self.next_alert(sg), seq, "ID", "regional", r)

    def test_acked_not_sent_again(self):
        """After an ack and a reconnect, only the unacknowledged alerts
        come, starting after the acknowledged position."""
        sender = self.connect("ID")
        reports = [make_report() for _ in range(5)]
        seqs = self.publish(sender, reports)
        sg = self.subscriber("SG")
        self.alerts(sg, 5)
        self.ack(sg, seqs[2])
        sg.close()
        sg2 = self.connect("SG")
        self.subscribe(sg2, expect_from=seqs[2])
        for m, seq, r in zip(self.alerts(sg2, 2), seqs[3:], reports[3:]):
            self.assertAlert(m, seq, "ID", "regional", r)
        self.assertQuiet(sg2)

    def test_ack_is_per_member(self):
        """An ack on one connection moves the member's position for its
        other connections' next subscribe, not another member's."""
        sender = self.connect("ID")
        seqs = self.publish(sender, [make_report() for _ in range(4)])
        a = self.subscriber("SG")
        self.alerts(a, 4)
        self.ack(a, seqs[3])
        b = self.connect("SG")
        self.subscribe(b, expect_from=seqs[3])
        self.assertQuiet(b)
        th = self.connect("TH")
        self.subscribe(th, expect_from=0)
        self.assertEqual([m["seq"] for m in self.alerts(th, 4)], seqs)

    def test_ack_never_moves_back(self):
        """An ack below the acknowledged position changes nothing."""
        sender = self.connect("ID")
        seqs = self.publish(sender, [make_report() for _ in range(4)])
        a = self.subscriber("SG")
        self.alerts(a, 4)
        self.ack(a, seqs[2])
        self.ack(a, seqs[0])
        self.ack(a, 0)
        b = self.connect("SG")
        self.subscribe(b, expect_from=seqs[2])
        self.assertEqual(self.next_alert(b)["seq"], seqs[3])
        self.assertQuiet(b)

    def test_since_replays(self):
        """since replays from that seq, acknowledged alerts included."""
        sender = self.connect("ID")
        reports = [make_report() for _ in range(5)]
        seqs = self.publish(sender, reports)
        sg = self.subscriber("SG")
        self.alerts(sg, 5)
        self.ack(sg, seqs[4])
        c = self.connect("SG")
        self.subscribe(c, ref="\u00e9" * 32, since=seqs[1],
                       expect_from=seqs[1])
        for m, seq, r in zip(self.alerts(c, 3), seqs[2:], reports[2:]):
            self.assertAlert(m, seq, "ID", "regional", r)
        self.assertQuiet(c)
        d = self.connect("SG")
        self.subscribe(d, since=0, expect_from=0)
        for m, seq, r in zip(self.alerts(d, 5), seqs, reports):
            self.assertAlert(m, seq, "ID", "regional", r)
        self.assertQuiet(d)
        # The last seq itself is a valid since: nothing to replay.
        e = self.connect("SG")
        self.subscribe(e, since=seqs[4], expect_from=seqs[4])
        self.assertQuiet(e)
        # Without since, the acknowledged position.
        f = self.connect("SG")
        self.subscribe(f, expect_from=seqs[4])
        self.assertQuiet(f)

    def test_since_beyond_last(self):
        """since greater than the last seq is invalid_field."""
        seqs = self.publish(self.connect("ID"), [make_report()])
        c = self.connect("SG")
        self.assertError(c.request({"type": "subscribe", "ref": "s1",
                                    "since": seqs[0] + 1}),
                         "invalid_field", ref="s1")
        self.assertQuiet(c)

    def test_errors_keep_the_hubs_last_seq(self):
        """A since or an ack past the end is refused without telling the
        member the hub's last seq, which counts reports it may not see."""
        seqs = self.publish(self.connect("ID"),
                            [make_report(tlp="amber+strict")
                             for _ in range(37)])
        last = str(seqs[-1])
        self.assertEqual(last, "37")
        c = self.connect("TH")
        reply = c.request({"type": "subscribe", "ref": "s1",
                           "since": 1000000})
        self.assertError(reply, "invalid_field", ref="s1")
        self.assertNotIn(last, reply["message"], reply)
        self.assertEqual(reply["message"], "since: since 1000000 is past "
                         "the last alert sent to this member")
        self.subscribe(c)
        reply = c.request({"type": "ack", "ref": "a1", "seq": 1000000})
        self.assertError(reply, "invalid_field", ref="a1")
        self.assertNotIn(last, reply["message"], reply)
        self.assertEqual(reply["message"],
                         "seq: seq 1000000 was never sent to this member")
        self.assertQuiet(c)

    def test_since_on_another_members_alerts(self):
        """since replays only what the member is entitled to."""
        sender = self.connect("ID")
        reports = [make_report(tlp="amber+strict"),
                   make_report(tlp="green"),
                   make_report(tlp="red", recipients=["MY"]),
                   make_report(tlp="amber")]
        seqs = self.publish(sender, reports)
        th = self.connect("TH")
        self.subscribe(th, since=0, expect_from=0)
        self.assertAlert(self.next_alert(th), seqs[1], "ID", "regional",
                         reports[1])
        self.assertQuiet(th)
        sg = self.connect("SG")
        self.subscribe(sg, since=0, expect_from=0)
        self.assertAlert(self.next_alert(sg), seqs[1], "ID", "regional",
                         reports[1])
        self.assertAlert(self.next_alert(sg), seqs[3], "ID", "bilateral",
                         reports[3])
        self.assertQuiet(sg)

    def test_ack_errors(self):
        """ack without a subscription, beyond the last seq, malformed or
        with an unknown field is refused with its code and ref; a good ack
        has no answer."""
        c = self.connect("SG")
        self.assertError(c.request({"type": "ack", "seq": 0, "ref": "a1"}),
                         "not_subscribed", ref="a1")
        seqs = self.publish(self.connect("ID"), [make_report()])
        self.subscribe(c)
        self.next_alert(c)
        cases = [
            ({"seq": seqs[0] + 1}, "invalid_field"),
            ({"seq": 10 ** 12}, "invalid_field"),
            ({"seq": -1}, "invalid_field"),
            ({"seq": "1"}, "invalid_field"),
            ({"seq": 1.5}, "invalid_field"),
            ({}, "missing_field"),
            ({"seq": seqs[0], "all": True}, "unknown_field"),
        ]
        for i, (fields, error) in enumerate(cases):
            with self.subTest(fields=fields):
                msg = {"type": "ack", "ref": "a%d" % (i + 2)}
                msg.update(fields)
                self.assertError(c.request(msg), error, ref="a%d" % (i + 2))
        # None of them moved the position.
        d = self.connect("SG")
        self.subscribe(d, expect_from=0)
        self.next_alert(d)
        # A good ack, with or without ref, has no answer.
        c.send({"type": "ack", "seq": seqs[0], "ref": "ok"})
        self.assertQuiet(c)
        e = self.connect("SG")
        self.subscribe(e, expect_from=seqs[0])
        self.assertQuiet(e)


class Restart(FanoutTestCase):
    """Unacknowledged alerts survive a hub restart."""

    def check_restart(self, how):
        sender = self.connect("ID")
        reports = [make_report(title="Before %d" % i) for i in range(5)]
        seqs = self.publish(sender, reports)
        sg = self.subscriber("SG")
        before = self.alerts(sg, 5)
        self.ack(sg, seqs[1])
        sg.close()
        # More while SG is away.
        later = [make_report(title="Away %d" % i) for i in range(3)]
        seqs += self.publish(sender, later)
        reports += later
        sender.close()
        self.restart(how)
        sg = self.connect("SG")
        reply = self.subscribe(sg)
        start = reply["from"]
        if how == "term":
            # A clean stop finished writing the acknowledgement.
            self.assertEqual(start, seqs[1], reply)
        else:
            # A crash may lose an ack, never an alert.
            self.assertIn(start, [0] + seqs[:2], reply)
        wanted = [(s, r) for s, r in zip(seqs, reports) if s > start]
        got = self.alerts(sg, len(wanted))
        for m, (seq, r) in zip(got, wanted):
            self.assertAlert(m, seq, "ID", "regional", r)
        self.assertQuiet(sg)
        # Alerts sent before the restart come again unchanged.
        for old in before:
            for m in got:
                if m["seq"] == old["seq"]:
                    self.assertEqual(m, old)
        # The unacknowledged ones are all there.
        self.assertTrue(set(seqs[2:]) <= {m["seq"] for m in got})
        # And the hub goes on: new alerts are live.
        r = make_report()
        seq = self.publish_one(self.connect("ID"), r)
        self.assertGreater(seq, seqs[-1])
        self.assertAlert(self.next_alert(sg), seq, "ID", "regional", r)

    def test_unacked_survive_sigterm(self):
        """After SIGTERM and a restart, the member gets every alert after
        its acknowledged position, in order."""
        self.check_restart("term")

    def test_unacked_survive_kill(self):
        """After kill -9 and a restart, the member gets every
        unacknowledged alert, in order."""
        self.check_restart("kill")

    def test_last_seq_after_restart(self):
        """After a restart the last seq is still the last seq, even when
        its report had no recipient: since and ack may name it."""
        r = make_report()
        s1 = self.publish_one(self.connect("ID"), r, recipients=3)
        s2 = self.publish_one(self.connect("APCERT"),
                              make_report(tlp="green"), recipients=0)
        self.restart("term")
        sg = self.connect("SG")
        self.subscribe(sg, since=s2, expect_from=s2)
        self.assertQuiet(sg)
        self.subscribe(sg, since=s1 - 1, expect_from=s1 - 1)
        self.assertAlert(self.next_alert(sg), s1, "ID", "regional", r)
        self.ack(sg, s2)
        self.assertError(sg.request({"type": "ack", "seq": s2 + 1,
                                     "ref": "past"}),
                         "invalid_field", ref="past")
        other = self.connect("SG")
        self.subscribe(other, expect_from=s2)
        self.assertQuiet(other)

    def test_never_connected_member_after_kill(self):
        """A member that never connected gets every alert after kill -9."""
        sender = self.connect("ID")
        reports = [make_report(tlp="amber", title="A %d" % i)
                   for i in range(4)]
        seqs = self.publish(sender, reports)
        self.restart("kill")
        my = self.connect("MY")
        self.subscribe(my, expect_from=0)
        for m, seq, r in zip(self.alerts(my, 4), seqs, reports):
            self.assertAlert(m, seq, "ID", "bilateral", r)
        self.assertQuiet(my)


class Seam(FanoutTestCase):
    """Replay from the store meets live delivery without a gap or a
    duplicate."""

    N = 400

    def test_subscribe_while_publishing(self):
        """Connections that subscribe while reports keep arriving get every
        alert once, in order, and the same ones a query lists."""
        publisher = self.connect("ID")
        seqs, errors = [], []
        started = threading.Event()

        def publish():
            try:
                for i in range(0, self.N, 10):
                    batch = [make_report(title="Seam %d" % (i + k))
                             for k in range(10)]
                    publisher.send_raw(b"".join(
                        json.dumps(report_msg(r)).encode() + b"\n"
                        for r in batch))
                    for _ in batch:
                        m = publisher.recv(timeout=ALERT_TIMEOUT)
                        if m.get("type") != "accepted":
                            raise AssertionError("not accepted: %r" % m)
                        seqs.append(m["seq"])
                    if len(seqs) >= 40:
                        started.set()
            except BaseException as e:
                errors.append(e)
            finally:
                started.set()

        t = threading.Thread(target=publish, daemon=True)
        t.start()
        self.assertTrue(started.wait(BULK_TIMEOUT))
        subs = []
        for k in range(4):
            c = self.connect("SG")
            if k == 2:
                # From the middle of what is already stored.
                since = seqs[len(seqs) // 2]
                reply = self.subscribe(c, since=since, expect_from=since)
            else:
                reply = self.subscribe(c)
            subs.append((c, reply["from"]))
        t.join(BULK_TIMEOUT)
        self.assertFalse(t.is_alive(), "the publisher did not finish")
        self.assertEqual(errors, [])
        self.assertEqual(len(seqs), self.N)
        self.assertEqual(seqs, sorted(set(seqs)))
        last = seqs[-1]
        for c, start in subs:
            got = []
            while not got or got[-1] < last:
                m = self.next_alert(c)
                got.append(m["seq"])
                self.assertEqual(m["sender"], "ID", m)
                self.assertEqual(m["tier"], "regional", m)
            self.assertEqual(got, [s for s in seqs if s > start])
            self.assertQuiet(c)
        # The same set as the member's history.
        q = self.connect("SG")
        listed, after = [], 0
        while True:
            reply = q.request({"type": "query", "ref": "q", "after": after,
                               "limit": 1000})
            self.assertEqual(reply.get("type"), "result", reply)
            listed += [a["seq"] for a in reply["alerts"]]
            if reply["next"] is None:
                break
            after = reply["next"]
        self.assertEqual(listed, seqs)


class Stalled(FanoutTestCase):
    """A subscriber that stops reading delays no one and loses nothing."""

    N = 500

    def test_stalled_subscriber(self):
        """While an SG and an MY connection read nothing, another SG
        connection and MY get every alert; the stalled ones, once they
        read, get all theirs in order."""
        stalled = SmallWindowClient(self.hub.port, "SG")
        self.addCleanup(stalled.close)
        self.subscribe(stalled, expect_from=0)
        # Another, with a filter, that falls behind as well.
        filtered = SmallWindowClient(self.hub.port, "MY")
        self.addCleanup(filtered.close)
        self.subscribe(filtered, expect_from=0,
                       filter={"min_severity": "high"})
        readers = {"SG": self.subscriber("SG"), "MY": self.subscriber("MY")}
        received = {name: [] for name in readers}
        failures = []

        def read(name, c):
            try:
                while len(received[name]) < self.N:
                    m = c.recv(timeout=BULK_TIMEOUT)
                    if m.get("type") != "alert":
                        raise AssertionError("not an alert: %r" % m)
                    received[name].append((m["seq"], m["report"]["id"]))
            except BaseException as e:
                failures.append((name, e))

        threads = [threading.Thread(target=read, args=(n, c), daemon=True)
                   for n, c in readers.items()]
        for t in threads:
            t.start()
        reports = [big_report(i) for i in range(self.N)]
        for i in range(0, self.N, 3):
            reports[i]["severity"] = "low"
        seqs = self.publish(self.connect("ID"), reports, chunk=20)
        for t in threads:
            t.join(BULK_TIMEOUT)
            self.assertFalse(t.is_alive(), "a reader did not finish")
        self.assertEqual(failures, [])
        wanted = [(s, r["id"]) for s, r in zip(seqs, reports)]
        for name in readers:
            self.assertEqual(received[name], wanted, name)
            self.assertQuiet(readers[name])
        # The stalled connection now reads: everything, once, in order.
        got = []
        for seq, r in zip(seqs, reports):
            m = stalled.recv(timeout=BULK_TIMEOUT)
            self.assertEqual(m.get("type"), "alert", str(m)[:300])
            got.append(m["seq"])
            if m["seq"] != seq:
                break
            if m["report"] != r:
                self.fail("alert %d differs from its report" % seq)
        self.assertEqual(got, seqs)
        self.assertQuiet(stalled)
        # The filtered one gets what its filter lets through, in order.
        wanted = [(s, r) for s, r in zip(seqs, reports)
                  if r["severity"] == "high"]
        got = []
        for seq, r in wanted:
            m = filtered.recv(timeout=BULK_TIMEOUT)
            self.assertEqual(m.get("type"), "alert", str(m)[:300])
            got.append(m["seq"])
            if m["seq"] != seq:
                break
            if m["report"] != r:
                self.fail("alert %d differs from its report" % seq)
        self.assertEqual(got, [s for s, r in wanted])
        self.assertQuiet(filtered)
        # Both are live again.
        sender = self.connect("ID")
        r = make_report(severity="low")
        seq = self.publish_one(sender, r)
        self.assertAlert(self.next_alert(stalled), seq, "ID", "regional", r)
        r = make_report(severity="critical")
        seq = self.publish_one(sender, r)
        self.assertAlert(self.next_alert(stalled), seq, "ID", "regional", r)
        self.assertAlert(self.next_alert(filtered), seq, "ID", "regional", r)
        self.assertQuiet(filtered)


if __name__ == "__main__":
    unittest.main()
