"""MP3 output: encoding with ID3 title and artist, checked for true peak after decoding."""

from __future__ import annotations

import io

import numpy as np
import soundfile as sf

from ..common import Progress, ProgressFn
from .arrangement import SAMPLE_RATE
from .mastering import true_peak_db

MUSIC_MIME = "audio/mpeg"
MUSIC_EXT = "mp3"
MAX_TRUE_PEAK_DB = -1.0
# libsndfile's default MP3 VBR setting is noticeably lo-fi; 0.3 keeps ~130-190 kbps.
_MP3_COMPRESSION = 0.3
_ENCODE_CHUNK = 5 * SAMPLE_RATE
# How far under MAX_TRUE_PEAK_DB a re-encode aims, since the encoder's overshoot moves a bit,
# and how much our 48-tap true-peak estimate is allowed to differ from other meters.
_RETRY_MARGIN_DB = 0.4
_METER_MARGIN_DB = 0.1
_RETRIES = 2


def encode_mp3(
    samples: np.ndarray,
    progress: ProgressFn | None = None,
    title: str | None = None,
    artist: str | None = None,
) -> bytes:
    """Encode float (n, channels) samples at SAMPLE_RATE as MP3 with optional ID3 tags.

    Byte-identical for equal input. The file is decoded and its true peak measured; if the
    encoder's overshoot took it above MAX_TRUE_PEAK_DB the audio is turned down and encoded
    again, so the delivered file keeps the promise.
    """
    report = Progress(progress)
    data = _encode_chunks(samples, Progress(report, 0, 90), title, artist)
    gain = 1.0
    for attempt in range(_RETRIES + 1):
        decoded, _ = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
        peak = true_peak_db(decoded.T) if decoded.size else -np.inf
        if peak <= MAX_TRUE_PEAK_DB - _METER_MARGIN_DB or attempt == _RETRIES:
            break
        gain *= 10 ** ((MAX_TRUE_PEAK_DB - _RETRY_MARGIN_DB - peak) / 20)
        data = _encode_chunks(samples * np.float32(gain), Progress(None), title, artist)
    report(100)
    return data


def _encode_chunks(
    samples: np.ndarray, report: Progress, title: str | None, artist: str | None
) -> bytes:
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
        # libsndfile writes the ID3 tag with the first frames, so tags go in before any audio.
        if title:
            handle.title = title
        if artist:
            handle.artist = artist
        total = max(1, len(samples))
        for start in range(0, len(samples), _ENCODE_CHUNK):
            handle.write(samples[start : start + _ENCODE_CHUNK])
            report(100 * min(total, start + _ENCODE_CHUNK) / total)
    return buffer.getvalue()
