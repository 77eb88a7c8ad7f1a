"""The accounts' template helpers: signed-in browsers named as people say them."""

from flask import Flask

from . import logins


def register(app: Flask) -> None:
    """Offer the accounts' helpers to every template."""
    app.add_template_global(browser_name)


def browser_name(user_agent: str | None) -> str:
    """A signed-in browser as people say it ("Firefox on Linux")."""
    return logins.browser_name(user_agent)
