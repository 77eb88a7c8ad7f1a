"""Measurements of decoded audio for the generation benchmark: loudness, peaks, tempo, timbre."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pyloudnorm
import soundfile as sf
from scipy.signal import resample_poly

OCTAVE_CENTRES = (31.5, 63, 125, 250, 500, 1000, 2000, 4000, 8000, 16000)
_FRAME = 2048
_HOP = 512


@dataclass(frozen=True)
class Metrics:
    """What the benchmark reports about one decoded track."""

    lufs: float
    true_peak: float
    lra: float
    tempo: float
    centroid: float
    bands: np.ndarray
    meter: str = ""
    mono_loss: float = 0.0


def decode(data: bytes) -> tuple[np.ndarray, int]:
    """Decode MP3 bytes to float64 (n, 2) samples and their rate."""
    samples, rate = sf.read(io.BytesIO(data), dtype="float64", always_2d=True)
    return samples, rate


def measure(data: bytes) -> Metrics:
    """All metrics of one MP3, measured on what a listener's player decodes."""
    samples, rate = decode(data)
    meter = pyloudnorm.Meter(rate)
    mono = samples.mean(axis=1)
    spectrum, freqs = _average_spectrum(mono, rate)
    tempo = estimate_tempo(mono, rate)
    return Metrics(
        lufs=float(meter.integrated_loudness(samples)),
        true_peak=true_peak_db(samples),
        lra=loudness_range(samples, meter, rate),
        tempo=tempo,
        centroid=float(np.sum(freqs * spectrum) / max(float(np.sum(spectrum)), 1e-12)),
        bands=octave_bands(spectrum**2, freqs),
        meter=detect_meter(mono, rate, tempo),
        mono_loss=mono_loss(samples, rate),
    )


def true_peak_db(samples: np.ndarray) -> float:
    """True peak in dBTP: the sample peak after 4x oversampling (scipy's polyphase filter)."""
    peak = float(np.abs(resample_poly(samples, 4, 1, axis=0)).max())
    return 20 * float(np.log10(max(peak, 1e-12)))


def short_term_loudness(
    samples: np.ndarray, meter: pyloudnorm.Meter, rate: int
) -> tuple[np.ndarray, np.ndarray]:
    """EBU 3 s short-term loudness every 0.1 s (LUFS) and each window's start in seconds.

    The K-weighting comes from pyloudnorm's own meter filters, so it matches its LUFS.
    """
    weighted = samples.copy()
    for stage in meter._filters.values():  # the meter's K-weighting stages
        for ch in range(weighted.shape[1]):
            weighted[:, ch] = stage.apply_filter(weighted[:, ch])
    power = np.cumsum(np.concatenate([[0.0], (weighted**2).sum(axis=1)]))
    window, hop = 3 * rate, rate // 10
    starts = np.arange(0, max(1, len(weighted) - window + 1), hop)
    ends = np.minimum(starts + window, len(power) - 1)
    energy = (power[ends] - power[starts]) / window
    return -0.691 + 10 * np.log10(np.maximum(energy, 1e-20)), starts / rate


def loudness_range(samples: np.ndarray, meter: pyloudnorm.Meter, rate: int) -> float:
    """EBU Tech 3342 loudness range (LU): spread of gated 3 s short-term loudness, 10-95 %."""
    short_term, _ = short_term_loudness(samples, meter, rate)
    gated = short_term[short_term > -70]
    if gated.size == 0:
        return 0.0
    relative = -0.691 + 10 * np.log10(np.mean(10 ** ((gated + 0.691) / 10))) - 20
    kept = gated[gated > relative]
    return float(np.percentile(kept, 95) - np.percentile(kept, 10))


def estimate_tempo(mono: np.ndarray, rate: int) -> float:
    """Tempo in BPM from the autocorrelation of a spectral-flux onset envelope (60-200 BPM).

    Each candidate scores its beat period plus half the score at twice the period, so a
    groove whose bar-level pattern repeats is not mistaken for half its speed.
    """
    frames = _frames(mono)
    magnitude = np.log1p(100 * np.abs(np.fft.rfft(frames * np.hanning(_FRAME), axis=1)))
    flux = np.maximum(np.diff(magnitude, axis=0), 0).sum(axis=1)
    flux -= np.convolve(flux, np.ones(16) / 16, mode="same")
    flux = np.maximum(flux, 0)
    ac = np.correlate(flux, flux, mode="full")[flux.size - 1 :]
    fps = rate / _HOP
    bpms = np.arange(60.0, 200.5, 0.5)

    def at(lag: np.ndarray) -> np.ndarray:
        return np.interp(lag, np.arange(ac.size), ac)

    lags = 60 * fps / bpms
    score = at(lags) + 0.5 * at(2 * lags)
    return float(bpms[int(np.argmax(score))])


