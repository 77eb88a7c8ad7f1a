"""Social on both databases: likes, follows, the Following feed, comments, notifications,
blocks, reports and hiding, search, and statements per page at 10 and 10,000 rows."""

import threading
from datetime import date

import pytest
from sqlalchemy import func, insert, select, update

from tests.factories import counting_statements, make_release, new_user, track_and_cover, user_ref
from tests.helpers import HX, soup, triggers
from webapp import db
from webapp.models import Comment, Follow, Like, Notification, Post, Release, Report, User, utcnow
from webapp.moderation import reports
from webapp.social import likes, notifications, search


def rows(app, model, *where) -> int:
    """How many rows of a table match."""
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model).where(*where))


def unread(app, user_id: int) -> int:
    """The user's unread counter."""
    with app.app_context():
        return db.session().get(User, user_id).unread_notifications


@pytest.fixture
def people(app, make_client):
    """Alice (with a published release "Night Drive") and Bob, both signed in."""
    app.config["JOBS_MAX_PER_HOUR"] = 1000
    alice, alice_id = new_user(make_client, app, "alice")
    bob, bob_id = new_user(make_client, app, "bob")
    music_id, image_id = track_and_cover(app, alice_id)
    release_id = make_release(app, alice_id, music_id, image_id, published=True)
    return {"alice": alice, "alice_id": alice_id, "bob": bob, "bob_id": bob_id,
            "release_id": release_id, "media": (music_id, image_id)}


# ---------------------------------------------------------------- likes


def test_a_like_is_idempotent_and_shows_pressed_with_its_count(app, people):
    """Two "like" posts make one like, one notification; two "unlike" posts leave none."""
    bob, release_id = people["bob"], people["release_id"]
    url = f"/likes/release/{release_id}"
    first = bob.post(url, data={"liked": "1", "card": "feed-release-1"}, headers=HX)
    second = bob.post(url, data={"liked": "1", "card": "feed-release-1"}, headers=HX)
    assert first.status_code == second.status_code == 200
    button = soup(second).find("button", attrs={"aria-pressed": True})
    assert button.get_text() == "Like" and button["aria-pressed"] == "true"
    assert "1 like" in second.get_data(as_text=True)
    assert "like-changed" in triggers(first)
    assert rows(app, Like) == 1
    assert rows(app, Notification, Notification.kind == "like") == 1
    bob.post(url, data={"liked": "0"}, headers=HX)
    gone = bob.post(url, data={"liked": "0"}, headers=HX)
    assert soup(gone).find("button")["aria-pressed"] == "false"
    assert rows(app, Like) == 0
    bob.post(url, data={"liked": "1"}, headers=HX)
    assert rows(app, Notification, Notification.kind == "like") == 1, "a re-like does not re-notify"
    card = soup(bob.get("/explore")).find(id=f"feed-release-{release_id}")
    assert card.find("button", string="Like")["aria-pressed"] == "true"
    assert "1 like" in card.get_text()


def test_concurrent_likes_make_one_row(app, people):
    """Eight threads like the same release at once: the unique key keeps one row."""
    errors = []

    def like_once():
        """Like through the domain function in a session of its own."""
        try:
            with app.app_context(), db.standalone_session(app) as session:
                likes.set_like(session, session.get(User, people["bob_id"]), "release",
                               people["release_id"], True)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=like_once) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert rows(app, Like) == 1
    assert rows(app, Notification) == 1
    assert unread(app, people["alice_id"]) == 1


def test_liking_works_without_javascript_and_posts_can_be_liked(app, people):
    """A plain form: 303 back to `next` with a flash; posts take likes too."""
    alice, bob = people["alice"], people["bob"]
    alice.post("/posts", data={"body": "hello"})
    with app.app_context():
        post_id = db.session().scalar(select(Post.id))
    response = bob.post(f"/likes/post/{post_id}", data={"liked": "1", "next": "/explore"})
    assert response.status_code == 303 and response.headers["Location"] == "/explore"
    assert "You like this post." in bob.get("/explore").get_data(as_text=True)
    assert rows(app, Like, Like.post_id == post_id) == 1


