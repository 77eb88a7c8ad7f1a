"""How usernames compare: the stored form, the key two names collide on, the look-alike form.

Shared by sign-up and rename (profiles.usernames) and by every lookup by name.
"""

import unicodedata


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
