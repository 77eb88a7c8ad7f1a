"""Releases on both databases: create from your own media, publish, unpublish, delete."""

import queue
import re

import pytest
from flask import render_template
from sqlalchemy import func, select

from tests.factories import make_media, make_release, new_user, track_and_cover, user_row
from tests.helpers import HX, triggers
from tests.sweep import checksum
from webapp import db, events
from webapp.models import Media, Post, Release, User
from webapp.publishing import releases


def release_form(track: int, cover: int, **changes) -> dict:
    """A valid release form, with changes."""
    form = {
        "title": "Night Drive", "music_id": str(track), "image_id": str(cover),
        "genre": "synthwave", "mood": "calm", "description": "Line one\nLine two",
    }
    form.update(changes)
    return form


def count(app, model) -> int:
    """Rows of a table."""
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model))


def release_row(app, release_id: int) -> Release | None:
    """A fresh copy of a release row."""
    with app.app_context():
        return db.session().get(Release, release_id)


@pytest.fixture
def alice_with_media(app, make_client):
    """Alice, signed in, with one track and one cover."""
    client, user_id = new_user(make_client, app, "alice")
    music_id, image_id = track_and_cover(app, user_id)
    return client, user_id, music_id, image_id


def test_create_release_without_javascript_redirects_to_the_library(app, alice_with_media):
    """POST /releases → 303 to the Releases tab, a flashed message, one draft stored."""
    client, user_id, music_id, image_id = alice_with_media
    before = user_row(app, user_id).library_version
    response = client.post("/releases", data=release_form(music_id, image_id))
    assert response.status_code == 303
    assert response.headers["Location"] == "/library?tab=releases"
    page = client.get(response.headers["Location"])
    assert "Release “Night Drive” created" in page.get_data(as_text=True)
    with app.app_context():
        release = db.session().scalar(select(Release))
        assert (release.user_id, release.music_id, release.image_id) == (user_id, music_id,
                                                                         image_id)
        assert release.published is False
        assert release.description == "Line one\nLine two"
    assert user_row(app, user_id).library_version == before + 1


