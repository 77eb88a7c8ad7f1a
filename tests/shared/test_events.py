"""Live events on both databases: delivery after commit, per-user isolation, the SSE stream."""

import queue
import threading
import time

import pytest
from sqlalchemy import select

from tests.factories import make_media, user_id_of
from tests.processes import ARRIVAL_DEADLINE
from webapp import db, events
from webapp.events import Bus, Message
from webapp.models import User

NO_FRAME = "(no frame)"


class StreamReader:
    """Reads a stream's frames in a helper thread, so a test waits with a timeout, never hangs."""

    def __init__(self, stream) -> None:
        """Start pulling frames."""
        self.frames: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._pull, args=(stream,), daemon=True)
        self.thread.start()

    def _pull(self, stream) -> None:
        """Queue every frame, then None when the stream ends."""
        for frame in stream:
            self.frames.put(frame)
        self.frames.put(None)

    def next(self, timeout: float = ARRIVAL_DEADLINE) -> str | None:
        """The next frame, None at the end, or NO_FRAME if none comes in time."""
        try:
            return self.frames.get(timeout=timeout)
        except queue.Empty:
            return NO_FRAME


def open_stream(app, user_id: int, resume: bool = False) -> StreamReader:
    """Start a user's SSE stream (subscribed once its first frame is out)."""
    reader = StreamReader(events.stream(app, user_id, resume))
    assert reader.next() == "retry: 2000\n\n"
    listener = app.extensions.get("event_listener")
    if listener is not None:
        assert listener.ready.wait(ARRIVAL_DEADLINE), "the PostgreSQL listener did not start"
    return reader


def publish_committed(app, user_id: int, name: str, data: dict) -> None:
    """Publish one event in a transaction and commit it."""
    with app.app_context():
        session = db.session()
        events.publish(session, user_id, name, data)
        session.commit()


@pytest.fixture
def two_users(app, make_client):
    """Alice and Bob, signed up; their ids."""
    make_client("alice")
    make_client("bob")
    return user_id_of(app, "alice"), user_id_of(app, "bob")


@pytest.fixture
def streams(app):
    """Streams a test opens end with it: the bus closes them and they unsubscribe."""
    opened: list[StreamReader] = []
    yield opened
    events.bus_of(app).closing.set()
    for reader in opened:
        reader.thread.join(timeout=ARRIVAL_DEADLINE)
    assert events.bus_of(app).count() == 0


def test_events_need_login(client):
    """Anonymous: /events redirects to log in (and 401 for htmx): no stream is opened."""
    response = client.get("/events")
    assert response.status_code in (302, 303)
    assert "/login" in response.headers["Location"]
    assert client.get("/events", headers={"HX-Request": "true"}).status_code == 401
    assert events.bus_of(client.application).count() == 0


def test_signed_in_stream_is_event_stream_and_unsubscribes_on_close(client, auth):
    """The route streams text/event-stream, uncached and unbuffered, one subscriber per tab."""
    auth.signup("alice")
    app = client.application
    response = client.get("/events")
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Accel-Buffering"] == "no"
    chunks = iter(response.response)
    assert next(chunks) in (b"retry: 2000\n\n", "retry: 2000\n\n")
    assert events.bus_of(app).count() == 1
    response.close()
    assert events.bus_of(app).count() == 0


def test_a_users_stream_never_receives_another_users_events(app, two_users, streams):
    """Bob's stream gets Bob's event, never Alice's, even when hers comes first."""
    alice, bob = two_users
    bob_stream = open_stream(app, bob)
    alice_stream = open_stream(app, alice)
    streams.extend([bob_stream, alice_stream])
    publish_committed(app, alice, "library-changed", {"version": 41})
    publish_committed(app, bob, "library-changed", {"version": 7})
    frame = bob_stream.next()
    assert "event: library-changed\n" in frame
    assert 'data: {"version": 7}\n\n' in frame
    assert frame.startswith("id: ")
    assert 'data: {"version": 41}' in alice_stream.next()
    assert bob_stream.next(timeout=0.8) in (NO_FRAME, ": ping\n\n")


def test_a_finished_generation_reaches_only_its_owner(app, two_users, streams):
    """A real job completion: Alice's stream hears library-changed with ids and versions only."""
    alice, bob = two_users
    alice_stream = open_stream(app, alice)
    bob_stream = open_stream(app, bob)
    streams.extend([alice_stream, bob_stream])
    make_media(app, alice, "image", "a secret cover prompt")
    heard = []
    while (frame := alice_stream.next()) != NO_FRAME:
        heard.append(frame)
        if "library-changed" in frame:
            break
    library = [f for f in heard if "event: library-changed" in f]
    assert library, heard
    assert "secret" not in "".join(heard)
    assert 'data: {"version": ' in library[0]
    assert bob_stream.next(timeout=0.8) in (NO_FRAME, ": ping\n\n")


def collect(inbox: queue.Queue, wait: float = 0.5) -> list[dict]:
    """The data of every message that arrives within `wait` seconds."""
    found = []
    while True:
        try:
            found.append(inbox.get(timeout=wait).data)
        except queue.Empty:
            return found


@pytest.fixture
def alice_inbox(app, two_users):
    """A subscription to Alice's events (the PostgreSQL listener is up before it is used)."""
    alice, _ = two_users
    inbox = events.subscribe(app, alice)
    listener = app.extensions.get("event_listener")
    if listener is not None:
        assert listener.ready.wait(60)
    yield alice, inbox
    events.bus_of(app).unsubscribe(alice, inbox)


