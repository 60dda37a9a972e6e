"""Insert-or-ignore on a unique key, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignore(
    session: Session, table: Table, values: dict[str, Any], *, conflict: list[str] | None
) -> int | None:
    """Insert a row unless its unique key exists (``conflict``'s columns; None: any of
    the table's unique keys); the new id, or None when it existed.

    One statement backed by the unique constraint, never check-then-insert, so two
    collectors storing the same article at once store it once.
    """
    statement = (
        _insert(_dialect(session), table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=conflict)
        .returning(table.c.id)
    )
    return session.execute(statement).scalar_one_or_none()


def insert_many_ignore(
    session: Session, table: Table, rows: list[dict[str, Any]], *, conflict: list[str]
) -> None:
    """Insert rows in one statement, skipping those whose unique key exists."""
    if not rows:
        return
    session.execute(_insert_ignoring(_dialect(session), table, tuple(conflict), ()), rows)


def insert_many_returning(
    session: Session, table: Table, rows: list[dict[str, Any]], *, conflict: list[str], key: str
) -> dict[Any, int]:
    """Insert rows (one statement, compiled once, for SQLAlchemy's "insertmanyvalues"
    batches), skipping those whose unique key exists or repeats an earlier row's; the new
    ids by the ``key`` column's value."""
    if not rows:
        return {}
    statement = _insert_ignoring(_dialect(session), table, tuple(conflict), (key, "id"))
    new_ids: dict[Any, int] = dict(session.execute(statement, rows).all())
    return new_ids


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _insert(dialect: str, table: Table) -> Any:
    """The dialect's INSERT, which has ON CONFLICT DO NOTHING."""
    module: Any = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table)


@functools.cache
def _insert_ignoring(
    dialect: str, table: Table, conflict: tuple[str, ...], returning: tuple[str, ...]
) -> Any:
    """Built once a kind: every source of a collection runs these, and building the
    statement anew cost about as much as running it."""
    statement = _insert(dialect, table).on_conflict_do_nothing(index_elements=list(conflict))
    return statement.returning(*(table.c[name] for name in returning)) if returning else statement
