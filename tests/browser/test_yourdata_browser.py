"""Your data in a real browser: export and delete by keyboard alone, without JavaScript,
and axe-core finds nothing on the account and profile settings pages."""

import zipfile

from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, STREAM_OPEN, assert_accessible, sign_up
from tests.factories import make_media, user_id_of


def tab_to(page: Page, target, limit: int = 60) -> None:
    """Press Tab until `target` (a locator) has focus."""
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    expect(target).to_be_focused()


def test_export_then_delete_by_keyboard_alone(page, live_server):
    """Start an export, download it and delete the account with Tab, typing and Enter."""
    username = sign_up(page, live_server)
    make_media(live_server.app, user_id_of(live_server.app, username), "image", "keyboard cover")
    page.goto(live_server.at("/settings/account"))
    assert_accessible(page, "on /settings/account")

    tab_to(page, page.get_by_role("button", name="Export my data"))
    page.keyboard.press("Enter")
    download_link = page.get_by_role("link", name="Download your data (ZIP)")
    expect(download_link).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("ready to download")
    assert_accessible(page, "on /settings/account with an export ready")
    tab_to(page, download_link)
    with page.expect_download() as caught:
        page.keyboard.press("Enter")
    archive = zipfile.ZipFile(caught.value.path())
    assert "media/Keyboard cover.webp" in archive.namelist()

    password = page.get_by_label("Password", exact=True)
    tab_to(page, password)
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type(username + "x")
    page.keyboard.press("Enter")
    confirm = page.get_by_label(f"Type your username, {username}, to confirm")
    expect(confirm).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Type your username exactly as it is shown")).to_be_visible()
    assert_accessible(page, "on /settings/account with a deletion error")

    tab_to(page, password)
    page.keyboard.type(PASSWORD)
    tab_to(page, confirm)
    page.keyboard.type(username)
    tab_to(page, page.get_by_role("button", name="Delete account"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.at("/settings/account/deleted"))
    expect(page.get_by_role("heading", name="Account deleted", level=1)).to_be_visible()
    assert_accessible(page, "on the page after deletion")
    assert user_id_of(live_server.app, username) is None
    assert page.goto(live_server.at(f"/u/{username}")).status == 404


def test_export_without_javascript_refreshes_by_a_plain_link(new_page, live_server):
    """JavaScript off: the card offers "Check progress", which leads to the download."""
    page = new_page(javascript=False)
    sign_up(page, live_server)
    page.goto(live_server.at("/settings/account"))
    page.get_by_role("button", name="Export my data").click()
    expect(page.get_by_text("Your export is being prepared")).to_be_visible()
    download_link = page.get_by_role("link", name="Download your data (ZIP)")
    for _ in range(20):
        if download_link.count():
            break
        page.get_by_role("link", name="Check progress of your export").click()
        page.wait_for_timeout(250)
    expect(download_link).to_be_visible()


def test_profile_settings_and_public_profile_with_bio_links_and_banner(page, live_server):
    """The about form and a profile showing bio and links pass axe; the header updates live."""
    username = sign_up(page, live_server)
    page.goto(live_server.at("/settings/profile"))
    assert_accessible(page, "on /settings/profile")
    page.get_by_label("Bio").fill("Loops and long walks.")
    page.get_by_label("Link 1").fill("javascript:alert(1)")
    page.get_by_role("button", name="Update profile details").click()
    expect(page.get_by_label("Link 1")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "on /settings/profile with a link error")
    page.get_by_label("Link 1").fill("https://example.com/loops")
    page.get_by_role("button", name="Update profile details").click()
    expect(page.get_by_role("status")).to_contain_text("Profile saved.")
    preview = page.locator("#profile-header")
    expect(preview.get_by_text("Loops and long walks.")).to_be_visible()
    expect(preview.get_by_role("link", name="example.com/loops")).to_have_attribute(
        "rel", "me nofollow noopener")
    page.goto(live_server.at(f"/u/{username}"))
    expect(page.get_by_text("Loops and long walks.")).to_be_visible()
    assert_accessible(page, "on the public profile with bio and links")


def test_the_other_tabs_leave_when_the_account_is_deleted(page, live_server):
    """The live stream's last event sends the user's other tabs to the home page."""
    username = sign_up(page, live_server)
    other = page.context.new_page()
    other.goto(live_server.at("/library"))
    expect(other.locator("#live-events")).to_have_count(1)
    other.wait_for_function(STREAM_OPEN)
    page.goto(live_server.at("/settings/account"))
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label(f"Type your username, {username}, to confirm").fill(username)
    page.get_by_role("button", name="Delete account").click()
    expect(page.get_by_role("heading", name="Account deleted", level=1)).to_be_visible()
    expect(other).to_have_url(live_server.at("/"))
    expect(other.get_by_role("link", name="Log in")).to_be_visible()
