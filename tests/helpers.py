"""Shared htmx test helpers: the headers htmx sends, requests made as htmx makes them, parsed HTML.

    from tests.helpers import HX, HX_BOOST, hx_get, hx_post, soup, triggers

    fragment = hx_get(client, "/library/grid", tag=held_tag)  # a check: 304 if unchanged
    answer = hx_post(client, "/releases", data=form)           # a form sent by htmx
    soup(answer).select(".card")                              # the HTML, parsed
    triggers(answer)                                          # its HX-Trigger events
"""

import json

from bs4 import BeautifulSoup
from flask.testing import FlaskClient

# What htmx 4 sends on a request that swaps a region (hx-get, hx-post, a polling check).
HX = {"HX-Request": "true", "HX-Request-Type": "partial"}
# What htmx 4 sends when a boosted link or form navigates.
HX_BOOST = {**HX, "HX-Boosted": "true"}


def soup(response) -> BeautifulSoup:
    """The response's HTML, parsed."""
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def triggers(response) -> dict:
    """The HX-Trigger events of a response (empty when it has none)."""
    return json.loads(response.headers.get("HX-Trigger") or "{}")


def hx_headers(tag: str | None = None, **extra: str) -> dict:
    """htmx's request headers, with the held version (HX-PTag) when given."""
    headers = dict(HX)
    if tag is not None:
        headers["HX-PTag"] = tag
    headers.update(extra)
    return headers


def hx_get(client: FlaskClient, url: str, tag: str | None = None, **kwargs):
    """GET as htmx does, holding `tag` if given (the answer is 304 when nothing changed)."""
    return client.get(url, headers=hx_headers(tag), **kwargs)


def hx_post(client: FlaskClient, url: str, data: dict | None = None, **kwargs):
    """POST a form as htmx does."""
    return client.post(url, data=data, headers=HX, **kwargs)