def test_create_release_with_htmx_answers_a_fresh_form_and_library_changed(app, alice_with_media):
    """The fragment (no <html>), library-changed and an announcement."""
    client, _, music_id, image_id = alice_with_media
    response = client.post("/releases", data=release_form(music_id, image_id), headers=HX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert body.lstrip().startswith('<section id="release-form"')
    events_sent = triggers(response)
    assert "library-changed" in events_sent
    assert "Night Drive" in events_sent["status-announced"]["message"]
    assert count(app, Release) == 1


def test_the_new_release_shows_in_the_library_with_cover_and_player(app, alice_with_media):
    """Library → Releases shows the card (cover image, audio player, Publish button)."""
    client, _, music_id, image_id = alice_with_media
    client.post("/releases", data=release_form(music_id, image_id))
    page = client.get("/library?tab=releases").get_data(as_text=True)
    assert "Night Drive" in page
    assert f'src="/media/{image_id}/' in page
    # One play control (the player's), and the card's own <audio> for pages without JavaScript.
    assert f'data-src="/media/{music_id}/file"' in page
    fallback = f'<noscript>\\s*<audio controls preload="none" src="/media/{music_id}/file"'
    assert re.search(fallback, page)
    assert ">Publish</button>" in page
    assert 'id="release-form"' in page  # the form sits at the top of the tab


BAD_RELEASE_INPUT = [
    ({"title": ""}, "title", "Title is required."),
    ({"title": "x" * 121}, "title", "Title must be at most 120 characters."),
    ({"genre": ""}, "genre", "Genre is required."),
    ({"mood": "m" * 41}, "mood", "Mood must be at most 40 characters."),
    ({"music_id": ""}, "music_id", "Choose a track."),
    ({"music_id": "abc"}, "music_id", "Choose a valid track."),
    ({"image_id": "99999999999"}, "image_id", "Choose a valid cover."),
    ({"image_id": "-3"}, "image_id", "Choose a valid cover."),
    ({"description": "d" * 1001}, "description", "at most 1000 characters"),
]


def test_bad_release_input_is_refused_with_a_message(app, alice_with_media):
    """Each case: 422 with the field's message (page and fragment), nothing stored."""
    client, _, music_id, image_id = alice_with_media
    for changes, field, message in BAD_RELEASE_INPUT:
        form = release_form(music_id, image_id, **changes)
        page = client.post("/releases", data=form)
        assert page.status_code == 422, changes
        assert message in page.get_data(as_text=True), changes
        assert "<h1>Create release</h1>" in page.get_data(as_text=True)
        fragment = client.post("/releases", data=form, headers=HX)
        assert fragment.status_code == 422, changes
        body = fragment.get_data(as_text=True)
        assert message in body, changes
        assert f'name="{field}"' in body and 'aria-invalid="true"' in body, changes
        assert "<html" not in body
    assert count(app, Release) == 0


def test_wrong_kind_is_a_clear_error(app, alice_with_media):
    """Your cover as the track (or your track as the cover): 422 with a clear message."""
    client, _, music_id, image_id = alice_with_media
    response = client.post("/releases", data=release_form(image_id, music_id))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "That item is a cover, not a track." in body
    assert "That item is a track, not a cover." in body
    assert count(app, Release) == 0


def test_another_users_media_cannot_be_picked(app, alice_with_media, make_client):
    """Mallory forging Alice's media ids (or missing ids) gets 404 and nothing is stored."""
    _, _, music_id, image_id = alice_with_media
    mallory, mallory_id = new_user(make_client, app, "mallory")
    own_music, own_image = track_and_cover(app, mallory_id)
    before = checksum(app)
    for form in (
        release_form(music_id, own_image),
        release_form(own_music, image_id),
        release_form(music_id, image_id),
        release_form(own_music, 987654),
    ):
        assert mallory.post("/releases", data=form).status_code == 404
        assert mallory.post("/releases", data=form, headers=HX).status_code == 404
    assert checksum(app) == before


def test_release_form_shows_only_your_media_and_an_empty_state(app, alice_with_media, make_client):
    """The included form, with only current_user in context, lists the user's own items."""
    client, _, music_id, image_id = alice_with_media
    bob, bob_id = new_user(make_client, app, "bob")
    bob_track = make_media(app, bob_id, "music", "bob's only track", duration=10)
    page = client.get("/library?tab=releases").get_data(as_text=True)
    assert f'<option value="{music_id}"' in page
    assert f'<option value="{image_id}"' in page
    assert f'<option value="{bob_track}"' not in page
    bobs = bob.get("/library?tab=releases").get_data(as_text=True)
    assert "You have no cover yet." in bobs
    assert 'href="/studio"' in bobs
    assert 'name="music_id"' not in bobs
    empty = make_client("carol").get("/releases/new").get_data(as_text=True)
    assert "You have no track and no cover yet." in empty


def test_release_form_renders_with_current_user_and_the_choices_it_is_given(app, alice_with_media):
    """What the library does: include the partial with current_user and the choices the view
    loaded (a template queries nothing itself)."""
    client, user_id, _, _ = alice_with_media
    client.get("/studio")
    with app.test_request_context():
        from flask_login import login_user

        session = db.session()
        user = session.get(User, user_id)
        login_user(user)
        html = render_template("publishing/partials/release_form.html",
                               **releases.release_form_context(session, user_id))
    assert 'id="release-form"' in html
    assert "Create release</button>" in html


def test_release_form_fragment_answers_304_while_the_library_is_unchanged(app, alice_with_media):
    """The form refreshes itself on library-changed; no change → 304, empty body."""
    client, user_id, music_id, image_id = alice_with_media
    version = str(user_row(app, user_id).library_version)
    same = client.get("/releases/form", headers={**HX, "HX-PTag": version})
    assert same.status_code == 304
    assert same.data == b""
    make_release(app, user_id, music_id, image_id)
    changed = client.get("/releases/form", headers={**HX, "HX-PTag": version})
    assert changed.status_code == 200
    assert changed.headers["HX-PTag"] == str(int(version) + 1)


def test_publish_and_unpublish(app, alice_with_media):
    """Publish sets published_at and bumps versions; unpublish hides it again."""
    client, user_id, music_id, image_id = alice_with_media
    release_id = make_release(app, user_id, music_id, image_id)
    before = user_row(app, user_id)
    response = client.post(f"/releases/{release_id}/publish")
    assert response.status_code == 303
    assert response.headers["Location"] == "/library?tab=releases"
    release = release_row(app, release_id)
    assert release.published and release.published_at is not None
    after = user_row(app, user_id)
    assert after.profile_version == before.profile_version + 1
    assert after.library_version == before.library_version + 1
    assert "is published" in client.get("/library?tab=releases").get_data(as_text=True)

    fragment = client.post(f"/releases/{release_id}/unpublish", headers=HX)
    assert fragment.status_code == 200
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith(f'<article id="release-{release_id}"')
    assert ">Publish</button>" in body
    sent = triggers(fragment)
    assert sent["release-unpublished"] == {"id": release_id}
    assert "library-changed" in sent and "status-announced" in sent
    assert release_row(app, release_id).published is False

    again = client.post(f"/releases/{release_id}/publish", headers=HX)
    assert triggers(again)["release-published"] == {"id": release_id}
    assert ">Unpublish</button>" in again.get_data(as_text=True)
    version = user_row(app, user_id).profile_version
    twice = client.post(f"/releases/{release_id}/publish", headers=HX)
    assert twice.status_code == 204 and "HX-Trigger" not in twice.headers
    assert user_row(app, user_id).profile_version == version  # nothing to do, nothing moved


def test_someone_elses_release_cannot_be_published_deleted_or_attached(
    app, alice_with_media, make_client
):
    """Direct requests aimed at Alice's release: 404 every time, nothing stored."""
    _, user_id, music_id, image_id = alice_with_media
    draft = make_release(app, user_id, music_id, image_id)
    published = make_release(app, user_id, music_id, image_id, published=True, title="Out")
    mallory = make_client("mallory")
    before = checksum(app)
    for release_id in (draft, published):
        for action in ("publish", "unpublish", "delete"):
            for headers in ({}, HX):
                response = mallory.post(f"/releases/{release_id}/{action}", headers=headers)
                assert response.status_code == 404, (release_id, action)
        response = mallory.post("/posts", data={"body": "mine now", "release_id": release_id})
        assert response.status_code == 404
    assert mallory.post("/releases/2147483647/publish").status_code == 404
    assert mallory.post("/releases/2147483648/publish").status_code == 404
    assert checksum(app) == before


def test_delete_release_keeps_media_and_post_text(app, alice_with_media):
    """Deleting a release leaves the media; a post that attached it keeps its text."""
    client, user_id, music_id, image_id = alice_with_media
    release_id = make_release(app, user_id, music_id, image_id, published=True)
    client.post("/posts", data={"body": "Listen to this", "release_id": str(release_id)})
    response = client.post(f"/releases/{release_id}/delete", headers=HX)
    assert response.status_code == 200
    assert response.data == b""
    assert set(triggers(response)) >= {"library-changed", "release-unpublished"}
    assert release_row(app, release_id) is None
    assert count(app, Media) == 2
    with app.app_context():
        post = db.session().scalar(select(Post))
        assert (post.body, post.release_id) == ("Listen to this", None)
    explore = client.get("/explore").get_data(as_text=True)
    assert "Listen to this" in explore
    assert "<audio" not in explore


def test_delete_release_without_javascript(app, alice_with_media):
    """POST → 303 to the library with a message."""
    client, user_id, music_id, image_id = alice_with_media
    release_id = make_release(app, user_id, music_id, image_id)
    response = client.post(f"/releases/{release_id}/delete")
    assert response.status_code == 303
    assert "Release deleted." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert count(app, Release) == 0


def test_deleting_a_used_media_item_cascades_and_nothing_renders_a_broken_player(
    app, alice_with_media
):
    """FK cascade removes the release; the post keeps its text and shows no player."""
    client, user_id, music_id, image_id = alice_with_media
    release_id = make_release(app, user_id, music_id, image_id, published=True)
    client.post("/posts", data={"body": "Attached", "release_id": str(release_id)})
    with app.app_context():
        session = db.session()
        session.delete(session.get(Media, music_id))
        session.commit()
    assert release_row(app, release_id) is None
    with app.app_context():
        assert db.session().scalar(select(Post.release_id)) is None
    for url in ("/explore", "/library?tab=releases"):
        body = client.get(url).get_data(as_text=True)
        assert f"/media/{music_id}/" not in body, url


def test_media_is_public_only_while_a_published_release_uses_it(app, alice_with_media):
    """Publishing opens the files; unpublishing closes them unless another release is out."""
    _, user_id, music_id, image_id = alice_with_media
    first = make_release(app, user_id, music_id, image_id)
    second = make_release(app, user_id, music_id, image_id, title="Second")
    with app.app_context():
        session = db.session()
        user = session.get(User, user_id)
        assert not releases.media_is_public(session, music_id)
        releases.set_published(session, user, first, True)
        releases.set_published(session, user, second, True)
        assert releases.media_is_public(session, music_id)
        assert releases.media_is_public(session, image_id)
        releases.set_published(session, user, first, False)
        assert releases.media_is_public(session, music_id)
        releases.set_published(session, user, second, False)
        assert not releases.media_is_public(session, music_id)
        assert not releases.media_is_public(session, image_id)


def test_unpublished_media_is_not_readable_by_others_published_is(
    app, alice_with_media, make_client
):
    """GET /media/<id>/file: others and anonymous get 404 until the release is published."""
    owner, user_id, music_id, image_id = alice_with_media
    release_id = make_release(app, user_id, music_id, image_id)
    other = make_client("bob")
    anonymous = app.test_client()
    for media_id in (music_id, image_id):
        assert owner.get(f"/media/{media_id}/file").status_code == 200
        assert other.get(f"/media/{media_id}/file").status_code == 404
        assert anonymous.get(f"/media/{media_id}/file").status_code in (302, 404)
    owner.post(f"/releases/{release_id}/publish")
    for media_id in (music_id, image_id):
        assert other.get(f"/media/{media_id}/file").status_code == 200
        assert anonymous.get(f"/media/{media_id}/file").status_code == 200
    owner.post(f"/releases/{release_id}/unpublish")
    assert other.get(f"/media/{music_id}/file").status_code == 404
    assert anonymous.get(f"/media/{image_id}/file").status_code in (302, 404)


def test_writes_publish_events_to_the_authors_stream_only(
    app, alice_with_media, make_client, backend
):
    """library-changed, release-published, post-created reach the author, never others."""
    client, user_id, music_id, image_id = alice_with_media
    _, bob_id = new_user(make_client, app, "bob")
    mine = events.subscribe(app, user_id)
    theirs = events.subscribe(app, bob_id)
    listener = app.extensions.get("event_listener")
    if listener is not None:
        assert listener.ready.wait(60)
    try:
        client.post("/releases", data=release_form(music_id, image_id))
        release_id = release_row_id(app)
        client.post(f"/releases/{release_id}/publish")
        client.post("/posts", data={"body": "hello", "release_id": str(release_id)})
        received = [mine.get(timeout=60) for _ in range(4)]
        names = [message.name for message in received]
        assert names == ["library-changed", "release-published", "library-changed",
                         "post-created"]
        assert received[1].data == {"id": release_id}
        with pytest.raises(queue.Empty):
            theirs.get(timeout=0.3)
    finally:
        events.bus_of(app).unsubscribe(user_id, mine)
        events.bus_of(app).unsubscribe(bob_id, theirs)


def release_row_id(app) -> int:
    """The id of the only release."""
    with app.app_context():
        return db.session().scalar(select(Release.id))


def test_failed_write_publishes_nothing(app, alice_with_media):
    """A refused release queues no event (nothing to announce)."""
    client, user_id, music_id, image_id = alice_with_media
    inbox = events.subscribe(app, user_id)
    try:
        client.post("/releases", data=release_form(music_id, image_id, title=""))
        with pytest.raises(queue.Empty):
            inbox.get(timeout=0.3)
    finally:
        events.bus_of(app).unsubscribe(user_id, inbox)
