"""Password rules (length, common-password blocklist), argon2id hashing a few at a time, and
the password check throttled per name and client (log-in, re-authentication)."""

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from . import ratelimits, upsert
from .config import settings
from .db import write_transaction
from .models import LoginThrottle, User, utcnow
from .ratelimits import Throttled
from .slots import slot

# The client of calls made outside any request (scripts, benchmarks, tests of domain code):
# trusted, so no per-client or global rate limit applies to it.
LOCAL = None

MIN_LENGTH = 8
MAX_LENGTH = 1024
BLOCKLIST = Path(__file__).with_name("common_passwords.txt")
_setup = threading.Lock()


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower-cased."""
    lines = BLOCKLIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def validation_error(password: str) -> str | None:
    """Why `password` cannot be used, or None when it can (NIST 800-63B: length and blocklist)."""
    if len(password) < MIN_LENGTH:
        return f"Password must be at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Password must be at most {MAX_LENGTH} characters."
    if "\x00" in password:
        return "Password contains characters that are not allowed."
    if not password.strip():
        return "Password cannot be only spaces."
    if password.lower() in common_passwords() or password.strip().lower() in common_passwords():
        return "That password is too common. Choose one that is harder to guess."
    return None


def _hasher() -> PasswordHasher:
    """The app's argon2id hasher, built once from its configured cost."""
    hasher = current_app.extensions.get("password_hasher")
    if hasher is not None:
        return hasher
    with _setup:
        if "password_hasher" in current_app.extensions:
            return current_app.extensions["password_hasher"]
        hasher = PasswordHasher(**settings().password_hash)
        current_app.extensions["password_dummy_hash"] = hasher.hash("not a real password")
        current_app.extensions["password_hasher"] = hasher
    return hasher


@contextmanager
def _slot() -> Iterator[PasswordHasher]:
    """Wait for one of the few hashing slots: a burst queues instead of exhausting memory."""
    hasher = _hasher()
    with slot("passwords", settings().password_hash_concurrency,
              settings().password_hash_queue_seconds):
        yield hasher


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    with _slot() as hasher:
        return hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash, spend the same time on a dummy so timing leaks nothing."""
    with _slot() as hasher:
        try:
            return hasher.verify(
                password_hash or current_app.extensions["password_dummy_hash"], password
            ) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with other parameters than today's."""
    return _hasher().check_needs_rehash(password_hash)


def check_current_password(
    db: Session, user: User, password: str, client: str | None = LOCAL
) -> str | None:
    """None when `password` is the user's own; otherwise why not, throttled like log-ins."""
    key = throttle_key(user.username_key, client)
    with write_transaction(db):
        if wait := lock_throttle(db, key, utcnow()):
            return throttled_message(wait)
        spend_check(db, client)
        record_failure(db, key, utcnow())
        stored = db.scalar(select(User.password_hash).where(User.id == user.id))
    if verify_password(stored, password):
        with write_transaction(db):
            db.execute(delete(LoginThrottle).where(LoginThrottle.username_key == key))
            refund_check(db, client)
        return None
    return "Current password is incorrect."


def spend_check(db: Session, client: str | None) -> None:
    """Count one password check for the client and for everyone; Throttled past either limit.

    Counted before the check, so parallel guesses cannot all slip through; a right password
    gives the client's count back (`refund_check`), so people on one network logging in
    correctly never lock each other out.
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


def refund_check(db: Session, client: str | None) -> None:
    """A right password: the client's check does not count against its network."""
    if client is not LOCAL:
        ratelimits.refund(db, settings().limit_password_checks_per_client, "passwords", client)


def throttle_key(username_key: str, client: str | None) -> str:
    """The throttle row for one name tried from one client, so others cannot lock the owner out."""
    digest = hashlib.sha256((client or "local").encode()).hexdigest()[:16]
    return f"{username_key} {digest}"


def lock_throttle(db: Session, key: str, now: datetime) -> int:
    """Lock the throttle row of a name and client until the commit; seconds it must still
    wait (0: none). The caller then counts the attempt as a failure in the same
    transaction (cleared on success), so parallel attempts queue behind each other."""
    db.execute(upsert.insert(db, LoginThrottle).values(username_key=key, failures=0)
               .on_conflict_do_nothing())
    blocked_until = db.scalar(
        select(LoginThrottle.blocked_until).where(LoginThrottle.username_key == key)
        .with_for_update()
    )
    if blocked_until and blocked_until > now:
        return int((blocked_until - now).total_seconds()) + 1
    return 0


def throttled_message(seconds: int) -> str:
    """A person-readable wait message."""
    unit = "second" if seconds == 1 else "seconds"
    return f"Too many failed attempts. Please wait {seconds} {unit} and try again."


def record_failure(db: Session, key: str, now: datetime) -> None:
    """Count a failure atomically and, past the free ones, block for a growing delay."""
    first = upsert.insert(db, LoginThrottle).values(
        username_key=key, failures=1, last_failure_at=now
    )
    db.execute(
        first.on_conflict_do_update(
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
