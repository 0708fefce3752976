"""The kentongan client (SPEC section 9): push from a file, from stdin and
from flags, and the code vocabulary."""

import json
import os
import re
import subprocess
import unittest

import hub
from hub import HubTestCase, free_port, make_report

RUN_TIMEOUT = 60
UUID_RE = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}" \
          r"-[0-9a-fA-F]{12}"


class ClientTestCase(HubTestCase):

    def setUp(self):
        if not os.access(hub.KENTONGAN, os.X_OK):
            self.skipTest("no client binary at %s" % hub.KENTONGAN)

    def kentongan(self, *args, stdin=None, name="ID", env=None):
        """Run the client as the named party; return the completed
        process (text)."""
        e = self.hub.client_env(name)
        e.update(env or {})
        return subprocess.run([hub.KENTONGAN] + list(args), env=e,
                              input=stdin, capture_output=True, text=True,
                              timeout=RUN_TIMEOUT, cwd=self.hub.dir)

    def write_lines(self, objs, name="reports.jsonl"):
        path = os.path.join(self.hub.dir, name)
        with open(path, "w") as f:
            for o in objs:
                f.write(json.dumps(o) + "\n")
        return path

    def accepted_lines(self, out):
        """(id, seq, recipients) of each "accepted ID seq=N recipients=K"
        line."""
        return [(m.group(1), int(m.group(2)), int(m.group(3)))
                for m in re.finditer(
                    r"^accepted (\S+) seq=(\d+) recipients=(\d+)$", out,
                    re.M)]

    def assertPushed(self, proc, reports, recipients=3):
        """The run exited 0 and printed an accepted line for each report, in
        order, with increasing seqs."""
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        got = self.accepted_lines(proc.stdout)
        self.assertEqual([g[0] for g in got], [r["id"] for r in reports],
                         proc.stdout)
        seqs = [g[1] for g in got]
        self.assertEqual(seqs, sorted(set(seqs)), proc.stdout)
        for g in got:
            self.assertEqual(g[2], recipients, proc.stdout)
        return seqs


class Push(ClientTestCase):
    """kentongan push."""

    def test_push_file(self):
        """push FILE with two valid reports prints each one's seq and exits
        0."""
        reports = [make_report(), make_report(severity="low")]
        proc = self.kentongan("push", self.write_lines(reports))
        self.assertPushed(proc, reports)

    def test_push_stdin(self):
        """push - reads the reports from stdin."""
        reports = [make_report(), make_report()]
        text = "".join(json.dumps(r) + "\n" for r in reports)
        proc = self.kentongan("push", "-", stdin=text)
        self.assertPushed(proc, reports)

    def test_push_one_object(self):
        """push FILE accepts one report object spread over several lines."""
        r = make_report(indicators=[{"type": "ipv4",
                                     "value": "203.0.113.7"}])
        path = os.path.join(self.hub.dir, "one.json")
        with open(path, "w") as f:
            json.dump(r, f, indent=2)
        self.assertPushed(self.kentongan("push", path), [r])

    def test_push_duplicate(self):
        """Pushing the same file again prints duplicate with the first seq
        and exits 0."""
        r = make_report()
        path = self.write_lines([r])
        seqs = self.assertPushed(self.kentongan("push", path), [r])
        proc = self.kentongan("push", path)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertRegex(proc.stdout, r"(?m)^duplicate %s seq=%d$"
                         % (re.escape(r["id"]), seqs[0]))

    def test_push_bad_line(self):
        """A file with one refused report exits 1 and prints the error code
        and field; the valid reports are still accepted."""
        good1, bad, good2 = make_report(), make_report(severity="urgent"), \
            make_report()
        proc = self.kentongan("push", self.write_lines([good1, bad, good2]))
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertRegex(proc.stdout + proc.stderr,
                         r"(?m)^rejected %s: invalid_field "
                         r"\(report\.severity\): " % re.escape(bad["id"]))
        got = [g[0] for g in self.accepted_lines(proc.stdout)]
        self.assertEqual(got, [good1["id"], good2["id"]], proc.stdout)

    def test_push_not_json(self):
        """A file with a line that is not JSON exits 1 with a message."""
        path = os.path.join(self.hub.dir, "junk.jsonl")
        with open(path, "w") as f:
            f.write("{bad\n")
        proc = self.kentongan("push", path)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertTrue(proc.stdout.strip() or proc.stderr.strip())

    def test_push_missing_file(self):
        """push of a file that does not exist exits non-zero with a message
        on stderr."""
        proc = self.kentongan("push", os.path.join(self.hub.dir, "absent"))
        self.assertNotEqual(proc.returncode, 0)
        self.assertTrue(proc.stderr.strip(), "nothing on stderr")

    def test_push_from_flags(self):
        """push with --code, --severity, --tlp, --title and --indicator
        sends a report with a generated UUID and prints its seq."""
        proc = self.kentongan(
            "push", "--code", "availability/ddos", "--severity", "high",
            "--tlp", "green", "--title", "DDoS on the national DNS resolvers",
            "--indicator", "ipv4:203.0.113.7")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        m = re.search(r"(?m)^accepted (%s) seq=(\d+) recipients=3$" % UUID_RE,
                      proc.stdout)
        self.assertIsNotNone(m, proc.stdout)
        # The hub stored it under that id: a direct re-send with the same
        # content is a duplicate.
        c = self.connect("ID")
        r = {"id": m.group(1), "code": "availability/ddos",
             "severity": "high", "tlp": "green",
             "title": "DDoS on the national DNS resolvers",
             "indicators": [{"type": "ipv4", "value": "203.0.113.7"}]}
        reply = c.request({"type": "report", "report": r})
        self.assertEqual(reply.get("type"), "accepted", reply)
        self.assertIs(reply.get("duplicate"), True, reply)
        self.assertEqual(reply.get("seq"), int(m.group(2)), reply)

    def test_push_flags_bad_code(self):
        """push with a code outside the taxonomy exits 1 with a message."""
        proc = self.kentongan(
            "push", "--code", "availability/teleportation", "--severity",
            "high", "--tlp", "green", "--title", "Bad code")
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertTrue(proc.stdout.strip() or proc.stderr.strip())
        self.assertNotRegex(proc.stdout, r"(?m)^accepted ")

    def test_push_as_unregistered(self):
        """push with a certificate the hub does not know exits non-zero
        with a message on stderr."""
        proc = self.kentongan("push", self.write_lines([make_report()]),
                              name="UNREG")
        self.assertNotEqual(proc.returncode, 0, proc.stdout)
        self.assertTrue(proc.stderr.strip(), "nothing on stderr")
        self.assertNotRegex(proc.stdout, r"(?m)^accepted ")

    def test_hub_not_listening(self):
        """--hub naming a closed port exits non-zero with a message on
        stderr."""
        proc = self.kentongan("push", "--hub", "127.0.0.1:%d" % free_port(),
                              self.write_lines([make_report()]))
        self.assertNotEqual(proc.returncode, 0, proc.stdout)
        self.assertTrue(proc.stderr.strip(), "nothing on stderr")

    def test_flags_override_environment(self):
        """--cert and --key override KENTONGAN_CERT and KENTONGAN_KEY."""
        p = self.hub.pki
        r = make_report()
        proc = self.kentongan("push", "--cert", p.cert("SG"), "--key",
                              p.key("SG"), self.write_lines([r]), name="UNREG")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual([g[0] for g in self.accepted_lines(proc.stdout)],
                         [r["id"]])


