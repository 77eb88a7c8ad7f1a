"""Mastering: rumble cut, top-end tilt, fades, -14 LUFS loudness and a true-peak limiter."""

from __future__ import annotations

import functools

import numpy as np
from pyloudnorm.iirfilter import IIRfilter
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import butter, firwin, sosfilt, upfirdn

from .arrangement import SAMPLE_RATE

TARGET_LUFS = -14.0
# The limiter's ceiling sits below the -1 dBTP promise because MP3 encoding adds overshoot;
# encoding.encode_mp3 checks the decoded file and re-encodes quieter if it still goes over.
_CEILING_DBTP = -2.3
_MAX_NUDGE = 10 ** (0.5 / 20)
_OVERSAMPLING = 4
# 48 taps (12 per phase), as BS.1770-4's example true-peak meter; float32 keeps it cheap.
_TRUE_PEAK_FIR = (firwin(48, 0.95 / _OVERSAMPLING) * _OVERSAMPLING).astype(np.float32)
_TRUE_PEAK_DELAY = (_TRUE_PEAK_FIR.size - 1) // 2
_LIMITER_WINDOW = int(0.02 * SAMPLE_RATE)
_LIMITER_BLOCK = 64
_TILT_CORNER_HZ = 3000.0
_RUMBLE_HZ = 30.0


def master(mix: np.ndarray, duration: float, tilt_db: float, ending: str = "fade") -> np.ndarray:
    """Equalise, fade, normalise to TARGET_LUFS and limit true peaks; returns (n, 2) float32.

    Loudness is measured once, BS.1770-4 on the K-weighted signal (pyloudnorm's filters,
    its block gating). The limiter's gain is then worked out on 1.5 ms blocks of the
    oversampled peaks, together with the make-up gain that gives back the loudness it
    takes away, and applied once: the same result as limiting and re-measuring in turn,
    at a fraction of the cost.
    """
    out = sosfilt(_equaliser(round(tilt_db, 2)), mix, axis=1).astype(np.float32)
    _fade(out, duration, ending)
    weighted = sosfilt(_k_weighting(), out, axis=1)
    level = integrated_loudness(weighted)
    if not np.isfinite(level):
        return np.ascontiguousarray(out.T)
    gain = 10 ** ((TARGET_LUFS - level) / 20)
    out *= np.float32(gain)
    weighted *= gain
    limit = _limiter_gain(out, weighted, _CEILING_DBTP)
    # The limiter's make-up is worked out on ungated energy; a song with quiet sections
    # gates differently, so the result is measured once more and nudged (at most 0.5 dB).
    weighted *= limit
    nudge = min(10 ** ((TARGET_LUFS - integrated_loudness(weighted)) / 20), _MAX_NUDGE)
    out *= limit * np.float32(nudge)
    return np.ascontiguousarray(out.T, dtype=np.float32)


def integrated_loudness(weighted: np.ndarray) -> float:
    """BS.1770-4 gated loudness (LUFS) of a K-weighted (2, n) signal, as pyloudnorm gates it.

    400 ms blocks every 100 ms; blocks under -70 LUFS, then those more than 10 LU under
    the mean of the rest, are left out. Cumulative sums make every block one subtraction.
    """
    rate, block = SAMPLE_RATE, 0.4
    energy = np.concatenate([[0.0], np.cumsum(np.einsum("ij,ij->j", weighted, weighted))])
    count = int(round((weighted.shape[1] / rate - block) / (block * 0.25))) + 1
    if count < 1:
        return -np.inf
    starts = (block * 0.25 * np.arange(count) * rate).astype(int)
    ends = np.minimum((block * (0.25 * np.arange(count) + 1) * rate).astype(int), energy.size - 1)
    power = (energy[ends] - energy[starts]) / (block * rate)
    loud = -0.691 + 10 * np.log10(np.maximum(power, 1e-20))
    kept = power[loud > -70.0]
    if kept.size == 0:
        return -np.inf
    relative = -0.691 + 10 * np.log10(kept.mean()) - 10.0
    kept = power[(loud > -70.0) & (loud > relative)]
    return float(-0.691 + 10 * np.log10(kept.mean()))


def true_peak_db(stereo: np.ndarray) -> float:
    """True peak of a (2, n) signal in dBTP (4x oversampled)."""
    if not stereo.size:
        return -np.inf
    peak = max(float(np.abs(_oversample(stereo)).max()), float(np.abs(stereo).max()))
    return 20 * float(np.log10(max(peak, 1e-12)))


