"""Crash consistency (SPEC section 7, all of it at once): publishers and
subscribers are kept busy while the hub is killed with SIGKILL at random
moments, again and again, and restarted on the same database each time.

The single-crash tests of test_40_durability and test_60_fanout kill the hub
at a moment the test chose, with nothing else going on. A real crash lands
in the middle of everything: a group commit half written, replies queued but
not sent, a subscriber being caught up from the database, an ack not yet on
disk. What must hold afterwards:

* Durable before visible: every report ever answered `accepted` is stored,
  exactly once, under the seq it was given (sent again it is a duplicate
  with that seq, and its sender's history lists it once).
* Idempotent: a report in flight at a kill (sent, no answer before the
  connection died) is sent again, the same report with the same id, and is
  accepted once: either new (the kill came before its commit) or as a
  duplicate with the seq of the commit whose answer the kill swallowed.
  Never two seqs for one id.
* At least once, in order: each subscriber receives every alert it is
  entitled to, and on each connection in increasing seq with none of its
  alerts skipped; after a reconnect the replay starts at or before its last
  ack. Alerts that come again after a reconnect are allowed, gaps are not.
* No leaks: nobody receives, or finds in its history, an alert it is not
  entitled to (the partner APCERT gets only `clear` reports, TH no `amber`
  ones, nobody its own).

The seed of the random choices is printed (set KENTONGAN_TEST_SEED to
replay one); the figures of the run (kills, reports accepted, lost, doubled,
alerts per subscriber) are printed as TAP comments.
"""

import bisect
import collections
import json
import os
import random
import re
import sys
import threading
import time
import traceback
import unittest
import uuid

import hub
from hub import Closed, Hub

# Under a wrapper such as valgrind the daemon is many times slower: fewer
# kills, less traffic, longer waits. The ASan build runs without a wrapper
# and gets the full test.
SLOW = bool(hub.WRAPPER)
KILLS = 5 if SLOW else 20
RATE = 10 if SLOW else 100             # new reports/s per publisher
MAX_REPORTS = 200 if SLOW else 2000    # per publisher, a cap on volume
# Seconds between a restart and the next kill, drawn uniformly.
KILL_GAP = (1.0, 5.0) if SLOW else (0.1, 1.0)
WINDOW = 16                            # reports in flight per connection
ACK_EVERY = 25                         # alerts between two acks
SCALE = 10 if SLOW else 1
# Generous limits for waiting, never for judging.
REPLY_TIMEOUT = 60.0 * SCALE    # a hub that is up but answers nothing
RUN_TIMEOUT = 300.0 * SCALE     # the whole test, a last resort
JOIN_TIMEOUT = 120.0 * SCALE
POLL = 0.2                      # how often a worker looks at the flags

PUBLISHERS = ("ID", "SG", "MY")
# TH: a member that only listens; APCERT: a partner (global tier, clear
# only); MY: a member that also publishes, on another connection, and gets
# ID's amber reports under the ID-MY agreement (bilateral tier).
SUBSCRIBERS = ("TH", "APCERT", "MY")
TLP_WEIGHTS = (("clear", 3), ("green", 4), ("amber", 3))
CODES = ("intrusions/system-compromise", "availability/ddos",
         "malicious-code/c2-server", "test/test")
SEVERITIES = ("info", "low", "medium", "high", "critical")
SECTORS = ("energy", "finance", "health", "telecommunications",
           "government")
TLP_ORDER = ("clear", "green", "amber", "amber+strict", "red")


def note(text):
    """Print text as TAP comment lines. run.py buffers a test's own stdout
    and stderr and drops them when it passes, so this writes to the real
    stdout, the TAP stream, where the figures stay visible."""
    out = sys.__stdout__
    out.write("".join("# %s\n" % line for line in text.splitlines()))
    out.flush()


# -- the sharing policy (SPEC section 6), from the harness's registry -----

ROLES = {mid: re.search(r"role=(\w+)", spec).group(1)
         for mid, spec in hub.CORE_MEMBERS}
AGREEMENTS = {}
for _line in hub.CORE_AGREEMENTS:
    _w = _line.split()
    AGREEMENTS[frozenset(_w[1:3])] = _w[3].split("=", 1)[1]


