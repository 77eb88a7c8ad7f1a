"""The generation domain without HTTP: validation, submit, limits, leases, reconciling."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import submit_job
from webapp import db, storage
from webapp.generators import music
from webapp.models import Generation, Media, User, utcnow
from webapp.studio import generations
from webapp.studio.generations import LeaseLost, parse_request


@pytest.fixture
def session(app):
    """A session inside an app context."""
    with app.app_context(), db.standalone_session(app) as s:
        yield s


@pytest.fixture
def alice_id(session) -> int:
    """A user row to own jobs."""
    user = User(username="alice", username_key="alice", password_hash="x")
    session.add(user)
    session.commit()
    return user.id


def form(**fields) -> dict:
    """A valid studio form with some fields replaced."""
    values = {
        "kind": "music", "prompt": "a calm piano night", "genre": music.GENRES[0],
        "duration": "10", "lyrics": "", "request_id": str(uuid.uuid4()),
    }
    values.update(fields)
    return values


def count(session, model=Generation) -> int:
    """Rows in a table."""
    return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"prompt": "ab"}, "prompt", "at least 3"),
        ({"prompt": "   "}, "prompt", "at least 3"),
        ({"prompt": "x" * 501}, "prompt", "at most 500"),
        ({"prompt": "piano\x00night"}, "prompt", "not allowed"),
        ({"kind": "video"}, "kind", "valid kind"),
        ({"genre": "polka"}, "genre", "valid genre"),
        ({"duration": "9"}, "duration", "between 10 and 60"),
        ({"duration": "61"}, "duration", "between 10 and 60"),
        ({"duration": "ten"}, "duration", "whole number"),
        ({"lyrics": "la " * 700}, "lyrics", "at most 2000"),
        ({"lyrics": "la\x07la"}, "lyrics", "not allowed"),
        ({"request_id": "not-a-uuid"}, "form", "expired"),
    ],
)
def test_bad_input_gets_a_clear_message_and_stores_nothing(session, alice_id, fields, field, words):
    """Every rule names the field and says what is wrong; no row is written."""
    result = generations.submit(session, alice_id, form(**fields))
    assert result.generation is None
    assert words in result.errors.get(field)
    assert count(session) == 0


def test_prompt_line_breaks_become_spaces_and_lyrics_keep_theirs():
    """The prompt is one line; lyrics stay multiline."""
    request, errors = parse_request(form(prompt="  rain\r\non  glass ", lyrics="one\ntwo"))
    assert not errors
    assert request.prompt == "rain on glass"
    assert request.lyrics == "one\ntwo"


def test_cover_requests_ignore_track_settings():
    """A cover with nonsense track settings is fine: they do not apply to it."""
    request, errors = parse_request(form(kind="image", genre="polka", duration="999"))
    assert not errors
    assert request.params(5) == {"seed": 5}


def test_submit_stores_a_queued_job_with_its_parameters(session, alice_id):
    """Status queued, progress 0, params as asked, and the id goes to the queue."""
    queued: list[int] = []
    result = generations.submit(
        session, alice_id, form(lyrics="hello\nworld", duration="12"), enqueue=queued.append, seed=9
    )
    job = result.generation
    assert result.created and not result.errors
    assert (job.status, job.progress, job.attempts) == ("queued", 0, 0)
    assert job.params == {"genre": music.GENRES[0], "duration": 12, "lyrics": "hello\nworld",
                          "seed": 9}
    assert queued == [job.id]


def test_the_same_request_id_makes_one_job(session, alice_id):
    """A double submit answers with the existing job instead of making a second one."""
    values = form()
    queued: list[int] = []
    first = generations.submit(session, alice_id, values, enqueue=queued.append)
    second = generations.submit(session, alice_id, values, enqueue=queued.append)
    assert first.created and not second.created and not second.errors
    assert second.generation.id == first.generation.id
    assert count(session) == 1
    assert queued == [first.generation.id]


def test_a_fourth_unfinished_job_is_refused(session, alice_id):
    """At most JOBS_MAX_UNFINISHED (3) queued or running jobs; the refusal stores nothing."""
    first = generations.submit(session, alice_id, form()).generation
    for _ in range(2):
        assert generations.submit(session, alice_id, form()).created
    result = generations.submit(session, alice_id, form())
    assert result.limited and result.generation is None
    assert "3 jobs in progress" in result.errors.get("form")
    assert count(session) == 3
    # Once one finishes, there is room again.
    session.execute(
        Generation.__table__.update().where(Generation.id == first.id).values(status="done")
    )
    session.commit()
    assert generations.submit(session, alice_id, form()).created


def test_the_hourly_limit_counts_rows_in_the_last_hour(app, session, alice_id):
    """JOBS_MAX_PER_HOUR jobs per rolling hour, counted in the database."""
    app.config.update(JOBS_MAX_PER_HOUR=2, JOBS_MAX_UNFINISHED=10)
    start = utcnow()
    assert generations.submit(session, alice_id, form(), now=start - timedelta(minutes=61)).created
    assert generations.submit(session, alice_id, form(), now=start - timedelta(minutes=30)).created
    assert generations.submit(session, alice_id, form(), now=start).created
    refused = generations.submit(session, alice_id, form(), now=start + timedelta(minutes=1))
    assert refused.limited and "hourly limit" in refused.errors.get("form")
    assert count(session) == 3
    later = start + timedelta(minutes=31)
    assert generations.submit(session, alice_id, form(), now=later).created


def test_limits_are_per_user(session, alice_id):
    """Another person's jobs do not count against you."""
    bob = User(username="bob", username_key="bob", password_hash="x")
    session.add(bob)
    session.commit()
    for _ in range(3):
        generations.submit(session, alice_id, form())
    assert generations.submit(session, bob.id, form()).created


