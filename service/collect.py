"""One collection run: fetch due sources, classify their entries, store new mentions.

I/O stays here and in ``collectors``/``db``; classification is the pure
``ArticleClassifier``. Every parsed entry is accounted for: seen = new + known + skipped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from classifiers.article import CLASSIFIER_VERSION, ArticleClassifier, Classification
from classifiers.records import Article
from classifiers.urls import InvalidURLError, canonical_url
from collectors.errors import CollectError
from collectors.feeds import FeedEntry, parse_feed
from collectors.fetch import Fetcher
from db.engine import unit_of_work
from db.items import ItemRecord, MentionRecord, known_urls, store_item
from db.models import Outlet, Source
from db.outlets import ensure_outlet
from db.runs import finish_run, start_run
from db.sources import due_sources, record_failure, record_success
from service.schedule import next_check_after_failure, next_check_after_success

log = logging.getLogger(__name__)
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)


@dataclass(frozen=True, slots=True)
class SourceJob:
    """What a run needs to know of a source, read before any network I/O."""

    id: int
    name: str
    kind: str
    url: str
    pages: str
    etag: str | None
    last_modified: str | None
    error_count: int
    previous_interval_seconds: float | None
    outlet_id: int | None
    outlet_type: str | None
    outlet_medium: str | None

    @classmethod
    def from_row(cls, source: Source, outlet: Outlet | None) -> SourceJob:
        interval = None
        if source.next_check_at and source.last_checked_at:
            interval = (source.next_check_at - source.last_checked_at).total_seconds()
        return cls(
            id=source.id,
            name=source.name,
            kind=source.kind,
            url=source.url,
            pages=source.pages,
            etag=source.etag,
            last_modified=source.last_modified,
            error_count=source.error_count,
            previous_interval_seconds=interval,
            outlet_id=outlet.id if outlet else None,
            outlet_type=outlet.publication_type if outlet else None,
            outlet_medium=outlet.medium if outlet else None,
        )


@dataclass(slots=True)
class SourceOutcome:
    source_id: int
    name: str
    status: str = "ok"  # ok | not_modified | error
    seen: int = 0
    new: int = 0
    known: int = 0
    skipped: int = 0
    error: str | None = None
    category: str | None = None


@dataclass(slots=True)
class RunReport:
    run_id: int
    outcomes: list[SourceOutcome] = field(default_factory=list)

    @property
    def items_new(self) -> int:
        return sum(o.new for o in self.outcomes)

    @property
    def failed(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.status == "error"]


def _now() -> datetime:
    return datetime.now(UTC)


def load_jobs(session: Session, *, now: datetime, only_due: bool) -> list[SourceJob]:
    if only_due:
        sources = due_sources(session, now=now)
    else:
        sources = list(
            session.scalars(select(Source).where(Source.enabled.is_(True)).order_by(Source.id))
        )
    return [SourceJob.from_row(source, source.outlet) for source in sources]


class Collector:
    """Runs collections against one database with one shared fetcher."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        fetcher: Fetcher,
        classifier: ArticleClassifier,
    ) -> None:
        self.sessions = sessions
        self.fetcher = fetcher
        self.classifier = classifier
        self._outlet_ids: dict[str, int] = {}

    async def run(
        self,
        jobs: list[SourceJob],
        *,
        trigger: str = "manual",
        on_done: Callable[[SourceOutcome], None] | None = None,
    ) -> RunReport:
        with unit_of_work(self.sessions) as session:
            report = RunReport(run_id=start_run(session, trigger=trigger, now=_now()))

        async def one(job: SourceJob) -> None:
            outcome = await self.collect_source(job)
            report.outcomes.append(outcome)
            if on_done is not None:
                on_done(outcome)

        await asyncio.gather(*(one(job) for job in jobs))
        with unit_of_work(self.sessions) as session:
            finish_run(
                session,
                run_id=report.run_id,
                now=_now(),
                outcomes={str(o.source_id): asdict(o) for o in report.outcomes},
                sources_ok=len(report.outcomes) - len(report.failed),
                sources_failed=len(report.failed),
                items_new=report.items_new,
            )
        return report

    async def collect_source(self, job: SourceJob) -> SourceOutcome:
        outcome = SourceOutcome(source_id=job.id, name=job.name)
        try:
            result = await self.fetcher.fetch(
                job.url, etag=job.etag, last_modified=job.last_modified, accept=FEED_ACCEPT
            )
            if result.not_modified:
                outcome.status = "not_modified"
            else:
                feed = parse_feed(result.body, content_type=result.headers.get("content-type"))
                outcome.skipped += feed.skipped
                outcome.seen += len(feed.entries) + feed.skipped
                self._store_entries(job, feed.entries, outcome)
        except CollectError as error:
            outcome.status, outcome.error, outcome.category = "error", str(error), error.category
            log.warning("source %s (%s) failed: %s", job.name, job.url, error)
            self._record_failure(job, error)
            return outcome
        self._record_success(
            job,
            outcome,
            etag=result.etag or (job.etag if result.not_modified else None),
            last_modified=result.last_modified
            or (job.last_modified if result.not_modified else None),
        )
        return outcome

    def _store_entries(
        self, job: SourceJob, entries: list[FeedEntry], outcome: SourceOutcome
    ) -> None:
        by_url: dict[str, FeedEntry] = {}
        for entry in entries:
            try:
                url = canonical_url(entry.link)
            except InvalidURLError:
                log.info("source %s: entry with unusable link %r skipped", job.name, entry.link)
                outcome.skipped += 1
                continue
            if url in by_url:
                outcome.known += 1  # the same article twice in one feed
                continue
            by_url[url] = entry
        with unit_of_work(self.sessions) as session:
            known = known_urls(session, canonical_urls=list(by_url))
            outcome.known += len(known)
            for url, entry in by_url.items():
                if url in known:
                    continue
                article = Article(
                    url=url,
                    title=entry.title,
                    lead=entry.summary,
                    body=entry.content,
                    published_at=entry.published_at,
                )
                classification = self.classifier.classify(article)
                if not classification.is_mention:
                    outcome.skipped += 1
                    continue
                record = self._record(session, job, entry, article, classification)
                if store_item(session, record=record) is None:
                    outcome.known += 1
                else:
                    outcome.new += 1

    def _record(
        self,
        session: Session,
        job: SourceJob,
        entry: FeedEntry,
        article: Article,
        classification: Classification,
    ) -> ItemRecord:
        match = classification.outlet
        outlet_id: int | None
        if not match.verified and job.outlet_id is not None:
            outlet_id = job.outlet_id
            publication_type = job.outlet_type or match.publication_type
            medium = job.outlet_medium
        else:
            outlet_id = self._outlet_ids.get(match.outlet)
            if outlet_id is None:
                outlet_id = ensure_outlet(session, match=match)
                self._outlet_ids[match.outlet] = outlet_id
            publication_type, medium = match.publication_type, match.medium
        return ItemRecord(
            canonical_url=classification.canonical_url,
            url=entry.link,
            outlet_id=outlet_id,
            publication_type=publication_type,
            medium=medium,
            title=article.title,
            lead=article.lead,
            body=article.body,
            published_at=entry.published_at,
            published_at_source="feed" if entry.published_at else None,
            first_seen_at=_now(),
            completeness="partial" if article.body or article.lead else "none",
            source_id=job.id,
            guid=entry.guid,
            author=entry.author,
            classifier_version=CLASSIFIER_VERSION,
            mentions=[
                MentionRecord(form=m.form, place=m.place, role=m.role, snippet=m.snippet)
                for m in classification.mentions
            ],
        )

    def _record_success(
        self, job: SourceJob, outcome: SourceOutcome, *, etag: str | None, last_modified: str | None
    ) -> None:
        now = _now()
        previous = (
            timedelta(seconds=job.previous_interval_seconds)
            if job.previous_interval_seconds
            else None
        )
        with unit_of_work(self.sessions) as session:
            record_success(
                session,
                source_id=job.id,
                now=now,
                next_check_at=next_check_after_success(
                    now=now, previous_interval=previous, new_items=outcome.new
                ),
                etag=etag,
                last_modified=last_modified,
                new_items=outcome.new,
            )

    def _record_failure(self, job: SourceJob, error: CollectError) -> None:
        now = _now()
        with unit_of_work(self.sessions) as session:
            record_failure(
                session,
                source_id=job.id,
                now=now,
                error=str(error),
                next_check_at=next_check_after_failure(
                    now=now, error_count=job.error_count + 1, retry_after=error.retry_after
                ),
            )
