"""Markdown rendering: text -> sanitized HTML, table of contents, links and categories.

Pure: this package never imports Flask or the application.
"""

from .pipeline import RenderedPage, Renderer, TocEntry, heading_anchor, render_text
from .sanitize import sanitize_html

__all__ = ["RenderedPage", "Renderer", "TocEntry", "heading_anchor", "render_text", "sanitize_html"]
