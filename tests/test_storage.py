"""Storage: exactly once per canonical URL, also under concurrency; SQLite settings."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import OperationalError

import db.engine
from db.engine import session_factory, unit_of_work
from db.items import ItemRecord, store_item, store_items
from db.models import Item, Mention, Source
from db.sources import SourceSpec, seed_sources
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


def test_store_items_in_one_batch(engine: Engine) -> None:
    sessions = session_factory(engine)
    with unit_of_work(sessions) as session:
        known = store_item(session, record=_record("https://nos.nl/artikel/1"))
    repeated = _record("https://nos.nl/artikel/2")
    repeated.url = "https://nos.nl/l/2"
    records = [
        _record("https://nos.nl/artikel/2"),
        _record("https://nos.nl/artikel/1"),
        repeated,
        _record("https://nos.nl/artikel/3"),
    ]
    with unit_of_work(sessions) as session:
        ids = store_items(session, records=records)
    assert ids[1] is None and ids[2] is None
    assert ids[0] is not None and ids[3] is not None and len({known, ids[0], ids[3]}) == 3
    with unit_of_work(sessions) as session:
        items = {item.canonical_url: item for item in session.scalars(select(Item))}
        assert items["https://nos.nl/artikel/2"].id == ids[0]
        assert items["https://nos.nl/artikel/2"].urls == [
            "https://nos.nl/artikel/2?utm_source=rss",
            "https://nos.nl/l/2",
        ]
        per_item = dict(
            session.execute(select(Mention.item_id, func.count()).group_by(Mention.item_id)).all()
        )
        assert per_item == {known: 1, ids[0]: 1, ids[3]: 1}


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


def test_sqlite_writer_waits_for_the_lock_then_gives_up_at_the_busy_timeout(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db.engine, "SQLITE_BUSY_TIMEOUT_MS", 300)
    sessions = session_factory(sqlite_engine)
    path = sqlite_engine.url.database
    assert path is not None
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process writing, and not letting go
    with pytest.raises(OperationalError, match="locked"), unit_of_work(sessions) as session:
        store_item(session, record=_record("https://nos.nl/artikel/1"))
    releasing = threading.Timer(0.1, other.execute, args=("COMMIT",))
    releasing.start()  # now it lets go while the next writer waits
    with unit_of_work(sessions) as session:
        assert store_item(session, record=_record("https://nos.nl/artikel/1")) is not None
        # the connection keeps its busy timeout for the statements of the transaction
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == 300
    releasing.join()
    other.close()


def test_free_text_longer_than_its_column_is_cut_not_refused(engine: Engine) -> None:
    record = item_record(
        "https://www.nu.nl/lang",
        author="Redactie " * 100,
        site_name="NU.nl – " * 60,
        section="Binnenland " * 40,
        guid="tag:nu.nl," + "x" * 2500,
    )
    with unit_of_work(session_factory(engine)) as session:
        item_id = store_item(session, record=record)
    with unit_of_work(session_factory(engine)) as session:
        item = session.get_one(Item, item_id)
        assert (len(item.author or ""), len(item.site_name or "")) == (500, 300)
        assert (len(item.section or ""), len(item.guid or "")) == (300, 2000)
        assert (item.site_name or "").startswith("NU.nl – NU.nl")


def test_seeding_leaves_out_a_source_whose_name_is_taken(engine: Engine) -> None:
    specs = [
        SourceSpec("Voorbeeld", "feed", "https://www.voorbeeld.nl/rss"),
        SourceSpec("Voorbeeld", "feed", "https://www.voorbeeld.nl/andere-rss"),
        SourceSpec("Ander", "feed", "https://www.voorbeeld.nl/rss"),
    ]
    with unit_of_work(session_factory(engine)) as session:
        assert seed_sources(session, specs=specs, outlet_ids={}) == 1
    with unit_of_work(session_factory(engine)) as session:
        rows = session.execute(select(Source.name, Source.url)).all()
    assert rows == [("Voorbeeld", "https://www.voorbeeld.nl/rss")]
