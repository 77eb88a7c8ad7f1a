"""The vocal in the mix: centred in front, with its own short reverb, the band ducked under it."""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, fftconvolve, sosfilt

from ..common import seeded_rng

# Level of the vocal's loud passages (dB RMS over 0.4 s), a little above the lead instrument.
_VOCAL_LEVEL_DB = -14.5
# How far each part dips while the voice sings: the lead instrument, which plays the same tune,
# steps well back; everything else only makes room.
_DUCK_DEPTH = {"lead": 0.75, "chords": 0.35, "counter": 0.45, "bass": 0.1}
_ATTACK, _RELEASE = 0.03, 0.3
_REVERB_SECONDS, _REVERB_WET, _PREDELAY = 1.3, 0.16, 0.035


def vocal_envelope(vocal: np.ndarray, sample_rate: int) -> np.ndarray:
    """0..1 follower of the vocal's level (fast attack, slow release), float32."""
    hop = max(1, int(0.01 * sample_rate))
    usable = vocal.size - vocal.size % hop
    blocks = np.sqrt(np.mean(vocal[:usable].reshape(-1, hop).astype(np.float64) ** 2, axis=1))
    blocks = np.append(blocks, blocks[-1:] if blocks.size else [0.0])
    peak = float(np.percentile(blocks, 98)) if blocks.size else 0.0
    if peak <= 0:
        return np.zeros(vocal.size, dtype=np.float32)
    level = np.clip(blocks / peak * 3.0, 0.0, 1.0)
    up, down = np.exp(-0.01 / _ATTACK), np.exp(-0.01 / _RELEASE)
    smooth = np.empty_like(level)
    state = 0.0
    for i, x in enumerate(level):
        coeff = up if x > state else down
        state = coeff * state + (1 - coeff) * x
        smooth[i] = state
    frames = np.arange(vocal.size) / hop
    return np.interp(frames, np.arange(smooth.size), smooth).astype(np.float32)


def duck(stem: np.ndarray, envelope: np.ndarray, part: str) -> None:
    """Lower a (2, n) stem in place while the voice sings, by the part's depth."""
    depth = _DUCK_DEPTH.get(part, 0.0)
    if depth:
        n = min(stem.shape[1], envelope.size)
        stem[:, :n] *= 1.0 - np.float32(depth) * envelope[:n]


def add_vocal(stereo: np.ndarray, vocal: np.ndarray, sample_rate: int) -> None:
    """Add the vocal to a (2, n) bus in place: high-passed, levelled, centred, with its reverb."""
    n = min(stereo.shape[1], vocal.size)
    dry = sosfilt(butter(2, 110.0, "highpass", fs=sample_rate, output="sos"), vocal[:n])
    dry = dry.astype(np.float32) * np.float32(_gain(dry, sample_rate))
    rng = seeded_rng("vocal reverb")
    t = np.arange(int(_REVERB_SECONDS * sample_rate)) / sample_rate
    for channel in range(2):
        ir = rng.standard_normal(t.size) * np.exp(-6.9 * t / _REVERB_SECONDS)
        ir[: int(_PREDELAY * sample_rate)] = 0.0
        ir *= _REVERB_WET / np.sqrt(np.sum(ir**2))
        wet = fftconvolve(dry, ir.astype(np.float32))[:n]
        stereo[channel, :n] += dry + wet


def _gain(vocal: np.ndarray, sample_rate: int) -> float:
    """Gain that brings the sung passages' loud blocks (90th percentile, 0.4 s RMS) to level."""
    block = int(0.4 * sample_rate)
    usable = vocal.size - vocal.size % block
    if usable == 0:
        return 0.0
    rms = np.sqrt(np.mean(vocal[:usable].reshape(-1, block).astype(np.float64) ** 2, axis=1))
    sung = rms[rms > 0.1 * rms.max()] if rms.max() > 0 else rms
    loud = float(np.percentile(sung, 90))
    return 0.0 if loud < 1e-7 else 10 ** (_VOCAL_LEVEL_DB / 20) / loud
