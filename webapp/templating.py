"""Template helpers shared by every page and partial; each feature adds its own from its
`templating.register(app)` (HELPERS). No helper queries the database: views pass what a page
shows."""

from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path

from flask import Flask, request
from jinja2 import BaseLoader, ChoiceLoader, FileSystemLoader, PrefixLoader

from . import htmx
from .config import settings

FEATURES = (
    "accounts", "studio", "library", "profiles", "publishing", "listening", "social", "moderation",
)
# Features with template helpers of their own, in <feature>/templating.py.
HELPERS = ("accounts", "studio", "library", "profiles", "publishing", "social")


def init_app(app: Flask) -> None:
    """Register filters; load each feature's pages as "<feature>/<name>.html" and its
    partials as "<feature>/partials/<name>.html" (shared ones live in templates/)."""
    app.jinja_loader = ChoiceLoader([app.jinja_loader, PrefixLoader(feature_loaders(app))])
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["posted"] = posted
    app.jinja_env.filters["duration"] = duration
    app.jinja_env.filters["filesize"] = filesize
    app.jinja_env.filters["plays"] = plays
    app.add_template_global(absolute_url)
    for name in HELPERS:
        import_module(f"{__package__}.{name}.templating").register(app)
    # A boosted navigation swaps only <main>: base.html then renders the title and <main>.
    app.context_processor(lambda: {"main_only": htmx.is_boosted()})
    app.after_request(htmx.after_boosted)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def feature_loaders(app: Flask) -> dict[str, BaseLoader]:
    """One loader per feature: its pages by name, its partials under "partials/"."""
    root = Path(app.root_path)
    return {
        name: ChoiceLoader([
            FileSystemLoader(root / name / "templates"),
            PrefixLoader({"partials": FileSystemLoader(root / name / "partials")}),
        ])
        for name in FEATURES
    }


def when(moment: datetime | None) -> str:
    """A short, absolute UTC timestamp for people."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%d %b %Y, %H:%M UTC")


def posted(moment: datetime | None) -> str:
    """When something was posted, short: "8 Dec, 14:05 UTC" this year, "8 Dec 2025" before.

    Absolute on purpose: a cached "5 minutes ago" would go stale in a 304-kept region.
    """
    if moment is None:
        return ""
    moment = moment.astimezone(UTC)
    if moment.year != datetime.now(UTC).year:
        return f"{moment.day} {moment:%b %Y}"
    return f"{moment.day} {moment:%b, %H:%M} UTC"


def duration(seconds: float | None) -> str:
    """Seconds as m:ss."""
    if not seconds:
        return "0:00"
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def filesize(size: int | None) -> str:
    """Bytes for people, in decimal units: "1 byte", "12 KB", "2.4 MB", "120 MB", "1.5 GB"."""
    size = size or 0
    if size < 1000:
        return "1 byte" if size == 1 else f"{size} bytes"
    for unit, scale in (("KB", 1e3), ("MB", 1e6), ("GB", 1e9)):
        value = size / scale
        if value < 1000 or unit == "GB":
            # One decimal while it says something (2.4 MB); whole units from 100 up (120 MB).
            text = f"{value:.1f}" if value < 100 else f"{value:,.0f}"
            return f"{text.removesuffix('.0')} {unit}"
    raise AssertionError("unreachable")


def public_origin() -> str:
    """The site's public origin: PUBLIC_URL, else the origin asked for (its host is one of the
    trusted hosts: Flask refused the request otherwise)."""
    return settings().public_url or request.host_url


def absolute_url(path: str) -> str:
    """`path` on the site's public origin."""
    return public_origin().rstrip("/") + path


def plays(count: int | None) -> str:
    """A play count in words: "1 play", "12 plays"."""
    count = count or 0
    return f"{count:,} play" if count == 1 else f"{count:,} plays"
