"""Health of a source as the team sees it: broken, quiet for longer than usual, or fine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from db.models import Source
from service.schedule import needs_attention

MIN_QUIET = timedelta(days=7)
NEVER_PRODUCED_AFTER = timedelta(days=14)


@dataclass(frozen=True, slots=True)
class SourceHealth:
    id: int
    name: str
    kind: str
    url: str
    enabled: bool
    last_success_at: datetime | None
    last_checked_at: datetime | None
    last_error: str | None
    error_streak: int
    items_found: int
    last_item_at: datetime | None
    entries_found: int
    last_entry_at: datetime | None
    next_check_at: datetime | None
    needs_attention: bool  # failing repeatedly
    quiet: bool  # no new entries for longer than usual

    @property
    def unhealthy(self) -> bool:
        return self.enabled and (self.needs_attention or self.quiet or self.error_streak > 0)


def is_quiet(source: Source, *, now: datetime) -> bool:
    """No new entry for three times the source's average gap (at least a week). Entries,
    not stored items: most of an outlet's articles mention no one we watch, and a feed
    that still publishes works however long it goes without a mention."""
    if source.entries_found == 0 or source.last_entry_at is None:
        return now - source.created_at > NEVER_PRODUCED_AFTER
    average_gap = (now - source.created_at) / source.entries_found
    return now - source.last_entry_at > max(MIN_QUIET, 3 * average_gap)


def health_of(source: Source, *, now: datetime) -> SourceHealth:
    return SourceHealth(
        id=source.id,
        name=source.name,
        kind=source.kind,
        url=source.url,
        enabled=source.enabled,
        last_success_at=source.last_success_at,
        last_checked_at=source.last_checked_at,
        last_error=source.last_error,
        error_streak=source.error_count,
        items_found=source.items_found,
        last_item_at=source.last_item_at,
        entries_found=source.entries_found,
        last_entry_at=source.last_entry_at,
        next_check_at=source.next_check_at,
        needs_attention=needs_attention(source.error_count),
        quiet=is_quiet(source, now=now),
    )
