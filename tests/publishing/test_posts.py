"""Posts on both databases: write, attach your published release, escape, delete."""

import pytest
from sqlalchemy import func, select

from tests.factories import make_release, new_user, track_and_cover, user_id_of, user_row
from tests.helpers import HX, triggers
from tests.sweep import checksum
from webapp import db
from webapp.models import Post, User
from webapp.publishing import feeds
from webapp.publishing import posts as publishing_posts


def posts(app) -> list[Post]:
    """Every post, oldest first."""
    with app.app_context():
        return list(db.session().scalars(select(Post).order_by(Post.id)))


def post_count(app) -> int:
    """How many posts exist."""
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Post))


def test_post_without_javascript_returns_to_the_page_it_came_from(app, make_client):
    """POST /posts → 303 to `next` with a message; the post shows on explore."""
    client, user_id = new_user(make_client, app, "alice")
    before = user_row(app, user_id).profile_version
    response = client.post("/posts", data={"body": "First post!", "next": "/explore?page=1"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/explore?page=1"
    page = client.get("/explore").get_data(as_text=True)
    assert "Post published." in page
    assert "First post!" in page
    assert user_row(app, user_id).profile_version == before + 1


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example", "/\\evil", "", "/x\r\nSet-Cookie: a=b"]
)
def test_post_never_redirects_off_site(app, make_client, target):
    """A foreign or odd `next` falls back to /explore."""
    client = make_client("alice")
    response = client.post("/posts", data={"body": "hi", "next": target})
    assert response.headers["Location"] == "/explore"


def test_post_with_htmx_answers_a_fresh_form_and_post_created(app, make_client):
    """The form fragment (emptied), post-created with the id, an announcement."""
    client = make_client("alice")
    response = client.post("/posts", data={"body": "Hello"}, headers=HX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="post-form"')
    assert "<html" not in body and "Hello</textarea>" not in body
    sent = triggers(response)
    assert sent["post-created"] == {"id": posts(app)[0].id}
    assert sent["status-announced"]["message"] == "Post published."


def test_post_html_is_shown_as_text_and_line_breaks_are_kept(app, make_client):
    """Autoescape: a <script> shows as text; the body keeps its newlines (pre-wrap)."""
    client = make_client("alice")
    client.post("/posts", data={"body": "<script>alert(1)</script>\nsecond line"})
    page = client.get("/explore").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\nsecond line" in page
    assert 'class="post-body"' in page
    assert posts(app)[0].body == "<script>alert(1)</script>\nsecond line"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Post is required."),
        ("   \n  ", "Post is required."),
        ("x" * 2001, "Post must be at most 2000 characters."),
    ],
)
def test_bad_posts_are_refused(app, make_client, body, message):
    """422 with the message, as a page and as the form fragment; nothing stored."""
    client = make_client("alice")
    page = client.post("/posts", data={"body": body})
    assert page.status_code == 422
    assert message in page.get_data(as_text=True)
    assert "<h1>Explore</h1>" in page.get_data(as_text=True)
    fragment = client.post("/posts", data={"body": body}, headers=HX)
    assert fragment.status_code == 422
    assert message in fragment.get_data(as_text=True)
    assert 'aria-invalid="true"' in fragment.get_data(as_text=True)
    assert post_count(app) == 0


def test_two_thousand_characters_and_control_characters(app, make_client):
    """Exactly 2000 characters is fine; NUL is refused before any route runs."""
    client = make_client("alice")
    assert client.post("/posts", data={"body": "y" * 2000}).status_code == 303
    assert client.post("/posts", data={"body": "a\x00b"}).status_code == 400
    assert post_count(app) == 1


def test_attach_your_published_release(app, make_client):
    """The post links the release; explore shows its player inside the post."""
    client, user_id = new_user(make_client, app, "alice")
    music_id, image_id = track_and_cover(app, user_id)
    release_id = make_release(app, user_id, music_id, image_id, published=True)
    form_page = client.get("/explore").get_data(as_text=True)
    assert f'<option value="{release_id}">Night Drive</option>' in form_page
    response = client.post("/posts", data={"body": "Out now", "release_id": str(release_id)})
    assert response.status_code == 303
    assert posts(app)[0].release_id == release_id
    page = client.get("/explore").get_data(as_text=True)
    assert f'id="post-{posts(app)[0].id}-release"' in page
    assert f'src="/media/{music_id}/file"' in page


