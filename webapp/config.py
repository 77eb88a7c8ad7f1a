"""Configuration: defaults, then the environment, then the test config; read as typed Settings.

`app.config` stays the one place values are set (Flask extensions read it too); code reads
`settings()`, a frozen dataclass built from it once and rebuilt only if the config is
changed afterwards (as tests do), so no use site casts a value.
"""

import os
import secrets
from dataclasses import dataclass, fields
from datetime import timedelta
from pathlib import Path

from flask import Config, Flask, current_app

ENVIRONMENT_KEYS = ("DATABASE_URL", "SECRET_KEY", "DATA_DIR", "PORT", "PUBLIC_URL")


def default_config(instance_path: str) -> dict:
    """Settings that hold when nothing else is said."""
    instance = Path(instance_path)
    return {
        "DATABASE_URL": f"sqlite:///{instance / 'soundstage.db'}",
        "DATA_DIR": str(instance / "data"),
        "PORT": 5000,
        "SQLITE_BUSY_TIMEOUT_MS": 10_000,
        "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 512 * 1024,
        "MAX_FORM_PARTS": 200,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "PERMANENT_SESSION_LIFETIME": timedelta(days=14),
        # Enforced on the server (user_sessions.last_seen / created_at), whatever the cookie says.
        "SESSION_IDLE_LIFETIME": timedelta(days=7),
        "SESSION_ABSOLUTE_LIFETIME": timedelta(days=30),
        # Behind N reverse proxies that set X-Forwarded-For/-Proto/-Host: trust N hops of them,
        # so the client address, HTTPS (Secure cookies, HSTS) and the host are the real ones.
        "TRUST_PROXY_HOPS": 0,
        "HOUSEKEEPING_SECONDS": 3600,
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_HEADERS": ["X-CSRFToken"],
        # argon2id; the defaults are argon2-cffi's RFC 9106 "low memory" profile.
        "PASSWORD_HASH": {"time_cost": 3, "memory_cost": 65536, "parallelism": 4},
        # At most this many argon2 computations at once (64 MiB each); the rest queue.
        "PASSWORD_HASH_CONCURRENCY": 2,
        "PASSWORD_HASH_QUEUE_SECONDS": 10,
        "LOGIN_THROTTLE_FREE_FAILURES": 3,
        "LOGIN_THROTTLE_MAX_SECONDS": 300,
        "LOGIN_THROTTLE_KEEP": timedelta(days=1),
        # Rate limits in the `limits` notation, counted in the database (docs/decisions.md).
        "LIMIT_PASSWORD_CHECKS_PER_CLIENT": "30 per 15 minutes",
        # Load shedding above what argon2 can do on a few cores, not a lock for everyone.
        "LIMIT_PASSWORD_CHECKS_GLOBAL": "1200 per minute",
        "LIMIT_SIGNUPS_PER_CLIENT": "5 per hour",
        "LIMIT_SIGNUPS_GLOBAL": "100 per hour",
        # Creating things others see (feed spam, and each row is work to delete later).
        "LIMIT_RELEASES_PER_ACCOUNT": "60 per hour",
        "LIMIT_RELEASES_PER_CLIENT": "120 per hour",
        "LIMIT_POSTS_PER_ACCOUNT": "60 per hour",
        "LIMIT_POSTS_PER_CLIENT": "120 per hour",
        "LIMIT_REPORTS_PER_ACCOUNT": "30 per hour",
        "LIMIT_REPORTS_PER_CLIENT": "60 per hour",
        "JOBS_EMBEDDED": True,
        "JOBS_WORKERS": 2,
        "JOBS_LEASE_SECONDS": 120,
        "JOBS_MAX_ATTEMPTS": 3,
        "JOBS_RECONCILE_SECONDS": 30,
        "JOBS_MAX_UNFINISHED": 3,
        "JOBS_MAX_PER_HOUR": 30,
        "STORAGE_QUOTA_BYTES": 500_000_000,
        "JOBS_QUEUED_STALE_SECONDS": 60,
        "JOBS_RECENT_LIMIT": 12,
        "JOBS_POLL_MAX_DELAY": 0.25,
        "JOBS_SHUTDOWN_SECONDS": 5,
        "JOBS_PROGRESS_STEP": 10,
        "JOBS_PROGRESS_SECONDS": 0.3,
        "EXPORT_KEEP": timedelta(hours=24),
        "EXPORT_STALE": timedelta(minutes=15),
        "RENAME_INTERVAL": timedelta(hours=24),
        "RENAME_UNDO_WINDOW": timedelta(minutes=30),
        # /healthz answers 503 when DATA_DIR has less free space than this.
        "STORAGE_MIN_FREE_BYTES": 256 * 1024 * 1024,
        "AVATAR_MAX_BYTES": 2 * 1024 * 1024,
        # Checked from the header before decoding: a 16 MP RGBA picture decodes to 64 MB.
        "AVATAR_MAX_PIXELS": 16_000_000,
        "AVATAR_MAX_SIDE": 8192,
        "IMAGE_DECODE_CONCURRENCY": 2,
        "IMAGE_DECODE_WAIT_SECONDS": 10,
        # A heartbeat is also how a stream notices its client left: keep it short.
        "SSE_HEARTBEAT_SECONDS": 5,
        "SSE_MAX_STREAM_SECONDS": 600,
        # Each stream holds a server thread: keep the process cap well under WEB_THREADS.
        "SSE_MAX_STREAMS_PER_SESSION": 6,
        # A quarter of the process's streams at most for one account or one client network
        # (an address, or an IPv6 /64), so a few accounts cannot hold them all.
        "SSE_MAX_STREAMS_PER_USER": 8,
        "SSE_MAX_STREAMS_PER_ADDRESS": 8,
        "SSE_MAX_STREAMS_PER_PROCESS": 32,
        "LIBRARY_PAGE_SIZE": 24,
        "LIBRARY_RENDER_CACHE": 128,
        "FEED_PAGE_SIZE": 20,
        # The site's public origin for links other sites keep (OpenGraph, oEmbed); empty:
        # the origin the request came to.
        "PUBLIC_URL": "",
        # Host names requests may be addressed to (JSON list or commas); empty: PUBLIC_URL's
        # host, else only this machine's names (LOCAL_HOSTS). Any other Host is a 400.
        "ALLOWED_HOSTS": [],
        "OTHER_RELEASES_LIMIT": 6,
        # Anonymous plays that count per track, hour and network (address or IPv6 /64).
        "PLAYS_ANONYMOUS_PER_NETWORK": 3,
        "PEOPLE_PAGE_SIZE": 50,
        "NOTIFICATIONS_PAGE_SIZE": 30,
        "COMMENTS_PAGE_SIZE": 20,
        "COMMENTS_MAX_PER_HOUR": 30,
        "SEARCH_PAGE_SIZE": 20,
    }


