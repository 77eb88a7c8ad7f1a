"""`make reliability`, issue 24's web findings against `make run` (flask serve: SQLite, one
gunicorn process with jobs and events), behind one trusted proxy hop (X-Forwarded-For
stands for each client's address):

1. 200 anonymous play reports from one address, each from a fresh session (page, then
   report), and for contrast 200 from 200 addresses;
2. 3 accounts × 12 event streams (2 sessions × 6 each) from one address, then five other
   people open a stream each and act: how many streams the attacker holds, whether the
   others are admitted and get their live updates;
3. the process's stream cap filled (4 addresses × 8) while 4 visitors load pages: their
   latency, the measurement the cap of 32 (of 64 threads) is sized from.

The hidden/blocked/deleted sweep row comes from tests/test_visibility_sweep.py (run by
`make reliability`'s fast sweeps, figures printed per scenario).
Run alone (`python bench/hardening_web.py`) it rewrites only its section of docs/reliability.md.
"""

import http.client
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, free_port, percentile, wait_healthy  # noqa: E402
from hardening import PASSWORD, Client  # noqa: E402

from webapp.migrate import upgrade  # noqa: E402

SECTION = "## Hardening round 3: plays, streams, visibility (SQLite, make run)"
COMMAND = "make reliability (bench/hardening_web.py)"


