"""STIX 2.1 and MISP (SPEC section 14) end to end: listen and query
--format stix|misp, the operator API's ?format=, a MISP feed written
incrementally by kentongan export, and push --from misp|stix, over TLS to
a real hub."""

import json
import os
import subprocess
import time
import unittest

import hub
import stix_check
from hub import make_report, new_id
from test_80_operator import (http_request, operator_hub, publish,
                              start_operator_hub)

RUN_TIMEOUT = 60
WAIT = 30.0

# One indicator of every type the hub accepts, with a quote and a
# backslash where the type allows them, to exercise the escaping.
EVERY_INDICATOR = [
    {"type": "ipv4", "value": "203.0.113.7"},
    {"type": "ipv6", "value": "2001:db8::7"},
    {"type": "cidr", "value": "198.51.100.0/24"},
    {"type": "domain", "value": "evil.example"},
    {"type": "url", "value": "https://evil.example/a'b\\c?x=1"},
    {"type": "email", "value": "o'brien@evil.example"},
    {"type": "md5", "value": "d41d8cd98f00b204e9800998ecf8427e"},
    {"type": "sha1", "value": "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
    {"type": "sha256", "value": "e3b0c44298fc1c149afbf4c8996fb924"
                                "27ae41e4649b934ca495991b7852b855"},
    {"type": "cve", "value": "CVE-2024-3400"},
    {"type": "asn", "value": "AS64500"},
]
TLP_MARKINGS = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict":
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}


def objects_of(bundle, kind):
    return [o for o in bundle["objects"] if o["type"] == kind]


