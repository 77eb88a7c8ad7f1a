"""Serving benchmark: `make run`'s production server against Werkzeug's, and what a browser loads.

One run, one temporary SQLite database holding 50 items for one user, two servers on it:
- production: the real `flask --app webapp serve` (gunicorn, one gthread worker running the
  job consumer and the event bus, as `make run` starts it), with an access log;
- development: what `flask serve` ran before, Werkzeug's `run_simple(threaded=True)` with
  the embedded jobs started beside it.
Printed, in order:
1. Chromium (through Playwright and CDP `Network.loadingFinished.encodedDataLength`, i.e.
   compressed bytes with headers) loading /library signed in: bytes per kind of request; then
   a second navigation: requests for static files sent over the network (CDP) and received
   by the server (access log).
2. A job submitted in the Studio tab runs in the production server's worker and shows up
   in the open Library tab by itself (its SSE event came from the same process).
3. wrk on the library grid (as browsers ask: HX-Request, Accept-Encoding) and on the
   unchanged check (304), interleaved rounds on both servers; medians and the ratios
   production / development.
4. Ctrl-C: SIGINT to the production server's process group with a live stream open; the
   seconds until it exited and whether it printed a traceback.

    python bench/serving.py [--seconds 4] [--rounds 3] [--connections 8] [--json FILE]

BENCH_KEEP=1 keeps the work folder (both servers' output and the access log).
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import free_port, signed_in_cookie, wait_for_health  # noqa: E402
from bench.library import GRID, fill_library, run_python, run_wrk  # noqa: E402

SECRET = "serving-bench-secret"
BROWSER_ENCODINGS = "gzip, deflate, br, zstd"
FIRST_LOAD_BUDGET = 45 * 1024
STREAM_OPEN = "() => document.getElementById('live-events')?._htmx?.sse?.status === 200"


def server_env(workdir: Path) -> dict:
    """The environment both servers run with."""
    return {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
            "DATA_DIR": str(workdir / "data"), "SECRET_KEY": SECRET, "PYTHONPATH": str(ROOT)}


def start_production(env: dict, port: int, workdir: Path) -> subprocess.Popen:
    """`flask --app webapp serve` in its own process group, logging requests to a file."""
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "webapp", "serve", "--port", str(port)],
        cwd=ROOT, env={**env, "ACCESS_LOG": str(workdir / "access.log")},
        stdout=(workdir / "production.out").open("w"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return wait_for_health(process, port)


def start_development(env: dict, port: int, workdir: Path) -> subprocess.Popen:
    """This script as Werkzeug's development server (see run_development)."""
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--development-server", str(port)],
        cwd=ROOT, env=env, stdout=(workdir / "development.out").open("w"),
        stderr=subprocess.STDOUT,
    )
    return wait_for_health(process, port)


def run_development(port: int) -> None:
    """What `flask serve` did before: jobs in-process, then Werkzeug's threaded server."""
    from werkzeug.serving import run_simple

    from webapp import create_app, jobs

    app = create_app()
    jobs.start_embedded(app)
    try:
        run_simple("127.0.0.1", port, app, threaded=True, use_reloader=False)
    finally:
        jobs.stop_embedded(app)


def grid_tag(port: int, cookie: str) -> str:
    """The grid's current version, as a tab holding it would send back."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", GRID, headers={"Cookie": f"session={cookie}", "HX-Request": "true"})
    response = conn.getresponse()
    response.read()
    conn.close()
    assert response.status == 200, response.status
    return response.getheader("HX-PTag")


class Transfers:
    """What Chromium sends over the network, per request, from CDP Network events."""

    def __init__(self, cdp) -> None:
        """Listen to a CDP session with the Network domain enabled."""
        self.requests: dict[str, dict] = {}
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.dataReceived", self._data)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.requestServedFromCache", self._from_cache)

    def _entry(self, request_id: str) -> dict:
        """The record of one request."""
        return self.requests.setdefault(request_id, {"url": "", "bytes": 0, "cached": False})

    def _response(self, event: dict) -> None:
        """Headers arrived (their bytes count until the body is done)."""
        entry = self._entry(event["requestId"])
        response = event["response"]
        headers = {name.lower(): value for name, value in response["headers"].items()}
        entry.update(url=response["url"], status=response["status"],
                     encoding=headers.get("content-encoding", ""),
                     bytes=response.get("encodedDataLength", 0))
        entry["cached"] |= bool(response.get("fromDiskCache") or response.get("fromPrefetchCache"))

    def _data(self, event: dict) -> None:
        """Body bytes of a response still arriving (the SSE stream never finishes)."""
        self._entry(event["requestId"])["bytes"] += event.get("encodedDataLength", 0)

    def _finished(self, event: dict) -> None:
        """The request's total bytes on the wire."""
        self._entry(event["requestId"])["bytes"] = event["encodedDataLength"]

    def _from_cache(self, event: dict) -> None:
        """Served from the memory or disk cache."""
        self._entry(event["requestId"])["cached"] = True

    def take(self) -> list[dict]:
        """The requests seen so far (data: URLs never touch the network), forgetting them."""
        found, self.requests = list(self.requests.values()), {}
        return [entry for entry in found if entry["url"].startswith("http")]


