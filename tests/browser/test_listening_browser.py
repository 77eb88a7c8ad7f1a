"""Listening in a real browser: a player that plays on across boosted navigation, a queue,
play counts, release pages, the embed page; JavaScript off; keyboard alone; axe."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, sign_up, unique_name
from tests.factories import make_media, make_release, user_id_of

PLAYING = "() => [...document.querySelectorAll('audio')].filter(a => !a.paused).length"
PLAYER_TIME = "() => document.getElementById('player-audio').currentTime"
PLAYER_SRC = "() => document.getElementById('player-audio').getAttribute('src')"
LAYOUT_SHIFTS_WATCH = """() => {
  window.unexpectedShift = 0;
  new PerformanceObserver(list => list.getEntries().forEach(entry => {
    if (!entry.hadRecentInput) { window.unexpectedShift += entry.value; }
  })).observe({type: 'layout-shift', buffered: true});
}"""


def artist_with_releases(live_server, page: Page, count: int = 3) -> tuple[str, list[str]]:
    """A signed-up artist with `count` published releases; titles newest first."""
    username = sign_up(page, live_server, unique_name("artist"))
    user_id = user_id_of(live_server.app, username)
    titles = []
    for number in range(count):
        track = make_media(live_server.app, user_id, "music", f"a calm piano night {number}",
                           duration=20, lyrics="first line\nsecond line")
        cover = make_media(live_server.app, user_id, "image", f"neon city {number}")
        title = f"Song {number} {unique_name('')}"
        make_release(live_server.app, user_id, track, cover, published=True, title=title)
        titles.insert(0, title)
    return username, titles


def player(page: Page):
    """The player landmark."""
    return page.get_by_role("region", name="Player")


def play_card(page: Page, title: str) -> None:
    """Press a card's play button and wait until the player plays that track."""
    page.get_by_role("button", name=f"Play “{title}”").first.click()
    expect(player(page).get_by_role("link", name=title)).to_be_visible()
    page.wait_for_function("() => document.getElementById('player-audio')?.currentTime > 0.3")


def test_the_track_plays_on_across_links_and_back(new_page, live_server):
    """Start on explore, follow three links (in-page and nav), go back: same track, later."""
    page = new_page()
    _artist, titles = artist_with_releases(live_server, page)
    listener = new_page()
    sign_up(listener, live_server)
    listener.goto(live_server.at("/explore"))
    listener.evaluate(LAYOUT_SHIFTS_WATCH)
    listener.evaluate("() => { window.unloadedNever = true; }")
    play_card(listener, titles[1])
    source = listener.evaluate(PLAYER_SRC)
    started = listener.evaluate(PLAYER_TIME)

    listener.locator("#main").get_by_role("link", name=titles[0]).first.click()
    expect(listener.get_by_role("heading", level=1, name=titles[0])).to_be_focused()
    expect(listener).to_have_title(f"{titles[0]} by {_artist} · Soundstage")
    listener.locator("#main").get_by_role("link", name=_artist).first.click()
    expect(listener.get_by_role("heading", level=1)).to_contain_text(_artist)
    listener.get_by_role("navigation", name="Main").get_by_role("link", name="Library").click()
    expect(listener.get_by_role("heading", level=1, name="Library")).to_be_focused()
    expect(listener.get_by_role("link", name="Library")).to_have_attribute("aria-current", "page")
    listener.go_back()
    expect(listener.get_by_role("heading", level=1)).to_contain_text(_artist)
    listener.wait_for_timeout(500)

    assert listener.evaluate("() => window.unloadedNever === true")
    assert listener.evaluate(PLAYER_SRC) == source
    assert listener.evaluate(PLAYER_TIME) > started
    assert listener.evaluate(PLAYING) == 1
    expect(player(listener).get_by_role("button", name="Pause", exact=True)).to_be_visible()
    # Showing the player and every swap of <main> moved nothing the reader did not ask for.
    assert listener.evaluate("() => window.unexpectedShift") < 0.01

    # The listener heard more than 3 s: the release page counts the play.
    listener.locator("#main").get_by_role("link", name=titles[1]).first.click()
    expect(listener.locator("#release-plays")).to_have_text("1 play")


