"""Chromium crawl of every page and state, with a CSP violation listener and a header check.

Pages come from app.url_map (each GET route, arguments filled with a canary user's
objects), visited as the owner, as another signed-in user and anonymously, with
JavaScript on; plus states: empty library, a running job, a finished job, a login
error, a 404. Every response the browser receives (pages, fragments, static files,
errors) must carry the security headers.
"""

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Error as PlaywrightError  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PASSWORD, serve  # noqa: E402
from tests.conftest import app_config, shutdown_app  # noqa: E402
from tests.factories import submit_job  # noqa: E402
from tests.sweep import Canary, make_canary, sweep_rules, url_for_rule  # noqa: E402
from webapp import create_app, db  # noqa: E402
from webapp.accounts import logins  # noqa: E402
from webapp.events import bus_of  # noqa: E402
from webapp.migrate import upgrade  # noqa: E402

REQUIRED = ("content-security-policy", "x-content-type-options", "referrer-policy")


def prepare(app) -> Canary:
    """An owner with a track, a cover, a published release, a post and a queued job."""
    with app.app_context():
        for name in ("owner", "visitor"):
            logins.sign_up(db.session(), name, PASSWORD)
    canary = make_canary(app, "owner", "a crawl through the night", "a lantern in fog", "Crawl",
                         "hello <b>crawl</b>", publish=True)
    submit_job(app, canary.ids["user"], "music", "still waiting in line")
    return canary


def crawl_urls(app, canary: Canary) -> list[str]:
    """Every GET route with canary arguments, plus states worth seeing."""
    urls = {url_for_rule(rule, canary) for rule, _ in sweep_rules(app, {"GET"})} - {None}
    urls |= {"/library?tab=images", "/library?tab=releases", "/does-not-exist",
             "/explore?page=2", "/u/nobody-here"}
    return sorted(urls)


def run() -> list[tuple[str, str, str]]:
    """Crawl as three visitors; count pages, responses, CSP violations and header misses."""
    root = Path(tempfile.mkdtemp(prefix="crawl-"))
    url = f"sqlite:///{root / 'crawl.db'}"
    upgrade(url)
    app = create_app(app_config(url, root / "data", WTF_CSRF_ENABLED=True, JOBS_EMBEDDED=True))
    canary = prepare(app)
    server = serve(app)
    base = f"http://127.0.0.1:{server.server_port}"
    urls = crawl_urls(app, canary)
    pages = responses = downloads = 0
    violations: list[str] = []
    missing: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for who in ("owner", "visitor", None):
                context = browser.new_context()
                page = context.new_page()
                page.on("console", lambda m, page=page: violations.append(f"{page.url}: {m.text}")
                        if "Content Security Policy" in m.text else None)

                def check(response, missing=missing):
                    """Every response carries the security headers."""
                    nonlocal responses
                    responses += 1
                    headers = response.headers
                    # Stylesheets and scripts never become documents: nosniff is theirs.
                    is_subresource = headers.get("content-type", "").startswith(
                        ("text/css", "text/javascript", "application/javascript"))
                    required = ("x-content-type-options",) if is_subresource else REQUIRED
                    if not all(name in headers for name in required):
                        missing.append(response.url)

                page.on("response", check)
                if who:
                    page.goto(base + "/login")
                    page.get_by_label("Username").fill(who)
                    page.get_by_label("Password").fill(PASSWORD)
                    page.get_by_role("button", name="Log in").click()
                    page.wait_for_url(lambda u: "/login" not in u)
                for path in urls:
                    if _is_download(page, base + path):
                        downloads += 1
                        continue
                    page.wait_for_timeout(250)
                    pages += 1
                context.close()
            browser.close()
    finally:
        bus_of(app).closing.set()
        server.shutdown()
        shutdown_app(app)
    for text in sorted(set(violations)):
        print("CSP:", text[:120])
    return [(
        "Chromium crawl of every GET route and state as owner, other user and anonymous",
        f"{pages} page loads, {responses} responses, file downloads {downloads}; "
        f"CSP violations {len(violations)}; responses missing security headers {len(missing)}",
        "make reliability (bench/crawl.py)",
    )]


def _is_download(page, url: str) -> bool:
    """Open `url` in the page; True when it was a file download (an export) instead."""
    try:
        page.goto(url, wait_until="load")
    except PlaywrightError as error:
        if "Download is starting" not in error.message:
            raise
        return True
    return False


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
