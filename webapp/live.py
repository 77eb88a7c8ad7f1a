"""Every "something changed" rule: which version counters a change moves, which event it sends.

Features call these inside their writing transaction and never name an event or move a
counter themselves. The counters (`users.library_version`, `users.profile_version`) let
self-refreshing regions answer 304 while nothing they show has moved; the events reach the
owner's other tabs over /events after commit (dropped on rollback), and the writing tab
through the response's trigger header, where routes repeat them by these constants.
"""

from sqlalchemy import update
from sqlalchemy.orm import Session

from . import events
from .models import User

LIBRARY_CHANGED = "library-changed"
GENERATION_PROGRESSED = "generation-progressed"
USERNAME_CHANGED = "username-changed"
AVATAR_CHANGED = "avatar-changed"
RELEASE_PUBLISHED = "release-published"
RELEASE_UNPUBLISHED = "release-unpublished"
RELEASE_CHANGED = "release-changed"
POST_CREATED = "post-created"
POST_DELETED = "post-deleted"
ACCOUNT_DELETED = "account-deleted"
EXPORT_PROGRESSED = "export-progressed"
PROFILE_CHANGED = "profile-changed"
LIKE_CHANGED = "like-changed"
FOLLOW_CHANGED = "follow-changed"
COMMENT_CREATED = "comment-created"
COMMENT_DELETED = "comment-deleted"
NOTIFICATIONS_CHANGED = "notifications-changed"
# Raised by the page itself (static/*.js), never sent by the server; regions listen for them.
PAGE_VISIBLE = "page-visible"  # the tab came back into view
RESYNC = "resync"  # the page may have missed events (back/forward cache, SSE reconnect)
PLAY_COUNTED = "play-counted"  # the player counted a play
STATUS_ANNOUNCED = "status-announced"  # a message for the status live region


def profile_bump() -> dict:
    """Column values that move the profile version, for an UPDATE of users that needs them."""
    return {"profile_version": User.profile_version + 1}


def _bump(db: Session, user_id: int, *, library: bool = False, profile: bool = False) -> int:
    """Move the user's counters in the current transaction; returns the library version."""
    values = {"updated_at": User.updated_at}
    if library:
        values["library_version"] = User.library_version + 1
    if profile:
        values.update(profile_bump())
    return db.execute(
        update(User).where(User.id == user_id).values(**values).returning(User.library_version)
    ).scalar_one()


def library_changed(db: Session, user_id: int, *, profile: bool = False) -> int:
    """An item came, went or changed state: move the library (and profile) version; tell tabs.

    Returns the new library version.
    """
    version = _bump(db, user_id, library=True, profile=profile)
    events.publish(db, user_id, LIBRARY_CHANGED, {"version": version})
    return version


def generation_progressed(
    db: Session, user_id: int, generation_id: int, progress: int, status: str
) -> None:
    """A generation moved on (progress or status): its card re-checks; no counter moves."""
    events.publish(
        db, user_id, GENERATION_PROGRESSED,
        {"id": generation_id, "progress": progress, "status": status},
    )


def release_created(db: Session, user_id: int, release_id: int) -> None:
    """A draft release joined the library."""
    _bump(db, user_id, library=True)
    events.publish(db, user_id, LIBRARY_CHANGED, {"release": release_id})


def release_published(db: Session, user_id: int, release_id: int, published: bool) -> None:
    """A release went public or private: the library, the profile and explore all show it."""
    _bump(db, user_id, library=True, profile=True)
    name = RELEASE_PUBLISHED if published else RELEASE_UNPUBLISHED
    events.publish(db, user_id, name, {"id": release_id})
    events.publish(db, user_id, LIBRARY_CHANGED, {"release": release_id})


def release_changed(db: Session, user_id: int, release_id: int) -> None:
    """A release's title, description, genre or mood changed: every page showing it follows."""
    _bump(db, user_id, library=True, profile=True)
    events.publish(db, user_id, RELEASE_CHANGED, {"id": release_id})


def release_deleted(db: Session, user_id: int, release_id: int, was_published: bool) -> None:
    """A release is gone from the library (and from the profile, if it was public)."""
    _bump(db, user_id, library=True, profile=was_published)
    events.publish(db, user_id, LIBRARY_CHANGED, {"release": release_id})
    if was_published:
        events.publish(db, user_id, RELEASE_UNPUBLISHED, {"id": release_id})


def post_created(db: Session, user_id: int, post_id: int) -> None:
    """A post appeared on the profile and explore."""
    _bump(db, user_id, profile=True)
    events.publish(db, user_id, POST_CREATED, {"id": post_id})


