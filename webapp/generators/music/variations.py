"""Variations and extensions of a track, deterministic for (source parameters, seed).

A variation keeps the source's style, key, tempo, meter and band and writes a new melody
and arrangement (new progressions, motifs and fills). An extension keeps the source's
sound and its song up to the outro, then appends verse and chorus phrases and a new
ending, up to MAX_DURATION.
"""

from __future__ import annotations

import dataclasses

from ..common import digest, seeded_rng
from . import vocabulary as v
from .arrangement import bar_count
from .plan import MAX_DURATION, TrackPlan, plan_track

# What an extension adds when no length is asked for.
DEFAULT_EXTENSION = 20


def plan_variation(prompt: str, genre: str, duration: int, seed: int, variation: int) -> TrackPlan:
    """The plan of variation number `variation` (1, 2, ...) of the track (prompt, genre, ...).

    Same style, key, scale, tempo, meter and instruments as the source; the progressions
    and every note-level choice are drawn anew from (source, variation).
    """
    if int(variation) < 1:
        raise ValueError("variation must be a positive number")
    return vary(plan_track(prompt, genre, duration, seed), int(variation))


def vary(source: TrackPlan, variation: int) -> TrackPlan:
    """A variation of a plan: new progressions and a new synthesis seed, the same sound."""
    rng = seeded_rng("variation", source.seed, variation)
    mode = v.HARMONY_MODE.get(source.scale, source.scale)
    options = v.PROGRESSIONS[mode]
    verse_options = options["verse"]
    if v.STYLES[source.style].genre == "jazz" and mode in ("major", "mixolydian", "dorian"):
        verse_options = v.JAZZ_PROGRESSIONS

    def pick(choices: tuple[tuple[int, ...], ...], current: tuple[int, ...]) -> tuple[int, ...]:
        """A progression other than the current one when the list has another."""
        others = [c for c in choices if tuple(c) != current] or list(choices)
        return tuple(int(d) for d in others[int(rng.integers(len(others)))])

    return dataclasses.replace(
        source,
        seed=int.from_bytes(digest("variation", source.seed, variation)[:8], "big"),
        progression=pick(verse_options, source.progression),
        chorus_progression=pick(options["chorus"], source.chorus_progression),
        bridge_progression=pick(options["bridge"], source.bridge_progression),
        variation=variation,
    )


def plan_extension(
    prompt: str, genre: str, duration: int, seed: int, extra: int = DEFAULT_EXTENSION
) -> TrackPlan:
    """The plan of the track (prompt, genre, duration, seed) extended by `extra` seconds."""
    return extend(plan_track(prompt, genre, duration, seed), extra)


def extend(source: TrackPlan, extra: int = DEFAULT_EXTENSION) -> TrackPlan:
    """The source plan, longer by `extra` seconds (capped at MAX_DURATION), same sound.

    The source's bars up to its outro are composed exactly as before (same seed, same
    sections); new phrases and a new outro follow. Raises ValueError when the source is
    already at the length limit or extra is not positive.
    """
    extra = int(extra)
    if extra < 1:
        raise ValueError("an extension must add at least one second")
    if source.duration >= MAX_DURATION:
        raise ValueError(f"the track is already {MAX_DURATION} s, the longest a track can be")
    base = source.extends_bars or bar_count(source)
    return dataclasses.replace(
        source, duration=min(MAX_DURATION, source.duration + extra), extends_bars=base
    )


def plan_derived(
    prompt: str, genre: str, duration: int, seed: int, steps: list | tuple
) -> TrackPlan:
    """The plan of a track made from (prompt, genre, duration, seed) by a chain of steps.

    Each step is ("vary", variation number) or ("extend", seconds), applied in order, so a
    variation of an extension (or any chain) is as deterministic as the original.
    """
    plan = plan_track(prompt, genre, duration, seed)
    for how, value in steps:
        if how == "vary":
            plan = vary(plan, int(value))
        elif how == "extend":
            plan = extend(plan, int(value))
        else:
            raise ValueError(f"unknown derivation step {how!r}")
    return plan
