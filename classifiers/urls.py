"""URL canonicalisation: one URL per article, whatever form it reached us in.

courlan does the general work (lower-case host, default port, tracking parameters,
sorted query). On top of it: no fragments, https, no ``www.``/mobile/AMP variants, and
site rules where one article has several URL forms (NOS short links). See
``docs/decisions.md`` for why ``www.`` is dropped.
"""

from __future__ import annotations

import functools
import html
import re
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from courlan import normalize_url

TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gclsrc",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "yclid",
        "_ga",
        "_gl",
        "ocid",
        "cmpid",
        "xtor",
        "referrer",
        "referer",
        "ref_src",
        "ito",
        "wt_mc",
        "s_cid",
        "sc_cid",
        "at_medium",
        "at_campaign",
        "at_creation",
        "at_platform",
        "at_format",
        "at_general_placement",
        "at_link",
        "at_link_id",
        "at_link_origin",
        "at_link_type",
        "at_position",
        "at_ptr_name",
        "at_send_date",
        "amp",
        "outputtype",
        "share",
        "smid",
        "rss",
        "feed",
        "source",
        "partner",
    }
)
MOBILE_PREFIXES = ("www.", "m.", "mobile.", "amp.")
AMP_CACHE = re.compile(r"^[a-z0-9-]+\.cdn\.ampproject\.org$")
AMP_SEGMENT = re.compile(r"/amp/?$")
AMP_EXTENSION = re.compile(r"\.amp(?=\.html?$|$)")
NOS_ARTICLE = re.compile(r"^/(?:l|artikel|video|nieuwsuur/artikel|jeugdjournaal/artikel)/(\d+)")
SITE_RULES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("nos.nl", NOS_ARTICLE, "/artikel/{0}"),
)


class InvalidURLError(ValueError):
    """The text is not an http(s) URL of an article."""


def _strip_host(host: str) -> str:
    host = host.rstrip(".")
    for prefix in MOBILE_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            return host[len(prefix) :]
    return host


def _unwrap_amp_cache(url: str) -> str:
    if ".cdn.ampproject.org" not in url.lower():
        return url
    parts = urlsplit(url)
    if AMP_CACHE.match(parts.hostname or "") and parts.path.startswith("/c/"):
        rest = parts.path[3:]
        scheme = "http"
        if rest.startswith("s/"):
            scheme, rest = "https", rest[2:]
        return f"{scheme}://{rest}"
    return url


CACHE_SIZE = 65_536
MAX_URL_LENGTH = 2000  # the URL columns' size: a longer one fails on PostgreSQL
_canonical_cache: dict[str, str] = {}


def canonical_url(url: str) -> str:
    """The canonical form of an article URL; raises ``InvalidURLError`` for non-URLs.

    Cached, with each result also as its own key: a collection run canonicalises an
    entry's link, then classifies the article under the canonical URL, which is its own
    canonical form."""
    cached = _canonical_cache.get(url)
    if cached is not None:
        return cached
    canonical = compute_canonical_url(url)
    if len(_canonical_cache) >= CACHE_SIZE:
        _canonical_cache.clear()
    _canonical_cache[url] = _canonical_cache[canonical] = canonical
    return canonical


def compute_canonical_url(url: str) -> str:
    """``canonical_url`` without the cache."""
    text = url.strip()
    if not re.match(r"(?i)^https?://", text):
        raise InvalidURLError(f"not an http(s) URL: {url!r}")
    text = _without_tracking_query(_unwrap_amp_cache(text[:4].lower() + text[4:]))
    canonical = _canonical_form(text, url)
    if len(canonical) > MAX_URL_LENGTH:
        raise InvalidURLError(f"URL longer than {MAX_URL_LENGTH} characters: {url[:100]}…")
    return canonical


def _is_tracking(key: str) -> bool:
    lower = key.lower()
    return lower in TRACKING_PARAMETERS or lower.startswith("utm_")


_LEADING_NAME = re.compile(r"[0-9A-Za-z]*")


def _leading_name(segment: str) -> str:
    match = _LEADING_NAME.match(segment)
    return match.group(0) if match else ""


@functools.lru_cache(maxsize=256)
def _literal_after_ampersand(name: str) -> bool:
    """Whether "&" followed by ``name`` and a non-alphanumeric character is left alone
    by ``html.unescape`` ("&amp=" is not: it becomes "&=")."""
    return html.unescape(f"&{name}=") == f"&{name}="


def _without_tracking_query(url: str) -> str:
    """``url`` without its query when the canonical form would drop all of it: every
    parameter is a tracking one and no "&" in the URL starts a character reference
    (courlan unescapes those before it splits the URL). The same canonical form, for
    under half the work: feed links carry utm_ parameters as a rule, and courlan's
    unescaping and query cleaning were most of the cost of a link."""
    base, _, rest = url.partition("?")
    query, hash_, fragment = rest.partition("#")
    if not query or "&" in base or "&" in fragment or "&#" in url or not url.isprintable():
        return url
    for index, segment in enumerate(query.split("&")):
        if not segment:
            continue
        if index and not _literal_after_ampersand(_leading_name(segment)):
            return url
        if not _is_tracking(unquote(segment.partition("=")[0].replace("+", " "))):
            return url
    return base + hash_ + fragment


def _canonical_form(text: str, url: str) -> str:
    """The canonical form of ``text``, an http(s) URL (``url`` as given, for errors)."""
    try:
        normalised = normalize_url(text)
    except ValueError as error:
        raise InvalidURLError(f"cannot parse URL {url!r}: {error}") from error
    parts = urlsplit(normalised)
    if not parts.hostname:
        raise InvalidURLError(f"URL has no host: {url!r}")
    host = _strip_host(parts.hostname)
    path = AMP_EXTENSION.sub("", AMP_SEGMENT.sub("/", parts.path)) or "/"
    for site, pattern, template in SITE_RULES:
        if host == site and (match := pattern.match(path)):
            path = template.format(*match.groups())
            break
    if not parts.query:
        return urlunsplit(("https", host, path, "", ""))
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(key)
    ]
    return urlunsplit(("https", host, path, urlencode(query), ""))


def domain_of(url: str) -> str:
    """Host of a URL without ``www.`` and mobile prefixes, lower case."""
    host = urlsplit(url.strip()).hostname or ""
    return _strip_host(host.lower())


DPG_ARTICLE_ID = re.compile(r"~a([0-9a-f]{6,12})/?$")
MEDIAHUIS_BE_ARTICLE_ID = re.compile(r"/cnt/(dmf\d{8}_\d{8})")


def article_key(url: str) -> str | None:
    """A publisher article id shared by a group's sites (DPG ``~a…``, Mediahuis ``dmf…``)."""
    path = unquote(urlsplit(url).path)
    if match := DPG_ARTICLE_ID.search(path):
        return f"dpg:{match.group(1)}"
    if match := MEDIAHUIS_BE_ARTICLE_ID.search(path):
        return f"mediahuis:{match.group(1)}"
    return None
