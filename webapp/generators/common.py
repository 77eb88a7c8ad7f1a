"""What both generators share: stable hashing, seeded randomness and output writing."""

from __future__ import annotations

import hashlib
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


def write_output(out: Output, data: bytes) -> None:
    """Write bytes to a path or a binary file object."""
    if isinstance(out, str | PathLike):
        with open(out, "wb") as handle:
            handle.write(data)
    else:
        out.write(data)
