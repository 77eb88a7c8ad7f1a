"""Blocks between people: a block ends follows both ways and hides the blocked one's comments."""

from sqlalchemy import delete, or_
from sqlalchemy.orm import Session

from .. import live
from ..errors import NotFound
from ..models import Block, Follow, User, utcnow
from ..upsert import blocked_for_writing, insert_or_ignore, start_writing


def set_block(db: Session, blocker: User, blocked_id: int, blocking: bool) -> tuple[User, str]:
    """Block or unblock someone; blocking ends follows both ways. Commits; (person, error)."""
    blocked = db.get(User, blocked_id)
    if blocked is None or blocked.deleted_at is not None:
        raise NotFound()
    if blocked.id == blocker.id:
        return blocked, "You can't block yourself."
    start_writing(db)
    # Takes both rows' locks, so a comment, like or follow racing this block waits for it.
    blocked_for_writing(db, blocker.id, blocked.id)
    if blocking:
        if insert_or_ignore(db, Block, blocker_id=blocker.id, blocked_id=blocked.id,
                            created_at=utcnow()):
            ended = db.execute(delete(Follow).where(or_(
                (Follow.follower_id == blocker.id) & (Follow.followed_id == blocked.id),
                (Follow.follower_id == blocked.id) & (Follow.followed_id == blocker.id),
            ))).rowcount
            if ended:
                live.follow_changed(db, blocked.id, blocker.id)
    else:
        db.execute(delete(Block).where(
            Block.blocker_id == blocker.id, Block.blocked_id == blocked.id
        ))
    db.commit()
    return blocked, ""