class InteropCase(unittest.TestCase):
    """A fresh hub with the operator API, and the client binary."""

    def setUp(self):
        if not os.access(hub.KENTONGAN, os.X_OK):
            self.skipTest("no client binary at %s" % hub.KENTONGAN)
        self.hub = operator_hub()
        self.addCleanup(self.hub.kill)
        start_operator_hub(self.hub)

    def kentongan(self, *args, name="SG", stdin=None):
        return subprocess.run([hub.KENTONGAN] + list(args),
                              env=self.hub.client_env(name), input=stdin,
                              capture_output=True, text=True,
                              timeout=RUN_TIMEOUT, cwd=self.hub.dir)

    def operator_kentongan(self, *args):
        env = self.hub.client_env("OPS")
        env["KENTONGAN_HUB"] = "127.0.0.1:%d" % self.hub.op_port
        return subprocess.run([hub.KENTONGAN] + list(args), env=env,
                              capture_output=True, text=True,
                              timeout=RUN_TIMEOUT, cwd=self.hub.dir)

    def ok(self, proc):
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        return proc

    def lines(self, proc):
        self.ok(proc)
        return [json.loads(line) for line in proc.stdout.splitlines()]

    def push(self, *reports, name="ID"):
        with self.hub.connect(name) as c:
            return [publish(c, r)["seq"] for r in reports]

    def write(self, name, text):
        path = os.path.join(self.hub.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def assertValidBundle(self, bundle):
        errors = stix_check.check_bundle(bundle)
        self.assertEqual(errors, [], json.dumps(bundle)[:2000])


class Stix(InteropCase):
    """--format stix and ?format=stix."""

    def test_query_bundle_holds_every_indicator(self):
        """A report with one indicator of every type becomes one valid
        bundle: its report, an indicator with the right pattern for each,
        a vulnerability for the CVE, the TLP marking on every object."""
        r = make_report(tlp="green", indicators=EVERY_INDICATOR,
                        description="Two lines\nof text")
        self.push(r)
        bundles = self.lines(self.kentongan("query", "--format", "stix"))
        self.assertEqual(len(bundles), 1)
        b = bundles[0]
        self.assertValidBundle(b)
        report = objects_of(b, "report")[0]
        self.assertEqual(report["name"], r["title"])
        self.assertEqual(report["description"], r["description"])
        self.assertIn("rsit:" + r["code"], report["labels"])
        self.assertIn("severity:" + r["severity"], report["labels"])
        patterns = [o["pattern"] for o in objects_of(b, "indicator")]
        self.assertEqual(len(patterns), len(EVERY_INDICATOR) - 1)
        self.assertIn("[ipv4-addr:value = '203.0.113.7']", patterns)
        self.assertIn("[ipv6-addr:value = '2001:db8::7']", patterns)
        self.assertIn("[ipv4-addr:value = '198.51.100.0/24']", patterns)
        self.assertIn("[url:value = 'https://evil.example/a\\'b\\\\c?x=1']",
                      patterns)
        self.assertIn("[email-addr:value = 'o\\'brien@evil.example']",
                      patterns)
        self.assertIn("[file:hashes.'SHA-256' = '%s']"
                      % EVERY_INDICATOR[8]["value"], patterns)
        self.assertIn("[autonomous-system:number = 64500]", patterns)
        vulns = objects_of(b, "vulnerability")
        self.assertEqual([v["name"] for v in vulns], ["CVE-2024-3400"])
        marking = TLP_MARKINGS["green"]
        self.assertEqual([o["id"] for o in
                          objects_of(b, "marking-definition")], [marking])
        for o in b["objects"]:
            if o["type"] != "marking-definition":
                self.assertEqual(o["object_marking_refs"], [marking], o)

    def test_every_tlp_label(self):
        """Each label gives its own OASIS TLP 2.0 marking definition."""
        reports = [make_report(tlp=t, recipients=["MY"], title="TLP " + t)
                   for t in TLP_MARKINGS]
        self.push(*reports)
        bundles = self.lines(self.kentongan("query", "--format", "stix",
                                            name="MY"))
        got = {}
        for b in bundles:
            self.assertValidBundle(b)
            name = objects_of(b, "report")[0]["name"]
            got[name] = objects_of(b, "marking-definition")[0]["id"]
        self.assertEqual(got, {r["title"]: TLP_MARKINGS[r["tlp"]]
                               for r in reports})

    def test_deterministic_and_the_same_everywhere(self):
        """The same alert exported twice, by a member's query, by
        another member's listen and by the operator API, is the same
        bundle, byte for byte; another alert has other IDs."""
        one, two = make_report(), make_report()
        seqs = self.push(one, two)
        first = self.ok(self.kentongan("query", "--format", "stix")).stdout
        again = self.ok(self.kentongan("query", "--format", "stix")).stdout
        self.assertEqual(first, again)
        lines = first.splitlines()
        self.assertEqual(len(lines), 2)
        self.assertNotEqual(json.loads(lines[0])["id"],
                            json.loads(lines[1])["id"])
        r = http_request(self.hub.op_port,
                         "/v1/reports/%d?format=stix" % seqs[0])
        self.assertEqual(r.status, 200, r.body[:300])
        self.assertEqual(r.header("Content-Type"),
                         "application/stix+json;version=2.1")
        self.assertEqual(json.loads(r.body), json.loads(lines[0]))
        self.assertEqual(r.body.decode("utf-8").rstrip("\n"), lines[0])
        ops = self.ok(self.operator_kentongan(
            "query", "--operator", "--format", "stix")).stdout
        self.assertEqual([json.loads(x) for x in ops.splitlines()],
                         [json.loads(x) for x in lines])
        # Another member (ID sent them; MY is entitled through the
        # region) mints the same IDs.
        my = self.lines(self.kentongan("query", "--format", "stix",
                                       name="MY"))
        self.assertEqual(my, [json.loads(x) for x in lines])

    def test_listen_prints_bundles_and_acknowledges(self):
        """listen --format stix prints one bundle per alert, and
        acknowledges it once printed."""
        proc, out, stop = hub.start_listen(self.hub, ["--format", "stix"],
                                           "SG", WAIT)
        self.addCleanup(stop)
        r = make_report(indicators=EVERY_INDICATOR[:2])
        seq = self.push(r)[0]
        line = out.get(timeout=WAIT)
        self.assertIsNotNone(line, "listen ended")
        bundle = json.loads(line)
        self.assertValidBundle(bundle)
        self.assertEqual(objects_of(bundle, "report")[0]["name"], r["title"])
        # Acknowledged: a plain subscribe starts after it.
        deadline = WAIT
        while True:
            with self.hub.connect("SG") as c:
                reply = c.request({"type": "subscribe"})
            if reply.get("from") == seq or deadline <= 0:
                break
            deadline -= 0.2
            time.sleep(0.2)
        self.assertEqual(reply.get("from"), seq, reply)

    def test_operator_page_and_errors(self):
        """GET /v1/reports?format=stix is a page of bundles; a format
        that is not one is refused, as is another parameter on
        /v1/reports/SEQ."""
        self.push(make_report(), make_report())
        r = http_request(self.hub.op_port, "/v1/reports?format=stix")
        self.assertEqual(r.status, 200, r.body[:300])
        page = r.json()
        self.assertEqual(len(page["reports"]), 2)
        for b in page["reports"]:
            self.assertValidBundle(b)
        for target, error in (("/v1/reports/1?format=xml", "invalid_field"),
                              ("/v1/reports?format=", "invalid_field"),
                              ("/v1/reports/1?form=stix", "unknown_field"),
                              ("/v1/reports/1?format=stix&format=misp",
                               "invalid_field")):
            r = http_request(self.hub.op_port, target)
            self.assertEqual(r.status, 400, (target, r.body[:300]))
            self.assertEqual(r.json()["error"], error, target)
        r = http_request(self.hub.op_port, "/v1/reports/99?format=stix")
        self.assertEqual(r.status, 404)
        # The hub's own shape is still there, with format=json too.
        r = http_request(self.hub.op_port, "/v1/reports/1?format=json")
        self.assertEqual(r.status, 200)
        self.assertIn("deliveries", r.json())

    def test_bad_format_option(self):
        proc = self.kentongan("query", "--format", "xml")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--format takes json, stix or misp", proc.stderr)


class Misp(InteropCase):
    """--format misp, ?format=misp and the MISP feed."""

    def test_query_event(self):
        """A report becomes one MISP event: info, tags, threat level,
        one attribute per indicator with its type and category."""
        r = make_report(tlp="amber", severity="critical",
                        code="intrusions/system-compromise",
                        indicators=EVERY_INDICATOR, recipients=["SG"])
        self.push(r)
        events = self.lines(self.kentongan("query", "--format", "misp"))
        self.assertEqual(len(events), 1)
        e = events[0]["Event"]
        self.assertEqual(e["info"], r["title"])
        self.assertEqual(str(e["threat_level_id"]), "1")
        tags = [t["name"] for t in e["Tag"]]
        self.assertIn("tlp:amber", tags)
        self.assertIn('rsit:intrusions="system-compromise"', tags)
        types = [(a["type"], a["value"]) for a in e["Attribute"]
                 if a["type"] != "text"]
        self.assertEqual(types, [
            ("ip-dst", "203.0.113.7"), ("ip-dst", "2001:db8::7"),
            ("ip-dst", "198.51.100.0/24"), ("domain", "evil.example"),
            ("url", EVERY_INDICATOR[4]["value"]),
            ("email-src", EVERY_INDICATOR[5]["value"]),
            ("md5", EVERY_INDICATOR[6]["value"]),
            ("sha1", EVERY_INDICATOR[7]["value"]),
            ("sha256", EVERY_INDICATOR[8]["value"]),
            ("vulnerability", "CVE-2024-3400"), ("AS", "AS64500")])
        uuids = [a["uuid"] for a in e["Attribute"]] + [e["uuid"]]
        self.assertEqual(len(set(uuids)), len(uuids))
        seq = 1
        r = http_request(self.hub.op_port, "/v1/reports/%d?format=misp" % seq)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json(), events[0])

    def test_feed_is_incremental(self):
        """export --misp-feed writes manifest.json and one UUID.json per
        event; a second run writes nothing new; after one more report,
        one more event."""
        self.push(make_report(), make_report(severity="low"))
        feed = os.path.join(self.hub.dir, "feed")
        proc = self.ok(self.kentongan("export", "--misp-feed", feed,
                                      "--json"))
        self.assertEqual(json.loads(proc.stdout)["written"], 2)
        manifest = json.load(open(os.path.join(feed, "manifest.json")))
        self.assertEqual(len(manifest), 2)
        for uuid, entry in manifest.items():
            with open(os.path.join(feed, uuid + ".json")) as f:
                event = json.load(f)["Event"]
            self.assertEqual(event["uuid"], uuid)
            self.assertEqual(entry["info"], event["info"])
            self.assertEqual(entry["timestamp"], event["timestamp"])
        mtimes = {n: os.stat(os.path.join(feed, n)).st_mtime_ns
                  for n in os.listdir(feed) if n.endswith(".json")
                  and n != "manifest.json"}
        proc = self.ok(self.kentongan("export", "--misp-feed", feed,
                                      "--json"))
        self.assertEqual(json.loads(proc.stdout)["written"], 0)
        for n, t in mtimes.items():
            self.assertEqual(os.stat(os.path.join(feed, n)).st_mtime_ns, t)
        self.push(make_report(title="The third"))
        proc = self.ok(self.kentongan("export", "--misp-feed", feed,
                                      "--json"))
        self.assertEqual(json.loads(proc.stdout),
                         {"written": 1, "events": 3, "after": 3})
        manifest = json.load(open(os.path.join(feed, "manifest.json")))
        self.assertIn("The third", [e["info"] for e in manifest.values()])
        with open(os.path.join(feed, "hashes.csv")) as f:
            self.assertTrue(all(len(line.split(",")) == 2 for line in f))

    def test_feed_only_what_the_member_may_see(self):
        """A red report for MY alone is in MY's feed, not in TH's."""
        self.push(make_report(tlp="red", recipients=["MY"]),
                  make_report())
        for name, count in (("MY", 2), ("TH", 1)):
            feed = os.path.join(self.hub.dir, "feed-" + name)
            proc = self.ok(self.kentongan("export", "--misp-feed", feed,
                                          "--json", name=name))
            self.assertEqual(json.loads(proc.stdout)["events"], count, name)

    def test_feed_errors(self):
        proc = self.kentongan("export")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--misp-feed DIR", proc.stderr)
        path = self.write("manifest-dir", "")
        os.remove(path)
        os.mkdir(path)
        self.write("manifest-dir/manifest.json", "not json")
        proc = self.kentongan("export", "--misp-feed", path)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("manifest.json is not a feed's JSON object",
                      proc.stderr)


