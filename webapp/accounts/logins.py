"""Accounts: sign-up, log-in with throttling, and server-side sessions."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..config import settings
from ..db import is_postgres
from ..forms import FormErrors
from ..models import LoginThrottle, User, UserSession, utcnow
from ..profiles import usernames
from . import passwords

BAD_CREDENTIALS = "Incorrect username or password."


@dataclass
class LoginResult:
    """What a log-in attempt came to: a user, or a message and how long to wait."""

    user: User | None = None
    error: str | None = None
    retry_after: int = 0


def sign_up(db: Session, raw_username: str, password: str) -> tuple[User | None, FormErrors]:
    """Create an account, or say what is wrong with the input; commits on success."""
    errors = FormErrors()
    if message := usernames.validation_error(raw_username):
        errors.add("username", message)
    if message := passwords.validation_error(password):
        errors.add("password", message)
    if errors:
        return None, errors
    name = usernames.normalise(raw_username)
    user = User(
        username=name,
        username_key=usernames.username_key(name),
        password_hash=passwords.hash_password(password),
    )
    db.add(user)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        errors.add("username", usernames.TAKEN)
        return None, errors
    return user, errors


def authenticate(db: Session, raw_username: str, password: str) -> LoginResult:
    """Check credentials, throttling failures per name whether or not the account exists."""
    key = usernames.username_key(usernames.normalise(raw_username))[:64]
    now = utcnow()
    if wait := _blocked_seconds(db, key, now):
        return LoginResult(error=_throttled_message(wait), retry_after=wait)
    user = db.scalar(select(User).where(User.username_key == key)) if key else None
    if passwords.verify_password(user.password_hash if user else None, password):
        if passwords.needs_rehash(user.password_hash):
            user.password_hash = passwords.hash_password(password)
        db.execute(delete(LoginThrottle).where(LoginThrottle.username_key == key))
        db.commit()
        return LoginResult(user=user)
    _record_failure(db, key, now)
    return LoginResult(error=BAD_CREDENTIALS)


def check_current_password(db: Session, user: User, password: str) -> str | None:
    """None when `password` is the user's own; otherwise why not, throttled like log-ins."""
    now = utcnow()
    if wait := _blocked_seconds(db, user.username_key, now):
        return _throttled_message(wait)
    if passwords.verify_password(user.password_hash, password):
        return None
    _record_failure(db, user.username_key, now)
    return "Current password is incorrect."


def _blocked_seconds(db: Session, key: str, now: datetime) -> int:
    """How many seconds a name must still wait after failed attempts (0: none)."""
    throttle = db.get(LoginThrottle, key)
    if throttle and throttle.blocked_until and throttle.blocked_until > now:
        return int((throttle.blocked_until - now).total_seconds()) + 1
    return 0


def _throttled_message(seconds: int) -> str:
    """A person-readable wait message."""
    unit = "second" if seconds == 1 else "seconds"
    return f"Too many failed attempts. Please wait {seconds} {unit} and try again."


def _record_failure(db: Session, key: str, now: datetime) -> None:
    """Count a failure atomically and, past the free ones, block for a growing delay."""
    dialect = postgresql if is_postgres(db) else sqlite
    upsert = dialect.insert(LoginThrottle).values(username_key=key, failures=1)
    db.execute(
        upsert.on_conflict_do_update(
            index_elements=["username_key"],
            set_={"failures": LoginThrottle.failures + 1},
        )
    )
    failures = db.scalar(select(LoginThrottle.failures).where(LoginThrottle.username_key == key))
    free = settings().login_throttle_free_failures
    if failures > free:
        delay = min(2 ** (failures - free), settings().login_throttle_max_seconds)
        db.execute(
            update(LoginThrottle)
            .where(LoginThrottle.username_key == key)
            .values(blocked_until=now + timedelta(seconds=delay))
        )
    db.commit()


def start_session(db: Session, user: User, user_agent: str) -> UserSession:
    """Record a new signed-in browser with a random id (256 bits)."""
    row = UserSession(id=secrets.token_urlsafe(32), user_id=user.id, user_agent=user_agent[:200])
    db.add(row)
    db.commit()
    return row


def load_session(db: Session, session_id: str) -> UserSession | None:
    """The live session row for an id from a cookie, if it still exists."""
    if not session_id or len(session_id) > 64:
        return None
    row = db.get(UserSession, session_id)
    if row is not None and (utcnow() - row.last_seen) > timedelta(minutes=5):
        # Coarse last-seen stamp: one write per five minutes, not per request.
        row.last_seen = utcnow()
        db.commit()
    return row


def end_session(db: Session, session_id: str) -> None:
    """Sign one browser out for good."""
    db.execute(delete(UserSession).where(UserSession.id == session_id))
    db.commit()


def end_other_sessions(db: Session, user_id: int, keep_session_id: str) -> int:
    """Sign out every browser of a user but one; returns how many ended."""
    result = db.execute(
        delete(UserSession).where(UserSession.user_id == user_id, UserSession.id != keep_session_id)
    )
    db.commit()
    return result.rowcount


def list_sessions(db: Session, user_id: int) -> list[UserSession]:
    """A user's signed-in browsers, most recently seen first."""
    return list(
        db.scalars(
            select(UserSession)
            .where(UserSession.user_id == user_id)
            .order_by(UserSession.last_seen.desc())
        )
    )


def change_password(
    db: Session, user: User, current: str, new: str, keep_session_id: str
) -> FormErrors:
    """Change a password after checking the current one; other sessions end."""
    errors = FormErrors()
    if message := check_current_password(db, user, current):
        errors.add("current_password", message)
    if message := passwords.validation_error(new):
        errors.add("new_password", message)
    if errors:
        return errors
    user.password_hash = passwords.hash_password(new)
    db.commit()
    end_other_sessions(db, user.id, keep_session_id)
    return errors
