"""Helpers for the route sweeps: canary objects, URLs that point at them, a DB checksum."""

import hashlib
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import inspect, text

from tests.factories import make_media, make_release, user_id_of
from tests.routes import fill_rule
from webapp import db, names
from webapp.accounts import exports
from webapp.models import Comment, Generation, Media, User
from webapp.publishing import posts

# Tables whose rows a GET may legitimately touch: the coarse last-seen stamp of sessions.
VOLATILE_COLUMNS = {("user_sessions", "last_seen")}
STREAMING_ENDPOINTS = {"events.events_stream"}


@dataclass
class Canary:
    """One user's objects of every kind, to aim other users' requests at."""

    ids: dict[str, int]
    strings: dict[str, str]


def make_canary(
    app: Flask, username: str, song: str, cover: str, title: str, post: str, *,
    publish: bool = False,
) -> Canary:
    """A signed-up user's track, cover, a release of both, a post (on it, if published) and a
    comment on the release."""
    user_id = user_id_of(app, username)
    music_id = make_media(app, user_id, "music", song)
    image_id = make_media(app, user_id, "image", cover)
    release_id = make_release(app, user_id, music_id, image_id, published=publish, title=title)
    with app.app_context():
        session = db.session()
        post_row, errors = posts.create_post(
            session, session.get(User, user_id), post, release_id if publish else None
        )
        assert not errors, errors.messages
        generation_id = session.get(Media, music_id).generation_id
        assert session.get(Generation, generation_id) is not None
        export, error = exports.start(session, user_id)
        assert error is None and exports.run(session, export.id)
        # Written directly: the domain refuses comments on a draft, the canary's default.
        comment = Comment(release_id=release_id, user_id=user_id, body=f"{post} comment")
        session.add(comment)
        session.commit()
        ids = {
            "media": music_id, "image": image_id, "generation": generation_id,
            "release": release_id, "post": post_row.id, "user": user_id, "export": export.id,
            "comment": comment.id, "subject": release_id,
        }
    # "kind": routes named by what they act on (report, card counts) aim at the release.
    return Canary(ids, {"username": username, "slug": names.slug(title), "kind": "release"})


def sweep_rules(app: Flask, methods: set[str]):
    """(rule, method) pairs for non-static, non-streaming routes."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint in STREAMING_ENDPOINTS:
            continue
        for method in sorted((rule.methods or set()) & methods):
            yield rule, method


def url_for_rule(rule, canary: Canary) -> str | None:
    """The rule's URL with its arguments set to the canary's objects (None if unknown)."""
    return fill_rule(rule, lambda argument: _value_for(argument, canary))


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
            if table.startswith("huey"):
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
