"""Write Pico without the rules for what Soundstage never uses (a smaller first load).

    python tools/trim_pico.py   # vendor/pico-...min.css -> pico-...trimmed.min.css

A selector goes when it names an unused feature (UNUSED), a rule when none of its selectors
is left; the licence comment and every selector that can match our pages stay, so what we use
looks exactly as before.
"""

import re
from pathlib import Path

VENDOR = Path(__file__).resolve().parent.parent / "webapp" / "static" / "vendor"
SOURCE = VENDOR / "pico-2.1.1.violet.min.css"
TARGET = VENDOR / "pico-2.1.1.violet.trimmed.min.css"

# The theme follows the system (prefers-color-scheme): no page sets data-theme; no shadow DOM.
UNUSED = [r"^\[data-theme=dark\]", r"^\[data-theme=light\]", r"^:host", r"role=switch",
          r"type=color", r"type=date", r"type=time", r"datetime", r"type=month", r"type=week",
          r"role=group", r"\bmark\b", r"\bpre\b",
          r"\bcode\b", r"\bhr\b", r"\babbr\b", r"\bsub\b", r"\bsup\b", r"\bins\b", r"\bdel\b",
          r"\bsamp\b", r"tooltip", r"breadcrumb", r"modal-is", r"^aside", r"dir=rtl", r"dropdown"]


def blocks(css: str) -> list[str]:
    """The top-level rules and at-rules of a stylesheet, each with its braces."""
    out, depth, start = [], 0, 0
    for index, char in enumerate(css):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                out.append(css[start:index + 1])
                start = index + 1
    return out


def split_selectors(head: str) -> list[str]:
    """A selector list split at its top-level commas (not those inside :is(), :not()...)."""
    out, depth, start = [], 0, 0
    for index, char in enumerate(head):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            out.append(head[start:index])
            start = index + 1
    out.append(head[start:])
    return [each.strip() for each in out]


def unused(selector: str) -> bool:
    """Whether a selector needs an unused feature (what it excludes with :not() does not count)."""
    needed = re.sub(r":not\((?:[^()]|\([^()]*\))*\)", "", selector)
    return any(re.search(pattern, needed) for pattern in UNUSED)


def trimmed(css: str) -> str:
    """The rules of `css` that style something we use; at-rules trimmed inside."""
    kept = []
    for block in blocks(css):
        head, body = block.split("{", 1)
        if head.startswith("@keyframes") and any(re.search(p, head) for p in UNUSED):
            continue
        if head.startswith(("@media", "@supports")):
            inner = trimmed(body[:-1])
            if inner:
                kept.append(head + "{" + inner + "}")
            continue
        if head.startswith("@"):
            kept.append(block)
            continue
        selectors = [each for each in split_selectors(head) if not unused(each)]
        if selectors:
            kept.append(",".join(selectors) + "{" + body)
    return "".join(kept)


def main() -> None:
    """Trim the vendored file, keeping its licence comment first."""
    text = SOURCE.read_text()
    licence = re.match(r"@charset \"UTF-8\";/\*.*?\*/", text, re.S).group(0)
    TARGET.write_text(licence + trimmed(text[len(licence):]) + "\n")


if __name__ == "__main__":
    main()
