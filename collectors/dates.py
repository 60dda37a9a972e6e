"""Dates as pages, feeds and sitemaps write them: ISO 8601 and its relatives, RFC 822,
Java's Date.toString(), dates in URLs. Apart from ``collectors.pages`` so that sitemap
parsing does not import trafilatura."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

# Naive local times on pages (no offset given) are read in the project's zone: the Dutch,
# Belgian and German outlets the service follows all keep Central European time.
LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")


_DATE_ONLY = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
# Java's Date.toString(), seen in JSON-LD: "Tue Jan 28 15:28:56 CET 2020".
_JAVA_DATE = re.compile(
    r"^[a-z]{3}\s+([a-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+([a-z]{1,5})\s+(\d{4})$",
    re.I,
)
_ZONE_ABBREVIATIONS = {
    "utc": 0,
    "gmt": 0,
    "z": 0,
    "wet": 0,
    "west": 1,
    "bst": 1,
    "cet": 1,
    "mez": 1,
    "cest": 2,
    "mesz": 2,
    "eet": 2,
    "eest": 3,
    "est": -5,
    "edt": -4,
    "cst": -6,
    "cdt": -5,
    "mst": -7,
    "mdt": -6,
    "pst": -8,
    "pdt": -7,
}
_EARLIEST_YEAR = 1990


def _plausible(value: datetime) -> datetime | None:
    return value if value.year >= _EARLIEST_YEAR else None


def parse_datetime(value: str | None) -> datetime | None:
    """A timezone-aware UTC datetime from the date formats pages and sitemaps use.

    ISO 8601 / W3C (with or without offset, fractions of any length), RFC 2822 and Java's
    ``Date.toString``. A time without offset is Europe/Amsterdam time. A date without a
    time becomes midnight UTC, which is the same calendar day in UTC and in Amsterdam.
    """
    if not value:
        return None
    text = " ".join(value.split())
    if not text or len(text) > 64:
        return None
    day = _DATE_ONLY.match(text)
    if day:
        year, month, date = (int(part) for part in day.groups())
        try:
            return _plausible(datetime(year, month, date, tzinfo=UTC))
        except ValueError:
            return None
    parsed: datetime | None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = _parse_other(text)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=LOCAL_ZONE)
    return _plausible(parsed.astimezone(UTC))


def _parse_other(text: str) -> datetime | None:
    java = _JAVA_DATE.match(text)
    if java:
        month_name, day, hour, minute, second, zone, year = java.groups()
        month = _MONTHS.get(month_name.lower())
        offset = _ZONE_ABBREVIATIONS.get(zone.lower())
        if month is None or offset is None:
            return None
        try:
            return datetime(
                int(year),
                month,
                int(day),
                int(hour),
                int(minute),
                int(second),
                tzinfo=timezone(timedelta(hours=offset)),
            )
        except ValueError:
            return None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed


# Dates in article URLs: /2020/01/20/, /2020/jan/20/, /2020-01-20/, Mediahuis dmf20250202_.
_URL_DATES = (
    re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})(?:/|$)"),
    re.compile(
        r"/((?:19|20)\d{2})/(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)/(\d{1,2})(?:/|$)"
    ),
    re.compile(r"[/_-]((?:19|20)\d{2})-(\d{2})-(\d{2})(?:[/_.-]|$)"),
    re.compile(r"/dmf((?:19|20)\d{2})(\d{2})(\d{2})_"),
)


def date_from_url(url: str) -> datetime | None:
    """The publication day an article URL carries, as midnight UTC."""
    path = urlsplit(url).path.lower()
    for pattern in _URL_DATES:
        match = pattern.search(path)
        if match:
            year, month, day = match.groups()
            month_number = _MONTHS.get(month) if month.isalpha() else int(month)
            try:
                return datetime(int(year), month_number or 0, int(day), tzinfo=UTC)
            except ValueError:
                continue
    return None
