"""Rate limits: the `limits` library's fixed-window limiter over counters kept in the database.

Every web process shares the counters (no Redis to run), and each counter moves inside
the caller's transaction: callers commit, as with any other write.
"""

import time
from functools import lru_cache

from limits import RateLimitItem, parse
from limits.storage import Storage
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import case, delete, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from . import upsert
from .models import RateLimit


class Throttled(Exception):
    """A rate limit is spent: answer 429 with Retry-After and a message for people."""

    def __init__(self, seconds: int, message: str) -> None:
        """Remember how long to wait and why."""
        super().__init__(message)
        self.seconds = seconds
        self.message = f"{message} Please wait {seconds} seconds and try again."


class DatabaseStorage(Storage):
    """A `limits` storage whose counters are rows of `rate_limits`, read and written in `db`."""

    STORAGE_SCHEME = ["soundstage+session"]

    def __init__(self, db: Session) -> None:
        """Work in the caller's session and transaction."""
        super().__init__()
        self.db = db

    @property
    def base_exceptions(self) -> type[Exception]:
        """What a failing database raises."""
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add `amount` to the key's counter, starting a new window if the old one ended."""
        now = time.time()
        ended = RateLimit.expires_at <= now
        statement = (
            upsert.insert(self.db, RateLimit)
            .values(key=key, hits=amount, expires_at=now + expiry)
            .on_conflict_do_update(
                index_elements=["key"],
                set_={
                    "hits": case((ended, amount), else_=RateLimit.hits + amount),
                    "expires_at": case((ended, now + expiry), else_=RateLimit.expires_at),
                },
            )
            .returning(RateLimit.hits)
        )
        return self.db.execute(statement).scalar_one()

    def get(self, key: str) -> int:
        """The key's count in its current window (0 once the window has ended)."""
        hits = self.db.scalar(
            select(RateLimit.hits).where(RateLimit.key == key, RateLimit.expires_at > time.time())
        )
        return hits or 0

    def get_expiry(self, key: str) -> float:
        """When the key's window ends (Unix time; now if it has none)."""
        expires = self.db.scalar(select(RateLimit.expires_at).where(RateLimit.key == key))
        return max(expires or 0.0, time.time())

    def check(self) -> bool:
        """The database answers."""
        self.db.execute(select(1))
        return True

    def reset(self) -> int | None:
        """Forget every counter."""
        return self.db.execute(delete(RateLimit)).rowcount

    def clear(self, key: str) -> None:
        """Forget one counter."""
        self.db.execute(delete(RateLimit).where(RateLimit.key == key))


@lru_cache(maxsize=64)
def rate(text: str) -> RateLimitItem:
    """A limit such as "20 per 15 minutes", parsed once."""
    return parse(text)


def spend(db: Session, limit: str, *identifiers: str) -> int:
    """Count one hit against a limit; 0 if it was allowed, else seconds until it is again."""
    item = rate(limit)
    limiter = FixedWindowRateLimiter(DatabaseStorage(db))
    if limiter.hit(item, *identifiers):
        return 0
    return seconds_left(limiter, item, identifiers)


def charge(
    db: Session, action: str, user_id: int, client: str | None, per_account: str,
    per_client: str, message: str,
) -> None:
    """Count one `action` against the account's and the client address's limits, in the
    caller's transaction (which writes the thing next); past either, roll it back and raise
    Throttled. Calls made outside any request (client None) are trusted."""
    if client is None:
        return
    wait = spend(db, per_account, action, f"u{user_id}") or spend(db, per_client, action, client)
    if wait:
        db.rollback()
        raise Throttled(wait, message)


def refund(db: Session, limit: str, *identifiers: str) -> None:
    """Give back one hit of the current window: the attempt turned out not to count."""
    key = rate(limit).key_for(*identifiers)
    db.execute(update(RateLimit).where(
        RateLimit.key == key, RateLimit.hits > 0, RateLimit.expires_at > time.time()
    ).values(hits=RateLimit.hits - 1))


def seconds_left(limiter: FixedWindowRateLimiter, item: RateLimitItem, identifiers) -> int:
    """Whole seconds until the limit's current window ends (at least 1)."""
    reset_at = limiter.get_window_stats(item, *identifiers).reset_time
    return max(1, int(reset_at - time.time()) + 1)


def purge_expired(db: Session) -> int:
    """Delete counters whose window has ended; returns how many."""
    return db.execute(delete(RateLimit).where(RateLimit.expires_at <= time.time())).rowcount
