"""Hardening, round 3 (issue 24), on both databases: an index on every foreign key,
account deletion that disables at once and erases in batches (resumable), reports that
go with what they report (ids never reused), writes that check and write in one step
(follow against block, the comment limit, the deletion password check) and rate limits
on creating releases, posts and reports."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import (
    PrimaryKeyConstraint,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    func,
    inspect,
    select,
)

from tests.factories import make_release, new_user, track_and_cover
from webapp import db, jobs
from webapp.accounts import deletion
from webapp.config import normalise_database_url
from webapp.db import Base
from webapp.models import (
    Block,
    Comment,
    Follow,
    Post,
    RateLimit,
    Release,
    Report,
    User,
    utcnow,
)
from webapp.moderation import reports
from webapp.social import search

PASSWORD = "correct horse battery"


def count(app, model, *where) -> int:
    """How many rows of a table match."""
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model).where(*where))


def unindexed(tables: dict[str, tuple[list[list[str]], list[list[str]]]]) -> list[str]:
    """Foreign keys (table.columns) no index, unique key or primary key begins with."""
    missing = []
    for table, (foreign_keys, indexed) in tables.items():
        for columns in foreign_keys:
            if not any(index[:len(columns)] == columns for index in indexed):
                missing.append(f"{table}.{','.join(columns)}")
    return missing


def test_every_foreign_key_of_the_models_has_an_index():
    """The metadata: each foreign key's columns lead some index (or unique or primary key)."""
    tables = {}
    for table in Base.metadata.sorted_tables:
        indexed = [[c.name for c in index.columns] for index in table.indexes]
        indexed += [[c.name for c in constraint.columns] for constraint in table.constraints
                    if isinstance(constraint, UniqueConstraint | PrimaryKeyConstraint)]
        indexed += [[c.name] for c in table.columns if c.index or c.unique]
        foreign = [[element.parent.name for element in fk.elements]
                   for fk in table.foreign_key_constraints]
        tables[table.name] = (foreign, indexed)
    assert unindexed(tables) == []
    # The check itself can fail: an unindexed key is named.
    assert unindexed({"notifications": ([["actor_id"]], [["actor_id_x"]])}) == [
        "notifications.actor_id"]


def test_every_foreign_key_of_the_migrated_database_has_an_index(database_url):
    """The database `alembic upgrade head` built, read back by the inspector."""
    engine = create_engine(normalise_database_url(database_url))
    inspector = inspect(engine)
    tables = {}
    for name in inspector.get_table_names():
        if name not in Base.metadata.tables:
            continue  # the queue's and search's own tables
        indexed = [index["column_names"] for index in inspector.get_indexes(name)]
        indexed += [unique["column_names"] for unique in inspector.get_unique_constraints(name)]
        indexed.append(inspector.get_pk_constraint(name)["constrained_columns"])
        foreign = [fk["constrained_columns"] for fk in inspector.get_foreign_keys(name)]
        tables[name] = (foreign, indexed)
    engine.dispose()
    assert "notifications" in tables and "reports" in tables
    assert unindexed(tables) == []


# ---------------------------------------------------------------- account deletion


@pytest.fixture
def studio(app, make_client):
    """Alice (a published release, a post, a comment) and Bob (a comment on her release)."""
    app.config["JOBS_MAX_PER_HOUR"] = 1000
    alice, alice_id = new_user(make_client, app, "alice")
    bob, bob_id = new_user(make_client, app, "bob")
    media = track_and_cover(app, alice_id)
    release_id = make_release(app, alice_id, *media, published=True, title="Night Drive")
    assert alice.post("/posts", data={"body": "alice posts"}).status_code == 303
    url = f"/comments/release/{release_id}"
    assert alice.post(url, data={"body": "alice comments"}).status_code == 303
    assert bob.post(url, data={"body": "bob comments"}).status_code == 303
    return {"alice": alice, "alice_id": alice_id, "bob": bob, "bob_id": bob_id,
            "release_id": release_id, "media": media}


def delete_alice(studio) -> None:
    """Alice deletes her account through the form."""
    response = studio["alice"].post("/settings/account/delete",
                                    data={"delete_password": PASSWORD, "confirm_username": "alice"})
    assert response.status_code == 303


def test_a_deleted_account_vanishes_at_once_and_is_erased_by_the_job(app, studio, make_client):
    """Before the job runs: signed out, no profile, release, media, post or comment shows,
    search finds nothing, the name logs in nowhere. After it: no row is left."""
    delete_alice(studio)
    release_id, (music_id, image_id) = studio["release_id"], studio["media"]
    assert count(app, User, User.id == studio["alice_id"]) == 1  # rows not erased yet
    anyone = app.test_client()
    assert studio["alice"].get("/library").status_code in (302, 303)
    assert anyone.get("/u/alice").status_code == 404
    assert anyone.get(f"/releases/{release_id}").status_code == 404
    assert anyone.get(f"/media/{music_id}/file").status_code == 404
    assert anyone.get(f"/media/{image_id}/preview").status_code == 404
    assert anyone.get(f"/comments/release/{release_id}").status_code == 404
    explore = anyone.get("/explore").get_data(as_text=True)
    assert "alice posts" not in explore and "Night Drive" not in explore
    with app.app_context():
        found = search.search(db.session(), "alice")
        assert found.people == [] and found.releases == []
    assert anyone.post("/login", data={"username": "alice", "password": PASSWORD}
                       ).status_code == 401

    assert jobs.run_pending(app) == 1
    for model in (User, Release, Post, Comment):
        assert count(app, model, model.id.in_(select(model.id).where(
            (model.id if model is User else model.user_id) == studio["alice_id"]))) == 0
    assert count(app, Comment) == 0  # Bob's comment went with Alice's release
    assert count(app, User) == 1


