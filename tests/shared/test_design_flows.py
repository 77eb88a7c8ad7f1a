"""Product flows on both databases: notifications lead to the release page at the comment,
card counts re-check live, and reports reach admins from releases, posts, comments and
profiles (a dialog with htmx, a page without)."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.conftest import app_config, shutdown_app
from tests.helpers import HX, soup
from tests.social import test_social
from tests.social.test_social import rows
from webapp import create_app, db
from webapp.accounts import logins
from webapp.generators import music
from webapp.models import Comment, Like, Post, Release, Report
from webapp.templating import filesize, posted


@pytest.fixture
def people(app, make_client):
    """Alice (with a published release "Night Drive") and Bob, both signed in."""
    return test_social.people.__wrapped__(app, make_client)


def release_path(app, release_id: int) -> str:
    """The release page's readable address."""
    with app.app_context(), app.test_request_context():
        from webapp.publishing.routes import release_url
        return release_url(db.session().get(Release, release_id))


def test_a_comment_notification_opens_the_release_page_at_the_comment(app, people):
    """The link names the release page and the comment's anchor, which the page holds."""
    alice, bob, release_id = people["alice"], people["bob"], people["release_id"]
    bob.post(f"/comments/release/{release_id}", data={"body": "lovely"})
    page = soup(alice.get("/notifications"))
    item = page.select_one("#notification-list li")
    assert "unread" in item["class"]
    assert item.find(class_="visually-hidden").get_text() == "Unread:"
    href = item.find("a", string="“Night Drive”")["href"]
    path, anchor = href.split("#")
    assert path == release_path(app, release_id) and anchor.startswith("comment-")
    release_page = soup(alice.get(path))
    assert release_page.find(id=anchor).find(string=lambda text: "lovely" in text)
    alice.post("/notifications/read", data={"page": "1"})
    again = soup(alice.get("/notifications")).select_one("#notification-list li")
    assert "unread" not in again["class"] and not again.find(class_="visually-hidden")


def test_the_release_page_counts_re_check_and_answer_304_while_unchanged(app, people):
    """The card's region names its fragment; a comment or a like moves its version."""
    alice, bob, release_id = people["alice"], people["bob"], people["release_id"]
    region = soup(alice.get(release_path(app, release_id))).find(id="release-page-social")
    assert "comment-created from:document" in region["hx-trigger"]
    assert region.find("a", class_="comments-link").get_text() == "0 comments"
    url, tag = region["hx-get"], region["hx-ptag"]
    assert alice.get(url, headers={**HX, "HX-PTag": tag}).status_code == 304
    bob.post(f"/comments/release/{release_id}", data={"body": "one"})
    fresh = alice.get(url, headers={**HX, "HX-PTag": tag})
    assert fresh.status_code == 200 and fresh.headers["HX-PTag"] != tag
    assert soup(fresh).find("a", class_="comments-link").get_text() == "1 comment"
    bob.post(f"/likes/release/{release_id}", data={"liked": "1"})
    liked = alice.get(url, headers={**HX, "HX-PTag": fresh.headers["HX-PTag"]})
    assert liked.status_code == 200 and "1 like" in liked.get_data(as_text=True)
    assert alice.get(url.replace("card=release-page", "card=<x>"), headers=HX).status_code == 400
    assert alice.get("/fragments/card-social/release/999999?card=a", headers=HX).status_code == 404


def test_feed_cards_follow_plays(app, people):
    """A counted play moves the feed's version (the card shows plays)."""
    alice, bob = people["alice"], people["bob"]
    feed = soup(alice.get("/explore")).find(id="feed")
    tag = feed["hx-ptag"]
    assert "play-counted from:document" in feed["hx-trigger"]
    assert bob.post("/plays", data={"release_id": str(people["release_id"])}).status_code == 204
    assert alice.get(feed["hx-get"], headers={**HX, "HX-PTag": tag}).status_code == 200


