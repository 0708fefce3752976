"""The confidence ledger (SPEC section 13): receipts checked with the hub's
certificate and openssl alone, signed acknowledgements, the chain served
by the operator API and recomputed three ways (by kentongan verify, by the
Python script of docs/ledger.md on the database file, and here from the
API's entries), and a database edited behind the hub's back with sqlite3,
found and named."""

import base64
import hashlib
import json
import os
import sqlite3
import subprocess
import tempfile
import time
import unittest

import hub
import pki
from hub import make_report, report_msg
from test_80_operator import (RUN_TIMEOUT, http_request, operator_hub,
                              publish, start_operator_hub)

VERIFIER = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "docs", "ledger_verify.py")
HEX64 = set("0123456789abcdef")
ZERO = "0" * 64


def openssl(*args, data=None):
    """Run openssl; (exit status, stdout + stderr)."""
    proc = subprocess.run(["openssl"] + list(args), input=data,
                          capture_output=True, timeout=RUN_TIMEOUT)
    return proc.returncode, (proc.stdout + proc.stderr).decode(
        "utf-8", "replace")


def canonical(receipt):
    """What the hub signs: the receipt without sig, keys sorted, compact."""
    rest = {k: v for k, v in receipt.items() if k != "sig"}
    return json.dumps(rest, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def rfc3339_ms(usec):
    """The hub's RFC 3339 form of a stored time, to the millisecond."""
    secs, rest = divmod(usec, 1000000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + \
        ".%03dZ" % (rest // 1000)


def entry_text(e):
    """The canonical form of an entry as /v1/ledger serves it
    (docs/ledger.md), written out independently of the hub's code."""
    lines = ["kentongan-ledger 1", "kind " + e["kind"], "seq %d" % e["seq"],
             "party " + e["party"], "at " + e["at"]]
    if e["kind"] == "report":
        lines += ["digest " + e["digest"], "recipients " + e["recipients"]]
        if "origin" in e:
            lines.append("origin " + e["origin"])
    elif e["kind"] == "ack":
        lines.append("sig " + (e["sig"] or "-"))
    return ("\n".join(lines) + "\n").encode("utf-8")


def issue(name, key_type, ext, cn=None):
    """A certificate from the test CA with a key of key_type (ed25519,
    rsa:2048, ...): (cert, key) paths in a directory of its own."""
    p = pki.get()
    d = tempfile.mkdtemp(prefix="cert-", dir=pki.run_dir())
    key, csr, crt = (os.path.join(d, name + s)
                     for s in (".key", ".csr", ".crt"))
    cnf = os.path.join(p.ca_dir, "ca.cnf")
    rc, out = openssl("req", "-new", "-newkey", key_type, "-nodes",
                      "-keyout", key, "-out", csr, "-subj",
                      "/CN=" + (cn or name), "-config", cnf)
    assert rc == 0, out
    rc, out = openssl("x509", "-req", "-in", csr, "-CA", p.ca_cert, "-CAkey",
                      os.path.join(p.ca_dir, "ca.key"), "-set_serial",
                      str(int.from_bytes(os.urandom(8), "big")), "-days",
                      "30", "-extfile", cnf, "-extensions", ext, "-out", crt)
    assert rc == 0, out
    os.chmod(key, 0o600)
    return crt, key


def sign_with(key, data):
    """base64 signature of data by a PEM key, made with openssl: ECDSA
    with SHA-256 or pure Ed25519, as SPEC 13 says."""
    with tempfile.NamedTemporaryFile(dir=pki.run_dir()) as f:
        f.write(data)
        f.flush()
        rc, text = openssl("pkey", "-in", key, "-noout", "-text")
        if "ED25519" in text:
            proc = subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey",
                                   key, "-rawin", "-in", f.name],
                                  capture_output=True, timeout=RUN_TIMEOUT)
        else:
            proc = subprocess.run(["openssl", "dgst", "-sha256", "-sign",
                                   key, f.name], capture_output=True,
                                  timeout=RUN_TIMEOUT)
        assert proc.returncode == 0, proc.stderr
        return base64.b64encode(proc.stdout).decode("ascii")


class LedgerCase(unittest.TestCase):
    """A hub with its operator API, and the ways to look at its ledger."""

    hub_settings = {}
    hub_members = hub.CORE_MEMBERS

    def setUp(self):
        self.hub = operator_hub(members=self.hub_members,
                                settings=dict(self.hub_settings))
        self.addCleanup(self.hub.kill)
        start_operator_hub(self.hub)

    def restart(self):
        """Stop the hub and start it again, both listeners up."""
        self.hub.stop()
        start_operator_hub(self.hub)

    def client(self, name):
        c = self.hub.connect(name)
        self.addCleanup(c.close)
        return c

    def get_json(self, target):
        r = http_request(self.hub.op_port, target)
        self.assertEqual(r.status, 200, "%s: %r" % (target, r.body[:300]))
        return r.json()

    def entries(self, page=1000):
        """Every entry of /v1/ledger, page by page."""
        out, after = [], 0
        while True:
            body = self.get_json("/v1/ledger?after=%d&limit=%d"
                                 % (after, page))
            self.assertEqual(set(body), {"entries", "next"}, body)
            out += body["entries"]
            if body["next"] is None:
                return out
            self.assertEqual(body["next"], out[-1]["n"])
            after = body["next"]

    def kentongan(self, *args, name="OPS", operator=True, env=None):
        e = self.hub.client_env(name)
        if operator:
            e["KENTONGAN_HUB"] = "127.0.0.1:%d" % self.hub.op_port
        e.update(env or {})
        return subprocess.run([hub.KENTONGAN] + list(args), env=e,
                              capture_output=True, encoding="utf-8",
                              errors="replace", timeout=RUN_TIMEOUT,
                              cwd=self.hub.dir, stdin=subprocess.DEVNULL)

    def script(self):
        """docs/ledger_verify.py on the database file."""
        return subprocess.run(["python3", VERIFIER, self.hub.db_path],
                              capture_output=True, encoding="utf-8",
                              timeout=RUN_TIMEOUT)

    def push(self, sender="ID", **fields):
        c = self.client(sender)
        reply = publish(c, make_report(**fields))
        c.close()
        return reply

    def subscribe(self, name, since=0):
        c = self.client(name)
        reply = c.request({"type": "subscribe", "since": since})
        self.assertEqual(reply.get("type"), "subscribed", reply)
        return c

    def alert(self, c, seq):
        """Read alerts on c until the one with this seq."""
        while True:
            m = c.recv()
            if m.get("type") == "alert" and m["seq"] == seq:
                return m

    def delivery(self, seq, member):
        body = self.get_json("/v1/reports/%d" % seq)
        for d in body["deliveries"]:
            if d["member"] == member:
                return d
        self.fail("%s is no recipient of %d: %r" % (member, seq, body))

    def fill(self):
        """Reports, acks signed and not: a ledger of every kind of entry
        but forwards (test_97's hubs make those)."""
        sg, my = self.subscribe("SG"), self.subscribe("MY")
        seqs = []
        for i in range(12):
            # Amber from ID goes to SG and MY by agreement; green to all.
            seqs.append(self.push(tlp="green" if i % 3 else "amber",
                                  sender="ID" if i % 3 == 0 or i % 2 else
                                  "TH")["seq"])
        chain = self.alert(sg, seqs[5])["chain"]
        sg.send({"type": "ack", "seq": seqs[5], "sig": sign_with(
            self.hub.pki.key("SG"), ("kentongan-ack:SG:%d:%s" % (
                seqs[5], chain)).encode())})
        self.wait_acked(seqs[5], "SG")
        last_my = seqs[-1]
        self.alert(my, last_my)
        my.send({"type": "ack", "seq": last_my})
        self.wait_acked(last_my, "MY")
        return seqs

    def wait_acked(self, seq, member):
        """Wait until the operator view shows member's ack of seq."""
        deadline = time.monotonic() + 30
        while True:
            d = self.delivery(seq, member)
            if d["acked_at"] is not None:
                return d
            self.assertLess(time.monotonic(), deadline, d)
            time.sleep(0.05)


class Receipts(LedgerCase):

    def test_receipt_checked_with_openssl_alone(self):
        """The receipt in accepted verifies with the hub certificate's
        public key and openssl dgst; one byte changed does not."""
        reply = self.push(tlp="green")
        receipt = reply["receipt"]
        self.assertEqual(set(receipt), {"seq", "digest", "received_at",
                                        "chain", "sig"}, receipt)
        self.assertEqual(receipt["seq"], reply["seq"])
        d = tempfile.mkdtemp(dir=self.hub.dir)
        pub, msg, sig = (os.path.join(d, n) for n in ("pub", "msg", "sig"))
        rc, out = openssl("x509", "-in", self.hub.pki.server_cert, "-pubkey",
                          "-noout", "-out", pub)
        self.assertEqual(rc, 0, out)
        with open(msg, "wb") as f:
            f.write(canonical(receipt))
        with open(sig, "wb") as f:
            f.write(base64.b64decode(receipt["sig"]))
        rc, out = openssl("dgst", "-sha256", "-verify", pub, "-signature",
                          sig, msg)
        self.assertEqual((rc, out.strip()), (0, "Verified OK"))
        changed = dict(receipt, seq=receipt["seq"] + 1)
        with open(msg, "wb") as f:
            f.write(canonical(changed))
        rc, out = openssl("dgst", "-sha256", "-verify", pub, "-signature",
                          sig, msg)
        self.assertNotEqual(rc, 0, out)

    def test_receipt_says_what_is_stored(self):
        """digest is the SHA-256 of the report as stored; chain is its
        ledger entry's hash, the chain of its alerts and of the operator's
        view; received_at is the stored time."""
        c = self.subscribe("SG")
        reply = self.push(tlp="green")
        receipt = reply["receipt"]
        with sqlite3.connect("file:%s?mode=ro" % self.hub.db_path,
                             uri=True) as db:
            body, received_at, chain = db.execute(
                "SELECT body, received_at, chain FROM reports WHERE seq = ?",
                (reply["seq"],)).fetchone()
        self.assertEqual(receipt["digest"],
                         hashlib.sha256(body.encode("utf-8")).hexdigest())
        self.assertEqual(receipt["chain"], chain.hex())
        self.assertEqual(receipt["received_at"], rfc3339_ms(received_at))
        self.assertEqual(self.alert(c, reply["seq"])["chain"],
                         receipt["chain"])
        view = self.get_json("/v1/reports/%d" % reply["seq"])
        self.assertEqual(view["ledger"]["hash"], receipt["chain"])
        entry = self.entries()[view["ledger"]["n"] - 1]
        self.assertEqual((entry["kind"], entry["seq"], entry["hash"]),
                         ("report", reply["seq"], receipt["chain"]))
        self.assertEqual(view["ledger"]["prev"], entry["prev"])

    def test_kentongan_verify_receipt(self):
        """push --json's answers, saved, are checked by verify --receipt
        against the hub's certificate; another certificate, or a changed
        receipt, fails with exit 1."""
        report = os.path.join(self.hub.dir, "r.json")
        with open(report, "w") as f:
            for _ in range(3):
                f.write(json.dumps(make_report(tlp="green")) + "\n")
        proc = self.kentongan("push", "--json", report, name="ID",
                              operator=False)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        saved = os.path.join(self.hub.dir, "receipts.jsonl")
        with open(saved, "w") as f:
            f.write(proc.stdout)
        cert = self.hub.pki.server_cert
        ok = self.kentongan("verify", "--receipt", saved, "--hub-cert", cert)
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        self.assertIn("3 of 3 receipts good", ok.stdout)
        other = self.kentongan("verify", "--receipt", saved, "--hub-cert",
                               self.hub.pki.cert("ID"))
        self.assertEqual(other.returncode, 1, other.stdout)
        self.assertIn("BAD signature", other.stdout)
        # One receipt, alone in a file, with its digest changed.
        one = json.loads(proc.stdout.splitlines()[1])["receipt"]
        one["digest"] = "0" * 64
        single = os.path.join(self.hub.dir, "one.json")
        with open(single, "w") as f:
            json.dump(one, f, indent=2)
        bad = self.kentongan("verify", "--receipt", single, "--hub-cert",
                             cert)
        self.assertEqual(bad.returncode, 1, bad.stdout)
        self.assertIn("receipt seq=%d: BAD" % one["seq"], bad.stdout)

    def test_verify_receipt_files(self):
        """A pretty-printed receipt ending in a newline (as jq writes it),
        and push --json's lines on standard input."""
        answers = [publish(self.client("ID"), make_report(tlp="green"))
                   for _ in range(2)]
        pretty = os.path.join(self.hub.dir, "pretty.json")
        with open(pretty, "w") as f:
            json.dump(answers[0]["receipt"], f, indent=2)
            f.write("\n\n")
        cert = self.hub.pki.server_cert
        ok = self.kentongan("verify", "--receipt", pretty, "--hub-cert", cert)
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        self.assertIn("1 of 1 receipts good", ok.stdout)
        e = self.hub.client_env("OPS")
        proc = subprocess.run(
            [hub.KENTONGAN, "verify", "--receipt", "-", "--hub-cert", cert],
            input="".join(json.dumps(a) + "\n" for a in answers), env=e,
            capture_output=True, encoding="utf-8", timeout=RUN_TIMEOUT)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertIn("2 of 2 receipts good", proc.stdout)

    def test_verify_usage_errors(self):
        for args, says in ((["verify"], "--receipt FILE"),
                           (["verify", "--receipt", "x"], "--hub-cert"),
                           (["verify", "--ledger", "--receipt", "x"],
                            "--receipt FILE")):
            proc = self.kentongan(*args)
            self.assertEqual(proc.returncode, 2, proc.stderr)
            self.assertIn(says, proc.stderr)
        proc = self.kentongan("verify", "--receipt", "/nonexistent",
                              "--hub-cert", self.hub.pki.server_cert)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("/nonexistent", proc.stderr)
        proc = self.kentongan("verify", "--receipt", self.hub.conf_path,
                              "--hub-cert", self.hub.conf_path)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("not a PEM certificate", proc.stderr)

    def test_duplicate_has_the_first_receipt(self):
        """A report sent again is the same stored report: its answer
        carries the same seq, digest and chain."""
        report = make_report(tlp="green")
        c = self.client("ID")
        first = publish(c, report)
        again = publish(c, report)
        self.assertTrue(again.get("duplicate"), again)
        for k in ("seq", "digest", "chain", "received_at"):
            self.assertEqual(again["receipt"][k], first["receipt"][k])
        self.assertEqual(self.get_json("/v1/ledger/head")["n"], 1)


class Ed25519Hub(LedgerCase):
    """A hub whose key is Ed25519: pure Ed25519 receipts, checked with
    openssl pkeyutl -rawin."""

    def setUp(self):
        crt, key = issue("hub-ed25519", "ed25519", "server_ext",
                         cn="localhost")
        self.hub_settings = {"tls_certificate": crt, "tls_key": key}
        self.cert = crt
        super().setUp()

    def test_receipt_pure_ed25519(self):
        receipt = self.push(tlp="green")["receipt"]
        d = tempfile.mkdtemp(dir=self.hub.dir)
        pub, msg, sig = (os.path.join(d, n) for n in ("pub", "msg", "sig"))
        rc, out = openssl("x509", "-in", self.cert, "-pubkey", "-noout",
                          "-out", pub)
        self.assertEqual(rc, 0, out)
        with open(msg, "wb") as f:
            f.write(canonical(receipt))
        with open(sig, "wb") as f:
            f.write(base64.b64decode(receipt["sig"]))
        rc, out = openssl("pkeyutl", "-verify", "-pubin", "-inkey", pub,
                          "-rawin", "-in", msg, "-sigfile", sig)
        self.assertEqual(rc, 0, out)
        self.assertIn("Signature Verified Successfully", out)
        with open(msg + ".json", "w") as f:
            json.dump(receipt, f)
        ok = self.kentongan("verify", "--receipt", msg + ".json",
                            "--hub-cert", self.cert)
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)


