"""Accounts: sign-up, log-in with throttling, and server-side sessions."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import live, passwords, ratelimits
from ..config import settings
from ..db import release_write_lock, write_transaction
from ..forms import FormErrors
from ..models import LoginThrottle, User, UserSession, utcnow
from ..profiles import usernames
from ..ratelimits import Throttled

BAD_CREDENTIALS = "Incorrect username or password."
LOCAL = passwords.LOCAL


@dataclass
class LoginResult:
    """What a log-in attempt came to: a user, or a message and how long to wait."""

    user: User | None = None
    error: str | None = None
    retry_after: int = 0


def sign_up(
    db: Session, raw_username: str, password: str, client: str | None = LOCAL
) -> tuple[User | None, FormErrors]:
    """Create an account, or say what is wrong with the input; commits on success.

    Raises Throttled when this client, or everyone together, signed up too often.
    """
    errors = FormErrors()
    if message := usernames.validation_error(raw_username):
        errors.add("username", message)
    if message := passwords.validation_error(password):
        errors.add("password", message)
    if errors:
        return None, errors
    if client is not LOCAL:
        limits = settings()
        with write_transaction(db):
            wait = ratelimits.spend(db, limits.limit_signups_per_client, "signups", client)
            wait = wait or ratelimits.spend(db, limits.limit_signups_global, "signups")
        if wait:
            raise Throttled(wait, "Too many new accounts were made just now.")
    name = usernames.normalise(raw_username)
    # Hashed before the transaction begins: no lock is held for the ~0.1 s it takes.
    password_hash = passwords.hash_password(password)
    try:
        with write_transaction(db):
            user = User(
                username=name, username_key=usernames.username_key(name),
                username_skeleton=usernames.username_skeleton(name), password_hash=password_hash,
            )
            db.add(user)
    except IntegrityError:
        errors.add("username", usernames.TAKEN)
        return None, errors
    return user, errors


def authenticate(
    db: Session, raw_username: str, password: str, client: str | None = LOCAL
) -> LoginResult:
    """Check credentials, throttling failures per name and client whether or not the account exists.

    Short transactions around the password check, which holds none: count the attempt
    (a failure until it succeeds, so parallel guesses cannot all slip past the throttle)
    and read the hash, check it, then clear the count on success.
    """
    key = usernames.username_key(usernames.normalise(raw_username))[:30]
    throttle_key = passwords.throttle_key(key, client)
    with write_transaction(db):
        if wait := passwords.lock_throttle(db, throttle_key, utcnow()):
            return LoginResult(error=passwords.throttled_message(wait), retry_after=wait)
        passwords.spend_check(db, client)
        passwords.record_failure(db, throttle_key, utcnow())
        user = db.scalar(select(User).where(User.username_key == key)) if key else None
        stored = user.password_hash if user else None
    if not passwords.verify_password(stored, password):
        return LoginResult(error=BAD_CREDENTIALS)
    new_hash = passwords.hash_password(password) if passwords.needs_rehash(stored) else None
    with write_transaction(db):
        if new_hash:
            db.execute(
                update(User).where(User.id == user.id, User.password_hash == stored)
                .values(password_hash=new_hash).execution_options(synchronize_session=False)
            )
        db.execute(delete(LoginThrottle).where(LoginThrottle.username_key == throttle_key))
        passwords.refund_check(db, client)
    return LoginResult(user=user)


def start_session(db: Session, user: User, user_agent: str) -> UserSession:
    """Record a new signed-in browser with a random id (256 bits)."""
    row = UserSession(id=secrets.token_urlsafe(32), user_id=user.id, user_agent=user_agent[:200])
    db.add(row)
    db.commit()
    return row


def load_session(db: Session, session_id: str) -> UserSession | None:
    """The live session row for an id from a cookie, if it exists and has not expired."""
    if not session_id or len(session_id) > 64:
        return None
    row = db.get(UserSession, session_id)
    now = utcnow()
    if row is not None and _expired(row, now):
        end_session(db, row.user_id, session_id)
        return None
    if row is not None and (now - row.last_seen) > timedelta(minutes=5):
        # Coarse last-seen stamp: one write per five minutes, not per request.
        with write_transaction(db):
            db.execute(
                update(UserSession).where(UserSession.id == session_id)
                .values(last_seen=utcnow()).execution_options(synchronize_session=False)
            )
    # A writing request goes on without holding SQLite's write lock from this read.
    release_write_lock(db)
    return row


def _expired(row: UserSession, now: datetime) -> bool:
    """Whether a session is past its idle or its absolute lifetime."""
    limits = settings()
    return (now - row.last_seen > limits.session_idle_lifetime
            or now - row.created_at > limits.session_absolute_lifetime)


def end_session(db: Session, user_id: int, session_id: str) -> None:
    """Sign one browser out for good; its live streams close."""
    with write_transaction(db):
        db.execute(delete(UserSession).where(UserSession.id == session_id))
        live.sessions_ended(db, user_id, [session_id])


def end_other_sessions(db: Session, user_id: int, keep_session_id: str) -> int:
    """Sign out every browser of a user but one, closing their streams; returns how many ended."""
    with write_transaction(db):
        ended = list(db.scalars(
            delete(UserSession)
            .where(UserSession.user_id == user_id, UserSession.id != keep_session_id)
            .returning(UserSession.id)
        ))
        live.sessions_ended(db, user_id, ended)
    return len(ended)


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
    db: Session, user: User, current: str, new: str, keep_session_id: str,
    client: str | None = LOCAL,
) -> FormErrors:
    """Change a password after checking the current one; other sessions end."""
    errors = FormErrors()
    if message := passwords.check_current_password(db, user, current, client):
        errors.add("current_password", message)
    if message := passwords.validation_error(new):
        errors.add("new_password", message)
    if errors:
        return errors
    new_hash = passwords.hash_password(new)
    with write_transaction(db):
        db.execute(
            update(User).where(User.id == user.id).values(password_hash=new_hash)
            .execution_options(synchronize_session=False)
        )
    user.password_hash = new_hash
    end_other_sessions(db, user.id, keep_session_id)
    return errors


# (User-Agent marker, name people know), first match wins: Edge and Opera also say "Chrome",
# Chrome also says "Safari".
BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"),
            ("CriOS/", "Chrome"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
SYSTEMS = (("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("CrOS", "ChromeOS"),
           ("Windows", "Windows"), ("Mac OS X", "macOS"), ("Linux", "Linux"))


def browser_name(user_agent: str | None) -> str:
    """A signed-in browser as people say it ("Firefox on Linux"), from its User-Agent."""
    agent = user_agent or ""
    browser = next((name for marker, name in BROWSERS if marker in agent), None)
    system = next((name for marker, name in SYSTEMS if marker in agent), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or (f"A browser on {system}" if system else "Unknown browser")
