"""The reprint pass: detect reprints around new items and store the links per policy.

Decisions depend on the connected group of matching items only, so recomputing a time
range that reaches well past the new items (and every item sharing a publisher article
id with them) gives the links a full re-run gives. Links are written for the items near
the new ones; corrections are applied again afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from classifiers.reprints import POLICIES, ReprintItem, detect_reprints_per_policy
from classifiers.shingles import TextSketch, text_digest
from db.reprints import (
    AutoLink,
    ReprintRow,
    all_linked_item_ids,
    counted_rows_between,
    counted_rows_with_keys,
    item_dates,
    replace_auto_links,
)
from service.corrections import apply_corrections

# Items are read this far around the new ones; links are rewritten for items within
# WRITE_MARGIN of them. Story groups spanning more than LOAD_MARGIN - WRITE_MARGIN
# beyond the new items are left to `mediamonitor reprints rebuild`.
LOAD_MARGIN = timedelta(days=45)
WRITE_MARGIN = timedelta(days=15)


@dataclass(frozen=True, slots=True)
class ReprintPass:
    items_considered: int
    links_written: dict[str, int]


# Text sketches computed ahead (by the collecting processes), by ``text_digest``.
Sketches = Mapping[bytes, TextSketch]


def _as_item(row: ReprintRow, sketches: Sketches) -> ReprintItem:
    return ReprintItem(
        id=row.id,
        outlet=row.outlet,
        publication_type=row.publication_type,
        publisher_group=row.publisher_group,
        published_at=row.counted_at,
        title=row.title,
        text=row.text,
        article_key=row.article_key,
        sketch=sketches.get(text_digest(row.text)) if sketches else None,
    )


def _write(
    session: Session, rows: list[ReprintRow], write_ids: set[int], sketches: Sketches
) -> ReprintPass:
    items = [_as_item(row, sketches) for row in rows]
    written: dict[str, int] = {}
    for policy, found in detect_reprints_per_policy(items, policies=POLICIES).items():
        links = [
            AutoLink(
                item_id=int(link.item_id),
                original_item_id=int(link.original_id),
                method=link.method,
                score=link.score,
                reason=link.reason,
                rule_version=link.rule_version,
            )
            for link in found.values()
        ]
        written[policy] = replace_auto_links(
            session, policy=policy, item_ids=write_ids, links=links
        )
    apply_corrections(session)
    return ReprintPass(items_considered=len(items), links_written=written)


def update_reprints(
    session: Session, *, item_ids: list[int], sketches: Sketches | None = None
) -> ReprintPass:
    """Recompute reprints around these (new or changed) items, with the text sketches
    at hand for some of them."""
    dates = item_dates(session, item_ids=item_ids)
    if not dates:
        return ReprintPass(0, {})
    first, last = min(dates), max(dates)
    rows = {
        row.id: row
        for row in counted_rows_between(
            session, start=first - LOAD_MARGIN, end=last + LOAD_MARGIN + timedelta(seconds=1)
        )
    }
    keys = {row.article_key for row in rows.values() if row.article_key}
    rows.update((row.id, row) for row in counted_rows_with_keys(session, keys=keys))
    write_start, write_end = first - WRITE_MARGIN, last + WRITE_MARGIN
    write_ids = {
        row.id
        for row in rows.values()
        if write_start <= row.counted_at <= write_end or (row.article_key in keys)
    }
    write_ids.update(item_ids)  # items no longer counted lose their links too
    return _write(session, list(rows.values()), write_ids, sketches or {})


def rebuild_reprints(session: Session) -> ReprintPass:
    """Recompute every reprint link from all counted items (a full re-run)."""
    rows = counted_rows_between(session, start=None, end=None)
    linked = all_linked_item_ids(session)
    return _write(session, rows, {row.id for row in rows} | linked, {})
