"""Sitemaps: Google News sitemaps, plain ``urlset`` sitemaps and sitemap indexes.

Bytes in, a ``ParsedSitemap`` out; no network. defusedxml parses, so a document that
declares entities (billion laughs, quadratic blow-up, external entities) is refused
rather than expanded. Gzip bodies (``sitemap.xml.gz``) are inflated here with a cap on
the inflated size, since a few kilobytes of gzip can inflate to gigabytes. As in
``collectors.feeds``, success is decided here: an empty body, an HTML page, a feed or a
cut-off document is an error on the source, not "no news".

Elements are matched by local name, so the sitemap namespace (0.9, the old 0.84, or
none) and the prefix a publisher gives the Google News namespace do not matter.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from collectors.dates import parse_datetime
from collectors.errors import CollectError
from collectors.feeds import FeedEntry

# The sitemaps protocol's own limit for one (uncompressed) sitemap file.
DEFAULT_MAX_BYTES = 50_000_000

_GZIP_MAGIC = b"\x1f\x8b"
_SITEMAP_ROOT = re.compile(rb"<(?:[\w-]+:)?(urlset|sitemapindex)[\s>]")
_SITEMAP_END = re.compile(rb"</(?:[\w-]+:)?(urlset|sitemapindex)>\s*$")
_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:RDF)[\s>]", re.I)
_HTML_ROOT = re.compile(rb"<(!doctype html|html)[\s>]", re.I)


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    """One ``<url>`` of a sitemap; the ``news:`` fields are None in a plain sitemap."""

    loc: str
    title: str | None  # news:title
    published_at: datetime | None  # news:publication_date, UTC
    publication_name: str | None  # news:publication/news:name
    language: str | None  # news:publication/news:language
    keywords: tuple[str, ...]  # news:keywords, split on commas
    lastmod: datetime | None  # UTC

    def as_feed_entry(self) -> FeedEntry:
        """The entry in the shape feed entries have, for the same pipeline. The keywords
        become the summary (publishers tag with names: "Nationaal Rapporteur"), and
        ``lastmod`` is not taken for a publication date: it moves with every edit."""
        return FeedEntry(
            link=self.loc,
            guid=None,
            title=self.title or "",
            summary=", ".join(self.keywords),
            content="",
            author=None,
            published_at=self.published_at,
            source_url=None,
            source_name=self.publication_name,
        )


@dataclass(frozen=True, slots=True)
class ParsedSitemap:
    entries: list[SitemapEntry]
    sitemaps: list[str]  # the child sitemaps of a sitemap index
    sitemap_lastmod: dict[str, datetime] = field(default_factory=dict)  # child → its lastmod
    skipped: int = 0  # <url> or <sitemap> without a usable absolute http(s) <loc>


def gunzip_capped(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Inflate a gzip body (every member of it), raising ``too_large`` past ``max_bytes``
    and ``truncated`` when the stream stops early. Inflation goes in bounded steps, so
    the cap holds however well the input compresses."""
    out = bytearray()
    data = body
    while data[:2] == _GZIP_MAGIC:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        pending = data
        try:
            while pending:
                out += inflater.decompress(pending, max_bytes + 1 - len(out))
                if len(out) > max_bytes:
                    raise CollectError("too_large", f"gzip body inflates past {max_bytes} bytes")
                pending = inflater.unconsumed_tail
        except zlib.error as error:
            raise CollectError("malformed", f"corrupt gzip body: {error}") from error
        if not inflater.eof:
            raise CollectError("truncated", "gzip body ends before its stream does")
        data = inflater.unused_data  # a further member, or padding after the last one
    return bytes(out)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(element: Element, name: str) -> Element | None:
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _text(element: Element | None, name: str) -> str | None:
    child = _child(element, name) if element is not None else None
    if child is None or child.text is None:
        return None
    text = " ".join(child.text.split())
    return text or None


def _absolute(loc: str | None) -> str | None:
    if loc and loc.startswith(("http://", "https://")) and len(loc) > len("https://x"):
        return loc
    return None


def _entry(url: Element) -> SitemapEntry | None:
    loc = _absolute(_text(url, "loc"))
    if loc is None:
        return None
    news = _child(url, "news")
    publication = _child(news, "publication") if news is not None else None
    keywords = _text(news, "keywords") or ""
    return SitemapEntry(
        loc=loc,
        title=_text(news, "title"),
        published_at=parse_datetime(_text(news, "publication_date")),
        publication_name=_text(publication, "name"),
        language=_text(publication, "language"),
        keywords=tuple(k.strip() for k in keywords.split(",") if k.strip()),
        lastmod=parse_datetime(_text(url, "lastmod")),
    )


def check_sitemap_bytes(body: bytes) -> None:
    """Reject bodies that are not a complete sitemap document before parsing."""
    head = body[:2048].lstrip()
    if not head:
        raise CollectError("empty", "empty response body")
    if not _SITEMAP_ROOT.search(body[:65536]):
        if _HTML_ROOT.search(head):
            raise CollectError("not_a_feed", "an HTML page, not a sitemap")
        if _FEED_ROOT.search(body[:65536]):
            raise CollectError("not_a_feed", "an RSS/Atom feed, not a sitemap")
        raise CollectError("not_a_feed", "no urlset or sitemapindex root element")
    if not _SITEMAP_END.search(body[-512:]):
        raise CollectError("truncated", "sitemap does not end with its closing tag")


def parse_sitemap(body: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedSitemap:
    """Parse sitemap bytes (gzip or not); raises ``CollectError`` when they are not a
    usable sitemap: "empty", "not_a_feed", "truncated", "malformed" (also for refused
    entity declarations) or "too_large"."""
    if body[:2] == _GZIP_MAGIC:
        body = gunzip_capped(body, max_bytes)
    elif len(body) > max_bytes:
        raise CollectError("too_large", f"sitemap of {len(body)} bytes, over {max_bytes}")
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    body = body.lstrip()  # expat refuses an XML declaration after whitespace
    check_sitemap_bytes(body)
    try:
        root = fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise CollectError("malformed", f"refused XML construct: {error!r}") from error
    except ParseError as error:
        raise CollectError("malformed", f"unreadable sitemap: {error}") from error

    entries: list[SitemapEntry] = []
    sitemaps: list[str] = []
    lastmods: dict[str, datetime] = {}
    skipped = 0
    kind = _local(root.tag)
    if kind == "urlset":
        for url in root:
            if _local(url.tag) != "url":
                continue
            entry = _entry(url)
            if entry is None:
                skipped += 1
            else:
                entries.append(entry)
    elif kind == "sitemapindex":
        for sitemap in root:
            if _local(sitemap.tag) != "sitemap":
                continue
            loc = _absolute(_text(sitemap, "loc"))
            if loc is None:
                skipped += 1
                continue
            sitemaps.append(loc)
            lastmod = parse_datetime(_text(sitemap, "lastmod"))
            if lastmod is not None:
                lastmods[loc] = lastmod
    else:
        raise CollectError("not_a_feed", f"root element <{kind}> is no sitemap")
    return ParsedSitemap(
        entries=entries, sitemaps=sitemaps, sitemap_lastmod=lastmods, skipped=skipped
    )