def test_bad_like_input_changes_nothing(app, people):
    """A draft, a missing id, a bad value or a signed-out visitor: refused, nothing stored."""
    alice_id, bob = people["alice_id"], people["bob"]
    draft = make_release(app, alice_id, *people["media"], title="Draft")
    assert bob.post(f"/likes/release/{draft}", data={"liked": "1"}).status_code == 404
    assert bob.post("/likes/release/999999", data={"liked": "1"}).status_code == 404
    bad = bob.post(f"/likes/release/{people['release_id']}", data={"liked": "yes"})
    assert bad.status_code == 400 and "Reload the page" in bad.get_data(as_text=True)
    assert bob.post("/likes/song/1", data={"liked": "1"}).status_code == 404
    anonymous = app.test_client().post(f"/likes/release/{people['release_id']}",
                                       data={"liked": "1"})
    assert anonymous.status_code in (302, 303)
    assert rows(app, Like) == 0


def test_the_liked_collection_lists_what_you_liked(app, people):
    """/liked shows liked releases and posts only, with the buttons pressed."""
    bob, release_id = people["bob"], people["release_id"]
    other = make_release(app, people["alice_id"], *people["media"], published=True,
                         title="Not liked")
    assert "You have not liked anything yet" in bob.get("/liked").get_data(as_text=True)
    bob.post(f"/likes/release/{release_id}", data={"liked": "1"})
    page = bob.get("/liked")
    assert page.status_code == 200
    assert soup(page).find(id=f"feed-release-{release_id}") is not None
    assert soup(page).find(id=f"feed-release-{other}") is None
    assert app.test_client().get("/liked").status_code in (302, 303)


# ---------------------------------------------------------------- follows


def test_follow_unfollow_counts_lists_and_the_following_feed(app, people, make_client):
    """Bob follows Alice: counts, lists, a notification; his Following feed shows only her."""
    alice, bob, alice_id = people["alice"], people["bob"], people["alice_id"]
    carol, _ = new_user(make_client, app, "carol")
    carol.post("/posts", data={"body": "carol's post"})
    alice.post("/posts", data={"body": "alice's post"})
    page = soup(bob.get("/u/alice"))
    assert page.find("button", string="Follow") is not None
    response = bob.post(f"/follows/{alice_id}", data={"following": "1"}, headers=HX)
    bob.post(f"/follows/{alice_id}", data={"following": "1"}, headers=HX)
    assert soup(response).find("button", string="Unfollow") is not None
    assert "follow-changed" in triggers(response)
    assert rows(app, Follow) == 1
    assert rows(app, Notification, Notification.kind == "follow") == 1
    assert "1 follower" in soup(app.test_client().get("/u/alice")).find(id="follow-box").get_text()
    assert "bob" in app.test_client().get("/follows/alice/followers").get_data(as_text=True)
    assert "alice" in app.test_client().get("/follows/bob/following").get_data(as_text=True)
    following = bob.get("/explore/following").get_data(as_text=True)
    assert "alice&#39;s post" in following and "carol&#39;s post" not in following
    explore = soup(bob.get("/explore"))
    assert explore.find("a", string="Everyone")["aria-current"] == "page"
    assert explore.find("a", string="Following")["href"] == "/explore/following"
    plain = bob.post(f"/follows/{alice_id}", data={"following": "0", "next": "/u/alice"})
    assert plain.status_code == 303 and rows(app, Follow) == 0
    assert "alice&#39;s post" not in bob.get("/explore/following").get_data(as_text=True)
    myself = bob.post(f"/follows/{people['bob_id']}", data={"following": "1"}, headers=HX)
    assert myself.status_code == 422 and "yourself" in myself.get_data(as_text=True)
    assert bob.post("/follows/999999", data={"following": "1"}).status_code == 404
    assert app.test_client().get("/explore/following").status_code in (302, 303)


