"""The score: sections, harmony, and the notes of drums, bass, chords, lead and counter line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import vocabulary as v
from .plan import TrackPlan
from .registers import register

SAMPLE_RATE = 44100
PARTS: tuple[str, ...] = ("drums", "bass", "chords", "lead", "counter")

# General MIDI percussion keys.
KICK, SIDE_STICK, SNARE, CLAP, CLOSED_HAT, PEDAL_HAT, OPEN_HAT = 36, 37, 38, 39, 42, 44, 46
LOW_TOM, MID_TOM, HIGH_TOM, CRASH, RIDE, TAMBOURINE, SHAKER = 45, 47, 50, 49, 51, 54, 70
LOW_FLOOR_TOM, HIGH_FLOOR_TOM, CHINA, COWBELL, CRASH_2 = 41, 43, 52, 56, 57
BONGO_HIGH, BONGO_LOW, CONGA_HIGH, CONGA_LOW, HIGH_AGOGO = 60, 61, 63, 64, 67
GUIRO, CLAVES = 73, 75

# Section energy: scales velocities and decides who plays.
_ENERGY = {
    "intro": 0.45, "verse": 0.7, "chorus": 1.0, "bridge": 0.55, "breakdown": 0.45, "outro": 0.5,
}
_STEP_VELOCITY = {"x": 1.0, "o": 0.72, "g": 0.38}
# Drum patterns per groove: {GM key: variants}; 16 characters are sixteenths, 32 are 32nds.
_GROOVES: dict[str, dict[int, tuple[str, ...]]] = {
    "four": {
        KICK: ("x...x...x...x...",),
        CLAP: ("....x.......x...", "....x.......x..g"),
        CLOSED_HAT: (".g.g.g.g.g.g.g.g", "gg.ggg.ggg.ggg.g"),
        OPEN_HAT: ("..o...o...o...o.",),
    },
    "backbeat": {
        KICK: ("x.......x.x.....", "x......xx.x.....", "x.....x...x....."),
        SNARE: ("....x.......x...", "....x.......x..g"),
        CLOSED_HAT: ("x.o.x.o.x.o.x.o.", "x.o.x.o.x.o.x.oo"),
    },
    "rock": {
        KICK: ("x.x.....x.x.....", "x.......x.xx....", "x.x...x.x.x....."),
        SNARE: ("....x.......x...",),
        CLOSED_HAT: ("x.x.x.x.x.x.x.x.", "x.o.x.o.x.o.x.o."),
    },
    "boombap": {
        KICK: ("x.........x.....", "x......x..x.....", "x.x.......x..x.."),
        SNARE: ("....x.......x...", "....x.......x..g"),
        CLOSED_HAT: ("x.o.x.o.x.o.x.o.", "x.o.x.o.x.o.xoxo"),
    },
    "lofi": {
        KICK: ("x......x..x.....", "x.........x.....", "x......x.x......"),
        SIDE_STICK: ("....o.......o...", "....o..g....o..."),
        CLOSED_HAT: ("o.g.o.g.o.g.o.g.", "o.g.o.g.o.gggo.g"),
    },
    "jazz": {
        RIDE: ("x...o.g.x...o.g.", "x...o.g.x...o.o."),
        PEDAL_HAT: ("....o.......o...",),
        KICK: ("g...............", "g.......g......."),
        SNARE: ("..........g.....", "......g.......g.", "..g.........g..."),
    },
    "soft": {
        KICK: ("o.......o.......", "o.......o..g...."),
        SHAKER: ("g.g.g.g.g.g.g.g.", "g.ggg.g.g.ggg.g."),
        TAMBOURINE: ("....o.......o...",),
    },
    "dnb": {
        KICK: ("x.........x.....", "x.........x..x..", "x.x.......x....."),
        SNARE: ("....x.......x...", "....x..g.g..x...", "....x.......x.g."),
        CLOSED_HAT: ("x.o.x.o.x.o.x.o.", "x.oox.o.x.o.x.oo"),
        RIDE: ("o...o...o...o...",),
    },
    "trap": {
        KICK: ("x......x..x.....", "x.....x...x..x..", "x......x.x......"),
        CLAP: ("........x.......", "........x......g"),
        CLOSED_HAT: (
            "o.g.o.g.o.g.o.g.o.g.o.g.o.ggg.g.",
            "o.g.o.g.o.ggg.g.o.g.o.g.o.g.o.g.",
            "o.g.o.g.o.g.o.g.o.g.ggggg.g.o.g.",
        ),
    },
    "onedrop": {
        KICK: ("........x.......",),
        SIDE_STICK: ("........x.......", "........x.....g."),
        CLOSED_HAT: ("x.o.x.o.x.o.x.o.", "x.o.x.o.x.o.x.oo"),
    },
    "funk": {
        KICK: ("x..x..x...x..x..", "x.x...x...x..x.."),
        SNARE: ("....x..g.g..x..g", "....x..g.g.gx..."),
        CLOSED_HAT: ("xoxoxoxoxoxoxoxo",),
        OPEN_HAT: ("..............o.",),
    },
    "orchestral": {
        KICK: ("x.......o.......", "x..............."),
        LOW_TOM: ("............o.o.", "..............oo"),
    },
    "polka": {
        KICK: ("x.......x.......", "x.......x.....g."),
        SNARE: ("....x.......x...", "....x.......x.g."),
        CLOSED_HAT: ("..o...o...o...o.",),
    },
    "bossa": {
        KICK: ("x..xx..xx..xx..x",),
        SIDE_STICK: ("x..x..x...x..x..", "..x..x..x..x..x."),
        CLOSED_HAT: ("gggggggggggggggg", "g.g.g.g.g.g.g.g."),
    },
    "samba": {
        KICK: ("x..xx..xx..xx..x",),
        LOW_FLOOR_TOM: ("....x.......x...", "....x..g....x..."),
        SNARE: ("gggogggogggogggo", "g.gog.gog.gogggo"),
        TAMBOURINE: ("xoxgxoxgxoxgxoxg",),
        HIGH_AGOGO: ("x.x..x.x..x.x...",),
    },
    "chip": {
        KICK: ("x.......x.x.....", "x...x...x...x..."),
        SNARE: ("....x.......x...", "....x.......x.x."),
        CLOSED_HAT: ("x.x.x.x.x.x.x.x.",),
    },
    "dubstep": {
        KICK: ("x.........x.....", "x......x..x....."),
        SNARE: ("........x.......", "........x.....g."),
        CLOSED_HAT: ("x.x.x.x.x.x.x.x.", "x.xxx.x.x.xxx.x."),
    },
    "kpop": {
        KICK: ("x...x...x...x...", "x...x...x...x.x."),
        CLAP: ("....x.......x...", "....x.......x.x."),
        CLOSED_HAT: ("..o...o...o...o.", "x.o.x.o.x.o.xoxo"),
    },
    "metal": {
        KICK: ("xxxxxxxxxxxxxxxx", "x.x.x.x.x.x.x.x.", "xx.xxx.xxx.xxx.x"),
        SNARE: ("....x.......x...",),
        CHINA: ("x...x...x...x...", "x.......x......."),
    },
    "punk": {
        KICK: ("x...x...x...x...", "x.x...x.x.x...x."),
        SNARE: ("..x...x...x...x.", "....x.......x..."),
        CLOSED_HAT: ("x.x.x.x.x.x.x.x.",),
    },
    "ska": {
        KICK: ("x.......x.......", "x.....x.x......."),
        SNARE: ("....x.......x...",),
        CLOSED_HAT: ("..x...x...x...x.", "x.x.x.x.x.x.x.x."),
    },
    "disco": {
        KICK: ("x...x...x...x...",),
        SNARE: ("....x.......x...", "....x.......x..g"),
        OPEN_HAT: ("..x...x...x...x.",),
        CLOSED_HAT: ("x.g.x.g.x.g.x.g.", "xgggxgggxgggxggg"),
    },
    "afrobeat": {
        KICK: ("x.....x...x.....", "x..x......x..x.."),
        SNARE: ("....x..g....x.g.", "..g.x..g.g..x..."),
        CLOSED_HAT: ("xoxoxoxoxoxoxoxo",),
        COWBELL: ("x.x.x..x.x.x..x.",),
        SHAKER: ("gggggggggggggggg",),
    },
    "surf": {
        KICK: ("x.x...x.x.x...x.", "x.....x.x.x....."),
        SNARE: ("....x.......x...",),
        HIGH_FLOOR_TOM: ("x.x.x.x.x.x.x.x.", "xxx.x.x.xxx.x.x."),
    },
    "epic": {
        KICK: ("x.....x.x.......", "x..x..x.x......."),
        LOW_FLOOR_TOM: ("x..x..x.x..x..x.", "x..x..x.xxxx..x."),
        HIGH_FLOOR_TOM: ("......x.......x.", "......x...x...x."),
    },
    "heartbeat": {
        KICK: ("x..x............", "x..x........o..."),
    },
    "ballad": {
        KICK: ("x.......x.......", "x.......x..o...."),
        SIDE_STICK: ("....o.......o...",),
        CLOSED_HAT: ("o.g.o.g.o.g.o.g.", "o.g.o.g.o.gggo.g"),
    },
    "march": {
        SNARE: ("x.gox.g.x.gox.gg", "xgggx.g.xgggx.xx"),
        KICK: ("x.......x.......",),
        CRASH_2: ("....g.......g...",),
    },
    "dembow": {
        KICK: ("x...x...x...x...",),
        SNARE: ("...x..x....x..x.",),
        CLOSED_HAT: ("x.x.x.x.x.x.x.x.", "x.xxx.x.x.xxx.x."),
    },
    "salsa": {
        COWBELL: ("x.x.x.x.x.x.x.x.", "x.o.x.o.x.o.x.oo"),
        CLAVES: ("x..x..x...x.x...",),
        CONGA_HIGH: ("......xx......xx", "......xx....x.xx"),
        CONGA_LOW: ("....x.......x...",),
        KICK: ("..........x.....",),
    },
    "train": {
        KICK: ("x.......x.......", "x.......x.x....."),
        SNARE: ("g.g.x.g.g.g.x.g.", "g.gox.g.g.gox.gg"),
    },
    "tabla": {
        BONGO_HIGH: ("x.ox..o.x.ox..o.", "x.ox.oo.x.ox..oo"),
        BONGO_LOW: ("x.....x...x.....", "x.....x...x..x.."),
        SHAKER: ("g.g.g.g.g.g.g.g.",),
    },
    "gallop": {
        KICK: ("x.....x.x.....x.",),
        SIDE_STICK: ("x.xx.xx.xx.xx.x.", "x.xx.xx.x.xx.xx."),
    },
    "cumbia": {
        GUIRO: ("x.oox.oox.oox.oo",),
        KICK: ("x.......x.......", "x.....x.x......."),
        CONGA_HIGH: ("....x.x.....x.x.", "....x.x.....xxx."),
    },
    "deep": {
        KICK: ("x...x...x...x...",),
        CLAP: ("....x.......x...", "....x.......x..g"),
        CLOSED_HAT: (".g.g.g.g.g.g.g.g", ".g.g.g.g.g.g.ggg"),
        SHAKER: ("gggggggggggggggg",),
    },
    "rnb": {
        KICK: ("x......x..x.....", "x.....x...x..x.."),
        CLAP: ("....x.......x...",),
        CLOSED_HAT: ("x.x.x.x.x.x.xxx.", "x.x.x.xxx.x.x.x."),
    },
    # Three-beat and compound grooves: 12 steps a bar (3/4, 6/8) or 24 (12/8).
    "waltz": {
        KICK: ("x...........", "x.......g..."),
        SNARE: ("....g...g...", "....g...g.g."),
        CLOSED_HAT: ("x...o...o...",),
    },
    "flamenco": {
        CLAP: ("x..o.ox..o.o", "x.ox.ox.oxo."),
        KICK: ("x...........", "x.......x..."),
    },
    "sixeight": {
        KICK: ("x.....x.....", "x.....x...g."),
        SNARE: ("......x.....",),
        CLOSED_HAT: ("x.x.x.x.x.x.", "x.o.o.x.o.o."),
    },
    "jig": {
        LOW_TOM: ("x.gx.gx.gx.g", "x.ox.gx.ox.o"),
        KICK: ("x.....x.....",),
        TAMBOURINE: ("..g.....g...", "..g..g..g..g"),
    },
    "shuffle": {
        KICK: ("x...........x.....x.....", "x.........g.x.....x....."),
        SNARE: ("......x...........x.....", "......x.........g.x....."),
        CLOSED_HAT: ("x...o.x...o.x...o.x...o.",),
    },
}
# Played on top in a chorus: the added layer that lifts it over the verse.
_CHORUS_LAYERS: dict[int, dict[int, str]] = {
    16: {OPEN_HAT: "..o...o...o...o.", TAMBOURINE: "....o.......o..."},
    12: {TAMBOURINE: "..o...o...o."},
    24: {TAMBOURINE: "......o...........o....."},
}
_QUIET_GROOVES = frozenset({"jazz", "soft", "lofi", "heartbeat", "bossa", "waltz", "ballad"})
# What a groove plays in the last quarter of a phrase's final bar.
_FILLS: dict[str, dict[int, str]] = {
    "four": {CLAP: "xoxx"},
    "backbeat": {SNARE: "xoxx", KICK: "...."},
    "rock": {HIGH_TOM: "xx..", MID_TOM: "..x.", LOW_TOM: "...x"},
    "boombap": {SNARE: ".o.x"},
    "lofi": {SIDE_STICK: "o.gg"},
    "jazz": {SNARE: "g.ox"},
    "soft": {TAMBOURINE: "o.oo"},
    "dnb": {SNARE: "xoxx", KICK: "...."},
    "trap": {CLAP: "..xx"},
    "onedrop": {SIDE_STICK: "oo.x"},
    "funk": {SNARE: "xoxo", HIGH_TOM: "...."},
    "orchestral": {LOW_TOM: "oooo"},
    "metal": {HIGH_TOM: "xx..", MID_TOM: "..x.", LOW_FLOOR_TOM: "...x"},
    "surf": {HIGH_FLOOR_TOM: "xxxx"},
    "epic": {LOW_FLOOR_TOM: "xxxx", HIGH_FLOOR_TOM: "oxox"},
    "salsa": {CONGA_HIGH: "xoxx"},
    "tabla": {BONGO_HIGH: "xoxx"},
    "cumbia": {CONGA_HIGH: "xoxx"},
    "flamenco": {CLAP: "xxox"},
    "jig": {LOW_TOM: "xoxx"},
    "heartbeat": {KICK: "...."},
    "waltz": {SNARE: "g.ox"},
    "bossa": {SIDE_STICK: "o.ox"},
    "deep": {CLAP: "xoxx"},
    "march": {SNARE: "xxxx"},
}
_CYMBAL_KEYS = frozenset(
    {CLOSED_HAT, PEDAL_HAT, OPEN_HAT, RIDE, SHAKER, TAMBOURINE, COWBELL, GUIRO, CHINA}
)
_NO_CRASH_GROOVES = frozenset(
    {"jazz", "lofi", "soft", "onedrop", "bossa", "waltz", "heartbeat", "tabla", "ballad"}
)

_COMP_RHYTHMS: dict[str, tuple[tuple[tuple[float, float], ...], ...]] = {
    "sustain": (((0, 16),),),
    "halves": (((0, 8), (8, 8)), ((0, 6), (6, 10)), ((0, 10), (10, 6))),
    "quarters": (((0, 3), (4, 3), (8, 3), (12, 3)), ((0, 6), (6, 2), (8, 6), (14, 2))),
    "charleston": (((0, 3), (6, 2)), ((2, 2), (10, 4)), ((0, 2), (6, 2), (12, 3))),
    "chug": (tuple((s, 1.5) for s in range(0, 16, 2)), ((0, 3), (4, 1), (6, 1), (8, 3), (12, 4))),
    "skank": (((4, 1.5), (12, 1.5)), ((4, 1.5), (12, 1.5), (14, 1))),
    "strum": (
        ((0, 3), (4, 2), (6, 2), (10, 2), (12, 2), (14, 2)),
        ((0, 4), (6, 2), (8, 4), (12, 4)),
    ),
    "stabs": (((2, 1), (6, 1), (10, 1), (14, 1)), ((0, 1), (3, 1), (6, 1), (10, 2), (14, 1))),
    "funk": (
        ((0, 1), (3, 1), (6, 1), (10, 1), (12, 1)),
        ((2, 1), (4, 1), (7, 1), (10, 1), (14, 1)),
    ),
    "oompah": (((4, 2), (12, 2)), ((4, 2), (12, 2), (14, 1))),
    "bossa": (((0, 3), (3, 3), (6, 2), (10, 3), (13, 3)), ((0, 2), (3, 3), (8, 2), (11, 3))),
    "tango": (((0, 2), (4, 2), (8, 2), (12, 2)), ((0, 3), (6, 2), (8, 2), (12, 3))),
    "ostinato": (
        tuple((s, 1.5) for s in range(0, 16, 2)),
        ((0, 3), (3, 3), (6, 2), (8, 3), (11, 5)),
    ),
    "montuno": (
        ((0, 1), (3, 1), (6, 1), (8, 1), (10, 1), (12, 1), (14, 1)),
        ((2, 1), (4, 1), (7, 1), (10, 1), (13, 1)),
    ),
    "waltz": (((4, 2), (12, 2)),),
}
# Comping in the three-beat and compound meters, keyed by (steps per bar, steps per beat).
_METER_RHYTHMS: dict[tuple[int, int], dict[str, tuple[tuple[tuple[float, float], ...], ...]]] = {
    (12, 4): {
        "waltz": (((4, 3), (8, 3)), ((4, 3), (8, 2), (10, 2))),
        "strum": (((0, 3), (4, 2), (6, 2), (8, 2), (10, 2)), ((0, 4), (4, 3), (8, 3))),
        "default": (((0, 3), (4, 3), (8, 3)), ((4, 3), (8, 3))),
    },
    (12, 6): {
        "strum": (((0, 3), (4, 2), (6, 3), (10, 2)), ((0, 2), (2, 2), (4, 2), (6, 4), (10, 2))),
        "default": (((0, 5), (6, 5)), ((0, 3), (4, 2), (6, 5))),
    },
    (24, 6): {
        "strum": (
            tuple((s + o, n) for s in (0, 6, 12, 18) for o, n in ((0, 3), (4, 2))),
            ((0, 5), (6, 5), (12, 5), (18, 3), (22, 2)),
        ),
        "default": (((0, 5), (6, 5), (12, 5), (18, 5)), ((6, 4), (18, 4))),
    },
}
_SUSTAINED_PARTS = frozenset({"chords", "counter", "bass"})


class Note(NamedTuple):
    """One note or drum hit: its grid position (bar, step) and where it sounds in samples."""

    part: str
    bar: int
    step: float
    start: int
    length: int
    key: int
    velocity: int


@dataclass(frozen=True)
class Section:
    """A named run of bars: intro, verse, chorus, bridge or outro."""

    name: str
    start: int
    bars: int


class MelodyNote(NamedTuple):
    """One note of the lead melody in seconds, for a singer: where, how long, which pitch."""

    onset: float
    duration: float
    pitch: int
    section: str
    bar: int


class SectionTime(NamedTuple):
    """A section of the song in bars and in seconds."""

    name: str
    start_bar: int
    bars: int
    start: float
    end: float


@dataclass(frozen=True)
class Score:
    """All notes of a track by part, with its sections and grid."""

    notes: dict[str, list[Note]]
    sections: tuple[Section, ...]
    bar_samples: float
    length: int
    # Bars (start indices) that lead into a chorus or drop: where risers go.
    builds: tuple[int, ...] = ()

    def lead_melody(self) -> tuple[MelodyNote, ...]:
        """The lead part's notes in time order, in seconds, with the section each is in."""
        kinds = {bar: s.name for s in self.sections for bar in range(s.start, s.start + s.bars)}
        return tuple(
            MelodyNote(
                n.start / SAMPLE_RATE, n.length / SAMPLE_RATE, n.key, kinds.get(n.bar, ""), n.bar
            )
            for n in sorted(self.notes["lead"], key=lambda n: (n.start, n.key))
        )

    def section_times(self) -> tuple[SectionTime, ...]:
        """Every section with its first bar, bar count and start and end in seconds."""
        return tuple(
            SectionTime(
                s.name, s.start, s.bars,
                s.start * self.bar_samples / SAMPLE_RATE,
                min(self.length, (s.start + s.bars) * self.bar_samples) / SAMPLE_RATE,
            )
            for s in self.sections
        )


