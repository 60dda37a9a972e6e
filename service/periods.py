"""Calendar periods in the configured time zone, as UTC ranges for queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """Midnight at the start of ``day`` in ``zone``, in UTC."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def year_range(year: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return day_start(date(year, 1, 1), zone), day_start(date(year + 1, 1, 1), zone)


def date_range(
    start: date | None, end: date | None, zone: ZoneInfo
) -> tuple[datetime | None, datetime | None]:
    """[start, end] as whole days in ``zone``: the end day is included."""
    return (
        day_start(start, zone) if start else None,
        day_start(end + timedelta(days=1), zone) if end else None,
    )
