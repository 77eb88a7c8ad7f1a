"""The studio blueprint (placeholder page until generation lands)."""

from flask import Blueprint, render_template

from .access import private

bp = Blueprint("studio", __name__)


@bp.get("/studio")
@private
def studio():
    """The studio page."""
    return render_template("studio/studio.html")
