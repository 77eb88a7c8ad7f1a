"""Username rules and normalisation (shared by sign-up and rename), and the rename service."""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from .. import live
from ..config import settings
from ..db import expire_loaded, finish_transaction
from ..forms import has_control_characters
from ..models import User, UsernameChange, utcnow
from ..names import normalise, username_key, username_skeleton

MIN_LENGTH = 3
MAX_LENGTH = 30
_ALLOWED = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")

RESERVED = frozenset(
    {
        "about", "account", "admin", "api", "auth", "events", "explore", "fragments",
        "generations", "healthz", "help", "library", "login", "logout", "me", "media",
        "new", "posts", "releases", "root", "settings", "signup", "soundstage", "static",
        "studio", "support", "system", "u", "user", "users", "www",
    }
)  # fmt: skip


def validation_error(raw: str) -> str | None:
    """Why `raw` cannot be a username, or None when it can."""
    name = normalise(raw)
    if any(ch in name for ch in "\r\n\t") or has_control_characters(name):
        return "Username contains characters that are not allowed."
    if not name:
        return "Username is required."
    if not name.isascii():
        return "Username may use only English letters, digits, '_', '.' and '-'."
    if len(name) < MIN_LENGTH:
        return f"Username must be at least {MIN_LENGTH} characters."
    if len(name) > MAX_LENGTH:
        return f"Username must be at most {MAX_LENGTH} characters."
    if not _ALLOWED.fullmatch(name):
        if not name[0].isalnum():
            return "Username must start with a letter or a digit."
        return "Username may use only English letters, digits, '_', '.' and '-'."
    if username_key(name) in RESERVED:
        return "That username is reserved. Please choose another."
    return None


# --- The rename service -------------------------------------------------------------------

log = logging.getLogger(__name__)

TAKEN = "That username is taken. Please choose another."
NOTHING_TO_CHANGE = "Nothing to change."
BUSY = "The service is busy right now. Please try again in a moment."
NO_UNDO = "There is no recent username change to undo."
UNDO_TAKEN = "Your previous username has been taken by someone else, so it cannot be restored."
BUSY_SIGNS = ("database is locked", "database is busy", "deadlock detected", "lock timeout")


class Outcome(StrEnum):
    """What a rename, an undo or a profile-settings save came to."""

    RENAMED = "renamed"
    UNDONE = "undone"
    SAVED = "saved"
    UNCHANGED = "unchanged"
    INVALID = "invalid"
    TAKEN = "taken"
    TOO_SOON = "too_soon"
    BUSY = "busy"
    NO_UNDO = "no_undo"


@dataclass
class RenameResult:
    """What a rename or undo came to: an outcome, a message for people, and its details."""

    outcome: Outcome
    message: str
    username: str | None = None
    retry_at: datetime | None = None

    @property
    def ok(self) -> bool:
        """Whether the name changed."""
        return self.outcome in (Outcome.RENAMED, Outcome.UNDONE)


def rename_interval() -> timedelta:
    """How long a user waits between renames (RENAME_INTERVAL)."""
    return settings().rename_interval


def undo_window() -> timedelta:
    """How long after a rename it can be undone (RENAME_UNDO_WINDOW)."""
    return settings().rename_undo_window


def too_soon_message(retry_at: datetime) -> str:
    """Tell people when they may change their username again."""
    moment = retry_at.astimezone(UTC).strftime("%d %b %Y at %H:%M:%S UTC")
    hours = rename_interval().total_seconds() / 3600
    every = f"once every {hours:g} hours" if hours != 1 else "once an hour"
    return f"You can change your username {every}. You can change it again at {moment}."


def rename_user(
    db: Session,
    user_id: int,
    new_name: str,
    now: datetime | None = None,
    *,
    also: Callable[[Session], None] | None = None,
) -> RenameResult:
    """Rename a user in one transaction: name, key, limit, version, history row and event.

    The unique key decides races (a loser gets "taken"); one conditional UPDATE
    enforces the rolling limit. `also` runs inside the same transaction (for example
    an avatar change saved with the rename). Commits whatever the session held first.
    """
    now = now or utcnow()
    if message := validation_error(new_name):
        return RenameResult(Outcome.INVALID, message)
    name = normalise(new_name)
    key = username_key(name)
    interval = rename_interval()
    finish_transaction(db)
    current = db.execute(
        select(User.username, User.username_key).where(User.id == user_id)
    ).one_or_none()
    finish_transaction(db)
    if current is None:
        raise LookupError(f"no user {user_id}")
    if current.username == name:
        return RenameResult(Outcome.UNCHANGED, NOTHING_TO_CHANGE, username=name)
    cutoff = now - interval
    # The first statement of the transaction is a write, so SQLite takes its write lock
    # at once (waiting up to busy_timeout) instead of failing to upgrade a read.
    statement = (
        update(User)
        .where(
            User.id == user_id,
            User.username == current.username,
            or_(User.username_changed_at.is_(None), User.username_changed_at <= cutoff),
        )
        .values(
            username=name,
            username_key=key,
            username_skeleton=username_skeleton(name),
            username_changed_at=now,
            updated_at=now,
            **live.profile_bump(),
        )
        .execution_options(synchronize_session=False)
    )
    refused = _apply_change(
        db, statement, user_id, current.username, name, now, "rename",
        taken=TAKEN, on_miss=lambda: _refusal(db, user_id, now, interval), also=also,
    )
    if refused is not None:
        return refused
    log.info("user %s renamed %r -> %r", user_id, current.username, name)
    return RenameResult(
        Outcome.RENAMED, f"Username changed to {name}.", username=name
    )


