"""The only module that spells htmx header names, and the answer every htmx form gives."""

import functools
import json
from collections.abc import Callable, Iterable

from flask import Response, flash, make_response, redirect, request
from werkzeug.urls import iri_to_uri


def is_htmx() -> bool:
    """Whether htmx sent this request (including boosted and history requests)."""
    return request.headers.get("HX-Request") == "true"


def _wants_fragment() -> bool:
    """An htmx request that swaps part of the page (not a history restore)."""
    return (
        is_htmx()
        and request.headers.get("HX-Request-Type", "partial") == "partial"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def is_boosted() -> bool:
    """A boosted link or form: it wants the whole page's <main> and title, nothing else."""
    return _wants_fragment() and request.headers.get("HX-Boosted") == "true"


def is_partial() -> bool:
    """Whether htmx wants a region's fragment (a boosted request wants a page's <main>)."""
    return _wants_fragment() and not is_boosted()


def trigger(response: Response, name: str, detail: dict | None = None) -> Response:
    """Add an event to the response's HX-Trigger JSON, keeping any already there."""
    events = json.loads(response.headers.get("HX-Trigger") or "{}")
    events[name] = detail or {}
    # WSGI header values must be latin-1: keep the JSON ASCII-escaped.
    response.headers["HX-Trigger"] = json.dumps(events, ensure_ascii=True)
    return response


def announce(response: Response, message: str) -> Response:
    """Have the page's status region say `message` (for screen readers and everyone)."""
    return trigger(response, "status-announced", {"message": message})


def redirect_to(url: str) -> Response:
    """Send the browser to `url`: HX-Redirect for htmx, 303 otherwise."""
    if is_htmx():
        response = make_response("", 204)
        # Headers are Latin-1 on the wire: a raw non-Latin-1 path would never be sent.
        response.headers["HX-Redirect"] = iri_to_uri(url)
        return response
    return redirect(url, 303)


def login_redirect(url: str) -> Response:
    """Refuse an anonymous htmx request with 401 and send the page to the login form."""
    response = make_response("", 401)
    response.headers["HX-Redirect"] = iri_to_uri(url)
    return response


def client_version() -> str | None:
    """The version tag the page holds for the requesting region (hx-ptag)."""
    return request.headers.get("HX-PTag")


def set_version(response: Response, version: str) -> Response:
    """Tell the region which version it now holds."""
    response.headers["HX-PTag"] = version
    return response


def versioned_fragment(version: str, render: Callable[[], str]) -> Response:
    """The region's fragment tagged with `version`, or an empty 304 if the page holds it."""
    if client_version() == version:
        return set_version(make_response("", 304), version)
    return set_version(make_response(render()), version)


def vary(response: Response) -> Response:
    """Mark a response whose body depends on whether htmx asked for it."""
    response.vary.add("HX-Request")
    response.vary.add("HX-Request-Type")
    return response


def after_boosted(response: Response) -> Response:
    """Pages answer a boosted request with their <main> only, so caches must tell them apart;
    a boosted form answered without a redirect (its errors) keeps the address it came from,
    which a reload can GET."""
    if response.mimetype == "text/html":
        response.vary.add("HX-Boosted")
    if is_boosted() and request.method != "GET" and not 300 <= response.status_code < 400:
        response.headers["HX-Push-Url"] = "false"
    return response


def retarget(response: Response, selector: str, swap: str) -> Response:
    """Have htmx put this response somewhere other than the element that asked."""
    response.headers["HX-Retarget"] = selector
    response.headers["HX-Reswap"] = swap
    return response


def fragment_of(page_url: Callable[..., str]) -> Callable[[Callable], Callable]:
    """Make a view a region's fragment: plain visits go (303) to `page_url(**view_args)`."""

    def decorate(view: Callable) -> Callable:
        """Wrap one fragment view."""

        @functools.wraps(view)
        def fragment_view(**view_args) -> Response:
            """The fragment for htmx, the page's address for anything else."""
            if not is_partial():
                return vary(redirect(page_url(**view_args), 303))
            return vary(make_response(view(**view_args)))

        return fragment_view

    return decorate


def form_errors(form: Callable[[], str], page: Callable[[], str], status: int = 422) -> Response:
    """A form that did not validate: its partial for htmx, the whole page for a plain post."""
    return vary(make_response(form() if is_partial() else page(), status))


def form_done(
    message: str,
    next_url: str,
    partial: Callable[[], str] = str,
    events: Iterable[tuple[str, dict]] = (),
) -> Response:
    """A form that did its work: htmx gets `partial` (default: empty) and `events`."""
    return _form_answer(message, next_url, partial, 200, "success", events)


def form_refused(
    message: str, back_url: str, partial: Callable[[], str] = str, status: int = 422
) -> Response:
    """A form the server turned down (a block, a rate limit): htmx gets `partial` and `status`."""
    return _form_answer(message, back_url, partial, status, "error")


def _form_answer(
    message: str, next_url: str, partial: Callable[[], str], status: int, category: str,
    events: Iterable[tuple[str, dict]] = (),
) -> Response:
    """htmx: the partial with `events` and `message` announced; a plain post: flash and 303."""
    if not is_partial():
        flash(message, category)
        return vary(redirect(next_url, 303))
    response = make_response(partial(), status)
    for name, detail in events:
        trigger(response, name, detail)
    return vary(announce(response, message))
