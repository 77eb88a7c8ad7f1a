"""The feeds (everyone, one user, the people you follow, what you liked): one query per page,
authors joined from `users`, card counts in one statement, and their version tags."""

import hashlib
from dataclasses import dataclass

from sqlalchemy import and_, literal, select, union_all
from sqlalchemy.orm import Session

from ..config import settings
from ..models import Like, Post, Release, User
from ..social import cards, follows
from ..visibility import post_visible, release_public

MAX_PAGE = 100_000


@dataclass
class FeedEntry:
    """One item of a feed: a published release, or a post (with its attached release, if shown).

    For kind "post", `release` is the attached release when it is still published, else None.
    """

    kind: str  # "release" | "post"
    release: Release | None
    post: Post | None
    author: User


@dataclass
class Feed:
    """A page of a feed, newest first, with a version tag that changes with what it shows.

    `scope` is "everyone" (explore), "user" (a profile: `author_id`), "following" (the
    people the viewer follows) or "liked" (what the viewer liked); `stats` holds the cards'
    like and comment counts as the viewer sees them.
    """

    entries: list[FeedEntry]
    page: int
    has_next: bool
    version: str
    author_id: int | None
    scope: str = "everyone"
    stats: cards.CardStats | None = None




def profile_feed(db: Session, user_id: int, page: int = 1, viewer_id: int | None = None) -> Feed:
    """A page of one user's published releases and posts, newest first."""
    return _feed(db, "user", user_id, page, viewer_id)


def explore_feed(db: Session, page: int = 1, viewer_id: int | None = None) -> Feed:
    """A page of everyone's published releases and posts, newest first."""
    return _feed(db, "everyone", None, page, viewer_id)


def following_feed(db: Session, viewer_id: int, page: int = 1) -> Feed:
    """A page of the releases and posts of the people the viewer follows, newest first."""
    return _feed(db, "following", None, page, viewer_id)


def liked_feed(db: Session, viewer_id: int, page: int = 1) -> Feed:
    """A page of the releases and posts the viewer liked, newest published first."""
    return _feed(db, "liked", None, page, viewer_id)


def feed_page_size() -> int:
    """Entries per feed page (FEED_PAGE_SIZE)."""
    return settings().feed_page_size


def _feed(
    db: Session, scope: str, author_id: int | None, page: int, viewer_id: int | None
) -> Feed:
    """At most four statements, whatever the page holds: ids, releases, posts, card stats."""
    page = max(1, min(int(page or 1), MAX_PAGE))
    size = feed_page_size()
    releases = select(
        literal("release").label("kind"),
        Release.id.label("id"),
        Release.published_at.label("at"),
    ).where(release_public())
    posts = select(
        literal("post").label("kind"), Post.id.label("id"), Post.created_at.label("at")
    ).where(post_visible(viewer_id))
    if scope == "user":
        releases = releases.where(Release.user_id == author_id)
        posts = posts.where(Post.user_id == author_id)
    elif scope == "following":
        releases = releases.where(Release.user_id.in_(follows.followed_ids(viewer_id)))
        posts = posts.where(Post.user_id.in_(follows.followed_ids(viewer_id)))
    elif scope == "liked":
        releases = releases.where(Release.id.in_(
            select(Like.release_id).where(Like.user_id == viewer_id, Like.release_id.is_not(None))
        ))
        posts = posts.where(Post.id.in_(
            select(Like.post_id).where(Like.user_id == viewer_id, Like.post_id.is_not(None))
        ))
    both = union_all(releases, posts).subquery()
    rows = db.execute(
        select(both.c.kind, both.c.id)
        .order_by(both.c.at.desc(), both.c.kind.desc(), both.c.id.desc())
        .limit(size + 1)
        .offset((page - 1) * size)
    ).all()
    has_next = len(rows) > size
    rows = rows[:size]
    release_ids = [row.id for row in rows if row.kind == "release"]
    post_ids = [row.id for row in rows if row.kind == "post"]
    found_releases: dict[int, tuple[Release, User]] = {}
    if release_ids:
        for release, author in db.execute(
            select(Release, User)
            .join(User, User.id == Release.user_id)
            .where(Release.id.in_(release_ids))
        ).unique():
            found_releases[release.id] = (release, author)
    found_posts: dict[int, tuple[Post, User, Release | None]] = {}
    if post_ids:
        for post, author, attached in db.execute(
            select(Post, User, Release)
            .join(User, User.id == Post.user_id)
            .outerjoin(
                Release, and_(Release.id == Post.release_id, release_public())
            )
            .where(Post.id.in_(post_ids))
        ).unique():
            found_posts[post.id] = (post, author, attached)
    entries = []
    for row in rows:
        if row.kind == "release" and row.id in found_releases:
            release, author = found_releases[row.id]
            entries.append(FeedEntry("release", release, None, author))
        elif row.kind == "post" and row.id in found_posts:
            post, author, attached = found_posts[row.id]
            entries.append(FeedEntry("post", attached, post, author))
    stats = cards.card_stats(
        db, viewer_id,
        [e.release.id for e in entries if e.release is not None],
        [e.post.id for e in entries if e.post is not None],
    )
    version = _feed_version(entries, page, has_next, stats)
    return Feed(entries, page, has_next, version, author_id, scope, stats)


def _feed_version(
    entries: list[FeedEntry], page: int, has_next: bool, stats: cards.CardStats
) -> str:
    """A short digest of everything the feed shows, so an unchanged feed answers 304."""
    parts = [f"p{page}:{int(has_next)}", stats.digest()]
    for entry in entries:
        author = entry.author
        ident = entry.release.id if entry.kind == "release" else entry.post.id
        parts.append(f"{entry.kind}:{ident}")
        parts.append(f"a{author.id}:{author.username}:{author.avatar or ''}")
        if entry.release is not None:
            release = entry.release
            parts.append(f"r{release.id}:{release.published_at}:{release.play_count}:{release.title}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def feed_tag(feed: Feed, viewer_id: int | None) -> str:
    """The version a viewer's copy of a feed holds (viewers see their own delete buttons)."""
    return f"{feed.version}-{viewer_id or 0}"
