"""The job pipeline on both databases: queue, task, files, events, recovery, consumers."""

import os
import queue
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import soundfile
from PIL import Image, ImageStat
from sqlalchemy import func, select

from tests.conftest import app_config, shutdown_app
from tests.factories import submit_job
from tests.processes import ARRIVAL_DEADLINE, START_DEADLINE, start, stop, wait_for
from webapp import create_app, db, events, jobs, storage
from webapp.generators import cover, music
from webapp.models import Generation, Media, User, utcnow
from webapp.studio import generations, worker

ROOT = Path(__file__).resolve().parents[2]


def add_user(app, name: str = "alice") -> int:
    """A user row to own jobs."""
    with app.app_context(), db.standalone_session(app) as session:
        user = User(username=name, username_key=name, password_hash="x")
        session.add(user)
        session.commit()
        return user.id


@pytest.fixture
def alice_id(app) -> int:
    """The id of a user who owns jobs."""
    return add_user(app)


def submit(app, user_id: int, enqueue: bool = True, **fields) -> int:
    """Submit through the domain function (optionally onto the real queue)."""
    values = {"kind": "music", "prompt": "a calm piano night", "genre": "lo-fi",
              "duration": "10", "lyrics": "", "request_id": str(uuid.uuid4())}
    seed = fields.pop("seed", 11)
    values.update({k: str(v) for k, v in fields.items()})
    with app.app_context(), db.standalone_session(app) as session:
        result = generations.submit(
            session, user_id, values, seed=seed,
            enqueue=worker.enqueue if enqueue else None,
        )
        assert not result.errors, result.errors.messages
        return result.generation.id


def row(app, model, **where):
    """One row, read fresh."""
    with app.app_context(), db.standalone_session(app) as session:
        query = select(model).filter_by(**where)
        return session.scalar(query)


def media_count(app) -> int:
    """How many library items exist."""
    with app.app_context(), db.standalone_session(app) as session:
        return session.scalar(select(func.count()).select_from(Media))


def stored_files(app) -> set[str]:
    """Every file under the media root, as relative paths."""
    root = storage.media_root(app)
    if not root.exists():
        return set()
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def listen(app, user_id: int) -> queue.Queue:
    """Subscribe to a user's events (waiting for PostgreSQL's listener to be ready)."""
    inbox = events.subscribe(app, user_id)
    listener = app.extensions.get("event_listener")
    if listener is not None:
        assert listener.ready.wait(ARRIVAL_DEADLINE)
    return inbox


def received(inbox: queue.Queue, until: str, timeout: float = ARRIVAL_DEADLINE) -> list:
    """Messages up to and including the first one whose name and status match `until`."""
    messages = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            message = inbox.get(timeout=0.1)
        except queue.Empty:
            continue
        messages.append(message)
        if until in (message.name, message.data.get("status")):
            return messages
    raise AssertionError(f"no {until!r} event; got {messages}")


def test_a_job_runs_through_the_queue_to_one_library_item(app, alice_id):
    """Queued → running → done; one Media row; files on disk; events after commit."""
    inbox = listen(app, alice_id)
    job = submit(app, alice_id, lyrics="la la la", seed=3)
    assert row(app, Generation, id=job).status == "queued"
    assert jobs.run_pending(app) == 1
    generation = row(app, Generation, id=job)
    assert (generation.status, generation.progress, generation.attempts) == ("done", 100, 1)
    assert generation.finished_at is not None and generation.lease_until is None
    media = row(app, Media, generation_id=job)
    assert (media.user_id, media.kind, media.mime_type) == (alice_id, "music", music.MUSIC_MIME)
    assert media.title == "A calm piano night"
    assert media.details["lyrics"] == "la la la" and media.details["genre"] == "lo-fi"
    assert media.details["plan"]
    assert stored_files(app) == {media.file_path, media.preview_path}
    assert storage.absolute(media.file_path, storage.media_root(app)).stat().st_size == media.size
    assert row(app, User, id=alice_id).library_version == 2  # the submit, then one completion
    submitted = received(inbox, "library-changed")
    assert [m.name for m in submitted] == ["library-changed"]  # the pending card appears
    assert submitted[0].data == {"version": 1}
    messages = received(inbox, "library-changed")
    names = [m.name for m in messages]
    assert names[0] == "generation-progressed" and messages[0].data["status"] == "running"
    assert messages[-1].data == {"version": 2}
    done = received(inbox, "done")[-1]
    assert done.data == {"id": job, "progress": 100, "status": "done"}


