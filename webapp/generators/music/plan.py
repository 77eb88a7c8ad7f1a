"""From prompt, genre menu, duration and seed to a TrackPlan: every musical decision."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ..common import digest, prompt_words, seeded_rng
from . import vocabulary as v
from .registers import register

MIN_DURATION = 10
MAX_DURATION = 60
MIN_TEMPO = 50
MAX_TEMPO = 190
# A mood word may move the tempo this far outside its style's range, never further.
_TEMPO_LEEWAY = 10


@dataclass(frozen=True)
class TrackPlan:
    """Every musical decision for one track; the audio is a pure function of it."""

    genre: str
    style: str
    duration: int
    seed: int
    key: str
    root: int
    scale: str
    tempo: int
    instruments: tuple[str, ...]
    progression: tuple[int, ...]
    chorus_progression: tuple[int, ...]
    bridge_progression: tuple[int, ...]
    lead: int
    chords: int
    bass: int
    counter: int | None
    kit: int | None
    drums: str | None
    bass_line: str
    dynamics: float
    tilt_db: float
    octave: int
    mix: tuple[tuple[str, float], ...]
    meter: str = "4/4"
    swing: float = 0.0
    # Which variation of its source this is (0 = the original); new melody and arrangement.
    variation: int = 0
    # Bars of the source track an extension keeps before it appends (0 = not an extension).
    extends_bars: int = 0

    def describe(self) -> str:
        """Return a short human summary such as 'D minor, 92 BPM, piano + bass + drums'."""
        metre = "" if self.meter == "4/4" else f" in {self.meter}"
        return (
            f"{self.key} {self.scale}, {self.tempo} BPM{metre}, {' + '.join(self.instruments)}"
        )

    @property
    def beats_per_bar(self) -> int:
        """Beats in a bar as the meter counts them: 4, 3, 6 or 12."""
        return int(self.meter.split("/")[0])

    @property
    def steps_per_bar(self) -> int:
        """Sixteenth-note steps in a bar: 16 for 4/4, 12 for 3/4 and 6/8, 24 for 12/8."""
        return v.METERS[self.meter][0]

    @property
    def steps_per_beat(self) -> int:
        """Sixteenths per counted beat (the tempo's unit): 4, or 6 for a dotted quarter."""
        return v.METERS[self.meter][1]


def normalize_genre(genre: str) -> str:
    """Map a user-facing genre name onto one of GENRES, raising ValueError if unknown."""
    slug = " ".join(str(genre).strip().lower().replace("_", " ").split())
    slug = v.GENRE_ALIASES.get(slug, slug).replace(" ", "-")
    if slug not in v.GENRES:
        raise ValueError(f"unknown genre {genre!r}; expected one of {', '.join(v.GENRES)}")
    return slug


def plan_track(prompt: str, genre: str, duration: int, seed: int) -> TrackPlan:
    """Choose style, key, tempo, instruments and harmony from the genre hint and prompt words."""
    genre = normalize_genre(genre)
    duration = _check_duration(duration)
    text = str(prompt or "").lower()
    words = prompt_words(text)
    phrase = f" {' '.join(words)} "
    # Only words the vocabulary knows shape the music: an unknown word is no new seed.
    identity = " ".join(w for w in words if w in v.KNOWN_WORDS)
    style_name = _style_name(genre, phrase, words)
    style = v.STYLES[style_name]
    meter = _meter(style, text, phrase)
    rng = seeded_rng("plan", identity, genre, seed)
    band = style.bands[digest("band", identity, genre)[0] % len(style.bands)]
    lead, chords, counter = _voices(band, style_name, _named_programs(phrase))
    scale = _pick_scale(style, words, rng)
    root = int(rng.integers(12))
    hinted_root, hinted_scale = _key_hint(text)
    root = root if hinted_root is None else hinted_root
    scale = hinted_scale or scale
    kit, drums, bass, bass_line = _rhythm_section(style, band, words, phrase, identity)
    if drums is not None and v.GROOVE_METERS.get(drums, "4/4") != meter:
        drums = v.METER_GROOVES[meter]
    mode = v.HARMONY_MODE.get(scale, scale)
    progressions = v.PROGRESSIONS[mode]
    verse = progressions["verse"]
    if style.genre == "jazz" and mode in ("major", "mixolydian", "dorian"):
        verse = v.JAZZ_PROGRESSIONS
    tilt_jitter, default_octave, mix = _production(identity, genre, style)
    instruments = _dedupe(
        [
            v.PROGRAM_NAMES[lead],
            v.PROGRAM_NAMES[chords],
            None if counter is None else v.PROGRAM_NAMES[counter],
            v.PROGRAM_NAMES[bass],
            None if kit is None else v.KIT_NAMES[kit],
        ]
    )
    return TrackPlan(
        genre=genre,
        style=style_name,
        duration=duration,
        seed=int.from_bytes(digest("synth", identity, genre, duration, seed)[:8], "big"),
        key=v.NOTE_NAMES[root],
        root=root,
        scale=scale,
        tempo=_pick_tempo(style, words, text, rng),
        instruments=instruments,
        progression=_choose(verse, rng),
        chorus_progression=_choose(progressions["chorus"], rng),
        bridge_progression=_choose(progressions["bridge"], rng),
        lead=lead,
        chords=chords,
        bass=bass,
        counter=counter,
        kit=kit,
        drums=drums,
        bass_line=bass_line,
        dynamics=_dynamics(words),
        tilt_db=style.tilt_db + _timbre_tilt(words) + tilt_jitter,
        octave=_octave(words, lead, default_octave),
        mix=mix,
        meter=meter,
        swing=_swing(style, meter, phrase),
    )


def _check_duration(duration: int) -> int:
    """Validate a requested duration in whole seconds."""
    value = int(duration)
    if value != duration or not MIN_DURATION <= value <= MAX_DURATION:
        raise ValueError(f"duration must be an integer from {MIN_DURATION} to {MAX_DURATION}")
    return value


def _style_name(genre: str, phrase: str, words: list[str]) -> str:
    """The style a prompt names, else the nearest style a word suggests, else the genre's.

    Named styles win whatever the genre menu says (the vocabulary lists longer phrases
    first); a suggestive word ("beach", "ghost") only counts inside the chosen genre.
    """
    for name, style in v.STYLE_WORDS.items():
        if f" {name} " in phrase:
            return style
    for word in words:
        near = v.NEAR_WORDS.get(word)
        if near is not None and v.STYLES[near].genre == genre:
            return near
    return v.GENRE_STYLE[genre]


def _meter(style: v.Style, text: str, phrase: str) -> str:
    """The meter the prompt asks for ('3/4', 'in three', 'waltz time'), else the style's."""
    written = re.search(r"\b(3/4|6/8|12/8|4/4)\b", text)
    if written:
        return written.group(1)
    for words, meter in v.METER_WORDS.items():
        if f" {words} " in phrase:
            return meter
    return style.meter


def _swing(style: v.Style, meter: str, phrase: str) -> float:
    """Swing of the off-beats: the style's, a shuffle or swing word's, none for 'straight'."""
    if meter != "4/4" or " straight " in phrase:
        return 0.0
    if any(f" {w} " in phrase for w in v.SWING_WORDS):
        return max(style.swing, 0.6)
    return style.swing


def _named_programs(phrase: str) -> list[int]:
    """GM programs of the instruments the prompt names, in prompt order (phrases first)."""
    found: list[tuple[int, int]] = []
    taken = phrase
    for words in sorted(v.INSTRUMENT_WORDS, key=len, reverse=True):
        at = taken.find(f" {words} ")
        if at >= 0:
            found.append((at, v.INSTRUMENT_WORDS[words]))
            taken = taken[:at] + " " + "#" * len(words) + taken[at + len(words) + 1 :]
    return list(_dedupe(program for _, program in sorted(found)))


def _voices(band: v.Band, style_name: str, named: list[int]) -> tuple[int, int, int | None]:
    """Lead, chord and counter programs: the band's, replaced by instruments the prompt names."""
    lead, chords, counter = band.lead, band.chords, band.counter
    if style_name == "rock":
        named = [v.OVERDRIVE_GUITAR if p == v.STEEL_GUITAR else p for p in named]
    beds = [p for p in named if p in v.BED_PROGRAMS]
    tunes = [p for p in named if p not in v.BED_PROGRAMS]
    if beds:
        chords = beds[0]
        if not tunes and len(beds) > 1:
            lead = beds[1]
    if tunes:
        lead = tunes[0]
    if len(tunes) > 1:
        counter = tunes[1]
    return lead, chords, counter


def _rhythm_section(
    style: v.Style, band: v.Band, words: list[str], phrase: str, identity: str
) -> tuple[int | None, str | None, int, str]:
    """Drum kit, groove, bass program and bass line, honouring '808' and 'no drums'."""
    kit = style.kits[digest("kit", identity)[0] % len(style.kits)] if style.kits else None
    groove, bass, bass_line = style.groove, band.bass, style.bass_line
    if groove is None and any(w in v.DRUM_WORDS for w in words):
        kit, groove = v.STANDARD_KIT, "soft"
    if any(w in ("808", "808s") for w in words):
        kit, bass, bass_line = v.TR808_KIT, v.SYNTH_BASS, "808"
        groove = groove if groove not in (None, "soft", "orchestral") else "trap"
    if groove == "soft" and kit is None:
        kit = v.STANDARD_KIT
    if any(w in v.DRUMLESS_WORDS for w in words) or " no drums " in phrase:
        kit, groove = None, None
    return kit, groove, bass, bass_line


def _dedupe(items: Iterable[object]) -> tuple:
    """Drop Nones and repeats while keeping the first occurrence order."""
    out: list[object] = []
    for item in items:
        if item is not None and item not in out:
            out.append(item)
    return tuple(out)


def _key_hint(text: str) -> tuple[int | None, str | None]:
    """Parse an explicit key such as 'in F# minor' from the prompt."""
    match = re.search(r"\b([a-g])(#|♯|b|♭)?\s*(major|minor)\b", text)
    if not match:
        return None, None
    pitch = (0, 2, 4, 5, 7, 9, 11)["cdefgab".index(match.group(1))]
    accidental = match.group(2)
    if accidental in ("#", "♯"):
        pitch += 1
    elif accidental in ("b", "♭"):
        pitch -= 1
    return pitch % 12, match.group(3)


def _pick_scale(style: v.Style, words: list[str], rng: np.random.Generator) -> str:
    """Pick a scale from the style's palette, biased by mood words."""
    dark = sum(w in v.MINOR_WORDS for w in words)
    bright = sum(w in v.MAJOR_WORDS for w in words)
    options = list(style.scales)
    if dark > bright:
        options = [s for s in options if s in v.MINOR_SCALES] or ["minor"]
    elif bright > dark:
        options = [s for s in options if s not in v.MINOR_SCALES] or ["major"]
    return str(options[int(rng.integers(len(options)))])


def _pick_tempo(style: v.Style, words: list[str], text: str, rng: np.random.Generator) -> int:
    """A tempo in the style's range, nudged by speed words, or an explicit 'NNN bpm'."""
    low, high = style.tempo
    tempo = float(rng.integers(low, high + 1))
    fast = sum(w in v.FAST_WORDS for w in words)
    slow = sum(w in v.SLOW_WORDS for w in words)
    tempo *= 1.0 + 0.15 * float(np.sign(fast - slow))
    tempo = min(max(tempo, low - _TEMPO_LEEWAY), high + _TEMPO_LEEWAY)
    explicit = re.search(r"\b(\d{2,3})\s*bpm\b", text)
    if explicit:
        tempo = float(explicit.group(1))
    return int(np.clip(round(tempo), MIN_TEMPO, MAX_TEMPO))


def _choose(options: tuple[tuple[int, ...], ...], rng: np.random.Generator) -> tuple[int, ...]:
    """One progression from a list."""
    return tuple(int(d) for d in options[int(rng.integers(len(options)))])


def _dynamics(words: list[str]) -> float:
    """How hard the band plays (a velocity scale) from loud and soft mood words."""
    loud = sum(w in v.LOUD_WORDS for w in words)
    soft = sum(w in v.SOFT_WORDS for w in words)
    return float(np.clip(1.0 + 0.12 * (loud - soft), 0.7, 1.2))


def _production(
    identity: str, genre: str, style: v.Style
) -> tuple[float, int, tuple[tuple[str, float], ...]]:
    """Per-prompt production: a tilt of up to 2.5 dB, an octave for the tune, a mix balance.

    Two prompts that share a style and its band still get a different sound from these:
    the style's part levels move by up to 2.5 dB each.
    """
    data = digest("production", identity, genre)
    offsets = dict(style.mix)
    for index, part in enumerate(("drums", "bass", "chords", "lead", "counter")):
        offsets[part] = offsets.get(part, 0.0) + (data[2 + index] / 255 - 0.5) * 5.0
    return (data[0] / 255 - 0.5) * 5.0, (-1, 0, 0, 1)[data[1] % 4], tuple(sorted(offsets.items()))


def _octave(words: list[str], lead: int, default: int) -> int:
    """Octave shift of lead and counter: low and high words decide, else the prompt's own.

    A shift that would push the lead outside its playable range is dropped.
    """
    low = sum(w in v.LOW_WORDS for w in words)
    high = sum(w in v.HIGH_WORDS for w in words)
    octave = int(np.sign(high - low)) if low != high else default
    return octave if 48 <= register(lead) + 12 * octave <= 88 else 0


def _timbre_tilt(words: list[str]) -> float:
    """Extra top-end tilt in dB: dark words darken the master, bright words open it."""
    dark = sum(w in v.DARK_TIMBRE_WORDS for w in words)
    bright = sum(w in v.BRIGHT_TIMBRE_WORDS for w in words)
    return float(np.clip(-2.0 * dark + 1.5 * bright, -4.0, 2.0))
