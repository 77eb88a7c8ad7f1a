"""Generation jobs, the domain: submit, claim, progress, complete, fail, reconcile, queries.

Every function takes a Session and, where time matters, an explicit `now`, so the
job life cycle is tested without HTTP and with a controlled clock. The `generations`
row is the source of truth: the queue only ever carries its id.
"""

import re
import secrets
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import Update, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from .. import live, storage, upsert
from ..config import settings
from ..db import is_postgres, write_transaction
from ..forms import FormErrors, clean_choice, clean_int, clean_text, has_control_characters
from ..generators import cover, music, voice
from ..models import Generation, Media, User, utcnow
from ..templating import filesize

KINDS = ("music", "image")
KIND_LABELS = {"music": "Music", "image": "Cover art"}
UNFINISHED = ("queued", "running")
PROMPT_MIN, PROMPT_MAX = 3, 500
LYRICS_MAX = 2000
TITLE_MAX = 60
DEFAULT_DURATION = 30
DEFAULT_GENRE = "lo-fi" if "lo-fi" in music.GENRES else music.GENRES[0]

RENDER_FAILED = {
    "music": "We could not make this track. Please try again, perhaps with other words.",
    "image": "We could not make this cover. Please try again, perhaps with other words.",
}
STALLED = "This job stopped before it finished. Please try again."
STORAGE_FAILED = (
    "We could not save this file (a storage problem on our side). Please try again later."
)

# The files a job writes, by kind: (main file suffix, preview suffix).
AUDIO_SUFFIX = f".{music.MUSIC_EXT}"
WAVEFORM_SUFFIX = "-waveform.png"
COVER_SUFFIX = f".{cover.COVER_EXT}"
THUMB_SUFFIX = f"-thumb.{cover.COVER_EXT}"
SUFFIXES = {"music": (AUDIO_SUFFIX, WAVEFORM_SUFFIX), "image": (COVER_SUFFIX, THUMB_SUFFIX)}
_GENERATION_FILE = re.compile(r"^gen-(\d+)[.-]")


class LeaseLost(Exception):
    """Another worker now owns the job (our lease expired): stop without writing."""


# ---------------------------------------------------------------------------
# Submitting
# ---------------------------------------------------------------------------


@dataclass
class GenerationRequest:
    """What a person asked for, cleaned and checked."""

    kind: str = "music"
    prompt: str = ""
    genre: str = DEFAULT_GENRE
    duration: int = DEFAULT_DURATION
    lyrics: str = ""
    voice: str = ""  # "" for none, else one of voice.VOICE_IDS
    cover_title: bool = False  # set the title on a cover
    request_id: str = ""

    def params(self, seed: int) -> dict:
        """The job's parameters as stored in generations.params."""
        if self.kind == "image":
            return {"seed": seed, "title": True} if self.cover_title else {"seed": seed}
        return {"genre": self.genre, "duration": self.duration, "lyrics": self.lyrics,
                "voice": self.voice, "seed": seed}


@dataclass
class SubmitResult:
    """The outcome of a submit: the job (new or the existing duplicate), or why not."""

    request: GenerationRequest
    errors: FormErrors = field(default_factory=FormErrors)
    generation: Generation | None = None
    created: bool = False
    limited: bool = False


def new_request_id() -> str:
    """A fresh id for one rendered form: submitting it twice makes one job."""
    return str(uuid.uuid4())


def parse_request(form) -> tuple[GenerationRequest, FormErrors]:
    """Read and check the studio form (any mapping of field name to text)."""
    errors = FormErrors()
    kind = clean_choice(form, "kind", "Kind", KINDS, errors)
    prompt = clean_text(
        form, "prompt", "Prompt", errors, min_length=PROMPT_MIN, max_length=PROMPT_MAX,
        multiline=True,
    )
    # The prompt is one line of words: line breaks typed into the box become spaces.
    prompt = " ".join(prompt.split())
    if not errors.get("prompt") and len(prompt) < PROMPT_MIN:
        errors.add("prompt", f"Prompt must be at least {PROMPT_MIN} characters.")
    request = GenerationRequest(kind=kind if kind in KINDS else "music", prompt=prompt)
    request.request_id = _clean_request_id(form.get("request_id", ""), errors)
    request.cover_title = form.get("cover_title", "") == "on"
    if request.kind == "music":
        genre = clean_choice(form, "genre", "Genre", music.GENRES, errors)
        request.genre = genre if genre in music.GENRES else DEFAULT_GENRE
        request.duration = clean_int(
            form, "duration", "Duration", errors,
            minimum=music.MIN_DURATION, maximum=music.MAX_DURATION,
        )
        request.lyrics = clean_text(
            form, "lyrics", "Lyrics", errors, max_length=LYRICS_MAX, multiline=True
        )
        request.voice = _clean_voice(form, errors)
    else:
        # Track settings do not apply to a cover; keep them only to re-show the form.
        genre = form.get("genre", "")
        request.genre = genre if genre in music.GENRES else DEFAULT_GENRE
        raw = form.get("duration", "")
        if raw.isdigit() and music.MIN_DURATION <= int(raw) <= music.MAX_DURATION:
            request.duration = int(raw)
        lyrics = form.get("lyrics", "")
        if not has_control_characters(lyrics, multiline=True):
            request.lyrics = lyrics[:LYRICS_MAX]
        request.voice = form.get("voice", "") if form.get("voice", "") in voice_choices() else ""
    return request, errors