def start_server(tmp: Path, port: int) -> tuple[subprocess.Popen, dict]:
    """`flask serve` (make run) on a fresh SQLite database, trusting one proxy hop."""
    url = f"sqlite:///{tmp / 'soundstage.db'}"
    upgrade(url)
    env = {**os.environ, "DATABASE_URL": url, "DATA_DIR": str(tmp / "data"),
           "SECRET_KEY": "bench-web", "SOUNDSTAGE_TRUST_PROXY_HOPS": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "webapp", "serve", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    wait_healthy(port, 60, 0.2, 2)
    return server, env


def published_release(env: dict, username: str) -> int:
    """A published release of `username`'s, made by the real job pipeline in this process."""
    from tests.conftest import app_config
    from tests.factories import make_media, make_release, user_id_of
    from webapp import create_app

    app = create_app(app_config(env["DATABASE_URL"], Path(env["DATA_DIR"]),
                                SECRET_KEY=env["SECRET_KEY"]))
    user_id = user_id_of(app, username)
    track = make_media(app, user_id, "music", "a calm piano night", duration=10)
    cover = make_media(app, user_id, "image", "neon city at dusk")
    release_id = make_release(app, user_id, track, cover, published=True, title="Bench Song")
    app.extensions["db_engine"].dispose()
    return release_id


def sign_up(port: int, name: str, where: str) -> Client:
    """An account made through the form from `where`, signed in."""
    client = Client(port, where)
    client.request("GET", "/signup")
    body = f"username={name}&password={PASSWORD.replace(' ', '+')}&csrf_token={client.token}"
    status = client.request("POST", "/signup", body)[0]
    assert status == 303, (name, status)
    client.request("GET", "/library")  # signing in made a new session: its CSRF token
    return client


def scalar(env: dict, sql: str, *args):
    """One value read straight from the server's SQLite database."""
    with sqlite3.connect(env["DATABASE_URL"].removeprefix("sqlite:///")) as connection:
        return connection.execute(sql, args).fetchone()[0]


def anonymous_plays(
    port: int, env: dict, release_id: int, addresses: list[str]
) -> tuple[int, float]:
    """One fresh session per report (a page, then POST /plays): plays added, reports/s."""
    count = "SELECT play_count FROM releases WHERE id = ?"
    before = scalar(env, count, release_id)
    started = time.perf_counter()
    for where in addresses:
        visitor = Client(port, where)
        visitor.request("GET", "/login")  # a page with the CSRF token, as the player has
        status = visitor.request("POST", "/plays", f"release_id={release_id}")[0]
        assert status == 204, status
    rate = len(addresses) / (time.perf_counter() - started)
    return scalar(env, count, release_id) - before, rate


def plays_row(port: int, env: dict, release_id: int) -> tuple[str, str, str]:
    """200 anonymous reports from one address, and 200 from 200 addresses."""
    one, rate = anonymous_plays(port, env, release_id, ["203.0.113.50"] * 200)
    many, _ = anonymous_plays(port, env, release_id, [f"198.18.{n // 250}.{n % 250 + 1}"
                                                 for n in range(200)])
    return ("200 anonymous play reports from one address, each a fresh session",
            f"plays added {one} (limit per track, hour and network: 3); reports answered "
            f"204 at {rate:.0f}/s; for contrast 200 reports from 200 addresses added {many}",
            COMMAND)


class Stream:
    """One open /events request, read in the background."""

    def __init__(self, port: int, client: Client) -> None:
        """Open the stream with the client's cookie and address."""
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.connection.request("GET", "/events", headers={
            "Cookie": client.cookie, "X-Forwarded-For": client.address})
        self.response = self.connection.getresponse()
        self.paused = self.response.getheader("X-Live-Updates") == "paused"
        self.status = self.response.status
        self.events: list[str] = []
        self.ended = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        """Collect event names until the stream ends."""
        try:
            while line := self.response.readline():
                if line.startswith(b"event: "):
                    self.events.append(line[7:].strip().decode())
        except (OSError, AttributeError, ValueError):  # hung up by close()
            pass
        self.ended.set()

    def close(self) -> None:
        """Hang up."""
        self.connection.close()


def streams_row(port: int, env: dict) -> tuple[str, str, str]:
    """3 accounts × 2 sessions × 6 streams from one address; then five others act."""
    attacker = "203.0.113.66"
    sessions = []
    for n in range(3):
        first = sign_up(port, f"mallory{n}", attacker)
        second = Client(port, attacker)
        assert second.log_in(f"mallory{n}", PASSWORD) == 303
        second.request("GET", "/library")
        sessions += [first, second]
    held = [Stream(port, session) for session in sessions for _ in range(6)]
    time.sleep(1.5)
    kept = [s for s in held if not s.paused and not s.ended.is_set()]
    paused = sum(s.paused for s in held)
    others = [sign_up(port, f"someone{n}", f"198.51.100.{n + 1}") for n in range(5)]
    theirs = [Stream(port, other) for other in others]
    admitted = sum(s.status == 200 and not s.paused for s in theirs)
    ids = [scalar(env, "SELECT id FROM users WHERE username = ?", f"someone{n}")
           for n in range(len(others))]
    started = time.perf_counter()
    for n, other in enumerate(others):
        # Each follows the next: both people's tabs get follow-changed.
        status = other.request("POST", f"/follows/{ids[(n + 1) % len(ids)]}", "following=1")[0]
        assert status == 303, status
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not all("follow-changed" in s.events for s in theirs):
        time.sleep(0.1)
    updated = sum("follow-changed" in s.events for s in theirs)
    waited = time.perf_counter() - started
    statuses = sorted({s.status for s in held + theirs})
    for stream in held + theirs:
        stream.close()
    time.sleep(6)  # the server notices closed streams at their next heartbeat (5 s)
    return ("3 accounts × 12 event streams (2 sessions × 6) from one address, then 5 other "
            "people open a stream each and act",
            f"attacker's streams held {len(kept)} of 36 (the rest told to wait a minute: "
            f"{paused}; statuses {statuses}, no 429/503); others admitted {admitted}/5, "
            f"got their live update {updated}/5 (all within {waited:.1f} s)",
            COMMAND)


def page_loads(port: int, seconds: float) -> list[float]:
    """Four visitors loading public pages for `seconds`: each request's milliseconds."""
    latencies: list[float] = []
    stop, lock = threading.Event(), threading.Lock()

    def visitor(n: int) -> None:
        """Another visitor loading public pages."""
        client = Client(port, f"192.0.2.{n + 10}")
        while not stop.is_set():
            began = time.perf_counter()
            client.request("GET", random.choice(["/healthz", "/", "/explore", "/login"]))
            with lock:
                latencies.append((time.perf_counter() - began) * 1000)

    threads = [threading.Thread(target=visitor, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return latencies


def cap_row(port: int, seconds: float = 10) -> tuple[str, str, str]:
    """The process's 32 streams held (4 addresses × 8) while 4 visitors load pages."""
    baseline = page_loads(port, seconds)
    held = []
    for n in range(4):
        where = f"203.0.114.{n + 1}"
        first = sign_up(port, f"holder{n}", where)
        held += [Stream(port, first) for _ in range(6)]
        second = Client(port, where)
        assert second.log_in(f"holder{n}", PASSWORD) == 303
        held += [Stream(port, second) for _ in range(2)]
    time.sleep(1.5)
    open_streams = sum(not s.paused and not s.ended.is_set() for s in held)
    latencies = page_loads(port, seconds)
    extra = Stream(port, sign_up(port, "latecomer", "192.0.2.99"))
    for stream in held:
        stream.close()
    return (f"The process's stream cap filled (4 addresses × 8 streams) while 4 visitors load "
            f"pages ({seconds:.0f} s)",
            f"streams open {open_streams} (cap 32 of 64 threads); other visitors "
            f"{len(latencies)} requests, p50 {percentile(latencies, .5):.1f} ms, p99 "
            f"{percentile(latencies, .99):.1f} ms (with no stream open: {len(baseline)} "
            f"requests, p50 {percentile(baseline, .5):.1f} ms, p99 "
            f"{percentile(baseline, .99):.1f} ms); a 33rd stream: status {extra.status}, "
            f"{'told to wait a minute' if extra.paused else 'admitted'}", COMMAND)


def visibility_row() -> tuple[str, str, str]:
    """tests/test_visibility_sweep.py on both databases: requests tried, leaks found."""
    test = "tests/test_visibility_sweep.py"
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:randomly",
                             test], cwd=ROOT, capture_output=True, text=True, check=False)
    found = re.findall(r"(\S+): (\d+) requests tried, (\d+) leaks", result.stdout)
    tried = sum(int(n) for _, n, _ in found)
    leaks = sum(int(n) for _, _, n in found)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout else result.stderr[-200:]
    return ("Hidden, unpublished, deleted and blocked content (8 ways) against every GET route "
            "and others' writes, as anonymous, a fan and a stranger (SQLite + PostgreSQL)",
            f"{len(found)} scenario runs, {tried} requests tried, {leaks} leaks; {summary}",
            f"pytest {test}")


def run() -> list[tuple[str, str, str]]:
    """Every scenario against one fresh `make run` server; the report rows."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="soundstage-hardening-web-") as tmp:
        server, env = start_server(Path(tmp), port)
        try:
            sign_up(port, "artist", "192.0.2.1")
            release_id = published_release(env, "artist")
            rows = [plays_row(port, env, release_id), streams_row(port, env), cap_row(port)]
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    return [visibility_row(), *rows]


def write_section(rows: list[tuple[str, str, str]]) -> None:
    """Replace this part's section of docs/reliability.md with fresh figures."""
    path = ROOT / "docs" / "reliability.md"
    text = path.read_text() if path.exists() else "# Reliability and security proofs\n"
    before, _, after = text.partition("\n" + SECTION)
    rest = after.split("\n## ", 1)[1] if "\n## " in after else ""
    lines = ["", SECTION, "",
             f"Generated by `make reliability` (bench/hardening_web.py) on "
             f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, loopback only.",
             "", "| check | figure | command |", "|---|---|---|"]
    lines += [f"| {a} | {b} | `{c}` |" for a, b, c in rows]
    text = before.rstrip("\n") + "\n" + "\n".join(lines) + "\n"
    if rest:
        text += "\n## " + rest
    path.write_text(text)


if __name__ == "__main__":
    found = run()
    write_section(found)
    for found_row in found:
        print(" | ".join(found_row))
