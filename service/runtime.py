"""The long-lived objects of a process: settings, engine, sessions, classifier."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from classifiers.article import ArticleClassifier
from collectors.fetch import FetchLimits
from db.engine import make_engine, read_only, session_factory
from service.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    engine: Engine

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        return cls(settings=settings, engine=make_engine(settings.resolved_database_url))

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        """Sessions for units of work that write (BEGIN IMMEDIATE on SQLite)."""
        return session_factory(self.engine)

    @cached_property
    def read_sessions(self) -> sessionmaker[Session]:
        """Sessions for reading only; they never wait for the write lock."""
        return session_factory(read_only(self.engine))

    @cached_property
    def classifier(self) -> ArticleClassifier:
        return ArticleClassifier.default(watchlist=self.settings.watchlist_file)

    def fetch_limits(self) -> FetchLimits:
        s = self.settings
        return FetchLimits(
            user_agent=s.user_agent,
            connect_timeout=s.http_connect_timeout,
            read_timeout=s.http_read_timeout,
            deadline=s.http_deadline,
            max_body_bytes=s.http_max_body_bytes,
            max_redirects=s.http_max_redirects,
            concurrency=s.http_concurrency,
            per_host_concurrency=s.http_per_host_concurrency,
            per_host_delay=s.http_per_host_delay,
        )

    def close(self) -> None:
        self.engine.dispose()
