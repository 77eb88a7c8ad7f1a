"""Home page, the menu page and health check."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from . import db
from .access import public
from .publishing import releases
from .storage import storage_problem

bp = Blueprint("main", __name__)


@bp.get("/")
@public
def index():
    """Send signed-in people to their studio; show everyone else what this is."""
    if current_user.is_authenticated:
        return redirect(url_for("studio.studio"))
    session = db.session()
    return render_template(
        "index.html",
        latest=releases.showcase(session, "latest"),
        most_played=releases.showcase(session, "most_played"),
    )


@bp.get("/menu")
@public
def menu():
    """Every destination on one page: the menu button's target when JavaScript is off."""
    return render_template("menu.html")


@bp.get("/healthz")
@public
def healthz():
    """200 when the database answers and files can be stored; 503 with the reason otherwise."""
    try:
        db.session().execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy", never a 500
        return {"status": "unavailable", "reason": "database"}, 503, {"Retry-After": "5"}
    if problem := storage_problem():
        return {"status": "unavailable", "reason": problem}, 503, {"Retry-After": "30"}
    return {"status": "ok"}, 200