def entitlement(sender, tlp, party):
    """The tier under which party is entitled to a report of sender with
    this tlp and no named recipients, or None."""
    if party == sender or ROLES[party] not in ("member", "partner"):
        return None
    both = ROLES[party] == "member" and ROLES[sender] == "member"
    base = "green" if both else "clear"
    most = base
    agreed = AGREEMENTS.get(frozenset((sender, party)))
    if agreed is not None and TLP_ORDER.index(agreed) > TLP_ORDER.index(most):
        most = agreed
    if TLP_ORDER.index(tlp) > TLP_ORDER.index(most):
        return None
    if TLP_ORDER.index(tlp) > TLP_ORDER.index(base):
        return "bilateral"
    return "regional" if both else "global"


def recipient_count(sender, tlp):
    return sum(1 for p in ROLES if entitlement(sender, tlp, p) is not None)


# -- the workers -------------------------------------------------------------

class Run:
    """What the threads of one test share: the hub, the flags, the reports
    by id, and the failures seen inside threads."""

    def __init__(self, the_hub, seed):
        self.hub = the_hub
        self.seed = seed
        self.lock = threading.Lock()
        self.abort = threading.Event()
        self.producing = threading.Event()
        self.producing.set()
        self.failures = []
        self.reports = {}           # id -> (sender, report as sent)
        self.deadline = time.monotonic() + RUN_TIMEOUT

    def fail(self, text):
        with self.lock:
            self.failures.append(text)
        self.abort.set()

    def connect(self, name):
        """A connection as name, retried while the hub is down; None once
        the test is aborting."""
        while not self.abort.is_set():
            if time.monotonic() > self.deadline:
                raise AssertionError("%s could not connect within %gs"
                                     % (name, RUN_TIMEOUT))
            try:
                return self.hub.connect(name)
            except OSError:     # refused, reset, handshake cut (SSLError)
                time.sleep(0.05)
        return None


class Worker(threading.Thread):
    """A thread that reports its exception to the run instead of dying
    silently, and closes its connection however it ends."""

    def __init__(self, run, member, role):
        super().__init__(name="%s-%s" % (role, member), daemon=True)
        self.r = run
        self.member = member
        self.client = None

    def run(self):
        try:
            self.work()
        except BaseException:
            self.r.fail("%s: %s" % (self.name, traceback.format_exc()))
        finally:
            self.drop()

    def drop(self):
        c, self.client = self.client, None
        if c is not None:
            c.close()


