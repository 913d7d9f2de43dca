"""A category, or the whole wiki, as a zip archive written to a temporary file (never
held in memory): each page's Markdown with its front matter, its full public history
(one JSON object per published revision), the files it embeds with their versions
(when the media library is there), LICENCES.md, ATTRIBUTIONS.md and manifest.json.

Only what every visitor may read leaves: live pages with a published version, and
their published revisions (pending, rejected and hidden ones never; deleted pages
never). Pages are read in batches, their revisions with one query per batch.
"""

from __future__ import annotations

import json
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wikicoop.core.models import CategoryMembership, Page, Revision, User
from wikicoop.text.titles import Title, make_title

from .export_page import front_matter
from .reuse_credit import licence_label

#: the archive's format, in manifest.json (an importer refuses another major version)
FORMAT = "wikicoop-export"
FORMAT_VERSION = 1
#: pages read (with their revisions) per query
BATCH = 200


@dataclass(frozen=True)
class ExportedPage:
    """A page's entry in the archive: where its files are, its licence and authors."""

    title: str
    licence: str
    authors: tuple[str, ...]
    markdown: str
    history: str
    revisions: int
    source: str


@dataclass
class Summary:
    """What an export wrote, for its manifest and its attribution files."""

    pages: list[ExportedPage] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)

    @property
    def revisions(self) -> int:
        return sum(page.revisions for page in self.pages)


def page_ids(session: Session, category: str | None) -> list[int]:
    """The public pages to export (of ``category``, or all), by title."""
    query = select(Page.id).where(Page.deleted_at.is_(None), Page.latest_revision_id.is_not(None))
    if category is not None:
        query = query.join(CategoryMembership, CategoryMembership.page_id == Page.id).where(
            CategoryMembership.category == category
        )
    return list(session.scalars(query.order_by(Page.namespace, Page.name)))


