"""The plugin's own tables (its Alembic branch in ``versions/``), described with their
own metadata: the core's tables never list them."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, UniqueConstraint

from wikicoop.core.models import UTCDateTime

metadata = MetaData()

#: every binary version of a file page (namespace ``file``), numbered from 1
file_versions = Table(
    "mettre_en_communs_file_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("page_id", Integer, ForeignKey("pages.id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("size", Integer, nullable=False),
    Column("mime", String(100), nullable=False),
    Column("width", Integer, nullable=True),
    Column("height", Integer, nullable=True),
    Column("storage", String(200), nullable=False),
    Column("uploader_id", Integer, ForeignKey("users.id"), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("comment", String(500), nullable=False, server_default=""),
    UniqueConstraint("page_id", "number", name="uq_mettre_en_communs_file_version"),
)

#: which published pages embed which files (rewritten at each publication of a page)
file_usage = Table(
    "mettre_en_communs_file_usage",
    metadata,
    Column("page_id", Integer, ForeignKey("pages.id", ondelete="CASCADE"), primary_key=True),
    Column("file_name", String(255), primary_key=True, index=True),
)
