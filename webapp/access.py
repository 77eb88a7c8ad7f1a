"""Every view declares who may see it: the route sweep fails on an undeclared one."""

from collections.abc import Callable

from flask_login import login_required


def public(view: Callable) -> Callable:
    """Mark a view as open to anyone."""
    view.access = "public"
    return view


def private(view: Callable) -> Callable:
    """Require a signed-in user, and mark the view as private."""
    wrapped = login_required(view)
    wrapped.access = "private"
    return wrapped
