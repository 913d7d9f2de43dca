"""The published pages of a structured type, with their field values: what directories,
maps, exports and statistics of the plugins list.

Reads never commit. One query, whatever the number of pages: the page joined to its
published revision (the pointer names the public version), deleted pages left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..text.titles import Title, make_title
from .models import Page, Revision


@dataclass(frozen=True)
class TypedPage:
    """A published page of a type: its title, field values and published revision."""

    page_id: int
    title: Title
    revision_id: int
    fields: dict[str, Any]
    updated_at: datetime
    created_at: datetime

    def field(self, name: str, default: Any = None) -> Any:
        """One field's value (``default`` when the revision does not have it)."""
        value = self.fields.get(name)
        return default if value is None else value


def published_of_type(session: Session, type_name: str) -> list[TypedPage]:
    """Every published, undeleted page whose public version is of ``type_name``, by title."""
    # the columns only: no ORM objects, and never a revision's text
    rows = session.execute(
        select(
            Page.id,
            Page.namespace,
            Page.name,
            Page.created_at,
            Revision.id,
            Revision.fields,
            Revision.created_at,
        )
        .join(Revision, Revision.id == Page.latest_revision_id)
        .where(Revision.page_type == type_name, Page.deleted_at.is_(None))
        .order_by(Page.namespace, Page.name)
    )
    return [
        TypedPage(
            page_id=page_id,
            title=make_title(namespace, name),
            revision_id=revision_id,
            fields=dict(fields or {}),
            updated_at=updated_at,
            created_at=created_at,
        )
        for page_id, namespace, name, created_at, revision_id, fields, updated_at in rows
    ]
