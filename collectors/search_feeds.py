"""The publisher's URL inside a news-search feed link, without a network call.

Search feeds link to their own redirectors, not to the article:

- Bing News: ``https://www.bing.com/news/apiclick.aspx?…&url=<percent-encoded URL>&…``;
  Bing web results: ``https://www.bing.com/ck/a?…&u=a1<base64url of the URL>&…``.
- Google Alerts: ``https://www.google.com/url?rct=j&sa=t&url=<URL>&…``.
- Google News: ``https://news.google.com/rss/articles/<id>?oc=5`` (older feeds:
  ``/__i/rss/rd/articles/<id>``, web: ``/articles/<id>``, ``/read/<id>``). The id is
  base64url of a small protobuf message. In the older format it carries the article URL
  itself: ``08 13`` (field 1, varint 19), ``22`` (field 4, length-delimited), a varint
  length (one byte below 128, else two), the URL, and often ``d2 01`` (field 26) with
  an AMP URL. In the newer format field 4 holds an opaque ``AU_yqL…`` token instead, and
  only Google can resolve it: ``publisher_url`` returns None. The link's page is no
  redirect but a script page carrying a signature and a timestamp
  (``data-n-a-sg``, ``data-n-a-ts``); posted with the id to Google's ``batchexecute``
  endpoint, they give the article URL (``google_news_request``, ``google_news_answer``;
  the protocol as the googlenewsdecoder package speaks it).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from urllib.parse import parse_qs, urljoin, urlsplit

_GOOGLE_NEWS_ID = re.compile(r"^/(?:__i/rss/rd/|rss/)?(?:articles|read)/([A-Za-z0-9_-]+)/?$")
_GOOGLE_HOST = re.compile(r"^(?:www\.)?google\.[a-z]{2,3}(?:\.[a-z]{2})?$")
_BING_HOST = re.compile(r"^(?:www\.|cn\.)?bing\.com$")
_SIGNATURE = re.compile(rb'data-n-a-sg="([^"]+)"')
_TIMESTAMP = re.compile(rb'data-n-a-ts="([0-9]+)"')
BATCHEXECUTE_PATH = "/_/DotsSplashUi/data/batchexecute"
# The fixed request context Google's own page sends with "garturlreq".
_GARTURLREQ_CONTEXT = [
    ["X", "X", ["X", "X"], None, None, 1, 1, "US:en", None, 1, *[None] * 5, 0, 1],
    "X",
    "X",
    1,
    [1, 1, 1],
    1,
    1,
    None,
    0,
    0,
    None,
    0,
]


def _http_url(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return value
    return None


def _varint(data: bytes, position: int) -> tuple[int, int]:
    """(value, position after it); raises IndexError on data that ends inside it."""
    value = shift = 0
    while True:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, position
        shift += 7
        if shift > 35:
            raise IndexError("varint too long")


def _protobuf_strings(data: bytes) -> dict[int, bytes]:
    """The first value of each length-delimited field of a flat protobuf message."""
    fields: dict[int, bytes] = {}
    position = 0
    while position < len(data):
        key, position = _varint(data, position)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            _, position = _varint(data, position)
        elif wire_type == 2:
            length, position = _varint(data, position)
            if position + length > len(data):
                raise IndexError("field runs past the message")
            fields.setdefault(number, data[position : position + length])
            position += length
        elif wire_type == 1:
            position += 8
        elif wire_type == 5:
            position += 4
        else:
            raise IndexError(f"wire type {wire_type}")
    return fields


def google_news_url(article_id: str) -> str | None:
    """The article URL inside a Google News article id, or None (newer opaque ids)."""
    try:
        data = base64.urlsafe_b64decode(article_id + "=" * (-len(article_id) % 4))
    except (binascii.Error, ValueError):
        return None
    try:
        fields = _protobuf_strings(data)
    except IndexError:
        # Some ids carry trailing bytes that do not parse; the URL field comes first.
        fields = {}
        if data[:3] == b"\x08\x13\x22":
            try:
                length, start = _varint(data, 3)
            except IndexError:
                return None
            fields[4] = data[start : start + length]
    for number in (4, 26):  # the article URL; the AMP URL when the first is missing
        raw = fields.get(number)
        if not raw:
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        url = _http_url(text)
        if url:
            return url
    return None  # "AU_yqL…": resolvable only by Google


def publisher_url(link: str) -> str | None:
    """The publisher's article URL hidden in a search-feed link, or None when the link is
    no known search redirector or its target cannot be read without Google's help."""
    parts = urlsplit(link.strip())
    host = (parts.hostname or "").lower()
    query = parse_qs(parts.query)
    if host == "news.google.com":
        match = _GOOGLE_NEWS_ID.match(parts.path)
        return google_news_url(match.group(1)) if match else None
    if _BING_HOST.match(host):
        path = parts.path.lower()
        if path.endswith("/apiclick.aspx"):
            return _http_url(query.get("url", [None])[0])
        if path == "/ck/a":
            encoded = query.get("u", [""])[0]
            if encoded.startswith("a1"):
                try:
                    raw = base64.urlsafe_b64decode(encoded[2:] + "=" * (-len(encoded[2:]) % 4))
                    return _http_url(raw.decode("utf-8"))
                except (binascii.Error, ValueError):
                    return None
        return None
    if _GOOGLE_HOST.match(host) and parts.path == "/url":
        return _http_url(query.get("url", [None])[0] or query.get("q", [None])[0])
    return None


