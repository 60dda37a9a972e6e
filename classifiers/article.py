"""One article through the pure classifiers: canonical URL, outlet, mentions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from classifiers.mentions import MentionDetector
from classifiers.outlets import OutletRegistry
from classifiers.records import Article, MentionHit, OutletMatch
from classifiers.urls import article_key, canonical_url
from classifiers.watchlist import load_watchlist

CLASSIFIER_VERSION = "2026.11.1"


@dataclass(frozen=True, slots=True)
class Classification:
    canonical_url: str
    outlet: OutletMatch
    mentions: list[MentionHit]
    article_key: str | None

    @property
    def is_mention(self) -> bool:
        return bool(self.mentions)


class ArticleClassifier:
    """Stateless apart from its compiled watchlist and registry; build once, reuse."""

    def __init__(self, detector: MentionDetector, registry: OutletRegistry) -> None:
        self.detector = detector
        self.registry = registry

    @classmethod
    def default(cls, *, watchlist: Path | None = None) -> ArticleClassifier:
        """The shipped registry with the shipped watchlist (the Rapporteur) or another one."""
        return cls(MentionDetector(load_watchlist(watchlist)), OutletRegistry.default())

    def classify(self, article: Article) -> Classification:
        url = canonical_url(article.url)
        return Classification(
            canonical_url=url,
            outlet=self.registry.match(url),
            mentions=self.detector.detect(
                title=article.title,
                lead=article.lead,
                body=article.body,
                published_at=article.published_at,
            ),
            article_key=article_key(url),
        )
