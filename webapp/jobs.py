"""Background jobs (Huey). Filled in by the generation work; these are the entry points."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Create the app's queue."""


def start_embedded(app: Flask) -> None:
    """Start consumer threads inside this process (embedded default)."""


def stop_embedded(app: Flask) -> None:
    """Stop embedded consumer threads."""


def run_consumer(app: Flask, workers: int) -> None:
    """Run a consumer in the foreground (scale-out)."""
