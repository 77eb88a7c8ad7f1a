"""Background jobs with Huey: the queue, the generation task, the reconciler, the consumers.

The queue carries only a generation id; the `generations` row holds the truth. Huey
delivers at most once, so a reconciler (at start and every JOBS_RECONCILE_SECONDS)
re-enqueues jobs whose lease expired or that sat queued too long.

Queues, by configuration:
- JOBS_IMMEDIATE: Huey's immediate mode; enqueueing runs the job in the caller.
- PostgreSQL database: PostgresHuey in the same database (LISTEN/NOTIFY, SKIP LOCKED).
- otherwise: SqliteHuey in DATA_DIR/jobs.sqlite3 (JOBS_QUEUE_FILE overrides).
Consumers: `start_embedded(app)` runs worker threads inside the web process (without
signal handlers, so Ctrl-C still stops the server); `flask --app webapp worker` runs
`run_consumer` in the foreground. With neither, jobs wait in the queue until
`run_pending(app)` runs them in the calling thread (tests).
"""

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from flask import Flask, current_app
from huey import MemoryHuey, PostgresHuey, SqliteHuey
from huey.api import Huey
from huey.consumer import Consumer

from .. import db, housekeeping, storage
from ..accounts import deletion, exports
from ..generators import cover, music
from ..models import utcnow
from . import generations
from .generations import Claim, LeaseLost, Output

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


class EmbeddedConsumer(Consumer):
    """A Huey consumer for threads inside the web process: it leaves signals alone."""

    def _set_signal_handlers(self) -> None:
        """Do nothing: the host process keeps Ctrl-C (Huey's handlers would swallow it)."""


