"""The domain error hierarchy: a rule said no. Every domain's errors derive from DomainError;
portal.web.errors only maps them to responses (a page or JSON), never the other way round."""

from __future__ import annotations


class DomainError(Exception):
    """A rule said no. Views let it through (or render it); it becomes a 4xx."""

    status = 409

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        if status:
            self.status = status


class NotAllowed(DomainError):
    """The user may not do this (403)."""

    status = 403


class NotFound(DomainError):
    """The thing asked for does not exist, or the user may not know it does (404)."""

    status = 404


class Conflict(DomainError):
    """Someone else changed the thing a moment ago, or the action is no longer possible."""

    status = 409


class InvalidInput(DomainError):
    """What was typed cannot be accepted: {field name: message}, shown beside each field."""

    status = 422

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors
