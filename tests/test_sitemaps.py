"""Sitemap parsing: the recorded sitemaps (read in place), our Dutch ones, and hostile ones."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from collectors.errors import CollectError
from collectors.sitemaps import SitemapEntry, gunzip_capped, parse_sitemap
from tests.conftest import corpus_file

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sitemaps"


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_wordpress_news_sitemap() -> None:
    parsed = parse_sitemap(corpus_file("sitemaps/wordpress-com-shinpaideshou-news-sitemap.xml"))
    assert parsed.sitemaps == [] and parsed.skipped == 0
    assert len(parsed.entries) == 3
    name = "What can I do with a B.A. in Japanese Studies?"
    assert parsed.entries[0] == SitemapEntry(
        loc="https://shinpaideshou.wordpress.com/2017/04/25/job-opening-reischauer-policy"
        "-research-fellow/",
        title="Job Opening: Reischauer Policy Research Fellow",
        published_at=datetime(2017, 4, 25, 10, 0, 36, tzinfo=UTC),
        publication_name=name,
        language="en",
        keywords=("political science", "policy", "research fellow", "Johns Hopkins"),
        lastmod=None,
    )
    assert [e.published_at for e in parsed.entries] == [
        datetime(2017, 4, 25, 10, 0, 36, tzinfo=UTC),
        datetime(2017, 4, 24, 10, 0, 33, tzinfo=UTC),
        datetime(2017, 4, 24, 10, 0, 10, tzinfo=UTC),
    ]
    assert parsed.entries[1].title == (
        "Call for Papers: Nation, Gender and History, Asian Cinemas in Perspective"
    )
    assert parsed.entries[2].loc == (
        "https://shinpaideshou.wordpress.com/2017/04/24/job-opening-lecturer-in-japanese-studies"
        "-university-of-leeds/"
    )
    assert all(e.publication_name == name and e.language == "en" for e in parsed.entries)


def test_plain_newspaper_sitemap_with_image_and_video_extensions() -> None:
    parsed = parse_sitemap(corpus_file("sitemaps/hebdenbridgetimes-articles-sitemap.xml"))
    assert len(parsed.entries) == 74 and parsed.skipped == 0
    first, last = parsed.entries[0], parsed.entries[-1]
    assert first.loc == (
        "http://www.hebdenbridgetimes.co.uk/news/local/video-tour-de-yorkshire-in-calderdale"
        "-1-7242580"
    )
    assert first.lastmod == datetime(2015, 5, 3, 17, 51, 50, tzinfo=UTC)  # 18:51:50+01:00
    assert last.loc == (
        "http://www.hebdenbridgetimes.co.uk/news/local/now-you-see-it-now-you-don-t-it-s-off"
        "-the-wall-1-7229940"
    )
    assert last.lastmod == datetime(2015, 4, 26, 16, 47, 55, tzinfo=UTC)
    # no news: namespace: no title (image:title and video:title are not the article's)
    assert all(e.title is None and e.published_at is None for e in parsed.entries)
    assert all(e.lastmod is not None for e in parsed.entries)
    assert len({e.loc for e in parsed.entries}) == 74


def test_google_example_news_sitemap() -> None:
    parsed = parse_sitemap(corpus_file("sitemaps/google-spec-example-news-sitemap.xml"))
    assert parsed.entries == [
        SitemapEntry(
            loc="http://www.example.com/business/article55.html",
            title="Companies A, B in Merger Talks",
            published_at=datetime(2008, 12, 23, tzinfo=UTC),  # a day only: midnight UTC
            publication_name="The Example Times",
            language="en",
            keywords=("business", "merger", "acquisition", "A", "B"),
            lastmod=None,
        )
    ]


DUTCH_ENTRIES = [
    SitemapEntry(
        loc="https://www.volkskrant.nl/nieuws-achtergrond/meer-slachtoffers-van-mensenhandel-in"
        "-beeld-maar-opsporing-blijft-achter~a1f3c9e2/",
        title="Meer slachtoffers van mensenhandel in beeld, maar opsporing blijft achter",
        published_at=datetime(2025, 10, 17, 4, 0, tzinfo=UTC),
        publication_name="de Volkskrant",
        language="nl",
        keywords=("mensenhandel", "Nationaal Rapporteur", "uitbuiting"),
        lastmod=datetime(2025, 10, 17, 9, 42, 10, tzinfo=UTC),
    ),
    SitemapEntry(
        # whitespace around <loc> is not part of it
        loc="https://www.volkskrant.nl/nieuws-achtergrond/rapporteur-co-rdinatie-tussen"
        "-gemeenten-schiet-tekort~b5e0d1a7/",
        title="Rapporteur: coördinatie tussen gemeenten & politie schiet tekort",  # CDATA
        published_at=datetime(2025, 1, 23, 17, 15, tzinfo=UTC),
        publication_name="de Volkskrant",
        language="nl",
        keywords=("Migranten als verdienmodel", "mensenhandel"),  # the empty one dropped
        lastmod=None,
    ),
    SitemapEntry(
        loc="https://www.volkskrant.nl/columns-opinie/opinie-kinderen-verdienen-betere"
        "-bescherming~c77a0b3e/",
        title=None,
        published_at=None,
        publication_name=None,
        language=None,
        keywords=(),
        lastmod=datetime(2025, 12, 11, tzinfo=UTC),
    ),
]


def test_dutch_news_sitemap_with_its_own_prefix() -> None:
    parsed = parse_sitemap(_fixture("nl-nieuws-sitemap.xml"))
    assert parsed.entries == DUTCH_ENTRIES
    assert parsed.skipped == 2  # one <url> without <loc>, one with a relative <loc>
    assert parsed.sitemaps == []


def test_gzipped_sitemap() -> None:
    body = _fixture("nl-nieuws-sitemap.xml.gz")
    assert body[:2] == b"\x1f\x8b"
    assert parse_sitemap(body).entries == DUTCH_ENTRIES


def test_sitemap_index() -> None:
    parsed = parse_sitemap(_fixture("nl-sitemap-index.xml"))
    assert parsed.entries == []
    assert parsed.sitemaps == [
        "https://www.volkskrant.nl/sitemap/news.xml",
        "https://www.volkskrant.nl/sitemap/articles-2025-12.xml.gz",
        "https://www.volkskrant.nl/sitemap/articles-2025-11.xml.gz",
    ]
    assert parsed.sitemap_lastmod == {
        "https://www.volkskrant.nl/sitemap/news.xml": datetime(2025, 12, 11, 16, 5, tzinfo=UTC),
        "https://www.volkskrant.nl/sitemap/articles-2025-12.xml.gz": datetime(
            2025, 12, 11, tzinfo=UTC
        ),
    }
    assert parsed.skipped == 1


def test_billion_laughs_is_refused() -> None:
    with pytest.raises(CollectError) as caught:
        parse_sitemap(_fixture("billion-laughs.xml"))
    assert caught.value.category == "malformed"
    assert "EntitiesForbidden" in caught.value.message


@pytest.mark.parametrize(
    ("declaration", "reference"),
    [
        (b'<!ENTITY a "' + b"x" * 50_000 + b'">', b"&a;" * 100),  # quadratic blow-up
        (b'<!ENTITY xxe SYSTEM "file:///etc/passwd">', b"&xxe;"),  # external entity
    ],
    ids=["quadratic-blowup", "external-entity"],
)
def test_other_entity_attacks_are_refused(declaration: bytes, reference: bytes) -> None:
    body = (
        b'<?xml version="1.0"?><!DOCTYPE urlset [' + declaration + b"]>"
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://www.example.nl/" + reference + b"</loc></url></urlset>"
    )
    with pytest.raises(CollectError) as caught:
        parse_sitemap(body)
    assert caught.value.category == "malformed"


def test_gzip_bomb_stops_at_the_cap() -> None:
    inner = (
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + b" " * 5_000_000
        + b"</urlset>"
    )
    bomb = gzip.compress(inner, mtime=0)
    assert len(bomb) < 10_000
    with pytest.raises(CollectError) as caught:
        parse_sitemap(bomb, max_bytes=1_000_000)
    assert caught.value.category == "too_large"
    assert parse_sitemap(bomb, max_bytes=6_000_000).entries == []


def test_plain_body_over_the_cap() -> None:
    with pytest.raises(CollectError) as caught:
        parse_sitemap(_fixture("nl-nieuws-sitemap.xml"), max_bytes=1000)
    assert caught.value.category == "too_large"


def test_multi_member_gzip_and_padding() -> None:
    assert gunzip_capped(gzip.compress(b"ab") + gzip.compress(b"cd") + b"\0\0") == b"abcd"


@pytest.mark.parametrize(
    ("body", "category"),
    [
        (b"", "empty"),
        (b"  \n ", "empty"),
        (b"<!DOCTYPE html><html><body>Niet gevonden</body></html>", "not_a_feed"),
        (corpus_file("feeds/orf-at-news.rss10.rdf.xml"), "not_a_feed"),
        (b'<?xml version="1.0"?><catalog><book/></catalog>', "not_a_feed"),
        (_fixture("nl-nieuws-sitemap.xml")[:-200], "truncated"),
        (gzip.compress(_fixture("nl-nieuws-sitemap.xml"))[:-30], "truncated"),
        (b"\x1f\x8b\x08\x00garbage-not-deflate", "malformed"),
        (b"<urlset><url><loc>https://x.nl/a</loc></url><url></urlset>", "malformed"),
        (
            b'<?xml version="1.0"?><urlset><url><loc>https://x.nl/a</loc></url></urlset>',
            None,
        ),
    ],
    ids=[
        "empty",
        "whitespace",
        "html",
        "rss",
        "other-xml",
        "truncated",
        "truncated-gzip",
        "bad-gzip",
        "broken-xml",
        "no-namespace-is-fine",
    ],
)
def test_errors(body: bytes, category: str | None) -> None:
    if category is None:
        assert [e.loc for e in parse_sitemap(body).entries] == ["https://x.nl/a"]
        return
    with pytest.raises(CollectError) as caught:
        parse_sitemap(body)
    assert caught.value.category == category


def test_leading_whitespace_and_bom() -> None:
    body = b"\xef\xbb\xbf\n  " + _fixture("nl-nieuws-sitemap.xml")
    assert parse_sitemap(body).entries == DUTCH_ENTRIES


def test_as_feed_entry() -> None:
    first, _, plain = parse_sitemap(_fixture("nl-nieuws-sitemap.xml")).entries
    entry = first.as_feed_entry()
    assert entry.link == first.loc
    assert (
        entry.title == "Meer slachtoffers van mensenhandel in beeld, maar opsporing blijft achter"
    )
    assert entry.summary == "mensenhandel, Nationaal Rapporteur, uitbuiting"
    assert entry.published_at == datetime(2025, 10, 17, 4, 0, tzinfo=UTC)
    assert entry.source_name == "de Volkskrant"
    bare = plain.as_feed_entry()
    assert (bare.title, bare.summary, bare.published_at) == ("", "", None)  # lastmod is no date
