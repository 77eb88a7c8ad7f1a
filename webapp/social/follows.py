"""Follows: follow or unfollow a person, the counts and lists a profile shows."""

import hashlib
from dataclasses import dataclass

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from .. import live
from ..config import settings
from ..errors import NotFound
from ..models import Block, Follow, User, utcnow
from ..upsert import blocked_for_writing, insert_or_ignore, start_writing
from . import notifications

MAX_PAGE = 10_000


@dataclass
class FollowBox:
    """What a profile's follow box shows to one viewer."""

    user: User
    followers: int
    following: int
    viewer_follows: bool
    viewer_blocks: bool
    version: str


@dataclass
class People:
    """A page of followers or of followed people, newest follow first."""

    user: User
    which: str  # "followers" | "following"
    people: list[User]
    page: int
    has_next: bool


def set_follow(db: Session, follower: User, followed_id: int, following: bool) -> tuple[User, str]:
    """Follow or unfollow someone; commits. Returns the person and an error message ("" if none).

    Following oneself, or someone on either side of a block, changes nothing.
    """
    followed = db.get(User, followed_id)
    if followed is None or followed.deleted_at is not None:
        raise NotFound()
    if followed.id == follower.id:
        return followed, "You can't follow yourself."
    if following:
        start_writing(db)
        if blocked_for_writing(db, follower.id, followed.id):
            db.rollback()
            return followed, f"You can't follow {followed.username}."
        changed = insert_or_ignore(db, Follow, follower_id=follower.id,
                                   followed_id=followed.id, created_at=utcnow())
        if changed:
            notifications.notify(db, followed.id, "follow", follower.id)
    else:
        start_writing(db)
        changed = db.execute(delete(Follow).where(
            Follow.follower_id == follower.id, Follow.followed_id == followed.id
        )).rowcount == 1
    if changed:
        live.follow_changed(db, follower.id, followed.id)
    db.commit()
    return followed, ""


def follow_box(db: Session, viewer_id: int | None, user: User) -> FollowBox:
    """Counts and the viewer's state for one profile, in one statement."""
    viewer = viewer_id or 0
    followers, following, follows, blocks = db.execute(select(
        select(func.count()).select_from(Follow)
        .where(Follow.followed_id == user.id).scalar_subquery(),
        select(func.count()).select_from(Follow)
        .where(Follow.follower_id == user.id).scalar_subquery(),
        exists().where(Follow.follower_id == viewer, Follow.followed_id == user.id),
        exists().where(Block.blocker_id == viewer, Block.blocked_id == user.id),
    )).one()
    text = f"{user.id}:{user.username}:{followers}:{following}:{follows}:{blocks}:{viewer}"
    version = hashlib.sha256(text.encode()).hexdigest()[:16]
    return FollowBox(user, followers, following, bool(follows), bool(blocks), version)


def people(db: Session, user: User, which: str, page: int = 1) -> People:
    """A page of the user's followers or of the people they follow, newest follow first."""
    size = settings().people_page_size
    page = max(1, min(page, MAX_PAGE))
    if which == "followers":
        join, where = Follow.follower_id, Follow.followed_id
    else:
        join, where = Follow.followed_id, Follow.follower_id
    rows = list(db.scalars(
        select(User).join(Follow, join == User.id)
        .where(where == user.id, User.deleted_at.is_(None))
        .order_by(Follow.created_at.desc(), User.id.desc())
        .limit(size + 1).offset((page - 1) * size)
    ))
    return People(user, which, rows[:size], page, len(rows) > size)


def followed_ids(viewer_id: int):
    """A subquery of the ids the viewer follows (for the Following feed)."""
    return select(Follow.followed_id).where(Follow.follower_id == viewer_id)
