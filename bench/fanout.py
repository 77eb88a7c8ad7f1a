"""SSE fan-out: 1,000 subscribers on one web process, and cross-process delivery.

A gunicorn gthread worker serves /events on PostgreSQL (LISTEN/NOTIFY backend).
This process opens the streams with asyncio and publishes with pg_notify from
its own connection, so every delivery crosses processes: publisher → PostgreSQL →
the web process's one listener → each stream.

Prints publish → last-delivery p50/p99 at 1,000 subscribers, memory per open
stream, and publish → delivery p50/p99 with a single subscriber.
Run: .venv/bin/python bench/fanout.py [--subscribers 1000]
"""

import argparse
import asyncio
import json
import os
import time

import psycopg
from common import (
    drop_pg_database,
    free_port,
    fresh_pg_database,
    percentile,
    rss_kib,
    signed_in_cookie,
    start_gunicorn,
    worker_pid,
)

from tests.conftest import FAST_HASH
from webapp import create_app
from webapp.events import CHANNEL
from webapp.migrate import upgrade


async def open_stream(port: int, cookie: str, inbox: dict, ready: asyncio.Event, counter: list):
    """Hold one SSE stream open, recording when each bench event arrives."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=2**20)
    writer.write(
        f"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: session={cookie}\r\n"
        "Accept: text/event-stream\r\n\r\n".encode()
    )
    await writer.drain()
    first = True
    while True:
        line = await reader.readline()
        if not line:
            return
        if first and line.startswith(b"retry:"):
            first = False
            counter[0] += 1
            if counter[0] == counter[1]:
                ready.set()
        if line.startswith(b"data: ") and b'"seq"' in line:
            received = time.perf_counter()
            seq = json.loads(line[6:])["seq"]
            inbox.setdefault(seq, []).append(received)


async def measure(port: int, cookie: str, user_id: int, url: str, subscribers: int, publishes: int):
    """Open the streams, publish, and collect per-publish delivery times."""
    inbox: dict[int, list[float]] = {}
    ready = asyncio.Event()
    counter = [0, subscribers]
    tasks = [
        asyncio.create_task(open_stream(port, cookie, inbox, ready, counter))
        for _ in range(subscribers)
    ]
    await asyncio.wait_for(ready.wait(), timeout=120)
    await asyncio.sleep(1.0)
    sent: dict[int, float] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        for seq in range(publishes):
            payload = {"u": user_id, "e": "bench", "d": {"seq": seq}, "i": f"bench-{seq}"}
            sent[seq] = time.perf_counter()
            conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, json.dumps(payload)))
            deadline = time.perf_counter() + 10
            while len(inbox.get(seq, ())) < subscribers and time.perf_counter() < deadline:
                await asyncio.sleep(0.002)
            await asyncio.sleep(0.05)
    for task in tasks:
        task.cancel()
    lasts = [(max(inbox[s]) - sent[s]) * 1000 for s in sent if len(inbox.get(s, ())) == subscribers]
    every = [(t - sent[s]) * 1000 for s in sent for t in inbox.get(s, ())]
    delivered = sum(len(inbox.get(s, ())) for s in sent)
    return lasts, every, delivered


def main() -> None:
    """Run both measurements and print a markdown table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--publishes", type=int, default=30)
    args = parser.parse_args()
    url = fresh_pg_database("soundstage_bench_fanout")
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "JOBS_EMBEDDED": False,
                      "PASSWORD_HASH": FAST_HASH})
    user_id, cookie = signed_in_cookie(app, "fanout")
    app.extensions["db_engine"].dispose()
    port = free_port()
    env = {"DATABASE_URL": url, "SECRET_KEY": "bench", "SOUNDSTAGE_JOBS_EMBEDDED": "false",
           "SOUNDSTAGE_SSE_HEARTBEAT_SECONDS": "600"}
    server = start_gunicorn(env, port, threads=args.subscribers + 50)
    try:
        pid = worker_pid(server)
        # Warm the listener connection with one subscriber first.
        asyncio.run(measure(port, cookie, user_id, url, 1, 3))
        before = rss_kib(pid)
        lasts, every, delivered = asyncio.run(
            measure(port, cookie, user_id, url, args.subscribers, args.publishes)
        )
        during = rss_kib(pid)
        time.sleep(2)
        _, single, _ = asyncio.run(measure(port, cookie, user_id, url, 1, 200))
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except Exception:
            server.kill()
        drop_pg_database(url)
    per_stream = (during - before) / args.subscribers
    n = args.subscribers
    print(f"| measure ({os.cpu_count()} cores, loopback) | p50 | p99 | target |")
    print("|---|---|---|---|")
    print(f"| publish → last of {n} deliveries (ms, {len(lasts)} publishes) | "
          f"{percentile(lasts, .5):.1f} | {percentile(lasts, .99):.1f} | p99 ≤ 250 |")
    print(f"| publish → each delivery at {n} subscribers (ms) | "
          f"{percentile(every, .5):.1f} | {percentile(every, .99):.1f} | |")
    print(f"| cross-process publish → delivery, 1 subscriber (ms, 200 publishes) | "
          f"{percentile(single, .5):.2f} | {percentile(single, .99):.2f} | p99 ≤ 50 |")
    print(f"| memory per open stream (KiB; RSS {before} → {during}) | {per_stream:.1f} | | ≤ 64 |")
    print(f"delivered {delivered} of {n * args.publishes} messages")


if __name__ == "__main__":
    main()
