"""Migrations: up, down and up again on both databases; models and migrations agree."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from db.base import Base
from db.migrate import current_revision, downgrade, upgrade


def test_upgrade_downgrade_upgrade(engine: Engine) -> None:
    assert current_revision(engine) is not None
    downgrade(engine, "base")
    assert current_revision(engine) is None
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"items", "outlets", "sources", "mentions", "reprint_links", "corrections"} <= tables


def test_models_match_migrations(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], f"models and migrations differ: {differences}"


def test_source_entries_are_filled_in_and_dropped_without_losing_items(engine: Engine) -> None:
    """0004 on a database with data: entry counts start from the item counts, a second
    source of the same name gets its id added, and going back down keeps every item,
    mention and source link (a SQLite table rebuild with foreign keys on would fire their
    ON DELETE actions)."""
    downgrade(engine, "20261125_0003")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO sources (id, kind, url, name, enabled, pages, error_count, "
                "items_found, last_item_at, created_at) VALUES (7, 'feed', 'https://x.nl/rss', "
                "'X', true, 'all', 0, 3, '2026-01-02 03:04:05', '2025-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO sources (id, kind, url, name, enabled, pages, error_count, "
                "items_found, created_at) VALUES (8, 'feed', 'https://x.nl/rss2', 'X', true, "
                "'all', 0, 0, '2025-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO items (id, canonical_url, urls, source_id, publication_type, title, "
                "lead, body, first_seen_at, counted_at, completeness, origin, is_mention) VALUES "
                "(1, 'https://x.nl/a', '[]', 7, 'national', 'T', '', '', '2026-01-02 03:04:05', "
                "'2026-01-02 03:04:05', 'full', 'web', true)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO mentions (item_id, form, place, role, snippet) "
                "VALUES (1, 'nationaal rapporteur', 'body', 'subject', '…')"
            )
        )
    upgrade(engine)
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT entries_found, last_entry_at, last_item_at FROM sources WHERE id = 7")
        ).one()
        assert row[0] == 3 and row[1] == row[2] and row[1] is not None
        names = connection.execute(text("SELECT name FROM sources ORDER BY id")).scalars().all()
        assert names == ["X", "X (8)"]
    downgrade(engine, "20261125_0003")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM mentions")).scalar_one() == 1
        assert connection.execute(text("SELECT source_id FROM items")).scalar_one() == 7
    upgrade(engine)