def post_deleted(db: Session, user_id: int, post_id: int) -> None:
    """A post left the profile and explore."""
    _bump(db, user_id, profile=True)
    events.publish(db, user_id, POST_DELETED, {"id": post_id})


def username_changed(db: Session, user_id: int, username: str) -> None:
    """A rename or undo: every byline, the nav and the profile header follow.

    The profile counter moves in the rename's own conditional UPDATE (`profile_bump`).
    """
    events.publish(db, user_id, USERNAME_CHANGED, {"username": username})


def avatar_changed(db: Session, user_id: int, filename: str) -> None:
    """A new avatar: the nav and the profile header follow.

    The profile counter moved first in the same transaction (`profile_bump`), to lock the row.
    """
    events.publish(db, user_id, AVATAR_CHANGED, {"avatar": filename})


def sessions_ended(db: Session, user_id: int, session_ids: list[str]) -> None:
    """Sessions were ended: their open streams close (in every process) once this commits."""
    if session_ids:
        digests = [events.session_digest(sid) for sid in session_ids]
        events.publish(db, user_id, events.SESSIONS_ENDED, {"sessions": digests})


def account_deleted(db: Session, user_id: int) -> None:
    """The account is gone: every open tab hears it last, and its live stream closes."""
    events.publish(db, user_id, ACCOUNT_DELETED, final=True)


def export_progressed(
    db: Session, user_id: int, export_id: int, progress: int, status: str
) -> None:
    """A data export moved on: its card re-checks; no counter moves."""
    events.publish(
        db, user_id, EXPORT_PROGRESSED, {"id": export_id, "progress": progress, "status": status}
    )


def profile_changed(db: Session, user_id: int) -> None:
    """The bio, links or banner changed: the profile header follows."""
    _bump(db, user_id, profile=True)
    events.publish(db, user_id, PROFILE_CHANGED, {})


# ---------------------------------------------------------------- social


def like_changed(
    db: Session, liker_id: int, owner_id: int, kind: str, subject_id: int, count: int
) -> None:
    """A like came or went: the liker's other tabs and the owner's tabs show the new count."""
    for user_id in {liker_id, owner_id}:
        events.publish(db, user_id, LIKE_CHANGED, {"kind": kind, "id": subject_id, "count": count})


def follow_changed(db: Session, follower_id: int, followed_id: int) -> None:
    """A follow came or went: both people's follow boxes and Following feeds re-check."""
    for user_id in (follower_id, followed_id):
        events.publish(db, user_id, FOLLOW_CHANGED, {"follower": follower_id,
                                                     "followed": followed_id})


def comment_created(
    db: Session, author_id: int, owner_id: int, release_id: int, comment_id: int
) -> None:
    """A comment joined a thread: the author's and the release owner's open threads re-check."""
    for user_id in {author_id, owner_id}:
        events.publish(db, user_id, COMMENT_CREATED, {"release": release_id, "id": comment_id})


def comment_deleted(db: Session, user_ids: set[int], release_id: int, comment_id: int) -> None:
    """A comment left a thread (deleted or hidden): those people's open threads re-check."""
    for user_id in user_ids:
        events.publish(db, user_id, COMMENT_DELETED, {"release": release_id, "id": comment_id})


def notification_added(db: Session, recipient_id: int) -> int:
    """One more unread notification: move the counter the nav shows; tell the recipient's tabs.

    Returns the new unread count.
    """
    unread = db.execute(
        update(User).where(User.id == recipient_id)
        .values(unread_notifications=User.unread_notifications + 1)
        .returning(User.unread_notifications)
    ).scalar_one()
    events.publish(db, recipient_id, NOTIFICATIONS_CHANGED, {"unread": unread})
    return unread


def notifications_reading(db: Session, user_id: int) -> None:
    """All the user's notifications are about to be marked read: zero the counter first.

    Updating the user row first locks it, so a notification added concurrently either
    commits before (and is marked read with the rest) or waits and counts as new.
    """
    db.execute(update(User).where(User.id == user_id).values(unread_notifications=0))
    events.publish(db, user_id, NOTIFICATIONS_CHANGED, {"unread": 0})


def content_hidden(db: Session, owner_id: int, kind: str, subject_id: int) -> None:
    """An admin hid a release or post: it leaves the owner's profile and every feed."""
    _bump(db, owner_id, library=kind == "release", profile=True)
    if kind == "release":
        events.publish(db, owner_id, RELEASE_UNPUBLISHED, {"id": subject_id})
        events.publish(db, owner_id, LIBRARY_CHANGED, {"release": subject_id})
    else:
        events.publish(db, owner_id, POST_DELETED, {"id": subject_id})
