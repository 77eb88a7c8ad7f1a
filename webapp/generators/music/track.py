"""The whole pipeline: plan, score, instruments, mix, master, MP3 and waveform."""

from __future__ import annotations

import functools
import logging
import threading
from typing import Protocol

import numpy as np

from .. import voice
from ..common import Output, Progress, ProgressFn, write_output
from . import soundfont
from . import vocabulary as v
from .arrangement import PARTS, SAMPLE_RATE, MelodyNote, Note, Score, SectionTime, compose
from .encoding import encode_mp3
from .fallback import FallbackRenderer
from .mastering import master
from .mixing import mix
from .plan import TrackPlan, plan_track
from .waveform import render_waveform

log = logging.getLogger(__name__)
_RENDERER_LOCK = threading.Lock()


class Renderer(Protocol):
    """Plays the notes of one part into a (length, 2) float32 stem."""

    name: str

    def render(
        self, notes: list[Note], program: int | None, kit: int | None, length: int
    ) -> np.ndarray:
        """Render notes on a GM program, or on a drum kit when kit is given."""


def default_renderer() -> Renderer:
    """The SoundFont renderer, loaded once per process; the fallback synthesizer without one."""
    with _RENDERER_LOCK:
        return _load_renderer()


@functools.cache
def _load_renderer() -> Renderer:
    """Load the installed SoundFont, or say in the log that the fallback will play instead."""
    path = soundfont.find_soundfont()
    if path is None:
        log.warning(
            "No General MIDI SoundFont found (looked for %s): music uses the fallback "
            "synthesizer. Install Debian's fluid-soundfont-gm (the Makefile does).",
            ", ".join(str(p) for p in soundfont.SOUNDFONT_PATHS),
        )
        return FallbackRenderer()
    return soundfont.SoundFontRenderer(path)


def score_of(plan: TrackPlan) -> Score:
    """The plan's score, exactly as synthesize composes it (composing is cheap)."""
    return compose(plan, np.random.default_rng(plan.seed), int(plan.duration * SAMPLE_RATE))


def lead_melody(plan: TrackPlan) -> tuple[MelodyNote, ...]:
    """The lead melody a singer sings: onset and duration in seconds, MIDI pitch, section."""
    return score_of(plan).lead_melody()


def song_sections(plan: TrackPlan) -> tuple[SectionTime, ...]:
    """The plan's sections (intro, verse, chorus, ...) with their bars and times in seconds."""
    return score_of(plan).section_times()


def synthesize(
    plan: TrackPlan, progress: ProgressFn | None = None, renderer: Renderer | None = None,
    *, lyrics: str = "", voice_id: str | None = None,
) -> np.ndarray:
    """Render a plan (and its lyrics, sung by voice_id if given) to mastered float32 stereo."""
    report = Progress(progress)
    report(0)
    n_samples = int(plan.duration * SAMPLE_RATE)
    rng = np.random.default_rng(plan.seed)
    score = compose(plan, rng, n_samples)
    report(5)
    renderer = renderer or default_renderer()
    stems: dict[str, np.ndarray] = {}
    for index, part in enumerate(PARTS):
        notes = score.notes[part]
        if notes:
            drums = part == "drums"
            program = None if drums else getattr(plan, part)
            stems[part] = renderer.render(notes, program, plan.kit if drums else None, n_samples)
        report(5 + 65 * (index + 1) / len(PARTS))
    vocal = voice.sing_score(score, SAMPLE_RATE, lyrics, voice_id, plan.seed) if (
        lyrics.strip() and voice_id) else None
    stereo = mix(stems, plan, score, rng, vocal)
    report(85)
    out = master(stereo, plan.duration, plan.tilt_db, v.STYLES[plan.style].ending)
    report(100)
    return out


def render_track(
    prompt: str, genre: str, duration: int, seed: int, out: Output,
    progress: ProgressFn | None = None, *, title: str | None = None, artist: str | None = None,
    waveform_out: Output | None = None, lyrics: str = "", voice_id: str | None = None,
) -> float:
    """Compose, synthesize and write a tagged MP3, and its waveform if asked; returns seconds."""
    return render_plan(
        plan_track(prompt, genre, duration, seed), out, progress, title=title, artist=artist,
        waveform_out=waveform_out, lyrics=lyrics, voice_id=voice_id,
    )


def render_plan(
    plan: TrackPlan, out: Output, progress: ProgressFn | None = None, *,
    title: str | None = None, artist: str | None = None, waveform_out: Output | None = None,
    lyrics: str = "", voice_id: str | None = None,
) -> float:
    """Synthesize a plan (an original, a variation or an extension) into a tagged MP3."""
    report = Progress(progress)
    samples = synthesize(plan, report.sub(0, 40), lyrics=lyrics, voice_id=voice_id)
    encoding_from = 40
    if waveform_out is not None:
        render_waveform(samples, waveform_out)
        encoding_from = 42
    write_output(out, encode_mp3(samples, report.sub(encoding_from, 100), title, artist))
    return samples.shape[0] / SAMPLE_RATE


def render_track_with_waveform(
    prompt: str, genre: str, duration: int, seed: int, audio_out: Output, waveform_out: Output,
    progress: ProgressFn | None = None, *, title: str | None = None, artist: str | None = None,
    lyrics: str = "", voice_id: str | None = None,
) -> float:
    """Synthesize once and write both the tagged MP3 and its waveform PNG; returns seconds."""
    return render_track(
        prompt, genre, duration, seed, audio_out, progress,
        title=title, artist=artist, waveform_out=waveform_out, lyrics=lyrics, voice_id=voice_id,
    )
