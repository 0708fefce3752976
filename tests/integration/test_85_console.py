"""The operator console (SPEC section 15) over HTTPS with an operator's
certificate, read as a program reads it: every page, its security
headers, that it names nothing outside the hub, that report text is
escaped, the history's filters and pages, a report's delivery matrix and
ledger mark (which a stored report edited behind the hub's back breaks),
the statistics plots, and the /v1/events stream of new reports and
acknowledgements."""

import html.parser
import json
import re
import socket
import sqlite3
import ssl
import time
import unittest

import hub
import pki
from hub import make_report
from test_80_operator import (OwnHubTestCase, http_request, publish,
                              start_operator_hub, tls_context)

HOSTILE = "<script>alert('x')</script> & \"quotes\""
HOSTILE_URL = "https://evil.example/\"><img/src=x/onerror=alert(1)>"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; "
       "img-src 'self'; connect-src 'self'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
WAIT = 30.0


class Page(html.parser.HTMLParser):
    """What a page is made of: its elements' resource references, its
    scripts, its text, its links, its SVG plots."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.refs = []          # (tag, attribute, value)
        self.scripts = []       # inline script bodies
        self.inline_styles = 0
        self.handlers = []      # on* attributes
        self.links = []
        self.svgs = 0
        self.svg_titles = []
        self.text = []
        self.tables = {}
        self._in = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self._in.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "action", "xlink:href", "poster",
                        "data"):
                self.refs.append((tag, name, value))
            if name == "style":
                self.inline_styles += 1
            if name.startswith("on"):
                self.handlers.append((tag, name, value))
        if tag == "a":
            self.links.append(dict(attrs).get("href"))
        if tag == "svg":
            self.svgs += 1
        if tag == "tbody" and dict(attrs).get("id"):
            self.tables[dict(attrs)["id"]] = True

    def handle_endtag(self, tag):
        while self._in:
            if self._in.pop() == tag:
                break

    def handle_data(self, data):
        if self._in and self._in[-1] == "script" and data.strip():
            self.scripts.append(data)
        if "title" in self._in and "svg" in self._in:
            self.svg_titles.append(data)
        self.text.append(data)

    def all_text(self):
        return "".join(self.text)


class ConsoleCase(OwnHubTestCase):
    def page(self, target, status=200):
        r = self.get(target)
        self.assertEqual(r.status, status, "%s: %r" % (target, r.body[:300]))
        self.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8",
                         target)
        self.assertEqual(r.header("Content-Security-Policy"), CSP, target)
        self.assertEqual(r.header("X-Frame-Options"), "DENY", target)
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff",
                         target)
        text = r.body.decode("utf-8")
        page = Page(text)
        self.assertSelfContained(target, page)
        return text, page

    def assertSelfContained(self, target, page):
        """Nothing a browser would fetch from elsewhere, nothing the CSP
        would have to allow inline."""
        for tag, attr, value in page.refs:
            self.assertTrue(value.startswith("/") and
                            not value.startswith("//"),
                            "%s: <%s %s=%r> leaves the hub"
                            % (target, tag, attr, value))
        self.assertEqual(page.scripts, [], target)
        self.assertEqual(page.inline_styles, 0, target)
        self.assertEqual(page.handlers, [], target)

    def push(self, *reports, name="ID"):
        with self.hub.connect(name) as c:
            return [publish(c, r)["seq"] for r in reports]


class Pages(ConsoleCase):
    def test_every_page_and_asset(self):
        self.push(make_report(code="fraud/phishing", severity="critical"),
                  make_report(code="intrusions/system-compromise"))
        for target in ("/", "/reports", "/reports/1", "/stats",
                       "/reports?code=fraud/", "/stats?since="
                       "2020-01-01T00:00:00Z"):
            text, page = self.page(target)
            self.assertTrue(text.startswith("<!DOCTYPE html>"), target)
            self.assertIn('<a href="/stats"', text, target)
        for target, kind in (("/console.css", "text/css"),
                             ("/console.js", "text/javascript"),
                             ("/favicon.svg", "image/svg+xml")):
            r = self.get(target)
            self.assertEqual(r.status, 200, target)
            self.assertTrue(r.header("Content-Type").startswith(kind),
                            target)
            self.assertGreater(len(r.body), 100, target)
        js = self.get("/console.js").body.decode()
        # The script makes text nodes, never markup.
        self.assertNotIn("innerHTML", js)
        self.assertNotIn("eval(", js)
        self.assertIn("textContent", js)
        r = self.get("/", method="HEAD")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"")

    def test_live_page(self):
        seqs = self.push(*[make_report(code="fraud/phishing", title="r%d" % i)
                           for i in range(25)])
        self.push(make_report(code="availability/ddos", severity="low"),
                  name="SG")
        text, page = self.page("/")
        self.assertEqual(page.svgs, 2)
        titles = " ".join(page.svg_titles)
        self.assertIn("by class", titles)
        self.assertIn("by severity", titles)
        # Each class seen has a legend entry and its counts.
        self.assertIn(": 25", titles)
        self.assertIn("fraud", page.all_text())
        self.assertIn("availability", page.all_text())
        # The 20 latest, newest first.
        shown = [int(s) for s in re.findall(r'<tr data-seq="(\d+)">', text)]
        self.assertEqual(shown, list(range(seqs[-1] + 1, seqs[-1] - 19, -1)))
        self.assertIn('<tbody id="latest">', text)
        # Members with their state and backlog, peers apart.
        self.assertRegex(text, r'<tr data-member="SG"><td>SG</td>')
        self.assertIn("Peer hubs", text)
        self.assertNotIn('data-member="OPS"', text)

    def test_report_strings_are_escaped(self):
        r = make_report(title=HOSTILE, description=HOSTILE,
                        indicators=[{"type": "url", "value": HOSTILE_URL}])
        seq, = self.push(r)
        for target in ("/", "/reports", "/reports/%d" % seq):
            text, page = self.page(target)
            self.assertNotIn("<script>alert", text, target)
            self.assertNotIn("<img", text, target)
            self.assertIn("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
                          " &amp; &quot;quotes&quot;", text, target)
            self.assertIn(HOSTILE, page.all_text(), target)
        text, page = self.page("/reports/%d" % seq)
        self.assertIn(HOSTILE_URL, page.all_text())

    def test_errors_are_pages(self):
        text, _ = self.page("/reports/99", status=404)
        self.assertIn("no report has this sequence number", text)
        text, _ = self.page("/reports/abc", status=400)
        self.assertIn("/reports/SEQ", text)
        text, _ = self.page("/reports?code=nosuch/code", status=400)
        self.assertIn("nosuch/code", text)
        text, _ = self.page("/reports?colour=red", status=400)
        self.assertIn("colour", text)
        text, _ = self.page("/stats?since=yesterday", status=400)
        self.assertIn("since", text)
        text, _ = self.page("/?x=1", status=400)
        r = self.get("/reports", method="POST")
        self.assertEqual(r.status, 405)

    def test_only_operators(self):
        """A member's certificate does not open the operator listener; no
        certificate gets no page either."""
        for name in ("SG", None):
            with self.assertRaises((ssl.SSLError, ConnectionError, OSError)):
                r = http_request(self.hub.op_port, "/", name=name)
                self.fail("got %d without an operator certificate"
                          % r.status)


class History(ConsoleCase):
    def test_filters_and_pages(self):
        self.push(*[make_report(code="fraud/phishing", title="phish %d" % i,
                                severity="high") for i in range(7)])
        self.push(*[make_report(code="availability/ddos", title="ddos %d" % i,
                                severity="low") for i in range(3)])
        text, page = self.page("/reports?code=fraud/&limit=5")
        rows = re.findall(r'<tr data-seq="(\d+)">', text)
        self.assertEqual(rows, ["1", "2", "3", "4", "5"])
        self.assertNotIn("ddos", page.all_text())
        nxt = [l for l in page.links if l.startswith("/reports?after=")]
        self.assertEqual(len(nxt), 1, page.links)
        self.assertIn("code=fraud%2F", nxt[0])
        text, page = self.page(nxt[0])
        self.assertEqual(re.findall(r'<tr data-seq="(\d+)">', text),
                         ["6", "7"])
        # The form shows the filters in force.
        self.assertIn('name="code" placeholder="class/ or class/type" '
                      'value="fraud/"', text)
        text, _ = self.page("/reports?min_severity=high")
        self.assertEqual(len(re.findall(r'<tr data-seq=', text)), 7)
        text, page = self.page("/reports?sender=ZZ")
        self.assertIn("no report matches", page.all_text())


class OneReport(ConsoleCase):
    def test_delivery_matrix_and_ledger(self):
        sg = self.connect("SG")
        self.subscribe(sg)
        seq, = self.push(make_report(tlp="green"))
        self.assertEqual(self.next_alert(sg)["seq"], seq)
        self.ack(sg, seq)
        expected = {m: d for m, d in self.deliveries(seq).items()}

        def matrix():
            text, _ = self.page("/reports/%d" % seq)
            return text
        text = self.wait_for(matrix, lambda t: re.search(
            r'<tr data-member="SG"><td>SG</td><td>regional</td><td>\d{4}-',
            t) is not None)
        for member, d in expected.items():
            self.assertRegex(text, r'<tr data-member="%s"><td>%s</td><td>%s'
                             r'</td>' % (member, member, d["tier"]))
        row = re.search(r'<tr data-member="SG">(.*?)</tr>', text).group(1)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        self.assertRegex(cells[2], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$")
        self.assertRegex(cells[3], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$")
        self.assertEqual(cells[4], "signed" if expected["SG"]["signed"]
                         else "unsigned")
        other = re.search(r'<tr data-member="MY">(.*?)</tr>', text).group(1)
        self.assertEqual(re.findall(r"<td[^>]*>(.*?)</td>", other)[3], "-")
        self.assertIn('class="verified"', text)
        ledger = self.report(seq)["ledger"]
        self.assertIn(ledger["hash"], text)

    def test_tampered_report_is_not_verified(self):
        seq, = self.push(make_report(title="Original title"))
        text, _ = self.page("/reports/%d" % seq)
        self.assertIn('class="verified"', text)
        self.hub.stop()
        db = sqlite3.connect(self.hub.db_path)
        with db:
            db.execute("UPDATE reports SET body = replace(body, 'Original', "
                       "'Edited') WHERE seq = ?", (seq,))
        db.close()
        start_operator_hub(self.hub)
        text, page = self.page("/reports/%d" % seq)
        self.assertIn("Edited title", page.all_text())
        self.assertIn('class="broken"', text)
        self.assertNotIn('class="verified"', text)
        self.assertIn("changed since it was chained", text)


class Statistics(ConsoleCase):
    def test_plots(self):
        self.push(*[make_report(code="fraud/phishing") for _ in range(4)])
        self.push(make_report(code="availability/ddos", severity="critical"),
                  name="SG")
        text, page = self.page("/stats")
        self.assertEqual(page.svgs, 4)
        titles = page.svg_titles
        for want in ("Reports by day", "Reports by code",
                     "Reports by sender", "Reports by severity"):
            self.assertIn(want, titles)
        self.assertIn("fraud/phishing: 4", titles)
        self.assertIn("availability/ddos: 1", titles)
        self.assertIn("ID: 4", titles)
        self.assertIn("SG: 1", titles)
        self.assertIn("5 reports", page.all_text())
        text, page = self.page("/stats?until=2020-01-01T00:00:00Z")
        self.assertIn("0 reports", page.all_text())


class EventStream:
    """A raw /v1/events stream over TLS, read event by event."""

    def __init__(self, port, name="OPS", rcvbuf=None):
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf is not None:
            # Before connecting, so that the window stays this small.
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        raw.settimeout(WAIT)
        raw.connect(("127.0.0.1", port))
        self.sock = tls_context(name).wrap_socket(raw,
                                                  server_hostname="localhost")
        self.sock.sendall(b"GET /v1/events HTTP/1.1\r\nHost: localhost\r\n"
                          b"Accept: text/event-stream\r\n\r\n")
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {k.lower(): v for k, v in
                        (line.split(": ", 1) for line in lines[1:])}

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("the stream ended")
        self.buf += chunk

    def next(self, kind=None):
        """The next event (of kind): (event, id, data as JSON)."""
        while True:
            while b"\n\n" not in self.buf:
                self._fill()
            block, self.buf = self.buf.split(b"\n\n", 1)
            fields = {}
            for line in block.decode().split("\n"):
                if line.startswith(":") or ":" not in line:
                    continue
                k, v = line.split(":", 1)
                fields[k] = v[1:] if v.startswith(" ") else v
            if "event" not in fields:
                continue
            if kind is None or fields["event"] == kind:
                return (fields["event"], fields.get("id"),
                        json.loads(fields["data"]))

    def close(self):
        self.sock.close()


class Events(ConsoleCase):
    def test_reports_and_acks_stream(self):
        stream = EventStream(self.hub.op_port)
        self.addCleanup(stream.close)
        self.assertEqual(stream.status, 200)
        self.assertTrue(stream.headers["content-type"].startswith(
            "text/event-stream"))
        self.assertEqual(stream.headers["cache-control"], "no-store")
        self.assertNotIn("content-length", stream.headers)
        sg = self.connect("SG")
        self.subscribe(sg)
        r = make_report(title=HOSTILE, code="fraud/phishing", tlp="amber",
                        severity="critical")
        seq, = self.push(r)
        event, eid, data = stream.next("report")
        self.assertEqual(eid, str(seq))
        self.assertEqual(data["seq"], seq)
        self.assertEqual(data["title"], HOSTILE)
        self.assertEqual(data["code"], "fraud/phishing")
        self.assertEqual(data["tlp"], "amber")
        self.assertEqual(data["severity"], "critical")
        self.assertEqual(data["sender"], "ID")
        self.assertFalse(data["forwarded"])
        self.assertEqual(self.next_alert(sg)["seq"], seq)
        self.ack(sg, seq)
        event, _, data = stream.next("ack")
        self.assertEqual(data, {"member": "SG", "seq": seq,
                                "signed": data["signed"]})
        # Two streams each get every report.
        second = EventStream(self.hub.op_port)
        self.addCleanup(second.close)
        seq2, = self.push(make_report())
        self.assertEqual(stream.next("report")[2]["seq"], seq2)
        self.assertEqual(second.next("report")[2]["seq"], seq2)

    def test_stream_that_does_not_read_is_closed(self):
        """A stream whose reader stops is closed once the hub holds too
        much for it, rather than buffered without end; members lose
        nothing, and another stream keeps its events."""
        deaf = EventStream(self.hub.op_port, rcvbuf=4096)
        self.addCleanup(deaf.close)
        sg = self.connect("SG")
        self.subscribe(sg)
        long_title = "A title long enough to fill the stream quickly " * 4
        n = 0

        def closed():
            return "event stream not read" in self.hub.stderr_text()
        with self.hub.connect("ID") as c:
            while not closed() and n < 20000:
                for _ in range(200):
                    publish(c, make_report(title=long_title))
                n += 200
        self.assertTrue(self.wait_for(closed, bool),
                        "the deaf stream was never closed")
        self.assertTrue(self.hub.alive())
        seen = 0
        while seen < n:
            alert = self.next_alert(sg)
            seen += 1
        self.assertEqual(alert["seq"], n)
        live = EventStream(self.hub.op_port)
        self.addCleanup(live.close)
        seq, = self.push(make_report())
        self.assertEqual(live.next("report")[2]["seq"], seq)

    def test_stream_takes_no_parameters_and_no_members(self):
        r = self.get("/v1/events?since=3")
        self.assertApiError(r, 400, "unknown_field")
        with self.assertRaises((ssl.SSLError, ConnectionError, OSError)):
            EventStream(self.hub.op_port, name="SG")


if __name__ == "__main__":
    unittest.main()
