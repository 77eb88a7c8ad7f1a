"""Voice benchmark: intelligibility of the sung lyrics, and the voice's CPU cost per track.

PocketSphinx (its PyPI wheel ships the en-us model) transcribes the isolated vocal stem of
tracks with lyrics, and the same lines spoken plainly by the same engine and voice; we count
lyric words recognised in order (difflib matching blocks) in each. Run:
    PYTHONPATH=$PWD .venv/bin/python bench/voice.py [--quick]
"""

from __future__ import annotations

import argparse
import difflib
import io
import os
import re
import subprocess
import sys

import numpy as np
import soundfile
from pocketsphinx import Decoder
from scipy.signal import resample_poly

from webapp.generators import music, voice
from webapp.generators.music.arrangement import SAMPLE_RATE, compose
from webapp.generators.voice import engine

LYRICS = (
    "Walking down the city street tonight\nEverybody's singing in the rain\n"
    "Lights are shining on the water\nI will wait for you again\n\n"
    "Hold on hold on to the morning\nHold on to the summer sun\n"
)
TRACKS = (
    ("warm lo-fi evening with piano", "lo-fi", 30, 7),
    ("bright pop song about summer", "pop", 30, 11),
    ("slow acoustic ballad", "ambient", 30, 3),
    ("upbeat rock anthem", "rock", 30, 5),
)
_WORD = re.compile(r"[a-z']+")


def recognise(samples: np.ndarray, rate: int) -> list[str]:
    """Words PocketSphinx hears in mono float samples."""
    audio = resample_poly(samples.astype(np.float64), 16000, rate)
    audio = audio / (np.abs(audio).max() + 1e-9) * 0.7
    decoder = Decoder(samprate=16000, loglevel="FATAL")
    decoder.start_utt()
    decoder.process_raw((audio * 32767).astype(np.int16).tobytes(), full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    return _WORD.findall(hyp.hypstr.lower()) if hyp else []


def matched(reference: list[str], heard: list[str]) -> int:
    """Lyric words heard, in order (the matching blocks of the two word sequences)."""
    blocks = difflib.SequenceMatcher(a=reference, b=heard, autojunk=False).get_matching_blocks()
    return sum(block.size for block in blocks)


def spoken(chosen: voice.Voice, text: str) -> tuple[np.ndarray, int]:
    """The text spoken plainly by the engine's voice at its normal rate."""
    out = subprocess.run(
        [voice.engine_path(), "-v", chosen.engine_voice, "--stdout", text],
        capture_output=True, check=True,
    ).stdout
    samples, rate = soundfile.read(io.BytesIO(out), dtype="float64")
    return samples, rate


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the speech engine runs)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def words_of(text: str) -> list[str]:
    """Lower-case words of a text."""
    return _WORD.findall(text.lower().replace("’", "'"))


def main() -> None:
    """Measure each track with each voice and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="two tracks, one voice")
    args = parser.parse_args()
    if voice.engine_path() is None:
        sys.exit("espeak-ng is not installed: nothing to measure")
    tracks = TRACKS[:2] if args.quick else TRACKS
    voices = voice.available_voices()[:1] if args.quick else voice.available_voices()
    print("| track | voice | lyric words sung | heard sung | heard spoken | ratio "
          "| voice CPU s | instrumental CPU s |")
    print("|---|---|---|---|---|---|---|---|")
    totals: dict[str, np.ndarray] = {v.id: np.zeros(3) for v in voices}
    for prompt, genre, duration, seed in tracks:
        plan = music.plan_track(prompt, genre, duration, seed)
        score = compose(plan, np.random.default_rng(plan.seed), int(duration * SAMPLE_RATE))
        for chosen in voices:
            engine._speak.cache_clear()
            engine._phonemes.cache_clear()
            started = cpu_seconds()
            stem = voice.sing_score(score, SAMPLE_RATE, LYRICS, chosen.id, plan.seed)
            voice_cpu = cpu_seconds() - started
            started = cpu_seconds()
            music.synthesize(plan)
            track_cpu = cpu_seconds() - started
            lines = voice.place(
                [(n.start / SAMPLE_RATE, n.length / SAMPLE_RATE, n.key)
                 for n in score.notes["lead"]],
                LYRICS, chosen,
                sections=[(s.name, s.start * score.bar_samples / SAMPLE_RATE,
                           (s.start + s.bars) * score.bar_samples / SAMPLE_RATE)
                          for s in score.sections],
                bar_seconds=score.bar_samples / SAMPLE_RATE,
            )
            text = ". ".join(" ".join(line.words) for line in lines)
            reference = words_of(text)
            sung_heard = matched(reference, recognise(stem, SAMPLE_RATE)) if stem is not None else 0
            spoken_heard = matched(reference, recognise(*spoken(chosen, text)))
            totals[chosen.id] += (len(reference), sung_heard, spoken_heard)
            ratio = sung_heard / spoken_heard if spoken_heard else float("nan")
            print(f"| {prompt} | {chosen.id} | {len(reference)} | {sung_heard} | {spoken_heard} "
                  f"| {ratio:.2f} | {voice_cpu:.2f} | {track_cpu:.2f} |", flush=True)
    print()
    for voice_id, (words, sung, said) in [*totals.items(), ("all", sum(totals.values()))]:
        print(f"{voice_id}: {int(words)} lyric words sung; heard {int(sung)} sung, "
              f"{int(said)} spoken; ratio {sung / max(said, 1):.2f}")


if __name__ == "__main__":
    main()
