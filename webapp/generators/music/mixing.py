"""The mix: stems balanced, panned, echoed, ducked, sent to reverb, shaped by section and glued.

Width comes from panning only (no delay widening), so a mono fold-down keeps its level;
the reverb send is high-passed so the low end stays dry. An optional vocal stem comes in
through webapp.generators.voice: it ducks the band and takes the lead with its own reverb.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import uniform_filter1d
from scipy.signal import butter, sosfilt

from .. import voice
from . import vocabulary as v
from .arrangement import KICK, SAMPLE_RATE, Score
from .mastering import high_shelf
from .plan import TrackPlan

_REVERB_DECIMATION = 4
# GM kits' cymbals are recorded bright; a shelf keeps their air below the 2-4 kHz presence.
_DRUM_SHELF = high_shelf(4000.0, -6.0)
_BLOCK = int(0.4 * SAMPLE_RATE)
# Reverb returns nothing under this: a reverberant bass smears the low end.
_REVERB_HIGHPASS = butter(2, 250.0, "highpass", fs=SAMPLE_RATE, output="sos")
# Level of each section against the chorus, in dB: the song builds into its choruses.
_SECTION_GAIN_DB = {
    "intro": -4.0, "verse": -3.5, "chorus": 0.0, "bridge": -3.5, "breakdown": -4.5, "outro": -2.5,
}
_SECTION_RAMP = int(0.08 * SAMPLE_RATE)
# How much of each stem's own stereo spread is kept (1 = all, 0 = mono).
_STEM_SIDE = {"drums": 0.6, "bass": 0.0}
# The glue compressor: RMS over 30 ms blocks, threshold under the loud passages.
_GLUE_BLOCK = int(0.03 * SAMPLE_RATE)
_GLUE_HEADROOM_DB = 6.0


@dataclass(frozen=True)
class _PartMix:
    """Level (dB RMS of the part's loud passages), pan, reverb send and Haas width of a part."""

    level_db: float
    pan: float
    send: float
    width: float = 0.0


_PART_MIX = {
    "drums": _PartMix(-15.0, 0.0, 0.08),
    "bass": _PartMix(-17.0, 0.0, 0.0),
    "chords": _PartMix(-21.0, -0.32, 0.35),
    "lead": _PartMix(-18.5, 0.1, 0.25),
    "counter": _PartMix(-23.5, 0.4, 0.4),
}


def box(x: np.ndarray, width: int) -> np.ndarray:
    """Moving-average low-pass of the given width, same length as x."""
    if width <= 1:
        return x
    csum = np.cumsum(x, dtype=np.float64)
    out = np.empty_like(x)
    out[:width] = csum[:width] / np.arange(1, width + 1)
    out[width:] = (csum[width:] - csum[:-width]) / width
    return out


def mix(
    stems: dict[str, np.ndarray], plan: TrackPlan, score: Score, rng: np.random.Generator,
    vocal: np.ndarray | None = None,
) -> np.ndarray:
    """Mix (n, 2) stems and an optional mono vocal (the lead) into a (2, n) float32 bus."""
    style = v.STYLES[plan.style]
    length = score.length
    stereo = np.zeros((2, length), dtype=np.float32)
    send = np.zeros(length, dtype=np.float32)
    ducking = _ducking(score) if style.pump and plan.drums else None
    offsets = dict(plan.mix)
    sung = voice.vocal_envelope(vocal, SAMPLE_RATE) if vocal is not None else None
    for part in list(stems):
        stem = stems.pop(part).T
        cfg = _PART_MIX[part]
        gain = _balance(stem, cfg.level_db + offsets.get(part, 0.0))
        if gain == 0.0:
            continue
        stem *= np.float32(gain)
        if part == "drums":
            stem = sosfilt(_DRUM_SHELF, stem, axis=1).astype(np.float32)
        if ducking is not None and part in ("bass", "chords", "counter"):
            stem *= ducking
        _narrow(stem, _STEM_SIDE.get(part, 0.35))
        if sung is not None:
            voice.duck(stem, sung, part)
        left, right = np.cos((cfg.pan + 1) * np.pi / 4), np.sin((cfg.pan + 1) * np.pi / 4)
        stereo[0] += stem[0] * np.float32(left * np.sqrt(2))
        stereo[1] += stem[1] * np.float32(right * np.sqrt(2))
        if cfg.send:
            send += (stem[0] + stem[1]) * np.float32(0.5 * cfg.send)
        if part == "lead" and style.echo:
            _echo(stereo, stem.mean(axis=0), style.echo, score.bar_samples / plan.steps_per_bar)
    if style.riser:
        _add_risers(stereo, send, score, rng)
    if style.glue > 1.0:
        stereo *= _glue(stereo, style.glue)
    # Sections are shaped after the glue, so the compressor does not undo the build.
    shape = section_gain(score)
    stereo *= shape
    send *= shape
    send = sosfilt(_REVERB_HIGHPASS, send).astype(np.float32)
    _add_reverb(stereo, send, style.room, style.reverb, rng)
    if vocal is not None:
        voice.add_vocal(stereo, vocal, SAMPLE_RATE)
    if style.vinyl:
        _vinyl(stereo, rng)
    return stereo


def _narrow(stem: np.ndarray, side: float) -> None:
    """Scale a (2, n) stem's side (L-R) signal in place: the SoundFont's stereo samples are
    partly uncorrelated, which would cancel in a mono fold-down; panning gives the width."""
    mid = (stem[0] + stem[1]) * np.float32(0.5)
    stem -= mid
    stem *= np.float32(side)
    stem += mid


def section_gain(score: Score) -> np.ndarray:
    """Gain curve of the song's sections (_SECTION_GAIN_DB), ramped at each seam."""
    points, values = [], []
    for section in score.sections:
        start = section.start * score.bar_samples
        gain = 10 ** (_SECTION_GAIN_DB.get(section.name, 0.0) / 20)
        points += [start, start + _SECTION_RAMP]
        values += [values[-1] if values else gain, gain]
    points.append(float(score.length))
    values.append(values[-1])
    return np.interp(np.arange(score.length), points, values).astype(np.float32)


def _add_risers(
    stereo: np.ndarray, send: np.ndarray, score: Score, rng: np.random.Generator
) -> None:
    """A swelling, brightening noise sweep over each bar that leads into a chorus or drop."""
    bar = int(score.bar_samples)
    level = float(np.sqrt(np.mean(stereo[:, ::8].astype(np.float64) ** 2)))
    for start_bar in score.builds:
        start = int(start_bar * score.bar_samples)
        end = min(stereo.shape[1], start + bar)
        if end - start < 64:
            continue
        ramp = np.linspace(0.0, 1.0, end - start, dtype=np.float32)
        noise = rng.standard_normal(end - start, dtype=np.float32)
        dark = box(noise, 24)
        # Cross-fading from a dark to a bright noise sounds like an opening filter.
        sweep = (dark * (1 - ramp) * 3.0 + (noise - dark) * ramp) * ramp**2
        sweep *= np.float32(0.35 * level)
        stereo[0, start:end] += sweep
        stereo[1, start:end] += sweep
        send[start:end] += sweep


def _glue(stereo: np.ndarray, ratio: float) -> np.ndarray:
    """Gain curve of a gentle RMS bus compressor (ratio, threshold under the loud passages)."""
    n = stereo.shape[1]
    blocks = n // _GLUE_BLOCK
    if blocks < 4:
        return np.ones(n, dtype=np.float32)
    power = np.einsum(
        "ijk,ijk->j",
        stereo[:, : blocks * _GLUE_BLOCK].reshape(2, blocks, _GLUE_BLOCK),
        stereo[:, : blocks * _GLUE_BLOCK].reshape(2, blocks, _GLUE_BLOCK),
    ) / (2 * _GLUE_BLOCK)
    level = 10 * np.log10(np.maximum(power, 1e-12))
    threshold = float(np.percentile(level, 90)) - _GLUE_HEADROOM_DB
    over = np.maximum(level - threshold, 0.0)
    reduction = uniform_filter1d(over * (1 - 1 / ratio), 5)
    centres = (np.arange(blocks) + 0.5) * _GLUE_BLOCK
    return np.interp(np.arange(n), centres, 10 ** (-reduction / 20)).astype(np.float32)


def _balance(stem: np.ndarray, level_db: float) -> float:
    """Gain that brings the loud passages (90th percentile 0.4 s RMS) of a stem to level_db."""
    usable = stem.shape[1] - stem.shape[1] % _BLOCK
    if usable == 0:
        return 0.0
    # Every fourth sample is plenty for a level and four times cheaper.
    blocks = stem[:, :usable:4].reshape(2, -1, _BLOCK // 4)
    rms = np.sqrt(np.mean(blocks.astype(np.float64) ** 2, axis=(0, 2)))
    loud = float(np.percentile(rms, 90))
    if loud < 1e-7:
        return 0.0
    return 10 ** (level_db / 20) / loud


def _ducking(score: Score) -> np.ndarray:
    """Side-chain gain curve that dips after every kick (the dance-music 'pump')."""
    gain = np.ones(score.length, dtype=np.float32)
    t = np.arange(int(0.35 * SAMPLE_RATE), dtype=np.float32) / SAMPLE_RATE
    dip = (-0.5 * np.exp(-t / 0.09)).astype(np.float32)
    for note in score.notes["drums"]:
        if note.key == KICK:
            end = min(score.length, note.start + dip.size)
            gain[note.start : end] = np.minimum(
                gain[note.start : end], 1.0 + dip[: end - note.start]
            )
    return gain


def _echo(stereo: np.ndarray, lead: np.ndarray, amount: float, sixteenth: float) -> None:
    """Ping-pong dotted-eighth echo of the lead, added in place."""
    delay = int(3 * sixteenth)
    for k in range(1, 5):
        shift = k * delay
        if shift >= lead.size:
            break
        stereo[k % 2, shift:] += lead[:-shift] * np.float32(0.6 * amount**k)


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
    # Half of each channel's impulse response is shared: a reverb that still sounds wide
    # but loses less in a mono fold-down than two independent tails.
    shared = rng.standard_normal(t.size, dtype=np.float32)
    for channel in range(2):
        own = rng.standard_normal(t.size, dtype=np.float32)
        ir = (shared * np.float32(0.7) + own * np.float32(0.7)) * np.exp(-6.9 * t / room)
        ir[:predelay] = 0.0
        ir *= np.float32(level / (np.sqrt(np.sum(ir**2)) + 1e-9))
        tail = np.fft.irfft(spectrum * np.fft.rfft(ir, fft_size), fft_size)[: low.size]
        stereo[channel, :usable] += box(np.repeat(tail.astype(np.float32), factor), factor)


def _vinyl(stereo: np.ndarray, rng: np.random.Generator) -> None:
    """Add vinyl crackle and hiss in place (the master's tilt dulls the top end)."""
    n = stereo.shape[1]
    crackle = np.zeros(n, dtype=np.float32)
    count = int(n / SAMPLE_RATE * 9)
    positions = rng.integers(0, n, size=count)
    crackle[positions] = rng.uniform(-1.0, 1.0, size=count).astype(np.float32)
    crackle = box(crackle, 3) * np.float32(0.08)
    hiss = box(rng.standard_normal(n, dtype=np.float32), 6) * np.float32(0.004)
    peak = np.float32(max(float(np.abs(stereo).max()), 1e-9))
    stereo += (crackle + hiss) * peak
