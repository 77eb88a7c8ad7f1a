"""Housekeeping: delete expired sessions, stale log-in throttles and ended rate-limit windows."""

from datetime import datetime

from sqlalchemy import delete, or_
from sqlalchemy.orm import Session

from . import ratelimits
from .config import settings
from .db import write_transaction
from .models import LoginThrottle, UserSession


def expired_sessions(now: datetime):
    """The condition of a session row past its idle or absolute lifetime."""
    limits = settings()
    return or_(
        UserSession.last_seen < now - limits.session_idle_lifetime,
        UserSession.created_at < now - limits.session_absolute_lifetime,
    )


def purge(db: Session, now: datetime) -> dict[str, int]:
    """Delete what has expired, in one short write transaction; returns counts by kind."""
    keep = settings().login_throttle_keep
    with write_transaction(db):
        sessions = db.execute(delete(UserSession).where(expired_sessions(now))).rowcount
        throttles = db.execute(
            delete(LoginThrottle).where(
                or_(LoginThrottle.last_failure_at.is_(None),
                    LoginThrottle.last_failure_at < now - keep),
                or_(LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until < now),
            )
        ).rowcount
        windows = ratelimits.purge_expired(db)
    return {"sessions": sessions, "throttles": throttles, "rate_limits": windows}
