"""Soundstage: generate music and cover art, keep a library, publish releases."""

from flask import Flask, request, url_for
from flask_login import LoginManager

from . import assets, db, errors, htmx, refs, security
from .config import SettingsConfig, load_config

# Modules holding a blueprint `bp`: a URL's first segment names its package (docs/architecture.md).
BLUEPRINTS = (
    "main", "events", "accounts.routes", "studio.routes", "library.routes", "media.routes",
    "profiles.routes", "publishing.routes", "listening.routes", "social.routes",
    "moderation.routes",
)
# Modules registering background tasks with webapp.jobs (each feature owns its own).
JOB_MODULES = ("studio.worker", "accounts.tasks")

login_manager = LoginManager()


class Soundstage(Flask):
    """Flask whose config also offers the typed `settings`."""

    config_class = SettingsConfig


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config, database, security, login, blueprints, jobs, events."""
    app = Soundstage(__name__, instance_relative_config=True)
    load_config(app, test_config)
    assets.init_app(app)
    db.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    _init_login(app)
    app.url_map.converters["user_ref"] = refs.UserRef
    for name in BLUEPRINTS:
        module = __import__(f"{__name__}.{name}", fromlist=["bp"])
        app.register_blueprint(module.bp)
    from . import events, jobs, templating

    for name in JOB_MODULES:
        __import__(f"{__name__}.{name}")
    templating.init_app(app)
    events.init_app(app)
    jobs.init_app(app)
    from .cli import register_commands

    register_commands(app)
    return app


def _init_login(app: Flask) -> None:
    """Flask-Login over server-side session rows."""
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(session_id: str):
        """Resolve the cookie's session id to its user, or nobody if it was ended."""
        from .accounts.logins import load_session

        row = load_session(db.session(), session_id)
        if row is None:
            return None
        row.user.session_id = row.id
        return row.user

    @login_manager.unauthorized_handler
    def unauthorized():
        """Anonymous htmx requests get 401 and a client-side redirect; pages get a redirect."""
        login_url = url_for("accounts.login", next=request.full_path.rstrip("?"))
        if htmx.is_htmx():
            return htmx.login_redirect(login_url)
        return htmx.redirect_to(login_url)
