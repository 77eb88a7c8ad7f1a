"""Renaming in a real browser: every occurrence, no reload, other tabs, no JavaScript, keyboard."""

import io
import time

from PIL import Image
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.conftest import PASSWORD, assert_accessible, log_out, sign_up, unique_name
from webapp import db
from webapp.models import User
from webapp.publishing import posts

POSTS = 3
# Installed through the test driver (not page script): remember when the page last changed.
WATCH_MUTATIONS = """() => {
  window.__lastChange = 0;
  window.__changes = [];
  new MutationObserver((records) => {
    window.__lastChange = performance.now();
    for (const r of records) {
      const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      window.__changes.push([Math.round(performance.now()), (el && (el.id || el.tagName)) || "?"]);
    }
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
  window.__clickedAt = null;
  document.addEventListener('click', () => { window.__clickedAt ??= performance.now(); }, true);
  for (const n of ['submit', 'htmx:before:request', 'htmx:after:request']) {
    document.addEventListener(n, () => {
      window.__changes.push([Math.round(performance.now()), n]);
    }, true);
  }
}"""


def add_posts(live_server, username: str, count: int = POSTS) -> None:
    """Give a user some posts, through the publishing service."""
    with live_server.app.app_context():
        session = db.session()
        user = session.scalar(select(User).where(User.username == username))
        for number in range(count):
            posts.create_post(session, user, f"Song sketch number {number}")


# Test instrumentation (run by the driver, not by the page): note when the stream connects.
NOTE_STREAM = """document.addEventListener('htmx:sse:after:connection', () => {
  document.documentElement.dataset.testStream = 'connected';
});"""


def open_with_stream(page: Page, url: str) -> None:
    """Open a page and wait until its live-event stream is connected."""
    page.context.add_init_script(NOTE_STREAM)
    page.goto(url)
    expect(
        page.locator("html[data-test-stream=connected]"),
        "the page's live-event stream never connected (hx-sse:connect was not processed)",
    ).to_have_count(1)


def region_path(url: str) -> str:
    """A request URL reduced to the region it refreshes."""
    path = url.split("://", 1)[1].split("/", 1)[1]
    return "/" + path.split("?", 1)[0]


def test_rename_updates_every_occurrence_here_and_in_another_tab(page, live_server):
    """Nav, profile header and every feed byline change; no reload; the status speaks."""
    old = sign_up(page, live_server)
    add_posts(live_server, old)
    other = page.context.new_page()
    open_with_stream(other, live_server.at(f"/u/{old}"))
    expect(other.get_by_role("heading", level=1)).to_have_text(old)
    other.evaluate("window.__marker = 'other'")
    open_with_stream(page, live_server.at("/settings/profile"))
    page.bring_to_front()  # a page behind another one gets no animation frames in headless mode
    feed = page.locator("#feed")
    expect(feed.get_by_role("link", name=old, exact=True)).to_have_count(POSTS)
    expect(page.locator("#profile-header").get_by_role("heading", name=old)).to_be_visible()
    page.evaluate("window.__marker = 42")

    new = unique_name("renamed")
    page.get_by_label("Username").fill(new)
    page.get_by_label("Current password").fill(PASSWORD)
    requests: list[tuple[str, str]] = []
    statuses: list[tuple[int, str]] = []
    page.on("request", lambda r: requests.append((r.method, region_path(r.url))))
    page.on("response", lambda r: statuses.append((r.status, region_path(r.url))))
    page.evaluate(WATCH_MUTATIONS)
    started = time.monotonic()
    page.get_by_role("button", name="Save").click()

    nav = page.locator("#nav-user")
    expect(nav.get_by_role("link", name=new, exact=True)).to_be_visible()
    expect(page.locator("#profile-header").get_by_role("heading", name=new)).to_be_visible()
    expect(feed.get_by_role("link", name=new, exact=True)).to_have_count(POSTS)
    expect(page.get_by_role("status")).to_have_text(f"Username changed to {new}.")
    expect(page.get_by_role("button", name="Undo")).to_be_visible()
    seen_here = time.monotonic() - started
    # The other tab only hears the SSE event: it bubbles from #live-events to document.
    expect(other.get_by_role("heading", level=1)).to_have_text(new)
    expect(other.locator("#nav-user").get_by_role("link", name=new, exact=True)).to_be_visible()
    expect(other.locator("#feed").get_by_role("link", name=new, exact=True)).to_have_count(POSTS)
    expect(other).to_have_title(f"{new} · Soundstage")
    seen_there = time.monotonic() - started
    page.wait_for_timeout(1000)  # let any late refresh arrive, so it is counted

    assert page.evaluate("window.__marker") == 42, "the page was reloaded"
    assert other.evaluate("window.__marker") == "other", "the other tab was reloaded"
    clicked_at = page.evaluate("window.__clickedAt")
    last_change_ms = page.evaluate("window.__lastChange") - clicked_at
    timeline = [(t - round(clicked_at), what) for t, what in page.evaluate("window.__changes")]
    for region in ("#nav-user", "#profile-header", "#feed"):
        assert old not in page.locator(region).inner_text(), region
    assert old not in other.locator("body").inner_text()
    assert old not in other.title()
    made = [r for r in requests if r[1] != "/events"]
    print(f"\nrename: {len(made)} requests after the click: {made}")
    print(f"rename: responses {[s for s in statuses if s[1] != '/events']}")
    print(f"rename: timeline (ms after the click, what changed) {timeline}")
    print(f"rename: last DOM update {last_change_ms:.0f} ms after the click; all checks passed "
          f"after {seen_here * 1000:.0f} ms here and {seen_there * 1000:.0f} ms in the other tab")
    assert made.count(("POST", "/settings/profile")) == 1
    for region in ("/fragments/nav-user", "/fragments/profile-header/", "/feeds/user/"):
        hits = [r for r in made if r[1].startswith(region)]
        assert len(hits) == 1, (region, made)
    assert len(made) == 4, made


