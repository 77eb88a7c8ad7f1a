"""Social's template helpers: notification kinds and today's date."""

from flask import Flask

from ..models import utcnow
from . import notifications


def register(app: Flask) -> None:
    """Offer social's helpers to every template."""
    app.add_template_global(notifications.KINDS, "notification_kinds")
    app.add_template_global(today_utc)


def today_utc() -> str:
    """Today's date in UTC, as the plays digest stores days."""
    return utcnow().date().isoformat()
