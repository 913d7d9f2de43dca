"""The one shape of a refused service call, shared by the write path and the tools.

Services (no Flask) raise a :class:`ServiceError`: ``code`` for programs, ``message``
(French) and ``message_en`` for people, ``status`` the HTTP status, ``details`` for the
API. The web layer shows ``web.localized(err)``; the API answers ``{error, code}``.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A refused act, in French and English, with its HTTP status."""

    def __init__(
        self,
        code: str,
        message: str,
        status: int = 400,
        *,
        message_en: str | None = None,
        **details: object,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.message_en = message_en if message_en is not None else message
        self.status = status
        self.details = details