def test_the_follow_box_answers_304_until_it_changes(app, people):
    """The fragment carries its version; a follow moves it."""
    bob, alice_id = people["bob"], people["alice_id"]
    box = soup(bob.get("/u/alice")).find(id="follow-box")
    tag = box["hx-ptag"]
    assert "follow-changed from:document" in box["hx-trigger"]
    url = box["hx-get"]
    assert bob.get(url, headers={**HX, "HX-PTag": tag}).status_code == 304
    bob.post(f"/follows/{alice_id}", data={"following": "1"})
    assert bob.get(url, headers={**HX, "HX-PTag": tag}).status_code == 200


# ---------------------------------------------------------------- comments


def test_comments_are_escaped_keep_line_breaks_and_come_newest_last(app, people):
    """Two comments: oldest first, escaped, the notification goes to the owner."""
    bob, alice, release_id = people["bob"], people["alice"], people["release_id"]
    url = f"/comments/release/{release_id}"
    page = soup(bob.get(url))
    assert page.find("h1").get_text() == "Night Drive"
    assert page.find("label", string="Comment") is not None
    assert page.find("button", string="Post comment") is not None
    response = bob.post(url, data={"body": "<script>x</script>\nline two"}, headers=HX)
    assert response.status_code == 200 and "comment-created" in triggers(response)
    body = response.get_data(as_text=True)
    assert "<script>x</script>" not in body and "&lt;script&gt;" in body
    plain = alice.post(url, data={"body": "thanks!"})
    assert plain.status_code == 303
    thread = soup(bob.get(url)).find(id="comment-thread")
    texts = [p.get_text() for p in thread.select(".comment .post-body")]
    assert texts == ["<script>x</script>\nline two", "thanks!"]
    assert rows(app, Notification, Notification.kind == "comment") == 1
    card = soup(bob.get("/explore")).find(id=f"feed-release-{release_id}")
    assert "2 comments" in card.get_text()


def test_bad_comments_are_refused_and_posting_is_rate_limited(app, people):
    """Empty or too long: 422 and nothing stored; over the hourly limit: 429."""
    app.config["COMMENTS_MAX_PER_HOUR"] = 2
    bob, release_id = people["bob"], people["release_id"]
    url = f"/comments/release/{release_id}"
    for body, message in (("", "Comment is required."),
                          ("x" * 1001, "at most 1000 characters")):
        response = bob.post(url, data={"body": body}, headers=HX)
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert bob.post(url, data={"body": "nul\x00"}).status_code == 400
    assert rows(app, Comment) == 0
    assert bob.post(url, data={"body": "x" * 1000}).status_code == 303
    assert bob.post(url, data={"body": "two"}).status_code == 303
    limited = bob.post(url, data={"body": "three"})
    assert limited.status_code == 429 and "last hour" in limited.get_data(as_text=True)
    assert rows(app, Comment) == 2
    draft = make_release(app, people["alice_id"], *people["media"], title="Draft")
    assert bob.post(f"/comments/release/{draft}", data={"body": "hi"}).status_code == 404
    assert bob.get(f"/comments/release/{draft}").status_code == 404


def test_the_author_or_the_owner_can_delete_a_comment_nobody_else(app, people, make_client):
    """Carol gets a 404; Bob deletes his own; Alice deletes one on her release."""
    bob, alice, release_id = people["bob"], people["alice"], people["release_id"]
    carol, _ = new_user(make_client, app, "carol")
    url = f"/comments/release/{release_id}"
    bob.post(url, data={"body": "one"})
    bob.post(url, data={"body": "two"})
    with app.app_context():
        first, second = db.session().scalars(select(Comment.id).order_by(Comment.id)).all()
    assert carol.post(f"/comments/{first}/delete").status_code == 404
    assert bob.post(f"/comments/{first}/delete", headers=HX).status_code == 200
    assert alice.post(f"/comments/{second}/delete").status_code == 303
    assert rows(app, Comment) == 0


