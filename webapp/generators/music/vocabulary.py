"""What prompt words mean musically: styles, General MIDI instruments, moods and keys."""

from __future__ import annotations

from dataclasses import dataclass

GENRES: tuple[str, ...] = (
    "ambient",
    "classical",
    "electronic",
    "hip-hop",
    "jazz",
    "lo-fi",
    "pop",
    "rock",
)
NOTE_NAMES: tuple[str, ...] = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")

SCALES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "harmonic minor": (0, 2, 3, 5, 7, 8, 11),
    "major pentatonic": (0, 2, 4, 7, 9),
    "minor pentatonic": (0, 3, 5, 7, 10),
}
# Chords are stacked in thirds, which needs a seven-note mode; pentatonics borrow a parent.
HARMONY_MODE = {"major pentatonic": "major", "minor pentatonic": "minor"}
MINOR_SCALES = frozenset({"minor", "dorian", "phrygian", "harmonic minor", "minor pentatonic"})


def _degrees(text: str) -> tuple[tuple[int, ...], ...]:
    """Chord progressions from space-separated digit strings: "0453" is degrees 0, 4, 5, 3."""
    return tuple(tuple(int(digit) for digit in chords) for chords in text.split())


def _sections(verse: str, chorus: str, bridge: str) -> dict[str, tuple[tuple[int, ...], ...]]:
    """Each section's progressions, from _degrees strings."""
    return {"verse": _degrees(verse), "chorus": _degrees(chorus), "bridge": _degrees(bridge)}


# Scale degrees (0 = tonic) per mode: verse, chorus and bridge each draw from their own list.
PROGRESSIONS: dict[str, dict[str, tuple[tuple[int, ...], ...]]] = {
    "major": _sections("0453 0534 0343 0354", "3405 5304 3045 0434", "5314 3214 5434"),
    "minor": _sections("0526 0362 0656 0306", "5600 2605 5260 3400", "3625 5364 3064"),
    "dorian": _sections("0303 0103 0630", "3600 6303 2306", "6534 2136"),
    "mixolydian": _sections("0630 0363", "3060 6304", "5364 1366"),
    "lydian": _sections("0101 0140", "0154 4101", "5121 3411"),
    "phrygian": _sections("0101 0160", "0651 5601", "3161 5311"),
    "harmonic minor": _sections("0340 0534", "5344 3400", "5144 3514"),
}
JAZZ_PROGRESSIONS = _degrees("1400 0514 2514 3625")

# General MIDI programs (0-based) used by name below.
PIANO, BRIGHT_PIANO, RHODES, CLAV = 0, 1, 4, 7
CELESTA, GLOCKENSPIEL, MUSIC_BOX, VIBES, MARIMBA, TUBULAR_BELLS = 8, 9, 10, 11, 12, 14
ORGAN, ROCK_ORGAN, CHURCH_ORGAN, ACCORDION, HARMONICA = 16, 18, 19, 21, 22
NYLON_GUITAR, STEEL_GUITAR, JAZZ_GUITAR, CLEAN_GUITAR, MUTED_GUITAR = 24, 25, 26, 27, 28
OVERDRIVE_GUITAR, DISTORTION_GUITAR = 29, 30
ACOUSTIC_BASS, FINGER_BASS, PICK_BASS, SLAP_BASS, SYNTH_BASS, SYNTH_BASS_2 = 32, 33, 34, 36, 38, 39
VIOLIN, VIOLA, CELLO, CONTRABASS, PIZZICATO, HARP = 40, 41, 42, 43, 45, 46
STRINGS, SLOW_STRINGS, SYNTH_STRINGS = 48, 49, 50
CHOIR, VOICE_OOHS, SYNTH_VOICE = 52, 53, 54
TRUMPET, TROMBONE, TUBA, FRENCH_HORN, BRASS, SYNTH_BRASS = 56, 57, 58, 60, 61, 62
SOPRANO_SAX, ALTO_SAX, TENOR_SAX, OBOE, BASSOON, CLARINET = 64, 65, 66, 68, 70, 71
FLUTE, RECORDER, PAN_FLUTE, WHISTLE, OCARINA = 73, 74, 75, 78, 79
SQUARE_LEAD, SAW_LEAD, CHARANG = 80, 81, 84
NEW_AGE_PAD, WARM_PAD, POLY_PAD, CHOIR_PAD, BOWED_PAD, HALO_PAD, SWEEP_PAD = (
    88,
    89,
    90,
    91,
    92,
    94,
    95,
)
CRYSTAL, ATMOSPHERE, SITAR, BANJO, KOTO, KALIMBA, FIDDLE = 98, 99, 104, 105, 107, 108, 110
HONKY_TONK, HARPSICHORD, XYLOPHONE, DULCIMER, TANGO_ACCORDION = 3, 6, 13, 15, 23
FRETLESS_BASS, TREMOLO_STRINGS, TIMPANI, ORCHESTRA_HIT, MUTED_TRUMPET = 35, 44, 47, 55, 59
BARITONE_SAX, PICCOLO, CALLIOPE, FIFTHS_LEAD, BASS_LEAD = 67, 72, 82, 86, 87
SOUNDTRACK, GOBLINS, ECHOES, BAGPIPE, STEEL_DRUMS, TAIKO = 97, 101, 102, 109, 114, 116

STRING_PROGRAMS = frozenset(range(40, 52))
CHOIR_PROGRAMS = frozenset({CHOIR, VOICE_OOHS, SYNTH_VOICE, CHOIR_PAD})

# Drum kits (presets of bank 128).
STANDARD_KIT, ROOM_KIT, POWER_KIT, ELECTRONIC_KIT, TR808_KIT = 0, 8, 16, 24, 25
JAZZ_KIT, BRUSH_KIT, ORCHESTRA_KIT = 32, 40, 48
DRUM_BANK = 128


@dataclass(frozen=True)
class Band:
    """One orchestration of a style: the GM program of each pitched part (None = silent)."""

    lead: int
    chords: int
    bass: int
    counter: int | None


@dataclass(frozen=True)
class Style:
    """How one style of music is played: tempo, harmony, groove, instruments and mix."""

    genre: str
    tempo: tuple[int, int]
    scales: tuple[str, ...]
    bands: tuple[Band, ...]
    kits: tuple[int, ...]
    groove: str | None
    comp: str
    bass_line: str
    counter: str
    swing: float = 0.0
    swing_unit: int = 16
    sevenths: bool = False
    density: float = 0.6
    note_steps: tuple[int, ...] = (2, 2, 4, 4, 6, 8)
    reverb: float = 0.25
    room: float = 1.6
    echo: float = 0.0
    humanize: float = 0.006
    pump: bool = False
    vinyl: bool = False
    tilt_db: float = -2.0
    # The MIDI note the bass line's roots gather around (40 = E2).
    bass_centre: int = 40
    # Level offsets in dB per part against the standard balance (mixing._PART_MIX);
    # each prompt moves them a little more (plan._production).
    mix: tuple[tuple[str, float], ...] = ()
    # "4/4", "3/4", "6/8" or "12/8" (compound meters count their tempo in dotted quarters).
    meter: str = "4/4"
    # "hit": a written final chord and hit; "fade": the last seconds fade out.
    ending: str = "hit"
    # A breakdown (drums out, then a riser) before the last chorus, which drops back in.
    drop: bool = False
    # A noise riser into each chorus (electronic and epic styles).
    riser: bool = False
    # Bus compression ratio (1 = none); the threshold sits under the loud passages.
    glue: float = 1.5


def _bands_by_style(*rows: tuple[str, int, int, int, int | None]) -> dict[str, tuple[Band, ...]]:
    """Each style's bands, in order, from (style, lead, chords, bass, counter) rows."""
    bands: dict[str, tuple[Band, ...]] = {}
    for style, *programs in rows:
        bands[style] = (*bands.get(style, ()), Band(*programs))
    return bands


