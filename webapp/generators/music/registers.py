"""Where each family of General MIDI programs sings best."""

from __future__ import annotations

# The MIDI note at the centre of a lead's range, per family of GM programs.
_REGISTERS: tuple[tuple[range, int], ...] = (
    (range(0, 8), 72),
    (range(8, 16), 79),
    (range(16, 24), 67),
    (range(24, 32), 64),
    (range(32, 40), 40),
    (range(40, 41), 74),
    (range(41, 42), 64),
    (range(42, 44), 52),
    (range(44, 52), 67),
    (range(52, 56), 67),
    (range(56, 57), 69),
    (range(57, 59), 55),
    (range(59, 64), 62),
    (range(64, 66), 69),
    (range(66, 68), 60),
    (range(68, 70), 72),
    (range(70, 71), 52),
    (range(71, 72), 67),
    (range(72, 80), 77),
    (range(80, 88), 72),
    (range(88, 104), 64),
    (range(104, 128), 72),
)


def register(program: int) -> int:
    """The MIDI note at the centre of a GM program's lead range."""
    return next(centre for programs, centre in _REGISTERS if program in programs)
