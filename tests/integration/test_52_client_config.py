"""kentongan's configuration file and kentongan setup (issue 19): after
one setup, push, query and listen need no flags and no variables; flags
and KENTONGAN_* variables still win; a bad file is named with its line;
kentongan codes finds the taxonomy of the source tree it was built in."""

import json
import os
import shutil
import stat
import subprocess
import unittest

import hub
from hub import HubTestCase, free_port, make_report
from test_80_operator import operator_hub, start_operator_hub

RUN_TIMEOUT = 60


class ConfigCase(HubTestCase):
    def setUp(self):
        if not os.access(hub.KENTONGAN, os.X_OK):
            self.skipTest("no client binary at %s" % hub.KENTONGAN)
        self.hub = operator_hub()
        self.addCleanup(self.hub.kill)
        start_operator_hub(self.hub)
        self.home = os.path.join(self.hub.dir, "home-ana")
        os.makedirs(self.home)
        self.config = os.path.join(self.home, ".config", "kentongan",
                                   "config")

    def bare_env(self, **extra):
        """An environment with no KENTONGAN_* variable: only HOME."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("KENTONGAN_") and k != "XDG_CONFIG_HOME"}
        env["HOME"] = self.home
        env.update(extra)
        return env

    def run_client(self, *args, env=None, stdin=None):
        return subprocess.run([hub.KENTONGAN] + list(args),
                              env=env if env is not None else self.bare_env(),
                              input=stdin, capture_output=True, text=True,
                              timeout=RUN_TIMEOUT, cwd=self.hub.dir)

    def setup_as(self, name="ID", *more):
        p = self.hub.pki
        return self.run_client(
            "setup", "--hub", "127.0.0.1:%d" % self.hub.port,
            "--cert", p.cert(name), "--key", p.key(name),
            "--ca", p.ca_cert, *more, stdin="")

    def ok(self, proc):
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        return proc


class Setup(ConfigCase):
    def test_setup_then_no_flags(self):
        proc = self.ok(self.setup_as("ID", "--operator-hub",
                                     "127.0.0.1:%d" % self.hub.op_port))
        self.assertIn("takes this certificate for ID (member)", proc.stdout)
        self.assertIn(self.config, proc.stdout)
        mode = stat.S_IMODE(os.stat(self.config).st_mode)
        self.assertEqual(mode, 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.dirname(
            self.config)).st_mode), 0o700)
        with open(self.config) as f:
            text = f.read()
        self.assertIn("hub 127.0.0.1:%d\n" % self.hub.port, text)
        self.assertIn("cert %s\n" % os.path.realpath(
            self.hub.pki.cert("ID")), text)
        # Push and query with nothing but HOME.
        proc = self.ok(self.run_client(
            "push", "--code", "fraud/phishing", "--severity", "high",
            "--tlp", "green", "--title", "From the configuration"))
        self.assertRegex(proc.stdout, r"^accepted \S+ seq=1 recipients=\d+$")
        proc = self.ok(self.run_client("query", "--json"))
        rows = [json.loads(l) for l in proc.stdout.splitlines()]
        self.assertEqual([r["report"]["title"] for r in rows],
                         ["From the configuration"])

    def test_setup_refuses_to_replace_and_checks_the_hub(self):
        self.ok(self.setup_as("ID"))
        with open(self.config) as f:
            before = f.read()
        proc = self.setup_as("SG")
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn("--force", proc.stderr)
        proc = self.ok(self.setup_as("SG", "--force"))
        self.assertIn("for SG (member)", proc.stdout)
        # A wrong address: nothing is written.
        with open(self.config) as f:
            after = f.read()
        self.assertNotEqual(before, after)
        p = self.hub.pki
        proc = self.run_client(
            "setup", "--force", "--hub", "127.0.0.1:%d" % free_port(),
            "--cert", p.cert("ID"), "--key", p.key("ID"), "--ca", p.ca_cert,
            stdin="")
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        with open(self.config) as f:
            self.assertEqual(f.read(), after)
        # A missing file, and a missing value with no terminal to ask.
        proc = self.run_client("setup", "--force", "--hub", "127.0.0.1:1",
                               "--cert", "/nonexistent.pem", stdin="")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("/nonexistent.pem", proc.stderr)
        # Run again with nothing given, it checks the values it has.
        proc = self.ok(self.run_client("setup", "--force", stdin=""))
        self.assertIn("for SG (member)", proc.stdout)
        # With no configuration and no terminal, it says what it needs.
        empty = os.path.join(self.hub.dir, "home-new")
        os.makedirs(empty)
        proc = self.run_client("setup", stdin="", env=dict(
            self.bare_env(), HOME=empty))
        self.assertEqual(proc.returncode, 2)
        self.assertIn("setup needs the hub's member listener", proc.stderr)


class SetupAsks(ConfigCase):
    def test_asks_on_a_terminal(self):
        """What is not given is asked for when stdin is a terminal."""
        import pty
        p = self.hub.pki
        master, slave = pty.openpty()
        proc = subprocess.Popen(
            [hub.KENTONGAN, "setup", "--hub", "127.0.0.1:%d" % self.hub.port],
            env=self.bare_env(), stdin=slave, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, cwd=self.hub.dir)
        os.close(slave)
        answers = "%s\n%s\n%s\n" % (p.cert("TH"), p.key("TH"), p.ca_cert)
        os.write(master, answers.encode())
        out, err = proc.communicate(timeout=RUN_TIMEOUT)
        os.close(master)
        self.assertEqual(proc.returncode, 0, out + err)
        self.assertIn("certificate (PEM file): ", err)
        self.assertIn("its private key (PEM file): ", err)
        self.assertIn("for TH (member)", out)
        with open(self.config) as f:
            self.assertIn("key %s\n" % os.path.realpath(p.key("TH")),
                          f.read())


class Precedence(ConfigCase):
    def test_environment_and_flags_win(self):
        self.ok(self.setup_as("ID"))
        dead = "127.0.0.1:%d" % free_port()
        proc = self.run_client("query", env=self.bare_env(
            KENTONGAN_HUB=dead))
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn(dead, proc.stderr)
        proc = self.ok(self.run_client(
            "query", "--hub", "127.0.0.1:%d" % self.hub.port,
            env=self.bare_env(KENTONGAN_HUB=dead)))
        # The member's own certificate by variable: SG instead of ID.
        p = self.hub.pki
        proc = self.ok(self.run_client(
            "push", "--code", "fraud/phishing", "--severity", "low",
            "--tlp", "green", "--title", "as SG", env=self.bare_env(
                KENTONGAN_CERT=p.cert("SG"), KENTONGAN_KEY=p.key("SG"))))
        rows = self.hub_rows()
        self.assertEqual(rows[-1]["sender"], "SG")

    def test_several_hubs_the_first_that_answers(self):
        """hub may list an active hub and its standby: the first that
        answers is used, and when none does each one's failure is said."""
        p = self.hub.pki
        dead, dead2 = free_port(), free_port()
        conf_dir = os.path.dirname(self.config)
        os.makedirs(conf_dir)
        with open(self.config, "w") as f:
            f.write("hub 127.0.0.1:%d\nhub 127.0.0.1:%d\ncert %s\n"
                    "key %s\nca %s\n" % (dead, self.hub.port, p.cert("ID"),
                                         p.key("ID"), p.ca_cert))
        self.ok(self.run_client("push", "--code", "fraud/phishing",
                                "--severity", "low", "--tlp", "green",
                                "--title", "via the second"))
        proc = self.run_client("query", "--hub", "127.0.0.1:%d 127.0.0.1:%d"
                               % (dead, dead2))
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("none of the 2 hubs answered", proc.stderr)
        self.assertIn("127.0.0.1:%d" % dead, proc.stderr)
        self.assertIn("127.0.0.1:%d" % dead2, proc.stderr)

    def hub_rows(self):
        proc = self.ok(self.run_client("query", "--json"))
        return [json.loads(l) for l in proc.stdout.splitlines()]

    def test_operator_hub_format_and_relative_paths(self):
        # Written by hand: paths relative to the file, a JSON default,
        # the operator listener for operator views.
        conf_dir = os.path.dirname(self.config)
        os.makedirs(conf_dir)
        p = self.hub.pki
        for name, src in (("id.pem", p.cert("ID")), ("id.key", p.key("ID")),
                          ("ca.pem", p.ca_cert), ("ops.pem", p.cert("OPS")),
                          ("ops.key", p.key("OPS"))):
            shutil.copy(src, os.path.join(conf_dir, name))
        os.chmod(os.path.join(conf_dir, "id.key"), 0o600)
        os.chmod(os.path.join(conf_dir, "ops.key"), 0o600)
        with open(self.config, "w") as f:
            f.write("# analyst's settings\n"
                    "hub 127.0.0.1:%d   # the member listener\n"
                    "operator 127.0.0.1:%d\n"
                    "cert id.pem\nkey id.key\nca ca.pem\n"
                    "format json\n" % (self.hub.port, self.hub.op_port))
        self.ok(self.run_client("push", "--code", "fraud/phishing",
                                "--severity", "low", "--tlp", "green",
                                "--title", "relative"))
        proc = self.ok(self.run_client("query"))
        self.assertEqual(json.loads(proc.stdout.splitlines()[0])["report"]
                         ["title"], "relative")
        # members goes to the operator listener, with the operator's
        # certificate.
        proc = self.ok(self.run_client("members", env=self.bare_env(
            KENTONGAN_CERT=os.path.join(conf_dir, "ops.pem"),
            KENTONGAN_KEY=os.path.join(conf_dir, "ops.key"))))
        self.assertIn('"ID"', proc.stdout)


