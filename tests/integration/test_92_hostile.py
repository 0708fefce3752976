"""Hostile peers (SPEC section 7, isolation and bad input): connections that
never finish their handshake or go quiet, floods of connections, a
subscriber that never reads, and lines built to hurt a parser. Each gets its
own answer, and every other peer keeps its service."""

import json
import os
import random
import resource
import socket
import ssl
import time
import unittest

import hub
from hub import HubTestCase, make_report, report_msg, try_session

# Generous limits for waiting, never for judging.
CLOSE_TIMEOUT = 20.0
BULK_TIMEOUT = 120.0


def raise_fd_limit(want):
    """Let this process hold want sockets, as far as the hard limit allows;
    return how many it may hold."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        new = want if hard == resource.RLIM_INFINITY else min(want, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
        soft = new
    return soft


def wait_eof(sock, timeout=CLOSE_TIMEOUT):
    """Read from a plain socket until the peer closes it; True if it did
    within timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            data = sock.recv(65536)
        except (TimeoutError, socket.timeout):
            continue
        except OSError:
            return True
        if not data:
            return True
    return False


def rss_kb(pid):
    """Resident set size of a process, in kB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for pid %d" % pid)


def daemon_is_instrumented():
    """True when the daemon is built with a sanitizer or runs under a
    wrapper: its memory then says nothing about the hub's own."""
    if hub.WRAPPER:
        return True
    with open(hub.KENTONGAND, "rb") as f:
        return b"__asan_init" in f.read()


