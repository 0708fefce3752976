"""The STIX 2.1 rules a validator enforces, for the bundles the hub writes.

No STIX validator is packaged for Debian 12 or published on npm under a
name the tests could rely on, so this module checks what STIX 2.1 (OASIS
Standard, June 2021) requires of the objects the hub emits: required
properties, `type--UUID` identifiers, RFC 3339 timestamps in UTC with
`Z` (millisecond precision for created and modified), `spec_version`,
references that resolve inside the bundle, vocabulary values, property
names, the TLP 2.0 marking definitions, and the STIX pattern grammar for
the comparisons the hub uses. check_bundle returns a list of errors, empty
for a valid bundle."""

import datetime
import ipaddress
import re

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
ID_RE = re.compile(r"^([a-z0-9][a-z0-9-]{1,248}[a-z0-9])--(" + UUID + r")$")
TIMESTAMP_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$")
PROPERTY_RE = re.compile(r"^[a-z0-9_]{3,250}$")
CVE_RE = re.compile(r"^CVE-\d{4}-\d{4,}$")

TLP2 = {
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487":
        ("TLP:CLEAR", "clear"),
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb":
        ("TLP:GREEN", "green"),
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421":
        ("TLP:AMBER", "amber"),
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003":
        ("TLP:AMBER+STRICT", "amber+strict"),
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1":
        ("TLP:RED", "red"),
}
TLP2_EXTENSION = \
    "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

COMMON = {"type", "spec_version", "id", "created_by_ref", "created",
          "modified", "revoked", "labels", "confidence", "lang",
          "external_references", "object_marking_refs", "granular_markings",
          "extensions"}
# Required (beyond the common ones) and allowed properties of each type.
TYPES = {
    "identity": ({"name"}, {"name", "description", "roles",
                            "identity_class", "sectors",
                            "contact_information"}),
    "report": ({"name", "published", "object_refs"},
               {"name", "description", "report_types", "published",
                "object_refs"}),
    "indicator": ({"pattern", "pattern_type", "valid_from"},
                  {"name", "description", "indicator_types", "pattern",
                   "pattern_type", "pattern_version", "valid_from",
                   "valid_until", "kill_chain_phases"}),
    "vulnerability": ({"name"}, {"name", "description"}),
}
REQUIRED_SDO = {"type", "spec_version", "id", "created", "modified"}
MARKING_PROPERTIES = {"type", "spec_version", "id", "created_by_ref",
                      "created", "external_references",
                      "object_marking_refs", "granular_markings",
                      "definition_type", "definition", "name", "extensions"}
REPORT_TYPES = {"attack-pattern", "campaign", "identity", "indicator",
                "intrusion-set", "malware", "observed-data", "threat-actor",
                "threat-report", "tool", "vulnerability"}
INDICATOR_TYPES = {"anomalous-activity", "anonymization", "benign",
                   "compromised", "malicious-activity", "attribution",
                   "unknown"}
IDENTITY_CLASSES = {"individual", "group", "system", "organization",
                    "class", "unknown"}
HASHES = {"MD5": 32, "SHA-1": 40, "SHA-256": 64, "SHA-512": 128,
          "SHA3-256": 64, "SHA3-512": 128}
# Object paths the hub's patterns may use, and what their values must be.
PATTERN_PATHS = {
    "ipv4-addr:value": "ipv4", "ipv6-addr:value": "ipv6",
    "domain-name:value": "string", "url:value": "string",
    "email-addr:value": "string", "autonomous-system:number": "integer",
}

STRING_LITERAL = r"'(?:[^'\\]|\\['\\])*'"
STEP = r"(?:[A-Za-z_][A-Za-z0-9_]*|'[^']+')"
PATH = r"[a-z0-9-]+:" + STEP + r"(?:\." + STEP + r")*"
COMPARISON_RE = re.compile(
    r"\s*(" + PATH + r")\s*(=|!=)\s*(" + STRING_LITERAL + r"|-?\d+)\s*")


def timestamp_error(value, name, millis=False):
    if not isinstance(value, str):
        return "%s is not a string" % name
    m = TIMESTAMP_RE.match(value)
    if not m:
        return "%s %r is not an RFC 3339 UTC timestamp ending in Z" % (
            name, value)
    try:
        datetime.datetime(*(int(g) for g in m.groups()[:6]))
    except ValueError:
        return "%s %r is not a calendar time" % (name, value)
    if millis and (m.group(7) is None or len(m.group(7)) < 4):
        return "%s %r is not precise to the millisecond" % (name, value)
    return None


def unquote(literal):
    return re.sub(r"\\(['\\])", r"\1", literal[1:-1])


