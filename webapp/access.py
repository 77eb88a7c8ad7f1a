"""Every view declares who may see it: the route sweep fails on an undeclared one."""

from collections.abc import Callable
from typing import TypeVar

from flask import abort
from flask_login import login_required

T = TypeVar("T")


def public(view: Callable) -> Callable:
    """Mark a view as open to anyone."""
    view.access = "public"
    return view


def private(view: Callable) -> Callable:
    """Require a signed-in user, and mark the view as private."""
    wrapped = login_required(view)
    wrapped.access = "private"
    return wrapped


def or_404(found: T | None) -> T:
    """What a lookup found, or a 404: a missing thing and someone else's look the same."""
    if found is None:
        abort(404)
    return found
