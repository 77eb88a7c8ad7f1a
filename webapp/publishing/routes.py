"""Publishing: releases (create, publish, unpublish, delete), posts, and the public feeds."""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import db, htmx, live, names
from ..access import or_404, private, public
from ..forms import FormErrors, parse_page, safe_next
from ..models import User
from ..security import client_address
from ..social import cards, comments, search
from . import feeds, posts, releases
from .templating import release_url, viewer_feed_tag

bp = Blueprint("publishing", __name__)

RELEASE_FIELDS = ("title", "music_id", "image_id", "genre", "mood", "description")
RELEASE_ID = "<int(max=2147483647):release_id>"


def _viewer_id() -> int | None:
    """The signed-in user's id, or None."""
    return current_user.id if current_user.is_authenticated else None


def _library_releases_url() -> str:
    """Where releases live without JavaScript."""
    return url_for("library.library", tab="releases")


def _explore_url() -> str:
    """Explore: where a post form returns to when it names no page."""
    return url_for(".explore")


# ---------------------------------------------------------------- releases


def _release_values(fields: tuple[str, ...]) -> dict:
    """A release form's fields; genre and mood come from their select or its "Other…" text."""
    values = {name: request.form.get(name, "") for name in fields}
    for name in ("genre", "mood"):
        values[name] = releases.tag_from_form(request.form, name)
    return values


@bp.get("/releases/new")
@private
def new_release():
    """The release form as a page of its own (also the no-JavaScript error page)."""
    return render_template(
        "publishing/new.html", release_errors=FormErrors(), release_values={},
        **releases.release_form_context(db.session(), current_user.id),
    )


@bp.get("/releases/form")
@private
def release_form():
    """The release form fragment; 304 while the user's library has not changed."""
    return htmx.versioned_fragment(
        str(current_user.library_version),
        lambda: render_template("publishing/partials/release_form.html",
                                **releases.release_form_context(db.session(), current_user.id)),
    )


@bp.post("/releases")
@private
def create_release():
    """Pair a track with a cover; a forged media id is a 404 and stores nothing."""
    values = _release_values(RELEASE_FIELDS)
    release, errors = releases.create_release(db.session(), current_user, **values,
                                              client=client_address())
    if errors:
        context = {"release_errors": errors, "release_values": values,
                   **releases.release_form_context(db.session(), current_user.id)}
        return htmx.form_errors(
            lambda: render_template("publishing/partials/release_form.html", **context),
            lambda: render_template("publishing/new.html", **context),
        )
    return htmx.form_done(
        f"Release “{release.title}” created. Publish it to show it on your profile.",
        _library_releases_url(),
        lambda: render_template("publishing/partials/release_form.html",
                                **releases.release_form_context(db.session(), current_user.id)),
        [(live.LIBRARY_CHANGED, {"release": release.id})],
    )


@bp.post(f"/releases/{RELEASE_ID}/publish")
@private
def publish_release(release_id: int):
    """Publish a release: it shows on the profile and on Explore, its files become public."""
    return _set_published(release_id, True)


@bp.post(f"/releases/{RELEASE_ID}/unpublish")
@private
def unpublish_release(release_id: int):
    """Unpublish a release: it leaves the profile and Explore, its files turn private."""
    return _set_published(release_id, False)


def _set_published(release_id: int, published: bool):
    """Change a release's state and answer with its card (htmx) or a redirect."""
    release, changed = releases.set_published(db.session(), current_user, release_id, published)
    if not changed and htmx.is_partial():
        return "", 204  # already in that state (a second click, or a stale page)
    if published:
        message = f"“{release.title}” is published: it shows on your profile and on Explore."
    else:
        message = f"“{release.title}” is unpublished: only you can see it now."
    name = live.RELEASE_PUBLISHED if published else live.RELEASE_UNPUBLISHED
    return htmx.form_done(
        message,
        _library_releases_url(),
        lambda: render_template(
            "publishing/partials/release_card.html", release=release, release_author=current_user
        ),
        [(name, {"id": release.id}), (live.LIBRARY_CHANGED, {"release": release.id})],
    )


