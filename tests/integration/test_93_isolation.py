"""Isolation (SPEC section 7): no member, operator or stranger can stall,
flood or blind the hub. Reads of the history run off the event loop, so a
slow or huge read never delays another party's answer; what one connection
may have queued is bounded; every listener caps its connections and their
handshakes, and a full descriptor table never stops the member listener.

These tests judge order and bounds, never durations: a ping answered while
a read of the disk is still under way, memory that stays below a bound."""

import http.client
import json
import os
import re
import resource
import socket
import ssl
import threading
import time
import unittest

import hub
from hub import Hub, make_report, report_msg, try_session
from test_80_operator import http_request, operator_hub, start_operator_hub, \
    tls_context
from test_92_hostile import daemon_is_instrumented, raise_fd_limit, rss_kb, \
    wait_eof
from test_94_storage import FAULTFS, fault_env

# Generous limits for waiting, never for judging.
WAIT_TIMEOUT = 60.0


def push_all(client, reports):
    """Send reports back to back and check that each is accepted."""
    client.send_raw(b"".join(json.dumps(report_msg(r)).encode() + b"\n"
                             for r in reports))
    for _ in reports:
        reply = client.recv(timeout=WAIT_TIMEOUT)
        if reply.get("type") != "accepted":
            raise AssertionError("not accepted: %r" % reply)


class SlowDisk(unittest.TestCase):
    """Reads of a slow disk delay only the party that asked for them."""

    def setUp(self):
        if not os.path.exists(FAULTFS):
            self.skipTest("no fault library at %s (make check builds it)"
                          % FAULTFS)
        self.hub = operator_hub()
        self.control = os.path.join(self.hub.dir, "fault")
        self.hub.env.update(fault_env(self.hub, self.control))
        self.addCleanup(self.hub.kill)
        start_operator_hub(self.hub)
        pub = self.hub.connect("ID")
        self.addCleanup(pub.close)
        push_all(pub, [make_report(description="d" * 1500)
                       for _ in range(1500)])

    def slow_disk(self):
        with open(self.control, "w") as f:
            f.write("SLOW")
        self.addCleanup(lambda: os.path.exists(self.control) and
                        os.unlink(self.control))

    def assertPongsWhile(self, read):
        """While read() (a read of much of the history, on a thread) is
        under way, another member's pings are answered: each pong comes
        back before the read is done."""
        bystander = self.hub.connect("TH")
        self.addCleanup(bystander.close)
        self.assertEqual(bystander.ping("warm"),
                         {"type": "pong", "ref": "warm"})
        self.slow_disk()
        done = threading.Event()
        outcome = {}

        def run():
            try:
                outcome["result"] = read()
            except Exception as e:
                outcome["error"] = e
            finally:
                done.set()

        t = threading.Thread(target=run, daemon=True)
        t.start()
        # The read has started when its request left; the disk is slow
        # for every page it reads.
        time.sleep(0.2)
        for i in range(5):
            self.assertEqual(bystander.ping("b%d" % i),
                             {"type": "pong", "ref": "b%d" % i})
            self.assertFalse(done.is_set(), "the read was over before the "
                             "pong came back: the test proves nothing")
        os.unlink(self.control)
        self.assertTrue(done.wait(WAIT_TIMEOUT), "the read never ended")
        t.join()
        self.assertNotIn("error", outcome)
        return outcome["result"]

    def test_member_query(self):
        """A member's query of the whole history."""
        reader = self.hub.connect("SG")
        self.addCleanup(reader.close)
        result = self.assertPongsWhile(lambda: reader.request(
            {"type": "query", "ref": "q", "limit": 1000},
            timeout=WAIT_TIMEOUT))
        self.assertEqual(result.get("type"), "result", result)
        # A page of 1,000 such alerts is cut by size: next goes on.
        self.assertGreater(len(result["alerts"]), 0)
        self.assertEqual(result["next"], result["alerts"][-1]["seq"])

    def test_operator_reports(self):
        """An operator's listing of the history."""
        r = self.assertPongsWhile(lambda: http_request(
            self.hub.op_port, "/v1/reports?limit=1000", "GET", "OPS", None))
        self.assertEqual(r.status, 200)
        self.assertEqual(len(json.loads(r.body)["reports"]), 1000)

    def test_replay(self):
        """A member catching up on the whole history."""
        late = self.hub.connect("MY")
        self.addCleanup(late.close)

        def replay():
            reply = late.request({"type": "subscribe", "since": 0})
            seqs = [late.recv(timeout=WAIT_TIMEOUT)["seq"]
                    for _ in range(1500)]
            return reply, seqs

        reply, seqs = self.assertPongsWhile(replay)
        self.assertEqual(reply.get("type"), "subscribed", reply)
        self.assertEqual(seqs, sorted(seqs))
        self.assertEqual(len(set(seqs)), 1500)


