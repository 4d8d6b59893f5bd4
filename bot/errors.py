"""Typed domain errors. Each carries the sentence shown to the user; the handlers
choose the surface (modal field error, ephemeral, thread reply)."""

from __future__ import annotations

from storage.db import is_unavailable

DATABASE_UNAVAILABLE = (
    ":hourglass_flowing_sand: The hiring bot cannot reach its database right now, so that "
    "did not go through and nothing was saved. Please try again in a minute."
)


class DomainError(Exception):
    """An expected failure with a message fit for the user who caused it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    pass


class PermissionDenied(DomainError):
    pass


class Conflict(DomainError):
    pass


class Unavailable(DomainError):
    """A dependency (the database, Slack) is down; the user should try again."""


class InvalidInput(DomainError):
    """Bad form input; ``fields`` maps an input's name to its error."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(fields.values()))
        self.fields = fields


def as_domain_error(error: Exception) -> DomainError | None:
    """``error`` as the user should hear it: itself if it is a DomainError, Unavailable if
    the database could not be reached; None for a fault of ours."""
    if isinstance(error, DomainError):
        return error
    if is_unavailable(error):
        return Unavailable(DATABASE_UNAVAILABLE)
    return None
