"""One visibility rule on every public path (issue 24, finding 2), on both databases.

For each way a thing leaves public view (an admin hides it, its owner unpublishes or
deletes it, its author is blocked by the release's owner), every GET route of the app —
pages, fragments, feeds, search, media files, the embed, oEmbed, OpenGraph — is requested
for it by an anonymous visitor, a fan (who liked, followed and commented) and a stranger,
plain and as htmx; then the writes others could make on it (plays, likes, comments,
reports). A leak is a page showing its marker text, a media file served, or a write that
counted. The count of leaks must be 0; the count of requests tried is printed.
"""

import pytest
from flask import url_for
from sqlalchemy import func, select

from tests.factories import make_media, make_release, user_id_of
from webapp import db, names
from webapp.models import Comment, Like, PlayEvent, Post, Release, Report, User
from webapp.moderation import reports
from webapp.publishing import posts, releases
from webapp.social import blocks

TITLE = "Zanzibar Quokka"
POST_MARKER = "quokkapostmarker"
COMMENT_MARKER = "quokkacommentmarker"
OTHER_TITLE = "Second Song"
HX = {"HX-Request": "true"}
SCENARIOS = ("hide-release", "unpublish-release", "delete-release", "hide-post", "delete-post",
             "hide-comment", "delete-comment", "block-commenter")
TRIED: dict[str, int] = {}


@pytest.fixture
def world(app, make_client):
    """The owner's public release (with a comment by the fan, and a post attaching it) and a
    second release; a fan who likes, follows and comments; a stranger; an admin."""
    owner, fan, stranger, admin = (make_client(name) for name in
                                   ("owner", "fan", "stranger", "judith"))
    owner_id = user_id_of(app, "owner")
    music = make_media(app, owner_id, "music", "a calm piano night")
    image = make_media(app, owner_id, "image", "neon city at dusk")
    release_id = make_release(app, owner_id, music, image, published=True, title=TITLE)
    other_id = make_release(app, owner_id, make_media(app, owner_id, "music", "morning song"),
                            make_media(app, owner_id, "image", "sunrise"), published=True,
                            title=OTHER_TITLE)
    owner.post("/posts", data={"body": f"{POST_MARKER} out now",
                               "release_id": str(release_id)})
    fan.post(f"/comments/release/{release_id}", data={"body": f"{COMMENT_MARKER} love it"})
    with app.app_context():
        session = db.session()
        post_id = session.scalar(select(Post.id))
        comment_id = session.scalar(select(Comment.id))
        reports.make_admin(session, "judith")
    assert fan.post(f"/likes/release/{release_id}", data={"liked": "1"}).status_code == 303
    assert fan.post(f"/likes/post/{post_id}", data={"liked": "1"}).status_code == 303
    assert fan.post(f"/follows/{owner_id}", data={"following": "1"}).status_code == 303
    return {"owner": owner, "fan": fan, "stranger": stranger, "admin": admin,
            "owner_id": owner_id, "fan_id": user_id_of(app, "fan"), "release": release_id,
            "other": other_id, "post": post_id, "comment": comment_id, "music": music,
            "image": image}


def apply(app, world, scenario: str) -> None:
    """Take the thing out of public view the scenario's way."""
    with app.app_context():
        session = db.session()
        owner = session.get(User, world["owner_id"])
        admin = session.get(User, user_id_of(app, "judith"))
        if scenario == "hide-release":
            reports.hide(session, admin, "release", world["release"])
        elif scenario == "unpublish-release":
            releases.set_published(session, owner, world["release"], False)
        elif scenario == "delete-release":
            releases.delete_release(session, owner, world["release"])
        elif scenario == "hide-post":
            reports.hide(session, admin, "post", world["post"])
        elif scenario == "delete-post":
            posts.delete_post(session, owner, world["post"])
        elif scenario == "hide-comment":
            reports.hide(session, admin, "comment", world["comment"])
        elif scenario == "delete-comment":
            session.delete(session.get(Comment, world["comment"]))
            session.commit()
        elif scenario == "block-commenter":
            blocks.set_block(session, owner, world["fan_id"], True)


def marker_of(scenario: str) -> str:
    """The text that must show nowhere after the scenario."""
    if scenario.endswith("release"):
        return TITLE
    return POST_MARKER if scenario.endswith("post") else COMMENT_MARKER


