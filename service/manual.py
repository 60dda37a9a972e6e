"""Items added by hand: a URL fetched through the guarded client, or a full record for
what has no text online (a radio or TV item)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from classifiers.article import CLASSIFIER_VERSION, ArticleClassifier
from classifiers.outlets import name_key
from classifiers.records import Article
from classifiers.urls import InvalidURLError, canonical_url
from collectors.address_guard import ensure_public
from collectors.errors import CollectError
from collectors.fetch import Fetcher
from db.corrections import add_correction, get_item, outlet_by_name
from db.items import ItemRecord, MentionRecord, item_id_by_url, store_item
from service.articles import PAGE_ACCEPT
from service.extraction import Extractor
from service.records import OutletResolver
from service.runtime import Runtime

if TYPE_CHECKING:
    from collectors.pages import PageContent


class ManualEntryError(ValueError):
    """The entry cannot be added; the message says why."""


@dataclass(frozen=True, slots=True)
class ManualEntry:
    url: str | None
    outlet: str | None
    title: str | None
    published_on: date | None
    medium: str | None
    summary: str
    added_by: str
    reason: str


@dataclass(frozen=True, slots=True)
class Added:
    item_id: int
    created: bool


async def fetch_page(runtime: Runtime, fetcher: Fetcher, url: str) -> PageContent:
    """Fetch and extract one page; refuses non-public addresses unless the settings allow."""
    guard = None if runtime.settings.allow_private_addresses else ensure_public
    async with Extractor(0) as extractor:
        try:
            fetched = await fetcher.fetch(url, accept=PAGE_ACCEPT, guard=guard)
        except CollectError as error:
            raise ManualEntryError(f"cannot fetch {url}: {error}") from None
        return await extractor.extract(
            fetched.body, url=fetched.final_url, feed_published_at=None, charset=fetched.charset
        )


def add_entry(
    session: Session,
    *,
    entry: ManualEntry,
    page: PageContent | None,
    classifier: ArticleClassifier,
    zone: ZoneInfo,
) -> Added:
    """Store a manual entry (with the page already fetched, if it has one)."""
    outlet = outlet_by_name(session, name=entry.outlet) if entry.outlet else None
    if entry.outlet and outlet is None:
        raise ManualEntryError(f"unknown outlet {entry.outlet!r}")
    published = (
        datetime.combine(entry.published_on, datetime.min.time(), zone).astimezone(UTC)
        if entry.published_on
        else (page.published_at if page else None)
    )
    date_source = "manual" if entry.published_on else (page.published_at_source if page else None)
    title = entry.title or (page.title if page else "")
    if not title:
        raise ManualEntryError("a title is needed when the page has none")
    if entry.url:
        try:
            key = canonical_url(page.canonical_url or entry.url if page else entry.url)
        except InvalidURLError as error:
            raise ManualEntryError(str(error)) from None
    else:
        if outlet is None or published is None:
            raise ManualEntryError("without a URL, give the outlet, title and date")
        digest = hashlib.sha1(name_key(title).encode()).hexdigest()[:16]
        key = f"manual://{name_key(outlet.name).replace(' ', '-')}/{entry.published_on}/{digest}"
    article = Article(
        url=entry.url or "https://manual.invalid/",
        title=title,
        lead=entry.summary or (page.lead if page else ""),
        body=page.body if page else "",
        published_at=published,
    )
    result = classifier.classify(article)
    if outlet is not None:
        outlet_id, publication_type = outlet.id, outlet.publication_type
        medium = entry.medium or outlet.medium
    else:
        outlet_id, publication_type, medium = OutletResolver().resolve(
            session, result.outlet, source=None
        )
        medium = entry.medium or medium
    record = ItemRecord(
        canonical_url=key,
        url=entry.url or key,
        outlet_id=outlet_id,
        publication_type=publication_type,
        medium=medium,
        title=title,
        lead=article.lead,
        body=article.body,
        published_at=published,
        published_at_source=date_source,
        first_seen_at=datetime.now(UTC),
        completeness=page.completeness if page else "none",
        author=page.author if page else None,
        language=page.language if page else None,
        site_name=page.site_name if page else None,
        article_key=result.article_key if entry.url else None,
        origin="manual",
        classifier_version=CLASSIFIER_VERSION,
        mentions=[MentionRecord(m.form, m.place, m.role, m.snippet) for m in result.mentions],
    )
    item_id = store_item(session, record=record)
    if item_id is None:
        existing = item_id_by_url(session, canonical_url=key)
        assert existing is not None
        return Added(existing, created=False)
    add_correction(
        session,
        item=get_item(session, item_id=item_id),
        action="add_item",
        value={"url": entry.url, "outlet": entry.outlet},
        reason=entry.reason,
        actor=entry.added_by,
        now=datetime.now(UTC),
    )
    return Added(item_id, created=True)
