"""Explore and profile feeds on both databases: order, bylines, paging, 304s, query count."""

import re

from sqlalchemy import update

from tests.factories import counting_statements, make_release, new_user, track_and_cover, user_ref
from tests.helpers import HX, soup
from webapp import db
from webapp.models import User
from webapp.profiles import usernames
from webapp.publishing import feeds, posts, releases


def entry_ids(response) -> list[str]:
    """The ids of the feed's entries, in order."""
    feed = soup(response).find(id="feed")
    return [li.find("article")["id"] for li in feed.select("ol.feed-list > li")]


def rename(app, user_id: int, new_name: str) -> None:
    """Rename a user with the rename service (one UPDATE of users plus a history row)."""
    with app.app_context():
        result = usernames.rename_user(db.session(), user_id, new_name)
        assert result.outcome == "renamed", result.message


def rename_directly(app, user_id: int, new_name: str) -> None:
    """Rename with a bare UPDATE of users: nothing else may need to change."""
    with app.app_context():
        session = db.session()
        session.execute(
            update(User).where(User.id == user_id)
            .values(username=new_name, username_key=new_name.lower())
        )
        session.commit()


def test_explore_is_public_and_newest_first(app, make_client):
    """Anonymous visitors see published releases and posts of everyone, newest first."""
    alice, alice_id = new_user(make_client, app, "alice")
    bob, bob_id = new_user(make_client, app, "bob")
    music_id, image_id = track_and_cover(app, alice_id)
    draft = make_release(app, alice_id, music_id, image_id, title="Secret draft")
    alice.post("/posts", data={"body": "alice one"})
    release_id = make_release(app, alice_id, music_id, image_id, published=True, title="Out")
    bob.post("/posts", data={"body": "bob one"})
    response = app.test_client().get("/explore")
    assert response.status_code == 200
    ids = entry_ids(response)
    assert ids[0].startswith("post-") and ids[1] == f"feed-release-{release_id}"
    assert ids[2].startswith("post-") and len(ids) == 3
    body = response.get_data(as_text=True)
    assert "Secret draft" not in body and f"release-{draft}" not in body
    assert body.index("bob one") < body.index("Out") < body.index("alice one")
    assert 'id="post-form"' not in body  # anonymous visitors cannot post
    page = soup(response)
    bylines = {a.get_text(): a["href"] for a in page.select("#feed .byline a")}
    assert bylines == {"alice": "/u/alice", "bob": "/u/bob"}
    assert page.find("h1").get_text() == "Explore"
    assert 'id="post-form"' in alice.get("/explore").get_data(as_text=True)


def test_explore_shows_a_renamed_author_with_no_extra_work(app, make_client):
    """One UPDATE of users: every byline shows the new name and links to the new profile."""
    alice, alice_id = new_user(make_client, app, "alice")
    music_id, image_id = track_and_cover(app, alice_id)
    release_id = make_release(app, alice_id, music_id, image_id, published=True)
    alice.post("/posts", data={"body": "hello", "release_id": str(release_id)})
    anonymous = app.test_client()
    first = anonymous.get("/explore/feed", headers=HX)
    tag = first.headers["HX-PTag"]
    rename(app, alice_id, "alicia")
    body = anonymous.get("/explore").get_data(as_text=True)
    assert ">alice<" not in body and "/u/alice\"" not in body
    assert body.count('href="/u/alicia"') == 3  # release, post, attached release
    refreshed = anonymous.get("/explore/feed", headers={**HX, "HX-PTag": tag})
    assert refreshed.status_code == 200, "a rename must change the feed's version"
    assert "alicia" in refreshed.get_data(as_text=True)
    rename_directly(app, alice_id, "Ally")
    body = anonymous.get("/explore").get_data(as_text=True)
    assert "alicia" not in body and body.count('href="/u/Ally"') == 3