@bp.post(f"/releases/{RELEASE_ID}/delete")
@private
def delete_release(release_id: int):
    """Delete a release; its media stay in the library, posts keep their text."""
    releases.delete_release(db.session(), current_user, release_id)
    return htmx.form_done(
        "Release deleted.",
        _library_releases_url(),
        events=[
            (live.LIBRARY_CHANGED, {"release": release_id}),
            (live.RELEASE_UNPUBLISHED, {"id": release_id}),
        ],
    )


@bp.get(f"/releases/{RELEASE_ID}")
@public
def release_by_id(release_id: int):
    """A release's short address leads to its readable one."""
    release, _author = releases.visible_release(db.session(), release_id, _viewer_id())
    return redirect(release_url(release), 301)


@bp.get(f"/releases/{RELEASE_ID}-<slug>")
@public
def release_page(release_id: int, slug: str):
    """A release's own page: cover, details, lyrics, the player button, the artist's others."""
    session = db.session()
    release, author = releases.visible_release(session, release_id, _viewer_id())
    if slug != names.slug(release.title):
        # An old title's address leads to the current one.
        return redirect(release_url(release), 301)
    viewer = _viewer_id()
    return render_template(
        "publishing/release.html",
        release=release,
        author=author,
        lyrics=releases.lyrics_of(session, release),
        others=releases.other_releases(session, release),
        card_stats=cards.card_stats(session, viewer, [release.id], []),
        # Drafts and hidden releases have no thread: only a public one can be commented on.
        thread=(comments.thread(session, viewer, release.id)
                if release.published and not release.hidden else None),
    )


@bp.get(f"/releases/{RELEASE_ID}/details")
@public
def release_details(release_id: int):
    """A release page's details fragment; 304 while nothing it shows has changed."""
    release, author = releases.visible_release(db.session(), release_id, _viewer_id())
    return htmx.versioned_fragment(
        releases.release_tag(release, author),
        lambda: render_template(
            "publishing/partials/release_details.html", release=release, author=author
        ),
    )


@bp.get(f"/releases/{RELEASE_ID}/edit")
@private
def edit_release_form(release_id: int):
    """The form that edits one of your releases."""
    release = releases.own_release(db.session(), current_user, release_id)
    return render_template(
        "publishing/edit.html", release=release, edit_errors=FormErrors(), edit_values=None
    )


@bp.post(f"/releases/{RELEASE_ID}/edit")
@private
def edit_release(release_id: int):
    """Save a release's title, genre, mood and description; open pages follow."""
    values = _release_values(releases.EDIT_FIELDS)
    release, errors = releases.edit_release(db.session(), current_user, release_id, values)
    if errors:
        context = {"release": release, "edit_errors": errors, "edit_values": values}
        return htmx.form_errors(
            lambda: render_template("publishing/partials/release_edit_form.html", **context),
            lambda: render_template("publishing/edit.html", **context),
        )
    return htmx.form_done(
        f"Saved “{release.title}”.",
        release_url(release),
        lambda: render_template(
            "publishing/partials/release_edit_form.html", release=release, edit_errors=FormErrors(),
            edit_values=None,
        ),
        [(live.RELEASE_CHANGED, {"id": release.id})],
    )


# ---------------------------------------------------------------- posts


@bp.get("/posts/form")
@private
def post_form():
    """The post form fragment; 304 while the user's published releases are unchanged."""
    next_page = safe_next(request.args.get("next"), _explore_url())
    return htmx.versioned_fragment(
        str(current_user.profile_version),
        lambda: render_template("publishing/partials/post_form.html", post_next=next_page,
                                **posts.post_form_context(db.session(), current_user.id)),
    )


