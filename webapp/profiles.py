"""The profiles blueprint (placeholder until profiles land)."""

from flask import Blueprint, abort, render_template

from .access import private, public

bp = Blueprint("profiles", __name__)


@bp.get("/u/<username>")
@public
def public_profile(username: str):
    """A public profile."""
    abort(404)


@bp.get("/fragments/nav-user")
@private
def nav_user():
    """The navigation's user link."""
    return render_template("partials/nav_user.html")


@bp.get("/avatars/<filename>")
@public
def avatar(filename: str):
    """An avatar image."""
    abort(404)
