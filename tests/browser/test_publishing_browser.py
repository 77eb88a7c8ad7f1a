"""Releases, posts and explore in a real browser: htmx, JavaScript off, keyboard alone.

Tracks and covers come from tests/factories.make_media (the real job pipeline, run in
the test's thread against the live server's app), which is much faster than waiting
for the studio; everything after that goes through the pages.
"""

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import assert_accessible, sign_up, unique_name
from tests.factories import make_media, user_id_of


def give_media(live_server, username: str) -> None:
    """One finished track and one finished cover for the user."""
    user_id = user_id_of(live_server.app, username)
    make_media(live_server.app, user_id, "music", "a warm synth night drive")
    make_media(live_server.app, user_id, "image", "neon city at dusk")


def fill_release_form(page: Page, title: str) -> None:
    """Fill the Create release form (the newest track and cover are preselected)."""
    form = page.locator("#release-form")
    form.get_by_label("Title").fill(title)
    form.get_by_label("Genre").select_option("other")
    form.get_by_role("textbox", name="Or type your own").first.fill("synthwave")
    form.get_by_label("Mood").select_option("dreamy")
    expect(form.get_by_label("Track")).to_have_count(1)
    expect(form.get_by_label("Cover")).to_have_count(1)


def release_article(page: Page, title: str) -> Locator:
    """The (first) card of a release, found by its heading."""
    return page.locator("article.release-card").filter(
        has=page.get_by_role("heading", name=title, exact=True)
    ).first


def post_article(page: Page, text: str) -> Locator:
    """The article of a post, found by its text."""
    return page.locator("article.post-item").filter(has_text=text).first


def audio_loads(play: Locator) -> bool:
    """Whether the track of a card's Play button loads (readyState ≥ 1, i.e. loadedmetadata)."""
    return play.evaluate(
        """button => new Promise(resolve => {
            const audio = new Audio(button.dataset.src);
            audio.addEventListener('loadedmetadata', () => resolve(true), {once: true});
            audio.addEventListener('error', () => resolve(false), {once: true});
            audio.preload = 'metadata';
            audio.load();
        })"""
    )


