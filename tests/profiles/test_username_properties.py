"""Properties of the username rules (pure functions; 12,000 generated examples in all)."""

import re
import unicodedata

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from webapp.profiles.usernames import (
    MAX_LENGTH,
    RESERVED,
    normalise,
    username_key,
    validation_error,
)

ALLOWED = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
QUICK = {"deadline": None, "database": None, "suppress_health_check": [HealthCheck.too_slow]}

# Any code point, lone surrogates included: the rules must never raise.
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)
plausible = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{1,34}", fullmatch=True)
# Letters that look Latin but are not (Cyrillic, Greek, Armenian, Cherokee, math, IPA ...).
CONFUSABLES = "аеорсухіјѕԁԛԝοκνρτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧաօսᎪᏴᎬɑɡɩʟ"
non_ascii = st.characters(min_codepoint=0x80, exclude_categories=()).filter(
    lambda c: not unicodedata.normalize("NFKC", c).isascii()
)


@settings(max_examples=4000, **QUICK)
@given(any_text)
@example("ẞ")
@example("\u0345\u0399")
@example("ﬃ")
@example("\u212a")
def test_the_key_is_idempotent(raw):
    """key(key(x)) == key(x) for any text at all."""
    key = username_key(raw)
    assert username_key(key) == key


@settings(max_examples=3000, **QUICK)
@given(st.one_of(plausible, any_text, plausible.map(lambda s: " " + s.upper() + " ")))
def test_every_accepted_name_re_validates_and_is_stored_safely(raw):
    """An accepted name, once stored (normalised), is accepted again, ASCII, 3–30, allowlisted."""
    message = validation_error(raw)
    assert message is None or (isinstance(message, str) and message)
    if message is None:
        stored = normalise(raw)
        assert validation_error(stored) is None
        assert normalise(stored) == stored
        assert stored.isascii() and 3 <= len(stored) <= MAX_LENGTH
        assert ALLOWED.fullmatch(stored)
        assert username_key(stored) == stored.lower()
        assert username_key(stored) not in RESERVED


@settings(max_examples=2000, **QUICK)
@given(plausible, st.one_of(st.sampled_from(CONFUSABLES), non_ascii), st.integers(0, 40))
def test_confusable_or_non_ascii_names_are_refused_with_a_message(name, odd, position):
    """One look-alike or non-ASCII letter anywhere in a good name → a message, no exception."""
    position = min(position, len(name))
    raw = name[:position] + odd + name[position:]
    message = validation_error(raw)
    assert isinstance(message, str) and message


@settings(max_examples=1000, **QUICK)
@given(plausible, st.sampled_from(["\n", "\r\n", "\r", "\t", "\x00", "\x0b", "\x1b", "\x7f",
                                   "\u2028", "\u2029", "\u0085"]))
def test_names_with_trailing_line_breaks_or_controls_are_refused(name, tail):
    """'alice\\n' is not 'alice': anchoring mistakes ($ accepting a final newline) are caught."""
    message = validation_error(name + tail)
    assert isinstance(message, str) and message


@settings(max_examples=2000, **QUICK)
@given(any_text)
def test_the_rules_never_raise(raw):
    """Whatever arrives, the answer is None or a message (never an exception)."""
    message = validation_error(raw)
    assert message is None or isinstance(message, str)
    normalise(raw)


@pytest.mark.parametrize("raw, accepted_as", [
    ("İstanbul", None),           # dotted capital I: not ASCII
    ("straße", None),             # ß folds to "ss" only by casefold: refused, not merged
    ("ẞig", None),                # capital sharp s
    ("\u212aelvin", "Kelvin"),    # Kelvin sign normalises to K: stored as plain ASCII
    ("\u2126mega", None),         # Ohm sign normalises to Greek Omega
    ("ａｌｉｃｅ", "alice"),       # fullwidth letters normalise to ASCII
    ("alice\n", None),
    ("al\u200dice", None),        # zero-width joiner
    ("\u202ealice", None),        # right-to-left override
    ("аlice", None),              # Cyrillic а
    ("ADMIN", None),              # reserved, in any case
    ("alice", "alice"),
])
def test_the_corpus(raw, accepted_as):
    """The known troublemakers from the security notes."""
    message = validation_error(raw)
    if accepted_as is None:
        assert isinstance(message, str) and message
    else:
        assert message is None and normalise(raw) == accepted_as
        assert username_key(normalise(raw)) == accepted_as.lower()
