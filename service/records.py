"""Turn an evaluated article into the row to store, with its outlet resolved."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from classifiers.article import CLASSIFIER_VERSION
from classifiers.records import OutletMatch
from db.items import ItemRecord, MentionRecord
from db.outlets import ensure_outlet

if TYPE_CHECKING:
    from service.articles import Evaluated
    from service.collect import SourceJob


class OutletResolver:
    """Outlet ids by name, creating unverified outlets for unknown domains once."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}

    def resolve(
        self, session: Session, match: OutletMatch, *, source: SourceJob | None
    ) -> tuple[int, str, str | None]:
        """(outlet id, publication type, medium). An unknown domain in a source that
        belongs to an outlet (a feed on a domain the registry lacks) is that outlet's."""
        if not match.verified and source is not None and source.outlet_id is not None:
            return (
                source.outlet_id,
                source.outlet_type or match.publication_type,
                source.outlet_medium,
            )
        outlet_id = self._ids.get(match.outlet)
        if outlet_id is None:
            outlet_id = self._ids[match.outlet] = ensure_outlet(session, match=match)
        return outlet_id, match.publication_type, match.medium


def item_record(
    session: Session,
    outlets: OutletResolver,
    *,
    job: SourceJob,
    evaluated: Evaluated,
    now: datetime,
) -> ItemRecord:
    article, classification, page = evaluated.article, evaluated.classification, evaluated.page
    assert article is not None and classification is not None
    outlet_id, publication_type, medium = outlets.resolve(
        session, classification.outlet, source=job
    )
    if page is not None:
        completeness, date_source = page.completeness, page.published_at_source
    else:
        completeness = "partial" if article.body or article.lead else "none"
        date_source = "feed" if article.published_at else None
    return ItemRecord(
        canonical_url=classification.canonical_url,
        url=evaluated.urls[-1] if evaluated.urls else classification.canonical_url,
        other_urls=evaluated.urls[:-1],
        outlet_id=outlet_id,
        publication_type=publication_type,
        medium=medium,
        title=article.title,
        lead=article.lead,
        body=article.body,
        published_at=article.published_at,
        published_at_source=date_source if article.published_at else None,
        first_seen_at=now,
        completeness=completeness,
        source_id=job.id,
        guid=evaluated.guid,
        author=page.author if page else None,
        language=page.language if page else None,
        site_name=page.site_name if page else None,
        article_key=classification.article_key,
        classifier_version=CLASSIFIER_VERSION,
        mentions=[
            MentionRecord(form=m.form, place=m.place, role=m.role, snippet=m.snippet)
            for m in classification.mentions
        ],
    )