def pattern_errors(pattern):
    """The errors of a STIX pattern made of observations of equality
    comparisons joined by AND/OR."""
    if not isinstance(pattern, str):
        return ["pattern is not a string"]
    errors = []
    observations = re.split(r"\s+(?:AND|OR|FOLLOWEDBY)\s+(?=\[)",
                            pattern.strip())
    for obs in observations:
        if not (obs.startswith("[") and obs.endswith("]")):
            errors.append("pattern %r: an observation is not [...]"
                          % pattern)
            continue
        body = obs[1:-1]
        comparisons = split_comparisons(body)
        if comparisons is None:
            errors.append("pattern %r: an unterminated string" % pattern)
            continue
        for c in comparisons:
            m = COMPARISON_RE.fullmatch(c)
            if not m:
                errors.append("pattern %r: %r is not a comparison"
                              % (pattern, c.strip()))
                continue
            errors.extend(comparison_errors(pattern, m.group(1),
                                            m.group(3)))
    return errors


def split_comparisons(body):
    """Split body at AND/OR outside string literals; None if a string
    does not end."""
    parts, current, i = [], "", 0
    while i < len(body):
        ch = body[i]
        if ch == "'":
            j = i + 1
            while j < len(body) and body[j] != "'":
                j += 2 if body[j] == "\\" else 1
            if j >= len(body):
                return None
            current += body[i:j + 1]
            i = j + 1
            continue
        m = re.match(r"\s+(AND|OR)\s+", body[i:])
        if m:
            parts.append(current)
            current = ""
            i += m.end()
            continue
        current += ch
        i += 1
    parts.append(current)
    return parts


def comparison_errors(pattern, path, constant):
    where = "pattern %r" % pattern
    if path.startswith("file:hashes."):
        algo = path[len("file:hashes."):]
        if algo.startswith("'"):
            algo = algo[1:-1]
        if algo not in HASHES:
            return ["%s: %s is not a hash algorithm of the vocabulary"
                    % (where, algo)]
        if not constant.startswith("'"):
            return ["%s: a hash is compared with a string" % where]
        value = unquote(constant)
        if not re.fullmatch(r"[0-9a-fA-F]{%d}" % HASHES[algo], value):
            return ["%s: %r is not a %s hash" % (where, value, algo)]
        return []
    kind = PATTERN_PATHS.get(path)
    if kind is None:
        return ["%s: %s is not an object path the hub uses" % (where, path)]
    if kind == "integer":
        if constant.startswith("'"):
            return ["%s: %s is an integer, compared with a string"
                    % (where, path)]
        return []
    if not constant.startswith("'"):
        return ["%s: %s is a string, compared with %s" % (where, path,
                                                           constant)]
    value = unquote(constant)
    try:
        if kind == "ipv4":
            ipaddress.IPv4Network(value, strict=False)
        elif kind == "ipv6":
            ipaddress.IPv6Network(value, strict=False)
    except ValueError:
        return ["%s: %r is not an %s address or network" % (where, value,
                                                            kind)]
    return []


def refs_of(obj):
    """(property, id) of every *_ref and *_refs property of obj."""
    out = []
    for key, value in obj.items():
        if key.endswith("_ref"):
            out.append((key, value))
        elif key.endswith("_refs"):
            if not isinstance(value, list) or not value:
                out.append((key, None))
            else:
                out.extend((key, v) for v in value)
    return out


