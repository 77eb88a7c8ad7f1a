"""Small, explicit form parsing: each field is read, cleaned and checked by name."""

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .errors import Refused

# C0 controls and DEL, except tab, newline and carriage return (allowed where lines are).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"[\r\n\t]")
# Bidi controls (which can make text read differently from how it is stored, "Trojan
# Source") and invisible zero-width characters; stripped from every text field.
_INVISIBLE = re.compile("[\u061c\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064"
                        "\u2066-\u2069\ufeff]")
# A zero-width joiner is kept only inside emoji sequences (woman, ZWJ, laptop), where it shows.
_EMOJI = "\U0001f000-\U0001faff\u2600-\u27bf\ufe0f"
_LONE_JOINER = re.compile(f"(?<![{_EMOJI}])\u200d|\u200d(?![{_EMOJI}])")


@dataclass
class FormErrors:
    """Messages by field name, ready for inline display."""

    messages: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        """Record the first problem with a field."""
        self.messages.setdefault(name, message)

    def __bool__(self) -> bool:
        """True when any field has a problem."""
        return bool(self.messages)

    def get(self, name: str) -> str | None:
        """The message for one field, if any."""
        return self.messages.get(name)


def has_control_characters(value: str, multiline: bool = False) -> bool:
    """Whether text holds NUL or other control characters (line breaks only if multiline)."""
    if _CONTROL.search(value):
        return True
    return not multiline and bool(_LINE_BREAK.search(value))


def has_invisible_characters(value: str) -> bool:
    """Whether text holds bidi controls (U+202A–202E, U+2066–2069, U+200E/200F, U+061C) or
    zero-width characters: refused where text cannot simply drop them (links)."""
    return bool(_INVISIBLE.search(value))


def without_invisible_characters(value: str) -> str:
    """Text with bidi controls and zero-width characters dropped (kept as shown)."""
    return _LONE_JOINER.sub("", _INVISIBLE.sub("", value))


def clean_text(
    form,
    name: str,
    label: str,
    errors: FormErrors,
    *,
    min_length: int = 0,
    max_length: int,
    multiline: bool = False,
) -> str:
    """Read a text field, normalised to NFC and trimmed, recording any problem in errors."""
    raw = form.get(name, "")
    if has_control_characters(raw, multiline):
        errors.add(name, f"{label} contains characters that are not allowed.")
        return raw
    visible = without_invisible_characters(raw)
    value = unicodedata.normalize("NFC", visible.replace("\r\n", "\n")).strip()
    if len(value) < min_length:
        errors.add(
            name,
            f"{label} is required." if min_length == 1 and not value else
            f"{label} must be at least {min_length} characters.",
        )
    elif len(value) > max_length:
        errors.add(name, f"{label} must be at most {max_length} characters.")
    return value


def clean_choice(form, name: str, label: str, choices, errors: FormErrors) -> str:
    """Read a field that must be one of `choices`."""
    value = form.get(name, "")
    if value not in choices:
        errors.add(name, f"Choose a valid {label.lower()}.")
    return value


def clean_int(
    form, name: str, label: str, errors: FormErrors, *, minimum: int, maximum: int
) -> int:
    """Read a whole number within [minimum, maximum]."""
    raw = form.get(name, "").strip()
    if not re.fullmatch(r"[0-9]{1,9}", raw):
        errors.add(name, f"{label} must be a whole number.")
        return minimum
    value = int(raw)
    if not minimum <= value <= maximum:
        errors.add(name, f"{label} must be between {minimum} and {maximum}.")
    return value


def parse_page(raw: str | None, max_page: int) -> int:
    """A ?page= argument as a whole number in 1..max_page; anything odd means page 1."""
    if raw and raw.isascii() and raw.isdecimal() and len(raw) <= len(str(max_page)):
        return max(1, min(int(raw), max_page))
    return 1


def safe_next(target: str | None, default: str) -> str:
    """A same-site path to go to after a form; anything else is `default`."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
            and target.isprintable()
            and " " not in target
        ):
            return target
    return default


def form_id(form, name: str) -> int:
    """A database id from a submitted form; anything else is Refused (nothing changes)."""
    raw = form.get(name, "")
    if not (raw.isascii() and raw.isdecimal() and len(raw) <= 10 and 0 < int(raw) <= 2_147_483_647):
        raise Refused("The form named nothing valid. Reload the page and try again.")
    return int(raw)