def test_music_files_decode_to_the_requested_length_and_are_not_silent(app, alice_id):
    """The MP3 a job writes plays for the requested seconds (±0.5 s) with real sound."""
    job = submit(app, alice_id, duration=12)
    jobs.run_pending(app)
    media = row(app, Media, generation_id=job)
    path = storage.absolute(media.file_path, storage.media_root(app))
    samples, rate = soundfile.read(path, dtype="float32")
    assert abs(len(samples) / rate - 12) <= 0.5
    assert abs(media.duration - 12) <= 0.5
    assert float(np.sqrt(np.mean(samples**2))) > 0.02
    with Image.open(storage.absolute(media.preview_path, storage.media_root(app))) as waveform:
        assert waveform.format == "PNG"
    with soundfile.SoundFile(path) as tagged:
        # Tagged with the item's title and the owner's name when the work ran.
        assert (tagged.title, tagged.artist) == (media.title, "alice")


def test_cover_files_are_full_size_pictures_with_a_thumbnail(app, alice_id):
    """A 1024×1024 cover that is not one flat colour, and a 320×320 thumbnail."""
    job = submit(app, alice_id, kind="image", prompt="neon city at dusk")
    jobs.run_pending(app)
    media = row(app, Media, generation_id=job)
    assert media.mime_type == cover.COVER_MIME and media.duration is None
    with Image.open(storage.absolute(media.file_path, storage.media_root(app))) as image:
        assert image.size == (cover.COVER_SIZE, cover.COVER_SIZE)
        assert max(ImageStat.Stat(image.convert("RGB")).stddev) > 5
    with Image.open(storage.absolute(media.preview_path, storage.media_root(app))) as thumb:
        assert thumb.size == (cover.THUMB_SIZE, cover.THUMB_SIZE)
    assert media.details["width"] == media.details["height"] == cover.COVER_SIZE


@pytest.mark.parametrize("kind", ["music", "image"])
def test_same_prompt_params_and_seed_give_identical_files(app, alice_id, kind):
    """Determinism through the pipeline: equal input, equal bytes; another prompt differs."""
    first = submit(app, alice_id, kind=kind, seed=5)
    second = submit(app, alice_id, kind=kind, seed=5)
    other = submit(app, alice_id, kind=kind, seed=5, prompt="a stormy electric chase")
    assert jobs.run_pending(app) == 3
    root = storage.media_root(app)

    def files(job):
        media = row(app, Media, generation_id=job)
        return [(root / media.file_path).read_bytes(), (root / media.preview_path).read_bytes()]

    assert files(first) == files(second)
    assert files(first)[0] != files(other)[0]


def test_a_job_killed_after_writing_its_files_is_redone_once(app, alice_id):
    """Files written, no commit, lease lost: the reconciler re-runs it; one item, no orphans."""
    job = submit(app, alice_id, enqueue=False)
    t0 = utcnow()
    lease = timedelta(seconds=app.config["JOBS_LEASE_SECONDS"])
    with app.app_context(), db.standalone_session(app) as session:
        held = generations.claim(session, job, now=t0)
        worker.render(held)  # ...and the worker dies here, before complete().
    expected = set(generations.output_paths(job, "music"))
    assert stored_files(app) == expected and media_count(app) == 0
    with app.app_context(), db.standalone_session(app) as session:
        assert generations.reconcile(session, now=t0 + lease / 2) == []
        assert generations.reconcile(session, now=t0 + lease + timedelta(seconds=1)) == [job]
    later = t0 + lease + timedelta(seconds=2)
    media_id = worker.run_generation(app, job, clock=lambda: later)
    assert media_id is not None and media_count(app) == 1
    generation = row(app, Generation, id=job)
    assert (generation.status, generation.attempts) == ("done", 2)
    assert stored_files(app) == expected
    # A repeat delivery of the same id changes nothing.
    assert worker.run_generation(app, job) is None and media_count(app) == 1


