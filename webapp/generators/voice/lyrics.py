"""Lyrics as a singer reads them: verse and chorus lines, words, syllables and stresses."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Headings people write above stanzas; they are read, never sung.
_HEADING = re.compile(
    r"^\s*[\[(]?\s*(verse|chorus|refrain|hook|pre-chorus|prechorus|bridge|intro|outro)"
    r"\b[^\])]*[\])]?\s*:?\s*$",
    re.IGNORECASE,
)
_CHORUS_HEADINGS = ("chorus", "refrain", "hook")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# eSpeak NG's ASCII phoneme letters that make a syllable's nucleus (vowels, syllabic 3 and 0).
_NUCLEUS = set("aAeEiIoOuUV@03")
_NUCLEUS_TAIL = set(":2L")
# Short words sung on weak beats whatever the engine says about them alone.
_FUNCTION_WORDS = frozenset(
    re.findall(
        r"\w+",
        "a an the and or but of to in on at by for with from as is am are was were be been i "
        "you he she it we they me him her us them my your his its our their this that so if "
        "then than do does did has have had not no can will would could should oh ah la na",
    )
)
# A line longer than this is sung over two phrases.
MAX_LINE_SYLLABLES = 14


@dataclass(frozen=True)
class Line:
    """One line to sing, with its words, and whether it belongs to the chorus."""

    words: tuple[str, ...]
    chorus: bool


@dataclass(frozen=True)
class Syllable:
    """One sung syllable: which word it is in, its index there, and whether it is stressed."""

    word: int
    index: int
    count: int
    stressed: bool


def parse(lyrics: str) -> list[Line]:
    """Lines with words, chorus stanzas marked by a heading or by being repeated."""
    stanzas: list[tuple[str, list[tuple[str, ...]]]] = []
    heading, lines = "", []
    for raw in (lyrics or "").splitlines() + [""]:
        match = _HEADING.match(raw)
        words = tuple(_WORD.findall(raw))
        if match or not raw.strip():
            if lines:
                stanzas.append((heading, lines))
                heading, lines = "", []
            if match:
                heading = match.group(1).lower()
            continue
        if words:
            lines.append(words)
    texts = [tuple(lines) for _, lines in stanzas]
    out: list[Line] = []
    for (heading, lines), text in zip(stanzas, texts, strict=True):
        chorus = heading in _CHORUS_HEADINGS or (not heading and texts.count(text) > 1)
        out.extend(Line(words, chorus) for words in _split_long(lines))
    return out


def _split_long(lines: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Lines of more than about MAX_LINE_SYLLABLES syllables cut in half at a word boundary."""
    out: list[tuple[str, ...]] = []
    for words in lines:
        pending = [words]
        while pending:
            line = pending.pop(0)
            if len(line) > 1 and sum(map(_rough_syllables, line)) > MAX_LINE_SYLLABLES:
                half = len(line) // 2
                pending[:0] = [line[:half], line[half:]]
            else:
                out.append(line)
    return out


def _rough_syllables(word: str) -> int:
    """Vowel groups in the spelling: enough to decide where to cut a long line."""
    return max(1, len(re.findall(r"[aeiouy]+", word.lower())))


def syllables(words: tuple[str, ...], spellings: list[str]) -> list[Syllable]:
    """Each word's syllables from its phoneme spelling, with stress from the marks."""
    out: list[Syllable] = []
    for w, (word, spelling) in enumerate(zip(words, spellings, strict=True)):
        stresses = _stresses(spelling) or [True]
        if word.lower() in _FUNCTION_WORDS and len(stresses) == 1:
            stresses = [False]
        out.extend(Syllable(w, i, len(stresses), s) for i, s in enumerate(stresses))
    return out


def _stresses(spelling: str) -> list[bool]:
    """One flag per vowel nucleus: True when a primary stress mark (') precedes it."""
    flags: list[bool] = []
    marked = False
    in_nucleus = False
    for ch in spelling:
        if ch == "'":
            marked = True
        if ch in _NUCLEUS:
            if not in_nucleus:
                flags.append(marked)
                marked = False
            in_nucleus = True
        elif not (in_nucleus and ch in _NUCLEUS_TAIL):
            in_nucleus = False
    return flags
