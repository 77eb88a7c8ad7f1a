"""Counts and "liked by me" for a page of cards: one grouped statement, whatever the page holds."""

from dataclasses import dataclass, field

from sqlalchemy import case, func, literal, select, union_all
from sqlalchemy.orm import Session

from ..models import Comment, Like
from ..visibility import comment_visible


@dataclass
class CardStats:
    """Likes per release and post, which of them the viewer likes, comments per release."""

    release_likes: dict[int, int] = field(default_factory=dict)
    post_likes: dict[int, int] = field(default_factory=dict)
    liked_releases: set[int] = field(default_factory=set)
    liked_posts: set[int] = field(default_factory=set)
    release_comments: dict[int, int] = field(default_factory=dict)

    def like(self, kind: str, subject_id: int) -> tuple[int, bool]:
        """(count, liked by the viewer) of one release or post."""
        if kind == "release":
            return self.release_likes.get(subject_id, 0), subject_id in self.liked_releases
        return self.post_likes.get(subject_id, 0), subject_id in self.liked_posts

    def comments(self, release_id: int) -> int:
        """Visible comments on one release."""
        return self.release_comments.get(release_id, 0)

    def tag(self, kind: str, subject_id: int) -> str:
        """The version of one card's counts as the viewer sees them (likes, liked, comments)."""
        count, liked = self.like(kind, subject_id)
        comments = self.comments(subject_id) if kind == "release" else 0
        return f"{kind[0]}{subject_id}:{count}:{int(liked)}:{comments}"

    def digest(self) -> str:
        """Everything shown, as text for a version tag."""
        return repr((sorted(self.release_likes.items()), sorted(self.post_likes.items()),
                     sorted(self.liked_releases), sorted(self.liked_posts),
                     sorted(self.release_comments.items())))

def card_stats(
    db: Session, viewer_id: int | None, release_ids: list[int], post_ids: list[int]
) -> CardStats:
    """Stats for the given cards in one statement (none at all for an empty page)."""
    stats = CardStats()
    if not release_ids and not post_ids:
        return stats
    mine = func.max(case((Like.user_id == (viewer_id or 0), 1), else_=0))
    parts = []
    if release_ids:
        parts.append(
            select(literal("rl").label("what"), Like.release_id.label("id"),
                   func.count().label("n"), mine.label("mine"))
            .where(Like.release_id.in_(release_ids)).group_by(Like.release_id)
        )
        parts.append(
            select(literal("rc").label("what"), Comment.release_id.label("id"),
                   func.count().label("n"), literal(0).label("mine"))
            .where(Comment.release_id.in_(release_ids), comment_visible(viewer_id))
            .group_by(Comment.release_id)
        )
    if post_ids:
        parts.append(
            select(literal("pl").label("what"), Like.post_id.label("id"),
                   func.count().label("n"), mine.label("mine"))
            .where(Like.post_id.in_(post_ids)).group_by(Like.post_id)
        )
    query = union_all(*parts) if len(parts) > 1 else parts[0]
    for what, ident, n, liked in db.execute(query):
        if what == "rl":
            stats.release_likes[ident] = n
            if liked:
                stats.liked_releases.add(ident)
        elif what == "pl":
            stats.post_likes[ident] = n
            if liked:
                stats.liked_posts.add(ident)
        else:
            stats.release_comments[ident] = n
    return stats
