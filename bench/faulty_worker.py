"""A job consumer that kills itself (SIGKILL) once, at a chosen stage of a job.

Usage: python bench/faulty_worker.py before_write|after_write|after_commit MARKER_FILE
The stage patches wrap the real functions; nothing in webapp knows about faults.
"""

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webapp import create_app, jobs, storage  # noqa: E402
from webapp.studio import (
    generations,  # noqa: E402
    worker,  # noqa: E402
)

# stage -> (module, function, die before calling it rather than after)
PATCHES = {
    "before_write": (storage, "write_atomically", True),  # before the first byte is written
    "after_write": (worker, "render", False),  # files in place, not yet committed
    "after_commit": (generations, "complete", False),  # the job's result committed
}


def die_once(marker: Path) -> None:
    """SIGKILL this process the first time any consumer reaches the stage."""
    try:
        marker.touch(exist_ok=False)
    except FileExistsError:
        return
    os.kill(os.getpid(), signal.SIGKILL)


def install(stage: str, marker: Path) -> None:
    """Wrap the function at `stage` so the process dies there."""
    if stage not in PATCHES:
        raise SystemExit(f"unknown stage {stage}")
    module, name, before = PATCHES[stage]
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        """Die before or after the real call, as the stage says."""
        if before:
            die_once(marker)
        result = original(*args, **kwargs)
        if not before:
            die_once(marker)
        return result

    setattr(module, name, wrapper)


if __name__ == "__main__":
    install(sys.argv[1], Path(sys.argv[2]))
    jobs.run_consumer(create_app(), 1)
