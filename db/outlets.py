"""Outlet rows: the registry mirrored into the database, plus unverified domains."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from classifiers.outlets import OutletEntry
from classifiers.records import OutletMatch
from db.models import Outlet
from db.upsert import insert_ignore


def sync_registry(session: Session, *, entries: list[OutletEntry]) -> int:
    """Insert registry outlets that are missing and refresh the verified ones.

    Outlets that staff created or edited by hand (``verified`` true but not in the
    registry) are left alone. Returns how many rows were added.
    """
    existing = {o.name: o for o in session.scalars(select(Outlet))}
    added = 0
    for entry in entries:
        outlet = existing.get(entry.name)
        if outlet is None:
            outlet = Outlet(name=entry.name)
            session.add(outlet)
            added += 1
        outlet.domains = list(entry.domains)
        outlet.publication_type = entry.publication_type
        outlet.medium = entry.medium
        outlet.region = entry.region
        outlet.publisher_group = entry.publisher_group
        outlet.verified = True
    session.flush()
    return added


def outlet_ids(session: Session) -> dict[str, int]:
    return {name: id_ for id_, name in session.execute(select(Outlet.id, Outlet.name))}


def ensure_outlet(session: Session, *, match: OutletMatch) -> int:
    """The id of the outlet for ``match``, creating an unverified one when needed."""
    new_id = insert_ignore(
        session,
        Outlet.__table__,  # type: ignore[arg-type]
        {
            "name": match.outlet,
            "domains": [match.domain],
            "publication_type": match.publication_type,
            "medium": match.medium,
            "region": match.region,
            "publisher_group": match.publisher_group,
            "verified": match.verified,
        },
        conflict=["name"],
    )
    if new_id is not None:
        return new_id
    return session.execute(select(Outlet.id).where(Outlet.name == match.outlet)).scalar_one()