def undo_rename(db: Session, user_id: int, now: datetime | None = None) -> RenameResult:
    """Go back to the name before the last rename, within the undo window, once.

    Exempt from the rename limit; recorded as its own history row (kind "undo"),
    which itself cannot be undone.
    """
    now = now or utcnow()
    finish_transaction(db)
    last = undoable_change(db, user_id, now)
    finish_transaction(db)
    if last is None:
        return RenameResult(Outcome.NO_UNDO, NO_UNDO)
    target = last.old_username
    key = username_key(target)
    statement = (
        update(User)
        .where(User.id == user_id, User.username == last.new_username)
        .values(
            username=target,
            username_key=key,
            username_skeleton=username_skeleton(target),
            updated_at=now,
            **live.profile_bump(),
        )
        .execution_options(synchronize_session=False)
    )
    # A miss means someone undid or renamed at the same moment: this undo no longer applies.
    refused = _apply_change(
        db, statement, user_id, last.new_username, target, now, "undo",
        taken=UNDO_TAKEN, on_miss=lambda: RenameResult(Outcome.NO_UNDO, NO_UNDO),
    )
    if refused is not None:
        return refused
    log.info("user %s undid a rename %r -> %r", user_id, last.new_username, target)
    return RenameResult(
        Outcome.UNDONE, f"Username changed back to {target}.", username=target
    )


def undoable_change(db: Session, user_id: int, now: datetime | None = None):
    """The user's last change when it is a rename that may still be undone, else None."""
    now = now or utcnow()
    last = db.scalars(
        select(UsernameChange)
        .where(UsernameChange.user_id == user_id)
        .order_by(UsernameChange.id.desc())
        .limit(1)
    ).first()
    if last is None or last.kind != "rename" or now - last.changed_at > undo_window():
        return None
    current = db.scalar(select(User.username).where(User.id == user_id))
    return last if current == last.new_username else None


def next_rename_at(db: Session, user_id: int, now: datetime | None = None) -> datetime | None:
    """When the user may rename again, or None if they may now."""
    now = now or utcnow()
    changed = db.scalar(select(User.username_changed_at).where(User.id == user_id))
    if changed is None or changed <= now - rename_interval():
        return None
    return changed + rename_interval()


def history(db: Session, user_id: int) -> list[UsernameChange]:
    """Every change of a user's name, newest first."""
    return list(
        db.scalars(
            select(UsernameChange)
            .where(UsernameChange.user_id == user_id)
            .order_by(UsernameChange.id.desc())
        )
    )


def find_profile(db: Session, raw_name: str) -> tuple[User | None, str | None]:
    """(the user holding this name, None), or (None, their current name) for an old
    name nobody holds now (the most recent holder wins), or (None, None)."""
    name = normalise(raw_name)
    if not name or len(name) > MAX_LENGTH or not name.isascii() or has_control_characters(name):
        return None, None
    key = username_key(name)
    user = db.scalar(select(User).where(User.username_key == key, User.deleted_at.is_(None)))
    if user is not None:
        return user, None
    current = db.scalar(
        select(User.username)
        .join(UsernameChange, UsernameChange.user_id == User.id)
        .where(UsernameChange.old_key == key, User.deleted_at.is_(None))
        .order_by(UsernameChange.id.desc())
        .limit(1)
    )
    return None, current


def _apply_change(
    db: Session,
    statement,
    user_id: int,
    old: str,
    new: str,
    now: datetime,
    kind: str,
    *,
    taken: str,
    on_miss: Callable[[], RenameResult],
    also: Callable[[Session], None] | None = None,
) -> RenameResult | None:
    """Run a name UPDATE, its history row and its event in one transaction; None when done."""
    try:
        if db.execute(statement).rowcount != 1:
            db.rollback()
            return on_miss()
        _record_change(db, user_id, old, new, username_key(old), now, kind)
        if also is not None:
            also(db)
        live.username_changed(db, user_id, new)
        db.commit()
    except IntegrityError:
        db.rollback()
        return RenameResult(Outcome.TAKEN, taken)
    except OperationalError as error:
        db.rollback()
        if _is_busy(error):
            return RenameResult(Outcome.BUSY, BUSY)
        raise
    expire_loaded(db, User, user_id)
    return None


def _record_change(
    db: Session, user_id: int, old: str, new: str, old_key: str, now: datetime, kind: str
) -> None:
    """Append one history row (the table refuses updates and deletes)."""
    db.execute(
        insert(UsernameChange.__table__).values(
            user_id=user_id, old_username=old, new_username=new, old_key=old_key,
            changed_at=now, kind=kind,
        )
    )


def _refusal(db: Session, user_id: int, now: datetime, interval: timedelta) -> RenameResult:
    """Why the conditional UPDATE matched no row: too soon, or a change at the same moment."""
    changed = db.scalar(select(User.username_changed_at).where(User.id == user_id))
    finish_transaction(db)
    if changed is not None and changed > now - interval:
        retry_at = changed + interval
        return RenameResult(Outcome.TOO_SOON, too_soon_message(retry_at), retry_at=retry_at)
    return RenameResult(Outcome.BUSY, BUSY)


def _is_busy(error: OperationalError) -> bool:
    """Whether a database error means "try again" (SQLite lock, PostgreSQL lock wait)."""
    text = str(error.orig).lower()
    return any(sign in text for sign in BUSY_SIGNS)
