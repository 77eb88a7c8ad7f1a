"""Library grid benchmark: the grid and the unchanged check against constant baselines.

One run, one gunicorn (gthread, 1 worker, a few threads) on a loopback port, one temporary
SQLite database holding 50 items for one user. The same app also serves this script's own
endpoints (added by its wrapper, never by webapp): a precomputed body of exactly the
grid's size, an empty 304, and the grid's render path without the fragment cache. Each
endpoint is loaded in turn, in several interleaved rounds, with wrk when installed (else a
small Python load generator); the median round counts. Printed: req/s, latency, bytes per
response, SQL statements per request, and the ratios grid / constant and unchanged / empty
constant.

    python bench/library.py [--seconds 4] [--rounds 3] [--threads 4] [--connections 8]
"""

import argparse
import http.client
import json
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import free_port, percentile, signed_in_cookie, wait_for_health  # noqa: E402

ITEMS = 50
GRID = "/library/grid?tab=music&page=1"
SECRET = "library-bench-secret"
TARGET_GRID = 0.5  # grid req/s at least half of the same-size constant
TARGET_UNCHANGED = 0.9  # unchanged check at least 0.9 of the empty constant


def app_config(workdir: Path) -> dict:
    """The configuration both the setup and the served app use."""
    return {
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
        "DATA_DIR": str(workdir / "data"),
        "SECRET_KEY": SECRET,
        "JOBS_EMBEDDED": False,
        "LIBRARY_PAGE_SIZE": ITEMS,
    }


def add_bench_routes(app, grid_bytes: int) -> None:
    """The benchmark's own endpoints, added to the real app (never part of webapp).

    /bench/constant: a precomputed body exactly as long as the grid fragment.
    /bench/empty: an empty 304, like the unchanged check, looking nothing up.
    /bench/grid-rendered: the grid's render path on every request (the first request
    for a new version), skipping the fragment cache the real endpoint keeps.
    """
    from flask import Response, render_template

    from webapp import htmx
    from webapp.access import private, public
    from webapp.library import routes as library_routes

    body = b"x" * grid_bytes

    @public
    def constant():
        """A precomputed body exactly as long as the grid fragment."""
        return Response(body, mimetype="text/html")

    @public
    def constant_empty():
        """An empty 304, like the unchanged check, without looking anything up."""
        return Response(b"", status=304)

    @private
    def grid_rendered():
        """Query and render the grid, as a changed version's first request does."""
        view = library_routes.load_view("music", 1, None)
        body = render_template(
            "library/partials/library_grid.html", view=view, tab_labels=library_routes.TAB_LABELS
        )
        response = Response(body, mimetype="text/html")
        return htmx.set_version(response, str(view.tag))

    app.add_url_rule("/bench/constant", "bench_constant", constant)
    app.add_url_rule("/bench/empty", "bench_empty", constant_empty)
    app.add_url_rule("/bench/grid-rendered", "bench_grid_rendered", grid_rendered)


def bench_app():
    """The gunicorn factory: the real app plus this benchmark's routes."""
    from webapp import create_app

    app = create_app(app_config(Path(os.environ["BENCH_LIBRARY_DIR"])))
    add_bench_routes(app, int(os.environ["BENCH_GRID_BYTES"]))
    return app


def fill_library(app, user_id: int) -> None:
    """One track made by the real pipeline, then 49 more rows sharing its file."""
    from sqlalchemy import insert, update

    from tests.factories import make_media
    from webapp import db
    from webapp.models import Media, User

    media_id = make_media(app, user_id, "music", "a benchmark melody", seed=1)
    with app.app_context():
        session = db.session()
        model = session.get(Media, media_id)
        session.execute(insert(Media), [
            {"user_id": user_id, "kind": "music", "title": f"Benchmark track number {n}",
             "prompt": f"benchmark prompt {n}, with a few more words like a real one",
             "file_path": model.file_path, "preview_path": model.preview_path,
             "mime_type": model.mime_type, "duration": model.duration, "size": model.size,
             "details": {}}
            for n in range(ITEMS - 1)
        ])
        session.execute(update(User).where(User.id == user_id)
                        .values(library_version=User.library_version + 1))
        session.commit()


