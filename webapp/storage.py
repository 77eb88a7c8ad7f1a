"""Media files on disk: atomic writes, paths derived from ids, and safe lookups."""

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from flask import Flask, current_app


def data_dir(app: Flask | None = None) -> Path:
    """The root folder for every stored file (DATA_DIR)."""
    return Path((app or current_app).config["DATA_DIR"])


def media_root(app: Flask | None = None) -> Path:
    """Where generated media lives."""
    return data_dir(app) / "media"


def generation_file(generation_id: int, suffix: str) -> str:
    """The relative path of a generation's file: derived from its id, so a retry overwrites."""
    return f"{generation_id // 1000:04d}/gen-{generation_id}{suffix}"


def absolute(relative: str, root: Path | None = None) -> Path:
    """Resolve a stored relative path under the media root, refusing escapes."""
    base = (root or media_root()).resolve()
    path = (base / relative).resolve()
    if not path.is_relative_to(base):
        raise ValueError("path escapes the media folder")
    return path


def write_atomically(path: Path, write: Callable[[BinaryIO], object]) -> int:
    """Write via a temp file, fsync, then rename into place; returns the size in bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "wb") as temp:
            write(temp)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return path.stat().st_size


def unusable_data_dir(app: Flask | None = None) -> str | None:
    """Why DATA_DIR cannot hold files at all (not creatable, not a folder, read-only), or None."""
    root = data_dir(app)
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".health-"):
            pass
    except OSError as error:
        return f"data directory is not writable ({error.strerror or error.__class__.__name__})"
    return None


def startup_refusal(app: Flask) -> str | None:
    """The one-line reason a server or worker must not start with this DATA_DIR, or None."""
    problem = unusable_data_dir(app)
    if problem is None:
        return None
    return (f"Soundstage cannot start: the {problem}: {data_dir(app)}. "
            "Set DATA_DIR to a folder this user can write.")


def storage_problem(app: Flask | None = None) -> str | None:
    """Why files cannot be stored now (missing, unwritable or nearly full DATA_DIR), or None."""
    if problem := unusable_data_dir(app):
        return problem
    minimum = (app or current_app).config.settings.storage_min_free_bytes
    if shutil.disk_usage(data_dir(app)).free < minimum:
        return "data directory is nearly full"
    return None


def remove_quietly(path: Path) -> None:
    """Delete a file if it is there."""
    path.unlink(missing_ok=True)
