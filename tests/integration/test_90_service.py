"""kentongand as a service (SPEC sections 2 and 10): reload of members,
certificates and CRL on SIGHUP, refused reloads, the systemd notification
protocol and watchdog, a clean stop under load, and start-up errors that
say what to fix."""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest
import uuid

import hub
import pki
from hub import Closed, Hub, free_port, make_report, report_msg, try_session

# Generous limits for waiting, never for judging.
WAIT_TIMEOUT = 30.0
NOTIFY_TIMEOUT = 60.0 if hub.WRAPPER else 20.0


def daemon_lines(text):
    """The daemon's own stderr lines, without those of a wrapper such as
    valgrind ("==PID== ...")."""
    return [l for l in text.splitlines() if not re.match(r"==\d+==", l)]


def line_of(lines, prefix):
    """1-based number of the first line starting with prefix."""
    for i, l in enumerate(lines):
        if l.startswith(prefix):
            return i + 1
    raise KeyError(prefix)


class EnvHub(Hub):
    """A Hub started with extra environment variables (env) and, when
    op_port is set, the operator API on that port."""

    def __init__(self, env=None, operator=False, **kw):
        settings = dict(kw.pop("settings", {}) or {})
        self.op_port = None
        if operator:
            self.op_port = free_port()
            settings["operator_listen"] = "127.0.0.1:%d" % self.op_port
        super().__init__(settings=settings, **kw)
        self.env = dict(env or {})

    def start(self, wait=True):
        if not os.access(hub.KENTONGAND, os.X_OK):
            raise unittest.SkipTest("no daemon binary at %s"
                                    % hub.KENTONGAND)
        env = dict(os.environ)
        for k in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"):
            env.pop(k, None)
        env.update(self.env)
        self._stderr = open(self.stderr_path, "ab")
        self.proc = subprocess.Popen(self.command("-c", self.conf_path),
                                     stdin=subprocess.DEVNULL,
                                     stdout=self._stderr,
                                     stderr=self._stderr, env=env)
        if wait:
            self.wait_listening()
            if self.op_port is not None:
                self.wait_port(self.op_port)
        return self

    def wait_port(self, port, timeout=hub.START_TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise hub.HubError("kentongand exited; stderr:\n%s"
                                   % self.stderr_tail())
            try:
                with socket.create_connection(("127.0.0.1", port),
                                              timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise hub.HubError("nothing listens on %d" % port)
                time.sleep(0.05)

    def operator_get(self, target):
        """GET target on the operator API as OPS; the parsed 200 body."""
        p = self.pki
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(p.ca_cert)
        ctx.load_cert_chain(p.cert("OPS"), p.key("OPS"))
        conn = http.client.HTTPSConnection("127.0.0.1", self.op_port,
                                           context=ctx,
                                           timeout=hub.READ_TIMEOUT)
        try:
            conn.request("GET", target)
            r = conn.getresponse()
            body = r.read()
        finally:
            conn.close()
        if r.status != 200:
            raise AssertionError("GET %s: %d %r" % (target, r.status, body))
        return json.loads(body)


class NotifySocket:
    """The datagram socket systemd would listen on for sd_notify."""

    def __init__(self, directory=None, abstract=False):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if abstract:
            name = "kentongan-test-%s" % uuid.uuid4().hex
            self.sock.bind("\0" + name)
            self.address = "@" + name
        else:
            self.address = os.path.join(directory, "notify.sock")
            self.sock.bind(self.address)
        self.seen = []

    def close(self):
        self.sock.close()

    def recv(self, timeout=NOTIFY_TIMEOUT):
        """The next datagram as {VAR: value}, or None after timeout."""
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except (socket.timeout, TimeoutError):
            return None
        text = data.decode("utf-8")
        self.seen.append(text)
        out = {}
        for line in text.split("\n"):
            if line:
                k, sep, v = line.partition("=")
                if not sep:
                    raise AssertionError("not VAR=value: %r" % text)
                out[k] = v
        return out

    def pending(self):
        """Every datagram already queued, without waiting."""
        out = []
        self.sock.setblocking(False)
        try:
            while True:
                try:
                    data = self.sock.recv(65536)
                except (BlockingIOError, InterruptedError):
                    break
                out.append(data.decode("utf-8"))
        finally:
            self.sock.setblocking(True)
        return out

    def next_state(self, timeout=NOTIFY_TIMEOUT):
        """The next datagram that changes the state (READY, RELOADING or
        STOPPING), skipping watchdog pings and status texts; None after
        timeout."""
        deadline = time.monotonic() + timeout
        while True:
            msg = self.recv(max(0.0, deadline - time.monotonic()))
            if msg is None or set(msg) & {"READY", "RELOADING", "STOPPING"}:
                return msg


class ServiceTestCase(unittest.TestCase):

    def new_hub(self, **kw):
        h = EnvHub(**kw)
        self.addCleanup(h.kill)
        return h

    def connect(self, h, name):
        c = h.connect(name)
        self.addCleanup(c.close)
        return c

    def subscribe(self, c):
        reply = c.request({"type": "subscribe"})
        self.assertEqual(reply.get("type"), "subscribed", reply)

    def publish(self, c, report, recipients=None):
        reply = c.request(report_msg(report))
        self.assertEqual(reply.get("type"), "accepted", reply)
        self.assertEqual(reply.get("id"), report["id"], reply)
        if recipients is not None:
            self.assertEqual(reply.get("recipients"), recipients, reply)
        return reply["seq"]

    def assertPong(self, c, ref="p1"):
        self.assertEqual(c.ping(ref), {"type": "pong", "ref": ref})

    def wait_admitted(self, h, name):
        """Retry until name gets a pong; return the last outcome."""
        deadline = time.monotonic() + hub.READ_TIMEOUT
        while True:
            outcome = try_session(h.port, name)
            if outcome[0] == "pong" or time.monotonic() > deadline:
                return outcome
            time.sleep(0.1)

    def reload(self, h, marker):
        """SIGHUP, then wait until the log shows marker after it."""
        before = len(h.stderr_text())
        h.send_signal(signal.SIGHUP)
        text = h.wait_stderr(lambda t: marker in t[before:],
                             timeout=WAIT_TIMEOUT)
        self.assertIsNotNone(text, "no %r after SIGHUP; stderr:\n%s"
                             % (marker, h.stderr_tail()))
        return text[before:]

    def stop_ok(self, h):
        self.assertEqual(h.stop(), 0, h.stderr_tail())


class Reload(ServiceTestCase):
    """SIGHUP applies the new registry and CRL to new and established
    connections."""

    def setUp(self):
        self.hub = self.new_hub(settings={"report_rate": "0 0"})
        self.hub.start()

    def tearDown(self):
        self.assertTrue(self.hub.alive(), self.hub.stderr_tail())
        self.stop_ok(self.hub)

    def test_added_member_reaches_old_subscribers(self):
        """A member added to the file is admitted after SIGHUP; its report
        is accepted for the region and reaches a subscription made before
        the reload."""
        sg = self.connect(self.hub, "SG")
        self.subscribe(sg)
        self.assertEqual(try_session(self.hub.port, "UNREG")[0], "refused")
        self.hub.members.append(
            ("UNREG", 'name="Philippines CERT" role=member '
                      'cert_sha256={fpc:UNREG}'))
        self.hub.write_conf()
        self.reload(self.hub, "reloaded")
        self.assertEqual(self.wait_admitted(self.hub, "UNREG")[0], "pong")
        new = self.connect(self.hub, "UNREG")
        r = make_report(tlp="green")
        seq = self.publish(new, r, recipients=4)
        alert = sg.recv(timeout=WAIT_TIMEOUT)
        self.assertEqual(alert.get("type"), "alert", alert)
        self.assertEqual((alert["seq"], alert["sender"], alert["tier"],
                          alert["report"]), (seq, "UNREG", "regional", r))

    def test_removed_member_others_keep_working(self):
        """A removed member's subscription is closed at the reload; the
        others' connections, publisher and subscribers, go on working and
        new reports no longer count the removed member."""
        th = self.connect(self.hub, "TH")
        self.subscribe(th)
        sg = self.connect(self.hub, "SG")
        self.subscribe(sg)
        pub = self.connect(self.hub, "ID")
        first = self.publish(pub, make_report(), recipients=3)
        for c in (th, sg):
            self.assertEqual(c.recv(timeout=WAIT_TIMEOUT).get("seq"), first)
        self.hub.members = [m for m in self.hub.members if m[0] != "TH"]
        self.hub.write_conf()
        log = self.reload(self.hub, "reloaded")
        th.expect_closed(timeout=WAIT_TIMEOUT)
        self.assertPong(sg, "after")
        self.assertPong(pub, "after")
        r = make_report(tlp="green")
        seq = self.publish(pub, r, recipients=2)
        alert = sg.recv(timeout=WAIT_TIMEOUT)
        self.assertEqual((alert.get("type"), alert.get("seq"),
                          alert.get("report")), ("alert", seq, r))
        self.assertEqual(try_session(self.hub.port, "TH")[0], "refused")
        self.assertIsNotNone(self.hub.wait_stderr(
            lambda t: re.search(r"TH.*after reload", t)),
            self.hub.stderr_tail())
        self.assertNotIn("SG disconnected", log)

    def test_revoked_in_new_crl(self):
        """A certificate revoked in a CRL installed before SIGHUP is
        disconnected at the reload and refused afterwards; others stay."""
        crl = os.path.join(self.hub.dir, "clients.crl")
        shutil.copyfile(self.hub.pki.crl, crl)
        self.hub.settings["tls_crl"] = crl
        self.hub.write_conf()
        self.reload(self.hub, "reloaded")
        th = self.connect(self.hub, "TH")
        self.subscribe(th)
        sg = self.connect(self.hub, "SG")
        self.assertPong(th)
        self.assertPong(sg)

        # Revoke TH in a copy of the test CA and publish a new CRL over
        # the hub's file.
        ca = os.path.join(self.hub.dir, "ca")
        shutil.copytree(self.hub.pki.ca_dir, ca)
        cnf = os.path.join(ca, "ca.cnf")
        with open(cnf) as f:
            text = f.read()
        with open(cnf, "w") as f:
            f.write(text.replace("dir = %s" % self.hub.pki.ca_dir,
                                 "dir = %s" % ca))
        for args in (("-revoke", self.hub.pki.cert("TH"), "-crl_reason",
                      "keyCompromise"),
                     ("-gencrl", "-out", crl + ".new")):
            subprocess.run(("openssl", "ca", "-batch", "-config", cnf) + args,
                           check=True, capture_output=True)
        os.replace(crl + ".new", crl)

        self.reload(self.hub, "reloaded")
        th.expect_closed(timeout=WAIT_TIMEOUT)
        self.assertPong(sg, "after")
        self.assertEqual(try_session(self.hub.port, "TH")[0], "refused")
        self.assertEqual(try_session(self.hub.port, "SG")[0], "pong")
        self.assertEqual(try_session(self.hub.port, "REVOKED")[0], "refused")
        self.assertIsNotNone(self.hub.wait_stderr(
            lambda t: re.search(r"(?m)^.*\bTH\b.*after reload.*revoked", t)),
            self.hub.stderr_tail())
        fp = self.hub.pki.fingerprint("TH")
        self.assertIsNotNone(self.hub.wait_stderr(
            lambda t: re.search(r"sha256=%s.*revoked" % fp, t)),
            self.hub.stderr_tail())

    def assertRefusedReload(self, where):
        """The reload was refused with a warning naming where
        (FILE:LINE)."""
        log = self.reload(self.hub, "reload refused")
        self.assertIn(where + ":", log)
        self.assertTrue(self.hub.alive())
        return log

    def test_error_applies_nothing(self):
        """A file with an error on one line is refused at that line and
        nothing of it applies: a member removed in the same file stays
        connected and admitted, and a member added is still refused."""
        th = self.connect(self.hub, "TH")
        self.hub.members = [m for m in self.hub.members if m[0] != "TH"]
        self.hub.members.append(("UNREG", 'name="New" cert_cn=UNREG'))
        self.hub.agreements.append("agreement ID VN max_tlp=amber")
        self.hub.write_conf()
        lines = self.hub.conf_lines()
        n = line_of(lines, "agreement ID VN")
        self.assertRefusedReload("%s:%d" % (self.hub.conf_path, n))
        self.assertPong(th, "after")
        for name in ("TH", "ID", "SG", "MY", "APCERT"):
            with self.subTest(name=name):
                self.assertEqual(try_session(self.hub.port, name)[0],
                                 "pong")
        self.assertEqual(try_session(self.hub.port, "UNREG")[0], "refused")
        pub = self.connect(self.hub, "ID")
        self.publish(pub, make_report(tlp="green"), recipients=3)

    def test_bad_crl_keeps_old_one(self):
        """A CRL file that holds no CRL is refused at the tls_crl line; the
        CRL in force stays (REVOKED is still refused, others admitted)."""
        crl = os.path.join(self.hub.dir, "garbage.crl")
        with open(crl, "w") as f:
            f.write("-----BEGIN X509 CRL-----\nnot a crl\n"
                    "-----END X509 CRL-----\n")
        self.hub.settings["tls_crl"] = crl
        self.hub.write_conf()
        n = line_of(self.hub.conf_lines(), "tls_crl ")
        self.assertRefusedReload("%s:%d" % (self.hub.conf_path, n))
        self.assertEqual(try_session(self.hub.port, "REVOKED")[0], "refused")
        self.assertEqual(try_session(self.hub.port, "ID")[0], "pong")

    def test_unreadable_key_keeps_old_one(self):
        """A tls_key that cannot be read (a directory) is refused at its
        line; members still connect with the key in force."""
        c = self.connect(self.hub, "SG")
        self.hub.settings["tls_key"] = self.hub.dir
        self.hub.write_conf()
        n = line_of(self.hub.conf_lines(), "tls_key ")
        self.assertRefusedReload("%s:%d" % (self.hub.conf_path, n))
        self.assertPong(c, "after")
        self.assertEqual(try_session(self.hub.port, "MY")[0], "pong")


class Notify(ServiceTestCase):
    """The systemd notification protocol on $NOTIFY_SOCKET."""

    def notify_hub(self, abstract=False, **env):
        d = tempfile.mkdtemp(prefix="notify-", dir=pki.run_dir())
        ns = NotifySocket(d, abstract=abstract)
        self.addCleanup(ns.close)
        env["NOTIFY_SOCKET"] = ns.address
        h = self.new_hub(env=env, operator=True)
        return h, ns

    def assertState(self, msg, key, h):
        self.assertIsNotNone(msg, "no notification; stderr:\n%s"
                             % h.stderr_tail())
        self.assertEqual(msg.get(key), "1", msg)

    def test_ready_once_listening(self):
        """READY=1 comes once both listeners accept: a connection made
        right after it succeeds at the first try."""
        h, ns = self.notify_hub()
        h.start(wait=False)
        msg = ns.next_state()
        self.assertState(msg, "READY", h)
        for port in (h.port, h.op_port):
            with socket.create_connection(("127.0.0.1", port), timeout=5):
                pass
        c = self.connect(h, "ID")
        self.assertPong(c)
        self.stop_ok(h)

    def test_reload_and_stop(self):
        """SIGHUP: RELOADING=1 then READY=1, for a good and for a refused
        reload; SIGTERM: STOPPING=1, then exit 0."""
        h, ns = self.notify_hub()
        h.start()
        self.assertState(ns.next_state(), "READY", h)
        h.send_signal(signal.SIGHUP)
        self.assertState(ns.next_state(), "RELOADING", h)
        self.assertState(ns.next_state(), "READY", h)
        self.assertIsNotNone(h.wait_stderr(lambda t: "reloaded" in t))

        h.extra.append("colour blue")
        h.write_conf()
        h.send_signal(signal.SIGHUP)
        self.assertState(ns.next_state(), "RELOADING", h)
        self.assertState(ns.next_state(), "READY", h)
        self.assertIsNotNone(h.wait_stderr(lambda t: "reload refused" in t))
        self.assertEqual(try_session(h.port, "ID")[0], "pong")

        h.send_signal(signal.SIGTERM)
        self.assertState(ns.next_state(), "STOPPING", h)
        self.assertEqual(h.wait(), 0, h.stderr_tail())
        self.assertNotIn("READY=1", "\n".join(ns.pending()))

    def test_migration_asks_for_time(self):
        """A migration at start (the ledger built for a database of the
        schema before it) asks systemd for more time, with its status,
        before READY=1: a large database is not killed mid-upgrade."""
        h, ns = self.notify_hub()
        h.start()
        self.assertState(ns.next_state(), "READY", h)
        self.publish(self.connect(h, "ID"), make_report())
        self.assertEqual(h.stop(), 0)
        import sqlite3
        db = sqlite3.connect(h.db_path)
        with db:
            db.execute("DROP TABLE ledger")
            db.execute("ALTER TABLE reports DROP COLUMN chain")
            db.execute("PRAGMA user_version = 7")
        db.close()
        ns.pending()
        h.start(wait=False)
        msgs = []
        while True:
            msg = ns.recv()
            self.assertIsNotNone(msg, "no READY=1 after %r" % msgs)
            msgs.append(msg)
            if "READY" in msg:
                break
        extend = [m for m in msgs if "EXTEND_TIMEOUT_USEC" in m]
        self.assertTrue(extend, msgs)
        self.assertGreaterEqual(int(extend[0]["EXTEND_TIMEOUT_USEC"]),
                                10000000, extend)
        self.assertEqual(extend[0].get("STATUS"),
                         "building the ledger of what is stored", extend)
        self.stop_ok(h)

    def test_abstract_socket(self):
        """An abstract NOTIFY_SOCKET (@name) works too."""
        h, ns = self.notify_hub(abstract=True)
        h.start(wait=False)
        self.assertState(ns.next_state(), "READY", h)
        self.stop_ok(h)

    def test_watchdog(self):
        """With WATCHDOG_USEC=400000 the hub sends WATCHDOG=1 again and
        again, and still serves."""
        h, ns = self.notify_hub(WATCHDOG_USEC="400000")
        h.start()
        self.assertState(ns.next_state(), "READY", h)
        pings = 0
        deadline = time.monotonic() + NOTIFY_TIMEOUT
        while pings < 4 and time.monotonic() < deadline:
            msg = ns.recv(max(0.0, deadline - time.monotonic()))
            if msg is None:
                break
            self.assertNotIn("STOPPING", msg)
            if msg.get("WATCHDOG") == "1":
                pings += 1
        self.assertEqual(pings, 4, "WATCHDOG=1 %d times; seen %r"
                         % (pings, ns.seen))
        self.assertEqual(try_session(h.port, "SG")[0], "pong")
        self.stop_ok(h)

    def test_no_watchdog_without_request(self):
        """Without WATCHDOG_USEC no WATCHDOG=1 is sent."""
        h, ns = self.notify_hub()
        h.start()
        self.assertState(ns.next_state(), "READY", h)
        self.assertEqual(try_session(h.port, "SG")[0], "pong")
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            msg = ns.recv(timeout=max(0.0, deadline - time.monotonic()))
            if msg is None:
                break
            self.assertNotIn("WATCHDOG", msg)
        self.stop_ok(h)

    def test_no_ready_on_failed_start(self):
        """A hub that cannot start exits 1 without ever sending READY=1."""
        h, ns = self.notify_hub()
        h.settings["database"] = os.path.join(h.dir, "missing", "k.db")
        h.write_conf()
        h.start(wait=False)
        self.assertEqual(h.wait(), 1, h.stderr_tail())
        self.assertNotIn("READY=1", "\n".join(ns.pending()))


class StopUnderLoad(ServiceTestCase):
    """SIGTERM while members are pushing."""

    SENDERS = ("ID", "SG", "MY", "TH", "APCERT")
    BATCH = 10
    MAX_BATCHES = 200

    def test_every_accepted_report_is_stored(self):
        """Every report that got accepted before the connection closed is
        in the database after a restart, with its seq and sender; the exit
        status is 0."""
        h = self.new_hub(operator=True, settings={"report_rate": "0 0"})
        h.start()
        accepted = {}       # (sender, id) -> seq
        lock = threading.Lock()
        failures = []
        counts = {s: 0 for s in self.SENDERS}

        def push(name, c):
            try:
                for _ in range(self.MAX_BATCHES):
                    batch = [make_report(tlp="clear",
                                         title="%s load" % name)
                             for _ in range(self.BATCH)]
                    c.send_raw(b"".join(json.dumps(report_msg(r)).encode()
                                        + b"\n" for r in batch))
                    for _ in batch:
                        m = c.recv(timeout=WAIT_TIMEOUT)
                        if m.get("type") != "accepted":
                            failures.append((name, m))
                            return
                        with lock:
                            accepted[(name, m["id"])] = m["seq"]
                            counts[name] += 1
            except (Closed, OSError, ssl.SSLError):
                return
            except BaseException as e:     # reported below
                failures.append((name, repr(e)))

        clients = [self.connect(h, name) for name in self.SENDERS]
        threads = [threading.Thread(target=push, args=(n, c), daemon=True)
                   for n, c in zip(self.SENDERS, clients)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + WAIT_TIMEOUT
        while time.monotonic() < deadline:
            with lock:
                if all(n >= 20 for n in counts.values()):
                    break
            time.sleep(0.01)
        busy = sum(t.is_alive() for t in threads)
        h.send_signal(signal.SIGTERM)
        for t in threads:
            t.join(hub.STOP_TIMEOUT)
            self.assertFalse(t.is_alive(), "a publisher is still reading")
        self.assertEqual(h.wait(), 0, h.stderr_tail())
        self.assertEqual(failures, [])
        self.assertGreater(busy, 0, "the publishers were done before "
                           "SIGTERM; nothing was in flight")
        self.assertTrue(all(n >= 20 for n in counts.values()), counts)

        h.start()
        stored = {}
        after = 0
        while True:
            body = h.operator_get("/v1/reports?limit=1000&after=%d" % after)
            for row in body["reports"]:
                stored[(row["sender"], row["report"]["id"])] = row["seq"]
            if body["next"] is None:
                break
            after = body["next"]
        missing = {k: v for k, v in accepted.items() if stored.get(k) != v}
        self.assertEqual(missing, {}, "accepted but not stored as "
                         "accepted (%d of %d)" % (len(missing),
                                                  len(accepted)))
        self.assertEqual(len(set(stored.values())), len(stored))
        self.stop_ok(h)


class StartupErrors(ServiceTestCase):
    """Exit 1 with a message that says what to fix."""

    def assertStartFails(self, h, *mentions):
        """The daemon exits 1; its stderr names each of mentions."""
        h.start(wait=False)
        status = h.wait()
        text = "\n".join(daemon_lines(h.stderr_text()))
        self.assertEqual(status, 1, "stderr: %s" % text)
        self.assertTrue(text.strip(), "nothing on stderr")
        for m in mentions:
            self.assertIn(m, text)
        # Nothing listens.
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", h.port), timeout=2) \
                .close()
        return text

    def test_database_directory_missing(self):
        """A database whose directory does not exist: the message names the
        database."""
        h = self.new_hub()
        path = os.path.join(h.dir, "no-such-dir", "kentongan.db")
        h.settings["database"] = path
        h.write_conf()
        self.assertStartFails(h, path)

    def test_database_not_a_database(self):
        """A database file that holds garbage: the message names it, and
        the file is left as it was."""
        h = self.new_hub()
        garbage = bytes(range(256)) * 64
        with open(h.db_path, "wb") as f:
            f.write(garbage)
        self.assertStartFails(h, h.db_path)
        with open(h.db_path, "rb") as f:
            self.assertEqual(f.read(), garbage)

    def test_database_locked_by_running_hub(self):
        """A second hub on the database of a running one is refused with a
        message about the lock; the first goes on serving."""
        first = self.new_hub()
        first.start()
        c = self.connect(first, "ID")
        seq = self.publish(c, make_report())
        second = self.new_hub(settings={"database": first.db_path})
        text = self.assertStartFails(second, first.db_path)
        self.assertRegex(text.lower(), r"lock")
        self.assertPong(c, "after")
        self.assertGreater(self.publish(c, make_report()), seq)
        self.stop_ok(first)

    def test_key_is_a_directory(self):
        """A tls_key that cannot be read as a file: FILE:LINE: at the
        tls_key line."""
        h = self.new_hub()
        key = os.path.join(h.dir, "keydir")
        os.mkdir(key)
        h.settings["tls_key"] = key
        h.write_conf()
        n = line_of(h.conf_lines(), "tls_key ")
        text = self.assertStartFails(h, key)
        self.assertIn("%s:%d: " % (h.conf_path, n), text)

    def test_key_unreadable(self):
        """A tls_key without read permission: FILE:LINE: at the tls_key
        line."""
        if os.geteuid() == 0:
            self.skipTest("root reads a file of mode 000")
        h = self.new_hub()
        key = os.path.join(h.dir, "hub.key")
        shutil.copyfile(h.pki.server_key, key)
        os.chmod(key, 0)
        h.settings["tls_key"] = key
        h.write_conf()
        n = line_of(h.conf_lines(), "tls_key ")
        text = self.assertStartFails(h, key)
        self.assertIn("%s:%d: " % (h.conf_path, n), text)


if __name__ == "__main__":
    unittest.main()
