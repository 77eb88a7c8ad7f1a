"""Data exports: a ZIP of every file a person owns plus JSON of their rows, built by the
job queue, offered for download to its owner for EXPORT_KEEP (24 h), then deleted.

What goes in is listed once, in SECTIONS: a table that gains rows people own (comments,
likes, follows) is exported by adding one `owned(Model)` line there.
"""

import json
import logging
import re
import secrets
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import Session

from .. import live, storage
from ..config import settings
from ..db import finish_transaction
from ..models import (
    Block,
    Comment,
    DataExport,
    Follow,
    Generation,
    Like,
    Media,
    Notification,
    NotificationMute,
    Post,
    Release,
    Report,
    User,
    UsernameChange,
    UserSession,
    utcnow,
)
from ..profiles import avatars

log = logging.getLogger(__name__)

UNFINISHED = ("queued", "running")
FILENAME = re.compile(r"[0-9a-f]{32}\.zip")
ALREADY_RUNNING = "Your export is already being prepared."
FAILED = "We could not prepare your export. Please try again."
STALLED = "Your export stopped before it finished. Please try again."
PREVIEW_NAMES = {"music": "waveform", "image": "thumbnail"}
_UNSAFE = re.compile(r"[^\w \-.,()'&!]+")


class ExportGone(Exception):
    """The export's row is gone (its account was deleted): stop and keep nothing."""


Rows = Callable[[Session, int], list[dict]]


def _plain(value):
    """A column value as JSON can hold it."""
    return value.isoformat() if isinstance(value, datetime) else value


def owned(model, leave_out: tuple[str, ...] = (), by: str = "user_id") -> Rows:
    """A section: every row of `model` whose `by` column is the person's, oldest first,
    less the columns in `leave_out` (secrets, server-side paths)."""
    columns = [c for c in model.__table__.columns if c.name not in leave_out]
    owner = model.__table__.c[by]

    def rows(db: Session, user_id: int) -> list[dict]:
        """The person's rows of this table."""
        found = db.execute(
            select(*columns).where(owner == user_id).order_by(*model.__table__.primary_key)
        )
        return [{c.name: _plain(v) for c, v in zip(columns, row, strict=True)} for row in found]

    return rows


def _profile(db: Session, user_id: int) -> list[dict]:
    """The account row, without its password hash."""
    user = db.get(User, user_id)
    return [{
        "id": user.id, "username": user.username, "bio": user.bio, "links": list(user.links),
        "avatar": "profile/avatar.webp" if user.avatar else None,
        "banner": "profile/banner.webp" if user.banner else None,
        "created_at": _plain(user.created_at), "username_changed_at":
            _plain(user.username_changed_at),
    }]


SECTIONS: dict[str, Rows] = {
    "profile": _profile,
    "media": owned(Media, leave_out=("file_path", "preview_path")),
    "generations": owned(Generation, leave_out=("lease_token", "lease_until")),
    "releases": owned(Release),
    "posts": owned(Post),
    "username_history": owned(UsernameChange),
    "sessions": owned(UserSession, leave_out=("id",)),
    "likes": owned(Like),
    "comments": owned(Comment),
    "follows": owned(Follow, by="follower_id"),
    "notifications": owned(Notification, by="recipient_id"),
    "notification_mutes": owned(NotificationMute),
    "reports": owned(Report, by="reporter_id"),
    "blocks": owned(Block, by="blocker_id"),
}


@dataclass
class Contents:
    """Everything one export holds: files (name in the ZIP, path on disk) and JSON sections."""

    files: list[tuple[str, Path]] = field(default_factory=list)
    sections: dict[str, list[dict]] = field(default_factory=dict)


def exports_dir() -> Path:
    """Where finished exports wait for download (DATA_DIR/exports)."""
    return storage.data_dir() / "exports"


def remove_file(name: str | None) -> None:
    """Delete an export's ZIP."""
    if name and FILENAME.fullmatch(name):
        storage.remove_quietly(exports_dir() / name)


def safe_name(title: str) -> str:
    """A title as a file name that every system accepts."""
    name = _UNSAFE.sub("_", title).strip(" .")[:80].strip(" .")
    return name or "Untitled"


def unique_name(wanted: str, taken: set[str]) -> str:
    """`wanted`, or "stem (2).ext", "stem (3).ext"… when a name is already taken
    (compared without case, as many file systems do)."""
    stem, dot, suffix = wanted.rpartition(".")
    if not dot:
        stem, suffix = wanted, ""
    candidate, number = wanted, 1
    while candidate.casefold() in taken:
        number += 1
        candidate = f"{stem} ({number}){dot}{suffix}"
    taken.add(candidate.casefold())
    return candidate


