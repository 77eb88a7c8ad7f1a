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

ENVIRONMENT_KEYS = ("DATABASE_URL", "SECRET_KEY", "DATA_DIR", "PORT")


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
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_HEADERS": ["X-CSRFToken"],
        # argon2id; the defaults are argon2-cffi's RFC 9106 "low memory" profile.
        "PASSWORD_HASH": {"time_cost": 3, "memory_cost": 65536, "parallelism": 4},
        "LOGIN_THROTTLE_FREE_FAILURES": 3,
        "LOGIN_THROTTLE_MAX_SECONDS": 300,
        "JOBS_EMBEDDED": True,
        "JOBS_WORKERS": 2,
        "JOBS_LEASE_SECONDS": 120,
        "JOBS_MAX_ATTEMPTS": 3,
        "JOBS_RECONCILE_SECONDS": 30,
        "JOBS_MAX_UNFINISHED": 3,
        "JOBS_MAX_PER_HOUR": 30,
        "JOBS_QUEUED_STALE_SECONDS": 60,
        "JOBS_RECENT_LIMIT": 12,
        "JOBS_POLL_MAX_DELAY": 0.25,
        "JOBS_SHUTDOWN_SECONDS": 5,
        "JOBS_PROGRESS_STEP": 10,
        "JOBS_PROGRESS_SECONDS": 0.3,
        "RENAME_INTERVAL": timedelta(hours=24),
        "RENAME_UNDO_WINDOW": timedelta(minutes=30),
        "AVATAR_MAX_BYTES": 2 * 1024 * 1024,
        "AVATAR_MAX_PIXELS": 40_000_000,
        "SSE_HEARTBEAT_SECONDS": 15,
        "SSE_MAX_STREAM_SECONDS": 600,
        "LIBRARY_PAGE_SIZE": 24,
        "LIBRARY_RENDER_CACHE": 128,
        "FEED_PAGE_SIZE": 20,
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
    login_throttle_free_failures: int
    login_throttle_max_seconds: int
    jobs_embedded: bool
    jobs_workers: int
    jobs_lease_seconds: int
    jobs_max_attempts: int
    jobs_reconcile_seconds: float
    jobs_max_unfinished: int
    jobs_max_per_hour: int
    jobs_queued_stale_seconds: int
    jobs_recent_limit: int
    jobs_poll_max_delay: float
    jobs_shutdown_seconds: float
    jobs_progress_step: int
    jobs_progress_seconds: float
    rename_interval: timedelta
    rename_undo_window: timedelta
    avatar_max_bytes: int
    avatar_max_pixels: int
    sse_heartbeat_seconds: float
    sse_max_stream_seconds: float
    library_page_size: int
    library_render_cache: int
    feed_page_size: int
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
