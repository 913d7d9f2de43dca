"""The licences of the commons: ``/communs/licences`` counts pages and files per licence
(a chart at its own address with the same figures as a table; JSON twin
``GET /api/v1/licences``), and ``/communs/licences/a-verifier`` lists for moderators the
pages whose licence conflicts with what they embed, since when, and the pages whose
author is unknown (JSON twin ``GET /api/v1/licences/conflicts``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Response, jsonify, render_template, url_for
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from wikicoop.core.models import Page, Revision
from wikicoop.text.titles import parse_title
from wikicoop.web.charts import Figures, bar_svg, svg_response
from wikicoop.web.db import get_session
from wikicoop.web.errors import fail
from wikicoop.web.helpers import allowed, guard
from wikicoop.web.urls import page_url

from .licence_checks import page_title
from .licence_tables import has_table, licence_conflicts
from .reuse_common import api, bp
from .reuse_credit import licence_label
from .reuse_texts import say


def counts(session: Session) -> dict[str, dict[str, int]]:
    """Live public pages per licence, files (pages of the ``file`` namespace) apart:
    ``{"pages": {code: n}, "files": {code: n}}``, one query."""
    rows = session.execute(
        select(Page.namespace, Page.licence, func.count())
        .where(Page.deleted_at.is_(None), Page.latest_revision_id.is_not(None))
        .group_by(Page.namespace, Page.licence)
    ).all()
    found: dict[str, dict[str, int]] = {"pages": {}, "files": {}}
    for namespace, code, number in rows:
        kind = found["files" if namespace == "file" else "pages"]
        kind[code] = kind.get(code, 0) + number
    return found


def figures(session: Session) -> tuple[Figures, Figures]:
    """The chart's figures: pages per licence, files per licence (most first)."""
    found = counts(session)

    def rows(kind: str) -> list[tuple[str, float]]:
        items = sorted(found[kind].items(), key=lambda item: (-item[1], item[0]))
        return [(licence_label(code)[0], number) for code, number in items]

    return Figures(say("pages_per_licence"), rows("pages")), Figures(
        say("files_per_licence"), rows("files")
    )


@bp.route("/communs/licences")
def licences() -> str:
    """Pages and files per licence: charts and tables."""
    pages, files = figures(get_session())
    return render_template(
        "mettre_en_communs/reuse/licences.html",
        pages=pages,
        files=files,
        pages_svg=url_for("mettre_en_communs_reuse.licences_chart", kind="pages"),
        files_svg=url_for("mettre_en_communs_reuse.licences_chart", kind="fichiers"),
        may_check=allowed("moderate"),
        say=say,
    )


@bp.route("/communs/licences/<any(pages, fichiers):kind>.svg")
def licences_chart(kind: str) -> Response:
    """Pages (or files) per licence, a bar chart."""
    pages, files = figures(get_session())
    return svg_response(bar_svg(pages if kind == "pages" else files))


@api.get("/licences")
def licences_json() -> Response:
    """``{"pages": {code: n}, "files": {code: n}}``."""
    return jsonify(counts(get_session()))


@dataclass(frozen=True)
class ToCheck:
    """A conflict as moderators read it."""

    title: str
    item: str
    kind: str
    item_licence: str
    page_licence: str
    reason: str
    since: datetime


def stored_conflicts(session: Session) -> list[ToCheck]:
    """Every stored conflict of a live page, oldest first (one query)."""
    if not has_table(session, licence_conflicts.name):
        return []
    c = licence_conflicts.c
    rows = session.execute(
        select(
            Page.namespace,
            Page.name,
            c.item,
            c.kind,
            c.item_licence,
            c.page_licence,
            c.reason,
            c.found_at,
        )
        .join(Page, Page.id == c.page_id)
        .where(Page.deleted_at.is_(None))
        .order_by(c.found_at, Page.name, c.item)
    ).all()
    return [ToCheck(page_title(ns, name), *rest) for ns, name, *rest in rows]


def unknown_authors(session: Session) -> list[str]:
    """Live pages whose current version has no known author (an import without a name,
    an account-less edit without an address)."""
    rows = session.execute(
        select(Page.namespace, Page.name)
        .join(Revision, Revision.id == Page.latest_revision_id)
        .where(
            Page.deleted_at.is_(None),
            Revision.author_id.is_(None),
            or_(
                Revision.author_ip.is_(None),
                Revision.author_ip.in_(["", "?"]),
                Revision.author_ip.like("%>?"),
            ),
        )
        .order_by(Page.namespace, Page.name)
    ).all()
    return [page_title(ns, name) for ns, name in rows]


@bp.route("/communs/licences/a-verifier")
def to_check() -> str:
    """For moderators: the conflicts, and the pages without a known author."""
    if not allowed("moderate"):
        fail(403, say("moderators_only"))
    session = get_session()
    return render_template(
        "mettre_en_communs/reuse/a_verifier.html",
        conflicts=stored_conflicts(session),
        unknown=unknown_authors(session),
        link=lambda title: page_url(parse_title(title)),
        licence_name=lambda code: licence_label(code)[0],
        say=say,
    )


@api.get("/licences/conflicts")
def conflicts_json() -> Response:
    """For moderators: ``{"conflicts": [...], "unknown_authors": [...]}``."""
    guard("moderate")
    session = get_session()
    return jsonify(
        {
            "conflicts": [
                {
                    "title": row.title,
                    "item": row.item,
                    "kind": row.kind,
                    "item_license": row.item_licence,
                    "page_license": row.page_licence,
                    "reason": row.reason,
                    "since": row.since.isoformat(),
                }
                for row in stored_conflicts(session)
            ],
            "unknown_authors": unknown_authors(session),
        }
    )