@pytest.mark.parametrize(
    ("prompt", "title"),
    [
        ("a calm piano night", "A calm piano night"),
        ("word " * 30, "Word" + " word" * 11 + "…"),
        ("x" * 80, "X" + "x" * 58 + "…"),
    ],
)
def test_titles_come_from_the_prompt_and_fit_60_characters(prompt, title):
    """First words, capitalised, at most 60 characters."""
    made = generations.title_from_prompt(prompt)
    assert made == title
    assert len(made) <= 60


def test_a_claim_holds_until_its_lease_expires(app, session, alice_id):
    """A live lease keeps others out; an expired one is taken over with a new token."""
    job = submit_job(app, alice_id)
    t0 = utcnow()
    first = generations.claim(session, job, now=t0)
    assert first is not None and first.attempts == 1
    assert generations.claim(session, job, now=t0 + timedelta(seconds=60)) is None
    lease = app.config["JOBS_LEASE_SECONDS"]
    second = generations.claim(session, job, now=t0 + timedelta(seconds=lease + 1))
    assert second is not None and second.token != first.token and second.attempts == 2
    # The first worker is fenced off: it can neither report progress nor complete.
    with pytest.raises(LeaseLost):
        generations.report_progress(session, first, 50)
    output = generations.Output("a", "b", "audio/mpeg", 1, 10.0, {})
    assert generations.complete(session, first, output) is None
    assert count(session, Media) == 0


def test_progress_is_recorded_and_extends_the_lease(app, session, alice_id):
    """Progress writes move the lease forward so long renders are not taken over."""
    job = submit_job(app, alice_id)
    t0 = utcnow()
    held = generations.claim(session, job, now=t0)
    generations.report_progress(session, held, 40, now=t0 + timedelta(seconds=100))
    row = session.get(Generation, job)
    session.refresh(row)
    assert row.progress == 40
    assert row.lease_until > t0 + timedelta(seconds=150)


