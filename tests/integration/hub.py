"""Harness for the integration tests: a kentongand on an ephemeral port with
a generated configuration, and a TLS client that speaks the member protocol.

Environment:
    KENTONGAND           the daemon binary
    KENTONGAN            the client binary
    KENTONGAN_TAXONOMY   the taxonomy file the daemon loads
    KENTONGAN_TEST_WRAPPER  words put before the daemon's command line
                         (e.g. "valgrind --error-exitcode=99")
    KENTONGAN_TEST_KEEP  keep the temporary directory of the run
"""

import json
import os
import queue
import shlex
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest
import uuid

import pki

_TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

KENTONGAND = os.environ.get("KENTONGAND") or os.path.join(_TOP, "src",
                                                          "kentongand")
KENTONGAN = os.environ.get("KENTONGAN") or os.path.join(_TOP, "src",
                                                        "kentongan")
TAXONOMY = os.environ.get("KENTONGAN_TAXONOMY") or os.path.join(
    _TOP, "etc", "taxonomy.json")
WRAPPER = shlex.split(os.environ.get("KENTONGAN_TEST_WRAPPER", ""))

# Generous limits for waiting, never for judging: a wrapper like valgrind
# makes the daemon many times slower.
START_TIMEOUT = 20.0
STOP_TIMEOUT = 60.0 if WRAPPER else 20.0
READ_TIMEOUT = 10.0

# The member registry most tests use. How each party is mapped varies on
# purpose: a plain lower-case fingerprint, a fingerprint with colons (and
# a CN as well), and subject CNs.
CORE_MEMBERS = (
    ("ID", 'name="Indonesia ID-SIRTII/CC" role=member cert_sha256={fp:ID}'),
    ("SG", 'name="Singapore SingCERT" role=member '
           'cert_sha256={fpc:SG} cert_cn=SG'),
    ("MY", 'name="Malaysia MyCERT" role=member cert_cn=MY'),
    ("TH", 'name="Thailand ThaiCERT" role=member cert_cn=TH'),
    ("APCERT", 'name="Asia Pacific CERT" role=partner cert_cn=APCERT'),
    ("OPS", 'name="Coordination centre" role=operator cert_sha256={fp:OPS}'),
)
# Registered parties whose certificates must be refused nonetheless.
REFUSED_MEMBERS = (
    ("REVOKED", 'name="Revoked" role=member cert_cn=REVOKED'),
    ("EXPIRED", 'name="Expired" role=member cert_sha256={fp:EXPIRED}'),
)
CORE_AGREEMENTS = (
    "agreement ID SG max_tlp=amber",
    "agreement ID MY max_tlp=red",
)


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def new_id():
    """A fresh report id."""
    return str(uuid.uuid4())


def make_report(**fields):
    """A valid report object; keyword arguments replace or add fields, and a
    value of None removes the field."""
    report = {
        "id": new_id(),
        "code": "intrusions/system-compromise",
        "severity": "high",
        "tlp": "green",
        "title": "Web shell on a ministry portal",
    }
    for k, v in fields.items():
        if v is None:
            report.pop(k, None)
        else:
            report[k] = v
    return report


def report_msg(report, ref=None):
    """The protocol message that pushes report."""
    msg = {"type": "report", "report": report}
    if ref is not None:
        msg["ref"] = ref
    return msg


def _expand(spec, p):
    """Fill {fp:NAME}, {fpc:NAME} (with colons) and {fpu:NAME} (upper case
    with colons, as openssl prints it) in a member spec."""
    out = spec
    for name in pki.CLIENTS:
        out = out.replace("{fp:%s}" % name, p.fingerprint(name))
        out = out.replace("{fpc:%s}" % name, p.fingerprint(name, colons=True))
        out = out.replace("{fpu:%s}" % name,
                          p.fingerprint(name, colons=True, upper=True))
    return out


class HubError(Exception):
    pass


