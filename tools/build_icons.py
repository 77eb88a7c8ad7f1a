"""Write static/vendor/icons.svg: the Lucide icons the templates use, as one SVG sprite.

    npm pack lucide-static@1.87.0 && tar xzf lucide-static-1.87.0.tgz
    python tools/build_icons.py package/icons

Each icon becomes <symbol id="NAME">; templates draw it with the `icon(name)` macro.
"""

import re
import sys
from pathlib import Path

ICONS = [
    "play", "pause", "skip-back", "skip-forward", "shuffle", "repeat", "repeat-1",
    "volume-2", "volume-x", "list-music", "menu", "chevron-down", "share-2", "link",
    "code", "list-plus", "list-start", "trash-2", "arrow-up", "arrow-down", "x", "bell",
    "audio-lines", "search", "library", "sliders-horizontal", "compass", "log-out",
    "settings", "shield", "copy", "user", "heart", "keyboard",
]
TARGET = Path(__file__).resolve().parent.parent / "webapp/static/vendor/icons.svg"


def symbol(name: str, folder: Path) -> str:
    """One icon's drawing as a <symbol>, its attributes left to the sprite's CSS."""
    text = (folder / f"{name}.svg").read_text()
    body = re.search(r"<svg[^>]*>(.*)</svg>", text, re.S).group(1)
    body = re.sub(r"\s*\n\s*", "", body).replace(" />", "/>")
    return f'<symbol id="{name}" viewBox="0 0 24 24">{body}</symbol>'


def main(folder: str) -> None:
    """Write the sprite with the licence line."""
    symbols = "".join(symbol(name, Path(folder)) for name in ICONS)
    TARGET.write_text(
        "<!-- Lucide icons (lucide-static 1.87.0), ISC licence: vendor/lucide-LICENSE -->"
        "\n"
        '<svg xmlns="http://www.w3.org/2000/svg" fill="none" stroke="currentColor" '
        f'stroke-width="2" stroke-linecap="round" stroke-linejoin="round">{symbols}</svg>\n'
    )


if __name__ == "__main__":
    main(sys.argv[1])
