"""What people can like, comment on and report: looked up by kind and id, visible ones only."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..models import Comment, Post, Release
from ..visibility import comment_visible, post_visible, release_public

KINDS = ("release", "post")
MAX_ID = 2_147_483_647


def visible_release(db: Session, release_id: int) -> Release:
    """A published release no admin has hidden, or NotFound."""
    release = db.scalar(select(Release).where(Release.id == release_id, release_public()))
    if release is None:
        raise NotFound()
    return release


def visible_post(db: Session, post_id: int) -> Post:
    """A post no admin has hidden, or NotFound."""
    post = db.scalar(select(Post).where(Post.id == post_id, post_visible()))
    if post is None:
        raise NotFound()
    return post


def visible(
    db: Session, kind: str, subject_id: int, viewer_id: int | None = None
) -> Release | Post | Comment:
    """The release, post or comment named by kind and id that the viewer may see, or NotFound."""
    if kind == "release":
        return visible_release(db, subject_id)
    if kind == "post":
        return visible_post(db, subject_id)
    if kind == "comment":
        comment = db.scalar(
            select(Comment).where(Comment.id == subject_id, comment_visible(viewer_id))
        )
        if comment is not None:
            return comment
    raise NotFound()


def title_of(subject: Release | Post | Comment) -> str:
    """A short name for a subject, for messages."""
    if isinstance(subject, Release):
        return f"“{subject.title}”"
    return "the post" if isinstance(subject, Post) else "the comment"