def measure_in_process(app, cookie: str) -> tuple[dict, str, int]:
    """SQL statements per request for each endpoint; the grid's tag and body size."""
    from sqlalchemy import event

    add_bench_routes(app, 0)  # the body size does not matter for counting statements
    client = app.test_client()
    client.set_cookie("session", cookie, domain="localhost")
    headers = {"HX-Request": "true"}
    grid = client.get(GRID, headers=headers)
    assert grid.status_code == 200, grid.status_code
    tag = grid.headers["HX-PTag"]
    statements: list[str] = []
    engine = app.extensions["db_engine"]

    def record(_conn, _cursor, statement, *_args):
        """Count one statement."""
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    counts = {}
    for name, (url, extra) in endpoints(tag).items():
        statements.clear()
        client.get(url, headers={**headers, **extra})
        counts[name] = len(statements)
    event.remove(engine, "before_cursor_execute", record)
    return counts, tag, len(grid.data)


def endpoints(tag: str) -> dict[str, tuple[str, dict]]:
    """What is measured: name -> (path, headers beyond the cookie and HX-Request)."""
    return {
        "grid (rendered)": ("/bench/grid-rendered", {}),
        "grid": (GRID, {}),
        "unchanged": (GRID, {"HX-PTag": tag}),
        "constant": ("/bench/constant", {}),
        "empty constant": ("/bench/empty", {}),
    }


def start_server(workdir: Path, grid_bytes: int, port: int, threads: int) -> subprocess.Popen:
    """gunicorn, gthread, one worker, serving bench_app(); waits for /healthz."""
    env = {**os.environ, "BENCH_LIBRARY_DIR": str(workdir), "BENCH_GRID_BYTES": str(grid_bytes),
           "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-k", "gthread", "-w", "1", "--threads",
         str(threads), "--keep-alive", "5", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "bench.library:bench_app()"],
        cwd=ROOT, env=env,
    )
    return wait_for_health(process, port)


def probe(port: int, path: str, headers: dict) -> tuple[int, int, int]:
    """One request: (status, body bytes, header bytes) as they come over the wire."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    head = sum(len(k) + len(v) + 4 for k, v in response.getheaders()) + 17
    conn.close()
    return response.status, len(body), head


def run_wrk(port: int, path: str, headers: dict, seconds: float, connections: int) -> dict:
    """Load one URL with wrk; req/s and latency percentiles."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command + [f"http://127.0.0.1:{port}{path}"], capture_output=True,
                            text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    latency = {p: _ms(re.search(rf"^\s+{p}%\s+(\S+)", output, re.M).group(1)) for p in (50, 99)}
    return {"rate": rate, "p50": latency[50], "p99": latency[99],
            "bad": int(errors.group(1)) if errors else 0}


def _ms(text: str) -> float:
    """A wrk duration ("512.00us", "1.20ms", "1.01s") in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def _python_client(port, path, headers, seconds, out) -> None:
    """One keep-alive connection hammering a URL; reports latencies (ms)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    latencies, bad = [], 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        latencies.append((time.perf_counter() - start) * 1000)
        bad += response.status >= 400
    out.put((latencies, bad))


def run_python(port: int, path: str, headers: dict, seconds: float, connections: int) -> dict:
    """The fallback load generator: one process per connection (no GIL sharing)."""
    out: multiprocessing.Queue = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=_python_client,
                                       args=(port, path, headers, seconds, out))
               for _ in range(connections)]
    for worker in workers:
        worker.start()
    results = [out.get() for _ in workers]
    for worker in workers:
        worker.join()
    latencies = [value for found, _ in results for value in found]
    return {"rate": len(latencies) / seconds, "p50": percentile(latencies, 0.5),
            "p99": percentile(latencies, 0.99), "bad": sum(bad for _, bad in results)}


