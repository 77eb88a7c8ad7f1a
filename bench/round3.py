"""`make reliability`, hardening round 3 (issue 24), data part, on SQLite under the documented
gunicorn (bench/hardening.py's stack: gthread, 2 workers × 64 threads, one `flask worker`):

1. an account of 20,000 items (tracks, covers, releases, posts, comments) is deleted while
   ten other users keep writing: failed writes, their slowest write, and the longest wait
   for SQLite's write lock seen by a probe that takes it every 20 ms;
2. sixty comments from one account at once against the hourly limit of 30;
3. sixteen wrong passwords at once on the account-deletion form, from one address.

Run alone (`python bench/round3.py`) it prints its rows; `make reliability` puts them in
the hardening section of docs/reliability.md.
"""

import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, free_port, percentile, wait_healthy  # noqa: E402
from hardening import PASSWORD, Client, address  # noqa: E402
from sqlalchemy import create_engine, event, insert  # noqa: E402

from webapp import create_app, db  # noqa: E402
from webapp.accounts import deletion  # noqa: E402
from webapp.migrate import upgrade  # noqa: E402
from webapp.models import Comment, Media, Notification, Post, Release, User, utcnow  # noqa: E402

COMMAND = "make reliability (bench/round3.py)"


def signed_up(port: int, name: str, where: str) -> Client:
    """A new account, signed in, at one address."""
    client = Client(port, where)
    client.request("GET", "/signup")
    body = f"username={name}&password={PASSWORD.replace(' ', '+')}&csrf_token={client.token}"
    assert client.request("POST", "/signup", body)[0] == 303, name
    client.request("GET", "/studio")
    return client


def user_id(database: str, name: str) -> int:
    """The id of an account by name."""
    with sqlite3.connect(database) as conn:
        return conn.execute("SELECT id FROM users WHERE username = ?", (name,)).fetchone()[0]


def fill(database: str, owner: int, others: list[int], artist_release: int) -> int:
    """Give `owner` 20,000 items, written straight to the database (the limits allow far
    fewer over HTTP), with others' comments and notifications about them; the item count."""
    engine = create_engine(f"sqlite:///{database}", connect_args={"timeout": 30})
    now = utcnow()
    releases = 4_000
    with engine.begin() as conn:
        media = [{"user_id": owner, "kind": kind, "title": f"{kind} {n}", "prompt": "p",
                  "file_path": f"missing/{kind}-{n}", "mime_type": "audio/mpeg", "size": 0,
                  "details": {}, "created_at": now}
                 for n in range(releases) for kind in ("music", "image")]
        conn.execute(insert(Media), media)
        ids = [row[0] for row in conn.exec_driver_sql(
            "SELECT id FROM media WHERE user_id = ? ORDER BY id", (owner,))]
        conn.execute(insert(Release), [
            {"user_id": owner, "music_id": ids[2 * n], "image_id": ids[2 * n + 1],
             "title": f"Erased {n}", "genre": "ambient", "mood": "calm", "description": "",
             "published": True, "published_at": now, "hidden": False, "play_count": 0,
             "created_at": now, "updated_at": now} for n in range(releases)])
        release_ids = [row[0] for row in conn.exec_driver_sql(
            "SELECT id FROM releases WHERE user_id = ?", (owner,))]
        conn.execute(insert(Post), [
            {"user_id": owner, "body": f"post {n}", "release_id": release_ids[n],
             "hidden": False, "created_at": now} for n in range(releases)])
        conn.execute(insert(Comment), [
            {"release_id": artist_release, "user_id": owner, "body": f"mine {n}",
             "hidden": False, "created_at": now} for n in range(releases)])
        conn.execute(insert(Comment), [
            {"release_id": release_ids[n % releases], "user_id": random.choice(others),
             "body": f"theirs {n}", "hidden": False, "created_at": now} for n in range(8_000)])
        conn.execute(insert(Notification), [
            {"recipient_id": owner, "kind": "like", "actor_id": random.choice(others),
             "release_id": release_ids[n % releases], "count": 1, "created_at": now}
            for n in range(8_000)])
    engine.dispose()
    return 2 * releases + releases + releases + releases


