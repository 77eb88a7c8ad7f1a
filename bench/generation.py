"""Benchmark: what the music sounds like and how fast it renders, one prompt per style.

Every measurement is taken on the decoded MP3 a listener downloads, for the current
generator and, in the same run, for the previous one (bench/previous_music.py, read from
git) on the same prompts: integrated loudness, true peak, tempo, the meter heard, the
chorus's short-term loudness over the verse's, the loudness lost in a mono fold-down, and
octave-band timbre distances (two seeds of one prompt against pairs of styles).
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

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import audio_metrics  # noqa: E402
import previous_music  # noqa: E402

from webapp.generators import cover, music  # noqa: E402
from webapp.generators.music import encoding, vocabulary  # noqa: E402

previous = previous_music.music
TRACK_SECONDS = 30
SEEDS = (1, 2)
SPEED_RUNS = 5
SPEED_GENRES = ("electronic", "ambient", "jazz", "rock", "lo-fi")
COVER_RUNS = 10
TARGET_LUFS, LUFS_TOLERANCE = -14.0, 0.5
TARGET_TRUE_PEAK = -1.0
TARGET_SPEED = 15.0
TARGET_LIFT = 2.0
TARGET_MONO_LOSS = 1.0
TARGET_COVER_SECONDS = 0.3
# One prompt per style, as people type them.
STYLE_PROMPTS: dict[str, str] = {
    "ambient": "calm ambient ocean at dawn",
    "classical": "classical sonata in the morning",
    "string quartet": "string quartet",
    "orchestral": "orchestral film score",
    "choir": "choir singing a hymn",
    "house": "sunny house party",
    "techno": "warehouse techno",
    "drum and bass": "drum and bass at night",
    "synthwave": "synthwave night drive",
    "boom bap": "dusty boom bap with saxophone",
    "trap": "trap 808 banger",
    "jazz": "late night jazz trumpet",
    "bebop": "bebop in a smoky club",
    "lo-fi": "lofi beats to study to",
    "reggae": "reggae on the beach",
    "folk": "folk song by the campfire",
    "funk": "funky bass groove",
    "pop": "catchy pop song",
    "rock": "stadium rock anthem",
    "polka": "polka at a village fair",
    "waltz": "a waltz in 3/4",
    "bossa nova": "bossa nova in a cafe",
    "samba": "samba carnival in rio",
    "tango": "passionate tango",
    "chiptune": "8-bit chiptune level music",
    "dubstep": "heavy dubstep drop",
    "k-pop": "upbeat k-pop idol song",
    "metal": "heavy metal riff",
    "punk": "fast punk rock",
    "blues shuffle": "blues shuffle in a juke joint",
    "swing": "big band swing",
    "ballad": "love ballad",
    "trailer": "epic trailer music",
    "horror": "horror dark ambient",
    "gregorian": "gregorian chant of monks",
    "celtic": "celtic jig in the tavern",
    "flamenco": "flamenco guitar",
    "ska": "ska party",
    "disco": "disco night",
    "gospel": "gospel praise",
    "afrobeat": "afrobeat groove from lagos",
    "surf": "surf rock with spring reverb",
    "lullaby": "lullaby for a baby",
    "march": "military march",
    "trance": "uplifting trance",
    "deep house": "deep house at sunset",
    "edm": "festival edm",
    "r&b": "slow jam r&b",
    "soul": "motown soul",
    "reggaeton": "reggaeton club hit",
    "salsa": "salsa in havana",
    "country": "country road song",
    "bluegrass": "bluegrass banjo picking",
    "indie": "indie rock in the garage",
    "new age": "new age meditation",
    "baroque": "baroque harpsichord fugue",
    "vaporwave": "vaporwave mall nostalgia",
    "hawaiian": "ukulele on a hawaiian beach",
    "indian": "indian raga with sitar",
    "future bass": "future bass festival",
    "western": "spaghetti western showdown",
    "cumbia": "cumbia dance",
}
PROMPTS: tuple[tuple[str, str, str], ...] = tuple(
    (vocabulary.STYLES[style].genre, prompt, style) for style, prompt in STYLE_PROMPTS.items()
)
COVER_PROMPTS = (
    "mountain sunrise", "ocean at night", "cosmic galaxy", "neon retro drive",
    "city lights in the rain", "forest path", "desert dunes", "forest fire",
    "flowers in spring", "portrait of a singer",
)


def cpu_seconds(work: Callable[[], object]) -> float:
    """CPU time (process_time) spent running work once."""
    start = time.process_time()
    work()
    return time.process_time() - start


def render(generator: ModuleType, genre: str, prompt: str, seed: int) -> bytes:
    """One 30 s MP3 from a generator module."""
    out = io.BytesIO()
    generator.render_track(prompt, genre, TRACK_SECONDS, seed, out)
    return out.getvalue()


def sections_of(generator: ModuleType, genre: str, prompt: str, seed: int) -> list[tuple]:
    """(name, start s, end s) of each section of a track, from the generator's own score."""
    plan = generator.plan_track(prompt, genre, TRACK_SECONDS, seed)
    n = TRACK_SECONDS * generator.SAMPLE_RATE
    score = generator.arrangement.compose(plan, np.random.default_rng(plan.seed), n)
    rate = generator.SAMPLE_RATE
    return [
        (s.name, s.start * score.bar_samples / rate,
         min(n, (s.start + s.bars) * score.bar_samples) / rate)
        for s in score.sections
    ]