def kind_of(url: str) -> str:
    """Which part of the page a request belongs to."""
    path = re.sub(r"^https?://[^/]+", "", url)
    for prefix, kind in (("/static/", "static"), ("/library/grid", "grid check"),
                         ("/events", "event stream"), ("/media/", "media previews")):
        if path.startswith(prefix):
            return kind
    return "page"


def summarise(requests: list[dict]) -> dict:
    """Bytes and request counts per kind; network requests are those not served from cache."""
    kinds: dict[str, dict] = {}
    for request in requests:
        row = kinds.setdefault(kind_of(request["url"]), {"requests": 0, "network": 0, "bytes": 0})
        row["requests"] += 1
        if not request["cached"] and request["bytes"] > 0:
            row["network"] += 1
            row["bytes"] += request["bytes"]
    return kinds


def open_library(page, url: str) -> None:
    """Navigate to the library; wait for its check, its stream and its visible images."""
    with page.expect_response(lambda r: "/library/grid" in r.url):
        page.goto(url)
    page.wait_for_function(STREAM_OPEN)
    page.wait_for_function("() => [...document.images].filter(i => "
                           "i.getBoundingClientRect().top < innerHeight).every(i => i.complete)")
    page.wait_for_timeout(1000)


def static_requests_logged(log: Path) -> int:
    """Static file requests the production server has received so far."""
    return sum('"GET /static/' in line for line in log.read_text().splitlines())


def browser_figures(port: int, cookie: str, workdir: Path) -> dict:
    """First load and second navigation of /library, and one job shown live (section 1, 2)."""
    from playwright.sync_api import expect, sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    base = f"http://127.0.0.1:{port}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.add_cookies([{"name": "session", "value": cookie, "url": base}])
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        transfers = Transfers(cdp)
        open_library(page, f"{base}/library")
        first = transfers.take()
        logged_before = static_requests_logged(workdir / "access.log")
        open_library(page, f"{base}/library")
        second = transfers.take()
        logged_second = static_requests_logged(workdir / "access.log") - logged_before

        studio = context.new_page()
        studio.goto(f"{base}/studio")
        studio.get_by_label("Prompt").fill("a served bell over open water")
        studio.get_by_label("Music").check()
        studio.get_by_label("Duration (seconds)").fill("10")
        started = time.monotonic()
        studio.get_by_role("button", name="Generate").click()
        expect(page.get_by_role("heading", name="A served bell over open water")
               .locator("xpath=ancestor::article").locator("audio")).to_be_attached(timeout=60_000)
        job_seconds = time.monotonic() - started
        browser.close()
    return {"first": first, "second": second, "second_static_logged": logged_second,
            "job_seconds": job_seconds}


