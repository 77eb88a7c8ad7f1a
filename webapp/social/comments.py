"""Comments on releases: a thread (newest last, paginated), posting, deleting, rate limits."""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import live
from ..config import settings
from ..errors import NotFound
from ..forms import FormErrors, clean_text
from ..models import Comment, Release, User, utcnow
from ..upsert import COMMENTS_LOCK, blocked_for_writing, lock_person, start_writing
from ..visibility import comment_visible
from . import notifications, subjects

BODY_MAX = 1000
MAX_PAGE = 100_000


@dataclass
class Thread:
    """A page of one release's comments, oldest first, as one viewer sees it."""

    release: Release
    owner: User
    comments: list[tuple[Comment, User]]
    page: int
    pages: int
    total: int
    version: str


def thread(db: Session, viewer_id: int | None, release_id: int, page: int | None = None) -> Thread:
    """A page of the thread (the last page, with the newest comments, by default).

    Only comments the viewer may see (`visibility.comment_visible`) are counted and shown.
    Three statements: the release with its owner, the count, the page.
    """
    release = subjects.visible_release(db, release_id)
    owner = db.get(User, release.user_id)
    shown = [Comment.release_id == release.id, comment_visible(viewer_id)]
    total = db.scalar(select(func.count()).select_from(Comment).where(*shown))
    size = settings().comments_page_size
    pages = max(1, -(-total // size))
    page = pages if page is None else max(1, min(page, pages, MAX_PAGE))
    rows = db.execute(
        select(Comment, User).join(User, User.id == Comment.user_id).where(*shown)
        .order_by(Comment.id).limit(size).offset((page - 1) * size)
    ).all()
    comments = [(comment, author) for comment, author in rows]
    text = "|".join(
        [f"{release.id}:{release.title}:{owner.id}:{page}:{pages}:{total}:{viewer_id or 0}"]
        + [f"{c.id}:{a.username}:{a.avatar or ''}" for c, a in comments]
    )
    version = hashlib.sha256(text.encode()).hexdigest()[:16]
    return Thread(release, owner, comments, page, pages, total, version)


def create(db: Session, user: User, release_id: int, body) -> tuple[Comment | None, FormErrors]:
    """Comment on a visible release; commits. Too many comments in an hour, or a block
    between the commenter and the release's owner, is an error."""
    release = subjects.visible_release(db, release_id)
    errors = FormErrors()
    text = clean_text({"body": body or ""}, "body", "Comment", errors, min_length=1,
                      max_length=BODY_MAX, multiline=True)
    if errors:
        return None, errors
    # The block check begins the transaction that writes; the count happens in it, one at a
    # time per person, so parallel posts cannot all see room under the limit.
    if blocked_for_writing(db, user.id, release.user_id):
        db.rollback()
        errors.add("body", "You can't comment on this release.")
        return None, errors
    lock_person(db, COMMENTS_LOCK, user.id)
    limit = settings().comments_max_per_hour
    if db.scalar(
        select(func.count()).select_from(Comment).where(
            Comment.user_id == user.id, Comment.created_at > utcnow() - timedelta(hours=1)
        )
    ) >= limit:
        db.rollback()
        errors.add("form", f"You have posted {limit} comments in the last hour. "
                           "Please wait a while, then try again.")
        return None, errors
    comment = Comment(release_id=release.id, user_id=user.id, body=text, created_at=utcnow())
    db.add(comment)
    db.flush()
    notifications.notify(db, release.user_id, "comment", user.id, release_id=release.id,
                         comment_id=comment.id)
    live.comment_created(db, user.id, release.user_id, release.id, comment.id)
    db.commit()
    return comment, errors


def rate_limited(errors: FormErrors) -> bool:
    """Whether a comment was refused for posting too often."""
    return errors.get("form") is not None


def delete(db: Session, user: User, comment_id: int) -> Comment:
    """Delete a comment: its author or the release's owner may; anyone else gets NotFound."""
    row = db.execute(
        select(Comment, Release.user_id).join(Release, Release.id == Comment.release_id)
        .where(Comment.id == comment_id)
    ).first()
    if row is None or user.id not in (row[0].user_id, row[1]):
        raise NotFound()
    comment, owner_id = row
    start_writing(db)
    db.delete(comment)
    db.flush()
    live.comment_deleted(db, {comment.user_id, owner_id}, comment.release_id, comment.id)
    db.commit()
    return comment
