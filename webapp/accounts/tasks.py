"""The accounts' background work, run by webapp.jobs: building data exports, expiring old ones,
erasing deleted accounts batch by batch."""

from flask import Flask
from sqlalchemy.orm import Session

from .. import db, jobs
from . import deletion, exports

TASK = "export"
ERASE = "erase"


def enqueue(export_id: int) -> None:
    """Put a data export on the queue of the current app (runs at once in immediate mode)."""
    jobs.enqueue(TASK, export_id)


@jobs.task(TASK)
def run_task(app: Flask, export_id: int) -> None:
    """The queue's task: build one data export by id."""
    with app.app_context(), db.standalone_session(app) as session:
        exports.run(session, int(export_id))


@jobs.repair
def repair_exports(session: Session, sweep: bool) -> list[tuple[str, int]]:
    """Expire old data exports (nothing to enqueue again: a failed export is started anew)."""
    exports.expire(session)
    return []


def enqueue_erase(user_id: int) -> None:
    """Put the erasure of a disabled account on the queue of the current app."""
    jobs.enqueue(ERASE, user_id)


@jobs.task(ERASE)
def run_erase(app: Flask, user_id: int) -> None:
    """The queue's task: erase one disabled account by user id, batch by batch."""
    with app.app_context(), db.standalone_session(app) as session:
        deletion.erase(session, int(user_id))


@jobs.repair
def resume_erasures(session: Session, sweep: bool) -> list[tuple[str, int]]:
    """Disabled accounts whose erasing job stopped (its lease ran out): erase them again."""
    return [(ERASE, user_id) for user_id in deletion.erasures_due(session)]