def test_completing_twice_makes_one_media_item(app, session, alice_id):
    """The media insert ignores a second row for the same generation; fencing stops the rest."""
    job = submit_job(app, alice_id)
    submitted_version = session.get(User, alice_id).library_version
    held = generations.claim(session, job)
    output = generations.Output("0000/gen-1.mp3", "0000/gen-1-waveform.png", "audio/mpeg",
                                10, 10.0, {"lyrics": "la"})
    media_id = generations.complete(session, held, output)
    assert media_id is not None
    assert generations.complete(session, held, output) is None
    assert count(session, Media) == 1
    media = session.get(Media, media_id)
    assert media.title == "A calm piano melody at night"
    assert media.details == {"lyrics": "la"}
    session.expire_all()
    assert session.get(User, alice_id).library_version == submitted_version + 1


def test_reconcile_requeues_expired_leases_and_stale_queued_jobs(app, session, alice_id):
    """Expired lease → queued again; queued too long → enqueued again; fresh ones untouched."""
    t0 = utcnow()
    running = submit_job(app, alice_id)
    stale = submit_job(app, alice_id)
    fresh = submit_job(app, alice_id)
    generations.claim(session, running, now=t0)
    session.execute(
        Generation.__table__.update()
        .where(Generation.id == stale)
        .values(updated_at=t0 - timedelta(minutes=5))
    )
    session.commit()
    assert generations.reconcile(session, now=t0) == [stale]
    lease = app.config["JOBS_LEASE_SECONDS"]
    later = t0 + timedelta(seconds=lease + 1)
    requeued = generations.reconcile(session, now=later)
    assert running in requeued and fresh in requeued
    assert session.scalar(select(Generation.status).where(Generation.id == running)) == "queued"
    # Running it twice in a row repeats nothing.
    assert generations.reconcile(session, now=later) == []


def test_a_job_out_of_attempts_ends_failed_with_a_human_message(app, session, alice_id):
    """After JOBS_MAX_ATTEMPTS expired leases the job fails, and its files are removed."""
    job = submit_job(app, alice_id)
    now = utcnow()
    lease = timedelta(seconds=app.config["JOBS_LEASE_SECONDS"] + 1)
    for attempt in range(1, app.config["JOBS_MAX_ATTEMPTS"] + 1):
        assert generations.claim(session, job, now=now).attempts == attempt
        now += lease
        if attempt < app.config["JOBS_MAX_ATTEMPTS"]:
            assert generations.reconcile(session, now=now) == [job]
    leftover = storage.absolute(generations.output_paths(job, "music")[0])
    leftover.parent.mkdir(parents=True, exist_ok=True)
    leftover.write_bytes(b"half")
    assert generations.claim(session, job, now=now) is None
    assert generations.reconcile(session, now=now) == []
    row = session.get(Generation, job)
    session.refresh(row)
    assert row.status == "failed"
    assert row.error == generations.STALLED
    assert not leftover.exists()


def test_orphan_sweep_removes_unreferenced_files_only(app, session, alice_id):
    """Files of finished media stay; files with no media row (and no live job) go."""
    from tests.factories import make_media

    media_id = make_media(app, alice_id, "image", "neon city")
    media = session.get(Media, media_id)
    kept = {storage.absolute(media.file_path), storage.absolute(media.preview_path)}
    orphan = storage.absolute(storage.generation_file(999, ".mp3"))
    orphan.write_bytes(b"orphan")
    busy_job = submit_job(app, alice_id)
    busy = storage.absolute(storage.generation_file(busy_job, ".mp3"))
    busy.write_bytes(b"being written")
    assert generations.sweep_orphans(session) == 1
    assert not orphan.exists() and busy.exists()
    assert all(path.exists() for path in kept)


def test_queries_only_show_the_owners_jobs(app, session, alice_id):
    """recent_generations, unfinished_generations and generation_for_owner never cross users."""
    bob = User(username="bob", username_key="bob", password_hash="x")
    session.add(bob)
    session.commit()
    mine = submit_job(app, alice_id)
    theirs = submit_job(app, bob.id)
    assert [g.id for g, _ in generations.recent_generations(session, alice_id)] == [mine]
    assert [g.id for g in generations.unfinished_generations(session, alice_id)] == [mine]
    assert generations.generation_for_owner(session, alice_id, theirs) is None
    assert generations.generation_for_owner(session, alice_id, mine)[0].id == mine
