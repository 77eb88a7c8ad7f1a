"""The studio's template helpers: job titles, kind labels and job-card versions."""

from flask import Flask

from . import generations


def register(app: Flask) -> None:
    """Offer the studio's helpers to every template."""
    app.add_template_filter(generation_title)
    app.add_template_filter(kind_label)
    app.add_template_global(card_version)


def generation_title(prompt: str) -> str:
    """The title a job's item will get, for cards of unfinished jobs."""
    return generations.title_from_prompt(prompt or "")


def kind_label(kind: str) -> str:
    """People's word for a job kind."""
    return generations.KIND_LABELS.get(kind, kind)


def card_version(generation, media=None) -> str:
    """The version tag a job card carries (hx-ptag), so an unchanged card is not re-sent."""
    return generations.card_version(generation, media)