def measure_track(generator: ModuleType, genre: str, prompt: str, seed: int) -> dict:
    """Every metric of one track: the decoded file's, and the chorus lift over its sections."""
    data = render(generator, genre, prompt, seed)
    metrics = audio_metrics.measure(data)
    samples, rate = audio_metrics.decode(data)
    lift = audio_metrics.section_lift(samples, rate, sections_of(generator, genre, prompt, seed))
    plan = generator.plan_track(prompt, genre, TRACK_SECONDS, seed)
    return {
        "m": metrics, "lift": lift, "tempo": plan.tempo,
        "meter": getattr(plan, "meter", "4/4"), "style": plan.style,
    }


def speed(generator: ModuleType) -> tuple[float, list[float]]:
    """Seconds of audio per CPU second for a 30 s track (synthesis, mastering, MP3), median."""
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


def encoding_share() -> tuple[float, float]:
    """CPU seconds of synthesis (with mastering) and of MP3 encoding for one 30 s track."""
    plan = music.plan_track("benchmark track 0", "electronic", TRACK_SECONDS, 0)
    holder: list = []
    synth = cpu_seconds(lambda: holder.append(music.synthesize(plan)))
    encode = cpu_seconds(lambda: encoding.encode_mp3(holder[0]))
    return synth, encode


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


def timbre(tracks: list[dict], seconds: list[dict]) -> tuple[list[float], list[tuple]]:
    """Two-seed distances per prompt, and every pair of different styles' distance (sorted)."""
    within = [
        audio_metrics.timbre_distance(a["m"].bands, b["m"].bands)
        for a, b in zip(tracks, seconds, strict=True)
    ]
    between = sorted(
        (audio_metrics.timbre_distance(a["m"].bands, b["m"].bands), a["style"], b["style"])
        for a, b in itertools.combinations(tracks, 2)
        if a["style"] != b["style"]
    )
    return within, between


