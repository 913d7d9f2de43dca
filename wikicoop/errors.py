"""The one shape of a refused service call, shared by the write path and the tools.

Services (no Flask) raise ``ServiceError("code", status=..., **params)``: ``code`` for
programs (stable: scripts and tests rely on it), ``params`` the values a sentence needs,
``status`` the HTTP status. They carry no sentence: the web layer turns the code into one
in the reader's language (``web.localized(err)``, the table of
:mod:`wikicoop.error_messages`, English and other languages from the catalog); the API
answers ``{error, code}``. ``err.message`` is the French sentence, for the CLI and logs.

During the transition an error may still be raised the old way, with its sentence:
``ServiceError(code, "message en français", status, message_en="...")``.
"""

from __future__ import annotations

from typing import Any

from .error_messages import sentence, sentence_in  # the sentences: no Flask


class ServiceError(Exception):
    """A refused act: a stable ``code``, its ``params`` and an HTTP ``status``."""

    def __init__(
        self,
        code: str,
        message: str | None = None,
        status: int = 400,
        *,
        message_en: str | None = None,
        **params: Any,
    ) -> None:
        super().__init__(code if message is None else message)
        self.code = code
        self.status = status
        self.params = params
        self.details = params  # the former name of ``params``
        # old style only: the sentences written by the service itself
        self.legacy_message = message
        self.legacy_message_en = message_en if message_en is not None else message

    @property
    def message(self) -> str:
        """The French sentence (the source language), outside any request."""
        if self.legacy_message is not None:
            return self.legacy_message
        return sentence(self)

    @property
    def message_en(self) -> str:
        """The English sentence: the one an old-style error was raised with, else the
        catalog's. Kept for the callers not converted yet; the web layer uses
        ``web.localized(err)``, which follows the reader's language."""
        if self.legacy_message_en is not None:
            return self.legacy_message_en
        return sentence_in(self, "en")

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # pickling (e.g. from a worker thread) keeps code, status and params
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(cls: type[ServiceError], args: tuple, state: dict) -> ServiceError:
    """Unpickle a :class:`ServiceError` (or a subclass with another signature)."""
    err = Exception.__new__(cls)
    err.args = args
    err.__dict__.update(state)
    return err
