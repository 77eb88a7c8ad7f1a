"""All tables. Only `users` and `username_changes` ever hold a username."""

from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, MappedColumn, mapped_column, relationship

from .db import Base


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def _user_ref(**options) -> MappedColumn:
    """A column holding a user's id: the row is deleted along with the user."""
    return mapped_column(ForeignKey("users.id", ondelete="CASCADE"), **options)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Convert to UTC before storing."""
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        """Attach UTC to naive values (SQLite keeps no zone)."""
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class User(UserMixin, Base):
    """A person with an account; the only row that holds their current name."""

    __tablename__ = "users"

    # Set when loaded for a request: the server-side session the cookie names.
    session_id = None

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(30))
    username_key: Mapped[str] = mapped_column(String(30), unique=True)
    # Look-alike names share a skeleton (TR39); NULL only for names older than 0004 that
    # collided with an earlier one.
    username_skeleton: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    avatar: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    username_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    library_version: Mapped[int] = mapped_column(Integer, default=0)
    profile_version: Mapped[int] = mapped_column(Integer, default=0)
    unread_notifications: Mapped[int] = mapped_column(Integer, default=0)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    bio: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[list] = mapped_column(JSON, default=list)
    banner: Mapped[str | None] = mapped_column(String(64))

    # SQLite: never reuse a deleted account's id (ids key caches, files and live streams).
    __table_args__ = {"sqlite_autoincrement": True}

    def get_id(self) -> str | None:
        """Flask-Login keeps the session id in the cookie, never the user id."""
        return self.session_id


class UserSession(Base):
    """One signed-in browser; deleting the row signs that browser out."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = _user_ref(index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship(lazy="joined")


class LoginThrottle(Base):
    """Failed log-ins per normalised name and client, so no one else can lock the owner out."""

    __tablename__ = "login_throttles"

    # "<username key> <client digest>" since 0004; the column keeps its old name.
    username_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class RateLimit(Base):
    """One counter of the `limits` rate limiter, kept in the database every process shares."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[float] = mapped_column(Float, index=True)  # Unix time the window ends


class UsernameChange(Base):
    """Append-only history of renames and undos; drives undo and old-name redirects."""

    __tablename__ = "username_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = _user_ref()
    old_username: Mapped[str] = mapped_column(String(30))
    new_username: Mapped[str] = mapped_column(String(30))
    old_key: Mapped[str] = mapped_column(String(30), index=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(10))  # rename | undo

    __table_args__ = (Index("ix_username_changes_user_id_id", "user_id", "id"),)


class Generation(Base):
    """A generation job: the source of truth for its status and progress."""

    __tablename__ = "generations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = _user_ref()
    kind: Mapped[str] = mapped_column(String(10))  # music | image
    prompt: Mapped[str] = mapped_column(String(500))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_token: Mapped[str | None] = mapped_column(String(32))
    request_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last claim: fair order

    __table_args__ = (
        UniqueConstraint("user_id", "request_id"),
        Index("ix_generations_user_id_status", "user_id", "status"),
        Index("ix_generations_status_lease_until", "status", "lease_until"),
    )


class Media(Base):
    """A finished library item: one per generation, never two."""

    __tablename__ = "media"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = _user_ref()
    generation_id: Mapped[int | None] = mapped_column(
        ForeignKey("generations.id", ondelete="SET NULL"), unique=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # music | image
    title: Mapped[str] = mapped_column(String(120))
    prompt: Mapped[str] = mapped_column(String(500))
    file_path: Mapped[str] = mapped_column(String(200))
    preview_path: Mapped[str | None] = mapped_column(String(200))  # waveform or thumbnail
    mime_type: Mapped[str] = mapped_column(String(40))
    duration: Mapped[float | None] = mapped_column(Float)
    size: Mapped[int] = mapped_column(Integer, default=0)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_media_user_id_kind_id", "user_id", "kind", "id"),)


class Release(Base):
    """A track paired with a cover (the seed's combined_media)."""

    __tablename__ = "releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = _user_ref()
    music_id: Mapped[int] = mapped_column(ForeignKey("media.id", ondelete="CASCADE"))
    image_id: Mapped[int] = mapped_column(ForeignKey("media.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    genre: Mapped[str] = mapped_column(String(40), default="")
    mood: Mapped[str] = mapped_column(String(40), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Kept in step with play_events by the same transaction that inserts each counted play.
    play_count: Mapped[int] = mapped_column(Integer, default=0)

    music: Mapped[Media] = relationship(foreign_keys=[music_id], lazy="joined")
    image: Mapped[Media] = relationship(foreign_keys=[image_id], lazy="joined")

    __table_args__ = (
        Index("ix_releases_user_id_id", "user_id", "id"),
        Index("ix_releases_published_published_at", "published", "published_at"),
        # Search filters compare case-folded genre and mood, newest first.
        Index("ix_releases_genre_key", text("lower(genre)"), "published_at"),
        Index("ix_releases_mood_key", text("lower(mood)"), "published_at"),
    )


class PlayEvent(Base):
    """One counted play: at most one per release, listener and hour (the unique key)."""

    __tablename__ = "play_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id", ondelete="CASCADE"))
    listener: Mapped[str] = mapped_column(String(40))  # "u<user id>" or "a<anonymous key>"
    hour: Mapped[int] = mapped_column(Integer)  # hours since the Unix epoch
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("release_id", "listener", "hour"),)


class Post(Base):
    """A short text on the author's profile, optionally attaching a release."""

    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = _user_ref()
    body: Mapped[str] = mapped_column(Text)
    release_id: Mapped[int | None] = mapped_column(
        ForeignKey("releases.id", ondelete="SET NULL")
    )
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_posts_user_id_id", "user_id", "id"),
        Index("ix_posts_created_at", "created_at"),
    )


