"""How names read: usernames (the stored form, the key two names collide on, the look-alike
form) and release titles in addresses (the slug of `/releases/<id>-<slug>`).

Shared by sign-up and rename (profiles.usernames), every lookup by name, and every feature
that links to a release page.
"""

import re
import unicodedata

from flask import url_for

SLUG_MAX = 60


def slug(title: str) -> str:
    """The readable part of a release's URL: its title in lower-case ASCII words."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return words[:SLUG_MAX].rstrip("-") or "release"


def release_url(release) -> str:
    """A release page's readable address (it follows the title)."""
    return url_for("publishing.release_page", release_id=release.id, slug=slug(release.title))


def normalise(raw: str) -> str:
    """The name as it will be stored: NFKC of what was typed, trimmed."""
    return unicodedata.normalize("NFKC", raw).strip(" ")


def username_key(name: str) -> str:
    """The key two names collide on: NFKC, casefold, NFKC again (idempotent)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


# Look-alikes among the characters a name may hold, after case folding: the part of
# Unicode TR39's confusables.txt that applies ("m" → "rn", "w" → "vv", "d" → "cl",
# "1" and "I" → "l", "0" → "O"), with "i" joining "l" since names ignore case.
CONFUSABLES = str.maketrans({"m": "rn", "w": "vv", "d": "cl", "i": "l", "1": "l", "0": "o"})


def username_skeleton(name: str) -> str:
    """What a name looks like (TR39 skeleton): names sharing one are too alike to both exist."""
    return username_key(name).translate(CONFUSABLES)
