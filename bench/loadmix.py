"""A signed-in load mix against a running Soundstage, with latencies and error counts.

Each virtual user logs in through the real form, then loops over a weighted mix:
conditional library refreshes, library pages, explore, the explore feed, profiles,
studio submits, renames and posts. SSE subscribers hold /events open meanwhile.
An error is a 5xx other than 503, or a broken connection; 503 (with Retry-After)
and refusals by limits (422/429) are counted apart.
"""

import http.client
import random
import re
import threading
import time
import uuid
from dataclasses import dataclass, field

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Visitor:
    """One browser: a keep-alive connection, a cookie and a CSRF token."""

    def __init__(self, port: int) -> None:
        """Connect lazily to the server on `port`."""
        self.port = port
        self.cookie = ""
        self.token = ""
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: str = "", headers: dict | None = None):
        """Send one request; return (status, body text, response headers)."""
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.token
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.connection.request(method, path, body=body.encode(), headers=headers)
                response = self.connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = None
                if attempt:
                    raise
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        if match := CSRF.search(text):
            self.token = match.group(1)
        return response.status, text, response

    def sign_up(self, username: str, password: str) -> None:
        """Create an account through the form (and stay signed in)."""
        self.request("GET", "/signup")
        body = f"username={username}&password={password.replace(' ', '+')}&csrf_token={self.token}"
        status, _, _ = self.request("POST", "/signup", body)
        assert status == 303, status
        self.request("GET", "/studio")


@dataclass
class Tally:
    """Counts and latencies, shared by the load threads."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    broken: int = 0
    unavailable: int = 0
    refused: int = 0
    writes_ok: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, started: float, status: int | None, write_ok: bool = False) -> None:
        """Record one request's outcome."""
        with self.lock:
            self.latencies.append((time.perf_counter() - started) * 1000)
            if status is None:
                self.errors += 1
                self.broken += 1
                return
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status == 503:
                self.unavailable += 1
            elif status >= 500:
                self.errors += 1
            elif status in (422, 429):
                self.refused += 1
            if write_ok:
                self.writes_ok += 1


def one_action(visitor: Visitor, username: str, tally: Tally, versions: dict) -> None:
    """Do one weighted-random thing a signed-in person does."""
    roll = random.random()
    started = time.perf_counter()
    try:
        if roll < 0.35:
            headers = {"HX-Request": "true", "HX-Request-Type": "partial"}
            if versions.get(username):
                headers["HX-PTag"] = versions[username]
            status, _, response = visitor.request("GET", "/library/grid?tab=music", headers=headers)
            versions[username] = response.getheader("HX-PTag") or versions.get(username)
        elif roll < 0.45:
            status, _, _ = visitor.request("GET", "/library?tab=music")
        elif roll < 0.60:
            status, _, _ = visitor.request("GET", "/explore")
        elif roll < 0.70:
            status, _, _ = visitor.request("GET", "/explore/feed",
                                           headers={"HX-Request": "true"})
        elif roll < 0.80:
            status, _, _ = visitor.request("GET", f"/u/{username}")
        elif roll < 0.88:
            body = (f"kind=image&prompt=load+test+{uuid.uuid4().hex[:6]}&genre=pop&duration=10"
                    f"&request_id={uuid.uuid4()}")
            status, _, _ = visitor.request("POST", "/generations", body)
        elif roll < 0.93:
            status, _, _ = visitor.request("POST", "/settings/profile",
                                           f"username={username}x&current_password=load+password")
        else:
            status, _, _ = visitor.request("POST", "/posts", f"body=load+post+{time.time()}")
            tally.record(started, status, write_ok=status == 303)
            return
    except (http.client.HTTPException, OSError):
        status = None
    tally.record(started, status)


def hold_stream(port: int, cookie: str, stop: threading.Event, counts: list) -> None:
    """Keep one SSE stream open until `stop`, counting the events it receives."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/events", headers={"Cookie": cookie})
        response = connection.getresponse()
        while not stop.is_set():
            line = response.fp.readline()
            if not line:
                break
            if line.startswith(b"event:"):
                counts[0] += 1
    except (http.client.HTTPException, OSError):
        counts[1] += 1


def run_load(port: int, users: int, seconds: float, streams: int,
             during=None) -> tuple[Tally, list]:
    """Run the mix with `users` threads for `seconds`, calling `during(elapsed, tally)`."""
    visitors = []
    for index in range(users):
        visitor = Visitor(port)
        name = f"load{index}{uuid.uuid4().hex[:5]}"
        visitor.sign_up(name, "load password")
        visitors.append((visitor, name))
    tally = Tally()
    stop = threading.Event()
    stream_counts = [0, 0]
    stream_threads = [
        threading.Thread(target=hold_stream, args=(port, visitors[i % users][0].cookie, stop,
                                                   stream_counts), daemon=True)
        for i in range(streams)
    ]
    versions: dict[str, str] = {}

    def loop(visitor: Visitor, name: str) -> None:
        """One user's loop."""
        while not stop.is_set():
            one_action(visitor, name, tally, versions)

    threads = [threading.Thread(target=loop, args=pair, daemon=True) for pair in visitors]
    for thread in stream_threads + threads:
        thread.start()
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if during is not None:
            during(time.monotonic() - started, tally)
        time.sleep(0.1)
    stop.set()
    for thread in threads:
        thread.join(timeout=35)
    return tally, stream_counts