class QueuedBytes(unittest.TestCase):
    """What a member that never reads can make the hub hold is bounded:
    a page of a query is cut by size, and a connection takes no new request
    while its answers wait."""

    CONNECTIONS = 12

    def test_queries_never_read(self):
        if daemon_is_instrumented():
            self.skipTest("the daemon's memory is not its own under a "
                          "sanitizer or a wrapper")
        h = operator_hub(settings={"max_message_bytes": "65536"})
        self.addCleanup(h.kill)
        start_operator_hub(h)
        pub = h.connect("ID")
        self.addCleanup(pub.close)
        # 1,000 reports of 30 kB: a page of limit=1000 would be 30 MB.
        push_all(pub, [make_report(description="x" * 15000,
                                   title="Large report %d" % i)
                       for i in range(1000)])
        before = rss_kb(h.proc.pid)
        hostile = []
        for _ in range(self.CONNECTIONS):
            c = h.connect("SG")
            self.addCleanup(c.close)
            # Shrink what the kernel holds for us: the hub keeps the rest.
            c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            for i in range(5):
                c.send({"type": "query", "ref": "q%d" % i, "limit": 1000})
            hostile.append(c)
        # Every first query has been read and queued once no read is
        # pending or running; the hub's memory is watched until then.
        peak = before
        started = time.monotonic()
        while True:
            peak = max(peak, rss_kb(h.proc.pid))
            r = http_request(h.op_port, "/metrics", "GET", "OPS", None)
            line = [l for l in r.body.decode().splitlines()
                    if l.startswith("kentongan_reads_pending ")]
            if line and line[0].split()[1] == "0" and \
                    time.monotonic() - started > 1:
                break
            if time.monotonic() - started > WAIT_TIMEOUT:
                break
            time.sleep(0.1)
        peak = max(peak, rss_kb(h.proc.pid))
        grown = peak - before
        print("# queued bytes: %d connections that never read, 5 queries "
              "of 1,000 reports of 30 kB each: hub RSS +%d kB"
              % (self.CONNECTIONS, grown))
        # Unbounded, each connection would hold a 30 MB page.
        self.assertLess(grown, 100 * 1024)
        self.assertTrue(line and line[0].split()[1] == "0",
                        "reads still pending")
        bystander = h.connect("TH")
        self.addCleanup(bystander.close)
        self.assertEqual(bystander.ping(), {"type": "pong", "ref": "p1"})
        # One of them reads after all: it gets its first page, whole,
        # cut by size, with a next to go on from.
        c = hostile[0]
        c.sock.settimeout(WAIT_TIMEOUT)
        first = c.recv(timeout=WAIT_TIMEOUT)
        self.assertEqual(first.get("type"), "result", str(first)[:200])
        self.assertEqual(first.get("ref"), "q0")
        self.assertLess(len(first["alerts"]), 1000)
        self.assertGreater(len(first["alerts"]), 0)
        self.assertEqual(first["next"], first["alerts"][-1]["seq"])


class OperatorFlood(unittest.TestCase):
    """Silent connections to the operator port: capped, timed out, and
    no member is kept from connecting."""

    def test_silent_operator_connections(self):
        h = operator_hub(settings={"max_operator_connections": "8",
                                   "handshake_timeout": "2"})
        self.addCleanup(h.kill)
        start_operator_hub(h)
        raise_fd_limit(1024)
        silent = []
        for _ in range(300):
            s = socket.create_connection(("127.0.0.1", h.op_port))
            self.addCleanup(s.close)
            silent.append(s)
        # Members connect and are served.
        self.assertEqual(try_session(h.port, "SG")[0], "pong")
        # So is an operator: the oldest unfinished handshake makes room.
        r = http_request(h.op_port, "/v1/members", "GET", "OPS", None)
        self.assertEqual(r.status, 200)
        self.assertIsNotNone(h.wait_stderr(
            lambda t: "unfinished TLS handshake dropped to make room" in t),
            h.stderr_tail())
        # Past the handshake timeout, every silent one is gone.
        for s in silent:
            self.assertTrue(wait_eof(s), "a silent connection stayed open")
        text = h.stderr_text()
        self.assertNotIn("Error from accept() call", text)
        # 300 strangers cost a few lines of log, not 300.
        self.assertLess(len(text.splitlines()), 40, text)
        self.assertTrue(h.alive())


class DescriptorTable(unittest.TestCase):
    """A descriptor limit far below max_connections: members get what is
    left after the operator listener's share, a flood is turned away at
    once, and the listener neither spins nor floods the log."""

    def test_flood_past_the_descriptor_limit(self):
        h = operator_hub(settings={"max_connections": "5000",
                                   "max_operator_connections": "8",
                                   "handshake_timeout": "3"},
                         limits={resource.RLIMIT_NOFILE: (160, 160)})
        self.addCleanup(h.kill)
        start_operator_hub(h)
        # 160 descriptors, less the hub's 64 spare and the operators' 8
        # (a wrapper such as valgrind keeps some of the 160 for itself).
        text = h.wait_stderr(lambda t: "operators 8;" in t)
        self.assertIsNotNone(text, h.stderr_tail())
        m = re.search(r"descriptor limit is (\d+): members may hold (\d+) "
                      r"connections, operators 8;", text)
        self.assertIsNotNone(m, text)
        limit, members = int(m.group(1)), int(m.group(2))
        self.assertEqual(members, limit - 64 - 8, m.group(0))
        if not hub.WRAPPER:
            self.assertEqual(limit, 160)
        raise_fd_limit(1024)
        flood = []
        for _ in range(400):
            try:
                s = socket.create_connection(("127.0.0.1", h.port),
                                             timeout=5)
            except OSError:
                continue
            self.addCleanup(s.close)
            flood.append(s)
        # A member still gets in: an unfinished handshake makes room.
        self.assertEqual(try_session(h.port, "SG")[0], "pong")
        r = http_request(h.op_port, "/v1/members", "GET", "OPS", None)
        self.assertEqual(r.status, 200)
        text = h.stderr_text()
        self.assertNotIn("Error from accept() call", text)
        # The 88 slots filled, and each new stranger made room for
        # itself: logged once per interval at most.
        evictions = [l for l in text.splitlines()
                     if "unfinished TLS handshake dropped" in l]
        self.assertGreaterEqual(len(evictions), 1)
        self.assertLessEqual(len(evictions), 3)
        self.assertLess(len(text.splitlines()), 40, text)
        for s in flood:
            self.assertTrue(wait_eof(s), "a silent connection stayed open")
        self.assertTrue(h.alive())


if __name__ == "__main__":
    unittest.main()
