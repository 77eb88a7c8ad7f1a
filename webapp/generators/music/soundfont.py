"""Sampled instruments: the parts played through a General MIDI SoundFont by TinySoundFont."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import tinysoundfont

from . import vocabulary as v
from .arrangement import SAMPLE_RATE, Note

# Debian's fluid-soundfont-gm (MIT; stereo, uncompressed: loads in about 0.4 s), then
# musescore-general-soundfont-small (MIT; mono, Ogg-compressed sf3: about 2.5 s to load).
SOUNDFONT_PATHS: tuple[Path, ...] = (
    Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),
    Path("/usr/share/sounds/sf3/MuseScore_General_Lite.sf3"),
)
_PITCHED_CHANNEL = 0
_DRUM_CHANNEL = 9
# One part at a time never needs more; fewer voices to scan makes each render cheaper.
_MAX_VOICES = 64


def find_soundfont() -> Path | None:
    """The first installed SoundFont of SOUNDFONT_PATHS, if any."""
    return next((path for path in SOUNDFONT_PATHS if path.is_file()), None)


class SoundFontRenderer:
    """Renders parts with one loaded SoundFont; one render at a time (the synth has state)."""

    name = "soundfont"

    def __init__(self, path: Path) -> None:
        """Load the SoundFont (FluidR3: about 0.4 s CPU and 430 MB of memory)."""
        self.path = path
        self._synth = tinysoundfont.Synth(samplerate=SAMPLE_RATE)
        self._sfid = self._synth.sfload(str(path), max_voices=_MAX_VOICES)
        self._lock = threading.Lock()

    def render(
        self, notes: list[Note], program: int | None, kit: int | None, length: int
    ) -> np.ndarray:
        """Play notes on a GM program (or a drum kit) into a float32 (length, 2) stem."""
        out = np.zeros((length, 2), dtype=np.float32)
        drums = kit is not None
        channel = _DRUM_CHANNEL if drums else _PITCHED_CHANNEL
        events = _events(notes, with_note_offs=not drums)
        with self._lock:
            synth = self._synth
            synth.sounds_off()
            if drums:
                synth.program_select(channel, self._sfid, v.DRUM_BANK, kit, True)
            else:
                synth.program_select(channel, self._sfid, 0, program or 0)
            pos = 0
            for at, key, velocity in events:
                at = min(at, length)
                if at > pos:
                    synth.generate(at - pos, buffer=memoryview(out[pos:at]).cast("B"))
                    pos = at
                if velocity:
                    synth.noteon(channel, key, velocity)
                else:
                    synth.noteoff(channel, key)
            if pos < length:
                synth.generate(length - pos, buffer=memoryview(out[pos:]).cast("B"))
            synth.sounds_off()
        return out


def _events(notes: list[Note], with_note_offs: bool) -> list[tuple[int, int, int]]:
    """(sample, key, velocity) note-ons and, when asked, note-offs (velocity 0), in time order.

    At equal times a note-off comes first, so a repeated key is released before it re-sounds.
    Drum hits get no note-off: GM kits are one-shot samples that end by themselves.
    """
    events = [(note.start, note.key, note.velocity) for note in notes]
    if with_note_offs:
        events += [(note.start + note.length, note.key, 0) for note in notes]
    events.sort(key=lambda e: (e[0], e[2] > 0, e[1]))
    return events
