"""The domain's own failures, raised by feature modules and mapped to HTTP here, in one place.

Domain code never raises web-framework errors: it raises `NotFound` (missing, or someone
else's: the two look the same), `Refused(reason)` (the request named nothing valid;
nothing changed) or `NotAllowed(reason)` (a valid request a rule forbids, such as a block).
A view lets them propagate; `init_app` answers 404, 400 and 422.
"""

from flask import Flask
from werkzeug.exceptions import BadRequest, HTTPException, UnprocessableEntity
from werkzeug.exceptions import NotFound as HTTPNotFound


class DomainError(Exception):
    """A request the domain cannot carry out; nothing was changed."""

    def http(self) -> HTTPException:
        """The HTTP error this failure answers with."""
        raise NotImplementedError


class NotFound(DomainError):
    """What was named does not exist or is not the asker's to see."""

    def http(self) -> HTTPException:
        """404, the same for a missing thing and someone else's."""
        return HTTPNotFound()


class Refused(DomainError):
    """The request named nothing valid (a forged or stale form); `reason` says what to do."""

    def __init__(self, reason: str) -> None:
        """Keep the person-readable reason."""
        super().__init__(reason)
        self.reason = reason

    def http(self) -> HTTPException:
        """400 with the reason shown on the error page."""
        return BadRequest(self.reason)


class NotAllowed(Refused):
    """A well-formed request that a rule forbids (a block between two people)."""

    def http(self) -> HTTPException:
        """422 with the reason shown."""
        return UnprocessableEntity(self.reason)


def init_app(app: Flask) -> None:
    """Answer domain failures with their HTTP error, through the app's HTTP error pages."""

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        """The HTTP error page for a domain failure."""
        return app.handle_http_exception(error.http())
