"""The summary table of `mediamonitor collect`: whole for a small run, trimmed for a large one."""

from __future__ import annotations

from service.collect import SourceOutcome
from service.commands.core import SUMMARY_ROWS, _summary_rows


def _outcome(number: int, *, new: int = 0, failed: bool = False) -> SourceOutcome:
    outcome = SourceOutcome(source_id=number, name=f"source {number:03}", new=new)
    if failed:
        outcome.status, outcome.error = "error", "HTTP 500"
    return outcome


def test_small_run_lists_every_source_failures_first() -> None:
    outcomes = [_outcome(2), _outcome(1, failed=True), _outcome(3, new=4)]
    assert [o.source_id for o in _summary_rows(outcomes)] == [1, 2, 3]


def test_large_run_lists_failures_then_the_sources_with_most_news() -> None:
    quiet = [_outcome(n) for n in range(200)]
    busy = [_outcome(200 + n, new=n + 1) for n in range(100)]
    failing = [_outcome(400 + n, failed=True) for n in range(5)]
    rows = _summary_rows(quiet + busy + failing)
    assert len(rows) == SUMMARY_ROWS
    assert [o.source_id for o in rows[:5]] == [400, 401, 402, 403, 404]
    assert [o.new for o in rows[5:8]] == [100, 99, 98]
    assert not any(o.new == 0 and o.status != "error" for o in rows)
