"""Play counts: at most one per listener, release and hour, never the owner's, atomic.

Signed-in listeners count once per track per hour. Anonymous visitors are counted per
network (their address, or its IPv6 /64): at most PLAYS_ANONYMOUS_PER_NETWORK of them per
track per hour, however many fresh sessions one client makes (docs/decisions.md).
"""

import hashlib
import hmac
from datetime import datetime

from sqlalchemy import literal, select, update
from sqlalchemy.orm import Session

from .. import live, upsert
from ..models import PlayEvent, Release, UTCDateTime, utcnow
from ..visibility import release_public


def listener_key(
    user_id: int | None, anonymous_key: str | None, network: str = "", slots: int = 1
) -> str | None:
    """The key a play is counted under: the user, or for a visitor one of `slots` keys of
    their network (address, or /64), chosen by their anonymous key.

    A visitor who drops the cookie gets a new anonymous key but stays on the same network,
    so from one address at most `slots` anonymous plays of a track count per hour.
    """
    if user_id is not None:
        return f"u{user_id}"
    if not anonymous_key:
        return None
    slot = int(hashlib.sha256(anonymous_key.encode()).hexdigest(), 16) % max(1, slots)
    return f"n{network}:{slot}"


def network_digest(network: str, secret: bytes) -> str:
    """A keyed digest of a client's network (`security.network_of`), so play rows keep no
    address."""
    return hmac.new(secret, f"plays:{network}".encode(), hashlib.sha256).hexdigest()[:24]


def hour_bucket(moment: datetime) -> int:
    """Whole hours since the Unix epoch."""
    return int(moment.timestamp() // 3600)


def record_play(
    db: Session, release_id: int, listener: str, user_id: int | None,
    at: datetime | None = None,
) -> bool:
    """Count one play of a public release unless it is the owner's or already counted
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
    ).where(Release.id == release_id, release_public())
    if user_id is not None:
        eligible = eligible.where(Release.user_id != user_id)
    statement = upsert.insert(db, PlayEvent).from_select(
        ["release_id", "listener", "hour", "created_at"], eligible
    ).on_conflict_do_nothing(index_elements=["release_id", "listener", "hour"])
    counted = db.execute(statement.returning(PlayEvent.id)).first() is not None
    if counted:
        owner_id = db.execute(
            update(Release).where(Release.id == release_id)
            .values(play_count=Release.play_count + 1)
            .returning(Release.user_id)
            .execution_options(synchronize_session=False)
        ).scalar_one()
        live.play_counted(db, owner_id, release_id)
    db.commit()
    return counted
