"""The studio in a real browser: submit, watch cards reach 100 %, play and show the results."""

import re
import time
import uuid

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, sign_up
from tests.processes import START_DEADLINE
from webapp import db
from webapp.models import User
from webapp.studio import generations, worker


def generate(page: Page, prompt: str, kind: str = "Music", duration: int = 10) -> None:
    """Fill the studio form and press Generate."""
    page.get_by_label("Prompt").fill(prompt)
    page.get_by_label(kind, exact=True).check()
    if kind == "Music":
        page.get_by_label("Genre").select_option("lo-fi")
        page.get_by_label("Duration").fill(str(duration))
    page.get_by_role("button", name="Generate").click()


def card(page: Page, title: str):
    """The job card whose heading is `title`."""
    return page.get_by_role("article").filter(has=page.get_by_role("heading", name=title))


def progress(page: Page, title: str):
    """A card's progress bar, found by its accessible name."""
    return page.get_by_role("progressbar", name=f"Progress of “{title}”")


def test_music_and_cover_reach_100_and_play_and_show(page, live_server):
    """With JavaScript: both cards update live to 100 %; the track plays, the cover shows."""
    sign_up(page, live_server)
    page.goto(live_server.at("/studio"))
    generate(page, "rainy window lo-fi piano")
    expect(progress(page, "Rainy window lo-fi piano")).to_be_visible()
    # The fresh form came back empty, ready for the next idea.
    expect(page.get_by_label("Prompt")).to_have_value("")
    generate(page, "neon city at dusk", kind="Cover art")
    expect(progress(page, "Neon city at dusk")).to_be_visible()
    for title in ("Rainy window lo-fi piano", "Neon city at dusk"):
        expect(progress(page, title)).to_have_attribute("value", "100",
                                                        timeout=START_DEADLINE * 1000)
        expect(card(page, title).get_by_text("Ready")).to_be_visible()
    audio = card(page, "Rainy window lo-fi piano").locator("audio")
    expect(audio).to_have_attribute("preload", "none")
    duration = audio.evaluate(
        """el => new Promise((resolve, reject) => {
            el.addEventListener('loadedmetadata', () => resolve(el.duration), {once: true});
            el.addEventListener('error', () => reject(new Error('audio error')), {once: true});
            el.preload = 'metadata';
            el.load();
        })"""
    )
    assert 9.5 <= duration <= 10.5
    assert audio.evaluate("el => el.readyState") >= 1
    image = card(page, "Neon city at dusk").get_by_role("img")
    expect(image).to_be_visible()
    image.scroll_into_view_if_needed()
    loaded = "img => img.complete && img.naturalWidth > 0"
    page.wait_for_function(loaded, arg=image.element_handle())
    assert image.evaluate("img => img.naturalWidth") > 0
    assert_accessible(page, "on /studio with finished cards")


def test_a_running_card_is_accessible_and_updates_without_reload(page, live_server):
    """A card held mid-render at 40 % passes axe; when the job ends, it turns to 100 % live."""
    username = sign_up(page, live_server)
    app = live_server.app
    with app.app_context(), db.standalone_session(app) as session:
        user_id = session.query(User.id).filter_by(username=username).scalar()
        form = {"kind": "music", "prompt": "slow ambient drift", "genre": "ambient",
                "duration": "10", "lyrics": "", "request_id": str(uuid.uuid4())}
        job = generations.submit(session, user_id, form).generation.id
        held = generations.claim(session, job)
        generations.report_progress(session, held, 40)
    page.goto(live_server.at("/studio"))
    bar = progress(page, "Slow ambient drift")
    expect(bar).to_have_attribute("value", "40")
    expect(card(page, "Slow ambient drift").get_by_text("Making your track… 40%")).to_be_visible()
    assert_accessible(page, "on /studio with a running card")
    page.evaluate("window.__marker = 7")
    with app.app_context(), db.standalone_session(app) as session:
        assert worker.execute_claim(app, session, held) is not None
    expect(bar).to_have_attribute("value", "100", timeout=START_DEADLINE * 1000)
    expect(page.locator("#status")).to_contain_text("“Slow ambient drift” is ready.")
    assert page.evaluate("window.__marker") == 7


def test_the_studio_works_with_javascript_off(new_page, live_server):
    """No JavaScript: submit → 303 → card on the page; reloading shows it finished."""
    page = new_page(javascript=False)
    sign_up(page, live_server)
    page.goto(live_server.at("/studio"))
    generate(page, "quiet guitar by the sea")
    expect(page).to_have_url(re.compile(r"/studio#job-\d+$"))
    expect(page.get_by_text("is on its way")).to_be_visible()
    bar = progress(page, "Quiet guitar by the sea")
    expect(bar).to_be_visible()
    deadline = time.monotonic() + START_DEADLINE
    while bar.get_attribute("value") != "100":
        assert time.monotonic() < deadline, "the job did not finish"
        time.sleep(0.3)
        page.reload()
    expect(card(page, "Quiet guitar by the sea").locator("audio")).to_have_count(1)
    # Validation without JavaScript: the whole page again, with the message by the field.
    page.get_by_label("Prompt").fill("hi")
    page.get_by_role("button", name="Generate").click()
    expect(page.get_by_text("Prompt must be at least 3 characters.")).to_be_visible()
