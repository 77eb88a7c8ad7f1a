"""Product flows in a real browser: a notification opens the release page at the comment,
comment counts update live, a report on a post reaches the admin queue, reporting works
with JavaScript off, and a shared network's 31st log-in gets in."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, assert_accessible, sign_up, unique_name
from tests.browser.test_social_browser import published_release
from tests.factories import user_id_of
from webapp import db
from webapp.moderation import reports


def _release_page(page: Page, live_server, release_id: int) -> None:
    """Open a release's own page (its short address redirects to the readable one)."""
    page.goto(live_server.at(f"/releases/{release_id}"))


def test_a_notification_opens_the_release_page_at_the_comment(new_page, live_server):
    """Bob comments; Alice's notification leads to the release page, scrolled to it."""
    alice_page, bob_page = new_page(), new_page()
    alice = sign_up(alice_page, live_server, unique_name("alice"))
    sign_up(bob_page, live_server, unique_name("bob"))
    release_id, title = published_release(live_server, alice)
    _release_page(bob_page, live_server, release_id)
    bob_page.get_by_label("Comment", exact=True).fill("The bridge is lovely")
    bob_page.get_by_role("button", name="Post comment").click()
    expect(bob_page.locator("#comment-thread .comment")).to_have_count(1)

    alice_page.set_viewport_size({"width": 390, "height": 844})
    alice_page.goto(live_server.at("/notifications"))
    item = alice_page.locator("#notification-list li").first
    expect(item).to_contain_text("Unread")
    item.get_by_role("link", name=f"“{title}”").click()
    expect(alice_page).to_have_url(re.compile(rf"/releases/{release_id}-[^#]*#comment-\d+$"))
    comment = alice_page.locator(".comment", has_text="The bridge is lovely")
    expect(comment).to_be_in_viewport()
    expect(alice_page.get_by_role("heading", level=1)).to_have_text(title)


def test_comment_counts_update_live(new_page, live_server):
    """Posting a comment moves the card's count with no reload, on this page and another."""
    alice_page, bob_page = new_page(), new_page()
    alice = sign_up(alice_page, live_server, unique_name("alice"))
    sign_up(bob_page, live_server, unique_name("bob"))
    release_id, _title = published_release(live_server, alice)
    _release_page(alice_page, live_server, release_id)
    _release_page(bob_page, live_server, release_id)
    alice_count = alice_page.locator("#release-page-social .comments-link")
    bob_count = bob_page.locator("#release-page-social .comments-link")
    expect(bob_count).to_have_text("0 comments")
    bob_page.get_by_label("Comment", exact=True).fill("First!")
    bob_page.get_by_role("button", name="Post comment").click()
    expect(bob_page.locator("#comment-thread-heading")).to_contain_text("(1)")
    expect(bob_count).to_have_text("1 comment")
    # The owner's open page hears the comment over the live stream.
    expect(alice_count).to_have_text("1 comment")


def test_a_report_on_a_post_reaches_the_admin_queue(new_page, live_server):
    """Bob reports Alice's post from a dialog of reasons; the admin sees it and hides it."""
    alice_page, bob_page, admin_page = new_page(), new_page(), new_page()
    alice = sign_up(alice_page, live_server, unique_name("alice"))
    sign_up(bob_page, live_server, unique_name("bob"))
    admin = sign_up(admin_page, live_server, unique_name("admin"))
    with live_server.app.app_context():
        assert reports.make_admin(db.session(), admin)
    body = f"Buy followers now {unique_name('')}"
    alice_page.goto(live_server.at(f"/u/{alice}"))
    alice_page.get_by_role("textbox", name="Post").fill(body)
    alice_page.get_by_role("button", name="Publish post").click()
    expect(alice_page.locator(".post-item", has_text=body)).to_be_visible()

    bob_page.goto(live_server.at(f"/u/{alice}"))
    post = bob_page.locator(".post-item", has_text=body)
    post.get_by_role("button", name="Report").click()
    dialog = post.get_by_role("dialog", name=re.compile("^Report"))
    expect(dialog).to_be_visible()
    assert_accessible(bob_page, "with the report dialog open")
    dialog.get_by_label("Spam or advertising").check()
    dialog.get_by_label(re.compile("^Details")).fill("Selling followers")
    dialog.get_by_role("button", name="Send report").click()
    expect(post).to_contain_text("Reported. Thank you")

    admin_page.goto(live_server.at("/admin/reports"))
    entry = admin_page.locator("li", has_text=body)
    expect(entry).to_contain_text("Spam or advertising: Selling followers")
    entry.get_by_role("button", name="Hide post").click()
    expect(entry).to_have_count(0)
    bob_page.goto(live_server.at(f"/u/{alice}"))
    expect(bob_page.locator(".post-item", has_text=body)).to_have_count(0)


def test_reporting_a_profile_works_without_javascript(new_page, live_server):
    """JS off: Report opens the report page; sending it returns with a thank-you."""
    alice = sign_up(new_page(), live_server, unique_name("alice"))
    page = new_page(javascript=False)
    page.goto(live_server.at("/login"))
    bob = unique_name("bob")
    page.goto(live_server.at("/signup"))
    page.get_by_label("Username").fill(bob)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.goto(live_server.at(f"/u/{alice}"))
    page.get_by_role("button", name="Report").click()
    expect(page).to_have_url(re.compile(rf"/report/user/{user_id_of(live_server.app, alice)}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Report {alice}")
    page.get_by_label("Pretending to be someone else").check()
    page.get_by_role("button", name="Send report").click()
    expect(page).to_have_url(re.compile(rf"/u/{alice}$"))
    expect(page.locator("#flashes")).to_contain_text("an admin will review your report")


def test_thirty_log_ins_from_one_address_then_a_thirty_first(new_page, live_server):
    """A shared network: 30 right passwords from one address, and the 31st still gets in."""
    app = live_server.app
    limit = app.config["LIMIT_PASSWORD_CHECKS_PER_CLIENT"]
    app.config["LIMIT_PASSWORD_CHECKS_PER_CLIENT"] = "30 per 15 minutes"
    try:
        page = new_page(javascript=False)
        name = sign_up(new_page(), live_server, unique_name("office"))
        for _ in range(31):
            page.goto(live_server.at("/login"))
            page.get_by_label("Username").fill(name)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            # Signed in: without JavaScript the account menu is a link to the menu page.
            expect(page.get_by_role("link", name="Account", exact=True)).to_be_visible()
            page.context.clear_cookies()
    finally:
        app.config["LIMIT_PASSWORD_CHECKS_PER_CLIENT"] = limit