def test_only_published_releases_can_be_attached(app, make_client):
    """A draft is not offered, and forcing it gives a clear error, nothing stored."""
    client, user_id = new_user(make_client, app, "alice")
    music_id, image_id = track_and_cover(app, user_id)
    draft = make_release(app, user_id, music_id, image_id)
    page = client.get("/explore").get_data(as_text=True)
    assert f'<option value="{draft}"' not in page
    assert "Only published releases can be attached" in page
    response = client.post("/posts", data={"body": "Draft", "release_id": str(draft)})
    assert response.status_code == 422
    assert "Only published releases can be attached. Publish it first" in response.get_data(
        as_text=True
    )
    bad = client.post("/posts", data={"body": "Bad", "release_id": "abc"}, headers=HX)
    assert bad.status_code == 422
    assert "Choose a valid release." in bad.get_data(as_text=True)
    assert post_count(app) == 0


def test_someone_elses_release_cannot_be_attached(app, make_client):
    """Attaching another user's (published) release: 404, nothing stored."""
    _, alice_id = new_user(make_client, app, "alice")
    music_id, image_id = track_and_cover(app, alice_id)
    release_id = make_release(app, alice_id, music_id, image_id, published=True)
    mallory = make_client("mallory")
    before = checksum(app)
    for headers in ({}, HX):
        response = mallory.post(
            "/posts", data={"body": "stolen", "release_id": str(release_id)}, headers=headers
        )
        assert response.status_code == 404
    assert checksum(app) == before


def test_delete_your_post(app, make_client):
    """With htmx: empty 200 + post-deleted; without: 303 back with a message."""
    client, user_id = new_user(make_client, app, "alice")
    client.post("/posts", data={"body": "one"})
    client.post("/posts", data={"body": "two"})
    first, second = (post.id for post in posts(app))
    before = user_row(app, user_id).profile_version
    response = client.post(f"/posts/{first}/delete", headers=HX)
    assert response.status_code == 200 and response.data == b""
    assert triggers(response)["post-deleted"] == {"id": first}
    assert user_row(app, user_id).profile_version == before + 1
    page = client.post(f"/posts/{second}/delete", data={"next": "/explore"})
    assert page.status_code == 303 and page.headers["Location"] == "/explore"
    assert "Post deleted." in client.get("/explore").get_data(as_text=True)
    assert post_count(app) == 0


def test_someone_elses_post_cannot_be_deleted(app, make_client):
    """404 for another user's post (and for a missing one); the post stays."""
    alice = make_client("alice")
    alice.post("/posts", data={"body": "mine"})
    post_id = posts(app)[0].id
    mallory = make_client("mallory")
    assert mallory.post(f"/posts/{post_id}/delete").status_code == 404
    assert mallory.post(f"/posts/{post_id}/delete", headers=HX).status_code == 404
    assert mallory.post("/posts/999999/delete").status_code == 404
    assert post_count(app) == 1
    assert f'id="post-{post_id}"' in mallory.get("/explore").get_data(as_text=True)
    assert "Delete post" not in mallory.get("/explore").get_data(as_text=True)
    assert "Delete post" in alice.get("/explore").get_data(as_text=True)


def test_create_post_domain_function(app, make_client):
    """create_post without HTTP, as the profiles engineer uses it."""
    make_client("alice")
    user_id = user_id_of(app, "alice")
    with app.app_context():
        session = db.session()
        user = session.get(User, user_id)
        post, errors = publishing_posts.create_post(session, user, "  trimmed  ")
        assert not errors and post.body == "trimmed"
        none, errors = publishing_posts.create_post(session, user, "")
        assert none is None and errors.get("body") == "Post is required."
        feed = feeds.profile_feed(session, user_id)
        assert [entry.post.id for entry in feed.entries] == [post.id]


def test_post_form_fragment_refreshes_when_releases_change(app, make_client):
    """GET /posts/form: 304 while profile_version is the same, a new list after publishing."""
    client, user_id = new_user(make_client, app, "alice")
    music_id, image_id = track_and_cover(app, user_id)
    version = str(user_row(app, user_id).profile_version)
    same = client.get("/posts/form?next=/explore", headers={**HX, "HX-PTag": version})
    assert same.status_code == 304
    release_id = make_release(app, user_id, music_id, image_id, published=True)
    changed = client.get("/posts/form?next=/explore", headers={**HX, "HX-PTag": version})
    assert changed.status_code == 200
    body = changed.get_data(as_text=True)
    assert f'<option value="{release_id}">' in body
    assert 'name="next" value="/explore"' in body


def test_bidi_controls_and_zero_width_characters_are_stripped(app, make_client):
    """Trojan-Source overrides and invisible characters never reach a post; emoji joins stay."""
    client, _ = new_user(make_client, app, "alice")
    body = "pay\u202e\u2066 alice\u200b\u200f now\ufeff, family \U0001f469\u200d\U0001f4bb ok\u200d"
    assert client.post("/posts", data={"body": body}).status_code == 303
    assert [p.body for p in posts(app)] == ["pay alice now, family \U0001f469\u200d\U0001f4bb ok"]
    assert client.post("/posts", data={"body": "\u200b\u202e\u2066"}).status_code in (400, 422)
    assert post_count(app) == 1
