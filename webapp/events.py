"""Live events: publish inside a transaction, deliver after commit, stream as SSE.

Two backends share one shape. In-process (the embedded default) queues events on
the session and hands them to local subscribers after commit. PostgreSQL sends
them with pg_notify in the same transaction; one listener connection per web
process receives every notification and fans it out to local subscribers.
"""

import hashlib
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
# Internal: tells the streams of ended sessions to close; never forwarded to a browser.
SESSIONS_ENDED = "sessions-ended"
# Internal: a newer stream of the same session took this one's place; it closes.
STREAM_REPLACED = "stream-replaced"
# How long a replaced tab waits before it reconnects (SSE `retry`, in ms), so tabs past the
# session's limit take turns slowly instead of replacing each other every two seconds.
REPLACED_RETRY_MS = 60_000
# How long a page whose stream was turned away (a cap reached) waits before asking again;
# meanwhile it keeps its focus and visibility checks, and sees no error.
REFUSED_RETRY_MS = 60_000
# Sent with a `retry`: htmx's SSE client applies a retry only from a frame with an event.
LIVE_PAUSED = "live-paused"
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


@dataclass(frozen=True)
class StreamLimits:
    """How many streams one session, one user, one client network and the whole process may
    hold open."""

    per_session: int
    per_user: int
    per_process: int
    per_address: int = 0  # 0: no limit per client network


class StreamRefused(Exception):
    """Opening one more stream would pass a limit: the status, wait and message to answer with."""

    def __init__(self, status: int, retry_after: int, message: str) -> None:
        """Remember the answer."""
        super().__init__(message)
        self.status, self.retry_after, self.message = status, retry_after, message


class Bus:
    """Local fan-out: each subscriber is a queue; delivery never blocks the publisher."""

    def __init__(self) -> None:
        """Start with no subscribers."""
        self._subscribers: dict[int, set[queue.Queue]] = defaultdict(set)
        self._sessions: dict[queue.Queue, str | None] = {}
        self._addresses: dict[queue.Queue, str | None] = {}
        self._lock = threading.Lock()
        self.closing = threading.Event()

    def subscribe(
        self, user_id: int, session_id: str | None = None, limits: StreamLimits | None = None,
        address: str | None = None,
    ) -> queue.Queue:
        """A new queue that receives the user's events from now on; StreamRefused past a limit."""
        inbox: queue.Queue = queue.Queue(maxsize=256)
        with self._lock:
            if limits is not None:
                self._admit(user_id, session_id, limits, address)
            self._subscribers[user_id].add(inbox)
            self._sessions[inbox] = session_id
            self._addresses[inbox] = address
        return inbox

    def _admit(
        self, user_id: int, session_id: str | None, limits: StreamLimits, address: str | None
    ) -> None:
        """Refuse a stream past the process's, the client network's, the user's or the
        session's limit (lock held)."""
        if len(self._sessions) >= limits.per_process:
            raise StreamRefused(503, 10, "Live updates are busy. They will reconnect shortly.")
        if limits.per_address and address is not None and sum(
            1 for held in self._addresses.values() if held == address
        ) >= limits.per_address:
            raise StreamRefused(429, 30, "Too many streams from one network.")
        if len(self._subscribers.get(user_id, ())) >= limits.per_user:
            raise StreamRefused(429, 30, "Too many open tabs are following live updates.")
        same_session = [q for q, sid in self._sessions.items() if sid == session_id]
        if len(same_session) >= limits.per_session:
            # The oldest stream of a session is most likely a page already left (its socket is
            # noticed only at the next heartbeat), so the newest page wins its place.
            self._replace(user_id, same_session[0])

    def _replace(self, user_id: int, inbox: queue.Queue) -> None:
        """Close one stream to make room for a newer one of its session (lock held)."""
        self._sessions.pop(inbox, None)
        self._addresses.pop(inbox, None)
        self._subscribers[user_id].discard(inbox)
        _drain(inbox)
        inbox.put_nowait(Message(user_id, STREAM_REPLACED, {}, next_id()))

    def unsubscribe(self, user_id: int, inbox: queue.Queue) -> None:
        """Stop delivering to a queue (again is harmless)."""
        with self._lock:
            self._sessions.pop(inbox, None)
            self._addresses.pop(inbox, None)
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


def subscribe(
    app: Flask, user_id: int, session_id: str | None = None, limits: StreamLimits | None = None,
    address: str | None = None,
) -> queue.Queue:
    """Subscribe to a user's events, starting the process's listener if needed."""
    listener = app.extensions.get("event_listener")
    if listener is not None:
        listener.start()
    return bus_of(app).subscribe(user_id, session_id, limits, address)


def stream_limits(app: Flask) -> StreamLimits:
    """The configured stream limits."""
    settings = app.config.settings
    return StreamLimits(
        settings.sse_max_streams_per_session, settings.sse_max_streams_per_user,
        settings.sse_max_streams_per_process, settings.sse_max_streams_per_address,
    )


def paused_frame(retry_ms: int) -> str:
    """An SSE frame telling the page to wait `retry_ms` before reconnecting (a `retry` with
    an event, the only kind htmx's SSE client applies)."""
    return f"retry: {retry_ms}\nevent: {LIVE_PAUSED}\ndata: {{}}\n\n"


def session_digest(session_id: str) -> str:
    """How an ended session is named in events: a digest, never the cookie's secret itself."""
    return hashlib.sha256(session_id.encode()).hexdigest()[:24]


def stream(
    app: Flask, user_id: int, resume: bool, inbox: queue.Queue | None = None,
    session_id: str | None = None,
) -> Iterator[str]:
    """SSE text for one tab: events, heartbeats, and an end after a maximum lifetime.

    The stream also ends as soon as its session is ended (log-out, password change).
    """
    bus = bus_of(app)
    inbox = inbox if inbox is not None else subscribe(app, user_id)
    own_digest = session_digest(session_id) if session_id else None
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
            if message.name == STREAM_REPLACED:
                yield paused_frame(REPLACED_RETRY_MS)
                return
            if message.name == SESSIONS_ENDED:
                if own_digest in message.data.get("sessions", ()):
                    return
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
    user_id, session_id = current_user.id, current_user.session_id
    resume = bool(request.headers.get("Last-Event-ID"))
    # The database session is released before streaming: the stream may last minutes.
    from .db import close_session

    close_session()
    from .security import client_address, network_of

    try:
        inbox = subscribe(app, user_id, session_id, stream_limits(app),
                          network_of(client_address()))
    except StreamRefused as refused:
        # No error for anyone to see: the page is told to ask again in a minute and keeps
        # its focus and visibility checks meanwhile (docs/decisions.md).
        log.info("stream refused: %s", refused.message)
        return Response(
            paused_frame(REFUSED_RETRY_MS), mimetype="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no",
                     "X-Live-Updates": "paused"},
        )
    response = Response(
        stream(app, user_id, resume, inbox, session_id),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
    # A client gone before the first frame never starts the generator: unsubscribe anyway.
    response.call_on_close(lambda: bus_of(app).unsubscribe(user_id, inbox))
    return response
