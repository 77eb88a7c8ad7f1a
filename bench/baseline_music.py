"""The music generator as it was before issue 13 (frozen copy, the benchmark's baseline).

Copied verbatim from webapp/generators/music.py at commit 4797402; only this docstring and
the import of the shared helpers changed. Nothing in webapp/ imports it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import soundfile as sf
from PIL import Image

from webapp.generators.common import (
    Output,
    Progress,
    ProgressFn,
    digest,
    prompt_words,
    seeded_rng,
    write_output,
)

SAMPLE_RATE = 44100
GENRES: tuple[str, ...] = (
    "ambient",
    "classical",
    "electronic",
    "hip-hop",
    "jazz",
    "lo-fi",
    "pop",
    "rock",
)
MIN_DURATION = 10
MAX_DURATION = 60
MIN_TEMPO = 50
MAX_TEMPO = 190
MUSIC_MIME = "audio/mpeg"
MUSIC_EXT = "mp3"
NOTE_NAMES: tuple[str, ...] = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


_TABLE_SIZE = 4096
_TABLE_MASK = _TABLE_SIZE - 1
_REVERB_DECIMATION = 4
# libsndfile's default MP3 VBR setting is noticeably lo-fi; 0.3 keeps ~130-190 kbps.
_MP3_COMPRESSION = 0.3
# MP3's band-limiting overshoots sharp (distorted) waveforms by up to ~15%; -1.4 dBFS covers it
# and encode_mp3 still checks the decoded peak.
_PEAK_TARGET = 0.85
_DECODED_PEAK_LIMIT = 0.99
_ENCODE_CHUNK = 5 * SAMPLE_RATE

# ---------------------------------------------------------------------------
# Musical vocabulary
# ---------------------------------------------------------------------------

SCALES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "harmonic minor": (0, 2, 3, 5, 7, 8, 11),
    "major pentatonic": (0, 2, 4, 7, 9),
    "minor pentatonic": (0, 3, 5, 7, 10),
}
# Chords are stacked in thirds, which needs a seven-note mode; pentatonics borrow a parent.
_HARMONY_MODE = {"major pentatonic": "major", "minor pentatonic": "minor"}
_MINOR_SCALES = frozenset({"minor", "dorian", "phrygian", "harmonic minor", "minor pentatonic"})

_PROGRESSIONS: dict[str, tuple[tuple[int, ...], ...]] = {
    "major": ((0, 4, 5, 3), (0, 5, 3, 4), (0, 3, 4, 3), (5, 3, 0, 4), (0, 3, 5, 4), (1, 4, 0, 0)),
    "minor": ((0, 5, 2, 6), (0, 3, 6, 2), (0, 6, 5, 6), (0, 5, 3, 4), (0, 3, 0, 6)),
    "dorian": ((0, 3, 0, 3), (0, 1, 0, 3), (0, 3, 6, 0), (0, 6, 3, 0)),
    "mixolydian": ((0, 6, 3, 0), (0, 3, 6, 3), (0, 6, 3, 4)),
    "lydian": ((0, 1, 0, 1), (0, 1, 5, 4), (0, 1, 4, 0)),
    "phrygian": ((0, 1, 0, 1), (0, 1, 6, 0), (0, 6, 5, 1)),
    "harmonic minor": ((0, 3, 4, 0), (0, 5, 3, 4), (0, 3, 0, 4), (0, 5, 1, 4)),
}


def _vocabulary(text: str) -> frozenset[str]:
    """A set of keywords from a space-separated string."""
    return frozenset(text.split())


_MINOR_WORDS = _vocabulary(
    "dark sad night melancholy melancholic lonely moody gloomy somber sombre cold storm "
    "stormy haunting haunted mysterious mystery tears rain rainy grief sorrow broken shadow "
    "shadows noir lost ghost winter eerie tense midnight blue blues"
)
_MAJOR_WORDS = _vocabulary(
    "happy bright sunny joy joyful summer cheerful love hope hopeful morning sunshine playful "
    "uplifting warm golden spring celebration fun smile light sunrise"
)
_FAST_WORDS = _vocabulary(
    "fast energetic upbeat dance party run running hype intense driving rush quick racing "
    "chase workout frantic epic action speed"
)
_SLOW_WORDS = _vocabulary(
    "slow calm chill relax relaxing sleep sleepy lazy peaceful gentle dreamy soft meditation "
    "meditative quiet serene tranquil mellow lullaby"
)
_DRUMLESS_WORDS = frozenset({"drumless", "beatless", "acapella", "unplugged"})
_DRUM_WORDS = frozenset({"drum", "drums", "beat", "beats", "percussion", "groove", "rhythm"})
_INSTRUMENT_WORDS: dict[str, str] = {
    "piano": "piano",
    "keys": "piano",
    "rhodes": "electric piano",
    "wurlitzer": "electric piano",
    "guitar": "guitar",
    "guitars": "guitar",
    "acoustic": "guitar",
    "synth": "synth lead",
    "synths": "synth lead",
    "synthesizer": "synth lead",
    "analog": "synth lead",
    "bell": "bells",
    "bells": "bells",
    "chime": "bells",
    "chimes": "bells",
    "glockenspiel": "bells",
    "celesta": "bells",
    "strings": "strings",
    "violin": "strings",
    "violins": "strings",
    "cello": "strings",
    "orchestra": "strings",
    "orchestral": "strings",
    "organ": "organ",
    "flute": "flute",
    "woodwind": "flute",
    "pad": "pad",
    "pads": "pad",
}
_GENRE_ALIASES = {"hiphop": "hip-hop", "hip hop": "hip-hop", "lofi": "lo-fi", "lo fi": "lo-fi"}


@dataclass(frozen=True)
class _Style:
    """Genre defaults that shape a plan and its arrangement."""

    tempo: tuple[int, int]
    scales: tuple[str, ...]
    leads: tuple[str, ...]
    chords: tuple[str, ...]
    comp: str
    bass: str
    bass_pattern: str
    drums: str | None
    arp: str | None
    swing: float = 0.0
    swing_unit: int = 16
    sevenths: bool = False
    density: float = 0.6
    note_steps: tuple[int, ...] = (2, 2, 4, 4, 6, 8)
    reverb: float = 0.3
    room: float = 1.6
    echo: float = 0.25
    humanize: float = 0.0
    vinyl: bool = False
    pump: bool = False


_STYLES: dict[str, _Style] = {
    "ambient": _Style(
        tempo=(60, 80),
        scales=("major", "lydian", "major pentatonic", "minor", "dorian"),
        leads=("flute", "piano", "strings"),
        chords=("pad",),
        comp="sustain",
        bass="sub bass",
        bass_pattern="drone",
        drums=None,
        arp="bells",
        sevenths=True,
        density=0.45,
        note_steps=(4, 8, 8, 12, 16),
        reverb=0.6,
        room=3.2,
        echo=0.35,
    ),
    "classical": _Style(
        tempo=(66, 108),
        scales=("major", "major", "minor", "harmonic minor"),
        leads=("strings", "piano", "flute"),
        chords=("piano",),
        comp="broken",
        bass="cello",
        bass_pattern="halves",
        drums=None,
        arp=None,
        density=0.75,
        note_steps=(2, 2, 4, 4, 6, 8),
        reverb=0.45,
        room=2.4,
        echo=0.0,
        humanize=0.004,
    ),
    "electronic": _Style(
        tempo=(118, 132),
        scales=("minor", "dorian", "phrygian", "major", "minor pentatonic"),
        leads=("synth lead",),
        chords=("pad",),
        comp="sustain",
        bass="synth bass",
        bass_pattern="offbeat",
        drums="four",
        arp="pluck",
        density=0.7,
        note_steps=(1, 2, 2, 2, 3, 4, 6),
        reverb=0.3,
        room=1.8,
        echo=0.35,
        pump=True,
    ),
    "hip-hop": _Style(
        tempo=(80, 96),
        scales=("minor", "dorian", "harmonic minor", "minor pentatonic"),
        leads=("piano", "bells", "flute"),
        chords=("electric piano", "piano"),
        comp="halves",
        bass="sub bass",
        bass_pattern="hiphop",
        drums="boombap",
        arp=None,
        swing=0.3,
        sevenths=True,
        density=0.5,
        note_steps=(2, 4, 4, 6, 8),
        reverb=0.2,
        room=1.2,
        echo=0.2,
        humanize=0.004,
    ),
    "jazz": _Style(
        tempo=(100, 160),
        scales=("dorian", "major", "mixolydian", "minor"),
        leads=("flute", "electric piano", "piano"),
        chords=("piano",),
        comp="charleston",
        bass="upright bass",
        bass_pattern="walking",
        drums="jazz",
        arp=None,
        swing=0.66,
        swing_unit=8,
        sevenths=True,
        density=0.7,
        note_steps=(2, 2, 2, 4, 6),
        reverb=0.25,
        room=1.5,
        echo=0.0,
        humanize=0.006,
    ),
    "lo-fi": _Style(
        tempo=(68, 88),
        scales=("minor", "dorian", "major", "major pentatonic"),
        leads=("electric piano", "guitar", "bells"),
        chords=("electric piano",),
        comp="halves",
        bass="bass",
        bass_pattern="hiphop",
        drums="lofi",
        arp=None,
        swing=0.35,
        sevenths=True,
        density=0.5,
        note_steps=(2, 4, 4, 6, 8),
        reverb=0.3,
        room=1.4,
        echo=0.25,
        humanize=0.008,
        vinyl=True,
    ),
    "pop": _Style(
        tempo=(96, 124),
        scales=("major", "major", "minor", "mixolydian", "major pentatonic"),
        leads=("synth lead", "piano", "bells", "guitar"),
        chords=("piano", "guitar", "pad"),
        comp="quarters",
        bass="bass",
        bass_pattern="eighths",
        drums="backbeat",
        arp="pluck",
        density=0.65,
        reverb=0.25,
        room=1.6,
        echo=0.25,
    ),
    "rock": _Style(
        tempo=(110, 150),
        scales=("minor pentatonic", "minor", "mixolydian", "major"),
        leads=("electric guitar",),
        chords=("power guitar",),
        comp="chug",
        bass="bass",
        bass_pattern="eighths",
        drums="rock",
        arp=None,
        density=0.7,
        reverb=0.18,
        room=1.2,
        echo=0.15,
    ),
}

# ---------------------------------------------------------------------------
# Plan
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackPlan:
    """Every musical decision for one track; synthesis is a pure function of it."""

    genre: str
    duration: int
    seed: int
    key: str
    root: int
    scale: str
    tempo: int
    instruments: tuple[str, ...]
    progression: tuple[int, ...]
    lead: str
    chords: str
    arp: str | None
    bass: str
    drums: str | None

    def describe(self) -> str:
        """Return a short human summary such as 'D minor, 92 BPM, piano + bass + drums'."""
        return f"{self.key} {self.scale}, {self.tempo} BPM, {' + '.join(self.instruments)}"


def normalize_genre(genre: str) -> str:
    """Map a user-facing genre name onto one of GENRES, raising ValueError if unknown."""
    slug = " ".join(str(genre).strip().lower().replace("_", " ").split())
    slug = _GENRE_ALIASES.get(slug, slug).replace(" ", "-")
    if slug not in GENRES:
        raise ValueError(f"unknown genre {genre!r}; expected one of {', '.join(GENRES)}")
    return slug


def plan_track(prompt: str, genre: str, duration: int, seed: int) -> TrackPlan:
    """Choose key, scale, tempo, instruments and progression from the genre and prompt words."""
    genre = normalize_genre(genre)
    duration = _check_duration(duration)
    text = str(prompt or "").lower()
    words = prompt_words(text)
    identity = " ".join(words) or text.strip()
    style = _STYLES[genre]
    rng = seeded_rng("plan", identity, genre, seed)
    root = int(rng.integers(12))
    scale = _pick_scale(style, words, rng)
    hinted_root, hinted_scale = _key_hint(text)
    root = root if hinted_root is None else hinted_root
    scale = hinted_scale or scale
    tempo = _pick_tempo(style, words, text, rng)
    lead, chords = _pick_voices(style, genre, words, rng)
    drums = _pick_drums(style, words)
    progression = _pick_progression(scale, genre, rng)
    instruments = _dedupe([lead, chords, style.arp, style.bass, "drums" if drums else None])
    return TrackPlan(
        genre=genre,
        duration=duration,
        seed=_stable_int("synth", identity, genre, duration, seed),
        key=NOTE_NAMES[root],
        root=root,
        scale=scale,
        tempo=tempo,
        instruments=instruments,
        progression=progression,
        lead=lead,
        chords=chords,
        arp=style.arp,
        bass=style.bass,
        drums=drums,
    )


def _check_duration(duration: int) -> int:
    """Validate a requested duration in whole seconds."""
    value = int(duration)
    if value != duration or not MIN_DURATION <= value <= MAX_DURATION:
        raise ValueError(f"duration must be an integer from {MIN_DURATION} to {MAX_DURATION}")
    return value


def _stable_int(*parts: object) -> int:
    """A 64-bit integer derived deterministically from the parts."""
    return int.from_bytes(digest(*parts)[:8], "big")


def _dedupe(items: Iterable[str | None]) -> tuple[str, ...]:
    """Drop Nones and repeats while keeping the first occurrence order."""
    out: list[str] = []
    for item in items:
        if item and item not in out:
            out.append(item)
    return tuple(out)


def _key_hint(text: str) -> tuple[int | None, str | None]:
    """Parse an explicit key such as 'in F# minor' from the prompt."""
    match = re.search(r"\b([a-g])(#|♯|b|♭)?\s*(major|minor)\b", text)
    if not match:
        return None, None
    root = "cdefgab".index(match.group(1))
    pitch = (0, 2, 4, 5, 7, 9, 11)[root]
    accidental = match.group(2)
    if accidental in ("#", "♯"):
        pitch += 1
    elif accidental in ("b", "♭"):
        pitch -= 1
    return pitch % 12, match.group(3)


def _pick_scale(style: _Style, words: list[str], rng: np.random.Generator) -> str:
    """Pick a scale from the genre's palette, biased by mood words."""
    dark = sum(w in _MINOR_WORDS for w in words)
    bright = sum(w in _MAJOR_WORDS for w in words)
    options = list(style.scales)
    if dark > bright:
        options = [s for s in options if s in _MINOR_SCALES] or ["minor"]
    elif bright > dark:
        options = [s for s in options if s not in _MINOR_SCALES] or ["major"]
    return str(options[int(rng.integers(len(options)))])