class Timeouts(HubTestCase):
    """handshake_timeout and idle_timeout cut peers that hold a slot and do
    nothing with it."""

    hub_kwargs = {"settings": {"handshake_timeout": "1",
                               "idle_timeout": "2"}}

    def test_silent_tcp_connection(self):
        """A TCP connection that never starts TLS is closed."""
        with socket.create_connection(("127.0.0.1", self.hub.port)) as s:
            self.assertTrue(wait_eof(s), "still open")
        self.assertIsNotNone(self.hub.wait_stderr(
            lambda t: "TLS handshake not finished within 1 s" in t))

    def test_unfinished_client_hello(self):
        """A peer that sends the start of a ClientHello and stops is cut
        at the same deadline."""
        with socket.create_connection(("127.0.0.1", self.hub.port)) as s:
            s.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
            self.assertTrue(wait_eof(s), "still open")

    def test_handshake_without_client_certificate_step(self):
        """A peer whose TLS stack stalls mid-handshake (it sends the
        ClientHello, then never answers the server's flight) is cut."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        obj = ctx.wrap_bio(incoming, outgoing)
        with socket.create_connection(("127.0.0.1", self.hub.port)) as s:
            try:
                obj.do_handshake()
            except ssl.SSLWantReadError:
                pass
            s.sendall(outgoing.read())
            self.assertTrue(wait_eof(s), "still open")

    def test_idle_connection(self):
        """A member that says nothing after the handshake is closed."""
        c = self.connect("SG")
        self.assertEqual(c.expect_closed(CLOSE_TIMEOUT), [])
        self.assertIsNotNone(self.hub.wait_stderr(
            lambda t: "member SG disconnected: idle timeout" in t))

    def test_talking_connection_stays(self):
        """Traffic keeps a connection open past idle_timeout."""
        c = self.connect("MY")
        deadline = time.monotonic() + 5
        n = 0
        while time.monotonic() < deadline:
            n += 1
            self.assertPong(c, "p%d" % n)
            time.sleep(0.5)


class MemberLimit(HubTestCase):
    """max_connections_per_member: one member cannot take every slot."""

    hub_kwargs = {"settings": {"max_connections_per_member": "3"}}

    def connect_until_admitted(self, name):
        """A connection of name that answers a ping, retrying while the hub
        still counts one just closed."""
        deadline = time.monotonic() + CLOSE_TIMEOUT
        while True:
            c = self.connect(name)
            reply = c.request({"type": "ping", "ref": "p"})
            if reply.get("type") == "pong":
                return c
            c.close()
            if time.monotonic() > deadline:
                self.fail("%s never admitted again: %r" % (name, reply))
            time.sleep(0.1)

    def test_limit(self):
        held = [self.connect("SG") for _ in range(3)]
        for c in held:
            self.assertPong(c)
        extra = self.connect("SG")
        msgs = extra.expect_closed()
        self.assertEqual(len(msgs), 1, msgs)
        self.assertError(msgs[0], "rate_limited")
        self.assertIn("max_connections_per_member", msgs[0]["message"])
        self.assertIn("SG", msgs[0]["message"])
        # The member's other connections and other members are served.
        for c in held:
            self.assertPong(c)
        self.assertPong(self.connect("MY"))
        self.assertIsNotNone(self.hub.wait_stderr(
            lambda t: "member SG refused: it already holds 3" in t))
        # A slot that frees up can be taken again.
        held.pop().close()
        self.connect_until_admitted("SG")

    def test_refused_connection_stores_nothing(self):
        """A report sent on a refused connection is not stored: the next
        accepted report takes the very next seq."""
        held = [self.connect("TH") for _ in range(3)]
        before = held[0].request(report_msg(make_report()))
        self.assertEqual(before.get("type"), "accepted", before)
        extra = self.connect("TH")
        try:
            extra.send(report_msg(make_report()))
        except OSError:
            pass
        msgs = extra.expect_closed()
        self.assertTrue(all(m.get("type") == "error" for m in msgs), msgs)
        after = held[1].request(report_msg(make_report()))
        self.assertEqual(after.get("type"), "accepted", after)
        self.assertEqual(after["seq"], before["seq"] + 1)


class TotalLimit(HubTestCase):
    """max_connections: when every slot holds an authenticated peer, a new
    connection is closed at once and those held keep their service."""

    hub_kwargs = {"settings": {"max_connections": "5"}}

    def test_full(self):
        held = [self.connect(n) for n in ("ID", "SG", "MY", "TH", "APCERT")]
        for c in held:
            self.assertPong(c)
        outcome, why = try_session(self.hub.port, "SG")
        self.assertEqual(outcome, "refused", why)
        for c in held:
            self.assertPong(c)
        self.assertIsNotNone(self.hub.wait_stderr(
            lambda t: "the hub holds max_connections (5) already" in t))
        held.pop().close()
        deadline = time.monotonic() + CLOSE_TIMEOUT
        while try_session(self.hub.port, "SG")[0] != "pong":
            self.assertLess(time.monotonic(), deadline,
                            "a freed slot was never reused")
            time.sleep(0.1)

    def test_unfinished_handshakes_make_room(self):
        """Silent connections filling every slot are dropped, oldest first,
        for a member that arrives."""
        silent = [socket.create_connection(("127.0.0.1", self.hub.port))
                  for _ in range(5)]
        self.addCleanup(lambda: [s.close() for s in silent])
        outcome, why = try_session(self.hub.port, "SG")
        self.assertEqual(outcome, "pong", why)
        self.assertTrue(wait_eof(silent[0], 5), "oldest not dropped")


class HandshakeFlood(HubTestCase):
    """Thousands of connections opened at once, none finishing its
    handshake, do not stop service to members."""

    FLOOD = 2000

    def test_flood(self):
        if raise_fd_limit(self.FLOOD + 200) < self.FLOOD + 100:
            self.skipTest("cannot hold %d sockets here" % self.FLOOD)
        sub = self.connect("SG")
        self.assertEqual(sub.request({"type": "subscribe"}).get("type"),
                         "subscribed")
        flood = []
        self.addCleanup(lambda: [s.close() for s in flood])
        for i in range(self.FLOOD):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", self.hub.port))
            flood.append(s)
        # A member arriving now is admitted and its report delivered.
        pub = self.connect("ID")
        r = make_report()
        reply = pub.request(report_msg(r))
        self.assertEqual(reply.get("type"), "accepted", reply)
        alert = sub.recv()
        self.assertEqual(alert.get("type"), "alert", alert)
        self.assertEqual(alert["report"], r)
        self.assertIsNotNone(self.hub.wait_stderr(
            lambda t: "unfinished TLS handshake dropped" in t))


class NeverReads(HubTestCase):
    """A subscriber that never reads holds the hub's memory to a bound
    while the alerts it is owed pile up (SPEC section 7, isolation)."""

    hub_kwargs = {"settings": {"report_rate": "0 1"}}
    N = 4000
    SIZE = 16000
    # The bound per connection is about 1 MiB of queued output; allow for
    # SQLite's caches and the allocator besides.
    GROWTH_LIMIT_KB = 40 * 1024

    def test_memory_bounded(self):
        stalled = []
        for name in ("SG", "MY", "TH"):
            raw = socket.socket()
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            raw.connect(("127.0.0.1", self.hub.port))
            p = self.hub.pki
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.load_verify_locations(p.ca_cert)
            ctx.load_cert_chain(p.cert(name), p.key(name))
            s = ctx.wrap_socket(raw, server_hostname="localhost")
            self.addCleanup(s.close)
            s.sendall(b'{"type":"subscribe"}\n')
            stalled.append(s)
        reader = self.connect("SG")
        self.assertEqual(reader.request({"type": "subscribe"}).get("type"),
                         "subscribed")
        pub = self.connect("ID")
        # Warm up the caches the hub keeps anyway, then measure.
        warm = [make_report(description="w" * self.SIZE) for _ in range(200)]
        self.push(pub, warm)
        self.drain(reader, len(warm))
        base = rss_kb(self.hub.proc.pid)
        peak = base
        text = "x" * self.SIZE
        sent = 0
        while sent < self.N:
            batch = [make_report(description=text) for _ in range(200)]
            self.push(pub, batch)
            self.drain(reader, len(batch))
            sent += len(batch)
            peak = max(peak, rss_kb(self.hub.proc.pid))
        owed_mb = self.N * self.SIZE * len(stalled) / 1e6
        print("# never-reading subscribers: %d, alerts owed to them: "
              "%.0f MB; hub RSS %d kB before, peak %d kB (+%d kB)"
              % (len(stalled), owed_mb, base, peak, peak - base))
        # The reading subscriber and the publisher were served throughout;
        # the hub's memory is bounded, not proportional to what is owed.
        if daemon_is_instrumented():
            return
        self.assertLess(peak - base, self.GROWTH_LIMIT_KB,
                        "RSS grew by %d kB while %.0f MB were owed"
                        % (peak - base, owed_mb))

    def push(self, pub, reports):
        pub.send_raw(b"".join(json.dumps(report_msg(r)).encode() + b"\n"
                              for r in reports))
        for _ in reports:
            m = pub.recv(BULK_TIMEOUT)
            self.assertEqual(m.get("type"), "accepted", str(m)[:300])

    def drain(self, reader, n):
        for _ in range(n):
            m = reader.recv(BULK_TIMEOUT)
            self.assertEqual(m.get("type"), "alert", str(m)[:300])


class BadInput(HubTestCase):
    """Lines built to hurt: each gets its error, the connection (where the
    protocol allows) and every other peer keep working, nothing is stored."""

    hub_kwargs = {"settings": {"report_rate": "0 1"}}

    def last_seq(self):
        """The seq the next report takes, minus one."""
        c = self.connect("TH")
        reply = c.request(report_msg(make_report()))
        self.assertEqual(reply.get("type"), "accepted", reply)
        return reply["seq"]

    def test_megabytes_of_garbage(self):
        """Random bytes: errors, then the connection is closed (too many
        errors, or a line too long); nothing stored, others served."""
        before = self.last_seq()
        other = self.connect("SG")
        c = self.connect("ID")
        rng = random.Random(7)
        block = bytes(rng.getrandbits(8) for _ in range(1 << 16))
        # One thread only: a TLS socket must not be read and written at
        # once. The hub's answers wait in the socket while we send.
        for _ in range(64):
            try:
                c.send_raw(block)
            except OSError:
                break    # the hub closed first, as it should
        msgs = c.expect_closed(BULK_TIMEOUT)
        self.assertTrue(msgs, "closed without a word")
        for m in msgs:
            self.assertIsInstance(m, dict, m)
            self.assertEqual(m.get("type"), "error", m)
            self.assertIn(m.get("error"), ("malformed_json",
                                           "message_too_large"), m)
        self.assertPong(other)
        self.assertEqual(self.last_seq(), before + 1)

    def test_invalid_utf8(self):
        """Invalid UTF-8 anywhere in a line is malformed_json; the
        connection stays usable."""
        c = self.connect("ID")
        lines = [
            b'{"type":"ping","ref":"\xc0\xaf"}',          # overlong
            b'{"type":"ping","ref":"\xed\xa0\x80"}',      # surrogate
            b'{"type":"ping","ref":"\xf4\x90\x80\x80"}',  # past U+10FFFF
            b'{"type":"ping","ref":"\xe2\x82"}',          # truncated
            b'{"type":"ping","ref":"\\ud800"}',           # lone surrogate
            b'{"type":"report","report":{"title":"\xff"}}',
            # The parser's message quotes the line and cuts a character
            # in two: the answer must still be valid JSON.
            b'{"\\\xce\x87',
        ]
        for line in lines:
            with self.subTest(line=line):
                c.send_raw(line + b"\n")
                self.assertError(c.recv(), "malformed_json")
        self.assertPong(c)

    def test_deep_nesting(self):
        """Nesting deeper than the parser allows is malformed_json, at the
        top and inside a report."""
        c = self.connect("ID")
        c.send_raw(b"[" * 60000 + b"\n")
        self.assertError(c.recv(), "malformed_json")
        r = make_report()
        body = json.dumps(report_msg(r))
        deep = body[:-2] + ',"description":' + "[" * 5000 + "]" * 5000 + "}}"
        c.send_raw(deep.encode() + b"\n")
        self.assertError(c.recv(), "malformed_json")
        # Nesting the parser takes is refused by the validator.
        nested = dict(r, description=[[[[["deep"]]]]])
        reply = c.request(report_msg(nested))
        self.assertEqual(reply.get("type"), "rejected", reply)
        self.assertEqual(reply.get("field"), "report.description", reply)
        self.assertPong(c)

    def test_numbers_out_of_range(self):
        c = self.connect("ID")
        for line, error in (
                (b'{"type":"ack","seq":1e400}', "malformed_json"),
                (b'{"type":"ack","seq":99999999999999999999}',
                 "malformed_json"),
                (b'{"type":"ack","seq":-1}', "invalid_field"),
                (b'{"type":"ack","seq":1.5}', "invalid_field"),
                (b'{"type":"query","limit":9223372036854775807}',
                 "invalid_field"),
                (b'{"type":"query","after":-9223372036854775808}',
                 "invalid_field"),
                (b'{"type":"subscribe","since":-5}', "invalid_field")):
            with self.subTest(line=line):
                c.send_raw(line + b"\n")
                self.assertError(c.recv(), error)
        r = make_report(severity=2 ** 62)
        reply = c.request(report_msg(r))
        self.assertEqual(reply.get("type"), "rejected", reply)
        self.assertEqual(reply.get("error"), "invalid_field", reply)
        self.assertPong(c)

    def test_thousand_indicators(self):
        """The largest report the protocol allows is stored and delivered
        whole."""
        sub = self.connect("SG")
        self.assertEqual(sub.request({"type": "subscribe"}).get("type"),
                         "subscribed")
        r = make_report(indicators=[
            {"type": "ipv4", "value": "198.51.100.%d" % (i % 250)}
            for i in range(1000)])
        body = json.dumps(report_msg(r))
        self.assertLess(len(body), 65536)
        c = self.connect("ID")
        reply = c.request(report_msg(r))
        self.assertEqual(reply.get("type"), "accepted", reply)
        while True:     # past alerts of the other tests of this class
            alert = sub.recv()
            self.assertEqual(alert.get("type"), "alert", str(alert)[:200])
            if alert["seq"] == reply["seq"]:
                break
        self.assertEqual(alert["report"], r)

    def test_nul_and_control_bytes(self):
        """A NUL byte in a line, raw control characters inside strings."""
        c = self.connect("ID")
        for line in (b'{"type":"ping",\x00"ref":"a"}',
                     b'{"type":"ping","ref":"a\x01b"}',
                     b'{"type":"ping","ref":"a\\u0000b"}'):
            with self.subTest(line=line):
                c.send_raw(line + b"\n")
                self.assertError(c.recv(), "malformed_json")
        self.assertPong(c)


if __name__ == "__main__":
    unittest.main()
