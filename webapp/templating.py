"""Template helpers: filters and globals shared by every page and partial."""

from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, request
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader

from . import htmx
from .config import settings

FEATURES = ("accounts", "studio", "library", "profiles", "publishing", "listening", "social")


def init_app(app: Flask) -> None:
    """Register filters; load each feature's pages as "<feature>/<name>.html" and every
    partial (the shared ones and each feature's) as "partials/<name>.html"."""
    root = Path(app.root_path)
    pages = {name: FileSystemLoader(root / name / "templates") for name in FEATURES}
    partials = [FileSystemLoader(root / "partials")]
    partials += [FileSystemLoader(root / name / "partials") for name in FEATURES]
    app.jinja_loader = ChoiceLoader([
        app.jinja_loader,
        PrefixLoader({**pages, "partials": ChoiceLoader(partials)}),
    ])
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["duration"] = duration
    app.jinja_env.filters["filesize"] = filesize
    app.jinja_env.filters["plays"] = plays
    app.add_template_global(absolute_url)
    # A boosted navigation swaps only <main>: base.html then renders the title and <main>.
    app.context_processor(lambda: {"main_only": htmx.is_boosted()})
    app.after_request(htmx.after_boosted)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def when(moment: datetime | None) -> str:
    """A short, absolute UTC timestamp for people."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%d %b %Y, %H:%M UTC")


def duration(seconds: float | None) -> str:
    """Seconds as m:ss."""
    if not seconds:
        return "0:00"
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def filesize(size: int | None) -> str:
    """Bytes in KB or MB."""
    size = size or 0
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


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