def test_next_plays_the_next_card_and_the_queue_survives_a_reload(new_page, live_server):
    """Next moves down the list the track came from; a reload keeps the queue."""
    page = new_page()
    username, titles = artist_with_releases(live_server, page)
    listener = new_page()
    listener.goto(live_server.at(f"/u/{username}"))
    play_card(listener, titles[0])
    player(listener).get_by_role("button", name="Next").click()
    expect(player(listener).get_by_role("link", name=titles[1])).to_be_visible()
    listener.wait_for_function("() => !document.getElementById('player-audio').paused")
    assert listener.evaluate(PLAYING) == 1
    player(listener).get_by_role("button", name="Previous").click()
    player(listener).get_by_role("button", name="Previous").click()
    expect(player(listener).get_by_role("link", name=titles[0])).to_be_visible()
    # One play control per card: with JavaScript the cards carry no <audio> of their own.
    # (The no-JS fallback's <audio> sits in <noscript>; a swapped-in card parses it, hidden.)
    expect(listener.locator("article.release-card audio:visible")).to_have_count(0)
    play_card(listener, titles[2])
    assert listener.evaluate(PLAYING) == 1

    listener.reload()
    expect(player(listener)).to_be_visible()
    expect(player(listener).get_by_role("link", name=titles[2])).to_be_visible()
    player(listener).get_by_role("button", name="Previous").click()
    expect(player(listener).get_by_role("link", name=titles[1])).to_be_visible()


def test_release_page_embed_and_share_are_accessible(new_page, live_server):
    """The release page (with the player open) and the embed page: axe finds nothing."""
    page = new_page()
    username, titles = artist_with_releases(live_server, page, count=2)
    visitor = new_page()
    visitor.goto(live_server.at(f"/u/{username}"))
    visitor.get_by_role("link", name=titles[0]).first.click()
    expect(visitor.get_by_role("heading", level=1, name=titles[0])).to_be_visible()
    expect(visitor.get_by_role("link", name=username).first).to_be_visible()
    expect(visitor.get_by_text("0 plays", exact=True)).to_be_visible()
    expect(visitor.locator(".lyrics")).to_contain_text("second line")
    assert_accessible(visitor, "on the release page")
    # Click-to-seek: halfway along the waveform starts the track near its middle.
    waveform = visitor.locator("img[data-seek-release]")
    box = waveform.bounding_box()
    waveform.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    expect(player(visitor).get_by_role("link", name=titles[0])).to_be_visible()
    visitor.wait_for_function("() => document.getElementById('player-audio').currentTime > 8")
    assert_accessible(visitor, "with the player open")
    visitor.context.grant_permissions(["clipboard-read", "clipboard-write"])
    visitor.locator("#release-details").get_by_role("button", name="Share").click()
    dialog = visitor.get_by_role("dialog", name="Share")
    dialog.get_by_role("button", name="Copy link").click()
    expect(dialog.get_by_role("status")).to_contain_text("/releases/")
    dialog.get_by_role("button", name="Embed").click()
    code = dialog.get_by_role("textbox", name="Embed code")
    expect(code).to_have_value(re.compile(r'^<iframe src="http://[^"]+/embed/[0-9]+"'))
    expect(dialog.locator("iframe.share-preview")).to_be_visible()
    assert_accessible(visitor, "with the share dialog open")
    visitor.keyboard.press("Escape")

    embed = new_page()
    release_id = visitor.locator("#release-details [data-play]").get_attribute("data-play")
    embed.goto(live_server.at(f"/embed/{release_id}"))
    expect(embed.get_by_role("heading", name=titles[0])).to_be_visible()
    assert_accessible(embed, "on the embed page")


def test_the_player_works_by_keyboard_alone(new_page, live_server):
    """Tab to a card's button, Enter plays; Space pauses; the slider seeks; ? opens help."""
    page = new_page()
    username, titles = artist_with_releases(live_server, page, count=2)
    listener = new_page()
    listener.goto(live_server.at(f"/u/{username}"))
    button = listener.get_by_role("button", name=f"Play “{titles[0]}”")
    for _ in range(60):
        listener.keyboard.press("Tab")
        if button.evaluate("b => b === document.activeElement"):
            break
    expect(button).to_be_focused()
    listener.keyboard.press("Enter")
    listener.wait_for_function("() => document.getElementById('player-audio')?.currentTime > 0.3")
    said = f"Playing “{titles[0]}” by {username}, 1 of"
    expect(listener.locator("#player-status")).to_contain_text(said)
    listener.get_by_role("heading", level=1).evaluate("h => { h.tabIndex = -1; h.focus(); }")
    listener.keyboard.press(" ")
    expect(player(listener).get_by_role("button", name="Play", exact=True)).to_be_visible()
    listener.keyboard.press(" ")
    expect(player(listener).get_by_role("button", name="Pause", exact=True)).to_be_visible()
    seek = player(listener).get_by_role("slider", name="Seek")
    seek.focus()
    before = listener.evaluate(PLAYER_TIME)
    for _ in range(5):
        listener.keyboard.press("ArrowRight")
    assert listener.evaluate(PLAYER_TIME) >= before + 4
    listener.get_by_role("heading", level=1).focus()
    listener.keyboard.press("?")
    dialog = listener.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Space")
    assert_accessible(listener, "with the shortcuts dialog open")
    listener.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    player(listener).get_by_role("button", name="Keyboard shortcuts").focus()
    listener.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    listener.keyboard.press("Enter")  # "Close" has focus
    expect(dialog).to_be_hidden()


