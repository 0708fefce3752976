"""Peer text is shown, never obeyed (SPEC section 7, bad input): what a
member writes, a certificate's subject, and whatever a hub answers reach
the daemon's log and the client's terminal escaped. A newline cannot forge
a log line, an escape sequence cannot drive the terminal, and U+202E
cannot turn "txt.exe" around: they appear as \\n, \\x1b and \\u202e, and a
backslash as \\\\. --json output stays exact JSON."""

import json
import os
import socket
import ssl
import unittest

import hub
import pki
from hub import HubTestCase, make_report, report_msg

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


if __name__ == "__main__":
    unittest.main()
