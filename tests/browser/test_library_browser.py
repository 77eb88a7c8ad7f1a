"""The library in Chromium: live without clicks, quiet when nothing changed, usable without JS."""

import re
from datetime import UTC, datetime

from playwright.sync_api import Page, expect
from sqlalchemy import insert, select

from tests.browser.conftest import (
    PASSWORD,
    STREAM_OPEN,
    assert_accessible,
    sign_up,
    unique_name,
)
from tests.factories import make_media, user_id_of
from webapp import db
from webapp.models import Generation, Media

GRID_REQUESTS = re.compile(r"/library/grid\b")

# Records, in the page, what happens to the grid: content mutations and their times.
WATCH_GRID = """() => {
  const grid = document.getElementById('library-grid');
  window.__gridMutations = [];
  window.__rootAttributes = [];
  window.__cardSeenAt = {};
  const observer = new MutationObserver(records => {
    for (const r of records) {
      if (r.type === 'attributes' && r.target === grid) {
        window.__rootAttributes.push(r.attributeName);
      } else {
        window.__gridMutations.push(r.type + ':' + (r.target.id || r.target.nodeName));
      }
    }
    for (const card of grid.querySelectorAll('article.media-card')) {
      if (!(card.id in window.__cardSeenAt)) window.__cardSeenAt[card.id] = Date.now();
    }
  });
  observer.observe(grid, {subtree: true, childList: true, characterData: true, attributes: true});
  window.__timeline = [];
  const mark = name => window.__timeline.push([name, Date.now()]);
  document.addEventListener('library-changed', () => mark('library-changed event'));
  document.addEventListener('htmx:before:request', e => {
    if (e.target === grid) mark('grid request sent');
  });
  document.addEventListener('htmx:after:request', e => {
    if (e.target === grid) mark('grid response ' + e.detail.ctx.response.status);
  });
  for (const card of grid.querySelectorAll('article.media-card')) window.__cardSeenAt[card.id] = 0;
}"""

# The live stream is open once the hx-sse extension has its connection's response.
def open_library(page: Page, live_server, tab: str = "music") -> None:
    """Load the library tab and wait until its first check and the live stream are done."""
    # Leave the current page first: its own grid re-check (after a live event) could answer
    # while the new page loads and be taken for the new page's first check.
    page.goto("about:blank")
    with page.expect_response(GRID_REQUESTS) as first_check:
        page.goto(live_server.at(f"/library?tab={tab}"))
    assert first_check.value.status == 304, "the page already holds the current version"
    page.wait_for_function(STREAM_OPEN)


def warm_up(live_server) -> None:
    """Render a full grid once in the server process, as a running server long has.

    The first render of a card template compiles it (tens to hundreds of ms on a busy
    two-core machine); the live-update budget is about a warm server.
    """
    client = live_server.app.test_client()
    form = client.get("/signup").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    name = unique_name("warm")
    client.post("/signup", data={"username": name, "password": PASSWORD, "csrf_token": token})
    make_media(live_server.app, user_of(live_server, name), "music", "warming up")
    assert client.get("/library/grid", headers={"HX-Request": "true"}).status_code == 200


def grid_requests(page: Page) -> list:
    """Collect the /library/grid responses a page receives from now on."""
    seen: list = []
    page.on("response", lambda r: seen.append(r) if GRID_REQUESTS.search(r.url) else None)
    return seen


def check_on_focus(page: Page) -> list[int]:
    """Focus the window as a person coming back would; the statuses of the checks it sent."""
    responses = grid_requests(page)
    page.evaluate("() => window.dispatchEvent(new Event('focus'))")
    page.wait_for_timeout(500)
    return [r.status for r in responses]


def user_of(live_server, username: str) -> int:
    """The id of a user on the live server."""
    return user_id_of(live_server.app, username)


