"""Addresses of pages and of the plugin's own views (titles percent-encoded)."""

from __future__ import annotations

from urllib.parse import quote

from flask import request

from wikicoop.text.titles import Title
from wikicoop.web.urls import page_url


def absolute_url(title: Title) -> str:
    """A page's full address (for programs and calendar files read outside the wiki)."""
    return request.host_url.rstrip("/") + page_url(title)


def title_path(title: Title) -> str:
    """A title as it stands in the plugin's routes (as in ``/wiki/<title>``)."""
    return title.url_path


def quoted(value: str) -> str:
    """A place or a topic as one path segment."""
    return quote(value, safe="")


def registrations_url(title: Title) -> str:
    return f"/ateliers/{title_path(title)}/inscriptions"


def progress_url(title: Title) -> str:
    return f"/ateliers/{title_path(title)}/progression"


def sign_up_url(title: Title) -> str:
    return f"/ateliers/{title_path(title)}/inscription"
