"""Notifications: made when someone likes, follows or comments (or a day's plays are counted),
listed newest first, marked read when their page is seen, muted per kind."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, delete, exists, select, update
from sqlalchemy.orm import Session, aliased

from .. import live
from ..config import settings
from ..db import expire_loaded
from ..models import Block, Comment, Notification, NotificationMute, Post, Release, User, utcnow
from ..upsert import insert_or_ignore, start_writing
from ..visibility import comment_visible

KINDS = {
    "like": "Likes of your releases and posts",
    "follow": "New followers",
    "comment": "Comments on your releases",
    "plays": "Daily plays of your releases",
}
MAX_PAGE = 10_000


@dataclass
class Item:
    """One notification with what it names: who did it, on which release or post."""

    note: Notification
    actor: User | None
    release: Release | None
    post: Post | None
    comment: Comment | None
    unread: bool = False  # as loaded: seeing the page marks it read afterwards


@dataclass
class NotificationPage:
    """A page of notifications, newest first, with the tag of what it shows."""

    items: list[Item]
    page: int
    has_next: bool
    version: str


def _wanted(db: Session, recipient_id: int, kind: str, actor_id: int | None) -> bool:
    """Whether the recipient gets this kind from this actor: not muted, actor not blocked."""
    muted = exists().where(NotificationMute.user_id == recipient_id, NotificationMute.kind == kind)
    blocked = exists().where(Block.blocker_id == recipient_id, Block.blocked_id == (actor_id or 0))
    return not db.scalar(select(muted | blocked))


def notify(
    db: Session, recipient_id: int, kind: str, actor_id: int, *,
    release_id: int | None = None, post_id: int | None = None, comment_id: int | None = None,
) -> bool:
    """Tell the recipient about an actor's like, follow or comment (in the caller's transaction).

    Nothing for one's own doing, a muted kind or a blocked actor; a like or follow
    that was undone and redone does not notify twice.
    """
    if recipient_id == actor_id or not _wanted(db, recipient_id, kind, actor_id):
        return False
    if kind in ("like", "follow") and db.scalar(select(exists().where(
        Notification.recipient_id == recipient_id, Notification.kind == kind,
        Notification.actor_id == actor_id,
        Notification.release_id.is_(None) if release_id is None
        else Notification.release_id == release_id,
        Notification.post_id.is_(None) if post_id is None else Notification.post_id == post_id,
    ))):
        return False
    db.add(Notification(recipient_id=recipient_id, kind=kind, actor_id=actor_id,
                        release_id=release_id, post_id=post_id, comment_id=comment_id))
    db.flush()
    live.notification_added(db, recipient_id)
    return True


def record_plays(db: Session, day: date, listeners: Iterable[tuple[int, int]]) -> int:
    """The daily digest hook: "N people played your release" once per release and day.

    `listeners` holds (release id, distinct listeners that day), as the plays table's
    owner counts them (one grouped query over `plays`, run once a day). Commits; returns
    how many notifications were made. Running it twice for a day makes none the second time.
    """
    made = 0
    counts = {release_id: n for release_id, n in listeners if n > 0}
    if not counts:
        return 0
    owners = dict(db.execute(
        select(Release.id, Release.user_id).where(Release.id.in_(counts))
    ).all())
    start_writing(db)
    for release_id, owner_id in owners.items():
        if not _wanted(db, owner_id, "plays", None):
            continue
        if insert_or_ignore(db, Notification, recipient_id=owner_id, kind="plays",
                            release_id=release_id, count=counts[release_id],
                            day=day.isoformat(), created_at=utcnow()):
            live.notification_added(db, owner_id)
            made += 1
    db.commit()
    return made


def page_of(db: Session, user_id: int, page: int = 1) -> NotificationPage:
    """A page of the user's notifications, newest first, in one statement."""
    size = settings().notifications_page_size
    page = max(1, min(page, MAX_PAGE))
    actor = aliased(User)
    rows = db.execute(
        select(Notification, actor, Release, Post, Comment)
        .outerjoin(actor, actor.id == Notification.actor_id)
        .outerjoin(Release, Release.id == Notification.release_id)
        .outerjoin(Post, Post.id == Notification.post_id)
        .outerjoin(Comment, and_(Comment.id == Notification.comment_id,
                                 comment_visible(user_id)))
        .where(Notification.recipient_id == user_id)
        .order_by(Notification.id.desc())
        .limit(size + 1).offset((page - 1) * size)
    ).all()
    items = [Item(*row, unread=row[0].read_at is None) for row in rows[:size]]
    parts = [f"{page}:{len(rows) > size}"] + [
        f"{i.note.id}:{i.note.read_at is None}:{i.actor.username if i.actor else ''}:"
        f"{i.release.title if i.release else ''}" for i in items
    ]
    version = hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
    return NotificationPage(items, page, len(rows) > size, version)


def mark_read(db: Session, user_id: int) -> int:
    """Mark every unread notification of the user read; commits; returns how many."""
    if not db.scalar(select(exists().where(
        Notification.recipient_id == user_id, Notification.read_at.is_(None)
    ))):
        return 0
    start_writing(db)
    live.notifications_reading(db, user_id)
    count = db.execute(
        update(Notification)
        .where(Notification.recipient_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    ).rowcount
    db.commit()
    # The signed-in user was loaded before the counter moved: the nav must show it zeroed.
    expire_loaded(db, User, user_id)
    return count


def muted_kinds(db: Session, user_id: int) -> set[str]:
    """The kinds the user muted."""
    return set(db.scalars(select(NotificationMute.kind).where(NotificationMute.user_id == user_id)))


def set_muted(db: Session, user_id: int, kinds: Iterable[str]) -> set[str]:
    """Mute exactly `kinds` (unknown kinds are ignored); commits; returns the muted set."""
    wanted = {kind for kind in kinds if kind in KINDS}
    start_writing(db)
    db.execute(delete(NotificationMute).where(NotificationMute.user_id == user_id))
    for kind in sorted(wanted):
        db.add(NotificationMute(user_id=user_id, kind=kind))
    db.commit()
    return wanted
