"""Tests for the third music pass: styles, meters, builds, mono mix, variations, the vocal hook."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest

from webapp.generators import music
from webapp.generators.music import arrangement, vocabulary

ASKED_FOR = (
    "polka waltz bossa-nova samba tango chiptune dubstep k-pop metal punk blues-shuffle swing "
    "ballad trailer horror gregorian celtic flamenco reggae ska disco funk gospel afrobeat "
    "surf lullaby march"
)
LYRICS = "Morning light on the water\nCarry me home"


def _score(plan: music.TrackPlan) -> arrangement.Score:
    """The plan's score as the synthesizer composes it."""
    return music.score_of(plan)


def test_vocabulary_has_sixty_styles_including_every_one_asked_for() -> None:
    """At least 60 styles, and each style the issue names is one of them or named by a word."""
    assert len(vocabulary.STYLES) >= 60
    for name in ASKED_FOR.split():
        words = name.replace("-", " ")
        style = music.plan_track(f"a {words} song", "pop", 30, 1).style
        assert style != "pop" or name == "pop", name
        assert style.replace("-", " ").split()[0] in words or words in vocabulary.STYLE_WORDS


def test_every_style_is_a_complete_recipe() -> None:
    """Each style has a tempo range, a meter, bands of GM programs and a known groove."""
    for name, style in vocabulary.STYLES.items():
        low, high = style.tempo
        assert music.MIN_TEMPO <= low <= high <= music.MAX_TEMPO, name
        assert style.meter in vocabulary.METERS, name
        assert style.bands and style.genre in music.GENRES, name
        assert style.groove is None or style.groove in arrangement._GROOVES, name
        for band in style.bands:
            for program in (band.lead, band.chords, band.bass, band.counter):
                assert program is None or program in vocabulary.PROGRAM_NAMES, name


def test_unknown_words_do_not_reseed_the_track() -> None:
    """Words the vocabulary does not know change nothing: same plan, same notes."""
    plain = music.plan_track("dark rainy night", "lo-fi", 30, 4)
    noisy = music.plan_track("dark rainy night zorblat quixotic", "lo-fi", 30, 4)
    assert plain == noisy
    assert music.plan_track("qwerty", "jazz", 30, 2) == music.plan_track("asdfgh", "jazz", 30, 2)


@pytest.mark.parametrize(
    ("prompt", "genre", "style"),
    [
        ("ukulele on a porch", "pop", "hawaiian"),
        ("beach day", "rock", "surf"),
        ("a ghost in the attic", "ambient", "horror"),
        ("pirates at sea", "pop", "celtic"),
        ("beach day", "classical", "classical"),
    ],
)
def test_near_words_pick_the_nearest_style_inside_the_genre(
    prompt: str, genre: str, style: str
) -> None:
    """A suggestive word picks the nearest style when it belongs to the chosen genre."""
    assert music.plan_track(prompt, genre, 30, 1).style == style


def test_a_three_four_prompt_plays_three_beats_a_bar() -> None:
    """'in 3/4' gives a plan with 3 beats per bar, and every note sits inside a 3-beat bar."""
    plan = music.plan_track("a pop song in 3/4", "pop", 30, 1)
    assert plan.meter == "3/4" and plan.beats_per_bar == 3
    score = _score(plan)
    assert score.bar_samples == pytest.approx(3 * 60 / plan.tempo * music.SAMPLE_RATE)
    assert all(n.step < 12 for part in score.notes.values() for n in part)
    assert music.plan_track("a waltz", "classical", 30, 1).beats_per_bar == 3


@pytest.mark.parametrize(
    ("prompt", "genre", "meter"),
    [
        ("celtic jig", "pop", "6/8"),
        ("blues shuffle", "jazz", "12/8"),
        ("a rock ballad in 6/8", "rock", "6/8"),
        ("gospel", "pop", "12/8"),
        ("a waltz in 4/4", "pop", "4/4"),
    ],
)
def test_meter_words_and_styles_choose_the_meter(prompt: str, genre: str, meter: str) -> None:
    """Styles carry their meter; a written meter in the prompt overrides it."""
    plan = music.plan_track(prompt, genre, 30, 1)
    assert plan.meter == meter
    score = _score(plan)
    assert all(n.step < plan.steps_per_bar for part in score.notes.values() for n in part)


def test_swing_and_shuffle_words_swing_the_off_beats() -> None:
    """'swung' delays a straight style's off-beats, 'shuffle' plays in 12/8, 'straight' evens."""
    assert music.plan_track("rock", "rock", 30, 1).swing == 0.0
    assert music.plan_track("swung rock", "rock", 30, 1).swing >= 0.6
    assert music.plan_track("a shuffle", "rock", 30, 1).meter == "12/8"
    assert music.plan_track("straight lofi", "lo-fi", 30, 1).swing == 0.0


def _short_term_by_section(samples: np.ndarray, plan: music.TrackPlan) -> dict[str, float]:
    """Mean 3 s short-term loudness of the windows inside each section kind."""
    meter = pyloudnorm.Meter(music.SAMPLE_RATE)
    levels: dict[str, list[float]] = {}
    for section in music.song_sections(plan):
        t = section.start
        while t + 3 <= section.end:
            a, b = int(t * music.SAMPLE_RATE), int((t + 3) * music.SAMPLE_RATE)
            levels.setdefault(section.name, []).append(meter.integrated_loudness(samples[a:b]))
            t += 0.5
    return {k: 10 * np.log10(np.mean(10 ** (np.array(v) / 10))) for k, v in levels.items()}


