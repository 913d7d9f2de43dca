"""Database tables as SQLAlchemy 2 typed mappings.

Revisions are immutable snapshots (Wagtail's model): a page points at its latest
revision, every save appends one. Rendered HTML lives in a separate cache table so that
a revision stays immutable while link colours may be refreshed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import ModuleType
from typing import Any, ClassVar

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
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator, TypeEngine

from ..text.titles import Title, make_title
from .compressed_text import CompressedText

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
            raise ValueError("naive datetime: use wikicoop.core.models.utcnow()")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _postgres_type_or_text(
    dialect: Dialect, postgres_type: Callable[[ModuleType], TypeEngine[Any]]
) -> TypeEngine[Any]:
    """``postgres_type(sqlalchemy.dialects.postgresql)`` on PostgreSQL, text elsewhere.
    The dialect is imported there only: it costs a SQLite wiki 25 ms of its cold start
    (issue 14, point 4). The columns typed so are written and read in the search
    backend's own SQL, so nothing else differs."""
    if dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return dialect.type_descriptor(postgres_type(postgresql))
    return dialect.type_descriptor(Text())


class TextSearchVector(TypeDecorator):
    """PostgreSQL's ``tsvector`` (text elsewhere)."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return _postgres_type_or_text(dialect, lambda postgresql: postgresql.TSVECTOR())


class TextArray(TypeDecorator):
    """PostgreSQL's ``text[]`` (text elsewhere)."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return _postgres_type_or_text(dialect, lambda postgresql: postgresql.ARRAY(Text()))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict] = {datetime: UTCDateTime()}