_BANDS = _bands_by_style(
    ("ambient", FLUTE, WARM_PAD, CELLO, CELESTA),
    ("ambient", PIANO, HALO_PAD, SYNTH_BASS_2, HARP),
    ("ambient", VIBES, NEW_AGE_PAD, CONTRABASS, GLOCKENSPIEL),
    ("ambient", OCARINA, BOWED_PAD, CELLO, CRYSTAL),
    ("classical", VIOLIN, PIANO, CELLO, FLUTE),
    ("classical", PIANO, PIANO, CONTRABASS, None),
    ("classical", FLUTE, HARP, CELLO, CLARINET),
    ("classical", CLARINET, STRINGS, CONTRABASS, OBOE),
    ("string quartet", VIOLIN, VIOLA, CELLO, VIOLIN),
    ("orchestral", FRENCH_HORN, STRINGS, CONTRABASS, FLUTE),
    ("orchestral", VIOLIN, STRINGS, TUBA, TRUMPET),
    ("orchestral", TRUMPET, SLOW_STRINGS, CONTRABASS, BRASS),
    ("choir", CHOIR, CHOIR, CHURCH_ORGAN, VOICE_OOHS),
    ("choir", VOICE_OOHS, CHOIR, CELLO, CHOIR),
    ("house", SAW_LEAD, BRIGHT_PIANO, SYNTH_BASS, POLY_PAD),
    ("house", SQUARE_LEAD, RHODES, SYNTH_BASS_2, WARM_PAD),
    ("house", SYNTH_VOICE, PIANO, SYNTH_BASS, SAW_LEAD),
    ("techno", SQUARE_LEAD, POLY_PAD, SYNTH_BASS_2, SAW_LEAD),
    ("techno", CHARANG, SWEEP_PAD, SYNTH_BASS, CRYSTAL),
    ("drum and bass", SAW_LEAD, WARM_PAD, SYNTH_BASS_2, RHODES),
    ("drum and bass", RHODES, STRINGS, SYNTH_BASS, CRYSTAL),
    ("drum and bass", SYNTH_VOICE, HALO_PAD, SYNTH_BASS_2, PIANO),
    ("synthwave", SAW_LEAD, SYNTH_STRINGS, SYNTH_BASS, SQUARE_LEAD),
    ("synthwave", SYNTH_BRASS, POLY_PAD, SYNTH_BASS_2, CRYSTAL),
    ("boom bap", PIANO, RHODES, FINGER_BASS, VIBES),
    ("boom bap", VIBES, PIANO, ACOUSTIC_BASS, None),
    ("boom bap", FLUTE, RHODES, FINGER_BASS, STRINGS),
    ("boom bap", ALTO_SAX, JAZZ_GUITAR, FINGER_BASS, PIANO),
    ("trap", MUSIC_BOX, STRINGS, SYNTH_BASS, CHOIR_PAD),
    ("trap", PAN_FLUTE, WARM_PAD, SYNTH_BASS, GLOCKENSPIEL),
    ("trap", KALIMBA, SLOW_STRINGS, SYNTH_BASS_2, TUBULAR_BELLS),
    ("jazz", TENOR_SAX, PIANO, ACOUSTIC_BASS, None),
    ("jazz", TRUMPET, PIANO, ACOUSTIC_BASS, VIBES),
    ("jazz", VIBES, JAZZ_GUITAR, ACOUSTIC_BASS, None),
    ("jazz", ALTO_SAX, RHODES, ACOUSTIC_BASS, TROMBONE),
    ("bebop", ALTO_SAX, PIANO, ACOUSTIC_BASS, TRUMPET),
    ("bebop", TRUMPET, PIANO, ACOUSTIC_BASS, TENOR_SAX),
    ("lo-fi", RHODES, RHODES, FINGER_BASS, VIBES),
    ("lo-fi", JAZZ_GUITAR, PIANO, ACOUSTIC_BASS, None),
    ("lo-fi", VIBES, JAZZ_GUITAR, FINGER_BASS, FLUTE),
    ("lo-fi", FLUTE, PIANO, FINGER_BASS, MARIMBA),
    ("reggae", ORGAN, CLEAN_GUITAR, FINGER_BASS, TRUMPET),
    ("reggae", HARMONICA, RHODES, FINGER_BASS, ORGAN),
    ("folk", FIDDLE, STEEL_GUITAR, ACOUSTIC_BASS, None),
    ("folk", HARMONICA, STEEL_GUITAR, ACOUSTIC_BASS, BANJO),
    ("folk", FLUTE, NYLON_GUITAR, ACOUSTIC_BASS, ACCORDION),
    ("funk", BRASS, MUTED_GUITAR, SLAP_BASS, CLAV),
    ("funk", ALTO_SAX, CLAV, FINGER_BASS, BRASS),
    ("pop", SQUARE_LEAD, PIANO, FINGER_BASS, CRYSTAL),
    ("pop", PIANO, STEEL_GUITAR, FINGER_BASS, STRINGS),
    ("pop", SYNTH_VOICE, RHODES, SYNTH_BASS, GLOCKENSPIEL),
    ("pop", CLEAN_GUITAR, POLY_PAD, PICK_BASS, PIANO),
    ("rock", OVERDRIVE_GUITAR, DISTORTION_GUITAR, PICK_BASS, ROCK_ORGAN),
    ("rock", DISTORTION_GUITAR, OVERDRIVE_GUITAR, FINGER_BASS, None),
    ("rock", CLEAN_GUITAR, OVERDRIVE_GUITAR, PICK_BASS, PIANO),
    ("polka", ACCORDION, ACCORDION, TUBA, CLARINET),
    ("polka", CLARINET, ACCORDION, TUBA, TRUMPET),
    ("waltz", VIOLIN, PIANO, CONTRABASS, FLUTE),
    ("waltz", FLUTE, STRINGS, CONTRABASS, VIOLIN),
    ("bossa nova", FLUTE, NYLON_GUITAR, ACOUSTIC_BASS, None),
    ("bossa nova", TENOR_SAX, NYLON_GUITAR, ACOUSTIC_BASS, RHODES),
    ("samba", WHISTLE, NYLON_GUITAR, FINGER_BASS, TRUMPET),
    ("samba", TRUMPET, STEEL_GUITAR, FINGER_BASS, FLUTE),
    ("tango", TANGO_ACCORDION, PIANO, CONTRABASS, VIOLIN),
    ("tango", VIOLIN, PIANO, CONTRABASS, TANGO_ACCORDION),
    ("chiptune", SQUARE_LEAD, SQUARE_LEAD, SQUARE_LEAD, CALLIOPE),
    ("chiptune", CALLIOPE, SQUARE_LEAD, SQUARE_LEAD, SQUARE_LEAD),
    ("dubstep", SAW_LEAD, SWEEP_PAD, BASS_LEAD, CHARANG),
    ("dubstep", CHARANG, POLY_PAD, SAW_LEAD, SQUARE_LEAD),
    ("k-pop", SYNTH_VOICE, BRIGHT_PIANO, SYNTH_BASS, SAW_LEAD),
    ("k-pop", SQUARE_LEAD, POLY_PAD, SYNTH_BASS_2, GLOCKENSPIEL),
    ("metal", DISTORTION_GUITAR, DISTORTION_GUITAR, PICK_BASS, None),
    ("metal", DISTORTION_GUITAR, DISTORTION_GUITAR, FINGER_BASS, CHOIR_PAD),
    ("punk", OVERDRIVE_GUITAR, OVERDRIVE_GUITAR, PICK_BASS, None),
    ("blues shuffle", HARMONICA, ORGAN, FINGER_BASS, OVERDRIVE_GUITAR),
    ("blues shuffle", OVERDRIVE_GUITAR, HONKY_TONK, FINGER_BASS, HARMONICA),
    ("swing", BRASS, PIANO, ACOUSTIC_BASS, ALTO_SAX),
    ("swing", CLARINET, PIANO, ACOUSTIC_BASS, TROMBONE),
    ("ballad", PIANO, SLOW_STRINGS, FINGER_BASS, CELLO),
    ("ballad", CELLO, PIANO, FRETLESS_BASS, VIOLIN),
    ("trailer", FRENCH_HORN, TREMOLO_STRINGS, CONTRABASS, CHOIR),
    ("trailer", BRASS, STRINGS, TIMPANI, CHOIR),
    ("horror", GOBLINS, BOWED_PAD, CONTRABASS, TREMOLO_STRINGS),
    ("horror", CELESTA, TREMOLO_STRINGS, SYNTH_BASS_2, ECHOES),
    ("gregorian", CHOIR, CHOIR_PAD, CHOIR, None),
    ("gregorian", VOICE_OOHS, CHOIR, CHURCH_ORGAN, None),
    ("celtic", FIDDLE, NYLON_GUITAR, ACOUSTIC_BASS, WHISTLE),
    ("celtic", WHISTLE, STEEL_GUITAR, ACOUSTIC_BASS, BAGPIPE),
    ("flamenco", NYLON_GUITAR, NYLON_GUITAR, ACOUSTIC_BASS, None),
    ("flamenco", VIOLIN, NYLON_GUITAR, ACOUSTIC_BASS, NYLON_GUITAR),
    ("ska", TRUMPET, CLEAN_GUITAR, PICK_BASS, TROMBONE),
    ("ska", TENOR_SAX, ORGAN, PICK_BASS, TRUMPET),
    ("disco", STRINGS, MUTED_GUITAR, SLAP_BASS, BRASS),
    ("disco", BRASS, STRINGS, FINGER_BASS, GLOCKENSPIEL),
    ("gospel", CHOIR, CHURCH_ORGAN, FINGER_BASS, PIANO),
    ("gospel", PIANO, ORGAN, FINGER_BASS, CHOIR),
    ("afrobeat", BRASS, MUTED_GUITAR, FINGER_BASS, BARITONE_SAX),
    ("afrobeat", TENOR_SAX, ORGAN, FINGER_BASS, MARIMBA),
    ("surf", CLEAN_GUITAR, CLEAN_GUITAR, PICK_BASS, ORGAN),
    ("lullaby", MUSIC_BOX, HARP, ACOUSTIC_BASS, CELESTA),
    ("lullaby", CELESTA, HARP, CELLO, GLOCKENSPIEL),
    ("march", TRUMPET, BRASS, TUBA, PICCOLO),
    ("march", PICCOLO, BRASS, TUBA, TROMBONE),
    ("trance", SAW_LEAD, SYNTH_STRINGS, SYNTH_BASS_2, SQUARE_LEAD),
    ("trance", SYNTH_VOICE, SWEEP_PAD, SYNTH_BASS, SAW_LEAD),
    ("deep house", RHODES, WARM_PAD, SYNTH_BASS_2, VIBES),
    ("deep house", SYNTH_VOICE, RHODES, FINGER_BASS, WARM_PAD),
    ("edm", SAW_LEAD, FIFTHS_LEAD, SYNTH_BASS, SQUARE_LEAD),
    ("r&b", RHODES, WARM_PAD, FINGER_BASS, SYNTH_VOICE),
    ("r&b", VOICE_OOHS, RHODES, FRETLESS_BASS, VIBES),
    ("soul", ORGAN, PIANO, FINGER_BASS, BRASS),
    ("soul", TENOR_SAX, RHODES, FINGER_BASS, STRINGS),
    ("reggaeton", SQUARE_LEAD, NYLON_GUITAR, SYNTH_BASS, MARIMBA),
    ("reggaeton", SYNTH_VOICE, POLY_PAD, SYNTH_BASS, STEEL_DRUMS),
    ("salsa", TRUMPET, PIANO, ACOUSTIC_BASS, TROMBONE),
    ("salsa", FLUTE, PIANO, ACOUSTIC_BASS, TRUMPET),
    ("country", STEEL_GUITAR, STEEL_GUITAR, PICK_BASS, FIDDLE),
    ("country", FIDDLE, STEEL_GUITAR, PICK_BASS, HARMONICA),
    ("bluegrass", BANJO, STEEL_GUITAR, ACOUSTIC_BASS, FIDDLE),
    ("bluegrass", FIDDLE, BANJO, ACOUSTIC_BASS, HARMONICA),
    ("indie", CLEAN_GUITAR, STEEL_GUITAR, PICK_BASS, GLOCKENSPIEL),
    ("indie", GLOCKENSPIEL, CLEAN_GUITAR, FINGER_BASS, ORGAN),
    ("new age", PAN_FLUTE, NEW_AGE_PAD, FRETLESS_BASS, HARP),
    ("new age", HARP, HALO_PAD, CELLO, PAN_FLUTE),
    ("baroque", VIOLIN, HARPSICHORD, CELLO, OBOE),
    ("baroque", OBOE, HARPSICHORD, BASSOON, VIOLIN),
    ("vaporwave", RHODES, SYNTH_STRINGS, FRETLESS_BASS, ALTO_SAX),
    ("vaporwave", ALTO_SAX, POLY_PAD, SYNTH_BASS_2, RHODES),
    ("hawaiian", STEEL_GUITAR, NYLON_GUITAR, ACOUSTIC_BASS, VIBES),
    ("hawaiian", VIBES, NYLON_GUITAR, ACOUSTIC_BASS, STEEL_DRUMS),
    ("indian", SITAR, STRINGS, CELLO, FLUTE),
    ("indian", FLUTE, STRINGS, CELLO, SITAR),
    ("future bass", SYNTH_VOICE, SAW_LEAD, SYNTH_BASS_2, CRYSTAL),
    ("future bass", SQUARE_LEAD, FIFTHS_LEAD, SYNTH_BASS, GLOCKENSPIEL),
    ("western", WHISTLE, NYLON_GUITAR, ACOUSTIC_BASS, MUTED_TRUMPET),
    ("western", TRUMPET, STEEL_GUITAR, CONTRABASS, WHISTLE),
    ("cumbia", ACCORDION, STEEL_GUITAR, FINGER_BASS, FLUTE),
    ("cumbia", FLUTE, ACCORDION, FINGER_BASS, TRUMPET),
)
# Laid out by hand, a line per aspect: the formatter would give every argument its own line.
# fmt: off
STYLES: dict[str, Style] = {
    "ambient": Style(
        "ambient", (60, 80), ("major", "lydian", "major pentatonic", "minor", "dorian"),
        _BANDS["ambient"], (), None, "sustain", "drone", "arp",
        sevenths=True, density=0.45, note_steps=(4, 8, 8, 12, 16),
        reverb=0.55, room=3.2, echo=0.35, humanize=0.01, tilt_db=-3.0,
        mix=(("chords", 2.0), ("counter", 1.0), ("bass", -2.0)), bass_centre=36,
        ending="fade", glue=1.2,
    ),
    "classical": Style(
        "classical", (66, 108), ("major", "major", "minor", "harmonic minor"),
        _BANDS["classical"], (), None, "broken", "halves", "line",
        density=0.75,
        reverb=0.45, room=2.4, humanize=0.008,
        mix=(("chords", 1.0),),
    ),
    "string quartet": Style(
        "classical", (60, 100), ("major", "minor", "harmonic minor", "dorian"),
        _BANDS["string quartet"], (), None, "sustain", "halves", "line",
        density=0.7,
        reverb=0.4, room=2.2, humanize=0.01,
        mix=(("chords", 1.0), ("counter", 1.0)), bass_centre=45,
    ),
    "orchestral": Style(
        "classical", (70, 110), ("minor", "major", "harmonic minor"),
        _BANDS["orchestral"], (ORCHESTRA_KIT,), "orchestral", "sustain", "halves", "line",
        density=0.6, note_steps=(2, 4, 4, 6, 8),
        reverb=0.5, room=2.8, humanize=0.008,
        mix=(("chords", 2.0), ("drums", -3.0)),
    ),
    "choir": Style(
        "classical", (60, 84), ("major", "minor", "dorian"),
        _BANDS["choir"], (), None, "sustain", "drone", "pad",
        density=0.5, note_steps=(4, 4, 8, 8),
        reverb=0.6, room=3.0, humanize=0.008,
        mix=(("chords", 2.0), ("bass", -2.0)),
    ),
    "house": Style(
        "electronic", (120, 128), ("minor", "dorian", "major"),
        _BANDS["house"], (ELECTRONIC_KIT, TR808_KIT), "four", "stabs", "offbeat", "pad",
        density=0.6, note_steps=(1, 2, 2, 2, 3, 4, 6),
        reverb=0.3, room=1.8, echo=0.3, humanize=0.002, pump=True,
        mix=(("drums", 1.0), ("chords", 1.0), ("lead", -2.0)), bass_centre=38,
        drop=True, riser=True, glue=2.0,
    ),
    "techno": Style(
        "electronic", (126, 134), ("minor", "phrygian"),
        _BANDS["techno"], (ELECTRONIC_KIT, TR808_KIT), "four", "sustain", "offbeat", "arp",
        density=0.5, note_steps=(1, 1, 2, 2, 4),
        reverb=0.25, room=2.0, echo=0.35, humanize=0.001, pump=True,
        mix=(("drums", 2.0), ("lead", -3.0), ("counter", 1.0)), bass_centre=38,
        drop=True, riser=True, glue=2.0, ending="fade",
    ),
    "drum and bass": Style(
        "electronic", (170, 176), ("minor", "dorian"),
        _BANDS["drum and bass"], (STANDARD_KIT, POWER_KIT), "dnb", "sustain", "reese", "arp",
        sevenths=True, density=0.5, note_steps=(2, 4, 4, 6, 8),
        reverb=0.3, room=2.0, echo=0.3, humanize=0.002,
        mix=(("drums", 1.5), ("bass", 2.5), ("chords", -2.0), ("lead", -1.0)), bass_centre=34,
        drop=True, riser=True, glue=2.0,
    ),
    "synthwave": Style(
        "electronic", (84, 110), ("minor", "dorian"),
        _BANDS["synthwave"], (ELECTRONIC_KIT,), "backbeat", "sustain", "eighths", "arp",
        density=0.6,
        reverb=0.35, room=2.2, echo=0.35, humanize=0.002,
        mix=(("chords", 1.0), ("counter", 1.0)), riser=True,
    ),
    "boom bap": Style(
        "hip-hop", (84, 96), ("minor", "dorian", "harmonic minor", "minor pentatonic"),
        _BANDS["boom bap"], (STANDARD_KIT, ROOM_KIT), "boombap", "halves", "hiphop", "line",
        swing=0.3, sevenths=True, density=0.5, note_steps=(2, 4, 4, 6, 8),
        reverb=0.2, room=1.2, echo=0.2,
        mix=(("drums", 1.5), ("bass", 1.0), ("lead", -1.0)), bass_centre=38,
    ),
    "trap": Style(
        "hip-hop", (130, 150), ("minor", "harmonic minor", "phrygian"),
        _BANDS["trap"], (TR808_KIT,), "trap", "sustain", "808", "arp",
        density=0.45, note_steps=(2, 2, 4, 4, 6),
        reverb=0.3, room=1.8, echo=0.3, humanize=0.002,
        mix=(("bass", 3.0), ("chords", -2.0), ("drums", -1.0)), bass_centre=33,
        drop=True, glue=1.8,
    ),
    "jazz": Style(
        "jazz", (110, 160), ("dorian", "major", "mixolydian", "minor"),
        _BANDS["jazz"], (JAZZ_KIT, BRUSH_KIT), "jazz", "charleston", "walking", "line",
        swing=0.66, swing_unit=8, sevenths=True, density=0.7, note_steps=(2, 2, 2, 4, 6),
        reverb=0.25, room=1.5, humanize=0.008,
        mix=(("drums", -4.0), ("bass", 1.0), ("lead", 1.0)), bass_centre=41,
    ),
    "bebop": Style(
        "jazz", (170, 190), ("dorian", "mixolydian", "major"),
        _BANDS["bebop"], (JAZZ_KIT,), "jazz", "charleston", "walking", "line",
        swing=0.6, swing_unit=8, sevenths=True, density=0.9, note_steps=(2, 2, 2, 2, 4),
        reverb=0.2, room=1.3, humanize=0.006,
        mix=(("drums", -2.0), ("lead", 2.0), ("chords", -2.0)), bass_centre=43,
    ),
    "lo-fi": Style(
        "lo-fi", (68, 88), ("minor", "dorian", "major", "major pentatonic"),
        _BANDS["lo-fi"], (ROOM_KIT, BRUSH_KIT), "lofi", "halves", "hiphop", "line",
        swing=0.35, sevenths=True, density=0.5, note_steps=(2, 4, 4, 6, 8),
        reverb=0.3, room=1.4, echo=0.25, humanize=0.012, vinyl=True, tilt_db=-4.0,
        mix=(("drums", -1.0), ("chords", 1.0), ("lead", -1.0)), ending="fade",
    ),
    "reggae": Style(
        "pop", (70, 84), ("major", "minor", "dorian"),
        _BANDS["reggae"], (STANDARD_KIT,), "onedrop", "skank", "onedrop", "line",
        swing=0.2, density=0.5, note_steps=(2, 4, 4, 6),
        reverb=0.3, room=1.6, echo=0.35,
        mix=(("bass", 3.0), ("chords", -1.0), ("drums", -1.0)), bass_centre=36, ending="fade",
    ),
    "folk": Style(
        "pop", (88, 120), ("major", "mixolydian", "dorian", "major pentatonic"),
        _BANDS["folk"], (), "soft", "strum", "halves", "line",
        density=0.6,
        reverb=0.3, room=1.8, humanize=0.01,
        mix=(("chords", 2.5), ("drums", -5.0), ("bass", -2.0)), bass_centre=43,
    ),
    "funk": Style(
        "pop", (96, 112), ("dorian", "mixolydian", "minor pentatonic"),
        _BANDS["funk"], (STANDARD_KIT,), "funk", "funk", "funk", "line",
        swing=0.12, sevenths=True, density=0.6, note_steps=(1, 2, 2, 3, 4),
        reverb=0.15, room=1.2,
        mix=(("bass", 2.0), ("chords", 1.0)),
    ),
    "pop": Style(
        "pop", (96, 124), ("major", "major", "minor", "mixolydian", "major pentatonic"),
        _BANDS["pop"], (STANDARD_KIT, ELECTRONIC_KIT), "backbeat", "quarters", "eighths", "arp",
        density=0.6,
        reverb=0.25, room=1.6, echo=0.25, humanize=0.004,
    ),
    "rock": Style(
        "rock", (110, 150), ("minor pentatonic", "minor", "mixolydian", "major"),
        _BANDS["rock"], (POWER_KIT, ROOM_KIT), "rock", "chug", "eighths", "line",
        density=0.65,
        reverb=0.18, room=1.2, echo=0.15, humanize=0.005,
        mix=(("chords", 2.5), ("drums", 1.0), ("lead", -1.0)), glue=2.0,
    ),
    "polka": Style(
        "pop", (112, 132), ("major", "major", "mixolydian"),
        _BANDS["polka"], (STANDARD_KIT,), "polka", "oompah", "halves", "line",
        density=0.75, note_steps=(1, 2, 2, 2, 4),
        reverb=0.15, room=1.2, humanize=0.004, tilt_db=-0.5,
        mix=(("chords", 1.0), ("bass", 1.0)), bass_centre=38,
    ),
    "waltz": Style(
        "classical", (84, 104), ("major", "minor", "harmonic minor"),
        _BANDS["waltz"], (BRUSH_KIT,), "waltz", "waltz", "waltz", "line",
        density=0.7, note_steps=(2, 2, 4, 4, 8),
        reverb=0.4, room=2.2, humanize=0.008, tilt_db=-2.5, meter="3/4",
        mix=(("drums", -4.0), ("chords", 1.0)),
    ),
    "bossa nova": Style(
        "jazz", (120, 140), ("major", "dorian", "minor"),
        _BANDS["bossa nova"], (STANDARD_KIT,), "bossa", "bossa", "bossa", "line",
        sevenths=True, density=0.55, note_steps=(2, 2, 4, 4, 6),
        reverb=0.22, room=1.4, humanize=0.006, tilt_db=-3.5,
        mix=(("drums", -4.0), ("chords", 2.0)), ending="fade",
    ),
    "samba": Style(
        "pop", (96, 108), ("major", "mixolydian"),
        _BANDS["samba"], (STANDARD_KIT,), "samba", "funk", "samba", "line",
        density=0.7, note_steps=(1, 2, 2, 3, 4),
        reverb=0.18, room=1.3, humanize=0.004, tilt_db=0.5,
        mix=(("drums", 2.5), ("bass", 1.0)),
    ),
    "tango": Style(
        "classical", (112, 128), ("harmonic minor", "minor"),
        _BANDS["tango"], (), None, "tango", "tango", "line",
        density=0.7, note_steps=(1, 2, 2, 4, 6),
        reverb=0.2, room=1.4, humanize=0.005, tilt_db=-1.5,
        mix=(("chords", 1.5), ("bass", 2.0)),
    ),
    "chiptune": Style(
        "electronic", (132, 160), ("major", "minor", "major pentatonic"),
        _BANDS["chiptune"], (ELECTRONIC_KIT,), "chip", "broken", "eighths", "arp",
        density=0.8, note_steps=(1, 1, 2, 2, 4),
        reverb=0.05, room=0.8, humanize=0.0, tilt_db=2.0,
        mix=(("drums", -2.0), ("lead", 1.0)), bass_centre=45, glue=1.2,
    ),
    "dubstep": Style(
        "electronic", (138, 142), ("minor", "phrygian"),
        _BANDS["dubstep"], (ELECTRONIC_KIT, TR808_KIT), "dubstep", "sustain", "wobble", "arp",
        density=0.45, note_steps=(2, 4, 4, 6),
        reverb=0.25, room=1.8, echo=0.2, humanize=0.001, tilt_db=-1.0,
        mix=(("bass", 4.0), ("drums", 2.0), ("chords", -3.0)), bass_centre=33,
        drop=True, riser=True, glue=2.2,
    ),
    "k-pop": Style(
        "pop", (112, 128), ("minor", "major", "dorian"),
        _BANDS["k-pop"], (ELECTRONIC_KIT,), "kpop", "stabs", "offbeat", "arp",
        density=0.65, note_steps=(1, 2, 2, 3, 4),
        reverb=0.22, room=1.6, echo=0.25, humanize=0.002, tilt_db=0.0, pump=True,
        mix=(("drums", 1.0), ("lead", 1.0)), bass_centre=38, drop=True, riser=True, glue=2.0,
    ),
    "metal": Style(
        "rock", (140, 176), ("phrygian", "minor", "harmonic minor"),
        _BANDS["metal"], (POWER_KIT,), "metal", "chug", "eighths", "line",
        density=0.7, note_steps=(1, 2, 2, 2, 4),
        reverb=0.12, room=1.0, humanize=0.002, tilt_db=-3.0,
        mix=(("chords", 3.5), ("drums", 2.0), ("lead", -2.0), ("bass", 2.0)), bass_centre=33,
        glue=2.5,
    ),
    "punk": Style(
        "rock", (168, 190), ("major", "mixolydian", "minor pentatonic"),
        _BANDS["punk"], (ROOM_KIT,), "punk", "chug", "eighths", "line",
        density=0.7, note_steps=(2, 2, 2, 4),
        reverb=0.08, room=0.9, humanize=0.006, tilt_db=1.5,
        mix=(("drums", 2.5), ("chords", 1.0), ("bass", -1.0)), bass_centre=43, glue=2.5,
    ),
    "blues shuffle": Style(
        "jazz", (76, 100), ("mixolydian", "minor pentatonic", "dorian"),
        _BANDS["blues shuffle"], (STANDARD_KIT, ROOM_KIT), "shuffle", "strum", "boogie", "line",
        sevenths=True, density=0.6, note_steps=(2, 2, 4, 4, 6),
        reverb=0.2, room=1.3, humanize=0.008, tilt_db=-1.0, meter="12/8",
        mix=(("bass", 1.5),),
    ),
    "swing": Style(
        "jazz", (140, 184), ("major", "mixolydian", "dorian"),
        _BANDS["swing"], (JAZZ_KIT,), "jazz", "charleston", "walking", "line",
        swing=0.66, swing_unit=8, sevenths=True, density=0.75, note_steps=(2, 2, 2, 4, 6),
        reverb=0.22, room=1.6, humanize=0.007, tilt_db=0.5,
        mix=(("lead", 2.0), ("counter", 1.5), ("drums", -1.0)), bass_centre=41,
    ),
    "ballad": Style(
        "pop", (62, 78), ("major", "minor"),
        _BANDS["ballad"], (STANDARD_KIT, BRUSH_KIT), "ballad", "broken", "halves", "pad",
        sevenths=True, density=0.5, note_steps=(2, 4, 4, 6, 8),
        reverb=0.4, room=2.2, humanize=0.01, tilt_db=-3.0,
        mix=(("drums", -3.0), ("lead", 1.0)),
    ),
    "trailer": Style(
        "classical", (80, 100), ("minor", "harmonic minor"),
        _BANDS["trailer"], (ORCHESTRA_KIT,), "epic", "ostinato", "halves", "pad",
        density=0.5, note_steps=(4, 4, 8, 8),
        reverb=0.5, room=2.8, humanize=0.004, tilt_db=-2.0,
        mix=(("drums", 3.0), ("chords", 1.0)), bass_centre=36, riser=True, drop=True, glue=2.0,
    ),
    "horror": Style(
        "ambient", (50, 66), ("phrygian", "harmonic minor", "minor"),
        _BANDS["horror"], (ORCHESTRA_KIT,), "heartbeat", "sustain", "drone", "pad",
        density=0.3, note_steps=(4, 8, 8, 12, 16),
        reverb=0.7, room=3.6, echo=0.3, humanize=0.012, tilt_db=-6.0,
        mix=(("chords", 2.0), ("bass", 1.0), ("drums", -2.0)), bass_centre=31, ending="fade",
        glue=1.2,
    ),
    "gregorian": Style(
        "classical", (56, 72), ("dorian", "phrygian", "mixolydian"),
        _BANDS["gregorian"], (), None, "sustain", "drone", "pad",
        density=0.8, note_steps=(2, 4, 4, 4, 6),
        reverb=0.75, room=4.0, humanize=0.01, tilt_db=-4.5,
        mix=(("lead", 3.0), ("chords", -4.0), ("bass", -4.0)), bass_centre=43, glue=1.2,
    ),
    "celtic": Style(
        "pop", (104, 124), ("mixolydian", "dorian", "major"),
        _BANDS["celtic"], (ROOM_KIT,), "jig", "strum", "compound", "line",
        density=0.85, note_steps=(2, 2, 2, 4, 6),
        reverb=0.25, room=1.6, humanize=0.006, tilt_db=0.0, meter="6/8",
        mix=(("lead", 1.5), ("drums", -2.0)), bass_centre=43,
    ),
    "flamenco": Style(
        "pop", (108, 132), ("phrygian", "harmonic minor"),
        _BANDS["flamenco"], (STANDARD_KIT,), "flamenco", "strum", "waltz", "line",
        density=0.8, note_steps=(1, 1, 2, 2, 4),
        reverb=0.18, room=1.3, humanize=0.005, tilt_db=1.0, meter="3/4",
        mix=(("chords", 2.0), ("bass", -3.0)), bass_centre=40,
    ),
    "ska": Style(
        "rock", (150, 180), ("major", "mixolydian"),
        _BANDS["ska"], (STANDARD_KIT,), "ska", "skank", "walking", "line",
        density=0.65, note_steps=(2, 2, 2, 4, 4),
        reverb=0.15, room=1.2, humanize=0.004, tilt_db=0.8,
        mix=(("chords", 2.0), ("lead", 1.0)), bass_centre=40,
    ),
    "disco": Style(
        "electronic", (116, 124), ("minor", "dorian", "major"),
        _BANDS["disco"], (STANDARD_KIT,), "disco", "funk", "disco", "line",
        sevenths=True, density=0.6, note_steps=(1, 2, 2, 4),
        reverb=0.22, room=1.6, humanize=0.003, tilt_db=0.2,
        mix=(("drums", 1.5), ("bass", 2.0)), bass_centre=40, glue=1.8,
    ),
    "gospel": Style(
        "pop", (60, 76), ("major", "mixolydian"),
        _BANDS["gospel"], (STANDARD_KIT,), "shuffle", "strum", "boogie", "line",
        sevenths=True, density=0.55, note_steps=(2, 4, 4, 6),
        reverb=0.4, room=2.4, humanize=0.008, tilt_db=-2.0, meter="12/8",
        mix=(("chords", 2.0), ("counter", 1.0)),
    ),
    "afrobeat": Style(
        "pop", (100, 118), ("dorian", "mixolydian", "minor pentatonic"),
        _BANDS["afrobeat"], (STANDARD_KIT,), "afrobeat", "funk", "afrobeat", "line",
        density=0.6, note_steps=(1, 2, 2, 3, 4),
        reverb=0.15, room=1.2, humanize=0.004, tilt_db=-0.5,
        mix=(("drums", 2.0), ("bass", 1.5)), bass_centre=38,
    ),
    "surf": Style(
        "rock", (150, 172), ("harmonic minor", "major", "mixolydian"),
        _BANDS["surf"], (STANDARD_KIT,), "surf", "strum", "eighths", "line",
        density=0.8, note_steps=(1, 1, 2, 2, 4),
        reverb=0.45, room=1.8, echo=0.2, humanize=0.004, tilt_db=1.2,
        mix=(("lead", 2.0), ("drums", 1.0)), bass_centre=40,
    ),
    "lullaby": Style(
        "ambient", (60, 76), ("major", "major pentatonic"),
        _BANDS["lullaby"], (), None, "broken", "drone", "pad",
        density=0.5, note_steps=(2, 4, 4, 6),
        reverb=0.45, room=2.4, humanize=0.01, tilt_db=-1.5, meter="3/4",
        mix=(("lead", 2.0), ("bass", -4.0)), ending="fade", glue=1.1,
    ),
    "march": Style(
        "classical", (108, 124), ("major", "major", "mixolydian"),
        _BANDS["march"], (STANDARD_KIT,), "march", "oompah", "halves", "line",
        density=0.7, note_steps=(1, 2, 2, 4, 4),
        reverb=0.3, room=1.8, humanize=0.003, tilt_db=0.3,
        mix=(("drums", 1.0), ("bass", 1.5)), bass_centre=36,
    ),
    "trance": Style(
        "electronic", (134, 142), ("minor", "harmonic minor"),
        _BANDS["trance"], (ELECTRONIC_KIT,), "four", "sustain", "offbeat", "arp",
        density=0.6, note_steps=(1, 2, 2, 2, 4),
        reverb=0.45, room=2.6, echo=0.4, humanize=0.001, tilt_db=0.8, pump=True,
        mix=(("chords", 2.0), ("counter", 2.0), ("lead", -1.0)), bass_centre=38,
        drop=True, riser=True, glue=2.0,
    ),
    "deep house": Style(
        "electronic", (118, 124), ("dorian", "minor"),
        _BANDS["deep house"], (TR808_KIT, ELECTRONIC_KIT), "deep", "stabs", "offbeat", "pad",
        sevenths=True, density=0.45, note_steps=(2, 2, 4, 4, 6),
        reverb=0.3, room=2.0, echo=0.3, humanize=0.003, tilt_db=-4.5, pump=True,
        mix=(("bass", 2.5), ("chords", 1.0), ("lead", -2.0)), bass_centre=36, riser=True,
    ),
    "edm": Style(
        "electronic", (126, 130), ("minor", "major"),
        _BANDS["edm"], (ELECTRONIC_KIT,), "four", "stabs", "offbeat", "arp",
        density=0.55, note_steps=(1, 2, 2, 4),
        reverb=0.3, room=2.0, echo=0.3, humanize=0.0, tilt_db=1.0, pump=True,
        mix=(("drums", 2.5), ("chords", 2.0)), bass_centre=36, drop=True, riser=True, glue=2.5,
    ),
    "r&b": Style(
        "hip-hop", (66, 84), ("minor", "dorian", "major"),
        _BANDS["r&b"], (TR808_KIT, STANDARD_KIT), "rnb", "halves", "hiphop", "pad",
        swing=0.2, sevenths=True, density=0.5, note_steps=(1, 2, 3, 4, 6),
        reverb=0.3, room=1.8, echo=0.25, humanize=0.006, tilt_db=-2.5,
        mix=(("bass", 2.0), ("chords", 1.0)), bass_centre=36, ending="fade",
    ),
    "soul": Style(
        "pop", (72, 100), ("major", "dorian", "mixolydian"),
        _BANDS["soul"], (STANDARD_KIT, ROOM_KIT), "backbeat", "quarters", "hiphop", "line",
        swing=0.15, sevenths=True, density=0.55, note_steps=(2, 2, 4, 4, 6),
        reverb=0.25, room=1.5, humanize=0.007, tilt_db=-1.8,
        mix=(("bass", 1.0), ("chords", 1.0)),
    ),
    "reggaeton": Style(
        "hip-hop", (88, 100), ("minor", "harmonic minor"),
        _BANDS["reggaeton"], (TR808_KIT,), "dembow", "stabs", "808", "arp",
        density=0.55, note_steps=(1, 2, 2, 3, 4),
        reverb=0.2, room=1.4, echo=0.2, humanize=0.001, tilt_db=-0.8,
        mix=(("drums", 2.0), ("bass", 2.0)), bass_centre=33, riser=True, glue=2.0,
    ),
    "salsa": Style(
        "jazz", (170, 190), ("minor", "major", "harmonic minor"),
        _BANDS["salsa"], (STANDARD_KIT,), "salsa", "montuno", "tumbao", "line",
        density=0.7, note_steps=(1, 2, 2, 2, 4),
        reverb=0.18, room=1.3, humanize=0.004, tilt_db=0.6,
        mix=(("drums", 1.5), ("lead", 1.5)), bass_centre=38,
    ),
    "country": Style(
        "pop", (100, 126), ("major", "mixolydian"),
        _BANDS["country"], (STANDARD_KIT,), "train", "strum", "halves", "line",
        density=0.6, note_steps=(2, 2, 4, 4, 6),
        reverb=0.22, room=1.5, humanize=0.006, tilt_db=0.4,
        mix=(("chords", 2.0), ("drums", -1.0)), bass_centre=40,
    ),
    "bluegrass": Style(
        "pop", (126, 160), ("major", "mixolydian", "major pentatonic"),
        _BANDS["bluegrass"], (), None, "strum", "halves", "line",
        density=0.85, note_steps=(1, 2, 2, 2, 4),
        reverb=0.15, room=1.2, humanize=0.005, tilt_db=1.8,
        mix=(("chords", 1.5), ("lead", 1.0)), bass_centre=40,
    ),
    "indie": Style(
        "rock", (104, 128), ("major", "mixolydian", "minor"),
        _BANDS["indie"], (ROOM_KIT, STANDARD_KIT), "backbeat", "strum", "eighths", "line",
        density=0.6, note_steps=(2, 2, 4, 4, 6),
        reverb=0.3, room=1.8, echo=0.2, humanize=0.006, tilt_db=-0.2,
        mix=(("chords", 2.0),), riser=False,
    ),
    "new age": Style(
        "ambient", (56, 72), ("major", "lydian", "major pentatonic"),
        _BANDS["new age"], (), None, "sustain", "drone", "arp",
        density=0.4, note_steps=(4, 6, 8, 8, 12),
        reverb=0.6, room=3.4, echo=0.4, humanize=0.01, tilt_db=-1.0,
        mix=(("chords", 1.0), ("bass", -3.0)), ending="fade", glue=1.1, bass_centre=38,
    ),
    "baroque": Style(
        "classical", (88, 116), ("major", "minor", "harmonic minor"),
        _BANDS["baroque"], (), None, "broken", "eighths", "line",
        density=0.85, note_steps=(1, 2, 2, 2, 4),
        reverb=0.3, room=1.8, humanize=0.004, tilt_db=0.6,
        mix=(("chords", 1.0), ("bass", -1.0)), bass_centre=43,
    ),
    "vaporwave": Style(
        "lo-fi", (64, 80), ("major", "dorian", "lydian"),
        _BANDS["vaporwave"], (ELECTRONIC_KIT,), "lofi", "sustain", "halves", "pad",
        sevenths=True, density=0.4, note_steps=(4, 4, 6, 8),
        reverb=0.55, room=2.8, echo=0.45, humanize=0.004, vinyl=True, tilt_db=-5.5,
        mix=(("chords", 2.5), ("drums", -2.0)), ending="fade", bass_centre=38,
    ),
    "hawaiian": Style(
        "pop", (88, 108), ("major", "major pentatonic"),
        _BANDS["hawaiian"], (STANDARD_KIT,), "soft", "strum", "halves", "line",
        swing=0.2, density=0.55, note_steps=(2, 2, 4, 4, 6),
        reverb=0.3, room=1.6, humanize=0.008, tilt_db=0.9,
        mix=(("chords", 1.5), ("drums", -3.0)), bass_centre=40, ending="fade",
    ),
    "indian": Style(
        "pop", (80, 104), ("phrygian", "harmonic minor", "mixolydian"),
        _BANDS["indian"], (STANDARD_KIT,), "tabla", "sustain", "drone", "line",
        density=0.75, note_steps=(1, 2, 2, 4, 6),
        reverb=0.35, room=2.0, humanize=0.006, tilt_db=-0.8,
        mix=(("lead", 2.0), ("chords", -1.0)), bass_centre=38,
    ),
    "future bass": Style(
        "electronic", (140, 160), ("major", "minor"),
        _BANDS["future bass"], (TR808_KIT,), "dubstep", "stabs", "808", "arp",
        density=0.55, note_steps=(1, 2, 2, 3, 4),
        reverb=0.3, room=2.0, echo=0.3, humanize=0.001, tilt_db=0.3, pump=True,
        mix=(("chords", 3.0), ("bass", 2.0)), bass_centre=33, drop=True, riser=True, glue=2.2,
    ),
    "western": Style(
        "rock", (84, 104), ("harmonic minor", "minor"),
        _BANDS["western"], (STANDARD_KIT,), "gallop", "strum", "halves", "line",
        density=0.5, note_steps=(2, 4, 4, 6, 8),
        reverb=0.55, room=2.6, echo=0.35, humanize=0.006, tilt_db=-1.2,
        mix=(("lead", 2.5), ("drums", -2.0)), bass_centre=40,
    ),
    "cumbia": Style(
        "pop", (84, 100), ("minor", "major"),
        _BANDS["cumbia"], (STANDARD_KIT,), "cumbia", "skank", "halves", "line",
        density=0.65, note_steps=(1, 2, 2, 3, 4),
        reverb=0.2, room=1.3, humanize=0.005, tilt_db=0.0,
        mix=(("drums", 1.5), ("lead", 1.0)), bass_centre=38,
    ),
}
# fmt: on
GENRE_STYLE = {
    "ambient": "ambient",
    "classical": "classical",
    "electronic": "house",
    "hip-hop": "boom bap",
    "jazz": "jazz",
    "lo-fi": "lo-fi",
    "pop": "pop",
    "rock": "rock",
}
# Style words and phrases in the prompt; the first match wins over the genre menu, so
# longer phrases come before the words inside them.
_STYLE_WORDS_BY_STYLE: dict[str, str] = {
    "drum and bass": "drum and bass|drum n bass|drum & bass|dnb|jungle|liquid",
    "deep house": "deep house|lofi house|lo fi house",
    "future bass": "future bass",
    "blues shuffle": "blues shuffle|shuffle|blues|boogie|boogie woogie|twelve bar",
    "bossa nova": "bossa nova|bossa|bossanova",
    "k-pop": "k pop|kpop|j pop|jpop|anime|idol",
    "string quartet": "string quartet|quartet|chamber",
    "gregorian": "gregorian|plainchant|plainsong|chant|monks|monastery",
    "gospel": "gospel|spiritual",
    "choir": "choir|choral|hymn|cathedral",
    "trailer": "trailer|epic|cinematic trailer|blockbuster|heroic",
    "horror": "horror|dark ambient|creepy|scary|haunted|spooky|eerie|halloween|thriller",
    "orchestral": "orchestral|orchestra|symphonic|cinematic|film score|soundtrack",
    "trap": "trap|drill|phonk",
    "reggaeton": "reggaeton|dembow|latin pop",
    "bebop": "bebop|bop|hard bop",
    "swing": "swing|big band|swing band|lindy|charleston",
    "ska": "ska|two tone",
    "reggae": "reggae|dub|rocksteady",
    "bluegrass": "bluegrass|banjo picking|hillbilly",
    "country": "country|western swing|honky tonk|nashville|cowboy",
    "western": "spaghetti western|western|desert showdown|outlaw",
    "celtic": "celtic|irish|scottish|jig|reel|shanty|sea shanty|highland|medieval|tavern",
    "folk": "folk|acoustic|campfire|singer songwriter",
    "disco": "disco|studio 54|boogie nights",
    "trance": "trance|psytrance|uplifting trance",
    "edm": "edm|big room|festival|electro house",
    "dubstep": "dubstep|brostep|riddim|wobble",
    "house": "house|garage",
    "techno": "techno|rave|warehouse|industrial",
    "synthwave": "synthwave|retrowave|outrun|80s|eighties|synthpop|synth pop",
    "chiptune": "chiptune|chip tune|8 bit|8bit|16 bit|arcade|video game|retro game|nes|gameboy",
    "funk": "funk|funky",
    "afrobeat": "afrobeat|afrobeats|afro|highlife|fela",
    "soul": "soul|motown|neo soul",
    "r&b": "r&b|r b|rnb|rhythm and blues|slow jam",
    "boom bap": "boom bap|boombap|hip hop|rap|old school",
    "vaporwave": "vaporwave|vapor|mallsoft|aesthetic",
    "lo-fi": "lofi|lo fi|chillhop|study beats",
    "new age": "new age|meditation|spa|yoga|healing|zen",
    "lullaby": "lullaby|nursery|cradle|bedtime|sleep|music box",
    "ambient": "ambient|drone|soundscape|atmospheric",
    "metal": "metal|heavy metal|thrash|death metal|doom|metalcore|djent|black metal",
    "punk": "punk|pop punk|hardcore|skate|emo",
    "surf": "surf|surf rock|spy|tiki",
    "indie": "indie|indie rock|indie pop|shoegaze|dream pop|alternative|garage rock",
    "rock": "rock|grunge|hard rock|arena|stadium|classic rock",
    "polka": "polka|oompah|oom pah|oktoberfest|beer hall",
    "waltz": "waltz|viennese|ballroom|three four|3 4",
    "tango": "tango|milonga|bandoneon|argentine",
    "flamenco": "flamenco|spanish guitar|andalusian|gypsy|sevillanas",
    "samba": "samba|carnival|carnaval|brazilian|rio",
    "salsa": "salsa|mambo|cuban|latin jazz",
    "cumbia": "cumbia|colombian|vallenato",
    "march": "march|marching|military|parade|brass band|fanfare",
    "ballad": "ballad|power ballad|love song|torch song",
    "baroque": "baroque|harpsichord|bach|vivaldi|fugue",
    "classical": "classical|sonata|romantic era|piano concerto|concerto",
    "hawaiian": "hawaiian|hawaii|ukulele|uke|island|tropical|luau",
    "indian": "indian|bollywood|raga|sitar music|bhangra",
    "pop": "pop|radio hit|catchy",
    "jazz": "jazz|jazzy|smooth jazz|cool jazz",
}
STYLE_WORDS: dict[str, str] = dict(
    sorted(
        ((phrase, style) for style, text in _STYLE_WORDS_BY_STYLE.items()
         for phrase in text.split("|")),
        key=lambda item: -len(item[0].split()),
    )
)
# Words that are no style's name but suggest one: the nearest style, used when the prompt
# names no style and the suggested style belongs to the genre chosen in the menu.
NEAR_WORDS: dict[str, str] = {
    "beach": "surf", "waves": "surf", "ocean": "ambient", "sea": "ambient", "space": "ambient",
    "stars": "ambient", "galaxy": "ambient", "forest": "new age", "nature": "new age",
    "rain": "lo-fi", "rainy": "lo-fi", "study": "lo-fi", "coffee": "lo-fi", "cafe": "bossa nova",
    "sunday": "lo-fi", "homework": "lo-fi", "party": "house", "dance": "house",
    "dancing": "disco", "night": "synthwave", "neon": "synthwave", "drive": "synthwave",
    "city": "synthwave", "cyberpunk": "synthwave", "robot": "techno", "machine": "techno",
    "ghost": "horror", "zombie": "horror", "monster": "horror", "nightmare": "horror",
    "dread": "horror", "church": "choir", "angel": "choir", "angels": "choir",
    "heaven": "choir", "prayer": "gospel", "praise": "gospel", "hero": "trailer",
    "war": "trailer", "dragon": "trailer", "legend": "trailer", "knight": "celtic",
    "castle": "celtic", "pirate": "celtic", "pirates": "celtic", "pub": "celtic",
    "village": "polka", "accordion": "polka", "wedding": "waltz", "elegant": "waltz",
    "romance": "ballad", "heartbreak": "ballad", "tears": "ballad", "baby": "lullaby",
    "dream": "lullaby", "dreams": "lullaby", "sunset": "hawaiian", "palm": "hawaiian",
    "vacation": "hawaiian", "desert": "western", "horse": "western", "saloon": "western",
    "smoky": "jazz", "lounge": "bossa nova", "cocktail": "bossa nova", "speakeasy": "swing",
    "1920s": "swing", "1930s": "swing", "1940s": "swing", "roaring": "swing",
    "kids": "chiptune", "game": "chiptune", "pixel": "chiptune", "retro": "chiptune",
    "angry": "metal", "rage": "metal", "scream": "metal", "rebel": "punk", "riot": "punk",
    "skateboard": "punk", "garage": "indie", "college": "indie", "summer": "pop",
    "workout": "edm", "gym": "edm", "hype": "edm", "street": "boom bap", "gangster": "trap",
    "money": "trap", "bass": "dubstep", "heavy": "metal", "royal": "march", "soldier": "march",
    "soldiers": "march", "victory": "march", "parade": "march", "mountain": "celtic",
    "train": "country", "farm": "bluegrass", "truck": "country", "whiskey": "blues shuffle",
    "bar": "blues shuffle", "juke": "blues shuffle", "africa": "afrobeat", "lagos": "afrobeat",
    "jungle": "drum and bass", "havana": "salsa", "mexico": "cumbia", "spain": "flamenco",
    "paris": "waltz", "vienna": "waltz", "india": "indian", "temple": "indian",
    "buenos": "tango", "passion": "tango", "seoul": "k-pop", "tokyo": "k-pop",
    "mall": "vaporwave", "nostalgia": "vaporwave", "sleepy": "lullaby", "cosy": "lo-fi",
    "cozy": "lo-fi", "chill": "lo-fi",
}

