"""Collector run rows: one per collection, with per-source outcomes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from db.models import CollectorRun


def start_run(session: Session, *, trigger: str, now: datetime) -> int:
    run = CollectorRun(trigger=trigger, started_at=now, outcomes={})
    session.add(run)
    session.flush()
    return run.id


def finish_run(
    session: Session,
    *,
    run_id: int,
    now: datetime,
    outcomes: dict[str, Any],
    sources_ok: int,
    sources_failed: int,
    items_new: int,
) -> None:
    run = session.get_one(CollectorRun, run_id)
    run.finished_at = now
    run.outcomes = outcomes
    run.sources_ok = sources_ok
    run.sources_failed = sources_failed
    run.items_new = items_new
    session.flush()


def prune_empty_runs(session: Session, *, finished_before: datetime) -> None:
    """Forget runs that collected no source and finished before this time."""
    session.execute(
        delete(CollectorRun).where(
            CollectorRun.sources_ok == 0,
            CollectorRun.sources_failed == 0,
            CollectorRun.finished_at < finished_before,
        )
    )