def test_a_generated_item_appears_in_the_open_library_without_interaction(
    new_page, live_server, tmp_path
):
    """Library in one page, Studio in another: the new track shows up by itself, quickly."""
    warm_up(live_server)
    library = new_page()
    username = sign_up(library, live_server)
    open_library(library, live_server)
    expect(library.get_by_text("No tracks yet.")).to_be_visible()
    library.evaluate(WATCH_GRID)
    studio = library.context.new_page()
    studio.goto(live_server.at("/studio"))
    studio.get_by_label("Prompt").fill("glass harmonica over a slow tide")
    studio.get_by_label("Music").check()
    studio.get_by_label("Duration (seconds)").fill("10")
    studio.get_by_role("button", name="Generate").click()
    card = library.get_by_role("article").filter(
        has=library.get_by_role("heading", name="Glass harmonica over a slow tide")
    )
    expect(card.locator("audio")).to_be_attached(timeout=120_000)
    # The grid announces the new item; the job's own "is ready" may speak last in this tab.
    expect(library.locator("#status")).to_have_text(re.compile(r"1 new item|is ready"))
    uid = user_of(live_server, username)
    with live_server.app.app_context():
        finished = db.session().scalars(
            select(Generation.finished_at).where(Generation.user_id == uid)
        ).one().astimezone(UTC)
        media_id = db.session().scalar(select(Media.id).where(Media.user_id == uid))
        db.session().rollback()
    seen_at = library.evaluate("id => window.__cardSeenAt[id]", f"media-{media_id}")
    delay_ms = seen_at - finished.timestamp() * 1000
    report = (
        f"library live update: job finished {finished.isoformat()}, card in the DOM "
        f"{datetime.fromtimestamp(seen_at / 1000, UTC).isoformat()}, delay {delay_ms:.0f} ms"
    )
    timeline = library.evaluate("() => window.__timeline")
    report += "; " + ", ".join(
        f"{name} +{at - finished.timestamp() * 1000:.0f} ms" for name, at in timeline
    )
    print(report)
    (tmp_path / "library-live-delay.txt").write_text(report + "\n")
    assert 0 <= delay_ms < 300, report
    # The grid kept the new version (hx-ptag from the answer): coming back is a quiet 304.
    assert check_on_focus(library) == [304]
    # Nothing was clicked or focused in the library page: the grid region is not live itself.
    expect(library.locator("#library-grid")).not_to_have_attribute("aria-live", re.compile(".*"))


def test_coming_back_to_the_tab_with_no_change_changes_nothing(page, live_server):
    """visibilitychange + window focus: one request, a 304, no DOM change, focus and audio kept."""
    username = sign_up(page, live_server)
    uid = user_of(live_server, username)
    make_media(live_server.app, uid, "music", "a long quiet drone", duration=30)
    make_media(live_server.app, uid, "music", "another track to focus")
    open_library(page, live_server)
    delete_button = page.get_by_role("button", name="Delete “Another track to focus”")
    delete_button.focus()
    # A card's track plays (through the player: cards carry one play control, no <audio>).
    # The player's script loads on that first press, so its <audio> exists only after it.
    page.evaluate("() => document.querySelector('#library-grid button[data-play]').click()")
    page.wait_for_function(
        "() => { const a = document.getElementById('player-audio');"
        " if (a) a.muted = true; return a && !a.paused && a.currentTime > 0.2; }"
    )
    page.evaluate(WATCH_GRID)
    responses = grid_requests(page)
    before = page.evaluate("() => document.getElementById('player-audio').currentTime")
    # One user action: the tab becomes visible and the window gets focus at the same time.
    page.evaluate("""() => {
      Object.defineProperty(document, 'visibilityState', {value: 'visible', configurable: true});
      document.dispatchEvent(new Event('visibilitychange'));
      window.dispatchEvent(new Event('focus'));
    }""")
    page.wait_for_timeout(700)
    assert [r.status for r in responses] == [304], [(r.url, r.status) for r in responses]
    assert page.evaluate("() => window.__gridMutations") == []
    # Only the busy state of the region itself flickers during the check.
    assert set(page.evaluate("() => window.__rootAttributes")) <= {"aria-busy", "class"}
    expect(delete_button).to_be_focused()
    state = page.evaluate("""() => {
      const a = document.getElementById('player-audio');
      return {paused: a.paused, time: a.currentTime};
    }""")
    assert not state["paused"]
    assert state["time"] > before
    expect(page.locator("#status")).to_be_empty()
    # After a stream reconnect app.js sends `resync`: the grid re-checks, quietly again.
    responses.clear()
    page.evaluate("() => document.dispatchEvent(new CustomEvent('resync'))")
    page.wait_for_timeout(500)
    assert [r.status for r in responses] == [304]
    assert page.evaluate("() => window.__gridMutations") == []


