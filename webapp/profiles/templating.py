"""Profiles' template helpers: profile version tags and link labels."""

from flask import Flask

from ..models import User
from . import about


def register(app: Flask) -> None:
    """Offer the profiles' helpers to every template."""
    app.add_template_global(profile_tag)
    app.add_template_filter(link_label)


def profile_tag(user: User) -> str:
    """The version of everything a profile header or the nav shows of a user."""
    return f"p{user.profile_version}"


def link_label(link: str) -> str:
    """A link as people read it: without the scheme and a trailing slash."""
    return about.link_label(link)
