"""Harness for the federation tests: regions with a PKI each, and hubs that
peer with each other (SPEC section 12).

A region has its own certificate authority, which issues its hub's
certificate (for TLS servers and clients both: a hub dials its peers with
it) and its members' certificates. A hub trusts its own authority and its
peers' (tls_client_ca is a bundle), and pins every party by fingerprint:
a certificate from a trusted authority that no line names is refused.
"""

import json
import os
import sqlite3
import ssl
import socket
import time

import hub
import pki
from hub import Hub, free_port

_HUB_EXT = """
[ hub_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = DNS:localhost,IP:127.0.0.1,IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


class Region:
    """One region's authority, its hub certificate and its members'."""

    def __init__(self, name, members=(), extra_hubs=()):
        self.name = name
        self.dir = os.path.join(pki.run_dir(), "region-" + name)
        self.ca_dir = os.path.join(self.dir, "ca")
        os.makedirs(os.path.join(self.ca_dir, "issued"))
        with open(os.path.join(self.ca_dir, "ca.cnf"), "w") as f:
            f.write(pki._CA_CNF.format(dir=self.ca_dir) + _HUB_EXT)
        open(os.path.join(self.ca_dir, "index.txt"), "w").close()
        for n in ("serial", "crlnumber"):
            with open(os.path.join(self.ca_dir, n), "w") as f:
                f.write("1000\n")
        p = pki.PKI(self.dir)
        p.ca_dir = self.ca_dir
        p._make_ca(self.ca_dir, "Region %s CA" % name)
        self.ca_cert = os.path.join(self.ca_dir, "ca.crt")
        self._p = p
        # The hub of the region, and more hub certificates on request
        # (an impostor signed by a trusted authority, say).
        p._issue(self.ca_dir, name, name, "hub_ext")
        for extra in extra_hubs:
            p._issue(self.ca_dir, extra, extra, "hub_ext")
        for m in members:
            p._issue(self.ca_dir, m, m, "client_ext")
        self.crl = os.path.join(self.dir, "crl.pem")
        pki._openssl("ca", "-batch", "-config",
                     os.path.join(self.ca_dir, "ca.cnf"), "-gencrl",
                     "-out", self.crl)

    def cert(self, name):
        return os.path.join(self.dir, name + ".crt")

    def key(self, name):
        return os.path.join(self.dir, name + ".key")

    def fingerprint(self, name):
        return pki.cert_fingerprint(self.cert(name))


def bundle(path, regions):
    """Write the CA certificates (and CRLs) of regions into one file each;
    returns (ca_bundle, crl_bundle)."""
    with open(path + ".ca", "w") as ca, open(path + ".crl", "w") as crl:
        for r in regions:
            with open(r.ca_cert) as f:
                ca.write(f.read())
            with open(r.crl) as f:
                crl.write(f.read())
    return path + ".ca", path + ".crl"


class FedHub(Hub):
    """The hub of a region: its members, its peers (by region), and an
    operator listener with the region's operator."""

    def __init__(self, region, members, peers=(), trust=(), extra=(),
                 settings=None):
        self.region = region
        self.op_port = free_port()
        lines = []
        for mid, role in members:
            lines.append((mid, 'name="%s" role=%s cert_sha256=%s'
                          % (mid, role, region.fingerprint(mid))))
        super().__init__(members=lines, agreements=(), settings=dict({
            "hub_id": region.name,
            "operator_listen": "127.0.0.1:%d" % self.op_port,
            "tls_certificate": region.cert(region.name),
            "tls_key": region.key(region.name),
            "report_rate": "0",
        }, **(settings or {})), extra=list(extra))
        ca, crl = bundle(os.path.join(self.dir, "trust"),
                         [region] + list(trust))
        self.settings["tls_client_ca"] = ca
        self.settings["tls_crl"] = crl
        self.peers = list(peers)
        self.write_conf()

    def conf_lines(self):
        lines = super().conf_lines()
        for p in getattr(self, "peers", ()):
            lines.append(p)
        return lines

    def connect_as(self, name, region=None):
        """A member connection with a certificate of region (default: this
        hub's)."""
        return FedClient(self.port, region or self.region, name)

    def db(self):
        """A read-only look at the hub's database."""
        return sqlite3.connect("file:%s?mode=ro" % self.db_path, uri=True)

    def stored(self, report_id):
        """(seq, sender, origin) of each stored report with this id."""
        with self.db() as db:
            rows = db.execute("SELECT seq, sender, origin, body FROM "
                              "reports ORDER BY seq").fetchall()
        out = []
        for seq, sender, origin, body in rows:
            if json.loads(body).get("id") == report_id:
                out.append((seq, sender, json.loads(origin) if origin
                            else None))
        return out


def peer_line(region, max_tlp=None, connect=None, hops=None):
    """A peer line naming region's hub, pinned by fingerprint."""
    line = 'peer %s name="Hub %s" cert_sha256=%s' % (
        region.name, region.name, region.fingerprint(region.name))
    if connect is not None:
        line += " connect=127.0.0.1:%d" % connect
    if max_tlp is not None:
        line += " max_tlp=" + max_tlp
    if hops is not None:
        line += " hops=%d" % hops
    return line


class FedClient(hub.Client):
    """A member-protocol client with a certificate of a region."""

    def __init__(self, port, region, name, host="127.0.0.1"):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.load_cert_chain(region.cert(name), region.key(name))
        self.name = name
        self.buf = b""
        raw = socket.create_connection((host, port),
                                       timeout=hub.READ_TIMEOUT)
        try:
            self.sock = ctx.wrap_socket(raw, server_hostname="localhost")
        except BaseException:
            raw.close()
            raise
        self.sock.settimeout(hub.READ_TIMEOUT)

    def answer(self, obj, timeout=30.0):
        """Send obj and return the hub's answer to it: the next message
        with obj's ref. What came before it is kept in self.before, for
        the assertion that follows to show."""
        self.send(obj)
        self.before = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no answer with ref %r within %gs; "
                                     "came instead: %r"
                                     % (obj.get("ref"), timeout,
                                        self.before[:5]))
            msg = self.recv(left)
            if msg.get("ref") == obj.get("ref"):
                return msg
            self.before.append(msg)


def wait_for(predicate, timeout=30.0, what="a condition"):
    """Poll predicate() until it is true; raise AssertionError after
    timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for %s" % what)
        time.sleep(0.05)