def _batches(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


#: what is read of a revision (plain rows, not ORM objects: nothing stays in the session)
REVISION_COLUMNS = (
    Revision.id,
    Revision.page_id,
    Revision.created_at,
    Revision.summary,
    Revision.minor,
    Revision.licence,
    Revision.action,
    Revision.page_type,
    Revision.fields,
    Revision.text,
    Revision.author_ip,
)
PAGE_COLUMNS = (Page.id, Page.namespace, Page.name, Page.licence, Page.latest_revision_id)


def _histories(session: Session, ids: Sequence[int]) -> dict[int, list[tuple[Any, str]]]:
    """The published revisions of these pages, oldest first, with their author's name."""
    rows = session.execute(
        select(*REVISION_COLUMNS, User.username)
        .outerjoin(User, User.id == Revision.author_id)
        .where(Revision.page_id.in_(ids), Revision.status == "published")
        .order_by(Revision.page_id, Revision.id)
    ).all()
    found: dict[int, list[tuple[Any, str]]] = defaultdict(list)
    for row in rows:
        found[row.page_id].append((row, row.username or row.author_ip or "?"))
    return found


def revision_record(title: str, revision: Any, author: str) -> dict[str, Any]:
    """One line of a page's history file."""
    return {
        "title": title,
        "id": revision.id,
        "date": revision.created_at.isoformat(),
        "author": author,
        "summary": revision.summary,
        "minor": revision.minor,
        "licence": revision.licence,
        "action": revision.action,
        "type": revision.page_type,
        "fields": revision.fields,
        "text": revision.text,
    }


def _unique_authors(history: list[tuple[Any, str]]) -> tuple[str, ...]:
    """Everyone who wrote a published revision, first contribution first."""
    return tuple(dict.fromkeys(author for _revision, author in history))


def entry_stem(index: int, title: str) -> str:
    """A page's file name in the archive: its rank and a safe form of its title."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in title)[:80]
    return f"{index:05d}-{safe}"


def write_archive(
    out: IO[bytes],
    session: Session,
    *,
    category: str | None,
    wiki_name: str,
    link_for: Callable[[Title], str],
    media: Any = None,
    now: datetime | None = None,
) -> Summary:
    """Write the archive to ``out`` (a binary file); ``link_for(title)`` gives a
    page's absolute address, ``media`` is the media library's API (or None)."""
    now = now or datetime.now(UTC)
    summary = Summary()
    ids = page_ids(session, category)
    embedded: set[str] = set()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for batch in _batches(ids):
            pages = session.execute(select(*PAGE_COLUMNS).where(Page.id.in_(batch))).all()
            histories = _histories(session, batch)
            for page in sorted(pages, key=lambda p: (p.namespace, p.name)):
                history = histories.get(page.id, [])
                if not history:
                    continue
                entry = _write_page(archive, page, history, len(summary.pages), link_for, now)
                summary.pages.append(entry)
                if media is not None:
                    embedded.update(_embedded(session, media, history[-1][0].text))
        if media is not None and embedded:
            summary.files = _write_files(archive, session, media, sorted(embedded))
        archive.writestr("LICENCES.md", licences_md(summary))
        archive.writestr("ATTRIBUTIONS.md", attributions_md(summary))
        archive.writestr(
            "manifest.json",
            json.dumps(manifest(summary, wiki_name, category, now), ensure_ascii=False, indent=2),
        )
    return summary


def _write_page(
    archive: zipfile.ZipFile,
    page: Any,
    history: list[tuple[Any, str]],
    index: int,
    link_for: Callable[[Title], str],
    now: datetime,
) -> ExportedPage:
    page_title = make_title(page.namespace, page.name)
    title = page_title.full
    latest = next((rev for rev, _a in history if rev.id == page.latest_revision_id), None)
    latest = latest or history[-1][0]
    stem = entry_stem(index, title)
    authors = _unique_authors(history)
    entry = ExportedPage(
        title=title,
        licence=page.licence,
        authors=authors,
        markdown=f"pages/{stem}.md",
        history=f"history/{stem}.jsonl",
        revisions=len(history),
        source=link_for(page_title),
    )
    header = {
        "title": title,
        "licence": page.licence,
        "licence_url": licence_label(page.licence)[1],
        "authors": list(authors),
        "source": entry.source,
        "revision": latest.id,
        "date": latest.created_at.isoformat(),
        "exported": now.isoformat(),
    }
    archive.writestr(entry.markdown, front_matter(header) + "\n" + latest.text)
    lines = (
        json.dumps(revision_record(title, rev, author), ensure_ascii=False)
        for rev, author in history
    )
    archive.writestr(entry.history, "\n".join(lines) + "\n")
    return entry


def _embedded(session: Session, media: Any, text: str) -> list[str]:
    """The files a text embeds, by the media library (nothing without it)."""
    finder = getattr(media, "embedded_files", None)
    return list(finder(text)) if finder is not None else []


def _write_files(
    archive: zipfile.ZipFile, session: Session, media: Any, names: list[str]
) -> list[dict[str, Any]]:
    """Each embedded file's stored versions under ``files/<name>/``, oldest first, with
    the file's licence, author and source (one query for all the files)."""
    versions_of = getattr(media, "file_versions", None)
    path_of = getattr(media, "stored_path", None)
    credits_of = getattr(media, "file_credits", None)
    if versions_of is None or path_of is None:
        return []
    credits = credits_of(session, names) if credits_of is not None else {}
    written: list[dict[str, Any]] = []
    for index, name in enumerate(names):
        credit = credits.get(name) or {}
        for version in sorted(versions_of(session, name), key=lambda v: v.number):
            path = path_of(version)
            if not path.is_file():
                continue
            arcname = f"files/{entry_stem(index, name)}/{version.number}{path.suffix}"
            archive.write(path, arcname)
            written.append(
                {
                    "name": name,
                    "version": version.number,
                    "path": arcname,
                    "sha256": version.sha256,
                    "mime": version.mime,
                    "date": version.created_at.isoformat(),
                    "uploader": version.uploader,
                    "licence": credit.get("licence"),
                    "author": credit.get("author"),
                    "source": credit.get("source"),
                }
            )
    return written


def manifest(summary: Summary, wiki_name: str, category: str | None, now: datetime) -> dict:
    """manifest.json: format, wiki, date, counts and the list of pages."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "wiki": wiki_name,
        "date": now.isoformat(),
        "category": category,
        "counts": {
            "pages": len(summary.pages),
            "revisions": summary.revisions,
            "files": len(summary.files),
            "licences": len({page.licence for page in summary.pages}),
        },
        "pages": [
            {
                "title": page.title,
                "licence": page.licence,
                "markdown": page.markdown,
                "history": page.history,
                "revisions": page.revisions,
            }
            for page in summary.pages
        ],
        "files": summary.files,
    }


def licences_md(summary: Summary) -> str:
    """LICENCES.md: each licence used, its legal link, the pages (and files) under it."""
    by_licence: dict[str, list[str]] = defaultdict(list)
    for page in summary.pages:
        by_licence[page.licence].append(page.title)
    for item in summary.files:
        by_licence[str(item.get("licence") or "unknown")].append(f"Fichier:{item['name']}")
    out = ["# Licences", ""]
    for code in sorted(by_licence):
        name, url = licence_label(code)
        out += [f"## {name}", "", f"Texte : {url}" if url else "Pas de lien légal connu.", ""]
        out += [f"- {title}" for title in dict.fromkeys(by_licence[code])]
        out.append("")
    return "\n".join(out)


def attributions_md(summary: Summary) -> str:
    """ATTRIBUTIONS.md: every page with its authors, licence and source."""
    out = ["# Attributions", ""]
    for page in summary.pages:
        name = licence_label(page.licence)[0]
        authors = ", ".join(page.authors) or "auteur inconnu"
        out.append(f"- « {page.title} », par {authors} — source : {page.source} — {name}")
    for item in summary.files:
        author = item.get("author") or "auteur inconnu"
        licence = licence_label(str(item.get("licence") or "unknown"))[0]
        out.append(
            f"- Fichier « {item['name']} » (version {item['version']}), par {author} — {licence}"
        )
    return "\n".join(out) + "\n"
