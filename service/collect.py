"""One collection run: fetch due sources, evaluate their new entries, store the mentions.

I/O stays here and in ``collectors``/``db``; classification is the pure
``ArticleClassifier``. Every parsed entry is accounted for: seen = new + known + skipped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from classifiers.reprints import reprint_text
from classifiers.shingles import TextSketch, text_digest
from classifiers.urls import InvalidURLError, canonical_url
from collectors.errors import CollectError
from collectors.feeds import FeedEntry, parse_feed
from collectors.fetch import Fetcher, FetchResult
from collectors.search_feeds import publisher_url
from collectors.sitemaps import parse_sitemap
from db.engine import unit_of_work
from db.items import ItemRecord, looked_at_urls, remember_seen, store_items
from db.models import Outlet, Source
from db.runs import finish_run, start_run
from db.sources import due_sources, record_failure, record_success
from service.articles import ArticleStage, Evaluated
from service.records import OutletResolver, item_record
from service.schedule import (
    entries_published_after,
    next_check_after_failure,
    next_check_after_success,
)

log = logging.getLogger(__name__)
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)
MAX_CHILD_SITEMAPS = 5
# Fetched sources worked on at the same time, per connection allowed in flight.
SOURCES_PER_CONNECTION = 4


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
    last_entry_at: datetime | None
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
            last_entry_at=source.last_entry_at,
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
    new_entries: int = 0  # entries the source published since its fetch before (its news)
    pages_fetched: int = 0
    page_errors: int = 0
    error: str | None = None
    category: str | None = None
    new_item_ids: list[int] = field(default_factory=list)
    # The new items' text sketches (by text digest), made here so the run's reprint pass
    # need not: a collecting process has them at hand, the pass comes after all of them.
    sketches: dict[bytes, TextSketch] = field(default_factory=dict, repr=False)

    def as_record(self) -> dict[str, object]:
        """The outcome as the run stores it: every field but the sketches (``asdict`` of
        a copy without them took 24 ms for 450 outcomes, at the end of the run)."""
        record = {name: getattr(self, name) for name in _RECORDED_FIELDS}
        record["new_item_ids"] = list(self.new_item_ids)
        return record


_RECORDED_FIELDS = tuple(f.name for f in fields(SourceOutcome) if f.name != "sketches")


@dataclass(slots=True)
class RunReport:
    run_id: int
    outcomes: list[SourceOutcome] = field(default_factory=list)

    def recorder(
        self, then: Callable[[SourceOutcome], None] | None = None
    ) -> Callable[[SourceOutcome], None]:
        """A callback that adds each outcome to this report, then passes it on: a run
        that is interrupted is recorded with the sources it finished."""

        def record(outcome: SourceOutcome) -> None:
            self.outcomes.append(outcome)
            if then is not None:
                then(outcome)

        return record

    @property
    def items_new(self) -> int:
        return sum(o.new for o in self.outcomes)

    @property
    def failed(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.status == "error"]

    @property
    def new_item_ids(self) -> list[int]:
        return [i for o in self.outcomes for i in o.new_item_ids]

    @property
    def sketches(self) -> dict[bytes, TextSketch]:
        return {digest: s for o in self.outcomes for digest, s in o.sketches.items()}


def _now() -> datetime:
    return datetime.now(UTC)


# due: sources whose next check has come (the scheduler); all: every enabled source except
# those backing off after failures; every: every enabled source.
Selection = Literal["due", "all", "every"]


def load_jobs(session: Session, *, now: datetime, selection: Selection) -> list[SourceJob]:
    if selection == "due":
        sources = due_sources(session, now=now)
    else:
        query = (
            select(Source)
            .options(selectinload(Source.outlet))  # one query, not one an outlet
            .where(Source.enabled.is_(True))
            .order_by(Source.id)
        )
        sources = list(session.scalars(query))
        if selection == "all":
            sources = [s for s in sources if not _backing_off(s, now)]
    return [SourceJob.from_row(source, source.outlet) for source in sources]


def _backing_off(source: Source, now: datetime) -> bool:
    return (
        source.error_count > 0 and source.next_check_at is not None and source.next_check_at > now
    )


def failed_outcome(job: SourceJob, error: str) -> SourceOutcome:
    """The outcome of a source whose collection broke off for a reason of ours."""
    return SourceOutcome(
        source_id=job.id, name=job.name, status="error", error=error, category="internal"
    )


def begin_run(sessions: sessionmaker[Session], *, trigger: str) -> int:
    with unit_of_work(sessions) as session:
        return start_run(session, trigger=trigger, now=_now())


def end_run(sessions: sessionmaker[Session], report: RunReport) -> None:
    with unit_of_work(sessions) as session:
        finish_run(
            session,
            run_id=report.run_id,
            now=_now(),
            outcomes={str(o.source_id): o.as_record() for o in report.outcomes},
            sources_ok=len(report.outcomes) - len(report.failed),
            sources_failed=len(report.failed),
            items_new=report.items_new,
        )


class Collector:
    """Runs collections against one database with one shared fetcher."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        read_sessions: sessionmaker[Session],
        fetcher: Fetcher,
        stage: ArticleStage,
    ) -> None:
        self.sessions = sessions
        self.read_sessions = read_sessions
        self.fetcher = fetcher
        self.stage = stage
        self.outlets = OutletResolver()
        # Every feed is requested at once (a slow server then costs its wait only once), but
        # only a few fetched feeds are worked on at a time: parsing hundreds of feeds first
        # would hold back every page fetch and leave the extraction workers idle for seconds.
        self._working = asyncio.Semaphore(SOURCES_PER_CONNECTION * fetcher.limits.concurrency)
        self._answered: set[int] = set()  # sources whose feed came in, not reported yet
        self._on_quiet: Callable[[bool], None] | None = None

    async def run(
        self,
        jobs: list[SourceJob],
        *,
        trigger: str = "manual",
        on_done: Callable[[SourceOutcome], None] | None = None,
    ) -> RunReport:
        """Collect ``jobs`` as one recorded run. A cancelled run (a stopping scheduler) is
        recorded with the sources it finished; the others are due again."""
        report = RunReport(run_id=begin_run(self.sessions, trigger=trigger))
        try:
            await self.collect_all(jobs, on_done=report.recorder(on_done))
        finally:
            end_run(self.sessions, report)
        return report

    async def collect_all(
        self,
        jobs: list[SourceJob],
        *,
        on_done: Callable[[SourceOutcome], None],
        on_quiet: Callable[[bool], None] | None = None,
    ) -> None:
        """Collect every job at once; one outcome per job (to ``on_done``), whatever
        happens to it.

        ``on_quiet(True)`` comes after the outcome of the last source being worked on
        when the sources left all still wait for their feed (a hanging server), and
        ``on_quiet(False)`` when a feed comes in again: what has been stored by then can
        be worked on while they wait."""
        self._on_quiet = on_quiet

        async def one(job: SourceJob) -> None:
            try:
                outcome = await self.collect_source(job)
            except Exception as error:  # one source's bug or database error ends that source only
                log.exception("source %s (%s): unexpected failure", job.name, job.url)
                outcome = failed_outcome(job, f"internal: {error!r}")
            on_done(outcome)
            self._reported(job)

        await asyncio.gather(*(one(job) for job in jobs))

    async def collect_source(self, job: SourceJob) -> SourceOutcome:
        outcome = SourceOutcome(source_id=job.id, name=job.name)
        evaluations: list[Evaluated] = []
        entries: list[FeedEntry] = []
        try:
            result = await self.fetcher.fetch(
                job.url,
                etag=job.etag,
                last_modified=job.last_modified,
                accept=FEED_ACCEPT,
                urgent=True,
            )
            self._answer_came(job)
            if result.not_modified:
                outcome.status = "not_modified"
            else:
                await self.fetcher.urgent_sent()
                async with self._working:
                    entries, skipped = await self._entries(job, result)
                    outcome.seen, outcome.skipped = len(entries) + skipped, skipped
                    evaluations = await self._evaluate(job, entries, outcome)
        except CollectError as error:
            outcome.status, outcome.error, outcome.category = "error", str(error), error.category
            log.warning("source %s (%s) failed: %s", job.name, job.url, error)
            self._record_failure(job, error)
            return outcome
        keep = result.not_modified
        self._commit(
            job,
            outcome,
            evaluations,
            etag=result.etag or (job.etag if keep else None),
            last_modified=result.last_modified or (job.last_modified if keep else None),
            published=[entry.published_at for entry in entries],
        )
        return outcome

    def _answer_came(self, job: SourceJob) -> None:
        if not self._answered and self._on_quiet is not None:
            self._on_quiet(False)
        self._answered.add(job.id)

    def _reported(self, job: SourceJob) -> None:
        """After the source's outcome, so "quiet" never overtakes it."""
        if job.id in self._answered:
            self._answered.discard(job.id)
            if not self._answered and self._on_quiet is not None:
                self._on_quiet(True)

    async def _entries(self, job: SourceJob, result: FetchResult) -> tuple[list[FeedEntry], int]:
        if job.kind != "sitemap":
            feed = parse_feed(result.body, content_type=result.headers.get("content-type"))
            return feed.entries, feed.skipped
        sitemap = parse_sitemap(result.body)
        entries = [e.as_feed_entry() for e in sitemap.entries]
        for child in sitemap.sitemaps[:MAX_CHILD_SITEMAPS]:
            child_result = await self.fetcher.fetch(child, accept=FEED_ACCEPT, urgent=True)
            entries += [e.as_feed_entry() for e in parse_sitemap(child_result.body).entries]
        return entries, 0

    def _identity(self, job: SourceJob, entry: FeedEntry) -> str:
        link = (
            (publisher_url(entry.link) or entry.link) if job.kind == "search_feed" else entry.link
        )
        return canonical_url(link)

    async def _evaluate(
        self, job: SourceJob, entries: list[FeedEntry], outcome: SourceOutcome
    ) -> list[Evaluated]:
        """Evaluate the entries not stored or looked at before."""
        by_url: dict[str, FeedEntry] = {}
        for entry in entries:
            try:
                url = self._identity(job, entry)
            except InvalidURLError:
                log.info("source %s: entry with unusable link %r skipped", job.name, entry.link)
                outcome.skipped += 1
                continue
            if url in by_url:
                outcome.known += 1  # the same article twice in one feed
            else:
                by_url[url] = entry
        with unit_of_work(self.read_sessions) as session:
            urls = list(by_url)
            known, looked_at = looked_at_urls(session, canonical_urls=urls)
        outcome.known += len(known)
        outcome.skipped += len(looked_at - known)
        done = known | looked_at
        fresh = [(url, entry) for url, entry in by_url.items() if url not in done]
        if job.pages == "none":
            return [self.stage.evaluate_feed_entry(entry, url=url) for url, entry in fresh]
        evaluations = await asyncio.gather(
            *(
                self.stage.evaluate(
                    entry, url=url, pages=job.pages, search=job.kind == "search_feed"
                )
                for url, entry in fresh
            )
        )
        for (url, _), evaluated in zip(fresh, evaluations, strict=True):
            if url != evaluated.canonical_url:
                evaluated.entry_url = url
        return evaluations

    def _commit(
        self,
        job: SourceJob,
        outcome: SourceOutcome,
        evaluations: list[Evaluated],
        *,
        etag: str | None,
        last_modified: str | None,
        published: list[datetime | None],
    ) -> None:
        """Store the source's new items and its health in one transaction."""
        now = _now()
        outcome.new_entries, newest = entries_published_after(
            published, since=job.last_entry_at, now=now
        )
        seen: list[tuple[str, str]] = []
        new: list[ItemRecord] = []
        with unit_of_work(self.sessions) as session:
            records = []
            for evaluated in evaluations:
                outcome.pages_fetched += evaluated.page is not None
                if evaluated.outcome == "page_error":
                    outcome.skipped += 1
                    outcome.page_errors += 1  # not remembered: tried again next time
                    continue
                # An entry that led to another URL (a redirect, a search feed's link, the
                # page's canonical link) is known by its own next time, without a fetch.
                if evaluated.entry_url:
                    seen.append((evaluated.entry_url, evaluated.outcome))
                if evaluated.outcome == "mention":
                    records.append(
                        item_record(session, self.outlets, job=job, evaluated=evaluated, now=now)
                    )
                else:
                    outcome.skipped += 1
                    seen.append((evaluated.canonical_url, evaluated.outcome))
            for record, item_id in zip(records, store_items(session, records=records), strict=True):
                if item_id is None:
                    outcome.known += 1
                else:
                    outcome.new += 1
                    outcome.new_item_ids.append(item_id)
                    new.append(record)
            remember_seen(session, entries=seen, source_id=job.id, now=now)
            if newest is None:  # a feed without dates: what is new to us, pages read
                outcome.new_entries = len(evaluations) - outcome.page_errors
                newest = now if outcome.new_entries else None
            previous = job.previous_interval_seconds
            record_success(
                session,
                source_id=job.id,
                now=now,
                next_check_at=next_check_after_success(
                    now=now,
                    previous_interval=timedelta(seconds=previous) if previous else None,
                    new_entries=outcome.new_entries,
                ),
                etag=etag,
                last_modified=last_modified,
                new_items=outcome.new,
                new_entries=outcome.new_entries,
                newest_entry_at=newest,
            )
        for record in new:  # after the transaction: its write lock is shared
            text = reprint_text(record.lead, record.body)
            outcome.sketches[text_digest(text)] = TextSketch.of(text)

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