def test_refresh_button_shows_progress_then_announces(page, live_server):
    """Spinner visible, grid aria-busy while in flight; then the status region says the outcome."""
    username = sign_up(page, live_server)
    uid = user_of(live_server, username)
    make_media(live_server.app, uid, "image", "first cover of many")
    open_library(page, live_server, "images")
    held = []
    page.route(GRID_REQUESTS, lambda route: held.append(route))
    spinner = page.locator("#library-refreshing")
    expect(spinner).to_be_hidden()
    page.get_by_role("button", name="Refresh").click()
    page.wait_for_function("() => document.getElementById('library-grid').ariaBusy === 'true'")
    expect(spinner).to_be_visible()
    expect(spinner).to_have_text("Refreshing")
    expect(page.locator("#library-grid")).to_have_attribute("aria-busy", "true")
    assert_accessible(page, "while refreshing")
    assert len(held) == 1 and "refresh=1" in held[0].request.url
    held.pop().continue_()
    expect(page.locator("#status")).to_have_text("Library is up to date")
    expect(spinner).to_be_hidden()
    expect(page.locator("#library-grid")).not_to_have_attribute("aria-busy", "true")
    page.unroute(GRID_REQUESTS)
    # When the live update is lost (here: background checks fail), Refresh still finds it.
    page.route(GRID_REQUESTS, lambda route: route.continue_() if "refresh=1" in route.request.url
               else route.abort())
    make_media(live_server.app, uid, "image", "second cover arrives")
    page.wait_for_timeout(300)
    expect(page.get_by_role("heading", name="Second cover arrives")).to_have_count(0)
    with page.expect_response(lambda r: "refresh=1" in r.url) as refreshed:
        page.get_by_role("button", name="Refresh").click()
    assert refreshed.value.status == 200
    expect(page.locator("#status")).to_have_text("1 new item")
    expect(page.get_by_role("heading", name="Second cover arrives")).to_be_visible()
    # The region took over the new version: the next check of the tab is a quiet 304.
    page.unroute(GRID_REQUESTS)
    assert check_on_focus(page) == [304]