class Import(InteropCase):
    """push --from misp|stix."""

    def test_misp_round_trip(self):
        """Events that query --format misp printed, pushed back by another
        member with push --from misp, keep code, TLP, severity and
        indicators; listen --format misp as a third shows them."""
        r = make_report(tlp="green", severity="high",
                        code="malicious-code/c2-server",
                        indicators=EVERY_INDICATOR)
        self.push(r)
        events = self.ok(self.kentongan("query", "--format", "misp")).stdout
        path = self.write("events.jsonl", events)
        proc = self.ok(self.kentongan("push", "--from", "misp", path,
                                      name="MY"))
        self.assertRegex(proc.stdout, r"(?m)^accepted \S+ seq=2 ")
        rows = self.lines(self.kentongan("query", "--json", "--sender",
                                         "MY", name="TH"))
        self.assertEqual(len(rows), 1)
        back = rows[0]["report"]
        for key in ("code", "tlp", "severity", "title", "indicators"):
            self.assertEqual(back[key], r[key], key)
        # Pushed again: the same event is the same report.
        proc = self.ok(self.kentongan("push", "--from", "misp", path,
                                      name="MY"))
        self.assertRegex(proc.stdout, r"(?m)^duplicate \S+ seq=2$")

    def test_misp_event_without_rsit_tag(self):
        """An event without an rsit tag is refused with a message saying
        so; the others of the file are still sent; exit 1."""
        good = {"Event": {
            "uuid": new_id(), "info": "Phishing wave", "date": "2026-12-01",
            "threat_level_id": "2", "analysis": "0", "distribution": "1",
            "Tag": [{"name": "tlp:green"},
                    {"name": 'rsit:fraud="phishing"'}],
            "Attribute": [{"type": "url", "category": "Network activity",
                           "value": "https://phish.example/login",
                           "to_ids": True}]}}
        bad = json.loads(json.dumps(good))
        bad["Event"]["uuid"] = new_id()
        bad["Event"]["info"] = "No code here"
        bad["Event"]["Tag"] = [{"name": "tlp:green"}]
        path = self.write("mixed.json", json.dumps(
            {"response": [bad, good]}))
        proc = self.kentongan("push", "--from", "misp", path, name="MY")
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertIn("has no rsit: tag", proc.stderr)
        self.assertIn("No code here", proc.stderr)
        self.assertRegex(proc.stdout, r"(?m)^accepted %s seq=1 "
                         % good["Event"]["uuid"])

    def test_misp_defaults_and_recipients(self):
        """An event without tlp: tag needs --tlp; --recipient makes it
        red for MY alone."""
        ev = {"Event": {
            "uuid": new_id(), "info": "Leak", "threat_level_id": "3",
            "Tag": [{"name": 'rsit:information-content-security='
                             '"data-leak"'}],
            "Attribute": []}}
        path = self.write("leak.json", json.dumps(ev))
        proc = self.kentongan("push", "--from", "misp", path, name="ID")
        self.assertEqual(proc.returncode, 1)
        self.assertIn("tlp", proc.stderr)
        proc = self.ok(self.kentongan("push", "--from", "misp", path,
                                      "--tlp", "red", "--recipient", "MY",
                                      name="ID"))
        self.assertRegex(proc.stdout, r"recipients=1")
        rows = self.lines(self.kentongan("query", "--json", name="MY"))
        self.assertEqual(rows[0]["report"]["tlp"], "red")
        self.assertEqual(rows[0]["report"]["recipients"], ["MY"])
        self.assertEqual(rows[0]["report"]["severity"], "low")
        proc = self.kentongan("push", "--from", "misp", path, "--title",
                              "x", name="MY")
        self.assertEqual(proc.returncode, 1)
        self.assertIn("push --from takes", proc.stderr)

    def test_stix_bundle(self):
        """A bundle that query --format stix printed, pushed by another
        member, is a report with the same code, TLP and indicators; a
        bundle without a report is refused."""
        r = make_report(tlp="clear", indicators=EVERY_INDICATOR)
        self.push(r)
        bundle = self.ok(self.kentongan("query", "--format",
                                        "stix")).stdout
        path = self.write("bundle.json", bundle)
        proc = self.ok(self.kentongan("push", "--from", "stix", path,
                                      name="MY"))
        self.assertRegex(proc.stdout, r"(?m)^accepted \S+ seq=2 ")
        rows = self.lines(self.kentongan("query", "--json", "--sender",
                                         "MY", name="TH"))
        back = rows[0]["report"]
        for key in ("code", "tlp", "severity", "title", "indicators"):
            self.assertEqual(back[key], r[key], key)
        empty = self.write("empty.json", json.dumps(
            {"type": "bundle", "id": "bundle--" + new_id(), "objects": []}))
        proc = self.kentongan("push", "--from", "stix", empty, name="MY")
        self.assertEqual(proc.returncode, 1)
        self.assertIn("no report object", proc.stderr)
        proc = self.kentongan("push", "--from", "yaml", empty, name="MY")
        self.assertEqual(proc.returncode, 1)
        self.assertIn("--from takes misp or stix", proc.stderr)

    def test_hub_still_judges(self):
        """An imported report the hub refuses (an unknown code) is
        refused by the hub, with its exact error."""
        ev = {"Event": {
            "uuid": new_id(), "info": "Odd", "threat_level_id": "2",
            "Tag": [{"name": "tlp:green"}, {"name": 'rsit:no="such-code"'}],
            "Attribute": [{"type": "ip-dst", "value": "999.1.1.1"}]}}
        path = self.write("odd.json", json.dumps(ev))
        proc = self.kentongan("push", "--from", "misp", path, name="MY")
        self.assertEqual(proc.returncode, 1)
        self.assertRegex(proc.stdout, r"rejected \S+: unknown_code")


if __name__ == "__main__":
    unittest.main()