def test_an_erasure_goes_in_small_batches_and_resumes_after_a_crash(app, studio, monkeypatch):
    """A crash after a few batches leaves the account disabled and partly erased; the
    reconciler, once the lease runs out, starts the job again and it finishes."""
    alice_id, release_id = studio["alice_id"], studio["release_id"]
    with app.app_context():
        session = db.session()
        session.add_all(Comment(release_id=release_id, user_id=studio["bob_id"], body=f"c{n}")
                        for n in range(40))
        session.commit()
    monkeypatch.setattr(deletion, "BATCH", 5)
    comment_deletes = []

    def note_comment_deletes(connection, cursor, statement, *args):
        """Count the job's batches of comments."""
        if statement.startswith("DELETE FROM comments"):
            comment_deletes.append(statement)

    def crash_on_the_third(connection):
        """The process dies before the third batch of comments commits."""
        if len(comment_deletes) == 3:
            raise RuntimeError("killed")

    delete_alice(studio)
    engine = app.extensions["db_engine"]
    event.listen(engine, "after_cursor_execute", note_comment_deletes)
    event.listen(engine, "commit", crash_on_the_third)
    try:
        with pytest.raises(RuntimeError), app.app_context(), \
                db.standalone_session(app) as session:
            deletion.erase(session, alice_id)
    finally:
        event.remove(engine, "commit", crash_on_the_third)
        event.remove(engine, "after_cursor_execute", note_comment_deletes)
    left = count(app, Comment, Comment.release_id == release_id)
    assert 0 < left < 42, "two batches committed, the rest waits"
    assert count(app, User, User.id == alice_id) == 1
    with app.app_context(), db.standalone_session(app) as session:
        assert deletion.erasures_due(session) == []  # the crashed job's lease still holds
        later = utcnow() + deletion.LEASE + timedelta(seconds=1)
        assert deletion.erasures_due(session, later) == [alice_id]
        session.query(User).filter(User.id == alice_id).update(
            {"erase_lease_until": utcnow() - timedelta(seconds=1)})
        session.commit()
    assert jobs.jobs_of(app).reconcile_now() == [alice_id]  # the erasure is queued again
    assert jobs.run_pending(app) >= 1
    assert count(app, User, User.id == alice_id) == 0
    assert count(app, Comment) == 0 and count(app, Release) == 0


def test_the_deletion_password_check_is_limited_per_address_under_concurrency(
        app, make_client):
    """Sixteen wrong passwords at once: at most the address's allowance (2) is checked."""
    make_client("alice")
    clients = []
    for _ in range(16):
        client = app.test_client()
        assert client.post("/login", data={"username": "alice", "password": PASSWORD}
                           ).status_code == 303
        clients.append(client)
    app.config["LIMIT_PASSWORD_CHECKS_PER_CLIENT"] = "2 per hour"
    with app.app_context():
        db.session().execute(delete(RateLimit))  # the log-ins' checks are not the test's
        db.session().commit()
    start = threading.Barrier(16)

    def guess(client) -> tuple[int, str]:
        """One wrong password on the delete form."""
        start.wait(timeout=30)
        form = {"delete_password": "wrong guess!", "confirm_username": "alice"}
        response = client.post("/settings/account/delete", data=form)
        return response.status_code, response.get_data(as_text=True)

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(guess, clients))
    checked = [status for status, body in answers if "Current password is incorrect" in body]
    # Without the address, the name's own throttle lets its three free failures through
    # at least, and more while they race.
    assert 1 <= len(checked) <= 2
    assert sum(status == 429 for status, _ in answers) == 16 - len(checked)
    assert count(app, User) == 1


# ---------------------------------------------------------------- reports


