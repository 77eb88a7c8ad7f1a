"""A synthetic singer for lyrics: eSpeak NG speaks each word, WORLD (pyworld) sings it.

engine runs the speech program and lists the voices, lyrics reads verses, choruses, syllables
and stresses, singer places syllables on the lead melody's notes and renders the stem, and
mixdown puts the stem in front of a mix (its own reverb, the band ducked under it).
"""

from .engine import ENGINE_SETTING, VOICE_IDS, Voice, available_voices, engine_path, voice_by_id
from .mixdown import add_vocal, duck, vocal_envelope
from .singer import SungLine, place, sing, sing_score

__all__ = [
    "ENGINE_SETTING",
    "VOICE_IDS",
    "SungLine",
    "Voice",
    "add_vocal",
    "available_voices",
    "duck",
    "engine_path",
    "place",
    "sing",
    "sing_score",
    "vocal_envelope",
    "voice_by_id",
]
