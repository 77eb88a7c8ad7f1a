"""Processes a test starts: generous deadlines, always stopped, and none left behind after a run.

    from tests.processes import START_DEADLINE, start, stop, wait_for

    server = start(request, [sys.executable, "-m", "flask", ...], cwd=ROOT, env=env)
    wait_for(lambda: answers(url), START_DEADLINE, what="the server to answer")
    output = stop(server, signal.SIGINT)     # proves it stops; kills its group if it does not

`start` registers the stop with the test (request.addfinalizer) BEFORE the process starts, and
puts the process in a process group of its own, so a test that fails anywhere (set-up included)
still stops it and everything it started. Deadlines prove "it starts" and "it stops", not how
fast: a shared 2-core machine under load is slow; speed is measured in bench/.
"""

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

# A process start (Python imports, migrations, gunicorn boot) on a machine at load 10-20.
START_DEADLINE = 120.0
# A clean stop after SIGINT/SIGTERM; past it the whole group is killed and the test fails.
STOP_DEADLINE = 120.0
# A job or event that is expected to arrive.
ARRIVAL_DEADLINE = 60.0


def wait_for(predicate: Callable[[], object], timeout: float = ARRIVAL_DEADLINE,
             step: float = 0.05, what: str = "the condition") -> None:
    """Poll until predicate() is true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(step)


def start(request, command: list[str], **popen) -> subprocess.Popen:
    """Start `command` in its own process group; the test stops it whatever happens."""
    started: list[subprocess.Popen] = []
    # Registered first: even if Popen or the test's set-up fails, the finaliser runs.
    request.addfinalizer(lambda: [kill_group(process) for process in started])
    process = subprocess.Popen(command, start_new_session=True, **popen)  # noqa: S603
    started.append(process)
    return process


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM,
         timeout: float = STOP_DEADLINE) -> str:
    """Send `sig` and wait for the exit; its output (if piped). Kills the group past `timeout`."""
    if process.poll() is None:
        process.send_signal(sig)
    return wait_exit(process, timeout)


def wait_exit(process: subprocess.Popen, timeout: float = START_DEADLINE) -> str:
    """Wait for a process to end by itself; its output. Kills the group past `timeout`."""
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(process)
        raise AssertionError(f"{process.args} did not end within {timeout:.0f} s") from None
    return output.decode(errors="replace") if isinstance(output, bytes) else (output or "")


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the process's whole group (it leads one: start_new_session) and reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=STOP_DEADLINE)


# ---------------------------------------------------------------- after the run: nothing left


def become_subreaper() -> None:
    """Make this process adopt orphaned descendants, so a grandchild whose parent died is found."""
    try:
        import ctypes

        pr_set_child_subreaper = 36
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_child_subreaper, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _stat(pid: int) -> tuple[int, str, str] | None:
    """(parent pid, state, command name) of a live process, from /proc."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = text[text.index("(") + 1 : text.rindex(")")]
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), fields[0], name


def living_descendants(root: int | None = None) -> dict[int, str]:
    """Every live (not zombie) descendant of `root` (this process): pid -> command line."""
    root = root or os.getpid()
    parents: dict[int, list[int]] = {}
    states: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            parents.setdefault(stat[0], []).append(int(entry.name))
            states[int(entry.name)] = stat[1]
    found: dict[int, str] = {}
    todo = list(parents.get(root, []))
    while todo:
        pid = todo.pop()
        todo.extend(parents.get(pid, []))
        if states.get(pid) in ("Z", "X"):
            continue
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        found[pid] = command.strip() or f"[{pid}]"
    return found


def reap_zombies() -> None:
    """Collect adopted children that have exited (this process is their subreaper)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def leftovers(grace: float = 30.0) -> dict[int, str]:
    """Descendants still alive after `grace` seconds (a process just told to stop may lag)."""
    deadline = time.monotonic() + grace
    while True:
        reap_zombies()
        alive = living_descendants()
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.5)


def kill_all(pids: dict[int, str]) -> None:
    """SIGKILL what was left behind, so the machine is clean even when the run fails."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    reap_zombies()
