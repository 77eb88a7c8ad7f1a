"""The studio's background work: the generation task and its repair, run by webapp.jobs.

The queue carries only a generation id; the `generations` row holds the truth. The
reconciler calls `repair_generations`, which re-enqueues jobs whose lease expired or that
sat queued too long (and, on its first pass, sweeps orphan media files).
"""

import logging
import time
from collections.abc import Callable
from datetime import datetime

from flask import Flask
from sqlalchemy.orm import Session

from .. import db, jobs, storage
from ..generators import cover, music
from ..models import utcnow
from . import generations
from .generations import Claim, LeaseLost, Output

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
TASK = "generation"


def enqueue(generation_id: int) -> None:
    """Enqueue a generation of the current app (for routes)."""
    jobs.enqueue(TASK, generation_id)


@jobs.task(TASK)
def run_task(app: Flask, generation_id: int) -> None:
    """The queue's task: run the fairest queued generation, else its own (by id)."""
    run_fairly(app, generation_id)


@jobs.repair
def repair_generations(session: Session, sweep: bool) -> list[tuple[str, int]]:
    """Repair stuck generations (to enqueue again); on a sweep, remove orphan media files."""
    ids = generations.reconcile(session)
    if sweep:
        removed = generations.sweep_orphans(session)
        if removed:
            log.info("removed %s orphan media files", removed)
    return [(TASK, generation_id) for generation_id in ids]


# ---------------------------------------------------------------------------
# The task
# ---------------------------------------------------------------------------


def run_generation(app: Flask, generation_id: int, *, clock: Clock = utcnow) -> int | None:
    """Claim this job and run it to the end; returns the media id, or None if not ours/failed."""
    with app.app_context(), db.standalone_session(app) as session:
        held = generations.claim(session, generation_id, now=clock())
        if held is None:
            return None
        return execute_claim(app, session, held, clock=clock)


def run_fairly(app: Flask, generation_id: int, *, clock: Clock = utcnow) -> int | None:
    """The queue's task: run the fairest queued job, else this task's own (say, a stalled one).

    Every submit enqueues one task, so the tasks always cover the queued jobs even when
    a task runs another person's job first. Returns the media id, or None.
    """
    with app.app_context(), db.standalone_session(app) as session:
        held = None
        for _ in range(3):  # another worker may claim the same pick first
            chosen = generations.next_fair(session)
            session.rollback()
            if chosen is None:
                break
            if held := generations.claim(session, chosen, now=clock()):
                break
        held = held or generations.claim(session, generation_id, now=clock())
        if held is None:
            return None
        return execute_claim(app, session, held, clock=clock)


def execute_claim(app: Flask, session, held: Claim, *, clock: Clock = utcnow) -> int | None:
    """Render a claimed job's files, then record the result (or the failure)."""
    reporter = ProgressReporter(session, held, clock, app.config)
    try:
        output = render(held, reporter)
    except LeaseLost:
        log.info("generation %s was cancelled, deleted or taken over", held.generation_id)
        generations.discard_if_gone(session, held)
        return None
    except Exception as error:
        log.exception("generation %s failed (attempt %s)", held.generation_id, held.attempts)
        session.rollback()
        # A storage failure is ours, not the prompt's: say so if it is the last attempt.
        message = generations.STORAGE_FAILED if isinstance(error, OSError) else None
        if generations.fail_attempt(session, held, now=clock(), message=message):
            jobs.jobs_of(app).enqueue(TASK, held.generation_id)
        else:
            generations.discard_if_gone(session, held)
        return None
    return generations.complete(session, held, output, now=clock())


class ProgressReporter:
    """Turns a generator's frequent 0–100 callbacks into a few fenced progress writes."""

    def __init__(self, session, held: Claim, clock: Clock, config) -> None:
        """Write at most every JOBS_PROGRESS_STEP percent and JOBS_PROGRESS_SECONDS."""
        self.session = session
        self.held = held
        self.clock = clock
        self.step = config.settings.jobs_progress_step
        self.seconds = config.settings.jobs_progress_seconds
        self.last = 0
        self.last_at = time.monotonic()

    def __call__(self, progress: int) -> None:
        """Record progress when it moved enough, long enough after the last write."""
        if progress >= 100 or progress - self.last < self.step:
            return
        if time.monotonic() - self.last_at < self.seconds:
            return
        generations.report_progress(self.session, self.held, progress, now=self.clock())
        self.last, self.last_at = progress, time.monotonic()


def render(held: Claim, progress: Callable[[int], None] | None = None) -> Output:
    """Write a job's files atomically at paths derived from its id; describe what was made."""
    main_path, preview_path = generations.output_paths(held.generation_id, held.kind)
    main_file, preview_file = storage.absolute(main_path), storage.absolute(preview_path)
    params = held.params
    seed = int(params.get("seed", 0))
    measured: dict = {}
    if held.kind == "music":
        genre, duration = params["genre"], int(params["duration"])
        # A variation or extension: the source's parameters and the steps made from them.
        steps = params.get("steps") or []
        plan = music.plan_derived(held.prompt, genre, duration, seed, steps)

        def write_audio(audio) -> None:
            """Render once, writing the waveform (atomically) and then the audio."""

            def write_waveform(waveform) -> None:
                """The waveform picture, written while the audio is encoded."""
                if steps:
                    measured["duration"] = music.render_plan(
                        plan, audio, progress, waveform_out=waveform,
                        title=generations.title_from_prompt(held.prompt), artist=held.username,
                        lyrics=params.get("lyrics", ""), voice_id=params.get("voice") or None,
                    )
                    return
                measured["duration"] = music.render_track_with_waveform(
                    held.prompt, genre, duration, seed, audio, waveform, progress,
                    title=generations.title_from_prompt(held.prompt), artist=held.username,
                    lyrics=params.get("lyrics", ""), voice_id=params.get("voice") or None,
                )

            storage.write_atomically(preview_file, write_waveform)

        size = storage.write_atomically(main_file, write_audio)
        details = {
            "genre": genre,
            "requested_duration": duration,
            "lyrics": params.get("lyrics", ""),
            "voice": params.get("voice") or "",
            "seed": seed,
            "plan": plan.describe(),
        }
        if steps:
            details["source_id"] = params.get("source_id")
        return Output(main_path, preview_path, music.MUSIC_MIME, size,
                      float(measured["duration"]), details)

    def write_cover(image) -> None:
        """Draw once, writing the thumbnail (atomically) and then the cover."""

        def write_thumb(thumb) -> None:
            """The thumbnail, written while the cover is encoded."""
            title = generations.title_from_prompt(held.prompt) if params.get("title") else None
            measured["size"] = cover.render_cover(held.prompt, seed, image, thumb, progress,
                                                  title=title)

        storage.write_atomically(preview_file, write_thumb)

    size = storage.write_atomically(main_file, write_cover)
    width, height = measured["size"]
    details = {
        "seed": seed,
        "width": width,
        "height": height,
        "description": cover.describe_cover(held.prompt, seed),
    }
    return Output(main_path, preview_path, cover.COVER_MIME, size, None, details)