class DataExport(Base):
    """A ZIP of everything a user owns, built in the background, downloadable for a while."""

    __tablename__ = "data_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = _user_ref(index=True)
    status: Mapped[str] = mapped_column(String(10), default="queued")  # queued|running|done|failed
    progress: Mapped[int] = mapped_column(Integer, default=0)
    file_name: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# ---------------------------------------------------------------- social


class Like(Base):
    """One person likes one release or one post, once (the unique keys settle double clicks)."""

    __tablename__ = "likes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = _user_ref()
    release_id: Mapped[int | None] = mapped_column(ForeignKey("releases.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("user_id", "release_id"),
        UniqueConstraint("user_id", "post_id"),
        CheckConstraint("(release_id IS NULL) <> (post_id IS NULL)", name="one_subject"),
        Index("ix_likes_release_id", "release_id"),
        Index("ix_likes_post_id", "post_id"),
        Index("ix_likes_user_id_id", "user_id", "id"),
    )


def _person_links(name: str, source: str, target: str) -> Table:
    """A table of (source, target, created_at): one person to another, once, never to oneself."""
    return Table(
        name,
        Base.metadata,
        Column(source, Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        Column(target, Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        Column("created_at", UTCDateTime, nullable=False, default=utcnow),
        CheckConstraint(f"{source} <> {target}", name="not_self"),
        Index(f"ix_{name}_{target}", target),
    )


class Follow(Base):
    """The follower sees the followed person's releases and posts in their Following feed."""

    # Declared by _person_links, so follows and blocks keep one shape.
    __table__ = _person_links("follows", "follower_id", "followed_id")


class Comment(Base):
    """A comment on a release; hidden by an admin, it shows to nobody."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id", ondelete="CASCADE"))
    user_id: Mapped[int] = _user_ref()
    body: Mapped[str] = mapped_column(Text)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_comments_release_id_id", "release_id", "id"),
        Index("ix_comments_user_id_created_at", "user_id", "created_at"),
    )


class Notification(Base):
    """Something that happened to a person's work or account: a like, a follow, a comment,
    or one day's plays (one digest row per release and day)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = _user_ref()
    kind: Mapped[str] = mapped_column(String(10))  # like | follow | comment | plays
    actor_id: Mapped[int | None] = _user_ref()
    release_id: Mapped[int | None] = mapped_column(ForeignKey("releases.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    count: Mapped[int] = mapped_column(Integer, default=1)
    day: Mapped[str | None] = mapped_column(String(10))  # plays digests: YYYY-MM-DD (UTC)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_notifications_recipient_id_id", "recipient_id", "id"),
        UniqueConstraint("recipient_id", "kind", "release_id", "day"),
    )


class NotificationMute(Base):
    """A kind of notification its recipient chose not to get."""

    __tablename__ = "notification_mutes"

    user_id: Mapped[int] = _user_ref(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)


class Report(Base):
    """Someone flagged a release, post or comment for an admin to review (once per reporter)."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = _user_ref()
    kind: Mapped[str] = mapped_column(String(10))  # release | post | comment
    subject_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("reporter_id", "kind", "subject_id"),
        Index("ix_reports_resolved_at_id", "resolved_at", "id"),
    )


class Block(Base):
    """The blocker no longer sees the blocked person's comments; neither follows the other."""

    __table__ = _person_links("blocks", "blocker_id", "blocked_id")
