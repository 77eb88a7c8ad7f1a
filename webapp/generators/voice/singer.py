"""Singing: lyric syllables placed on the melody's notes, spoken by the engine, then re-pitched
and stretched to the notes with the WORLD vocoder (pyworld)."""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pyworld
from scipy.signal import lfilter, resample_poly

from ..common import seeded_rng
from . import engine, lyrics
from .engine import ENGINE_RATE, Voice

log = logging.getLogger(__name__)

FRAME_SECONDS = 0.010
_FRAME_MS = FRAME_SECONDS * 1000
_FFT_SIZE = pyworld.get_cheaptrick_fft_size(ENGINE_RATE)
# Section names sung in (others are instrumental: intro, bridge, outro, breaks).
_INSTRUMENTAL_SECTIONS = frozenset({"intro", "bridge", "outro", "break", "breakdown", "drop"})
_MIN_NOTE = 0.09  # seconds: notes are split for extra syllables down to this length
_MELISMA_COST = 0.35
_GLIDE_SECONDS = 0.03
_VIBRATO_DEPTH = 0.28  # semitones
_VIBRATO_DELAY, _VIBRATO_RAMP = 0.18, 0.25
_STRESS_GAIN = 10 ** (1.5 / 10)  # power: +1.5 dB on stressed syllables
_SILENT_POWER = 1e-14
# -40 dB of noise at 0 Hz rising to -6 dB at the top of the band, in voiced frames.
_VOICED_APERIODICITY = 10 ** (np.linspace(-40.0, -6.0, _FFT_SIZE // 2 + 1) / 20)
# WORLD keeps the aperiodic noise generator's state in C globals: one synthesis at a time.
_WORLD_LOCK = threading.Lock()


@dataclass(frozen=True, order=True)
class MelodyNote:
    """One note of the lead melody, in seconds and MIDI pitch."""

    onset: float
    duration: float
    pitch: int

    @property
    def end(self) -> float:
        """When the note stops."""
        return self.onset + self.duration


@dataclass(frozen=True)
class SungSyllable:
    """A syllable of a word, with the notes it is sung on."""

    word: int
    syllable: lyrics.Syllable
    notes: tuple[MelodyNote, ...]

    @property
    def start(self) -> float:
        """When its first note begins."""
        return self.notes[0].onset

    @property
    def end(self) -> float:
        """When its last note ends."""
        return self.notes[-1].end


@dataclass(frozen=True)
class SungLine:
    """A lyric line placed on a melodic phrase."""

    words: tuple[str, ...]
    chorus: bool
    syllables: tuple[SungSyllable, ...]

    @property
    def start(self) -> float:
        """When the line's first syllable begins."""
        return self.syllables[0].start

    @property
    def end(self) -> float:
        """When the line's last syllable ends."""
        return self.syllables[-1].end


def sing(
    notes: Sequence[tuple[float, float, int]],
    lyrics_text: str,
    sample_rate: int,
    seed: int,
    voice: str | Voice | None,
    *,
    sections: Sequence[tuple[str, float, float]] | None = None,
    bar_seconds: float | None = None,
    length: int | None = None,
) -> np.ndarray | None:
    """The lyrics sung on the melody: a mono float32 stem, or None (logged) when it cannot be."""
    chosen = voice if isinstance(voice, Voice) else engine.voice_by_id(voice)
    if chosen is None:
        log.info("Track is instrumental: no voice chosen (asked for %r).", voice)
        return None
    program = engine.engine_path()
    if program is None:
        log.warning(
            "Track is instrumental: the voice engine %r is not installed "
            "(install Debian's espeak-ng, as the Makefile does, or set %s).",
            engine.os.environ.get(engine.ENGINE_SETTING) or engine.DEFAULT_ENGINE,
            engine.ENGINE_SETTING,
        )
        return None
    placed = place(notes, lyrics_text, chosen, sections=sections, bar_seconds=bar_seconds,
                   program=program)
    if not placed:
        log.info("Track is instrumental: the lyrics have no words to sing on the melody.")
        return None
    end = max(line.end for line in placed) + 0.5
    total = length if length is not None else int(end * sample_rate)
    stem = np.zeros(total, dtype=np.float32)
    rng = seeded_rng("voice", seed, chosen.id)
    vibrato_rate = float(rng.uniform(5.0, 6.0))
    for line in placed:
        _render_line(stem, line, chosen, program, sample_rate, vibrato_rate)
    peak = float(np.abs(stem).max())
    if peak > 0:
        stem *= np.float32(0.5 / peak)
    return stem


def sing_score(score, sample_rate: int, lyrics_text: str, voice: str | None,
               seed: int) -> np.ndarray | None:
    """The vocal stem for a music Score: its lead part's notes, sections and bar length."""
    rate = float(sample_rate)
    notes = [(n.start / rate, n.length / rate, n.key) for n in score.notes.get("lead", [])]
    bar = score.bar_samples / rate
    sections = [(s.name, s.start * bar, (s.start + s.bars) * bar) for s in score.sections]
    return sing(notes, lyrics_text, sample_rate, seed, voice, sections=sections,
                bar_seconds=bar, length=score.length)


def place(
    notes: Sequence[tuple[float, float, int]],
    lyrics_text: str,
    voice: Voice,
    *,
    sections: Sequence[tuple[str, float, float]] | None = None,
    bar_seconds: float | None = None,
    program: str | None = None,
) -> list[SungLine]:
    """Lyric lines on melodic phrases: chorus lines in choruses, verse lines in verses."""
    program = program or engine.engine_path()
    lines = lyrics.parse(lyrics_text)
    if not lines or not notes or program is None:
        return []
    melody = _transpose(sorted(MelodyNote(float(a), float(b), int(p)) for a, b, p in notes), voice)
    chorus_lines = [line for line in lines if line.chorus]
    verse_lines = [line for line in lines if not line.chorus] if chorus_lines else lines
    placed: list[SungLine] = []
    verse_at = chorus_at = 0
    last_section = None
    for section_index, name, phrase_start, phrase in _phrases(melody, sections, bar_seconds):
        if not phrase:
            continue
        if "chorus" in name and chorus_lines:
            if section_index != last_section:
                chorus_at = 0
            last_section = section_index
            if chorus_at >= len(chorus_lines):
                continue
            line, chorus_at = chorus_lines[chorus_at], chorus_at + 1
        else:
            if verse_at >= len(verse_lines):
                continue
            line, verse_at = verse_lines[verse_at], verse_at + 1
        spellings = engine.phonemes(program, voice, list(line.words))
        syllables = lyrics.syllables(line.words, spellings)
        fitted = _fit(syllables, phrase, phrase_start, bar_seconds)
        if fitted:
            placed.append(SungLine(line.words, line.chorus, tuple(fitted)))
    return placed


def _transpose(melody: list[MelodyNote], voice: Voice) -> list[MelodyNote]:
    """The melody moved by whole octaves so its median note sits in the voice's range."""
    median = float(np.median([n.pitch for n in melody]))
    shift = 12 * round((voice.centre - median) / 12)
    return [MelodyNote(n.onset, n.duration, n.pitch + shift) for n in melody]


def _phrases(
    melody: list[MelodyNote],
    sections: Sequence[tuple[str, float, float]] | None,
    bar_seconds: float | None,
) -> list[tuple[int, str, float, list[MelodyNote]]]:
    """(section index, section name, phrase start, notes) for each two-bar phrase to sing in."""
    spans = list(sections) if sections else [("verse", 0.0, melody[-1].end + 1.0)]
    out: list[tuple[int, str, float, list[MelodyNote]]] = []
    for index, (name, start, end) in enumerate(spans):
        if name in _INSTRUMENTAL_SECTIONS:
            continue
        inside = [n for n in melody if start <= n.onset < end]
        if bar_seconds:
            step = 2 * bar_seconds
            count = max(1, math.ceil((end - start) / step - 1e-6))
            for k in range(count):
                lo, hi = start + k * step, min(end, start + (k + 1) * step)
                out.append((index, name, lo, [n for n in inside if lo <= n.onset < hi]))
        else:
            out.extend((index, name, group[0].onset, group) for group in _by_gaps(inside))
    return out


def _by_gaps(notes: list[MelodyNote], gap: float = 0.35) -> list[list[MelodyNote]]:
    """Notes grouped into phrases wherever a rest longer than `gap` seconds falls."""
    groups: list[list[MelodyNote]] = []
    for note in notes:
        if groups and note.onset - groups[-1][-1].end <= gap:
            groups[-1].append(note)
        else:
            groups.append([note])
    return groups


def _fit(
    syllables: list[lyrics.Syllable], phrase: list[MelodyNote], phrase_start: float,
    bar_seconds: float | None,
) -> list[SungSyllable]:
    """Syllables on notes: notes split for extra syllables, stresses on strong beats."""
    notes = list(phrase)
    while len(notes) < len(syllables):
        longest = max(range(len(notes)), key=lambda i: notes[i].duration)
        note = notes[longest]
        if note.duration < 2 * _MIN_NOTE:
            break
        half = note.duration / 2
        notes[longest : longest + 1] = [
            MelodyNote(note.onset, half, note.pitch),
            MelodyNote(note.onset + half, half, note.pitch),
        ]
    syllables = syllables[: len(notes)]
    if not syllables:
        return []
    strength = [_strength(n, phrase_start, bar_seconds, notes) for n in notes]
    starts = _best_starts(syllables, strength)
    bounds = [*starts, len(notes)]
    return [
        SungSyllable(s.word, s, tuple(notes[bounds[j] : bounds[j + 1]]))
        for j, s in enumerate(syllables)
    ]


def _strength(note: MelodyNote, phrase_start: float, bar_seconds: float | None,
              notes: list[MelodyNote]) -> float:
    """How strong the note's position is: 1 on beats one and three, 0.5 on beats, else 0."""
    if not bar_seconds:
        longest = max(n.duration for n in notes)
        return note.duration / longest
    step = round((note.onset - phrase_start) / (bar_seconds / 16)) % 16
    return 1.0 if step % 8 == 0 else 0.5 if step % 4 == 0 else 0.0


def _best_starts(syllables: list[lyrics.Syllable], strength: list[float]) -> list[int]:
    """The note each syllable starts on, maximising stressed-on-strong matches (a small DP)."""
    m, n = len(syllables), len(strength)

    def reward(j: int, i: int) -> float:
        """How well syllable j fits on note i."""
        return strength[i] if syllables[j].stressed else 1.0 - strength[i]

    best = [[-math.inf] * n for _ in range(m)]
    choice = [[0] * n for _ in range(m)]
    for i in range(n):
        best[m - 1][i] = reward(m - 1, i)
    for j in range(m - 2, -1, -1):
        for i in range(j, n - (m - 1 - j)):
            for k in range(i + 1, n - (m - 2 - j)):
                score = reward(j, i) + best[j + 1][k] - _MELISMA_COST * (k - i - 1)
                if score > best[j][i]:
                    best[j][i], choice[j][i] = score, k
    starts = [0]
    for j in range(m - 1):
        starts.append(choice[j][starts[-1]])
    return starts


# ---------------------------------------------------------------------------
# Audio
# ---------------------------------------------------------------------------


def _render_line(stem: np.ndarray, line: SungLine, voice: Voice, program: str,
                 sample_rate: int, vibrato_rate: float) -> None:
    """Speak the line's words, fit them to its notes, and add the sung line into the stem."""
    first = max(0, int(line.start / FRAME_SECONDS) - 4)
    count = int(line.end / FRAME_SECONDS) + 8 - first
    bins = _FFT_SIZE // 2 + 1
    sp = np.full((count, bins), _SILENT_POWER)
    ap = np.ones((count, bins))
    voiced = np.zeros(count, dtype=bool)
    by_word: dict[int, list[SungSyllable]] = {}
    for sung in line.syllables:
        by_word.setdefault(sung.word, []).append(sung)
    for word_index, sung in by_word.items():
        frames = _analyse(program, voice, line.words[word_index])
        if frames is None:
            continue
        w_f0, w_sp, w_ap = frames
        cuts = _syllable_cuts(w_f0, w_sp, sung[0].syllable.count)
        for s in sung:
            a, b = cuts[s.syllable.index], cuts[s.syllable.index + 1]
            ta = int(round(s.start / FRAME_SECONDS)) - first
            tb = min(count, int(round(s.end / FRAME_SECONDS)) - first)
            if tb <= ta or b <= a:
                continue
            source = _warp(w_f0[a:b] > 0, tb - ta) + a
            gain = _STRESS_GAIN if s.syllable.stressed else 1.0
            sp[ta:tb] = w_sp[source] * gain
            ap[ta:tb] = w_ap[source]
            voiced[ta:tb] = w_f0[source] > 0
    f0 = _pitch_curve(line, first, count, vibrato_rate)
    f0[~voiced] = 0.0
    with _WORLD_LOCK:
        audio = pyworld.synthesize(f0, sp, ap, ENGINE_RATE, _FRAME_MS)
    ratio = Fraction(sample_rate, ENGINE_RATE)
    audio = resample_poly(audio, ratio.numerator, ratio.denominator).astype(np.float32)
    at = int(first * FRAME_SECONDS * sample_rate)
    end = min(stem.size, at + audio.size)
    if end > at:
        stem[at:end] += audio[: end - at]


def _analyse(program: str, voice: Voice, word: str):
    """A spoken word as WORLD frames (f0, spectral envelope, aperiodicity), silence trimmed."""
    audio = engine.speak(program, voice, word)
    hop = int(ENGINE_RATE * FRAME_SECONDS)
    usable = audio.size - audio.size % hop
    if usable < 4 * hop:
        return None
    energy = np.sqrt(np.mean(audio[:usable].reshape(-1, hop) ** 2, axis=1))
    loud = np.flatnonzero(energy > energy.max() * 0.02)
    if loud.size == 0:
        return None
    audio = audio[max(0, loud[0] - 1) * hop : (loud[-1] + 2) * hop]
    rms = np.sqrt(np.mean(audio**2))
    audio = np.ascontiguousarray(audio * (0.1 / max(rms, 1e-9)))
    f0, times = pyworld.dio(audio, ENGINE_RATE, frame_period=_FRAME_MS, f0_floor=60.0,
                            f0_ceil=500.0)
    f0 = pyworld.stonemask(audio, f0, times, ENGINE_RATE)
    sp = pyworld.cheaptrick(audio, f0, times, ENGINE_RATE, fft_size=_FFT_SIZE)
    return f0, sp, _aperiodicity(f0)


def _aperiodicity(f0: np.ndarray) -> np.ndarray:
    """WORLD aperiodicity from voicing alone: voiced frames periodic below, breathier above.

    D4C's measured aperiodicity cost two thirds of the voice's analysis time and this
    shape was as intelligible in bench/voice.py (unvoiced frames are pure noise either way).
    """
    ap = np.ones((f0.size, _FFT_SIZE // 2 + 1))
    ap[f0 > 0] = _VOICED_APERIODICITY
    return ap


def _syllable_cuts(f0: np.ndarray, sp: np.ndarray, count: int) -> list[int]:
    """Frame boundaries splitting a word into `count` syllables at the dips between nuclei."""
    frames = f0.size
    if count <= 1:
        return [0, frames]
    energy = np.log(sp.sum(axis=1) + 1e-12)
    energy = np.convolve(energy, np.ones(7) / 7, mode="same")
    score = np.where(f0 > 0, energy, -np.inf)
    peaks: list[int] = []
    for _ in range(count):
        if not np.isfinite(score).any():
            break
        peak = int(np.argmax(score))
        peaks.append(peak)
        score[max(0, peak - 12) : peak + 13] = -np.inf
    if len(peaks) < count:
        return [round(k * frames / count) for k in range(count + 1)]
    peaks.sort()
    cuts = [0]
    for left, right in zip(peaks, peaks[1:], strict=False):
        cuts.append(left + 1 + int(np.argmin(energy[left + 1 : right])))
    return [*cuts, frames]


def _warp(voiced: np.ndarray, target: int) -> np.ndarray:
    """Source frame for each of `target` frames: consonants keep their length, vowels stretch."""
    size = voiced.size
    weights = np.ones(size)
    consonants = int((~voiced).sum())
    if voiced.any() and target > consonants:
        weights[voiced] = (target - consonants) / voiced.sum()
    else:
        weights[:] = target / size
    edges = np.concatenate([[0.0], np.cumsum(weights)])
    positions = np.arange(target) + 0.5
    index = np.searchsorted(edges, positions, side="right") - 1
    return np.clip(index, 0, size - 1)


def _pitch_curve(line: SungLine, first: int, count: int, vibrato_rate: float) -> np.ndarray:
    """f0 in Hz per frame: each note's pitch, gliding between notes, with delayed vibrato."""
    midi = np.zeros(count)
    since = np.zeros(count)
    notes = [note for s in line.syllables for note in s.notes]
    current = notes[0].pitch
    times = (np.arange(count) + first) * FRAME_SECONDS
    k = 0
    for i, t in enumerate(times):
        while k + 1 < len(notes) and notes[k + 1].onset <= t:
            k += 1
        current = notes[k].pitch
        midi[i] = current
        since[i] = t - notes[k].onset
    alpha = FRAME_SECONDS / _GLIDE_SECONDS
    zi = np.array([(1 - alpha) * midi[0]])
    midi = lfilter([alpha], [1, -(1 - alpha)], midi, zi=zi)[0]
    depth = _VIBRATO_DEPTH * np.clip((since - _VIBRATO_DELAY) / _VIBRATO_RAMP, 0.0, 1.0)
    midi += depth * np.sin(2 * np.pi * vibrato_rate * times)
    return 440.0 * 2 ** ((midi - 69) / 12)
