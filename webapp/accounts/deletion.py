"""Deleting an account: disabled at once, then erased in small batches, and nothing kept.

Deleting is two steps so that no transaction holds the write lock for long. First, one
short transaction disables the account: it signs out everywhere, frees the username (as
a renamed-away name is, docs/decisions.md) and, through `users.deleted_at`, makes every
public page of it vanish (accounts/standing.py). Then a background job erases the rows,
a bounded batch per transaction, leaves of the foreign-key tree first (so no cascade
of one statement is ever large), and each batch's files only after it commits (a
rollback must not leave rows pointing at missing files). The job holds a lease on the
account; the reconciler starts it again for an account whose lease ran out (a crash),
and a final sweep removes anything a job running meanwhile may have written.
"""

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Table, delete, or_, select, tuple_, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from .. import live, passwords, storage
from ..db import Base, finish_transaction, write_transaction
from ..forms import FormErrors
from ..models import LoginThrottle, User, UserSession, utcnow
from ..profiles import avatars, usernames
from ..studio import generations
from . import exports

log = logging.getLogger(__name__)

NAME_MISMATCH = "Type your username exactly as it is shown to confirm."
BUSY = "The service is busy right now. Nothing was deleted. Please try again in a moment."
# Rows per erasing transaction: a few milliseconds of write lock each.
BATCH = 200
# After a batch, the job rests as long as the batch took (at most this many seconds):
# SQLite's busy handler is not a queue, and writers polling for the lock must find it free.
REST_MAX = 0.1
# How long an erasing job may go without finishing a batch before the reconciler restarts it.
LEASE = timedelta(minutes=2)
# Tables whose rows may go only with the account's own row (the history's append-only rule).
WITH_THE_ACCOUNT = {"username_changes"}
# What each table's rows say about files to remove once their deletion commits.
FILE_COLUMNS = {
    "generations": ("id", "kind"),
    "media": ("file_path", "preview_path"),
    "data_exports": ("file_name",),
    "users": ("avatar", "banner"),
}


@dataclass
class Erased:
    """What an account deletion removed."""

    user_id: int
    generations: list[tuple[int, str]] = field(default_factory=list)
    media_files: list[str] = field(default_factory=list)
    export_files: list[str] = field(default_factory=list)
    pictures: list[tuple[str, avatars.Picture]] = field(default_factory=list)
    swept: int = 0
    batches: int = 0

    @property
    def files(self) -> int:
        """How many stored files the account had (media, previews, pictures, exports)."""
        return len(self.media_files) + len(self.export_files) + len(self.pictures)


class Gone(Exception):
    """The account being erased is no longer there to erase (another job finished it)."""


def delete_account(
    db: Session, user: User, password: str, typed_name: str, client: str | None = passwords.LOCAL
) -> FormErrors:
    """Disable the signed-in person's account once their password and typed name confirm it.

    The password check is throttled like a log-in from `client`. The caller enqueues
    `erase` for the user's id when no error comes back.
    """
    errors = FormErrors()
    typed = usernames.normalise(typed_name)
    if not typed or usernames.username_key(typed) != user.username_key:
        errors.add("confirm_username", NAME_MISMATCH)
    if not password:
        errors.add("delete_password", "Enter your password to delete your account.")
    elif message := passwords.check_current_password(db, user, password, client):
        errors.add("delete_password", message)
    if errors:
        return errors
    if not disable(db, user.id):
        errors.add("form", BUSY)
    return errors


def disable(db: Session, user_id: int, now: datetime | None = None) -> bool:
    """Disable an account in one short transaction: signed out, name freed, pages gone.

    False when the database was busy (nothing changed) or the user did not exist.
    """
    finish_transaction(db)
    now = now or utcnow()
    try:
        with write_transaction(db):
            key = db.scalar(select(User.username_key).where(
                User.id == user_id, User.deleted_at.is_(None)))
            if key is None:
                return False
            db.execute(
                update(User).where(User.id == user_id)
                # No typed name normalises to "~…": the name is free, the unique key kept.
                .values(deleted_at=now, erase_lease_until=now + LEASE,
                        username_key=f"~{user_id}", username_skeleton=None)
                .execution_options(synchronize_session=False)
            )
            db.execute(delete(UserSession).where(UserSession.user_id == user_id))
            db.execute(delete(LoginThrottle).where(or_(
                LoginThrottle.username_key == key,
                # "<key> <client digest>": the name's throttles from every client.
                (LoginThrottle.username_key > f"{key} ") & (LoginThrottle.username_key < f"{key}!"),
            )))
            live.account_deleted(db, user_id)
    except OperationalError:
        log.warning("disabling user %s failed: database busy", user_id)
        return False
    return True


def erase_user(db: Session, user_id: int) -> Erased | None:
    """Disable the account and erase it now, in this thread (support command, tests).

    None when the database was busy or the user did not exist.
    """
    if not disable(db, user_id):
        return None
    return erase(db, user_id)


