"""kill -9 a job consumer before the file write, after it, and after commit.

For each stage: a fresh PostgreSQL database, three queued jobs, a consumer that
SIGKILLs itself at that stage on its first job, then a healthy consumer whose
reconciler re-queues the abandoned job once its lease expires. Every job must end
done exactly once: media rows = jobs, no duplicate, no orphan file.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, drop_pg_database, fresh_pg_database, start_worker  # noqa: E402
from faulty_worker import PATCHES  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from webapp import create_app, db  # noqa: E402
from webapp.accounts import logins  # noqa: E402
from webapp.migrate import upgrade  # noqa: E402
from webapp.models import Generation, Media  # noqa: E402
from webapp.studio import (
    generations,  # noqa: E402
    worker,  # noqa: E402
)

STAGES = tuple(PATCHES)
JOBS = 3


def one_stage(stage: str) -> tuple[str, str, str]:
    """Run one stage and describe its outcome."""
    url = fresh_pg_database(f"soundstage_faults_{stage}")
    upgrade(url)
    data = Path(tempfile.mkdtemp(prefix=f"faults-{stage}-"))
    env = {**os.environ, "DATABASE_URL": url, "DATA_DIR": str(data), "SECRET_KEY": "faults",
           "SOUNDSTAGE_JOBS_EMBEDDED": "false", "SOUNDSTAGE_JOBS_LEASE_SECONDS": "4",
           "SOUNDSTAGE_JOBS_RECONCILE_SECONDS": "1"}
    app = create_app({"DATABASE_URL": url, "DATA_DIR": str(data), "JOBS_EMBEDDED": False})
    with app.app_context():
        user, _ = logins.sign_up(db.session(), "faulty", "a fine password")
        ids = []
        for index in range(JOBS):
            form = {"kind": "image", "prompt": f"fault drill number {index}", "genre": "pop",
                    "duration": "10", "request_id": f"00000000-0000-4000-8000-00000000000{index}"}
            ids.append(generations.submit(db.session(), user.id, form, enqueue=worker.enqueue)
                       .generation.id)
    marker = data / "killed"
    faulty = subprocess.Popen([sys.executable, "bench/faulty_worker.py", stage, str(marker)],
                              cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    faulty.wait(timeout=60)
    killed = faulty.returncode == -9
    started = time.monotonic()
    healthy = start_worker(env)
    try:
        done = 0
        while time.monotonic() - started < 90:
            with app.app_context():
                done = db.session().scalar(select(func.count()).select_from(Generation)
                                           .where(Generation.status == "done"))
            if done == JOBS:
                break
            time.sleep(0.25)
        recovered_in = time.monotonic() - started
    finally:
        healthy.terminate()
        healthy.wait(timeout=30)
    with app.app_context():
        session = db.session()
        media = session.scalar(select(func.count()).select_from(Media))
        referenced = {p for m in session.scalars(select(Media))
                      for p in (m.file_path, m.preview_path) if p}
    media_root = data / "media"
    files = {str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file()}
    orphans = len(files - referenced)
    app.extensions["db_engine"].dispose()
    drop_pg_database(url)
    return (
        f"kill -9 a job consumer {stage.replace('_', ' ')} (PostgreSQL, {JOBS} jobs)",
        f"consumer killed: {'yes' if killed else 'NO'}; jobs done {done}/{JOBS} in "
        f"{recovered_in:.1f} s; media rows {media}; duplicates {max(0, media - JOBS)}; "
        f"orphan files {orphans}",
        "make reliability (bench/faults.py)",
    )


def run() -> list[tuple[str, str, str]]:
    """All three stages."""
    return [one_stage(stage) for stage in STAGES]


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
