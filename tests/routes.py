"""Enumerate the app's routes from app.url_map, so new routes are covered without edits."""

from collections.abc import Callable

from flask import Flask

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
SAMPLE_VALUES = {"int": "1", "default": "sample"}


def fill_rule(rule, value_for: Callable[[str], object]) -> str | None:
    """The rule's URL with each `<...>` set to value_for(argument name); None if one is None."""
    url = rule.rule
    start = url.find("<")
    while start != -1:
        end = url.index(">", start)
        value = value_for(url[start + 1 : end].rpartition(":")[2])
        if value is None:
            return None
        text = str(value)
        url = url[:start] + text + url[end + 1 :]
        start = url.find("<", start + len(text))
    return url


def sample_url(rule) -> str:
    """A concrete URL for a rule, with placeholder values for its arguments."""
    return fill_rule(rule, lambda name: SAMPLE_VALUES[
        "int" if type(rule._converters[name]).__name__ == "IntegerConverter" else "default"
    ])


def routes(app: Flask, methods: set[str]) -> list[tuple[str, str, str]]:
    """(endpoint, method, sample url) for every rule accepting one of `methods`."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) & methods):
            found.append((rule.endpoint, method, sample_url(rule)))
    return found
