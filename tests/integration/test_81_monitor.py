"""role=monitor (SPEC section 18): a certificate for Prometheus that reads
GET /metrics on the operator listener and nothing else, is refused on the
member listener, never receives a report, and whose requests are counted
like an operator's."""

import unittest

import hub
from hub import CORE_MEMBERS, make_report
from test_80_operator import (OperatorMixin, http_request, operator_hub,
                              publish, start_operator_hub)

MONITOR = ("PROM", 'name="Prometheus" role=monitor cert_cn=UNREG')


class Monitor(OperatorMixin, unittest.TestCase):
    def setUp(self):
        self.hub = operator_hub(members=CORE_MEMBERS + (MONITOR,))
        self.addCleanup(self.hub.kill)
        start_operator_hub(self.hub)

    def test_metrics_only(self):
        r = self.get("/metrics", name="UNREG")
        self.assertEqual(r.status, 200, r.body[:200])
        self.assertTrue(r.header("Content-Type").startswith("text/plain"))
        self.assertIn(b"kentongan_", r.body)
        for target in ("/v1/reports", "/v1/reports/1", "/v1/members",
                       "/v1/stats", "/v1/ledger", "/v1/events", "/",
                       "/reports", "/stats", "/console.js"):
            r = self.get(target, name="UNREG")
            self.assertApiError(r, 403, "forbidden", "/metrics only",
                                target=target)
        # Counted like an operator's requests.
        text = self.get("/metrics", name="OPS").body.decode()
        self.assertIn('kentongan_operator_requests_total{operator="PROM",'
                      'status="403"} 10', text)
        self.assertIn('kentongan_operator_requests_total{operator="PROM",'
                      'status="200"} 1', text)

    def test_not_a_member(self):
        with self.assertRaises((OSError, hub.HubError, hub.Closed)):
            c = self.hub.connect("UNREG")
            c.ping("x")
        with self.hub.connect("ID") as c:
            reply = c.request({"type": "report", "report": make_report(
                tlp="red", recipients=["PROM"])})
        self.assertEqual(reply.get("error"), "recipient_not_permitted",
                         reply)
        self.assertIn("PROM is a monitor", reply.get("message", ""))
        with self.hub.connect("ID") as c:
            seq = publish(c, make_report())["seq"]
        members = {d["member"] for d in self.report(seq)["deliveries"]}
        self.assertNotIn("PROM", members)
        self.assertNotIn("OPS", members)

    def test_members_view_shows_the_role(self):
        self.assertEqual(self.members()["PROM"]["role"], "monitor")


if __name__ == "__main__":
    unittest.main()


class HealthMetrics(OperatorMixin, unittest.TestCase):
    """build_info, uptime, and how long the certificate and the CRL have
    (issue 20): what Prometheus alerts on before members are refused."""

    def setUp(self):
        self.hub = operator_hub()
        self.addCleanup(self.hub.kill)
        start_operator_hub(self.hub)

    @staticmethod
    def openssl_end(args):
        import datetime
        import subprocess
        out = subprocess.run(["openssl"] + args, capture_output=True,
                             text=True, check=True).stdout.strip()
        when = out.split("=", 1)[1]
        return datetime.datetime.strptime(
            when, "%b %d %H:%M:%S %Y %Z").replace(
            tzinfo=datetime.timezone.utc).timestamp()

    def test_a_lapsing_certificate_is_warned_of(self):
        import os
        import re
        p = self.hub.pki
        h = operator_hub(settings={
            "tls_certificate": os.path.join(p.dir, "server-soon.crt"),
            "tls_key": os.path.join(p.dir, "server-soon.key")})
        self.addCleanup(h.kill)
        start_operator_hub(h)
        self.assertIn("expires in 7 days: renew it", h.stderr_text())
        text = http_request(h.op_port, "/metrics").body.decode()
        left = int(re.search(r"(?m)^kentongan_certificate_expiry_seconds "
                             r"(\d+)$", text).group(1))
        self.assertGreater(left, 7 * 86400)
        self.assertLess(left, 7 * 86400 + 3700)

    def test_build_uptime_and_expiry(self):
        import re
        import time
        text = self.get("/metrics").body.decode()
        self.assertRegex(text, r'(?m)^kentongan_build_info\{version="'
                         r'\d+\.\d+\.\d+"\} 1$')
        uptime = int(re.search(r"(?m)^kentongan_uptime_seconds (\d+)$",
                               text).group(1))
        self.assertLess(uptime, 120)
        left = int(re.search(r"(?m)^kentongan_certificate_expiry_seconds "
                             r"(-?\d+)$", text).group(1))
        end = self.openssl_end(["x509", "-in", self.hub.pki.server_cert,
                                "-noout", "-enddate"])
        self.assertLess(abs(left - (end - time.time())), 120, text)
        crl = int(re.search(r"(?m)^kentongan_crl_next_update_seconds "
                            r"(-?\d+)$", text).group(1))
        next_update = self.openssl_end(["crl", "-in", self.hub.pki.crl,
                                        "-noout", "-nextupdate"])
        self.assertLess(abs(crl - (next_update - time.time())), 120, text)
