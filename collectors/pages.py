"""Article pages: title, lead, main text, publication date and completeness of one page.

Bytes in, a ``PageContent`` out; no network. The page is decoded here (trafilatura's own
decoding ignores the HTTP and ``<meta>`` charset and guesses instead), parsed once with
lxml, and that one tree serves both our metadata reading and trafilatura's text
extraction, so no page is parsed twice.

Metadata is read from the tree directly rather than through trafilatura's
``extract_metadata``: that runs htmldate on every page, and htmldate returned the
last-modified date instead of the publication date on 2 of the 10 recorded pages
(MEASURED.md). htmldate is only the last resort here, and every date says where it came
from (``published_at_source``).
"""

from __future__ import annotations

import codecs
import functools
import json
import re
import warnings
from collections.abc import Iterable
from copy import copy, deepcopy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape
from typing import Any, cast
from urllib.parse import urljoin, urlsplit

import htmldate
import lxml.etree
import lxml.html
from charset_normalizer import from_bytes
from lxml.etree import ParserError, strip_elements

from collectors.dates import date_from_url, parse_datetime

with warnings.catch_warnings():
    # trafilatura's download module imports urllib3's SOCKS support, which warns when
    # PySocks is absent. This module never downloads.
    warnings.filterwarnings("ignore", message="SOCKS support in urllib3")
    from trafilatura import bare_extraction
    from trafilatura.settings import Extractor


# A body shorter than this is a teaser when the page also shows paywall signs.
TEASER_MAX_CHARS = 1500
# trafilatura's fast mode is kept when its text is at least this long and this share of all
# the page's text; otherwise the full cascade runs (see _body_text).
FAST_EXTRACTION_MIN_CHARS = 1000
FAST_EXTRACTION_MIN_SHARE = 0.08
# The one <article> of a page is extracted alone when it holds this share of the page's
# paragraph text (see _body_text); news pages keep much of theirs in teasers and footers.
SOLE_ARTICLE_MIN_SHARE = 0.15


@dataclass(frozen=True, slots=True)
class PageContent:
    """What one article page says about itself, as plain text."""

    title: str
    lead: str  # the standfirst: first paragraph, or the description when that is the lead
    body: str  # main text only, paragraphs joined by "\n"
    author: str | None
    published_at: datetime | None  # timezone-aware UTC
    published_at_source: str | None  # "meta:article:published_time", "jsonld:datePublished", …
    site_name: str | None
    canonical_url: str | None  # absolute
    language: str | None  # "nl", "en", …
    completeness: str  # "full" | "partial" (paywalled, truncated, paginated) | "none" (no text)
    completeness_reason: str | None = None  # why not "full", e.g. "jsonld:isAccessibleForFree"
    next_page_url: str | None = None  # page 2 of an article split over pages


# --------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Both <meta charset=…> and <meta http-equiv=Content-Type content="…; charset=…">.
_META_CHARSET = re.compile(rb"<meta[^>]{0,300}?charset\s*=\s*[\"']?\s*([a-z0-9_.:+-]{2,40})", re.I)
# WHATWG: these labels mean windows-1252 on the web (curly quotes in 0x80-0x9f).
_WINDOWS_1252_ALIASES = frozenset({"latin_1", "iso8859-1", "ascii", "cp819", "iso-8859-1"})
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13))
_LEADING_DOCTYPE = re.compile(rb"^\s*<!doctype[^>]*>", re.I)