def voice_choices() -> dict[str, str]:
    """The Voice menu: "" for none (instrumental), then each voice this server can sing with."""
    return {"": "None (instrumental)", **{v.id: v.label for v in voice.available_voices()}}


def _clean_voice(form, errors: FormErrors) -> str:
    """The chosen voice id ("" for none), or a form error for one this server does not offer."""
    chosen = form.get("voice", "")
    if chosen not in voice_choices():
        errors.add("voice", "Choose one of the voices listed, or none.")
        return ""
    return chosen


def _clean_request_id(raw: str, errors: FormErrors) -> str:
    """The form's request id in canonical form, or a form error if it is not a UUID."""
    try:
        return str(uuid.UUID(raw.strip()))
    except (ValueError, AttributeError):
        errors.add("form", "This form has expired. Please try again.")
        return new_request_id()


def submit(
    db: Session,
    user_id: int,
    form,
    *,
    enqueue: Callable[[int], None] | None = None,
    now: datetime | None = None,
    seed: int | None = None,
    extra: dict | None = None,
) -> SubmitResult:
    """Validate and store a new job (status queued), then enqueue its id; commits.

    extra goes into the job's params as it is (a variation's or extension's steps).

    A second submit with the same request id answers with the existing job. Limits
    (unfinished jobs, jobs per hour) are counted in the database, under a per-user
    lock, so they hold across processes.
    """
    now = now or utcnow()
    request, errors = parse_request(form)
    result = SubmitResult(request=request, errors=errors)
    if errors:
        return result
    # End any read-only transaction the request began, then take the per-user lock first.
    db.commit()
    _lock_user(db, user_id)
    existing = db.scalar(
        select(Generation).where(
            Generation.user_id == user_id, Generation.request_id == request.request_id
        )
    )
    if existing is not None:
        db.commit()
        result.generation = existing
        return result
    if message := _limit_message(db, user_id, now):
        db.rollback()
        errors.add("form", message)
        result.limited = True
        return result
    generation = Generation(
        user_id=user_id,
        kind=request.kind,
        prompt=request.prompt,
        params={
            **request.params(secrets.randbelow(2**31) if seed is None else seed), **(extra or {})
        },
        status="queued",
        progress=0,
        attempts=0,
        request_id=request.request_id,
        created_at=now,
        updated_at=now,
    )
    db.add(generation)
    db.flush()
    live.library_changed(db, user_id)  # an open library shows the pending card at once
    db.commit()
    result.generation, result.created = generation, True
    if enqueue is not None:
        try:
            enqueue(generation.id)
        except Exception:  # the reconciler re-enqueues a job that sat queued too long
            current_app.logger.exception("could not enqueue generation %s", generation.id)
    return result


DERIVATIONS = ("variation", "extend")
EXTEND_SECONDS = 20