@dataclass(frozen=True)
class Settings:
    """The settings the app's own code reads, typed and converted once."""

    sqlalchemy_url: str
    sqlite_busy_timeout_ms: int
    password_hash: dict
    password_hash_concurrency: int
    password_hash_queue_seconds: float
    login_throttle_free_failures: int
    login_throttle_max_seconds: int
    login_throttle_keep: timedelta
    limit_password_checks_per_client: str
    limit_password_checks_global: str
    limit_signups_per_client: str
    limit_signups_global: str
    limit_releases_per_account: str
    limit_releases_per_client: str
    limit_posts_per_account: str
    limit_posts_per_client: str
    limit_reports_per_account: str
    limit_reports_per_client: str
    jobs_embedded: bool
    jobs_workers: int
    jobs_lease_seconds: int
    jobs_max_attempts: int
    jobs_reconcile_seconds: float
    jobs_max_unfinished: int
    jobs_max_per_hour: int
    storage_quota_bytes: int
    jobs_queued_stale_seconds: int
    jobs_recent_limit: int
    jobs_poll_max_delay: float
    jobs_shutdown_seconds: float
    jobs_progress_step: int
    jobs_progress_seconds: float
    export_keep: timedelta
    export_stale: timedelta
    session_idle_lifetime: timedelta
    session_absolute_lifetime: timedelta
    trust_proxy_hops: int
    housekeeping_seconds: float
    rename_interval: timedelta
    rename_undo_window: timedelta
    storage_min_free_bytes: int
    avatar_max_bytes: int
    avatar_max_pixels: int
    avatar_max_side: int
    image_decode_concurrency: int
    image_decode_wait_seconds: float
    sse_heartbeat_seconds: float
    sse_max_stream_seconds: float
    sse_max_streams_per_session: int
    sse_max_streams_per_user: int
    sse_max_streams_per_process: int
    sse_max_streams_per_address: int
    library_page_size: int
    library_render_cache: int
    feed_page_size: int
    public_url: str
    allowed_hosts: list
    other_releases_limit: int
    plays_anonymous_per_network: int
    people_page_size: int
    notifications_page_size: int
    comments_page_size: int
    comments_max_per_hour: int
    search_page_size: int
    port: int

    @classmethod
    def from_config(cls, config: dict) -> "Settings":
        """Read and convert every field from a Flask config (environment values are strings)."""
        values = {}
        for spec in fields(cls):
            raw = config[spec.name.upper()]
            values[spec.name] = _convert(raw, spec.type)
        return cls(**values)


def _convert(raw, kind):
    """One config value as the type its Settings field declares."""
    if kind is list:
        if isinstance(raw, str):
            return [part.strip() for part in raw.split(",") if part.strip()]
        return list(raw or ())
    if kind is bool:
        return raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "yes", "on")
    if kind is timedelta:
        return raw if isinstance(raw, timedelta) else timedelta(seconds=float(raw))
    if kind in (int, float):
        return kind(raw)
    return raw


class SettingsConfig(Config):
    """Flask's config, which forgets its typed Settings whenever a value changes."""

    _settings: Settings | None = None

    def __setitem__(self, key, value) -> None:
        """Set a value and drop the Settings built from the old ones."""
        self._settings = None
        super().__setitem__(key, value)

    def update(self, *args, **kwargs) -> None:
        """Update values and drop the Settings built from the old ones."""
        self._settings = None
        super().update(*args, **kwargs)

    @property
    def settings(self) -> Settings:
        """The typed settings, built on first use after the last change."""
        if self._settings is None:
            self._settings = Settings.from_config(self)
        return self._settings


def settings() -> Settings:
    """The current app's typed settings."""
    return current_app.config.settings


def load_config(app: Flask, test_config: dict | None) -> None:
    """Fill app.config from defaults, then the environment, then test_config."""
    app.config.from_mapping(default_config(app.instance_path))
    for key in ENVIRONMENT_KEYS:
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    app.config.from_prefixed_env("SOUNDSTAGE")
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(Path(app.instance_path))
    app.config["SQLALCHEMY_URL"] = normalise_database_url(app.config["DATABASE_URL"])
    app.config.settings  # noqa: B018 - a bad value fails here, at start-up, not mid-request


def normalise_database_url(url: str) -> str:
    """Point plain postgres:// URLs at the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def instance_secret(instance: Path) -> str:
    """A random key kept in the instance folder, so sessions survive a restart."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