def test_a_stale_worker_cannot_finish_a_job_taken_over(app, alice_id):
    """Worker A stalls past its lease, B redoes and completes; A's late commit is refused."""
    job = submit(app, alice_id, enqueue=False)
    t0 = utcnow()
    later = t0 + timedelta(seconds=app.config["JOBS_LEASE_SECONDS"] + 1)
    with app.app_context(), db.standalone_session(app) as session:
        stale = generations.claim(session, job, now=t0)
        stale_output = worker.render(stale)
        assert worker.run_generation(app, job, clock=lambda: later) is not None
        assert generations.complete(session, stale, stale_output, now=later) is None
    assert media_count(app) == 1
    assert row(app, User, id=alice_id).library_version == 2  # the submit, then one completion


def test_a_job_that_keeps_failing_ends_failed_and_leaves_no_files(app, alice_id, monkeypatch):
    """JOBS_MAX_ATTEMPTS tries through the queue, then a short message; nothing half-made."""

    def broken(prompt, genre, duration, seed, audio_out, waveform_out, progress=None):
        """Write part of a file, then fail like a crashing encoder."""
        audio_out.write(b"ID3 half a track")
        waveform_out.write(b"\x89PNG half")
        raise RuntimeError("encoder crashed")

    monkeypatch.setattr(music, "render_track_with_waveform", broken)
    inbox = listen(app, alice_id)
    job = submit(app, alice_id)
    assert jobs.run_pending(app) == app.config["JOBS_MAX_ATTEMPTS"]
    generation = row(app, Generation, id=job)
    assert generation.status == "failed"
    assert generation.attempts == app.config["JOBS_MAX_ATTEMPTS"]
    assert generation.error == generations.RENDER_FAILED["music"]
    assert "encoder" not in generation.error
    assert media_count(app) == 0
    assert stored_files(app) == set()
    assert received(inbox, "failed")[-1].data == {"id": job, "progress": 0, "status": "failed"}


def test_a_storage_failure_is_not_blamed_on_the_prompt(app, alice_id, tmp_path):
    """DATA_DIR unusable: the job fails saying the storage is at fault, and leaves nothing."""
    job = submit(app, alice_id, kind="image", prompt="a cover that cannot be saved")
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the data directory should be")
    app.config["DATA_DIR"] = str(blocked)
    assert jobs.run_pending(app) == app.config["JOBS_MAX_ATTEMPTS"]
    generation = row(app, Generation, id=job)
    assert generation.status == "failed"
    assert generation.error == generations.STORAGE_FAILED
    assert media_count(app) == 0
    # Our failure does not use up the hourly allowance: with room for one job an hour,
    # the person may start another at once.
    app.config.update(DATA_DIR=str(tmp_path / "data"), JOBS_MAX_PER_HOUR=1)
    assert submit(app, alice_id, kind="image", prompt="the same cover, saved this time")


def test_progress_is_written_in_steps_and_published(app, alice_id):
    """At least 10 points between writes; each write is an event; done is the last word."""
    app.config.update(JOBS_PROGRESS_SECONDS=0, JOBS_PROGRESS_STEP=10)
    inbox = listen(app, alice_id)
    submit(app, alice_id, duration=30)
    jobs.run_pending(app)
    progressed = [m.data["progress"] for m in received(inbox, "done")
                  if m.name == "generation-progressed"]
    middle = progressed[1:-1]
    assert len(middle) >= 3
    assert all(b - a >= 10 for a, b in zip(progressed[:-1], middle, strict=False))
    assert progressed[-1] == 100 and max(middle) < 100


def test_the_immediate_switch_runs_jobs_at_submit(database_url, tmp_path):
    """JOBS_IMMEDIATE: no consumer, no queue; the job is done when submit returns."""
    app = create_app(app_config(database_url, tmp_path / "data", JOBS_IMMEDIATE=True))
    try:
        user = add_user(app)
        job = submit(app, user)
        assert row(app, Generation, id=job).status == "done"
        assert media_count(app) == 1
    finally:
        shutdown_app(app)


def test_the_embedded_consumer_threads_run_jobs_without_touching_signals(database_url, tmp_path):
    """start_embedded: Huey worker threads run the job; Ctrl-C stays the server's."""
    app = create_app(app_config(database_url, tmp_path / "data", JOBS_EMBEDDED=True))
    try:
        handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
        jobs.start_embedded(app)
        assert {s: signal.getsignal(s) for s in handlers} == handlers
        user = add_user(app)
        job = submit(app, user)
        wait_for(lambda: row(app, Generation, id=job).status == "done", what="the job to finish")
        assert media_count(app) == 1
        jobs.stop_embedded(app)
    finally:
        shutdown_app(app)


