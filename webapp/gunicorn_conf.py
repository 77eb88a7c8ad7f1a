"""gunicorn settings for production: gthread workers, graceful shutdown that closes SSE streams.

Use: gunicorn -c python:webapp.gunicorn_conf "webapp:create_app()"
`flask --app webapp serve` (make run) runs `EmbeddedServer`: the same settings with one
worker, which also runs the job consumer threads and the in-process event bus.
"""

import os
import signal

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Each open SSE stream holds a thread: size for expected tabs plus ordinary requests.
threads = int(os.environ.get("WEB_THREADS", "64"))
worker_connections = max(1000, threads * 2)
bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
timeout = 60
graceful_timeout = 20
keepalive = 5
accesslog = os.environ.get("ACCESS_LOG") or None
# gunicorn 27's control socket sits at one path per user: two servers would fight over it.
control_socket_disable = True
# The scheme comes from X-Forwarded-Proto only through the app's ProxyFix, as
# SOUNDSTAGE_TRUST_PROXY_HOPS says; gunicorn's own rule would trust it from 127.0.0.1 always.
secure_scheme_headers: dict[str, str] = {}
forwarded_allow_ips = ""


def post_worker_init(worker) -> None:
    """Refuse to serve without usable storage; on SIGTERM, close SSE streams first."""
    refuse_unusable_storage(worker)
    close_streams_on_sigterm(worker)


def close_streams_on_sigterm(worker) -> None:
    """On SIGTERM, close this worker's SSE streams first so browsers reconnect elsewhere."""
    original = signal.getsignal(signal.SIGTERM)

    def close_streams_then_exit(signum, frame) -> None:
        """Ask every open stream to end, then let gunicorn finish requests gracefully."""
        close_streams(worker)
        if callable(original):
            original(signum, frame)

    signal.signal(signal.SIGTERM, close_streams_then_exit)
    signal.siginterrupt(signal.SIGTERM, False)


def refuse_unusable_storage(worker) -> None:
    """Stop the server with a one-line reason (no traceback) if DATA_DIR cannot hold files."""
    from .storage import startup_refusal

    if refusal := startup_refusal(worker.wsgi):
        worker.log.error(refusal)
        # gunicorn halts the whole server when a worker exits with its boot-error code.
        raise SystemExit(Arbiter.WORKER_BOOT_ERROR)


def close_streams(worker) -> None:
    """Make this worker's SSE streams end within a second (they would hold its exit)."""
    bus = getattr(worker.wsgi, "extensions", {}).get("event_bus")
    if bus is not None:
        bus.closing.set()


def embedded_worker_init(worker) -> None:
    """In the one worker: the SIGTERM handling, then the job consumer threads."""
    from . import jobs

    app = worker.wsgi
    # The app was built before the fork: the worker opens its own database connections.
    app.extensions["db_engine"].dispose(close=False)
    # `flask serve` refused an unusable DATA_DIR before gunicorn started.
    close_streams_on_sigterm(worker)
    jobs.start_embedded(app)


def embedded_worker_exit(_server, worker) -> None:
    """Leaving (Ctrl-C, SIGTERM): end the streams, let running jobs finish briefly."""
    from . import jobs

    close_streams(worker)
    jobs.stop_embedded(worker.wsgi)


class EmbeddedServer(BaseApplication):
    """gunicorn inside `flask serve`: one gthread worker holding the app, jobs and events."""

    def __init__(self, app, host: str, port: int) -> None:
        """Serve `app` (already built) on host:port."""
        self.application = app
        self.address = f"{host}:{port}"
        super().__init__()

    def load_config(self) -> None:
        """This module's settings, with exactly one worker and the embedded hooks."""
        settings = {
            "worker_class": worker_class, "threads": threads,
            "worker_connections": worker_connections, "timeout": timeout,
            "graceful_timeout": graceful_timeout, "keepalive": keepalive,
            "accesslog": accesslog, "bind": [self.address],
            "control_socket_disable": control_socket_disable,
            "secure_scheme_headers": secure_scheme_headers,
            "forwarded_allow_ips": forwarded_allow_ips,
            # One process: the in-process queue consumer and event bus see every request.
            "workers": 1,
            "post_worker_init": embedded_worker_init,
            "worker_int": close_streams,
            "worker_exit": embedded_worker_exit,
        }
        for name, value in settings.items():
            if name in self.cfg.settings:  # older gunicorn has no control socket setting
                self.cfg.set(name, value)

    def load(self):
        """The WSGI app the worker serves."""
        return self.application