def _pick_tempo(style: _Style, words: list[str], text: str, rng: np.random.Generator) -> int:
    """Pick a tempo in the genre's range, nudged by speed words or an explicit 'NNN bpm'."""
    low, high = style.tempo
    tempo = float(rng.integers(low, high + 1))
    fast = sum(w in _FAST_WORDS for w in words)
    slow = sum(w in _SLOW_WORDS for w in words)
    tempo *= 1.0 + 0.15 * float(np.sign(fast - slow))
    explicit = re.search(r"\b(\d{2,3})\s*bpm\b", text)
    if explicit:
        tempo = float(explicit.group(1))
    return int(np.clip(round(tempo), MIN_TEMPO, MAX_TEMPO))


def _pick_voices(
    style: _Style, genre: str, words: list[str], rng: np.random.Generator
) -> tuple[str, str]:
    """Lead and chord voices: genre defaults, overridden by instruments named in the prompt."""
    lead = str(style.leads[int(rng.integers(len(style.leads)))])
    chords = str(style.chords[int(rng.integers(len(style.chords)))])
    named = list(_dedupe(_INSTRUMENT_WORDS.get(w) for w in words))
    if genre == "rock":
        named = ["electric guitar" if v == "guitar" else v for v in named]
    if named and named[0] == "pad":
        chords = "pad"
        named = named[1:]
    if named:
        lead = named[0]
    if len(named) > 1:
        chords = named[1]
    return lead, chords


