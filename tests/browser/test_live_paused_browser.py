"""A page turned away from live updates (the process's streams are all taken) shows no error
and keeps its focus and visibility checks."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import sign_up


def test_a_page_refused_a_stream_shows_nothing_and_still_rechecks(new_page, live_server):
    """With the stream cap reached, /events answers 'wait a minute': no message in the status
    region, no console error, and the page still re-checks when shown again."""
    page = new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    sign_up(page, live_server)
    # Leave the signed-up page first: on a busy machine its own stream's answer could still
    # arrive after the cap is lowered and be taken for the new page's.
    page.goto("about:blank")
    config = live_server.app.config
    saved = config["SSE_MAX_STREAMS_PER_PROCESS"]
    config["SSE_MAX_STREAMS_PER_PROCESS"] = 0
    try:
        with page.expect_response(re.compile(r"/events$")) as answer:
            page.goto(live_server.at("/notifications"))
        assert answer.value.status == 200
        assert answer.value.headers.get("x-live-updates") == "paused"
        page.wait_for_timeout(1500)
        expect(page.locator("#status")).to_have_text("")
        assert errors == []
        with page.expect_response(re.compile(r"/notifications/list")) as check:
            page.evaluate("() => document.dispatchEvent(new CustomEvent('page-visible'))")
        assert check.value.status in (200, 304)
    finally:
        config["SSE_MAX_STREAMS_PER_PROCESS"] = saved
