"""The music generator as it was before issue 13, the benchmark's baseline.

Read from git at the commit before the rewrite (so the repository keeps one copy of it) and
loaded as this module, with its relative import of the shared helpers made absolute.
"""

import subprocess  # noqa: S404 - git, with fixed arguments
import sys
from pathlib import Path
from types import ModuleType

BASELINE_COMMIT = "4797402"
SOURCE = "webapp/generators/music.py"
ROOT = Path(__file__).resolve().parent.parent


def _load() -> None:
    """Run the old generator's source as the body of this module."""
    source = subprocess.run(  # noqa: S603, S607
        ["git", "show", f"{BASELINE_COMMIT}:{SOURCE}"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout
    source = source.replace("from .common import", "from webapp.generators.common import", 1)
    module: ModuleType = sys.modules[__name__]
    exec(compile(source, f"{BASELINE_COMMIT}:{SOURCE}", "exec"), module.__dict__)  # noqa: S102


_load()