def test_report_buttons_on_release_post_comment_and_profile(app, people):
    """Bob sees Report on Alice's release, post, comment and profile; never on his own."""
    alice, bob, release_id = people["alice"], people["bob"], people["release_id"]
    alice.post("/posts", data={"body": "hello"})
    alice.post(f"/comments/release/{release_id}", data={"body": "mine"})
    release_page = soup(bob.get(release_path(app, release_id)))
    reports = [b.find_parent("form")["action"]
               for b in release_page.find_all("button", string="Report")]
    assert any("/report/release/" in action for action in reports)
    assert any("/report/comment/" in action for action in reports)
    explore = soup(bob.get("/explore"))
    assert any("/report/post/" in b.find_parent("form")["action"]
               for b in explore.find_all("button", string="Report"))
    profile = soup(bob.get("/u/alice"))
    assert any("/report/user/" in b.find_parent("form")["action"]
               for b in profile.find_all("button", string="Report"))
    assert not soup(alice.get("/u/alice")).find("button", string="Report")
    assert not soup(app.test_client().get("/explore")).find("button", string="Report")


def test_a_report_works_without_javascript_and_as_a_dialog(app, people):
    """The page fallback and the htmx dialog both send a report with a reason."""
    alice, bob, alice_id = people["alice"], people["bob"], people["alice_id"]
    alice.post("/posts", data={"body": "buy now"})
    with app.app_context():
        post_id = db.session().scalar(select(Post.id))
    page = bob.get(f"/report/post/{post_id}?next=/explore")
    assert page.status_code == 200
    form = soup(page).find("form", id=f"report-post-{post_id}-form")
    assert form.find("input", attrs={"name": "category", "value": "spam"}).has_attr("checked")
    sent = bob.post("/reports", data={"kind": "post", "subject_id": str(post_id),
                                      "category": "spam", "reason": "", "next": "/explore"})
    assert sent.status_code == 303 and sent.headers["Location"] == "/explore"
    dialog = bob.get(f"/report/user/{alice_id}?next=/u/alice", headers=HX)
    assert soup(dialog).find("dialog").find("h2").get_text() == "Report alice"
    refused = bob.post("/reports", headers=HX, data={
        "kind": "user", "subject_id": str(alice_id), "category": "other", "reason": "",
        "dialog": "1"})
    assert refused.status_code == 422 and soup(refused).find("dialog")
    assert rows(app, Report, Report.kind == "user") == 0
    bad = bob.post("/reports", data={"kind": "user", "subject_id": str(alice_id),
                                     "category": "nonsense"})
    assert bad.status_code == 422 and rows(app, Report) == 1
    ok = bob.post("/reports", headers=HX, data={
        "kind": "user", "subject_id": str(alice_id), "category": "other",
        "reason": "copies my name", "dialog": "1"})
    assert ok.status_code == 200 and "Reported" in ok.get_data(as_text=True)
    with app.app_context():
        reasons = set(db.session().scalars(select(Report.reason)))
    assert reasons == {"Spam or advertising", "Something else: copies my name"}
    assert bob.get("/report/user/999999").status_code == 404
    assert app.test_client().get(f"/report/post/{post_id}").status_code in (302, 303)
    app.test_cli_runner().invoke(args=["make-admin", "alice"])
    listing = soup(alice.get("/admin/reports"))
    profile_item = listing.find(id=f"report-user-{alice_id}")
    assert "Something else: copies my name" in profile_item.get_text()
    assert not profile_item.find("button", string="Hide user")
    assert profile_item.find("button", string="Dismiss reports")
    assert listing.find(id=f"report-post-{post_id}").find("button", string="Hide post")


def test_seed_demo_fills_the_front_page_once(app):
    """seed-demo makes artists, playable releases, posts, likes and comments; again, nothing."""
    assert "Nothing has been published" in app.test_client().get("/").get_data(as_text=True)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Demo content added: 3 artists, 6 releases, 3 posts" in first.output
    counts = {model: rows(app, model) for model in (Release, Post, Like, Comment)}
    assert counts[Release] == 6 and counts[Like] == 12 and counts[Comment] == 4
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "already here" in again.output
    assert {model: rows(app, model) for model in counts} == counts
    home = soup(app.test_client().get("/"))
    latest = home.find(id="latest-heading").find_parent("section")
    assert len(latest.select("article.release-card")) == 6
    assert len(latest.select("button[data-play]")) == 6 and len(latest.select("audio[src]")) == 6
    played = [card.find(class_="card-meta").get_text()
              for card in home.find(id="most-played-heading").find_parent("section")
              .select("article.release-card")]
    assert "plays" in played[0]
    assert home.find("a", href="/signup")


