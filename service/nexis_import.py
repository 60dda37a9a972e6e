"""`mediamonitor import nexis`: news-database exports into items.

Each article's publication name maps to an outlet (unknown names become unverified
outlets for review); an article that is the same publication as an item already
collected from the web is recorded on that item instead of being added twice; the same
print article imported twice is one item (its key is outlet, date and title).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from classifiers.article import CLASSIFIER_VERSION, ArticleClassifier
from classifiers.matching import SAME_ARTICLE_THRESHOLD, same_article_score
from classifiers.outlets import name_key
from classifiers.records import OutletMatch
from collectors.nexis import NexisArticle, NexisFormatError, read_nexis
from db.items import ItemRecord, MentionRecord, add_url, items_of_outlet_between, store_item
from db.models import Outlet
from db.outlets import ensure_outlet
from db.sources import SourceSpec, seed_sources, source_id_by_url

NEXIS_SOURCE = SourceSpec(name="LexisNexis import", kind="import", url="nexis:import", pages="none")
MATCH_WINDOW = timedelta(days=2)


@dataclass(slots=True)
class ImportOutcome:
    file: str
    documents: int = 0
    new: int = 0
    matched_web: int = 0
    known: int = 0
    no_mention: list[str] = field(default_factory=list)  # titles, for review
    errors: list[str] = field(default_factory=list)
    new_item_ids: list[int] = field(default_factory=list)


def nexis_key(outlet: str, article: NexisArticle) -> str:
    """Identity of a print article: outlet, day and title."""
    digest = hashlib.sha1(name_key(article.title).encode()).hexdigest()[:16]
    return f"nexis://{name_key(outlet).replace(' ', '-')}/{article.published_on}/{digest}"


class NexisImporter:
    def __init__(self, *, classifier: ArticleClassifier, zone: ZoneInfo) -> None:
        self.classifier = classifier
        self.zone = zone

    def import_file(self, session: Session, *, path: Path) -> ImportOutcome:
        outcome = ImportOutcome(file=str(path))
        try:
            report = read_nexis(path)
        except (NexisFormatError, OSError) as error:
            outcome.errors.append(str(error))
            return outcome
        outcome.documents = len(report.articles) + len(report.errors)
        outcome.errors.extend(report.errors)
        seed_sources(session, specs=[NEXIS_SOURCE], outlet_ids={})
        source_id = source_id_by_url(session, url=NEXIS_SOURCE.url)
        for article in report.articles:
            self._import_article(session, article, source_id=source_id, outcome=outcome)
        return outcome

    def _outlet(self, session: Session, publication: str) -> Outlet:
        entry = self.classifier.registry.entry_for_name(publication)
        if entry is not None:
            match = entry.as_match(entry.domains[0] if entry.domains else "")
        else:
            match = OutletMatch(
                domain="",
                outlet=publication.strip(),
                publication_type="other",
                medium="print",
                region=None,
                publisher_group=None,
                verified=False,
            )
        return session.get_one(Outlet, ensure_outlet(session, match=match))

    def _import_article(
        self,
        session: Session,
        article: NexisArticle,
        *,
        source_id: int | None,
        outcome: ImportOutcome,
    ) -> None:
        published = datetime.combine(article.published_on, datetime.min.time(), self.zone)
        mentions = self.classifier.detector.detect(
            title=article.title, body=article.body, published_at=published
        )
        if not mentions:
            outcome.no_mention.append(
                f"{article.publication}, {article.published_on}: {article.title}"
            )
            return
        outlet = self._outlet(session, article.publication)
        key = nexis_key(outlet.name, article)
        web = items_of_outlet_between(
            session,
            outlet_id=outlet.id,
            start=published - MATCH_WINDOW,
            end=published + MATCH_WINDOW + timedelta(days=1),
            origin="web",
        )
        for candidate in web:
            score = same_article_score(article.title, article.body, candidate.title, candidate.text)
            if score >= SAME_ARTICLE_THRESHOLD:
                add_url(session, item_id=candidate.id, url=key)
                outcome.matched_web += 1
                return
        record = ItemRecord(
            canonical_url=key,
            url=key,
            outlet_id=outlet.id,
            publication_type=outlet.publication_type,
            medium=outlet.medium or "print",
            title=article.title,
            lead="",
            body=article.body,
            published_at=published.astimezone(UTC),
            published_at_source="nexis",
            first_seen_at=datetime.now(UTC),
            completeness="full",
            source_id=source_id,
            author=article.byline,
            language=article.language,
            origin="nexis",
            section=article.section,
            length_words=article.length_words,
            site_name=article.publication.strip(),
            classifier_version=CLASSIFIER_VERSION,
            mentions=[MentionRecord(m.form, m.place, m.role, m.snippet) for m in mentions],
        )
        item_id = store_item(session, record=record)
        if item_id is None:
            outcome.known += 1
        else:
            outcome.new += 1
            outcome.new_item_ids.append(item_id)
