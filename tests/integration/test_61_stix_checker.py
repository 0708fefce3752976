"""The STIX 2.1 checker the interop tests rely on: it must pass a valid
bundle written from the specification and name each rule a broken one
breaks, or the interop tests would prove nothing."""

import copy
import unittest

import stix_check

AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
IDENTITY = "identity--5f0e8a1c-2b6d-5d3e-9a41-0c7b7e1d2a10"
INDICATOR = "indicator--7a3c1b2e-4d5f-5a6b-8c7d-9e0f1a2b3c4d"
VULNERABILITY = "vulnerability--0b1c2d3e-4f50-5617-8293-a4b5c6d7e8f9"
REPORT = "report--c1d2e3f4-a5b6-5c7d-8e9f-0a1b2c3d4e5f"


def good_bundle():
    """A bundle as STIX 2.1 section 8 and the TLP 2.0 extension define
    one: an amber report by an identity, with two indicators and a
    vulnerability."""
    return {
        "type": "bundle",
        "id": "bundle--1e2d3c4b-5a69-5877-9685-a4b3c2d1e0f9",
        "objects": [
            {"type": "marking-definition", "spec_version": "2.1",
             "id": AMBER, "created": "2022-10-01T00:00:00.000Z",
             "name": "TLP:AMBER",
             "extensions": {EXTENSION: {
                 "extension_type": "property-extension",
                 "tlp_2_0": "amber"}}},
            {"type": "identity", "spec_version": "2.1", "id": IDENTITY,
             "created": "2020-01-01T00:00:00.000Z",
             "modified": "2026-12-04T10:00:00.000Z",
             "name": "MY (hub asean)", "identity_class": "organization"},
            {"type": "indicator", "spec_version": "2.1", "id": INDICATOR,
             "created": "2026-12-04T10:00:00.123Z",
             "modified": "2026-12-04T10:00:00.123Z",
             "created_by_ref": IDENTITY,
             "indicator_types": ["malicious-activity"],
             "pattern": "[url:value = 'https://evil.example/a\\'b\\\\c']",
             "pattern_type": "stix", "pattern_version": "2.1",
             "valid_from": "2026-12-04T10:00:00Z",
             "object_marking_refs": [AMBER]},
            {"type": "indicator", "spec_version": "2.1",
             "id": "indicator--8b4d2c3f-5e60-5b7c-9d8e-0f1a2b3c4d5e",
             "created": "2026-12-04T10:00:00.123Z",
             "modified": "2026-12-04T10:00:00.123Z",
             "pattern": "[file:hashes.'SHA-256' = "
                        "'e3b0c44298fc1c149afbf4c8996fb924"
                        "27ae41e4649b934ca495991b7852b855']",
             "pattern_type": "stix",
             "valid_from": "2026-12-04T10:00:00Z"},
            {"type": "vulnerability", "spec_version": "2.1",
             "id": VULNERABILITY,
             "created": "2026-12-04T10:00:00.123Z",
             "modified": "2026-12-04T10:00:00.123Z",
             "name": "CVE-2024-3400",
             "external_references": [{"source_name": "cve",
                                      "external_id": "CVE-2024-3400"}]},
            {"type": "report", "spec_version": "2.1", "id": REPORT,
             "created": "2026-12-04T10:00:00.123Z",
             "modified": "2026-12-04T10:00:00.123Z",
             "created_by_ref": IDENTITY, "name": "Phishing wave",
             "report_types": ["threat-report"],
             "published": "2026-12-04T10:00:00.123Z",
             "labels": ["rsit:fraud:phishing"],
             "object_refs": [INDICATOR,
                             "indicator--8b4d2c3f-5e60-5b7c-9d8e-"
                             "0f1a2b3c4d5e", VULNERABILITY],
             "object_marking_refs": [AMBER]},
        ],
    }


def find(bundle, object_id):
    return next(o for o in bundle["objects"] if o["id"] == object_id)


