"""Spectrogram pictures of three contrasting tracks, before (previous generator) and after.

Writes docs/img/spectrogram-<track>-<before|after>.png, drawn from the decoded MP3 with
numpy and Pillow: log-frequency axis 30 Hz-20 kHz, one fixed dBFS colour scale for all.
With --voice, instead writes docs/img/spectrogram-voice.png: a track with sung lyrics (the
decoded MP3) above its isolated vocal stem.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import audio_metrics  # noqa: E402
import previous_music  # noqa: E402

from webapp.generators import music  # noqa: E402

TRACKS = (
    ("dubstep", "heavy dubstep drop", "electronic"),
    ("waltz", "a waltz in 3/4", "classical"),
    ("celtic", "celtic jig in the tavern", "pop"),
)
SECONDS = 30
SEED = 1
WIDTH, HEIGHT, MARGIN = 900, 320, 56
LOW_HZ, HIGH_HZ = 30.0, 20000.0
FLOOR_DB, TOP_DB = -100.0, -20.0
# A dark-to-bright colour ramp (black, indigo, magenta, orange, pale yellow).
_RAMP = np.array(
    [[0, 0, 4], [40, 11, 84], [140, 41, 129], [229, 92, 48], [252, 253, 191]], dtype=np.float32
)


def spectrogram(samples: np.ndarray, rate: int) -> np.ndarray:
    """Magnitude in dBFS on a (HEIGHT, WIDTH) grid: log-spaced rows, one column per time slice."""
    mono = samples.mean(axis=1)
    frame = 4096
    starts = np.linspace(0, max(0, mono.size - frame), WIDTH).astype(int)
    frames = np.stack([mono[s : s + frame] for s in starts]) * np.hanning(frame)
    magnitude = np.abs(np.fft.rfft(frames, axis=1)) / (frame / 4)
    freqs = np.fft.rfftfreq(frame, 1 / rate)
    rows = np.geomspace(HIGH_HZ, LOW_HZ, HEIGHT)
    picked = np.stack([np.interp(rows, freqs, column) for column in magnitude], axis=1)
    return 20 * np.log10(np.maximum(picked, 1e-9))


def picture(level_db: np.ndarray, title: str) -> Image.Image:
    """Colour the dB grid and frame it with a title and frequency and time ticks."""
    t = np.clip((level_db - FLOOR_DB) / (TOP_DB - FLOOR_DB), 0, 1) * (len(_RAMP) - 1)
    low = np.floor(t).astype(int).clip(0, len(_RAMP) - 2)
    rgb = _RAMP[low] + (_RAMP[low + 1] - _RAMP[low]) * (t - low)[..., None]
    image = Image.new("RGB", (WIDTH + MARGIN + 8, HEIGHT + 2 * MARGIN), (255, 255, 255))
    image.paste(Image.fromarray(rgb.astype(np.uint8), "RGB"), (MARGIN, MARGIN))
    draw = ImageDraw.Draw(image)
    draw.text((MARGIN, 12), title, fill=(0, 0, 0))
    for hz, label in ((100, "100 Hz"), (1000, "1 kHz"), (10000, "10 kHz")):
        y = MARGIN + HEIGHT * np.log(HIGH_HZ / hz) / np.log(HIGH_HZ / LOW_HZ)
        draw.line([(MARGIN - 4, y), (MARGIN, y)], fill=(0, 0, 0))
        draw.text((4, y - 6), label, fill=(0, 0, 0))
    for second in range(0, SECONDS + 1, 5):
        x = MARGIN + WIDTH * second / SECONDS
        draw.line([(x, MARGIN + HEIGHT), (x, MARGIN + HEIGHT + 4)], fill=(0, 0, 0))
        draw.text((x - 6, MARGIN + HEIGHT + 8), f"{second}s", fill=(0, 0, 0))
    return image


def main() -> int:
    """Render each track with both generators and save the six pictures."""
    out_dir = ROOT / "docs" / "img"
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, prompt, genre in TRACKS:
        for when, generator in (("before", previous_music.music), ("after", music)):
            buffer = io.BytesIO()
            generator.render_track(prompt, genre, SECONDS, SEED, buffer)
            samples, rate = audio_metrics.decode(buffer.getvalue())
            title = f"{when}: '{prompt}' ({genre}), decoded MP3, {FLOOR_DB:.0f}..{TOP_DB:.0f} dBFS"
            path = out_dir / f"spectrogram-{name}-{when}.png"
            picture(spectrogram(samples, rate), title).quantize(96).save(path, optimize=True)
            print(path.relative_to(ROOT))
    return 0


VOICE_TRACK = ("bright pop song about summer", "pop", "espeak-high")
VOICE_LYRICS = (
    "[Verse]\nWalking down the city street tonight\nEverybody's singing in the rain\n\n"
    "[Chorus]\nHold on to the summer sun\nHold on hold on\n"
)


def voice_picture() -> int:
    """Save the spectrogram of a sung track's MP3 above that of its vocal stem alone."""
    from webapp.generators import voice
    from webapp.generators.music.arrangement import SAMPLE_RATE, compose

    prompt, genre, voice_id = VOICE_TRACK
    buffer = io.BytesIO()
    music.render_track(prompt, genre, SECONDS, SEED, buffer, lyrics=VOICE_LYRICS,
                       voice_id=voice_id)
    samples, rate = audio_metrics.decode(buffer.getvalue())
    plan = music.plan_track(prompt, genre, SECONDS, SEED)
    score = compose(plan, np.random.default_rng(plan.seed), SECONDS * SAMPLE_RATE)
    stem = voice.sing_score(score, SAMPLE_RATE, VOICE_LYRICS, voice_id, plan.seed)
    scale = f"{FLOOR_DB:.0f}..{TOP_DB:.0f} dBFS"
    top = picture(spectrogram(samples, rate),
                  f"'{prompt}' ({genre}) with lyrics sung by {voice_id}, decoded MP3, {scale}")
    bottom = picture(spectrogram(stem[:, None] * 0.25, SAMPLE_RATE),
                     f"the same track's vocal stem alone (-12 dB), {scale}")
    both = Image.new("RGB", (top.width, top.height + bottom.height), (255, 255, 255))
    both.paste(top, (0, 0))
    both.paste(bottom, (0, top.height))
    path = ROOT / "docs" / "img" / "spectrogram-voice.png"
    both.quantize(96).save(path, optimize=True)
    print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(voice_picture() if "--voice" in sys.argv[1:] else main())