def _pick_drums(style: _Style, words: list[str]) -> str | None:
    """Drum pattern family, honouring 'drumless' or a request for a beat."""
    if any(w in _DRUMLESS_WORDS for w in words) or " ".join(words).find("no drums") >= 0:
        return None
    if style.drums is None and any(w in _DRUM_WORDS for w in words):
        return "soft"
    return style.drums


def _harmony_mode(scale: str) -> str:
    """The seven-note mode a scale's chords are built from."""
    return _HARMONY_MODE.get(scale, scale)


def _pick_progression(scale: str, genre: str, rng: np.random.Generator) -> tuple[int, ...]:
    """A four-chord progression of scale degrees that suits the mode (and jazz's ii-V-I)."""
    options = _PROGRESSIONS[_harmony_mode(scale)]
    if genre == "jazz" and scale in ("major", "mixolydian"):
        options = ((1, 4, 0, 0), (0, 5, 1, 4), (2, 5, 1, 4))
    return tuple(int(d) for d in options[int(rng.integers(len(options)))])


# ---------------------------------------------------------------------------
# Voices (wavetable synthesis)
# ---------------------------------------------------------------------------


def _powers(count: int, exponent: float) -> tuple[float, ...]:
    """Harmonic amplitudes falling off as 1/k**exponent."""
    return tuple(1.0 / k**exponent for k in range(1, count + 1))


@dataclass(frozen=True)
class _Voice:
    """A two-table voice whose bright onset timbre decays into a duller one."""

    bright: tuple[float, ...]
    dull: tuple[float, ...]
    adsr: tuple[float, float, float, float]  # attack s, decay time constant s, sustain, release s
    bright_decay: float
    register: int
    vibrato: float = 0.0
    detune: float = 0.0
    drive: float = 0.0
    gain: float = 1.0


_SAW24, _SAW20, _SAW16 = _powers(24, 1.0), _powers(20, 1.0), _powers(16, 1.0)
_VOICES: dict[str, _Voice] = {
    "piano": _Voice(
        (1, 0.55, 0.35, 0.22, 0.16, 0.1, 0.07, 0.05, 0.035, 0.025, 0.02, 0.012),
        (1, 0.3, 0.1, 0.04),
        (0.003, 0.9, 0.0, 0.25),
        0.3,
        72,
        gain=0.9,
    ),
    "electric piano": _Voice(
        (1, 0.45, 0.08, 0.3, 0.02, 0.05, 0.22, 0.0, 0.0, 0.1),
        (1, 0.12, 0.02),
        (0.004, 1.4, 0.0, 0.3),
        0.2,
        67,
        gain=0.9,
    ),
    "guitar": _Voice(_SAW20, (1, 0.4, 0.18, 0.08), (0.002, 0.8, 0.0, 0.12), 0.1, 64, gain=0.8),
    "pluck": _Voice(_SAW16, (1, 0.2, 0.05), (0.002, 0.22, 0.0, 0.08), 0.05, 72, gain=0.7),
    "synth lead": _Voice(
        _SAW24, _powers(8, 1.6), (0.01, 0.3, 0.7, 0.12), 0.35, 72, 0.004, 9.0, gain=1.1
    ),
    "bells": _Voice(
        (1, 0.08, 0.0, 0.55, 0.0, 0.22, 0.0, 0.1),
        (1, 0.0, 0.0, 0.12),
        (0.002, 1.6, 0.0, 0.5),
        0.2,
        76,
        gain=0.75,
    ),
    "strings": _Voice(
        _powers(16, 1.2), _powers(8, 1.8), (0.16, 1.0, 0.85, 0.35), 2.0, 72, 0.005, 7.0, gain=0.55
    ),
    "cello": _Voice(
        _powers(12, 1.3), _powers(6, 1.8), (0.06, 0.8, 0.75, 0.25), 1.0, 40, 0.004, gain=0.7
    ),
    "pad": _Voice(
        _powers(12, 1.4), _powers(6, 2.0), (0.6, 2.0, 0.8, 1.0), 2.0, 60, detune=11.0, gain=0.4
    ),
    "organ": _Voice(
        (1, 0.7, 0.5, 0.5, 0.0, 0.35, 0.0, 0.3),
        (1, 0.7, 0.5, 0.5, 0.0, 0.35, 0.0, 0.3),
        (0.01, 0.1, 1.0, 0.06),
        1.0,
        69,
        0.003,
        gain=0.45,
    ),
    "flute": _Voice(
        (1, 0.25, 0.08, 0.03), (1, 0.15, 0.04), (0.06, 0.5, 0.8, 0.12), 0.3, 74, 0.006, gain=0.7
    ),
    "sub bass": _Voice((1, 0.25, 0.05), (1, 0.1), (0.005, 0.6, 0.75, 0.07), 0.1, 40, gain=0.7),
    "bass": _Voice(_powers(10, 1.3), (1, 0.45, 0.15), (0.004, 0.5, 0.45, 0.06), 0.08, 40),
    "synth bass": _Voice(
        _SAW16, _powers(4, 2.0), (0.004, 0.25, 0.6, 0.05), 0.07, 40, drive=1.5, gain=0.85
    ),
    "upright bass": _Voice(
        (1, 0.6, 0.35, 0.15, 0.08), (1, 0.35, 0.1), (0.008, 0.35, 0.25, 0.08), 0.06, 40
    ),
    "electric guitar": _Voice(
        _SAW20, _powers(10, 1.4), (0.004, 0.8, 0.6, 0.1), 0.4, 67, 0.004, drive=3.0, gain=0.5
    ),
    "power guitar": _Voice(
        _SAW20, _powers(10, 1.4), (0.003, 0.4, 0.5, 0.05), 0.2, 45, drive=4.0, gain=0.4
    ),
}

_TABLE_CACHE: dict[tuple[tuple[float, ...], int], np.ndarray] = {}
_RAMP = np.arange(0, dtype=np.float64)


def _ramp(n: int) -> np.ndarray:
    """A cached 0..n-1 float64 ramp (a view; never modify it)."""
    global _RAMP
    ramp = _RAMP  # local copy: another thread may swap the global meanwhile
    if n > ramp.size:
        ramp = np.arange(max(n, 2 * ramp.size), dtype=np.float64)
        _RAMP = ramp
    return ramp[:n]