@pytest.mark.parametrize(("size", "text"), [
    (0, "0 bytes"), (1, "1 byte"), (999, "999 bytes"), (1_000, "1 KB"), (12_345, "12.3 KB"),
    (2_400_000, "2.4 MB"), (120_000_000, "120 MB"), (1_500_000_000, "1.5 GB"),
])
def test_sizes_read_as_people_say_them(size, text):
    """Decimal units, one decimal while it matters, never "0 MB" for a few kilobytes."""
    assert filesize(size) == text


@pytest.mark.parametrize(("agent", "name"), [
    ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Linux"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge on Windows"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
     "like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "Safari on iOS"),
    ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome on Android"),
    ("curl/8.5.0", "Unknown browser"), ("", "Unknown browser"),
])
def test_browsers_are_named_from_their_user_agent(agent, name):
    """The signed-in browsers list says "Firefox on Linux", not the raw header."""
    assert logins.browser_name(agent) == name


def test_genre_and_mood_come_from_the_studio_vocabulary_or_other(app, people):
    """The form offers the studio's genres; "Other…" text and case variants become one value."""
    alice, release_id = people["alice"], people["release_id"]
    form = soup(alice.get(f"/releases/{release_id}/edit"))
    options = [o["value"] for o in form.find("select", id="edit-genre").find_all("option")]
    assert options == [*music.GENRES, "other"]
    assert form.find("select", id="edit-mood").find("option", selected=True)["value"] == "calm"
    saved = alice.post(f"/releases/{release_id}/edit", data={
        "title": "Night Drive", "genre": "other", "genre_other": "  Lo-Fi ", "mood": "other",
        "mood_other": "Stormy  Night", "description": ""})
    assert saved.status_code == 303
    with app.app_context():
        release = db.session().get(Release, release_id)
        assert (release.genre, release.mood) == ("lo-fi", "stormy night")
    form = soup(alice.get(f"/releases/{release_id}/edit"))
    assert form.find("select", id="edit-genre").find("option", selected=True)["value"] == "lo-fi"
    assert form.find("select", id="edit-mood").find("option", selected=True)["value"] == "other"
    assert form.find("input", id="edit-mood-other")["value"] == "stormy night"
    empty = alice.post(f"/releases/{release_id}/edit", data={
        "title": "Night Drive", "genre": "other", "genre_other": "", "mood": "calm"})
    assert empty.status_code == 422


def test_migrate_says_created_on_a_new_database(tmp_path):
    """A brand-new database is "created", a current one "up to date"."""
    app = create_app(app_config(f"sqlite:///{tmp_path / 'new.db'}", tmp_path / "data"))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["migrate"]).output.strip() == "Database created."
    assert runner.invoke(args=["migrate"]).output.strip() == "Database is up to date."
    shutdown_app(app)


def test_the_account_page_names_browsers_and_the_studio_meter_sizes(app, people):
    """The sessions list says which browser; the storage meter never says "0 MB"."""
    alice = people["alice"]
    page = soup(alice.get("/settings/account")).get_text(" ", strip=True)
    assert "Unknown browser" in page or " on " in page
    meter = soup(alice.get("/studio")).find("label", attrs={"for": "storage-meter"}).get_text()
    assert "0 MB of" not in meter and (" KB of " in meter or " MB of " in meter)


def test_posted_times_are_short_and_absolute():
    """This year: day, month and time; earlier years: the date (no stale "minutes ago")."""
    this_year = datetime.now(UTC).year
    assert posted(datetime(this_year, 3, 8, 14, 5, tzinfo=UTC)) == "8 Mar, 14:05 UTC"
    assert posted(datetime(this_year - 1, 12, 31, 23, 0, tzinfo=UTC)) == f"31 Dec {this_year - 1}"
    assert posted(None) == ""