def interrupt(process: subprocess.Popen, port: int, cookie: str, workdir: Path) -> dict:
    """Ctrl-C as a terminal sends it (to the group), with a live stream open (section 4)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/events", headers={"Cookie": f"session={cookie}"})
    stream = conn.getresponse()
    assert stream.status == 200, stream.status
    reader = threading.Thread(target=lambda: stream.read(), daemon=True)
    reader.start()
    started = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)
    code = process.wait(timeout=30)
    seconds = time.monotonic() - started
    output = (workdir / "production.out").read_text()
    return {"seconds": seconds, "exit_code": code, "traceback": "Traceback" in output}


def throughput(ports: dict[str, int], cookie: str, tag: str, args) -> dict:
    """wrk (or the Python fallback) on grid and unchanged, interleaved rounds (section 3)."""
    load = run_wrk if shutil.which("wrk") else run_python
    base = {"Cookie": f"session={cookie}", "HX-Request": "true",
            "Accept-Encoding": BROWSER_ENCODINGS}
    endpoints = {"grid": base, "unchanged": {**base, "HX-PTag": tag}}
    for port in ports.values():  # warm-up
        for headers in endpoints.values():
            load(port, GRID, headers, 1, args.connections)
    runs: dict[tuple[str, str], list[dict]] = {}
    for _ in range(args.rounds):
        for server, port in ports.items():
            for name, headers in endpoints.items():
                runs.setdefault((server, name), []).append(
                    load(port, GRID, headers, args.seconds, args.connections))
    return {key: {figure: statistics.median(run[figure] for run in found)
                  for figure in ("rate", "p50", "p99", "bad")}
            for key, found in runs.items()}


def main() -> int:
    """Set up, measure the browser, load both servers, stop production with Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--development-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.development_server:
        run_development(args.development_server)
        return 0

    from webapp import create_app
    from webapp.migrate import upgrade

    workdir = Path(tempfile.mkdtemp(prefix="bench-serving-"))
    env = server_env(workdir)
    upgrade(env["DATABASE_URL"])
    setup_app = create_app({key: env[key] for key in ("DATABASE_URL", "DATA_DIR", "SECRET_KEY")}
                           | {"JOBS_EMBEDDED": False})
    user_id, cookie = signed_in_cookie(setup_app, "bencher")
    fill_library(setup_app, user_id)
    setup_app.extensions["db_engine"].dispose()

    ports = {"production": free_port(), "development": free_port()}
    production = start_production(env, ports["production"], workdir)
    development = None
    try:
        browser = browser_figures(ports["production"], cookie, workdir)
        # Started only now: its own job consumer would take the Studio's job from the queue.
        development = start_development(env, ports["development"], workdir)
        tag = grid_tag(ports["production"], cookie)
        assert tag == grid_tag(ports["development"], cookie)
        loads = throughput(ports, cookie, tag, args)
        stopped = interrupt(production, ports["production"], cookie, workdir)
    finally:
        for process in (production, development):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(workdir, ignore_errors=True)

    first, second = summarise(browser["first"]), summarise(browser["second"])
    print(f"Serving benchmark: 50 items (first page {setup_app.config['LIBRARY_PAGE_SIZE']}), "
          f"{os.cpu_count()} CPUs")
    print("1. Chromium loading /library, signed in (bytes on the wire, headers included)")
    print(f"   {'kind':<16}{'requests':>9}{'network':>9}{'bytes':>9}   second navigation:"
          f"{'network':>9}{'bytes':>8}")
    for kind in sorted(set(first) | set(second)):
        one, two = first.get(kind, {}), second.get(kind, {})
        print(f"   {kind:<16}{one.get('requests', 0):>9}{one.get('network', 0):>9}"
              f"{one.get('bytes', 0):>9}   {'':>18}{two.get('network', 0):>9}"
              f"{two.get('bytes', 0):>8}")
    page_kinds = ("page", "static", "grid check", "event stream")
    first_load = sum(first.get(kind, {}).get("bytes", 0) for kind in page_kinds)
    with_media = first_load + first.get("media previews", {}).get("bytes", 0)
    encodings = sorted({r["encoding"] or "identity" for r in browser["first"]
                        if kind_of(r["url"]) == "static"})
    budget_ok = first_load <= FIRST_LOAD_BUDGET
    second_static = second.get("static", {}).get("network", 0)
    print(f"   first load, page and assets: {first_load} B = {first_load / 1024:.1f} KB "
          f"(budget 45 KB) {'PASS' if budget_ok else 'FAIL'}; static encodings {encodings}; "
          f"with the visible cards' media previews: {with_media / 1024:.1f} KB")
    print(f"   second navigation: {second_static} static requests over the network (CDP), "
          f"{browser['second_static_logged']} received by the server (access log)")
    print(f"2. a 10 s track generated from the Studio tab showed in the Library tab after "
          f"{browser['job_seconds']:.1f} s (job and event in the server's worker)")
    print(f"3. throughput: wrk -c{args.connections}, {args.rounds} rounds x {args.seconds:g} s, "
          f"median; GET {GRID} with HX-Request and Accept-Encoding: {BROWSER_ENCODINGS}")
    print(f"   {'endpoint':<12}{'server':<13}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    ratios = {}
    for name in ("grid", "unchanged"):
        for server in ports:
            row = loads[(server, name)]
            print(f"   {name:<12}{server:<13}{row['rate']:>9.1f}{row['p50']:>9.2f}"
                  f"{row['p99']:>9.2f}{row['bad']:>8.0f}")
        ratios[name] = loads[("production", name)]["rate"] / loads[("development", name)]["rate"]
        print(f"   {name}: production / development = {ratios[name]:.2f}")
    print(f"4. Ctrl-C with a live stream open: exited in {stopped['seconds']:.1f} s, "
          f"code {stopped['exit_code']}, traceback: {'yes' if stopped['traceback'] else 'no'}")
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"first_load": first, "second_navigation": second, "first_load_bytes": first_load,
             "second_static_logged": browser["second_static_logged"],
             "job_seconds": browser["job_seconds"], "ratios": ratios,
             "throughput": {f"{s} {n}": v for (s, n), v in loads.items()}, "interrupt": stopped},
            indent=2))
    clean_stop = stopped["seconds"] < 10 and not stopped["traceback"]
    quiet_second = second_static == 0 and browser["second_static_logged"] == 0
    return 0 if budget_ok and quiet_second and clean_stop else 1


if __name__ == "__main__":
    sys.exit(main())
