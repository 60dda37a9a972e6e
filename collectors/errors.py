"""Error taxonomy of collection. The category decides what happens to the source."""

from __future__ import annotations

# Permanent: the source is wrong (moved, gone, not a feed); retrying soon will not help.
PERMANENT = frozenset(
    {
        "not_found",
        "gone",
        "forbidden",
        "not_a_feed",
        "too_many_redirects",
        "too_large",
        "invalid_url",
        "blocked",
    }
)
# Transient: back off and try again.
TRANSIENT = frozenset(
    {
        "timeout",
        "connect",
        "server_error",
        "rate_limited",
        "http_error",
        "empty",
        "truncated",
        "malformed",
    }
)


class CollectError(Exception):
    """A fetch or parse that failed; ``category`` is one of PERMANENT or TRANSIENT."""

    def __init__(self, category: str, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.category = category
        self.message = message
        self.retry_after = retry_after

    @property
    def permanent(self) -> bool:
        return self.category in PERMANENT

    def __str__(self) -> str:
        return f"{self.category}: {self.message}"
