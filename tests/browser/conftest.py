"""Browser harness: a live server with jobs in-process, Debian's Chromium, axe-core."""

import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import make_server

from tests.conftest import FAST_HASH, IN_CI, app_config, shutdown_app
from webapp import create_app, jobs
from webapp.events import bus_of
from webapp.migrate import upgrade

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PASSWORD = "correct horse battery"

pytestmark = pytest.mark.browser
# Generous: a wait ends as soon as its condition holds; the deadline only bounds a failure on a
# loaded machine (2 cores, load 10-20), where a page can take several seconds.
expect.set_options(timeout=30_000)
# True once the page's live event stream (#live-events, htmx's SSE) has connected.
STREAM_OPEN = "() => document.getElementById('live-events')?._htmx?.sse?.status === 200"


@dataclass
class LiveServer:
    """A running Soundstage and the app object behind it."""

    url: str
    app: Flask

    def at(self, path: str) -> str:
        """An absolute URL on this server."""
        return self.url + path


def serve(app: Flask):
    """Serve `app` on a free loopback port in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> LiveServer:
    """The embedded default (SQLite, jobs and events in-process), CSRF on."""
    root = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{root / 'live.db'}"
    upgrade(url)
    app = create_app(
        # One server for the whole run holds every test's pages: a closed page's stream lingers
        # until its next heartbeat, so the per-process cap is sized for many quick visitors.
        app_config(url, root / "data", WTF_CSRF_ENABLED=True, JOBS_EMBEDDED=True,
                   PASSWORD_HASH=FAST_HASH, SSE_MAX_STREAMS_PER_PROCESS=500,
                   SSE_MAX_STREAMS_PER_ADDRESS=500, SSE_MAX_STREAMS_PER_USER=500)
    )
    jobs.start_embedded(app)
    server = serve(app)
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    bus_of(app).closing.set()
    server.shutdown()
    shutdown_app(app)


@pytest.fixture(scope="session")
def browser() -> Browser:
    """Debian's Chromium, driven by Playwright (no browser download)."""
    if not Path(CHROMIUM).exists():
        # Under CI=true a missing browser fails the run (make test installs it); elsewhere it skips.
        (pytest.fail if IN_CI else pytest.skip)(f"{CHROMIUM} not installed (CI={IN_CI})")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class ContextWatcher:
    """Collects console errors and CSP violations seen by a browser context."""

    def __init__(self) -> None:
        """Start empty."""
        self.csp_violations: list[str] = []
        self.errors: list[str] = []

    def on_console(self, message) -> None:
        """Record errors and Content Security Policy reports."""
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.csp_violations.append(text)
        elif message.type == "error":
            self.errors.append(text)


@pytest.fixture
def new_page(browser: Browser):
    """Open pages in fresh contexts; fail the test on any CSP violation."""
    watchers: list[ContextWatcher] = []
    contexts = []

    def open_page(javascript: bool = True) -> Page:
        """A page in a new, isolated browser context."""
        context = browser.new_context(java_script_enabled=javascript)
        contexts.append(context)
        watcher = ContextWatcher()
        watchers.append(watcher)
        context.on("console", watcher.on_console)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
    violations = [v for w in watchers for v in w.csp_violations]
    assert violations == [], f"CSP violations: {violations}"


@pytest.fixture
def page(new_page) -> Page:
    """A JavaScript-enabled page."""
    return new_page()


def unique_name(prefix: str = "user") -> str:
    """A username no other test uses on the shared live server."""
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def sign_up(page: Page, server: LiveServer, username: str | None = None) -> str:
    """Sign up through the form and return the username."""
    username = username or unique_name()
    page.goto(server.at("/signup"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("link", name=username, exact=True)).to_be_visible()
    return username


def log_out(page: Page) -> None:
    """Open the account menu (or, without JavaScript, the menu page) and press its Log out."""
    account = page.get_by_role("button", name="Account", exact=True)
    if account.is_visible():
        account.click()
    else:
        page.get_by_role("link", name="Account", exact=True).click()
    page.get_by_role("button", name="Log out").click()


def assert_accessible(page: Page, context: str = "") -> None:
    """Run axe-core with the WCAG 2.2 AA tags; any violation fails with its details."""
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    violations = results.response.get("violations", [])
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:3])
        for v in violations
    ]
    assert not violations, f"axe violations {context}: {details}"

