"""The studio blueprint: the generation form, job submission and live job cards."""

import hashlib

from flask import Blueprint, flash, make_response, render_template, request, url_for
from flask_login import current_user

from .. import db, htmx
from ..access import or_404, private
from ..config import settings
from ..forms import FormErrors
from ..generators import music
from . import generations, worker
from .generations import GenerationRequest
from .templating import generation_title

bp = Blueprint("studio", __name__)


def _form_context(form: GenerationRequest, errors: FormErrors) -> dict:
    """Context of studio/partials/studio_form.html."""
    return {
        "form": form,
        "errors": errors,
        "genres": music.GENRES,
        "min_duration": music.MIN_DURATION,
        "max_duration": music.MAX_DURATION,
        "voices": generations.voice_choices(),
    }


def _list_context() -> dict:
    """Context of studio/partials/job_list.html: recent jobs and the storage quota."""
    session = db.session()
    jobs_ = generations.recent_generations(session, current_user.id)
    used, quota = generations.storage_used(session, current_user.id), settings().storage_quota_bytes
    tags = "|".join(generations.card_version(g, m) for g, m in jobs_) + f"|{used}"
    return {
        "jobs": jobs_, "list_version": hashlib.sha256(tags.encode()).hexdigest()[:16],
        "storage_used": used, "storage_quota": quota,
    }


def _fresh_form(previous: GenerationRequest | None = None) -> GenerationRequest:
    """An empty form with a new request id, keeping the previous kind and track settings."""
    form = GenerationRequest(request_id=generations.new_request_id())
    if previous is not None:
        form.kind, form.genre, form.duration = previous.kind, previous.genre, previous.duration
    return form


@bp.get("/studio")
@private
def studio():
    """The studio page: the form, then this person's recent jobs."""
    return render_template(
        "studio/studio.html", **_form_context(_fresh_form(), FormErrors()), **_list_context()
    )


@bp.post("/generations")
@private
def submit():
    """Start a job: the fresh form and the job list for htmx, or 303 back to the studio."""
    result = generations.submit(db.session(), current_user.id, request.form, enqueue=worker.enqueue)
    if result.errors:
        context = _form_context(result.request, result.errors)
        return htmx.form_errors(
            lambda: render_template("studio/partials/studio_form.html", **context),
            lambda: render_template("studio/studio.html", **context, **_list_context()),
            429 if result.limited else 422,
        )
    generation = result.generation
    what = "track" if generation.kind == "music" else "cover"
    message = (
        f"Your {what} “{generation_title(generation.prompt)}” is on its way."
        if result.created else "That request was already sent; here is its job."
    )
    if htmx.is_partial():
        response = make_response(render_template(
            "studio/submitted.html",
            **_form_context(_fresh_form(result.request), FormErrors()),
            **_list_context(),
        ))
        htmx.announce(response, message)
        return htmx.vary(response)
    flash(message, "success")
    return htmx.vary(htmx.redirect_to(url_for("studio.studio") + f"#job-{generation.id}"))


@bp.get("/generations/<int(max=2147483647):generation_id>/card")
@private
def generation_card(generation_id: int):
    """One job card (owner only): 304 when the card the page holds is still current."""
    generation, media = or_404(
        generations.generation_for_owner(db.session(), current_user.id, generation_id)
    )
    version = generations.card_version(generation, media)
    previous = htmx.client_version()
    if previous == version:
        return htmx.set_version(make_response("", 304), version)
    response = make_response(
        render_template("studio/partials/generation_card.html", generation=generation, media=media)
    )
    htmx.set_version(response, version)
    # Only unfinished cards poll, so an htmx request means the page showed this job unfinished.
    finished = generation.status in ("done", "failed")
    if finished and htmx.is_htmx() and (previous is None or _was_unfinished(previous)):
        title = media.title if media else generation_title(generation.prompt)
        outcome = "is ready" if generation.status == "done" else "could not be made"
        htmx.announce(response, f"“{title}” {outcome}.")
    return response


@bp.post("/generations/<int(max=2147483647):generation_id>/cancel")
@private
def cancel(generation_id: int):
    """Cancel a queued or running job; htmx removes its card, a plain form goes back."""
    cancelled = or_404(generations.cancel(db.session(), current_user.id, generation_id))
    message = f"Cancelled “{generation_title(cancelled.prompt)}”."
    if htmx.is_htmx():
        response = make_response("", 200)
        htmx.announce(response, message)
        return htmx.vary(response)
    flash(message, "success")
    return htmx.vary(htmx.redirect_to(url_for("studio.studio")))


@bp.post("/generations/<int(max=2147483647):generation_id>/variation")
@private
def variation(generation_id: int):
    """Queue a variation of a finished track (same style, key and tempo; new notes)."""
    return _derive(generation_id, "variation")


@bp.post("/generations/<int(max=2147483647):generation_id>/extend")
@private
def extend(generation_id: int):
    """Queue a longer version of a finished track (up to the length limit)."""
    return _derive(generation_id, "extend")


def _derive(generation_id: int, how: str):
    """Queue a variation or an extension of a finished track; back to the studio either way."""
    result = or_404(
        generations.derive(
            db.session(), current_user.id, generation_id, how, enqueue=worker.enqueue
        )
    )
    if result.errors:
        flash(" ".join(result.errors.messages.values()), "error")
        return htmx.vary(htmx.redirect_to(url_for("studio.studio")))
    made = "A variation" if how == "variation" else "A longer version"
    flash(f"{made} of “{generation_title(result.generation.prompt)}” is on its way.", "success")
    return htmx.vary(htmx.redirect_to(url_for("studio.studio") + f"#job-{result.generation.id}"))


def _was_unfinished(tag: str) -> bool:
    """Whether a card version tag was taken while its job was queued or running."""
    parts = tag.split("-")
    return len(parts) > 1 and parts[1] in generations.UNFINISHED


@bp.get("/studio/jobs")
@private
def jobs():
    """The recent-jobs list (refreshed when the tab comes back): 304 when unchanged."""
    context = _list_context()
    return htmx.versioned_fragment(
        context["list_version"],
        lambda: render_template("studio/partials/job_list.html", **context),
    )