@bp.post("/posts")
@private
def create_post():
    """Publish a post; attaching someone else's release is a 404 and stores nothing."""
    next_page = safe_next(request.form.get("next"), _explore_url())
    values = {name: request.form.get(name, "") for name in ("body", "release_id")}
    post, errors = posts.create_post(
        db.session(), current_user, values["body"], values["release_id"] or None,
        client_address(),
    )
    if errors:
        context = {"post_errors": errors, "post_values": values, "post_next": next_page,
                   **posts.post_form_context(db.session(), current_user.id)}
        return htmx.form_errors(
            lambda: render_template("publishing/partials/post_form.html", **context),
            lambda: render_template(
                "publishing/explore.html",
                feed=feeds.explore_feed(db.session(), 1, current_user.id),
                search_choices=search.choices(db.session()), **context
            ),
        )
    return htmx.form_done(
        "Post published.",
        next_page,
        lambda: render_template("publishing/partials/post_form.html", post_next=next_page,
                                **posts.post_form_context(db.session(), current_user.id)),
        [(live.POST_CREATED, {"id": post.id})],
    )


@bp.post("/posts/<int(max=2147483647):post_id>/delete")
@private
def delete_post(post_id: int):
    """Delete one of your posts; someone else's is a 404."""
    posts.delete_post(db.session(), current_user, post_id)
    return htmx.form_done(
        "Post deleted.",
        safe_next(request.form.get("next"), _explore_url()),
        events=[(live.POST_DELETED, {"id": post_id})],
    )


# ---------------------------------------------------------------- feeds


def _page() -> int:
    """The ?page= argument of a feed."""
    return parse_page(request.args.get("page"), feeds.MAX_PAGE)


def _feed_response(feed: feeds.Feed):
    """The feed fragment, or 304 when the region already shows this version."""
    return htmx.versioned_fragment(
        viewer_feed_tag(feed), lambda: render_template("publishing/partials/feed.html", feed=feed)
    )


@bp.get("/explore")
@public
def explore():
    """Everyone's published releases and posts, newest first, with the post form."""
    return render_template("publishing/explore.html", feed=_everyone(), **_explore_context())


@bp.get("/explore/feed")
@public
@htmx.fragment_of(lambda: url_for(".explore", page=_page()))
def explore_feed():
    """The explore feed fragment (a plain visit goes to the page)."""
    return _feed_response(_everyone())


def _explore_context() -> dict:
    """What explore shows besides its feed: the search choices, and your post form's releases."""
    session = db.session()
    context = {"search_choices": search.choices(session)}
    if current_user.is_authenticated:
        context.update(posts.post_form_context(session, current_user.id))
    return context


def _everyone() -> feeds.Feed:
    """The page of the Everyone feed that the query string asks for."""
    return feeds.explore_feed(db.session(), _page(), _viewer_id())


@bp.get("/explore/following")
@private
def following():
    """The releases and posts of the people you follow, newest first."""
    return render_template("publishing/explore.html", feed=_followed(), **_explore_context())


@bp.get("/explore/following/feed")
@private
@htmx.fragment_of(lambda: url_for(".following", page=_page()))
def following_feed():
    """The Following feed fragment (a plain visit goes to the page)."""
    return _feed_response(_followed())


def _followed() -> feeds.Feed:
    """The page of the Following feed that the query string asks for."""
    return feeds.following_feed(db.session(), current_user.id, _page())


@bp.get("/liked")
@private
def liked():
    """The releases and posts you liked, newest first."""
    return render_template("publishing/liked.html", feed=_liked())


@bp.get("/liked/feed")
@private
@htmx.fragment_of(lambda: url_for(".liked", page=_page()))
def liked_feed():
    """The Liked feed fragment (a plain visit goes to the page)."""
    return _feed_response(_liked())


def _liked() -> feeds.Feed:
    """The page of your Liked feed that the query string asks for."""
    return feeds.liked_feed(db.session(), current_user.id, _page())


@bp.get("/feeds/user/<user_ref:user_id>")
@public
def user_feed(user_id: int):
    """One user's feed fragment (a plain visit goes to their profile, by current name)."""
    username = or_404(db.session().scalar(select(User.username).where(User.id == user_id)))
    if not htmx.is_partial():
        profile = url_for("profiles.public_profile", username=username, page=_page())
        return htmx.vary(redirect(profile, 303))
    return htmx.vary(
        _feed_response(feeds.profile_feed(db.session(), user_id, _page(), _viewer_id()))
    )

