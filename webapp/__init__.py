"""Soundstage: generate music and cover art, keep a library, publish releases."""

from flask import Flask, request, url_for
from flask_login import LoginManager

from . import assets, db, htmx, security
from .config import load_config

BLUEPRINTS = (
    "main", "auth", "studio", "media", "library", "events", "profiles", "releases", "posts",
)

login_manager = LoginManager()


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config, database, security, login, blueprints, jobs, events."""
    app = Flask(__name__, instance_relative_config=True)
    load_config(app, test_config)
    assets.init_app(app)
    db.init_app(app)
    security.init_app(app)
    _init_login(app)
    for name in BLUEPRINTS:
        module = __import__(f"{__name__}.{name}", fromlist=["bp"])
        app.register_blueprint(module.bp)
    from . import events, jobs, templating

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
        from .accounts import load_session

        row = load_session(db.session(), session_id)
        if row is None:
            return None
        row.user.session_id = row.id
        return row.user

    @login_manager.unauthorized_handler
    def unauthorized():
        """Anonymous htmx requests get 401 + HX-Redirect; pages get a redirect."""
        login_url = url_for("auth.login", next=request.full_path.rstrip("?"))
        if htmx.is_htmx():
            return htmx.login_redirect(login_url)
        return htmx.redirect_to(login_url)