def test_feed_fragment_answers_304_until_something_changes(app, make_client):
    """hx-ptag: the same version → 304 with no body; a new post → 200 with the new version."""
    alice = make_client("alice")
    alice.post("/posts", data={"body": "one"})
    viewer = app.test_client()
    page = soup(viewer.get("/explore"))
    feed = page.find(id="feed")
    tag = feed["hx-ptag"]
    assert feed["hx-get"] == "/explore/feed?page=1"
    for event_name in ("page-visible from:document", "focus from:window",
                       "username-changed from:document", "avatar-changed from:document",
                       "release-published from:document", "post-created from:document",
                       "resync from:document"):
        assert event_name in feed["hx-trigger"]
    delays = set(re.findall(r"delay:\w+", feed["hx-trigger"]))
    assert len(delays) == 1, "one shared delay: at most one request per user action"
    same = viewer.get("/explore/feed?page=1", headers={**HX, "HX-PTag": tag})
    assert same.status_code == 304 and same.data == b""
    assert same.headers["HX-PTag"] == tag
    alice.post("/posts", data={"body": "two"})
    changed = viewer.get("/explore/feed?page=1", headers={**HX, "HX-PTag": tag})
    assert changed.status_code == 200
    assert changed.headers["HX-PTag"] != tag
    fragment = changed.get_data(as_text=True)
    assert "<html" not in fragment and fragment.lstrip().startswith('<div id="feed"')
    assert "HX-Request" in changed.headers.get("Vary", "")
    assert soup(changed).find(id="feed")["hx-ptag"] == changed.headers["HX-PTag"]


def test_each_viewer_holds_their_own_version(app, make_client):
    """The author sees delete buttons others do not, so their tags differ."""
    alice = make_client("alice")
    alice.post("/posts", data={"body": "one"})
    theirs = soup(app.test_client().get("/explore")).find(id="feed")["hx-ptag"]
    mine = soup(alice.get("/explore")).find(id="feed")["hx-ptag"]
    assert theirs != mine
    assert alice.get("/explore/feed", headers={**HX, "HX-PTag": theirs}).status_code == 200


def test_feed_pages_work_without_javascript(app, make_client):
    """Page links are real links; the fragment URLs send plain visits to the pages."""
    app.config["FEED_PAGE_SIZE"] = 2
    alice = make_client("alice")
    for number in range(5):
        alice.post("/posts", data={"body": f"post {number}"})
    anonymous = app.test_client()
    first = soup(anonymous.get("/explore"))
    older = first.find("a", rel="next")
    assert older["href"] == "/explore?page=2"
    assert older["hx-get"] == "/explore/feed?page=2"
    assert first.find("a", rel="prev") is None
    second = anonymous.get(older["href"]).get_data(as_text=True)
    assert "post 2" in second and "post 1" in second and "post 4" not in second
    last = soup(anonymous.get("/explore?page=3"))
    assert last.find("a", rel="next") is None
    assert last.find("a", rel="prev")["href"] == "/explore?page=2"
    assert "nothing on this page" in anonymous.get("/explore?page=9").get_data(as_text=True)
    for bad in ("0", "-1", "abc", "99999999999999"):
        assert anonymous.get(f"/explore?page={bad}").status_code == 200
    plain = anonymous.get("/explore/feed?page=2")
    assert plain.status_code == 303 and plain.headers["Location"] == "/explore?page=2"


def test_user_feed_fragment_and_its_plain_redirect(app, make_client):
    """/feeds/user/<id>: that user's items only; a plain visit goes to the current profile."""
    alice, alice_id = new_user(make_client, app, "alice")
    alice_ref = user_ref(app, alice_id)
    bob = make_client("bob")
    alice.post("/posts", data={"body": "by alice"})
    bob.post("/posts", data={"body": "by bob"})
    anonymous = app.test_client()
    fragment = anonymous.get(f"/feeds/user/{alice_ref}", headers=HX)
    assert fragment.status_code == 200
    # The bare id no longer answers: accounts cannot be listed by walking ids.
    assert anonymous.get(f"/feeds/user/{alice_id}", headers=HX).status_code == 404
    body = fragment.get_data(as_text=True)
    assert "by alice" in body and "by bob" not in body
    assert soup(fragment).find(id="feed")["hx-get"] == f"/feeds/user/{alice_ref}?page=1"
    app.config["FEED_PAGE_SIZE"] = 1
    alice.post("/posts", data={"body": "alice again"})
    paged = soup(anonymous.get(f"/feeds/user/{alice_ref}", headers=HX))
    older = paged.find("a", rel="next")
    assert older["href"] == "/u/alice?page=2"
    assert older["hx-get"] == f"/feeds/user/{alice_ref}?page=2"
    beyond = soup(anonymous.get(f"/feeds/user/{alice_ref}?page=5", headers=HX))
    assert beyond.find("a", rel="prev")["href"] == f"/feeds/user/{alice_ref}?page=4"
    assert [body.get_text() for body in paged.select(".post-body")] == ["alice again"]
    rename(app, alice_id, "alicia")
    plain = anonymous.get(f"/feeds/user/{alice_ref}?page=2")
    assert plain.status_code == 303
    assert plain.headers["Location"] == "/u/alicia?page=2"
    assert anonymous.get("/feeds/user/987654", headers=HX).status_code == 404


