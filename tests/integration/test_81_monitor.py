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
