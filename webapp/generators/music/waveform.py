"""The waveform picture shown on a track's card."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from ..common import Output, write_output


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
