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
        print(f"\nEMBED SEEK at 280 px ({scheme}): {box['width']:.0f} px wide")
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


def test_the_share_dialog_passes_axe_in_both_themes(browser, new_page, live_server):
    """Share → Copy link, Embed (code and preview): no WCAG 2.2 AA violation, light or dark."""
    page = new_page()
    username, titles = artist_with_releases(live_server, page, count=1)
    for scheme in ("light", "dark"):
        for viewport in ({"width": 1280, "height": 800}, {"width": 390, "height": 844}):
            context = browser.new_context(viewport=viewport, color_scheme=scheme)
            visitor = context.new_page()
            visitor.goto(live_server.at(f"/u/{username}"))
            visitor.locator("#main").get_by_role("button", name=f"Share “{titles[0]}”").click()
            dialog = visitor.get_by_role("dialog", name="Share")
            expect(dialog.get_by_role("button", name="Copy link")).to_be_visible()
            dialog.get_by_role("button", name="Embed").click()
            expect(dialog.get_by_role("textbox", name="Embed code")).to_be_visible()
            assert_accessible(visitor, f"with the share dialog open ({scheme})")
            context.close()
