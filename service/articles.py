"""From a feed entry to a classified article: resolve search links, fetch and extract the
page when the source's page policy asks for it, detect mentions.

Pages are fetched only for entries that may matter: ``pages: all`` fetches every new
entry's page, ``matching`` only where the feed text mentions the Rapporteur or the source
is a news search for the Rapporteur, ``none`` never. A page whose raw bytes cannot contain
any watched name is not extracted at all (extraction dominates the cost).
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from classifiers.article import ArticleClassifier, Classification
from classifiers.records import Article
from classifiers.urls import InvalidURLError, canonical_url, domain_of
from collectors.errors import CollectError
from collectors.feeds import FeedEntry
from collectors.fetch import Fetcher, FetchResult
from collectors.page_screen import may_mention
from collectors.robots import RobotsCache
from collectors.search_feeds import (
    google_news_answer,
    google_news_id,
    google_news_request,
    on_google,
    publisher_url,
)
from service.extraction import Extractor

if TYPE_CHECKING:
    from collectors.pages import PageContent

log = logging.getLogger(__name__)
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"


@dataclass(slots=True)
class Evaluated:
    """What became of one new entry."""

    outcome: str  # mention | no_mention | robots | page_error
    canonical_url: str
    urls: list[str] = field(default_factory=list)
    article: Article | None = None
    classification: Classification | None = None
    page: PageContent | None = None
    error: str | None = None
    guid: str | None = None
    entry_url: str | None = None  # the entry's own canonical URL, when it led elsewhere


def screen_pattern(classifier: ArticleClassifier) -> re.Pattern[bytes]:
    """Bytes regex that matches wherever a watched form could stand in raw HTML."""
    return re.compile(classifier.detector.screen_pattern.encode(), re.IGNORECASE)


class ArticleStage:
    def __init__(
        self,
        *,
        fetcher: Fetcher,
        robots: RobotsCache,
        extractor: Extractor,
        classifier: ArticleClassifier,
    ) -> None:
        self.fetcher = fetcher
        self.robots = robots
        self.extractor = extractor
        self.classifier = classifier
        self.screen = screen_pattern(classifier)
        # One evaluation at a time per article: feeds of one site often share entries, and
        # their sources are collected at the same time. Done evaluations are dropped (their
        # pages would pile up in memory); the item they stored is "known" from then on.
        self._in_flight: dict[tuple[str, str, bool], asyncio.Task[Evaluated]] = {}

    def feed_article(self, entry: FeedEntry, url: str) -> Article:
        return Article(
            url=url,
            title=entry.title,
            lead=entry.summary,
            body=entry.content,
            published_at=entry.published_at,
        )

    async def evaluate(self, entry: FeedEntry, *, url: str, pages: str, search: bool) -> Evaluated:
        """Classify one entry whose canonical URL ``url`` is not stored yet."""
        key = (url, pages, search)
        task = self._in_flight.get(key)
        if task is None:
            task = asyncio.ensure_future(self._evaluate(entry, url=url, pages=pages, search=search))
            self._in_flight[key] = task
            task.add_done_callback(lambda _: self._in_flight.pop(key, None))
        evaluated = await asyncio.shield(task)
        return replace(evaluated, guid=entry.guid)

    def evaluate_feed_entry(self, entry: FeedEntry, *, url: str) -> Evaluated:
        """``evaluate`` for a source on ``pages: none``: the entry alone, at once, without
        the task ``evaluate`` shares between sources (nothing is fetched, so nothing to
        share or wait for)."""
        from_feed = self.feed_article(entry, url)
        evaluated = self._result(from_feed, self.classifier.classify(from_feed), urls=[entry.link])
        evaluated.guid = entry.guid
        return evaluated

    async def _evaluate(self, entry: FeedEntry, *, url: str, pages: str, search: bool) -> Evaluated:
        from_feed = self.feed_article(entry, url)
        feed_result = self.classifier.classify(from_feed)
        wants_page = pages == "all" or (pages == "matching" and (search or feed_result.is_mention))
        if not wants_page:
            return self._result(from_feed, feed_result, urls=[entry.link])
        page_url = (publisher_url(entry.link) or entry.link) if search else entry.link
        if not await self.robots.allowed(page_url):
            if feed_result.is_mention:
                return self._result(from_feed, feed_result, urls=[entry.link])
            return Evaluated("robots", url, urls=[entry.link])
        try:
            fetched = await self.fetcher.fetch(page_url, accept=PAGE_ACCEPT)
            if search and page_url == entry.link:
                fetched = await self._behind_google_news(entry.link, fetched)
        except CollectError as error:
            log.info("page %s failed: %s", page_url, error)
            if feed_result.is_mention:  # keep what the feed told us
                return self._result(from_feed, feed_result, urls=[entry.link])
            return Evaluated("page_error", url, urls=[entry.link], error=str(error))
        urls = list(dict.fromkeys([entry.link, page_url, fetched.final_url]))
        if not feed_result.is_mention and not may_mention(fetched.body, self.screen):
            return Evaluated("no_mention", self._canonical(fetched.final_url, url), urls=urls)
        page = await self.extractor.extract(
            fetched.body,
            url=fetched.final_url,
            feed_published_at=entry.published_at,
            charset=fetched.charset,
        )
        final = self._canonical(page.canonical_url or fetched.final_url, url, fetched.final_url)
        article = Article(
            url=final,
            title=page.title or entry.title,
            lead=page.lead or entry.summary,
            body=page.body or entry.content,
            published_at=page.published_at or entry.published_at,
        )
        result = self.classifier.classify(article)
        if not result.is_mention and feed_result.is_mention:
            # A paywalled or oddly extracted page hides what the feed showed.
            article.lead = "\n".join(filter(None, [entry.summary, article.lead]))
            result = self.classifier.classify(article)
        evaluated = self._result(article, result, urls=urls)
        evaluated.page = page
        return evaluated

    async def _behind_google_news(self, link: str, fetched: FetchResult) -> FetchResult:
        """The publisher's page behind a Google News link whose id only Google can read
        (``collectors.search_feeds``), or ``fetched`` itself when it is no such link's
        page. Google's own page is never taken for the article: a link that cannot be
        resolved is a page error."""
        article_id = google_news_id(link)
        request = article_id and google_news_request(article_id, fetched.final_url, fetched.body)
        if not request:
            if article_id and on_google(fetched.final_url):  # a consent or "sorry" page
                raise CollectError("malformed", f"Google News showed no article for {link}")
            return fetched
        endpoint, form = request
        answer = await self.fetcher.fetch(endpoint, accept="*/*", form=form)
        target = google_news_answer(answer.body)
        if target is None:
            raise CollectError("malformed", f"Google News gave no article URL for {link}")
        if not await self.robots.allowed(target):
            raise CollectError("forbidden", f"robots.txt disallows {target}")
        page = await self.fetcher.fetch(target, accept=PAGE_ACCEPT)
        page.redirects = [link, *page.redirects]
        return page

    def _result(self, article: Article, result: Classification, *, urls: list[str]) -> Evaluated:
        return Evaluated(
            "mention" if result.is_mention else "no_mention",
            result.canonical_url,
            urls=urls,
            article=article,
            classification=result,
        )

    @staticmethod
    def _canonical(candidate: str, fallback: str, fetched: str | None = None) -> str:
        """The page's canonical URL when it stays on the fetched site, else the fallback."""
        try:
            canonical = canonical_url(candidate)
        except InvalidURLError:
            return fallback
        # A page may not move itself to another site by its canonical link.
        if fetched is not None and _site(canonical) != _site(fetched):
            return canonical_url(fetched)
        return canonical


def _site(url: str) -> list[str]:
    return domain_of(url).split(".")[-2:]
