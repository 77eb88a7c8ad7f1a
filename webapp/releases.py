"""Releases: create one from your track and cover, publish or unpublish it, delete it."""

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from . import db, htmx, publishing
from .access import private
from .forms import FormErrors

bp = Blueprint("releases", __name__)

RELEASE_FIELDS = ("title", "music_id", "image_id", "genre", "mood", "description")


@bp.app_context_processor
def release_helpers() -> dict:
    """Template helpers for release cards and the release form, on every page."""
    return {"release_form_choices": release_form_choices}


def release_form_choices():
    """The signed-in user's tracks and covers, loaded only when the form is shown."""
    return publishing.release_choices(db.session(), current_user.id)


def _library_releases_url() -> str:
    """Where releases live without JavaScript."""
    return url_for("library.library", tab="releases")


@bp.get("/releases/new")
@private
def new():
    """The release form as a page of its own (also the no-JavaScript error page)."""
    return render_template("releases/new.html", release_errors=FormErrors(), release_values={})


@bp.get("/releases/form")
@private
def form():
    """The release form fragment; 304 while the user's library has not changed."""
    return htmx.versioned_fragment(
        str(current_user.library_version), lambda: render_template("partials/release_form.html")
    )


@bp.post("/releases")
@private
def create():
    """Pair a track with a cover; a forged media id is a 404 and stores nothing."""
    values = {name: request.form.get(name, "") for name in RELEASE_FIELDS}
    release, errors = publishing.create_release(db.session(), current_user, **values)
    if errors:
        context = {"release_errors": errors, "release_values": values}
        if htmx.is_partial():
            return render_template("partials/release_form.html", **context), 422
        return render_template("releases/new.html", **context), 422
    message = f"Release “{release.title}” created. Publish it to show it on your profile."
    if not htmx.is_partial():
        flash(message, "success")
        return redirect(_library_releases_url(), 303)
    response = make_response(render_template("partials/release_form.html"))
    htmx.trigger(response, publishing.LIBRARY_CHANGED, {"release": release.id})
    return htmx.announce(response, message)


@bp.post("/releases/<int(max=2147483647):release_id>/publish")
@private
def publish(release_id: int):
    """Publish a release: it shows on the profile and on Explore, its files become public."""
    return _set_published(release_id, True)


@bp.post("/releases/<int(max=2147483647):release_id>/unpublish")
@private
def unpublish(release_id: int):
    """Unpublish a release: it leaves the profile and Explore, its files turn private."""
    return _set_published(release_id, False)


def _set_published(release_id: int, published: bool):
    """Change a release's state and answer with its card (htmx) or a redirect."""
    release, changed = publishing.set_published(db.session(), current_user, release_id, published)
    if not changed and htmx.is_partial():
        return "", 204  # already in that state (a second click, or a stale page)
    if published:
        message = f"“{release.title}” is published: it shows on your profile and on Explore."
    else:
        message = f"“{release.title}” is unpublished: only you can see it now."
    if not htmx.is_partial():
        flash(message, "success")
        return redirect(_library_releases_url(), 303)
    response = make_response(
        render_template("partials/release_card.html", release=release, release_author=current_user)
    )
    name = publishing.RELEASE_PUBLISHED if published else publishing.RELEASE_UNPUBLISHED
    htmx.trigger(response, name, {"id": release.id})
    htmx.trigger(response, publishing.LIBRARY_CHANGED, {"release": release.id})
    return htmx.announce(response, message)


@bp.post("/releases/<int(max=2147483647):release_id>/delete")
@private
def delete(release_id: int):
    """Delete a release; its media stay in the library, posts keep their text."""
    publishing.delete_release(db.session(), current_user, release_id)
    message = "Release deleted."
    if not htmx.is_partial():
        flash(message, "success")
        return redirect(_library_releases_url(), 303)
    response = make_response("")
    htmx.trigger(response, publishing.LIBRARY_CHANGED, {"release": release_id})
    htmx.trigger(response, publishing.RELEASE_UNPUBLISHED, {"id": release_id})
    return htmx.announce(response, message)