class RsaHub(LedgerCase):
    """A hub with an RSA-4096 key: its receipts are the longest there
    are, and still whole JSON, checked with openssl dgst."""

    def setUp(self):
        crt, key = issue("hub-rsa", "rsa:4096", "server_ext", cn="localhost")
        self.hub_settings = {"tls_certificate": crt, "tls_key": key}
        self.cert = crt
        super().setUp()

    def test_receipt_rsa(self):
        c = self.client("ID")
        reply = c.request(report_msg(make_report(tlp="green"), ref="r1"))
        self.assertEqual((reply["type"], reply["ref"]), ("accepted", "r1"))
        receipt = reply["receipt"]
        self.assertEqual(len(base64.b64decode(receipt["sig"])), 512)
        d = tempfile.mkdtemp(dir=self.hub.dir)
        pub, msg, sig = (os.path.join(d, n) for n in ("pub", "msg", "sig"))
        openssl("x509", "-in", self.cert, "-pubkey", "-noout", "-out", pub)
        with open(msg, "wb") as f:
            f.write(canonical(receipt))
        with open(sig, "wb") as f:
            f.write(base64.b64decode(receipt["sig"]))
        rc, out = openssl("dgst", "-sha256", "-verify", pub, "-signature",
                          sig, msg)
        self.assertEqual((rc, out.strip()), (0, "Verified OK"))