class Publisher(Worker):
    """Pushes reports at about RATE/s in bursts of up to WINDOW pipelined
    reports. When the connection dies it reconnects and sends again, first
    and unchanged, every report that had no answer yet."""

    def __init__(self, run, member):
        super().__init__(run, member, "publisher")
        self.rng = random.Random("%d-%s" % (run.seed, member))
        self.sent = []                  # reports, in the order made
        self.replies = {}               # id -> its accepted reply
        self.sends = collections.Counter()      # id -> times sent
        self.interrupted = set()        # ids in flight when a link died
        self.outstanding = 0            # in flight now (the killer peeks)
        self.connections = 0

    def new_report(self):
        rng = self.rng
        r = {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "code": rng.choice(CODES),
            "severity": rng.choice(SEVERITIES),
            "tlp": rng.choices([t for t, _ in TLP_WEIGHTS],
                               [w for _, w in TLP_WEIGHTS])[0],
            "title": "Crash test %s #%d" % (self.member, len(self.sent)),
        }
        if rng.random() < 0.5:
            r["description"] = ("Kentongan dipukul \u2014 " +
                                "tanda bahaya " * rng.randint(0, 40))
        if rng.random() < 0.5:
            r["indicators"] = [{"type": "ipv4", "value": "198.51.100.%d"
                                % rng.randint(1, 254)}]
        if rng.random() < 0.5:
            r["sectors"] = rng.sample(SECTORS, rng.randint(1, 2))
        self.r.reports[r["id"]] = (self.member, r)
        self.sent.append(r)
        return r

    def post(self, c, inflight, report):
        inflight[report["id"]] = report   # before sending: a send that
        self.outstanding = len(inflight)  # fails half way is sent again
        self.sends[report["id"]] += 1
        c.send(hub.report_msg(report))

    def answer(self, m, inflight):
        if m.get("type") != "accepted":
            raise AssertionError("%s: not accepted: %r" % (self.member, m))
        rid = m.get("id")
        report = inflight.pop(rid, None)
        self.outstanding = len(inflight)
        if report is None:
            raise AssertionError("%s: accepted for no report in flight: %r"
                                 % (self.member, m))
        seq = m.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
            raise AssertionError("bad seq: %r" % m)
        if m.get("duplicate") not in (True, False):
            raise AssertionError("bad duplicate: %r" % m)
        if m["duplicate"] and self.sends[rid] == 1:
            raise AssertionError("the first send of a report is answered "
                                 "as a duplicate: %r" % m)
        want = recipient_count(self.member, report["tlp"])
        if m.get("recipients") != want:
            raise AssertionError("%s report (tlp %s) accepted with %r "
                                 "recipients, %d are entitled: %r"
                                 % (self.member, report["tlp"],
                                    m.get("recipients"), want, m))
        self.replies[rid] = m

    def want_more(self):
        return self.r.producing.is_set() and len(self.sent) < MAX_REPORTS

    def work(self):
        queue = collections.deque()     # unanswered, to send again
        t0 = time.monotonic()
        burst = self.rng.randint(1, WINDOW)
        while queue or self.want_more():
            c = self.r.connect(self.member)
            if c is None:
                return
            self.client = c
            self.connections += 1
            inflight = collections.OrderedDict()
            heard = time.monotonic()
            try:
                while not self.r.abort.is_set():
                    while queue and len(inflight) < WINDOW:
                        self.post(c, inflight, queue.popleft())
                    if not queue and self.want_more():
                        burst = min(burst, MAX_REPORTS - len(self.sent))
                        due = RATE * (time.monotonic() - t0) - len(self.sent)
                        if due >= burst and len(inflight) + burst <= WINDOW:
                            for _ in range(burst):
                                self.post(c, inflight, self.new_report())
                            burst = self.rng.randint(1, WINDOW)
                    if not inflight:
                        if not queue and not self.want_more():
                            return
                        time.sleep(0.01)
                        heard = time.monotonic()
                        continue
                    try:
                        m = c.recv(timeout=POLL)
                    except TimeoutError:
                        if time.monotonic() - heard > REPLY_TIMEOUT:
                            raise AssertionError(
                                "%s: the hub is connected but answered none "
                                "of %d reports within %gs" % (
                                    self.member, len(inflight),
                                    REPLY_TIMEOUT)) from None
                        continue
                    heard = time.monotonic()
                    self.answer(m, inflight)
                return
            except (Closed, OSError):
                # The hub died under us: everything unanswered goes again,
                # in the order first sent, before anything new.
                self.interrupted.update(inflight)
                queue.extendleft(reversed(list(inflight.values())))
            finally:
                self.outstanding = 0
                self.drop()