# Instrument words: GM program of the part they ask for ("lead" unless it is a bed sound).
INSTRUMENT_WORDS: dict[str, int] = {
    "piano": PIANO,
    "keys": RHODES,
    "rhodes": RHODES,
    "wurlitzer": RHODES,
    "clavinet": CLAV,
    "celesta": CELESTA,
    "glockenspiel": GLOCKENSPIEL,
    "bell": TUBULAR_BELLS,
    "bells": TUBULAR_BELLS,
    "chimes": TUBULAR_BELLS,
    "music box": MUSIC_BOX,
    "vibraphone": VIBES,
    "vibes": VIBES,
    "marimba": MARIMBA,
    "organ": ORGAN,
    "church organ": CHURCH_ORGAN,
    "accordion": ACCORDION,
    "harmonica": HARMONICA,
    "guitar": STEEL_GUITAR,
    "guitars": STEEL_GUITAR,
    "nylon": NYLON_GUITAR,
    "electric guitar": OVERDRIVE_GUITAR,
    "violin": VIOLIN,
    "violins": VIOLIN,
    "fiddle": FIDDLE,
    "viola": VIOLA,
    "cello": CELLO,
    "harp": HARP,
    "strings": STRINGS,
    "voice": VOICE_OOHS,
    "vocals": VOICE_OOHS,
    "trumpet": TRUMPET,
    "trombone": TROMBONE,
    "tuba": TUBA,
    "horn": FRENCH_HORN,
    "horns": BRASS,
    "brass": BRASS,
    "sax": ALTO_SAX,
    "saxophone": ALTO_SAX,
    "tenor sax": TENOR_SAX,
    "soprano sax": SOPRANO_SAX,
    "oboe": OBOE,
    "bassoon": BASSOON,
    "clarinet": CLARINET,
    "flute": FLUTE,
    "woodwind": FLUTE,
    "recorder": RECORDER,
    "pan flute": PAN_FLUTE,
    "whistle": WHISTLE,
    "ocarina": OCARINA,
    "synth": SAW_LEAD,
    "synths": SAW_LEAD,
    "synthesizer": SAW_LEAD,
    "sitar": SITAR,
    "banjo": BANJO,
    "koto": KOTO,
    "kalimba": KALIMBA,
    "pad": WARM_PAD,
    "pads": WARM_PAD,
    "harpsichord": HARPSICHORD,
    "xylophone": XYLOPHONE,
    "bandoneon": TANGO_ACCORDION,
    "bagpipe": BAGPIPE,
    "bagpipes": BAGPIPE,
    "steel drums": STEEL_DRUMS,
    "piccolo": PICCOLO,
    "timpani": TIMPANI,
    "ukulele": NYLON_GUITAR,
    "uke": NYLON_GUITAR,
    "baritone sax": BARITONE_SAX,
}
# Instruments that make a bed rather than a tune: asked for, they take the chord part.
BED_PROGRAMS = frozenset({WARM_PAD, STRINGS, CHURCH_ORGAN, ORGAN, STEEL_GUITAR, NYLON_GUITAR})


