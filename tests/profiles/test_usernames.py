"""The rename service on both databases: atomic, race-free, limited, undoable, recorded."""

import queue
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, insert, inspect, select, text
from sqlalchemy.exc import DBAPIError

from tests.factories import counting_statements
from webapp import db as database
from webapp import events
from webapp.models import Media, Post, Release, User, UsernameChange
from webapp.profiles.usernames import (
    find_profile,
    history,
    next_rename_at,
    rename_user,
    undo_rename,
    undoable_change,
    username_key,
)

T0 = datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


def add_user(session, name: str) -> int:
    """Insert a user row directly (no password work) and return its id."""
    user = User(username=name, username_key=username_key(name), password_hash="!")
    session.add(user)
    session.commit()
    return user.id


def user_row(session, user_id: int) -> User:
    """A fresh copy of the user's row."""
    session.expire_all()
    return session.get(User, user_id)


@pytest.fixture
def session(app):
    """The app's request-style session inside an app context."""
    with app.app_context():
        yield database.session()


def test_rename_writes_name_key_limit_version_and_history_in_one_go(app, session):
    """Name, key, time, version and one history row change together; the event is sent."""
    uid = add_user(session, "alice")
    inbox = events.subscribe(app, uid)
    listener = app.extensions.get("event_listener")
    if listener is not None:
        assert listener.ready.wait(60)
    result = rename_user(session, uid, "Alicia", T0)
    assert result.ok and result.outcome == "renamed"
    assert result.message == "Username changed to Alicia."
    user = user_row(session, uid)
    assert (user.username, user.username_key, user.username_changed_at) == ("Alicia", "alicia", T0)
    assert user.profile_version == 1
    [row] = history(session, uid)
    assert (row.old_username, row.new_username, row.old_key, row.kind, row.changed_at) == (
        "alice", "Alicia", "alice", "rename", T0
    )
    message = inbox.get(timeout=60)
    assert (message.name, message.data) == ("username-changed", {"username": "Alicia"})


def test_invalid_names_are_refused_and_nothing_is_stored(session):
    """Bad input gets a message; the row and the history stay as they were."""
    uid = add_user(session, "alice")
    for bad in ("", "ab", "a" * 31, "alice\n", "ålice", "-alice", "admin", "al ice", "аlice"):
        result = rename_user(session, uid, bad, T0)
        assert result.outcome == "invalid" and result.message, bad
    assert user_row(session, uid).username == "alice"
    assert history(session, uid) == []


def test_a_name_held_by_someone_else_in_any_case_is_taken(session):
    """The unique key decides: 'BOB' collides with 'bob'; nothing changes."""
    uid = add_user(session, "alice")
    add_user(session, "bob")
    result = rename_user(session, uid, "BOB", T0)
    assert result.outcome == "taken"
    assert result.message == "That username is taken. Please choose another."
    user = user_row(session, uid)
    assert (user.username, user.username_changed_at, user.profile_version) == ("alice", None, 0)
    assert history(session, uid) == []


def test_saving_the_same_name_is_nothing_to_change(session):
    """No write, no history row, no use of the limit."""
    uid = add_user(session, "alice")
    result = rename_user(session, uid, " alice ", T0)
    assert (result.outcome, result.message) == ("unchanged", "Nothing to change.")
    assert history(session, uid) == [] and user_row(session, uid).username_changed_at is None


def test_a_case_only_rename_is_allowed_and_counts_towards_the_limit(session):
    """Same key, new spelling: the unique constraint does not object, the limit applies."""
    uid = add_user(session, "alice")
    assert rename_user(session, uid, "Alice", T0).ok
    assert user_row(session, uid).username == "Alice"
    assert history(session, uid)[0].old_key == "alice"
    assert rename_user(session, uid, "ALICE", T0 + timedelta(hours=1)).outcome == "too_soon"