def collect(db: Session, user_id: int) -> Contents:
    """Read what an export holds: the person's files under readable names, and their rows."""
    contents = Contents()
    finish_transaction(db)
    taken: set[str] = set()
    media_files: dict[int, dict] = {}
    for item in db.scalars(select(Media).where(Media.user_id == user_id).order_by(Media.id)):
        stem = safe_name(item.title)
        main = unique_name(f"media/{stem}{Path(item.file_path).suffix}", taken)
        contents.files.append((main, storage.absolute(item.file_path)))
        media_files[item.id] = {"file": main}
        if item.preview_path:
            label = PREVIEW_NAMES.get(item.kind, "preview")
            preview = unique_name(
                f"media/previews/{stem} ({label}){Path(item.preview_path).suffix}", taken
            )
            contents.files.append((preview, storage.absolute(item.preview_path)))
            media_files[item.id]["preview"] = preview
    user = db.get(User, user_id)
    for name, kind in ((user.avatar, avatars.AVATAR), (user.banner, avatars.BANNER)):
        if name:
            contents.files.append(
                (f"profile/{kind.label.lower()}.webp", avatars.avatar_dir(kind) / name)
            )
    for name, rows in SECTIONS.items():
        contents.sections[name] = rows(db, user_id)
    for row in contents.sections["media"]:
        row.update(media_files.get(row["id"], {}))
    finish_transaction(db)
    return contents


def write_zip(handle, contents: Contents, progress: Callable[[int], None]) -> None:
    """Write the ZIP: media as stored (already compressed), JSON deflated; reports 0–99."""
    total = len(contents.files) + 1
    with zipfile.ZipFile(handle, "w") as archive:
        for index, (name, path) in enumerate(contents.files):
            if path.is_file():
                archive.write(path, name, compress_type=zipfile.ZIP_STORED)
            else:
                log.warning("export: a file of the account is missing: %s", path.name)
            progress(int(99 * (index + 1) / total))
        for name, rows in contents.sections.items():
            archive.writestr(
                f"data/{name}.json", json.dumps(rows, indent=2, ensure_ascii=False),
                compress_type=zipfile.ZIP_DEFLATED,
            )


# --- The life cycle -----------------------------------------------------------------------


def latest(db: Session, user_id: int) -> DataExport | None:
    """The person's newest export, if any."""
    return db.scalars(
        select(DataExport).where(DataExport.user_id == user_id)
        .order_by(DataExport.id.desc()).limit(1).execution_options(populate_existing=True)
    ).first()


def card_version(export: DataExport | None) -> str:
    """What the export card shows, as a tag."""
    if export is None:
        return "none"
    return f"{export.id}-{export.status}-{export.progress}"


def start(db: Session, user_id: int, *, now: datetime | None = None) -> tuple[DataExport | None,
                                                                              str | None]:
    """Queue a new export, replacing older ones (rows now, files after commit); commits.

    Returns (the export, None), or (None, why not) while another one is under way.
    """
    now = now or utcnow()
    finish_transaction(db)
    # Lock the account's row first, so two starts at once cannot both pass the check.
    db.execute(update(User).where(User.id == user_id).values(updated_at=User.updated_at))
    busy = db.scalar(select(DataExport.id).where(
        DataExport.user_id == user_id, DataExport.status.in_(UNFINISHED),
        DataExport.updated_at > now - settings().export_stale,
    ))
    if busy is not None:
        db.rollback()
        return None, ALREADY_RUNNING
    replaced = list(db.scalars(
        delete(DataExport).where(DataExport.user_id == user_id).returning(DataExport.file_name)
        .execution_options(synchronize_session=False)
    ))
    export = DataExport(user_id=user_id, status="queued", progress=0, size=0,
                        created_at=now, updated_at=now)
    db.add(export)
    db.flush()
    live.export_progressed(db, user_id, export.id, 0, "queued")
    db.commit()
    for name in replaced:
        remove_file(name)
    return export, None


def run(db: Session, export_id: int) -> bool:
    """Build a queued export to the end; returns whether it is ready. Commits."""
    claimed = _claim(db, export_id)
    if claimed is None:
        return False
    user_id, file_name = claimed
    reporter = _Reporter(db, export_id, user_id)
    try:
        contents = collect(db, user_id)
        size = storage.write_atomically(
            exports_dir() / file_name, lambda handle: write_zip(handle, contents, reporter)
        )
    except ExportGone:
        remove_file(file_name)
        return False
    except Exception:
        log.exception("export %s failed", export_id)
        db.rollback()
        _end(db, export_id, user_id, status="failed", error=FAILED)
        remove_file(file_name)
        return False
    if not _end(db, export_id, user_id, status="done", size=size):
        remove_file(file_name)
        return False
    return True


