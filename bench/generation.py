"""Benchmark: what the music sounds like (loudness, peaks, tempo, timbre), how fast it renders.

Every measurement is taken on the decoded MP3 a listener downloads, for the current
generator and, in the same run, for the previous one (bench/baseline_music.py) as baseline.
Cover render time is measured as before.
"""

from __future__ import annotations

import io
import itertools
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import audio_metrics  # noqa: E402
import baseline_music  # noqa: E402

from webapp.generators import cover, music  # noqa: E402
from webapp.generators.music import vocabulary  # noqa: E402

TRACK_SECONDS = 30
SEED = 1
SPEED_RUNS = 5
SPEED_GENRES = ("electronic", "ambient", "jazz", "rock", "lo-fi")
COVER_RUNS = 10
TARGET_LUFS, LUFS_TOLERANCE = -14.0, 1.0
TARGET_TRUE_PEAK = -1.0
TARGET_SPEED = 15.0
TARGET_ADHERENCE = 0.5
TARGET_DNB_BPM = 160
TARGET_COVER_SECONDS = 0.3
# Two prompts per genre: one naming a style the vocabulary knows, one everyday description.
PROMPTS: tuple[tuple[str, str], ...] = (
    ("ambient", "calm ocean at dawn"),
    ("ambient", "dark underwater caves with glass bells"),
    ("classical", "string quartet"),
    ("classical", "choir singing a hymn"),
    ("electronic", "drum and bass at night"),
    ("electronic", "sunny house party"),
    ("hip-hop", "trap 808 banger"),
    ("hip-hop", "dusty boom bap with saxophone"),
    ("jazz", "bebop in a smoky club"),
    ("jazz", "late night trumpet ballad"),
    ("lo-fi", "lazy sunday morning study"),
    ("lo-fi", "rainy window with guitar"),
    ("pop", "reggae on the beach"),
    ("pop", "folk song by the campfire"),
    ("rock", "stadium anthem"),
    ("rock", "desert road trip with organ"),
)
COVER_PROMPTS = (
    "mountain sunrise",
    "ocean at night",
    "cosmic galaxy",
    "neon retro drive",
    "city lights in the rain",
    "forest path",
    "desert dunes",
    "forest fire",
    "flowers in spring",
    "portrait of a singer",
)


def cpu_seconds(work: Callable[[], object]) -> float:
    """CPU time (process_time) spent running work once."""
    start = time.process_time()
    work()
    return time.process_time() - start


def render(generator: ModuleType, genre: str, prompt: str) -> bytes:
    """One 30 s MP3 from a generator module."""
    out = io.BytesIO()
    generator.render_track(prompt, genre, TRACK_SECONDS, SEED, out)
    return out.getvalue()


def measure_all(generator: ModuleType) -> list[audio_metrics.Metrics]:
    """Metrics of every benchmark prompt's track."""
    return [audio_metrics.measure(render(generator, genre, prompt)) for genre, prompt in PROMPTS]


def adherence(metrics: list[audio_metrics.Metrics]) -> tuple[float, float]:
    """Mean timbre distance (dB) between prompts of one genre, and between genres."""
    within, between = [], []
    for (a, ma), (b, mb) in itertools.combinations(zip(PROMPTS, metrics, strict=True), 2):
        distance = audio_metrics.timbre_distance(ma.bands, mb.bands)
        (within if a[0] == b[0] else between).append(distance)
    return statistics.mean(within), statistics.mean(between)