def sections(bars: int, drop: bool = False, base_bars: int = 0) -> tuple[Section, ...]:
    """Intro, verse/chorus phrases, a bridge (or breakdown) and an outro fitted to bars.

    With base_bars, the layout of a base_bars-long song is kept up to its outro and new
    verse and chorus phrases are appended before a new outro (an extension).
    """
    if 0 < base_bars < bars:
        return _extended(bars, drop, base_bars)
    intro = 0 if bars < 4 else 1 if bars < 16 else 2 if bars < 40 else 4
    outro = 1 if bars < 16 else 2
    body = bars - intro - outro
    phrase = 4 if body >= 16 else 2
    count = max(1, body // phrase)
    names = ["verse"] * count
    if count >= 2:
        names[-1] = "chorus"
    if count >= 3:
        names[-2] = "breakdown" if drop else "bridge"
    for i in range(1, count - 2):
        names[i] = "chorus" if i % 2 else "verse"
    lengths = [phrase] * count
    lengths[-1] += body - phrase * count
    out = [Section("intro", 0, intro)] if intro else []
    at = intro
    for name, length in zip(names, lengths, strict=True):
        out.append(Section(name, at, length))
        at += length
    out.append(Section("outro", at, outro))
    return tuple(s for s in out if s.bars > 0)


def _extended(bars: int, drop: bool, base_bars: int) -> tuple[Section, ...]:
    """The base song's sections without its outro, then verse/chorus phrases and an outro."""
    head = [s for s in sections(base_bars, drop) if s.name != "outro"]
    at = head[-1].start + head[-1].bars if head else 0
    extra = bars - at
    outro = 2 if extra >= 6 else 1
    body = extra - outro
    out = list(head)
    names = ("verse", "chorus") if body >= 8 else ("chorus",)
    phrase = max(1, body // len(names))
    for index, name in enumerate(names):
        length = body - phrase * (len(names) - 1) if index == len(names) - 1 else phrase
        if length > 0:
            out.append(Section(name, at, length))
            at += length
    out.append(Section("outro", at, bars - at))
    return tuple(s for s in out if s.bars > 0)


def bar_count(plan: TrackPlan) -> int:
    """How many bars a plan's track has (what the composer fits into its duration)."""
    bar = SAMPLE_RATE * 60.0 / (plan.tempo * plan.steps_per_beat) * plan.steps_per_bar
    playable = int(max(0.0, plan.duration * SAMPLE_RATE - SAMPLE_RATE) // bar)
    return max(2, playable)


def compose(plan: TrackPlan, rng: np.random.Generator, n_samples: int) -> Score:
    """Write every part of the plan's track for n_samples of audio."""
    return _Composer(plan, rng, n_samples).compose()


@dataclass(frozen=True)
class _Grid:
    """Converts (bar, sixteenth step) positions into sample offsets with swing."""

    sixteenth: float
    swing: float
    swing_unit: int
    steps: int = 16

    @property
    def bar(self) -> float:
        """Samples per bar."""
        return self.steps * self.sixteenth

    def at(self, bar: int, step: float) -> float:
        """Sample position of a step in a bar, delaying off-beats by the swing amount."""
        pos = bar * self.bar + step * self.sixteenth
        whole = float(step).is_integer()
        offbeat = whole and (int(step) % 2 == 1 if self.swing_unit == 16 else int(step) % 4 == 2)
        return pos + self.swing * self.sixteenth if offbeat else pos


class _Composer:
    """Writes the score bar by bar, section by section."""

    def __init__(self, plan: TrackPlan, rng: np.random.Generator, n_samples: int) -> None:
        """Set up the grid, sections and harmony for a plan."""
        self.plan = plan
        self.style = v.STYLES[plan.style]
        self.rng = rng
        self.n_samples = n_samples
        self.steps = plan.steps_per_bar
        self.beat = plan.steps_per_beat
        sixteenth = SAMPLE_RATE * 60.0 / (plan.tempo * self.beat)
        self.grid = _Grid(sixteenth, plan.swing, self.style.swing_unit, self.steps)
        playable = int(max(0.0, n_samples - SAMPLE_RATE) // self.grid.bar)
        self.sections = sections(max(2, playable), self.style.drop, plan.extends_bars)
        self.bars = sum(s.bars for s in self.sections)
        self.section_of: list[Section] = [s for s in self.sections for _ in range(s.bars)]
        self.hit_ending = self.style.ending == "hit"
        # How many times each section kind has been heard before this section (for variation).
        seen: dict[str, int] = {}
        self.occurrence: dict[int, int] = {}
        for section in self.sections:
            self.occurrence[section.start] = seen.get(section.name, 0)
            seen[section.name] = seen.get(section.name, 0) + 1
        self.builds = tuple(
            s.start - 1 for s in self.sections if s.name == "chorus" and s.start > 0
        )
        self.degrees = [self._degree(bar) for bar in range(self.bars)]
        scale = v.SCALES[plan.scale]
        centre = register(plan.lead) + 12 * plan.octave
        self.melody_notes = [
            m for m in range(centre - 10, centre + 13) if (m - plan.root) % 12 in scale
        ]
        self.melody_index = len(self.melody_notes) // 2
        self.motifs: dict[str, tuple[list[tuple[int, int]], list[int]]] = {}
        self.notes: dict[str, list[Note]] = {part: [] for part in PARTS}

    def compose(self) -> Score:
        """Return the score of every part."""
        for bar in range(self.bars):
            section = self.section_of[bar]
            last = bar == self.bars - 1
            self._drums(bar, section, last)
            self._bass(bar, section, last)
            self._chords(bar, section, last)
            self._lead(bar, section, last)
            self._counter(bar, section, last)
        for part in _SUSTAINED_PARTS:
            self.notes[part] = _tie(self.notes[part], self.grid.bar)
        return Score(self.notes, self.sections, self.grid.bar, self.n_samples, self.builds)

    # -- helpers -----------------------------------------------------------

    def _degree(self, bar: int) -> int:
        """The scale degree of the chord in a bar (the tonic in the final bar)."""
        section = self.section_of[bar]
        if bar == self.bars - 1:
            return 0
        if self.hit_ending and bar == self.bars - 2 and self.bars >= 4:
            return 4  # the dominant, so the final tonic is a cadence
        progression = {
            "chorus": self.plan.chorus_progression,
            "bridge": self.plan.bridge_progression,
        }.get(section.name, self.plan.progression)
        return progression[(bar - section.start) % len(progression)]

    def _add(
        self,
        part: str,
        bar: int,
        step: float,
        steps: float,
        key: int,
        level: float,
        legato: float = 0.92,
    ) -> None:
        """Add a humanised note: jittered onset, velocity scaled by section energy and mood."""
        pos = self.grid.at(bar, step)
        if self.style.humanize:
            jitter = float(np.clip(self.rng.normal(0.0, 1.0), -2.5, 2.5))
            pos += jitter * self.style.humanize * SAMPLE_RATE
        energy = _ENERGY[self.section_of[bar].name]
        level *= (0.7 + 0.3 * energy) * self.plan.dynamics * float(self.rng.uniform(0.9, 1.0))
        velocity = int(np.clip(round(127 * level), 1, 127))
        length = max(64, int(steps * self.grid.sixteenth * legato))
        start = max(0, int(pos))
        if start < self.n_samples:
            self.notes[part].append(Note(part, bar, step, start, length, key, velocity))

    def _tones(self, bar: int, sevenths: bool | None = None) -> list[int]:
        """Semitone offsets from the key's root of the chord in a bar, stacked in thirds."""
        mode = v.SCALES[v.HARMONY_MODE.get(self.plan.scale, self.plan.scale)]
        degree = self.degrees[bar]
        count = 4 if (self.style.sevenths if sevenths is None else sevenths) else 3
        return [mode[(degree + 2 * k) % 7] + 12 * ((degree + 2 * k) // 7) for k in range(count)]

    def _voicing(self, tones: list[int], centre: int) -> list[int]:
        """Close voicing inside one octave around centre, so chords move smoothly."""
        low = centre - 6
        return sorted(low + ((self.plan.root + tone - low) % 12) for tone in tones)

    def _root(self, bar: int, centre: int) -> int:
        """The chord root of a bar as the MIDI note nearest centre."""
        pitch_class = (self.plan.root + self._tones(bar)[0]) % 12
        return centre + ((pitch_class - centre + 6) % 12) - 6

    def _phrase_end(self, bar: int, section: Section) -> bool:
        """True in the last bar of a section and of every four-bar phrase."""
        within = bar - section.start
        return within == section.bars - 1 or within % 4 == 3

    def _bar_line(self, *hits: int, mark: str = "x") -> str:
        """A one-bar drum line with the given steps marked."""
        return "".join(mark if i in hits else "." for i in range(self.steps))

    # -- parts -------------------------------------------------------------

    def _drums(self, bar: int, section: Section, last: bool) -> None:
        """The groove, thinned for intro and bridge, with fills, builds and a chorus lift."""
        groove = self.plan.drums
        if groove is None:
            return
        if last:
            self._add("drums", bar, 0, 4, KICK, 0.95)
            if groove not in _NO_CRASH_GROOVES or self.hit_ending:
                self._add("drums", bar, 0, self.steps, CRASH, 0.85)
            return
        lines = {
            key: variants[int(self.rng.integers(len(variants)))]
            for key, variants in _GROOVES[groove].items()
        }
        builds = bar + 1 < self.bars and self.section_of[bar + 1].name == "chorus" and (
            self.section_of[bar + 1].start == bar + 1
        )
        if section.name == "intro":
            lines = {k: p for k, p in lines.items() if k in _CYMBAL_KEYS} or {
                KICK: self._bar_line(0, mark="o")
            }
        elif section.name == "breakdown":
            lines = {}
        elif section.name in ("bridge", "outro"):
            lines = {k: p for k, p in lines.items() if k in _CYMBAL_KEYS}
            half = self.steps // 2 if self.beat == 4 or self.steps == 24 else self.beat
            lines[KICK] = (
                self._bar_line(0) if section.name == "bridge" else self._bar_line(0, half, mark="o")
            )
        elif section.name == "verse":
            lines = {k: p.replace("x", "o") if k in _CYMBAL_KEYS else p for k, p in lines.items()}
        elif section.name == "chorus" and groove not in _QUIET_GROOVES:
            for key, line in _CHORUS_LAYERS.get(self.steps, {}).items():
                lines.setdefault(key, line)
        if builds and (self.style.riser or section.name == "breakdown"):
            # A snare roll that tightens and swells into the chorus or drop.
            lines.pop(SNARE, None)
            for i in range(self.steps):
                if i % 2 == 0 or i >= self.steps // 2:
                    self._add("drums", bar, i, 1, SNARE, 0.35 + 0.55 * i / self.steps)
        elif section.name in ("verse", "chorus", "bridge") and (
            builds or self._phrase_end(bar, section)
        ):
            fill = _FILLS.get(groove, {SNARE: "xoxx"})
            for key, pattern in fill.items():
                line = lines.get(key, "." * self.steps)
                cut = len(line) // 2 if builds else len(line) * 3 // 4
                span = len(line) - cut
                lines[key] = line[:cut] + "".join(
                    pattern[int(i * len(pattern) / span)] for i in range(span)
                )
        if section.start == bar and section.name == "chorus" and groove not in _NO_CRASH_GROOVES:
            self._add("drums", bar, 0, self.steps, CRASH, 0.85)
        for key, line in lines.items():
            scale = self.steps / len(line)
            for i, ch in enumerate(line):
                if ch in _STEP_VELOCITY:
                    self._add("drums", bar, i * scale, scale, key, 0.85 * _STEP_VELOCITY[ch])

    def _bass(self, bar: int, section: Section, last: bool) -> None:
        """The bass line in the style's pattern, rooted on each chord, varied at phrase ends."""
        if section.name == "intro" and self.plan.drums is not None:
            return
        centre = self.style.bass_centre
        root = self._root(bar, centre if self.plan.bass_line != "808" else min(centre, 36))
        fifth = root + 7 if root + 7 <= centre + 12 else root - 5
        if last:
            self._add("bass", bar, 0, self.steps, root, 0.8, legato=1.0)
            return
        line = self.plan.bass_line if section.name not in ("bridge", "breakdown") else "drone"
        next_root = self._root(min(bar + 1, self.bars - 1), root)
        if self.steps == 16:
            pattern = _bass_pattern(line, root, fifth, next_root, self.rng)
        else:
            pattern = _meter_bass(line, root, fifth, self.steps, self.beat, self.rng)
        for step, steps, key, level in pattern:
            legato = 1.0 if line in ("drone", "reese", "808", "wobble") else 0.9
            self._add("bass", bar, step, steps, key, level, legato)
        if self._phrase_end(bar, section) and line not in ("drone", "walking"):
            pickup = next_root + (1 if next_root < root else -1)
            self._add("bass", bar, self.steps - 2, 2, pickup, 0.6)

    def _chords(self, bar: int, section: Section, last: bool) -> None:
        """Chord comping in the style's rhythm; a wider voicing in the chorus; endings ring."""
        comp = self.style.comp
        held_back = section.name in ("intro", "bridge", "breakdown", "outro") and comp not in (
            "broken",
            "strum",
        )
        if last or held_back:
            comp = "sustain"
        notes = self._voicing(self._tones(bar), 55 if comp == "broken" else 62)
        level = 0.62
        if self.plan.chords in (v.OVERDRIVE_GUITAR, v.DISTORTION_GUITAR):
            root = self._root(bar, 45)
            notes = [root, root + 7, root + 12]
        elif section.name == "chorus" or last:
            # The chorus opens the voicing: the root an octave down and the top doubled up.
            notes = sorted({notes[0] - 12, *notes, notes[-1] + 12})
        if comp == "broken":
            order = [notes[0], notes[-1], notes[1], notes[-1]] * (self.steps // 4)
            for i, key in enumerate(order[: self.steps // 2]):
                self._add("chords", bar, 2 * i, 2, key, 0.5)
            return
        rhythms = self._rhythms(comp)
        rhythm = rhythms[int(self.rng.integers(len(rhythms)))]
        if section.name == "chorus" and comp != "sustain" and self.rng.random() < 0.5:
            rhythm = rhythms[(rhythms.index(rhythm) + 1) % len(rhythms)]
        legato = 1.0 if comp == "sustain" else 0.9
        steps = self.steps * (1 + (self.n_samples / self.grid.bar - self.bars)) if last else None
        for start, length in rhythm:
            for key in notes:
                self._add("chords", bar, start, steps or length, key, level, legato)

    def _rhythms(self, comp: str) -> tuple[tuple[tuple[float, float], ...], ...]:
        """The comping rhythms of a style in this meter."""
        if comp == "sustain":
            return (((0, self.steps),),)
        if self.steps == 16:
            return _COMP_RHYTHMS[comp]
        table = _METER_RHYTHMS[(self.steps, self.beat)]
        return table.get(comp, table["default"])

    def _lead(self, bar: int, section: Section, last: bool) -> None:
        """The melody: a two-bar motif per section kind, doubled an octave up in the chorus."""
        if last:
            tonic = self.melody_notes[0] + (self.plan.root - self.melody_notes[0]) % 12
            self._add("lead", bar, 0, self.steps, tonic, 0.7, legato=1.0)
            return
        if section.name in ("intro", "bridge", "breakdown") or (
            section.name == "outro" and bar % 2
        ):
            return
        self._melody("lead", bar, section, 0.8 if section.name == "chorus" else 0.7)

    def _counter(self, bar: int, section: Section, last: bool) -> None:
        """The counter part: arpeggio, high pad or second line; it takes the tune in the bridge."""
        role = self.style.counter
        if self.plan.counter is None or last:
            return
        if section.name == "bridge":
            self._melody("counter", bar, section, 0.68)
            return
        plays = {
            "intro": role != "line",
            "verse": role == "pad",
            "chorus": True,
            "breakdown": True,
            "outro": role == "pad",
        }
        if section.name == "breakdown":
            self._pad(bar, section)
        elif plays[section.name]:
            {"arp": self._arp, "pad": self._pad, "line": self._second_line}[role](bar, section)

    def _melody(self, part: str, bar: int, section: Section, level: float) -> None:
        """The section's motif in this bar, walking the scale and landing on chord tones."""
        rhythm, contour = self._motif(section, bar - section.start)
        span = self.steps
        half = ((bar - section.start) % 2) * span
        shift = 2 if section.name == "chorus" else 0
        shift += self.occurrence.get(section.start, 0) % 2 if section.name == "chorus" else 0
        chord = {(self.plan.root + t) % 12 for t in self._tones(bar)}
        strong = self.beat * (2 if self.beat == 4 and self.steps == 16 else 1)
        for (start, length), delta in zip(rhythm, contour, strict=True):
            if not half <= start < half + span:
                continue
            step = start - half
            self.melody_index = self._walk(self.melody_index, delta)
            if step % strong == 0:
                self.melody_index = self._snap(self.melody_index, chord)
            index = min(self.melody_index + shift, len(self.melody_notes) - 1)
            key = self.melody_notes[index] - (12 if part == "counter" else 0)
            accent = 1.0 if step % self.beat == 0 else 0.85
            self._add(part, bar, step, length, key, level * accent)
            if part == "lead" and section.name == "chorus" and key + 12 <= 96:
                self._add(part, bar, step, length, key + 12, level * accent * 0.55)

    def _motif(self, section: Section, within: int) -> tuple[list[tuple[int, int]], list[int]]:
        """The two-bar motif of a section kind, varied on every repeat of the section.

        Every second statement inside a section changes its tail; a section heard before
        gets a new second half of its contour, so no chorus is sung the same way twice.
        """
        name = section.name
        if name not in self.motifs:
            self.motifs[name] = self._new_motif()
        rhythm, contour = self.motifs[name]
        if self.occurrence.get(section.start, 0):
            key = f"{name}#{section.start}"
            if key not in self.motifs:
                keep = len(contour) // 2
                self.motifs[key] = (rhythm, contour[:keep] + self._contour(len(contour) - keep))
            rhythm, contour = self.motifs[key]
        if (within // 2) % 2 == 1:
            contour = contour[:-2] + self._contour(min(2, len(contour)))
        return rhythm, contour

    def _new_motif(self) -> tuple[list[tuple[int, int]], list[int]]:
        """A fresh two-bar rhythm with a melodic contour of scale steps."""
        rhythm: list[tuple[int, int]] = []
        pos = 0
        steps = self.style.note_steps
        total = 2 * self.steps
        while pos < total:
            length = min(int(steps[int(self.rng.integers(len(steps)))]), total - pos)
            if self.rng.random() < self.style.density or pos == 0:
                rhythm.append((pos, length))
            pos += length
        return rhythm, self._contour(len(rhythm))

    def _contour(self, count: int) -> list[int]:
        """Melodic intervals in scale steps, mostly small with the odd leap."""
        moves = (-4, -3, -2, -2, -1, -1, 0, 1, 1, 2, 2, 3, 4)
        return [int(moves[int(i)]) for i in self.rng.integers(len(moves), size=count)]

    def _walk(self, index: int, delta: int) -> int:
        """Step through the melody scale, turning back before the register edges."""
        new = index + delta
        if abs(new - len(self.melody_notes) / 2) > 0.38 * len(self.melody_notes):
            new = index - delta
        return int(np.clip(new, 0, len(self.melody_notes) - 1))

    def _snap(self, index: int, chord: set[int]) -> int:
        """Move to the nearest chord tone so strong beats sound consonant."""
        for offset in (0, -1, 1, -2, 2, -3, 3):
            j = index + offset
            if 0 <= j < len(self.melody_notes) and self.melody_notes[j] % 12 in chord:
                return j
        return index

    def _arp(self, bar: int, section: Section) -> None:
        """Arpeggiated chord tones: sixteenths at dance tempos, sparse eighths otherwise."""
        centre = register(self.plan.counter or 0) + 12 * self.plan.octave
        notes = self._voicing(self._tones(bar, sevenths=True), centre)
        pattern = notes + [n + 12 for n in notes[1:3]] + notes[::-1][1:3]
        step, chance = (1, 0.8) if self.plan.tempo >= 110 and self.beat == 4 else (2, 0.6)
        for i, pos in enumerate(range(0, self.steps, step)):
            if self.rng.random() < chance:
                level = 0.55 if pos % 4 == 0 else 0.42
                self._add("counter", bar, pos, step, pattern[i % len(pattern)], level)

    def _pad(self, bar: int, section: Section) -> None:
        """Two high chord tones held through the bar (tied across bars when they stay)."""
        notes = self._voicing(self._tones(bar), 74)
        level = 0.45 if section.name == "verse" else 0.55
        for key in notes[1:3]:
            self._add("counter", bar, 0, self.steps, key, level, legato=1.0)

    def _second_line(self, bar: int, section: Section) -> None:
        """A slower second voice on chord tones, half-notes under the melody."""
        notes = self._voicing(self._tones(bar), register(self.plan.counter or 0) - 5)
        picks = self.rng.choice(len(notes), size=2)
        split = self.steps // 2 if self.steps != 12 or self.beat == 6 else 8
        for half, pick in enumerate(picks):
            start, length = (0, split) if half == 0 else (split, self.steps - split)
            self._add("counter", bar, start, length, notes[int(pick)], 0.55, legato=0.98)


def _bass_pattern(
    line: str, root: int, fifth: int, next_root: int, rng: np.random.Generator
) -> list[tuple[float, float, int, float]]:
    """Bass notes (step, steps, key, level) for one bar."""
    if line == "drone":
        return [(0, 16, root, 0.7)]
    if line == "halves":
        return [(0, 8, root, 0.8), (8, 8, fifth if rng.random() < 0.5 else root, 0.7)]
    if line == "offbeat":
        return [(s, 2, root, 0.85) for s in (2, 6, 10, 14)] + [(0, 1, root - 12, 0.6)]
    if line == "hiphop":
        second = (7, 3, fifth, 0.7) if rng.random() < 0.5 else (7, 3, root + 12, 0.6)
        return [(0, 6, root, 0.9), second, (10, 6, root, 0.8)]
    if line == "walking":
        third = root + (3 if rng.random() < 0.5 else 4)
        approach = next_root + (1 if rng.random() < 0.5 else -1)
        return [(0, 4, root, 0.85), (4, 4, third, 0.7), (8, 4, fifth, 0.75), (12, 4, approach, 0.7)]
    if line == "reese":
        return [(0, 10, root, 0.9), (10, 6, fifth if rng.random() < 0.4 else root, 0.8)]
    if line == "808":
        hits = ((0, 7), (7, 3), (10, 6)) if rng.random() < 0.6 else ((0, 6), (6, 4), (10, 6))
        keys = (root, root, root + 12 if rng.random() < 0.3 else fifth)
        return [(s, n, k, 0.95) for (s, n), k in zip(hits, keys, strict=True)]
    if line == "onedrop":
        return [(0, 3, root, 0.9), (3, 1, root, 0.6), (6, 2, fifth, 0.8), (10, 4, root, 0.85)]
    if line == "wobble":
        second = fifth if rng.random() < 0.4 else root
        return [(0, 6, root, 0.95), (6, 2, root, 0.7), (8, 8, second, 0.9)]
    if line == "bossa":
        return [(0, 6, root, 0.85), (6, 2, fifth, 0.7), (8, 6, fifth, 0.8), (14, 2, root, 0.7)]
    if line == "samba":
        return [(s, 3, root if s % 8 == 0 else fifth, 0.9) for s in (0, 4, 8, 12)] + [
            (s, 1, root if s < 8 else fifth, 0.6) for s in (3, 7, 11, 15)
        ]
    if line == "tango":
        return [(0, 3, root, 0.95), (6, 2, fifth, 0.8), (8, 4, root, 0.9), (12, 2, fifth, 0.7)]
    if line == "disco":
        return [(s, 2, root if s % 4 == 0 else root + 12, 0.85) for s in range(0, 16, 2)]
    if line == "afrobeat":
        return [
            (0, 2, root, 0.9), (3, 1, root, 0.6), (6, 2, fifth, 0.8),
            (10, 2, root + 10, 0.75), (12, 2, root, 0.8), (14, 1, root + 12, 0.6),
        ]
    if line == "tumbao":
        return [(0, 2, fifth, 0.6), (6, 6, root, 0.9), (12, 4, fifth, 0.85)]
    if line == "boogie":
        third = root + 4
        return [(0, 4, root, 0.85), (4, 4, third, 0.7), (8, 4, fifth, 0.75), (12, 4, root + 9, 0.7)]
    if line == "funk":
        return [
            (0, 1, root, 0.95),
            (3, 1, root + 12, 0.7),
            (6, 1, root, 0.8),
            (8, 1, fifth, 0.75),
            (10, 1, root + 10, 0.7),
            (13, 2, root, 0.8),
        ]
    notes = [(s, 2, root, 0.85 if s % 4 == 0 else 0.7) for s in range(0, 12, 2)]
    return notes + [(12, 2, fifth, 0.75), (14, 2, root + 12 if rng.random() < 0.5 else root, 0.7)]


def _meter_bass(
    line: str, root: int, fifth: int, steps: int, beat: int, rng: np.random.Generator
) -> list[tuple[float, float, int, float]]:
    """Bass notes for one bar of a three-beat or compound meter (12 or 24 steps)."""
    if line in ("drone", "reese", "808", "wobble"):
        return [(0, steps, root, 0.75)]
    if line == "boogie" and steps == 24:
        keys = (root, root + 4, fifth, root + 9)
        return [(6 * i, 4, k, 0.85 if i == 0 else 0.72) for i, k in enumerate(keys)] + [
            (6 * i + 4, 2, k, 0.55) for i, k in enumerate(keys)
        ]
    if line == "compound":
        other = fifth if rng.random() < 0.6 else root + 12
        return [(0, 3, root, 0.85), (4, 2, fifth, 0.6), (6, 3, other, 0.75), (10, 2, fifth, 0.6)]
    if line == "waltz" or (steps == 12 and beat == 4):
        second = fifth if rng.random() < 0.5 else root
        return [(0, 4, root, 0.85)] + ([(8, 4, second, 0.5)] if line != "waltz" else [])
    return [
        (b, beat - 1, root if i % 2 == 0 else fifth, 0.85 if i == 0 else 0.7)
        for i, b in enumerate(range(0, steps, beat))
    ]


def _tie(notes: list[Note], bar: float) -> list[Note]:
    """Merge whole-bar notes that continue the same key into the next bar (no re-attack)."""
    out: list[Note] = []
    holding: dict[int, tuple[int, int]] = {}
    for note in sorted(notes, key=lambda n: (n.start, n.key)):
        whole = note.step == 0 and note.length >= 0.95 * bar
        held = holding.pop(note.key, None)
        if whole and held is not None and held[1] + 1 == note.bar:
            first = out[held[0]]
            out[held[0]] = first._replace(length=note.start + note.length - first.start)
            holding[note.key] = (held[0], note.bar)
            continue
        out.append(note)
        if whole:
            holding[note.key] = (len(out) - 1, note.bar)
    return out
