"""Deleting an account: every row and file the person owns, in one step, and nothing kept.

The rows go in one transaction; their files only after it commits (a rollback must not
leave rows pointing at missing files), then a sweep removes anything a job still running
at that moment may have written. The username is free at once, as a renamed-away name is
(docs/decisions.md); the history rows go with the account.
"""

import logging
from dataclasses import dataclass, field

from sqlalchemy import delete
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from .. import live, passwords, storage
from ..db import finish_transaction
from ..forms import FormErrors
from ..models import DataExport, Generation, LoginThrottle, Media, User
from ..profiles import avatars, usernames
from ..studio import generations
from . import exports

log = logging.getLogger(__name__)

NAME_MISMATCH = "Type your username exactly as it is shown to confirm."
BUSY = "The service is busy right now. Nothing was deleted. Please try again in a moment."


@dataclass
class Erased:
    """What an account deletion removed."""

    user_id: int
    generations: list[tuple[int, str]] = field(default_factory=list)
    media_files: list[str] = field(default_factory=list)
    export_files: list[str] = field(default_factory=list)
    pictures: list[tuple[str, avatars.Picture]] = field(default_factory=list)
    swept: int = 0

    @property
    def files(self) -> int:
        """How many stored files the account had (media, previews, pictures, exports)."""
        return len(self.media_files) + len(self.export_files) + len(self.pictures)


def delete_account(db: Session, user: User, password: str, typed_name: str) -> FormErrors:
    """Delete the signed-in person's account once their password and typed name confirm it."""
    errors = FormErrors()
    typed = usernames.normalise(typed_name)
    if not typed or usernames.username_key(typed) != user.username_key:
        errors.add("confirm_username", NAME_MISMATCH)
    if not password:
        errors.add("delete_password", "Enter your password to delete your account.")
    elif message := passwords.check_current_password(db, user, password):
        errors.add("delete_password", message)
    if errors:
        return errors
    if erase_user(db, user.id) is None:
        errors.add("form", BUSY)
    return errors


def erase_user(db: Session, user_id: int) -> Erased | None:
    """Remove the user's rows in one transaction, then their files, then sweep; commits.

    Generations go first: a worker completing one holds its row, so this waits for it
    (and then sees its media row) instead of deadlocking on the users row. Rows of other
    people that point at the user's go through the foreign keys' ON DELETE rules.
    None when the database was busy (nothing was deleted) or the user did not exist.
    """
    finish_transaction(db)
    erased = Erased(user_id)
    try:
        erased.generations = [
            (row.id, row.kind) for row in db.execute(
                delete(Generation).where(Generation.user_id == user_id)
                .returning(Generation.id, Generation.kind)
                .execution_options(synchronize_session=False)
            )
        ]
        for row in db.execute(
            delete(Media).where(Media.user_id == user_id)
            .returning(Media.file_path, Media.preview_path)
            .execution_options(synchronize_session=False)
        ):
            erased.media_files.extend(path for path in row if path)
        erased.export_files = [
            name for name in db.scalars(
                delete(DataExport).where(DataExport.user_id == user_id)
                .returning(DataExport.file_name)
                .execution_options(synchronize_session=False)
            ) if name
        ]
        account = db.execute(
            delete(User).where(User.id == user_id)
            .returning(User.username_key, User.avatar, User.banner)
            .execution_options(synchronize_session=False)
        ).one_or_none()
        if account is None:
            db.rollback()
            return None
        db.execute(delete(LoginThrottle).where(LoginThrottle.username_key == account.username_key))
        live.account_deleted(db, user_id)
        db.commit()
    except OperationalError:
        db.rollback()
        log.warning("deleting user %s failed: database busy", user_id)
        return None
    erased.pictures = [
        (name, kind) for name, kind in ((account.avatar, avatars.AVATAR),
                                        (account.banner, avatars.BANNER)) if name
    ]
    _remove_files(erased)
    erased.swept = sweep(db)
    log.info("user %s deleted: %s files", user_id, erased.files)
    return erased


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