class SignedAcks(LedgerCase):
    """An ack with sig over kentongan-ack:MEMBER:SEQ:CHAIN, made here with
    openssl and the member's key; one that does not verify is refused."""

    def test_signed_ack_taken_and_marked(self):
        c = self.subscribe("SG")
        seq = self.push(tlp="green")["seq"]
        chain = self.alert(c, seq)["chain"]
        msg = ("kentongan-ack:SG:%d:%s" % (seq, chain)).encode("ascii")
        sig = sign_with(self.hub.pki.key("SG"), msg)
        c.send({"type": "ack", "seq": seq, "sig": sig})
        d = self.wait_acked(seq, "SG")
        self.assertIs(d["signed"], True, d)
        acks = [e for e in self.entries() if e["kind"] == "ack"]
        self.assertEqual([(e["party"], e["seq"], e["sig"]) for e in acks],
                         [("SG", seq, sig)])

    def test_unsigned_ack_still_taken(self):
        c = self.subscribe("MY")
        seq = self.push(tlp="green")["seq"]
        self.alert(c, seq)
        c.send({"type": "ack", "seq": seq})
        d = self.wait_acked(seq, "MY")
        self.assertIs(d["signed"], False, d)
        self.assertIsNone(self.delivery(seq, "SG")["signed"])
        acks = [e for e in self.entries() if e["kind"] == "ack"]
        self.assertEqual([(e["party"], e["sig"]) for e in acks],
                         [("MY", None)])

    def test_bad_signatures_refused(self):
        """Another member's key, another chain, garbage: invalid_field
        sig, and the cursor does not move."""
        c = self.subscribe("SG")
        seq = self.push(tlp="green")["seq"]
        chain = self.alert(c, seq)["chain"]
        good = ("kentongan-ack:SG:%d:%s" % (seq, chain)).encode("ascii")
        cases = {
            "other key": sign_with(self.hub.pki.key("MY"), good),
            "other member": sign_with(self.hub.pki.key("SG"), good.replace(
                b":SG:", b":MY:")),
            "other chain": sign_with(self.hub.pki.key("SG"), good.replace(
                chain.encode(), b"0" * 64)),
            "not base64": "!!!!",
        }
        for why, sig in cases.items():
            with self.subTest(why):
                reply = c.request({"type": "ack", "seq": seq, "sig": sig,
                                   "ref": "a"})
                self.assertEqual((reply.get("type"), reply.get("error"),
                                  reply.get("ref")),
                                 ("error", "invalid_field", "a"), reply)
                self.assertTrue(reply["message"].startswith("sig"), reply)
        right = sign_with(self.hub.pki.key("SG"), good)
        for sig in ("", 5, None, "A" * 5000, "    " + right, right + "\n",
                    right + " \t", right.rstrip("=") + "----",
                    right.replace("+", "-").replace("/", "_")
                    if "+" in right or "/" in right else right + "!"):
            with self.subTest(sig=str(sig)[:10]):
                reply = c.request({"type": "ack", "seq": seq, "sig": sig,
                                   "ref": "b"})
                self.assertEqual(reply.get("error"), "invalid_field", reply)
        self.assertIsNone(self.delivery(seq, "SG")["acked_at"])
        self.assertEqual([e for e in self.entries() if e["kind"] == "ack"],
                         [])
        # The connection is still good for the right one.
        c.send({"type": "ack", "seq": seq, "sig": sign_with(
            self.hub.pki.key("SG"), good)})
        self.assertIs(self.wait_acked(seq, "SG")["signed"], True)

    def test_signed_then_unsigned_keeps_the_signature(self):
        """A signed ack followed at once by an unsigned one of a later
        alert (another connection of the member, say): the signature is
        kept in the ledger, and the earlier report shows signed."""
        c = self.subscribe("SG")
        first = self.push(tlp="green")["seq"]
        second = self.push(tlp="green")["seq"]
        chain = self.alert(c, first)["chain"]
        self.alert(c, second)
        sig = sign_with(self.hub.pki.key("SG"), (
            "kentongan-ack:SG:%d:%s" % (first, chain)).encode())
        c.send_raw((json.dumps({"type": "ack", "seq": first, "sig": sig}) +
                    "\n" + json.dumps({"type": "ack", "seq": second}) +
                    "\n").encode())
        self.wait_acked(second, "SG")
        acks = [(e["seq"], e["sig"]) for e in self.entries()
                if e["kind"] == "ack"]
        self.assertEqual(acks, [(first, sig), (second, None)])
        self.assertIs(self.wait_acked(first, "SG")["signed"], True)
        self.assertIs(self.delivery(second, "SG")["signed"], False)

    def test_signed_ack_of_an_alert_not_received(self):
        """ID signs an ack of its own report, whose chain it has from its
        receipt but which was never sent to it as an alert: refused."""
        reply = self.push(tlp="green")
        c = self.subscribe("ID")
        sig = sign_with(self.hub.pki.key("ID"), (
            "kentongan-ack:ID:%d:%s" % (reply["seq"],
                                        reply["receipt"]["chain"])).encode())
        answer = c.request({"type": "ack", "seq": reply["seq"], "sig": sig,
                            "ref": "own"})
        self.assertEqual(answer.get("error"), "invalid_field", answer)
        self.assertIn("was not sent to ID", answer["message"])

    def test_listen_signs_by_default(self):
        seq = self.push(tlp="green")["seq"]
        for name, flags, signed in (("SG", (), True),
                                    ("MY", ("--no-sign",), False)):
            with self.subTest(name):
                env = self.hub.client_env(name)
                proc = subprocess.Popen(
                    [hub.KENTONGAN, "listen", "--since", "0"] + list(flags),
                    env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    stdin=subprocess.DEVNULL)
                try:
                    d = self.wait_acked(seq, name)
                finally:
                    proc.kill()
                    out, err = proc.communicate()
                self.assertIs(d["signed"], signed, (d, err))

    def test_whoami(self):
        c = self.client("SG")
        reply = c.request({"type": "whoami", "ref": "w"})
        self.assertEqual(reply, {"type": "whoami", "ref": "w",
                                 "member": "SG", "role": "member"})
        reply = c.request({"type": "whoami", "ref": "x", "extra": 1})
        self.assertEqual(reply.get("type"), "error", reply)