def test_one_rename_per_rolling_24_hours_to_the_second(session):
    """+23:59:59 is refused with the time allowed; +24:00:00 is allowed."""
    uid = add_user(session, "alice")
    assert rename_user(session, uid, "alice2", T0).ok
    early = rename_user(session, uid, "alice3", T0 + DAY - timedelta(seconds=1))
    assert early.outcome == "too_soon"
    assert early.retry_at == T0 + DAY
    assert "01 Jan 2030" not in early.message and "02 Jan 2030 at 12:00:00 UTC" in early.message
    assert next_rename_at(session, uid, T0 + timedelta(hours=3)) == T0 + DAY
    assert user_row(session, uid).username == "alice2"
    assert rename_user(session, uid, "alice3", T0 + DAY).ok
    assert [row.new_username for row in history(session, uid)] == ["alice3", "alice2"]


def test_the_interval_is_configurable(app, session):
    """RENAME_INTERVAL from the config sets the limit."""
    app.config["RENAME_INTERVAL"] = timedelta(hours=1)
    uid = add_user(session, "alice")
    assert rename_user(session, uid, "alice2", T0).ok
    assert rename_user(session, uid, "alice3", T0 + timedelta(minutes=59)).outcome == "too_soon"
    assert rename_user(session, uid, "alice3", T0 + timedelta(hours=1)).ok


def test_undo_restores_the_previous_name_once_and_is_recorded(session):
    """Within the window, exempt from the limit, logged as 'undo', never undone again."""
    uid = add_user(session, "alice")
    assert rename_user(session, uid, "alicia", T0).ok
    assert undoable_change(session, uid, T0 + timedelta(minutes=5)) is not None
    result = undo_rename(session, uid, T0 + timedelta(minutes=5))
    assert (result.outcome, result.username, result.message) == (
        "undone", "alice", "Username changed back to alice."
    )
    user = user_row(session, uid)
    assert (user.username, user.username_key, user.profile_version) == ("alice", "alice", 2)
    assert [(r.kind, r.old_username, r.new_username) for r in history(session, uid)] == [
        ("undo", "alicia", "alice"), ("rename", "alice", "alicia"),
    ]
    assert undo_rename(session, uid, T0 + timedelta(minutes=6)).outcome == "no_undo"
    # The undo does not reset the clock: the next rename still waits for the first one's 24 h.
    assert rename_user(session, uid, "alice5", T0 + timedelta(hours=2)).outcome == "too_soon"


def test_undo_is_refused_after_its_window(session):
    """30 minutes by default; nothing changes afterwards."""
    uid = add_user(session, "alice")
    assert rename_user(session, uid, "alicia", T0).ok
    assert undo_rename(session, uid, T0 + timedelta(minutes=30, seconds=1)).outcome == "no_undo"
    assert user_row(session, uid).username == "alicia"
    assert len(history(session, uid)) == 1


def test_undo_is_refused_when_the_old_name_was_claimed(session):
    """The old name is free for others at once; then undo says so and changes nothing."""
    uid = add_user(session, "alice")
    other = add_user(session, "mallory")
    assert rename_user(session, uid, "alicia", T0).ok
    assert rename_user(session, other, "Alice", T0 + timedelta(minutes=1)).ok
    result = undo_rename(session, uid, T0 + timedelta(minutes=2))
    assert result.outcome == "taken" and "cannot be restored" in result.message
    assert user_row(session, uid).username == "alicia"


def test_old_names_lead_to_the_current_one_until_someone_claims_them(session):
    """Old name → current holder's name; a claim ends it; unknown → nothing."""
    uid = add_user(session, "alice")
    assert find_profile(session, "nobody") == (None, None)
    assert rename_user(session, uid, "alicia", T0).ok
    assert rename_user(session, uid, "alicia2", T0 + DAY).ok
    assert find_profile(session, "ALICE") == (None, "alicia2")
    assert find_profile(session, "alicia") == (None, "alicia2")
    user, redirect = find_profile(session, "Alicia2")
    assert (user.id, redirect) == (uid, None)
    claimer = add_user(session, "zed")
    assert rename_user(session, claimer, "alice", T0).ok
    user, redirect = find_profile(session, "alice")
    assert (user.id, redirect) == (claimer, None)
    # The claimer moves on: the name now points to the latest holder, never back to alice.
    assert rename_user(session, claimer, "zed2", T0 + DAY).ok
    assert find_profile(session, "alice") == (None, "zed2")
    for weird in ("", "a\x00b", "x" * 200, "ålice"):
        assert find_profile(session, weird) == (None, None)


