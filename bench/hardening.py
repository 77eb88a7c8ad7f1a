"""`make reliability`, hardening part: issue 14's scenarios on SQLite under the documented gunicorn.

gunicorn as webapp/gunicorn_conf.py and docs/deploy.md set it up (gthread, 2 workers × 64
threads, TRUST_PROXY_HOPS=1 as behind its TLS proxy, so X-Forwarded-For stands for many
clients), SQLite, real argon2 cost, one `flask worker` process with two job threads:

1. correct log-ins during a flood of failed ones from many addresses: none may fail;
2. password spraying from one address over every account: blocked after N attempts;
3. 100 event streams from one account (1, then 4 sessions) while others load pages: p99;
4. four concurrent decoder bombs (largest allowed picture; 1 × 40,000,000 header): peak RSS;
5. starvation: two accounts queue six long tracks, a third asks for one cover: its wait.

Run alone (`python bench/hardening.py`) it rewrites only its section of docs/reliability.md.
"""

import http.client
import io
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, free_port, percentile, rss_kib, wait_healthy  # noqa: E402
from loadmix import Visitor  # noqa: E402
from PIL import Image  # noqa: E402

from webapp.migrate import upgrade  # noqa: E402

PASSWORD = "a long enough passphrase"
SECTION = "## Hardening scenarios (SQLite, documented gunicorn configuration)"


class Client(Visitor):
    """A browser at one address (sent as X-Forwarded-For to the trusted proxy setting)."""

    def __init__(self, port: int, address: str) -> None:
        """A fresh browser at `address`."""
        super().__init__(port)
        self.address = address

    def request(self, method: str, path: str, body: str = "", headers: dict | None = None):
        """Send one request from this client's address."""
        return super().request(method, path, body, {**(headers or {}),
                                                    "X-Forwarded-For": self.address})

    def log_in(self, username: str, password: str) -> int:
        """Log in through the form; the status of the POST."""
        self.request("GET", "/login")
        body = f"username={username}&password={password.replace(' ', '+')}&csrf_token={self.token}"
        return self.request("POST", "/login", body)[0]


def address(n: int) -> str:
    """A distinct IPv4 address for client number n."""
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def start_stack(tmp: Path, port: int) -> tuple[list[subprocess.Popen], str]:
    """gunicorn (documented settings) and one job consumer on a fresh SQLite database."""
    database = tmp / "soundstage.db"
    url = f"sqlite:///{database}"
    upgrade(url)
    env = {**os.environ, "DATABASE_URL": url, "DATA_DIR": str(tmp / "data"), "SECRET_KEY": "hrd",
           "SOUNDSTAGE_TRUST_PROXY_HOPS": "1", "WEB_CONCURRENCY": "2", "WEB_THREADS": "64",
           "BIND": f"127.0.0.1:{port}"}
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:webapp.gunicorn_conf", "--log-level",
         "error", "webapp:create_app()"], cwd=ROOT, env=env,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "webapp", "worker", "--workers", "2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    wait_healthy(port, 30, 0.1, 2)
    return [web, worker], str(database)


def sign_up_many(port: int, names: list[str]) -> None:
    """Create accounts through the form, each from its own address."""
    for n, name in enumerate(names):
        visitor = Client(port, address(50_000 + n))
        visitor.request("GET", "/signup")
        body = f"username={name}&password={PASSWORD.replace(' ', '+')}&csrf_token={visitor.token}"
        status = visitor.request("POST", "/signup", body)[0]
        assert status == 303, (name, status)