class Jobs:
    """One app's queue, task, consumer threads and reconciler."""

    def __init__(self, app: Flask) -> None:
        """Prepare, without touching the queue's storage yet."""
        self.app = app
        self._huey: Huey | None = None
        self._task = None
        self._export_task = None
        self._erase_task = None
        self._lock = threading.Lock()
        self.consumer: Consumer | None = None
        self._stop = threading.Event()
        self._reconciler: threading.Thread | None = None

    @property
    def huey(self) -> Huey:
        """The Huey instance, created on first use (so app creation does no queue I/O)."""
        with self._lock:
            if self._huey is None:
                self._huey = self._make_huey()
                self._task = self._huey.task(name="generation")(self._run_task)
                self._export_task = self._huey.task(name="export")(self._run_export)
                self._erase_task = self._huey.task(name="erase")(self._run_erase)
            return self._huey

    def _make_huey(self) -> Huey:
        """Pick the queue from the configuration (see the module docstring)."""
        config = self.app.config
        name = "soundstage"
        if config.get("JOBS_IMMEDIATE"):
            return MemoryHuey(name, results=False, immediate=True)
        url = config["SQLALCHEMY_URL"]
        default = "postgres" if url.startswith("postgresql") else "sqlite"
        backend = config.get("JOBS_QUEUE") or default
        if backend == "memory":
            return MemoryHuey(name, results=False)
        if backend == "postgres":
            dsn = url.replace("postgresql+psycopg://", "postgresql://", 1)
            # The tables come from an Alembic migration (0003), not from each consumer.
            return PostgresHuey(name, results=False, dsn=dsn, read_timeout=1, create_tables=False)
        path = Path(config.get("JOBS_QUEUE_FILE") or Path(config["DATA_DIR"]) / "jobs.sqlite3")
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, results=False, filename=str(path), timeout=10)

    def _run_task(self, generation_id: int) -> None:
        """The Huey task: run the fairest queued generation, else its own (by id)."""
        run_fairly(self.app, int(generation_id))

    def _run_export(self, export_id: int) -> None:
        """The Huey task: build one data export by id."""
        with self.app.app_context(), db.standalone_session(self.app) as session:
            exports.run(session, int(export_id))

    def _run_erase(self, user_id: int) -> None:
        """The Huey task: erase one disabled account by user id, batch by batch."""
        with self.app.app_context(), db.standalone_session(self.app) as session:
            deletion.erase(session, int(user_id))

    def enqueue_erase(self, user_id: int) -> None:
        """Put an account's erasure on the same queue (runs at once in immediate mode)."""
        self.huey  # noqa: B018 - creates the task on first use
        self._erase_task(int(user_id))

    def enqueue_export(self, export_id: int) -> None:
        """Put a data export on the same queue as generations (runs at once in immediate mode)."""
        self.huey  # noqa: B018 - creates the task on first use
        self._export_task(int(export_id))

    def enqueue(self, generation_id: int) -> None:
        """Put a generation id on the queue (runs it at once in immediate mode)."""
        self.huey  # noqa: B018 - creates the task on first use
        self._task(int(generation_id))

    def run_pending(self, limit: int = 100) -> int:
        """Run queued tasks in this thread until the queue is empty; returns how many ran."""
        huey = self.huey
        ran = 0
        while ran < limit and (task := huey.dequeue()) is not None:
            huey.execute(task)
            ran += 1
        return ran

    def reconcile_now(self, sweep: bool = False) -> list[int]:
        """Repair stuck jobs (enqueueing those to run again), expire old data exports, restart
        unfinished account erasures; optionally sweep orphan files."""
        with self.app.app_context(), db.standalone_session(self.app) as session:
            ids = generations.reconcile(session)
            exports.expire(session)
            erasures = deletion.erasures_due(session)
            if sweep:
                removed = generations.sweep_orphans(session)
                if removed:
                    log.info("removed %s orphan media files", removed)
        for generation_id in ids:
            self.enqueue(generation_id)
        if ids:
            log.info("re-enqueued generations %s", ids)
        for user_id in erasures:
            self.enqueue_erase(user_id)
        if erasures:
            log.info("resumed erasing accounts %s", erasures)
        return ids

    def start_embedded(self) -> None:
        """Start worker threads and the reconciler inside this process (once)."""
        if self.consumer is not None:
            return
        self._stop.clear()
        if not self.huey.immediate:
            workers = self.app.config.settings.jobs_workers
            self.consumer = EmbeddedConsumer(self.huey, **self._consumer_options(workers))
            self.consumer.start()
        self._start_reconciler()

    def _consumer_options(self, workers: int) -> dict:
        """Huey consumer settings: thread workers that poll fast so a job starts at once."""
        config = self.app.config
        return {
            "workers": workers,
            "worker_type": "thread",
            "periodic": False,
            "initial_delay": 0.05,
            "backoff": 1.5,
            "max_delay": config.settings.jobs_poll_max_delay,
            "shutdown_timeout": config.settings.jobs_shutdown_seconds,
        }

    def _start_reconciler(self) -> None:
        """Reconcile now (in the background) and then every JOBS_RECONCILE_SECONDS."""
        self._reconciler = threading.Thread(
            target=self._reconcile_loop, name="jobs-reconciler", daemon=True
        )
        self._reconciler.start()

    def _reconcile_loop(self) -> None:
        """The reconciler thread: one pass at start (with the orphan sweep), then on a timer.

        It also runs the housekeeping purge every HOUSEKEEPING_SECONDS.
        """
        interval = self.app.config.settings.jobs_reconcile_seconds
        first, next_purge = True, 0.0
        while not self._stop.is_set():
            try:
                self.reconcile_now(sweep=first)
                if self.consumer is not None and not first:
                    self.consumer.check_worker_health()
                if time.monotonic() >= next_purge:
                    self.housekeep()
                    next_purge = time.monotonic() + self.app.config.settings.housekeeping_seconds
            except Exception:  # a database outage must not end the reconciler
                log.exception("reconciling jobs failed; will try again")
            first = False
            self._stop.wait(interval)

    def housekeep(self) -> dict[str, int]:
        """Purge expired sessions, stale throttles and ended rate-limit windows."""
        with self.app.app_context(), db.standalone_session(self.app) as session:
            purged = housekeeping.purge(session, utcnow())
        if any(purged.values()):
            log.info("housekeeping purged %s", purged)
        return purged

    def run_consumer(self, workers: int) -> None:
        """Run a consumer in the foreground until SIGINT/SIGTERM (scale-out workers)."""
        consumer = self.huey.create_consumer(**self._consumer_options(workers))
        self._stop.clear()
        self._start_reconciler()
        try:
            consumer.run()
        finally:
            self._stop.set()

    def stop(self) -> None:
        """Stop the threads (letting running jobs finish briefly) and close the queue."""
        self._stop.set()
        if self.consumer is not None:
            self.consumer.stop(graceful=True)
            self.consumer = None
        if self._reconciler is not None:
            self._reconciler.join(timeout=5)
            self._reconciler = None
        with self._lock:
            if self._huey is not None:
                self._huey.storage.close()


def init_app(app: Flask) -> None:
    """Create the app's queue holder."""
    app.extensions["jobs"] = Jobs(app)


def jobs_of(app: Flask) -> Jobs:
    """The app's jobs holder."""
    return app.extensions["jobs"]


def start_embedded(app: Flask) -> None:
    """Start consumer threads inside this process, unless JOBS_EMBEDDED is off."""
    if app.config.settings.jobs_embedded:
        jobs_of(app).start_embedded()


def stop_embedded(app: Flask) -> None:
    """Stop embedded consumer threads and release the queue's connections."""
    holder = app.extensions.get("jobs")
    if holder is not None:
        holder.stop()


def run_consumer(app: Flask, workers: int) -> None:
    """Run a consumer in the foreground (scale-out: `flask --app webapp worker`)."""
    jobs_of(app).run_consumer(workers)


def enqueue(generation_id: int) -> None:
    """Enqueue a generation of the current app (for routes)."""
    jobs_of(current_app).enqueue(generation_id)


def enqueue_export(export_id: int) -> None:
    """Enqueue a data export of the current app (for routes)."""
    jobs_of(current_app).enqueue_export(export_id)


def enqueue_erase(user_id: int) -> None:
    """Enqueue the erasure of a disabled account of the current app (for routes)."""
    jobs_of(current_app).enqueue_erase(user_id)


def run_pending(app: Flask) -> int:
    """Run every queued job now, in this thread (tests, scripts)."""
    return jobs_of(app).run_pending()


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
            jobs_of(app).enqueue(held.generation_id)
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