def speed(generator: ModuleType) -> tuple[float, list[float]]:
    """Seconds of audio per CPU second for a 30 s track (synthesis, mastering, MP3), median.

    The same five tracks as this benchmark has always timed, so figures stay comparable.
    """
    generator.render_track("warm-up", "pop", 10, 0, io.BytesIO())
    times = [
        cpu_seconds(
            lambda i=i: generator.render_track(
                f"benchmark track {i}", SPEED_GENRES[i], TRACK_SECONDS, i, io.BytesIO()
            )
        )
        for i in range(SPEED_RUNS)
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


def print_track_table(
    title: str, metrics: list[audio_metrics.Metrics], planned: list[int] | None
) -> None:
    """One markdown row per track: loudness, true peak, LRA, tempo and spectral centroid."""
    print(f"### {title}\n")
    tempo_head = "tempo BPM (planned / measured)" if planned else "tempo BPM (measured)"
    print(f"| genre | prompt | LUFS | dBTP | LRA LU | {tempo_head} | centroid Hz |")
    print("|---|---|---|---|---|---|---|")
    for index, ((genre, prompt), m) in enumerate(zip(PROMPTS, metrics, strict=True)):
        tempo = f"{planned[index]} / {m.tempo:.0f}" if planned else f"{m.tempo:.0f}"
        print(
            f"| {genre} | {prompt} | {m.lufs:.1f} | {m.true_peak:.2f} | {m.lra:.1f} "
            f"| {tempo} | {m.centroid:.0f} |"
        )
    lufs = [m.lufs for m in metrics]
    peaks = [m.true_peak for m in metrics]
    print(
        f"\nLUFS {min(lufs):.1f} to {max(lufs):.1f} (spread {max(lufs) - min(lufs):.1f} LU); "
        f"true peak max {max(peaks):.2f} dBTP, {sum(p > TARGET_TRUE_PEAK for p in peaks)} of "
        f"{len(peaks)} above {TARGET_TRUE_PEAK:.0f} dBTP\n"
    )


def prompt_checks() -> list[tuple[str, str, bool]]:
    """The vocabulary checks the issue names: DnB tempo, string-only quartet, a choir."""
    dnb = music.plan_track("drum and bass at night", "electronic", TRACK_SECONDS, SEED)
    quartet = music.plan_track("string quartet", "classical", TRACK_SECONDS, SEED)
    choir = music.plan_track("choir singing a hymn", "classical", TRACK_SECONDS, SEED)
    quartet_programs = {quartet.lead, quartet.chords, quartet.bass, quartet.counter} - {None}
    choir_programs = {choir.lead, choir.chords, choir.bass, choir.counter} - {None}
    return [
        ("'drum and bass' tempo", f"{dnb.tempo} BPM", dnb.tempo >= TARGET_DNB_BPM),
        (
            "'string quartet' programs",
            ", ".join(f"{p} {vocabulary.PROGRAM_NAMES[p]}" for p in sorted(quartet_programs)),
            quartet_programs <= vocabulary.STRING_PROGRAMS,
        ),
        (
            "'choir' programs",
            ", ".join(f"{p} {vocabulary.PROGRAM_NAMES[p]}" for p in sorted(choir_programs)),
            bool(choir_programs & vocabulary.CHOIR_PROGRAMS),
        ),
    ]


def main() -> int:
    """Measure both generators, print markdown tables, exit non-zero if a target fails."""
    renderer = music.default_renderer().name
    current = measure_all(music)
    baseline = measure_all(baseline_music)
    planned = [music.plan_track(p, g, TRACK_SECONDS, SEED).tempo for g, p in PROMPTS]
    print(f"instruments: {renderer}; {len(PROMPTS)} prompts, {TRACK_SECONDS} s, seed {SEED}\n")
    print_track_table("Current generator", current, planned)
    print_track_table("Baseline (previous generator)", baseline, None)

    within, between = adherence(current)
    old_within, old_between = adherence(baseline)
    dnb = current[[p for _, p in PROMPTS].index("drum and bass at night")]
    rtf, track_times = speed(music)
    old_rtf, _ = speed(baseline_music)
    per_cover, cover_times = cover_time()

    loud_ok = all(abs(m.lufs - TARGET_LUFS) <= LUFS_TOLERANCE for m in current)
    peak_ok = all(m.true_peak <= TARGET_TRUE_PEAK for m in current)
    ratio, old_ratio = within / between, old_within / old_between
    checks = prompt_checks()
    rows = [
        ("every track −14 ± 1 LUFS", f"{min(m.lufs for m in current):.1f} to "
         f"{max(m.lufs for m in current):.1f}", loud_ok),
        ("every track ≤ −1 dBTP", f"max {max(m.true_peak for m in current):.2f}", peak_ok),
        ("timbre distance within ÷ between genres",
         f"{within:.1f} / {between:.1f} dB = {ratio:.2f} (baseline {old_within:.1f} / "
         f"{old_between:.1f} = {old_ratio:.2f})", ratio >= TARGET_ADHERENCE),
        ("'drum and bass' measured tempo", f"{dnb.tempo:.0f} BPM", dnb.tempo >= TARGET_DNB_BPM),
        *checks,
        (f"speed, {TRACK_SECONDS} s track (median of {SPEED_RUNS})",
         f"{rtf:.1f}× real time ({statistics.median(track_times):.2f} s CPU; "
         f"baseline {old_rtf:.1f}×)", rtf >= TARGET_SPEED),
        (f"cover {cover.COVER_SIZE} px + {cover.THUMB_SIZE} px (median of {len(cover_times)})",
         f"{per_cover * 1000:.0f} ms CPU", per_cover < TARGET_COVER_SECONDS),
    ]
    print("### Targets\n")
    print("| measurement | result | status |")
    print("|---|---|---|")
    for name, result, ok in rows:
        print(f"| {name} | {result} | {verdict(ok)} |")
    print()
    print(f"track CPU seconds: {', '.join(f'{t:.2f}' for t in track_times)}")
    print(f"cover CPU seconds: {', '.join(f'{t:.3f}' for t in cover_times)}")
    return 0 if all(ok for _, _, ok in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