def derive(
    db: Session, user_id: int, source_id: int, how: str, *,
    enqueue: Callable[[int], None] | None = None, now: datetime | None = None,
) -> SubmitResult | None:
    """Queue a variation or an extension of an owner's finished track as a new job.

    The new job keeps the source's prompt, genre, duration, seed and lyrics and adds one
    step ("vary", number) or ("extend", seconds) to the source's own steps, with the
    source's id (the link between library items); the music is deterministic for them.
    None when the person has no such finished track.
    """
    source = db.scalar(
        select(Generation).where(
            Generation.id == source_id, Generation.user_id == user_id,
            Generation.kind == "music", Generation.status == "done",
        )
    )
    if source is None or how not in DERIVATIONS:
        return None
    params = source.params
    steps = [list(step) for step in params.get("steps", [])]
    form = {
        "kind": "music", "prompt": source.prompt, "genre": params["genre"],
        "duration": str(params["duration"]), "lyrics": params.get("lyrics", ""),
        "request_id": new_request_id(),
    }
    if how == "variation":
        steps.append(["vary", secrets.randbelow(2**31) + 1])
    else:
        plan = music.plan_derived(
            source.prompt, params["genre"], int(params["duration"]), int(params["seed"]), steps
        )
        if plan.duration >= music.MAX_DURATION:
            result = SubmitResult(request=GenerationRequest(prompt=source.prompt))
            result.errors.add(
                "form", f"This track is already {music.MAX_DURATION} s, the longest a track can be."
            )
            return result
        steps.append(["extend", min(EXTEND_SECONDS, music.MAX_DURATION - plan.duration)])
    return submit(
        db, user_id, form, enqueue=enqueue, now=now, seed=int(params["seed"]),
        extra={"source_id": source.id, "steps": steps},
    )


def _lock_user(db: Session, user_id: int) -> None:
    """Serialise this user's submits: a row lock on PostgreSQL, the write lock on SQLite."""
    if is_postgres(db):
        db.execute(select(User.id).where(User.id == user_id).with_for_update())
    else:
        db.execute(update(User).where(User.id == user_id).values(updated_at=User.updated_at))


def _limit_message(db: Session, user_id: int, now: datetime) -> str | None:
    """Why this user may not start another job now, if they may not."""
    max_unfinished = settings().jobs_max_unfinished
    unfinished = db.scalar(
        select(func.count(Generation.id)).where(
            Generation.user_id == user_id, Generation.status.in_(UNFINISHED)
        )
    )
    if unfinished >= max_unfinished:
        return (
            f"You already have {unfinished} jobs in progress, the most at once. "
            "Please wait for one to finish, then try again."
        )
    used, quota = storage_used(db, user_id), settings().storage_quota_bytes
    if used >= quota:
        return (
            f"Your library uses {megabytes(used)} of your {megabytes(quota)}. "
            "Delete some items to make room, then try again."
        )
    max_per_hour = settings().jobs_max_per_hour
    recent = db.scalar(
        select(func.count(Generation.id)).where(
            Generation.user_id == user_id, Generation.created_at > now - timedelta(hours=1),
            # A job our storage failed is our fault: it gives its place back.
            or_(Generation.error.is_(None), Generation.error != STORAGE_FAILED),
        )
    )
    if recent >= max_per_hour:
        return (
            f"You have started {max_per_hour} jobs in the last hour, the hourly limit. "
            "Please try again later."
        )
    return None


def storage_used(db: Session, user_id: int) -> int:
    """Bytes a user's library takes (its items' files), counted against the storage quota."""
    return db.scalar(select(func.coalesce(func.sum(Media.size), 0)).where(Media.user_id == user_id))


def megabytes(size: int) -> str:
    """A byte count for people ("2.4 MB", "120 KB"): never "0 MB" for a few kilobytes."""
    return filesize(size)


def cancel(db: Session, user_id: int, generation_id: int) -> Generation | None:
    """Cancel an owner's queued or running job: its row and any files go; commits.

    A running render notices at its next progress write (its lease is gone) and stops;
    the job no longer counts against any limit. None when there is nothing to cancel.
    """
    with write_transaction(db):
        generation = db.scalar(
            select(Generation).where(
                Generation.id == generation_id, Generation.user_id == user_id,
                Generation.status.in_(UNFINISHED),
            )
        )
        if generation is None:
            return None
        db.delete(generation)
        live.library_changed(db, user_id)  # open libraries drop the pending card
    remove_files(generation_id)
    return generation


# ---------------------------------------------------------------------------
# Running: claim, progress, complete, fail
# ---------------------------------------------------------------------------


def next_fair(db: Session) -> int | None:
    """The queued job to run next: its owner has the fewest running, then was served longest ago.

    Round-robin across people instead of first-in-first-out, so one person's backlog
    never makes another wait for more than about one job.
    """
    other = aliased(Generation)
    running = (
        select(func.count(other.id))
        .where(other.user_id == Generation.user_id, other.status == "running")
        .scalar_subquery()
    )
    last_started = (
        select(func.max(other.started_at)).where(other.user_id == Generation.user_id)
        .scalar_subquery()
    )
    return db.scalar(
        select(Generation.id)
        .where(Generation.status == "queued")
        .order_by(running, last_started.asc().nulls_first(), Generation.created_at, Generation.id)
        .limit(1)
    )


