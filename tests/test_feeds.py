"""Feed parsing on the recorded corpus: real encodings survive, broken feeds are errors."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from collectors.errors import CollectError
from collectors.feeds import _parse_fast, parse_feed
from tests.conftest import corpus_file
from tests.factories import FeedItem, rss_feed


@pytest.mark.parametrize(
    ("name", "title_fragment"),
    [
        ("feeds/inovacaotecnologica-br-iso8859-1.rss.xml", "Revolução nas telas"),
        ("feeds/feedcreator-rss10-iso8859-1.rdf.xml", "Glasfaserförderung"),
        ("feeds/orf-at-news.rss10.rdf.xml", "Kiew"),
        ("feeds/youtube-channel.atom.xml", "Interpolation"),
        ("feeds/nrk-podcast-norwegian.rss.xml", "Høydepunkter"),
        ("search-feeds/google-news-topstories-fr-BE-2020.rss.xml", "Coronavirus en Belgique"),
    ],
)
def test_recorded_feeds_parse_with_their_characters(name: str, title_fragment: str) -> None:
    feed = parse_feed(corpus_file(name))
    assert feed.entries, name
    assert any(title_fragment in e.title for e in feed.entries)
    assert all(e.link.startswith("http") for e in feed.entries)
    assert all(e.published_at is None or e.published_at.tzinfo for e in feed.entries)


def test_google_news_entry_names_its_publisher() -> None:
    [entry] = parse_feed(
        corpus_file("search-feeds/google-news-topstories-fr-BE-2020.rss.xml")
    ).entries
    assert entry.source_url == "https://www.rtbf.be"
    assert entry.link.startswith("https://news.google.com/")


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("feeds/edge-feedparser-incomplete-cdata.rss.xml", "truncated"),
        ("feeds/edge-feedparser-corrupted-ampersands.rss.xml", "truncated"),
    ],
)
def test_broken_recorded_feeds_are_errors(name: str, category: str) -> None:
    with pytest.raises(CollectError) as caught:
        parse_feed(corpus_file(name))
    assert caught.value.category == category


@pytest.mark.parametrize(
    ("body", "category"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"<!DOCTYPE html><html><body>Welkom</body></html>", "not_a_feed"),
        (b'{"items": []}', "not_a_feed"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>x', "truncated"),
    ],
)
def test_bodies_that_are_not_feeds(body: bytes, category: str) -> None:
    with pytest.raises(CollectError) as caught:
        parse_feed(body)
    assert caught.value.category == category


def test_dutch_diacritics_survive_iso_8859_1() -> None:
    body = rss_feed(
        [
            FeedItem(
                title="Coördinatie van de aanpak: ‘ernstig’",
                link="https://nos.nl/l/1",
                description="Privé-opvang voor slachtoffers, financiële steun",
            )
        ],
        encoding="iso-8859-1",
    )
    [entry] = parse_feed(body, content_type="application/rss+xml; charset=iso-8859-1").entries
    assert entry.title == "Coördinatie van de aanpak: ‘ernstig’"
    assert "financiële" in entry.summary


def test_fast_and_full_parsers_read_a_dutch_feed_alike() -> None:
    body = rss_feed(
        [
            FeedItem(
                title="Rapporteur &amp; kabinet: ‘meer opvang’",
                link="https://nos.nl/l/5",
                description="<p>De <b>Nationaal Rapporteur</b> wil meer opvang.</p>",
                content="<p>Lange tekst over coördinatie.</p>",
                published=datetime(2025, 10, 17, 6, 0, tzinfo=UTC),
                guid="nos-5",
            ),
            FeedItem(title="Zonder inhoud", link="https://nos.nl/l/6", description="Kort."),
        ]
    )
    fast = _parse_fast(body)
    assert fast is not None
    # A <source> element sends the document to feedparser.
    full = parse_feed(body.replace(b"</channel>", b"<source url='x'>x</source></channel>"))
    assert fast.entries == [replace(e, source_url=None, source_name=None) for e in full.entries]
    first, second = fast.entries
    assert (first.title, first.summary, first.content) == (
        "Rapporteur & kabinet: ‘meer opvang’",
        "De Nationaal Rapporteur wil meer opvang.",
        "Lange tekst over coördinatie.",
    )
    assert first.published_at == datetime(2025, 10, 17, 6, 0, tzinfo=UTC)
    assert (first.link, first.guid) == ("https://nos.nl/l/5", "nos-5")
    assert second.content == ""  # the description is not repeated as content
