#!/usr/bin/env python3
"""Run the integration tests and report in TAP.

    run.py [FILTER...]

Runs every test_*.py next to this file. A FILTER keeps the tests whose name
(module.Class.test_name) contains it. Prints "1..N", then "ok K - NAME" or
"not ok K - NAME" with the failure as "# " lines, and after it the lines
the test printed that start with "# " (the figures it measured). Exit status 1 if any test
failed, else 0.
"""

import io
import os
import sys
import traceback
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def iter_tests(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from iter_tests(t)
        else:
            yield t


def load(filters):
    """The tests of every test_*.py here, filtered, as a flat list."""
    loader = unittest.TestLoader()
    tests = []
    for fn in sorted(os.listdir(HERE)):
        if fn.startswith("test_") and fn.endswith(".py"):
            suite = loader.loadTestsFromName(fn[:-3])
            tests.extend(iter_tests(suite))
    if filters:
        tests = [t for t in tests if any(f in t.id() for f in filters)]
    return tests


def comment(text):
    return "".join("# %s\n" % line for line in text.rstrip().splitlines())


class TapResult(unittest.TestResult):
    """Prints one TAP line per test as it ends."""

    def __init__(self, tests, out):
        super().__init__()
        self.buffer = True
        self.out = out
        self.tests = tests
        self.number = {t.id(): i + 1 for i, t in enumerate(tests)}
        self.problems = {}
        self.reported = set()
        self.skipped_in = {}
        self.failed = False

    def emit(self, line):
        self.out.write(line)
        self.out.flush()

    def _problem(self, test, kind, err):
        text = "%s: %s" % (kind, self._exc_info_to_string(err, test))
        self.problems.setdefault(test.id(), []).append(text)

    def addError(self, test, err):
        super().addError(test, err)
        if test.id() in self.number:
            self._problem(test, "error", err)
            return
        # A class or module fixture failed: its tests did not run.
        self.failed = True
        desc = str(test)
        victims = self.fixture_victims(desc)
        text = self._exc_info_to_string(err, test)
        if "tearDown" in desc or not victims:
            self.emit("# %s\n%s" % (desc, comment(text)))
            return
        for t in victims:
            self.reported.add(t.id())
            self.emit("not ok %d - %s\n# %s\n%s"
                      % (self.number[t.id()], t.id(), desc, comment(text)))

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._problem(test, "failure", err)

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            kind = "failure" if issubclass(err[0], test.failureException) \
                else "error"
            self._problem(test, "%s in %s" % (kind, subtest._subDescription()),
                          err)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        parent = getattr(test, "test_case", None)
        if parent is not None and parent.id() in self.number:
            # A skip inside a subTest skips the rest of its test.
            self.skipped_in.setdefault(parent.id(), reason)
            return
        if test.id() in self.number:
            self.reported.add(test.id())
            self.emit("ok %d - %s # SKIP %s\n"
                      % (self.number[test.id()], test.id(), reason))
        else:
            for t in self.fixture_victims(str(test)):
                self.reported.add(t.id())
                self.emit("ok %d - %s # SKIP %s\n"
                          % (self.number[t.id()], t.id(), reason))

    def fixture_victims(self, desc):
        """The unreported tests of the class or module that a fixture
        description such as "setUpClass (module.Class)" names."""
        out = []
        for t in self.tests:
            cls = type(t)
            if t.id() in self.reported:
                continue
            if "(%s.%s)" % (cls.__module__, cls.__qualname__) in desc or \
                    "(%s)" % cls.__module__ in desc:
                out.append(t)
        return out

    def figures(self):
        """Lines a test printed that start with "# ": figures it
        measured, kept in the log whatever the outcome."""
        lines = []
        for buf in (self._stdout_buffer, self._stderr_buffer):
            if buf is not None:
                lines += [line for line in buf.getvalue().splitlines()
                          if line.startswith("# ")]
        return "".join(line + "\n" for line in lines)

    def stopTest(self, test):
        figures = self.figures()
        super().stopTest(test)
        tid = test.id()
        if tid not in self.number or tid in self.reported:
            return
        self.reported.add(tid)
        problems = self.problems.get(tid)
        if problems:
            self.failed = True
            self.emit("not ok %d - %s\n%s" % (self.number[tid], tid,
                                             comment("\n".join(problems))))
        elif tid in self.skipped_in:
            self.emit("ok %d - %s # SKIP %s\n"
                      % (self.number[tid], tid, self.skipped_in[tid]))
        else:
            self.emit("ok %d - %s\n" % (self.number[tid], tid))
        self.emit(figures)


def main(argv):
    filters = argv[1:]
    out = sys.stdout
    try:
        tests = load(filters)
    except Exception:
        out.write("1..0\n# loading the tests failed\n%s"
                  % comment(traceback.format_exc()))
        return 1
    out.write("1..%d\n" % len(tests))
    out.flush()
    result = TapResult(tests, out)
    suite = unittest.TestSuite(tests)
    suite.run(result)
    missing = [t for t in tests if t.id() not in result.reported]
    for t in missing:
        result.failed = True
        out.write("not ok %d - %s\n# not run\n" % (result.number[t.id()],
                                                    t.id()))
    out.flush()
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
