"""Password rules (length, common-password blocklist) and argon2id hashing, a few at a time."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from ..config import settings
from ..slots import slot

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
