"""Accounts: sign-up, log-in with throttling, and server-side sessions."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import live, ratelimits
from ..config import settings
from ..db import is_postgres, release_write_lock, write_transaction
from ..forms import FormErrors
from ..models import LoginThrottle, User, UserSession, utcnow
from ..profiles import usernames
from ..ratelimits import Throttled
from . import passwords

BAD_CREDENTIALS = "Incorrect username or password."
# The client of calls made outside any request (scripts, benchmarks, tests of domain code):
# trusted, so no per-client or global rate limit applies to it.
LOCAL = None


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
    throttle_key = _throttle_key(key, client)
    with write_transaction(db):
        if wait := _lock_throttle(db, throttle_key, utcnow()):
            return LoginResult(error=_throttled_message(wait), retry_after=wait)
        _spend_password_check(db, client)
        _record_failure(db, throttle_key, utcnow())
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
        _refund_password_check(db, client)
    return LoginResult(user=user)


def check_current_password(
    db: Session, user: User, password: str, client: str | None = LOCAL
) -> str | None:
    """None when `password` is the user's own; otherwise why not, throttled like log-ins."""
    throttle_key = _throttle_key(user.username_key, client)
    with write_transaction(db):
        if wait := _lock_throttle(db, throttle_key, utcnow()):
            return _throttled_message(wait)
        _spend_password_check(db, client)
        _record_failure(db, throttle_key, utcnow())
        stored = db.scalar(select(User.password_hash).where(User.id == user.id))
    if passwords.verify_password(stored, password):
        with write_transaction(db):
            db.execute(delete(LoginThrottle).where(LoginThrottle.username_key == throttle_key))
            _refund_password_check(db, client)
        return None
    return "Current password is incorrect."


def _spend_password_check(db: Session, client: str | None) -> None:
    """Count one password check for the client and for everyone; Throttled past either limit.

    Counted before the check, so parallel guesses cannot all slip through; a right password
    gives the client's count back (`_refund_password_check`), so people on one network
    logging in correctly never lock each other out.
    """
    if client is LOCAL:
        return
    limits = settings()
    if wait := ratelimits.spend(db, limits.limit_password_checks_per_client, "passwords", client):
        db.commit()
        raise Throttled(wait, "Too many password attempts from your network.")
    if wait := ratelimits.spend(db, limits.limit_password_checks_global, "passwords"):
        db.commit()
        raise Throttled(wait, "Too many password attempts right now.")


def _refund_password_check(db: Session, client: str | None) -> None:
    """A right password: the client's check does not count against its network."""
    if client is not LOCAL:
        ratelimits.refund(db, settings().limit_password_checks_per_client, "passwords", client)


def _throttle_key(username_key: str, client: str | None) -> str:
    """The throttle row for one name tried from one client, so others cannot lock the owner out."""
    digest = hashlib.sha256((client or "local").encode()).hexdigest()[:16]
    return f"{username_key} {digest}"


def _lock_throttle(db: Session, key: str, now: datetime) -> int:
    """Lock the throttle row of a name and client until the commit; seconds it must still
    wait (0: none). The caller then counts the attempt as a failure in the same
    transaction (cleared on success), so parallel attempts queue behind each other."""
    dialect = postgresql if is_postgres(db) else sqlite
    db.execute(dialect.insert(LoginThrottle).values(username_key=key, failures=0)
               .on_conflict_do_nothing())
    blocked_until = db.scalar(
        select(LoginThrottle.blocked_until).where(LoginThrottle.username_key == key)
        .with_for_update()
    )
    if blocked_until and blocked_until > now:
        return int((blocked_until - now).total_seconds()) + 1
    return 0


def _throttled_message(seconds: int) -> str:
    """A person-readable wait message."""
    unit = "second" if seconds == 1 else "seconds"
    return f"Too many failed attempts. Please wait {seconds} {unit} and try again."


def _record_failure(db: Session, key: str, now: datetime) -> None:
    """Count a failure atomically and, past the free ones, block for a growing delay."""
    dialect = postgresql if is_postgres(db) else sqlite
    upsert = dialect.insert(LoginThrottle).values(username_key=key, failures=1, last_failure_at=now)
    db.execute(
        upsert.on_conflict_do_update(
            index_elements=["username_key"],
            set_={"failures": LoginThrottle.failures + 1, "last_failure_at": now},
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
    if message := check_current_password(db, user, current, client):
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
