"""Benchmark: music real-time factor (synthesis + MP3 encode) and cover render time."""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webapp.generators import cover, music  # noqa: E402

TRACK_SECONDS = 30
TRACK_RUNS = 5
COVER_RUNS = 10
TARGET_RTF = 20.0
TARGET_COVER_SECONDS = 0.3
GENRES = ("electronic", "ambient", "jazz", "rock", "lo-fi")
COVER_PROMPTS = (
    "mountain sunrise",
    "ocean at night",
    "cosmic galaxy",
    "neon retro drive",
    "sunburst",
    "dreamy city lights",
    "abstract jazz",
    "forest fire",
    "snow cloud morning",
    "untitled",
)


def cpu_seconds(work: Callable[[], object]) -> float:
    """CPU time (process_time) spent running work once."""
    start = time.process_time()
    work()
    return time.process_time() - start


def music_rtf() -> tuple[float, list[float]]:
    """Median seconds of audio produced per CPU second for a 30 s track, and the raw times."""
    music.render_track("warm-up", "pop", music.MIN_DURATION, 0, io.BytesIO())
    times = [
        cpu_seconds(
            lambda i=i: music.render_track(
                f"benchmark track {i}", GENRES[i % len(GENRES)], TRACK_SECONDS, i, io.BytesIO()
            )
        )
        for i in range(TRACK_RUNS)
    ]
    return TRACK_SECONDS / statistics.median(times), times


def cover_time() -> tuple[float, list[float]]:
    """Median CPU seconds per cover (full size + thumbnail), and the raw times."""
    cover.render_cover("warm-up", 0, io.BytesIO(), io.BytesIO())
    times = [
        cpu_seconds(lambda p=p, i=i: cover.render_cover(p, i, io.BytesIO(), io.BytesIO()))
        for i, p in enumerate(COVER_PROMPTS[:COVER_RUNS])
    ]
    return statistics.median(times), times


def verdict(ok: bool) -> str:
    """PASS or FAIL."""
    return "PASS" if ok else "FAIL"


def main() -> int:
    """Run both measurements, print a markdown table, exit non-zero on failure."""
    rtf, track_times = music_rtf()
    per_cover, cover_times = cover_time()
    music_ok = rtf >= TARGET_RTF
    cover_ok = per_cover < TARGET_COVER_SECONDS
    print("| Measurement | Result | Target | Status |")
    print("|---|---|---|---|")
    print(
        f"| Music synthesis + MP3 encode ({TRACK_SECONDS} s track, median of {TRACK_RUNS}) "
        f"| {rtf:.1f}x real time ({statistics.median(track_times):.2f} s CPU) "
        f"| >= {TARGET_RTF:.0f}x | {verdict(music_ok)} |"
    )
    print(
        f"| Cover render {cover.COVER_SIZE} px + {cover.THUMB_SIZE} px thumbnail "
        f"(median of {len(cover_times)}) | {per_cover * 1000:.0f} ms CPU "
        f"| < {TARGET_COVER_SECONDS * 1000:.0f} ms | {verdict(cover_ok)} |"
    )
    print()
    print(f"track CPU seconds: {', '.join(f'{t:.2f}' for t in track_times)}")
    print(f"cover CPU seconds: {', '.join(f'{t:.3f}' for t in cover_times)}")
    return 0 if music_ok and cover_ok else 1


if __name__ == "__main__":
    sys.exit(main())
