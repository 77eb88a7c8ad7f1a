"""`make run-scaled`: PostgreSQL, two gunicorn web processes and two job consumers.

Creates the database if needed, migrates, starts everything, prints the addresses,
and stops it all on Ctrl-C (or SIGTERM).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from .config import instance_secret
from .migrate import upgrade

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/soundstage"


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in `url` when it does not exist."""
    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def start(url: str, web_ports: list[int], consumers: int) -> list[subprocess.Popen]:
    """Start the web processes and job consumers with a shared configuration."""
    env = {**os.environ, "DATABASE_URL": url, "SOUNDSTAGE_JOBS_EMBEDDED": "false"}
    env.setdefault("DATA_DIR", os.path.abspath("instance/scaled-data"))
    # One secret for every process, so a session works on any of them.
    env.setdefault("SECRET_KEY", instance_secret(Path("instance")))
    python = sys.executable
    processes = []
    for port in web_ports:
        processes.append(subprocess.Popen(  # noqa: S603 - a fixed command line
            [python, "-m", "gunicorn", "-c", "python:webapp.gunicorn_conf", "--workers", "1",
             "--bind", f"127.0.0.1:{port}", "webapp:create_app()"],
            env=env,
        ))
    for _ in range(consumers):
        processes.append(subprocess.Popen(  # noqa: S603 - a fixed command line
            [python, "-m", "flask", "--app", "webapp", "worker", "--workers", "2"], env=env
        ))
    return processes


def stop(processes: list[subprocess.Popen]) -> None:
    """SIGTERM everything, then wait (and kill what lingers)."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 25
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()


def _interrupt(_signum, _frame) -> None:
    """Treat SIGTERM like Ctrl-C: stop every child."""
    raise KeyboardInterrupt


def main() -> None:
    """Run the scaled setup in the foreground."""
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    ports = [int(p) for p in os.environ.get("WEB_PORTS", "5001,5002").split(",")]
    ensure_database(url)
    upgrade(url)
    processes = start(url, ports, int(os.environ.get("CONSUMERS", "2")))
    print("Soundstage (scaled) on PostgreSQL:", url.rsplit("@", 1)[-1])
    for port in ports:
        print(f"  web: http://127.0.0.1:{port}/")
    print(f"  job consumers: {len(processes) - len(ports)}  (Ctrl-C stops everything)")
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop(processes)


if __name__ == "__main__":
    main()
