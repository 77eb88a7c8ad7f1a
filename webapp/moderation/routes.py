"""Moderation: reporting a release, post, comment or person; the admins' reports page, hide,
dismiss."""

from flask import Blueprint, make_response, render_template, request, url_for
from flask_login import current_user

from .. import db, htmx
from ..access import private
from ..forms import form_id, safe_next
from ..security import client_address
from ..social import subjects
from . import reports

bp = Blueprint("moderation", __name__)
ID = "int(min=1, max=2147483647)"


@bp.get(f"/report/<any(release, post, comment, user):kind>/<{ID}:subject_id>")
@private
def report_page(kind: str, subject_id: int):
    """The report form: a dialog beside the Report button (htmx) or a page of its own."""
    context = _report_context(kind, subject_id, request.args.get("next"))
    if htmx.is_partial():
        return htmx.vary(make_response(render_template(
            "moderation/partials/report_dialog.html", report_in_dialog=True, **context)))
    return htmx.vary(make_response(render_template("moderation/report.html", **context)))


def _report_context(kind: str, subject_id: int, next_url: str | None) -> dict:
    """What the report form shows: the subject's name, the reasons, where to return."""
    subject = reports.reportable(db.session(), kind, subject_id, current_user.id)
    return {
        "report_kind": kind, "report_id": subject_id, "report_reasons": reports.REPORT_REASONS,
        "report_next": safe_next(next_url, url_for("publishing.explore")),
        "report_name": subject.username if kind == "user" else subjects.title_of(subject),
    }


@bp.post("/reports")
@private
def report():
    """Report a release, post, comment or person to the admins."""
    kind = request.form.get("kind", "")
    subject_id = form_id(request.form, "subject_id")
    values = {name: request.form.get(name, "") for name in ("category", "reason")}
    errors = reports.report(db.session(), current_user, kind, subject_id,
                            values["reason"], values["category"], client_address())
    back = safe_next(request.form.get("next"), url_for("publishing.explore"))
    if errors:
        context = {**_report_context(kind, subject_id, back), "report_errors": errors,
                   "report_values": values}
        in_dialog = request.form.get("dialog") == "1"
        response = htmx.form_errors(
            lambda: render_template("moderation/partials/report_dialog.html",
                                    report_in_dialog=in_dialog, **context),
            lambda: render_template("moderation/report.html", **context),
        )
        return htmx.announce(response, next(iter(errors.messages.values())))
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