class Ed25519Member(LedgerCase):
    """A member with an Ed25519 certificate: kentongan listen signs with
    pure Ed25519, which the hub checks."""

    def setUp(self):
        self.crt, self.key = issue("ED", "ed25519", "client_ext")
        fp = subprocess.run(["openssl", "x509", "-in", self.crt, "-outform",
                             "DER"], capture_output=True).stdout
        self.hub_members = hub.CORE_MEMBERS + (
            ("ED", 'name="Ed25519 CSIRT" role=member cert_sha256=%s'
             % hashlib.sha256(fp).hexdigest()),)
        super().setUp()

    def test_listen_signs_with_ed25519(self):
        seq = self.push(tlp="green")["seq"]
        env = self.hub.client_env("ED")
        env.update(KENTONGAN_CERT=self.crt, KENTONGAN_KEY=self.key)
        proc = subprocess.Popen([hub.KENTONGAN, "listen", "--since", "0"],
                                env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL)
        try:
            d = self.wait_acked(seq, "ED")
        finally:
            proc.kill()
            out, err = proc.communicate()
        self.assertIs(d["signed"], True, (d, err))
        ack = [e for e in self.entries() if e["kind"] == "ack"][0]
        chain = self.get_json("/v1/reports/%d" % seq)["ledger"]["hash"]
        d = tempfile.mkdtemp(dir=self.hub.dir)
        pub, msg, sig = (os.path.join(d, n) for n in ("pub", "msg", "sig"))
        openssl("x509", "-in", self.crt, "-pubkey", "-noout", "-out", pub)
        with open(msg, "wb") as f:
            f.write(("kentongan-ack:ED:%d:%s" % (ack["seq"], chain)).encode())
        with open(sig, "wb") as f:
            f.write(base64.b64decode(ack["sig"]))
        rc, out = openssl("pkeyutl", "-verify", "-pubin", "-inkey", pub,
                          "-rawin", "-in", msg, "-sigfile", sig)
        self.assertEqual(rc, 0, out)


