"""Enumerate the app's routes from app.url_map, so new routes are covered without edits."""

from flask import Flask

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
SAMPLE_VALUES = {"int": "1", "default": "sample"}


def sample_url(rule) -> str:
    """A concrete URL for a rule, with placeholder values for its arguments."""
    url = rule.rule
    for converter in rule._converters.values():
        kind = type(converter).__name__
        value = SAMPLE_VALUES["int"] if kind == "IntegerConverter" else SAMPLE_VALUES["default"]
        start = url.index("<")
        end = url.index(">", start)
        url = url[:start] + value + url[end + 1 :]
    return url


def routes(app: Flask, methods: set[str]) -> list[tuple[str, str, str]]:
    """(endpoint, method, sample url) for every rule accepting one of `methods`."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) & methods):
            found.append((rule.endpoint, method, sample_url(rule)))
    return found