def login_flood(port: int, seconds: float = 20) -> tuple[str, str, str]:
    """Four flooding threads (a new address per request) while two owners log in again and again."""
    stop = threading.Event()
    failed: dict[int, int] = {}
    correct: dict[int, int] = {}
    lock = threading.Lock()
    counter = iter(range(10**6))

    def flood() -> None:
        """Wrong passwords for random names until told to stop."""
        while not stop.is_set():
            status = Client(port, address(100_000 + next(counter))).log_in(
                f"nobody{random.randrange(10**6)}", "wrong password guess")
            with lock:
                failed[status] = failed.get(status, 0) + 1

    def owner(name: str) -> None:
        """Correct log-ins from fresh browsers until told to stop."""
        while not stop.is_set():
            status = Client(port, address(200_000 + next(counter))).log_in(name, PASSWORD)
            with lock:
                correct[status] = correct.get(status, 0) + 1

    threads = [threading.Thread(target=flood) for _ in range(4)]
    threads += [threading.Thread(target=owner, args=(f"owner{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    total = sum(correct.values())
    return (
        f"Correct log-ins during a flood of failed ones ({seconds:.0f} s, 4 flooding + 2 owner "
        "threads, real argon2id)",
        f"correct log-ins {total}, failed {total - correct.get(303, 0)} "
        f"(statuses {dict(sorted(correct.items()))}); failed log-ins answered "
        f"{sum(failed.values())} (statuses {dict(sorted(failed.items()))})",
        "make reliability (bench/hardening.py)",
    )


def spraying(port: int, names: list[str]) -> tuple[str, str, str]:
    """One address guesses one common password against every account."""
    sprayer = Client(port, "192.0.2.66")
    statuses = [sprayer.log_in(name, "password1234") for name in names]
    blocked_after = statuses.index(429) if 429 in statuses else None
    owner = Client(port, "198.51.100.7").log_in(names[0], PASSWORD)
    return (
        f"Password spraying from one address over {len(names)} accounts",
        f"blocked after {blocked_after} attempts; "
        f"answers {dict(sorted(_count(statuses).items()))}; "
        f"accounts taken 0; the first account's owner, elsewhere, then logs in: {owner}",
        "make reliability (bench/hardening.py)",
    )


def _count(values: list[int]) -> dict[int, int]:
    """How often each value occurs."""
    counts: dict[int, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def _ended_by_server(connection: http.client.HTTPConnection,
                     response: http.client.HTTPResponse) -> bool:
    """Whether an event stream was ended by the server (read what it sent, up to a pause)."""
    connection.sock.settimeout(1.0)
    try:
        while response.readline():
            pass
    except TimeoutError:
        return False
    return True


def stream_flood(port: int, owner: str, sessions: int,
                 seconds: float = 15) -> tuple[str, str, str]:
    """100 /events streams from one account's sessions, held open, while others load pages."""
    holders = [Client(port, "203.0.113.10") for _ in range(sessions)]
    for holder in holders:
        assert holder.log_in(owner, PASSWORD) == 303
    connections, statuses, paused = [], [], 0
    for n in range(100):
        holder = holders[n % sessions]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/events", headers={
            "Cookie": holder.cookie, "X-Forwarded-For": holder.address})
        response = connection.getresponse()
        statuses.append(response.status)
        if response.status != 200 or response.getheader("X-Live-Updates") == "paused":
            # Turned away (a cap reached): a quiet "wait a minute", or an error status.
            paused += response.status == 200
            response.read()
            connection.close()
        else:
            connections.append((connection, response))
    replaced = sum(_ended_by_server(*pair) for pair in connections)
    latencies: list[float] = []
    timeouts = [0]
    stop = threading.Event()
    lock = threading.Lock()

    def visitor(n: int) -> None:
        """Another visitor loading public pages."""
        client = Client(port, address(300_000 + n))
        paths = ["/healthz", "/", "/explore", "/login"]
        while not stop.is_set():
            started = time.perf_counter()
            try:
                client.request("GET", random.choice(paths))
            except OSError:
                with lock:
                    timeouts[0] += 1
                continue
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=visitor, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    for connection, _ in connections:
        connection.close()
    return (
        f"100 event streams from one account ({sessions} session{'s' * (sessions > 1)}) "
        f"while 4 other visitors load pages ({seconds:.0f} s)",
        f"answers {dict(sorted(_count(statuses).items()))} ({paused} of them turned away "
        f"quietly: wait a minute); of the "
        f"{len(connections)} admitted, {replaced} closed by a newer stream of their session, "
        f"{len(connections) - replaced} held open; other visitors: "
        f"{len(latencies)} requests, p50 {percentile(latencies, .5):.1f} ms, "
        f"p99 {percentile(latencies, .99):.1f} ms, timeouts {timeouts[0]}",
        "make reliability (bench/hardening.py)",
    )


def _png(width: int, height: int) -> bytes:
    """A flat PNG: tiny on the wire, width × height pixels once decoded."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (40, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def _header_bomb() -> bytes:
    """A PNG whose header claims 1 × 40,000,000 pixels (the issue's 78 KB bomb)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        """One PNG chunk with its CRC."""
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 40_000_000, 8, 2, 0, 0, 0)
    squeeze, row = zlib.compressobj(9), b"\x00" * 4_000_000  # 40 M rows of filter + RGB
    body = b"".join(squeeze.compress(row) for _ in range(40)) + squeeze.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body)
            + chunk(b"IEND", b""))