def _limiter_gain(stereo: np.ndarray, weighted: np.ndarray, ceiling_db: float) -> np.ndarray:
    """Per-sample gain that keeps true peaks under the ceiling and the loudness where it was.

    Each 1.5 ms block's gain is the least that any block within 20 ms needs; a moving
    average over 10 ms of blocks, interpolated between block centres, can only lower it:
    no sample ends up above the ceiling and the gain never jumps. The make-up gain is
    found by iterating on block energies of the K-weighted signal (what BS.1770 sums),
    since peaks scale with the gain.
    """
    n = stereo.shape[1]
    blocks = -(-n // _LIMITER_BLOCK)
    padded = np.pad(stereo, ((0, 0), (0, blocks * _LIMITER_BLOCK - n)))
    up = _oversample(padded)
    np.abs(up, out=up)
    peak = np.maximum(up.reshape(2, blocks, -1).max(axis=2).max(axis=0), 1e-9)
    shaped = np.pad(weighted, ((0, 0), (0, blocks * _LIMITER_BLOCK - n))).reshape(2, blocks, -1)
    energy = np.einsum("ijk,ijk->j", shaped, shaped)
    ceiling = 10 ** (ceiling_db / 20)
    reach = _LIMITER_WINDOW // _LIMITER_BLOCK
    makeup = 1.0
    for _ in range(4):
        need = np.minimum(1.0, ceiling / (peak * makeup))
        smooth = uniform_filter1d(minimum_filter1d(need, 2 * reach + 1), reach) * makeup
        kept = float(np.dot(energy, smooth * smooth)) / max(float(energy.sum()), 1e-12)
        makeup /= np.sqrt(kept)
    centres = (np.arange(blocks) + 0.5) * _LIMITER_BLOCK
    return np.interp(np.arange(n), centres, smooth).astype(np.float32)


def _oversample(stereo: np.ndarray) -> np.ndarray:
    """A (2, n) signal at four times the rate, aligned with the input (float32)."""
    n = stereo.shape[1]
    up = upfirdn(_TRUE_PEAK_FIR, stereo.astype(np.float32, copy=False), _OVERSAMPLING, 1, axis=1)
    up = up[:, _TRUE_PEAK_DELAY : _TRUE_PEAK_DELAY + _OVERSAMPLING * n]
    if up.shape[1] < _OVERSAMPLING * n:
        up = np.pad(up, ((0, 0), (0, _OVERSAMPLING * n - up.shape[1])))
    return up


@functools.cache
def _k_weighting() -> np.ndarray:
    """BS.1770's K-weighting (pyloudnorm's two stages) as second-order sections."""
    stages = (
        IIRfilter(4.0, 1 / np.sqrt(2), 1500.0, SAMPLE_RATE, "high_shelf"),
        IIRfilter(0.0, 0.5, 38.0, SAMPLE_RATE, "high_pass"),
    )
    return np.array([[*stage.b, *stage.a] for stage in stages])


@functools.cache
def _equaliser(tilt_db: float) -> np.ndarray:
    """Second-order sections: a 30 Hz rumble cut and a high shelf of tilt_db above 3 kHz."""
    rumble = butter(2, _RUMBLE_HZ, "highpass", fs=SAMPLE_RATE, output="sos")
    return np.vstack([rumble, high_shelf(_TILT_CORNER_HZ, tilt_db)])


def high_shelf(corner: float, gain_db: float) -> np.ndarray:
    """One RBJ-cookbook high-shelf biquad (shelf slope 1) as a second-order section."""
    a = 10 ** (gain_db / 40)
    w0 = 2 * np.pi * corner / SAMPLE_RATE
    alpha = np.sin(w0) / 2 * np.sqrt(2)
    cos, root = np.cos(w0), 2 * np.sqrt(a) * alpha
    b = [
        a * ((a + 1) + (a - 1) * cos + root),
        -2 * a * ((a - 1) + (a + 1) * cos),
        a * ((a + 1) + (a - 1) * cos - root),
    ]
    den = [
        (a + 1) - (a - 1) * cos + root,
        2 * ((a - 1) - (a + 1) * cos),
        (a + 1) - (a - 1) * cos - root,
    ]
    return np.array([[*(x / den[0] for x in b), 1.0, den[1] / den[0], den[2] / den[0]]])


def _fade(stereo: np.ndarray, duration: float, ending: str = "fade") -> None:
    """A short fade-in and a cosine fade-out, in place.

    A faded ending takes the last seconds; a written ending (a final hit) only its last
    0.4 s, so the final chord rings out rather than fading.
    """
    n = stereo.shape[1]
    fade_in = max(1, int(min(0.5, 0.03 * duration) * SAMPLE_RATE))
    fade_seconds = 0.4 if ending == "hit" else min(4.0, 0.15 * duration)
    fade_out = max(1, int(fade_seconds * SAMPLE_RATE))
    stereo[:, :fade_in] *= np.linspace(0.0, 1.0, fade_in, dtype=np.float32) ** 2
    curve = 0.5 + 0.5 * np.cos(np.linspace(0.0, np.pi, fade_out, dtype=np.float32))
    stereo[:, n - fade_out :] *= curve
