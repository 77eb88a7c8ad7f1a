"""Publishing's template helpers: release addresses, feed links and version tags (no queries:
views pass what a page shows)."""

from typing import NamedTuple

from flask import Flask, url_for
from flask_login import current_user

from .. import names
from . import feeds, releases

# A feed's page and its fragment, by scope ("user" feeds are addressed by their author).
FEED_ENDPOINTS = {
    "everyone": ("publishing.explore", "publishing.explore_feed"),
    "following": ("publishing.following", "publishing.following_feed"),
    "liked": ("publishing.liked", "publishing.liked_feed"),
}


class FeedLinks(NamedTuple):
    """Where a feed re-fetches itself and where its newer and older pages are."""

    feed_url: str
    newer_url: str
    older_url: str
    newer_href: str
    older_href: str


def register(app: Flask) -> None:
    """Offer publishing's helpers to every template."""
    app.add_template_global(release_url)
    app.add_template_global(viewer_feed_tag, "feed_tag")
    app.add_template_global(release_tag)
    app.add_template_global(feed_links)
    # The studio's vocabulary, offered by the release forms' genre and mood fields.
    app.add_template_global(releases.GENRES, "release_genres")
    app.add_template_global(releases.MOODS, "release_moods")


def release_url(release) -> str:
    """A release page's readable address (it follows the title)."""
    return names.release_url(release)


def release_tag(release, author) -> str:
    """The version of everything a release page's details show."""
    return releases.release_tag(release, author)


def viewer_feed_tag(feed: feeds.Feed) -> str:
    """The version tag of a feed as the current viewer sees it."""
    viewer = current_user.id if current_user.is_authenticated else None
    return feeds.feed_tag(feed, viewer)


def feed_links(feed: feeds.Feed) -> FeedLinks:
    """The feed's fragment URLs (this page, newer, older) and the page addresses people see;
    a user's feed pages show the profile's own address (by the current name) when known."""
    if feed.scope == "user":
        fragment, arguments = "publishing.user_feed", {"user_id": feed.author_id}
        page, page_arguments = fragment, arguments
        if feed.entries:
            page = "profiles.public_profile"
            page_arguments = {"username": feed.entries[0].author.username}
    else:
        page, fragment = FEED_ENDPOINTS[feed.scope]
        arguments = page_arguments = {}
    return FeedLinks(
        url_for(fragment, page=feed.page, **arguments),
        url_for(fragment, page=feed.page - 1, **arguments),
        url_for(fragment, page=feed.page + 1, **arguments),
        url_for(page, page=feed.page - 1, **page_arguments),
        url_for(page, page=feed.page + 1, **page_arguments),
    )