def _codec_name(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'").lower()).name
    except LookupError:
        return None
    return "cp1252" if name in _WINDOWS_1252_ALIASES else name


_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


def _cp1252_for_stray_bytes(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: an undecodable byte in a UTF-8 page is read as windows-1252
    (the "It\x92s" a CMS pastes from a Word document into a UTF-8 page)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    stray = error.object[error.start : error.end]
    return stray.decode("cp1252", errors="replace"), error.end


codecs.register_error("mediamonitor.cp1252", _cp1252_for_stray_bytes)


def _mostly_utf8(raw: bytes) -> bool:
    high = len(_HIGH_BYTE.findall(raw))
    in_sequences = sum(len(m) for m in _UTF8_SEQUENCE.findall(raw))
    return high > 0 and in_sequences >= high / 2


def decode_html(raw: bytes, headers_charset: str | None = None) -> tuple[str, str]:
    """The page as text and the encoding used.

    Order: byte-order mark; valid UTF-8 (a declared Latin-1 page whose bytes are valid
    UTF-8 is, in practice, a UTF-8 page with a wrong declaration); the HTTP charset, then
    the ``<meta>`` charset, when the bytes decode in it; UTF-8 with stray windows-1252
    bytes, when most non-ASCII bytes form UTF-8 sequences; charset detection; windows-1252
    with replacement characters.
    """
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return raw[len(bom) :].decode(name, errors="replace"), name
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared: list[str | None] = [_codec_name(headers_charset)]
    declared += [
        _codec_name(m.decode("ascii", "ignore")) for m in _META_CHARSET.findall(raw[:65536])
    ]
    for codec in declared:
        if codec and not codec.startswith(("utf-8", "utf-16", "utf-32")):
            try:
                return raw.decode(codec), codec
            except UnicodeDecodeError:
                continue
    if _mostly_utf8(raw):
        return raw.decode("utf-8", errors="mediamonitor.cp1252"), "utf-8+cp1252"
    best = from_bytes(raw[:200_000]).best()
    if best is not None and best.encoding:
        try:
            return raw.decode(best.encoding), best.encoding
        except (LookupError, UnicodeDecodeError):
            pass
    return raw.decode("cp1252", errors="replace"), "cp1252"


def _parse(raw: bytes, headers_charset: str | None) -> lxml.html.HtmlElement | None:
    """The page's tree, parsed from UTF-8."""
    text, encoding = decode_html(raw, headers_charset)
    data = raw if encoding == "utf-8" and not raw.startswith(codecs.BOM_UTF8) else text.encode()
    # libxml2 stops at NUL and trafilatura cannot serialise other control characters.
    # Deleting them from every page costs a seventh of searching for them with a regex.
    data = data.translate(None, _CONTROL_BYTES)
    # A doctype naming a DTD sometimes derails libxml2 (lxml bug 1955915); it says nothing
    # the parser needs.
    data = _LEADING_DOCTYPE.sub(b"", data, count=1)
    if not data.strip():
        return None
    try:
        return lxml.html.document_fromstring(data, parser=_parser())
    except (ParserError, ValueError):
        return None


def _parser() -> lxml.html.HTMLParser:
    """A new parser (lxml parsers must not be shared between threads) whose elements are
    all plain ``HtmlElement``s: lxml.html's own lookup picks a class per tag (forms,
    inputs, labels) in Python for every element touched, which made up a tenth of
    walking a page's tree."""
    parser = lxml.html.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, collect_ids=False
    )
    parser.set_element_class_lookup(_ELEMENT_CLASSES)
    return parser


_ELEMENT_CLASSES = lxml.etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement,
    comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity,
)


# --------------------------------------------------------------------------------------
# Metadata from the tree
# --------------------------------------------------------------------------------------

_ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "asknewsarticle",
        "blogposting",
        "liveblogposting",
        "report",
        "scholarlyarticle",
        "socialmediaposting",
        "techarticle",
    }
)
_PAGE_TYPES = frozenset({"webpage", "itempage", "collectionpage", "aboutpage"})
# Publication-date metadata, most explicit first. sailthru.date and dc.date come after the
# Open Graph and JSON-LD dates because publishers fill them with the modified date too
# (Reuters: sailthru.date is the last update, a day after og:article:published_time).
_META_DATE_KEYS = (
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publication_date",
    "article.published",
)
_JSONLD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]{6,40})"')
_JSONLD_FREE = re.compile(r'"isAccessibleForFree"\s*:\s*"?([A-Za-z:/.]+)')
_HOSTNAME = re.compile(r"^[\w-]+(\.[\w-]+)+$")
_TITLE_SEPARATOR = re.compile(r"\s+[|–—•·:-]\s+")
_DATE_LIKE = re.compile(r"^[\d\s./-]+$")
_GENERIC_HOST_LABELS = frozenset(
    {"www", "m", "amp", "com", "org", "net", "nl", "be", "de", "eu", "co", "uk"}
)


def _clean(value: object) -> str:
    if not isinstance(value, str):
        return ""
    text = unescape(value) if "&" in value else value
    return " ".join(text.split())


