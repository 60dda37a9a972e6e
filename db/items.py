"""Item rows: stored exactly once per canonical URL, with their mentions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, literal, select, union_all, update
from sqlalchemy.orm import Session

from db.chunks import chunks
from db.models import Item, Mention, SeenEntry
from db.upsert import insert_many_ignore, insert_many_returning


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
    article_key: str | None = None
    origin: str = "web"
    section: str | None = None
    length_words: int | None = None
    site_name: str | None = None
    classifier_version: str | None = None
    other_urls: list[str] = field(default_factory=list)
    mentions: list[MentionRecord] = field(default_factory=list)


def store_item(session: Session, *, record: ItemRecord) -> int | None:
    """Store an item unless its canonical URL is known; the new id, or None.

    For a known item, a URL not seen before is added to its other URLs.
    """
    return store_items(session, records=[record])[0]


def store_items(session: Session, *, records: list[ItemRecord]) -> list[int | None]:
    """``store_item`` for many records in two statements (items, then their mentions);
    the new ids in the records' order, None where the canonical URL was known (or came
    earlier in ``records``)."""
    if not records:
        return []
    inserted = insert_many_returning(
        session,
        Item.__table__,  # type: ignore[arg-type]
        [_item_row(record) for record in records],
        conflict=["canonical_url"],
        key="canonical_url",
    )
    ids: list[int | None] = []
    mentions: list[dict[str, object]] = []
    for record in records:
        new_id = inserted.pop(record.canonical_url, None)
        ids.append(new_id)
        if new_id is None:
            for url in (record.url, *record.other_urls):
                _remember_url(session, canonical_url=record.canonical_url, url=url)
            continue
        mentions += (
            {
                "item_id": new_id,
                "form": m.form,
                "place": m.place,
                "role": m.role,
                "snippet": m.snippet,
            }
            for m in record.mentions
        )
    if mentions:
        session.execute(insert(Mention), mentions)
    return ids


def _clip(value: str | None, column: Any) -> str | None:
    """Free text cut to its column's size: PostgreSQL refuses a longer value, and the
    source's whole transaction with it."""
    return value[: column.type.length] if value else value


def _item_row(record: ItemRecord) -> dict[str, object]:
    return {
        "canonical_url": record.canonical_url,
        "urls": list(dict.fromkeys([record.url, *record.other_urls])),
        "guid": _clip(record.guid, _ITEMS.c.guid),
        "source_id": record.source_id,
        "outlet_id": record.outlet_id,
        "publication_type": record.publication_type,
        "medium": record.medium,
        "title": record.title,
        "lead": record.lead,
        "body": record.body,
        "author": _clip(record.author, _ITEMS.c.author),
        "published_at": record.published_at,
        "published_at_source": record.published_at_source,
        "first_seen_at": record.first_seen_at,
        "counted_at": record.published_at or record.first_seen_at,
        "language": record.language,
        "completeness": record.completeness,
        "fingerprint": record.fingerprint,
        "article_key": record.article_key,
        "origin": record.origin,
        "section": _clip(record.section, _ITEMS.c.section),
        "length_words": record.length_words,
        "site_name": _clip(record.site_name, _ITEMS.c.site_name),
        "is_mention": True,
        "classifier_version": record.classifier_version,
    }


def _remember_url(session: Session, *, canonical_url: str, url: str) -> None:
    item_id = session.execute(
        select(Item.id).where(Item.canonical_url == canonical_url)
    ).scalar_one_or_none()
    if item_id is not None:
        add_url(session, item_id=item_id, url=url)


_ITEMS = cast(Table, Item.__table__)
_SEEN = cast(Table, SeenEntry.__table__)
# Built once, on the tables: every source of a collection asks it, and building the ORM
# query anew each time cost more than running it.
_LOOKED_AT = union_all(
    select(_ITEMS.c.canonical_url, literal(True)).where(
        _ITEMS.c.canonical_url.in_(bindparam("urls", expanding=True))
    ),
    # An entry that led to a stored item is remembered as a "mention": known, not skipped.
    select(_SEEN.c.canonical_url, _SEEN.c.outcome == "mention").where(
        _SEEN.c.canonical_url.in_(bindparam("urls", expanding=True))
    ),
)


def looked_at_urls(session: Session, *, canonical_urls: list[str]) -> tuple[set[str], set[str]]:
    """Which of these canonical URLs are stored already (or led to a stored item), and
    which were looked at before and not stored (see ``SeenEntry``); one query a chunk."""
    stored: set[str] = set()
    seen: set[str] = set()
    for chunk in chunks(canonical_urls):
        for url, is_stored in session.execute(_LOOKED_AT, {"urls": list(chunk)}):
            (stored if is_stored else seen).add(url)
    return stored, seen


def remember_seen(
    session: Session, *, entries: list[tuple[str, str]], source_id: int | None, now: datetime
) -> None:
    """Remember (canonical URL, outcome) pairs looked at and not stored."""
    insert_many_ignore(
        session,
        SeenEntry.__table__,  # type: ignore[arg-type]
        [
            {"canonical_url": url, "source_id": source_id, "outcome": outcome, "seen_at": now}
            for url, outcome in dict(entries).items()
        ],
        conflict=["canonical_url"],
    )


@dataclass(frozen=True, slots=True)
class NearbyItem:
    id: int
    title: str
    text: str


def items_of_outlet_between(
    session: Session, *, outlet_id: int, start: datetime, end: datetime, origin: str
) -> list[NearbyItem]:
    """Items of one outlet and origin counted in [start, end), for matching."""
    rows = session.execute(
        select(Item.id, Item.title, Item.lead, Item.body).where(
            Item.outlet_id == outlet_id,
            Item.origin == origin,
            Item.counted_at >= start,
            Item.counted_at < end,
        )
    )
    return [NearbyItem(r.id, r.title, f"{r.lead}\n{r.body}".strip()) for r in rows]


def add_url(session: Session, *, item_id: int, url: str) -> None:
    """Record another URL (or database key) under which an item was seen."""
    urls = session.execute(select(Item.urls).where(Item.id == item_id)).scalar_one()
    if url not in urls:
        session.execute(update(Item).where(Item.id == item_id).values(urls=[*urls, url]))


def item_id_by_url(session: Session, *, canonical_url: str) -> int | None:
    query = select(Item.id).where(Item.canonical_url == canonical_url)
    return session.execute(query).scalar_one_or_none()
