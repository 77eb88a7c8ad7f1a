"""Security headers, CSRF, input guards and error pages for every response."""

import ipaddress
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, has_request_context, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect
from markupsafe import escape
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

from . import htmx
from .forms import has_control_characters
from .ratelimits import Throttled
from .slots import Busy

csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# Opened on its own, an image or audio file becomes a browser-made document whose own
# inline styles must not count as violations; no script can run in it either way.
MEDIA_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; "
    "sandbox; frame-ancestors 'none'"
)

# The embeddable player is the one page other sites may frame (docs/decisions.md).
EMBED_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "frame-ancestors 'none'", "frame-ancestors *"
)

ERROR_TITLES = {
    400: "Bad request",
    401: "Please log in",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    413: "Too large",
    422: "Check your input",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session; its cookie is Secure whenever the request is HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure if configured so, or if this request is HTTPS."""
        return bool(super().get_cookie_secure(app) or (has_request_context() and request.is_secure))


UNTRUSTED_HOST_MESSAGE = "This site does not answer for that host name.\n"
# With neither PUBLIC_URL nor ALLOWED_HOSTS, only this machine's own names are served.
LOCAL_HOSTS = ("localhost", "127.0.0.1")


def trusted_hosts(config) -> list[str]:
    """The host names requests may name: ALLOWED_HOSTS and Flask's TRUSTED_HOSTS, PUBLIC_URL's
    host, or (none of them set) LOCAL_HOSTS."""
    settings = config.settings
    hosts = list(settings.allowed_hosts) + list(config.get("TRUSTED_HOSTS") or ())
    public_host = urlsplit(settings.public_url).hostname if settings.public_url else None
    if public_host:
        hosts.append(public_host)
    return list(dict.fromkeys(hosts)) or list(LOCAL_HOSTS)


def init_app(app: Flask) -> None:
    """Install host and proxy trust, CSRF, the header hook, the input guard and the error
    handlers."""
    # Flask refuses any other Host (400) before routing, so no URL is built from one.
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)
    hops = app.config.settings.trust_proxy_hops
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
    app.session_interface = SessionInterface()
    # Before CSRF's own check, which reads the form: an oversized body is a 413, not a 400.
    app.before_request(limit_form_bodies)
    csrf.init_app(app)
    app.after_request(add_security_headers)
    app.before_request(refuse_control_characters)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(Throttled, _throttled)
    app.register_error_handler(Busy, _busy)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


# Static files that can never be opened as a document: they need only `nosniff`.
SUBRESOURCE_TYPES = ("text/css", "text/javascript", "application/javascript")


def add_security_headers(response):
    """Headers every response carries, error pages included."""
    headers = response.headers
    if request.endpoint == "static" and response.mimetype in SUBRESOURCE_TYPES:
        # Document policies (CSP, framing, referrer, opener) do nothing for a stylesheet or
        # a script, and would add 350 bytes to each of a page's dozen assets.
        headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
    is_media = response.mimetype.startswith(("image/", "audio/"))
    policy = MEDIA_CONTENT_SECURITY_POLICY if is_media else CONTENT_SECURITY_POLICY
    headers.setdefault("Content-Security-Policy", policy)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if headers["Content-Security-Policy"] != EMBED_CONTENT_SECURITY_POLICY:
        headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint != "static" and "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store" if _is_private_response() else "no-cache"
    return response


def allow_framing(response):
    """Let any site frame this response (the embeddable player only)."""
    response.headers["Content-Security-Policy"] = EMBED_CONTENT_SECURITY_POLICY
    return response


def _is_private_response() -> bool:
    """Pages for a signed-in person must never sit in a shared cache."""
    from flask_login import current_user

    return bool(current_user and current_user.is_authenticated)


def limit_form_bodies():
    """Refuse form bodies past the size and field-count limits (413) before anything parses them.

    Werkzeug applies MAX_FORM_MEMORY_SIZE and MAX_FORM_PARTS to multipart bodies only, and a
    chunked body (no Content-Length) is only measured while being read.
    """
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return None
    if request.mimetype == "application/x-www-form-urlencoded":
        limit = request.max_form_memory_size
        if limit is not None and (request.content_length or 0) > limit:
            abort(413)
        body = request.get_data(cache=True)  # bounded by MAX_CONTENT_LENGTH; parsed later
        parts = request.max_form_parts
        if (limit is not None and len(body) > limit) or (
            parts is not None and body.count(b"&") >= parts
        ):
            abort(413)
    elif request.mimetype == "multipart/form-data" and request.content_length is None:
        request.get_data(cache=True)  # raises 413 past MAX_CONTENT_LENGTH
    return None


def refuse_control_characters():
    """Refuse NUL and other control characters in any submitted text, before any route runs."""
    values = list(request.args.values())
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        values.extend(request.form.values())
    if any(has_control_characters(value, multiline=True) for value in values):
        return error_response(400, "Your input contains control characters, which are not allowed.")
    return None


def error_response(status: int, message: str | None = None):
    """An error as a full page for browsers, or a small fragment for htmx."""
    title = ERROR_TITLES.get(status, "Error")
    template = "partials/error.html" if htmx.is_partial() else "error.html"
    try:
        body = render_template(template, status=status, title=title, message=message)
    except Exception:  # the page itself needs what just failed (e.g. the database)
        current_app.logger.exception("could not render the %s page", status)
        body = f"<!doctype html><title>{escape(title)}</title><p>{escape(message or title)}</p>"
    response = current_app.make_response((body, status))
    if htmx.is_partial():
        htmx.retarget(response, "#status", "innerHTML")
    return response


def client_address() -> str:
    """The client's address (the proxy's view of it only when TRUST_PROXY_HOPS says so)."""
    return request.remote_addr or "unknown"


def network_of(address: str) -> str:
    """The network one client controls: its IPv4 address, or its IPv6 /64 (one household
    or machine is usually given a whole /64); anything unparsable stays as it is."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 64 if ip.version == 6 else 32
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def _throttled(error: Throttled):
    """A spent rate limit: 429 with Retry-After and a plain message."""
    current_app.logger.warning("rate limited: %s %s", request.method, request.path)
    response = error_response(429, error.message)
    response.headers["Retry-After"] = str(error.seconds)
    return response