def test_eight_threads_racing_for_one_name_for_fifty_rounds(app, session):
    """Exactly one winner per round, the rest 'taken', no exceptions; history = winners."""
    threads_count, rounds = 8, 50
    ids = [add_user(session, f"racer{n}") for n in range(threads_count)]
    barrier = threading.Barrier(threads_count)
    outcomes: list[list[str]] = [[""] * threads_count for _ in range(rounds)]
    failures: list[BaseException] = []

    def race(slot: int) -> None:
        """One racer: its own session, every round the same target as the others."""
        with app.app_context(), database.standalone_session(app) as own:
            for round_number in range(rounds):
                barrier.wait(timeout=120)
                try:
                    result = rename_user(
                        own, ids[slot], f"prize{round_number}", T0 + round_number * (DAY + DAY / 24)
                    )
                    outcomes[round_number][slot] = result.outcome
                except BaseException as error:  # noqa: BLE001 - any exception is a failure
                    failures.append(error)
                    outcomes[round_number][slot] = "exception"

    workers = [threading.Thread(target=race, args=(n,)) for n in range(threads_count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=240)
    assert failures == []
    totals = Counter(o for row in outcomes for o in row)
    print(f"\nrace totals ({app.config['SQLALCHEMY_URL'].split(':')[0]}): {dict(totals)}")
    for row in outcomes:
        assert row.count("renamed") == 1, row
        assert set(row) <= {"renamed", "taken", "busy"}, row
    assert totals["busy"] == 0
    session.expire_all()
    assert session.scalar(select(text("count(*)")).select_from(UsernameChange)) == rounds
    holders = session.scalars(select(User.username).where(User.username.like("prize%"))).all()
    assert f"prize{rounds - 1}" in holders


def test_a_double_rename_by_the_same_user_counts_once(app, session):
    """Eight simultaneous renames of one user: one succeeds, the limit refuses the rest."""
    uid = add_user(session, "alice")
    barrier = threading.Barrier(8)
    results: list[str] = []

    def attempt(n: int) -> None:
        """One of the simultaneous requests."""
        with app.app_context(), database.standalone_session(app) as own:
            barrier.wait(timeout=120)
            results.append(rename_user(own, uid, f"alice{n}", T0).outcome)

    workers = [threading.Thread(target=attempt, args=(n,)) for n in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=240)
    assert sorted(results) == ["renamed"] + ["too_soon"] * 7
    assert len(history(session, uid)) == 1


def _bulk_content(session, user_id: int, count: int) -> None:
    """`count` releases and `count` posts for a user, inserted directly."""
    media = []
    for kind in ("music", "image"):
        row = Media(user_id=user_id, kind=kind, title="t", prompt="p", file_path=f"{kind}.bin",
                    mime_type="application/octet-stream")
        session.add(row)
        media.append(row)
    session.flush()
    music, image = media
    session.execute(
        insert(Release),
        [{"user_id": user_id, "music_id": music.id, "image_id": image.id, "title": f"r{n}",
          "published": True, "published_at": T0} for n in range(count)],
    )
    session.execute(
        insert(Post), [{"user_id": user_id, "body": f"post {n}", "created_at": T0}
                       for n in range(count)],
    )
    session.commit()


def test_a_rename_sends_the_same_sql_whatever_the_amount_of_content(app, session):
    """10,000 releases and 10,000 posts change nothing in what a rename does."""
    empty = add_user(session, "empty")
    busy = add_user(session, "prolific")
    _bulk_content(session, busy, 10_000)
    assert session.scalar(select(text("count(*)")).select_from(Post)) == 10_000
    with counting_statements(app) as without:
        rename_user(session, empty, "empty2", T0)
    with counting_statements(app) as with_content:
        rename_user(session, busy, "prolific2", T0)
    print(f"\nrename statements: {len(without)} without content, "
          f"{len(with_content)} with 20,000 rows")
    print("\n".join(with_content))
    assert without == with_content
    assert 3 <= len(without) <= 8
    assert not any("posts" in s or "releases" in s or "media" in s for s in without)


def test_no_table_but_users_and_history_holds_a_username(app, session):
    """Scan every column of every table for the old and new names after a rename."""
    uid = add_user(session, "zzoldname")
    _bulk_content(session, uid, 3)
    session.execute(
        text("INSERT INTO user_sessions (id, user_id, created_at, last_seen, user_agent) "
             "VALUES ('s1', :u, :t, :t, 'browser')"),
        {"u": uid, "t": T0},
    )
    session.commit()
    assert rename_user(session, uid, "zznewname", T0).ok
    holders = set()
    bind = session.get_bind()
    for table in inspect(bind).get_table_names():
        for row in session.execute(text(f'SELECT * FROM "{table}"')).mappings():  # noqa: S608
            for column, value in row.items():
                if value is not None and ("zzoldname" in str(value).lower()
                                          or "zznewname" in str(value).lower()):
                    holders.add((table, column))
    assert holders <= {("users", "username"), ("users", "username_key"),
                       ("username_changes", "old_username"), ("username_changes", "new_username"),
                       ("username_changes", "old_key")}
    assert ("users", "username") in holders and ("username_changes", "old_key") in holders


@pytest.mark.parametrize("statement", [
    "UPDATE username_changes SET new_username = 'forged'",
    "DELETE FROM username_changes",
])
def test_the_history_is_append_only_in_the_database(session, statement):
    """UPDATE and DELETE are refused by triggers on both backends."""
    uid = add_user(session, "alice")
    assert rename_user(session, uid, "alicia", T0).ok
    with pytest.raises(DBAPIError, match="append-only"):
        session.execute(text(statement))
        session.commit()
    session.rollback()
    rows = [(r.old_username, r.new_username) for r in history(session, uid)]
    assert rows == [("alice", "alicia")]


def test_rename_of_a_missing_user_is_a_programming_error(session):
    """Routes only rename the signed-in user: an unknown id is a bug, said loudly."""
    with pytest.raises(LookupError):
        rename_user(session, 999, "someone", T0)


def test_events_are_not_sent_when_the_rename_fails(app, session):
    """A refused rename publishes nothing."""
    uid = add_user(session, "alice")
    add_user(session, "bob")
    inbox = events.subscribe(app, uid)
    listener = app.extensions.get("event_listener")
    if listener is not None:
        assert listener.ready.wait(60)
    assert rename_user(session, uid, "bob", T0).outcome == "taken"
    assert rename_user(session, uid, "carol", T0).ok
    message = inbox.get(timeout=60)
    assert message.data == {"username": "carol"}
    with pytest.raises(queue.Empty):
        inbox.get(timeout=0.3)


def test_a_model_of_renames_undos_and_claims_agrees_with_the_database(app, session):
    """Hypothesis state machine: random renames, undos, claims and clock moves vs a model."""
    import itertools

    from hypothesis import HealthCheck, settings
    from hypothesis import strategies as st
    from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

    examples = itertools.count()
    steps = [timedelta(seconds=1), timedelta(minutes=29, seconds=59), timedelta(minutes=30),
             timedelta(hours=23, minutes=59, seconds=59), timedelta(hours=24)]

    class Renames(RuleBasedStateMachine):
        """Users on a shared clock; the model says what every call must answer."""

        def __init__(self):
            """Each run gets its own name space, so runs never see each other's rows."""
            super().__init__()
            self.prefix = f"m{next(examples)}x"
            self.now = T0
            self.names: dict[int, str] = {}
            self.changed: dict[int, datetime | None] = {}
            self.history: list[tuple[int, str, str, str, datetime]] = []

        def name(self, stem: str, upper: bool) -> str:
            """A valid name in this run's space, in either case."""
            name = self.prefix + stem
            return name.upper() if upper else name

        def holder(self, name: str) -> int | None:
            """Who holds a name's key in the model."""
            return next((u for u, n in self.names.items() if n.lower() == name.lower()), None)

        @rule(stem=st.sampled_from("abcde"))
        def register(self, stem):
            """A new account (skipped when the name is held)."""
            name = self.name(stem, False)
            if self.holder(name) is None:
                uid = add_user(session, name)
                self.names[uid], self.changed[uid] = name, None

        @precondition(lambda self: self.names)
        @rule(data=st.data(), stem=st.sampled_from("abcde"), upper=st.booleans())
        def rename(self, data, stem, upper):
            """Any user tries any name; the model predicts the outcome."""
            uid = data.draw(st.sampled_from(sorted(self.names)))
            name = self.name(stem, upper)
            current, changed = self.names[uid], self.changed[uid]
            if name == current:
                expected = "unchanged"
            elif changed is not None and changed > self.now - DAY:
                expected = "too_soon"
            elif self.holder(name) not in (None, uid):
                expected = "taken"
            else:
                expected = "renamed"
            result = rename_user(session, uid, name, self.now)
            assert result.outcome == expected, (uid, current, name, self.now - T0)
            if expected == "too_soon":
                assert result.retry_at == changed + DAY
            if expected == "renamed":
                self.history.append((uid, "rename", current, name, self.now))
                self.names[uid], self.changed[uid] = name, self.now

        @precondition(lambda self: self.names)
        @rule(data=st.data())
        def undo(self, data):
            """Any user tries to undo."""
            uid = data.draw(st.sampled_from(sorted(self.names)))
            mine = [h for h in self.history if h[0] == uid]
            last = mine[-1] if mine else None
            if last is None or last[1] != "rename" or self.now - last[4] > timedelta(minutes=30):
                expected = "no_undo"
            elif self.holder(last[2]) not in (None, uid):
                expected = "taken"
            else:
                expected = "undone"
            result = undo_rename(session, uid, self.now)
            assert result.outcome == expected
            if expected == "undone":
                self.history.append((uid, "undo", last[3], last[2], self.now))
                self.names[uid] = last[2]

        @rule(step=st.sampled_from(steps))
        def tick(self, step):
            """Time passes."""
            self.now += step

        @invariant()
        def database_matches_the_model(self):
            """Names, history and old-name lookups agree with the model."""
            session.expire_all()
            for uid, name in self.names.items():
                assert session.get(User, uid).username == name
                rows = [(uid, r.kind, r.old_username, r.new_username, r.changed_at)
                        for r in reversed(history(session, uid))]
                assert rows == [h for h in self.history if h[0] == uid]
            for stem, upper in itertools.product("abcde", (False,)):
                name = self.name(stem, upper)
                holder = self.holder(name)
                found, redirect = find_profile(session, name)
                if holder is not None:
                    assert (found.id, redirect) == (holder, None)
                else:
                    leavers = [h[0] for h in self.history if h[2].lower() == name.lower()]
                    expected = self.names[leavers[-1]] if leavers else None
                    assert (found, redirect) == (None, expected)

    Renames.TestCase.settings = settings(
        max_examples=25, stateful_step_count=30, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    Renames.TestCase().runTest()


def test_a_locked_database_gives_busy_not_an_exception(app, session, backend):
    """Another writer holding the row or the database: 'busy, try again', nothing stored."""
    uid = add_user(session, "alice")
    engine = app.extensions["db_engine"]
    wait = "PRAGMA busy_timeout=200" if backend == "sqlite" else "SET lock_timeout = '200ms'"

    def short_wait(dbapi_connection, _record, _proxy):
        """Wait briefly for locks on every connection handed out during this test."""
        cursor = dbapi_connection.cursor()
        cursor.execute(wait)
        cursor.close()

    with engine.connect() as blocker:
        blocker.execute(text("UPDATE users SET profile_version = profile_version WHERE id = :id"),
                        {"id": uid})
        event.listen(engine, "checkout", short_wait)
        try:
            session.close()
            result = rename_user(session, uid, "alicia", T0)
        finally:
            event.remove(engine, "checkout", short_wait)
        blocker.rollback()
    assert (result.outcome, result.message) == (
        "busy", "The service is busy right now. Please try again in a moment.")
    assert history(session, uid) == [] and user_row(session, uid).username == "alice"
    assert rename_user(session, uid, "alicia", T0).ok
