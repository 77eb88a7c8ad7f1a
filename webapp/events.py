"""Live events: publish inside a transaction, deliver after commit, stream as SSE.

Two backends share one shape. In-process (the embedded default) queues events on
the session and hands them to local subscribers after commit. PostgreSQL sends
them with pg_notify in the same transaction; one listener connection per web
process receives every notification and fans it out to local subscribers.
"""

import itertools
import json
import logging
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, current_app, request
from flask_login import current_user
from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .access import private

CHANNEL = "soundstage_events"
RESYNC = "resync"
log = logging.getLogger(__name__)
bp = Blueprint("events", __name__)
_ids = itertools.count(1)


@dataclass(frozen=True)
class Message:
    """One event for one user: a name, small JSON data and an id for the stream.

    A final message is the last its streams send: they close after it.
    """

    user_id: int
    name: str
    data: dict
    id: str
    final: bool = False

    def to_sse(self) -> str:
        """The message in text/event-stream framing."""
        return f"id: {self.id}\nevent: {self.name}\ndata: {json.dumps(self.data)}\n\n"


class Bus:
    """Local fan-out: each subscriber is a queue; delivery never blocks the publisher."""

    def __init__(self) -> None:
        """Start with no subscribers."""
        self._subscribers: dict[int, set[queue.Queue]] = defaultdict(set)
        self._lock = threading.Lock()
        self.closing = threading.Event()

    def subscribe(self, user_id: int) -> queue.Queue:
        """A new queue that receives the user's events from now on."""
        inbox: queue.Queue = queue.Queue(maxsize=256)
        with self._lock:
            self._subscribers[user_id].add(inbox)
        return inbox

    def unsubscribe(self, user_id: int, inbox: queue.Queue) -> None:
        """Stop delivering to a queue."""
        with self._lock:
            inboxes = self._subscribers.get(user_id)
            if inboxes is not None:
                inboxes.discard(inbox)
                if not inboxes:
                    del self._subscribers[user_id]

    def deliver(self, message: Message) -> None:
        """Hand a message to every queue of its user; a full queue gets a resync instead.

        A final message closes the user's streams: they get it and nothing more.
        """
        with self._lock:
            if message.final:
                inboxes = list(self._subscribers.pop(message.user_id, ()))
            else:
                inboxes = list(self._subscribers.get(message.user_id, ()))
        for inbox in inboxes:
            if message.final:
                _drain(inbox)
            try:
                inbox.put_nowait(message)
            except queue.Full:
                _drain_and_resync(inbox, message.user_id)

    def resync_everyone(self) -> None:
        """Tell every local subscriber to re-check, after events may have been missed."""
        with self._lock:
            targets = [(uid, q) for uid, inboxes in self._subscribers.items() for q in inboxes]
        for user_id, inbox in targets:
            _drain_and_resync(inbox, user_id)

    def count(self) -> int:
        """How many streams are open in this process."""
        with self._lock:
            return sum(len(v) for v in self._subscribers.values())


def _drain(inbox: queue.Queue) -> None:
    """Drop whatever waits in a queue."""
    try:
        while True:
            inbox.get_nowait()
    except queue.Empty:
        pass


def _drain_and_resync(inbox: queue.Queue, user_id: int) -> None:
    """Replace a backlog with a single resync: the page re-reads what changed."""
    _drain(inbox)
    inbox.put_nowait(Message(user_id, RESYNC, {}, next_id()))


def next_id() -> str:
    """A unique, increasing id for this process's messages."""
    return f"{time.time_ns()}-{next(_ids)}"


class PostgresListener:
    """One LISTEN connection per process, reconnecting after outages, feeding the bus."""

    def __init__(self, url: str, bus: Bus) -> None:
        """Prepare, without connecting yet."""
        self.url = url.replace("postgresql+psycopg://", "postgresql://")
        self.bus = bus
        self.ready = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.reconnects = 0

    def start(self) -> None:
        """Start the listener thread once."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(
                    target=self._run, name="pg-event-listener", daemon=True
                )
                self._thread.start()

    def stop(self) -> None:
        """Ask the thread to finish and wait briefly."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3)

    def _run(self) -> None:
        """Listen forever; after every reconnect, resync local subscribers."""
        import psycopg

        delay = 0.2
        first = True
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True, connect_timeout=3) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.ready.set()
                    if not first:
                        self.reconnects += 1
                        self.bus.resync_everyone()
                    first, delay = False, 0.2
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=1.0):
                            self._deliver(note.payload)
            except Exception as error:  # any connection failure: back off and retry
                self.ready.clear()
                log.warning("event listener disconnected: %s", error.__class__.__name__)
                self._stop.wait(delay)
                delay = min(delay * 2, 5.0)

    def _deliver(self, payload: str) -> None:
        """Decode one notification and give it to the bus."""
        try:
            raw = json.loads(payload)
            self.bus.deliver(Message(int(raw["u"]), str(raw["e"]), dict(raw["d"]), str(raw["i"]),
                                     bool(raw.get("f"))))
        except (ValueError, KeyError, TypeError):
            log.warning("ignored a malformed event notification")


