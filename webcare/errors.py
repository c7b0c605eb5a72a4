"""Domain errors raised by services; the edges map them to HTTP answers, flash messages or exit codes."""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken; `code` is stable for API clients, `message` is for people (in English)."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, fields: dict | None = None, code: str | None = None,
                 params: dict | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.params = params or {}  # the values a translated message of `code` names (the web pages)
        if code:
            self.code = code

    def to_dict(self) -> dict:
        return error_body(self.code, self.message, self.fields)


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    """The API's error answer (API.md): `{"error": {"code", "message", "fields"}}`, with `fields` always
    there (`{}` when no field is to blame) and each field's value a list of messages, as marshmallow gives
    them (a single message is put in a list; objects, as marshmallow's nested errors, keep their shape)."""
    return {"error": {"code": code, "message": message, "fields": _field_messages(fields or {})}}


def _field_messages(fields: dict) -> dict:
    return {str(name): _messages(value) for name, value in fields.items()}


def _messages(value) -> dict | list:
    if isinstance(value, dict):
        return _field_messages(value)
    if isinstance(value, list | tuple):
        return [item if isinstance(item, dict | list) else str(item) for item in value]
    return [str(value)]


class ValidationFailed(DomainError):
    status = 400
    code = "invalid"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Unprocessable(DomainError):
    status = 422
    code = "unprocessable"


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after
