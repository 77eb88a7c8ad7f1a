"""Username rules and normalisation, shared by sign-up and rename."""

import re
import unicodedata

from .forms import has_control_characters

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


def normalise(raw: str) -> str:
    """The name as it will be stored: NFKC of what was typed, trimmed."""
    return unicodedata.normalize("NFKC", raw).strip(" ")


def username_key(name: str) -> str:
    """The key two names collide on: NFKC, casefold, NFKC again (idempotent)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


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
