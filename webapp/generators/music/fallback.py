"""The fallback synthesizer: numpy wavetable voices and drums, used without a SoundFont."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from . import vocabulary as v
from .arrangement import (
    CLAP,
    CLOSED_HAT,
    CRASH,
    KICK,
    OPEN_HAT,
    PEDAL_HAT,
    RIDE,
    SAMPLE_RATE,
    SHAKER,
    SIDE_STICK,
    SNARE,
    TAMBOURINE,
    Note,
)
from .mixing import box

_TABLE_SIZE = 4096
_TABLE_MASK = _TABLE_SIZE - 1


class FallbackRenderer:
    """Renders parts with wavetable voices and a synthesized drum kit (no SoundFont needed)."""

    name = "fallback"

    def render(
        self, notes: list[Note], program: int | None, kit: int | None, length: int
    ) -> np.ndarray:
        """Play notes on the voice nearest a GM program (or the kit) into a (length, 2) stem."""
        mono = np.zeros(length, dtype=np.float32)
        if kit is not None:
            sounds = _drum_kit(kit in (v.STANDARD_KIT, v.ROOM_KIT, v.TR808_KIT))
            for note in notes:
                _add(mono, sounds[_DRUM_SOUND.get(note.key, "snare")], note.start, note.velocity)
        else:
            voice = _VOICES[_voice_for(program or 0)]
            cache: dict[tuple[int, int], np.ndarray] = {}
            for note in notes:
                wave = cache.get((note.key, note.length))
                if wave is None:
                    wave = cache[(note.key, note.length)] = _render_note(
                        voice, note.key, note.length
                    )
                _add(mono, wave * np.float32(voice.gain), note.start, note.velocity)
        return np.repeat(mono[:, None], 2, axis=1)


def _add(bus: np.ndarray, wave: np.ndarray, start: int, velocity: int) -> None:
    """Mix a sound into a buffer at an offset and MIDI velocity, clipping at the end."""
    end = min(bus.size, start + wave.size)
    if end > start:
        bus[start:end] += wave[: end - start] * np.float32(velocity / 127)


def _voice_for(program: int) -> str:
    """The wavetable voice closest to a General MIDI program."""
    for programs, name in _PROGRAM_VOICES:
        if program in programs:
            return name
    return "pluck"


_PROGRAM_VOICES: tuple[tuple[range, str], ...] = (
    (range(4, 6), "electric piano"),
    (range(0, 8), "piano"),
    (range(8, 16), "bells"),
    (range(16, 24), "organ"),
    (range(29, 32), "electric guitar"),
    (range(24, 32), "guitar"),
    (range(32, 33), "upright bass"),
    (range(39, 40), "sub bass"),
    (range(38, 39), "synth bass"),
    (range(32, 40), "bass"),
    (range(42, 44), "cello"),
    (range(52, 55), "pad"),
    (range(40, 56), "strings"),
    (range(56, 64), "synth lead"),
    (range(64, 80), "flute"),
    (range(80, 88), "synth lead"),
    (range(88, 104), "pad"),
)
_DRUM_SOUND = {
    KICK: "kick",
    SNARE: "snare",
    SIDE_STICK: "snare",
    CLAP: "clap",
    CLOSED_HAT: "hat",
    PEDAL_HAT: "hat",
    OPEN_HAT: "open_hat",
    RIDE: "ride",
    CRASH: "crash",
    SHAKER: "shaker",
    TAMBOURINE: "shaker",
}


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
        gain=0.9,
    ),
    "electric piano": _Voice(
        (1, 0.45, 0.08, 0.3, 0.02, 0.05, 0.22, 0.0, 0.0, 0.1),
        (1, 0.12, 0.02),
        (0.004, 1.4, 0.0, 0.3),
        0.2,
        gain=0.9,
    ),
    "guitar": _Voice(_SAW20, (1, 0.4, 0.18, 0.08), (0.002, 0.8, 0.0, 0.12), 0.1, gain=0.8),
    "pluck": _Voice(_SAW16, (1, 0.2, 0.05), (0.002, 0.22, 0.0, 0.08), 0.05, gain=0.7),
    "synth lead": _Voice(
        _SAW24, _powers(8, 1.6), (0.01, 0.3, 0.7, 0.12), 0.35, 0.004, 9.0, gain=1.1
    ),
    "bells": _Voice(
        (1, 0.08, 0.0, 0.55, 0.0, 0.22, 0.0, 0.1),
        (1, 0.0, 0.0, 0.12),
        (0.002, 1.6, 0.0, 0.5),
        0.2,
        gain=0.75,
    ),
    "strings": _Voice(
        _powers(16, 1.2), _powers(8, 1.8), (0.16, 1.0, 0.85, 0.35), 2.0, 0.005, 7.0, gain=0.55
    ),
    "cello": _Voice(
        _powers(12, 1.3), _powers(6, 1.8), (0.06, 0.8, 0.75, 0.25), 1.0, 0.004, gain=0.7
    ),
    "pad": _Voice(
        _powers(12, 1.4), _powers(6, 2.0), (0.6, 2.0, 0.8, 1.0), 2.0, detune=11.0, gain=0.4
    ),
    "organ": _Voice(
        (1, 0.7, 0.5, 0.5, 0.0, 0.35, 0.0, 0.3),
        (1, 0.7, 0.5, 0.5, 0.0, 0.35, 0.0, 0.3),
        (0.01, 0.1, 1.0, 0.06),
        1.0,
        0.003,
        gain=0.45,
    ),
    "flute": _Voice(
        (1, 0.25, 0.08, 0.03), (1, 0.15, 0.04), (0.06, 0.5, 0.8, 0.12), 0.3, 0.006, gain=0.7
    ),
    "sub bass": _Voice((1, 0.25, 0.05), (1, 0.1), (0.005, 0.6, 0.75, 0.07), 0.1, gain=0.7),
    "bass": _Voice(_powers(10, 1.3), (1, 0.45, 0.15), (0.004, 0.5, 0.45, 0.06), 0.08),
    "synth bass": _Voice(
        _SAW16, _powers(4, 2.0), (0.004, 0.25, 0.6, 0.05), 0.07, drive=1.5, gain=0.85
    ),
    "upright bass": _Voice(
        (1, 0.6, 0.35, 0.15, 0.08), (1, 0.35, 0.1), (0.008, 0.35, 0.25, 0.08), 0.06
    ),
    "electric guitar": _Voice(
        _SAW20, _powers(10, 1.4), (0.004, 0.8, 0.6, 0.1), 0.4, 0.004, drive=3.0, gain=0.5
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


def _peak1(x: np.ndarray) -> np.ndarray:
    """Scale to unit peak (float32)."""
    return (x / max(float(np.abs(x).max()), 1e-9)).astype(np.float32)


@functools.cache
def _drum_kit(boomy: bool) -> dict[str, np.ndarray]:
    """Synthesize one hit per drum sound (seeded, so every render gets the same kit)."""
    rng = np.random.default_rng(808 if boomy else 909)

    def noise(duration: float) -> np.ndarray:
        """White noise of `duration` seconds from the kit's seeded generator."""
        return rng.standard_normal(int(duration * SAMPLE_RATE), dtype=np.float32)

    t = _seconds(0.7 if boomy else 0.45)
    sweep = 42.0 + 110.0 * np.exp(-t / 0.03)
    body = np.sin(2 * np.pi * np.cumsum(sweep, dtype=np.float64) / SAMPLE_RATE).astype(np.float32)
    kick = body * np.exp(-t / (0.32 if boomy else 0.16))
    kick += 0.25 * noise(t.size / SAMPLE_RATE) * np.exp(-t / 0.003)
    kick = np.tanh(1.6 * kick)

    t = _seconds(0.3)
    tone = np.sin(2 * np.pi * 185.0 * t) + 0.5 * np.sin(2 * np.pi * 330.0 * t)
    snare = 0.5 * tone * np.exp(-t / 0.05) + box(_highpass(noise(0.3)), 2) * np.exp(-t / 0.09)

    t = _seconds(0.35)
    bursts = sum(np.exp(-np.maximum(t - d, 0) / 0.006) * (t >= d) for d in (0.0, 0.011, 0.023))
    clap = box(_highpass(noise(0.35)), 3) * (bursts + 0.4 * np.exp(-t / 0.1))

    # Cymbals: one high-pass and a short smoothing, so their energy sits at 4-10 kHz rather
    # than piling up in the top octave (the old twice-differentiated noise did).
    t = _seconds(0.09)
    hat = box(_highpass(noise(0.09)), 2) * np.exp(-t / 0.018)
    t = _seconds(0.45)
    open_hat = box(_highpass(noise(0.45)), 2) * np.exp(-t / 0.13)
    t = _seconds(0.9)
    ride = box(_highpass(noise(0.9)), 3) * np.exp(-t / 0.35)
    t = _seconds(1.8)
    crash = box(_highpass(noise(1.8)), 2) * np.exp(-t / 0.6) * np.minimum(t / 0.004, 1.0)
    t = _seconds(0.12)
    shaker = box(_highpass(noise(0.12)), 2) * np.minimum(t / 0.015, 1.0) * np.exp(-t / 0.03)

    levels = {
        "kick": (kick, 1.0),
        "snare": (snare, 0.7),
        "clap": (clap, 0.6),
        "hat": (hat, 0.4),
        "open_hat": (open_hat, 0.35),
        "ride": (ride, 0.35),
        "crash": (crash, 0.4),
        "shaker": (shaker, 0.4),
    }
    return {name: _peak1(wave) * gain for name, (wave, gain) in levels.items()}