def test_profile_feed_holds_only_that_users_published_work(app, make_client):
    """profile_feed: published releases and posts of one user; drafts and others left out."""
    alice, alice_id = new_user(make_client, app, "alice")
    bob = make_client("bob")
    music_id, image_id = track_and_cover(app, alice_id)
    make_release(app, alice_id, music_id, image_id, title="Draft")
    published = make_release(app, alice_id, music_id, image_id, published=True, title="Live")
    alice.post("/posts", data={"body": "mine", "release_id": str(published)})
    bob.post("/posts", data={"body": "not mine"})
    with app.app_context():
        session = db.session()
        feed = feeds.profile_feed(session, alice_id)
        assert [entry.kind for entry in feed.entries] == ["post", "release"]
        assert feed.entries[0].release.id == published  # the attached release
        assert feed.entries[1].release.title == "Live"
        assert {entry.author.username for entry in feed.entries} == {"alice"}
        assert feed.author_id == alice_id and feed.page == 1 and not feed.has_next
        releases.set_published(session, session.get(User, alice_id), published, False)
        after = feeds.profile_feed(session, alice_id)
        assert [entry.kind for entry in after.entries] == ["post"]
        assert after.entries[0].release is None, "an unpublished release is not shown"
        assert after.version != feed.version


def test_unpublished_attachment_renders_no_player(app, make_client):
    """A post whose release was unpublished keeps its text and shows no player."""
    alice, alice_id = new_user(make_client, app, "alice")
    music_id, image_id = track_and_cover(app, alice_id)
    release_id = make_release(app, alice_id, music_id, image_id, published=True)
    alice.post("/posts", data={"body": "listen", "release_id": str(release_id)})
    alice.post(f"/releases/{release_id}/unpublish")
    body = app.test_client().get("/explore").get_data(as_text=True)
    assert "listen" in body
    assert "<audio" not in body and f"/media/{music_id}/" not in body


def fill(app, authors: list[int], media: dict[int, tuple[int, int]], entries: int) -> None:
    """Publish `entries` items (releases and posts with attachments) across the authors."""
    with app.app_context():
        session = db.session()
        for number in range(entries):
            user = session.get(User, authors[number % len(authors)])
            music_id, image_id = media[user.id]
            if number % 2 == 0:
                release, _ = releases.create_release(
                    session, user, title=f"R{number}", music_id=music_id, image_id=image_id,
                    genre="pop", mood="calm", description="",
                )
                releases.set_published(session, user, release.id, True)
            else:
                latest = releases.user_releases(session, user.id, published_only=True)
                posts.create_post(
                    session, user, f"P{number}", latest[0].id if latest else None
                )


def statements_for(app, url: str, client) -> tuple[int, int]:
    """(SQL statements, entries) for one GET of a feed URL."""
    with counting_statements(app) as seen:
        response = client.get(url, headers=HX)
    assert response.status_code == 200
    return len(seen), len(entry_ids(response))


def test_a_feed_page_costs_a_fixed_number_of_statements(app, make_client):
    """10 entries or 100 entries (three authors, attachments, media): the same statements."""
    app.config["FEED_PAGE_SIZE"] = 100
    app.config["JOBS_MAX_PER_HOUR"] = 1000
    clients, authors, media = [], [], {}
    for number in range(3):
        client, user_id = new_user(make_client, app, f"author{number}")
        clients.append(client)
        authors.append(user_id)
        media[user_id] = track_and_cover(app, user_id)
    fill(app, authors, media, 10)
    viewer = clients[0]
    few, shown = statements_for(app, "/explore/feed", viewer)
    assert shown == 10
    profile_few, _ = statements_for(app, f"/feeds/user/{user_ref(app, authors[0])}", viewer)
    fill(app, authors, media, 90)
    many, shown = statements_for(app, "/explore/feed", viewer)
    assert shown == 100
    first_author = user_ref(app, authors[0])
    profile_many, profile_shown = statements_for(app, f"/feeds/user/{first_author}", viewer)
    assert profile_shown == 34
    print(f"statements per feed page: explore {many}, profile {profile_many}")
    assert few == many, (few, many)
    assert profile_few == profile_many, (profile_few, profile_many)
    assert many <= 6, many  # session lookup + ids + releases + posts (+ the user-feed owner)
