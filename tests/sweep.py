"""Helpers for the route sweeps: canary objects, URLs that point at them, a DB checksum."""

import hashlib
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import inspect, select, text

from webapp import db

# Tables whose rows a GET may legitimately touch: the coarse last-seen stamp of sessions.
VOLATILE_COLUMNS = {("user_sessions", "last_seen")}
STREAMING_ENDPOINTS = {"events.events_stream"}


@dataclass
class Canary:
    """One user's objects of every kind, to aim other users' requests at."""

    user_id: int
    username: str
    ids: dict[str, int] = field(default_factory=dict)
    strings: dict[str, str] = field(default_factory=dict)


def url_for_rule(rule, canary: Canary) -> str | None:
    """The rule's URL with its arguments set to the canary's objects (None if unknown)."""
    url = rule.rule
    for argument in rule.arguments:
        value = _value_for(argument, canary)
        if value is None:
            return None
        start = url.index("<")
        url = url[:start] + str(value) + url[url.index(">", start) + 1 :]
    return url


def _value_for(argument: str, canary: Canary):
    """The canary value matching an argument name like media_id or username."""
    if argument in canary.strings:
        return canary.strings[argument]
    for prefix, value in canary.ids.items():
        if argument.startswith(prefix):
            return value
    return None


def checksum(app: Flask) -> str:
    """A digest of every row of every table (but volatile columns), to prove nothing changed."""
    digest = hashlib.sha256()
    with app.app_context():
        session = db.session()
        inspector = inspect(session.get_bind())
        for table in sorted(inspector.get_table_names()):
            if table.startswith(("huey", "kv", "schedule", "task")):
                continue  # the job queue's own tables
            columns = [
                c["name"] for c in inspector.get_columns(table)
                if (table, c["name"]) not in VOLATILE_COLUMNS
            ]
            quoted = ", ".join(f'"{c}"' for c in columns)
            rows = session.execute(text(f'SELECT {quoted} FROM "{table}" ORDER BY 1')).all()
            digest.update(f"{table}:{rows!r}".encode())
        session.rollback()
    return digest.hexdigest()


def user_id_of(app: Flask, username: str) -> int:
    """The id of a user by name."""
    from webapp.models import User

    with app.app_context():
        return db.session().scalar(select(User.id).where(User.username == username))
