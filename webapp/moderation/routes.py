"""Moderation: reporting a release, post or comment; the admins' reports page, hide, dismiss."""

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from .. import db, htmx
from ..access import private
from ..forms import form_id, safe_next
from . import reports

bp = Blueprint("moderation", __name__)


@bp.post("/reports")
@private
def report():
    """Report a release, post or comment to the admins."""
    kind = request.form.get("kind", "")
    subject_id = form_id(request.form, "subject_id")
    errors = reports.report(db.session(), current_user, kind, subject_id,
                            request.form.get("reason", ""))
    back = safe_next(request.form.get("next"), url_for("publishing.explore"))
    if errors:
        return htmx.form_refused(next(iter(errors.messages.values())), back)
    return htmx.form_done(
        "Thank you: an admin will review your report.", back,
        lambda: render_template("moderation/partials/reported.html"),
    )


@bp.get("/admin/reports")
@private
def open_reports():
    """Open reports, most reported first (admins only)."""
    found = reports.open_reports(db.session(), current_user)
    return render_template("moderation/reports.html", reports=found)


@bp.post("/admin/hide", defaults={"action": "hide"})
@bp.post("/admin/dismiss", defaults={"action": "dismiss"})
@private
def moderate(action: str):
    """Hide a reported release, post or comment from everyone, or dismiss its reports."""
    reports.require_admin(current_user)
    kind = request.form.get("kind", "")
    subject_id = form_id(request.form, "subject_id")
    if action == "hide":
        reports.hide(db.session(), current_user, kind, subject_id)
        message = f"The {kind} is hidden from everyone."
    else:
        reports.dismiss(db.session(), current_user, kind, subject_id)
        message = "Reports dismissed."
    return htmx.form_done(message, url_for(".open_reports"))
