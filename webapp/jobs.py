"""Background jobs with Huey: the queue, the consumers and the reconciler; features add tasks.

A feature registers what it runs in the background where it keeps the work itself:
`@jobs.task("generation")` (studio), `@jobs.task("export")` (accounts) name a function of
(app, id); `@jobs.repair` names a function of (session, sweep) that the reconciler calls and
that returns the (task, id) pairs to enqueue again. Housekeeping runs on its own timer.

The queue carries only an id; the feature's row holds the truth. Huey delivers at most
once, so the reconciler (at start and every JOBS_RECONCILE_SECONDS) asks every feature
for the jobs whose lease expired or that sat queued too long.

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
from pathlib import Path

from flask import Flask, current_app
from huey import MemoryHuey, PostgresHuey, SqliteHuey
from huey.api import Huey
from huey.consumer import Consumer
from sqlalchemy.orm import Session

from . import db, housekeeping
from .models import utcnow

log = logging.getLogger(__name__)

Task = Callable[[Flask, int], None]
Repair = Callable[[Session, bool], list[tuple[str, int]]]
TASKS: dict[str, Task] = {}
REPAIRS: list[Repair] = []


def task(name: str) -> Callable[[Task], Task]:
    """Register `run(app, id)` as the background task called `name`."""

    def register(run: Task) -> Task:
        """Keep the task under its name (a second module may not take it)."""
        if TASKS.get(name, run) is not run:
            raise ValueError(f"two modules register the job task {name!r}")
        TASKS[name] = run
        return run

    return register


def repair(fix: Repair) -> Repair:
    """Register `fix(session, sweep)`: the reconciler's pass over one feature's jobs."""
    if fix not in REPAIRS:
        REPAIRS.append(fix)
    return fix


class EmbeddedConsumer(Consumer):
    """A Huey consumer for threads inside the web process: it leaves signals alone."""

    def _set_signal_handlers(self) -> None:
        """Do nothing: the host process keeps Ctrl-C (Huey's handlers would swallow it)."""


class Jobs:
    """One app's queue, tasks, consumer threads and reconciler."""

    def __init__(self, app: Flask) -> None:
        """Prepare, without touching the queue's storage yet."""
        self.app = app
        self._huey: Huey | None = None
        self._tasks: dict[str, Callable] = {}
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
                for name, run in TASKS.items():
                    self._tasks[name] = self._huey.task(name=name)(self._runner(run))
            return self._huey

    def _runner(self, run: Task) -> Callable[[int], None]:
        """The Huey task body: the registered function, given this app and the id."""

        def run_task(item_id: int) -> None:
            """Run one queued id."""
            run(self.app, int(item_id))

        return run_task

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

    def enqueue(self, name: str, item_id: int) -> None:
        """Put an id on the queue for the task `name` (runs it at once in immediate mode)."""
        self.huey  # noqa: B018 - creates the tasks on first use
        self._tasks[name](int(item_id))

    def run_pending(self, limit: int = 100) -> int:
        """Run queued tasks in this thread until the queue is empty; returns how many ran."""
        huey = self.huey
        ran = 0
        while ran < limit and (queued := huey.dequeue()) is not None:
            huey.execute(queued)
            ran += 1
        return ran

    def reconcile_now(self, sweep: bool = False) -> list[int]:
        """Let every feature repair its stuck jobs (optionally sweeping orphan files), enqueue
        what they hand back; returns the ids enqueued again."""
        again: list[tuple[str, int]] = []
        with self.app.app_context(), db.standalone_session(self.app) as session:
            for fix in REPAIRS:
                again.extend(fix(session, sweep))
        for name, item_id in again:
            self.enqueue(name, item_id)
        if again:
            log.info("re-enqueued jobs %s", again)
        return [item_id for _name, item_id in again]

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


def enqueue(name: str, item_id: int) -> None:
    """Enqueue an id for the task `name` of the current app (for routes)."""
    jobs_of(current_app).enqueue(name, item_id)


def run_pending(app: Flask) -> int:
    """Run every queued job now, in this thread (tests, scripts)."""
    return jobs_of(app).run_pending()
