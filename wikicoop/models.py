"""Database tables as SQLAlchemy 2 typed mappings.

Revisions are immutable snapshots (Wagtail's model): a page points at its latest
revision, every save appends one. Rendered HTML lives in a separate cache table so that
a revision stays immutable while link colours may be refreshed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from .titles import Title, make_title

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("contributor", "moderator", "admin")


def utcnow() -> datetime:
    """Timezone-aware current time in UTC (what every timestamp column stores)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: use wikicoop.models.utcnow()")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict] = {datetime: UTCDateTime()}


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    # casefolded username: "Alice" and "alice" cannot both exist
    username_key: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="contributor")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # changes with the password, so that other sessions are logged out
    session_nonce: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def get_id(self) -> str:
        """Flask-Login identity: id plus nonce, so a password change ends old sessions."""
        return f"{self.id}:{self.session_nonce}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    @property
    def user_page(self) -> Title:
        """The user's own page in the Utilisateur namespace."""
        return make_title("user", self.username)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    # SHA-256 of the token: the token itself is shown once and never stored
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship(lazy="joined")


class Page(Base):
    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("namespace", "name", name="uq_pages_namespace_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    namespace: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(255))
    latest_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revisions.id", use_alter=True, name="fk_pages_latest_revision")
    )
    licence: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8), default="fr")
    # full title this page redirects to (rename leaves a redirect behind)
    redirect_target: Mapped[str | None] = mapped_column(String(600))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    touched_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deletion_reason: Mapped[str | None] = mapped_column(String(500))

    latest_revision: Mapped[Revision | None] = relationship(
        foreign_keys=[latest_revision_id], post_update=True
    )

    @property
    def title(self) -> Title:
        return make_title(self.namespace, self.name)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Revision(Base):
    __tablename__ = "revisions"
    __table_args__ = (Index("ix_revisions_page_id_id", "page_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # shown instead of a name for anonymous edits (when the setting allows them)
    author_ip: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    summary: Mapped[str] = mapped_column(String(500), default="")
    minor: Mapped[bool] = mapped_column(Boolean, default=False)
    size: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    licence: Mapped[str] = mapped_column(String(32))
    # what made this revision: edit, create, restore, move, merge
    action: Mapped[str] = mapped_column(String(16), default="edit")
    # published | pending | rejected | hidden (moderation, issue 4)
    status: Mapped[str] = mapped_column(String(16), default="published")

    page: Mapped[Page] = relationship(foreign_keys=[page_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="joined")

    @property
    def author_name(self) -> str:
        if self.author is not None:
            return self.author.username
        return self.author_ip or "?"


class RenderCache(Base):
    """Rendered HTML of a revision: filled on first view, dropped when link colours change."""

    __tablename__ = "render_cache"

    revision_id: Mapped[int] = mapped_column(
        ForeignKey("revisions.id", ondelete="CASCADE"), primary_key=True
    )
    renderer_version: Mapped[int] = mapped_column(Integer)
    html: Mapped[str] = mapped_column(Text)
    # {"toc": [[level, anchor, text], ...], "categories": [...]}
    meta: Mapped[dict] = mapped_column(JSON)
    rendered_at: Mapped[datetime] = mapped_column(default=utcnow)


class PageLink(Base):
    """One outgoing wiki link of a page's latest revision (backlinks and red links)."""

    __tablename__ = "page_links"

    source_page_id: Mapped[int] = mapped_column(
        ForeignKey("pages.id", ondelete="CASCADE"), primary_key=True
    )
    target_namespace: Mapped[str] = mapped_column(String(16), primary_key=True)
    target_name: Mapped[str] = mapped_column(String(255), primary_key=True)

    __table_args__ = (Index("ix_page_links_target", "target_namespace", "target_name"),)


class CategoryMembership(Base):
    """A page's membership of a category, from [[Catégorie:Nom]] in its latest revision."""

    __tablename__ = "category_memberships"

    page_id: Mapped[int] = mapped_column(
        ForeignKey("pages.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(255), primary_key=True, index=True)
    # sort key: the member's name, stored to list a category without a join on titles
    sort_key: Mapped[str] = mapped_column(String(255), default="")
