"""Navigation in a real browser: the account menu, the phone's one-row header and its Menu,
the menu page without JavaScript; axe with the menus open in both themes."""

from playwright.sync_api import Page, expect
from sqlalchemy import update

from tests.browser.conftest import PASSWORD, assert_accessible, sign_up, unique_name
from webapp import db
from webapp.models import User

PHONE = {"width": 390, "height": 844}


def make_admin(app, username: str) -> None:
    """Give `username` the admin flag, as `flask make-admin` would."""
    with app.app_context(), db.standalone_session(app) as session:
        session.execute(update(User).where(User.username == username).values(is_admin=True))
        session.commit()


def test_account_settings_from_the_library_by_clicks_alone(page: Page, live_server):
    """Library → Account → Account settings; the menu also holds the profile pages."""
    username = sign_up(page, live_server)
    page.goto(live_server.at("/library"))
    account = page.get_by_role("button", name="Account", exact=True)
    expect(account).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("link", name="Account settings")).to_be_hidden()
    account.click()
    expect(account).to_have_attribute("aria-expanded", "true")
    menu = page.locator("#account-menu")
    for name in ("Profile", "Profile settings", "Account settings", "Notifications"):
        expect(menu.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(menu.get_by_role("button", name="Log out")).to_be_visible()
    expect(menu.get_by_role("link", name="Admin")).to_have_count(0)
    menu.get_by_role("link", name="Account settings").click()
    expect(page.get_by_role("heading", level=1, name="Account")).to_be_visible()
    expect(page).to_have_url(live_server.at("/settings/account"))
    # The menu closed with the navigation; Escape closes it too and gives focus back.
    expect(account).to_have_attribute("aria-expanded", "false")
    account.click()
    page.keyboard.press("Escape")
    expect(account).to_have_attribute("aria-expanded", "false")
    expect(account).to_be_focused()
    # Profile settings in two clicks as well.
    account.click()
    menu.get_by_role("link", name="Profile settings").click()
    expect(page).to_have_url(live_server.at("/settings/profile"))
    account.click()
    menu.get_by_role("link", name="Profile", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(username)


def test_admins_find_the_admin_queue_in_the_menu(page: Page, live_server):
    """An admin's account menu has "Admin", which opens the reports queue."""
    username = sign_up(page, live_server)
    make_admin(live_server.app, username)
    page.goto(live_server.at("/library"))
    page.get_by_role("button", name="Account", exact=True).click()
    page.locator("#account-menu").get_by_role("link", name="Admin").click()
    expect(page).to_have_url(live_server.at("/admin/reports"))


def test_the_phone_header_is_one_row_with_a_keyboard_menu(browser, live_server):
    """390 px: the header ≤ 64 px tall; Menu opens by keyboard and holds every destination."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.at("/signup"))
    page.get_by_label("Username").fill(unique_name())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(live_server.at("/studio"))
    page.goto(live_server.at("/library"))
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 64, header
    menu_button = page.get_by_role("button", name="Menu")
    expect(page.get_by_role("link", name="Explore")).to_be_hidden()
    menu_button.focus()
    page.keyboard.press("Enter")
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    for name in ("Studio", "Library", "Explore", "Profile", "Profile settings", "Account settings"):
        link = page.locator("#site-menu").get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
    page.keyboard.press("Escape")
    expect(menu_button).to_be_focused()
    expect(page.get_by_role("link", name="Explore")).to_be_hidden()
    page.keyboard.press("Enter")
    page.locator("#site-menu").get_by_role("link", name="Account settings").click()
    expect(page.get_by_role("heading", level=1, name="Account")).to_be_visible()
    context.close()


def test_without_javascript_the_menu_page_leads_everywhere(new_page, live_server):
    """JS off: the header links to /menu (phone and desktop); it lists every destination."""
    page = new_page()
    sign_up(page, live_server)
    state = page.context.storage_state()
    plain = page.context.browser.new_context(java_script_enabled=False, storage_state=state)
    try:
        tab = plain.new_page()
        tab.goto(live_server.at("/library"))
        expect(tab.get_by_role("button", name="Account", exact=True)).to_be_hidden()
        tab.get_by_role("link", name="Account", exact=True).click()
        expect(tab).to_have_url(live_server.at("/menu"))
        expect(tab.get_by_role("heading", level=1, name="Menu")).to_be_visible()
        for name in ("Studio", "Library", "Explore", "Search", "Profile", "Profile settings",
                     "Account settings", "Notifications"):
            expect(tab.locator("#main").get_by_role("link", name=name, exact=True)).to_be_visible()
        tab.locator("#main").get_by_role("link", name="Account settings").click()
        expect(tab.get_by_role("heading", level=1, name="Account")).to_be_visible()
        tab.set_viewport_size(PHONE)
        tab.goto(live_server.at("/explore"))
        tab.get_by_role("link", name="Menu", exact=True).click()
        expect(tab).to_have_url(live_server.at("/menu"))
        tab.locator("#main").get_by_role("button", name="Log out").click()
        expect(tab).to_have_url(live_server.at("/login"))
    finally:
        plain.close()


def test_axe_finds_nothing_with_the_menus_open_in_both_themes(browser, live_server):
    """Light and dark, desktop account menu and the phone's Menu open: no WCAG 2.2 AA violation."""
    setup = browser.new_context()
    sign_up(setup.new_page(), live_server)
    state = setup.storage_state()
    setup.close()
    for scheme in ("light", "dark"):
        for viewport, button in (({"width": 1280, "height": 800}, "Account"), (PHONE, "Menu")):
            context = browser.new_context(
                viewport=viewport, color_scheme=scheme, storage_state=state)
            page = context.new_page()
            page.goto(live_server.at("/library"))
            page.get_by_role("button", name=button).click()
            expect(page.get_by_role("link", name="Account settings")).to_be_visible()
            assert_accessible(page, f"with the {button} menu open ({scheme})")
            context.close()
