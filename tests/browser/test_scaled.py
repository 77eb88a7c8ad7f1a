"""Scale-out on PostgreSQL with real processes: two gunicorn web processes, two consumers.

A page served by web process A shows live what was done through web process B; a
consumer killed mid-job leaves the other to finish it exactly once.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, STREAM_OPEN, unique_name
from tests.conftest import create_pg_database, drop_pg_database, postgres_or_skip
from tests.processes import START_DEADLINE, STOP_DEADLINE, kill_group, wait_for
from webapp.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A free loopback port."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(port: int) -> bool:
    """Whether the web process on `port` answers /healthz."""
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).read()
        return True
    except OSError:
        return False


class Cluster:
    """Two web processes and two consumers sharing one PostgreSQL database."""

    def __init__(self, url: str, data_dir: Path) -> None:
        """Prepare; nothing runs until start()."""
        self.url = url
        self.logs = data_dir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ, "DATABASE_URL": url, "DATA_DIR": str(data_dir),
            "SECRET_KEY": "scaled-test-secret", "SOUNDSTAGE_JOBS_EMBEDDED": "false",
            "SOUNDSTAGE_JOBS_LEASE_SECONDS": "4", "SOUNDSTAGE_JOBS_RECONCILE_SECONDS": "1",
        }
        self.ports = [free_port(), free_port()]
        self.web: list[subprocess.Popen] = []
        self.consumers: list[subprocess.Popen] = []

    def start(self) -> None:
        """Start everything; wait (generously) until both web processes answer."""
        self.web = [self._spawn([sys.executable, "-m", "gunicorn", "-c",
                                 "python:webapp.gunicorn_conf", "-w", "1", "--threads", "24",
                                 "-b", f"127.0.0.1:{port}", "webapp:create_app()"])
                    for port in self.ports]
        self.consumers = [self._consumer(), self._consumer()]
        for port in self.ports:
            wait_for(lambda port=port: healthy(port), START_DEADLINE, 0.2,
                     what=f"the web process on {port} to answer")

    def _spawn(self, command: list[str]) -> subprocess.Popen:
        """Start one process with the shared environment."""
        log = open(self.logs / f"{command[2]}-{time.monotonic_ns()}.log", "wb")  # noqa: SIM115
        # A group of its own: stopping it also stops what it started (gunicorn's workers).
        return subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=log,
                                start_new_session=True)

    def _consumer(self) -> subprocess.Popen:
        """Start one job consumer process."""
        return self._spawn([sys.executable, "-m", "flask", "--app", "webapp", "worker",
                            "--workers", "1"])

    def at(self, index: int, path: str) -> str:
        """URL on web process `index`."""
        return f"http://127.0.0.1:{self.ports[index]}{path}"

    def query(self, sql: str, *args):
        """One row from the shared database."""
        with psycopg.connect(self.url) as conn:
            return conn.execute(sql, args).fetchone()

    def stop(self) -> None:
        """SIGTERM every process group; wait; SIGKILL whatever is left of each group."""
        for process in self.web + self.consumers:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.web + self.consumers:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=STOP_DEADLINE)
            kill_group(process)


@pytest.fixture(scope="module")
def cluster(request, tmp_path_factory):
    """The scaled-out setup on a fresh PostgreSQL database; stopped even if starting fails."""
    postgres_or_skip()
    url = create_pg_database("soundstage_scaled")
    request.addfinalizer(lambda: drop_pg_database(url))
    upgrade(url)
    running = Cluster(url, tmp_path_factory.mktemp("scaled-data"))
    request.addfinalizer(running.stop)
    running.start()
    return running


def sign_up_on(page, cluster: Cluster, index: int) -> str:
    """Sign up through web process `index`; the session works on every process."""
    username = unique_name("scaled")
    page.goto(cluster.at(index, "/signup"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("link", name=username, exact=True)).to_be_visible()
    return username


def test_work_through_b_shows_live_on_a(browser, cluster):
    """Submit on B, run by a consumer, appears on A's open library; a rename on B shows on A."""
    context = browser.new_context()
    page_b = context.new_page()
    username = sign_up_on(page_b, cluster, 1)
    page_a = context.new_page()
    page_a.goto(cluster.at(0, "/library?tab=images"))
    expect(page_a.get_by_role("heading", name="Library", level=1)).to_be_visible()
    page_a.wait_for_function(STREAM_OPEN)

    page_b.goto(cluster.at(1, "/studio"))
    page_b.get_by_label("Prompt").fill("lighthouse over a scaled sea")
    page_b.get_by_label("Cover art").check()
    page_b.get_by_role("button", name="Generate").click()
    expect(page_a.get_by_role("heading", name="Lighthouse over a scaled sea")).to_be_visible(
        timeout=START_DEADLINE * 1000
    )

    page_b.goto(cluster.at(1, "/settings/profile"))
    renamed = username + "x"
    page_b.get_by_label("Username").fill(renamed)
    page_b.get_by_label("Current password").fill(PASSWORD)
    page_b.get_by_role("button", name="Save").click()
    expect(page_a.get_by_role("link", name=renamed, exact=True)).to_be_visible()
    context.close()


def test_killed_consumer_mid_job_is_finished_once_by_the_other(browser, cluster):
    """kill -9 the consumer running a job; the other consumer completes it exactly once."""
    context = browser.new_context()
    page = context.new_page()
    sign_up_on(page, cluster, 0)
    first, second = cluster.consumers
    # Only the first consumer is up when the job arrives, so it is the one running it;
    # the second starts again before the kill, so it is there to take over.
    second.terminate()
    second.wait(timeout=STOP_DEADLINE)
    page.goto(cluster.at(0, "/studio"))
    page.get_by_label("Prompt").fill("a long drone for the fault drill")
    page.get_by_label("Duration (seconds)").fill("60")
    page.get_by_role("button", name="Generate").click()
    deadline = time.monotonic() + START_DEADLINE
    job_id, seen = None, []
    while time.monotonic() < deadline:
        row = cluster.query("SELECT id, status FROM generations WHERE prompt = %s",
                            "a long drone for the fault drill")
        seen.append(row[1] if row else None)
        if row and row[1] == "running":
            job_id = row[0]
            break
        time.sleep(0.02)
    assert job_id is not None, f"the job never started; states seen: {sorted(set(map(str, seen)))}"
    cluster.consumers[1] = cluster._consumer()
    first.kill()
    first.wait(timeout=STOP_DEADLINE)
    wait_for(lambda: cluster.query("SELECT status FROM generations WHERE id = %s", job_id)[0]
             == "done", START_DEADLINE, 0.25, what="the other consumer to finish the job")
    media = cluster.query("SELECT count(*) FROM media WHERE generation_id = %s", job_id)[0]
    assert media == 1
    cluster.consumers[0] = cluster._consumer()
    context.close()