def probe_lock(database: str, stop: threading.Event, waits: list[tuple[float, float]]) -> None:
    """Take SQLite's write lock every 20 ms and note (when, how long) each wait for it was."""
    conn = sqlite3.connect(database, timeout=60, isolation_level=None)
    while not stop.is_set():
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        waits.append((started, (time.perf_counter() - started) * 1000))
        conn.execute("COMMIT")
        time.sleep(0.02)
    conn.close()


def delete_while_others_write(port: int, database: str) -> tuple[str, str, str]:
    """Scenario 1: the 20,000-item account goes while ten users like and unlike."""
    signed_up(port, "artist", address(700_000))
    victim = signed_up(port, "victim", address(700_001))
    writers = [signed_up(port, f"writer{n}", address(700_100 + n)) for n in range(10)]
    artist_id = user_id(database, "artist")
    with sqlite3.connect(database) as conn:
        conn.execute("INSERT INTO media (user_id, kind, title, prompt, file_path, mime_type, "
                     "size, details, created_at) VALUES (?, 'music', 't', 'p', 'x', 'audio/mpeg',"
                     " 0, '{}', CURRENT_TIMESTAMP)", (artist_id,))
        media = conn.execute("SELECT max(id) FROM media").fetchone()[0]
        conn.execute("INSERT INTO releases (user_id, music_id, image_id, title, genre, mood, "
                     "description, published, published_at, hidden, created_at, updated_at, "
                     "play_count) VALUES (?, ?, ?, 'Shared', 'a', 'b', '', 1, CURRENT_TIMESTAMP,"
                     " 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0)", (artist_id, media, media))
        release = conn.execute("SELECT max(id) FROM releases").fetchone()[0]
    others = [user_id(database, f"writer{n}") for n in range(10)]
    items = fill(database, user_id(database, "victim"), others, release)
    victim_id = user_id(database, "victim")

    stop = threading.Event()
    lock = threading.Lock()
    statuses: dict[int, int] = {}
    latencies: list[tuple[float, float]] = []
    waits: list[tuple[float, float]] = []

    def write(client: Client) -> None:
        """Like and unlike the artist's release until told to stop."""
        liked = 1
        while not stop.is_set():
            started = time.perf_counter()
            try:
                status = client.request(
                    "POST", f"/likes/release/{release}", f"liked={liked}")[0]
            except OSError:
                status = 0
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                latencies.append((started, (time.perf_counter() - started) * 1000))
            liked = 1 - liked

    threads = [threading.Thread(target=write, args=(c,)) for c in writers]
    threads.append(threading.Thread(target=probe_lock, args=(database, stop, waits)))
    for thread in threads:
        thread.start()
    time.sleep(5)
    victim.request("GET", "/settings/account")
    asked = time.perf_counter()
    status = victim.request(
        "POST", "/settings/account/delete",
        f"delete_password={PASSWORD.replace(' ', '+')}&confirm_username=victim")[0]
    answered = time.perf_counter()
    gone = None
    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline:
        with sqlite3.connect(database, timeout=30) as conn:
            if conn.execute("SELECT count(*) FROM users WHERE id = ?", (victim_id,)
                            ).fetchone()[0] == 0:
                gone = time.perf_counter()
                break
        time.sleep(0.5)
    time.sleep(1)
    stop.set()
    for thread in threads:
        thread.join()
    with sqlite3.connect(database) as conn:
        left = sum(conn.execute(f"SELECT count(*) FROM {table} WHERE user_id = ?",  # noqa: S608
                                (victim_id,)).fetchone()[0]
                   for table in ("media", "releases", "posts", "comments"))
    failed = sum(n for code, n in statuses.items() if code not in (200, 303))
    erased_in = f"{gone - asked:.1f} s" if gone else "not finished in 30 min"
    before = [ms for at, ms in latencies if at < asked]
    during = [ms for at, ms in latencies if asked <= at <= (gone or at)]
    probe_before = max(ms for at, ms in waits if at < asked)
    probe_during = max(ms for at, ms in waits if asked <= at <= (gone or at))
    return (
        f"Delete an account of {items:,} items (4,000 releases, 8,000 media, 4,000 posts, "
        "4,000 comments; 8,000 comments and 8,000 notifications of others about them) while "
        "10 users like and unlike",
        f"delete answered {status} in {(answered - asked) * 1000:.0f} ms; erased in {erased_in}, "
        f"rows left {left}; writes {sum(statuses.values())}, failed {failed} "
        f"(statuses {dict(sorted(statuses.items()))}); writes p99 / slowest: 5 s before the "
        f"delete {percentile(before, .99):.0f} / {max(before):.0f} ms, during the erasure "
        f"{percentile(during, .99):.0f} / {max(during):.0f} ms; a probe taking the write lock "
        f"every 20 ms waited at most {probe_before:.0f} ms before, {probe_during:.0f} ms during",
        COMMAND,
    )


