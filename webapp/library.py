"""The library blueprint (placeholder until the library lands)."""

from flask import Blueprint, render_template

from .access import private

bp = Blueprint("library", __name__)


@bp.get("/library")
@private
def library():
    """The library page."""
    return render_template("library/library.html")
