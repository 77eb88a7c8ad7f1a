"""The music generator as it was before issue 23 (the SoundFont generator of issue 13).

Its package is read from git at PREVIOUS_COMMIT into a temporary directory and imported
as `previous_soundstage.generators.music`, so the benchmark can run it beside the current
one in the same process without the repository keeping a second copy.
"""

import importlib
import subprocess  # noqa: S404 - git, with fixed arguments
import sys
import tempfile
from pathlib import Path

PREVIOUS_COMMIT = "4002627"
ROOT = Path(__file__).resolve().parent.parent
_FILES = ("webapp/generators/common.py", "webapp/generators/music")


def _load():
    """Extract the previous generator's files and import its music package."""
    target = Path(tempfile.mkdtemp(prefix="previous-music-"))
    names = subprocess.run(  # noqa: S603, S607
        ["git", "ls-tree", "-r", "--name-only", PREVIOUS_COMMIT, *_FILES],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()
    package = target / "previous_soundstage"
    for name in names:
        data = subprocess.run(  # noqa: S603, S607
            ["git", "show", f"{PREVIOUS_COMMIT}:{name}"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        path = package / Path(name).relative_to("webapp")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    for folder in (package, package / "generators"):
        (folder / "__init__.py").touch()
    sys.path.insert(0, str(target))
    return importlib.import_module("previous_soundstage.generators.music")


music = _load()