def test_a_report_goes_with_what_it_reports_and_never_names_a_later_row(app, studio,
                                                                         make_client):
    """Carol reports Bob's comment, Bob deletes it, Dave comments: the admin queue is empty,
    and on SQLite the new comment did not get the old id."""
    alice, bob, release_id = studio["alice"], studio["bob"], studio["release_id"]
    carol, _ = new_user(make_client, app, "carol")
    dave, _ = new_user(make_client, app, "dave")
    with app.app_context():
        reported = db.session().scalar(select(func.max(Comment.id)))
        assert reports.make_admin(db.session(), "alice")
    form = {"kind": "comment", "subject_id": str(reported), "reason": "hateful words"}
    assert carol.post("/reports", data=form).status_code == 303
    assert "hateful words" in alice.get("/admin/reports").get_data(as_text=True)
    assert bob.post(f"/comments/{reported}/delete").status_code == 303
    assert count(app, Report) == 0
    url = f"/comments/release/{release_id}"
    assert dave.post(url, data={"body": "an innocent remark"}).status_code == 303
    with app.app_context():
        newest = db.session().scalar(select(func.max(Comment.id)))
    assert newest > reported
    queue = alice.get("/admin/reports").get_data(as_text=True)
    assert "hateful words" not in queue and "an innocent remark" not in queue
    assert alice.post("/admin/hide", data={**form, "subject_id": str(newest)}).status_code == 303
    assert count(app, Report) == 0


# ---------------------------------------------------------------- races


def race(first, second) -> None:
    """Run two requests at the same moment; each must be answered normally."""
    start = threading.Barrier(2)

    def together(call):
        """Wait for the other thread, then call."""
        start.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(2) as pool:
        for future in [pool.submit(together, first), pool.submit(together, second)]:
            assert future.result().status_code in (200, 303, 422), future.result().data


def test_a_follow_never_survives_a_concurrent_block(app, studio):
    """Bob follows Alice while Alice blocks Bob, twelve times: never both rows at the end."""
    alice, bob = studio["alice"], studio["bob"]
    alice_id, bob_id = studio["alice_id"], studio["bob_id"]
    for _ in range(12):
        race(lambda: bob.post(f"/follows/{alice_id}", data={"following": "1"}),
             lambda: alice.post(f"/blocks/{bob_id}", data={"blocked": "1"}))
        assert count(app, Block) == 1
        assert count(app, Follow) == 0
        assert alice.post(f"/blocks/{bob_id}", data={"blocked": "0"}).status_code == 303
        bob.post(f"/follows/{alice_id}", data={"following": "0"})


def test_sixty_parallel_comments_store_at_most_the_hourly_limit(app, studio, make_client):
    """Bob, signed in six times, posts sixty comments at once against a limit of 30."""
    url = f"/comments/release/{studio['release_id']}"
    before = count(app, Comment, Comment.user_id == studio["bob_id"])
    browsers = [studio["bob"]]
    for _ in range(5):
        browser = app.test_client()
        assert browser.post("/login", data={"username": "bob", "password": PASSWORD}
                            ).status_code == 303
        browsers.append(browser)

    def comment(number: int):
        """One comment from one of Bob's browsers."""
        return browsers[number % len(browsers)].post(url, data={"body": f"spam {number}"})

    with ThreadPoolExecutor(12) as pool:
        statuses = [response.status_code for response in pool.map(comment, range(60))]
    stored = count(app, Comment, Comment.user_id == studio["bob_id"]) - before
    assert stored == 30 - before
    assert statuses.count(303) == stored and statuses.count(429) == 60 - stored


# ---------------------------------------------------------------- rate limits on creating


def test_creating_posts_releases_and_reports_is_limited_per_account_and_address(
        app, studio, make_client):
    """Past the account's allowance: 429, nothing stored; another account from the same
    address runs into the address's allowance."""
    app.config.update({
        "LIMIT_POSTS_PER_ACCOUNT": "2 per hour", "LIMIT_POSTS_PER_CLIENT": "4 per hour",
        "LIMIT_RELEASES_PER_ACCOUNT": "1 per hour", "LIMIT_RELEASES_PER_CLIENT": "5 per hour",
        "LIMIT_REPORTS_PER_ACCOUNT": "1 per hour", "LIMIT_REPORTS_PER_CLIENT": "5 per hour",
    })
    alice, bob = studio["alice"], studio["bob"]
    posts = count(app, Post)
    answers = [alice.post("/posts", data={"body": f"post {n}"}).status_code for n in range(3)]
    assert answers == [303, 303, 429] and count(app, Post) == posts + 2
    answers = [bob.post("/posts", data={"body": f"bob {n}"}).status_code for n in range(3)]
    assert answers == [303, 303, 429] and count(app, Post) == posts + 4
    carol, _ = new_user(make_client, app, "carol")
    assert carol.post("/posts", data={"body": "carol"}).status_code == 429  # the address's
    assert count(app, Post) == posts + 4

    music_id, image_id = studio["media"]
    form = {"title": "Again", "music_id": str(music_id), "image_id": str(image_id),
            "genre": "ambient", "mood": "calm", "description": ""}
    releases = count(app, Release)
    assert [alice.post("/releases", data=form).status_code for _ in range(2)] == [303, 429]
    assert count(app, Release) == releases + 1

    with app.app_context():
        comments = db.session().scalars(select(Comment.id)).all()
    report = {"kind": "comment", "reason": "spam"}
    answers = [carol.post("/reports", data={**report, "subject_id": str(c)}).status_code
               for c in comments[:2]]
    assert answers == [303, 429] and count(app, Report) == 1