def test_undo_by_keyboard_alone(page, live_server):
    """Tab to the fields, type, Enter to save; Tab to Undo, Enter; focus stays useful."""
    old = sign_up(page, live_server)
    page.goto(live_server.at("/settings/profile"))
    _tab_until(page, page.get_by_label("Username"))
    page.keyboard.press("Control+A")
    new = unique_name("kb")
    page.keyboard.type(new)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Current password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("#nav-user").get_by_role("link", name=new, exact=True)).to_be_visible()
    expect(page.get_by_label("Current password")).to_be_focused()
    undo = page.get_by_role("button", name="Undo")
    _tab_until(page, undo)
    page.keyboard.press("Enter")
    expect(page.locator("#nav-user").get_by_role("link", name=old, exact=True)).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(f"Username changed back to {old}.")
    expect(page.get_by_role("button", name="Undo")).to_have_count(0)
    expect(page.get_by_label("Username")).to_be_focused()


def test_rename_and_undo_without_javascript(new_page, live_server):
    """Plain POST, 303, flash; every page shows the new name; the old URL redirects."""
    page = new_page(javascript=False)
    old = sign_up(page, live_server)
    page.goto(live_server.at("/settings/profile"))
    new = unique_name("plain")
    page.get_by_label("Username").fill(new)
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(live_server.at("/settings/profile"))
    expect(page.get_by_text(f"Username changed to {new}.")).to_be_visible()
    expect(page.get_by_role("link", name=new, exact=True).first).to_be_visible()
    page.goto(live_server.at(f"/u/{old}"))
    expect(page).to_have_url(live_server.at(f"/u/{new}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(new)
    page.goto(live_server.at("/settings/profile"))
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_text(f"Username changed back to {old}.")).to_be_visible()
    expect(page.get_by_role("link", name=old, exact=True).first).to_be_visible()


def test_errors_show_next_to_the_field_without_reload(page, live_server):
    """A missing password and a taken name are explained inline; nothing changes."""
    taken = sign_up(page, live_server)
    log_out(page)
    me = sign_up(page, live_server)
    page.goto(live_server.at("/settings/profile"))
    page.evaluate("window.__marker = 7")
    page.get_by_label("Username").fill(taken.upper())
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#current-password-error")).to_contain_text("Enter your current password")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#username-error")).to_contain_text("That username is taken")
    expect(page.get_by_role("status")).to_contain_text("That username is taken")
    expect(page.get_by_label("Username")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#nav-user").get_by_role("link", name=me, exact=True)).to_be_visible()
    assert page.evaluate("window.__marker") == 7
    assert_accessible(page, "on /settings/profile with an error")


def test_avatar_upload_shows_everywhere_without_reload(page, live_server):
    """Choose a file, Save: the nav and the header show the new picture."""
    name = sign_up(page, live_server)
    add_posts(live_server, name, 1)
    page.goto(live_server.at("/settings/profile"))
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (20, 120, 220)).save(buffer, "PNG")
    page.get_by_label("Avatar").set_input_files(
        files=[{"name": "me.png", "mimeType": "image/png", "buffer": buffer.getvalue()}]
    )
    page.evaluate("window.__marker = 9")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Avatar updated.")
    expect(page.locator("#nav-user img")).to_have_count(1)
    expect(page.locator("#profile-header img")).to_have_attribute("alt", f"Avatar of {name}")
    src = page.locator("#nav-user img").get_attribute("src")
    assert page.locator("#profile-header img").get_attribute("src") == src
    loaded = page.locator("#nav-user img").evaluate("img => img.complete && img.naturalWidth")
    assert loaded == 256
    assert page.evaluate("window.__marker") == 9


def test_settings_history_and_profile_pages_pass_axe(page, live_server):
    """0 WCAG 2.2 AA violations, with posts, after a rename (Undo shown) and on the history."""
    old = sign_up(page, live_server)
    add_posts(live_server, old, 2)
    page.goto(live_server.at("/settings/profile"))
    assert_accessible(page, "on /settings/profile")
    new = unique_name("axe")
    page.get_by_label("Username").fill(new)
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("button", name="Undo")).to_be_visible()
    assert_accessible(page, "on /settings/profile after a rename")
    page.get_by_role("link", name="Username history").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Username history")
    expect(page.get_by_role("cell", name=old, exact=True)).to_be_visible()
    assert_accessible(page, "on /settings/profile/history")
    page.goto(live_server.at(f"/u/{new}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(new)
    assert_accessible(page, "on /u/<name>")
    log_out(page)
    page.goto(live_server.at(f"/u/{new}"))
    assert_accessible(page, "on /u/<name> signed out")


def _tab_until(page: Page, target, limit: int = 40) -> None:
    """Press Tab until `target` has focus."""
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    expect(target).to_be_focused()