def get_urls(app, world) -> list[str]:
    """Every GET route of the app, its arguments aimed at the scenario's things, plus the
    pages that list them (feeds, search, the other release, the owner's profile)."""
    values = {
        "release_id": world["release"], "media_id": world["music"], "post_id": world["post"],
        "comment_id": world["comment"], "user_id": world["owner_id"], "username": "owner",
        "slug": names.slug(TITLE), "filename": "0" * 32 + ".webp",
    }
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint in ("static", "events.events_stream") or "GET" not in rule.methods:
                continue
            arguments = {name: values[name] for name in rule.arguments if name in values}
            if len(arguments) < len(rule.arguments):
                continue
            urls.append(url_for(rule.endpoint, **arguments, **rule.defaults or {}))
        release_path = f"/releases/{world['release']}-{names.slug(TITLE)}"
        urls += [
            url_for("media.file", media_id=world["image"]),
            url_for("media.preview", media_id=world["image"]),
            url_for("social.search_page", q="Zanzibar"),
            url_for("social.search_results", q="Zanzibar"),
            url_for("social.search_page", q="owner"),
            url_for("listening.oembed", url=f"http://localhost{release_path}"),
            url_for("publishing.release_page", release_id=world["other"],
                    slug=names.slug(OTHER_TITLE)),
            url_for("social.release_comments", release_id=world["other"]),
        ]
    return list(dict.fromkeys(urls))


def count(app, model, *where) -> int:
    """Rows of a table matching `where`."""
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model).where(*where))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_nothing_out_of_public_view_leaks_on_any_route(app, world, scenario):
    """Hide, unpublish, delete or block, then try every route: 0 leaks."""
    apply(app, world, scenario)
    marker = marker_of(scenario)
    media_gone = scenario.endswith("release")
    viewers = {"anonymous": app.test_client(), "fan": world["fan"],
               "stranger": world["stranger"]}
    leaks, tried = [], 0
    for url in get_urls(app, world):
        for name, viewer in viewers.items():
            for headers in ({}, HX):
                response = viewer.get(url, headers=headers)
                tried += 1
                assert response.status_code < 500, (url, response.status_code)
                if url.startswith("/media/"):
                    if media_gone and response.status_code == 200:
                        leaks.append((name, url, "file served"))
                elif marker in response.get_data(as_text=True):
                    leaks.append((name, url, marker))
    stranger = world["stranger"]
    release, post, comment = world["release"], world["post"], world["comment"]
    if scenario.endswith("release"):
        plays = count(app, PlayEvent)
        for client in (app.test_client(), stranger):
            client.post("/plays", data={"release_id": str(release)})
        tried += 2
        if count(app, PlayEvent) != plays:
            leaks.append(("plays", "/plays", "counted"))
        writes = [(f"/likes/release/{release}", {"liked": "1"}),
                  (f"/comments/release/{release}", {"body": "hello"}),
                  ("/reports", {"kind": "release", "subject_id": str(release)})]
    elif scenario.endswith("post"):
        writes = [(f"/likes/post/{post}", {"liked": "1"}),
                  ("/reports", {"kind": "post", "subject_id": str(post)})]
    else:
        writes = [("/reports", {"kind": "comment", "subject_id": str(comment)})]
    likes, comments, reports = count(app, Like), count(app, Comment), count(app, Report)
    for url, form in writes:
        response = stranger.post(url, data=form, headers=HX)
        tried += 1
        if response.status_code < 400:
            leaks.append(("stranger", url, response.status_code))
    if (count(app, Like), count(app, Comment), count(app, Report)) != (likes, comments, reports):
        leaks.append(("stranger", "writes", "stored"))
    TRIED[scenario] = tried
    print(f"\n{scenario}: {tried} requests tried, {len(leaks)} leaks")
    assert leaks == []
    assert tried >= 150


def test_the_owner_still_sees_their_hidden_or_draft_release(app, world):
    """The rule keeps the owner's own view: a draft or hidden release opens for its owner."""
    apply(app, world, "hide-release")
    owner = world["owner"]
    page = owner.get(f"/releases/{world['release']}-{names.slug(TITLE)}")
    assert page.status_code == 200 and TITLE in page.get_data(as_text=True)
    assert owner.get(f"/media/{world['music']}/file").status_code == 200
    with app.app_context():
        assert db.session().get(Release, world["release"]).hidden
