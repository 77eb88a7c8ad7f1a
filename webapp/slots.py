"""Bounded concurrency for expensive work (password hashing, image decoding): a burst queues."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app

_setup = threading.Lock()


class Busy(RuntimeError):
    """Every slot stayed taken for the whole wait: answer 503 and let the client retry."""


@contextmanager
def slot(name: str, size: int, wait_seconds: float) -> Iterator[None]:
    """Hold one of `size` slots named `name` in this process, waiting at most `wait_seconds`."""
    slots = current_app.extensions.get(f"slots:{name}")
    if slots is None:
        with _setup:
            slots = current_app.extensions.setdefault(
                f"slots:{name}", threading.BoundedSemaphore(size)
            )
    if not slots.acquire(timeout=wait_seconds):
        raise Busy(name)
    try:
        yield
    finally:
        slots.release()
