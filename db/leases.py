"""Named leases: at most one live holder per name; an expired lease can be taken over."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.models import Lease


def acquire(session: Session, *, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease ``name`` for ``holder``; True when ``holder`` has it.

    One upsert that only overwrites a lease that is ours or has expired, so two
    processes racing for it cannot both win.
    """
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = Lease.__table__
    statement = module.insert(table).values(
        name=name, holder=holder, acquired_at=now, expires_at=now + ttl
    )
    statement = statement.on_conflict_do_update(
        index_elements=["name"],
        set_={
            "holder": holder,
            "expires_at": now + ttl,
            "acquired_at": case(
                (table.c.holder == holder, table.c.acquired_at),
                else_=statement.excluded.acquired_at,
            ),
        },
        where=(table.c.holder == holder) | (table.c.expires_at < now),
    )
    session.execute(statement)
    current = session.execute(select(Lease.holder).where(Lease.name == name)).scalar_one()
    return current == holder


def release(session: Session, *, name: str, holder: str) -> None:
    session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))


def current_holder(session: Session, *, name: str, now: datetime) -> str | None:
    return session.execute(
        select(Lease.holder).where(Lease.name == name, Lease.expires_at >= now)
    ).scalar_one_or_none()