def main() -> int:
    """Measure both generators over every style, print markdown tables, exit 1 on a miss."""
    renderer = music.default_renderer().name
    current = [measure_track(music, g, p, SEEDS[0]) for g, p, _ in PROMPTS]
    second = [measure_track(music, g, p, SEEDS[1]) for g, p, _ in PROMPTS]
    before = [measure_track(previous, g, p, SEEDS[0]) for g, p, _ in PROMPTS]
    before_second = [measure_track(previous, g, p, SEEDS[1]) for g, p, _ in PROMPTS]
    print(f"instruments: {renderer}; {len(PROMPTS)} prompts (one per style), "
          f"{TRACK_SECONDS} s, seeds {SEEDS}\n")
    print("### Per track (seed 1): current generator | previous generator\n")
    print("| style | prompt | LUFS | dBTP | tempo planned / measured | meter planned / heard "
          "| chorus − verse LU | mono loss LU | previous: style, LUFS, dBTP, tempo, "
          "chorus − verse, mono loss |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (_, prompt, _), now, old in zip(PROMPTS, current, before, strict=True):
        m, o = now["m"], old["m"]
        print(
            f"| {now['style']} | {prompt} | {m.lufs:.1f} | {m.true_peak:.2f} "
            f"| {now['tempo']} / {m.tempo:.0f} | {now['meter']} / {m.meter} "
            f"| {now['lift']:+.1f} | {m.mono_loss:.2f} "
            f"| {old['style']}, {o.lufs:.1f}, {o.true_peak:.2f}, {old['tempo']}, "
            f"{old['lift']:+.1f}, {o.mono_loss:.2f} |"
        )
    within, between = timbre(current, second)
    old_within, old_between = timbre(before, before_second)
    print("\n### Timbre (octave-band RMS distance, dB)\n")
    print("| | current | previous |")
    print("|---|---|---|")
    print(f"| two seeds of one prompt: median / max | {statistics.median(within):.2f} / "
          f"{max(within):.2f} | {statistics.median(old_within):.2f} / {max(old_within):.2f} |")
    print(f"| pairs of different styles: min / median | {between[0][0]:.2f} / "
          f"{statistics.median(d for d, _, _ in between):.2f} | "
          f"{old_between[0][0]:.2f} / {statistics.median(d for d, _, _ in old_between):.2f} |")
    closer = sum(d < statistics.median(within) for d, _, _ in between)
    old_closer = sum(d < statistics.median(old_within) for d, _, _ in old_between)
    print(f"| style pairs closer than the median two-seed distance | {closer} of {len(between)} "
          f"| {old_closer} of {len(old_between)} |")
    print("\nClosest style pairs (current): " + "; ".join(
        f"{a} / {b} {d:.2f}" for d, a, b in between[:8]))
    print("Farthest-apart seeds (current): " + "; ".join(
        f"{p[2]} {d:.2f}" for d, p in sorted(zip(within, PROMPTS, strict=True), reverse=True)[:5]))
    for label, pairs in (("metal / punk", ("metal", "punk")),
                         ("deep house / chiptune", ("deep house", "chiptune")),
                         ("dubstep / techno", ("dubstep", "techno"))):
        d = next(x for x, a, b in between if {a, b} == set(pairs))
        print(f"{label}: {d:.2f} dB")

    rtf, track_times = speed(music)
    old_rtf, old_times = speed(previous)
    synth, encode = encoding_share()
    per_cover, cover_times = cover_time()
    lifts = [t["lift"] for t in current]
    losses = [t["m"].mono_loss for t in current]
    rows = [
        (f"every track −14 ± {LUFS_TOLERANCE} LUFS",
         f"{min(t['m'].lufs for t in current):.2f} to {max(t['m'].lufs for t in current):.2f}",
         all(abs(t["m"].lufs - TARGET_LUFS) <= LUFS_TOLERANCE for t in current)),
        ("every track ≤ −1 dBTP", f"max {max(t['m'].true_peak for t in current):.2f}",
         all(t["m"].true_peak <= TARGET_TRUE_PEAK for t in current)),
        ("chorus − verse short-term loudness ≥ 2 LU",
         f"min {min(lifts):+.1f}, median {statistics.median(lifts):+.1f} (previous median "
         f"{statistics.median(t['lift'] for t in before):+.1f})", min(lifts) >= TARGET_LIFT),
        ("mono fold-down loss ≤ 1 LU", f"max {max(losses):.2f} (previous max "
         f"{max(t['m'].mono_loss for t in before):.2f})", max(losses) <= TARGET_MONO_LOSS),
        ("3/4, 6/8 and 12/8 styles heard in three",
         ", ".join(f"{t['style']} {t['m'].meter}" for t in current if t["meter"] != "4/4"),
         all(t["m"].meter != "4/4" for t in current if t["meter"] != "4/4")),
        ("no style pair closer than the median two-seed distance",
         f"{closer} of {len(between)} pairs closer", closer == 0),
        (f"speed, {TRACK_SECONDS} s track (median of {SPEED_RUNS})",
         f"{rtf:.1f}× real time ({statistics.median(track_times):.2f} s CPU; previous "
         f"{old_rtf:.1f}×); synthesis + mastering {synth:.2f} s, MP3 {encode:.2f} s",
         rtf >= TARGET_SPEED),
        (f"cover {cover.COVER_SIZE} px + {cover.THUMB_SIZE} px (median of {len(cover_times)})",
         f"{per_cover * 1000:.0f} ms CPU", per_cover < TARGET_COVER_SECONDS),
    ]
    print("\n### Targets\n")
    print("| measurement | result | status |")
    print("|---|---|---|")
    for name, result, ok in rows:
        print(f"| {name} | {result} | {verdict(ok)} |")
    print()
    print(f"track CPU seconds: {', '.join(f'{t:.2f}' for t in track_times)}")
    print(f"previous track CPU seconds: {', '.join(f'{t:.2f}' for t in old_times)}")
    print(f"cover CPU seconds: {', '.join(f'{t:.3f}' for t in cover_times)}")
    return 0 if all(ok for _, _, ok in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