def _words(text: str) -> frozenset[str]:
    """A set of keywords from a space-separated string."""
    return frozenset(text.split())


MINOR_WORDS = _words(
    "dark sad night melancholy melancholic lonely moody gloomy somber sombre cold storm "
    "stormy haunting haunted mysterious mystery tears rain rainy grief sorrow broken "
    "shadow shadows noir lost ghost winter eerie tense midnight blue blues"
)
MAJOR_WORDS = _words(
    "happy bright sunny joy joyful summer cheerful love hope hopeful morning sunshine "
    "playful uplifting warm golden spring celebration fun smile light sunrise"
)
FAST_WORDS = _words(
    "fast energetic upbeat dance party run running hype intense driving rush quick racing "
    "chase workout frantic action speed"
)
SLOW_WORDS = _words(
    "slow calm chill relax relaxing sleep sleepy lazy peaceful gentle dreamy soft "
    "meditation meditative quiet serene tranquil mellow lullaby"
)
# Dynamics: how hard the band plays (velocity scale) for mood words.
LOUD_WORDS = _words("epic intense angry aggressive powerful loud hype heavy triumphant")
SOFT_WORDS = _words("soft gentle quiet lullaby tender intimate whisper calm sleep")
DARK_TIMBRE_WORDS = _words("dark night midnight underwater deep warm muffled foggy")
BRIGHT_TIMBRE_WORDS = _words("bright sunny crystal sparkling shiny airy")
LOW_WORDS = _words("deep low underwater cave caves abyss heavy sub")
HIGH_WORDS = _words("high sparkling airy crystal glass sky flying birds")
DRUMLESS_WORDS = frozenset({"drumless", "beatless", "acapella", "unplugged"})
DRUM_WORDS = frozenset({"drum", "drums", "beat", "beats", "percussion", "groove", "rhythm"})
GENRE_ALIASES = {"hiphop": "hip-hop", "hip hop": "hip-hop", "lofi": "lo-fi", "lo fi": "lo-fi"}