@dataclass(frozen=True)
class Claim:
    """A worker's hold on one job: the lease token fences every later write."""

    generation_id: int
    user_id: int
    kind: str
    prompt: str
    params: dict
    attempts: int
    token: str
    username: str = ""  # the owner's name when the work began: the track's artist tag


def claim(db: Session, generation_id: int, *, now: datetime | None = None) -> Claim | None:
    """Take the job if it is queued or its lease expired: fresh token, attempts + 1; commits.

    None when it is finished, held by a live lease, or out of attempts (the reconciler
    then marks it failed).
    """
    now = now or utcnow()
    token = secrets.token_hex(16)
    lease = timedelta(seconds=settings().jobs_lease_seconds)
    max_attempts = settings().jobs_max_attempts
    taken = db.execute(
        update(Generation)
        .where(
            Generation.id == generation_id,
            Generation.attempts < max_attempts,
            or_(
                Generation.status == "queued",
                (Generation.status == "running") & (Generation.lease_until < now),
            ),
        )
        .values(
            status="running",
            progress=0,
            started_at=now,
            lease_token=token,
            lease_until=now + lease,
            attempts=Generation.attempts + 1,
            error=None,
            updated_at=now,
        )
    ).rowcount
    if taken != 1:
        db.rollback()
        return None
    row = db.execute(
        select(
            Generation.user_id, Generation.kind, Generation.prompt, Generation.params,
            Generation.attempts, User.username,
        ).join(User, User.id == Generation.user_id).where(Generation.id == generation_id)
    ).one()
    live.generation_progressed(db, row.user_id, generation_id, 0, "running")
    db.commit()
    return Claim(generation_id, row.user_id, row.kind, row.prompt, dict(row.params or {}),
                 row.attempts, token, row.username)


def _while_held(held: Claim) -> Update:
    """An UPDATE of the job that matches nothing once our lease on it is lost."""
    return update(Generation).where(
        Generation.id == held.generation_id,
        Generation.lease_token == held.token,
        Generation.status == "running",
    )


def report_progress(
    db: Session, held: Claim, progress: int, *, now: datetime | None = None
) -> None:
    """Record progress (and extend the lease) while we still hold it; commits.

    Raises LeaseLost when another worker has taken the job over.
    """
    now = now or utcnow()
    lease = timedelta(seconds=settings().jobs_lease_seconds)
    progress = max(0, min(99, int(progress)))
    changed = db.execute(
        _while_held(held).values(progress=progress, lease_until=now + lease, updated_at=now)
    ).rowcount
    if changed != 1:
        db.rollback()
        raise LeaseLost(held.generation_id)
    live.generation_progressed(db, held.user_id, held.generation_id, progress, "running")
    db.commit()


@dataclass(frozen=True)
class Output:
    """What a finished render wrote and measured."""

    file_path: str
    preview_path: str
    mime_type: str
    size: int
    duration: float | None
    details: dict


def complete(
    db: Session, held: Claim, output: Output, *, now: datetime | None = None
) -> int | None:
    """In one transaction: mark done (fenced by the token), add the media, bump the library.

    Returns the media id, or None when the lease was lost (nothing is written then).
    """
    now = now or utcnow()
    done = db.execute(
        _while_held(held).values(
            status="done", progress=100, error=None, finished_at=now, updated_at=now,
            lease_until=None,
        )
    ).rowcount
    if done != 1:
        db.rollback()
        discard_if_gone(db, held)
        return None
    db.execute(
        upsert.insert(db, Media)
        .values(
            user_id=held.user_id,
            generation_id=held.generation_id,
            kind=held.kind,
            title=title_from_prompt(held.prompt),
            prompt=held.prompt,
            file_path=output.file_path,
            preview_path=output.preview_path,
            mime_type=output.mime_type,
            duration=output.duration,
            size=output.size,
            details=output.details,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["generation_id"])
    )
    media_id = db.scalar(select(Media.id).where(Media.generation_id == held.generation_id))
    live.library_changed(db, held.user_id)
    live.generation_progressed(db, held.user_id, held.generation_id, 100, "done")
    db.commit()
    return media_id


