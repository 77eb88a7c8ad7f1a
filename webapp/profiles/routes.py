"""Public profiles, profile settings (username and avatar), username history, avatars."""

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from .. import db, htmx, live
from ..access import or_404, private, public
from ..forms import FormErrors, parse_page
from ..models import User, utcnow
from ..publishing import feeds, posts
from ..security import client_address
from ..social import follows
from . import about, avatars, usernames
from .settings import save_profile
from .templating import profile_tag
from .usernames import Outcome

bp = Blueprint("profiles", __name__)

STATUS = {Outcome.INVALID: 422, Outcome.TAKEN: 422, Outcome.TOO_SOON: 429, Outcome.BUSY: 503,
          Outcome.NO_UNDO: 409}


@bp.get("/u/<username>")
@public
def public_profile(username: str):
    """A public profile: the header, then published releases and posts, newest first."""
    session = db.session()
    user, current_name = usernames.find_profile(session, username)
    if user is None:
        if current_name is None:
            abort(404)
        # An old name leads to the current one until somebody else claims it.
        arguments = {"page": request.args["page"]} if "page" in request.args else {}
        return redirect(url_for(".public_profile", username=current_name, **arguments), 301)
    page = parse_page(request.args.get("page"), feeds.MAX_PAGE)
    viewer_id = current_user.id if current_user.is_authenticated else None
    feed = feeds.profile_feed(session, user.id, page, viewer_id)
    box = follows.follow_box(session, viewer_id, user)
    # Your own profile shows the post form, which lists your published releases.
    forms = posts.post_form_context(session, user.id) if viewer_id == user.id else {}
    return render_template("profiles/profile.html", profile_user=user, feed=feed, box=box, **forms)


@bp.get("/fragments/profile-header/<user_ref:user_id>")
@public
def profile_header(user_id: int):
    """A profile's header (avatar and name); 304 when the page already holds this version."""
    user = db.session().get(User, user_id)
    or_404(user if user is not None and user.deleted_at is None else None)
    level = {"1": 1, "2": 2, "3": 3}.get(request.args.get("level", "1"), 1)
    # On the profile page itself the fragment also carries the new <title>.
    template = (
        "profiles/header_fragment.html" if level == 1 else "profiles/partials/profile_header.html"
    )
    return htmx.versioned_fragment(
        profile_tag(user),
        lambda: render_template(template, profile_user=user, heading_level=level),
    )


@bp.get("/fragments/nav-user")
@private
def nav_user():
    """The navigation's link to the signed-in user's profile; 304 when unchanged."""
    return htmx.versioned_fragment(
        profile_tag(current_user), lambda: render_template("profiles/partials/nav_user.html")
    )


@bp.get("/avatars/<filename>")
@public
def avatar(filename: str):
    """An avatar picture: only our own random names, always served as WebP."""
    return _picture(avatars.path_of(filename))


@bp.get("/banners/<filename>")
@public
def banner(filename: str):
    """A banner picture: only our own random names, always served as WebP."""
    return _picture(avatars.path_of(filename, avatars.BANNER))


def _picture(path: Path | None):
    """Send an avatar or banner file (404 when the name was not one of ours)."""
    response = send_file(or_404(path), mimetype=avatars.MIME_TYPE, conditional=True)
    # Names are random and never reused, so the file can be cached for good.
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@bp.post("/settings/profile/about")
@private
def save_about():
    """Save the bio, links and banner; the profile header follows everywhere."""
    upload = request.files.get("banner")
    result = about.save_about(
        db.session(), current_user.id, request.form,
        upload.stream if upload is not None and upload.filename else None,
        request.form.get("remove_banner") == "1",
    )
    context = {"user": current_user, "about_errors": result.errors}
    if result.errors:
        return htmx.form_errors(
            lambda: render_template("profiles/partials/profile_about_form.html",
                                    about_values=request.form, **context),
            lambda: _settings_body(FormErrors(), about_errors=result.errors,
                                   about_values=request.form),
        )
    message = "Profile saved."
    return htmx.form_done(
        message, url_for(".settings"),
        lambda: render_template("profiles/partials/profile_about_form.html", about_notice=message,
                                **context),
        [(live.PROFILE_CHANGED, {})],
    )


