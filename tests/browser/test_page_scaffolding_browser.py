"""The shared page scaffolding (titled sections, pagers, filters, form fields) in Chromium:
axe on every page built from it, the search filters without JavaScript and by keyboard,
and a notifications re-check that finds nothing new moves nothing."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, sign_up, unique_name
from tests.browser.test_publishing_browser import give_media
from tests.browser.test_social_browser import published_release

SECTIONED_PAGES = {
    "/settings/account": ("Account", ["Change password", "Signed-in browsers", "Your data",
                                      "Delete account"]),
    "/studio": ("Studio", ["Make something new", "Recent jobs"]),
}

WATCH_SHIFTS = """
window.__shifts = [];
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) window.__shifts.push(entry.value);
}).observe({type: 'layout-shift', buffered: true});
"""


def test_pages_built_from_shared_sections_and_fields_pass_axe(page: Page, live_server):
    """Account, studio, profile settings, search, notifications and the release form."""
    give_media(live_server, sign_up(page, live_server))
    for path, (title, headings) in SECTIONED_PAGES.items():
        page.goto(live_server.at(path))
        expect(page).to_have_title(f"{title} · Soundstage")
        for heading in headings:
            # Each section is a region named by its own heading.
            expect(page.get_by_role("region", name=heading)).to_be_visible()
        assert_accessible(page, path)
    for path in ("/settings/profile", "/search?q=song", "/notifications", "/releases/new"):
        page.goto(live_server.at(path))
        expect(page).not_to_have_title(re.compile("<"))
        assert_accessible(page, path)


def test_search_filters_work_without_javascript_and_by_keyboard(new_page, live_server):
    """A genre filter narrows results through the plain form, and by typing with htmx."""
    owner = sign_up(new_page(), live_server, unique_name("filter"))
    _, title = published_release(live_server, owner)  # make_release files it under "pop"

    plain = new_page(javascript=False)
    plain.goto(live_server.at("/search"))
    plain.get_by_label("Search", exact=True).fill(title)
    plain.get_by_label("Genre").select_option("pop")
    plain.get_by_role("button", name="Search").click()
    expect(plain).to_have_url(re.compile(r"genre=pop"))
    expect(plain.locator("#search-results")).to_contain_text(title)

    keyboard = new_page()
    keyboard.goto(live_server.at("/search"))
    keyboard.get_by_label("Search", exact=True).focus()
    keyboard.keyboard.type(title)
    keyboard.keyboard.press("Tab")
    expect(keyboard.get_by_label("Genre")).to_be_focused()
    keyboard.keyboard.type("pop")
    expect(keyboard.get_by_label("Genre")).to_have_value("pop")
    expect(keyboard.locator("#search-results")).to_contain_text(title)


def test_a_notifications_recheck_that_finds_nothing_moves_nothing(page: Page, live_server):
    """The list asks again on notifications-changed: 304, same markup, no layout shift."""
    page.add_init_script(WATCH_SHIFTS)
    sign_up(page, live_server)
    page.goto(live_server.at("/notifications"))
    listing = page.locator("#notification-list")
    expect(listing).to_contain_text("No notifications yet")
    page.wait_for_timeout(500)
    before_html, before_box = listing.evaluate("e => e.outerHTML"), listing.bounding_box()
    shifts_before = page.evaluate("() => window.__shifts.reduce((a, v) => a + v, 0)")
    with page.expect_response(re.compile(r"/notifications/list")) as answer:
        page.evaluate("() => document.dispatchEvent(new CustomEvent('notifications-changed'))")
    assert answer.value.status == 304
    page.wait_for_timeout(300)
    assert listing.evaluate("e => e.outerHTML") == before_html
    assert listing.bounding_box() == before_box
    assert page.evaluate("() => window.__shifts.reduce((a, v) => a + v, 0)") == shifts_before