def test_the_thread_pages_and_answers_304(app, people):
    """The last page (newest) by default; links to older pages; 304 until a comment arrives."""
    app.config["COMMENTS_PAGE_SIZE"] = 2
    bob, release_id = people["bob"], people["release_id"]
    url = f"/comments/release/{release_id}"
    for number in range(5):
        bob.post(url, data={"body": f"c{number}"})
    thread = soup(bob.get(url)).find(id="comment-thread")
    assert [p.get_text() for p in thread.select(".comment .post-body")] == ["c4"]
    assert thread.find("a", rel="prev")["href"] == f"{url}?page=2"
    first = soup(bob.get(f"{url}?page=1")).find(id="comment-thread")
    assert [p.get_text() for p in first.select(".comment .post-body")] == ["c0", "c1"]
    tag, fragment = thread["hx-ptag"], thread["hx-get"]
    assert bob.get(fragment, headers={**HX, "HX-PTag": tag}).status_code == 304
    bob.post(url, data={"body": "c5"})
    changed = bob.get(fragment, headers={**HX, "HX-PTag": tag})
    assert changed.status_code == 200 and "c5" in changed.get_data(as_text=True)
    assert bob.get(fragment).status_code == 303


# ---------------------------------------------------------------- blocks, reports, hiding


def test_a_block_hides_comments_for_the_blocker_and_ends_follows(app, people, make_client):
    """Alice blocks Bob: his comments on her release vanish for everyone (so none stays that
    she could not see to delete); no follows either way, none new."""
    alice, bob = people["alice"], people["bob"]
    alice_id, bob_id, release_id = people["alice_id"], people["bob_id"], people["release_id"]
    carol, _ = new_user(make_client, app, "carol")
    bob.post(f"/follows/{alice_id}", data={"following": "1"})
    alice.post(f"/follows/{bob_id}", data={"following": "1"})
    bob.post(f"/comments/release/{release_id}", data={"body": "from bob"})
    assert alice.post(f"/blocks/{bob_id}", data={"blocked": "1"}).status_code == 303
    assert rows(app, Follow) == 0
    url = f"/comments/release/{release_id}"
    assert "from bob" not in alice.get(url).get_data(as_text=True)
    assert "from bob" not in carol.get(url).get_data(as_text=True)
    refused = bob.post(f"/follows/{alice_id}", data={"following": "1"}, headers=HX)
    assert refused.status_code == 422 and rows(app, Follow) == 0
    before = rows(app, Notification)
    assert bob.post(url, data={"body": "again"}).status_code == 422
    assert rows(app, Notification) == before, "no notification from a blocked person"
    assert alice.post(f"/blocks/{alice_id}", data={"blocked": "1"}).status_code == 303
    alice.post(f"/blocks/{bob_id}", data={"blocked": "0"})
    assert "from bob" in alice.get(url).get_data(as_text=True)


def test_reports_reach_admins_who_hide_content(app, people):
    """Bob reports; only an admin sees the list; hiding removes the release everywhere."""
    alice, bob, release_id = people["alice"], people["bob"], people["release_id"]
    data = {"kind": "release", "subject_id": str(release_id), "reason": "spam"}
    assert bob.post("/reports", data=data).status_code == 303
    assert bob.post("/reports", data=data, headers=HX).status_code == 200
    assert rows(app, Report) == 1
    assert bob.post("/reports", data={**data, "kind": "song"}).status_code == 404
    assert bob.post("/reports", data={**data, "subject_id": "x"}).status_code == 400
    assert bob.get("/admin/reports").status_code == 404
    assert bob.post("/admin/hide", data=data).status_code == 404
    runner = app.test_cli_runner()
    assert "now an admin" in runner.invoke(args=["make-admin", "ALICE"]).output
    assert runner.invoke(args=["make-admin", "nobody"]).exit_code != 0
    listing = alice.get("/admin/reports").get_data(as_text=True)
    assert "Night Drive" in listing and "spam" in listing
    assert alice.post("/admin/hide", data=data).status_code == 303
    assert "Night Drive" not in app.test_client().get("/explore").get_data(as_text=True)
    assert app.test_client().get(f"/comments/release/{release_id}").status_code == 404
    assert "No open reports" in alice.get("/admin/reports").get_data(as_text=True)
    with app.app_context():
        assert search.search(db.session(), "night").releases == []


