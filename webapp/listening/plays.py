"""Play counts: at most one per listener, release and hour, never the owner's, atomic."""

from datetime import datetime

from sqlalchemy import literal, select, update
from sqlalchemy.orm import Session

from .. import upsert
from ..models import PlayEvent, Release, UTCDateTime, utcnow


def listener_key(user_id: int | None, anonymous_key: str | None) -> str | None:
    """The key a play is counted under: the user, or the visitor's anonymous key."""
    if user_id is not None:
        return f"u{user_id}"
    return f"a{anonymous_key}" if anonymous_key else None


def hour_bucket(moment: datetime) -> int:
    """Whole hours since the Unix epoch."""
    return int(moment.timestamp() // 3600)


def record_play(
    db: Session, release_id: int, listener: str, user_id: int | None,
    at: datetime | None = None,
) -> bool:
    """Count one play of a published release unless it is the owner's or already counted
    this hour; commits and says whether it counted.

    One INSERT … SELECT … ON CONFLICT DO NOTHING decides (the unique key settles races, and
    a write first takes SQLite's write lock at once), then the counter moves in the same
    transaction, so the counter always equals the number of rows.
    """
    moment = at or utcnow()
    eligible = select(
        Release.id,
        literal(listener),
        literal(hour_bucket(moment)),
        literal(moment, UTCDateTime),
    ).where(Release.id == release_id, Release.published.is_(True))
    if user_id is not None:
        eligible = eligible.where(Release.user_id != user_id)
    statement = upsert.insert(db, PlayEvent).from_select(
        ["release_id", "listener", "hour", "created_at"], eligible
    ).on_conflict_do_nothing(index_elements=["release_id", "listener", "hour"])
    counted = db.execute(statement.returning(PlayEvent.id)).first() is not None
    if counted:
        db.execute(
            update(Release).where(Release.id == release_id)
            .values(play_count=Release.play_count + 1)
            .execution_options(synchronize_session=False)
        )
    db.commit()
    return counted
