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


_RSS = '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">{}</rss>'
_CHANNEL = "<channel><title>Testkrant</title><link>https://example.nl/</link>{}</channel>"
_ATOM = (
    '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
    "<title>Testkrant</title><id>urn:x:testkrant</id><updated>2026-05-04T08:00:00Z</updated>"
    "{}</feed>"
)
_RDF = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
    ' xmlns="http://purl.org/rss/1.0/">{}</rdf:RDF>'
)
_RDF_CHANNEL = (
    '<channel rdf:about="https://example.nl/"><title>Testkrant</title>'
    "<link>https://example.nl/</link><description>Nieuws</description></channel>"
)


def _item(n: int, title: str = "Rapporteur ziet meer slachtoffers") -> str:
    return f"<item><title>{title} {n}</title><link>https://nos.nl/l/{n}</link></item>"


def _entry(n: int, title: str = "Rapporteur ziet meer slachtoffers") -> str:
    return f'<entry><title>{title} {n}</title><link href="https://nos.nl/l/{n}"/></entry>'


def _rdf_item(n: int, title: str = "Rapporteur ziet meer slachtoffers") -> str:
    return (
        f'<item rdf:about="https://nos.nl/l/{n}"><title>{title} {n}</title>'
        f"<link>https://nos.nl/l/{n}</link></item>"
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        # The review's case: a well-formed root, but no feed in it.
        ("<rss>not xml</rss>", "without a <channel>"),
        (_RSS.format(_item(1) + _item(2)), "without a <channel>"),
        (_RDF.format(_rdf_item(1)), "without a <channel>"),
        # A broken tree that loses entries; the document still ends with its root's closing
        # tag, and the lenient parsers would return what they could read.
        (
            _RSS.format(
                _CHANNEL.format(
                    _item(1).replace("</title>", "</title><description><![CDATA[x</description>")
                    + _item(2)
                    + _item(3)
                )
            ),
            "1 of 3 entries read",
        ),
        (
            _RSS.format(_CHANNEL.format(_item(1).replace("</title>", "</title><!-- x") + _item(2))),
            "1 of 2 entries read",
        ),
        (_ATOM.format(_entry(1).replace("</title>", "</titel>") + _entry(2)), "mismatched"),
    ],
    ids=[
        "rss-text-only",
        "rss-items-without-channel",
        "rdf-without-channel",
        "rss-open-cdata",
        "rss-open-comment",
        "atom-mismatched",
    ],
)
def test_documents_that_are_not_well_formed_feeds_are_malformed(body: str, reason: str) -> None:
    with pytest.raises(CollectError) as caught:
        parse_feed(body.encode())
    assert caught.value.category == "malformed"
    assert reason in caught.value.message
    assert not caught.value.permanent  # a source's broken moment: retried after a back-off


@pytest.mark.parametrize(
    ("body", "titles"),
    [
        (
            _RSS.format(
                _CHANNEL.format(
                    _item(1).replace("</title>", "</title><description>Regel<br>twee</description>")
                    + _item(2)
                )
            ),
            ["Rapporteur ziet meer slachtoffers 1", "Rapporteur ziet meer slachtoffers 2"],
        ),
        (
            _RSS.format(_CHANNEL.format(_item(1, "Een <b>vet</i> woord") + _item(2))),
            ["Een vet woord 1", "Rapporteur ziet meer slachtoffers 2"],
        ),
        (
            _RSS.format(_CHANNEL.format(_item(1).replace("</item>", "") + _item(2))),
            ["Rapporteur ziet meer slachtoffers 1", "Rapporteur ziet meer slachtoffers 2"],
        ),
        (
            _RSS.format(
                _CHANNEL.format(
                    _item(1).replace("</item>", '<source url="https://nos.nl">NOS</source>')
                    + _item(2)
                )
            ),
            ["Rapporteur ziet meer slachtoffers 1", "Rapporteur ziet meer slachtoffers 2"],
        ),
        # An HTML entity that stops feedparser's own expat first does not hide the damage,
        # and the title lost in it does not lose the entry.
        (
            _RDF.format(
                _RDF_CHANNEL.replace("Testkrant", "Test&nbsp;krant")
                + _rdf_item(1).replace("</title>", "</titel>")
            ),
            [""],
        ),
    ],
    ids=[
        "rss-unclosed-br",
        "rss-mismatched-inline-tags",
        "rss-unclosed-item",
        "search-feed-mismatched",
        "rdf-entity-then-mismatched",
    ],
)
def test_a_broken_tree_whose_every_entry_is_read_is_read_leniently(
    body: str, titles: list[str]
) -> None:
    feed = parse_feed(body.encode())
    assert [entry.title for entry in feed.entries] == titles
    assert all(entry.link.startswith("https://nos.nl/l/") for entry in feed.entries)