def test_events_are_delivered_only_after_commit(app, alice_inbox):
    """A rolled-back transaction announces nothing; a committed one does, once, after commit."""
    alice, inbox = alice_inbox
    with app.app_context():
        session = db.session()
        session.execute(select(User.id).where(User.id == alice))
        events.publish(session, alice, "library-changed", {"version": 1})
        session.rollback()
        session.execute(select(User.id).where(User.id == alice))
        events.publish(session, alice, "library-changed", {"version": 2})
        assert collect(inbox, 0.3) == []  # not yet: the transaction is still open
        session.commit()
    assert collect(inbox) == [{"version": 2}]


def test_an_event_published_before_any_sql_is_still_discarded_by_rollback(app, alice_inbox):
    """Even with no other statement in the transaction, a rollback drops the event."""
    alice, inbox = alice_inbox
    with app.app_context():
        session = db.session()
        events.publish(session, alice, "library-changed", {"version": 1})
        session.rollback()
        events.publish(session, alice, "library-changed", {"version": 2})
        session.commit()
    assert collect(inbox) == [{"version": 2}]


def test_a_resumed_stream_starts_with_resync(app, two_users, streams):
    """After a reconnect (Last-Event-ID sent) the tab is told to re-check at once."""
    alice, _ = two_users
    stream = open_stream(app, alice, resume=True)
    streams.append(stream)
    assert "event: resync\n" in stream.next()


def test_streams_send_heartbeats_and_end_after_their_lifetime(app, two_users):
    """Idle streams ping; every stream ends after SSE_MAX_STREAM_SECONDS and unsubscribes."""
    alice, _ = two_users
    app.config.update(SSE_HEARTBEAT_SECONDS=0, SSE_MAX_STREAM_SECONDS=1.5)
    stream = open_stream(app, alice)
    assert stream.next() == ": ping\n\n"
    # It must end (lifetime 1.5 s); the deadline only bounds a failure on a loaded machine.
    deadline = time.monotonic() + ARRIVAL_DEADLINE
    while (frame := stream.next()) is not None:
        assert frame != NO_FRAME and time.monotonic() < deadline, "the stream outlived its lifetime"
    stream.thread.join(timeout=ARRIVAL_DEADLINE)
    assert events.bus_of(app).count() == 0


def test_bus_isolates_users_and_turns_a_backlog_into_one_resync():
    """The local bus: per-user queues; a full queue is drained and told to resync."""
    bus = Bus()
    alice = bus.subscribe(1)
    bob = bus.subscribe(2)
    bus.deliver(Message(1, "library-changed", {"version": 1}, "a"))
    assert alice.get_nowait().id == "a"
    with pytest.raises(queue.Empty):
        bob.get_nowait()
    for n in range(300):
        bus.deliver(Message(1, "generation-progressed", {"id": 1, "progress": n}, str(n)))
    names = []
    while not alice.empty():
        names.append(alice.get_nowait().name)
    assert "resync" in names
    assert len(names) < 256
    assert bob.empty()
    bus.unsubscribe(1, alice)
    bus.unsubscribe(2, bob)
    assert bus.count() == 0


def open_route_stream(client):
    """GET /events and keep the response open (a tab following live updates)."""
    return client.get("/events")


def test_streams_are_capped_per_session_user_and_process(app, make_client):
    """Past the session's cap the oldest stream makes room (a page already left, most likely);
    past the user's cap 429, past the process's 503, both with Retry-After."""
    app.config.update(SSE_MAX_STREAMS_PER_SESSION=2, SSE_MAX_STREAMS_PER_USER=3,
                      SSE_MAX_STREAMS_PER_PROCESS=5)
    alice = make_client("alice")
    held = [open_route_stream(alice) for _ in range(2)]
    assert [r.status_code for r in held] == [200, 200]
    oldest = StreamReader(iter(held[0].response))
    assert oldest.next() in (b"retry: 2000\n\n", "retry: 2000\n\n")
    newest = open_route_stream(alice)
    assert newest.status_code == 200
    # The oldest is told to wait a minute before reconnecting, then closes.
    assert oldest.next() in (b"retry: 60000\n\n", "retry: 60000\n\n")
    assert oldest.next() is None
    held[0].close()
    held[0] = newest
    assert events.bus_of(app).count() == 2
    second_tab = app.test_client()
    from tests.conftest import AuthActions

    assert AuthActions(second_tab).login("alice").status_code == 303
    held.append(open_route_stream(second_tab))
    assert held[-1].status_code == 200
    assert open_route_stream(second_tab).status_code == 429  # the user's cap (3)
    bob = make_client("bob")
    held += [open_route_stream(bob) for _ in range(2)]
    assert [r.status_code for r in held[-2:]] == [200, 200]
    busy = open_route_stream(make_client("carol"))
    assert busy.status_code == 503 and "Retry-After" in busy.headers
    assert events.bus_of(app).count() == 5
    for response in held:
        response.close()
    assert events.bus_of(app).count() == 0


def test_a_stream_ends_promptly_when_its_session_is_ended(app, make_client):
    """Log-out elsewhere ('end other sessions') and log-out itself close the session's streams."""
    from tests.conftest import AuthActions

    first = make_client("alice")
    other = app.test_client()
    assert AuthActions(other).login("alice").status_code == 303
    ended = StreamReader(iter(open_route_stream(first).response))
    kept = StreamReader(iter(open_route_stream(other).response))
    assert ended.next() in (b"retry: 2000\n\n", "retry: 2000\n\n")
    assert kept.next() in (b"retry: 2000\n\n", "retry: 2000\n\n")
    assert other.post("/settings/account/sessions/end-others").status_code == 303
    assert ended.next() is None, "the ended session's stream kept going"
    assert kept.next(timeout=1.5) == NO_FRAME, "the current session's stream must stay open"
    assert other.post("/logout").status_code == 303
    assert kept.next() is None
    assert events.bus_of(app).count() == 0