def _wavetable(harmonics: tuple[float, ...], freq: float) -> np.ndarray:
    """A single-cycle table of the harmonics, band-limited below Nyquist for freq."""
    count = max(1, min(len(harmonics), int(0.45 * SAMPLE_RATE / max(freq, 1.0))))
    key = (harmonics, count)
    table = _TABLE_CACHE.get(key)
    if table is None:
        spectrum = np.zeros(_TABLE_SIZE // 2 + 1, dtype=np.complex128)
        spectrum[1 : count + 1] = -1j * np.asarray(harmonics[:count])
        wave = np.fft.irfft(spectrum, n=_TABLE_SIZE)
        table = (wave / max(np.abs(wave).max(), 1e-9)).astype(np.float32)
        _TABLE_CACHE[key] = table
    return table


def _midi_freq(midi: int) -> float:
    """Equal-tempered frequency of a MIDI note."""
    return 440.0 * 2.0 ** ((midi - 69) / 12.0)


def _phase_index(n: int, freq: float, vibrato: float) -> np.ndarray:
    """Table indices for n samples of an oscillator, optionally with 5.3 Hz vibrato."""
    step = freq * _TABLE_SIZE / SAMPLE_RATE
    if vibrato:
        wobble = 1.0 + vibrato * np.sin(_ramp(n) * (2 * np.pi * 5.3 / SAMPLE_RATE))
        phase = np.cumsum(wobble * step)
    else:
        phase = _ramp(n) * step
    return phase.astype(np.int64) & _TABLE_MASK


def _envelope(voice: _Voice, gate: int, n: int) -> np.ndarray:
    """ADSR envelope: linear attack, exponential decay to sustain, tapered release."""
    attack_s, decay_s, sustain, release_s = voice.adsr
    t = (_ramp(n) / SAMPLE_RATE).astype(np.float32)
    env = sustain + (1.0 - sustain) * np.exp(-np.maximum(t - attack_s, 0.0) / decay_s)
    attack = min(n, max(1, int(attack_s * SAMPLE_RATE)))
    env[:attack] *= np.linspace(0.0, 1.0, attack, dtype=np.float32)
    if gate < n:
        tail = n - gate
        level = env[gate - 1] if gate > 0 else 0.0
        fall = np.exp(-t[:tail] * (4.0 / max(release_s, 1e-3)))
        env[gate:] = level * fall * np.linspace(1.0, 0.0, tail, dtype=np.float32)
    return env


def _render_note(voice: _Voice, midi: int, gate: int) -> np.ndarray:
    """Synthesize one note (gate samples held, then the release tail) as float32 mono."""
    n = gate + max(1, int(voice.adsr[3] * SAMPLE_RATE))
    freq = _midi_freq(midi)
    bright = _wavetable(voice.bright, freq)
    dull = _wavetable(voice.dull, freq)
    mix = np.exp((_ramp(n) * (-1.0 / (voice.bright_decay * SAMPLE_RATE))).astype(np.float32))
    ratios = (1.0, 2.0 ** (voice.detune / 1200.0)) if voice.detune else (1.0,)
    wave = np.zeros(n, dtype=np.float32)
    for ratio in ratios:
        idx = _phase_index(n, freq * ratio, voice.vibrato)
        low = dull[idx]
        wave += low + (bright[idx] - low) * mix
    wave *= _envelope(voice, gate, n) / len(ratios)
    if voice.drive:
        wave = np.tanh(wave * voice.drive) / np.tanh(voice.drive)
    return wave.astype(np.float32, copy=False)


# ---------------------------------------------------------------------------
# Drums (noise + sine sweeps)
# ---------------------------------------------------------------------------


def _seconds(duration: float) -> np.ndarray:
    """Float32 time axis of the given length."""
    return (_ramp(int(duration * SAMPLE_RATE)) / SAMPLE_RATE).astype(np.float32)


def _highpass(x: np.ndarray) -> np.ndarray:
    """Crude first-difference high-pass, enough to make noise hiss."""
    return np.diff(x, prepend=np.float32(0.0))


def _box(x: np.ndarray, width: int) -> np.ndarray:
    """Moving-average low-pass of the given width, same length as x."""
    if width <= 1:
        return x
    csum = np.cumsum(x, dtype=np.float64)
    out = np.empty_like(x)
    out[:width] = csum[:width] / np.arange(1, width + 1)
    out[width:] = (csum[width:] - csum[:-width]) / width
    return out


def _peak1(x: np.ndarray) -> np.ndarray:
    """Scale to unit peak (float32)."""
    return (x / max(float(np.abs(x).max()), 1e-9)).astype(np.float32)


def _drum_kit(rng: np.random.Generator, boomy: bool) -> dict[str, np.ndarray]:
    """Synthesize one hit per drum sound; patterns reuse them at different velocities."""

    def noise(duration: float) -> np.ndarray:
        return rng.standard_normal(int(duration * SAMPLE_RATE), dtype=np.float32)

    t = _seconds(0.7 if boomy else 0.45)
    sweep = 42.0 + 110.0 * np.exp(-t / 0.03)
    body = np.sin(2 * np.pi * np.cumsum(sweep, dtype=np.float64) / SAMPLE_RATE).astype(np.float32)
    kick = body * np.exp(-t / (0.32 if boomy else 0.16))
    kick += 0.25 * noise(t.size / SAMPLE_RATE) * np.exp(-t / 0.003)
    kick = np.tanh(1.6 * kick)

    t = _seconds(0.3)
    tone = np.sin(2 * np.pi * 185.0 * t) + 0.5 * np.sin(2 * np.pi * 330.0 * t)
    snare = 0.5 * tone * np.exp(-t / 0.05) + _box(_highpass(noise(0.3)), 2) * np.exp(-t / 0.09)

    t = _seconds(0.35)
    bursts = sum(np.exp(-np.maximum(t - d, 0) / 0.006) * (t >= d) for d in (0.0, 0.011, 0.023))
    clap = _box(_highpass(noise(0.35)), 3) * (bursts + 0.4 * np.exp(-t / 0.1))

    t = _seconds(0.09)
    hat = _highpass(_highpass(noise(0.09))) * np.exp(-t / 0.018)
    t = _seconds(0.45)
    open_hat = _highpass(_highpass(noise(0.45))) * np.exp(-t / 0.13)

    t = _seconds(0.9)
    ring = sum(np.sign(np.sin(2 * np.pi * f * t)) for f in (3150.0, 4410.0, 5720.0))
    ride = (0.15 * ring + _highpass(noise(0.9))) * np.exp(-t / 0.35)
    t = _seconds(1.8)
    crash = _highpass(noise(1.8)) * np.exp(-t / 0.6) * np.minimum(t / 0.004, 1.0)
    t = _seconds(0.12)
    shaker = _highpass(noise(0.12)) * np.minimum(t / 0.015, 1.0) * np.exp(-t / 0.03)

    levels = {
        "kick": (kick, 1.0),
        "snare": (snare, 0.7),
        "clap": (clap, 0.6),
        "hat": (hat, 0.55),
        "open_hat": (open_hat, 0.45),
        "ride": (ride, 0.4),
        "crash": (crash, 0.45),
        "shaker": (shaker, 0.5),
    }
    return {name: _peak1(wave) * gain for name, (wave, gain) in levels.items()}


# 16-step patterns per bar: x=accent, o=normal, g=ghost. Several variants per part.
_DRUM_PATTERNS: dict[str, dict[str, tuple[str, ...]]] = {
    "four": {
        "kick": ("x...x...x...x...",),
        "clap": ("....x.......x...", "....x.......x..g"),
        "hat": (".g.g.g.g.g.g.g.g", "gg.ggg.ggg.ggg.g"),
        "open_hat": ("..o...o...o...o.",),
    },
    "backbeat": {
        "kick": ("x.......x.x.....", "x......xx.x.....", "x.....x...x....."),
        "snare": ("....x.......x...", "....x.......x..g"),
        "hat": ("x.o.x.o.x.o.x.o.", "x.o.x.o.x.o.x.oo"),
    },
    "rock": {
        "kick": ("x.x.....x.x.....", "x.......x.xx....", "x.x...x.x.x....."),
        "snare": ("....x.......x...",),
        "hat": ("x.x.x.x.x.x.x.x.", "x.o.x.o.x.o.x.o."),
    },
    "boombap": {
        "kick": ("x.........x.....", "x......x..x.....", "x.x.......x..x.."),
        "snare": ("....x.......x...", "....x.......x..g"),
        "hat": ("x.o.x.o.x.o.x.o.", "x.o.x.o.x.o.xoxo"),
    },
    "lofi": {
        "kick": ("x......x..x.....", "x.........x.....", "x......x.x......"),
        "snare": ("....o.......o...", "....o..g....o..."),
        "hat": ("o.g.o.g.o.g.o.g.", "o.g.o.g.o.gggo.g"),
    },
    "jazz": {
        "ride": ("x...o.g.x...o.g.", "x...o.g.x...o.o."),
        "hat": ("....o.......o...",),
        "kick": ("g...............", "g.......g......."),
    },
    "soft": {
        "kick": ("o.......o.......",),
        "shaker": ("g.g.g.g.g.g.g.g.", "g.ggg.g.g.ggg.g."),
    },
}
_FILLS: dict[str, dict[str, str]] = {
    "four": {"clap": "............xoxx"},
    "backbeat": {"snare": "............xoxx", "kick": "x.......x......."},
    "rock": {"snare": "........xoxoxxxx", "hat": "x.x.x.x........."},
    "boombap": {"hat": "x.o.x.o.x.o.xxxx"},
    "lofi": {"snare": "....o.......o.gg"},
    "jazz": {"snare": "..........g.o.x."},
    "soft": {},
}
_STEP_VELOCITY = {"x": 1.0, "o": 0.72, "g": 0.38}
_CRASH_STYLES = frozenset({"four", "backbeat", "rock"})

# ---------------------------------------------------------------------------
# Composition
# ---------------------------------------------------------------------------


class _Event(NamedTuple):
    """One note or drum hit; midi is -1 for drums."""

    part: str
    start: int
    gate: int
    midi: int
    velocity: float


@dataclass(frozen=True)
class _Grid:
    """Converts (bar, sixteenth step) positions into sample offsets with swing."""

    sixteenth: float
    swing: float
    swing_unit: int

    @property
    def bar(self) -> float:
        """Samples per bar."""
        return 16 * self.sixteenth

    def at(self, bar: int, step: float) -> float:
        """Sample position of a step in a bar, delaying off-beats by the swing amount."""
        pos = bar * self.bar + step * self.sixteenth
        offbeat = int(step) % 2 == 1 if self.swing_unit == 16 else int(step) % 4 == 2
        if offbeat:
            pos += self.swing * self.sixteenth
        return pos

    def length(self, steps: float, legato: float = 0.92) -> int:
        """Gate length in samples for a number of steps."""
        return max(64, int(steps * self.sixteenth * legato))


def _arrangement(bars: int, cadence: int) -> list[str]:
    """Section role per bar: intro, main, break or end."""
    roles = ["main"] * bars
    if cadence >= 6:
        intro = 1 if cadence < 14 else 2
        roles[:intro] = ["intro"] * intro
    if cadence >= 14:
        start = round(cadence * 0.55)
        roles[start : start + 2] = ["break", "break"]
    for b in range(min(cadence, bars), bars):
        roles[b] = "end"
    return roles


def _chord_tones(plan: TrackPlan, degree: int, sevenths: bool) -> list[int]:
    """Semitone offsets from the root of the chord on a scale degree, stacked in thirds."""
    mode = SCALES[_harmony_mode(plan.scale)]
    count = 4 if sevenths else 3
    return [mode[(degree + 2 * k) % 7] + 12 * ((degree + 2 * k) // 7) for k in range(count)]


def _nearest(pitch_class: int, centre: int) -> int:
    """The MIDI note of a pitch class closest to a centre note."""
    return centre + ((pitch_class - centre + 6) % 12) - 6


def _voicing(plan: TrackPlan, tones: list[int], centre: int) -> list[int]:
    """Close voicing inside one octave around centre, so chords move smoothly."""
    low = centre - 6
    return sorted(low + ((plan.root + tone - low) % 12) for tone in tones)


class _Composer:
    """Writes the score: chords, bass, melody, arpeggio and drums, bar by bar."""

    def __init__(self, plan: TrackPlan, rng: np.random.Generator, n_samples: int) -> None:
        """Set up the grid, arrangement and harmony for a plan."""
        self.plan = plan
        self.style = _STYLES[plan.genre]
        self.rng = rng
        self.grid = _Grid(SAMPLE_RATE * 15.0 / plan.tempo, self.style.swing, self.style.swing_unit)
        self.bars = int(np.ceil(n_samples / self.grid.bar))
        cadence = int(max(0.0, n_samples - SAMPLE_RATE) // self.grid.bar)
        self.roles = _arrangement(self.bars, cadence)
        prog = plan.progression
        self.degrees = [0 if r == "end" else prog[b % len(prog)] for b, r in enumerate(self.roles)]
        scale = SCALES[plan.scale]
        centre = _VOICES[plan.lead].register
        self.melody_notes = [
            m for m in range(centre - 10, centre + 13) if (m - plan.root) % 12 in scale
        ]
        self.melody_index = len(self.melody_notes) // 2
        self.motifs: list[tuple[list[tuple[int, int]], list[int]]] = []

    def compose(self) -> list[list[_Event]]:
        """Return the events of every bar."""
        score: list[list[_Event]] = []
        for bar, role in enumerate(self.roles):
            events: list[_Event] = []
            events += self._chords(bar, role)
            events += self._bass(bar, role)
            events += self._melody(bar, role)
            events += self._arp(bar, role)
            events += self._drums(bar, role)
            score.append(events)
        return score

    # -- helpers ---------------------------------------------------------

    def _event(
        self, part: str, bar: int, step: float, steps: float, midi: int, vel: float
    ) -> _Event:
        """Build an event at a grid position with optional human timing jitter."""
        pos = self.grid.at(bar, step)
        if self.style.humanize:
            pos += float(self.rng.normal(0.0, self.style.humanize * SAMPLE_RATE))
        vel *= float(self.rng.uniform(0.88, 1.0))
        return _Event(part, max(0, int(pos)), self.grid.length(steps), midi, vel)

    def _chord_pcs(self, bar: int) -> set[int]:
        """Pitch classes of the chord sounding in a bar."""
        tones = _chord_tones(self.plan, self.degrees[bar], self.style.sevenths)
        return {(self.plan.root + t) % 12 for t in tones}

    # -- parts -------------------------------------------------------------

    def _chords(self, bar: int, role: str) -> list[_Event]:
        """Chord comping in the genre's rhythm; sustained voices simply hold the bar."""
        tones = _chord_tones(self.plan, self.degrees[bar], self.style.sevenths)
        voice = self.plan.chords
        comp = self.style.comp
        notes = _voicing(self.plan, tones, 55 if comp == "broken" else 62)
        if voice in ("pad", "strings", "organ") or role == "end":
            comp = "sustain"
        if voice == "power guitar":
            root = _nearest((self.plan.root + tones[0]) % 12, 45)
            notes = [root, root + 7, root + 12]
        if comp == "broken":
            return self._broken_chord(bar, notes)
        hits = _COMP_RHYTHMS[comp]
        rhythm = hits[int(self.rng.integers(len(hits)))]
        vel = 0.55 if role == "intro" else 0.7
        return [
            self._event("chords", bar, start, length, midi, vel)
            for start, length in rhythm
            for midi in notes
        ]

    def _broken_chord(self, bar: int, notes: list[int]) -> list[_Event]:
        """Alberti-style broken chord in eighths (classical left hand)."""
        low, mid, high = notes[0], notes[1], notes[-1]
        order = [low, high, mid, high] * 2
        return [self._event("chords", bar, 2 * i, 2, m, 0.55) for i, m in enumerate(order)]

    def _bass(self, bar: int, role: str) -> list[_Event]:
        """Bass line following the chord roots in the genre's pattern."""
        if role in ("intro", "break"):
            return []
        tones = _chord_tones(self.plan, self.degrees[bar], False)
        root = _nearest((self.plan.root + tones[0]) % 12, 40)
        fifth = root + (tones[2] - tones[0])
        if role == "end":
            return [self._event("bass", bar, 0, 16, root, 0.8)]
        next_degree = self.degrees[min(bar + 1, self.bars - 1)]
        next_step = SCALES[_harmony_mode(self.plan.scale)][next_degree]
        next_root = _nearest((self.plan.root + next_step) % 12, root)
        notes = _bass_pattern(self.style.bass_pattern, root, fifth, tones, next_root, self.rng)
        return [self._event("bass", bar, s, n, m, v) for s, n, m, v in notes]

    def _melody(self, bar: int, role: str) -> list[_Event]:
        """Lead melody built from repeating two-bar motifs re-fitted to the chords."""
        if role == "intro":
            return []
        if role == "end":
            if bar and self.roles[bar - 1] == "end":
                return []
            tonic = _nearest(self.plan.root, _VOICES[self.plan.lead].register)
            return [self._event("lead", bar, 0, 16, tonic, 0.7)]
        rhythm, contour = self._motif_for(bar)
        half = (bar % 2) * 16
        events = []
        for (start, length), delta in zip(rhythm, contour, strict=True):
            if not half <= start < half + 16:
                continue
            step = start - half
            self.melody_index = self._walk(self.melody_index, delta)
            if step % 8 == 0:
                self.melody_index = self._snap(self.melody_index, self._chord_pcs(bar))
            midi = self.melody_notes[self.melody_index]
            accent = 0.85 if step % 4 == 0 else 0.7
            events.append(self._event("lead", bar, step, length, midi, accent))
        return events

    def _motif_for(self, bar: int) -> tuple[list[tuple[int, int]], list[int]]:
        """Motif for the two-bar cell containing this bar (A A' B A' ... form)."""
        phrase = bar // 4
        kind = 1 if phrase % 4 == 2 else 0
        while len(self.motifs) <= kind:
            self.motifs.append(self._new_motif())
        rhythm, contour = self.motifs[kind]
        if (bar // 2) % 2 == 1:
            contour = contour[:-2] + self._contour(min(2, len(contour)))
        return rhythm, contour

    def _new_motif(self) -> tuple[list[tuple[int, int]], list[int]]:
        """A fresh two-bar rhythm with a melodic contour of scale steps."""
        rhythm: list[tuple[int, int]] = []
        pos = 0
        steps = self.style.note_steps
        while pos < 32:
            length = min(int(steps[int(self.rng.integers(len(steps)))]), 32 - pos)
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

    def _arp(self, bar: int, role: str) -> list[_Event]:
        """Arpeggiated chord tones (sixteenths for plucks, sparse eighths for bells)."""
        voice = self.plan.arp
        if voice is None or role == "end":
            return []
        tones = _chord_tones(self.plan, self.degrees[bar], True)
        notes = _voicing(self.plan, tones, _VOICES[voice].register)
        pattern = notes + [n + 12 for n in notes[1:3]] + notes[::-1][1:3]
        step, chance = (1, 0.85) if voice == "pluck" else (2, 0.5)
        events = []
        for i, pos in enumerate(range(0, 16, step)):
            if self.rng.random() < chance:
                vel = 0.6 if pos % 4 == 0 else 0.45
                events.append(self._event("arp", bar, pos, step, pattern[i % len(pattern)], vel))
        return events

    def _drums(self, bar: int, role: str) -> list[_Event]:
        """Drum hits from the pattern family, with fills and crashes at section changes."""
        family = self.plan.drums
        if family is None:
            return []
        if role == "end":
            if bar and self.roles[bar - 1] == "end":
                return []
            hits = [self._event("kick", bar, 0, 1, -1, 1.0)]
            if family in _CRASH_STYLES:
                hits.append(self._event("crash", bar, 0, 1, -1, 0.9))
            return hits
        lines = dict(_DRUM_PATTERNS[family])
        if role in ("intro", "break"):
            lines = {p: v for p, v in lines.items() if p in ("hat", "ride", "shaker")}
        chosen = {p: v[int(self.rng.integers(len(v)))] for p, v in lines.items()}
        if role == "main" and self._is_fill(bar):
            for part, line in _FILLS[family].items():
                chosen[part] = chosen.get(part, "." * 16)[:12] + line[12:]
        if family == "jazz" and role == "main":
            chosen["snare"] = "".join("g" if self.rng.random() < 0.2 else "." for _ in range(16))
        events = [
            self._event(part, bar, step, 1, -1, _STEP_VELOCITY[ch])
            for part, line in chosen.items()
            for step, ch in enumerate(line)
            if ch in _STEP_VELOCITY
        ]
        if role == "main" and family in _CRASH_STYLES and self._section_start(bar):
            events.append(self._event("crash", bar, 0, 1, -1, 0.8))
        return events

    def _is_fill(self, bar: int) -> bool:
        """Fill before a section change and at the end of every four-bar phrase."""
        nxt = self.roles[bar + 1] if bar + 1 < self.bars else "end"
        return nxt != "main" or bar % 4 == 3

    def _section_start(self, bar: int) -> bool:
        """True on the first main bar after another section, and every eight bars."""
        return (bar > 0 and self.roles[bar - 1] != "main") or (bar > 0 and bar % 8 == 0)


_COMP_RHYTHMS: dict[str, tuple[tuple[tuple[int, int], ...], ...]] = {
    "sustain": (((0, 16),),),
    "halves": (((0, 8), (8, 8)), ((0, 6), (6, 10)), ((0, 10), (10, 6))),
    "quarters": (((0, 3), (4, 3), (8, 3), (12, 3)), ((0, 6), (6, 2), (8, 6), (14, 2))),
    "charleston": (((0, 3), (6, 2)), ((2, 2), (10, 4)), ((0, 2), (6, 2), (12, 3))),
    "chug": (tuple((s, 1) for s in range(0, 16, 2)), ((0, 3), (4, 1), (6, 1), (8, 3), (12, 4))),
}


def _bass_pattern(
    pattern: str,
    root: int,
    fifth: int,
    tones: list[int],
    next_root: int,
    rng: np.random.Generator,
) -> list[tuple[int, int, int, float]]:
    """Bass notes (step, length, midi, velocity) for one bar."""
    if pattern == "drone":
        return [(0, 16, root, 0.7)]
    if pattern == "halves":
        return [(0, 8, root, 0.8), (8, 8, fifth if rng.random() < 0.5 else root, 0.7)]
    if pattern == "offbeat":
        return [(s, 2, root, 0.85) for s in (2, 6, 10, 14)] + [(0, 1, root - 12, 0.6)]
    if pattern == "hiphop":
        second = (7, 3, fifth, 0.7) if rng.random() < 0.5 else (7, 3, root + 12, 0.6)
        return [(0, 6, root, 0.9), second, (10, 6, root, 0.8)]
    if pattern == "walking":
        third = root + (tones[1] - tones[0])
        approach = next_root + (1 if rng.random() < 0.5 else -1)
        return [(0, 4, root, 0.85), (4, 4, third, 0.7), (8, 4, fifth, 0.75), (12, 4, approach, 0.7)]
    notes = [(s, 2, root, 0.85 if s % 4 == 0 else 0.7) for s in range(0, 12, 2)]
    return notes + [(12, 2, fifth, 0.75), (14, 2, root + 12 if rng.random() < 0.5 else root, 0.7)]


# ---------------------------------------------------------------------------
# Rendering and mixing
# ---------------------------------------------------------------------------

_PART_BUS = {
    "lead": "lead",
    "chords": "chords",
    "arp": "arp",
    "bass": "bass",
    "kick": "drums",
    "snare": "drums",
    "clap": "drums",
    "hat": "cymbals",
    "open_hat": "cymbals",
    "ride": "cymbals",
    "crash": "cymbals",
    "shaker": "cymbals",
}


@dataclass(frozen=True)
class _BusMix:
    """Level, stereo placement and reverb send of one bus."""

    gain: float
    pan: float
    send: float
    width: float = 0.0


_BUS_MIX = {
    "lead": _BusMix(0.55, 0.08, 0.35),
    "chords": _BusMix(0.34, -0.12, 0.55, width=0.011),
    "arp": _BusMix(0.3, 0.3, 0.55, width=0.007),
    "bass": _BusMix(0.6, 0.0, 0.04),
    "drums": _BusMix(0.75, 0.0, 0.1),
    "cymbals": _BusMix(1.2, 0.22, 0.15),
}


def synthesize(plan: TrackPlan, progress: ProgressFn | None = None) -> np.ndarray:
    """Render a plan to float32 stereo samples (frames x 2) at SAMPLE_RATE."""
    report = Progress(progress)
    report(0)
    n_samples = int(plan.duration * SAMPLE_RATE)
    rng = np.random.default_rng(plan.seed)
    composer = _Composer(plan, rng, n_samples)
    score = composer.compose()
    style = _STYLES[plan.genre]
    kit = _drum_kit(rng, plan.drums in ("boombap", "lofi")) if plan.drums else {}
    length = int(composer.bars * composer.grid.bar) + 4 * SAMPLE_RATE
    buses = _render_score(plan, score, kit, length, report)
    mix = _mix(buses, plan, style, composer.grid, score, rng, n_samples)
    report(95)
    out = _master(mix, plan.duration)
    report(100)
    return out


def _render_score(
    plan: TrackPlan,
    score: list[list[_Event]],
    kit: dict[str, np.ndarray],
    length: int,
    report: Progress,
) -> dict[str, np.ndarray]:
    """Render every event into per-bus mono buffers, reporting progress per bar."""
    buses = {name: np.zeros(length, dtype=np.float32) for name in _BUS_MIX}
    voices = _part_voices(plan)
    cache: dict[tuple[str, int, int], np.ndarray] = {}
    for index, events in enumerate(score):
        for event in events:
            if event.midi < 0:
                wave = kit[event.part]
            else:
                name = voices[event.part] or "pluck"
                key = (name, event.midi, event.gate)
                wave = cache.get(key)
                if wave is None:
                    wave = cache[key] = _render_note(_VOICES[name], event.midi, event.gate)
            _add(buses[_PART_BUS[event.part]], wave, event.start, event.velocity)
        report(5 + 80 * (index + 1) / len(score))
    return buses


def _add(bus: np.ndarray, wave: np.ndarray, start: int, gain: float) -> None:
    """Mix a sound into a bus at an offset, clipping at the bus end."""
    end = min(bus.size, start + wave.size)
    if end > start:
        bus[start:end] += wave[: end - start] * np.float32(gain)


def _mix(
    buses: dict[str, np.ndarray],
    plan: TrackPlan,
    style: _Style,
    grid: _Grid,
    score: list[list[_Event]],
    rng: np.random.Generator,
    n_samples: int,
) -> np.ndarray:
    """Pan, echo, duck and reverberate the buses into a stereo (2, n) mix.

    Buses are consumed (popped) as they are mixed to keep peak memory down on long tracks.
    """
    length = next(iter(buses.values())).size
    stereo = np.zeros((2, length), dtype=np.float32)
    send = np.zeros(length, dtype=np.float32)
    if style.pump:
        ducking = _ducking(score, length)
        for name in ("chords", "bass", "arp"):
            buses[name] *= ducking
        del ducking
    for name in list(buses):
        bus = buses.pop(name)
        cfg = _BUS_MIX[name]
        bus *= np.float32(cfg.gain * _bus_voice_gain(plan, name))
        stereo[0] += bus * np.float32(np.sqrt(0.5 * (1 - cfg.pan)))
        shift = int(cfg.width * SAMPLE_RATE)
        right = np.float32(np.sqrt(0.5 * (1 + cfg.pan)))
        if shift:
            stereo[1, shift:] += bus[:-shift] * right
        else:
            stereo[1] += bus * right
        send += bus * np.float32(cfg.send)
        if name == "lead" and style.echo:
            _echo(stereo, bus, style.echo, grid)
        del bus
    _add_reverb(stereo, send, style.room, style.reverb, rng)
    stereo = stereo[:, :n_samples]
    if style.vinyl:
        stereo = _lofi(stereo, rng)
    return stereo


def _part_voices(plan: TrackPlan) -> dict[str, str | None]:
    """The voice playing each pitched part (and bus) of a plan."""
    return {"lead": plan.lead, "chords": plan.chords, "arp": plan.arp, "bass": plan.bass}


def _bus_voice_gain(plan: TrackPlan, bus: str) -> float:
    """The voice's own loudness trim for pitched buses."""
    voice = _part_voices(plan).get(bus)
    return _VOICES[voice].gain if voice else 1.0


def _ducking(score: list[list[_Event]], length: int) -> np.ndarray:
    """Side-chain gain curve that dips after every kick (the electronic 'pump')."""
    gain = np.ones(length, dtype=np.float32)
    dip = -0.55 * np.exp(-_seconds(0.35) / 0.09)
    for events in score:
        for event in events:
            if event.part == "kick":
                _add(gain, dip, event.start, 1.0)
    return np.maximum(gain, 0.35)


def _echo(stereo: np.ndarray, lead: np.ndarray, amount: float, grid: _Grid) -> None:
    """Ping-pong dotted-eighth echo of the lead, added in place."""
    delay = int(3 * grid.sixteenth)
    for k in range(1, 5):
        shift = k * delay
        if shift >= lead.size:
            break
        stereo[k % 2, shift:] += lead[:-shift] * np.float32(amount**k)


def _add_reverb(
    stereo: np.ndarray, send: np.ndarray, room: float, level: float, rng: np.random.Generator
) -> None:
    """Add a stereo convolution reverb of the send bus (decaying-noise impulse responses).

    The tail is computed at a quarter of the sample rate: reverb tails are dark anyway and
    this makes the FFT convolution about ten times cheaper.
    """
    factor = _REVERB_DECIMATION
    rate = SAMPLE_RATE / factor
    usable = send.size - send.size % factor
    low = send[:usable].reshape(-1, factor).mean(axis=1)
    t = np.arange(int(room * rate), dtype=np.float32) / np.float32(rate)
    predelay = int(0.02 * rate)
    fft_size = 1 << int(np.ceil(np.log2(low.size + t.size)))
    spectrum = np.fft.rfft(low, fft_size)
    for channel in range(2):
        ir = rng.standard_normal(t.size, dtype=np.float32) * np.exp(-6.9 * t / room)
        ir[:predelay] = 0.0
        ir *= np.float32(level / (np.sqrt(np.sum(ir**2)) + 1e-9))
        tail = np.fft.irfft(spectrum * np.fft.rfft(ir, fft_size), fft_size)[: low.size]
        stereo[channel, :usable] += _box(np.repeat(tail.astype(np.float32), factor), factor)


def _lofi(stereo: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Dull the top end and add vinyl crackle and hiss."""
    out = np.stack([_box(channel, 5) for channel in stereo])
    n = out.shape[1]
    crackle = np.zeros(n, dtype=np.float32)
    count = int(n / SAMPLE_RATE * 9)
    positions = rng.integers(0, n, size=count)
    crackle[positions] = rng.uniform(-1.0, 1.0, size=count).astype(np.float32)
    crackle = _box(crackle, 3) * np.float32(0.08)
    hiss = _box(rng.standard_normal(n, dtype=np.float32), 6) * np.float32(0.004)
    peak = np.float32(max(float(np.abs(out).max()), 1e-9))
    return out + (crackle + hiss) * peak


def _master(mix: np.ndarray, duration: float) -> np.ndarray:
    """Glue, fade and normalise the mix; returns float32 (frames x channels)."""
    mix -= mix.mean(axis=1, keepdims=True)
    drive = 1.6
    mix *= np.float32(drive / max(float(np.abs(mix).max()), 1e-9))
    np.tanh(mix, out=mix)
    mix *= np.float32(1.0 / np.tanh(drive))
    n = mix.shape[1]
    fade_in = max(1, int(min(1.0, 0.05 * duration) * SAMPLE_RATE))
    fade_out = max(1, int(min(4.0, 0.15 * duration) * SAMPLE_RATE))
    mix[:, :fade_in] *= np.linspace(0.0, 1.0, fade_in, dtype=np.float32) ** 2
    curve = 0.5 + 0.5 * np.cos(np.linspace(0.0, np.pi, fade_out, dtype=np.float32))
    mix[:, n - fade_out :] *= curve
    mix *= np.float32(_PEAK_TARGET / max(float(np.abs(mix).max()), 1e-9))
    return np.ascontiguousarray(mix.T, dtype=np.float32)


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def encode_mp3(samples: np.ndarray, progress: ProgressFn | None = None) -> bytes:
    """Encode float samples at SAMPLE_RATE as MP3, reporting 0..100 while encoding.

    Byte-identical for equal input. If decoding would overshoot full scale the audio is
    attenuated and encoded again, so the delivered file never clips.
    """
    report = Progress(progress)
    data = _encode_chunks(samples, Progress(report, 0, 90))
    decoded, _ = sf.read(io.BytesIO(data), dtype="float32")
    peak = float(np.abs(decoded).max()) if decoded.size else 0.0
    if peak > _DECODED_PEAK_LIMIT:
        scaled = samples * np.float32(_PEAK_TARGET / peak)
        data = _encode_chunks(scaled, Progress(None))
    report(100)
    return data


def _encode_chunks(samples: np.ndarray, report: Progress) -> bytes:
    """Stream samples through the MP3 encoder in chunks so progress can be reported."""
    buffer = io.BytesIO()
    channels = 1 if samples.ndim == 1 else samples.shape[1]
    with sf.SoundFile(
        buffer,
        "w",
        SAMPLE_RATE,
        channels,
        format="MP3",
        subtype="MPEG_LAYER_III",
        compression_level=_MP3_COMPRESSION,
    ) as handle:
        total = max(1, len(samples))
        for start in range(0, len(samples), _ENCODE_CHUNK):
            handle.write(samples[start : start + _ENCODE_CHUNK])
            report(100 * min(total, start + _ENCODE_CHUNK) / total)
    return buffer.getvalue()


def render_track(
    prompt: str,
    genre: str,
    duration: int,
    seed: int,
    out: Output,
    progress: ProgressFn | None = None,
) -> float:
    """Compose, synthesize and write an MP3 to out; returns its duration in seconds."""
    report = Progress(progress)
    samples = synthesize(plan_track(prompt, genre, duration, seed), report.sub(0, 40))
    write_output(out, encode_mp3(samples, report.sub(40, 100)))
    return samples.shape[0] / SAMPLE_RATE


def render_track_with_waveform(
    prompt: str,
    genre: str,
    duration: int,
    seed: int,
    audio_out: Output,
    waveform_out: Output,
    progress: ProgressFn | None = None,
) -> float:
    """Synthesize once and write both the MP3 and its waveform PNG; returns seconds."""
    report = Progress(progress)
    samples = synthesize(plan_track(prompt, genre, duration, seed), report.sub(0, 40))
    render_waveform(samples, waveform_out)
    write_output(audio_out, encode_mp3(samples, report.sub(42, 100)))
    return samples.shape[0] / SAMPLE_RATE


def render_waveform(
    samples: np.ndarray,
    out: Output,
    width: int = 800,
    height: int = 120,
    color: tuple[int, int, int] = (139, 92, 246),
) -> None:
    """Draw a mirrored peak/RMS waveform on a transparent background and save it as PNG."""
    if width < 1 or height < 1:
        raise ValueError("waveform size must be positive")
    peak, rms = _column_levels(samples, width)
    half = (height - 1) / 2.0
    rows = np.abs(np.arange(height, dtype=np.float32) - np.float32(half))[:, None]
    outer = rows <= np.maximum(peak * half, 0.5)[None, :]
    inner = rows <= (rms * half)[None, :]
    image = np.zeros((height, width, 4), dtype=np.uint8)
    image[..., :3] = color
    image[..., 3] = np.where(inner, 255, np.where(outer, 150, 0)).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(image, "RGBA").save(buffer, format="PNG")
    write_output(out, buffer.getvalue())


def _column_levels(samples: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-column peak and RMS (0..1) of the mono mix, for a waveform picture."""
    mono = np.asarray(samples, dtype=np.float32)
    if mono.ndim > 1:
        mono = mono.mean(axis=1)
    if mono.size == 0:
        zero = np.zeros(width, dtype=np.float32)
        return zero, zero
    per = int(np.ceil(mono.size / width))
    padded = np.zeros(per * width, dtype=np.float32)
    padded[: mono.size] = mono
    frames = padded.reshape(width, per)
    peak = np.abs(frames).max(axis=1)
    rms = np.sqrt(np.mean(frames * frames, axis=1))
    scale = max(float(peak.max()), 1e-9)
    return np.clip(peak / scale, 0, 1), np.clip(rms / scale, 0, 1)
