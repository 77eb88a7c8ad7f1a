"""The job queue on both databases: fair order across people, cancel, the storage quota."""

import re

from sqlalchemy import func, select

from tests.factories import submit_job, user_id_of
from webapp import db, storage
from webapp.models import Generation, Media
from webapp.studio import generations, worker


def count(app, model, **where) -> int:
    """How many rows match."""
    with app.app_context(), db.standalone_session(app) as session:
        query = select(func.count()).select_from(model).filter_by(**where)
        return session.scalar(query)


def test_a_backlog_does_not_starve_another_person(app, make_client):
    """Three queued jobs of one person, then one of another: the other's runs second, not last."""
    make_client("mallory")
    make_client("victim")
    mallory, victim = user_id_of(app, "mallory"), user_id_of(app, "victim")
    backlog = [submit_job(app, mallory, "image", f"spam cover {n}") for n in range(3)]
    mine = submit_job(app, victim, "image", "my one cover")
    order = []
    for task_id in [*backlog, mine]:  # the queue's order: first in, first out
        worker.run_fairly(app, task_id)
        with app.app_context(), db.standalone_session(app) as session:
            order.append(session.scalar(
                select(Generation.id).where(Generation.status == "done")
                .order_by(Generation.finished_at.desc(), Generation.id.desc()).limit(1)))
    assert order.index(mine) == 1, order
    assert count(app, Generation, status="done") == 4


def test_cancelling_a_queued_job_leaves_no_row_and_gives_the_slot_back(app, make_client):
    """Cancel from the studio: the card goes, the row goes, the job never runs."""
    alice = make_client("alice")
    app.config["JOBS_MAX_UNFINISHED"] = 1
    uid = user_id_of(app, "alice")
    job = submit_job(app, uid, "image", "a cover to cancel")
    studio = alice.get("/studio").get_data(as_text=True)
    assert f'action="/generations/{job}/cancel"' in studio and "Cancel" in studio
    response = alice.post(f"/generations/{job}/cancel", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert count(app, Generation) == 0
    assert worker.run_fairly(app, job) is None
    again = submit_job(app, uid, "image", "the limit counts it no more")
    assert make_client("bob").post(f"/generations/{again}/cancel").status_code == 404
    assert count(app, Generation) == 1  # someone else's job cannot be cancelled


def test_cancelling_a_running_job_stops_it_and_leaves_no_file(app, make_client, monkeypatch):
    """Cancelled mid-render: the worker stops at its next progress write; no file, no row."""
    alice = make_client("alice")
    uid = user_id_of(app, "alice")
    job = submit_job(app, uid, "image", "cancelled while drawing")
    app.config.update(JOBS_PROGRESS_STEP=1, JOBS_PROGRESS_SECONDS=0)
    real_render = worker.render

    def render_then_cancel(held, progress=None):
        """Cancel from the browser as soon as the render reports progress."""
        def progress_and_cancel(value):
            if value >= 10 and count(app, Generation) == 1:
                assert alice.post(f"/generations/{job}/cancel").status_code == 303
            progress(value)
        return real_render(held, progress_and_cancel)

    monkeypatch.setattr(worker, "render", render_then_cancel)
    assert worker.run_generation(app, job) is None
    assert count(app, Generation) == 0 and count(app, Media) == 0
    leftovers = [p for p in storage.media_root(app).rglob("*") if p.is_file()]
    assert leftovers == []


def test_the_studio_shows_the_storage_quota_and_refuses_jobs_past_it(app, make_client):
    """Used and allowed storage is on the studio page; a full library cannot start jobs."""
    alice = make_client("alice")
    uid = user_id_of(app, "alice")
    with app.app_context(), db.standalone_session(app) as session:
        session.add(Media(user_id=uid, kind="image", title="big", prompt="p",
                          file_path="x.png", mime_type="image/png", size=120_000_000))
        session.commit()
    app.config["STORAGE_QUOTA_BYTES"] = 100_000_000
    page = alice.get("/studio").get_data(as_text=True)
    assert re.search(r"Storage: 120 MB of 100 MB used", page)
    assert '<meter id="storage-meter"' in page
    response = alice.post("/generations", data={
        "kind": "image", "prompt": "one more cover", "request_id": generations.new_request_id(),
    })
    assert response.status_code == 429
    assert "Delete some items to make room" in response.get_data(as_text=True)
    assert count(app, Generation) == 0
