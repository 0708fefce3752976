"""Peer text is shown, never obeyed (SPEC section 7, bad input): what a
member writes, a certificate's subject, and whatever a hub answers reach
the daemon's log and the client's terminal escaped. A newline cannot forge
a log line, an escape sequence cannot drive the terminal, and U+202E
cannot turn "txt.exe" around: they appear as \\n, \\x1b and \\u202e, and a
backslash as \\\\. --json output stays exact JSON."""

import json
import os
import queue
import socket
import ssl
import subprocess
import threading
import unittest

import hub
import pki
from hub import HubTestCase, make_report, report_msg

RUN_TIMEOUT = 60
RLO = "\u202e"
FORGED = "FAKE: forged line"


def forged_lines(text):
    """The lines of text that start like a forged one."""
    return [l for l in text.splitlines() if l.startswith("FAKE:")]


class LogLines(HubTestCase):
    """What a member or a certificate says is escaped in the daemon's
    log."""

    def assertLogged(self, escaped):
        """The log shows escaped, and nothing forged or reversed."""
        text = self.hub.wait_stderr(lambda t: escaped in t)
        self.assertIsNotNone(text, "no %r in the log:\n%s"
                             % (escaped, self.hub.stderr_tail()))
        self.assertEqual(forged_lines(text), [], text)
        self.assertNotIn(RLO, text)
        self.assertNotIn("\x1b", text)

    def test_field_name_with_a_newline(self):
        """An unknown key "x\\nFAKE: forged line" is answered exactly (JSON
        escapes it) and logged as x\\nFAKE: forged line on one line."""
        c = self.connect("ID")
        report = make_report()
        msg = dict(report_msg(report), **{"x\n" + FORGED: 1})
        reply = c.request(msg)
        self.assertRejected(reply, "unknown_field", field="x\n" + FORGED,
                            id=report["id"])
        self.assertPong(c)
        self.assertLogged("unknown_field at x\\n" + FORGED)

    def test_report_id_with_a_newline(self):
        """A report whose id holds a newline, an escape sequence and
        U+202E is refused with the id echoed as sent; the log shows it
        escaped."""
        c = self.connect("ID")
        bad_id = "0b7f6f0e\n" + FORGED + "\x1b[2J" + RLO + "exe.txt"
        reply = c.request(report_msg(make_report(id=bad_id)))
        self.assertRejected(reply, "invalid_field", field="report.id",
                            id=bad_id)
        self.assertPong(c)
        self.assertLogged("refused 0b7f6f0e\\n" + FORGED +
                          "\\x1b[2J\\u202eexe.txt: invalid_field")

    def test_backslash_is_escaped(self):
        """A literal backslash-n in a key is not mistaken for an escaped
        newline: it is logged as \\\\n."""
        c = self.connect("ID")
        report = make_report()
        reply = c.request(dict(report_msg(report), **{"y\\nz": 1}))
        self.assertRejected(reply, "unknown_field", field="y\\nz",
                            id=report["id"])
        self.assertLogged("unknown_field at y\\\\nz")

    def test_refused_certificate_subject(self):
        """The subject of a refused certificate is logged escaped, in its
        own script otherwise."""
        p = pki.get()
        d = os.path.join(self.hub.dir, "evil")
        os.makedirs(d, exist_ok=True)
        key = os.path.join(d, "evil.key")
        csr = os.path.join(d, "evil.csr")
        crt = os.path.join(d, "evil.crt")
        cnf = os.path.join(p.ca_dir, "ca.cnf")
        cn = "evil\n" + FORGED + RLO + "gpj.exe \u0e44\u0e17\u0e22"
        pki._openssl("req", "-new", "-newkey", "ec", "-pkeyopt",
                     "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
                     "-out", csr, "-utf8", "-subj", "/CN=" + cn,
                     "-config", cnf)
        pki._openssl("ca", "-batch", "-notext", "-utf8", "-config", cnf,
                     "-extensions", "client_ext", "-in", csr, "-out", crt)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(p.ca_cert)
        ctx.load_cert_chain(crt, key)
        raw = socket.create_connection(("127.0.0.1", self.hub.port),
                                       timeout=hub.READ_TIMEOUT)
        try:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(b'{"type":"ping"}\n')
                s.recv(100)
        except (ssl.SSLError, OSError):
            pass
        finally:
            raw.close()
        self.assertLogged('subject="CN=evil\\n' + FORGED +
                          '\\u202egpj.exe \u0e44\u0e17\u0e22"')


class FakeHub:
    """A TLS server with the test hub's certificate that answers each
    request line with the messages answer(request) returns: a hub that is
    not to be trusted, for the client's side."""

    def __init__(self, answer):
        p = pki.get()
        self.answer = answer
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(p.server_cert, p.server_key)
        self.ctx.load_verify_locations(p.ca_cert)
        self.ctx.verify_mode = ssl.CERT_REQUIRED
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(4)
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            try:
                with self.ctx.wrap_socket(raw, server_side=True) as s:
                    f = s.makefile("rb")
                    for line in f:
                        for m in self.answer(json.loads(line)):
                            s.sendall(json.dumps(m).encode() + b"\n")
            except (OSError, ValueError):
                pass

    def close(self):
        self.listener.close()


