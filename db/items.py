"""Item rows: stored exactly once per canonical URL, with their mentions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.models import Item, Mention
from db.upsert import insert_ignore


@dataclass(frozen=True, slots=True)
class MentionRecord:
    form: str
    place: str
    role: str
    snippet: str


@dataclass(slots=True)
class ItemRecord:
    canonical_url: str
    url: str
    outlet_id: int | None
    publication_type: str
    medium: str | None
    title: str
    lead: str
    body: str
    published_at: datetime | None
    published_at_source: str | None
    first_seen_at: datetime
    completeness: str
    source_id: int | None = None
    guid: str | None = None
    author: str | None = None
    language: str | None = None
    fingerprint: str | None = None
    classifier_version: str | None = None
    mentions: list[MentionRecord] = field(default_factory=list)


def store_item(session: Session, *, record: ItemRecord) -> int | None:
    """Store an item unless its canonical URL is known; the new id, or None.

    For a known item, a URL not seen before is added to its other URLs.
    """
    new_id = insert_ignore(
        session,
        Item.__table__,  # type: ignore[arg-type]
        {
            "canonical_url": record.canonical_url,
            "urls": [record.url],
            "guid": record.guid,
            "source_id": record.source_id,
            "outlet_id": record.outlet_id,
            "publication_type": record.publication_type,
            "medium": record.medium,
            "title": record.title,
            "lead": record.lead,
            "body": record.body,
            "author": record.author,
            "published_at": record.published_at,
            "published_at_source": record.published_at_source,
            "first_seen_at": record.first_seen_at,
            "counted_at": record.published_at or record.first_seen_at,
            "language": record.language,
            "completeness": record.completeness,
            "fingerprint": record.fingerprint,
            "is_mention": True,
            "classifier_version": record.classifier_version,
        },
        conflict=["canonical_url"],
    )
    if new_id is None:
        _remember_url(session, canonical_url=record.canonical_url, url=record.url)
        return None
    session.add_all(
        Mention(item_id=new_id, form=m.form, place=m.place, role=m.role, snippet=m.snippet)
        for m in record.mentions
    )
    session.flush()
    return new_id


def _remember_url(session: Session, *, canonical_url: str, url: str) -> None:
    row = session.execute(
        select(Item.id, Item.urls).where(Item.canonical_url == canonical_url)
    ).one_or_none()
    if row is not None and url not in row.urls:
        session.execute(update(Item).where(Item.id == row.id).values(urls=[*row.urls, url]))


def known_urls(session: Session, *, canonical_urls: list[str]) -> set[str]:
    """Which of these canonical URLs are stored already."""
    found: set[str] = set()
    for start in range(0, len(canonical_urls), 500):
        chunk = canonical_urls[start : start + 500]
        found.update(
            session.scalars(select(Item.canonical_url).where(Item.canonical_url.in_(chunk)))
        )
    return found
