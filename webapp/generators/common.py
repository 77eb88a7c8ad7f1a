"""What both generators share: hashing, seeded randomness, prompt words, progress, output."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from os import PathLike
from typing import BinaryIO

import numpy as np

ProgressFn = Callable[[int], None]
Output = BinaryIO | str | PathLike[str]


def digest(*parts: object) -> bytes:
    """SHA-256 over length-prefixed parts, so ('ab','c') and ('a','bc') differ."""
    h = hashlib.sha256()
    for part in parts:
        data = str(part).encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.digest()


def seeded_rng(*parts: object) -> np.random.Generator:
    """A numpy generator seeded from a stable hash of the parts."""
    return np.random.default_rng(int.from_bytes(digest(*parts)[:16], "big"))


def prompt_words(text: str) -> list[str]:
    """Lower-case word tokens (letters and digits, split at underscores) of a prompt."""
    return re.findall(r"[^\W_]+", text.lower())


class Progress:
    """Maps 0..100 of a stage onto lo..hi of the caller's callback, never repeating a value."""

    def __init__(self, callback: ProgressFn | None, lo: int = 0, hi: int = 100) -> None:
        """Wrap a callback (or nothing) for the lo..hi range."""
        self.callback = callback
        self.lo = lo
        self.hi = hi
        self.last = -1

    def __call__(self, pct: float) -> None:
        """Report a stage-relative percentage."""
        value = int(self.lo + (self.hi - self.lo) * min(max(pct, 0.0), 100.0) / 100.0)
        if self.callback is not None and value > self.last:
            self.last = value
            self.callback(value)

    def sub(self, lo: int, hi: int) -> Progress:
        """A child reporter whose 0..100 covers lo..hi of this one."""
        return Progress(self, lo, hi)


def write_output(out: Output, data: bytes) -> None:
    """Write bytes to a path or a binary file object."""
    if isinstance(out, str | PathLike):
        with open(out, "wb") as handle:
            handle.write(data)
    else:
        out.write(data)
