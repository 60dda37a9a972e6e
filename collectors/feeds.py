"""Feed parsing: RSS 0.9x/1.0/2.0 and Atom bytes into entries, or a clear error.

feedparser gets the downloaded bytes, never a URL (it has no timeout). It sets ``bozo``
yet still returns entries for much broken XML, so success is decided here: an empty
body, an HTML page, a truncated document or a document without any feed structure is an
error on the source, not "no news".
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import fastfeedparser

from collectors.errors import CollectError
from collectors.html_text import html_to_text

_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:RDF|RDF)[\s>]", re.I)
_FEED_END = re.compile(rb"</(rss|feed|rdf:RDF|RDF)>\s*$", re.I)
_HTML_ROOT = re.compile(rb"<(!doctype html|html)[\s>]", re.I)
_FAST_ROOT = re.compile(rb"<(rss|feed)[\s>]", re.I)
_XML_ENCODING = re.compile(rb"(<\?xml[^>]*encoding=[\"'])([^\"']+)([\"'])", re.I)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry of a feed, as plain text."""

    link: str
    guid: str | None
    title: str
    summary: str
    content: str
    author: str | None
    published_at: datetime | None
    source_url: str | None  # the publisher named by a search feed (<source url=…>)
    source_name: str | None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str
    entries: list[FeedEntry]
    skipped: int  # entries without a usable link


def _timestamp(parsed: Any) -> datetime | None:
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (OverflowError, ValueError, TypeError):
        return None


def _entry(raw: Any) -> FeedEntry | None:
    link = (raw.get("link") or "").strip()
    guid = raw.get("id") or raw.get("guid")
    if not link and guid and str(guid).startswith(("http://", "https://")):
        link = str(guid)
    if not link:  # podcast episodes often link only their audio file
        links = raw.get("links") or []
        enclosures = [x.get("href", "") for x in links if x.get("rel") == "enclosure"]
        link = enclosures[0] if enclosures else ""
    if not link:
        return None
    content = "\n".join(html_to_text(part.get("value", "")) for part in raw.get("content") or [])
    source = raw.get("source") or {}
    return FeedEntry(
        link=link,
        guid=str(guid) if guid else None,
        title=html_to_text(raw.get("title", "")),
        summary=html_to_text(raw.get("summary", "")),
        content=content,
        author=raw.get("author") or None,
        published_at=_timestamp(raw.get("published_parsed") or raw.get("updated_parsed")),
        source_url=source.get("href") or source.get("url"),
        source_name=source.get("title"),
    )


def check_feed_bytes(body: bytes) -> None:
    """Reject bodies that are not a complete feed document before parsing."""
    head = body[:2048].lstrip()
    if not head:
        raise CollectError("empty", "empty response body")
    if not _FEED_ROOT.search(body[:65536]):
        if _HTML_ROOT.search(head):
            raise CollectError("not_a_feed", "an HTML page, not a feed")
        raise CollectError("not_a_feed", "no RSS, RDF or Atom root element")
    if not _FEED_END.search(body[-512:]):
        raise CollectError("truncated", "feed document does not end with its closing tag")


def _utf8_when_it_is(body: bytes, content_type: str | None) -> tuple[bytes, str | None]:
    """Trust the bytes over a wrong declaration: a body that decodes as UTF-8 and holds
    non-ASCII text is UTF-8 (Latin-1 text with diacritics is practically never valid
    UTF-8), whatever its XML declaration or HTTP header claims."""
    if body.isascii():
        return body, content_type
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return body, content_type
    body = _XML_ENCODING.sub(rb"\1utf-8\3", body, count=1)
    if content_type:
        content_type = re.sub(r"(?i);\s*charset=[^;]+", "", content_type) + "; charset=utf-8"
    return body, content_type


def _fast_entry(raw: dict[str, Any]) -> FeedEntry | None:
    link = (raw.get("link") or "").strip()
    guid = raw.get("id")
    if not link and guid and str(guid).startswith(("http://", "https://")):
        link = str(guid)
    if not link:  # podcast episodes often link only their audio file
        enclosures = raw.get("enclosures") or []
        link = enclosures[0].get("url", "") if enclosures else ""
    if not link:
        return None
    description = raw.get("description") or ""
    parts = [p.get("value", "") for p in raw.get("content") or [] if p.get("value")]
    published = None
    for key in ("published", "updated"):
        if raw.get(key):
            try:
                published = datetime.fromisoformat(str(raw[key]))
            except ValueError:
                continue
            published = published.replace(tzinfo=published.tzinfo or UTC).astimezone(UTC)
            break
    return FeedEntry(
        link=link,
        guid=str(guid) if guid else None,
        title=html_to_text(raw.get("title") or ""),
        summary=html_to_text(description),
        # fastfeedparser repeats the description as content when there is no other
        content="\n".join(html_to_text(p) for p in parts if p.strip() != description.strip()),
        author=raw.get("author") or None,
        published_at=published,
        source_url=None,
        source_name=None,
    )


def _misdeclared(body: bytes) -> bool:
    """Bytes that are not UTF-8 in a document that says (or defaults to) UTF-8: lxml would
    turn the diacritics into replacement characters; feedparser guesses windows-1252."""
    declared = _XML_ENCODING.search(body[:200])
    encoding = declared.group(2).decode("ascii", "replace").lower() if declared else "utf-8"
    if encoding.replace("-", "").replace("_", "") not in ("utf8", "utf"):
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _parse_fast(body: bytes) -> ParsedFeed | None:
    """RSS 2.0 and Atom through fastfeedparser (lxml; ~30x feedparser's speed here).
    None for what it does not read as well: RSS 1.0/RDF, search feeds naming publishers
    in <source>, and anything it cannot parse."""
    if not _FAST_ROOT.search(body[:4096]) or b"<source " in body or _misdeclared(body):
        return None
    try:
        parsed = fastfeedparser.parse(body)
    except Exception:  # any failure here means: let feedparser try
        return None
    entries = [_fast_entry(raw) for raw in parsed.get("entries") or []]
    usable = [entry for entry in entries if entry is not None]
    feed = parsed.get("feed") or {}
    return ParsedFeed(
        title=html_to_text(feed.get("title") or ""),
        entries=usable,
        skipped=len(entries) - len(usable),
    )


def parse_feed(body: bytes, *, content_type: str | None = None) -> ParsedFeed:
    """Parse feed bytes; raises ``CollectError`` when they are not a usable feed."""
    check_feed_bytes(body)
    body, content_type = _utf8_when_it_is(body, content_type)
    fast = _parse_fast(body)
    if fast is not None:
        return fast
    import feedparser  # only for what fastfeedparser leaves; its import costs every start

    headers = {"content-type": content_type} if content_type else None
    parsed = feedparser.parse(
        body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    if parsed.bozo and not parsed.entries:
        raise CollectError("malformed", f"unreadable feed: {parsed.get('bozo_exception')}")
    entries = [_entry(raw) for raw in parsed.entries]
    usable = [entry for entry in entries if entry is not None]
    return ParsedFeed(
        title=html_to_text(parsed.feed.get("title", "")),
        entries=usable,
        skipped=len(entries) - len(usable),
    )
