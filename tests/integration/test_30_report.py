"""Pushing reports over the member protocol (SPEC sections 5, 6 and 7):
acceptance, idempotency, the sharing policy's recipient counts, and every
refusal with its exact error code and field."""

import datetime
import json
import time
import unittest

from hub import HubTestCase, make_report, new_id, report_msg

VALID_INDICATORS = [
    {"type": "ipv4", "value": "203.0.113.7"},
    {"type": "ipv6", "value": "2001:db8::7"},
    {"type": "cidr", "value": "198.51.100.0/24"},
    {"type": "cidr", "value": "2001:db8::/32"},
    {"type": "domain", "value": "portal.example.go.id"},
    {"type": "url", "value": "https://portal.example.go.id/uploads/shell.php"},
    {"type": "email", "value": "cert@example.go.id"},
    {"type": "md5", "value": "d41d8cd98f00b204e9800998ecf8427e"},
    {"type": "sha1", "value": "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
    {"type": "sha256", "value": "e3b0c44298fc1c149afbf4c8996fb924"
                                "27ae41e4649b934ca495991b7852b855"},
    {"type": "cve", "value": "CVE-2021-44228"},
    {"type": "asn", "value": "AS64496"},
]

BAD_INDICATOR_VALUES = [
    ("ipv4", "203.0.113.256"),
    ("ipv4", "203.0.113"),
    ("ipv6", "2001:db8:::1"),
    ("ipv6", "2001:db8::12345"),
    ("cidr", "198.51.100.0/33"),
    ("cidr", "198.51.100.0"),
    ("domain", "exa mple.go.id"),
    ("domain", "portal..example.go.id"),
    ("url", "not a url"),
    ("email", "cert.example.go.id"),
    ("email", "cert@"),
    ("md5", "d41d8cd98f00b204e9800998ecf8427"),
    ("md5", "z41d8cd98f00b204e9800998ecf8427e"),
    ("sha1", "da39a3ee5e6b4b0d3255bfef95601890afd8070"),
    ("sha256", "e3b0c44298fc1c149afbf4c8996fb924"
               "27ae41e4649b934ca495991b7852b85"),
    ("sha256", "g3b0c44298fc1c149afbf4c8996fb924"
               "27ae41e4649b934ca495991b7852b855"),
    ("cve", "CVE-21-44228"),
    ("cve", "CVE-2021-44"),
    ("asn", "ASX"),
    ("asn", "AS-1"),
]


def rfc3339(delta_seconds):
    """The time now plus delta_seconds, as RFC 3339 in UTC."""
    t = datetime.datetime.now(datetime.timezone.utc) + \
        datetime.timedelta(seconds=delta_seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class ReportTestCase(HubTestCase):

    def push(self, client, report, ref=None):
        return client.request(report_msg(report, ref))

    def assertRefused(self, client, report, error, field, msg_id="same"):
        """Pushing report is rejected with error and field; the connection
        still answers a ping afterwards."""
        if msg_id == "same":
            msg_id = report.get("id") if isinstance(report, dict) else None
        reply = self.push(client, report)
        self.assertRejected(reply, error, field, msg_id)
        self.assertPong(client)


class Acceptance(ReportTestCase):
    """A valid report is accepted once, with a sequence number."""

    def test_accepted(self):
        """A valid report gets accepted with its id, a seq >= 1, duplicate
        false and the recipient count."""
        c = self.connect("ID")
        r = make_report()
        reply = self.push(c, r)
        self.assertAccepted(reply, r, recipients=3)
        # SPEC section 13: the receipt, the hub's signed word.
        self.assertEqual(set(reply) - {"ref"},
                         {"type", "id", "seq", "duplicate", "recipients",
                          "receipt"})
        self.assertEqual(set(reply["receipt"]),
                         {"seq", "digest", "received_at", "chain", "sig"})
        self.assertEqual(reply["receipt"]["seq"], reply["seq"])

    def test_seq_increases(self):
        """Each accepted report gets a larger seq than the one before, from
        any member."""
        a = self.connect("ID")
        b = self.connect("SG")
        seqs = []
        for c in (a, b, a, b, a):
            r = make_report()
            seqs.append(self.assertAccepted(self.push(c, r), r))
        self.assertEqual(seqs, sorted(set(seqs)), seqs)

    def test_ref_is_echoed(self):
        """The ref of a report request is echoed in accepted."""
        c = self.connect("ID")
        r = make_report()
        reply = self.push(c, r, ref="push-1")
        self.assertAccepted(reply, r)
        self.assertEqual(reply.get("ref"), "push-1", reply)

    def test_ref_is_echoed_in_rejected(self):
        """The ref of a report request is echoed in rejected."""
        c = self.connect("ID")
        r = make_report(severity="urgent")
        reply = self.push(c, r, ref="push-2")
        self.assertRejected(reply, "invalid_field", "report.severity",
                            r["id"])
        self.assertEqual(reply.get("ref"), "push-2", reply)

    def test_full_report(self):
        """A report with every optional field and every indicator type is
        accepted."""
        c = self.connect("ID")
        r = make_report(
            tlp="amber", description="Found during routine monitoring.\n"
            "Attacker used a known CMS flaw. \u00e9\u4e2d",
            observed_at=rfc3339(-3600), indicators=VALID_INDICATORS,
            sectors=["government", "telecommunications"],
            recipients=["SG", "MY"])
        self.assertAccepted(self.push(c, r), r, recipients=2)

    def test_observed_at_forms(self):
        """observed_at with fractions, offsets and one minute in the future
        is accepted."""
        c = self.connect("ID")
        for t in ("2025-11-20T07:15:00.123456Z", "2025-11-20T14:15:00+07:00",
                  "2020-02-29T00:00:00Z", rfc3339(60)):
            with self.subTest(observed_at=t):
                r = make_report(observed_at=t)
                self.assertAccepted(self.push(c, r), r)

    def test_limits_are_inclusive(self):
        """A title of 200 characters, a description of 16384 bytes and 1000
        indicators are accepted."""
        c = self.connect("ID")
        for field, value in (
                ("title", "\u00e9" * 200),
                ("description", "d" * 16384),
                ("indicators", [{"type": "ipv4",
                                 "value": "10.0.%d.%d" % (i // 250, i % 250)}
                                for i in range(1000)])):
            with self.subTest(field=field):
                r = make_report(**{field: value})
                self.assertAccepted(self.push(c, r), r)

    def test_other_codes(self):
        """test/test and availability/ddos are codes of the taxonomy."""
        c = self.connect("ID")
        for code in ("test/test", "availability/ddos"):
            r = make_report(code=code)
            self.assertAccepted(self.push(c, r), r)

    def test_duplicate(self):
        """Re-sending an accepted report gives the first seq with duplicate
        true."""
        c = self.connect("ID")
        r = make_report()
        first = self.assertAccepted(self.push(c, r), r, recipients=3)
        self.assertAccepted(self.push(c, r), r, recipients=3,
                            duplicate=True, seq=first)

    def test_duplicate_with_keys_reordered(self):
        """The same report with its keys in another order is a duplicate."""
        c = self.connect("ID")
        r = make_report(indicators=VALID_INDICATORS[:2])
        first = self.assertAccepted(self.push(c, r), r)
        reordered = dict(reversed(list(r.items())))
        reordered["indicators"] = [dict(reversed(list(i.items())))
                                   for i in r["indicators"]]
        self.assertNotEqual(json.dumps(reordered), json.dumps(r))
        self.assertAccepted(self.push(c, reordered), r, duplicate=True,
                            seq=first)

    def test_duplicate_on_another_connection(self):
        """A member's report re-sent on its other connection is a
        duplicate."""
        a = self.connect("ID")
        b = self.connect("ID")
        r = make_report()
        first = self.assertAccepted(self.push(a, r), r)
        self.assertAccepted(self.push(b, r), r, duplicate=True, seq=first)

    def test_same_id_from_another_sender(self):
        """The id is unique per sender: another member may use the same
        id."""
        a = self.connect("ID")
        b = self.connect("SG")
        r = make_report()
        first = self.assertAccepted(self.push(a, r), r)
        second = self.assertAccepted(self.push(b, r), r)
        self.assertNotEqual(first, second)

    def test_id_conflict(self):
        """The same id with another title is rejected with id_conflict."""
        c = self.connect("ID")
        r = make_report()
        self.assertAccepted(self.push(c, r), r)
        changed = dict(r, title="Another title")
        reply = self.push(c, changed)
        self.assertRejected(reply, "id_conflict", id=r["id"],
                            check_field=False)
        self.assertPong(c)
        # The first version still stands.
        self.assertAccepted(self.push(c, r), r, duplicate=True)

    def test_id_conflict_on_added_field(self):
        """The same id with an added optional field is rejected with
        id_conflict."""
        c = self.connect("ID")
        r = make_report()
        self.assertAccepted(self.push(c, r), r)
        reply = self.push(c, dict(r, description="more"))
        self.assertRejected(reply, "id_conflict", id=r["id"],
                            check_field=False)

    def test_duplicate_with_id_in_upper_case(self):
        """A UUID's case means nothing: the same report with its id in
        upper case is a duplicate with the first seq, answered with the id
        as sent; with other content it is an id_conflict."""
        c = self.connect("ID")
        r = make_report()
        first = self.assertAccepted(self.push(c, r), r)
        upper = dict(r, id=r["id"].upper())
        self.assertNotEqual(upper["id"], r["id"])
        self.assertAccepted(self.push(c, upper), upper, duplicate=True,
                            seq=first)
        reply = self.push(c, dict(upper, title="Another title"))
        self.assertRejected(reply, "id_conflict", id=upper["id"],
                            check_field=False)
        self.assertPong(c)

    def test_id_case_kept_in_the_report(self):
        """A report first sent with an upper-case id keeps it as sent; the
        same report in lower or mixed case is a duplicate of it."""
        c = self.connect("ID")
        upper = make_report()
        upper["id"] = upper["id"].upper()
        first = self.assertAccepted(self.push(c, upper), upper)
        lower = dict(upper, id=upper["id"].lower())
        self.assertAccepted(self.push(c, lower), lower, duplicate=True,
                            seq=first)
        mixed = dict(upper, id=upper["id"][:18] + lower["id"][18:])
        self.assertAccepted(self.push(c, mixed), mixed, duplicate=True,
                            seq=first)
        self.assertRejected(self.push(c, dict(lower, severity="low")),
                            "id_conflict", id=lower["id"], check_field=False)
        reply = self.connect("SG").request({"type": "query", "ref": "q",
                                            "after": first - 1,
                                            "limit": 1})
        self.assertEqual(reply.get("type"), "result", reply)
        self.assertEqual([a["seq"] for a in reply["alerts"]], [first])
        self.assertEqual(reply["alerts"][0]["report"], upper)

    def test_rejected_report_is_not_stored(self):
        """After a rejection, the corrected report with the same id is
        accepted as new."""
        c = self.connect("ID")
        r = make_report()
        self.assertRejected(self.push(c, dict(r, severity="urgent")),
                            "invalid_field", "report.severity", r["id"])
        self.assertAccepted(self.push(c, r), r, duplicate=False)

    def test_pipelined_reports(self):
        """Reports sent back to back are each accepted with distinct seqs."""
        c = self.connect("ID")
        reports = [make_report() for _ in range(20)]
        c.send_raw(b"".join(json.dumps(report_msg(r)).encode() + b"\n"
                            for r in reports))
        replies = [c.recv() for _ in reports]
        by_id = {m.get("id"): m for m in replies}
        seqs = [self.assertAccepted(by_id.get(r["id"], {}), r)
                for r in reports]
        self.assertEqual(len(set(seqs)), len(reports))


class Recipients(ReportTestCase):
    """The number of entitled recipients for the registry ID SG MY TH
    (members), APCERT (partner), OPS (operator), with agreements ID-SG
    amber and ID-MY red."""

    def assertRecipients(self, sender, expected, **fields):
        c = self.connect(sender)
        r = make_report(**fields)
        self.assertAccepted(self.push(c, r), r, recipients=expected)

    def test_clear_reaches_members_and_partners(self):
        """TLP:CLEAR from ID reaches SG, MY, TH and APCERT."""
        self.assertRecipients("ID", 4, tlp="clear")

    def test_green_reaches_the_region(self):
        """TLP:GREEN from ID reaches the members SG, MY, TH, not the
        partner."""
        self.assertRecipients("ID", 3, tlp="green")

    def test_amber_needs_an_agreement(self):
        """TLP:AMBER from ID reaches SG (amber agreement) and MY (red
        agreement) only."""
        self.assertRecipients("ID", 2, tlp="amber")

    def test_amber_strict(self):
        """TLP:AMBER+STRICT from ID reaches only MY (red agreement)."""
        self.assertRecipients("ID", 1, tlp="amber+strict")

    def test_red_with_recipients(self):
        """TLP:RED from ID to MY reaches MY."""
        self.assertRecipients("ID", 1, tlp="red", recipients=["MY"])

    def test_agreement_is_symmetric(self):
        """TLP:RED from MY to ID is allowed by the agreement ID MY."""
        self.assertRecipients("MY", 1, tlp="red", recipients=["ID"])

    def test_amber_from_the_other_side(self):
        """TLP:AMBER from SG reaches only ID."""
        self.assertRecipients("SG", 1, tlp="amber")

    def test_green_from_another_member(self):
        """TLP:GREEN from TH reaches ID, SG and MY."""
        self.assertRecipients("TH", 3, tlp="green")

    def test_recipients_narrow(self):
        """Named recipients narrow the set to them."""
        self.assertRecipients("ID", 1, tlp="green", recipients=["SG"])

    def test_recipients_may_include_a_partner(self):
        """TLP:CLEAR to APCERT and TH reaches those two."""
        self.assertRecipients("ID", 2, tlp="clear",
                              recipients=["APCERT", "TH"])

    def test_partner_sends_clear(self):
        """TLP:CLEAR from the partner APCERT reaches ID, SG, MY and TH."""
        self.assertRecipients("APCERT", 4, tlp="clear")


class RecipientRefusals(ReportTestCase):
    """Named recipients are checked; a report is never silently
    narrowed."""

    def test_red_requires_recipients(self):
        """TLP:RED without recipients is rejected with
        recipients_required."""
        c = self.connect("ID")
        self.assertRefused(c, make_report(tlp="red"), "recipients_required",
                           "report.recipients")

    def test_unknown_recipient(self):
        """A recipient that is not registered is rejected with
        unknown_recipient."""
        c = self.connect("ID")
        self.assertRefused(c, make_report(recipients=["SG", "VN"]),
                           "unknown_recipient", "report.recipients[1]")

    def test_recipient_not_permitted(self):
        """A recipient the TLP does not permit is rejected with
        recipient_not_permitted."""
        cases = [
            ("ID", {"tlp": "amber", "recipients": ["TH"]}),
            ("ID", {"tlp": "amber", "recipients": ["SG", "TH"]}),
            ("ID", {"tlp": "red", "recipients": ["SG"]}),
            ("ID", {"tlp": "amber+strict", "recipients": ["SG"]}),
            ("ID", {"tlp": "green", "recipients": ["APCERT"]}),
            ("ID", {"tlp": "clear", "recipients": ["OPS"]}),
            ("ID", {"tlp": "green", "recipients": ["ID"]}),
            ("APCERT", {"tlp": "green", "recipients": ["SG"]}),
        ]
        for sender, fields in cases:
            with self.subTest(sender=sender, **fields):
                c = self.connect(sender)
                bad = len(fields["recipients"]) - 1
                self.assertRefused(c, make_report(**fields),
                                   "recipient_not_permitted",
                                   "report.recipients[%d]" % bad)

    def test_recipients_must_be_an_array(self):
        """recipients that is not an array is an invalid_field."""
        c = self.connect("ID")
        self.assertRefused(c, make_report(recipients="SG"), "invalid_field",
                           "report.recipients")


class FieldRefusals(ReportTestCase):
    """Each rule of the report table, broken alone."""

    def test_missing_required_fields(self):
        """Each required field, when absent, gives missing_field with its
        path."""
        c = self.connect("ID")
        for field in ("id", "code", "severity", "tlp", "title"):
            with self.subTest(field=field):
                r = make_report(**{field: None})
                self.assertRefused(c, r, "missing_field", "report." + field,
                                   None if field == "id" else r["id"])

    def test_invalid_id(self):
        """An id that is not a UUID is an invalid_field."""
        c = self.connect("ID")
        for bad in ("not-a-uuid", "0b7f6f0e4b1c4c8e9d1a2a6e3f1c9b10",
                    "0b7f6f0e-4b1c-4c8e-9d1a-2a6e3f1c9b1",
                    "0b7f6f0e-4b1c-4c8e-9d1a-2a6e3f1c9b1g", ""):
            with self.subTest(id=bad):
                self.assertRefused(c, make_report(id=bad), "invalid_field",
                                   "report.id")

    def test_invalid_severity(self):
        """A severity outside the five levels is an invalid_field."""
        c = self.connect("ID")
        for bad in ("urgent", "", 3):
            with self.subTest(severity=bad):
                self.assertRefused(c, make_report(severity=bad),
                                   "invalid_field", "report.severity")

    def test_invalid_tlp(self):
        """A TLP outside the five TLP 2.0 labels is an invalid_field."""
        c = self.connect("ID")
        for bad in ("white", "amber-strict", ""):
            with self.subTest(tlp=bad):
                self.assertRefused(c, make_report(tlp=bad), "invalid_field",
                                   "report.tlp")

    def test_invalid_title(self):
        """An empty, too long, control-bearing or non-string title is an
        invalid_field."""
        c = self.connect("ID")
        for bad in ("", "t" * 201, "\u00e9" * 201, "Web\u0007shell",
                    "Web\nshell", "Web\tshell", "Web\u007fshell",
                    "Web\u0085shell", 7):
            with self.subTest(title=bad):
                self.assertRefused(c, make_report(title=bad),
                                   "invalid_field", "report.title")

    def test_description_too_long(self):
        """A description over 16384 bytes is an invalid_field."""
        c = self.connect("ID")
        for bad in ("d" * 16385, "\u00e9" * 8193):
            with self.subTest(length=len(bad.encode())):
                self.assertRefused(c, make_report(description=bad),
                                   "invalid_field", "report.description")

    def test_invalid_observed_at(self):
        """An observed_at in the far future or not RFC 3339 is an
        invalid_field."""
        c = self.connect("ID")
        for bad in (rfc3339(600), "yesterday", "2025-02-29T00:00:00Z",
                    "2025-11-20 07:15:00", 1763622900):
            with self.subTest(observed_at=bad):
                self.assertRefused(c, make_report(observed_at=bad),
                                   "invalid_field", "report.observed_at")

    def test_invalid_indicator_values(self):
        """An indicator value that is not valid for its type is an
        invalid_field at report.indicators[1].value."""
        c = self.connect("ID")
        for typ, value in BAD_INDICATOR_VALUES:
            with self.subTest(type=typ, value=value):
                r = make_report(indicators=[
                    {"type": "ipv4", "value": "203.0.113.7"},
                    {"type": typ, "value": value}])
                self.assertRefused(c, r, "invalid_field",
                                   "report.indicators[1].value")

    def test_invalid_indicator_type(self):
        """An indicator type outside the list is an invalid_field."""
        c = self.connect("ID")
        r = make_report(indicators=[{"type": "ipv4", "value": "203.0.113.7"},
                                    {"type": "ip", "value": "203.0.113.8"}])
        self.assertRefused(c, r, "invalid_field", "report.indicators[1].type")

    def test_indicator_missing_parts(self):
        """An indicator without type or value gives missing_field."""
        c = self.connect("ID")
        for part in ("type", "value"):
            with self.subTest(missing=part):
                ind = {"type": "ipv4", "value": "203.0.113.8"}
                del ind[part]
                r = make_report(indicators=[
                    {"type": "ipv4", "value": "203.0.113.7"}, ind])
                self.assertRefused(c, r, "missing_field",
                                   "report.indicators[1].%s" % part)

    def test_indicators_shape(self):
        """indicators that is not an array of objects is an invalid_field."""
        c = self.connect("ID")
        r = make_report(indicators={"type": "ipv4", "value": "203.0.113.7"})
        self.assertRefused(c, r, "invalid_field", "report.indicators")
        r = make_report(indicators=[{"type": "ipv4", "value": "203.0.113.7"},
                                    "203.0.113.8"])
        self.assertRefused(c, r, "invalid_field", "report.indicators[1]")

    def test_too_many_indicators(self):
        """More than 1000 indicators is an invalid_field."""
        c = self.connect("ID")
        r = make_report(indicators=[
            {"type": "ipv4", "value": "10.0.%d.%d" % (i // 250, i % 250)}
            for i in range(1001)])
        self.assertRefused(c, r, "invalid_field", "report.indicators")

    def test_unknown_sector(self):
        """A sector not in the taxonomy's list is an invalid_field."""
        c = self.connect("ID")
        r = make_report(sectors=["government", "teleportation"])
        self.assertRefused(c, r, "invalid_field", "report.sectors[1]")

    def test_unknown_field_in_report(self):
        """A field the report table does not have is an unknown_field."""
        c = self.connect("ID")
        self.assertRefused(c, make_report(priority="p1"), "unknown_field",
                           "report.priority")

    def test_unknown_field_in_indicator(self):
        """A field an indicator does not have is an unknown_field."""
        c = self.connect("ID")
        r = make_report(indicators=[
            {"type": "ipv4", "value": "203.0.113.7"},
            {"type": "ipv4", "value": "203.0.113.8", "comment": "c2"}])
        self.assertRefused(c, r, "unknown_field",
                           "report.indicators[1].comment")

    def test_unknown_code(self):
        """A code that is not in the taxonomy is an unknown_code."""
        c = self.connect("ID")
        for bad in ("intrusions/teleportation", "teleportation/beam"):
            with self.subTest(code=bad):
                self.assertRefused(c, make_report(code=bad), "unknown_code",
                                   "report.code")

    def test_report_missing(self):
        """A report request without a report is a missing_field."""
        c = self.connect("ID")
        reply = c.request({"type": "report", "ref": "r9"})
        self.assertRejected(reply, "missing_field", "report", None)
        self.assertEqual(reply.get("ref"), "r9", reply)
        self.assertPong(c)

    def test_report_not_an_object(self):
        """A report that is not an object is an invalid_field."""
        c = self.connect("ID")
        reply = c.request({"type": "report", "report": "boom"})
        self.assertRejected(reply, "invalid_field", "report", None)
        self.assertPong(c)


class LineErrors(ReportTestCase):
    """Lines that are not a valid request get an error and the connection
    stays usable."""

    def test_malformed_json(self):
        """A line that is not JSON gets malformed_json."""
        c = self.connect("ID")
        c.send_raw(b"{bad\n")
        self.assertError(c.recv(), "malformed_json")
        self.assertPong(c)

    def test_invalid_utf8(self):
        """A line that is not valid UTF-8 gets malformed_json."""
        c = self.connect("ID")
        c.send_raw(b'{"type":"ping","ref":"\xff\xfe"}\n')
        self.assertError(c.recv(), "malformed_json")
        self.assertPong(c)

    def test_unknown_type(self):
        """A message of an unknown type gets unknown_type with its ref."""
        c = self.connect("ID")
        reply = c.request({"type": "hello", "ref": "u1"})
        self.assertError(reply, "unknown_type", ref="u1")
        self.assertPong(c)

    def test_missing_type(self):
        """A message without type gets missing_field."""
        c = self.connect("ID")
        reply = c.request({"ref": "m1"})
        self.assertError(reply, "missing_field", ref="m1")
        self.assertPong(c)

    def test_bad_ref(self):
        """A ref longer than 64 bytes, or not a string, gets
        invalid_field."""
        c = self.connect("ID")
        for ref in ("r" * 65, 5):
            with self.subTest(ref=ref):
                self.assertError(c.request({"type": "ping", "ref": ref}),
                                 "invalid_field")
                self.assertPong(c)

    def test_many_errors_keep_the_connection(self):
        """Ninety-nine errors on one connection leave it usable."""
        c = self.connect("ID")
        c.send_raw(b"{bad\n" * 99)
        for _ in range(99):
            self.assertError(c.recv(), "malformed_json")
        self.assertPong(c)

    def test_hundredth_error_closes(self):
        """After the hundredth error on one connection the hub closes it."""
        c = self.connect("ID")
        c.send_raw(b"{bad\n" * 99)
        for _ in range(99):
            self.assertError(c.recv(), "malformed_json")
        c.send_raw(b"{bad\n")
        last = c.expect_closed()
        self.assertEqual(len(last), 1, last)
        self.assertError(last[0], "malformed_json")
        # Others are still served.
        self.assertPong(self.connect("ID"))

    def test_errors_are_counted_per_connection(self):
        """Errors on one connection do not count against another."""
        a = self.connect("ID")
        b = self.connect("ID")
        for c in (a, b):
            c.send_raw(b"{bad\n" * 60)
            for _ in range(60):
                self.assertError(c.recv(), "malformed_json")
        self.assertPong(a)
        self.assertPong(b)


class MessageSize(ReportTestCase):
    """max_message_bytes 4096: a longer line ends the connection."""

    hub_kwargs = {"settings": {"max_message_bytes": "4096"}}

    def test_line_under_the_limit(self):
        """A report line under max_message_bytes is accepted."""
        c = self.connect("ID")
        r = make_report(description="d" * 3500)
        self.assertLess(len(json.dumps(report_msg(r))), 4000)
        self.assertAccepted(self.push(c, r), r)

    def test_line_over_the_limit(self):
        """A line over max_message_bytes gets message_too_large and the
        connection is closed."""
        c = self.connect("ID")
        r = make_report(description="d" * 5000)
        c.send(report_msg(r))
        msgs = c.expect_closed()
        self.assertEqual(len(msgs), 1, msgs)
        self.assertError(msgs[0], "message_too_large")
        self.assertPong(self.connect("ID"))

    def test_endless_line(self):
        """Bytes without a newline beyond max_message_bytes get
        message_too_large and the connection is closed."""
        c = self.connect("ID")
        c.send_raw(b'{"type":"ping","ref":"' + b"x" * 20000)
        msgs = c.expect_closed()
        self.assertEqual(len(msgs), 1, msgs)
        self.assertError(msgs[0], "message_too_large")
        self.assertPong(self.connect("ID"))

    def test_nothing_stored_for_a_large_line(self):
        """A report in a line that was too large is not stored."""
        c = self.connect("ID")
        r = make_report(description="d" * 5000)
        c.send(report_msg(r))
        c.expect_closed()
        c = self.connect("ID")
        r["description"] = "short"
        self.assertAccepted(self.push(c, r), r, duplicate=False)


class RateLimit(ReportTestCase):
    """report_rate 1 2: a member pushing faster is told rate_limited."""

    hub_kwargs = {"settings": {"report_rate": "1 2"}}

    def test_rate_limited(self):
        """Five reports at once against a burst of two: some get
        rate_limited, nothing is stored for them, the connection stays
        usable."""
        c = self.connect("ID")
        reports = [make_report() for _ in range(5)]
        c.send_raw(b"".join(json.dumps(report_msg(r)).encode() + b"\n"
                            for r in reports))
        replies = {}
        for _ in reports:
            m = c.recv()
            replies[m.get("id")] = m
        self.assertEqual(set(replies), {r["id"] for r in reports}, replies)
        self.assertEqual(replies[reports[0]["id"]].get("type"), "accepted")
        limited = [r for r in reports
                   if replies[r["id"]].get("type") != "accepted"]
        self.assertTrue(limited, "no report was rate limited: %r" % replies)
        for r in limited:
            self.assertRejected(replies[r["id"]], "rate_limited", id=r["id"],
                                check_field=False)
        self.assertPong(c)
        # A limited report was not stored: once tokens are back, it is new.
        r = limited[0]
        deadline = time.monotonic() + 20
        while True:
            reply = self.push(c, r)
            if reply.get("error") != "rate_limited" or \
                    time.monotonic() > deadline:
                break
            time.sleep(0.5)
        self.assertAccepted(reply, r, duplicate=False)

    def test_limit_is_per_member(self):
        """One member's rate limit does not limit another member."""
        a = self.connect("TH")
        a.send_raw(b"".join(json.dumps(report_msg(make_report())).encode()
                            + b"\n" for _ in range(5)))
        for _ in range(5):
            a.recv()
        b = self.connect("SG")
        r = make_report()
        self.assertAccepted(self.push(b, r), r)


class Unlimited(ReportTestCase):
    """report_rate 0: no limit at all (SPEC section 3)."""

    hub_kwargs = {"settings": {"report_rate": "0"}}

    def test_burst_of_2000(self):
        """2,000 reports sent back to back, twice the default burst, are
        all accepted."""
        c = self.connect("ID")
        reports = [make_report() for _ in range(2000)]
        c.send_raw(b"".join(json.dumps(report_msg(r)).encode() + b"\n"
                            for r in reports))
        replies = [c.recv() for _ in reports]
        refused = [m for m in replies if m.get("type") != "accepted"]
        self.assertEqual(refused, [], refused[:3])
        self.assertEqual([m["id"] for m in replies],
                         [r["id"] for r in reports])
        self.assertPong(c)


if __name__ == "__main__":
    unittest.main()


class DebugLog(HubTestCase):
    """log_level debug logs each accepted report; info does not."""

    hub_kwargs = {"settings": {"log_level": "debug"}}

    def test_accepted_report_logged(self):
        r = make_report()
        reply = self.connect("ID").request(report_msg(r))
        self.assertEqual(reply.get("type"), "accepted", reply)
        self.assertIsNotNone(self.hub.wait_stderr(
            lambda t: "report: ID: accepted %s seq=%d " % (r["id"],
                                                          reply["seq"]) in t))


class InfoLog(HubTestCase):
    """At the default level a report costs no log line of its own."""

    def test_accepted_report_not_logged(self):
        r = make_report()
        c = self.connect("ID")
        reply = c.request(report_msg(r))
        self.assertEqual(reply.get("type"), "accepted", reply)
        self.assertPong(c)
        self.assertNotIn(r["id"], self.hub.stderr_text())
        # A refusal is still logged.
        bad = make_report(severity="extreme")
        reply = c.request(report_msg(bad))
        self.assertEqual(reply.get("type"), "rejected", reply)
        self.assertIsNotNone(self.hub.wait_stderr(
            lambda t: "refused %s" % bad["id"] in t))
