"""kentongand's command line, configuration check and life cycle (SPEC
sections 2 and 3)."""

import datetime
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
import unittest

import hub
from hub import Hub

RUN_TIMEOUT = 60


LOG_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ")


def daemon_lines(text):
    """The daemon's own stderr lines, without those of a wrapper such as
    valgrind ("==PID== ..."), and without the time each log line starts
    with outside the journal."""
    return [LOG_TIME.sub("", l) for l in text.splitlines()
            if not re.match(r"==\d+==", l)]


def run_daemon(*args, cwd=None, timeout=RUN_TIMEOUT):
    """Run kentongand to completion; return (status, stdout, stderr)."""
    if not os.access(hub.KENTONGAND, os.X_OK):
        raise unittest.SkipTest("no daemon binary at %s" % hub.KENTONGAND)
    proc = subprocess.run(hub.WRAPPER + [hub.KENTONGAND] + list(args),
                          capture_output=True, text=True, cwd=cwd,
                          stdin=subprocess.DEVNULL, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


class CommandLine(unittest.TestCase):
    """-V and the flags."""

    def test_version_prints_a_version_and_exits_0(self):
        """kentongand -V prints a version number and exits 0."""
        status, out, err = run_daemon("-V")
        self.assertEqual(status, 0, err)
        self.assertRegex(out, r"\d+\.\d+")

    def test_unknown_option_exits_non_zero(self):
        """An unknown option makes kentongand exit non-zero with a message on
        stderr."""
        status, out, err = run_daemon("-Z")
        self.assertNotEqual(status, 0)
        self.assertTrue(daemon_lines(err), "nothing on stderr")


class ConfigCheck(unittest.TestCase):
    """kentongand -t: 0 for a valid configuration; 1 and FILE:LINE: for
    the first error."""

    def setUp(self):
        self.hub = Hub()
        self.base = self.hub.conf_lines()
        self.path = os.path.join(self.hub.dir, "check.conf")

    def check(self, lines, path=None, cwd=None, timeout=RUN_TIMEOUT):
        """Write lines to a file and run kentongand -t -c on it."""
        self.hub.write_conf(lines, os.path.join(cwd, path) if cwd
                            else self.path)
        return run_daemon("-t", "-c", path or self.path, cwd=cwd,
                          timeout=timeout)

    def line_of(self, lines, prefix):
        """1-based number of the first line starting with prefix."""
        for i, l in enumerate(lines):
            if l.startswith(prefix):
                return i + 1
        raise KeyError(prefix)

    def assertCheckFails(self, lines, line, path=None, cwd=None,
                         mentions=None):
        """kentongand -t on lines exits 1 and its stderr starts with
        PATH:LINE: (line None: any line number)."""
        status, out, err = self.check(lines, path, cwd)
        shown = daemon_lines(err)
        self.assertEqual(status, 1, "stderr: %r" % err)
        self.assertTrue(shown, "nothing on stderr")
        first = shown[0]
        given = path or self.path
        if line is None:
            self.assertRegex(first, "^" + re.escape(given) + r":\d+: \S")
        else:
            self.assertTrue(first.startswith("%s:%d: " % (given, line)),
                            "expected %s:%d: ..., got %r"
                            % (given, line, first))
        if mentions is not None:
            self.assertIn(mentions, first)
        return first

    def with_line(self, line, at=None):
        """The base configuration with line inserted before line number at
        (1-based; None: appended). Returns (lines, its line number)."""
        lines = list(self.base)
        if at is None:
            lines.append(line)
            return lines, len(lines)
        lines.insert(at - 1, line)
        return lines, at

    def test_valid_configuration_passes_silently(self):
        """-t on a valid configuration exits 0 and prints nothing."""
        status, out, err = self.check(self.base)
        self.assertEqual(status, 0, err)
        self.assertEqual(out, "")
        self.assertEqual(daemon_lines(err), [])

    def test_comments_and_quoted_values(self):
        """Comments after a directive, blank lines, and a # inside a quoted
        value are understood."""
        lines = list(self.base)
        lines.insert(2, "   # an indented comment")
        lines.insert(3, "idle_timeout 300   # five minutes")
        lines.insert(4, "")
        lines.append('member PH name="Philippines CERT #1" role=member '
                     'cert_cn=PH')
        status, out, err = self.check(lines)
        self.assertEqual(status, 0, err)
        self.assertEqual(daemon_lines(err), [])

    def test_unknown_key(self):
        """An unknown key is an error at its line."""
        lines, n = self.with_line("colour blue", at=4)
        self.assertCheckFails(lines, n)

    def test_bad_values(self):
        """A bad value of a known key is an error at its line."""
        bad = [
            "max_message_bytes lots",
            "max_message_bytes -5",
            "listen 127.0.0.1:99999",
            "listen 127.0.0.1",
            "report_rate -1 10",
            "idle_timeout never",
            "handshake_timeout 10s",
            "max_connections 0",
            "max_connections_per_member many",
            "log_level verbose",
            "operator_listen sometimes",
            'member S.G name="Dotted" cert_cn=SG2',
            'member XX name="Admiral" role=admiral cert_cn=XX',
            'member XX name="Short" cert_sha256=abcd',
            'member XX name="Not hex" cert_sha256=' + "zz" * 32,
            'member XX name="Unterminated cert_cn=XX',
            'member XX name="Colour" colour=blue cert_cn=XX',
            'member ' + "A" * 33 + ' name="Long" cert_cn=LONG',
            "agreement ID SG max_tlp=green",
            "agreement ID TH max_tlp=purple",
        ]
        for line in bad:
            with self.subTest(line=line):
                lines, n = self.with_line(line)
                self.assertCheckFails(lines, n)

    def test_member_without_identity(self):
        """A member with neither cert_sha256 nor cert_cn is an error at its
        line."""
        lines, n = self.with_line('member PH name="Philippines" role=member')
        self.assertCheckFails(lines, n)

    def test_duplicate_member(self):
        """A member ID given twice is an error at the second line."""
        lines, n = self.with_line('member SG name="Again" cert_cn=SG2')
        self.assertCheckFails(lines, n)

    def test_duplicate_fingerprint(self):
        """Two members with the same cert_sha256, however it is written,
        are an error at the second."""
        p = self.hub.pki
        for fp in (p.fingerprint("ID"), p.fingerprint("ID", colons=True),
                   p.fingerprint("ID", colons=True, upper=True)):
            with self.subTest(fp=fp):
                lines, n = self.with_line('member PH name="Philippines" '
                                          'cert_sha256=' + fp)
                self.assertCheckFails(lines, n)

    def test_duplicate_cn(self):
        """Two members with the same cert_cn are an error at the second."""
        lines, n = self.with_line('member PH name="Philippines" cert_cn=TH')
        self.assertCheckFails(lines, n)

    def test_agreement_with_unknown_member(self):
        """An agreement naming an unknown member is an error at its line."""
        lines, n = self.with_line("agreement ID VN max_tlp=amber")
        self.assertCheckFails(lines, n)

    def test_missing_tls_key(self):
        """A configuration without tls_key is an error that names it."""
        lines = [l for l in self.base if not l.startswith("tls_key ")]
        self.assertCheckFails(lines, None, mentions="tls_key")

    def test_unreadable_tls_key(self):
        """A tls_key file that does not exist is an error at its line."""
        lines = list(self.base)
        n = self.line_of(lines, "tls_key ")
        lines[n - 1] = "tls_key " + os.path.join(self.hub.dir, "absent.key")
        self.assertCheckFails(lines, n)

    def test_garbage_tls_key(self):
        """A tls_key file that holds no key is an error at its line."""
        junk = os.path.join(self.hub.dir, "junk.key")
        with open(junk, "w") as f:
            f.write("this is not a key\n")
        os.chmod(junk, 0o600)
        lines = list(self.base)
        n = self.line_of(lines, "tls_key ")
        lines[n - 1] = "tls_key " + junk
        self.assertCheckFails(lines, n)

    def test_key_not_matching_certificate(self):
        """A tls_key that does not belong to tls_certificate is an error at
        one of the two lines."""
        lines = list(self.base)
        n = self.line_of(lines, "tls_key ")
        lines[n - 1] = "tls_key " + self.hub.pki.key("ID")
        first = self.assertCheckFails(lines, None)
        cert_line = self.line_of(lines, "tls_certificate ")
        self.assertRegex(first, "^%s:(%d|%d): " % (re.escape(self.path),
                                                   n, cert_line))

    def test_missing_crl_file(self):
        """A tls_crl file that does not exist is an error at its line."""
        lines = list(self.base)
        n = self.line_of(lines, "tls_crl ")
        lines[n - 1] = "tls_crl " + os.path.join(self.hub.dir, "absent.crl")
        self.assertCheckFails(lines, n)

    def test_missing_taxonomy_file(self):
        """A taxonomy file that does not exist is an error at its line."""
        lines = list(self.base)
        n = self.line_of(lines, "taxonomy ")
        lines[n - 1] = "taxonomy " + os.path.join(self.hub.dir, "absent.json")
        self.assertCheckFails(lines, n)

    def with_setting(self, key, value):
        """The base configuration with key set to value; returns (lines,
        the line number of key)."""
        lines = list(self.base)
        n = self.line_of(lines, key + " ")
        lines[n - 1] = "%s %s" % (key, value)
        return lines, n

    def test_tls_key_open_to_others(self):
        """A tls_key that group or others may read is refused, naming the
        file and its mode, and saying chmod 600."""
        for mode in (0o644, 0o640, 0o604, 0o660):
            with self.subTest(mode=oct(mode)):
                key = os.path.join(self.hub.dir, "open.key")
                shutil.copyfile(self.hub.pki.server_key, key)
                os.chmod(key, mode)
                lines, n = self.with_setting("tls_key", key)
                first = self.assertCheckFails(lines, n)
                self.assertEqual(first, "%s:%d: tls_key: %s: mode %04o "
                                 "gives group or others access to the "
                                 "private key; chmod 600 %s"
                                 % (self.path, n, key, mode, key))
        os.chmod(key, 0o600)
        status, out, err = self.check(lines)
        self.assertEqual(status, 0, err)
        os.chmod(key, 0o400)
        status, out, err = self.check(lines)
        self.assertEqual(status, 0, err)

    def test_world_writable_configuration_warns(self):
        """A configuration file anyone may write passes -t with a
        warning that says so."""
        self.hub.write_conf(self.base, self.path)
        os.chmod(self.path, 0o666)
        status, out, err = run_daemon("-t", "-c", self.path)
        self.assertEqual(status, 0, err)
        self.assertEqual(daemon_lines(err), [
            "%s:0: warning: anyone may write this file (mode 0666), and "
            "with it the member registry; chmod o-w %s"
            % (self.path, self.path)])
        os.chmod(self.path, 0o664)
        status, out, err = run_daemon("-t", "-c", self.path)
        self.assertEqual((status, daemon_lines(err)), (0, []))

    def test_database_directory_missing(self):
        """A database in a directory that does not exist is an error at
        its line."""
        lines, n = self.with_setting("database", "/nonexistent/dir/k.db")
        first = self.assertCheckFails(lines, n)
        self.assertEqual(first, "%s:%d: database: /nonexistent/dir/k.db: "
                         "directory /nonexistent/dir: No such file or "
                         "directory" % (self.path, n))

    def test_database_directory_not_a_directory(self):
        """A database under a regular file is an error at its line."""
        plain = os.path.join(self.hub.dir, "plain")
        open(plain, "w").close()
        db = os.path.join(plain, "k.db")
        lines, n = self.with_setting("database", db)
        first = self.assertCheckFails(lines, n)
        self.assertEqual(first, "%s:%d: database: %s: %s is not a "
                         "directory" % (self.path, n, db, plain))

    def test_database_directory_not_writable(self):
        """A database whose directory the hub cannot write in is an error
        at its line."""
        if os.geteuid() == 0:
            self.skipTest("root writes in a directory of mode 555")
        d = os.path.join(self.hub.dir, "readonly")
        os.mkdir(d, 0o555)
        self.addCleanup(os.chmod, d, 0o755)
        lines, n = self.with_setting("database", os.path.join(d, "k.db"))
        first = self.assertCheckFails(lines, n)
        self.assertIn("the hub cannot create files in %s" % d, first)

    def test_database_is_a_directory(self):
        """A database path that is a directory is an error at its line."""
        lines, n = self.with_setting("database", self.hub.dir)
        first = self.assertCheckFails(lines, n)
        self.assertEqual(first, "%s:%d: database: %s: not a regular file; "
                         "expected an SQLite database, or a name for a new "
                         "one" % (self.path, n, self.hub.dir))

    def test_taxonomy_fifo_fails_fast(self):
        """A FIFO as taxonomy makes -t fail at once, not hang."""
        fifo = os.path.join(self.hub.dir, "taxonomy.fifo")
        os.mkfifo(fifo)
        lines, n = self.with_setting("taxonomy", fifo)
        try:
            status, out, err = self.check(lines, timeout=10)
        except subprocess.TimeoutExpired:
            self.fail("kentongand -t hung on a FIFO as taxonomy")
        self.assertEqual(status, 1, err)
        self.assertEqual(daemon_lines(err)[0], "%s:%d: taxonomy: %s: not a "
                         "regular file; expected the taxonomy JSON file"
                         % (self.path, n, fifo))

    def test_tls_file_fifo_fails_fast(self):
        """A FIFO as a TLS file makes -t fail at once, not hang."""
        fifo = os.path.join(self.hub.dir, "cert.fifo")
        os.mkfifo(fifo)
        for key in ("tls_certificate", "tls_key", "tls_client_ca",
                    "tls_crl"):
            with self.subTest(key=key):
                lines, n = self.with_setting(key, fifo)
                try:
                    status, out, err = self.check(lines, timeout=10)
                except subprocess.TimeoutExpired:
                    self.fail("kentongand -t hung on a FIFO as %s" % key)
                self.assertEqual(status, 1, err)
                self.assertEqual(daemon_lines(err)[0], "%s:%d: %s: %s: not "
                                 "a regular file; expected a PEM file"
                                 % (self.path, n, key, fifo))

    def test_bad_line_quoted_short_and_escaped(self):
        """An error quotes at most about 200 bytes of a bad line, with
        control characters escaped."""
        lines, n = self.with_line("k" * 100000 + " 1")
        first = self.assertCheckFails(lines, n)
        self.assertEqual(first, '%s:%d: unknown key "%s..."'
                         % (self.path, n, "k" * 200))
        lines, n = self.with_line("log_level \x1b[2J" + "\x07" * 5000)
        first = self.assertCheckFails(lines, n)
        self.assertLess(len(first), len(self.path) + 300, first)
        self.assertNotIn("\x1b", first)
        self.assertNotIn("\x07", first)
        self.assertTrue(first.startswith(
            '%s:%d: log_level: expected info or debug, not "\\x1b[2J'
            '\\x07\\x07' % (self.path, n)), first)
        self.assertTrue(first.endswith('..."'), first)

    def test_path_shown_as_given(self):
        """The FILE of an error is the path as given on the command line."""
        lines, n = self.with_line("colour blue", at=3)
        self.assertCheckFails(lines, n, path="relative.conf",
                              cwd=self.hub.dir)


class LifeCycle(unittest.TestCase):
    """Starting, refusing to start, and stopping."""

    def new_hub(self, **kw):
        h = Hub(**kw)
        self.addCleanup(h.kill)
        return h

    def assertStartFails(self, h):
        """The daemon exits 1 with a message, without ever serving."""
        h.start(wait=False)
        status = h.wait()
        err = daemon_lines(h.stderr_text())
        self.assertEqual(status, 1, "stderr: %s" % h.stderr_tail())
        self.assertTrue(err, "nothing on stderr")
        return err

    def test_log_lines_start_with_the_time(self):
        """Outside the journal every log line starts with an RFC 3339 UTC
        time to the millisecond, near now; -t's answer does not (it is
        FILE:LINE: message)."""
        before = time.time()
        h = self.new_hub().start()
        self.assertEqual(h.stop(), 0, h.stderr_tail())
        lines = [l for l in h.stderr_text().splitlines()
                 if not re.match(r"==\d+==", l)]
        self.assertTrue(lines)
        for line in lines:
            m = LOG_TIME.match(line)
            self.assertIsNotNone(m, line)
            when = datetime.datetime.strptime(
                line[:23], "%Y-%m-%dT%H:%M:%S.%f").replace(
                tzinfo=datetime.timezone.utc).timestamp()
            self.assertLess(abs(when - before), 120, line)

    def test_journal_lines_have_a_priority_instead(self):
        """With stderr the journal's stream (JOURNAL_STREAM names it), lines
        carry a syslog priority and no time: journald stamps them."""
        h = self.new_hub()
        # The file the hub writes to: its device and inode, as systemd
        # would put them in JOURNAL_STREAM.
        open(h.stderr_path, "ab").close()
        st = os.stat(h.stderr_path)
        env = dict(os.environ)
        env["JOURNAL_STREAM"] = "%d:%d" % (st.st_dev, st.st_ino)
        h.env = env
        h.start()
        self.assertEqual(h.stop(), 0, h.stderr_tail())
        lines = [l for l in h.stderr_text().splitlines()
                 if not re.match(r"==\d+==", l)]
        self.assertTrue(lines)
        for line in lines:
            self.assertRegex(line, r"^<[0-7]>\S", line)
            self.assertIsNone(LOG_TIME.match(line[3:]), line)

    def test_sigterm_exits_0(self):
        """SIGTERM stops the daemon with exit status 0."""
        h = self.new_hub().start()
        self.assertEqual(h.stop(signal.SIGTERM), 0, h.stderr_tail())

    def test_sigint_exits_0(self):
        """SIGINT stops the daemon with exit status 0."""
        h = self.new_hub().start()
        self.assertEqual(h.stop(signal.SIGINT), 0, h.stderr_tail())

    def test_sigterm_closes_connections(self):
        """SIGTERM with members connected closes their connections and
        exits 0."""
        h = self.new_hub().start()
        c = h.connect("ID")
        self.addCleanup(c.close)
        self.assertEqual(c.ping(), {"type": "pong", "ref": "p1"})
        h.send_signal(signal.SIGTERM)
        c.expect_closed(timeout=hub.STOP_TIMEOUT)
        self.assertEqual(h.wait(), 0, h.stderr_tail())

    def test_port_in_use(self):
        """A listen port that is already taken makes the daemon exit 1 with
        a message."""
        h = self.new_hub()
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(s.close)
        s.bind(("127.0.0.1", h.port))
        s.listen(1)
        self.assertStartFails(h)

    def test_bad_configuration_at_start(self):
        """Started on a bad configuration, the daemon exits 1 with
        FILE:LINE: on stderr."""
        h = self.new_hub(extra=["colour blue"])
        err = self.assertStartFails(h)
        n = len(h.conf_lines())
        self.assertTrue(err[0].startswith("%s:%d: " % (h.conf_path, n)),
                        err[0])

    def test_database_locked(self):
        """A database locked by another process makes the daemon exit 1 with
        a message."""
        h = self.new_hub()
        db = sqlite3.connect(h.db_path, isolation_level=None, timeout=1)
        self.addCleanup(db.close)
        db.execute("CREATE TABLE squatter (x)")
        db.execute("BEGIN EXCLUSIVE")
        self.addCleanup(db.execute, "ROLLBACK")
        self.assertStartFails(h)

    def test_listen_on_two_addresses(self):
        """listen may be repeated, with [v6]:PORT for IPv6; members are
        served on each address."""
        try:
            with socket.socket(socket.AF_INET6) as s:
                s.bind(("::1", 0))
                port6 = s.getsockname()[1]
        except OSError as e:
            self.skipTest("no IPv6 loopback: %s" % e)
        h = self.new_hub(extra=["listen [::1]:%d" % port6]).start()
        for host, port in (("127.0.0.1", h.port), ("::1", port6)):
            with self.subTest(host=host):
                c = hub.Client(port, "ID", host=host)
                self.addCleanup(c.close)
                self.assertEqual(c.ping(), {"type": "pong", "ref": "p1"})
        self.assertEqual(h.stop(), 0, h.stderr_tail())

    def test_database_directory_missing(self):
        """A database in a directory that does not exist makes the daemon
        exit 1 with a message."""
        h = self.new_hub(settings={"database": "/nonexistent/dir/k.db"})
        err = self.assertStartFails(h)
        self.assertIn("database: /nonexistent/dir/k.db: directory "
                      "/nonexistent/dir: No such file or directory", err[0])

    def test_key_open_to_others_at_start(self):
        """Started with a tls_key that others may read, the daemon exits 1
        saying chmod 600."""
        h = self.new_hub()
        key = os.path.join(h.dir, "hub.key")
        shutil.copyfile(h.pki.server_key, key)
        os.chmod(key, 0o644)
        h.settings["tls_key"] = key
        h.write_conf()
        err = self.assertStartFails(h)
        n = [i + 1 for i, l in enumerate(h.conf_lines())
             if l.startswith("tls_key ")][0]
        self.assertEqual(err[-1], "%s:%d: tls_key: %s: mode 0644 gives "
                         "group or others access to the private key; "
                         "chmod 600 %s" % (h.conf_path, n, key, key))

    def test_world_writable_configuration_logged(self):
        """Started on a configuration anyone may write, the daemon serves
        and logs a warning."""
        h = self.new_hub()
        os.chmod(h.conf_path, 0o646)
        h.start()
        self.assertIn("%s:0: warning: anyone may write this file (mode "
                      "0646)" % h.conf_path, h.stderr_text())
        self.assertEqual(h.stop(), 0, h.stderr_tail())


class Reload(unittest.TestCase):
    """SIGHUP reloads the configuration and member registry."""

    def setUp(self):
        self.hub = Hub()
        self.addCleanup(self.hub.kill)
        self.hub.start()

    def tearDown(self):
        self.assertEqual(self.hub.stop(), 0, self.hub.stderr_tail())

    def connect(self, name):
        c = self.hub.connect(name)
        self.addCleanup(c.close)
        return c

    def wait_admitted(self, name):
        """Retry until name gets a pong; return the last outcome."""
        deadline = time.monotonic() + hub.READ_TIMEOUT
        while True:
            outcome = hub.try_session(self.hub.port, name)
            if outcome[0] == "pong" or time.monotonic() > deadline:
                return outcome
            time.sleep(0.1)

    def test_new_member_after_reload(self):
        """A member added to the file is admitted after SIGHUP, and
        established connections survive the reload."""
        old = self.connect("ID")
        self.assertEqual(hub.try_session(self.hub.port, "UNREG")[0],
                         "refused")
        self.hub.members.append(("UNREG", 'name="New" cert_cn=UNREG'))
        self.hub.write_conf()
        self.hub.send_signal(signal.SIGHUP)
        self.assertEqual(self.wait_admitted("UNREG")[0], "pong")
        self.assertEqual(old.ping(), {"type": "pong", "ref": "p1"})

    def test_removed_member_is_disconnected(self):
        """A member removed from the file is disconnected by SIGHUP; the
        others stay connected."""
        gone = self.connect("TH")
        stays = self.connect("SG")
        self.assertEqual(gone.ping(), {"type": "pong", "ref": "p1"})
        self.hub.members = [m for m in self.hub.members if m[0] != "TH"]
        self.hub.write_conf()
        self.hub.send_signal(signal.SIGHUP)
        gone.expect_closed()
        self.assertEqual(stays.ping(), {"type": "pong", "ref": "p1"})
        self.assertEqual(hub.try_session(self.hub.port, "TH")[0], "refused")

    def test_fifo_taxonomy_is_refused(self):
        """SIGHUP with a FIFO as taxonomy is refused at once; the hub does
        not block on it and keeps serving."""
        old = self.connect("ID")
        fifo = os.path.join(self.hub.dir, "taxonomy.fifo")
        os.mkfifo(fifo)
        self.hub.settings["taxonomy"] = fifo
        self.hub.write_conf()
        self.hub.send_signal(signal.SIGHUP)
        self.assertIsNotNone(self.hub.wait_stderr(
            lambda t: "reload refused" in t and "not a regular file" in t),
            self.hub.stderr_tail())
        self.assertEqual(old.ping(), {"type": "pong", "ref": "p1"})
        self.assertEqual(hub.try_session(self.hub.port, "SG")[0], "pong")

    def test_bad_configuration_is_refused(self):
        """SIGHUP with an invalid file logs FILE:LINE and keeps the running
        configuration."""
        old = self.connect("ID")
        self.hub.members.append(("UNREG", 'name="New" cert_cn=UNREG'))
        self.hub.extra.append("colour blue")
        self.hub.write_conf()
        where = "%s:%d" % (self.hub.conf_path, len(self.hub.conf_lines()))
        self.hub.send_signal(signal.SIGHUP)
        self.assertIsNotNone(
            self.hub.wait_stderr(lambda t: where in t),
            "no %s in stderr:\n%s" % (where, self.hub.stderr_tail()))
        self.assertTrue(self.hub.alive())
        self.assertEqual(old.ping(), {"type": "pong", "ref": "p1"})
        self.assertEqual(hub.try_session(self.hub.port, "ID")[0], "pong")
        self.assertEqual(hub.try_session(self.hub.port, "UNREG")[0],
                         "refused")


if __name__ == "__main__":
    unittest.main()
