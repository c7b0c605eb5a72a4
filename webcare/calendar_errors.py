"""The error of `webcare.calendar`, apart so that its module stays small."""

from __future__ import annotations


class CalendarError(ValueError):
    """A calendar definition or a question to it that makes no sense; the message says why (in English, for the
    API and the CLI), `code` and `params` say it for a translation on the web pages (`code` None: no translation)."""

    def __init__(self, message: str, code: str | None = None, **params):
        super().__init__(message)
        self.code, self.params = code, params
