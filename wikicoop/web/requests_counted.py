"""The outermost WSGI layer: counts the requests this process is answering, so that its
search indexing thread lets them go first (:mod:`wikicoop.search.activity`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..search.activity import REQUESTS


class CountedRequests:
    """Wrap a WSGI app: each call is counted in :data:`~wikicoop.search.activity.REQUESTS`
    while the app answers it (the body it returns is already made, or cheap to send)."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]):
        with REQUESTS.answering():
            return self.app(environ, start_response)
