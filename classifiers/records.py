"""Plain data passed between the stages. No behaviour, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class MentionHit:
    """One place where the watched organisation is mentioned."""

    form: str
    place: str  # title | lead | body
    role: str  # quoted | report_cited | passing
    snippet: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class OutletMatch:
    """The outlet a URL belongs to, from the registry or from rules."""

    domain: str
    outlet: str
    publication_type: str
    medium: str | None
    region: str | None
    publisher_group: str | None
    verified: bool


@dataclass(slots=True)
class Article:
    """One article as the classifiers see it."""

    url: str
    title: str = ""
    lead: str = ""
    body: str = ""
    published_at: datetime | None = None
    extra_urls: list[str] = field(default_factory=list)
