"""Feed parsing: RSS 0.9x/1.0/2.0 and Atom bytes into entries, or a clear error.

feedparser gets the downloaded bytes, never a URL (it has no timeout). It sets ``bozo``
yet still returns entries for much broken XML, so success is decided here: an empty
body, an HTML page, a truncated document or a document without any feed structure is an
error on the source, not "no news".

Well-formedness is judged by expat, by the error it stops at: elements closed out of
order or never, markup cut off, or an RSS or RDF root without a channel make the document
"malformed"; an HTML entity, a bare "&", or bytes in another encoding than declared leave
the tree whole, and the parsers recover those as real feeds need. feedparser reports
expat's error itself (``bozo_exception``); fastfeedparser reports none, so a document it
reads gets one expat pass without handlers first (a few percent of a parse).
"""

from __future__ import annotations

import calendar
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from xml.parsers import expat
from xml.sax import SAXParseException

import fastfeedparser

from collectors.errors import CollectError
from collectors.html_text import html_to_text

log = logging.getLogger(__name__)

_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:RDF|RDF)[\s>]", re.I)
_FEED_END = re.compile(rb"</(rss|feed|rdf:RDF|RDF)>\s*$", re.I)
_HTML_ROOT = re.compile(rb"<(!doctype html|html)[\s>]", re.I)
_FAST_ROOT = re.compile(rb"<(rss|feed)[\s>]", re.I)
_XML_ENCODING = re.compile(rb"(<\?xml[^>]*encoding=[\"'])([^\"']+)([\"'])", re.I)
# expat's errors that leave the element tree in doubt. The others (undefined entity,
# invalid token, bad character reference, encoding) are about text within a sound tree.
_BROKEN_TREE = frozenset(
    {
        expat.errors.XML_ERROR_TAG_MISMATCH,
        expat.errors.XML_ERROR_NO_ELEMENTS,
        expat.errors.XML_ERROR_UNCLOSED_TOKEN,
        expat.errors.XML_ERROR_UNCLOSED_CDATA_SECTION,
        expat.errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT,
        expat.errors.XML_ERROR_PARTIAL_CHAR,
    }
)
_NEEDS_CHANNEL = frozenset({"rss", "rdf"})  # root local names, lower case
_ENTRY_START = re.compile(rb"<(?:[\w.-]+:)?(?:item|entry)[\s/>]")
# An "&" that starts no XML reference: an HTML entity ("&nbsp;") or a bare "&" in a link.
# lxml's recovery drops the rest of such a text ("Nationaal&nbsp;Rapporteur" became
# "Nationaal") and mangles the link ("?a=1&b=2" became "?a=1=2"); feedparser reads both.
# Inside CDATA an "&" is plain text, which lxml reads well (WordPress's content:encoded).
_LOOSE_AMPERSAND = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)")
_CDATA = re.compile(rb"<!\[CDATA\[.*?\]\]>", re.S)


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


class BrokenTree(CollectError):
    """A document whose elements are closed out of order or never (expat's verdict)."""

    def __init__(self, message: str) -> None:
        super().__init__("malformed", message)


class _ShapeKnown(Exception):
    """Stops the expat pass once the root and its channel are seen (or cannot be)."""


class _Shape:
    """The root element's name and whether it has a channel child, from expat's start and
    end events; the handlers are dropped once that is known, so the rest of a whole pass
    runs in C."""

    def __init__(self, parser: Any, *, whole: bool) -> None:
        self.parser = parser
        self.whole = whole
        self.root = ""
        self.channel = False
        self.depth = 0
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end

    def known(self) -> None:
        self.parser.StartElementHandler = None
        self.parser.EndElementHandler = None
        if not self.whole:
            raise _ShapeKnown

    def start(self, name: str, _attributes: Any) -> None:
        self.depth += 1
        local = name.rpartition(":")[2].lower()
        if self.depth == 1:
            self.root = local
            if local not in _NEEDS_CHANNEL:
                self.known()
        elif self.depth == 2 and local == "channel":
            self.channel = True
            self.known()

    def end(self, _name: str) -> None:
        self.depth -= 1


def _refuse_entity_declarations(*_args: Any) -> None:
    raise _ShapeKnown  # no expansion of a DTD's entities here; the parsers judge those


