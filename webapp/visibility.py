"""The one visibility rule: which releases, posts and comments a viewer may see.

Every public path (pages, fragments, feeds, search, media files, the embed, oEmbed,
OpenGraph, plays, likes, comments, notifications, exports of others) filters with these
clauses, so hiding, unpublishing, blocking or deleting takes a thing off all of them at once.
"""

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import aliased

from .accounts.standing import present
from .models import Block, Comment, Post, Release


def release_public() -> ColumnElement[bool]:
    """A release anyone may see: published, not hidden by an admin, its account not deleted."""
    return and_(Release.published.is_(True), Release.hidden.is_(False), present(Release.user_id))


def release_visible(viewer_id: int | None) -> ColumnElement[bool]:
    """A release the viewer may open: a public one, or (drafts, hidden ones) their own."""
    if not viewer_id:
        return release_public()
    return or_(release_public(), Release.user_id == viewer_id)


def post_visible(_viewer_id: int | None = None) -> ColumnElement[bool]:
    """A post the viewer may see: not hidden by an admin, its account not deleted (posts have
    no drafts)."""
    return and_(Post.hidden.is_(False), present(Post.user_id))


def comment_visible(viewer_id: int | None) -> ColumnElement[bool]:
    """A comment the viewer may see: not hidden, by an account not deleted, on a public
    release whose owner has not blocked its author, and not by someone the viewer blocked."""
    release = aliased(Release)
    owner_block = aliased(Block)
    clause = and_(
        Comment.hidden.is_(False),
        present(Comment.user_id),
        exists().where(
            release.id == Comment.release_id,
            release.published.is_(True),
            release.hidden.is_(False),
            present(release.user_id),
            ~exists().where(owner_block.blocker_id == release.user_id,
                            owner_block.blocked_id == Comment.user_id),
        ),
    )
    if viewer_id:
        viewer_block = aliased(Block)
        clause = and_(clause, ~exists().where(viewer_block.blocker_id == viewer_id,
                                              viewer_block.blocked_id == Comment.user_id))
    return clause


def media_public(media_id: int) -> ColumnElement[bool]:
    """A media item anyone may fetch: part of a public release."""
    return exists().where(
        release_public(), or_(Release.music_id == media_id, Release.image_id == media_id)
    )


def blocked_between(one, other) -> ColumnElement[bool]:
    """Either person (ids or columns) blocked the other: no comment, like or follow between
    them may be written."""
    if one is None or other is None:
        return false()
    block = aliased(Block)
    return exists().where(or_(
        and_(block.blocker_id == one, block.blocked_id == other),
        and_(block.blocker_id == other, block.blocked_id == one),
    ))


def public_release_ids():
    """A subquery of the ids of every public release."""
    return select(Release.id).where(release_public())