# Human names of the programs and kits the vocabulary uses, for plan descriptions.
PROGRAM_NAMES: dict[int, str] = {
    PIANO: "piano",
    BRIGHT_PIANO: "bright piano",
    RHODES: "electric piano",
    CLAV: "clavinet",
    CELESTA: "celesta",
    GLOCKENSPIEL: "glockenspiel",
    MUSIC_BOX: "music box",
    VIBES: "vibraphone",
    MARIMBA: "marimba",
    TUBULAR_BELLS: "bells",
    ORGAN: "organ",
    ROCK_ORGAN: "rock organ",
    CHURCH_ORGAN: "church organ",
    ACCORDION: "accordion",
    HARMONICA: "harmonica",
    NYLON_GUITAR: "nylon guitar",
    STEEL_GUITAR: "acoustic guitar",
    JAZZ_GUITAR: "jazz guitar",
    CLEAN_GUITAR: "clean guitar",
    MUTED_GUITAR: "muted guitar",
    OVERDRIVE_GUITAR: "overdriven guitar",
    DISTORTION_GUITAR: "distorted guitar",
    ACOUSTIC_BASS: "upright bass",
    FINGER_BASS: "bass",
    PICK_BASS: "picked bass",
    SLAP_BASS: "slap bass",
    SYNTH_BASS: "synth bass",
    SYNTH_BASS_2: "deep synth bass",
    VIOLIN: "violin",
    VIOLA: "viola",
    CELLO: "cello",
    CONTRABASS: "double bass",
    PIZZICATO: "pizzicato strings",
    HARP: "harp",
    STRINGS: "strings",
    SLOW_STRINGS: "slow strings",
    SYNTH_STRINGS: "synth strings",
    CHOIR: "choir",
    VOICE_OOHS: "voices",
    SYNTH_VOICE: "synth voice",
    TRUMPET: "trumpet",
    TROMBONE: "trombone",
    TUBA: "tuba",
    FRENCH_HORN: "french horn",
    BRASS: "brass",
    SYNTH_BRASS: "synth brass",
    SOPRANO_SAX: "soprano sax",
    ALTO_SAX: "alto sax",
    TENOR_SAX: "tenor sax",
    OBOE: "oboe",
    BASSOON: "bassoon",
    CLARINET: "clarinet",
    FLUTE: "flute",
    RECORDER: "recorder",
    PAN_FLUTE: "pan flute",
    WHISTLE: "whistle",
    OCARINA: "ocarina",
    SQUARE_LEAD: "square lead",
    SAW_LEAD: "saw lead",
    CHARANG: "charang lead",
    NEW_AGE_PAD: "new age pad",
    WARM_PAD: "warm pad",
    POLY_PAD: "poly pad",
    CHOIR_PAD: "choir pad",
    BOWED_PAD: "bowed pad",
    HALO_PAD: "halo pad",
    SWEEP_PAD: "sweep pad",
    CRYSTAL: "crystal",
    SITAR: "sitar",
    BANJO: "banjo",
    KOTO: "koto",
    KALIMBA: "kalimba",
    FIDDLE: "fiddle",
    HONKY_TONK: "honky-tonk piano",
    HARPSICHORD: "harpsichord",
    XYLOPHONE: "xylophone",
    DULCIMER: "dulcimer",
    TANGO_ACCORDION: "bandoneon",
    FRETLESS_BASS: "fretless bass",
    TREMOLO_STRINGS: "tremolo strings",
    TIMPANI: "timpani",
    ORCHESTRA_HIT: "orchestra hit",
    MUTED_TRUMPET: "muted trumpet",
    BARITONE_SAX: "baritone sax",
    PICCOLO: "piccolo",
    CALLIOPE: "calliope lead",
    FIFTHS_LEAD: "fifths lead",
    BASS_LEAD: "bass lead",
    SOUNDTRACK: "soundtrack pad",
    GOBLINS: "goblins",
    ECHOES: "echoes",
    BAGPIPE: "bagpipe",
    STEEL_DRUMS: "steel drums",
    TAIKO: "taiko",
}
KIT_NAMES: dict[int, str] = {
    STANDARD_KIT: "drums",
    ROOM_KIT: "room drums",
    POWER_KIT: "power drums",
    ELECTRONIC_KIT: "electronic drums",
    TR808_KIT: "808 drums",
    JAZZ_KIT: "jazz drums",
    BRUSH_KIT: "brushes",
    ORCHESTRA_KIT: "orchestral percussion",
}

