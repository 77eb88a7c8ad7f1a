"""Posts: writing and deleting them, and what the post form offers."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import live, ratelimits
from ..config import settings
from ..errors import NotFound
from ..forms import FormErrors, clean_text
from ..models import Post, User
from .releases import _parse_id, own_release, user_releases

POST_MAX = 2000


def create_post(
    db: Session, user: User, body, release_id=None, client: str | None = None
) -> tuple[Post | None, FormErrors]:
    """Write a post, optionally attaching one of the user's published releases; commits.

    Someone else's (or a missing) release id raises NotFound and stores nothing; too many
    posts from the account or the `client` address raise Throttled.
    """
    errors = FormErrors()
    text = clean_text(
        {"body": body or ""}, "body", "Post", errors, min_length=1, max_length=POST_MAX,
        multiline=True,
    )
    attached_id = None
    if release_id not in (None, ""):
        attached_id = _parse_id(release_id)
        if attached_id is None:
            errors.add("release_id", "Choose a valid release.")
        else:
            release = own_release(db, user, attached_id)
            if not release.published:
                errors.add(
                    "release_id",
                    "Only published releases can be attached. Publish it first, then attach it.",
                )
    if errors:
        return None, errors
    limits = settings()
    ratelimits.charge(db, "posts", user.id, client, limits.limit_posts_per_account,
                      limits.limit_posts_per_client, "You have posted many times just now.")
    post = Post(user_id=user.id, body=text, release_id=attached_id)
    db.add(post)
    db.flush()
    live.post_created(db, user.id, post.id)
    db.commit()
    return post, errors


def delete_post(db: Session, user: User, post_id: int) -> None:
    """Delete one of the user's posts; another user's is a 404."""
    post = db.scalar(select(Post).where(Post.id == post_id, Post.user_id == user.id))
    if post is None:
        raise NotFound()
    db.delete(post)
    db.flush()
    live.post_deleted(db, user.id, post_id)
    db.commit()


def post_form_context(db: Session, user_id: int) -> dict:
    """What the post form shows: the user's published releases, for "Attach release"."""
    return {"post_releases": user_releases(db, user_id, published_only=True)}
