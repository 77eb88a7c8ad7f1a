"""Share and embed in a real browser: the embed at 280 px wide keeps a usable seek bar."""

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_listening_browser import artist_with_releases


def test_the_embed_at_280_px_has_a_usable_seek_bar(browser, new_page, live_server):
    """A 280 × 160 frame: Play plays, the Seek slider is ≥ 100 px wide and moves the track."""
    page = new_page()
    username, titles = artist_with_releases(live_server, page, count=1)
    page.goto(live_server.at(f"/u/{username}"))
    release_id = page.locator("button[data-play]").first.get_attribute("data-play")
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 280, "height": 160}, color_scheme=scheme)
        embed = context.new_page()
        embed.goto(live_server.at(f"/embed/{release_id}"))
        expect(embed.get_by_role("heading", name=titles[0])).to_be_visible()
        seek = embed.get_by_role("slider", name="Seek")
        box = seek.bounding_box()
        assert box["width"] >= 100, box
        assert box["x"] >= 0 and box["x"] + box["width"] <= 280, box
        assert embed.evaluate("() => document.documentElement.scrollWidth") <= 280
        embed.get_by_role("button", name="Play").click()
        embed.wait_for_function("() => document.getElementById('embed-audio').currentTime > 0.3")
        expect(embed.get_by_role("button", name="Pause")).to_be_visible()
        seek.focus()
        for _ in range(5):
            embed.keyboard.press("ArrowRight")
        assert embed.evaluate("() => document.getElementById('embed-audio').currentTime") >= 4
        assert_accessible(embed, f"on the embed at 280 px ({scheme})")
        context.close()