def fail_attempt(
    db: Session, held: Claim, *, now: datetime | None = None, message: str | None = None
) -> bool:
    """After a render error: queue the job again, or fail it for good when out of attempts.

    Returns True when the job should be enqueued again. Commits.
    """
    now = now or utcnow()
    max_attempts = settings().jobs_max_attempts
    if held.attempts < max_attempts:
        retried = db.execute(
            _while_held(held).values(
                status="queued", progress=0, lease_token=None, lease_until=None, updated_at=now
            )
        ).rowcount
        if retried == 1:
            live.generation_progressed(db, held.user_id, held.generation_id, 0, "queued")
        db.commit()
        return retried == 1
    failed = db.execute(
        _while_held(held).values(
            status="failed", error=message or RENDER_FAILED.get(held.kind, STALLED),
            lease_token=None, lease_until=None, finished_at=now, updated_at=now,
        )
    ).rowcount
    if failed == 1:
        live.library_changed(db, held.user_id)  # the library drops its pending card
        live.generation_progressed(db, held.user_id, held.generation_id, 0, "failed")
    db.commit()
    if failed == 1:
        remove_files(held.generation_id, held.kind)
    return False


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------


def output_paths(generation_id: int, kind: str) -> tuple[str, str]:
    """Relative paths of a job's file and preview: derived from the id, so retries overwrite."""
    main, preview = SUFFIXES[kind]
    return (
        storage.generation_file(generation_id, main),
        storage.generation_file(generation_id, preview),
    )


def discard_if_gone(db: Session, held: Claim) -> bool:
    """Remove a job's files when its row is gone (cancelled, or the account deleted mid-render).

    A row that still exists belongs to whichever worker holds it now, files included.
    """
    db.rollback()
    gone = db.scalar(select(Generation.id).where(Generation.id == held.generation_id)) is None
    db.rollback()
    if gone:
        remove_files(held.generation_id, held.kind)
    return gone


def remove_files(generation_id: int, kind: str | None = None) -> None:
    """Delete whatever files a job may have written."""
    kinds = [kind] if kind else list(KINDS)
    for each in kinds:
        for relative in output_paths(generation_id, each):
            storage.remove_quietly(storage.absolute(relative))


