"""A job consumer that kills itself (SIGKILL) once, at a chosen stage of a job.

Usage: python bench/faulty_worker.py before_write|after_write|after_commit MARKER_FILE
The stage patches wrap the real functions; nothing in webapp knows about faults.
"""

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webapp import create_app, generations, jobs, storage  # noqa: E402


def die_once(marker: Path) -> None:
    """SIGKILL this process the first time any consumer reaches the stage."""
    try:
        marker.touch(exist_ok=False)
    except FileExistsError:
        return
    os.kill(os.getpid(), signal.SIGKILL)


def install(stage: str, marker: Path) -> None:
    """Wrap the function at `stage` so the process dies there."""
    if stage == "before_write":
        original = storage.write_atomically

        def write_atomically(*args, **kwargs):
            """Die before the first byte is written."""
            die_once(marker)
            return original(*args, **kwargs)

        storage.write_atomically = write_atomically
    elif stage == "after_write":
        original_render = jobs.render

        def render(*args, **kwargs):
            """Die after the files are in place, before the commit."""
            output = original_render(*args, **kwargs)
            die_once(marker)
            return output

        jobs.render = render
    elif stage == "after_commit":
        original_complete = generations.complete

        def complete(*args, **kwargs):
            """Die right after the job's result is committed."""
            result = original_complete(*args, **kwargs)
            die_once(marker)
            return result

        generations.complete = complete
    else:
        raise SystemExit(f"unknown stage {stage}")


if __name__ == "__main__":
    install(sys.argv[1], Path(sys.argv[2]))
    jobs.run_consumer(create_app(), 1)