def _claim(db: Session, export_id: int) -> tuple[int, str] | None:
    """Take a queued export and name its file; (owner, file name), or None if not ours."""
    finish_transaction(db)
    file_name = f"{secrets.token_hex(16)}.zip"
    user_id = db.scalar(
        update(DataExport)
        .where(DataExport.id == export_id, DataExport.status == "queued")
        .values(status="running", file_name=file_name, updated_at=utcnow())
        .returning(DataExport.user_id)
        .execution_options(synchronize_session=False)
    )
    if user_id is None:
        db.rollback()
        return None
    live.export_progressed(db, user_id, export_id, 0, "running")
    db.commit()
    return user_id, file_name


class _Reporter:
    """Writes progress every few percent; raises ExportGone once the row has gone."""

    def __init__(self, db: Session, export_id: int, user_id: int) -> None:
        """Start at 0%."""
        self.db, self.export_id, self.user_id = db, export_id, user_id
        self.last = 0
        self.last_at = time.monotonic()

    def __call__(self, progress: int) -> None:
        """Record progress when it moved at least 5 points or a second passed."""
        if progress - self.last < 5 and time.monotonic() - self.last_at < 1:
            return
        changed = self.db.execute(
            update(DataExport)
            .where(DataExport.id == self.export_id, DataExport.status == "running")
            .values(progress=progress, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed != 1:
            self.db.rollback()
            raise ExportGone(self.export_id)
        live.export_progressed(self.db, self.user_id, self.export_id, progress, "running")
        self.db.commit()
        self.last, self.last_at = progress, time.monotonic()


def _end(db: Session, export_id: int, user_id: int, *, status: str, size: int = 0,
         error: str | None = None) -> bool:
    """Mark a running export done (downloadable until now + EXPORT_KEEP) or failed."""
    now = utcnow()
    values = {"status": status, "updated_at": now, "error": error}
    if status == "done":
        values.update(progress=100, size=size, expires_at=now + settings().export_keep)
    else:
        values["file_name"] = None
    changed = db.execute(
        update(DataExport)
        .where(DataExport.id == export_id, DataExport.status == "running")
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.rollback()
        return False
    live.export_progressed(db, user_id, export_id, values.get("progress", 0), status)
    db.commit()
    return True


def download_path(db: Session, user_id: int, export_id: int, *,
                  now: datetime | None = None) -> Path | None:
    """The ZIP of the person's own ready, unexpired export, or None."""
    now = now or utcnow()
    # populate_existing: the job's writes are plain UPDATEs, a loaded copy may be older.
    export = db.scalar(select(DataExport).where(
        DataExport.id == export_id, DataExport.user_id == user_id, DataExport.status == "done",
        DataExport.expires_at > now,
    ).execution_options(populate_existing=True))
    if export is None or not export.file_name or not FILENAME.fullmatch(export.file_name):
        return None
    path = exports_dir() / export.file_name
    return path if path.is_file() else None


def expire(db: Session, *, now: datetime | None = None) -> int:
    """Delete exports past their 24 h and fail those stuck unfinished; returns how many."""
    now = now or utcnow()
    finish_transaction(db)
    expired = DataExport.status == "done", DataExport.expires_at <= now
    stale = (DataExport.status.in_(UNFINISHED),
             DataExport.updated_at <= now - settings().export_stale)
    # Read first: this runs on every reconciler tick and should not take a write lock idly.
    if db.scalar(select(DataExport.id).where(or_(and_(*expired), and_(*stale))).limit(1)) is None:
        finish_transaction(db)
        return 0
    gone = db.execute(
        delete(DataExport).where(*expired)
        .returning(DataExport.file_name)
        .execution_options(synchronize_session=False)
    ).scalars().all()
    stuck = db.execute(
        update(DataExport)
        .where(*stale)
        .values(status="failed", error=STALLED, file_name=None, updated_at=now)
        .returning(DataExport.user_id, DataExport.id)
        .execution_options(synchronize_session=False)
    ).all()
    for user_id, export_id in stuck:
        live.export_progressed(db, user_id, export_id, 0, "failed")
    db.commit()
    for name in gone:
        remove_file(name)
    if stuck:
        sweep_orphans(db)
    return len(gone) + len(stuck)


def sweep_orphans(db: Session, *, min_age_seconds: int = 600) -> int:
    """Delete export files no row names (temp files only once older than `min_age_seconds`)."""
    folder = exports_dir()
    if not folder.is_dir():
        return 0
    finish_transaction(db)
    named = set(db.scalars(select(DataExport.file_name).where(DataExport.file_name.is_not(None))))
    finish_transaction(db)
    cutoff = time.time() - min_age_seconds
    removed = 0
    for path in folder.iterdir():
        temporary = path.name.startswith(".tmp-")
        if not path.is_file() or path.name in named:
            continue
        if temporary and path.stat().st_mtime >= cutoff:
            continue
        storage.remove_quietly(path)
        removed += 1
    return removed
