"""The one shape of a refused service call, shared by the write path and the tools.

Services (no Flask) raise ``ServiceError("code", status=..., **params)``: ``code`` for
programs (stable: scripts, tests and the API's answers rely on it), ``params`` the values
a sentence needs, ``status`` the HTTP status. They carry no sentence: the web layer turns
the code into one in the reader's language (``web.localized(err)``, from the table of
:mod:`wikicoop.error_messages`, other languages from the catalog); the API answers
``{error, code}``. ``str(err)`` and ``err.message`` are the French sentence, for the CLI
and logs; ``error_messages.sentence_in(err, language)`` says it in another language.
"""

from __future__ import annotations

from typing import Any

from .error_messages import sentence  # the sentences: no Flask


class ServiceError(Exception):
    """A refused act: a stable ``code``, its ``params`` and an HTTP ``status``."""

    def __init__(self, code: str, *, status: int = 400, **params: Any) -> None:
        if "message" in params or "message_en" in params:
            raise TypeError(f"{code}: a service error carries no sentence (see error_messages)")
        super().__init__(code)
        self.code = code
        self.status = status
        self.params = params

    @property
    def message(self) -> str:
        """The French sentence (the source language), outside any request."""
        return sentence(self)

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