def test_the_worker_command_runs_jobs_and_stops_on_sigint(
    request, app, alice_id, database_url, tmp_path
):
    """`flask --app webapp worker` (scale-out) consumes the same queue in another process."""
    env = dict(os.environ, DATABASE_URL=database_url, DATA_DIR=app.config["DATA_DIR"],
               SECRET_KEY="test-secret-key")
    worker = start(
        request, [sys.executable, "-m", "flask", "--app", "webapp", "worker", "--workers", "1"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        job = submit(app, alice_id)
        wait_for(lambda: row(app, Generation, id=job).status == "done", START_DEADLINE,
                 what="the worker process to finish the job")
        assert media_count(app) == 1
    finally:
        output = stop(worker, signal.SIGINT)
    assert worker.returncode == 0, output


def test_reconcile_now_enqueues_stalled_jobs_and_sweeps_orphans(app, alice_id):
    """The reconciler pass the consumers run: re-enqueue, then the task finishes the job."""
    job = submit_job(app, alice_id)
    with app.app_context(), db.standalone_session(app) as session:
        session.execute(
            Generation.__table__.update().where(Generation.id == job)
            .values(updated_at=utcnow() - timedelta(hours=1))
        )
        session.commit()
    root = storage.media_root(app)
    leftover = root / "0000" / ".tmp-crashed.mp3"
    leftover.parent.mkdir(parents=True, exist_ok=True)
    leftover.write_bytes(b"partial")
    old = time.time() - 3600
    os.utime(leftover, (old, old))
    assert jobs.jobs_of(app).reconcile_now(sweep=True) == [job]
    assert not leftover.exists()
    assert jobs.run_pending(app) == 1
    assert row(app, Generation, id=job).status == "done"


def test_ctrl_c_stops_the_embedded_server(request, database_url, tmp_path):
    """`flask --app webapp serve` runs the consumer threads in-process, and SIGINT ends it."""
    import socket
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, DATABASE_URL=database_url, DATA_DIR=str(tmp_path / "data"),
               SECRET_KEY="test-secret-key")
    server = start(
        request, [sys.executable, "-m", "flask", "--app", "webapp", "serve", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        # A shell's background jobs ignore SIGINT; give the server the default, as a terminal does.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        wait_for(lambda: _answers(urllib.request, f"http://127.0.0.1:{port}/healthz"),
                 START_DEADLINE, 0.1, what="the server to answer")
    finally:
        # It must stop, however long a loaded machine takes (STOP_DEADLINE); speed is bench's.
        output = stop(server, signal.SIGINT)
    assert server.returncode == 0, output


def _answers(request_module, url: str) -> bool:
    """Whether the server answers 200 yet."""
    try:
        return request_module.urlopen(url, timeout=1).status == 200
    except OSError:
        return False


def test_variation_and_extension_become_new_linked_library_items(app, alice_id):
    """A variation keeps key and tempo with new notes; an extension is 20 s longer; both link."""
    source = submit(app, alice_id, prompt="celtic jig", genre="pop", seed=5)
    assert jobs.run_pending(app) == 1
    made = {}
    for how in ("variation", "extend"):
        with app.app_context(), db.standalone_session(app) as session:
            result = generations.derive(
                session, alice_id, source, how, enqueue=worker.enqueue
            )
            assert result is not None and not result.errors
            made[how] = result.generation.id
            assert result.generation.params["source_id"] == source
    assert jobs.run_pending(app) == 2
    original = row(app, Media, generation_id=source)
    variation = row(app, Media, generation_id=made["variation"])
    longer = row(app, Media, generation_id=made["extend"])
    assert variation.details["source_id"] == longer.details["source_id"] == source
    plans = [m.details["plan"] for m in (original, variation, longer)]
    assert plans[0] == plans[1] == plans[2]  # same key, tempo, meter and band
    assert longer.duration == pytest.approx(original.duration + 20, abs=0.5)
    assert variation.size != original.size or _decoded(app, variation) != _decoded(app, original)
    with app.app_context(), db.standalone_session(app) as session:
        assert generations.derive(session, alice_id, source, "remix") is None
        assert generations.derive(session, add_user(app, "bob"), source, "variation") is None


def _decoded(app, media) -> bytes:
    """A library item's audio file bytes."""
    return storage.absolute(media.file_path, storage.media_root(app)).read_bytes()
