"""Music from a prompt: a GM SoundFont band playing an arranged score, mastered to -14 LUFS.

The modules, in pipeline order: vocabulary (what words mean), plan (every decision),
arrangement (sections and notes), soundfont / fallback (instruments), mixing, mastering,
encoding (MP3 with tags) and waveform; track runs them in turn.
"""

from .arrangement import SAMPLE_RATE
from .encoding import MUSIC_EXT, MUSIC_MIME, encode_mp3
from .fallback import FallbackRenderer
from .plan import (
    MAX_DURATION,
    MAX_TEMPO,
    MIN_DURATION,
    MIN_TEMPO,
    TrackPlan,
    normalize_genre,
    plan_track,
)
from .track import default_renderer, render_track, render_track_with_waveform, synthesize
from .vocabulary import GENRES, NOTE_NAMES, SCALES
from .waveform import render_waveform

__all__ = [
    "GENRES",
    "MAX_DURATION",
    "MAX_TEMPO",
    "MIN_DURATION",
    "MIN_TEMPO",
    "MUSIC_EXT",
    "MUSIC_MIME",
    "NOTE_NAMES",
    "SAMPLE_RATE",
    "SCALES",
    "FallbackRenderer",
    "TrackPlan",
    "default_renderer",
    "encode_mp3",
    "normalize_genre",
    "plan_track",
    "render_track",
    "render_track_with_waveform",
    "render_waveform",
    "synthesize",
]
