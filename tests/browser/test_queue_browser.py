"""The queue in a real browser: Add to queue and Play next on cards (releases and library
tracks), the Queue dialog in order, reordering and removing by keyboard, clear, shuffle, repeat;
the phone's player ≤ 72 px; axe with the queue open in both themes."""

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_listening_browser import artist_with_releases, player


def queue_titles(page: Page) -> list[str]:
    """The Queue dialog's tracks, in order."""
    return page.locator("#queue-list .queue-track strong").all_inner_texts()


def test_add_play_next_reorder_remove_shuffle_and_repeat(new_page, live_server):
    """Cards feed the queue; the dialog lists it in order and reorders it by keyboard."""
    page = new_page()
    username, titles = artist_with_releases(live_server, page, count=3)
    first, second, third = titles
    listener = new_page()
    listener.goto(live_server.at(f"/u/{username}"))
    main = listener.locator("#main")
    main.get_by_role("button", name=f"Add to queue: “{second}”").click()
    expect(player(listener).get_by_role("link", name=second)).to_be_visible()
    main.get_by_role("button", name=f"Add to queue: “{first}”").click()
    main.get_by_role("button", name=f"Play next: “{third}”").click()

    player(listener).get_by_role("button", name="Queue").click()
    dialog = listener.get_by_role("dialog", name="Queue")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("list", name="Queue").get_by_role("listitem")).to_have_count(3)
    assert queue_titles(listener) == [second, third, first]
    assert_accessible(listener, "with the queue open")

    # By keyboard: Enter on "Move … up" moves the track and keeps focus on its button.
    move_up = dialog.get_by_role("button", name=f"Move “{first}” up")
    move_up.focus()
    listener.keyboard.press("Enter")
    expect(dialog.get_by_role("button", name=f"Move “{first}” up")).to_be_focused()
    assert queue_titles(listener) == [second, first, third]
    listener.keyboard.press("Enter")
    assert queue_titles(listener) == [first, second, third]
    dialog.get_by_role("button", name=f"Move “{first}” down").focus()
    listener.keyboard.press("Enter")
    assert queue_titles(listener) == [second, first, third]
    dialog.get_by_role("button", name=f"Remove “{third}”").focus()
    listener.keyboard.press("Enter")
    expect(dialog.get_by_role("listitem")).to_have_count(2)
    assert queue_titles(listener) == [second, first]
    listener.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # Shuffle keeps every track and the current one first; off again, the order comes back.
    shuffle = player(listener).get_by_role("button", name="Shuffle")
    shuffle.click()
    expect(shuffle).to_have_attribute("aria-pressed", "true")
    shuffle.click()
    expect(shuffle).to_have_attribute("aria-pressed", "false")
    player(listener).get_by_role("button", name="Queue").click()
    assert queue_titles(listener) == [second, first]
    listener.keyboard.press("Escape")

    # Repeat: Next past the last track wraps to the first.
    next_button = player(listener).get_by_role("button", name="Next")
    next_button.click()
    expect(player(listener).get_by_role("link", name=first)).to_be_visible()
    expect(next_button).to_have_attribute("aria-disabled", "true")
    repeat = player(listener).get_by_role("button", name="Repeat")
    repeat.click()
    expect(repeat).to_have_attribute("aria-pressed", "true")
    expect(next_button).to_have_attribute("aria-disabled", "false")
    next_button.click()
    expect(player(listener).get_by_role("link", name=second)).to_be_visible()
    listener.wait_for_function("() => !document.getElementById('player-audio').paused")

    # Clear keeps only what plays.
    player(listener).get_by_role("button", name="Queue").click()
    dialog.get_by_role("button", name="Clear queue").click()
    assert queue_titles(listener) == [second]


def test_library_tracks_join_the_queue(new_page, live_server):
    """A library track (no release) has the same controls and plays through the player."""
    page = new_page()
    artist_with_releases(live_server, page, count=1)
    page.goto(live_server.at("/library"))
    card = page.locator("article.media-card").first
    title = card.get_by_role("heading").inner_text()
    card.get_by_role("button", name=f"Add to queue: “{title}”").click()
    expect(player(page).get_by_role("link", name=title)).to_be_visible()
    expect(card.locator("audio")).to_have_count(0)
    card.get_by_role("button", name=f"Play “{title}”").click()
    page.wait_for_function("() => document.getElementById('player-audio').currentTime > 0.3")


def test_the_phone_player_is_one_row_and_axe_passes_in_both_themes(browser, new_page, live_server):
    """390 px: the player ≤ 72 px, no shortcuts button, no toast over it; queue open passes axe."""
    page = new_page()
    username, titles = artist_with_releases(live_server, page, count=2)
    for scheme in ("light", "dark"):
        for viewport in ({"width": 390, "height": 844}, {"width": 1280, "height": 800}):
            context = browser.new_context(viewport=viewport, color_scheme=scheme)
            listener = context.new_page()
            listener.goto(live_server.at(f"/u/{username}"))
            listener.get_by_role("button", name=f"Play “{titles[0]}”").click()
            expect(player(listener).get_by_role("link", name=titles[0])).to_be_visible()
            if viewport["width"] == 390:
                box = listener.locator("#player").bounding_box()
                assert box["height"] <= 72, box
                shortcuts = player(listener).get_by_role("button", name="Keyboard shortcuts")
                expect(shortcuts).to_be_hidden()
                expect(listener.locator("#status")).to_be_hidden()
            assert_accessible(listener, f"with the player open ({scheme}, {viewport['width']} px)")
            player(listener).get_by_role("button", name="Queue").click()
            expect(listener.get_by_role("dialog", name="Queue")).to_be_visible()
            assert_accessible(listener, f"with the queue open ({scheme}, {viewport['width']} px)")
            context.close()
