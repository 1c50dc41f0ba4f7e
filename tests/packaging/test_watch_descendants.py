"""The bundle tests' watcher tells a child caught between fork and exec (it shows its parent's
command line) from the application started again with the same command line: by the kernel's
"forked, not exec'd" flag, not by how long it was seen; and it takes the program's own command
line only once it reads non-empty (it is empty while the exec is under way, and an empty one
matched no child: a pre-exec child then passed for "the application started again")."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.packaging.helpers import watch_descendants

CODE = """
import os, subprocess, sys, time
if os.environ.get("WATCHED_AGAIN"):
    time.sleep(1.5)
elif sys.argv[1] == "fork":
    pid = os.fork()
    if pid == 0:  # a child that never execs, for longer than the old grace
        time.sleep(1.5)
        os._exit(0)
    os.waitpid(pid, 0)
else:  # the same program, the same command line, started again
    subprocess.run([sys.executable, *sys.orig_argv[1:]], env=dict(os.environ, WATCHED_AGAIN="1"))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("mode, kept", [("fork", False), ("again", True)])
def test_forked_children_are_not_the_application_started_again(mode, kept):
    proc = subprocess.Popen([sys.executable, "-c", CODE, mode])
    seen = watch_descendants(proc)
    assert proc.wait(timeout=30) == 0
    same = [cmd for cmd in seen.values() if cmd[-1] == mode]
    assert bool(same) == kept, seen