def test_library_works_without_javascript(new_page, live_server):
    """Tabs, Refresh, pages and delete with confirmation, all through links and plain forms."""
    page = new_page(javascript=False)
    username = sign_up(page, live_server)
    uid = user_of(live_server, username)
    cover = make_media(live_server.app, uid, "image", "lighthouse in fog")
    track = make_media(live_server.app, uid, "music", "foghorn lullaby")
    bulk_items(live_server, uid, track, 25)
    page.goto(live_server.at("/library"))
    tabs = page.get_by_role("navigation", name="Library sections")
    expect(tabs.get_by_role("link", name="Music")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("article")).to_have_count(24)
    pages = page.get_by_role("navigation", name="Library pages")
    pages.get_by_role("link", name="Page 2").click()
    expect(page).to_have_url(re.compile(r"tab=music&page=2$"))
    expect(page.get_by_role("navigation", name="Library pages").get_by_role(
        "link", name="Page 2")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("heading", name="Foghorn lullaby")).to_be_visible()
    page.get_by_role("button", name="Refresh").click()
    expect(page.locator("#flashes")).to_contain_text("Library is up to date")
    expect(page).to_have_url(re.compile(r"page=2"))
    tabs = page.get_by_role("navigation", name="Library sections")
    tabs.get_by_role("link", name="Images").click()
    expect(page).to_have_url(re.compile(r"tab=images$"))
    expect(page.get_by_role("navigation", name="Library sections").get_by_role(
        "link", name="Images")).to_have_attribute("aria-current", "page")
    page.get_by_role("button", name="Delete “Lighthouse in fog”").click()
    expect(page).to_have_url(re.compile(rf"/library/{cover}/delete[?]?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete “Lighthouse in fog”?")
    page.get_by_role("button", name="Delete", exact=True).click()
    expect(page).to_have_url(re.compile(r"/library\?tab=images$"))
    expect(page.locator("#flashes")).to_contain_text("Deleted “Lighthouse in fog”.")
    expect(page.get_by_text("No cover art yet.")).to_be_visible()


def test_delete_with_htmx_asks_then_removes_the_card(page, live_server):
    """A plain-text confirm, then the card goes and the status region says so."""
    username = sign_up(page, live_server)
    uid = user_of(live_server, username)
    make_media(live_server.app, uid, "music", "keep this one")
    make_media(live_server.app, uid, "music", "throw this away")
    open_library(page, live_server)
    questions = []

    def answer(dialog):
        """Record the question and say no the first time, yes after."""
        questions.append(dialog.message)
        (dialog.dismiss if len(questions) == 1 else dialog.accept)()

    page.on("dialog", answer)
    button = page.get_by_role("button", name="Delete “Throw this away”")
    button.click()
    expect(page.get_by_role("heading", name="Throw this away")).to_be_visible()
    button.click()
    expect(page.get_by_role("heading", name="Throw this away")).to_have_count(0)
    expect(page.locator("#status")).to_have_text("Deleted “Throw this away”.")
    assert questions == ["Delete “Throw this away”? This cannot be undone."] * 2
    expect(page.get_by_role("heading", name="Keep this one")).to_be_visible()


def test_library_states_have_no_axe_violations(page, live_server):
    """Empty, full (items, a job under way, pages) and releases: 0 WCAG 2.2 AA violations."""
    username = sign_up(page, live_server)
    uid = user_of(live_server, username)
    open_library(page, live_server)
    assert_accessible(page, "empty music tab")
    track = make_media(live_server.app, uid, "music", "accessible tune")
    make_media(live_server.app, uid, "image", "accessible cover")
    bulk_items(live_server, uid, track, 30)
    open_library(page, live_server)
    expect(page.get_by_role("article")).to_have_count(24)
    assert_accessible(page, "full music tab")
    open_library(page, live_server, "images")
    assert_accessible(page, "images tab")
    open_library(page, live_server, "releases")
    assert_accessible(page, "releases tab")


def test_every_page_load_opens_the_stream_and_checks_conditionally(page, live_server):
    """The extensions register before htmx scans the page: every load has its stream and ptag."""
    sign_up(page, live_server)
    for _ in range(6):
        open_library(page, live_server)


def bulk_items(live_server, user_id: int, model_id: int, count: int) -> None:
    """Add `count` rows like an existing item, pointing at its real file."""
    with live_server.app.app_context():
        session = db.session()
        model = session.get(Media, model_id)
        session.execute(insert(Media), [
            {"user_id": user_id, "kind": model.kind, "title": f"Archive item {n}",
             "prompt": "archive", "file_path": model.file_path,
             "preview_path": model.preview_path, "mime_type": model.mime_type,
             "duration": model.duration, "size": model.size, "details": {}}
            for n in range(count)
        ])
        session.commit()
