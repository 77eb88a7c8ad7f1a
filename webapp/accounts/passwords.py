"""Password rules and argon2id hashing."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from ..config import settings

MIN_LENGTH = 8
MAX_LENGTH = 1024


def validation_error(password: str) -> str | None:
    """Why `password` cannot be used, or None when it can."""
    if len(password) < MIN_LENGTH:
        return f"Password must be at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Password must be at most {MAX_LENGTH} characters."
    if "\x00" in password:
        return "Password contains characters that are not allowed."
    return None


def _hasher() -> PasswordHasher:
    """The app's argon2id hasher, built once from its configured cost."""
    hasher = current_app.extensions.get("password_hasher")
    if hasher is None:
        hasher = PasswordHasher(**settings().password_hash)
        current_app.extensions["password_hasher"] = hasher
        current_app.extensions["password_dummy_hash"] = hasher.hash("not a real password")
    return hasher


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash, spend the same time on a dummy so timing leaks nothing."""
    hasher = _hasher()
    try:
        return hasher.verify(password_hash or current_app.extensions["password_dummy_hash"],
                             password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with other parameters than today's."""
    return _hasher().check_needs_rehash(password_hash)