class User(Base):
    """An account. It has the members Flask-Login asks of a user (``is_active``,
    ``is_authenticated``, ``is_anonymous``, ``get_id``) without importing it: the core
    does not depend on the web."""

    __tablename__ = "users"
    # equality below is by identity (get_id): keep objects hashable as by default
    __hash__ = object.__hash__

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
    # auto (earned by approved edits and account age) | granted | withdrawn (by a moderator)
    trust: Mapped[str] = mapped_column(String(16), default="auto", server_default="auto")
    # a program's account (bulk imports): exempt from the edit rate limits, like admins
    bot: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    theme: Mapped[str | None] = mapped_column(String(64))  # chosen look, None: the site's

    def get_id(self) -> str:
        """Flask-Login identity: id plus nonce, so a password change ends old sessions."""
        return f"{self.id}:{self.session_nonce}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def __eq__(self, other: object) -> bool:
        """Two objects of one account are equal, whichever session loaded them."""
        if isinstance(other, User):
            return self.get_id() == other.get_id()
        return NotImplemented

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
    # "" (anyone who may edit) | trusted | moderators
    protection: Mapped[str] = mapped_column(String(16), default="", server_default="")

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
    __table_args__ = (
        # a page's revisions in order, with what a history filters and credits on (who
        # may see a row, who wrote it): counting, paging and listing authors read this
        # index alone, never the rows and their texts, however long the history
        Index(
            "ix_revisions_page_listing",
            "page_id",
            "id",
            "status",
            "hidden_from",
            "author_id",
            "author_ip",
        ),
        Index("ix_revisions_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # the author when there is no account: the IP address of an anonymous edit (when the
    # setting allows them), or the attributed name of an imported revision
    author_ip: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    summary: Mapped[str] = mapped_column(String(500), default="")
    minor: Mapped[bool] = mapped_column(Boolean, default=False)
    size: Mapped[int] = mapped_column(Integer)
    # stored compressed (wikicoop.core.compressed_text): never filter on it in SQL
    text: Mapped[str] = mapped_column(CompressedText)
    licence: Mapped[str] = mapped_column(String(32))
    # what made this revision: edit, create, restore, move, merge
    action: Mapped[str] = mapped_column(String(16), default="edit")
    # published | pending | rejected | hidden (see wikicoop.core.moderation)
    status: Mapped[str] = mapped_column(String(16), default="published")
    # why a revision waits for review: comma-separated codes (newcomer, external-links...)
    pending_reasons: Mapped[str] = mapped_column(String(200), default="", server_default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    review_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # the status a hidden revision had, given back when it is shown again
    hidden_from: Mapped[str | None] = mapped_column(String(16))
    patrolled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    patrolled_at: Mapped[datetime | None]
    # structured page type this revision was saved as (wikicoop.page_types); None: plain page
    page_type: Mapped[str | None] = mapped_column(String(64))
    # that type's field values, validated before the revision is written; None: no fields
    fields: Mapped[dict | None] = mapped_column(JSON)

    page: Mapped[Page] = relationship(foreign_keys=[page_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="joined")

    @property
    def pending_reason_codes(self) -> list[str]:
        return [code for code in self.pending_reasons.split(",") if code]

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
    # what rendered it (renderer version, plugins, allowlist): HTML of another is stale
    fingerprint: Mapped[str | None] = mapped_column(String(64))


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


class Block(Base):
    """A user kept from writing until ``expires_at`` (for ever when None) or until lifted."""

    __tablename__ = "blocks"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    lifted_at: Mapped[datetime | None]
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    by: Mapped[User | None] = relationship(foreign_keys=[by_id])


class AuditEntry(Base):
    """One moderation act: who did what to what, when and why (never edited or deleted)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # approve, reject, hide, unhide, block, unblock, protect, relicense, role, trust...
    action: Mapped[str] = mapped_column(String(32))
    # revision | comment | user | page | report
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int | None] = mapped_column(Integer)
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="joined")


class Report(Base):
    """Someone flagged a page, a revision or a comment for the moderators."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reporter_ip: Mapped[str | None] = mapped_column(String(45))
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    # open | resolved | dismissed
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handled_at: Mapped[datetime | None]

    page: Mapped[Page] = relationship(foreign_keys=[page_id])
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])


class Comment(Base):
    """A message in a page's discussion: a thread start (``thread_id`` None) or a reply."""

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_page_id_id", "page_id", "id"),
        Index("ix_comments_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # the subject page (not the Discussion: page)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    # thread title ("" for replies)
    subject: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    # the text rendered and sanitized once, when written or edited (never per view)
    html: Mapped[str] = mapped_column(Text, default="", server_default="")
    # published | pending | rejected | hidden, as for revisions
    status: Mapped[str] = mapped_column(String(16), default="published")
    pending_reasons: Mapped[str] = mapped_column(String(200), default="", server_default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    review_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    hidden_from: Mapped[str | None] = mapped_column(String(16))

    page: Mapped[Page] = relationship(foreign_keys=[page_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="joined")

    @property
    def pending_reason_codes(self) -> list[str]:
        return [code for code in self.pending_reasons.split(",") if code]


class Watch(Base):
    """A user follows a page (and its discussion)."""

    __tablename__ = "watches"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    page_id: Mapped[int] = mapped_column(
        ForeignKey("pages.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the watchlist shows the changes made after this moment
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(Base):
    """A message for one user inside the wiki (also e-mailed when SMTP is set up)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_id_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # page-changed, comment-posted, revision-approved, revision-rejected, ...
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"))
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    # extra words for the message (a rejection reason...)
    message: Mapped[str] = mapped_column(String(500), default="")
    read_at: Mapped[datetime | None]


class SearchEntry(Base):
    """One page as the PostgreSQL search backend finds it (``SEARCH_BACKEND=postgresql``).

    Written in the same transaction as the revision it shows, so search is always in
    step with the pages. On PostgreSQL a migration adds the weighted ``tsvector`` and the
    GIN and trigram indexes (not mapped here: the backend reads them in SQL). The table
    stays empty with the Whoosh backend, which keeps its own folder.
    """

    __tablename__ = "search_entries"
    __table_args__ = (
        # GIN on PostgreSQL (the words; the title's trigrams), made by migration 0008
        Index("ix_search_entries_vector", "vector"),
        Index("ix_search_entries_head", "head"),
        Index("ix_search_entries_title_folded", "title_folded"),
        # a plain B-tree: the page whose whole title was typed
        Index("ix_search_entries_title_key", "title_folded"),
    )

    page_id: Mapped[int] = mapped_column(
        ForeignKey("pages.id", ondelete="CASCADE"), primary_key=True
    )
    revision_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    # the title lower-cased without accents: prefix suggestions and "did you mean"
    title_folded: Mapped[str] = mapped_column(Text)
    namespace: Mapped[str] = mapped_column(String(32))
    page_type: Mapped[str] = mapped_column(String(64))
    licence: Mapped[str] = mapped_column(String(32))
    # "fr" or "en": which text search configuration the page's words go through
    language: Mapped[str] = mapped_column(String(8))
    # the structured fields' values as words (weighted between the title and the text)
    fields_text: Mapped[str] = mapped_column(Text, default="")
    # the page's plain text, for the snippets
    body: Mapped[str] = mapped_column(Text)
    updated: Mapped[datetime | None]
    # the weighted words (title A, fields B, text C), written in SQL by the backend
    vector: Mapped[str | None] = mapped_column(TextSearchVector(), deferred=True)
    # the title's and fields' words alone (A, B): small, cheap to rank first
    head: Mapped[str | None] = mapped_column(TextSearchVector(), deferred=True)
    # the counted facets as "name\x1fvalue" (copies of SearchFacet rows, read with a match)
    facet_keys: Mapped[list[str] | None] = mapped_column(TextArray(), deferred=True)


class SearchWord(Base):
    """A word of the pages' text, for "did you mean" on PostgreSQL: a misspelt word is
    compared with the words whose letters are like it (a trigram index on ``folded``,
    made by migration 0011) rather than with the text of pages read for it.

    Written with the entries (a new word is known at once); a word is kept when the
    pages that had it change, until the next ``wikicoop reindex`` (a correction is
    proposed only when it finds pages). Empty with the Whoosh backend.
    """

    __tablename__ = "search_words"
    __table_args__ = (Index("ix_search_words_folded", "folded"),)

    # lower-cased, elided article removed, as the pages write it (« médiathèque »)
    word: Mapped[str] = mapped_column(String(40), primary_key=True)
    # without accents (« mediatheque »): what a typed word is compared with
    folded: Mapped[str] = mapped_column(String(40))


class SearchFacet(Base):
    """One facet value of a page in the PostgreSQL search backend (its categories, its
    type, its licence, the fields declared faceted): facets are counted in SQL."""

    __tablename__ = "search_facets"
    __table_args__ = (Index("ix_search_facets_name_value", "name", "value"),)

    page_id: Mapped[int] = mapped_column(
        ForeignKey("search_entries.page_id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(300), primary_key=True)