def alert_with_title(title, seq=7):
    """An alert as a hub would send it, with the given title."""
    return {"type": "alert", "seq": seq, "sender": "SG",
            "received_at": "2026-11-20T07:15:00.000000Z", "tier": "regional",
            "report": make_report(title=title)}


class Terminal(HubTestCase):
    """The client's tables and messages show text from the hub escaped."""

    def setUp(self):
        if not os.access(hub.KENTONGAN, os.X_OK):
            self.skipTest("no client binary at %s" % hub.KENTONGAN)

    def kentongan(self, *args, port=None, name="SG"):
        env = self.hub.client_env(name)
        if port is not None:
            env["KENTONGAN_HUB"] = "127.0.0.1:%d" % port
        return subprocess.run([hub.KENTONGAN] + list(args), env=env,
                              capture_output=True, text=True,
                              timeout=RUN_TIMEOUT, cwd=self.hub.dir)

    def fake_hub(self, answer):
        f = FakeHub(answer)
        self.addCleanup(f.close)
        return f

    def assertShownEscaped(self, out, escaped):
        self.assertIn(escaped, out)
        self.assertEqual(forged_lines(out), [], out)
        self.assertNotIn(RLO, out)
        self.assertNotIn("\x1b", out)

    def test_query_table_escapes_a_title(self):
        """A title with U+202E, accepted by the hub, is shown as \\u202e
        in the query table; --json keeps the character itself."""
        title = "Invoice " + RLO + "txt.exe on a ministry portal"
        report = make_report(title=title)
        c = self.connect("ID")
        self.assertAccepted(c.request(report_msg(report)), report)
        proc = self.kentongan("query")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertShownEscaped(proc.stdout,
                                "Invoice \\u202etxt.exe on a ministry portal")
        proc = self.kentongan("query", "--json")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        titles = [json.loads(l)["report"]["title"]
                  for l in proc.stdout.splitlines()]
        self.assertIn(title, titles)

    def test_query_table_from_an_untrusted_hub(self):
        """A hub that sends a title with a newline, an escape sequence and
        U+202E cannot forge a line of the table nor drive the terminal."""
        title = "Alarm\n" + FORGED + "\x1b]0;pwned\x07" + RLO + "exe.txt"

        def answer(req):
            if req.get("type") == "query":
                return [{"type": "result", "ref": req.get("ref"),
                         "alerts": [alert_with_title(title)], "next": None}]
            return []

        f = self.fake_hub(answer)
        proc = self.kentongan("query", port=f.port)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertShownEscaped(proc.stdout, "Alarm\\n" + FORGED +
                                "\\x1b]0;pwned\\x07\\u202eexe.txt")

    def test_listen_line_from_an_untrusted_hub(self):
        """kentongan listen prints such an alert escaped too."""
        title = "Alarm\n" + FORGED + RLO + "exe.txt"

        def answer(req):
            if req.get("type") == "subscribe":
                return [{"type": "subscribed", "from": 0},
                        alert_with_title(title)]
            return []

        f = self.fake_hub(answer)
        env = self.hub.client_env("SG")
        env["KENTONGAN_HUB"] = "127.0.0.1:%d" % f.port
        proc = subprocess.Popen([hub.KENTONGAN, "listen"], env=env,
                                stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)
        lines = queue.Queue()
        threading.Thread(target=lambda: [lines.put(l) for l in proc.stdout],
                         daemon=True).start()

        def stop():
            proc.kill()
            proc.wait()
            proc.stdout.close()

        self.addCleanup(stop)
        line = lines.get(timeout=hub.READ_TIMEOUT).decode("utf-8")
        self.assertTrue(line.endswith("Alarm\\n" + FORGED +
                                      "\\u202eexe.txt\n"), repr(line))
        self.assertNotIn(RLO, line)

    def test_error_message_from_an_untrusted_hub(self):
        """An error's code and message are escaped before they reach
        stderr."""
        def answer(req):
            return [{"type": "error", "error": "internal_error\n" + FORGED,
                     "message": "try again\n" + FORGED + RLO}]

        f = self.fake_hub(answer)
        proc = self.kentongan("query", port=f.port)
        self.assertNotEqual(proc.returncode, 0)
        self.assertShownEscaped(proc.stderr, "the hub refused the request: "
                                "internal_error\\n" + FORGED + ": try "
                                "again\\n" + FORGED + "\\u202e")

    def test_push_rejection_echoes_the_id_escaped(self):
        """push prints the refusal of a report whose id holds a newline
        with the id escaped."""
        bad_id = "0b7f6f0e\n" + FORGED
        path = os.path.join(self.hub.dir, "bad-id.jsonl")
        with open(path, "w") as f:
            f.write(json.dumps(make_report(id=bad_id)) + "\n")
        proc = self.kentongan("push", path, name="ID")
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertShownEscaped(proc.stdout, "rejected 0b7f6f0e\\n" + FORGED +
                                ": invalid_field (report.id)")


if __name__ == "__main__":
    unittest.main()
