"""One page as a file to take away: Markdown with a licence header (YAML front matter)
and a standalone HTML document (the rendered, sanitized HTML under a header naming the
licence and the authors)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape

from .reuse_credit import Credit, credit_html

#: the front matter's keys, in order
FRONT_MATTER_KEYS = ("title", "licence", "licence_url", "authors", "source", "revision", "date")


def _yaml_value(value: Any) -> str:
    """A YAML scalar or flow list: JSON's quoting is valid YAML and escapes everything."""
    return json.dumps(value, ensure_ascii=False)


def front_matter(values: dict[str, Any]) -> str:
    """A YAML front matter block (``---`` lines) of ``values``, in their order."""
    lines = [f"{key}: {_yaml_value(value)}" for key, value in values.items()]
    return "---\n" + "\n".join(lines) + "\n---\n"


def page_front_matter(credit: Credit, revision_id: int, date: datetime) -> dict[str, Any]:
    """The header of a page's Markdown: title, licence and its deed, authors, source,
    the revision exported and its date."""
    return {
        "title": credit.title,
        "licence": credit.licence,
        "licence_url": credit.licence_url,
        "authors": list(credit.authors),
        "source": credit.source,
        "revision": revision_id,
        "date": date.isoformat(),
    }


def markdown_export(credit: Credit, revision_id: int, date: datetime, text: str) -> str:
    """The page's Markdown source under its front matter."""
    return front_matter(page_front_matter(credit, revision_id, date)) + "\n" + text


def html_export(
    credit: Credit, body_html: str, words: dict[str, str], date: datetime, lang: str = "fr"
) -> str:
    """A standalone HTML document: a header with the credit line, then the page's
    rendered HTML (sanitized by the wiki's renderer, so trusted as it is)."""
    licence = escape(credit.licence_name)
    if credit.licence_url:
        licence = Markup('<a rel="license" href="{}">{}</a>').format(
            credit.licence_url, credit.licence_name
        )
    authors = ", ".join(credit.authors) or words["unknown_author"]
    head = Markup(
        '<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>{title}</title>\n"
        '<link rel="license" href="{licence_url}">\n'
        '<meta name="author" content="{authors}">\n'
        "</head>\n<body>\n<header>\n<h1>{title}</h1>\n"
        '<p class="credit">{credit}</p>\n'
        "<dl><dt>{authors_word}</dt><dd>{authors}</dd>"
        "<dt>{licence_word}</dt><dd>{licence}</dd>"
        '<dt>Source</dt><dd><a href="{source}">{source}</a></dd>'
        "<dt>Date</dt><dd>{date}</dd></dl>\n</header>\n<main>\n"
    ).format(
        lang=lang,
        title=credit.title,
        licence_url=credit.licence_url or credit.source,
        authors=authors,
        credit=credit_html(credit, words),
        authors_word=words["authors"],
        licence_word=words["licence_name"],
        licence=licence,
        source=credit.source,
        date=date.date().isoformat(),
    )
    return str(head) + body_html + "\n</main>\n</body>\n</html>\n"
