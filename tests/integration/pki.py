"""A throwaway PKI for the integration tests, made with the openssl command.

One certificate authority issues the hub's server certificate and the client
certificates of the parties below; a second, foreign authority issues a
certificate whose subject imitates a registered member. Everything is made
once per test run, in a temporary directory, and reused by every test.

    name      CN        issuer   note
    ID        ID        CA       member
    SG        SG        CA       member
    MY        MY        CA       member
    TH        TH        CA       member
    APCERT    APCERT    CA       partner
    OPS       OPS       CA       operator
    UNREG     UNREG     CA       valid, but in no configuration
    REVOKED   REVOKED   CA       listed in the CRL
    EXPIRED   EXPIRED   CA       valid only on 2020-01-01
    FOREIGN   SG        FOREIGN  same CN as a member, other authority
"""

import atexit
import datetime
import hashlib
import os
import shutil
import ssl
import subprocess
import tempfile

CLIENTS = ("ID", "SG", "MY", "TH", "APCERT", "OPS", "UNREG", "REVOKED",
           "EXPIRED")
_SUBJECT_CN = {name: name for name in CLIENTS}
_SUBJECT_CN["FOREIGN"] = "SG"

_CA_CNF = """\
[ ca ]
default_ca = test_ca

[ test_ca ]
dir = {dir}
database = $dir/index.txt
serial = $dir/serial
crlnumber = $dir/crlnumber
new_certs_dir = $dir/issued
certificate = $dir/ca.crt
private_key = $dir/ca.key
default_md = sha256
default_days = 3650
default_crl_days = 3650
policy = policy_cn
unique_subject = no
copy_extensions = none
email_in_dn = no

[ policy_cn ]
commonName = supplied

[ server_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1,IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ client_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ ca_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
"""


def _openssl(*args, cwd=None):
    """Run the openssl command; raise with its stderr if it fails."""
    proc = subprocess.run(("openssl",) + args, cwd=cwd, capture_output=True,
                          text=True)
    if proc.returncode != 0:
        raise RuntimeError("openssl %s failed: %s"
                           % (" ".join(args), proc.stderr.strip()))
    return proc.stdout