class Subscriber(Worker):
    """Subscribes (from its acknowledged position), reads alerts, acks every
    ACK_EVERY alerts and when the line goes quiet, and subscribes again on
    a new connection whenever the hub dies. Records, per connection, the
    `from` of the subscription and the seqs received in order."""

    def __init__(self, run, member):
        super().__init__(run, member, "subscriber")
        self.lock = threading.Lock()
        self.conns = []             # [{"from": N, "seqs": [...]}]
        self.seen = set()           # every seq received
        self.ids = collections.defaultdict(set)     # seq -> report ids
        self.tiers = collections.defaultdict(set)   # seq -> tiers
        self.alerts = 0             # alert messages, repeats included
        self.max_acked = 0          # highest ack this member sent
        self.skips = 0              # replays that began past max_acked
        self.problems = []
        self.finish = threading.Event()
        self.target = None          # reach this seq, ack it, stop
        self.last = 0               # last seq of the current connection
        self.final_ack = None

    def problem(self, text):
        with self.lock:
            if len(self.problems) < 50:
                self.problems.append(text)

    def ack(self, c, seq):
        # Counted before it is sent: the hub may have it even if the send
        # fails, and a subscription may then start there.
        self.max_acked = max(self.max_acked, seq)
        c.send({"type": "ack", "seq": seq, "ref": "ack"})

    def on_alert(self, m, conn):
        seq = m.get("seq")
        rpt = m.get("report")
        if not isinstance(seq, int) or not isinstance(rpt, dict):
            self.problem("malformed alert: %.300r" % m)
            return
        rid = rpt.get("id")
        known = self.r.reports.get(rid)
        if known is None:
            self.problem("alert %d of a report nobody sent: %.300r"
                         % (seq, m))
        elif m.get("sender") != known[0] or rpt != known[1]:
            self.problem("alert %d differs from the report %s sent: %.300r"
                         % (seq, known[0], m))
        with self.lock:
            conn["seqs"].append(seq)
            self.seen.add(seq)
            self.ids[seq].add(rid)
            self.tiers[seq].add(m.get("tier"))
            self.alerts += 1

    def work(self):
        while not self.r.abort.is_set():
            c = self.r.connect(self.member)
            if c is None:
                return
            self.client = c
            try:
                if self.session(c):
                    return
            except (Closed, OSError):
                pass            # the hub died: subscribe again
            finally:
                self.drop()

    def session(self, c):
        """One connection; True when the test is over for this worker."""
        reply = c.request({"type": "subscribe", "ref": "sub"},
                          timeout=REPLY_TIMEOUT)
        start = reply.get("from")
        if reply.get("type") != "subscribed" or not isinstance(start, int):
            self.problem("subscribe answered %.300r" % reply)
            return True
        if start > self.max_acked:
            # Without since, replay starts at the acknowledged position,
            # which cannot be past what this member acknowledged: the
            # alerts in between would never be sent.
            self.skips += 1
            self.problem("subscribed from %d, but %s acknowledged only up "
                         "to %d" % (start, self.member, self.max_acked))
        conn = {"from": start, "seqs": []}
        with self.lock:
            self.conns.append(conn)
        last, unacked = start, 0
        self.last = last
        while not self.r.abort.is_set():
            if self.finish.is_set():
                # The test saw this connection reach its target, or gave
                # up waiting (then final_ack stays None and says so).
                if last >= self.target:
                    self.close_out(c, last)
                return True
            try:
                m = c.recv(timeout=POLL)
            except TimeoutError:
                if unacked:
                    self.ack(c, last)
                    unacked = 0
                continue
            if m.get("type") != "alert":
                self.problem("%s received %.300r" % (self.member, m))
                continue
            self.on_alert(m, conn)
            if isinstance(m.get("seq"), int):
                last = max(last, m["seq"])
                self.last = last
            unacked += 1
            if unacked >= ACK_EVERY:
                self.ack(c, last)
                unacked = 0
        return True

    def close_out(self, c, last):
        """Acknowledge everything and make sure the hub has handled it."""
        self.ack(c, last)
        c.send({"type": "ping", "ref": "final"})
        while True:
            m = c.recv(timeout=REPLY_TIMEOUT)
            if m.get("type") == "pong" and m.get("ref") == "final":
                break
            self.problem("%s received %.300r before its final pong"
                         % (self.member, m))
        self.final_ack = last


# -- the test ----------------------------------------------------------------