def erase_in_process(tmp: Path) -> tuple[str, str, str]:
    """The same 20,000-item account erased in this process, each transaction timed from
    the moment it holds SQLite's write lock (BEGIN IMMEDIATE returned) to its commit."""
    url = f"sqlite:///{tmp / 'in-process.db'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "DATA_DIR": str(tmp / "in-process"),
                      "SECRET_KEY": "r3", "JOBS_EMBEDDED": False})
    with app.app_context(), db.standalone_session(app) as session:
        people = [User(username=name, username_key=name, username_skeleton=name,
                       password_hash="x") for name in ["victim", "artist"] + [
                           f"w{n}" for n in range(10)]]
        session.add_all(people)
        session.flush()
        music = Media(user_id=people[1].id, kind="music", title="t", prompt="p",
                      file_path="x", mime_type="audio/mpeg")
        session.add(music)
        session.flush()
        shared = Release(user_id=people[1].id, music_id=music.id, image_id=music.id,
                         title="Shared", published=True)
        session.add(shared)
        session.commit()
        victim, others, release = people[0].id, [p.id for p in people[2:]], shared.id
    items = fill(url.removeprefix("sqlite:///"), victim, others, release)
    engine = app.extensions["db_engine"]
    held: list[float] = []
    began: dict[int, float] = {}

    def locked(connection) -> None:
        """The transaction began (after the app's BEGIN IMMEDIATE listener)."""
        began[id(connection)] = time.perf_counter()

    def committed(connection) -> None:
        """The transaction commits: how long it held the lock."""
        if id(connection) in began:
            held.append((time.perf_counter() - began.pop(id(connection))) * 1000)

    event.listen(engine, "begin", locked)
    event.listen(engine, "commit", committed)
    with app.app_context(), db.standalone_session(app) as session:
        started = time.perf_counter()
        assert deletion.disable(session, victim)
        disabled = held[-1] if held else 0.0
        erased = deletion.erase(session, victim)
        took = time.perf_counter() - started
    engine.dispose()
    return (
        f"Erase the {items:,}-item account in-process (same data; each transaction timed "
        "while it holds the write lock)",
        f"disable: one transaction of {disabled:.0f} ms; erase: {erased.batches} batches of "
        f"at most {deletion.BATCH} rows, {len(held)} transactions, longest "
        f"{max(held):.0f} ms, p99 {percentile(held, .99):.0f} ms; all done in {took:.1f} s",
        COMMAND,
    )


