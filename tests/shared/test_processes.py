"""The suite's own process hygiene: a started process is stopped, its group too, and a process
left behind (even an orphaned grandchild) is found by the end-of-run check."""

import os
import signal
import subprocess
import sys

from tests.processes import kill_group, living_descendants, start, stop, wait_for

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]
# A parent that starts a sleeping child in its own group, prints the child's pid and exits.
ORPHANING_PARENT = [sys.executable, "-c", (
    "import subprocess, sys; child = subprocess.Popen(sys.argv[1:], start_new_session=True); "
    "print(child.pid, flush=True)"
), *SLEEPER]


def test_stop_ends_the_process_and_everything_in_its_group(request):
    """stop() ends the leader; its finaliser kills the group, grandchildren included."""
    shell = start(request, ["/bin/sh", "-c", "sleep 600 & wait"])
    wait_for(lambda: len(living_descendants(shell.pid)) == 1, what="the shell's child")
    grandchild = next(iter(living_descendants(shell.pid)))
    assert grandchild in living_descendants()
    kill_group(shell)
    wait_for(lambda: grandchild not in living_descendants(), what="the grandchild to end")
    assert shell.pid not in living_descendants()


def test_stop_sends_the_signal_and_returns_the_output(request):
    """A process that exits on SIGINT: stop() returns its output and its exit status is kept."""
    script = ("import signal, sys, time\n"
              "signal.signal(signal.SIGINT, lambda *_: (print('bye', flush=True), sys.exit(0)))\n"
              "print('ready', flush=True)\ntime.sleep(600)\n")
    process = start(request, [sys.executable, "-c", script], stdout=subprocess.PIPE)
    assert process.stdout.readline() == b"ready\n"
    assert "bye" in stop(process, signal.SIGINT)
    assert process.returncode == 0


def test_an_orphaned_grandchild_is_still_seen_by_the_end_of_run_check(request):
    """The run adopts orphans (subreaper), so a grandchild whose parent exited is found."""
    parent = start(request, ORPHANING_PARENT, stdout=subprocess.PIPE)
    orphan = int(parent.stdout.readline())
    parent.wait(timeout=120)
    try:
        wait_for(lambda: orphan in living_descendants(), what="the orphan to be adopted")
    finally:
        os.kill(orphan, signal.SIGKILL)
    wait_for(lambda: orphan not in living_descendants(), what="the orphan to end")