def check_feed_markup(body: bytes, *, whole: bool = True) -> None:
    """Raise ``malformed`` for a document whose element tree is broken, or whose RSS or
    RDF root has no channel. ``whole=False`` reads only as far as the channel, for a
    document whose parser reports well-formedness itself.

    Undefined entities count as declared elsewhere (an HTML entity in a feed is common).
    An error that is not about the tree ends the check without a verdict: expat stops at
    its first error, and what follows is left to the lenient parsers, as before."""
    parser = expat.ParserCreate()
    parser.UseForeignDTD(True)  # declares nothing and loads nothing: no handler for it
    parser.EntityDeclHandler = _refuse_entity_declarations
    shape = _Shape(parser, whole=whole)
    try:
        # A blank line before the XML declaration is common and harmless.
        parser.Parse(body.lstrip() if body[:1].isspace() else body, True)
    except _ShapeKnown:
        pass
    except expat.ExpatError as error:
        message = expat.errors.messages[error.code]
        if message in _BROKEN_TREE:
            raise BrokenTree(
                f"not well-formed XML: {message} at line {error.lineno}, column {error.offset}"
            ) from None
        return
    except (ValueError, LookupError):  # an encoding expat does not read; the parsers do
        return
    if shape.root in _NEEDS_CHANNEL and not shape.channel:
        raise CollectError("malformed", f"<{shape.root}> document without a <channel>")


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


def _fast_reads(body: bytes) -> bool:
    """Whether fastfeedparser reads this as well as feedparser: not RSS 1.0/RDF, not a
    search feed naming publishers in <source>, not bytes that contradict their encoding,
    no "&" outside an XML reference."""
    return (
        bool(_FAST_ROOT.search(body[:4096]))
        and b"<source " not in body
        and not _LOOSE_AMPERSAND.search(_CDATA.sub(b"", body) if b"<![CDATA[" in body else body)
        and not _misdeclared(body)
    )


def _parse_fast(body: bytes) -> ParsedFeed | None:
    """RSS 2.0 and Atom through fastfeedparser (lxml; ~30x feedparser's speed here).
    None for what it does not read as well (``_fast_reads``) and anything it cannot
    parse. Judges no well-formedness: lxml recovers silently (``check_feed_markup``)."""
    return _read_fast(body) if _fast_reads(body) else None


def _read_fast(body: bytes) -> ParsedFeed | None:
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
    fast_reads = _fast_reads(body)
    broken: BrokenTree | None = None
    try:
        # feedparser runs expat over the whole document and reports its error; lxml not.
        check_feed_markup(body, whole=fast_reads)
    except BrokenTree as error:
        broken, fast_reads = error, False
    fast = _read_fast(body) if fast_reads else None
    if fast is not None:
        return fast
    import feedparser  # only for what fastfeedparser leaves; its import costs every start

    headers = {"content-type": content_type} if content_type else None
    parsed = feedparser.parse(
        body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    problem = parsed.get("bozo_exception")
    if broken is None and isinstance(problem, SAXParseException):
        if problem.getMessage() in _BROKEN_TREE:
            broken = BrokenTree(f"not well-formed XML: {problem}")
        else:
            # feedparser's expat stopped at an error in the text, such as an HTML entity,
            # which the check reads past; only broken documents pay for this second pass.
            try:
                check_feed_markup(body)
            except BrokenTree as error:
                broken = error
    if broken is not None:
        # A broken tree is read leniently (an unclosed <br> in a description is common)
        # only when every entry in it is read: an entry lost would be lost unseen.
        expected = len(_ENTRY_START.findall(body))
        if not expected or len(parsed.entries) < expected:
            raise CollectError(
                "malformed", f"{broken.message}; {len(parsed.entries)} of {expected} entries read"
            )
        log.info("feed with broken markup read leniently: %s", broken.message)
    if parsed.bozo and not parsed.entries:
        raise CollectError("malformed", f"unreadable feed: {problem}")
    entries = [_entry(raw) for raw in parsed.entries]
    usable = [entry for entry in entries if entry is not None]
    return ParsedFeed(
        title=html_to_text(parsed.feed.get("title", "")),
        entries=usable,
        skipped=len(entries) - len(usable),
    )