def object_errors(obj, ids):
    errors = []
    if not isinstance(obj, dict):
        return ["an object is not a JSON object"]
    kind = obj.get("type")
    oid = obj.get("id")
    who = "%s %s" % (kind, oid)
    m = ID_RE.match(oid) if isinstance(oid, str) else None
    if not m:
        errors.append("%s: id is not TYPE--UUID" % who)
    elif m.group(1) != kind:
        errors.append("%s: the id's prefix is not the type" % who)
    if obj.get("spec_version") != "2.1":
        errors.append("%s: spec_version is not \"2.1\"" % who)
    for key in obj:
        if key not in ("id",) and not PROPERTY_RE.match(key):
            errors.append("%s: property name %r is not [a-z0-9_]{3,250}"
                          % (who, key))
    if kind == "marking-definition":
        required, allowed = {"type", "spec_version", "id", "created"}, \
            MARKING_PROPERTIES
        if "extensions" not in obj and not ("definition_type" in obj and
                                            "definition" in obj):
            errors.append("%s: neither extensions nor definition" % who)
        if oid in TLP2:
            name, level = TLP2[oid]
            ext = obj.get("extensions", {}).get(TLP2_EXTENSION, {})
            if obj.get("name") != name or ext.get("tlp_2_0") != level or \
                    ext.get("extension_type") != "property-extension":
                errors.append("%s: not the OASIS TLP 2.0 definition of %s"
                              % (who, name))
        for key in ("created",):
            e = timestamp_error(obj.get(key), "%s: %s" % (who, key), True)
            if e:
                errors.append(e)
    elif kind in TYPES:
        extra, props = TYPES[kind]
        required, allowed = REQUIRED_SDO | extra, COMMON | props
        for key in ("created", "modified"):
            e = timestamp_error(obj.get(key), "%s: %s" % (who, key), True)
            if e:
                errors.append(e)
        if obj.get("modified", "") < obj.get("created", ""):
            errors.append("%s: modified is before created" % who)
    else:
        return errors + ["%s: not a type the hub emits" % who]
    for key in sorted(required - set(obj)):
        errors.append("%s: required property %s is missing" % (who, key))
    for key in sorted(set(obj) - allowed):
        if not key.startswith("x_"):
            errors.append("%s: %s is not a property of %s" % (who, key,
                                                              kind))
    for key in ("published", "valid_from", "valid_until"):
        if key in obj:
            e = timestamp_error(obj[key], "%s: %s" % (who, key))
            if e:
                errors.append(e)
    for key in ("labels", "report_types", "indicator_types"):
        if key in obj and (not isinstance(obj[key], list) or not obj[key]
                           or not all(isinstance(v, str) and v
                                      for v in obj[key])):
            errors.append("%s: %s is not a non-empty list of strings"
                          % (who, key))
    for value in obj.get("report_types", []):
        if value not in REPORT_TYPES:
            errors.append("%s: report type %r is not of the vocabulary"
                          % (who, value))
    for value in obj.get("indicator_types", []):
        if value not in INDICATOR_TYPES:
            errors.append("%s: indicator type %r is not of the vocabulary"
                          % (who, value))
    if kind == "identity" and obj.get("identity_class") not in \
            (None,) + tuple(IDENTITY_CLASSES):
        errors.append("%s: identity_class is not of the vocabulary" % who)
    if kind == "indicator":
        if obj.get("pattern_type") != "stix":
            errors.append("%s: pattern_type is not stix" % who)
        elif obj.get("pattern_version", "2.1") != "2.1":
            errors.append("%s: pattern_version is not 2.1" % who)
        else:
            errors.extend("%s: %s" % (who, e)
                          for e in pattern_errors(obj.get("pattern")))
    for ref in obj.get("external_references", []) or []:
        if not isinstance(ref, dict) or not isinstance(
                ref.get("source_name"), str):
            errors.append("%s: an external reference has no source_name"
                          % who)
        elif ref["source_name"] == "cve" and not CVE_RE.match(
                str(ref.get("external_id", ""))):
            errors.append("%s: a cve reference has no CVE external_id"
                          % who)
        elif len(ref) < 2:
            errors.append("%s: an external reference has only its "
                          "source_name" % who)
    for key, ref in refs_of(obj):
        if not isinstance(ref, str) or not ID_RE.match(ref):
            errors.append("%s: %s holds %r, not an identifier"
                          % (who, key, ref))
        elif ref not in ids:
            errors.append("%s: %s %s is not in the bundle" % (who, key, ref))
        elif key == "object_marking_refs" and \
                not ref.startswith("marking-definition--"):
            errors.append("%s: object_marking_refs names %s" % (who, ref))
        elif key == "created_by_ref" and not ref.startswith("identity--"):
            errors.append("%s: created_by_ref names %s" % (who, ref))
    return errors


def check_bundle(bundle):
    """The STIX 2.1 errors of bundle: [] if it is a valid bundle of the
    objects the hub emits."""
    if not isinstance(bundle, dict):
        return ["the bundle is not a JSON object"]
    errors = []
    if bundle.get("type") != "bundle":
        errors.append("type is not bundle")
    m = ID_RE.match(str(bundle.get("id", "")))
    if not m or m.group(1) != "bundle":
        errors.append("the bundle's id is not bundle--UUID")
    if "spec_version" in bundle:
        errors.append("a 2.1 bundle has no spec_version")
    for key in set(bundle) - {"type", "id", "objects"}:
        errors.append("%s is not a property of a bundle" % key)
    objects = bundle.get("objects")
    if not isinstance(objects, list) or not objects:
        return errors + ["objects is not a non-empty list"]
    ids = [o.get("id") for o in objects if isinstance(o, dict)]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        errors.append("%s appears twice" % dup)
    for obj in objects:
        errors.extend(object_errors(obj, set(ids)))
    return errors