class Chain(LedgerCase):
    """The chain as served: every entry recomputed from its prev."""

    def test_entries_recompute(self):
        seqs = self.fill()
        entries = self.entries(page=5)
        self.assertEqual([e["n"] for e in entries],
                         list(range(1, len(entries) + 1)))
        self.assertEqual([e["seq"] for e in entries
                          if e["kind"] == "report"], seqs)
        self.assertEqual(sorted(e["party"] for e in entries
                                if e["kind"] == "ack"), ["MY", "SG"])
        prev = ZERO
        for e in entries:
            keys = {"n", "kind", "seq", "party", "at", "prev", "hash", "sig"}
            if e["kind"] == "report":
                keys |= {"digest", "recipients", "chain"}
                self.assertEqual(e["chain"], e["hash"], e)
            self.assertEqual(set(e), keys, e)
            self.assertEqual(e["prev"], prev, e)
            want = hashlib.sha256(bytes.fromhex(prev) + entry_text(e))
            self.assertEqual(e["hash"], want.hexdigest(), e)
            prev = e["hash"]
        head = self.get_json("/v1/ledger/head")
        self.assertEqual(head, {"n": len(entries), "hash": prev})
        proc = self.kentongan("verify", "--ledger")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertIn("%d entries good; head %s" % (len(entries), prev),
                      proc.stdout)
        proc = self.script()
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(proc.stdout.strip(), "%d entries good; head %s"
                         % (len(entries), prev))

    def test_empty_and_bad_parameters(self):
        self.assertEqual(self.get_json("/v1/ledger/head"),
                         {"n": 0, "hash": ZERO})
        self.assertEqual(self.get_json("/v1/ledger"),
                         {"entries": [], "next": None})
        proc = self.kentongan("verify", "--ledger")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertIn("0 entries good", proc.stdout)
        for target in ("/v1/ledger?limit=0", "/v1/ledger?limit=1001",
                       "/v1/ledger?after=-1", "/v1/ledger?after=x",
                       "/v1/ledger?since=1", "/v1/ledger/head?n=1"):
            with self.subTest(target):
                r = http_request(self.hub.op_port, target)
                self.assertEqual(r.status, 400, r.body)
                self.assertIn("error", r.json())
        # A member's certificate is refused by the operator listener.
        with self.assertRaises(OSError):
            http_request(self.hub.op_port, "/v1/ledger", name="ID")

    def test_member_cannot_verify_the_ledger(self):
        proc = self.kentongan("verify", "--ledger", name="ID")
        self.assertEqual(proc.returncode, 1, proc.stdout)

    def test_head_checked_and_logged_at_start(self):
        self.fill()
        head = self.get_json("/v1/ledger/head")
        self.restart()
        text = self.hub.wait_stderr(lambda t: "ledger of %d entries, head %s"
                                    % (head["n"], head["hash"]) in t)
        self.assertIsNotNone(text, self.hub.stderr_tail())

    def test_ledger_off(self):
        """ledger off: no entries, no receipt, no chain."""
        self.hub.settings["ledger"] = "off"
        self.hub.write_conf()
        self.restart()
        c = self.subscribe("SG")
        reply = self.push(tlp="green")
        self.assertNotIn("receipt", reply)
        self.assertNotIn("chain", self.alert(c, reply["seq"]))
        self.assertEqual(self.get_json("/v1/ledger/head")["n"], 0)
        reply = c.request({"type": "ack", "seq": reply["seq"], "ref": "s",
                           "sig": "AAAA"})
        self.assertEqual(reply.get("error"), "invalid_field", reply)
        self.assertIn("no ledger entry", reply.get("message", ""))