class CrashConsistency(unittest.TestCase):

    def setUp(self):
        seed = os.environ.get("KENTONGAN_TEST_SEED")
        self.seed = int(seed) if seed else random.SystemRandom().randrange(
            1, 2 ** 31)
        self.hub = Hub(settings={"report_rate": "0 0"})
        self.addCleanup(self.hub.kill)
        self.hub.start()
        self.run_ = Run(self.hub, self.seed)
        self.workers = []
        self.addCleanup(self.stop_workers)

    def stop_workers(self):
        self.run_.abort.set()
        for w in self.workers:
            w.join(30)

    def connect(self, name):
        c = self.hub.connect(name)
        self.addCleanup(c.close)
        return c

    def check_threads(self, what):
        if self.run_.failures:
            self.fail("seed %d: %s failed:\n%s\nkentongand stderr:\n%s"
                      % (self.seed, what, "\n".join(self.run_.failures),
                         self.hub.stderr_tail()))

    def resend_all(self, member, reports, chunk=100):
        """Send every report again, pipelined; the replies by id."""
        c = self.connect(member)
        replies = {}
        for i in range(0, len(reports), chunk):
            part = reports[i:i + chunk]
            c.send_raw(b"".join(
                json.dumps(hub.report_msg(r), ensure_ascii=False,
                           separators=(",", ":")).encode("utf-8") + b"\n"
                for r in part))
            for _ in part:
                m = c.recv(timeout=REPLY_TIMEOUT)
                replies[m.get("id")] = m
        c.close()
        return replies

    def query_all(self, member, **fields):
        """The member's whole history through the query request."""
        c = self.connect(member)
        alerts, after = [], 0
        for _ in range(10000):
            msg = {"type": "query", "ref": "crash", "after": after,
                   "limit": 1000}
            msg.update(fields)
            reply = c.request(msg, timeout=REPLY_TIMEOUT)
            self.assertEqual(reply.get("type"), "result", str(reply)[:300])
            alerts += reply["alerts"]
            if reply["next"] is None:
                c.close()
                return alerts
            after = reply["next"]
        self.fail("the pages of %s's history do not end" % member)

    def kill_loop(self, publishers):
        """Kill -9 the hub KILLS times at random moments (half of them
        chosen while some report is waiting for its answer), restarting
        it each time on the same configuration and database."""
        rng = random.Random(self.seed)
        kills = hot = 0
        while kills < KILLS and not self.run_.abort.is_set():
            if self.run_.abort.wait(rng.uniform(*KILL_GAP)):
                break
            if rng.random() < 0.5:
                until = time.monotonic() + 1.0
                while time.monotonic() < until and \
                        not any(p.outstanding for p in publishers):
                    time.sleep(0.001)
            if not self.hub.alive():
                self.fail("seed %d: kentongand died on its own (status %r) "
                          "after %d kills; stderr:\n%s"
                          % (self.seed, self.hub.proc.returncode, kills,
                             self.hub.stderr_tail()))
            busy = any(p.outstanding for p in publishers)
            self.hub.kill()
            kills += 1
            hot += busy
            self.hub.start()
        return kills, hot

    def test_kill_under_load(self):
        """Twenty kill -9s under load lose no accepted report, store none
        twice, and leave every subscriber with every alert it is entitled
        to, in order, without gaps, and nothing else."""
        began = time.monotonic()
        note("crash test: seed %d (KENTONGAN_TEST_SEED replays it), %d "
             "kills" % (self.seed, KILLS))
        run = self.run_
        pubs = [Publisher(run, m) for m in PUBLISHERS]
        subs = [Subscriber(run, m) for m in SUBSCRIBERS]
        self.workers = pubs + subs
        for w in self.workers:
            w.start()

        # 1. Chaos.
        kills, hot = self.kill_loop(pubs)
        self.check_threads("a worker, during the kills")
        self.assertEqual(kills, KILLS)

        # 2. The hub stays up: publishers stop making new reports and
        # finish sending the ones still unanswered.
        run.producing.clear()
        for p in pubs:
            p.join(JOIN_TIMEOUT)
            self.assertFalse(p.is_alive(), "seed %d: publisher %s did not "
                             "finish" % (self.seed, p.member))
        self.check_threads("a publisher")
        problems = []
        for p in pubs:
            unanswered = [r["id"] for r in p.sent if r["id"] not in p.replies]
            if unanswered:
                problems.append("%s: %d reports never answered, e.g. %s"
                                % (p.member, len(unanswered), unanswered[0]))
        self.assertEqual(problems, [])

        # Every seq each id was ever given, from any source; doubled: an id
        # with two seqs; reused: a seq with two ids.
        seqs_of = collections.defaultdict(set)
        for p in pubs:
            for rid, m in p.replies.items():
                seqs_of[rid].add(m["seq"])
        seq = {rid: min(s) for rid, s in seqs_of.items()}
        lost = set()

        # 3. Every accepted report, sent again, is a duplicate with its seq.
        for p in pubs:
            replies = self.resend_all(p.member, p.sent)
            for r in p.sent:
                m = replies.get(r["id"], {})
                if m.get("type") == "accepted":
                    seqs_of[r["id"]].add(m["seq"])
                if m.get("type") != "accepted" or \
                        m.get("duplicate") is not True or \
                        m.get("seq") != seq[r["id"]]:
                    lost.add(r["id"])
                    problems.append("%s report %s (accepted as %d) sent "
                                    "again: %.300r" % (p.member, r["id"],
                                                       seq[r["id"]], m))

        # 4. Every party's history: what it sent and what it is entitled
        # to, each once, with the report as sent and its tier.
        expected = {}
        for p in pubs:
            for r in p.sent:
                expected[seq[r["id"]]] = (p.member, r)
        leaks = 0
        for party in ("ID", "SG", "MY", "TH", "APCERT"):
            want = {}
            for s, (sender, r) in expected.items():
                if sender == party:
                    want[s] = None
                else:
                    t = entitlement(sender, r["tlp"], party)
                    if t is not None:
                        want[s] = t
            got = {}
            for a in self.query_all(party):
                rid = a.get("report", {}).get("id")
                seqs_of[rid].add(a.get("seq"))
                if a.get("seq") in got:
                    problems.append("%s's history lists seq %r twice"
                                    % (party, a.get("seq")))
                got[a.get("seq")] = a
            for s in sorted(set(want) - set(got)):
                if expected[s][0] == party:
                    lost.add(expected[s][1]["id"])
                problems.append("%s's history lacks seq %d (from %s)"
                                % (party, s, expected[s][0]))
            for s in sorted(set(got) - set(want)):
                leaks += 1
                problems.append("%s's history has seq %r, which it is not "
                                "entitled to: %.300r" % (party, s, got[s]))
            for s in sorted(set(got) & set(want)):
                a, (sender, r) = got[s], expected[s]
                if a.get("sender") != sender or a.get("report") != r or \
                        a.get("tier") != want[s]:
                    problems.append("%s's history, seq %d: %.300r, expected "
                                    "from %s with tier %r: %.300r"
                                    % (party, s, a, sender, want[s], r))

        # 5. Subscribers catch up, acknowledge everything and stop. With
        # the hub up for good, a connection that has reached the last seq
        # entitled to its member has been sent all it ever will be.
        entitled = {}
        for sub in subs:
            entitled[sub.member] = {
                s: entitlement(sender, r["tlp"], sub.member)
                for s, (sender, r) in expected.items()
                if entitlement(sender, r["tlp"], sub.member) is not None}
            sub.target = max(entitled[sub.member], default=0)
            deadline = time.monotonic() + JOIN_TIMEOUT
            while sub.last < sub.target and sub.is_alive() \
                    and not run.abort.is_set() \
                    and time.monotonic() < deadline:
                time.sleep(0.05)
            sub.finish.set()
        for sub in subs:
            sub.join(JOIN_TIMEOUT)
            self.assertFalse(sub.is_alive(), "seed %d: subscriber %s did "
                             "not finish" % (self.seed, sub.member))
        self.check_threads("a subscriber")

        # 6. Per subscriber: the alerts received against the entitled set.
        gaps = 0
        figures = []
        for sub in subs:
            ent = entitled[sub.member]
            order = sorted(ent)
            problems.extend("%s: %s" % (sub.member, t) for t in sub.problems)
            gaps += sub.skips
            for s in sorted(sub.seen):
                ids = sub.ids[s]
                for rid in ids:
                    seqs_of[rid].add(s)
                if s not in ent:
                    leaks += 1
                    problems.append("%s received seq %d, which it is not "
                                    "entitled to (%s)" % (
                                        sub.member, s,
                                        "report %s of %s, tlp %s"
                                        % (expected[s][1]["id"],
                                           expected[s][0],
                                           expected[s][1]["tlp"])
                                        if s in expected else "unknown"))
                elif sub.tiers[s] != {ent[s]}:
                    problems.append("%s received seq %d with tier %r, "
                                    "expected %r" % (sub.member, s,
                                                     sub.tiers[s], ent[s]))
            missing = sorted(set(ent) - sub.seen)
            if missing:
                problems.append("%s never received %d alerts entitled to "
                                "it: %s" % (sub.member, len(missing),
                                            missing[:20]))
            for k, conn in enumerate(sub.conns):
                prev = conn["from"]
                for s in conn["seqs"]:
                    if s <= prev:
                        problems.append("%s connection %d: seq %d after %d"
                                        % (sub.member, k, s, prev))
                        break
                    skipped = order[bisect.bisect_right(order, prev):
                                    bisect.bisect_left(order, s)]
                    if skipped:
                        gaps += 1
                        problems.append("%s connection %d (from %d): seq %d "
                                        "came after %d, skipping %s"
                                        % (sub.member, k, conn["from"], s,
                                           prev, skipped[:10]))
                    prev = s
            if sub.final_ack != sub.target:
                problems.append("%s ended at %r, not at its last alert %d"
                                % (sub.member, sub.final_ack, sub.target))
            figures.append("%s %d (%d distinct of %d entitled, %d "
                           "connections)" % (sub.member, sub.alerts,
                                             len(sub.seen), len(ent),
                                             len(sub.conns)))

        # 7. The acknowledged position is where the subscribers left it,
        # and nothing more is waiting for them.
        for sub in subs:
            c = self.connect(sub.member)
            reply = c.request({"type": "subscribe"}, timeout=REPLY_TIMEOUT)
            if reply != {"type": "subscribed", "from": sub.target}:
                problems.append("%s subscribed again after acknowledging "
                                "%d: %.300r" % (sub.member, sub.target,
                                                reply))
            reply = c.request({"type": "ping", "ref": "end"},
                              timeout=REPLY_TIMEOUT)
            if reply != {"type": "pong", "ref": "end"}:
                problems.append("%s: more after its last alert: %.300r"
                                % (sub.member, reply))
            c.close()

        doubled = sorted(rid for rid, s in seqs_of.items() if len(s) > 1)
        for rid in doubled[:20]:
            problems.append("report %s stored under seqs %s"
                            % (rid, sorted(seqs_of[rid])))
        ids_at = collections.defaultdict(set)
        for rid, s in seqs_of.items():
            for n in s:
                ids_at[n].add(rid)
        reused = sorted(n for n, ids in ids_at.items() if len(ids) > 1)
        for n in reused[:20]:
            problems.append("seq %r given to reports %s"
                            % (n, sorted(ids_at[n])))

        resent = set().union(*(p.interrupted for p in pubs))
        dup = sum(1 for p in pubs for rid in p.interrupted
                  if p.replies[rid]["duplicate"])
        note("crash test: kills %d (%d with reports waiting for their "
             "answer)\n"
             "crash test: reports accepted %d (%s); lost: %d, doubled: %d\n"
             "crash test: in flight at a kill and sent again: %d (%d of "
             "them already committed, answered duplicate:true)\n"
             "crash test: alerts received: %s; gaps: %d, leaks: %d\n"
             "crash test: %.1f s"
             % (kills, hot, len(seq),
                ", ".join("%s %d" % (p.member, len(p.replies))
                          for p in pubs),
                len(lost), len(doubled), len(resent), dup,
                "; ".join(figures), gaps, leaks,
                time.monotonic() - began))

        if problems:
            self.fail("seed %d: %d problems:\n%s\nkentongand stderr:\n%s"
                      % (self.seed, len(problems), "\n".join(problems[:60]),
                         self.hub.stderr_tail()))
        self.assertEqual((len(lost), len(doubled), len(reused), gaps, leaks),
                         (0, 0, 0, 0, 0))
        self.assertGreater(len(seq), 0)

        # 8. After all that, a clean stop.
        status = self.hub.stop()
        self.assertEqual(status, 0, "kentongand ended with status %r after "
                         "SIGTERM; stderr:\n%s"
                         % (status, self.hub.stderr_tail()))


if __name__ == "__main__":
    unittest.main()