_GOOGLE_SITE = re.compile(r"(?:^|\.)google\.[a-z]{2,3}(?:\.[a-z]{2})?$")


def on_google(url: str) -> bool:
    """Whether ``url`` is on one of Google's own sites (news, consent, sorry pages)."""
    return bool(_GOOGLE_SITE.search((urlsplit(url).hostname or "").lower()))


def google_news_id(link: str) -> str | None:
    """The article id in a link of Google News's form, or None. Only the path is read:
    whether the link is Google's is for its page to show (``google_news_request``)."""
    match = _GOOGLE_NEWS_ID.match(urlsplit(link.strip()).path)
    return match.group(1) if match else None


def google_news_request(
    article_id: str, page_url: str, page: bytes
) -> tuple[str, dict[str, str]] | None:
    """(URL, form) of the request that resolves ``article_id``, from the page its link
    answered with (``page_url``); None when the page carries no signature."""
    signature, timestamp = _SIGNATURE.search(page), _TIMESTAMP.search(page)
    if signature is None or timestamp is None:
        return None
    request = [
        "garturlreq",
        _GARTURLREQ_CONTEXT,
        article_id,
        int(timestamp.group(1)),
        signature.group(1).decode("ascii", errors="replace"),
    ]
    envelope = ["Fbv4je", json.dumps(request, separators=(",", ":")), None, "generic"]
    form = {"f.req": json.dumps([[envelope]], separators=(",", ":"))}
    return urljoin(page_url, BATCHEXECUTE_PATH), form


def google_news_answer(body: bytes) -> str | None:
    """The article URL in a ``batchexecute`` answer, or None when it holds none."""
    text = body.decode("utf-8", errors="replace")
    # The answer starts with ")]}'" and a blank line, against script inclusion.
    _, _, text = text.partition("\n\n")
    try:
        rows = json.loads(text)
    except ValueError:
        return None
    for row in rows if isinstance(rows, list) else []:
        if not (isinstance(row, list) and len(row) >= 3 and row[0] == "wrb.fr"):
            continue
        try:
            payload = json.loads(row[2]) if isinstance(row[2], str) else None
        except ValueError:
            continue
        if isinstance(payload, list) and len(payload) >= 2 and payload[0] == "garturlres":
            return _http_url(payload[1] if isinstance(payload[1], str) else None)
    return None