class Tampering(LedgerCase):
    """Rows changed with sqlite3 while the hub is down: verify --ledger
    and the script both name the first entry that no longer matches."""

    def tamper(self, sql, params=()):
        """Stop the hub, run sql on its database, start it again."""
        self.hub.stop()
        db = sqlite3.connect(self.hub.db_path)
        with db:
            changed = db.execute(sql, params).rowcount
        db.close()
        self.assertEqual(changed, 1, sql)
        start_operator_hub(self.hub)
        hub_text = self.hub.stderr_text()
        return hub_text

    def assertFound(self, n, what):
        proc = self.kentongan("verify", "--ledger")
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertIn("ledger entry %d (%s)" % (n, what), proc.stdout)
        self.assertIn("%d entries good before it" % (n - 1), proc.stdout)
        script = self.script()
        self.assertEqual(script.returncode, 1, script.stdout)
        self.assertIn("entry %d (" % n, script.stderr)

    def entry_of(self, kind, seq=None, party=None):
        for e in self.entries():
            if e["kind"] == kind and (seq is None or e["seq"] == seq) and \
                    (party is None or e["party"] == party):
                return e
        self.fail("no %s entry" % kind)

    def test_report_text_changed(self):
        seqs = self.fill()
        e = self.entry_of("report", seqs[3])
        self.tamper("UPDATE reports SET body = replace(body, 'Web shell', "
                    "'Webshell') WHERE seq = ? AND body LIKE '%Web shell%'",
                    (seqs[3],))
        self.assertFound(e["n"], "report seq=%d party=%s" % (seqs[3],
                                                               e["party"]))

    def test_recipient_set_changed(self):
        seqs = self.fill()
        e = self.entry_of("report", seqs[7])
        self.tamper("UPDATE reports SET recipient_list = recipient_list || "
                    "' APCERT:3' WHERE seq = ?", (seqs[7],))
        self.assertFound(e["n"], "report seq=%d party=%s" % (seqs[7],
                                                               e["party"]))

    def test_sender_changed(self):
        seqs = self.fill()
        e = self.entry_of("report", seqs[0])
        self.tamper("UPDATE reports SET sender = 'MY' WHERE seq = ?",
                    (seqs[0],))
        self.assertFound(e["n"], "report seq=%d party=MY" % seqs[0])

    def test_ack_time_changed(self):
        self.fill()
        e = self.entry_of("ack", party="SG")
        self.tamper("UPDATE acks SET at = at - 3600000000 WHERE member = "
                    "'SG' AND upto = ?", (e["seq"],))
        self.assertFound(e["n"], "ack seq=%d party=SG" % e["seq"])

    def test_ack_deleted(self):
        self.fill()
        e = self.entry_of("ack", party="MY")
        self.tamper("DELETE FROM acks WHERE member = 'MY' AND upto = ?",
                    (e["seq"],))
        self.assertFound(e["n"], "ack seq=%d party=MY" % e["seq"])

    def test_ack_signature_dropped(self):
        self.fill()
        e = self.entry_of("ack", party="SG")
        self.tamper("UPDATE ledger SET sig = NULL WHERE n = ?", (e["n"],))
        self.assertFound(e["n"], "ack seq=%d party=SG" % e["seq"])

    def test_report_chain_changed(self):
        """The hash a report's row keeps (what its alerts and receipts
        carry) set to zeros: found, though the entry itself still
        matches."""
        seqs = self.fill()
        e = self.entry_of("report", seqs[4])
        self.tamper("UPDATE reports SET chain = zeroblob(32) WHERE seq = ?",
                    (seqs[4],))
        self.assertFound(e["n"], "report seq=%d party=%s" % (seqs[4],
                                                               e["party"]))

    def test_tail_cut_off(self):
        """The last entries deleted: the start says so, and verify and the
        script name the reports without an entry."""
        seqs = self.fill()
        reports = [e for e in self.entries() if e["kind"] == "report"]
        keep = reports[5]["n"]
        self.hub.stop()
        db = sqlite3.connect(self.hub.db_path)
        with db:
            db.execute("DELETE FROM ledger WHERE n > ?", (keep,))
        db.close()
        start_operator_hub(self.hub)
        self.assertIsNotNone(self.hub.wait_stderr(
            lambda t: "the ledger has no entry, or another one, for the "
            "last report" in t), self.hub.stderr_tail())
        proc = self.kentongan("verify", "--ledger")
        self.assertEqual(proc.returncode, 1, proc.stdout)
        self.assertIn("report seq=%d and any after it have no entry"
                      % reports[6]["seq"], proc.stdout)
        script = self.script()
        self.assertEqual(script.returncode, 1, script.stdout)
        self.assertIn("after seq %d have no entry" % reports[5]["seq"],
                      script.stderr)

    def test_entries_taken_out_of_the_middle(self):
        self.fill()
        reports = [e for e in self.entries() if e["kind"] == "report"]
        self.hub.stop()
        db = sqlite3.connect(self.hub.db_path)
        with db:
            db.execute("DELETE FROM ledger WHERE n >= ?", (reports[3]["n"],))
        db.close()
        # What remains is a chain of its own up to reports[2]; the rest of
        # the reports have no entry.
        start_operator_hub(self.hub)
        proc = self.kentongan("verify", "--ledger")
        self.assertEqual(proc.returncode, 1, proc.stdout)
        self.assertIn("report seq=%d and any after it have no entry"
                      % reports[3]["seq"], proc.stdout)

    def test_forged_ack_row_not_shown(self):
        """An acks row added with sqlite3, earlier than the real signed
        ack: the report view shows the acknowledgement the ledger
        records, not the forged one."""
        c = self.subscribe("SG")
        seqs = [self.push(tlp="green")["seq"] for _ in range(3)]
        chain = self.alert(c, seqs[2])["chain"]
        c.send({"type": "ack", "seq": seqs[2], "sig": sign_with(
            self.hub.pki.key("SG"), ("kentongan-ack:SG:%d:%s" % (
                seqs[2], chain)).encode())})
        real = self.wait_acked(seqs[0], "SG")
        self.assertIs(real["signed"], True)
        self.hub.stop()
        db = sqlite3.connect(self.hub.db_path)
        with db:
            at = db.execute("SELECT received_at FROM reports WHERE seq = ?",
                            (seqs[0],)).fetchone()[0]
            db.execute("INSERT INTO acks VALUES ('SG', ?, ?)",
                       (seqs[0], at + 1000))
        db.close()
        start_operator_hub(self.hub)
        shown = self.delivery(seqs[0], "SG")
        self.assertEqual((shown["acked_at"], shown["signed"]),
                         (real["acked_at"], True))

    def test_reload_does_not_switch_the_ledger(self):
        self.hub.settings["ledger"] = "off"
        self.hub.write_conf()
        import signal
        self.hub.send_signal(signal.SIGHUP)
        self.assertIsNotNone(self.hub.wait_stderr(
            lambda t: "ledger off takes effect at the next start" in t),
            self.hub.stderr_tail())
        self.assertIn("receipt", self.push(tlp="green"))

    def test_last_entry_changed_is_logged_at_start(self):
        """The head is checked at start: the last entry's data changed is
        a warning, and the hub still serves."""
        self.fill()
        last = self.entries()[-1]
        self.assertEqual(last["kind"], "ack")
        text = self.tamper("UPDATE acks SET at = at + 1000 WHERE member = ? "
                           "AND upto = ?", (last["party"], last["seq"]))
        self.assertIsNotNone(self.hub.wait_stderr(
            lambda t: "no longer matches what it records" in t),
            self.hub.stderr_tail())
        self.assertFound(last["n"], "ack seq=%d party=%s"
                         % (last["seq"], last["party"]))
        self.assertEqual(self.push(tlp="green")["receipt"]["seq"] > 0, True)