class PKI:
    """Paths and facts of the generated certificates and keys."""

    def __init__(self, directory):
        self.dir = directory
        self.ca_dir = os.path.join(directory, "ca")
        self.foreign_dir = os.path.join(directory, "foreign")
        self.ca_cert = os.path.join(self.ca_dir, "ca.crt")
        self.foreign_ca_cert = os.path.join(self.foreign_dir, "ca.crt")
        self.crl = os.path.join(directory, "crl.pem")
        self.server_cert = os.path.join(directory, "server.crt")
        self.server_key = os.path.join(directory, "server.key")

    def cert(self, name):
        """Path of the PEM certificate of a party (see the table above)."""
        return os.path.join(self.dir, name + ".crt")

    def key(self, name):
        """Path of the PEM private key of a party."""
        return os.path.join(self.dir, name + ".key")

    def fingerprint(self, name, colons=False, upper=False):
        """SHA-256 of the party's DER certificate, lower-case hex."""
        return cert_fingerprint(self.cert(name), colons=colons, upper=upper)

    def cn(self, name):
        """Subject CN of the party's certificate, as read back from it."""
        return cert_subject_cn(self.cert(name))

    def _generate(self):
        os.makedirs(os.path.join(self.ca_dir, "issued"))
        os.makedirs(os.path.join(self.foreign_dir, "issued"))
        for d in (self.ca_dir, self.foreign_dir):
            with open(os.path.join(d, "ca.cnf"), "w") as f:
                f.write(_CA_CNF.format(dir=d))
            open(os.path.join(d, "index.txt"), "w").close()
            with open(os.path.join(d, "serial"), "w") as f:
                f.write("1000\n")
            with open(os.path.join(d, "crlnumber"), "w") as f:
                f.write("1000\n")
        self._make_ca(self.ca_dir, "Kentongan Test CA")
        self._make_ca(self.foreign_dir, "Foreign Test CA")

        self._issue(self.ca_dir, "server", "localhost", "server_ext")
        # A hub certificate about to lapse, for the expiry warnings.
        soon = datetime.datetime.now(datetime.timezone.utc) + \
            datetime.timedelta(days=7, hours=1)
        self._issue(self.ca_dir, "server-soon", "localhost", "server_ext",
                    ("-enddate", soon.strftime("%Y%m%d%H%M%SZ")))
        for name in CLIENTS:
            dates = ()
            if name == "EXPIRED":
                dates = ("-startdate", "20200101000000Z",
                         "-enddate", "20200102000000Z")
            self._issue(self.ca_dir, name, name, "client_ext", dates)
        self._issue(self.foreign_dir, "FOREIGN", _SUBJECT_CN["FOREIGN"],
                    "client_ext")

        cnf = os.path.join(self.ca_dir, "ca.cnf")
        _openssl("ca", "-batch", "-config", cnf, "-revoke",
                 self.cert("REVOKED"), "-crl_reason", "keyCompromise")
        _openssl("ca", "-batch", "-config", cnf, "-gencrl", "-out", self.crl)

    def _make_ca(self, d, cn):
        cnf = os.path.join(d, "ca.cnf")
        _openssl("req", "-x509", "-new", "-newkey", "ec",
                 "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", os.path.join(d, "ca.key"),
                 "-out", os.path.join(d, "ca.crt"),
                 "-sha256", "-days", "3650", "-subj", "/CN=" + cn,
                 "-config", cnf, "-extensions", "ca_ext")
        os.chmod(os.path.join(d, "ca.key"), 0o600)

    def _issue(self, ca_dir, name, cn, ext, dates=()):
        cnf = os.path.join(ca_dir, "ca.cnf")
        key = os.path.join(self.dir, name + ".key")
        csr = os.path.join(self.dir, name + ".csr")
        crt = os.path.join(self.dir, name + ".crt")
        _openssl("req", "-new", "-newkey", "ec",
                 "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", key, "-out", csr, "-subj", "/CN=" + cn,
                 "-config", cnf)
        _openssl("ca", "-batch", "-notext", "-config", cnf,
                 "-extensions", ext, "-in", csr, "-out", crt, *dates)
        os.unlink(csr)
        # The hub refuses a tls_key that group or others may read.
        os.chmod(key, 0o600)


def cert_fingerprint(path, colons=False, upper=False):
    """SHA-256 fingerprint of the DER form of a PEM certificate file."""
    with open(path) as f:
        der = ssl.PEM_cert_to_DER_cert(f.read())
    digest = hashlib.sha256(der).hexdigest()
    if upper:
        digest = digest.upper()
    if colons:
        digest = ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))
    return digest


def cert_subject_cn(path):
    """The CN of a PEM certificate's subject."""
    out = _openssl("x509", "-in", path, "-noout", "-subject",
                   "-nameopt", "RFC2253")
    subject = out.strip().split("=", 1)[1] if out.startswith("subject=") \
        else out.strip()
    for part in subject.split(","):
        k, _, v = part.strip().partition("=")
        if k == "CN":
            return v
    raise ValueError("no CN in %r" % subject)


_pki = None
_base = None


def run_dir():
    """A temporary directory for this test run, removed at exit unless
    KENTONGAN_TEST_KEEP is set."""
    global _base
    if _base is None:
        _base = tempfile.mkdtemp(prefix="kentongan-it-")
        if not os.environ.get("KENTONGAN_TEST_KEEP"):
            atexit.register(shutil.rmtree, _base, True)
    return _base


def get():
    """The PKI of this test run, generated on first use."""
    global _pki
    if _pki is None:
        directory = os.path.join(run_dir(), "pki")
        os.makedirs(directory)
        p = PKI(directory)
        p._generate()
        _pki = p
    return _pki