def erase(db: Session, user_id: int) -> Erased | None:
    """Erase a disabled account's rows in bounded batches, then its files; commits.

    Safe to run again after a crash, or beside another run: each batch deletes what is
    still there. None when there is no disabled account of that id.
    """
    finish_transaction(db)
    if db.scalar(select(User.id).where(User.id == user_id, User.deleted_at.is_not(None))) is None:
        db.rollback()
        return None
    erased = Erased(user_id)
    users = Base.metadata.tables["users"]
    try:
        _erase_rows(db, users, users.c.id == user_id, erased)
    except Gone:
        log.info("user %s was erased by another job", user_id)
    finish_transaction(db)
    erased.swept = sweep(db)
    log.info("user %s deleted: %s files in %s batches", user_id, erased.files, erased.batches)
    return erased


def _erase_rows(db: Session, table: Table, where, erased: Erased) -> None:
    """Delete the rows of `table` matching `where`, the rows that point at them first."""
    for fk in _REFERENCES[table.name]:
        child = fk.parent.table
        if child.name in WITH_THE_ACCOUNT:
            continue
        pointing = fk.parent.in_(select(fk.column).where(where))
        if fk.ondelete == "SET NULL":
            _in_batches(db, child, pointing, erased, set_null=fk.parent)
        else:
            _erase_rows(db, child, pointing, erased)
    _in_batches(db, table, where, erased)


def _in_batches(db: Session, table: Table, where, erased: Erased, set_null=None) -> None:
    """Delete (or detach, for SET NULL) matching rows, BATCH per write transaction."""
    keys = list(table.primary_key.columns)
    noted = [table.c[name] for name in FILE_COLUMNS.get(table.name, ())] if set_null is None else []
    while True:
        batch = Erased(erased.user_id)
        started = time.perf_counter()
        with write_transaction(db):
            _renew_lease(db, erased.user_id)
            rows = db.execute(select(*keys, *noted).where(where).limit(BATCH)).all()
            if rows:
                chosen = (keys[0].in_([row[0] for row in rows]) if len(keys) == 1
                          else tuple_(*keys).in_([tuple(row[:len(keys)]) for row in rows]))
                if set_null is not None:
                    db.execute(update(table).where(chosen).values({set_null.key: None})
                               .execution_options(synchronize_session=False))
                else:
                    db.execute(delete(table).where(chosen)
                               .execution_options(synchronize_session=False))
                _note_files(table.name, [row[len(keys):] for row in rows], batch)
        erased.batches += 1
        if rows:
            time.sleep(min(time.perf_counter() - started, REST_MAX))
        _remove_files(batch)
        erased.generations += batch.generations
        erased.media_files += batch.media_files
        erased.export_files += batch.export_files
        erased.pictures += batch.pictures
        if len(rows) < BATCH:
            return


def _renew_lease(db: Session, user_id: int) -> None:
    """Hold the erasing job's lease a while longer; Gone if the account row went."""
    held = db.execute(
        update(User).where(User.id == user_id, User.deleted_at.is_not(None))
        .values(erase_lease_until=utcnow() + LEASE)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not held:
        raise Gone()


def _note_files(table: str, rows: list, erased: Erased) -> None:
    """Remember the files named by rows a batch deletes."""
    for row in rows:
        if table == "generations":
            erased.generations.append((row[0], row[1]))
        elif table == "media":
            erased.media_files.extend(path for path in row if path)
        elif table == "data_exports" and row[0]:
            erased.export_files.append(row[0])
        elif table == "users":
            pictures = zip(row, (avatars.AVATAR, avatars.BANNER), strict=True)
            erased.pictures.extend((name, kind) for name, kind in pictures if name)


def _references() -> dict[str, list]:
    """For each table, the foreign keys of other tables that point at it."""
    found = defaultdict(list)
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            found[fk.column.table.name].append(fk)
    return found


_REFERENCES = _references()


def erasures_due(db: Session, now: datetime | None = None) -> list[int]:
    """Disabled accounts whose erasing job is not running (lease ran out); takes their
    leases and returns their ids, for the reconciler to enqueue."""
    now = now or utcnow()
    with write_transaction(db):
        ids = list(db.scalars(
            update(User)
            .where(User.deleted_at.is_not(None),
                   or_(User.erase_lease_until.is_(None), User.erase_lease_until < now))
            .values(erase_lease_until=now + LEASE)
            .returning(User.id)
            .execution_options(synchronize_session=False)
        ))
    return ids


def _remove_files(erased: Erased) -> None:
    """Delete every file the committed deletion left without a row."""
    for relative in erased.media_files:
        storage.remove_quietly(storage.absolute(relative))
    for generation_id, kind in erased.generations:
        generations.remove_files(generation_id, kind)
    for name, kind in erased.pictures:
        avatars.remove(name, kind)
    for name in erased.export_files:
        exports.remove_file(name)


def sweep(db: Session) -> int:
    """Remove stored files no row refers to any more; returns how many went."""
    return (
        generations.sweep_orphans(db) + avatars.sweep_orphans(db) + exports.sweep_orphans(db)
    )