def test_mismatched_tags_in_a_latin_1_feed_read_by_feedparser_are_read_leniently() -> None:
    """Bytes that contradict the declared UTF-8 go to feedparser, which re-decodes them,
    finds the damage, and reads both entries."""
    body = _RSS.format(_CHANNEL.format(_item(1, "Coördinatie <b>vet</i>") + _item(2)))
    feed = parse_feed(body.encode("latin-1"))
    assert [entry.title for entry in feed.entries] == [
        "Coördinatie vet 1",
        "Rapporteur ziet meer slachtoffers 2",
    ]


@pytest.mark.parametrize(
    "body",
    [
        _RSS.format(_CHANNEL.format("<description>Nieuws</description>")),
        _RSS.format("<channel/>").replace(
            "<channel/>", "<channel><title>Testkrant</title></channel>"
        ),
        _ATOM.format(""),
        _RDF.format(_RDF_CHANNEL),
    ],
    ids=["rss", "rss-bare-channel", "atom", "rdf"],
)
def test_a_valid_feed_without_items_is_no_news(body: str) -> None:
    feed = parse_feed(body.encode())
    assert (feed.title, feed.entries, feed.skipped) == ("Testkrant", [], 0)


@pytest.mark.parametrize(
    "body",
    [
        # An HTML entity, a bare ampersand and a blank line before the XML declaration are
        # not well-formed XML, but leave the tree whole: real feeds have them.
        _RSS.format(_CHANNEL.format(_item(1, "Rapporteur&nbsp;waarschuwt") + _item(2))),
        _RSS.format(_CHANNEL.format(_item(1, "Q&A over opvang") + _item(2))),
        "\n\n" + _RSS.format(_CHANNEL.format(_item(1) + _item(2))),
        _RDF.format(_RDF_CHANNEL + _rdf_item(1, "Rapporteur&nbsp;waarschuwt") + _rdf_item(2)),
    ],
    ids=["rss-html-entity", "rss-bare-ampersand", "rss-blank-line-first", "rdf-html-entity"],
)
def test_errors_in_the_text_of_a_whole_tree_are_recovered(body: str) -> None:
    feed = parse_feed(body.encode())
    assert [e.link for e in feed.entries] == ["https://nos.nl/l/1", "https://nos.nl/l/2"]
    assert feed.entries[1].title == "Rapporteur ziet meer slachtoffers 2"


@pytest.mark.parametrize(
    "name",
    [
        "feeds/edge-feedparser-win1252-codepoints.rss.xml",
        "feeds/edge-feedparser-bozo-linenoise.rss.xml",
    ],
)
def test_recorded_feeds_with_broken_characters_still_parse(name: str) -> None:
    """feedparser's fixtures for bytes in another encoding: readable, so no error (their
    one item has no link, so it is skipped, not stored)."""
    feed = parse_feed(corpus_file(name))
    assert (feed.entries, feed.skipped) == ([], 1)


def test_html_entities_and_bare_ampersands_keep_the_whole_text_and_link() -> None:
    body = (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        b"<link>https://www.voorbeeld.nl/</link><description>Nieuws</description><item>"
        b"<title>Nationaal&nbsp;Rapporteur waarschuwt &eacute;n pleit</title>"
        b"<link>https://www.voorbeeld.nl/artikel?id=1&page=2</link>"
        b"<description>De rapporteur &amp; de minister</description></item></channel></rss>"
    )
    (entry,) = parse_feed(body).entries
    assert entry.title == "Nationaal Rapporteur waarschuwt én pleit"
    assert entry.link == "https://www.voorbeeld.nl/artikel?id=1&page=2"
    assert entry.summary == "De rapporteur & de minister"


def test_html_entities_inside_cdata_keep_the_fast_parser() -> None:
    content = "<p>Nationaal&nbsp;Rapporteur &amp; co: ?a=1&b=2</p>"
    body = rss_feed([FeedItem(title="Kop", link="https://nos.nl/l/9", content=content)])
    assert b"<![CDATA[" in body and _parse_fast(body) is not None
    (entry,) = parse_feed(body).entries
    assert entry.content == "Nationaal Rapporteur & co: ?a=1&b=2"