def _types(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {v.rsplit("/", 1)[-1].lower() for v in values if isinstance(v, str)}


@dataclass(slots=True)
class _LinkedData:
    """The JSON-LD of a page: its top-level nodes (incl. ``@graph``) and raw texts."""

    nodes: list[dict[str, Any]] = field(default_factory=list)
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    unparsed: list[str] = field(default_factory=list)

    def add(self, data: Any) -> None:
        for item in data if isinstance(data, list) else [data]:
            if not isinstance(item, dict):
                continue
            graph = item.get("@graph")
            if isinstance(graph, list):
                self.add(graph)
            if "@type" in item:
                self.nodes.append(item)
                node_id = item.get("@id")
                if isinstance(node_id, str):
                    self.by_id[node_id] = item
            main = item.get("mainEntity")
            if isinstance(main, dict) and "@type" in main:
                self.nodes.append(main)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and set(value) <= {"@id"}:
            return self.by_id.get(str(value.get("@id")), value)
        return value

    def article(self) -> dict[str, Any] | None:
        for node in self.nodes:
            if _types(node) & _ARTICLE_TYPES:
                return node
        return None

    def page(self) -> dict[str, Any] | None:
        for node in self.nodes:
            if _types(node) & _PAGE_TYPES:
                return node
        return None


def _linked_data(tree: lxml.html.HtmlElement) -> _LinkedData:
    data = _LinkedData()
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        text = (script.text or "").strip()
        if not text:
            continue
        try:
            data.add(json.loads(text, strict=False))
        except ValueError:
            # Broken JSON-LD is common (trailing commas, raw HTML); the regex fallbacks
            # below still read the date and access flag from it.
            data.unparsed.append(text)
    return data


@dataclass(slots=True)
class _Meta:
    """Every ``<meta>`` of a page by lower-cased name/property/itemprop, first value kept."""

    values: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> str:
        return self.values.get(key, "")


def _meta(tree: lxml.html.HtmlElement) -> _Meta:
    meta = _Meta()
    for element in tree.iter("meta"):
        content = element.get("content")
        if content is None:
            continue
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            key = element.get(attribute)
            if key:
                meta.values.setdefault(key.strip().lower(), content.strip())
    return meta


def _is_free(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.rsplit("/", 1)[-1].strip().lower()
        if word in ("true", "yes", "1"):
            return True
        if word in ("false", "no", "0"):
            return False
    return None


def _publication_date(
    tree: lxml.html.HtmlElement, meta: _Meta, linked: _LinkedData
) -> tuple[datetime | None, str | None]:
    for key in ("article:published_time", "og:article:published_time"):
        parsed = parse_datetime(meta.get(key))
        if parsed:
            return parsed, f"meta:{key}"
    for node in (linked.article(), linked.page()):
        if node is not None:
            parsed = parse_datetime(_clean(node.get("datePublished")))
            if parsed:
                return parsed, "jsonld:datePublished"
    for text in linked.unparsed:
        match = _JSONLD_DATE.search(text)
        parsed = parse_datetime(match.group(1)) if match else None
        if parsed:
            return parsed, "jsonld:datePublished"
    for element in tree.xpath("//*[@itemprop='datePublished']"):
        parsed = parse_datetime(element.get("datetime") or element.get("content"))
        if parsed:
            return parsed, "microdata:datePublished"
    for key in _META_DATE_KEYS:
        parsed = parse_datetime(meta.get(key))
        if parsed:
            return parsed, f"meta:{key}"
    return None, None


def _article_time(tree: lxml.html.HtmlElement) -> datetime | None:
    """The first ``<time datetime>`` of the ``<article>``, unless marked as an update."""
    for element in tree.xpath("(//article)[1]//time[@datetime]"):
        marks = " ".join((element.get("class") or "", element.get("itemprop") or "")).lower()
        if "modif" in marks or "update" in marks:
            continue
        return parse_datetime(element.get("datetime"))
    return None


def _names(value: Any, linked: _LinkedData, *, persons_only: bool) -> list[str]:
    names: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        item = linked.resolve(item)
        if isinstance(item, str):
            name = _clean(item)
        elif isinstance(item, dict):
            if persons_only and _types(item) - {"person"}:
                continue
            name = _clean(item.get("name"))
        else:
            continue
        if _usable_name(name) and name not in names:
            names.append(name)
    return names


def _usable_name(name: str) -> bool:
    return (
        0 < len(name) <= 100
        and not name.startswith(("http://", "https://", "www."))
        and not _HOSTNAME.match(name)
    )


def _author(
    tree: lxml.html.HtmlElement, meta: _Meta, article: dict[str, Any] | None, linked: _LinkedData
) -> str | None:
    if article is not None:
        persons = _names(article.get("author"), linked, persons_only=True)
        if persons:
            return ", ".join(persons)
    bylines: list[str] = []
    for element in tree.xpath("//*[@itemprop='author'] | //a[@rel='author']"):
        named = element.xpath(".//*[@itemprop='name']")
        text = _clean((named[0] if named else element).text_content())
        if _usable_name(text) and text not in bylines:
            bylines.append(text)
    if bylines:
        return ", ".join(bylines[:5])
    for key in ("author", "article:author", "sailthru.author", "parsely-author", "dc.creator"):
        name = _clean(meta.get(key))
        if _usable_name(name):
            return name
    if article is not None:
        organisations = _names(article.get("author"), linked, persons_only=False)
        if organisations:
            return ", ".join(organisations)
    # Last, a byline by class inside the article ("artstyle__byline-author"): short text
    # without digits, so no date line or teaser passes for a name.
    for element in tree.xpath("(//article)[1]//*[contains(@class, 'author')]"):
        text = _clean(element.text_content())
        if _usable_name(text) and len(text) <= 60 and not any(c.isdigit() for c in text):
            return text
    return None


def _site_name(meta: _Meta, article: dict[str, Any] | None, linked: _LinkedData) -> str | None:
    # The publisher's name in JSON-LD before og:site_name: Reuters' og:site_name is the
    # section ("U.S."); a publisher "name" that is a host name ("nieuwsblad.be") is skipped.
    if article is not None:
        publisher = linked.resolve(article.get("publisher"))
        if isinstance(publisher, list) and publisher:
            publisher = linked.resolve(publisher[0])
        if isinstance(publisher, dict):
            name = _clean(publisher.get("name"))
            if _usable_name(name):
                return name
    for key in ("og:site_name", "application-name"):
        name = _clean(meta.get(key))
        if name:
            return name
    return None


def _strip_site_suffix(title: str, site_name: str | None, url: str) -> str:
    """ "Headline | DW | 19.01.2020" → "Headline"; "Headline - Ostbelgien Direkt" → "Headline"."""
    host = urlsplit(url).hostname or ""
    brands = {_key(part) for part in host.split(".") if part not in _GENERIC_HOST_LABELS}
    if site_name:
        brands.add(_key(site_name))
    brands.discard("")
    while True:
        separators = list(_TITLE_SEPARATOR.finditer(title))
        if not separators:
            return title
        last = separators[-1]
        tail = title[last.end() :]
        key = _key(tail)
        is_brand = bool(key) and any(
            key in brand or (len(brand) >= 5 and brand in key) for brand in brands
        )
        if not (is_brand or _DATE_LIKE.match(tail)):
            return title
        title = title[: last.start()]


_NOT_ALNUM = re.compile(r"[\W_]+")  # \w is str.isalnum() or "_"


def _key(text: str) -> str:
    """Letters and digits only, lower-case: for comparing headlines and names."""
    return _NOT_ALNUM.sub("", text.casefold())


def _title(
    tree: lxml.html.HtmlElement,
    meta: _Meta,
    article: dict[str, Any] | None,
    site_name: str | None,
    url: str,
) -> str:
    if article is not None:
        headline = _clean(article.get("headline"))
        if headline:
            return headline
    og_title = _clean(meta.get("og:title") or meta.get("twitter:title"))
    if og_title:
        return _strip_site_suffix(og_title, site_name, url)
    for heading in tree.iterfind(".//h1"):
        text = _clean(heading.text_content())
        if text:
            return text
    title = tree.find(".//title")
    if title is not None:
        return _strip_site_suffix(_clean(title.text_content()), site_name, url)
    return ""


def _absolute_url(value: str | None, base: str) -> str | None:
    if not value or not value.strip():
        return None
    absolute = urljoin(base, value.strip())
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    # Some sites point every page's canonical at the home page; that is no article URL.
    if parts.path in ("", "/") and not parts.query and urlsplit(base).path not in ("", "/"):
        return None
    return absolute


def _canonical(tree: lxml.html.HtmlElement, meta: _Meta, url: str) -> str | None:
    for link in tree.iterfind(".//link[@rel]"):
        if "canonical" in (link.get("rel") or "").lower().split():
            canonical = _absolute_url(link.get("href"), url)
            if canonical:
                return canonical
    return _absolute_url(meta.get("og:url"), url)


# --------------------------------------------------------------------------------------
# Language
# --------------------------------------------------------------------------------------


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Frequent function words that belong to one language only (not "die", "is", "de", "en").
_STOPWORDS = {
    "nl": _wordset(
        "het een van dat niet zijn met voor ook bij naar maar dit wordt werd heeft hebben "
        "nog uit kan door worden deze wat zegt wel hun zich"
    ),
    "en": _wordset(
        "the and of to that for with on are it by from this be have has not but which were "
        "said would their"
    ),
    "de": _wordset(
        "der das und ist nicht mit von dem zu ein eine auch sich auf für es im wird sind "
        "wurde bei nach aus oder werden dass"
    ),
    "fr": _wordset(
        "le la les et des du un une est pour dans que qui pas sur au avec ce il sont par "
        "plus ont été"
    ),
}
_LANGUAGE_OF = {word: language for language, words in _STOPWORDS.items() for word in words}
_WORDS = re.compile(r"[^\W\d_]+")


def detect_language(text: str) -> str | None:
    """nl/en/de/fr from function words, or None when the text does not say clearly."""
    counts = dict.fromkeys(_STOPWORDS, 0)
    language_of = _LANGUAGE_OF
    for word in _WORDS.findall(text[:4000].lower()):
        language = language_of.get(word)
        if language is not None:
            counts[language] += 1
    ranked = sorted(counts.items(), key=lambda item: item[1], reverse=True)
    (best, best_count), (_, second_count) = ranked[0], ranked[1]
    if best_count >= 8 and best_count >= 2 * second_count:
        return best
    return None


def _primary(tag: str | None) -> str | None:
    if not tag:
        return None
    primary = re.split(r"[-_]", tag.strip().lower(), maxsplit=1)[0]
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


def _language(
    tree: lxml.html.HtmlElement, meta: _Meta, article: dict[str, Any] | None, body: str
) -> str | None:
    declared = (
        _primary(tree.get("lang"))
        or _primary(meta.get("content-language"))
        or _primary(meta.get("language"))
        or _primary(meta.get("og:locale"))
        or _primary(_clean(article.get("inLanguage")) if article else None)
    )
    detected = detect_language(body)
    # CMS templates declare their default language on every page ("en" on a Dutch blog);
    # a clear reading of the text wins over such a declaration.
    if detected and declared != detected and (declared is None or declared in _STOPWORDS):
        return detected
    return declared


# --------------------------------------------------------------------------------------
# Pruning: "read also" blocks, menus and subscription boxes
# --------------------------------------------------------------------------------------

# "Read also" blocks inside and after articles: their headlines often name the Rapporteur
# (an earlier story on the same subject), and they are not this article's text.
_RELATED_MARKS = (
    "related",
    "gerelateerd",
    "leesook",
    "lees-ook",
    "readmore",
    "read-more",
    "alsoread",
    "also-read",
    "inline-teaser",
    "inlineteaser",
    "recommend",
    "more-on",
    "meer-over",
    "lesetipp",
    "weiterlesen",
    "menu",
    "navigation",
    "breadcrumb",
)
_RELATED_OPENINGS = (
    "lees ook",
    "lees meer",
    "meer over",
    "zie ook",
    "bekijk ook",
    "ook interessant",
    "ook gelezen",
    "read more",
    "read also",
    "also read",
    "related",
    "lesen sie auch",
    "mehr zum thema",
    "auch interessant",
)
_RELATED_TAGS = frozenset({"aside", "section", "div", "ul", "ol", "li", "p", "nav", "table"})
_RELATED_MARK = re.compile("|".join(map(re.escape, _RELATED_MARKS)))
_OPENING_PUNCTUATION = " \t\r\n\u00a0»›>•·*-–—:|"
# Class tokens publishers use for paywalls and paid content: DPG ("paywall",
# "artstyle--premium"), FAZ ("atc-ContainerPaywall_ContentBlurred"), Spiegel ("data-area=
# paywall"), generic "premium", "subscriber-only". The substrings pre-select cheaply.
_PAYWALL_HINTS = re.compile("paywall|premium|plus|subscriber|paid|abo")
# Most class and id values hold neither: one search rules both out.
_ANY_MARK = re.compile(f"{_PAYWALL_HINTS.pattern}|{_RELATED_MARK.pattern}")
_PAYWALL_TOKEN = re.compile(
    r"paywall|premium|spiegel-?plus|subscriber-?only|paid-?content|abo-?only"
    r"|plus-?(?:content|article)",
    re.I,
)
_TEASER_PHRASES = re.compile(
    r"lees verder met|word abonnee|(?:ben je|bent u) (?:al )?abonnee|log in om (?:verder|dit)"
    r"|exclusief voor abonnees|alleen voor abonnees|neem een abonnement|lees het (?:volledige|hele)"
    r"|onbeperkt toegang|weiterlesen mit|jetzt (?:abonnieren|weiterlesen)|exklusiv für abonnenten"
    r"|zum weiterlesen|subscribe to (?:continue|read)|to continue reading|subscribers only"
    r"|already a subscriber",
    re.I,
)


@dataclass(slots=True)
class _PaywallSigns:
    marker: str | None = None  # class token of the first visible paywall element
    phrase: str | None = None  # the subscription call of a paywall box ("word abonnee")


def _link_density(element: lxml.html.HtmlElement) -> float:
    text = len(element.text_content().strip())
    if not text:
        return 1.0
    linked = sum(len(a.text_content().strip()) for a in element.iter("a"))
    return linked / text


def _opening(element: lxml.html.HtmlElement) -> str:
    """The first words of an element, lower-case: its own text or that of its first
    descendants ("<p><strong>Lees ook:</strong> <a>…"). Walking down the first-child chain
    instead of materialising the text keeps this cheap on deep containers."""
    node: lxml.html.HtmlElement | None = element
    for _ in range(4):
        if node is None:
            break
        text = (node.text or "").lstrip(_OPENING_PUNCTUATION)
        if text:
            return text[:40].lower()
        node = node[0] if len(node) else None
    return ""


def _related_opening(element: lxml.html.HtmlElement) -> bool:
    opening = _opening(element)
    if not opening.startswith(_RELATED_OPENINGS):
        return False
    prefix = next(p for p in _RELATED_OPENINGS if opening.startswith(p))
    return not opening[len(prefix) : len(prefix) + 1].isalpha()


def _hidden(element: lxml.html.HtmlElement) -> bool:
    for node in (element, *element.iterancestors()):
        if node.get("hidden") is not None or node.get("aria-hidden") == "true":
            return True
        if "hidden" in (node.get("class") or "").lower().split():
            return True
        if "display:none" in (node.get("style") or "").replace(" ", "").lower():
            return True
    return False


def _subscription_box(element: lxml.html.HtmlElement) -> str | None:
    """The subscription call when ``element`` is a paywall box rather than an article
    container that holds one: short, with the call, and no paragraph of its own text."""
    text = element.text_content()
    if len(text) >= 800:
        return None
    phrase = _TEASER_PHRASES.search(text)
    if not phrase:
        return None
    for block in element.iter("p", "h1"):
        block_text = block.text_content()
        if len(block_text) >= 100 and not _TEASER_PHRASES.search(block_text):
            return None
    return phrase.group(0).lower()


def _paywall_marker(
    element: lxml.html.HtmlElement, marks: str, *, data_attributes: bool
) -> str | None:
    if data_attributes and (
        element.get("data-paywall") is not None or element.get("data-area") == "paywall"
    ):
        return "data-paywall"
    if not marks or not _PAYWALL_HINTS.search(marks):
        return None
    for token in (element.get("class") or "").split():
        if _PAYWALL_TOKEN.search(token):
            return token
    return None


# The elements the link-density tests look at; an element of any other tag matters only
# as a paywall box, which a class or id value or a data attribute marks.
_PRUNED_TAGS = tuple(sorted(_RELATED_TAGS | {"tr", "td"}))
_CLASS_AND_ID_VALUES = lxml.etree.XPath("//@class | //@id", smart_strings=False)
_PAYWALL_DATA_ATTRIBUTE = lxml.etree.XPath("boolean(//@data-paywall | //@data-area[. = 'paywall'])")


def paywall_hint_in_marks(tree: lxml.html.HtmlElement) -> bool:
    """Whether a class or id value in the page holds a paywall hint. Collected by XPath,
    the values spare ``_prune`` a Python step for each element of the page when none
    does, as on most pages of most sites."""
    values = cast(list[str], _CLASS_AND_ID_VALUES(tree))
    return _PAYWALL_HINTS.search(" ".join(values).lower()) is not None


def paywall_data_attribute(tree: lxml.html.HtmlElement) -> bool:
    """Whether an element carries the data attribute ``_paywall_marker`` looks for."""
    return bool(_PAYWALL_DATA_ATTRIBUTE(tree))


def _prune(
    tree: lxml.html.HtmlElement, *, data_attributes: bool, paywall_marks: bool
) -> _PaywallSigns:
    """Remove link-dense "read also" blocks and menus (by class or id: "related",
    "lees-ook", "menu", …; by their opening words: "Lees ook:", "Meer over dit
    onderwerp:"; link-dense table rows and cells) and subscription boxes ("Lees verder met
    een abonnement"), noting the paywall signs on the way. One pass over the tree with
    substring tests: XPath with translate() for the same took 25 ms on a large page.

    Paywall elements inside links are labels on teasers of other articles; hidden ones are
    metering templates (Nieuwsblad keeps "paywall--titel hidden" boxes on free pages)."""
    signs = _PaywallSigns()
    doomed: list[lxml.html.HtmlElement] = []
    body = tree.find("body")
    root = body if body is not None else tree
    every = data_attributes or paywall_marks
    for element in root.iter(lxml.etree.Element) if every else root.iter(*_PRUNED_TAGS):
        tag = element.tag
        class_, id_ = element.get("class"), element.get("id")
        marks = f"{class_ or ''} {id_ or ''}".lower() if class_ or id_ else ""
        if marks and not _ANY_MARK.search(marks):
            marks = ""  # nothing in it either test below looks for
        marker = (
            _paywall_marker(element, marks, data_attributes=data_attributes)
            if (marks or data_attributes) and tag not in ("a", "img")
            else None
        )
        if marker and not any(a.tag == "a" for a in element.iterancestors()):
            if _hidden(element):  # a template for scripts: no sign, and no article text
                doomed.append(element)
                continue
            signs.marker = signs.marker or marker
            phrase = _subscription_box(element)
            if phrase:
                signs.phrase = signs.phrase or phrase
                doomed.append(element)
                continue
        if marks and tag in _RELATED_TAGS and _RELATED_MARK.search(marks):
            threshold = 0.5
        elif tag in ("tr", "td"):
            threshold = 0.6  # old sites lay out their menus in tables
        elif tag in ("p", "li", "div") and _related_opening(element):
            threshold = 0.5
        else:
            continue
        if _link_density(element) >= threshold:
            doomed.append(element)
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()
    return signs


# --------------------------------------------------------------------------------------
# Completeness
# --------------------------------------------------------------------------------------

_SIMPLE_SELECTOR = re.compile(r"^([a-z0-9]*)([.#])([\w-]+)$", re.I)


def _selector_text(tree: lxml.html.HtmlElement, selectors: str) -> int:
    """Characters of text in the elements a simple CSS selector list names (.a, #b, p.c)."""
    total = 0
    for selector in selectors.split(","):
        match = _SIMPLE_SELECTOR.match(selector.strip())
        if not match:
            continue
        tag, kind, name = match.groups()
        if kind == "#":
            path = f"//{tag or '*'}[@id='{name}']"
        else:
            path = (
                f"//{tag or '*'}[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"
            )
        total += sum(len(e.text_content().strip()) for e in tree.xpath(path))
    return total


def _access(article: dict[str, Any] | None, linked: _LinkedData) -> tuple[bool | None, list[str]]:
    """(isAccessibleForFree of the article, CSS selectors of its parts declared paid)."""
    free: bool | None = None
    selectors: list[str] = []
    nodes = [article] if article is not None else linked.nodes
    for node in nodes:
        value = _is_free(node.get("isAccessibleForFree"))
        if value is not None and free is None:
            free = value
        parts = node.get("hasPart")
        for part in parts if isinstance(parts, list) else [parts]:
            if isinstance(part, dict) and _is_free(part.get("isAccessibleForFree")) is False:
                selectors.append(_clean(part.get("cssSelector")))
    if free is None:
        for text in linked.unparsed:
            match = _JSONLD_FREE.search(text)
            if match:
                free = _is_free(match.group(1))
                break
    return free, selectors


def _next_page(tree: lxml.html.HtmlElement, canonical: str | None, url: str) -> str | None:
    """Page 2 of this article (``<link rel=next>`` extending the article's own URL)."""
    base = canonical or url
    stem = urlsplit(base)._replace(query="", fragment="").geturl().rstrip("/")
    stem = re.sub(r"\.s?html?$", "", stem)
    for link in tree.iterfind(".//head/link[@rel]"):
        if "next" in (link.get("rel") or "").lower().split():
            target = _absolute_url(link.get("href"), base)
            if target and target.startswith(stem) and len(target) > len(stem) + 1:
                return target
    return None


def _completeness(
    tree: lxml.html.HtmlElement,
    body: str,
    article: dict[str, Any] | None,
    linked: _LinkedData,
    signs: _PaywallSigns,
    next_page: str | None,
) -> tuple[str, str | None]:
    """ "none" without text; "partial" when the page declares paid content that is not in
    it, when a short body comes with paywall signs, when JSON-LD counts far more words, or
    when the article goes on on another page; else "full". An explicit
    ``isAccessibleForFree: true`` overrules paywall markup (metered sites carry paywall
    classes on every page)."""
    if not body:
        return "none", "empty"
    free, paid_parts = _access(article, linked)
    selectors = [s for s in paid_parts if s]
    # The paid part is in the page after all (served to us, hidden by script): full text.
    paid_part_present = bool(selectors) and all(_selector_text(tree, s) >= 500 for s in selectors)
    if free is False and not paid_part_present:
        return "partial", "jsonld:isAccessibleForFree"
    if free is not False and paid_parts and not paid_part_present:
        return "partial", "jsonld:hasPart"
    if free is not True and len(body) < TEASER_MAX_CHARS:
        teaser = _TEASER_PHRASES.search(body[-600:])
        if teaser:
            return "partial", f"teaser:{teaser.group(0).lower()}"
        if signs.phrase:
            return "partial", f"teaser:{signs.phrase}"
        if signs.marker:
            return "partial", f"markup:{signs.marker}"
    if article is not None:
        words = article.get("wordCount")
        counted = int(words) if isinstance(words, (int, str)) and str(words).isdigit() else 0
        if counted > 2 * len(body.split()) + 50:
            return "partial", "jsonld:wordCount"
    if next_page:
        return "partial", "paginated"
    return "full", None


# --------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------


def _paragraphs(text: str | None) -> list[str]:
    if not text:
        return []
    lines = (" ".join(line.split()) for line in text.splitlines())
    return [line for line in lines if line]


def _drop_title_lines(paragraphs: list[str], titles: Iterable[str]) -> list[str]:
    """Leading lines that repeat the headline or the byline (trafilatura keeps the h1 and
    the byline when they sit inside the article element)."""
    keys = {_key(t) for t in titles if t}
    keys.discard("")
    while paragraphs and _key(paragraphs[0]) in keys:
        paragraphs = paragraphs[1:]
    return paragraphs


_INTRO_CLASS = re.compile(r"(^|[\s_-])(intro|lead|standfirst|kicker-text|summary)($|[\s_-])", re.I)


def _intro(tree: lxml.html.HtmlElement) -> str:
    """The standfirst when a page sets it apart from the article body (DPG's
    ``article__intro``): trafilatura often leaves it out with the page furniture."""
    scopes = tree.xpath("//article | //main") or [tree]
    for element in scopes[0].iter("p", "div", "section"):
        if not _INTRO_CLASS.search(str(element.get("class", ""))):
            continue
        if any(a.tag in ("a", "li", "aside", "nav", "footer") for a in element.iterancestors()):
            continue  # a teaser of another article
        text = _clean(element.text_content())
        if 40 <= len(text) <= 1500:
            return text
    return ""


def _with_intro(paragraphs: list[str], intro: str) -> list[str]:
    key = _key(intro)[:120]
    if not key or any(_key(p).startswith(key) for p in paragraphs[:6]):
        return paragraphs
    return [intro, *paragraphs]


def _lead(paragraphs: list[str], description: str) -> str:
    """The standfirst: the body paragraph the description opens, else the first paragraph
    that reads as prose (not a caption, byline or date line), else the description."""
    described = _key(description.rstrip(".… "))[:120]
    if described:
        for paragraph in paragraphs[:4]:
            if _key(paragraph).startswith(described):
                return paragraph.removeprefix("- ")
    for paragraph in paragraphs[:6]:
        if len(paragraph) >= 80 and re.search(r"[.!?…”\"']$", paragraph):
            return paragraph.removeprefix("- ")  # trafilatura writes list items as "- …"
    if description:
        return description
    return paragraphs[0] if paragraphs else ""


def _body_text(tree: lxml.html.HtmlElement, url: str) -> str:
    """trafilatura's main text, the cheapest way that gives the same text.

    Its fast mode first: the full cascade also runs readability (and sometimes jusText) on
    every page, more than half of its time, and readability only wins over the own
    extraction when that is short or a small part of the page (the politico and spiegel
    pages: under 1,000 characters, under 8% of the page's text). And on the page's one
    ``<article>`` alone when that holds the page's paragraphs: trafilatura looks for the
    article there anyway, and on a page with long menus it is four times as fast (the same
    text on every such recorded and benchmark page)."""
    page_text = len(" ".join(tree.text_content().split()))
    article = _sole_article(tree)
    if article is not None:
        text = _trafilatura_text(_document_of(article), url, fast=True)
        if _fast_text_suffices(text, page_text):
            return text
    text = _trafilatura_text(tree, url, fast=True)  # trafilatura works on its own copy
    if _fast_text_suffices(text, page_text):
        return text
    return _trafilatura_text(tree, url, fast=False)


def _fast_text_suffices(text: str, page_text: int) -> bool:
    return (
        len(text) >= FAST_EXTRACTION_MIN_CHARS
        and len(text) >= FAST_EXTRACTION_MIN_SHARE * page_text
    )


def _sole_article(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The page's only ``<article>`` unless it holds little of the paragraph text (a page
    of teasers has many; an article element around the headline alone holds too little)."""
    articles = tree.xpath("//article")
    if len(articles) != 1:
        return None
    inside = sum(len(p.text_content()) for p in articles[0].iter("p"))
    everywhere = sum(len(p.text_content()) for p in tree.iter("p"))
    return articles[0] if inside and inside >= SOLE_ARTICLE_MIN_SHARE * everywhere else None


def _document_of(element: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    document = lxml.html.document_fromstring("<html><body></body></html>", parser=_parser())
    body = document.find("body")
    assert body is not None
    body.append(deepcopy(element))
    return document


@functools.cache
def _trafilatura_options(*, fast: bool) -> Extractor:
    return Extractor(
        output_format="python",
        fast=fast,
        comments=False,
        tables=True,
        images=False,
        links=False,
        dedup=False,
        with_metadata=False,
    )


def _trafilatura_text(tree: lxml.html.HtmlElement, url: str, *, fast: bool) -> str:
    # A copy of options built once: building them reads trafilatura's configuration anew,
    # a tenth of a millisecond a page.
    options = copy(_trafilatura_options(fast=fast))
    options.url = options.source = url
    document = bare_extraction(tree, url=url, options=options)
    text = getattr(document, "text", None)
    return text if isinstance(text, str) else ""


def _htmldate(tree: lxml.html.HtmlElement, url: str) -> datetime | None:
    found = htmldate.find_date(tree, original_date=True, url=url or None, outputformat="%Y-%m-%d")
    return parse_datetime(found) if isinstance(found, str) else None


def extract_page(
    html: bytes,
    *,
    url: str,
    feed_published_at: datetime | None = None,
    headers_charset: str | None = None,
) -> PageContent:
    """Read one downloaded article page.

    Publication date, most explicit first: the page's publication metadata
    (``article:published_time``, JSON-LD ``datePublished``, microdata, Parsely/sailthru/
    Dublin Core); the feed entry's date; the first ``<time>`` of the ``<article>``; a date
    in the URL; htmldate (``original_date=True``). A naive ``feed_published_at`` is UTC.
    """
    tree = _parse(html, headers_charset)
    if tree is None:
        return PageContent(
            title="",
            lead="",
            body="",
            author=None,
            published_at=_as_utc(feed_published_at) if feed_published_at else None,
            published_at_source="feed" if feed_published_at else None,
            site_name=None,
            canonical_url=None,
            language=None,
            completeness="none",
            completeness_reason="empty",
        )
    meta = _meta(tree)
    linked = _linked_data(tree)
    article = linked.article()
    site_name = _site_name(meta, article, linked)
    title = _title(tree, meta, article, site_name, url)
    canonical = _canonical(tree, meta, url)
    author = _author(tree, meta, article, linked)
    next_page = _next_page(tree, canonical, url)
    published_at, source = _publication_date(tree, meta, linked)
    if published_at is None and feed_published_at is not None:
        published_at, source = _as_utc(feed_published_at), "feed"
    if published_at is None:
        published_at, source = _article_time(tree), "html:time"
    if published_at is None:
        published_at, source = date_from_url(canonical or url), "url"
    if published_at is None:
        published_at, source = _htmldate(tree, canonical or url), "htmldate"

    # Everything that reads scripts (JSON-LD, htmldate) is done: dropping them now spares
    # trafilatura copying and cleaning them (about 7% of its time).
    strip_elements(tree, "script", "style", "svg", "template", with_tail=False)
    # Most pages have no paywall data attribute and no paywall hint in a class or id
    # value: the pruning then spares two attribute reads on each element it walks, and
    # walks only the tags its link-density tests look at.
    signs = _prune(
        tree,
        data_attributes=paywall_data_attribute(tree),
        paywall_marks=paywall_hint_in_marks(tree),
    )
    intro = _intro(tree)
    paragraphs = _drop_title_lines(
        _paragraphs(_body_text(tree, url)), (title, _clean(meta.get("og:title")), author or "")
    )
    body = "\n".join(paragraphs)
    description = _clean(
        meta.get("og:description")
        or meta.get("description")
        or (article.get("description") if article else "")
    )
    completeness, reason = _completeness(tree, body, article, linked, signs, next_page)

    return PageContent(
        title=title,
        lead=_lead(_with_intro(paragraphs, intro), description),
        body=body,
        author=author,
        published_at=published_at,
        published_at_source=source if published_at else None,
        site_name=site_name,
        canonical_url=canonical,
        language=_language(tree, meta, article, body),
        completeness=completeness,
        completeness_reason=reason,
        next_page_url=next_page,
    )


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