def test_release_post_and_explore_with_htmx(new_page, live_server):
    """Create, publish, post; others (signed in or not) see it and can play it."""
    page = new_page()
    username = sign_up(page, live_server)
    give_media(live_server, username)
    title = f"Night Drive {unique_name('')}"

    page.goto(live_server.at("/library?tab=releases"))
    fill_release_form(page, title)
    page.get_by_role("button", name="Create release").click()
    card = release_article(page, title)
    expect(card).to_be_visible()  # the grid refreshed itself on library-changed
    expect(card.get_by_role("img", name=f"Cover art for {title}")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("")
    assert_accessible(page, "on the library's releases tab")
    card.get_by_role("button", name="Publish", exact=True).click()
    expect(release_article(page, title).get_by_role("button", name="Unpublish")).to_be_visible()

    page.get_by_role("link", name="Explore").click()
    expect(release_article(page, title)).to_be_visible()
    # A second tab of the author's: the live stream brings the post there, no reload.
    other_tab = page.context.new_page()
    other_tab.goto(live_server.at("/explore"))
    page.get_by_label("Post").fill("Out now!\nSecond line <b>not bold</b>")
    page.get_by_label("Attach release").select_option(label=title)
    page.get_by_role("button", name="Publish post").click()
    expect(page.locator("#status")).to_contain_text("Post published.")
    post = post_article(page, "Out now!")
    expect(post).to_be_visible()  # the feed refreshed itself on post-created
    expect(post).to_contain_text("Second line <b>not bold</b>")
    expect(post.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_label("Post")).to_have_value("")
    expect(post_article(other_tab, "Out now!")).to_be_visible()
    other_tab.close()
    assert_accessible(page, "on /explore after posting")

    page.get_by_role("link", name=username, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(username)
    expect(release_article(page, title)).to_be_visible()
    expect(post_article(page, "Out now!")).to_be_visible()
    assert_accessible(page, "on the author's profile")

    listener = new_page()
    sign_up(listener, live_server)
    listener.goto(live_server.at("/explore"))
    card = release_article(listener, title)
    assert audio_loads(card.locator("button[data-play]"))
    byline = card.get_by_role("link", name=username, exact=True)
    expect(byline).to_have_attribute("href", f"/u/{username}")
    assert_accessible(listener, "on /explore as another user")
    # Nothing changed: a visibility check answers 304 and the page stays as it is.
    with listener.expect_response(lambda r: "/explore/feed" in r.url) as checked:
        listener.evaluate("document.dispatchEvent(new CustomEvent('page-visible'))")
    assert checked.value.status == 304

    visitor = new_page()
    visitor.goto(live_server.at(f"/u/{username}"))
    assert audio_loads(release_article(visitor, title).locator("button[data-play]"))
    visitor.goto(live_server.at("/explore"))
    assert audio_loads(post_article(visitor, "Out now!").locator("button[data-play]"))
    assert_accessible(visitor, "on /explore as an anonymous visitor")

    # Unpublishing hides the release and closes its files again.
    page.goto(live_server.at("/library?tab=releases"))
    release_article(page, title).get_by_role("button", name="Unpublish").click()
    expect(release_article(page, title).get_by_role("button", name="Publish", exact=True)) \
        .to_be_visible()
    src = card.locator("button[data-play]").get_attribute("data-src")
    assert visitor.request.get(live_server.at(src)).status == 404
    visitor.goto(live_server.at("/explore"))
    expect(post_article(visitor, "Out now!")).to_be_visible()
    expect(post_article(visitor, "Out now!").locator("button[data-play]")).to_have_count(0)
    # Another user's open explore page catches up when the tab becomes visible again.
    listener.evaluate("document.dispatchEvent(new CustomEvent('page-visible'))")
    expect(release_article(listener, title)).to_have_count(0)
    expect(post_article(listener, "Out now!")).to_be_visible()


def test_release_post_and_explore_without_javascript(new_page, live_server):
    """Plain forms, 303 redirects and flashed messages carry the same flow."""
    page = new_page(javascript=False)
    username = sign_up(page, live_server)
    give_media(live_server, username)
    title = f"Plain {unique_name('')}"

    page.goto(live_server.at("/library?tab=releases"))
    page.get_by_role("button", name="Create release").click()  # empty: errors, nothing made
    expect(page.get_by_text("Title is required.")).to_be_visible()
    fill_release_form(page, title)
    page.get_by_role("button", name="Create release").click()
    expect(page).to_have_url(live_server.at("/library?tab=releases"))
    expect(page.get_by_text(f"Release “{title}” created.")).to_be_visible()
    release_article(page, title).get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text(f"“{title}” is published")).to_be_visible()

    page.get_by_role("link", name="Explore").click()
    page.get_by_label("Post").fill("No script needed")
    page.get_by_label("Attach release").select_option(label=title)
    page.get_by_role("button", name="Publish post").click()
    expect(page).to_have_url(live_server.at("/explore"))
    expect(page.get_by_text("Post published.")).to_be_visible()
    post = post_article(page, "No script needed")
    expect(post.get_by_role("heading", name=title)).to_be_visible()
    # (axe-core needs JavaScript: the same markup is checked in the htmx test.)

    post.locator("summary").click()
    post.get_by_role("button", name="Delete post").click()
    expect(page.get_by_text("Post deleted.")).to_be_visible()
    expect(post_article(page, "No script needed")).to_have_count(0)

    visitor = new_page(javascript=False)
    visitor.goto(live_server.at(f"/u/{username}"))
    audio = release_article(visitor, title).locator("audio")
    response = visitor.request.get(live_server.at(audio.get_attribute("src")))
    assert response.status == 200
    assert response.headers["content-type"].startswith("audio/")


def _focus_by_tab(page: Page, target: Locator, limit: int = 60) -> None:
    """Press Tab until `target` has focus (keyboard only: no clicks)."""
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    expect(target).to_be_focused()


def test_release_and_post_by_keyboard_alone(new_page, live_server):
    """Tab, type, arrow keys and Enter create, publish and post."""
    page = new_page()
    username = sign_up(page, live_server)
    give_media(live_server, username)
    title = f"Keys {unique_name('')}"

    page.goto(live_server.at("/library?tab=releases"))
    _focus_by_tab(page, page.get_by_label("Title"))
    page.keyboard.type(title)
    _focus_by_tab(page, page.get_by_label("Genre"))
    page.keyboard.type("ambient")  # a select's type-ahead
    _focus_by_tab(page, page.get_by_label("Mood"))
    page.keyboard.type("calm")
    _focus_by_tab(page, page.get_by_role("button", name="Create release"))
    page.keyboard.press("Enter")
    publish = release_article(page, title).get_by_role("button", name="Publish", exact=True)
    expect(publish).to_be_visible()
    _focus_by_tab(page, publish)
    page.keyboard.press("Enter")
    expect(release_article(page, title).get_by_role("button", name="Unpublish")).to_be_visible()

    page.goto(live_server.at("/explore"))
    _focus_by_tab(page, page.get_by_label("Post"))
    page.keyboard.type("Typed by keyboard")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # the first published release
    expect(page.get_by_label("Attach release")).not_to_have_value("")
    _focus_by_tab(page, page.get_by_role("button", name="Publish post"))
    page.keyboard.press("Enter")
    post = post_article(page, "Typed by keyboard")
    expect(post.get_by_role("heading", name=title)).to_be_visible()
    expect(post.get_by_role("link", name=username, exact=True).first).to_be_visible()