class BadConfig(ConfigCase):
    def write(self, text):
        os.makedirs(os.path.dirname(self.config), exist_ok=True)
        with open(self.config, "w") as f:
            f.write(text)

    def test_errors_name_the_line(self):
        for text, line, fragment in (
                ("hub a:1\ncolour red\n", 2, 'unknown key "colour"'),
                ("cert a.pem\ncert b.pem\n", 2, "cert is set twice"),
                ("cert a b\n", 1, "cert takes one value"),
                ('cert "a b\n', 1, "unterminated quote"),
                ("\n\ncert\n", 3, "cert needs a value"),
                ("format yaml\n", 1, "format is table, json, stix or misp")):
            self.write(text)
            proc = self.run_client("query")
            self.assertEqual(proc.returncode, 2, text)
            self.assertIn("%s:%d: %s" % (self.config, line, fragment),
                          proc.stderr)

    def test_explicit_config_must_exist(self):
        missing = os.path.join(self.home, "nowhere.conf")
        proc = self.run_client("query", env=self.bare_env(
            KENTONGAN_CONFIG=missing))
        self.assertEqual(proc.returncode, 2)
        self.assertIn("KENTONGAN_CONFIG names %s" % missing, proc.stderr)


class Codes(unittest.TestCase):
    def test_codes_from_the_build_tree_and_elsewhere(self):
        if not os.access(hub.KENTONGAN, os.X_OK):
            self.skipTest("no client binary")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("KENTONGAN_")}
        env["XDG_CONFIG_HOME"] = "/nonexistent"
        installed = "/usr/share/kentongan/taxonomy.json"
        proc = subprocess.run([hub.KENTONGAN, "codes"], env=env,
                              capture_output=True, text=True,
                              timeout=RUN_TIMEOUT)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("fraud/phishing", proc.stdout)
        # A copy outside any tree, with nothing installed, says where it
        # looked.
        if os.path.exists(installed) or \
                os.path.exists("/usr/local/share/kentongan/taxonomy.json"):
            self.skipTest("a taxonomy is installed here")
        tmp = os.path.join(os.environ.get("TMPDIR", "/tmp"),
                           "kentongan-copy-%d" % os.getpid())
        os.makedirs(tmp)
        self.addCleanup(shutil.rmtree, tmp, True)
        copy = os.path.join(tmp, "kentongan")
        shutil.copy(hub.KENTONGAN, copy)
        proc = subprocess.run([copy, "codes"], env=env, capture_output=True,
                              text=True, timeout=RUN_TIMEOUT)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("no taxonomy found (looked at", proc.stderr)
        self.assertIn("--taxonomy", proc.stderr)


if __name__ == "__main__":
    unittest.main()
