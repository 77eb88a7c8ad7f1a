"""`make reliability`: the heavier reliability and security proofs, written to docs/reliability.md.

1. the fast sweeps (route access, CSRF, hostile input, headers, static checks) via pytest;
2. a 60 s signed-in load mix against gunicorn (gthread) on PostgreSQL, with SSE subscribers;
3. PostgreSQL restarted while load runs: 503 + Retry-After during the outage, back within 5 s,
   no committed write lost;
4. kill -9 of a job consumer before the file write, after it, and after commit: every job
   ends done exactly once, no orphan files (bench/faults.py);
5. a Chromium crawl of every page and state with a CSP violation listener (bench/crawl.py);
6. issue 14's scenarios on SQLite under the documented gunicorn (bench/hardening.py).
"""

import os
import re
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hardening  # noqa: E402
import psycopg  # noqa: E402
from common import (  # noqa: E402
    ROOT,
    drop_pg_database,
    free_port,
    fresh_pg_database,
    percentile,
    start_worker,
    wait_healthy,
)
from loadmix import run_load  # noqa: E402

from webapp.migrate import upgrade  # noqa: E402

PG_CLUSTER = os.environ.get("PG_CLUSTER_VERSION") or sorted(os.listdir("/etc/postgresql"))[-1]


def fast_sweeps() -> list[tuple[str, str, str]]:
    """Run the sweep tests on both databases and report how many passed."""
    files = [f"tests/shared/test_{name}.py" for name in
             ("route_sweeps", "hostile_input", "security", "static_checks", "faults")]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:randomly", *files],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    summary = result.stdout.strip().splitlines()[-1] if result.stdout else result.stderr[-200:]
    tried = sum(int(n) for n in re.findall(r"hostile form inputs tried: (\d+)", result.stdout))
    return [
        ("Route sweeps, CSRF sweep, hostile input, headers, static checks (SQLite + PostgreSQL)",
         f"{summary}; hostile form inputs tried: {tried}; 5xx: 0 (asserted)",
         f"pytest {' '.join(files)}"),
    ]


def start_stack(url: str, data_dir: Path, port: int) -> list[subprocess.Popen]:
    """One gunicorn web process (gthread) and one job consumer on PostgreSQL."""
    env = {**os.environ, "DATABASE_URL": url, "DATA_DIR": str(data_dir), "SECRET_KEY": "rel",
           "SOUNDSTAGE_JOBS_EMBEDDED": "false", "SOUNDSTAGE_PASSWORD_HASH__time_cost": "1",
           # The load's users all sign up and log in from this one address.
           "SOUNDSTAGE_LIMIT_SIGNUPS_PER_CLIENT": "1000 per hour",
           "SOUNDSTAGE_LIMIT_PASSWORD_CHECKS_PER_CLIENT": "10000 per hour"}
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:webapp.gunicorn_conf", "-w", "2",
         "--threads", "48", "-b", f"127.0.0.1:{port}", "--log-level", "error",
         "webapp:create_app()"], cwd=ROOT, env=env,
    )
    worker = start_worker(env)
    wait_healthy(port, 30, 0.1, 2)
    return [web, worker]


def stop_stack(processes: list[subprocess.Popen]) -> None:
    """SIGTERM the stack and wait."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def load_phase(port: int) -> list[tuple[str, str, str]]:
    """60 s of the signed-in mix; errors must be 0."""
    tally, streams = run_load(port, users=12, seconds=60, streams=10)
    lat = tally.latencies
    total = len(lat)
    return [(
        f"Load: 12 signed-in users + 10 SSE streams, 60 s, gunicorn gthread 2×48 on PostgreSQL, "
        f"{os.cpu_count()} cores",
        f"{total} requests ({total / 60:.0f}/s); errors {tally.errors}; 503 {tally.unavailable}; "
        f"refused by limits {tally.refused}; p50 {percentile(lat, .5):.1f} ms, "
        f"p95 {percentile(lat, .95):.1f} ms, p99 {percentile(lat, .99):.1f} ms; "
        f"SSE events received {streams[0]}, stream failures {streams[1]}; "
        f"statuses {dict(sorted(tally.statuses.items()))}",
        "make reliability (bench/loadmix.py)",
    )]


def restart_phase(port: int, url: str) -> list[tuple[str, str, str]]:
    """Restart PostgreSQL during load: 503s, no 500s, back within 5 s, no lost commits."""
    marks: dict[str, float] = {}

    def restart() -> None:
        """Restart the cluster (fast shutdown) in the background."""
        marks["restart"] = time.monotonic()
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", PG_CLUSTER, "main",
                        "restart", "-m", "fast"], check=True, capture_output=True)
        marks["restarted"] = time.monotonic()

    def during(elapsed: float, tally) -> None:
        """At 5 s, restart; afterwards note the first moment health is back."""
        if elapsed > 5 and "restart" not in marks:
            threading.Thread(target=restart, daemon=True).start()
        if "restarted" in marks and "healthy" not in marks:
            marks["healthy"] = marks["restarted"] + wait_healthy(port, 30, 0.1, 2)

    posts_before = _count(url, "SELECT count(*) FROM posts")
    tally, _ = run_load(port, users=8, seconds=25, streams=4, during=during)
    posts_after = _count(url, "SELECT count(*) FROM posts")
    back = marks["healthy"] - marks["restarted"]
    stored = posts_after - posts_before
    return [(
        "PostgreSQL restarted (pg_ctlcluster restart -m fast) during load",
        f"outage {marks['restarted'] - marks['restart']:.1f} s; 503 answers {tally.unavailable}; "
        f"other 5xx {tally.errors - tally.broken}, broken connections {tally.broken}; "
        f"statuses {dict(sorted(tally.statuses.items()))}; healthy {back:.2f} s after the "
        f"restart finished; posts acknowledged {tally.writes_ok}, posts stored {stored} "
        f"(lost: {max(0, tally.writes_ok - stored)})",
        "make reliability",
    )]


def _count(url: str, sql: str) -> int:
    """One integer from the database."""
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchone()[0]


def write_report(rows: list[tuple[str, str, str]]) -> None:
    """docs/reliability.md: one row per check, its figure and the command."""
    lines = [
        "# Reliability and security proofs",
        "",
        f"Generated by `make reliability` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} cores, loopback only. Every figure below comes from that run.",
        "",
        "| check | figure | command |",
        "|---|---|---|",
    ]
    lines += [f"| {a} | {b} | `{c}` |" for a, b, c in rows]
    (ROOT / "docs" / "reliability.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    """Run every part and write the report."""
    rows = fast_sweeps()
    url = fresh_pg_database("soundstage_reliability")
    upgrade(url)
    data_dir = ROOT / "instance" / "reliability-data"
    port = free_port()
    stack = start_stack(url, data_dir, port)
    try:
        rows += load_phase(port)
        rows += restart_phase(port, url)
    finally:
        stop_stack(stack)
        drop_pg_database(url)
    for extra in ("faults", "crawl"):
        module = __import__(extra)
        rows += module.run()
    hardened = hardening.run()
    write_report(rows)
    hardening.write_section(hardened)
    for row in rows + hardened:
        print(" | ".join(row))


if __name__ == "__main__":
    main()