def sweep_orphans(db: Session, *, now: datetime | None = None, min_age_seconds: int = 600) -> int:
    """Delete generation files no media row refers to, unless their job may still write them.

    Leftover temp files older than `min_age_seconds` go too. Returns how many were removed.
    """
    db.rollback()  # read the latest state, not an old snapshot
    root = storage.media_root()
    if not root.is_dir():
        return 0
    cutoff = (now or utcnow()).timestamp() - min_age_seconds
    candidates: dict[int, list[Path]] = {}
    removed = 0
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        if path.name.startswith(".tmp-"):
            if path.stat().st_mtime < cutoff:
                storage.remove_quietly(path)
                removed += 1
            continue
        match = _GENERATION_FILE.match(path.name)
        if match:
            candidates.setdefault(int(match.group(1)), []).append(path)
    if not candidates:
        return removed
    ids = list(candidates)
    referenced: set[str] = set()
    busy: set[int] = set()
    for chunk in _chunks(ids, 500):
        # Busy first: a job that completes in between is then seen with its media row.
        busy.update(
            db.scalars(
                select(Generation.id).where(
                    Generation.id.in_(chunk), Generation.status.in_(UNFINISHED)
                )
            )
        )
        for file_path, preview_path in db.execute(
            select(Media.file_path, Media.preview_path).where(Media.generation_id.in_(chunk))
        ):
            referenced.update(p for p in (file_path, preview_path) if p)
    db.rollback()
    for generation_id, paths in candidates.items():
        if generation_id in busy:
            continue
        for path in paths:
            if path.relative_to(root).as_posix() not in referenced:
                storage.remove_quietly(path)
                removed += 1
    return removed


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    """Split a list into pieces small enough for an IN (...) clause."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ---------------------------------------------------------------------------
# Reconciling
# ---------------------------------------------------------------------------


def reconcile(db: Session, *, now: datetime | None = None) -> list[int]:
    """Repair stuck jobs; returns the ids to enqueue again. Commits.

    - out of attempts and not running under a live lease: failed, files removed;
    - running with an expired lease: back to queued;
    - queued for longer than JOBS_QUEUED_STALE_SECONDS: enqueued again (at-most-once queue).
    Every change is a conditional UPDATE, so several reconcilers may run at once.
    """
    db.rollback()  # read the latest state, not an old snapshot
    now = now or utcnow()
    max_attempts = settings().jobs_max_attempts
    stale = now - timedelta(seconds=settings().jobs_queued_stale_seconds)
    expired = (Generation.status == "running") & (Generation.lease_until < now)
    requeue: list[int] = []
    exhausted = db.execute(
        select(Generation.id, Generation.user_id, Generation.kind).where(
            Generation.attempts >= max_attempts,
            or_(Generation.status == "queued", expired),
        )
    ).all()
    for generation_id, user_id, kind in exhausted:
        changed = db.execute(
            update(Generation)
            .where(
                Generation.id == generation_id,
                or_(Generation.status == "queued", expired),
            )
            .values(
                status="failed", error=STALLED, lease_token=None, lease_until=None,
                finished_at=now, updated_at=now,
            )
        ).rowcount
        if changed == 1:
            live.library_changed(db, user_id)
            live.generation_progressed(db, user_id, generation_id, 0, "failed")
            db.commit()
            remove_files(generation_id, kind)
        else:
            db.rollback()
    lapsed = db.execute(
        select(Generation.id, Generation.user_id).where(
            expired, Generation.attempts < max_attempts
        )
    ).all()
    for generation_id, user_id in lapsed:
        changed = db.execute(
            update(Generation)
            .where(Generation.id == generation_id, expired)
            .values(
                status="queued", progress=0, lease_token=None, lease_until=None, updated_at=now
            )
        ).rowcount
        if changed == 1:
            live.generation_progressed(db, user_id, generation_id, 0, "queued")
            db.commit()
            requeue.append(generation_id)
        else:
            db.rollback()
    waiting = db.scalars(
        select(Generation.id).where(
            Generation.status == "queued", Generation.updated_at < stale,
            Generation.attempts < max_attempts,
        )
    ).all()
    for generation_id in waiting:
        changed = db.execute(
            update(Generation)
            .where(
                Generation.id == generation_id,
                Generation.status == "queued",
                Generation.updated_at < stale,
            )
            .values(updated_at=now)
        ).rowcount
        db.commit()
        if changed == 1:
            requeue.append(generation_id)
    db.rollback()
    return requeue


# ---------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------


def recent_generations(
    db: Session, user_id: int, limit: int | None = None
) -> list[tuple[Generation, Media | None]]:
    """The user's latest jobs, newest first, each with its media once done."""
    limit = limit or settings().jobs_recent_limit
    generations = db.scalars(
        select(Generation)
        .where(Generation.user_id == user_id)
        .order_by(Generation.id.desc())
        .limit(limit)
    ).all()
    return _with_media(db, user_id, generations)


def unfinished_generations(db: Session, user_id: int, kind: str | None = None) -> list[Generation]:
    """The user's queued and running jobs (of one kind, if given), newest first."""
    query = select(Generation).where(
        Generation.user_id == user_id, Generation.status.in_(UNFINISHED)
    )
    if kind is not None:
        query = query.where(Generation.kind == kind)
    return list(db.scalars(query.order_by(Generation.id.desc())))


def generation_for_owner(
    db: Session, user_id: int, generation_id: int
) -> tuple[Generation, Media | None] | None:
    """One job of this user with its media, or None (someone else's job is not found)."""
    generation = db.scalar(
        select(Generation).where(Generation.id == generation_id, Generation.user_id == user_id)
    )
    if generation is None:
        return None
    return _with_media(db, user_id, [generation])[0]


def _with_media(
    db: Session, user_id: int, generations: list[Generation]
) -> list[tuple[Generation, Media | None]]:
    """Pair each job with its media row, in one query."""
    done = [g.id for g in generations if g.status == "done"]
    media: dict[int, Media] = {}
    if done:
        media = {
            m.generation_id: m
            for m in db.scalars(
                select(Media).where(Media.user_id == user_id, Media.generation_id.in_(done))
            )
        }
    return [(g, media.get(g.id)) for g in generations]


def card_version(generation: Generation, media: Media | None = None) -> str:
    """What a job card shows, as a tag: the same tag means the same card."""
    return f"{generation.id}-{generation.status}-{generation.progress}-{media.id if media else 0}"


def title_from_prompt(prompt: str, limit: int = TITLE_MAX) -> str:
    """A title from the prompt's first words, at most `limit` characters."""
    words = unicodedata.normalize("NFC", prompt).split()
    title = ""
    for word in words:
        candidate = f"{title} {word}" if title else word
        if len(candidate) > limit - 1:
            title = (title or word[: limit - 1]) + "…"
            break
        title = candidate
    title = title or "Untitled"
    return title[0].upper() + title[1:]

