"""The panel of a file page: the image (or a download link), the versions table and the
pages that use the file. Its HTML is trusted by the core: everything is escaped here."""

from __future__ import annotations

from typing import Any

from flask_babel import format_datetime
from markupsafe import escape

from wikicoop.text.licences import LICENCES
from wikicoop.web.urls import page_url

from .embed import file_url
from .media_api import FileVersion, file_versions
from .texts import say
from .usage import pages_using

PREVIEW_WIDTH = 800


def human_size(size: int) -> str:
    """``2,4 Mo``, ``812 ko``, ``12 o`` (French units)."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} Mo".replace(".", ",")
    if size >= 1_000:
        return f"{size / 1_000:.0f} ko"
    return f"{size} o"


def dimensions(version: FileVersion) -> str:
    return f"{version.width} × {version.height} px" if version.width else "—"


def file_panel(
    session: Any, name: str, widths: tuple[int, ...], licence: str = ""
) -> dict[str, str]:
    """The panel of the file page ``Fichier:<name>`` (under ``licence``, its page's)."""
    versions = file_versions(session, name)
    upload_link = "/fichiers/televerser?nom=" + _q(name)
    parts: list[str] = []
    if not versions:
        parts.append(f"<p>{escape(say('no_version'))}</p>")
    else:
        parts.append(_preview(name, versions[0], widths))
        parts.append(_licence(licence))
        parts.append(_versions_table(name, versions))
    parts.append(_used_in(session, name))
    parts.append(f'<p><a href="{escape(upload_link)}">{escape(say("new_version"))}</a></p>')
    return {"title": say("panel"), "html": "".join(parts)}


def _q(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


def _preview(name: str, version: FileVersion, widths: tuple[int, ...]) -> str:
    raw = file_url(name, "brut") + "?v=" + version.sha256[:16]
    facts = escape(f"{version.mime}, {human_size(version.size)}")
    if version.width:
        facts = escape(f"{version.mime}, {dimensions(version)}, {human_size(version.size)}")
    download = f'<p><a href="{escape(raw)}">{escape(say("download"))}</a> ({facts})</p>'
    if not version.is_image:
        return download
    fitting = [w for w in widths if w >= PREVIEW_WIDTH and w < (version.width or 0)]
    src = file_url(name, "vignette", str(fitting[0])) if fitting else file_url(name, "brut")
    shown = min(PREVIEW_WIDTH, version.width or PREVIEW_WIDTH)
    height = round((version.height or 0) * shown / (version.width or 1))
    img = (
        f'<img src="{escape(src)}?v={escape(version.sha256[:16])}" width="{shown}" '
        f'height="{height}" alt="{escape(name)}">'
    )
    return f'<p class="mec-preview"><a href="{escape(raw)}">{img}</a></p>{download}'


def _licence(code: str) -> str:
    """« Licence : CC BY-SA 4.0 », a link to the licence's deed."""
    licence = LICENCES.get(code)
    if licence is None:
        return ""
    return (
        f"<p>{escape(say('licence'))} : "
        f'<a rel="license" href="{escape(licence.deed_url)}">{escape(licence.short_name)}</a></p>'
    )


def _versions_table(name: str, versions: list[FileVersion]) -> str:
    head = "".join(
        f'<th scope="col">{escape(say(k))}</th>'
        for k in ("version", "date", "who", "size", "dimensions", "comment")
    )
    rows = []
    for index, version in enumerate(versions):
        link = file_url(name, "version", str(version.number))
        label = f"{version.number}" + (f" ({say('current')})" if index == 0 else "")
        who = version.uploader or "—"
        user_page = "/wiki/Utilisateur:" + _q(who.replace(" ", "_"))
        who_html = f'<a href="{escape(user_page)}">{escape(who)}</a>' if version.uploader else "—"
        rows.append(
            "<tr>"
            f'<td><a href="{escape(link)}">{escape(label)}</a></td>'
            f"<td>{escape(format_datetime(version.created_at, 'short'))}</td>"
            f"<td>{who_html}</td>"
            f"<td>{escape(human_size(version.size))}</td>"
            f"<td>{escape(dimensions(version))}</td>"
            f"<td>{escape(version.comment)}</td>"
            "</tr>"
        )
    return (
        f"<h3>{escape(say('versions'))}</h3>"
        f'<div class="table-scroll" tabindex="0" role="region" '
        f'aria-label="{escape(say("versions"))}"><table class="mec-versions">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _used_in(session: Any, name: str) -> str:
    pages = pages_using(session, name)
    title = f"<h3>{escape(say('used_in'))}</h3>"
    if not pages:
        return title + f"<p>{escape(say('unused'))}</p>"
    items = "".join(
        f'<li><a href="{escape(page_url(page.title))}">{escape(page.title.full)}</a></li>'
        for page in pages
    )
    return title + f"<ul>{items}</ul>"