class Checker(unittest.TestCase):
    def assertFlags(self, bundle, fragment):
        errors = stix_check.check_bundle(bundle)
        self.assertTrue(any(fragment in e for e in errors),
                        "no error mentions %r: %r" % (fragment, errors))

    def test_valid_bundle_passes(self):
        self.assertEqual(stix_check.check_bundle(good_bundle()), [])

    def test_missing_required_property(self):
        for object_id, prop in ((REPORT, "published"),
                                (INDICATOR, "valid_from"),
                                (IDENTITY, "name"),
                                (VULNERABILITY, "modified")):
            bundle = good_bundle()
            del find(bundle, object_id)[prop]
            self.assertFlags(bundle, "required property %s is missing"
                             % prop)

    def test_id_not_type_uuid(self):
        bundle = good_bundle()
        find(bundle, IDENTITY)["id"] = "identity--not-a-uuid"
        self.assertFlags(bundle, "id is not TYPE--UUID")
        bundle = good_bundle()
        find(bundle, VULNERABILITY)["id"] = \
            VULNERABILITY.replace("vulnerability", "indicator")
        self.assertFlags(bundle, "prefix is not the type")
        bundle = good_bundle()
        bundle["id"] = "bundle-1e2d3c4b"
        self.assertFlags(bundle, "bundle's id is not bundle--UUID")

    def test_timestamp_without_z(self):
        bundle = good_bundle()
        find(bundle, REPORT)["published"] = "2026-12-04T10:00:00+00:00"
        self.assertFlags(bundle, "ending in Z")

    def test_created_without_milliseconds(self):
        bundle = good_bundle()
        find(bundle, REPORT)["created"] = "2026-12-04T10:00:00Z"
        self.assertFlags(bundle, "precise to the millisecond")

    def test_impossible_date(self):
        bundle = good_bundle()
        find(bundle, INDICATOR)["valid_from"] = "2026-02-30T10:00:00Z"
        self.assertFlags(bundle, "not a calendar time")

    def test_modified_before_created(self):
        bundle = good_bundle()
        find(bundle, REPORT)["modified"] = "2026-12-04T09:00:00.000Z"
        self.assertFlags(bundle, "modified is before created")

    def test_spec_version(self):
        bundle = good_bundle()
        bundle["spec_version"] = "2.1"
        self.assertFlags(bundle, "a 2.1 bundle has no spec_version")
        bundle = good_bundle()
        find(bundle, INDICATOR)["spec_version"] = "2.0"
        self.assertFlags(bundle, "spec_version is not")

    def test_dangling_reference(self):
        bundle = good_bundle()
        bundle["objects"] = [o for o in bundle["objects"]
                             if o["id"] != VULNERABILITY]
        self.assertFlags(bundle, "%s is not in the bundle" % VULNERABILITY)
        bundle = good_bundle()
        find(bundle, REPORT)["created_by_ref"] = AMBER
        self.assertFlags(bundle, "created_by_ref names")

    def test_duplicate_id(self):
        bundle = good_bundle()
        bundle["objects"].append(copy.deepcopy(find(bundle, INDICATOR)))
        self.assertFlags(bundle, "appears twice")

    def test_bad_patterns(self):
        broken = {
            "[url:value = 'unterminated]": "unterminated string",
            "url:value = 'x'": "not [...]",
            "[ipv4-addr:value = '999.1.1.1']": "not an ipv4",
            # A step with '-' must be quoted (STIX 2.1 section 9.4).
            "[file:hashes.SHA-256 = 'e3b0']": "is not a comparison",
            "[file:hashes.'SHA-256' = 'e3b0']": "not a SHA-256 hash",
            "[url:value = 'a' 'b']": "not a comparison",
            "[autonomous-system:number = '64500']": "compared with a string",
            "[domain-name:value = 42]": "compared with 42",
            "[mutex:name = 'x']": "not an object path",
        }
        for pattern, fragment in broken.items():
            bundle = good_bundle()
            find(bundle, INDICATOR)["pattern"] = pattern
            self.assertFlags(bundle, fragment)

    def test_wrong_tlp_definition(self):
        bundle = good_bundle()
        find(bundle, AMBER)["extensions"][EXTENSION]["tlp_2_0"] = "green"
        self.assertFlags(bundle, "not the OASIS TLP 2.0 definition")
        bundle = good_bundle()
        find(bundle, AMBER)["name"] = "TLP:GREEN"
        self.assertFlags(bundle, "not the OASIS TLP 2.0 definition")

    def test_unknown_property_and_bad_name(self):
        bundle = good_bundle()
        find(bundle, REPORT)["severity"] = "high"
        self.assertFlags(bundle, "severity is not a property of report")
        bundle = good_bundle()
        find(bundle, REPORT)["x_kentongan_severity"] = "high"
        self.assertEqual(stix_check.check_bundle(bundle), [])
        bundle = good_bundle()
        find(bundle, REPORT)["Name"] = "x"
        self.assertFlags(bundle, "is not [a-z0-9_]{3,250}")

    def test_vocabulary(self):
        bundle = good_bundle()
        find(bundle, REPORT)["report_types"] = ["gossip"]
        self.assertFlags(bundle, "report type 'gossip'")
        bundle = good_bundle()
        find(bundle, INDICATOR)["indicator_types"] = ["evil"]
        self.assertFlags(bundle, "indicator type 'evil'")

    def test_cve_reference(self):
        bundle = good_bundle()
        find(bundle, VULNERABILITY)["external_references"] = [
            {"source_name": "cve", "external_id": "2024-3400"}]
        self.assertFlags(bundle, "no CVE external_id")

    def test_not_a_bundle(self):
        self.assertFlags([], "not a JSON object")
        bundle = good_bundle()
        bundle["objects"] = []
        self.assertFlags(bundle, "objects is not a non-empty list")


if __name__ == "__main__":
    unittest.main()