@bp.get("/settings/profile")
@private
def settings():
    """Profile settings: username and avatar, with a preview of the public profile."""
    return _settings_body(FormErrors())


@bp.post("/settings/profile")
@private
def save_settings():
    """Save a new username and/or avatar; refreshes every region that shows them."""
    upload = request.files.get("avatar")
    raw_username = request.form.get("username")
    result = save_profile(
        db.session(),
        current_user,
        raw_username,
        request.form.get("current_password", ""),
        upload.stream if upload is not None and upload.filename else None,
        utcnow(),
        client_address(),
    )
    if result.outcome is Outcome.SAVED:
        return _changed(result.message, result.username, result.avatar)
    if result.outcome is Outcome.UNCHANGED:
        return _nothing_to_change(result.message)
    response = make_response(
        _settings_body(result.errors, username_value=raw_username), STATUS[result.outcome]
    )
    if result.retry_at is not None:
        wait = max(1, int((result.retry_at - utcnow()).total_seconds()) + 1)
        response.headers["Retry-After"] = str(wait)
    elif result.outcome is Outcome.BUSY:
        response.headers["Retry-After"] = "1"
    first_error = next(iter(result.errors.messages.values()), result.message)
    return htmx.announce(response, first_error)


@bp.post("/settings/profile/undo")
@private
def undo():
    """Go back to the previous username (within 30 minutes of a rename, once)."""
    result = usernames.undo_rename(db.session(), current_user.id, utcnow())
    if result.ok:
        # The Undo button is gone after the swap: focus moves to the restored name.
        return _changed(result.message, result.username, None, focus_username=True)
    return htmx.form_refused(
        result.message, url_for(".settings"),
        lambda: _settings_body(FormErrors({"form": result.message})), STATUS[result.outcome],
    )


@bp.get("/settings/profile/history")
@private
def username_history():
    """Every change of the user's name, newest first, with its UTC time."""
    return render_template("profiles/history.html", changes=_history())


@bp.get("/fragments/username-history")
@private
def username_history_fragment():
    """The history table alone, for live refresh; 304 when unchanged."""
    return htmx.versioned_fragment(
        profile_tag(current_user),
        lambda: render_template("profiles/partials/username_history.html", changes=_history()),
    )


def _history() -> list:
    """The signed-in user's username changes, newest first."""
    return usernames.history(db.session(), current_user.id)


def _changed(
    message: str, username: str | None, avatar_name: str | None, *, focus_username: bool = False
):
    """After a change: the form with a confirmation (htmx) or a 303 with a flash."""
    events = []
    if username is not None:
        events.append((live.USERNAME_CHANGED, {"username": username}))
    if avatar_name is not None:
        events.append((live.AVATAR_CHANGED, {"avatar": avatar_name}))
    return htmx.form_done(
        message, url_for(".settings"),
        lambda: _settings_body(FormErrors(), notice=message, focus_username=focus_username),
        events,
    )


def _nothing_to_change(message: str):
    """Nothing to save: 204 with an announcement (htmx), or a 303 with a flash."""
    if not htmx.is_partial():
        flash(message, "info")
        return redirect(url_for(".settings"), 303)
    return htmx.announce(make_response("", 204), message)


def _settings_body(
    errors: FormErrors, *, username_value: str | None = None,
    notice: str | None = None, focus_username: bool = False,
    about_errors: FormErrors | None = None, about_values=None,
):
    """The settings form (htmx) or the whole settings page."""
    session = db.session()
    now = utcnow()
    undoable = usernames.undoable_change(session, current_user.id, now)
    context = {
        "user": current_user,
        "errors": errors,
        "username_value": current_user.username if username_value is None else username_value,
        "notice": notice,
        "undo": undoable,
        "undo_until": undoable.changed_at + usernames.undo_window() if undoable else None,
        "next_rename": usernames.next_rename_at(session, current_user.id, now),
        "focus_username": focus_username,
        "about_errors": about_errors or FormErrors(),
        "about_values": about_values,
    }
    if htmx.is_partial():
        return render_template("profiles/partials/profile_settings_form.html", **context)
    feed = feeds.profile_feed(session, current_user.id, 1, current_user.id)
    return render_template("profiles/settings.html", feed=feed, **context)
