"""Product flows on both databases: notifications lead to the release page at the comment,
card counts re-check live, and reports reach admins from releases, posts, comments and
profiles (a dialog with htmx, a page without)."""

import pytest
from sqlalchemy import select

from tests import test_social
from tests.test_releases import HX
from tests.test_social import rows, soup
from webapp import db
from webapp.models import Comment, Like, Post, Release, Report


@pytest.fixture
def studio(app, make_client):
    """Alice (with a published release "Night Drive") and Bob, both signed in."""
    return test_social.studio.__wrapped__(app, make_client)


def release_path(app, release_id: int) -> str:
    """The release page's readable address."""
    with app.app_context(), app.test_request_context():
        from webapp.publishing.routes import release_url
        return release_url(db.session().get(Release, release_id))


def test_a_comment_notification_opens_the_release_page_at_the_comment(app, studio):
    """The link names the release page and the comment's anchor, which the page holds."""
    alice, bob, release_id = studio["alice"], studio["bob"], studio["release_id"]
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
    again = soup(alice.get("/notifications")).select_one("#notification-list li")
    assert "unread" not in again["class"] and not again.find(class_="visually-hidden")


def test_the_release_page_counts_re_check_and_answer_304_while_unchanged(app, studio):
    """The card's region names its fragment; a comment or a like moves its version."""
    alice, bob, release_id = studio["alice"], studio["bob"], studio["release_id"]
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


def test_feed_cards_follow_plays(app, studio):
    """A counted play moves the feed's version (the card shows plays)."""
    alice, bob = studio["alice"], studio["bob"]
    feed = soup(alice.get("/explore")).find(id="feed")
    tag = feed["hx-ptag"]
    assert "play-counted from:document" in feed["hx-trigger"]
    assert bob.post("/plays", data={"release_id": str(studio["release_id"])}).status_code == 204
    assert alice.get(feed["hx-get"], headers={**HX, "HX-PTag": tag}).status_code == 200


def test_report_buttons_on_release_post_comment_and_profile(app, studio):
    """Bob sees Report on Alice's release, post, comment and profile; never on his own."""
    alice, bob, release_id = studio["alice"], studio["bob"], studio["release_id"]
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


def test_a_report_works_without_javascript_and_as_a_dialog(app, studio):
    """The page fallback and the htmx dialog both send a report with a reason."""
    alice, bob, alice_id = studio["alice"], studio["bob"], studio["alice_id"]
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
