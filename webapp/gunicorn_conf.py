"""gunicorn settings for production: gthread workers, graceful shutdown that closes SSE streams.

Use: gunicorn -c python:webapp.gunicorn_conf "webapp:create_app()"
"""

import os
import signal

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


def post_worker_init(worker) -> None:
    """On SIGTERM, close this worker's SSE streams first so browsers reconnect elsewhere."""
    original = signal.getsignal(signal.SIGTERM)

    def close_streams_then_exit(signum, frame) -> None:
        """Ask every open stream to end, then let gunicorn finish requests gracefully."""
        bus = getattr(worker.wsgi, "extensions", {}).get("event_bus")
        if bus is not None:
            bus.closing.set()
        if callable(original):
            original(signum, frame)

    signal.signal(signal.SIGTERM, close_streams_then_exit)
    signal.siginterrupt(signal.SIGTERM, False)