class Migration(LedgerCase):
    """A database of the schema before the ledger gets its chain built
    once at start, in the order things happened, with progress logged."""

    def test_chain_built_at_upgrade(self):
        sg = self.subscribe("SG")
        seqs = [self.push(tlp="green")["seq"] for _ in range(10)]
        self.alert(sg, seqs[9])
        sg.send({"type": "ack", "seq": seqs[9]})
        self.wait_acked(seqs[9], "SG")
        sg.close()
        seqs += [self.push(tlp="green")["seq"] for _ in range(10)]
        self.hub.stop()
        # Back to schema 7: no ledger, no chain column.
        db = sqlite3.connect(self.hub.db_path)
        with db:
            db.execute("DROP TABLE ledger")
            db.execute("ALTER TABLE reports DROP COLUMN chain")
            db.execute("PRAGMA user_version = 7")
        db.close()
        start_operator_hub(self.hub)
        self.assertIsNotNone(self.hub.wait_stderr(
            lambda t: "ledger of 21 entries built" in t),
            self.hub.stderr_tail())
        self.assertIn("building the ledger", self.hub.stderr_text())
        entries = self.entries()
        self.assertEqual([e["kind"] for e in entries],
                         ["report"] * 10 + ["ack"] + ["report"] * 10)
        proc = self.kentongan("verify", "--ledger")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(self.script().returncode, 0)
        # Alerts replayed carry the chain built.
        c = self.subscribe("MY")
        self.assertEqual(self.alert(c, seqs[3])["chain"],
                         entries[3]["hash"])
        self.assertEqual(self.push(tlp="green")["seq"], seqs[-1] + 1)
        proc = self.kentongan("verify", "--ledger")
        self.assertIn("22 entries good", proc.stdout)


if __name__ == "__main__":
    unittest.main()
