"""Search benchmark: latency of social.search.search over 100,000 published releases.

For each database (SQLite file, then PostgreSQL), one migrated database gets 1,000 users,
one track and one cover each, and 100,000 published releases whose titles, descriptions,
genres and moods are drawn from fixed word lists (seeded, so every run searches the same
data). Then a fixed mix of queries runs through the domain function in one session, each
timed: one word, a word prefix (as typed), two words, a word with a genre filter, a
username prefix, and a filter alone. Printed: p50 and p99 per database.

    python bench/search.py [--releases 100000] [--queries 300]
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import drop_pg_database, fresh_pg_database, percentile  # noqa: E402

WORDS = (
    "night", "drive", "neon", "city", "rain", "ocean", "piano", "dream", "fire", "gold",
    "river", "summer", "winter", "echo", "velvet", "shadow", "light", "storm", "garden",
    "silver", "midnight", "morning", "cloud", "desert", "forest", "moon", "sun", "star",
    "heart", "road", "home", "wild", "quiet", "golden", "electric", "broken", "lost",
    "found", "slow", "fast",
)
GENRES = ("pop", "jazz", "synthwave", "ambient", "rock", "lo-fi", "house", "folk", "soul",
          "techno", "classical", "hip-hop")
MOODS = ("calm", "dreamy", "happy", "sad", "dark", "energetic", "warm", "tense")
USERS = 1000
BATCH = 5000


def fill(url: str, releases: int) -> None:
    """Migrate and insert the users, their media and the releases, in batches."""
    from sqlalchemy import insert

    from webapp.db import make_engine
    from webapp.migrate import upgrade
    from webapp.models import Media, Release, User

    upgrade(url)
    rng = random.Random(7)
    engine = make_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(insert(User), [
            {"id": n, "username": f"artist{n}", "username_key": f"artist{n}",
             "password_hash": "x", "created_at": now, "updated_at": now,
             "library_version": 0, "profile_version": 0, "unread_notifications": 0,
             "is_admin": False} for n in range(1, USERS + 1)
        ])
        conn.execute(insert(Media), [
            {"id": n * 2 - 1 + kind, "user_id": n, "kind": ("music", "image")[kind],
             "title": "x", "prompt": "x", "file_path": "x", "mime_type": "x", "size": 0,
             "details": {}, "created_at": now}
            for n in range(1, USERS + 1) for kind in (0, 1)
        ])
    for start in range(0, releases, BATCH):
        rows = []
        for n in range(start, min(start + BATCH, releases)):
            user = n % USERS + 1
            rows.append({
                "user_id": user, "music_id": user * 2 - 1, "image_id": user * 2,
                "title": " ".join(rng.sample(WORDS, 2)).title(),
                "genre": rng.choice(GENRES), "mood": rng.choice(MOODS),
                "description": " ".join(rng.choices(WORDS, k=12)),
                "published": True, "published_at": now - timedelta(minutes=n),
                "hidden": False, "created_at": now, "updated_at": now,
            })
        with engine.begin() as conn:
            conn.execute(insert(Release), rows)
    if engine.dialect.name == "postgresql":
        # Outside a transaction: statistics written by a rolled-back ANALYZE are lost.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()


def queries(count: int) -> list[dict]:
    """A fixed mix of searches people type."""
    rng = random.Random(11)
    mix = []
    for n in range(count):
        word = rng.choice(WORDS)
        shape = n % 6
        if shape == 0:
            mix.append({"query": word})
        elif shape == 1:
            mix.append({"query": word[:3]})
        elif shape == 2:
            mix.append({"query": f"{word} {rng.choice(WORDS)}"})
        elif shape == 3:
            mix.append({"query": word, "genre": rng.choice(GENRES)})
        elif shape == 4:
            mix.append({"query": f"artist{rng.randint(1, USERS)}"})
        else:
            mix.append({"mood": rng.choice(MOODS), "genre": rng.choice(GENRES)})
    return mix


SHAPES = ("one word", "prefix", "two words", "word + genre", "username", "filters only")


def measure(url: str, mix: list[dict]) -> list[float]:
    """Milliseconds per search (in mix order), in one app context and session."""
    from webapp import create_app, db
    from webapp.social import search

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "JOBS_EMBEDDED": False,
                      "DATA_DIR": tempfile.mkdtemp()})
    timings = []
    with app.app_context():
        session = db.session()
        for params in mix[:10]:
            search.search(session, **params)  # warm caches and the plan cache
        for params in mix:
            started = time.perf_counter()
            results = search.search(session, **params)
            timings.append((time.perf_counter() - started) * 1000)
            assert results.asked
    app.extensions["db_engine"].dispose()
    return timings


def report(name: str, timings: list[float], releases: int) -> None:
    """Print one database's figures, overall and per shape of query."""
    print(f"{name}: {releases} releases, {len(timings)} searches: "
          f"p50 {statistics.median(timings):.1f} ms, p99 {percentile(timings, 0.99):.1f} ms, "
          f"max {max(timings):.1f} ms")
    for index, shape in enumerate(SHAPES):
        some = timings[index::len(SHAPES)]
        print(f"  {shape:13} p50 {statistics.median(some):6.1f} ms, "
              f"p99 {percentile(some, 0.99):6.1f} ms")


def main() -> None:
    """Fill and measure SQLite, then PostgreSQL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    mix = queries(args.queries)
    with tempfile.TemporaryDirectory() as workdir:
        url = f"sqlite:///{Path(workdir) / 'search.db'}"
        started = time.monotonic()
        fill(url, args.releases)
        print(f"sqlite filled in {time.monotonic() - started:.0f} s")
        report("sqlite (FTS5)", measure(url, mix), args.releases)
    url = fresh_pg_database("soundstage_bench_search")
    try:
        started = time.monotonic()
        fill(url, args.releases)
        print(f"postgresql filled in {time.monotonic() - started:.0f} s")
        report("postgresql (tsvector + GIN)", measure(url, mix), args.releases)
    finally:
        drop_pg_database(url)


if __name__ == "__main__":
    main()
