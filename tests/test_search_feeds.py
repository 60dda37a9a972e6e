"""Publisher URLs inside search-feed links: recorded Google News and Bing feeds, and
hand-made links."""

from __future__ import annotations

import base64
import json

import pytest

from collectors.feeds import parse_feed
from collectors.search_feeds import (
    google_news_answer,
    google_news_id,
    google_news_request,
    google_news_url,
    on_google,
    publisher_url,
)
from tests.conftest import corpus_file

RTBF = (
    "https://www.rtbf.be/info/societe/detail_coronavirus-en-belgique-200-cas-detectes-au-total"
    "-la-circulation-du-virus-reste-limitee?id=10450793"
)


def test_recorded_google_news_feed() -> None:
    [entry] = parse_feed(
        corpus_file("search-feeds/google-news-topstories-fr-BE-2020.rss.xml")
    ).entries
    assert entry.link.startswith("https://news.google.com/__i/rss/rd/articles/CBMi")
    # 139-byte URL: the length is the two-byte varint 8b 01
    assert publisher_url(entry.link) == RTBF
    assert entry.source_url == "https://www.rtbf.be"  # the feed's own <source url=…> agrees


def test_recorded_google_news_cluster_links() -> None:
    """The escaped <description> lists the story's other coverage, same link format."""
    [entry] = parse_feed(
        corpus_file("search-feeds/google-news-topstories-fr-BE-2020.rss.xml")
    ).entries
    links = [
        "https://news.google.com/__i/rss/rd/articles/CBMiXWh0dHBzOi8vd3d3LmRobmV0LmJlL2FjdHUvc2"
        "FudGUvbGEtYmVsZ2lxdWUtYW5ub25jZS14eHgtbm91dmVhdXgtY2FzLTVlNjRjNzI2ZDhhZDU4MzVhMWM4ZTA3"
        "MNIBAA?oc=5",
        "https://news.google.com/stories/CAAqOQgKIjNDQklTSURvSmMzUnZjbmt0TXpZd1NoTUtFUWlWdXREQ2"
        "xZQU1FU0FyMXpaNWRUeDlLQUFQAQ?oc=5",
    ]
    raw = corpus_file("search-feeds/google-news-topstories-fr-BE-2020.rss.xml").decode()
    assert all(link.replace("&", "&amp;") in raw for link in links)
    # one-byte length (0x5d = 93)
    assert publisher_url(links[0]) == (
        "https://www.dhnet.be/actu/sante/la-belgique-annonce-xxx-nouveaux-cas-5e64c726d8ad5835a1c8e070"
    )
    assert publisher_url(links[1]) is None  # "full coverage" page, not an article
    assert entry.source_name == "RTBF"


def test_recorded_bing_news_feed() -> None:
    [entry] = parse_feed(corpus_file("search-feeds/bing-news-search-madrid-2021.rss.xml")).entries
    assert entry.link.startswith("http://www.bing.com/news/apiclick.aspx?ref=FexRss")
    assert publisher_url(entry.link) == (
        "https://www.dailymail.co.uk/sport/football/article-9554407/Real-Madrid-Barcelona"
        "-Juventus-threaten-clubs-withdrawing-Super-League-legal-action.html"
    )


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _google_id(url: str, *, amp: str = "") -> str:
    """An old-format Google News id as Google wrote them (field 1 = 19, field 4 = URL,
    field 26 = AMP URL)."""
    data = b"\x08\x13\x22" + _varint(len(url.encode())) + url.encode()
    data += b"\xd2\x01" + _varint(len(amp.encode())) + amp.encode()
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