def section_lift(samples: np.ndarray, rate: int, sections) -> float:
    """Mean short-term loudness of the choruses minus that of the verses, in LU.

    sections are (name, start, end) in seconds; a 3 s window counts for a section when it
    lies inside it (or, for a section shorter than 3 s, is centred in it).
    """
    meter = pyloudnorm.Meter(rate)
    short_term, starts = short_term_loudness(samples, meter, rate)
    centres = starts + 1.5

    def level(name: str) -> float:
        picked = []
        for kind, start, end in sections:
            if kind != name:
                continue
            inside = (starts >= start) & (starts + 3 <= end) if end - start >= 3 else (
                np.abs(centres - (start + end) / 2) <= 0.05
            )
            picked.extend(short_term[inside])
        if not picked:
            return float("nan")
        return 10 * np.log10(np.mean(10 ** (np.asarray(picked) / 10)))

    return level("chorus") - level("verse")


def mono_loss(samples: np.ndarray, rate: int) -> float:
    """How much quieter (LU) the track plays folded to mono ((L+R)/2 on both speakers)."""
    meter = pyloudnorm.Meter(rate)
    mono = samples.mean(axis=1, keepdims=True).repeat(2, axis=1)
    return float(meter.integrated_loudness(samples) - meter.integrated_loudness(mono))


def detect_meter(mono: np.ndarray, rate: int, tempo: float) -> str:
    """The meter heard in the onsets: subdivision (beat/3 or beat/4) and bar (2, 3 or 4 beats).

    Compares the onset envelope's autocorrelation at a third and a quarter of the beat,
    then at three and four (or two) beats; gives 4/4, 3/4, 6/8 or 12/8.
    """
    frames = _frames(mono)
    magnitude = np.log1p(100 * np.abs(np.fft.rfft(frames * np.hanning(_FRAME), axis=1)))
    flux = np.maximum(np.diff(magnitude, axis=0), 0).sum(axis=1)
    flux -= np.convolve(flux, np.ones(16) / 16, mode="same")
    flux = np.maximum(flux, 0)
    ac = np.correlate(flux, flux, mode="full")[flux.size - 1 :]
    beat = 60 * rate / _HOP / max(tempo, 1.0)

    def at(lag: float) -> float:
        return float(np.interp(lag, np.arange(ac.size), ac)) if lag < ac.size else 0.0

    if at(beat / 3) + at(2 * beat / 3) > 1.2 * (at(beat / 4) + at(3 * beat / 4)):
        return "12/8" if at(4 * beat) > 1.1 * at(2 * beat) else "6/8"
    triple = at(3 * beat) + at(6 * beat)
    duple = max(at(2 * beat) + at(4 * beat), at(4 * beat) + at(8 * beat))
    return "3/4" if triple > duple else "4/4"


def octave_bands(power: np.ndarray, freqs: np.ndarray) -> np.ndarray:
    """Level in dB of each octave band (31.5 Hz-16 kHz), relative to the bands' mean."""
    levels = []
    for centre in OCTAVE_CENTRES:
        inside = (freqs >= centre / np.sqrt(2)) & (freqs < centre * np.sqrt(2))
        levels.append(10 * np.log10(max(float(power[inside].sum()), 1e-20)))
    bands = np.array(levels)
    return bands - bands.mean()


def timbre_distance(a: np.ndarray, b: np.ndarray) -> float:
    """RMS difference in dB between two octave-band profiles."""
    return float(np.sqrt(np.mean((a - b) ** 2)))


def _frames(mono: np.ndarray) -> np.ndarray:
    """Overlapping frames (hop 512, length 2048) of a mono signal."""
    count = max(1, 1 + (mono.size - _FRAME) // _HOP)
    index = np.arange(_FRAME)[None, :] + _HOP * np.arange(count)[:, None]
    return np.pad(mono, (0, _FRAME))[index]


def _average_spectrum(mono: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean magnitude spectrum over frames, and its frequencies."""
    frames = _frames(mono)
    magnitude = np.abs(np.fft.rfft(frames * np.hanning(_FRAME), axis=1)).mean(axis=0)
    return magnitude, np.fft.rfftfreq(_FRAME, 1 / rate)