def test_admins_hide_comments_and_posts(app, people):
    """A hidden comment or post shows to nobody."""
    alice, bob, release_id = people["alice"], people["bob"], people["release_id"]
    bob.post(f"/comments/release/{release_id}", data={"body": "rude words"})
    bob.post("/posts", data={"body": "rude post"})
    with app.app_context():
        session = db.session()
        comment_id, post_id = session.scalar(select(Comment.id)), session.scalar(select(Post.id))
        admin = session.get(User, people["alice_id"])
        admin.is_admin = True
        session.commit()
        reports.hide(session, admin, "comment", comment_id)
        reports.hide(session, admin, "post", post_id)
    assert "rude words" not in app.test_client().get(
        f"/comments/release/{release_id}").get_data(as_text=True)
    assert "rude post" not in alice.get("/explore").get_data(as_text=True)
    assert bob.post(f"/likes/post/{post_id}", data={"liked": "1"}).status_code == 404


# ---------------------------------------------------------------- notifications


def test_the_nav_count_mark_all_read_and_the_fragment_304(app, people):
    """Bob likes, follows, comments: Alice's nav says 3; the page lists them and changes
    nothing; "Mark all read" (a POST) does; the count is gone."""
    alice, bob = people["alice"], people["bob"]
    nav = soup(alice.get("/library")).find(id="nav-notifications")
    assert nav.find("a").get_text(" ", strip=True) == "Notifications"
    tag = nav["hx-ptag"]
    assert alice.get(nav["hx-get"], headers={**HX, "HX-PTag": tag}).status_code == 304
    bob.post(f"/likes/release/{people['release_id']}", data={"liked": "1"})
    bob.post(f"/follows/{people['alice_id']}", data={"following": "1"})
    bob.post(f"/comments/release/{people['release_id']}", data={"body": "nice"})
    fresh = alice.get(nav["hx-get"], headers={**HX, "HX-PTag": tag})
    assert fresh.status_code == 200 and "Notifications 3 unread" in soup(fresh).get_text(" ",
                                                                                         strip=True)
    page = soup(alice.get("/notifications"))
    items = [li.get_text(" ", strip=True) for li in page.select("#notification-list li")]
    assert any("bob liked your release “Night Drive”" in text for text in items)
    assert any("bob started following you" in text for text in items)
    assert any("bob commented on “Night Drive”" in text and "“nice”" in text for text in items)
    listing = page.find(id="notification-list")
    assert alice.get(listing["hx-get"], headers=HX).status_code == 200
    assert unread(app, people["alice_id"]) == 3, "reading (page or fragment) changes nothing"
    assert rows(app, Notification, Notification.read_at.is_(None)) == 3
    form = page.find("form", action="/notifications/read")
    assert form.find("button").get_text(strip=True) == "Mark all read"
    read = alice.post("/notifications/read", data={"page": "1"}, headers=HX)
    assert read.status_code == 200 and "notifications-changed" in triggers(read)
    assert soup(read).find(id="notification-list").find(class_="unread") is None
    assert unread(app, people["alice_id"]) == 0
    assert rows(app, Notification, Notification.read_at.is_(None)) == 0
    after = soup(alice.get("/explore")).find(id="nav-notifications")
    assert after.find("a").get_text(" ", strip=True) == "Notifications"
    assert app.test_client().get("/notifications").status_code in (302, 303)


