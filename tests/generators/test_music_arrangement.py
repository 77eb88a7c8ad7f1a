"""Tests for what the music generator plays: prompt vocabulary, sections, parts and feel."""

from __future__ import annotations

import numpy as np
import pytest

from webapp.generators import music
from webapp.generators.music import arrangement, vocabulary
from webapp.generators.music.arrangement import Note, Score

STYLE_PROMPTS = {name: f"a {name} piece" for name in vocabulary.STYLES}


def _score(prompt: str, genre: str = "pop", duration: int = 60, seed: int = 1) -> Score:
    """Compose (without rendering) the score of a track."""
    plan = music.plan_track(prompt, genre, duration, seed)
    return arrangement.compose(plan, np.random.default_rng(plan.seed), duration * music.SAMPLE_RATE)


def _bar_contents(notes: list[Note], bars: int) -> list[tuple]:
    """Each bar's notes as sorted (grid step, key) pairs, for comparison."""
    contents: list[list[tuple]] = [[] for _ in range(bars)]
    for note in notes:
        contents[note.bar].append((note.step, note.key))
    return [tuple(sorted(bar)) for bar in contents]


def _longest_repeat(contents: list[tuple]) -> int:
    """The longest run of identical non-empty consecutive bars."""
    longest, run = 0, 0
    for index, bar in enumerate(contents):
        run = run + 1 if index and bar and bar == contents[index - 1] else 1
        longest = max(longest, run if bar else 0)
    return longest


@pytest.mark.parametrize("style", sorted(vocabulary.STYLES))
def test_no_part_repeats_a_bar_more_than_four_times(style: str) -> None:
    """In every style, no part plays the same bar more than four times in a row."""
    for seed in (1, 2):
        score = _score(STYLE_PROMPTS[style], vocabulary.STYLES[style].genre, 60, seed)
        bars = sum(s.bars for s in score.sections)
        for part, notes in score.notes.items():
            assert _longest_repeat(_bar_contents(notes, bars)) <= 4, (style, part, seed)


def test_a_minute_has_intro_verse_chorus_bridge_and_outro() -> None:
    """A 60 s track is arranged in sections, starting with an intro and ending with an outro."""
    names = [s.name for s in _score("sunny afternoon", "pop").sections]
    assert names[0] == "intro" and names[-1] == "outro"
    assert {"verse", "chorus", "bridge"} <= set(names)
    assert [s.name for s in arrangement.sections(3)][-1] == "outro"


def test_sections_change_instrumentation_and_dynamics() -> None:
    """The chorus brings in parts the intro leaves out and is played harder than the verse."""
    score = _score("summer party", "pop")
    kind = {bar: s.name for s in score.sections for bar in range(s.start, s.start + s.bars)}

    def parts_in(name: str) -> set[str]:
        return {p for p, notes in score.notes.items() if any(kind[n.bar] == name for n in notes)}

    def loudness(name: str) -> float:
        return float(np.mean([n.velocity for n in score.notes["chords"] if kind[n.bar] == name]))

    assert {"bass", "lead"} <= parts_in("chorus") - parts_in("intro")
    assert loudness("chorus") > loudness("verse") > loudness("intro")


def test_timing_and_velocity_are_humanised() -> None:
    """On-beat hits sit near, not exactly on, the grid; the same drum varies in velocity."""
    plan = music.plan_track("lazy sunday", "lo-fi", 30, 1)
    score = _score("lazy sunday", "lo-fi", 30)
    sixteenth = music.SAMPLE_RATE * 15 / plan.tempo
    offsets = [
        n.start - (n.bar * 16 + n.step) * sixteenth for n in score.notes["drums"] if n.step % 2 == 0
    ]
    assert np.std(offsets) > 0.002 * music.SAMPLE_RATE
    assert max(map(abs, offsets)) < 0.05 * music.SAMPLE_RATE
    assert len({n.velocity for n in score.notes["drums"] if n.key == arrangement.KICK}) > 3


def test_sustained_notes_run_across_bar_lines() -> None:
    """A drone or pad note that continues into the next bar is held, not re-struck (no gap)."""
    score = _score("calm ocean drone", "ambient")
    bar = score.bar_samples
    assert any(n.length > 1.5 * bar for n in score.notes["chords"] + score.notes["bass"])


@pytest.mark.parametrize("genre", music.GENRES)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_drum_and_bass_is_fast_whatever_the_genre_menu_says(genre: str, seed: int) -> None:
    """'drum and bass' overrides the genre hint: at least 160 BPM with a breakbeat kit."""
    plan = music.plan_track("drum and bass", genre, 30, seed)
    assert plan.style == "drum and bass" and plan.tempo >= 160
    assert plan.drums == "dnb"


def test_string_quartet_uses_only_strings_and_choir_a_choir() -> None:
    """A string quartet plays string programs only; a choir prompt sings with a choir program."""
    for seed in range(5):
        quartet = music.plan_track("string quartet", "classical", 30, seed)
        programs = {quartet.lead, quartet.chords, quartet.bass, quartet.counter} - {None}
        assert programs <= vocabulary.STRING_PROGRAMS and quartet.kit is None
        choir = music.plan_track("a choir at dusk", "ambient", 30, seed)
        assert {choir.lead, choir.chords, choir.counter} & vocabulary.CHOIR_PROGRAMS


@pytest.mark.parametrize(
    ("prompt", "genre", "style"),
    [
        ("trap beat", "pop", "trap"),
        ("bebop", "rock", "bebop"),
        ("reggae sunshine", "rock", "reggae"),
        ("folk tale", "electronic", "folk"),
        ("deep house", "jazz", "house"),
        ("orchestral battle", "lo-fi", "orchestral"),
        ("some music", "jazz", "jazz"),
    ],
)
def test_style_words_override_the_genre_hint(prompt: str, genre: str, style: str) -> None:
    """Style words in the prompt pick the style; without one the genre menu decides."""
    assert music.plan_track(prompt, genre, 30, 1).style == style


def test_instrument_words_pick_gm_programs() -> None:
    """808, saxophone, brass and friends choose the kit and instruments they name."""
    eight = music.plan_track("808 night", "pop", 30, 1)
    assert eight.kit == vocabulary.TR808_KIT and eight.bass_line == "808"
    assert music.plan_track("smooth saxophone", "lo-fi", 30, 1).lead == vocabulary.ALTO_SAX
    assert music.plan_track("big brass", "rock", 30, 1).lead == vocabulary.BRASS
    plan = music.plan_track("flute over church organ", "ambient", 30, 1)
    assert (plan.lead, plan.chords) == (vocabulary.FLUTE, vocabulary.CHURCH_ORGAN)


def test_moods_set_mode_and_dynamics() -> None:
    """Dark words choose a minor mode; loud and soft words change how hard the band plays."""
    assert music.plan_track("dark stormy night", "pop", 30, 1).scale in vocabulary.MINOR_SCALES
    assert music.plan_track("happy sunny day", "lo-fi", 30, 1).scale not in vocabulary.MINOR_SCALES
    loud = music.plan_track("epic powerful", "rock", 30, 1).dynamics
    soft = music.plan_track("soft gentle", "rock", 30, 1).dynamics
    assert loud > 1.0 > soft