def main() -> int:
    """Set up, serve, load each endpoint in interleaved rounds, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    from webapp import create_app
    from webapp.migrate import upgrade

    workdir = Path(tempfile.mkdtemp(prefix="bench-library-"))
    config = app_config(workdir)
    upgrade(config["DATABASE_URL"])
    setup_app = create_app(config)
    user_id, cookie = signed_in_cookie(setup_app, "bencher")
    fill_library(setup_app, user_id)
    statements, tag, grid_bytes = measure_in_process(setup_app, cookie)
    setup_app.extensions["db_engine"].dispose()

    port = free_port()
    server = start_server(workdir, grid_bytes, port, args.threads)
    tool = "wrk" if shutil.which("wrk") else "python"
    load = run_wrk if tool == "wrk" else run_python
    base = {"Cookie": f"session={cookie}", "HX-Request": "true"}
    measured = {name: (path, {**base, **extra}) for name, (path, extra) in endpoints(tag).items()}
    try:
        wire = {}
        for name, (path, headers) in measured.items():
            status, body, head = probe(port, path, headers)
            wire[name] = {"status": status, "body": body, "headers": head}
        assert wire["grid"]["status"] == 200 and wire["unchanged"]["status"] == 304, wire
        assert wire["grid"]["body"] == wire["constant"]["body"] == grid_bytes, wire
        assert wire["grid (rendered)"]["body"] == grid_bytes, wire
        runs: dict[str, list[dict]] = {name: [] for name in measured}
        for path, headers in measured.values():  # warm-up
            load(port, path, headers, 1, args.connections)
        for _ in range(args.rounds):
            for name, (path, headers) in measured.items():
                runs[name].append(load(port, path, headers, args.seconds, args.connections))
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(workdir, ignore_errors=True)

    def median(name: str, key: str) -> float:
        """The median of one figure over the rounds."""
        return statistics.median(run[key] for run in runs[name])

    print(f"Library grid benchmark: {ITEMS} items, gunicorn gthread 1 worker "
          f"{args.threads} threads, {tool} {args.connections} connections, "
          f"{args.rounds} rounds x {args.seconds:g} s (median), {os.cpu_count()} CPUs")
    print(f"{'endpoint':<18}{'status':>7}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'body B':>9}{'header B':>10}{'SQL/req':>9}{'errors':>8}")
    figures = {}
    for name in measured:
        figures[name] = {
            "status": wire[name]["status"], "req_per_s": round(median(name, "rate"), 1),
            "p50_ms": round(median(name, "p50"), 2), "p99_ms": round(median(name, "p99"), 2),
            "body_bytes": wire[name]["body"], "header_bytes": wire[name]["headers"],
            "sql_per_request": statements[name],
            "errors": sum(run["bad"] for run in runs[name]),
        }
        row = figures[name]
        print(f"{name:<18}{row['status']:>7}{row['req_per_s']:>10.1f}{row['p50_ms']:>9.2f}"
              f"{row['p99_ms']:>9.2f}{row['body_bytes']:>9}{row['header_bytes']:>10}"
              f"{row['sql_per_request']:>9}{row['errors']:>8}")
    grid_ratio = figures["grid"]["req_per_s"] / figures["constant"]["req_per_s"]
    rendered_ratio = figures["grid (rendered)"]["req_per_s"] / figures["constant"]["req_per_s"]
    unchanged_ratio = figures["unchanged"]["req_per_s"] / figures["empty constant"]["req_per_s"]
    grid_ok = grid_ratio >= TARGET_GRID
    unchanged_ok = unchanged_ratio >= TARGET_UNCHANGED and figures["unchanged"]["body_bytes"] == 0
    print(f"grid / constant (same {grid_bytes} B body): {grid_ratio:.2f} "
          f"(target >= {TARGET_GRID}) {'PASS' if grid_ok else 'FAIL'}")
    print(f"grid (rendered every time) / constant: {rendered_ratio:.2f} "
          "(the first request for each new version; later tabs get the kept fragment)")
    print(f"unchanged / empty constant: {unchanged_ratio:.2f} (target >= {TARGET_UNCHANGED}, "
          f"0 body bytes) {'PASS' if unchanged_ok else 'FAIL'}")
    speedup = figures["unchanged"]["req_per_s"] / figures["grid (rendered)"]["req_per_s"]
    print(f"unchanged vs rendering the grid: {speedup:.1f}x the requests/s, "
          f"0 of {grid_bytes} body bytes")
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"figures": figures, "grid_ratio": grid_ratio, "rendered_ratio": rendered_ratio,
             "unchanged_ratio": unchanged_ratio, "tool": tool}, indent=2))
    return 0 if grid_ok and unchanged_ok else 1


if __name__ == "__main__":
    sys.exit(main())