def test_muted_kinds_make_no_notifications(app, people):
    """Alice mutes likes: Bob's like makes none; follows still notify."""
    alice, bob = people["alice"], people["bob"]
    form = alice.get("/notifications/settings")
    assert soup(form).find("input", attrs={"value": "like"}).has_attr("checked")
    saved = alice.post("/notifications/settings",
                       data={"kind": ["follow", "comment", "plays", "bogus"]})
    assert saved.status_code == 303
    assert not soup(alice.get("/notifications/settings")).find(
        "input", attrs={"value": "like"}).has_attr("checked")
    bob.post(f"/likes/release/{people['release_id']}", data={"liked": "1"})
    bob.post(f"/follows/{people['alice_id']}", data={"following": "1"})
    assert rows(app, Notification, Notification.kind == "like") == 0
    assert rows(app, Notification, Notification.kind == "follow") == 1


def test_the_daily_plays_digest_notifies_once_per_release_and_day(app, people):
    """The hook for the plays table: one digest per release and day, shown as N people."""
    today = utcnow().date()
    with app.app_context():
        session = db.session()
        assert notifications.record_plays(session, today, [(people["release_id"], 3)]) == 1
        assert notifications.record_plays(session, today, [(people["release_id"], 4)]) == 0
        assert notifications.record_plays(session, date(2026, 1, 1), [(999999, 2)]) == 0
    text = soup(people["alice"].get("/notifications")).find(id="notification-list").get_text(
        " ", strip=True)
    assert "3 people played your release “Night Drive” today" in text


# ---------------------------------------------------------------- search


def test_search_ranks_titles_first_filters_and_finds_people(app, people, make_client):
    """Title beats description; genre and mood filter; usernames match; odd input is safe."""
    alice_id, media = people["alice_id"], people["media"]
    with app.app_context():
        session = db.session()
        session.execute(update(Release).values(description="slow jazz ballad"))
        session.commit()
    titled = make_release(app, alice_id, *media, published=True, title="Jazz Hands")
    with app.app_context():
        session = db.session()
        session.execute(update(Release).where(Release.id == titled)
                        .values(genre="swing", mood="happy"))
        session.commit()
        found = search.search(session, "jazz")
        assert [r.id for r, _ in found.releases] == [titled, people["release_id"]]
        assert [r.id for r, _ in search.search(session, "jaz", genre="SWING").releases] == [titled]
        assert search.search(session, "jazz", mood="sad").releases == []
        assert [r.id for r, _ in search.search(session, "", mood="calm").releases] == [
            people["release_id"]]
        by_name = search.search(session, "ali")
        assert [u.username for u in by_name.people] == ["alice"]
        assert len(by_name.releases) == 2
        for odd in ('"', "a:* | b", "NEAR(", "'; drop table releases; --", "*", "\u00e9t\u00e9"):
            search.search(session, odd)
        assert search.search(session, "").asked is False
    anonymous = app.test_client()
    page = soup(anonymous.get("/search?q=jazz&genre=swing"))
    assert page.find("input", attrs={"type": "search", "name": "q"})["value"] == "jazz"
    assert page.find(id=f"search-release-{titled}") is not None
    assert page.find(id=f"search-release-{people['release_id']}") is None
    fragment = anonymous.get("/search/results?q=jazz", headers=HX)
    assert "<html" not in fragment.get_data(as_text=True)
    assert soup(fragment).find(id=f"search-release-{titled}") is not None
    assert anonymous.get("/search/results?q=jazz").status_code == 303
    box = soup(anonymous.get("/explore")).find("input", attrs={"type": "search"})
    assert box["id"] == "search-q" and soup(anonymous.get("/explore")).find(
        "label", attrs={"for": "search-q"}).get_text() == "Search"
    assert "input changed delay:300ms" in box["hx-trigger"] and "[" not in box["hx-trigger"]
    assert box["hx-sync"].endswith(":replace")


# ---------------------------------------------------------------- statements per page