def parallel_comments(port: int, database: str) -> tuple[str, str, str]:
    """Scenario 2: sixty comments at once from one account (six sessions)."""
    first = signed_up(port, "chatty", address(710_000))
    sessions = [first] + [Client(port, address(710_001 + n)) for n in range(5)]
    for session in sessions[1:]:
        assert session.log_in("chatty", PASSWORD) == 303
    with sqlite3.connect(database) as conn:
        release = conn.execute("SELECT max(id) FROM releases WHERE published = 1").fetchone()[0]
    for session in sessions:
        session.request("GET", f"/comments/release/{release}")

    def comment(n: int) -> int:
        """One comment from one of the sessions."""
        client = Client(port, sessions[n % 6].address)
        client.cookie, client.token = sessions[n % 6].cookie, sessions[n % 6].token
        return client.request("POST", f"/comments/release/{release}", f"body=spam+{n}")[0]

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(comment, range(60)))
    chatty = user_id(database, "chatty")
    with sqlite3.connect(database) as conn:
        stored = conn.execute("SELECT count(*) FROM comments WHERE user_id = ?",
                              (chatty,)).fetchone()[0]
    counts = {code: answers.count(code) for code in sorted(set(answers))}
    return ("60 comments at once from one account (6 sessions, 12 threads) against the "
            "hourly limit of 30",
            f"stored {stored} (limit 30); answers {counts}", COMMAND)


def parallel_wrong_passwords(port: int) -> tuple[str, str, str]:
    """Scenario 3: sixteen wrong passwords at once on the deletion form, one address."""
    signed_up(port, "target", address(720_000))
    sessions = [Client(port, address(720_001 + n)) for n in range(16)]
    for session in sessions:
        assert session.log_in("target", PASSWORD) == 303
        session.request("GET", "/settings/account")
    start = threading.Barrier(16)

    def guess(session: Client) -> tuple[int, str]:
        """One wrong password, sent from the same address as all the others."""
        attacker = Client(port, "192.0.2.99")
        attacker.cookie, attacker.token = session.cookie, session.token
        start.wait(timeout=60)
        status, text, _ = attacker.request(
            "POST", "/settings/account/delete",
            "delete_password=not+the+password&confirm_username=target")
        return status, text

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(guess, sessions))
    checked = sum("Current password is incorrect" in text for _, text in answers)
    refused = len(answers) - checked
    codes = [status for status, _ in answers]
    statuses = {code: codes.count(code) for code in sorted(set(codes))}
    return ("16 wrong passwords at once on the account-deletion form from one address",
            f"passwords checked {checked}, refused unchecked {refused} "
            f"(statuses {statuses}); account deleted: no", COMMAND)


def start_stack(tmp: Path, port: int, processes: list[subprocess.Popen]) -> str:
    """bench/hardening.py's stack (documented gunicorn, one job consumer) on a fresh SQLite
    database, added to `processes` as they start (so the caller stops them whatever
    happens); waits up to three minutes for health on a busy machine."""
    database = tmp / "soundstage.db"
    url = f"sqlite:///{database}"
    upgrade(url)
    env = {**os.environ, "DATABASE_URL": url, "DATA_DIR": str(tmp / "data"), "SECRET_KEY": "r3",
           "SOUNDSTAGE_TRUST_PROXY_HOPS": "1", "WEB_CONCURRENCY": "2", "WEB_THREADS": "64",
           "BIND": f"127.0.0.1:{port}"}
    processes.append(subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:webapp.gunicorn_conf", "--log-level",
         "error", "webapp:create_app()"], cwd=ROOT, env=env))
    processes.append(subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "webapp", "worker", "--workers", "2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    wait_healthy(port, 180, 0.2, 5)
    return str(database)


def run() -> list[tuple[str, str, str]]:
    """Every scenario against one fresh stack; the report rows."""
    port = free_port()
    processes: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="soundstage-round3-") as tmp:
        try:
            database = start_stack(Path(tmp), port, processes)
            rows = [erase_in_process(Path(tmp)), delete_while_others_write(port, database),
                    parallel_comments(port, database),
                    parallel_wrong_passwords(port)]
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)
    return rows


if __name__ == "__main__":
    for found_row in run():
        print(" | ".join(found_row))
