"""Sign up, log in, log out, and the account's sessions and password."""

import logging

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from .. import db, htmx, live
from ..access import or_404, private, public
from ..forms import FormErrors, safe_next
from ..models import utcnow
from ..ratelimits import Throttled
from ..security import client_address
from . import deletion, exports, logins, tasks

bp = Blueprint("accounts", __name__)
log = logging.getLogger(__name__)


def _after_login(target: str | None) -> str:
    """Where to go after log-in: the same-site `next` path, or the studio."""
    return safe_next(target, url_for("studio.studio"))


def _render_auth_form(template: str, errors: FormErrors, status: int, **context):
    """The form page, or only the form for htmx, with inline errors."""
    if htmx.is_partial():
        return render_template("accounts/partials/auth_form.html", errors=errors, **context), status
    return render_template(template, errors=errors, **context), status


def _begin_session(user) -> None:
    """Start a fresh server-side session for `user` (no fixation: the old one is cleared)."""
    session.clear()
    row = logins.start_session(db.session(), user, request.user_agent.string or "")
    user.session_id = row.id
    login_user(user)


@bp.route("/signup", methods=["GET", "POST"])
@public
def signup():
    """Create an account and sign in."""
    context = {"mode": "signup", "next_url": request.values.get("next", "")}
    if current_user.is_authenticated:
        return redirect(url_for("studio.studio"))
    if request.method == "GET":
        return _render_auth_form("accounts/signup.html", FormErrors(), 200, **context)
    username = request.form.get("username", "")
    user, errors = logins.sign_up(
        db.session(), username, request.form.get("password", ""), client_address()
    )
    if errors:
        return _render_auth_form("accounts/signup.html", errors, 422, username=username, **context)
    _begin_session(user)
    flash(f"Welcome to Soundstage, {user.username}!", "success")
    return htmx.redirect_to(_after_login(context["next_url"]))


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Sign in with a username and password."""
    context = {"mode": "login", "next_url": request.values.get("next", "")}
    if current_user.is_authenticated:
        return redirect(_after_login(context["next_url"]))
    if request.method == "GET":
        return _render_auth_form("accounts/login.html", FormErrors(), 200, **context)
    username = request.form.get("username", "")
    result = _authenticate(username)
    if result.user is None:
        # A wait is about the password: say it beside that field, not only in a toast.
        errors = FormErrors({"password" if result.retry_after else "form": result.error})
        status = 429 if result.retry_after else 401
        response = _render_auth_form("accounts/login.html", errors, status, username=username,
                                     **context)
        if result.retry_after:
            return (*response, {"Retry-After": str(result.retry_after)})
        return response
    _begin_session(result.user)
    return htmx.redirect_to(_after_login(context["next_url"]))


def _authenticate(username: str) -> logins.LoginResult:
    """Check the log-in form; a spent network limit is a result with a wait, not an error page."""
    try:
        return logins.authenticate(
            db.session(), username, request.form.get("password", ""), client_address()
        )
    except Throttled as throttled:
        return logins.LoginResult(error=throttled.message, retry_after=throttled.seconds)


@bp.post("/logout")
@public
def logout():
    """End this browser's session for good, so a copied cookie stops working."""
    if current_user.is_authenticated:
        logins.end_session(db.session(), current_user.id, current_user.session_id)
        logout_user()
    session.clear()
    flash("You have logged out.", "info")
    return htmx.redirect_to(url_for("accounts.login"))


@bp.get("/settings/account")
@private
def account():
    """The account page: password, signed-in browsers, your data, deleting the account."""
    return _render_account(FormErrors(), 200)


def _render_account(errors: FormErrors, status: int, export_error: str | None = None):
    """The account page with its sessions list and data export."""
    sessions = logins.list_sessions(db.session(), current_user.id)
    page = render_template(
        "accounts/account.html", errors=errors, sessions=sessions,
        current_sid=current_user.session_id, **_export_context(export_error),
    )
    return page, status


