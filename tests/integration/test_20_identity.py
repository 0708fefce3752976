"""Who may connect to the member listener (SPEC section 3, Identity): a
client certificate that verifies against the CA and the CRL and maps to one
registered member or partner."""

import ssl
import unittest

import hub
from hub import HubTestCase, make_report, report_msg, try_session


class Admitted(HubTestCase):
    """Registered members and partners get answers."""

    hub_kwargs = {"members": hub.CORE_MEMBERS + hub.REFUSED_MEMBERS}

    def assertAdmitted(self, name):
        c = self.connect(name)
        self.assertEqual(c.request({"type": "ping", "ref": "p1"}),
                         {"type": "pong", "ref": "p1"})

    def test_member_mapped_by_fingerprint(self):
        """ID, mapped by a lower-case cert_sha256, gets a pong."""
        self.assertAdmitted("ID")

    def test_member_mapped_by_fingerprint_with_colons(self):
        """SG, mapped by a cert_sha256 written with colons, gets a pong."""
        self.assertAdmitted("SG")

    def test_member_mapped_by_cn(self):
        """MY, mapped by cert_cn, gets a pong."""
        self.assertAdmitted("MY")

    def test_another_member_mapped_by_cn(self):
        """TH, mapped by cert_cn, gets a pong."""
        self.assertAdmitted("TH")

    def test_partner(self):
        """APCERT, a partner, gets a pong."""
        self.assertAdmitted("APCERT")

    def test_ping_without_ref(self):
        """A ping without ref gets a pong without ref."""
        c = self.connect("ID")
        self.assertEqual(c.request({"type": "ping"}), {"type": "pong"})

    def test_ref_of_64_bytes_is_echoed(self):
        """A ref of 64 bytes is echoed unchanged."""
        c = self.connect("ID")
        ref = "r" * 60 + "\u00e9\u00e9"
        self.assertEqual(len(ref.encode()), 64)
        self.assertEqual(c.ping(ref), {"type": "pong", "ref": ref})

    def test_several_connections_of_one_member(self):
        """A member may hold several connections at once."""
        a = self.connect("ID")
        b = self.connect("ID")
        self.assertEqual(a.ping("a"), {"type": "pong", "ref": "a"})
        self.assertEqual(b.ping("b"), {"type": "pong", "ref": "b"})

    def test_tls_1_3_is_preferred(self):
        """A client that offers TLS 1.3 gets TLS 1.3."""
        c = self.connect("ID")
        self.assertEqual(c.version, "TLSv1.3")
        self.assertPong(c)

    def test_tls_1_2_is_accepted(self):
        """A client limited to TLS 1.2 is served."""
        c = self.connect("ID", tls_max=ssl.TLSVersion.TLSv1_2)
        self.assertEqual(c.version, "TLSv1.2")
        self.assertPong(c)


class Refused(HubTestCase):
    """Certificates that must not get in, and what the hub logs of them."""

    hub_kwargs = {"members": hub.CORE_MEMBERS + hub.REFUSED_MEMBERS}

    def assertRefused(self, name, **kw):
        outcome, detail = try_session(self.hub.port, name, **kw)
        self.assertEqual(outcome, "refused",
                         "%s was not refused: %r" % (name, detail))
        # The refusal harms no one else.
        c = self.connect("ID")
        self.assertPong(c)
        return detail

    def assertLogged(self, name):
        """stderr shows the certificate's fingerprint and subject CN."""
        fp = self.hub.pki.fingerprint(name)
        cn = self.hub.pki.cn(name)

        def found(text):
            flat = text.lower().replace(":", "")
            return ("sha256=" + fp) in flat and \
                any(fp in l.lower().replace(":", "") and cn in l
                    for l in text.splitlines())
        text = self.hub.wait_stderr(found)
        self.assertIsNotNone(text, "no line with sha256=%s and %s in "
                             "stderr:\n%s" % (fp, cn, self.hub.stderr_tail()))

    def test_no_client_certificate(self):
        """A client without a certificate is refused."""
        self.assertRefused(None)

    def test_unregistered_certificate(self):
        """A valid certificate that maps to no member is refused."""
        self.assertRefused("UNREG")

    def test_unregistered_certificate_is_logged(self):
        """A refused unregistered certificate is logged with its fingerprint
        and subject."""
        self.assertRefused("UNREG")
        self.assertLogged("UNREG")

    def test_revoked_certificate(self):
        """A registered member's certificate listed in the CRL is refused."""
        self.assertRefused("REVOKED")

    def test_revoked_certificate_is_logged(self):
        """A refused revoked certificate is logged with its fingerprint and
        subject."""
        self.assertRefused("REVOKED")
        self.assertLogged("REVOKED")

    def test_expired_certificate(self):
        """A registered member's expired certificate is refused."""
        self.assertRefused("EXPIRED")

    def test_foreign_ca(self):
        """A certificate from another CA with a registered member's CN is
        refused."""
        self.assertRefused("FOREIGN")

    def test_operator_on_member_listener(self):
        """An operator's certificate is refused on the member listener."""
        self.assertRefused("OPS")

    def test_tls_1_1_is_refused(self):
        """A client limited to TLS 1.1 is refused."""
        try:
            outcome, detail = try_session(
                self.hub.port, "ID", tls_min=ssl.TLSVersion.TLSv1_1,
                tls_max=ssl.TLSVersion.TLSv1_1, ciphers="DEFAULT:@SECLEVEL=0")
        except (ssl.SSLError, ValueError) as e:
            self.skipTest("this Python cannot offer TLS 1.1: %r" % e)
        if "NO_PROTOCOLS_AVAILABLE" in detail or \
                "NO_CIPHERS_AVAILABLE" in detail:
            self.skipTest("this Python cannot offer TLS 1.1: %s" % detail)
        self.assertEqual(outcome, "refused", detail)
        c = self.connect("ID")
        self.assertPong(c)


class FingerprintPrecedence(HubTestCase):
    """Mapping prefers cert_sha256 over cert_cn, and accepts the
    fingerprint as openssl prints it."""

    hub_kwargs = {"members": (
        ("ID", 'name="Indonesia" cert_sha256={fp:ID}'),
        ("TH", 'name="Thailand" cert_sha256={fpu:TH}'),
        ("DECOY", 'name="Decoy" cert_cn=TH'),
        ("MY", 'name="Malaysia" cert_cn=MY'),
    ), "agreements": ()}

    def test_upper_case_fingerprint_with_colons(self):
        """A cert_sha256 in upper case with colons maps the member."""
        c = self.connect("TH")
        self.assertPong(c)

    def test_fingerprint_wins_over_cn(self):
        """A certificate whose fingerprint maps to TH and whose CN maps to
        DECOY is TH."""
        c = self.connect("TH")
        # Naming oneself is refused; naming the decoy is allowed.
        r = make_report(recipients=["TH"])
        reply = c.request(report_msg(r))
        self.assertRejected(reply, "recipient_not_permitted",
                            "report.recipients[0]", r["id"])
        r = make_report(recipients=["DECOY"])
        self.assertAccepted(c.request(report_msg(r)), r, recipients=1)


if __name__ == "__main__":
    unittest.main()
