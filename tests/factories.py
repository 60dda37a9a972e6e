"""Plain factory functions for test input."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape

from db.engine import unit_of_work
from db.items import ItemRecord, MentionRecord
from db.outlets import outlet_ids, sync_registry
from db.sources import SourceSpec, seed_sources
from service.runtime import Runtime


@dataclass
class FeedItem:
    title: str
    link: str
    description: str = ""
    content: str = ""
    published: datetime | None = None
    guid: str | None = None


def rss_feed(items: list[FeedItem], *, title: str = "Testkrant", encoding: str = "utf-8") -> bytes:
    """An RSS 2.0 document with ``content:encoded`` where an item has content."""
    parts = [
        f'<?xml version="1.0" encoding="{encoding}"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
        f"<channel><title>{escape(title)}</title><link>https://example.nl/</link>",
        "<description>Nieuws</description><language>nl</language>",
    ]
    for item in items:
        parts.append("<item>")
        parts.append(f"<title>{escape(item.title)}</title><link>{escape(item.link)}</link>")
        parts.append(f'<guid isPermaLink="false">{escape(item.guid or item.link)}</guid>')
        if item.description:
            parts.append(f"<description>{escape(item.description)}</description>")
        if item.content:
            parts.append(f"<content:encoded><![CDATA[{item.content}]]></content:encoded>")
        if item.published:
            parts.append(f"<pubDate>{format_datetime(item.published)}</pubDate>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts).encode(encoding, errors="xmlcharrefreplace")


def mentioning_feed(count: int, *, published: datetime) -> bytes:
    """An RSS feed of ``count`` entries naming the Rapporteur, a minute apart."""
    return rss_feed(
        [
            FeedItem(
                title=f"Nationaal Rapporteur over uitbuiting {n}",
                link=f"https://www.nu.nl/binnenland/{n}/artikel.html",
                description="De Nationaal Rapporteur Mensenhandel ziet meer slachtoffers.",
                published=published + timedelta(minutes=n),
            )
            for n in range(count)
        ]
    )


def item_record(canonical_url: str, **overrides: Any) -> ItemRecord:
    """A stored-item record that mentions the Rapporteur; override any field."""
    published = overrides.pop("published_at", datetime(2025, 4, 3, 10, 0, tzinfo=UTC))
    values: dict[str, Any] = {
        "canonical_url": canonical_url,
        "url": canonical_url,
        "outlet_id": None,
        "publication_type": "national",
        "medium": "online",
        "title": "Nationaal Rapporteur: meer slachtoffers",
        "lead": "",
        "body": "De Nationaal Rapporteur zegt dat het aantal slachtoffers stijgt.",
        "published_at": published,
        "published_at_source": "feed",
        "first_seen_at": published,
        "completeness": "partial",
        "mentions": [MentionRecord("nationaal rapporteur", "title", "passing", "…")],
    }
    values.update(overrides)
    return ItemRecord(**values)


def add_sources(runtime: Runtime, specs: list[SourceSpec]) -> None:
    """The registry's outlets and these sources, in the runtime's database."""
    with unit_of_work(runtime.sessions) as session:
        sync_registry(session, entries=list(runtime.classifier.registry.entries.values()))
        seed_sources(session, specs=specs, outlet_ids=outlet_ids(session))
