"""Profile settings: saving a new username and/or avatar in one transaction, or nothing."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO

from sqlalchemy.orm import Session

from .. import passwords
from ..forms import FormErrors
from ..models import User
from . import avatars, usernames
from .usernames import Outcome


@dataclass
class ProfileResult:
    """What saving the profile settings came to."""

    outcome: Outcome
    errors: FormErrors = field(default_factory=FormErrors)
    message: str = ""
    username: str | None = None  # the new name, when it changed
    avatar: str | None = None  # the new avatar file, when it changed
    retry_at: datetime | None = None


def save_profile(
    db_session: Session,
    user: User,
    raw_username: str | None,
    password: str,
    avatar_upload: BinaryIO | None,
    now: datetime,
    client: str | None = passwords.LOCAL,
) -> ProfileResult:
    """Check everything, then store the new name and/or avatar in one transaction, or nothing.

    A new username needs the current password; None keeps the name. The avatar is
    decoded and re-encoded before anything is written; its file is removed again if
    the rename is refused.
    """
    errors = FormErrors()
    wants_rename = raw_username is not None and usernames.normalise(raw_username) != user.username
    if wants_rename:
        if message := usernames.validation_error(raw_username):
            errors.add("username", message)
        if not password:
            errors.add("current_password", "Enter your current password to change your username.")
        elif message := passwords.check_current_password(db_session, user, password, client):
            errors.add("current_password", message)
    encoded = None
    if avatar_upload is not None:
        try:
            encoded = avatars.prepare(avatars.read_upload(avatar_upload, avatars.max_bytes()))
        except avatars.AvatarError as error:
            errors.add("avatar", str(error))
    if errors:
        return ProfileResult(Outcome.INVALID, errors, "Please check the form.")
    if not wants_rename and encoded is None:
        return ProfileResult(Outcome.UNCHANGED, errors, usernames.NOTHING_TO_CHANGE)
    try:
        filename = avatars.store(encoded) if encoded is not None else None
    except OSError:  # an unwritable or full data directory: say so, change nothing
        errors.add("avatar", "Your picture could not be saved right now. Please try again later.")
        return ProfileResult(Outcome.BUSY, errors, "Please try again later.")
    if not wants_rename:
        avatars.change_avatar(db_session, user.id, filename)
        return ProfileResult(Outcome.SAVED, errors, "Avatar updated.", avatar=filename)
    replaced: list[str | None] = []

    def also(session: Session) -> None:
        """Save the avatar in the rename's transaction."""
        replaced.append(avatars.replace_in_transaction(session, user.id, filename))

    try:
        result = usernames.rename_user(
            db_session, user.id, raw_username, now, also=also if filename else None
        )
    except BaseException:
        avatars.remove(filename)
        raise
    if not result.ok:
        avatars.remove(filename)
        errors.add("username", result.message)
        return ProfileResult(result.outcome, errors, result.message, retry_at=result.retry_at)
    if replaced:
        avatars.remove(replaced[0])
    message = result.message + (" Avatar updated." if filename else "")
    return ProfileResult(Outcome.SAVED, errors, message, username=result.username, avatar=filename)
