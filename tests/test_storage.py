"""Storage: exactly once per canonical URL, also under concurrency; SQLite settings."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select, text

from db.engine import session_factory, unit_of_work
from db.items import ItemRecord, store_item
from db.models import Item, Mention
from tests.factories import item_record


def _record(url: str) -> ItemRecord:
    return item_record(url, url=url + "?utm_source=rss")


def test_store_item_once_and_remember_other_urls(engine: Engine) -> None:
    sessions = session_factory(engine)
    with unit_of_work(sessions) as session:
        first = store_item(session, record=_record("https://nos.nl/artikel/1"))
    second_record = _record("https://nos.nl/artikel/1")
    second_record.url = "https://nos.nl/l/1"
    with unit_of_work(sessions) as session:
        second = store_item(session, record=second_record)
    assert first is not None and second is None
    with unit_of_work(sessions) as session:
        item = session.scalars(select(Item)).one()
        assert item.urls == ["https://nos.nl/artikel/1?utm_source=rss", "https://nos.nl/l/1"]
        assert session.scalar(select(func.count()).select_from(Mention)) == 1
        assert item.published_at == datetime(2025, 4, 3, 10, 0, tzinfo=UTC)


def test_concurrent_writers_store_once(engine: Engine) -> None:
    sessions = session_factory(engine)
    results: list[int | None] = []
    barrier = threading.Barrier(4)

    def writer() -> None:
        barrier.wait()
        with unit_of_work(sessions) as session:
            results.append(store_item(session, record=_record("https://nos.nl/artikel/7")))

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    assert sum(r is not None for r in results) == 1
    with unit_of_work(sessions) as session:
        assert session.scalar(select(func.count()).select_from(Item)) == 1


def test_sqlite_pragmas(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30_000


def test_sqlite_read_then_write_survives_a_concurrent_commit(sqlite_engine: Engine) -> None:
    """A transaction that reads, then writes, while another connection commits in
    between: with a deferred BEGIN this fails at once with "database is locked"."""
    sessions = session_factory(sqlite_engine)
    with unit_of_work(sessions) as session:
        store_item(session, record=_record("https://nos.nl/artikel/1"))
    reader_has_read = threading.Event()
    failures: list[BaseException] = []

    def other_writer() -> None:
        reader_has_read.wait()
        try:
            with unit_of_work(sessions) as session:
                store_item(session, record=_record("https://nos.nl/artikel/2"))
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    thread = threading.Thread(target=other_writer)
    thread.start()
    with unit_of_work(sessions) as session:
        count = session.execute(select(func.count()).select_from(Item)).scalar_one()
        reader_has_read.set()
        thread.join(timeout=0.5)  # the other writer waits for our lock meanwhile
        store_item(session, record=_record(f"https://nos.nl/artikel/{count + 10}"))
    thread.join()
    assert failures == []
    with unit_of_work(sessions) as session:
        assert session.scalar(select(func.count()).select_from(Item)) == 3