def _upload(client: Client, data: bytes) -> int:
    """POST one avatar through the profile settings form; the status."""
    client.request("GET", "/settings/profile")
    boundary = uuid.uuid4().hex
    parts = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
        f"{client.token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"avatar\"; "
        f"filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n"
    ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    connection = http.client.HTTPConnection("127.0.0.1", client.port, timeout=60)
    connection.request("POST", "/settings/profile", body=parts, headers={
        "Cookie": client.cookie, "X-CSRFToken": client.token, "X-Forwarded-For": client.address,
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


def _uploads_at_once(workers: list[int], clients: list[Client], data: bytes):
    """Upload `data` from every client at once: (statuses, seconds, peak MB above idle)."""
    idle = {pid: rss_kib(pid) for pid in workers}
    peak = dict(idle)
    stop = threading.Event()

    def sample() -> None:
        """Note each worker's highest RSS every 10 ms."""
        while not stop.is_set():
            for pid in workers:
                peak[pid] = max(peak[pid], rss_kib(pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    results: list[int] = []
    threads = [threading.Thread(target=lambda c=c: results.append(_upload(c, data)))
               for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    stop.set()
    sampler.join()
    return results, elapsed, max(peak[pid] - idle[pid] for pid in workers) / 1024


def decoder_bombs(port: int, master: subprocess.Popen) -> list[tuple[str, str, str]]:
    """Four concurrent uploads of each bomb; peak RSS of the web workers above idle."""
    workers = [int(pid) for pid in Path(
        f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()]
    clients = []
    for n in range(4):
        client = Client(port, address(400_000 + n))
        assert client.log_in(f"owner{n % 2}", PASSWORD) == 303
        clients.append(client)
    rows = []
    for label, data in (("largest allowed picture, 4000 × 4000 PNG", _png(4000, 4000)),
                        ("1 × 40,000,000 px PNG header", _header_bomb())):
        results, elapsed, above = _uploads_at_once(workers, clients, data)
        rows.append((
            f"Four concurrent avatar uploads: {label} ({len(data) // 1024} KB each)",
            f"answers {dict(sorted(_count(results).items()))} in {elapsed:.1f} s; peak RSS "
            f"{above:.0f} MB above idle (worst web worker; limit 300 MB)",
            "make reliability (bench/hardening.py)",
        ))
    return rows


def starvation(port: int, database: str) -> tuple[str, str, str]:
    """Two accounts queue three 60 s tracks each; a third account asks for one cover."""
    def submit(client: Client, kind: str, prompt: str) -> None:
        """Submit one generation through the studio form."""
        client.request("GET", "/studio")
        body = (f"kind={kind}&prompt={prompt.replace(' ', '+')}&genre=lo-fi&duration=60&lyrics="
                f"&request_id={uuid.uuid4()}&csrf_token={client.token}")
        status = client.request("POST", "/generations", body)[0]
        assert status == 303, status

    backlog = []
    for n in range(2):
        client = Client(port, address(500_000 + n))
        assert client.log_in(f"owner{n}", PASSWORD) == 303
        backlog.append(client)
    for client in backlog:
        for k in range(3):
            submit(client, "music", f"a long ambient piece number {k}")
    victim = Client(port, address(500_100))
    assert victim.log_in("victim", PASSWORD) == 303
    time.sleep(0.5)
    submit(victim, "image", "one small cover")
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        with sqlite3.connect(database) as conn:
            rows = conn.execute(
                "SELECT u.username, g.created_at, g.started_at, g.finished_at, g.status "
                "FROM generations g JOIN users u ON u.id = g.user_id").fetchall()
        if rows and all(row[4] in ("done", "failed") for row in rows):
            break
        time.sleep(1)

    def seconds(a: str, b: str) -> float:
        """Seconds between two stored timestamps."""
        return (datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds()

    mine = next(row for row in rows if row[0] == "victim")
    tracks = [seconds(row[2], row[3]) for row in rows if row[0] != "victim" and row[3]]
    queue_wait = seconds(mine[1], mine[2])
    return (
        "Starvation: two accounts queue three 60 s tracks each, then a third asks for a cover "
        "(one consumer, 2 job threads)",
        f"the cover waited {queue_wait:.1f} s to start and took {seconds(mine[2], mine[3]):.1f} s; "
        f"one track takes {min(tracks):.1f}–{max(tracks):.1f} s; wait ≤ one track: "
        f"{'yes' if queue_wait <= max(tracks) else 'no'}; statuses "
        f"{dict(sorted(_count([row[4] for row in rows]).items()))}",
        "make reliability (bench/hardening.py)",
    )


def run() -> list[tuple[str, str, str]]:
    """Every scenario against one fresh stack; the report rows."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="soundstage-hardening-") as tmp:
        processes, database = start_stack(Path(tmp), port)
        try:
            names = [f"owner{n}" for n in range(2)] + ["victim"]
            names += [f"member{n}" for n in range(60)]
            sign_up_many(port, names)
            rows = [login_flood(port), spraying(port, names),
                    stream_flood(port, "owner0", sessions=1),
                    stream_flood(port, "owner1", sessions=4)]
            rows += decoder_bombs(port, processes[0])
            rows.append(starvation(port, database))
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
    import round3  # here: it imports this module's stack and client

    rows += round3.run()  # issue 24's data scenarios, on a stack of their own
    return rows


def write_section(rows: list[tuple[str, str, str]]) -> None:
    """Replace this part's section of docs/reliability.md with fresh figures."""
    path = ROOT / "docs" / "reliability.md"
    text = path.read_text() if path.exists() else "# Reliability and security proofs\n"
    text = text.split("\n" + SECTION, 1)[0].rstrip("\n") + "\n"
    lines = ["", SECTION, "",
             f"Generated by `make reliability` (bench/hardening.py) on "
             f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, loopback only.", "",
             "| check | figure | command |", "|---|---|---|"]
    lines += [f"| {a} | {b} | `{c}` |" for a, b, c in rows]
    path.write_text(text + "\n".join(lines) + "\n")


if __name__ == "__main__":
    found = run()
    write_section(found)
    for found_row in found:
        print(" | ".join(found_row))
