"""The posts blueprint (placeholder until posts land)."""

from flask import Blueprint, render_template

from .access import public

bp = Blueprint("posts", __name__)


@bp.get("/explore")
@public
def explore():
    """The explore page."""
    return render_template("posts/explore.html")
