"""Shared helpers for the benchmarks: databases, a signed-in cookie, server processes."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import PG_ADMIN_URL  # noqa: E402
from tests.conftest import drop_pg_database as drop_pg_database  # noqa: E402


def fresh_pg_database(name: str) -> str:
    """Drop and create a PostgreSQL database for a benchmark; return its URL."""
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def free_port() -> int:
    """A free loopback TCP port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def signed_in_cookie(app, username: str) -> tuple[int, str]:
    """Create a user with a server-side session; return (user id, session cookie value)."""
    from webapp import db
    from webapp.accounts import logins

    with app.app_context():
        user, errors = logins.sign_up(db.session(), username, "benchmark password")
        assert not errors, errors.messages
        row = logins.start_session(db.session(), user, "bench")
        serializer = app.session_interface.get_signing_serializer(app)
        return user.id, serializer.dumps({"_user_id": row.id, "_fresh": True})


def wait_healthy(port: int, timeout: float, interval: float, request_timeout: float) -> float:
    """Poll /healthz every `interval` s until it answers 200; return the seconds it took."""
    url = f"http://127.0.0.1:{port}/healthz"
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            with urllib.request.urlopen(url, timeout=request_timeout) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except OSError:
            pass
        time.sleep(interval)
    raise RuntimeError("service did not become healthy")


def wait_for_health(process: subprocess.Popen, port: int) -> subprocess.Popen:
    """Return the server process once it answers /healthz; kill it after 30 s of silence."""
    try:
        wait_healthy(port, 30, 0.2, 1)
    except RuntimeError:
        process.kill()
        raise RuntimeError("gunicorn did not start") from None
    return process


def start_gunicorn(env: dict, port: int, threads: int) -> subprocess.Popen:
    """Start one gthread worker serving the app; wait until it answers /healthz."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:webapp.gunicorn_conf",
         "-k", "gthread", "-w", "1", "--threads", str(threads),
         "--worker-connections", str(threads * 2), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "webapp:create_app()"],
        cwd=ROOT, env={**os.environ, **env},
    )
    return wait_for_health(process, port)


def start_worker(env: dict) -> subprocess.Popen:
    """Start one job consumer process (`flask worker`, one worker), its output discarded."""
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "webapp", "worker", "--workers", "1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def worker_pid(master: subprocess.Popen) -> int:
    """The pid of the single worker under a gunicorn master."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return int(children[0])


def rss_kib(pid: int) -> int:
    """Resident memory of a process in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of a list."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]
