"""Layout stability in Chromium: a background check of the library grid moves nothing.

Boxes of the grid's cards (and of what sits above the grid) are recorded before, during
and after a check whose answer the test holds back, and every layout shift the browser
reports (PerformanceObserver 'layout-shift' entries, the source of Cumulative Layout
Shift) is summed. An unchanged check, and a Refresh that finds nothing, must show 0 px
movement and 0 shift; a check that adds a card moves only the cards after it.
"""

import re

from playwright.sync_api import Page, expect
from sqlalchemy import insert, update

from tests.browser.conftest import sign_up
from tests.browser.test_library_browser import GRID_REQUESTS, open_library, user_of
from tests.factories import make_media
from webapp import db
from webapp.models import Media, User

# Installed before any page script: every layout shift, with or without recent input.
RECORD_SHIFTS = """
window.__shifts = [];
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) {
    window.__shifts.push({value: entry.value, at: entry.startTime, input: entry.hadRecentInput});
  }
}).observe({type: 'layout-shift', buffered: true});
"""

# Boxes of the page heading, the toolbar, the grid, each card and its title, keyed by id.
BOXES = """() => {
  const boxes = {};
  const watched = [document.querySelector('main h1'), document.getElementById('library-toolbar'),
                   document.getElementById('library-grid'),
                   ...document.querySelectorAll('#library-items > article'),
                   ...document.querySelectorAll('#library-items h3')];
  for (const element of watched) {
    const r = element.getBoundingClientRect();
    boxes[element.id || element.tagName] = [r.x, r.y, r.width, r.height];
  }
  return boxes;
}"""

SHIFT_SINCE = "since => window.__shifts.filter(s => s.at > since).reduce((a, s) => a + s.value, 0)"
IN_FLIGHT = "() => document.getElementById('library-grid').classList.contains('htmx-request')"
SETTLED = "() => !document.getElementById('library-grid').classList.contains('htmx-request')"
LONG_TITLE = "A long title that has to wrap over two lines inside one card, number {n}"


def library_with_long_titles(page: Page, live_server, count: int = 7) -> int:
    """A signed-in user whose Images tab holds `count` + 1 covers with wrapping titles."""
    uid = user_of(live_server, sign_up(page, live_server))
    model_id = make_media(live_server.app, uid, "image", "first cover with a modest title")
    with live_server.app.app_context():
        session = db.session()
        model = session.get(Media, model_id)
        session.execute(insert(Media), [
            {"user_id": uid, "kind": "image", "title": LONG_TITLE.format(n=n),
             "prompt": "a prompt long enough to take a few lines of a card as real ones do",
             "file_path": model.file_path, "preview_path": model.preview_path,
             "mime_type": model.mime_type, "size": model.size, "details": {}}
            for n in range(count)
        ])
        session.execute(update(User).where(User.id == uid)
                        .values(library_version=User.library_version + 1))
        session.commit()
    return uid


def settle(page: Page) -> float:
    """Let the first paint's images and layout finish; the time from which shifts count."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('#library-grid img')]"
        ".filter(i => i.getBoundingClientRect().top < innerHeight).every(i => i.complete)"
    )
    page.wait_for_timeout(300)
    return page.evaluate("() => performance.now()")


def test_an_unchanged_background_check_moves_nothing(page, live_server):
    """Tab shown again: before, during (answer held back) and after, every box is identical."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.add_init_script(RECORD_SHIFTS)
    library_with_long_titles(page, live_server)
    open_library(page, live_server, "images")
    expect(page.locator("#library-items > article")).to_have_count(8)
    since = settle(page)
    before = page.evaluate(BOXES)
    held = []
    page.route(GRID_REQUESTS, lambda route: held.append(route))
    page.evaluate("() => document.dispatchEvent(new CustomEvent('page-visible'))")
    page.wait_for_function(IN_FLIGHT)
    page.wait_for_timeout(200)  # a held answer: the check is under way, as on a slow network
    assert len(held) == 1
    during = page.evaluate(BOXES)
    title_wrap = page.evaluate(
        "() => getComputedStyle(document.querySelector('#library-items h3')).whiteSpace"
    )
    with page.expect_response(GRID_REQUESTS) as answer:
        held.pop().continue_()
    assert answer.value.status == 304
    page.wait_for_function(SETTLED)
    page.wait_for_timeout(200)
    after = page.evaluate(BOXES)
    shift = page.evaluate(SHIFT_SINCE, since)
    moved = {key: (before.get(key), during.get(key), after.get(key))
             for key in {*before, *during, *after}
             if not before.get(key) == during.get(key) == after.get(key)}
    largest = max((abs(a - b) for old, *new in moved.values() for box in new if old and box
                   for a, b in zip(old, box, strict=True)), default=0)
    print(f"unchanged background check: {len(before) // 2 - 1} cards, {len(moved)} boxes moved "
          f"(largest change {largest:g} px), layout shift {shift:g}")
    assert title_wrap == "normal"
    assert page.locator("#library-grid").get_attribute("aria-busy") is None
    assert before == during == after, moved
    assert shift == 0


def test_a_refresh_that_finds_nothing_moves_nothing(page, live_server):
    """The Refresh button's spinner shows progress; the busy grid keeps its exact layout."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.add_init_script(RECORD_SHIFTS)
    library_with_long_titles(page, live_server, count=3)
    open_library(page, live_server, "images")
    since = settle(page)
    before = page.evaluate(BOXES)
    held = []
    page.route(GRID_REQUESTS, lambda route: held.append(route))
    page.get_by_role("button", name="Refresh").click()
    expect(page.locator("#library-grid")).to_have_attribute("aria-busy", "true")
    expect(page.locator("#library-refreshing")).to_be_visible()
    during = page.evaluate(BOXES)
    pseudo = page.evaluate(
        "() => getComputedStyle(document.getElementById('library-grid'), '::before').content"
    )
    held.pop().continue_()
    expect(page.locator("#status")).to_have_text("Library is up to date")
    expect(page.locator("#library-grid")).not_to_have_attribute("aria-busy", "true")
    after = page.evaluate(BOXES)
    assert pseudo == "none"
    assert before == during == after
    assert page.evaluate(SHIFT_SINCE, since) == 0


def test_a_check_that_adds_a_card_moves_only_what_follows_it(page, live_server):
    """Heading and toolbar stay put, cards keep their width and titles; the new card leads."""
    page.set_viewport_size({"width": 1280, "height": 900})
    uid = library_with_long_titles(page, live_server, count=3)
    open_library(page, live_server, "images")
    settle(page)
    before = page.evaluate(BOXES)
    make_media(live_server.app, uid, "image", "a newcomer arrives at the front")
    newcomer = page.locator("#library-items > article").first
    expect(newcomer).to_have_id(re.compile(r"^media-\d+$"))
    expect(newcomer.get_by_role("heading")).to_have_text("A newcomer arrives at the front")
    page.wait_for_function(SETTLED)
    after = page.evaluate(BOXES)
    for fixed in ("H1", "library-toolbar"):
        assert after[fixed] == before[fixed], fixed
    # Cards stretch to their grid row's height, so a card moved to another row may grow;
    # its width (to a sub-pixel of column rounding) and its title's wrapping stay.
    cards = [key for key in before if re.fullmatch(r"media-\d+", key)]
    titles = [key for key in before if key.endswith("-title")]
    assert cards and all(abs(after[key][2] - before[key][2]) < 0.5 for key in cards)
    assert titles and all(abs(after[key][2] - before[key][2]) < 0.5
                          and after[key][3] == before[key][3] for key in titles)
    assert len(after) == len(before) + 2
