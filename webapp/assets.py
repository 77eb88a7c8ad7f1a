"""Static files under content-hashed names, served immutable and compressed; HTML compressed.

At start the static folder is read into a manifest: `app.css` -> `app.<hash>.css`. Templates
keep calling `url_for('static', filename='app.css')`; a URL default rewrites the name to the
hashed one, whose response is cached for a year (`immutable`): a new file content is a new
URL. The unhashed name still answers, with `no-cache`. Compressed bodies (Brotli at its
best quality, gzip) are made once per file content and process, on first request.

Dynamic text responses (pages and fragments) are compressed per request when the client
accepts it; streams (SSE), files sent from disk and empty answers (304) are left alone.
"""

import gzip
import hashlib
import mimetypes
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import brotli
from flask import Flask, Response, abort, request, session

IMMUTABLE = "public, max-age=31536000, immutable"
COMPRESSIBLE = frozenset({
    "text/html", "text/css", "text/plain", "text/markdown", "text/javascript",
    "application/javascript", "application/json", "image/svg+xml",
})
# Below this, headers outweigh what compression saves.
MIN_COMPRESS_BYTES = 512
# Brotli quality per request: 5 compresses a page about as fast as gzip -6, and smaller.
DYNAMIC_BROTLI_QUALITY = 5
HASH_LENGTH = 12


def compress(body: bytes, encoding: str, dynamic: bool) -> bytes:
    """`body` in `encoding` ("br" or "gzip"): quick for responses, smallest for static files."""
    if encoding == "br":
        return brotli.compress(body, quality=DYNAMIC_BROTLI_QUALITY if dynamic else 11)
    return gzip.compress(body, compresslevel=6 if dynamic else 9, mtime=0)


def accepted_encoding() -> str | None:
    """The best encoding the request accepts: Brotli, then gzip, else none."""
    accepts = request.accept_encodings
    br, gz = accepts["br"], accepts["gzip"]
    if br and br >= gz:
        return "br"
    return "gzip" if gz else None


@dataclass
class Asset:
    """One static file's bytes, type and content hash, with its compressed forms."""

    data: bytes
    mimetype: str
    digest: str
    _encoded: dict[str, bytes | None] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def compressible(self) -> bool:
        """Whether compressing this type is worth it at all."""
        return self.mimetype in COMPRESSIBLE

    def encoded(self, encoding: str) -> bytes | None:
        """The body in `encoding`, made once; None when it would not be smaller."""
        with self._lock:
            if encoding not in self._encoded:
                body = compress(self.data, encoding, dynamic=False)
                self._encoded[encoding] = body if len(body) < len(self.data) else None
            return self._encoded[encoding]


@lru_cache(maxsize=256)
def load_asset(path: str, mtime_ns: int, size: int) -> Asset:
    """Read one file (once per content version and process: apps in tests share it)."""
    data = Path(path).read_bytes()
    mimetype = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return Asset(data, mimetype, hashlib.sha256(data).hexdigest()[:HASH_LENGTH])


def hashed_name(name: str, digest: str) -> str:
    """`css/app.css` -> `css/app.<digest>.css` (a name without a suffix gets it at the end)."""
    folder, _, base = name.rpartition("/")
    stem, dot, suffix = base.rpartition(".")
    renamed = f"{stem}.{digest}.{suffix}" if dot and stem else f"{base}.{digest}"
    return f"{folder}/{renamed}" if folder else renamed


class Manifest:
    """Every static file by its plain and its hashed name."""

    def __init__(self, folder: str | Path) -> None:
        """Read the folder's files (cached per content) and name them."""
        self.hashed: dict[str, str] = {}
        self.files: dict[str, tuple[Asset, bool]] = {}
        root = Path(folder)
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            stat = path.stat()
            asset = load_asset(str(path), stat.st_mtime_ns, stat.st_size)
            name = path.relative_to(root).as_posix()
            hashed = hashed_name(name, asset.digest)
            self.hashed[name] = hashed
            self.files[name] = (asset, False)
            self.files[hashed] = (asset, True)

    def url_defaults(self, endpoint: str, values: dict) -> None:
        """Make url_for('static', filename=name) name the hashed file."""
        if endpoint == "static":
            name = values.get("filename")
            if name in self.hashed:
                values["filename"] = self.hashed[name]

    def serve(self, filename: str) -> Response:
        """The `static` view: a known file, compressed when accepted, cached by its name."""
        found = self.files.get(filename)
        if found is None:
            abort(404)
        asset, immutable = found
        encoding = accepted_encoding() if asset.compressible else None
        body = asset.encoded(encoding) if encoding else None
        response = Response(body or asset.data, mimetype=asset.mimetype)
        if body is not None:
            response.headers["Content-Encoding"] = encoding
        if asset.compressible:
            response.vary.add("Accept-Encoding")
        response.set_etag(f"{asset.digest}-{encoding}" if body is not None else asset.digest)
        response.headers["Cache-Control"] = IMMUTABLE if immutable else "no-cache"
        return response.make_conditional(request)


def compress_response(response: Response) -> Response:
    """Compress a page or fragment when accepted; never streams, files, or empty bodies."""
    if (
        response.direct_passthrough
        or response.is_streamed
        or request.endpoint == "static"
        or response.mimetype not in COMPRESSIBLE
        or "Content-Encoding" in response.headers
    ):
        return response
    body = response.get_data()
    if len(body) < MIN_COMPRESS_BYTES:
        return response
    response.vary.add("Accept-Encoding")
    encoding = accepted_encoding()
    if encoding is None:
        return response
    response.set_data(compress(body, encoding, dynamic=True))
    response.headers["Content-Encoding"] = encoding
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(f"{etag}-{encoding}", weak)
    return response


def forget_session_reads(response: Response) -> Response:
    """Static files never depend on the cookie: no `Vary: Cookie` on them.

    Flask-Login reads the session after every request, which would make Flask add
    `Vary: Cookie`, and browsers fetch every cached file again after a log-in.
    """
    if request.endpoint == "static":
        session.accessed = False
    return response


def init_app(app: Flask) -> None:
    """Serve `static` from the manifest, hash its URLs, compress dynamic text responses."""
    manifest = Manifest(app.static_folder)
    app.extensions["assets"] = manifest
    app.url_defaults(manifest.url_defaults)
    app.view_functions["static"] = manifest.serve
    # Registered before the other hooks, so it runs after them on the finished body.
    app.after_request(compress_response)
    app.after_request(forget_session_reads)
