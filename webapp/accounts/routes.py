"""Sign up, log in, log out, and the account's sessions and password."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from .. import db, htmx
from ..access import private, public
from ..forms import FormErrors, safe_next
from ..security import client_address
from . import logins

bp = Blueprint("accounts", __name__)


def _after_login(target: str | None) -> str:
    """Where to go after log-in: the same-site `next` path, or the studio."""
    return safe_next(target, url_for("studio.studio"))


def _render_auth_form(template: str, errors: FormErrors, status: int, **context):
    """The form page, or only the form for htmx, with inline errors."""
    if htmx.is_partial():
        return render_template("partials/auth_form.html", errors=errors, **context), status
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
    result = logins.authenticate(
        db.session(), username, request.form.get("password", ""), client_address()
    )
    if result.user is None:
        errors = FormErrors({"form": result.error})
        status = 429 if result.retry_after else 401
        response = _render_auth_form("accounts/login.html", errors, status, username=username,
                                     **context)
        if result.retry_after:
            return (*response, {"Retry-After": str(result.retry_after)})
        return response
    _begin_session(result.user)
    return htmx.redirect_to(_after_login(context["next_url"]))


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
    """The account page: password change and signed-in browsers."""
    return _render_account(FormErrors(), 200)


def _render_account(errors: FormErrors, status: int):
    """The account page with its sessions list."""
    sessions = logins.list_sessions(db.session(), current_user.id)
    page = render_template(
        "accounts/account.html", errors=errors, sessions=sessions,
        current_sid=current_user.session_id,
    )
    return page, status


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
