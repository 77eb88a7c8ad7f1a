"""Public profiles, profile settings (username and avatar), username history, avatars."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO

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
from sqlalchemy.orm import Session

from . import accounts, avatars, db, htmx, publishing, usernames
from .access import private, public
from .forms import FormErrors, parse_page
from .models import User, utcnow

bp = Blueprint("profiles", __name__)

STATUS = {"invalid": 422, "taken": 422, "too_soon": 429, "busy": 503, "no_undo": 409}


@dataclass
class ProfileResult:
    """What saving the profile settings came to."""

    outcome: str  # saved | unchanged | invalid | taken | too_soon | busy
    errors: FormErrors = field(default_factory=FormErrors)
    message: str = ""
    username: str | None = None  # the new name, when it changed
    avatar: str | None = None  # the new avatar file, when it changed
    retry_at: datetime | None = None


def save_profile(
    db_session: Session,
    user: User,
    raw_username: str | None,
    password: str,
    avatar_upload: BinaryIO | None,
    now: datetime,
) -> ProfileResult:
    """Check everything, then store the new name and/or avatar in one transaction, or nothing.

    A new username needs the current password; None keeps the name. The avatar is
    decoded and re-encoded before anything is written; its file is removed again if
    the rename is refused.
    """
    errors = FormErrors()
    wants_rename = raw_username is not None and usernames.normalise(raw_username) != user.username
    if wants_rename:
        if message := usernames.validation_error(raw_username):
            errors.add("username", message)
        if not password:
            errors.add("current_password", "Enter your current password to change your username.")
        elif message := accounts.check_current_password(db_session, user, password):
            errors.add("current_password", message)
    encoded = None
    if avatar_upload is not None:
        try:
            encoded = avatars.prepare(avatars.read_upload(avatar_upload, avatars.max_bytes()))
        except avatars.AvatarError as error:
            errors.add("avatar", str(error))
    if errors:
        return ProfileResult("invalid", errors, "Please check the form.")
    if not wants_rename and encoded is None:
        return ProfileResult("unchanged", errors, usernames.NOTHING_TO_CHANGE)
    filename = avatars.store(encoded) if encoded is not None else None
    if not wants_rename:
        avatars.change_avatar(db_session, user.id, filename)
        return ProfileResult("saved", errors, "Avatar updated.", avatar=filename)
    replaced: list[str | None] = []

    def also(session: Session) -> None:
        """Save the avatar in the rename's transaction."""
        replaced.append(avatars.replace_in_transaction(session, user.id, filename))

    try:
        result = usernames.rename_user(
            db_session, user.id, raw_username, now, also=also if filename else None
        )
    except BaseException:
        avatars.remove(filename)
        raise
    if not result.ok:
        avatars.remove(filename)
        errors.add("username", result.message)
        return ProfileResult(result.outcome, errors, result.message, retry_at=result.retry_at)
    if replaced:
        avatars.remove(replaced[0])
    message = result.message + (" Avatar updated." if filename else "")
    return ProfileResult("saved", errors, message, username=result.username, avatar=filename)


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
    page = parse_page(request.args.get("page"), publishing.MAX_PAGE)
    feed = publishing.profile_feed(session, user.id, page)
    return render_template("profiles/profile.html", profile_user=user, feed=feed)


@bp.get("/fragments/profile-header/<int(max=2147483647):user_id>")
@public
def profile_header(user_id: int):
    """A profile's header (avatar and name); 304 when the page already holds this version."""
    user = db.session().get(User, user_id)
    if user is None:
        abort(404)
    level = {"1": 1, "2": 2, "3": 3}.get(request.args.get("level", "1"), 1)
    # On the profile page itself the fragment also carries the new <title>.
    template = "profiles/header_fragment.html" if level == 1 else "partials/profile_header.html"
    return htmx.versioned_fragment(
        profile_tag(user),
        lambda: render_template(template, profile_user=user, heading_level=level),
    )


@bp.get("/fragments/nav-user")
@private
def nav_user():
    """The navigation's link to the signed-in user's profile; 304 when unchanged."""
    return htmx.versioned_fragment(
        profile_tag(current_user), lambda: render_template("partials/nav_user.html")
    )


@bp.app_template_global("profile_tag")
def profile_tag(user: User) -> str:
    """The version of everything a profile header or the nav shows of a user."""
    return f"p{user.profile_version}"


@bp.get("/avatars/<filename>")
@public
def avatar(filename: str):
    """An avatar picture: only our own random names, always served as WebP."""
    path = avatars.path_of(filename)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=avatars.MIME_TYPE, conditional=True)
    # Names are random and never reused, so the file can be cached for good.
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@bp.get("/settings/profile")
@private
def settings():
    """Profile settings: username and avatar, with a preview of the public profile."""
    return _render_settings(FormErrors(), 200)


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
    )
    if result.outcome == "saved":
        return _changed(result.message, result.username, result.avatar)
    if result.outcome == "unchanged":
        return _nothing_to_change(result.message)
    response = _render_settings(result.errors, STATUS[result.outcome], username_value=raw_username)
    if result.retry_at is not None:
        wait = max(1, int((result.retry_at - utcnow()).total_seconds()) + 1)
        response.headers["Retry-After"] = str(wait)
    elif result.outcome == "busy":
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
    if not htmx.is_partial():
        flash(result.message, "error")
        return redirect(url_for(".settings"), 303)
    response = _render_settings(FormErrors({"form": result.message}), STATUS[result.outcome])
    return htmx.announce(response, result.message)


@bp.get("/settings/profile/history")
@private
def username_history():
    """Every change of the user's name, newest first, with its UTC time."""
    changes = usernames.history(db.session(), current_user.id)
    return render_template("profiles/history.html", changes=changes)


@bp.get("/fragments/username-history")
@private
def username_history_fragment():
    """The history table alone, for live refresh; 304 when unchanged."""
    def render() -> str:
        """The table, read only when the page's copy is out of date."""
        changes = usernames.history(db.session(), current_user.id)
        return render_template("partials/username_history.html", changes=changes)

    return htmx.versioned_fragment(profile_tag(current_user), render)


def _changed(
    message: str, username: str | None, avatar_name: str | None, *, focus_username: bool = False
):
    """After a change: the form with a confirmation (htmx) or a 303 with a flash."""
    if not htmx.is_partial():
        flash(message, "success")
        return redirect(url_for(".settings"), 303)
    response = _render_settings(FormErrors(), 200, notice=message, focus_username=focus_username)
    if username is not None:
        htmx.trigger(response, "username-changed", {"username": username})
    if avatar_name is not None:
        htmx.trigger(response, "avatar-changed", {"avatar": avatar_name})
    return htmx.announce(response, message)


def _nothing_to_change(message: str):
    """Nothing to save: 204 with an announcement (htmx), or a 303 with a flash."""
    if not htmx.is_partial():
        flash(message, "info")
        return redirect(url_for(".settings"), 303)
    return htmx.announce(make_response("", 204), message)


def _render_settings(
    errors: FormErrors, status: int, *, username_value: str | None = None,
    notice: str | None = None, focus_username: bool = False,
):
    """The settings form (htmx) or the whole settings page, as a response."""
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
    }
    if htmx.is_partial():
        body = render_template("partials/profile_settings_form.html", **context)
    else:
        feed = publishing.profile_feed(session, current_user.id, 1)
        body = render_template("profiles/settings.html", feed=feed, **context)
    return make_response(body, status)
