"""The operator console in a real browser (SPEC section 15): Debian's
headless Chromium with an operator's certificate loads every page with no
console error, no blocked resource and no request leaving the hub; the
live view adds a pushed report as it arrives over Server-Sent Events,
escaped; a browser without an operator certificate gets nothing.
Screenshots of each page go to $KENTONGAN_SCREENSHOTS (default
./screenshots, beside the test logs)."""

import os
import unittest

import browser
import pki
from hub import make_report
from test_80_operator import operator_hub, publish, start_operator_hub

HOSTILE = "<img src=x onerror=alert(1)> \"phish\" & <script>bad()</script>"
SHOTS = os.environ.get("KENTONGAN_SCREENSHOTS",
                       os.path.join(os.getcwd(), "screenshots"))
WHY_NOT = browser.available()


@unittest.skipIf(WHY_NOT is not None, "no browser test: %s" % WHY_NOT)
class Console(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = operator_hub(settings={"hub_id": "asean"})
        start_operator_hub(cls.hub)
        cls.origin = "https://127.0.0.1:%d" % cls.hub.op_port
        p = pki.get()
        try:
            cls.browser = browser.Browser(p.ca_cert, p.cert("OPS"),
                                          p.key("OPS"))
        except Exception:
            cls.hub.kill()
            raise
        os.makedirs(SHOTS, exist_ok=True)
        reports = [make_report(code="fraud/phishing", severity="critical",
                               tlp="amber", title=HOSTILE,
                               indicators=[{"type": "domain",
                                            "value": "login-bank.example"}]),
                   make_report(code="availability/ddos", severity="medium",
                               tlp="clear"),
                   make_report(code="intrusions/system-compromise",
                               tlp="red", recipients=["MY"])]
        try:
            with cls.hub.connect("ID") as c:
                for r in reports:
                    publish(c, r)
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.hub.kill()

    def load(self, path, shot):
        status, error = self.browser.navigate(self.origin + path)
        self.assertIsNone(error, path)
        self.assertEqual(status, 200, path)
        # Let the script run and the event stream open.
        self.browser.pump(0.5)
        self.assertEqual(self.browser.problems(), [], path)
        for url in self.browser.requests():
            self.assertTrue(url.startswith(self.origin + "/"),
                            "%s asked for %s" % (path, url))
        self.browser.screenshot(os.path.join(SHOTS, shot))

    def test_pages_load_cleanly(self):
        for path, shot, heading in (
                ("/", "console-live.png", "Live"),
                ("/reports", "console-reports.png", "Reports"),
                ("/reports?code=fraud/", "console-reports-filtered.png",
                 "Reports"),
                ("/reports/1", "console-report.png", "Report 1"),
                ("/stats", "console-stats.png", "Statistics")):
            self.load(path, shot)
            self.assertEqual(self.browser.evaluate(
                "document.querySelector('h1').textContent"), heading)
            # The hostile title is text on the page, never an element.
            self.assertEqual(self.browser.evaluate(
                "document.querySelectorAll('main img, main script').length"),
                0, path)
        self.load("/reports/1", "console-report.png")
        self.assertIn(HOSTILE, self.browser.evaluate(
            "document.querySelector('table.fields td').textContent"))
        self.assertEqual(self.browser.evaluate(
            "document.querySelector('td.verified') !== null"), True)
        self.load("/stats", "console-stats.png")
        self.assertEqual(self.browser.evaluate(
            "document.querySelectorAll('svg.plot').length"), 4)
        # A plot is drawn, not empty: its bars have a size.
        self.assertGreater(self.browser.evaluate(
            "document.querySelector('svg.plot rect[fill]')"
            ".getBoundingClientRect().height"), 0)

    def test_live_view_follows_the_stream(self):
        self.load("/", "console-live-before.png")
        self.assertTrue(self.browser.wait_until(
            "document.getElementById('live-status').textContent === 'live'"),
            "the event stream did not open: %r" % self.browser.problems())
        before = self.browser.evaluate(
            "document.querySelectorAll('#latest tr').length")
        title = "Pushed while watching " + HOSTILE
        with self.hub.connect("ID") as c:
            seq = publish(c, make_report(title=title, tlp="amber+strict",
                                         code="malicious-code/c2-server",
                                         recipients=["MY"]))["seq"]
        self.assertTrue(self.browser.wait_until(
            "document.querySelector('#latest tr') && document.querySelector("
            "'#latest tr').getAttribute('data-seq') === '%d'" % seq),
            "the pushed report did not appear")
        row = self.browser.evaluate(
            "Array.from(document.querySelectorAll('#latest tr')[0].cells)"
            ".map(c => c.textContent)")
        self.assertEqual(row[0], str(seq))
        self.assertEqual(row[2], "ID")
        self.assertEqual(row[3], "malicious-code/c2-server")
        self.assertEqual(row[5], "TLP:AMBER+STRICT")
        self.assertEqual(row[6], title)
        self.assertEqual(self.browser.evaluate(
            "document.querySelectorAll('#latest tr').length"), before + 1)
        self.assertEqual(self.browser.evaluate(
            "document.querySelectorAll('main img, main script').length"), 0)
        self.assertEqual(self.browser.problems(), [])
        self.browser.screenshot(os.path.join(SHOTS, "console-live-after.png"))


@unittest.skipIf(WHY_NOT is not None, "no browser test: %s" % WHY_NOT)
class WithoutCertificate(unittest.TestCase):
    def test_gets_nothing(self):
        h = operator_hub()
        self.addCleanup(h.kill)
        start_operator_hub(h)
        origin = "https://127.0.0.1:%d" % h.op_port
        b = browser.Browser(pki.get().ca_cert)
        self.addCleanup(b.close)
        status, error = b.navigate(origin + "/")
        self.assertIsNotNone(error, "a page (status %r) without a "
                             "certificate" % status)
        self.assertIn("ERR_", error)
        self.assertFalse(b.evaluate("document.body !== null && "
                                    "document.body.innerText.indexOf("
                                    "'Kentongan') >= 0"))


if __name__ == "__main__":
    unittest.main()