def _export_context(error: str | None = None) -> dict:
    """Context of accounts/partials/export_card.html for the signed-in person."""
    export = exports.latest(db.session(), current_user.id)
    return {
        "export": export, "export_version": exports.card_version(export),
        "export_errors": FormErrors({"form": error} if error else {}), "now": utcnow(),
    }


@bp.post("/settings/account/export")
@private
def start_export():
    """Queue an export of everything the person owns; the card then follows its progress."""
    export, error = exports.start(db.session(), current_user.id)
    if error is not None:
        return htmx.form_errors(
            lambda: render_template("accounts/partials/export_card.html", **_export_context(error)),
            lambda: _render_account(FormErrors(), 409, error)[0],
            409,
        )
    tasks.enqueue(export.id)
    return htmx.form_done(
        "Your export is being prepared. It stays here for 24 hours once it is ready.",
        url_for("accounts.account") + "#your-data",
        lambda: render_template("accounts/partials/export_card.html", **_export_context()),
        [(live.EXPORT_PROGRESSED, {"id": export.id})],
    )


@bp.get("/settings/account/export")
@private
def export_card():
    """The export card alone; 304 while the page holds its current state."""
    context = _export_context()
    previous = htmx.client_version()
    response = htmx.versioned_fragment(
        context["export_version"],
        lambda: render_template("accounts/partials/export_card.html", **context),
    )
    export = context["export"]
    # Only an unfinished card asks, so a new state of a finished export is the news.
    if response.status_code == 200 and previous and export and export.status == "done":
        htmx.announce(response, "Your export is ready to download.")
    elif response.status_code == 200 and previous and export and export.status == "failed":
        htmx.announce(response, export.error or exports.FAILED)
    return response


@bp.get("/settings/account/export/<int(max=2147483647):export_id>/download")
@private
def download_export(export_id: int):
    """The person's own ready export as a ZIP (404 for anyone else's or once expired)."""
    path = or_404(exports.download_path(db.session(), current_user.id, export_id))
    response = send_file(
        path, mimetype="application/zip", as_attachment=True,
        download_name=f"soundstage-{current_user.username}-export.zip",
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/settings/account/delete")
@private
def delete_account():
    """Delete the account for good, once the password and the typed username confirm it."""
    errors = deletion.delete_account(
        db.session(), current_user, request.form.get("delete_password", ""),
        request.form.get("confirm_username", ""), client_address(),
    )
    if errors:
        return htmx.form_errors(
            lambda: render_template("accounts/partials/delete_account_form.html", errors=errors),
            lambda: _render_account(errors, 422)[0],
            503 if errors.get("form") else 422,
        )
    try:
        tasks.enqueue_erase(current_user.id)
    except Exception:  # the account is disabled already; the reconciler starts the erasure
        log.exception("queueing the erasure of user %s failed", current_user.id)
    logout_user()
    session.clear()
    # A page of its own, not a flash: another tab of the account may load a page first.
    return htmx.redirect_to(url_for("accounts.account_deleted"))


@bp.get("/settings/account/deleted")
@public
def account_deleted():
    """Where a deleted account's browser lands: what happened, and where to go."""
    return render_template("accounts/deleted.html")


@bp.post("/settings/account/password")
@private
def change_password():
    """Change the password; every other browser is signed out."""
    errors = logins.change_password(
        db.session(),
        current_user,
        request.form.get("current_password", ""),
        request.form.get("new_password", ""),
        current_user.session_id,
        client_address(),
    )
    if errors:
        return _render_account(errors, 422)
    flash("Password changed. Your other sessions have been signed out.", "success")
    return htmx.redirect_to(url_for("accounts.account"))


@bp.post("/settings/account/sessions/end-others")
@private
def end_other_sessions():
    """Sign out every other browser."""
    ended = logins.end_other_sessions(db.session(), current_user.id, current_user.session_id)
    flash(f"Signed out {ended} other session{'s' if ended != 1 else ''}.", "success")
    return htmx.redirect_to(url_for("accounts.account"))
