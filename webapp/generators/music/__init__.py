"""Music from a prompt: a GM SoundFont band playing an arranged score, mastered to -14 LUFS.

The modules, in pipeline order: vocabulary (what words mean), plan (every decision),
arrangement (sections and notes), soundfont / fallback (instruments), mixing, mastering,
encoding (MP3 with tags) and waveform; track runs them in turn. variations makes a
variation or an extension of a track's plan.

For a singing voice: lead_melody(plan) and song_sections(plan) give what to sing and
where; synthesize/render_track(..., lyrics=..., voice_id=...) have webapp.generators.voice
sing the lyrics and mix its mono stem in as the lead.
"""

from .arrangement import SAMPLE_RATE, MelodyNote, SectionTime
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
from .track import (
    default_renderer,
    lead_melody,
    render_plan,
    render_track,
    render_track_with_waveform,
    score_of,
    song_sections,
    synthesize,
)
from .variations import extend, plan_derived, plan_extension, plan_variation, vary
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
    "MelodyNote",
    "SectionTime",
    "TrackPlan",
    "default_renderer",
    "encode_mp3",
    "extend",
    "lead_melody",
    "normalize_genre",
    "plan_derived",
    "plan_extension",
    "plan_track",
    "plan_variation",
    "render_plan",
    "render_track",
    "render_track_with_waveform",
    "render_waveform",
    "score_of",
    "song_sections",
    "synthesize",
    "vary",
]
