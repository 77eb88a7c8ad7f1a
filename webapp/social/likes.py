"""Likes on releases and posts: set (never toggle) a like, so a double click is one like."""

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .. import live
from ..errors import NotAllowed, Refused
from ..models import Like, Post, Release, User, utcnow
from ..upsert import blocked_for_writing, insert_or_ignore, start_writing
from . import notifications, subjects


@dataclass
class LikeState:
    """A release or post as one person sees its like button after a change."""

    kind: str
    subject: Release | Post
    count: int
    liked: bool
    changed: bool


def bad_flag(name: str) -> Refused:
    """The error for a form that did not say which state it asks for."""
    return Refused(f"The form sent no valid “{name}”. Reload the page and try again.")


def set_like(
    db: Session, user: User, kind: str, subject_id: int, liked: bool | None
) -> LikeState:
    """Like or unlike a visible release or post; commits. A hidden or missing one is NotFound,
    then a missing `liked` (None) Refused.

    The unique key settles concurrent or repeated likes: the second insert does nothing.
    A like between people on either side of a block is refused (422), checked in the
    transaction that writes it.
    """
    subject = subjects.visible(db, kind, subject_id, user.id)
    if liked is None:
        raise bad_flag("liked")
    start_writing(db)
    column = Like.release_id if kind == "release" else Like.post_id
    if liked and blocked_for_writing(db, user.id, subject.user_id):
        db.rollback()
        raise NotAllowed(f"You can't like this {kind}.")
    if liked:
        changed = insert_or_ignore(db, Like, user_id=user.id, created_at=utcnow(),
                                   **{column.key: subject_id})
    else:
        changed = db.execute(
            delete(Like).where(Like.user_id == user.id, column == subject_id)
        ).rowcount == 1
    if changed and liked:
        notifications.notify(db, subject.user_id, "like", user.id, **{column.key: subject_id})
    count = db.scalar(select(func.count()).select_from(Like).where(column == subject_id))
    if changed:
        live.like_changed(db, user.id, subject.user_id, kind, subject_id, count)
    db.commit()
    return LikeState(kind, subject, count, liked, changed)