def test_without_javascript_every_page_plays_its_own_cards(new_page, live_server):
    """No player, no play buttons: each card's own <audio> with a reachable track."""
    page = new_page()
    username, titles = artist_with_releases(live_server, page, count=2)
    plain = new_page(javascript=False)
    release_url = None
    for path in ("/explore", f"/u/{username}"):
        plain.goto(live_server.at(path))
        expect(plain.get_by_role("region", name="Player")).to_be_hidden()
        card = plain.locator("article.release-card").filter(has_text=titles[0]).first
        expect(card.get_by_role("button", name=f"Play “{titles[0]}”")).to_be_hidden()
        audio = card.locator("audio")
        expect(audio).to_be_visible()
        response = plain.request.get(live_server.at(audio.get_attribute("src")))
        assert response.ok and response.headers["content-type"].startswith("audio/")
        release_url = card.get_by_role("link", name=titles[0], exact=True).get_attribute("href")
    plain.goto(live_server.at(release_url))
    expect(plain.get_by_role("heading", level=1, name=titles[0])).to_be_visible()
    expect(plain.locator("audio.release-audio")).to_be_visible()
    expect(plain.get_by_role("link", name=live_server.at(release_url))).to_be_visible()
    # Share without JavaScript: the share page holds the link and the embed code.
    plain.locator("#release-details").get_by_role("link", name="Share").click()
    expect(plain.get_by_role("heading", level=1)).to_contain_text(titles[0])
    expect(plain.get_by_role("textbox", name="Link")).to_have_value(live_server.at(release_url))
    expect(plain.get_by_role("textbox", name="Embed code")).to_have_value(re.compile(r'^<iframe src="http://[^"]+/embed/'))


TRANSFERRED = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  return {document: nav.transferSize, html: nav.encodedBodySize,
          total: nav.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0)};
}"""
BOOSTED = """path => performance.getEntriesByType('resource')
  .filter(r => r.initiatorType === 'fetch' && r.name.endsWith(path))
  .map(r => ({transferred: r.transferSize, html: r.encodedBodySize})).pop()"""


def test_a_boosted_navigation_moves_a_third_of_the_bytes(new_page, live_server):
    """Bytes of a boosted navigation against a full load of the same page, in one run
    (figures printed for docs/benchmarks.md)."""
    page = new_page()
    username, titles = artist_with_releases(live_server, page, count=3)
    page.goto(live_server.at(f"/u/{username}"))
    release_path = page.get_by_role("link", name=titles[0]).first.evaluate("a => a.pathname")
    figures = {}
    for path in ("/explore", f"/u/{username}", release_path):
        cold = new_page()
        cold.goto(live_server.at(path))
        full = cold.evaluate(TRANSFERRED)
        cold.reload()
        warm = cold.evaluate(TRANSFERRED)
        visitor = new_page()
        visitor.goto(live_server.at("/"))
        visitor.locator("#main").evaluate(
            "(main, p) => { const a = document.createElement('a'); a.href = p;"
            " a.textContent = 'go'; main.append(a); htmx.process(a); a.click(); }", path)
        visitor.wait_for_function(f"() => location.pathname === {path!r}")
        visitor.wait_for_function(BOOSTED, arg=path)
        boosted = visitor.evaluate(BOOSTED, path)
        figures[path] = {"boosted": boosted, "full cold": full, "full warm": warm}
        assert boosted["transferred"] * 3 <= full["total"], figures[path]
    print("\nBYTES", figures)


def test_editing_a_release_shows_on_open_pages(new_page, live_server):
    """The owner edits a release; its page open in another tab follows without a reload."""
    page = new_page()
    username, titles = artist_with_releases(live_server, page, count=1)
    page.goto(live_server.at(f"/u/{username}"))
    page.get_by_role("link", name=titles[0]).first.click()
    expect(page.get_by_role("heading", level=1, name=titles[0])).to_be_visible()
    other_tab = page.context.new_page()
    other_tab.goto(page.url)
    page.get_by_role("link", name="Edit release").click()
    page.get_by_label("Title").fill("Renamed Song")
    page.get_by_label("Mood").select_option("other")
    page.get_by_role("textbox", name="Or type your own").nth(1).fill("stormy")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1, name="Renamed Song")).to_be_focused()
    expect(page).to_have_url(re.compile(r"/releases/[0-9]+-renamed-song$"))
    expect(page.locator("#flashes")).to_contain_text("Saved “Renamed Song”.")
    expect(other_tab.get_by_role("heading", level=1, name="Renamed Song")).to_be_visible()
    expect(other_tab.locator("#release-details")).to_contain_text("stormy")
    other_tab.close()
