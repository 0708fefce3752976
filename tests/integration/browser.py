"""Headless Debian Chromium driven over the DevTools protocol on a pipe
(--remote-debugging-pipe: NUL-ended JSON messages on fds 3 and 4), with a
client certificate: an NSS database made with certutil and pk12util from
libnss3-tools holds it, and Chromium's AutoSelectCertificateForUrls policy
picks it for the hub's operator address without a dialog.

The policy can only be a file under /etc/chromium/policies/managed, so the
tests need to be able to write there (they run as root in CI); available()
says why not when they cannot."""

import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time

CHROMIUM = os.environ.get("KENTONGAN_CHROMIUM", "/usr/bin/chromium")
POLICY_DIR = "/etc/chromium/policies/managed"
WAIT = 30.0


def available():
    """None if a browser test can run here, else why not."""
    if not os.access(CHROMIUM, os.X_OK):
        return "no chromium at %s (apt-get install chromium)" % CHROMIUM
    for tool in ("certutil", "pk12util"):
        if shutil.which(tool) is None:
            return "no %s (apt-get install libnss3-tools)" % tool
    try:
        os.makedirs(POLICY_DIR, exist_ok=True)
    except OSError as e:
        return "cannot create %s for the certificate policy: %s" % (
            POLICY_DIR, e)
    if not os.access(POLICY_DIR, os.W_OK):
        return "cannot write Chromium's policy in %s" % POLICY_DIR
    return None


def run(argv):
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise RuntimeError("%s failed: %s%s" % (argv[0], proc.stdout,
                                                 proc.stderr))


class Browser:
    """One headless Chromium with its own profile. cert/key: the client
    certificate it presents to servers on 127.0.0.1 (None: none at all);
    ca: the CA it trusts for the hub's server certificate."""

    def __init__(self, ca, cert=None, key=None):
        self.dir = tempfile.mkdtemp(prefix="kentongan-browser-")
        self.home = os.path.join(self.dir, "home")
        nssdb = os.path.join(self.home, ".pki", "nssdb")
        os.makedirs(nssdb)
        db = "sql:" + nssdb
        run(["certutil", "-N", "-d", db, "--empty-password"])
        run(["certutil", "-A", "-n", "kentongan test CA", "-t", "C,,",
             "-i", ca, "-d", db])
        self.policy = None
        if cert is not None:
            p12 = os.path.join(self.dir, "operator.p12")
            run(["openssl", "pkcs12", "-export", "-in", cert, "-inkey", key,
                 "-out", p12, "-passout", "pass:"])
            run(["pk12util", "-i", p12, "-d", db, "-W", ""])
            # One file, rewritten each time: Chromium merges every file of
            # the directory, and of two that set the same policy only one
            # counts, so a file left by an earlier run must not linger
            # beside this one. Any port of the loopback address: the hubs
            # of the tests listen there, and the NSS database of this
            # browser holds only the test operator's certificate.
            self.policy = os.path.join(POLICY_DIR, "kentongan-tests.json")
            rule = json.dumps({"pattern": "https://127.0.0.1:*",
                               "filter": {}})
            with open(self.policy, "w") as f:
                json.dump({"AutoSelectCertificateForUrls": [rule]}, f)
        env = dict(os.environ, HOME=self.home)
        self.read_fd, child_write = os.pipe()
        child_read, self.write_fd = os.pipe()
        self.stderr = open(os.path.join(self.dir, "chromium.log"), "w+")
        # fds 3 and 4 in the child: what it reads, what it writes. dup2
        # makes them inheritable; every other descriptor of the tests is
        # not (Python's default), so nothing else reaches the browser.
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--disable-background-networking",
             "--disable-component-update", "--disable-sync",
             "--user-data-dir=" + os.path.join(self.dir, "profile"),
             "--window-size=1280,1000", "--remote-debugging-pipe",
             "about:blank"],
            env=env, stdin=subprocess.DEVNULL, stdout=self.stderr,
            stderr=self.stderr, close_fds=False,
            preexec_fn=lambda: (os.dup2(child_read, 3),
                                os.dup2(child_write, 4)))
        os.close(child_read)
        os.close(child_write)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.session = None
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.call("Target.attachToTarget",
                                 targetId=page["targetId"],
                                 flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(domain + ".enable")

    def close(self):
        try:
            self.proc.kill()
            self.proc.wait(timeout=10)
        except Exception:
            pass
        for fd in (self.read_fd, self.write_fd):
            try:
                os.close(fd)
            except OSError:
                pass
        if self.policy is not None and os.path.exists(self.policy):
            os.unlink(self.policy)
        self.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            if time.monotonic() > deadline:
                raise TimeoutError("no answer from chromium")
            if self.proc.poll() is not None:
                self.stderr.seek(0)
                raise RuntimeError("chromium exited: %s"
                                   % self.stderr.read()[-2000:])
            r, _, _ = select.select([self.read_fd], [], [], 0.2)
            if r:
                chunk = os.read(self.read_fd, 1 << 16)
                if not chunk:
                    raise RuntimeError("chromium closed its pipe")
                self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method, timeout=WAIT, **params):
        """Send a command (to the page once attached); its result."""
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if self.session is not None and not method.startswith("Target."):
            msg["sessionId"] = self.session
        os.write(self.write_fd, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            if "method" in m:
                self.events.append(m)

    def pump(self, seconds):
        """Collect the events that arrive within seconds."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                m = self._read_message(deadline)
            except TimeoutError:
                return
            if "method" in m:
                self.events.append(m)

    def navigate(self, url):
        """Load url and wait for its load event; the main response's
        status (None if the page never got one)."""
        self.events = []
        result = self.call("Page.navigate", url=url)
        if result.get("errorText"):
            return None, result["errorText"]
        deadline = time.monotonic() + WAIT
        while not any(e["method"] == "Page.loadEventFired"
                      for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError("%s did not load" % url)
            self.pump(0.2)
        for e in self.events:
            if e["method"] == "Network.responseReceived" and \
                    e["params"]["type"] == "Document":
                return e["params"]["response"]["status"], None
        return None, None

    def evaluate(self, expression):
        r = self.call("Runtime.evaluate", expression=expression,
                      returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError("%s: %s" % (expression, r["exceptionDetails"]))
        return r["result"].get("value")

    def wait_until(self, expression, timeout=WAIT):
        """Poll a JavaScript expression until it is true; its last value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                return value
            self.pump(0.1)

    def problems(self):
        """Console errors, uncaught exceptions and failed loads (CSP
        violations among them) seen since the last navigation."""
        out = []
        for e in self.events:
            m, p = e["method"], e["params"]
            if m == "Runtime.exceptionThrown":
                out.append("exception: %s" % p["exceptionDetails"].get(
                    "text"))
            elif m == "Runtime.consoleAPICalled" and p["type"] in (
                    "error", "assert"):
                out.append("console.%s: %s" % (p["type"], p["args"]))
            elif m == "Log.entryAdded" and p["entry"]["level"] == "error":
                out.append("log: %s" % p["entry"]["text"])
            elif m == "Network.loadingFailed" and not p.get("canceled"):
                out.append("failed load: %s" % p.get("errorText"))
        return out

    def requests(self):
        """The URLs the page asked for since the last navigation."""
        return [e["params"]["request"]["url"] for e in self.events
                if e["method"] == "Network.requestWillBeSent"]

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png",
                         captureBeyondViewport=True)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