# Meters: (sixteenth steps per bar, sixteenths per counted beat).
METERS: dict[str, tuple[int, int]] = {
    "4/4": (16, 4), "3/4": (12, 4), "6/8": (12, 6), "12/8": (24, 6),
}
METER_WORDS: dict[str, str] = {
    "three four": "3/4", "3 4": "3/4", "in three": "3/4", "waltz time": "3/4",
    "triple meter": "3/4", "triple time": "3/4", "six eight": "6/8", "6 8": "6/8",
    "compound time": "6/8", "twelve eight": "12/8", "12 8": "12/8", "four four": "4/4",
    "4 4": "4/4",
}
SWING_WORDS = ("swing", "swung", "swinging", "shuffle", "shuffled", "swingy")
# Grooves written for a meter other than 4/4, and the groove each meter falls back to.
GROOVE_METERS = {
    "waltz": "3/4", "flamenco": "3/4", "sixeight": "6/8", "jig": "6/8", "shuffle": "12/8",
}
METER_GROOVES = {"4/4": "backbeat", "3/4": "waltz", "6/8": "sixeight", "12/8": "shuffle"}


def _known_words() -> frozenset[str]:
    """Every word any table of this vocabulary reacts to."""
    phrases = [
        *STYLE_WORDS, *NEAR_WORDS, *INSTRUMENT_WORDS, *METER_WORDS, *SWING_WORDS,
        "808 808s no drums straight major minor bpm c d e f g a b sharp flat",
    ]
    sets = (
        MINOR_WORDS, MAJOR_WORDS, FAST_WORDS, SLOW_WORDS, LOUD_WORDS, SOFT_WORDS,
        DARK_TIMBRE_WORDS, BRIGHT_TIMBRE_WORDS, LOW_WORDS, HIGH_WORDS, DRUMLESS_WORDS, DRUM_WORDS,
    )
    return frozenset(w for p in phrases for w in p.split()) | frozenset().union(*sets)


KNOWN_WORDS = _known_words()
