"""The speech engine: eSpeak NG, run as a program, speaks words and spells their phonemes."""

from __future__ import annotations

import functools
import io
import os
import shutil
import subprocess  # nosec B404
from dataclasses import dataclass

import numpy as np
import soundfile

# The program to run; tests and deployments point it elsewhere (a missing one means no voice).
ENGINE_SETTING = "SOUNDSTAGE_VOICE_ENGINE"
DEFAULT_ENGINE = "espeak-ng"
ENGINE_RATE = 22050
# Words spoken slowly give longer vowels, which stretch to sung notes with fewer artefacts.
_SPEAKING_RATE = "135"
_TIMEOUT = 20


@dataclass(frozen=True)
class Voice:
    """A singer the studio offers: the engine voice behind it and its comfortable range."""

    id: str
    label: str
    engine_voice: str
    low: int  # MIDI pitch of the range's bottom
    high: int  # and its top

    @property
    def centre(self) -> float:
        """The middle of the range, where a melody's median note is placed."""
        return (self.low + self.high) / 2


VOICES: tuple[Voice, ...] = (
    Voice("espeak-high", "Synthetic voice, higher (eSpeak NG)", "en-us+f2", 53, 70),
    Voice("espeak-low", "Synthetic voice, lower (eSpeak NG)", "en-us+m3", 45, 64),
)
VOICE_IDS: tuple[str, ...] = tuple(v.id for v in VOICES)


def engine_path() -> str | None:
    """The engine program's resolved path, or None when it is not installed."""
    return shutil.which(os.environ.get(ENGINE_SETTING) or DEFAULT_ENGINE)


def available_voices() -> list[Voice]:
    """The voices that can sing here: all of them with the engine, none without."""
    return list(VOICES) if engine_path() else []


def voice_by_id(voice_id: str | None) -> Voice | None:
    """The voice with this id, or None for an unknown or empty id."""
    return next((v for v in VOICES if v.id == voice_id), None)


def speak(program: str, voice: Voice, word: str) -> np.ndarray:
    """One word spoken plainly by the engine: float64 mono samples at ENGINE_RATE."""
    return _speak(program, voice.engine_voice, word).copy()


def phonemes(program: str, voice: Voice, words: list[str]) -> list[str]:
    """The engine's phoneme spelling (ASCII, with stress marks) of each word."""
    if not words:
        return []
    spelt = _phonemes(program, voice.engine_voice, tuple(words))
    if len(spelt) == len(words):
        return list(spelt)
    # Something the engine read as more than one clause: ask word by word.
    return [" ".join(_phonemes(program, voice.engine_voice, (word,))) for word in words]


@functools.lru_cache(maxsize=4096)
def _speak(program: str, engine_voice: str, word: str) -> np.ndarray:
    """Run the engine for one word and decode its WAV output (cached: choruses repeat)."""
    result = subprocess.run(  # noqa: S603  # nosec B603
        [program, "-v", engine_voice, "-s", _SPEAKING_RATE, "--stdout", "--", word],
        capture_output=True, timeout=_TIMEOUT, check=True,
    )
    samples, rate = soundfile.read(io.BytesIO(result.stdout), dtype="float64")
    if rate != ENGINE_RATE:
        raise RuntimeError(f"{program} spoke at {rate} Hz, expected {ENGINE_RATE}")
    samples.setflags(write=False)
    return samples


@functools.lru_cache(maxsize=1024)
def _phonemes(program: str, engine_voice: str, words: tuple[str, ...]) -> tuple[str, ...]:
    """Run the engine in phoneme mode over comma-separated words: one line per word."""
    result = subprocess.run(  # noqa: S603  # nosec B603
        [program, "-q", "-x", "-v", engine_voice, "--", ", ".join(words)],
        capture_output=True, timeout=_TIMEOUT, check=True, text=True,
    )
    return tuple(line.strip() for line in result.stdout.splitlines() if line.strip())
