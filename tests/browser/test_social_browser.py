"""Social in a real browser: two people; one likes, follows and comments; the other's
Notifications count goes up live, the page lists and reads them; JavaScript off too."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, sign_up, unique_name
from tests.browser.test_publishing_browser import give_media, release_article
from tests.factories import make_release, user_id_of
from webapp import db
from webapp.models import Media


def published_release(live_server, username: str) -> tuple[int, str]:
    """A published release of the user's (real media), and its title."""
    give_media(live_server, username)
    user_id = user_id_of(live_server.app, username)
    with live_server.app.app_context():
        session = db.session()
        music = session.query(Media.id).filter_by(user_id=user_id, kind="music").scalar()
        image = session.query(Media.id).filter_by(user_id=user_id, kind="image").scalar()
    title = f"Shared {unique_name('')}"
    return make_release(live_server.app, user_id, music, image, published=True,
                        title=title), title


def nav_notifications(page: Page):
    """The nav's Notifications link."""
    return page.get_by_role("navigation", name="Main").get_by_role(
        "link", name=re.compile(r"^Notifications"))


def test_like_follow_comment_reach_the_other_person_live(new_page, live_server):
    """Bob acts in his browser; Alice's open page counts up without any action of hers."""
    alice_page, bob_page = new_page(), new_page()
    alice = sign_up(alice_page, live_server, unique_name("alice"))
    bob = sign_up(bob_page, live_server, unique_name("bob"))
    release_id, title = published_release(live_server, alice)
    alice_page.goto(live_server.at("/library"))
    expect(nav_notifications(alice_page)).to_have_text("Notifications")

    bob_page.goto(live_server.at("/explore"))
    card = release_article(bob_page, title)
    like = card.get_by_role("button", name="Like")
    expect(like).to_have_attribute("aria-pressed", "false")
    like.click()
    expect(card.get_by_role("button", name="Like")).to_have_attribute("aria-pressed", "true")
    expect(card).to_contain_text("1 like")
    expect(nav_notifications(alice_page)).to_have_text(re.compile(r"Notifications\s*1"))

    bob_page.goto(live_server.at(f"/u/{alice}"))
    bob_page.get_by_role("button", name="Follow").click()
    expect(bob_page.get_by_role("button", name="Unfollow")).to_be_visible()
    expect(bob_page.locator("#follow-box")).to_contain_text("1 follower")
    expect(nav_notifications(alice_page)).to_have_text(re.compile(r"Notifications\s*2"))

    bob_page.goto(live_server.at(f"/comments/release/{release_id}"))
    bob_page.get_by_label("Comment", exact=True).fill("Lovely track\nsecond line")
    bob_page.get_by_role("button", name="Post comment").click()
    expect(bob_page.locator("#comment-thread .comment")).to_have_count(1)
    expect(bob_page.get_by_label("Comment", exact=True)).to_have_value("")
    expect(nav_notifications(alice_page)).to_have_text(re.compile(r"Notifications\s*3"))
    assert_accessible(bob_page, "on the comment thread")

    nav_notifications(alice_page).click()
    listing = alice_page.locator("#notification-list")
    expect(listing).to_contain_text(f"{bob} liked your release “{title}”")
    expect(listing).to_contain_text(f"{bob} started following you")
    expect(listing).to_contain_text(f"{bob} commented on “{title}”")
    # Seeing changes nothing; "Mark all read" does, and the count goes away.
    expect(listing.locator(".unread")).to_have_count(3)
    alice_page.get_by_role("button", name="Mark all read").click()
    expect(listing.locator(".unread")).to_have_count(0)
    alice_page.goto(live_server.at("/library"))
    expect(nav_notifications(alice_page)).to_have_text("Notifications")
    assert_accessible(alice_page, "after reading notifications")

    bob_page.goto(live_server.at("/explore"))
    bob_page.get_by_role("link", name="Following").click()
    expect(release_article(bob_page, title)).to_be_visible()
    bob_page.get_by_role("link", name="Everyone").click()
    # The boosted navigation swaps <main> (and the search box in it): type once it has landed.
    expect(bob_page).to_have_url(re.compile(r"/explore$"))
    expect(bob_page.get_by_role("link", name="Everyone")).to_have_attribute("aria-current", "page")
    # Typed, not submitted: the fragment arrives as you type.
    bob_page.get_by_role("searchbox", name="Search").press_sequentially(title.split()[1][:5])
    expect(bob_page.locator("#search-results")).to_contain_text(title)


def test_every_action_works_without_javascript(new_page, live_server):
    """Like, follow, comment, report and read notifications through plain forms."""
    alice_page, bob_page = new_page(javascript=False), new_page(javascript=False)
    alice = sign_up(alice_page, live_server, unique_name("alice"))
    sign_up(bob_page, live_server, unique_name("bob"))
    release_id, title = published_release(live_server, alice)

    bob_page.goto(live_server.at("/explore"))
    card = release_article(bob_page, title)
    card.get_by_role("button", name="Like").click()
    card = release_article(bob_page, title)
    expect(card.get_by_role("button", name="Like")).to_have_attribute("aria-pressed", "true")
    expect(bob_page.get_by_text("You like this release.")).to_be_visible()

    bob_page.goto(live_server.at(f"/u/{alice}"))
    bob_page.get_by_role("button", name="Follow").click()
    expect(bob_page.get_by_role("button", name="Unfollow")).to_be_visible()

    bob_page.goto(live_server.at(f"/comments/release/{release_id}"))
    bob_page.get_by_label("Comment", exact=True).fill("No script needed")
    bob_page.get_by_role("button", name="Post comment").click()
    expect(bob_page.locator("#comment-thread")).to_contain_text("No script needed")

    bob_page.goto(live_server.at("/search?q=" + title.split()[1][:5]))
    expect(release_article(bob_page, title)).to_be_visible()

    alice_page.goto(live_server.at("/library"))
    expect(nav_notifications(alice_page)).to_have_text(re.compile(r"Notifications\s*3"))
    nav_notifications(alice_page).click()
    expect(alice_page.locator("#notification-list li")).to_have_count(3)
    alice_page.get_by_role("button", name="Mark all read").click()
    expect(alice_page.locator(".flash")).to_contain_text("All notifications are marked read.")
    alice_page.goto(live_server.at("/library"))
    expect(nav_notifications(alice_page)).to_have_text("Notifications")
    alice_page.goto(live_server.at(f"/comments/release/{release_id}"))
    alice_page.get_by_role("button", name=re.compile("Delete comment")).click()
    expect(alice_page.locator("#comment-thread .comment")).to_have_count(0)
