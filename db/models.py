"""Typed models. The schema changes only through Alembic migrations in ``migrations/``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, JSONType, utcnow

PUBLICATION_TYPES = ("national", "regional", "news_site", "trade", "corporate", "other")
MEDIA = ("print", "online", "radio", "tv", "podcast")
SOURCE_KINDS = ("feed", "search_feed", "sitemap", "import", "manual")
ORIGINS = ("web", "nexis", "manual")
REPRINT_POLICIES = ("regional_of_national", "story")
COMPLETENESS = ("full", "partial", "none")
MENTION_PLACES = ("title", "lead", "body")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Outlet(Base):
    __tablename__ = "outlets"
    __table_args__ = (
        CheckConstraint(_one_of("publication_type", PUBLICATION_TYPES), name="publication_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    domains: Mapped[list[str]] = mapped_column(JSONType, default=list)
    publication_type: Mapped[str] = mapped_column(String(20))
    medium: Mapped[str | None] = mapped_column(String(20))
    region: Mapped[str | None] = mapped_column(String(100))
    publisher_group: Mapped[str | None] = mapped_column(String(100))
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Source(Base):
    __tablename__ = "sources"
    __table_args__ = (
        CheckConstraint(_one_of("kind", SOURCE_KINDS), name="kind"),
        # An index, not a constraint: added in place on SQLite (a constraint needs a rebuild).
        Index("uq_sources_name", "name", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlets.id", ondelete="SET NULL"))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    pages: Mapped[str] = mapped_column(String(10), default="all")
    last_checked_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    next_check_at: Mapped[datetime | None] = mapped_column(index=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    items_found: Mapped[int] = mapped_column(Integer, default=0)
    last_item_at: Mapped[datetime | None]
    # Entries the source showed for the first time, stored or not: how often it publishes.
    entries_found: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_entry_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    outlet: Mapped[Outlet | None] = relationship()


class Item(Base):
    __tablename__ = "items"
    __table_args__ = (
        CheckConstraint(_one_of("completeness", COMPLETENESS), name="completeness"),
        CheckConstraint(_one_of("publication_type", PUBLICATION_TYPES), name="publication_type"),
        CheckConstraint(_one_of("origin", ORIGINS), name="origin"),
        Index("ix_items_counted_at", "counted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    canonical_url: Mapped[str] = mapped_column(String(2000), unique=True)
    urls: Mapped[list[str]] = mapped_column(JSONType, default=list)
    guid: Mapped[str | None] = mapped_column(String(2000))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlets.id", ondelete="SET NULL"))
    publication_type: Mapped[str] = mapped_column(String(20))
    medium: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text, default="")
    lead: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[datetime | None]
    published_at_source: Mapped[str | None] = mapped_column(String(40))
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The date an item is counted under: published_at, else first_seen_at. Stored so that
    # counts by period are one indexed range scan.
    counted_at: Mapped[datetime]
    language: Mapped[str | None] = mapped_column(String(10))
    completeness: Mapped[str] = mapped_column(String(10), default="none")
    fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)
    # Publisher article id shared across a group's sites ("dpg:86fe52b"): reprint evidence.
    article_key: Mapped[str | None] = mapped_column(String(100), index=True)
    origin: Mapped[str] = mapped_column(String(10), default="web")
    section: Mapped[str | None] = mapped_column(String(300))
    length_words: Mapped[int | None] = mapped_column(Integer)
    # The publication's own name for itself (a page's og:site_name, a Nexis export's
    # publication name): what the outlet was recognised from.
    site_name: Mapped[str | None] = mapped_column(String(300))
    is_mention: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set when staff delete an item; the row stays so the deletion is explainable and a
    # later collection of the same URL does not bring it back.
    deleted_at: Mapped[datetime | None]
    classifier_version: Mapped[str | None] = mapped_column(String(40))

    outlet: Mapped[Outlet | None] = relationship()
    mentions: Mapped[list[Mention]] = relationship(
        back_populates="item", cascade="all, delete-orphan", passive_deletes=True
    )


class Mention(Base):
    __tablename__ = "mentions"
    __table_args__ = (CheckConstraint(_one_of("place", MENTION_PLACES), name="place"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    form: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(10))
    role: Mapped[str] = mapped_column(String(20), default="passing")
    snippet: Mapped[str] = mapped_column(Text)

    item: Mapped[Item] = relationship(back_populates="mentions")


class ReprintLink(Base):
    """An item reprints an original, under one reprint policy: one link per item and policy."""

    __tablename__ = "reprint_links"
    __table_args__ = (
        UniqueConstraint("item_id", "policy", name="uq_reprint_links_item_id_policy"),
        CheckConstraint(_one_of("policy", REPRINT_POLICIES), name="policy"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    original_item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), index=True
    )
    policy: Mapped[str] = mapped_column(String(30), default="regional_of_national")
    method: Mapped[str] = mapped_column(String(40))
    score: Mapped[float]
    reason: Mapped[str] = mapped_column(Text, default="")
    # "auto" for the detector's links, "correction" for links staff set by hand.
    decided_by: Mapped[str] = mapped_column(String(20), default="auto")
    rule_version: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Correction(Base):
    """A staff decision, re-applied after every automatic pass.

    Keyed by canonical URL as well as item id, so that a correction (a deletion above
    all) still applies when the item is collected again under a new id.
    """

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("items.id", ondelete="SET NULL"), index=True
    )
    canonical_url: Mapped[str] = mapped_column(String(2000), index=True)
    action: Mapped[str] = mapped_column(String(40))
    value: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class SeenEntry(Base):
    """An entry looked at and not stored (no mention, or disallowed by robots.txt), or one
    whose own URL led to an item stored under another (outcome "mention"), so that its
    page is not fetched again every time its feed changes."""

    __tablename__ = "seen_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    canonical_url: Mapped[str] = mapped_column(String(2000), unique=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    outcome: Mapped[str] = mapped_column(String(20))
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Lease(Base):
    """A named lease: the process holding it runs the job; others wait until it expires."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class CollectorRun(Base):
    __tablename__ = "collector_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    trigger: Mapped[str] = mapped_column(String(20), default="manual")
    # Per source: {"source_id": {"seen", "new", "known", "skipped", "error"}}.
    outcomes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    sources_ok: Mapped[int] = mapped_column(Integer, default=0)
    sources_failed: Mapped[int] = mapped_column(Integer, default=0)
    items_new: Mapped[int] = mapped_column(Integer, default=0)
