"""The accounts' background work, run by webapp.jobs: building data exports, expiring old ones."""

from flask import Flask
from sqlalchemy.orm import Session

from .. import db, jobs
from . import exports

TASK = "export"


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