class Codes(ClientTestCase):
    """kentongan codes."""

    def test_codes(self):
        """codes lists the whole RSIT vocabulary, availability/ddos
        included."""
        proc = self.kentongan("codes")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        codes = set(re.findall(r"\b([a-z]+(?:-[a-z]+)*/[a-z0-9]+"
                               r"(?:-[a-z0-9]+)*)\b", proc.stdout))
        self.assertGreaterEqual(len(codes), 39, sorted(codes))
        for code in ("availability/ddos", "intrusions/system-compromise",
                     "malicious-code/c2-server", "test/test"):
            self.assertIn(code, codes)


if __name__ == "__main__":
    unittest.main()


class FirstDay(ClientTestCase):
    """What a new analyst meets first (issue 20, the client's part)."""

    def test_version(self):
        for flag in ("--version", "-V", "version"):
            proc = self.kentongan(flag)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertRegex(proc.stdout, r"^kentongan \d+\.\d+\.\d+\n$")

    def test_a_bad_option_is_one_line(self):
        proc = self.kentongan("query", "--colour", "red")
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr, "kentongan: query: unknown option "
                         "--colour; kentongan --help lists the options\n")
        proc = self.kentongan("push", "--code")
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr, "kentongan: --code needs a value; "
                         "kentongan --help lists the options\n")
        self.assertEqual(proc.stdout, "")

    def test_codes_sectors(self):
        proc = self.kentongan("codes", "--sectors")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        names = [line.split()[0] for line in proc.stdout.splitlines()]
        self.assertIn("finance", names)
        self.assertIn("energy", names)
        self.assertNotIn("fraud/phishing", names)
        proc = self.kentongan("codes", "--sectors", "--json")
        sectors = json.loads(proc.stdout)
        self.assertEqual({s["sector"] for s in sectors}, set(names))
        self.assertIn("Keuangan", [s["name"]["id"] for s in sectors])
        # Every sector listed is one --sector takes.
        proc = self.kentongan("push", "--code", "fraud/phishing",
                              "--severity", "low", "--tlp", "green",
                              "--title", "t", "--sector", names[-1])
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)

    def test_tlp_white_is_clear(self):
        proc = self.kentongan("push", "--code", "fraud/phishing",
                              "--severity", "low", "--tlp", "white",
                              "--title", "t")
        self.assertEqual(proc.returncode, 1)
        self.assertIn("TLP 1.0 white is TLP 2.0 clear", proc.stdout +
                      proc.stderr)

    def test_query_takes_a_day_and_a_bare_class(self):
        for code in ("fraud/phishing", "intrusions/system-compromise"):
            proc = self.kentongan("push", "--code", code, "--severity",
                                  "low", "--tlp", "green", "--title", code)
            self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        proc = self.kentongan("query", "--json", "--since", "2020-01-01",
                              "--code", "intrusions", name="SG")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        rows = [json.loads(l) for l in proc.stdout.splitlines()]
        self.assertEqual([r["report"]["code"] for r in rows],
                         ["intrusions/system-compromise"])
        proc = self.kentongan("query", "--json", "--until", "2020-01-01",
                              name="SG")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout, "")
