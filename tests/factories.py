"""Test helpers for every engineer: make real library items through the real job pipeline.

    from tests.factories import make_media, submit_job, user_id_of

    uid = user_id_of(app, "alice")            # after auth.signup("alice")
    track = make_media(app, uid, "music", "a calm piano night")   # -> Media id (done)
    cover = make_media(app, uid, "image", "neon city at dusk")    # -> Media id (done)
    job = submit_job(app, uid, "music", "still rendering")        # -> Generation id (queued)

make_media submits through generations.submit (validation, limits, request id) and then
runs the job's task body (claim, render real files, complete in one transaction) in the
calling thread: the same code the queue consumer runs, without needing a consumer.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event, select

from webapp import db
from webapp.models import Media, User
from webapp.publishing import releases
from webapp.studio import generations, worker


def user_id_of(app: Flask, username: str) -> int:
    """The id of a signed-up user, by name."""
    with app.app_context(), db.standalone_session(app) as session:
        return session.scalar(select(User.id).where(User.username == username))


def submit_job(
    app: Flask,
    user_id: int,
    kind: str = "music",
    prompt: str = "a calm piano melody at night",
    *,
    genre: str = "lo-fi",
    duration: int = 10,
    lyrics: str = "",
    seed: int | None = 7,
) -> int:
    """Store a queued job (not enqueued) and return its Generation id.

    It stays queued until something runs it; only a running reconciler (the live server's)
    re-enqueues it, after JOBS_QUEUED_STALE_SECONDS (60 s).
    """
    form = {
        "kind": kind, "prompt": prompt, "genre": genre, "duration": str(duration),
        "lyrics": lyrics, "request_id": str(uuid.uuid4()),
    }
    with app.app_context(), db.standalone_session(app) as session:
        result = generations.submit(session, user_id, form, seed=seed)
        if result.errors:
            raise ValueError(f"job refused: {result.errors.messages}")
        return result.generation.id


def make_media(
    app: Flask,
    user_id: int,
    kind: str = "music",
    prompt: str = "a calm piano melody at night",
    **options,
) -> int:
    """Submit a job and run it to the end now; returns the new Media id.

    Options as submit_job (genre, duration, lyrics, seed). Each call makes one job, so
    JOBS_MAX_PER_HOUR (30) bounds the calls per user in one test unless the config raises it.
    """
    generation_id = submit_job(app, user_id, kind, prompt, **options)
    media_id = worker.run_generation(app, generation_id)
    if media_id is None:
        raise RuntimeError(f"generation {generation_id} did not finish")
    with app.app_context(), db.standalone_session(app) as session:
        assert session.get(Media, media_id) is not None
    return media_id


def make_release(app: Flask, user_id: int, music_id: int, image_id: int, *, published=False,
                 title="Night Drive") -> int:
    """Create (and optionally publish) a release through the domain functions."""
    with app.app_context():
        session = db.session()
        user = session.get(User, user_id)
        release, errors = releases.create_release(
            session, user, title=title, music_id=music_id, image_id=image_id,
            genre="pop", mood="calm", description="",
        )
        assert not errors, errors.messages
        if published:
            releases.set_published(session, user, release.id, True)
        return release.id


@contextmanager
def counting_statements(app: Flask) -> Iterator[list[str]]:
    """Collect the SQL text (whitespace folded) of every statement the app sends in the block."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        """Keep each statement."""
        statements.append(" ".join(statement.split()))

    engine = app.extensions["db_engine"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def user_ref(app: Flask, user_id: int) -> str:
    """The signed reference public fragment URLs use for a user (webapp/refs.py)."""
    from webapp.refs import UserRef

    with app.app_context():
        return UserRef(app.url_map).to_url(user_id)


def new_user(make_client, app: Flask, name: str):
    """A signed-up client and its user id."""
    client = make_client(name)
    return client, user_id_of(app, name)


def track_and_cover(app: Flask, user_id: int) -> tuple[int, int]:
    """A real track and a real cover made by the job pipeline."""
    return (
        make_media(app, user_id, "music", "a calm piano night", duration=10),
        make_media(app, user_id, "image", "neon city at dusk"),
    )


def user_row(app: Flask, user_id: int) -> User:
    """A fresh copy of a user row."""
    with app.app_context():
        return db.session().get(User, user_id)