def bulk_users(app, count: int, prefix: str) -> list[int]:
    """Insert `count` users directly (no password work) and return their ids."""
    with app.app_context():
        session = db.session()
        now = utcnow()
        session.execute(insert(User), [
            {"username": f"{prefix}{n}", "username_key": f"{prefix}{n}", "password_hash": "x",
             "created_at": now, "updated_at": now, "library_version": 0, "profile_version": 0,
             "unread_notifications": 0, "is_admin": False}
            for n in range(count)
        ])
        session.commit()
        return list(session.scalars(
            select(User.id).where(User.username.like(f"{prefix}%")).order_by(User.id)))


def grow(app, fans: list[int], release_ids: list[int], post_ids: list[int], alice_id: int,
         target: int) -> None:
    """Add likes, follows of Alice and comments until each table holds `target` rows."""
    with app.app_context():
        session = db.session()
        now = utcnow()
        have = session.scalar(select(func.count()).select_from(Like))
        subjects = [("r", r) for r in release_ids] + [("p", p) for p in post_ids]
        pairs = [(fan, kind, ident) for fan in fans for kind, ident in subjects]
        new = pairs[have:target]
        session.execute(insert(Like), [
            {"user_id": fan, "release_id": ident if kind == "r" else None,
             "post_id": ident if kind == "p" else None, "created_at": now}
            for fan, kind, ident in new
        ])
        followed = session.scalar(select(func.count()).select_from(Follow))
        session.execute(insert(Follow), [
            {"follower_id": fan, "followed_id": alice_id, "created_at": now}
            for fan in fans[followed:target]
        ])
        commented = session.scalar(select(func.count()).select_from(Comment))
        session.execute(insert(Comment), [
            {"release_id": release_ids[n % len(release_ids)], "user_id": fans[n % len(fans)],
             "body": "nice", "hidden": False, "created_at": now}
            for n in range(commented, target)
        ])
        session.commit()


def statements(app, client, url: str) -> int:
    """SQL statements one fragment request costs."""
    with counting_statements(app) as seen:
        response = client.get(url, headers=HX)
    assert response.status_code == 200, url
    return len(seen)


def test_a_page_of_50_cards_costs_the_same_at_10_and_10000_likes_follows_comments(
    app, people, capsys
):
    """Explore, Following, a profile and Liked: the same statements at 10 and 10,000 rows."""
    app.config["FEED_PAGE_SIZE"] = 50
    alice, alice_id, media = people["alice"], people["alice_id"], people["media"]
    release_ids = [people["release_id"]] + [
        make_release(app, alice_id, *media, published=True, title=f"R{n}") for n in range(24)
    ]
    for n in range(25):
        alice.post("/posts", data={"body": f"post {n}"})
    with app.app_context():
        post_ids = list(db.session().scalars(select(Post.id)))
    fans = bulk_users(app, 10_000, "fan")
    bob = people["bob"]
    bob.post(f"/follows/{alice_id}", data={"following": "1"})
    for kind, ident in (("release", release_ids[0]), ("post", post_ids[0])):
        bob.post(f"/likes/{kind}/{ident}", data={"liked": "1"})
    urls = ("/explore/feed", "/explore/following/feed", f"/feeds/user/{user_ref(app, alice_id)}",
            "/liked/feed")
    grow(app, fans, release_ids, post_ids, alice_id, 10)
    few = {url: statements(app, bob, url) for url in urls}
    grow(app, fans, release_ids, post_ids, alice_id, 10_000)
    assert rows(app, Like) >= 10_000 and rows(app, Follow) >= 10_000
    assert rows(app, Comment) == 10_000
    many = {url: statements(app, bob, url) for url in urls}
    assert few == many, (few, many)
    card = soup(bob.get("/explore")).find(id=f"feed-release-{release_ids[0]}")
    assert card.find("button", string="Like")["aria-pressed"] == "true"
    with capsys.disabled():
        print(f"\nstatements per 50-card page at 10 and 10,000 rows: {many}")
