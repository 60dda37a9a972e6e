"""When to check a source next: adapt to how often it publishes; back off on failure."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

MIN_INTERVAL = timedelta(minutes=5)
MAX_INTERVAL = timedelta(hours=6)
DEFAULT_INTERVAL = timedelta(minutes=15)
ATTENTION_AFTER_FAILURES = 5


def _bounded(interval: timedelta) -> timedelta:
    return max(MIN_INTERVAL, min(MAX_INTERVAL, interval))


def next_check_after_success(
    *, now: datetime, previous_interval: timedelta | None, new_entries: int
) -> datetime:
    """Check sooner while a source publishes, later while it is quiet (5 min to 6 h).

    ``new_entries``: the entries the source published since its fetch before
    (``entries_published_after``), whether or not they mention anyone. A busy feed
    without mentions must still be read before its entries scroll off it."""
    interval = previous_interval or DEFAULT_INTERVAL
    interval = interval / 2 if new_entries else interval * 1.5
    return now + _bounded(interval)


def entries_published_after(
    published: Iterable[datetime | None], *, since: datetime | None, now: datetime
) -> tuple[int, datetime | None]:
    """(how many of a fetch's dated entries were published after ``since``, the newest
    date); (0, None) when no entry has a date. A date in the future counts as ``now``, so
    that one wrong date does not hide the entries after it.

    By the source's own dates, not by what was stored: an entry another source found
    first, or one whose page failed and is tried again, is no news of this source."""
    dates = [min(d if d.tzinfo else d.replace(tzinfo=UTC), now) for d in published if d]
    if not dates:
        return 0, None
    newest = max(dates)
    return (len(dates) if since is None else sum(d > since for d in dates)), newest


def next_check_after_failure(
    *,
    now: datetime,
    error_count: int,
    retry_after: float | None,
    rng: random.Random | None = None,
) -> datetime:
    """Exponential back-off with ±20 % jitter, never sooner than Retry-After asks."""
    rng = rng or random.Random()
    backoff = MIN_INTERVAL * (2 ** min(error_count, 10))
    backoff = _bounded(backoff) * rng.uniform(0.8, 1.2)
    if retry_after is not None:
        backoff = max(backoff, timedelta(seconds=retry_after))
    return now + min(backoff, MAX_INTERVAL * 1.2)


def needs_attention(error_count: int) -> bool:
    return error_count >= ATTENTION_AFTER_FAILURES
