"""Sign up, log out and log in in a real browser: with htmx, without JavaScript, by keyboard."""

from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, assert_accessible, log_out, sign_up, unique_name


def test_signup_and_login_pages_have_no_axe_violations(page, live_server):
    """Both forms pass axe-core's WCAG 2.2 AA rules, including with an error shown."""
    page.goto(live_server.at("/signup"))
    assert_accessible(page, "on /signup")
    page.goto(live_server.at("/login"))
    assert_accessible(page, "on /login")
    page.get_by_label("Username").fill("nobody-here")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Incorrect username or password.")).to_be_visible()
    assert_accessible(page, "on /login with an error")


def test_signup_logout_login_with_htmx(page, live_server):
    """The whole flow works with JavaScript on, through htmx requests."""
    username = sign_up(page, live_server)
    expect(page).to_have_url(live_server.at("/studio"))
    log_out(page)
    expect(page).to_have_url(live_server.at("/login"))
    page.get_by_label("Username").fill(username.upper())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name=username, exact=True)).to_be_visible()


def test_duplicate_name_shows_inline_error_without_reload(page, live_server):
    """A taken name (any case) is refused next to the field, and the page is not reloaded."""
    username = sign_up(page, live_server)
    log_out(page)
    page.goto(live_server.at("/signup"))
    page.evaluate("window.__marker = 42")
    page.get_by_label("Username").fill(username.upper())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text("That username is taken")).to_be_visible()
    assert page.evaluate("window.__marker") == 42
    expect(page.get_by_label("Username")).to_have_attribute("aria-invalid", "true")


def test_flow_with_javascript_disabled(new_page, live_server):
    """Plain forms and redirects carry the whole flow without JavaScript."""
    page = new_page(javascript=False)
    username = sign_up(page, live_server)
    log_out(page)
    expect(page).to_have_url(live_server.at("/login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name=username, exact=True)).to_be_visible()


def test_flow_by_keyboard_alone(page, live_server):
    """Tab, type and Enter suffice from the skip link to signed in, out, and in again."""
    username = unique_name("kb")
    page.goto(live_server.at("/signup"))
    # The form focuses its first field; Shift+Tab walks back to the skip link.
    expect(page.get_by_label("Username")).to_be_focused()
    for _ in range(10):
        page.keyboard.press("Shift+Tab")
        if page.get_by_role("link", name="Skip to content").evaluate(
            "el => el === document.activeElement"
        ):
            break
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    _tab_until(page, "Username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name=username, exact=True)).to_be_visible()
    # By keyboard: Tab to the account menu's button, Enter opens it, Tab to Log out.
    account = page.get_by_role("button", name="Account", exact=True)
    for _ in range(20):
        if account.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(account).to_be_focused()
    page.keyboard.press("Enter")
    logout = page.get_by_role("button", name="Log out")
    for _ in range(20):
        if logout.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(logout).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.at("/login"))
    _tab_until(page, "Username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name=username, exact=True)).to_be_visible()


def _tab_until(page, label: str, limit: int = 25) -> None:
    """Press Tab until the field labelled `label` has focus."""
    field = page.get_by_label(label)
    for _ in range(limit):
        if field.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    expect(field).to_be_focused()
