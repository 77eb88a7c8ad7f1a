"""The library's template helpers: item URLs and the delete question."""

from flask import Flask, g, url_for

from . import items

# Item URLs by kind: endpoint and fixed arguments. A 50-card page would otherwise build
# 250 URLs through the router, a third of its render time.
ITEM_URLS = {
    "file": ("media.file", {}),
    "preview": ("media.preview", {}),
    "download": ("media.file", {"download": 1}),
    "confirm_delete": ("library.confirm_delete", {}),
    "delete": ("library.delete", {}),
}
_PLACEHOLDER = 2147483647


def register(app: Flask) -> None:
    """Offer the library's helpers to every template."""
    app.add_template_global(item_url)
    app.add_template_global(confirm_question)


def item_url(kind: str, media_id: int) -> str:
    """The URL of one kind (ITEM_URLS) for one item, from one url_for per kind and request."""
    patterns = g.get("library_item_urls")
    if patterns is None:
        patterns = g.library_item_urls = {
            name: url_for(endpoint, media_id=_PLACEHOLDER, **extra).split(str(_PLACEHOLDER))
            for name, (endpoint, extra) in ITEM_URLS.items()
        }
    before, after = patterns[kind]
    return f"{before}{int(media_id)}{after}"


def confirm_question(item, release_titles: list[str]) -> str:
    """The plain-text question asked before deleting (no markup: it goes in hx-confirm)."""
    return items.confirm_question(item, release_titles)
