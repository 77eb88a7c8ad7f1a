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
    ),
    "techno": Style(
        "electronic", (126, 134), ("minor", "phrygian"),
        _BANDS["techno"], (ELECTRONIC_KIT, TR808_KIT), "four", "sustain", "offbeat", "arp",
        density=0.5, note_steps=(1, 1, 2, 2, 4),
        reverb=0.25, room=2.0, echo=0.35, humanize=0.001, pump=True,
        mix=(("drums", 2.0), ("lead", -3.0), ("counter", 1.0)), bass_centre=38,
    ),
    "drum and bass": Style(
        "electronic", (170, 176), ("minor", "dorian"),
        _BANDS["drum and bass"], (STANDARD_KIT, POWER_KIT), "dnb", "sustain", "reese", "arp",
        sevenths=True, density=0.5, note_steps=(2, 4, 4, 6, 8),
        reverb=0.3, room=2.0, echo=0.3, humanize=0.002,
        mix=(("drums", 1.5), ("bass", 2.5), ("chords", -2.0), ("lead", -1.0)), bass_centre=34,
    ),
    "synthwave": Style(
        "electronic", (84, 110), ("minor", "dorian"),
        _BANDS["synthwave"], (ELECTRONIC_KIT,), "backbeat", "sustain", "eighths", "arp",
        density=0.6,
        reverb=0.35, room=2.2, echo=0.35, humanize=0.002,
        mix=(("chords", 1.0), ("counter", 1.0)),
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
        mix=(("drums", -1.0), ("chords", 1.0), ("lead", -1.0)),
    ),
    "reggae": Style(
        "pop", (70, 84), ("major", "minor", "dorian"),
        _BANDS["reggae"], (STANDARD_KIT,), "onedrop", "skank", "onedrop", "line",
        swing=0.2, density=0.5, note_steps=(2, 4, 4, 6),
        reverb=0.3, room=1.6, echo=0.35,
        mix=(("bass", 3.0), ("chords", -1.0), ("drums", -1.0)), bass_centre=36,
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
        mix=(("chords", 2.5), ("drums", 1.0), ("lead", -1.0)),
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
# Style words and phrases in the prompt; the first match wins over the genre menu.
STYLE_WORDS: dict[str, str] = {
    "drum and bass": "drum and bass",
    "drum n bass": "drum and bass",
    "drum & bass": "drum and bass",
    "dnb": "drum and bass",
    "jungle": "drum and bass",
    "liquid": "drum and bass",
    "string quartet": "string quartet",
    "quartet": "string quartet",
    "chamber": "string quartet",
    "choir": "choir",
    "choral": "choir",
    "chant": "choir",
    "hymn": "choir",
    "gospel": "choir",
    "orchestral": "orchestral",
    "orchestra": "orchestral",
    "symphonic": "orchestral",
    "cinematic": "orchestral",
    "trap": "trap",
    "drill": "trap",
    "bebop": "bebop",
    "bop": "bebop",
    "swing": "jazz",
    "reggae": "reggae",
    "dub": "reggae",
    "ska": "reggae",
    "folk": "folk",
    "country": "folk",
    "bluegrass": "folk",
    "acoustic": "folk",
    "campfire": "folk",
    "house": "house",
    "disco": "house",
    "techno": "techno",
    "trance": "techno",
    "rave": "techno",
    "synthwave": "synthwave",
    "retrowave": "synthwave",
    "outrun": "synthwave",
    "80s": "synthwave",
    "funk": "funk",
    "funky": "funk",
    "boom bap": "boom bap",
    "boombap": "boom bap",
    "lofi": "lo-fi",
    "lo fi": "lo-fi",
    "chillhop": "lo-fi",
    "ambient": "ambient",
    "drone": "ambient",
    "rock": "rock",
    "punk": "rock",
    "grunge": "rock",
    "metal": "rock",
    "classical": "classical",
    "baroque": "classical",
    "sonata": "classical",
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