NOS = "https://nos.nl/artikel/2541234-rapporteur-meer-slachtoffers-van-uitbuiting"
LONG = "https://www.volkskrant.nl/nieuws-achtergrond/" + "meer-slachtoffers-" * 8 + "~a1f3c9e2/"


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        (f"https://news.google.com/rss/articles/{_google_id(NOS)}?oc=5", NOS),
        (f"https://news.google.com/rss/articles/{_google_id(LONG)}?oc=5&hl=nl", LONG),
        (f"https://news.google.com/__i/rss/rd/articles/{_google_id(NOS)}?oc=5", NOS),
        (f"https://news.google.com/articles/{_google_id(NOS)}?hl=nl&gl=NL&ceid=NL:nl", NOS),
        (f"https://news.google.com/read/{_google_id(NOS)}", NOS),
        # newer format: an opaque token that only Google resolves
        (
            "https://news.google.com/rss/articles/CBMisAFBVV95cUxQbEZ3RzR4UDk4VFV3WnlzQ3lmcGF5cTdo"
            "ZklCajFhS1BrRzFwR2ZwbkFwdmxweV9rb2w0SjFmRzhOYnNnVl9kRmVrSmE0c1Fwb0tlZ0NVdENnbmZPajdT"
            "S0dvR2FtQzF4TWVwQWc5bDFXSURKVWxlS2F5U0t0TzV4RzZMcHNzTEx3Rll5V0hQM0Jmd1RvRzJ4eXZkWWg3"
            "U0VkUjlnQ2xLd2tZVE1B?oc=5",
            None,
        ),
        ("https://news.google.com/rss/articles/!!!not-base64?oc=5", None),
        ("https://news.google.com/rss/articles/CBMi?oc=5", None),
        ("https://news.google.com/rss/search?q=nationaal+rapporteur&hl=nl", None),
        # Bing News click redirect, Bing web redirect, Google Alerts
        (
            "https://www.bing.com/news/apiclick.aspx?ref=FexRss&aid=&tid=X&url=https%3a%2f%2fnos"
            ".nl%2fartikel%2f2541234-rapporteur&c=1&mkt=nl-nl",
            "https://nos.nl/artikel/2541234-rapporteur",
        ),
        (
            "https://www.bing.com/ck/a?!&&p=abc&u=a1"
            + base64.urlsafe_b64encode(NOS.encode()).decode().rstrip("=")
            + "&ntb=1",
            NOS,
        ),
        (
            "https://www.google.com/url?rct=j&sa=t&url=https://www.trouw.nl/verdieping/x~a9c04d17/"
            "&ct=ga&cd=CAIyGg&usg=AOvVaw0",
            "https://www.trouw.nl/verdieping/x~a9c04d17/",
        ),
        (
            "https://www.google.nl/url?q=https://www.ad.nl/binnenland/x~a12/&sa=U",
            "https://www.ad.nl/binnenland/x~a12/",
        ),
        # not search redirects, or redirects to something that is no web page
        (NOS, None),
        ("https://nos.nl/l/2541234", None),
        ("https://www.bing.com/news/search?q=rapporteur&format=rss", None),
        ("https://www.bing.com/news/apiclick.aspx?ref=FexRss&url=javascript%3aalert(1)", None),
        ("https://www.google.com/search?q=nationaal+rapporteur", None),
        ("not a url", None),
        ("", None),
    ],
)
def test_publisher_url(link: str, expected: str | None) -> None:
    assert publisher_url(link) == expected


def test_google_id_with_only_the_amp_url() -> None:
    data = b"\x08\x13\xd2\x01" + _varint(len(NOS)) + NOS.encode()
    assert google_news_url(base64.urlsafe_b64encode(data).decode()) == NOS


def test_google_id_with_unparseable_tail_still_gives_the_url() -> None:
    data = b"\x08\x13\x22" + _varint(len(NOS)) + NOS.encode() + b"\xff\xff\xff"
    assert google_news_url(base64.urlsafe_b64encode(data).decode().rstrip("=")) == NOS


@pytest.mark.parametrize(
    ("answer", "url"),
    [
        (
            b')]}\'\n\n[["wrb.fr","Fbv4je","[\\"garturlres\\",\\"https://www.nu.nl/a/1.html\\",1]",'
            b'null,null,null,"generic"],["di",10]]',
            "https://www.nu.nl/a/1.html",
        ),
        (b')]}\'\n\n[["wrb.fr","Fbv4je","[\\"garturlres\\",\\"javascript:x\\",1]"]]', None),
        (b')]}\'\n\n[["er",null,null,null,null,400]]', None),
        (b"<html>Sorry</html>", None),
        (b")]}'\n\nnot json", None),
    ],
)
def test_google_news_answer(answer: bytes, url: str | None) -> None:
    assert google_news_answer(answer) == url


def test_google_news_request_needs_the_pages_signature() -> None:
    page = b'<c-wiz><div jscontroller="x" data-n-a-sg="S1g" data-n-a-ts="1764134400"></div>'
    request = google_news_request("AU_yq", "https://news.google.com/rss/articles/AU_yq", page)
    assert request is not None
    endpoint, form = request
    assert endpoint == "https://news.google.com/_/DotsSplashUi/data/batchexecute"
    assert json.loads(json.loads(form["f.req"])[0][0][1])[2:] == ["AU_yq", 1764134400, "S1g"]
    assert google_news_request("AU_yq", "https://news.google.com/x", b"<html></html>") is None
    assert google_news_id("https://news.google.com/rss/articles/AU_yq?oc=5") == "AU_yq"
    assert google_news_id("https://www.nu.nl/binnenland/1/a.html") is None


@pytest.mark.parametrize(
    ("url", "google"),
    [
        ("https://news.google.com/rss/articles/AU_yq?oc=5", True),
        ("https://consent.google.com/ml?continue=https://news.google.com/x", True),
        ("https://www.google.nl/sorry/index", True),
        ("https://www.google.co.uk/url?q=x", True),
        ("https://www.nu.nl/google.com/artikel", False),
        ("https://notgoogle.com/x", False),
        ("http://127.0.0.1:8080/rss/articles/AU_yq", False),
    ],
)
def test_googles_own_pages_are_recognised(url: str, google: bool) -> None:
    assert on_google(url) is google