def _busy(error: Busy):
    """Expensive work stayed saturated for the whole wait: 503, come back shortly."""
    current_app.logger.warning("busy: %s slots on %s %s", error, request.method, request.path)
    response = error_response(503, "The service is busy. Please try again in a moment.")
    response.headers["Retry-After"] = "5"
    return response


def _csrf_error(error: CSRFError):
    """A missing or wrong CSRF token: refuse with a clear, non-technical message."""
    current_app.logger.warning("csrf refused: %s %s", request.method, request.path)
    return error_response(
        400, "Your session form expired or was not sent. Please reload the page and try again."
    )


def _http_error(error: HTTPException):
    """Render expected HTTP errors with the app's own pages."""
    if error.code is None or error.code < 400:
        return error
    if isinstance(error, SecurityError):
        # An untrusted Host: no URL can be built for it, so no page (and no echo of the name).
        current_app.logger.warning("refused host: %.100r", request.environ.get("HTTP_HOST"))
        return current_app.response_class(UNTRUSTED_HOST_MESSAGE, 400, mimetype="text/plain")
    response = error_response(error.code, _public_description(error))
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    # Headers the error itself carries (416's Content-Range) or its prepared response does.
    carried = dict(error.get_headers())
    if error.response is not None:
        carried.update(error.response.headers)
    for name in ("Retry-After", "Content-Range"):
        if name in carried:
            response.headers[name] = carried[name]
    return response


def _public_description(error: HTTPException) -> str | None:
    """Messages we choose to show; werkzeug's defaults mention internals."""
    messages = {
        404: "We could not find that page.",
        405: "That action is not available here.",
        413: "That upload or form is too large.",
    }
    if error.code in messages:
        return messages[error.code]
    description = getattr(error, "description", None)
    return description if isinstance(description, str) and error.code in (400, 422, 429) else None


def _unexpected_error(error: Exception):
    """Log the traceback, show a calm page, and answer 503 when the database is down."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    from . import db

    db.close_session()
    if isinstance(error, OperationalError | DBAPIError) and _is_unavailable(error):
        current_app.logger.warning("database unavailable: %s", error.__class__.__name__)
        if "_login_user" not in g:
            # Loading the user is what failed: render the page without asking again.
            g._login_user = current_app.login_manager.anonymous_user()
        response = error_response(503, "The service is busy. Please try again in a moment.")
        response.headers["Retry-After"] = "5"
        return response
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(500, "Please try again. If it keeps happening, tell us.")


def _is_unavailable(error: Exception) -> bool:
    """Whether a database error means 'try again later' rather than a bug."""
    text = str(getattr(error, "orig", error)).lower()
    signs = ("database is locked", "connection", "server closed", "terminating", "shutting down",
             "could not connect", "the database system is")
    return getattr(error, "connection_invalidated", False) or any(s in text for s in signs)