class Hub:
    """A kentongand process with its own configuration, database and port.

    members: (ID, "rest of the member line") pairs, {fp:NAME}/{fpc:NAME}
    expanded; agreements: whole lines; settings: key -> value (None drops the
    key) replacing the defaults; extra: further raw lines; env: variables
    added to the daemon's environment.
    """

    def __init__(self, members=CORE_MEMBERS, agreements=CORE_AGREEMENTS,
                 settings=None, extra=(), env=None, limits=None):
        self.pki = pki.get()
        self.dir = tempfile.mkdtemp(prefix="hub-", dir=pki.run_dir())
        self.port = free_port()
        self.conf_path = os.path.join(self.dir, "kentongand.conf")
        self.db_path = os.path.join(self.dir, "kentongan.db")
        self.stderr_path = os.path.join(self.dir, "stderr.log")
        self.members = list(members)
        self.agreements = list(agreements)
        self.settings = {
            "listen": "127.0.0.1:%d" % self.port,
            "operator_listen": "off",
            "tls_certificate": self.pki.server_cert,
            "tls_key": self.pki.server_key,
            "tls_client_ca": self.pki.ca_cert,
            "tls_crl": self.pki.crl,
            "database": self.db_path,
            "taxonomy": TAXONOMY,
        }
        for k, v in (settings or {}).items():
            if v is None:
                self.settings.pop(k, None)
            else:
                self.settings[k] = v
        self.extra = list(extra)
        self.env = dict(os.environ)
        self.env.update(env or {})
        # {resource.RLIMIT_...: (soft, hard)} set in the daemon's process.
        self.limits = dict(limits or {})
        self.proc = None
        self._stderr = None
        self.write_conf()

    def conf_lines(self):
        """The configuration, as a list of lines without newlines."""
        lines = ["# kentongand.conf for an integration test", ""]
        for k, v in self.settings.items():
            lines.append("%s %s" % (k, v))
        lines.append("")
        lines.append("# member registry")
        for mid, spec in self.members:
            lines.append("member %s %s" % (mid, _expand(spec, self.pki)))
        lines.append("")
        lines.extend(self.agreements)
        lines.extend(self.extra)
        return lines

    def write_conf(self, lines=None, path=None):
        """Write the configuration (or the given lines) to its file."""
        if lines is None:
            lines = self.conf_lines()
        with open(path or self.conf_path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path or self.conf_path

    def command(self, *args):
        """The daemon's command line with the wrapper words in front."""
        return WRAPPER + [KENTONGAND] + list(args)

    def start(self, wait=True):
        """Start the daemon on this configuration; wait until it listens."""
        if not os.access(KENTONGAND, os.X_OK):
            raise unittest.SkipTest("no daemon binary at %s" % KENTONGAND)
        self._stderr = open(self.stderr_path, "ab")
        limits = self.limits

        def set_limits():
            import resource
            for which, pair in limits.items():
                resource.setrlimit(which, pair)

        self.proc = subprocess.Popen(self.command("-c", self.conf_path),
                                     stdin=subprocess.DEVNULL,
                                     env=self.env,
                                     stdout=self._stderr,
                                     stderr=self._stderr,
                                     preexec_fn=set_limits if limits
                                     else None)
        if wait:
            self.wait_listening()
        return self

    def wait_listening(self, timeout=START_TIMEOUT):
        """Wait until a TCP connection to the port succeeds."""
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise HubError("kentongand exited with status %d before "
                               "listening; stderr:\n%s"
                               % (self.proc.returncode, self.stderr_tail()))
            try:
                with socket.create_connection(("127.0.0.1", self.port),
                                              timeout=1):
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise HubError("kentongand did not listen on port %d "
                               "within %gs; stderr:\n%s"
                               % (self.port, timeout, self.stderr_tail()))
            time.sleep(0.05)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def send_signal(self, signum):
        self.proc.send_signal(signum)

    def wait(self, timeout=STOP_TIMEOUT):
        """Wait for the process to end; return its exit status (negative:
        killed by that signal). Kill it and raise if it does not end."""
        try:
            status = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            self._close_stderr()
            raise HubError("kentongand did not exit within %gs; stderr:\n%s"
                           % (timeout, self.stderr_tail()))
        self._close_stderr()
        return status

    def stop(self, signum=signal.SIGTERM):
        """Send SIGTERM (or signum) and return the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
        return self.wait()

    def kill(self):
        """kill -9, as a crash would."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._close_stderr()

    def restart(self):
        """Stop with SIGTERM (if running) and start again on the same
        configuration and database; return the exit status of the stop."""
        status = self.stop() if self.alive() else None
        self.start()
        return status

    def _close_stderr(self):
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def stderr_text(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def stderr_tail(self, lines=40):
        return "\n".join(self.stderr_text().splitlines()[-lines:])

    def wait_stderr(self, predicate, timeout=READ_TIMEOUT):
        """Wait until predicate(stderr text) holds; return the text, or None
        on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.stderr_text()
            if predicate(text):
                return text
            if time.monotonic() > deadline:
                return None
            time.sleep(0.05)

    def connect(self, name, **kw):
        """A connected, handshaken TLS client with the named party's
        certificate (name None: no client certificate)."""
        return Client(self.port, name, **kw)

    def client_env(self, name="ID"):
        """Environment for the kentongan client as the named party."""
        env = dict(os.environ)
        env.update({
            "KENTONGAN_HUB": "127.0.0.1:%d" % self.port,
            "KENTONGAN_CERT": self.pki.cert(name),
            "KENTONGAN_KEY": self.pki.key(name),
            "KENTONGAN_CA": self.pki.ca_cert,
            "KENTONGAN_TAXONOMY": TAXONOMY,
            # No configuration of whoever runs the tests: one of the
            # hub's own, empty unless a test writes it.
            "XDG_CONFIG_HOME": os.path.join(self.dir, "xdg-config"),
        })
        env.pop("KENTONGAN_CONFIG", None)
        return env


def start_listen(h, args, name, wait=30.0):
    """Start kentongan listen ARGS as the named party of hub h; return
    (process, queue of its stdout lines, ending with None, stop())."""
    err = open(os.path.join(h.dir, "listen-%s.err" % name), "ab")
    proc = subprocess.Popen([KENTONGAN, "listen"] + list(args),
                            env=h.client_env(name),
                            stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=err, cwd=h.dir)
    lines = queue.Queue()

    def read():
        for line in proc.stdout:
            lines.put(line.decode("utf-8"))
        lines.put(None)

    t = threading.Thread(target=read, daemon=True)
    t.start()

    def stop():
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()
        t.join(wait)
        err.close()

    return proc, lines, stop


class Closed(Exception):
    """The hub closed the connection (or it failed) while we read."""


class Client:
    """A member-protocol client over TLS."""

    def __init__(self, port, name, tls_min=None, tls_max=None,
                 ciphers=None, host="127.0.0.1"):
        p = pki.get()
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(p.ca_cert)
        if name is not None:
            ctx.load_cert_chain(p.cert(name), p.key(name))
        if ciphers is not None:
            ctx.set_ciphers(ciphers)
        if tls_min is not None:
            ctx.minimum_version = tls_min
        if tls_max is not None:
            ctx.maximum_version = tls_max
        self.name = name
        self.buf = b""
        raw = socket.create_connection((host, port), timeout=READ_TIMEOUT)
        try:
            self.sock = ctx.wrap_socket(raw, server_hostname="localhost")
        except BaseException:
            raw.close()
            raise
        self.sock.settimeout(READ_TIMEOUT)

    @property
    def version(self):
        return self.sock.version()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, obj):
        """Send obj as one line of compact JSON."""
        line = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
        self.send_raw(line.encode("utf-8") + b"\n")

    def recv_line(self, timeout=READ_TIMEOUT):
        """One line from the hub, without its newline."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no complete line from the hub within "
                                   "%gs (have %r)" % (timeout, self.buf[:200]))
            self.sock.settimeout(remaining)
            try:
                data = self.sock.recv(65536)
            except (TimeoutError, socket.timeout):
                continue
            except (ssl.SSLError, OSError) as e:
                raise Closed("connection failed while reading: %r "
                             "(unread %r)" % (e, self.buf[:200])) from e
            if not data:
                raise Closed("connection closed by the hub (unread %r)"
                             % self.buf[:200])
            self.buf += data
        line, _, self.buf = self.buf.partition(b"\n")
        return line

    def recv(self, timeout=READ_TIMEOUT):
        """One message from the hub, parsed."""
        line = self.recv_line(timeout)
        try:
            obj = json.loads(line.decode("utf-8"))
        except ValueError as e:
            raise AssertionError("hub sent a line that is not JSON: %r"
                                 % line[:300]) from e
        if not isinstance(obj, dict):
            raise AssertionError("hub sent JSON that is not an object: %r"
                                 % line[:300])
        return obj

    def request(self, obj, timeout=READ_TIMEOUT):
        """Send obj and return the next message."""
        self.send(obj)
        return self.recv(timeout)

    def ping(self, ref="p1"):
        """Send a ping and return the reply."""
        return self.request({"type": "ping", "ref": ref})

    def expect_closed(self, timeout=READ_TIMEOUT):
        """Read until the hub closes the connection; return the messages
        that came before. Raise AssertionError if it stays open."""
        msgs = []
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.recv_line(max(0.0, deadline - time.monotonic()))
            except Closed:
                return msgs
            except TimeoutError:
                raise AssertionError(
                    "the hub did not close the connection within %gs "
                    "(received %r)" % (timeout, msgs))
            try:
                msgs.append(json.loads(line.decode("utf-8")))
            except ValueError:
                msgs.append(line)


def try_session(port, name, **kw):
    """Connect as name and ping. Return ("pong", msg) if the hub admitted
    the certificate and answered, else ("refused", why)."""
    try:
        c = Client(port, name, **kw)
    except (ssl.SSLError, OSError) as e:
        return ("refused", "handshake: %r" % e)
    try:
        try:
            c.send({"type": "ping", "ref": "p1"})
        except (ssl.SSLError, OSError) as e:
            return ("refused", "write: %r" % e)
        while True:
            try:
                msg = c.recv()
            except Closed as e:
                return ("refused", "read: %s" % e)
            except TimeoutError:
                return ("silent", "neither refused nor answered")
            if msg.get("type") == "pong":
                return ("pong", msg)
    finally:
        c.close()


class HubTestCase(unittest.TestCase):
    """A test class with one fresh hub for its tests. Subclasses set
    hub_kwargs (arguments of Hub)."""

    hub_kwargs = {}
    hub = None

    @classmethod
    def setUpClass(cls):
        cls.hub = Hub(**cls.hub_kwargs)
        cls.hub.start()

    @classmethod
    def tearDownClass(cls):
        hub, cls.hub = cls.hub, None
        if hub is None or hub.proc is None:
            return
        was_alive = hub.alive()
        status = hub.stop()
        if not was_alive or status != 0:
            raise AssertionError("kentongand ended with status %r "
                                 "(expected 0 after SIGTERM); stderr:\n%s"
                                 % (status, hub.stderr_tail()))

    def tearDown(self):
        if self.hub is not None and self.hub.proc is not None \
                and not self.hub.alive():
            self.fail("kentongand died during this test (status %r); "
                      "stderr:\n%s" % (self.hub.proc.returncode,
                                       self.hub.stderr_tail()))

    def connect(self, name="ID", **kw):
        """A client of this class's hub, closed when the test ends."""
        c = self.hub.connect(name, **kw)
        self.addCleanup(c.close)
        return c

    def assertPong(self, client, ref="p1"):
        """The connection still answers a ping."""
        self.assertEqual(client.ping(ref), {"type": "pong", "ref": ref})

    def assertAccepted(self, reply, report, recipients=None,
                       duplicate=False, seq=None):
        """reply is the acceptance of report; returns its seq."""
        self.assertEqual(reply.get("type"), "accepted", reply)
        self.assertEqual(reply.get("id"), report["id"], reply)
        self.assertIs(reply.get("duplicate"), duplicate, reply)
        s = reply.get("seq")
        self.assertIsInstance(s, int, reply)
        self.assertNotIsInstance(s, bool, reply)
        self.assertGreaterEqual(s, 1, reply)
        if seq is not None:
            self.assertEqual(s, seq, reply)
        if recipients is not None:
            self.assertEqual(reply.get("recipients"), recipients, reply)
        else:
            self.assertIsInstance(reply.get("recipients"), int, reply)
        return s

    def assertRejected(self, reply, error, field=None, id=None,
                       check_field=True):
        """reply refuses a report with error (and field, or no field)."""
        self.assertEqual(reply.get("type"), "rejected", reply)
        self.assertEqual(reply.get("error"), error, reply)
        self.assertIn("id", reply, reply)
        self.assertEqual(reply["id"], id, reply)
        self.assertIsInstance(reply.get("message"), str, reply)
        if check_field:
            if field is None:
                self.assertIsNone(reply.get("field"), reply)
            else:
                self.assertEqual(reply.get("field"), field, reply)

    def assertError(self, reply, error, ref=None):
        """reply is an error for a request that is not a report."""
        self.assertEqual(reply.get("type"), "error", reply)
        self.assertEqual(reply.get("error"), error, reply)
        self.assertIsInstance(reply.get("message"), str, reply)
        if ref is not None:
            self.assertEqual(reply.get("ref"), ref, reply)
