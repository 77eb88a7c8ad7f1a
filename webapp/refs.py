"""Signed references to users in public fragment URLs, so ids cannot be walked to list accounts."""

import base64
import hashlib
import hmac

from flask import current_app
from werkzeug.routing import BaseConverter, ValidationError

MAX_ID = 2_147_483_647


def _signature(user_id: int) -> str:
    """A short keyed digest of one user id (HMAC-SHA256 with the app's secret key)."""
    key = current_app.secret_key.encode() if isinstance(current_app.secret_key, str) else (
        current_app.secret_key
    )
    digest = hmac.new(key, f"profile-ref:{user_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode()


class UserRef(BaseConverter):
    """`<user_ref:user_id>`: the URL holds "<id>-<signature>"; a forged one is a 404."""

    regex = r"[0-9]{1,10}-[A-Za-z0-9_-]{16}"

    def to_python(self, value: str) -> int:
        """The user id of a reference this app made; anything else does not match the route."""
        raw_id, signature = value.split("-", 1)
        user_id = int(raw_id)
        if user_id > MAX_ID or not hmac.compare_digest(signature, _signature(user_id)):
            raise ValidationError()
        return user_id

    def to_url(self, value: int) -> str:
        """The signed reference for a user id."""
        return f"{int(value)}-{_signature(int(value))}"