def init_app(app: Flask) -> None:
    """Create the process's bus and pick the backend from the database URL."""
    bus = Bus()
    app.extensions["event_bus"] = bus
    uses_postgres = app.config["SQLALCHEMY_URL"].startswith("postgresql")
    backend = app.config.get("EVENTS_BACKEND") or ("postgres" if uses_postgres else "memory")
    app.extensions["events_backend"] = backend
    if backend == "postgres":
        app.extensions["event_listener"] = PostgresListener(app.config["SQLALCHEMY_URL"], bus)
    maker = app.extensions["db_sessionmaker"]
    sa_event.listen(maker, "after_commit", _deliver_pending)
    sa_event.listen(maker, "after_rollback", _discard_pending)


def bus_of(app: Flask) -> Bus:
    """The app's local bus."""
    return app.extensions["event_bus"]


def publish(
    db: Session, user_id: int, name: str, data: dict | None = None, *, final: bool = False
) -> None:
    """Send an event to a user's open tabs once the current transaction commits.

    With `final`, it is the last thing those tabs' streams send: every one of them closes.
    """
    message = Message(user_id, name, data or {}, next_id(), final)
    if current_app.extensions["events_backend"] == "postgres":
        payload = json.dumps(
            {"u": user_id, "e": name, "d": message.data, "i": message.id, "f": final}
        )
        db.execute(select(func.pg_notify(CHANNEL, payload)))
    else:
        # Join a real transaction, so a rollback (even with no other SQL) drops the event.
        db.connection()
        db.info.setdefault("pending_events", []).append((bus_of(current_app), message))


def _deliver_pending(db: Session) -> None:
    """After commit: hand queued in-process events to the bus."""
    for bus, message in db.info.pop("pending_events", []):
        bus.deliver(message)


def _discard_pending(db: Session) -> None:
    """After rollback: what was not committed is never announced."""
    db.info.pop("pending_events", None)


def subscribe(app: Flask, user_id: int) -> queue.Queue:
    """Subscribe to a user's events, starting the process's listener if needed."""
    listener = app.extensions.get("event_listener")
    if listener is not None:
        listener.start()
    return bus_of(app).subscribe(user_id)


def stream(app: Flask, user_id: int, resume: bool) -> Iterator[str]:
    """SSE text for one tab: events, heartbeats, and an end after a maximum lifetime."""
    bus = bus_of(app)
    inbox = subscribe(app, user_id)
    heartbeat = app.config.settings.sse_heartbeat_seconds
    deadline = time.monotonic() + app.config.settings.sse_max_stream_seconds
    try:
        yield "retry: 2000\n\n"
        if resume:
            # The tab was disconnected: it may have missed events, so it re-checks.
            yield Message(user_id, RESYNC, {}, next_id()).to_sse()
        last_write = time.monotonic()
        while time.monotonic() < deadline and not bus.closing.is_set():
            try:
                # Wake every second so a shutting-down process closes its streams promptly.
                message = inbox.get(timeout=1.0)
            except queue.Empty:
                if time.monotonic() - last_write >= heartbeat:
                    yield ": ping\n\n"
                    last_write = time.monotonic()
                continue
            yield message.to_sse()
            if message.final:
                return
            last_write = time.monotonic()
    finally:
        bus.unsubscribe(user_id, inbox)


@bp.get("/events")
@private
def events_stream():
    """The signed-in user's live events as Server-Sent Events (one stream per tab)."""
    app = current_app._get_current_object()
    user_id = current_user.id
    resume = bool(request.headers.get("Last-Event-ID"))
    # The database session is released before streaming: the stream may last minutes.
    from .db import close_session

    close_session()
    return Response(
        stream(app, user_id, resume),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
