"""bash completion for kentongan and kentongand (issue 19): commands,
options of each command, values of the options that take few, and
incident codes from the taxonomy, asked of bash itself with the
bash-completion framework loaded."""

import os
import shutil
import subprocess
import unittest

import hub

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "contrib", "completion",
                      "kentongan.bash")
FRAMEWORK = "/usr/share/bash-completion/bash_completion"


def complete(line, command="kentongan"):
    """The words bash offers for the line (the cursor at its end)."""
    words = line.split(" ")
    program = """
source %s
source %s
COMP_WORDS=(%s)
COMP_CWORD=%d
COMP_LINE=%s
COMP_POINT=${#COMP_LINE}
_%s
printf '%%s\\n' "${COMPREPLY[@]}"
""" % (FRAMEWORK, SCRIPT, " ".join("'%s'" % w for w in words),
       len(words) - 1, "'%s'" % line, command)
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(hub.KENTONGAN) + ":" + env.get("PATH", "")
    env["KENTONGAN_TAXONOMY"] = hub.TAXONOMY
    proc = subprocess.run(["bash", "-c", program], env=env,
                          capture_output=True, text=True, timeout=30)
    if proc.returncode != 0:
        raise AssertionError(proc.stderr)
    return [w for w in proc.stdout.split("\n") if w]


@unittest.skipIf(not os.path.exists(FRAMEWORK) or shutil.which("bash") is None,
                 "no bash-completion here (apt-get install bash-completion)")
class Completion(unittest.TestCase):
    def test_commands(self):
        self.assertEqual(complete("kentongan pu"), ["push"])
        self.assertEqual(sorted(complete("kentongan s")), ["setup", "stats"])

    def test_options_of_a_command(self):
        got = complete("kentongan listen --")
        self.assertIn("--min-severity", got)
        self.assertIn("--format", got)
        self.assertIn("--hub", got)
        self.assertNotIn("--title", got)
        self.assertIn("--title", complete("kentongan push --t"))

    def test_values(self):
        self.assertEqual(complete("kentongan push --tlp amber"),
                         ["amber", "amber+strict"])
        self.assertEqual(complete("kentongan query --format s"), ["stix"])
        self.assertEqual(complete("kentongan listen --min-severity c"),
                         ["critical"])

    def test_codes_from_the_taxonomy(self):
        if not os.access(hub.KENTONGAN, os.X_OK):
            self.skipTest("no client binary")
        self.assertEqual(complete("kentongan push --code fraud/ph"),
                         ["fraud/phishing"])
        self.assertIn("intrusions/system-compromise",
                      complete("kentongan listen --code intrusions/"))

    def test_kentongand(self):
        self.assertEqual(sorted(complete("kentongand -", "kentongand")),
                         ["-V", "-c", "-h", "-t"])


if __name__ == "__main__":
    unittest.main()