@pytest.mark.parametrize(("prompt", "genre"), [("sunny pop song", "pop"), ("metal", "rock")])
def test_the_chorus_lifts_two_lu_over_the_verse_and_survives_mono(prompt: str, genre: str) -> None:
    """Choruses are at least 2 LU louder (short-term) than verses; mono loses at most 1 LU."""
    plan = music.plan_track(prompt, genre, 40, 1)
    samples = music.synthesize(plan)
    levels = _short_term_by_section(samples.astype(np.float64), plan)
    assert levels["chorus"] - levels["verse"] >= 2.0
    meter = pyloudnorm.Meter(music.SAMPLE_RATE)
    mono = samples.mean(axis=1, keepdims=True).repeat(2, axis=1).astype(np.float64)
    assert meter.integrated_loudness(samples.astype(np.float64)) - meter.integrated_loudness(
        mono
    ) <= 1.0


def test_drop_styles_break_down_and_build_into_choruses() -> None:
    """A style with a drop has a breakdown section; choruses are preceded by a build bar."""
    plan = music.plan_track("dubstep", "electronic", 60, 1)
    score = _score(plan)
    names = [s.name for s in score.sections]
    assert "breakdown" in names
    chorus_starts = {s.start for s in score.sections if s.name == "chorus"}
    assert {b + 1 for b in score.builds} == chorus_starts - {0}


def test_repeated_choruses_vary_their_melody() -> None:
    """The second chorus does not sing the first chorus's notes again."""
    score = _score(music.plan_track("sunny pop song", "pop", 60, 1))
    choruses = [s for s in score.sections if s.name == "chorus"]
    assert len(choruses) >= 2

    def tune(section: arrangement.Section) -> list[tuple[float, int]]:
        return [
            (n.bar - section.start, n.step, n.key)
            for n in score.notes["lead"]
            if section.start <= n.bar < section.start + section.bars
        ]

    assert tune(choruses[0]) != tune(choruses[1])


def test_written_endings_end_on_the_tonic_after_the_dominant() -> None:
    """A style that ends with a hit closes V - I and keeps its level to the last half second."""
    plan = music.plan_track("a march", "classical", 30, 1)
    assert vocabulary.STYLES[plan.style].ending == "hit"
    score = _score(plan)
    last = max(n.bar for n in score.notes["chords"])
    tonic = (plan.root + 0) % 12
    assert {n.key % 12 for n in score.notes["bass"] if n.bar == last} == {tonic}
    samples = music.synthesize(plan)
    tail = samples[-int(1.2 * music.SAMPLE_RATE) : -int(0.6 * music.SAMPLE_RATE)]
    assert float(np.sqrt(np.mean(tail**2))) > 0.02


def test_variation_keeps_key_tempo_and_sound_with_new_notes() -> None:
    """A variation has the source's style, key, tempo, meter and band, and a new melody."""
    source = music.plan_track("celtic jig", "pop", 30, 3)
    variation = music.plan_variation("celtic jig", "pop", 30, 3, 1)
    same = ("style", "key", "root", "scale", "tempo", "meter", "lead", "chords", "bass", "kit")
    assert all(getattr(variation, f) == getattr(source, f) for f in same)
    assert variation == music.plan_variation("celtic jig", "pop", 30, 3, 1)
    assert variation != music.plan_variation("celtic jig", "pop", 30, 3, 2)
    assert music.lead_melody(variation) != music.lead_melody(source)
    with pytest.raises(ValueError):
        music.plan_variation("celtic jig", "pop", 30, 3, 0)


def test_extension_keeps_key_tempo_and_the_song_up_to_its_outro() -> None:
    """An extension is longer, same key and tempo, and plays the source's bars before its outro."""
    source = music.plan_track("sunny pop song", "pop", 30, 5)
    longer = music.plan_extension("sunny pop song", "pop", 30, 5, 20)
    assert longer.duration == 50
    assert (longer.key, longer.scale, longer.tempo, longer.meter) == (
        source.key, source.scale, source.tempo, source.meter,
    )
    assert longer == music.plan_extension("sunny pop song", "pop", 30, 5, 20)
    old, new = _score(source), _score(longer)
    outro = next(s.start for s in old.sections if s.name == "outro")
    assert [s for s in new.sections if s.start < outro] == [
        s for s in old.sections if s.start < outro
    ]
    for part in ("drums", "chords", "lead"):
        before = [n for n in old.notes[part] if n.bar < outro - 1]
        assert [n for n in new.notes[part] if n.bar < outro - 1] == before
    assert new.sections[-1].name == "outro" and len(new.sections) > len(old.sections)
    assert music.extend(longer, 30).duration == music.MAX_DURATION
    with pytest.raises(ValueError):
        music.extend(music.plan_track("x", "pop", music.MAX_DURATION, 1), 10)


def test_lead_melody_and_sections_describe_the_song_for_a_singer() -> None:
    """The singer's view: melody notes in seconds inside the song, sections that tile it."""
    plan = music.plan_track("sunny pop song", "pop", 30, 1)
    melody = music.lead_melody(plan)
    sections = music.song_sections(plan)
    assert melody and all(0 <= n.onset < 30 and n.duration > 0 for n in melody)
    assert all(0 <= n.pitch < 128 for n in melody)
    assert {n.section for n in melody} <= {s.name for s in sections}
    assert [s.start for s in sections[1:]] == pytest.approx([s.end for s in sections[:-1]])
    assert {"verse", "chorus"} <= {s.name for s in sections}

