"""Collection with article pages, robots.txt, a news-search feed and a news sitemap, all
served on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, quote
from xml.sax.saxutils import escape

from sqlalchemy import select

from db.engine import unit_of_work
from db.models import Item, SeenEntry
from db.sources import SourceSpec
from service import jobs
from service.runtime import Runtime
from tests.factories import FeedItem, add_sources, rss_feed
from tests.httpserver import LocalServer

PUBLISHED = datetime(2026, 2, 10, 7, 30, tzinfo=UTC)
FILLER = (
    "<p>Het kabinet bespreekt deze week de aanpak van arbeidsuitbuiting in de logistiek, de "
    "land- en tuinbouw en de schoonmaak. Gemeenten vragen om meer geld voor toezicht en "
    "opvang, en vakbonden willen strengere regels voor uitzendbureaus.</p>"
)


def _page(title: str, mention: bool, published: datetime) -> bytes:
    sentence = (
        "<p>Volgens de Nationaal Rapporteur Mensenhandel blijven veel slachtoffers buiten "
        "beeld, zegt Conny Rijken in een toelichting.</p>"
        if mention
        else "<p>Ook de Arbeidsinspectie doet vaker onderzoek naar misstanden bij bedrijven.</p>"
    )
    return (
        f'<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta property="article:published_time" content="{published.isoformat()}">'
        '<meta property="og:site_name" content="Testkrant">'
        f"</head><body><nav><a href='/'>Home</a></nav><article><h1>{escape(title)}</h1>"
        f"<p>Het aantal meldingen van uitbuiting stijgt, blijkt uit nieuwe cijfers.</p>"
        f"{FILLER}{sentence}{FILLER}</article>"
        "<aside><h2>Lees ook</h2><ul><li><a href='/x'>Nationaal Rapporteur in gesprek</a></li>"
        "</ul></aside></body></html>"
    ).encode()


def _serve_site(server: LocalServer) -> dict[str, str]:
    pages = {
        "/artikel/1": ("Meer meldingen van uitbuiting", True),
        "/artikel/2": ("Drukte bij distributiecentra", False),
        "/artikel/3": ("Slachtoffers blijven buiten beeld", True),
        "/verboden/4": ("Niet voor robots", True),
        "/artikel/5": ("Zoekresultaat: rapporteur waarschuwt", True),
        "/artikel/6": ("Uit de sitemap", True),
    }
    for i, (path, (title, mention)) in enumerate(pages.items()):
        server.add(
            path,
            _page(title, mention, PUBLISHED + timedelta(hours=i)),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
    server.add(
        "/robots.txt",
        "User-agent: *\nDisallow: /verboden/\n",
        headers={"Content-Type": "text/plain"},
    )
    feed_items = [
        FeedItem(
            title=pages[p][0],
            link=server.url(p),
            description="Nieuws uit de regio.",
            published=PUBLISHED,
        )
        for p in ("/artikel/1", "/artikel/2", "/artikel/3", "/verboden/4")
    ]
    bing = "http://www.bing.com/news/apiclick.aspx?ref=FexRss&aid=&tid=1&url={}&c=1&mkt=nl-nl"
    search_items = [
        FeedItem(
            title="Rapporteur waarschuwt",
            link=bing.format(quote(server.url("/artikel/5"), safe="")),
            published=PUBLISHED,
        )
    ]
    sitemap = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"<url><loc>{server.url('/artikel/6')}</loc><news:news><news:publication>"
        "<news:name>Testkrant</news:name><news:language>nl</news:language></news:publication>"
        f"<news:publication_date>{PUBLISHED.isoformat()}</news:publication_date>"
        "<news:title>Uit de sitemap</news:title></news:news></url></urlset>"
    )
    return {
        "feed": server.add("/feed.xml", rss_feed(feed_items), etag='"f1"'),
        "search": server.add("/search.xml", rss_feed(search_items)),
        "sitemap": server.add("/sitemap.xml", sitemap),
    }


def test_pages_are_fetched_extracted_and_remembered(
    runtime: Runtime, http_server: LocalServer
) -> None:
    urls = _serve_site(http_server)
    add_sources(
        runtime,
        [
            SourceSpec("Testkrant", "feed", urls["feed"], outlet="Tubantia", pages="all"),
            SourceSpec("Zoeken", "search_feed", urls["search"], pages="matching"),
            SourceSpec("Sitemap", "sitemap", urls["sitemap"], outlet="Tubantia", pages="all"),
        ],
    )
    report = asyncio.run(jobs.collect(runtime, selection="all", trigger="test"))
    outcomes = {o.name: o for o in report.outcomes}
    feed = outcomes["Testkrant"]
    assert (feed.status, feed.seen, feed.new, feed.skipped) == ("ok", 4, 2, 2)
    assert (outcomes["Zoeken"].new, outcomes["Sitemap"].new) == (1, 1)
    assert http_server.hits("/verboden/4") == 0  # robots.txt disallows it
    assert http_server.hits("/artikel/2") == 1  # fetched, no mention: not stored

    with unit_of_work(runtime.read_sessions) as session:
        items = {
            i.canonical_url.rsplit("/", 2)[-2] + "/" + i.canonical_url.rsplit("/", 1)[-1]: i
            for i in session.scalars(select(Item))
        }
        assert set(items) == {"artikel/1", "artikel/3", "artikel/5", "artikel/6"}
        first = items["artikel/1"]
        assert first.completeness == "full" and (first.published_at_source or "").startswith("meta")
        assert first.published_at == PUBLISHED
        assert "Lees ook" not in first.body and "Conny Rijken" in first.body
        assert first.publication_type == "regional"  # the feed's outlet (Tubantia)
        assert first.site_name == "Testkrant"  # what the page calls itself
        search = items["artikel/5"]
        assert search.urls[0] == http_server.url("/artikel/5") and any(
            "bing.com" in u for u in search.urls
        )
        seen = {
            s.canonical_url.rsplit("/", 1)[-1]: s.outcome
            for s in session.scalars(select(SeenEntry))
        }
        assert seen == {"2": "no_mention", "4": "robots"}

    http_server.add(
        "/feed.xml",
        rss_feed(
            [
                FeedItem(title="Meer meldingen van uitbuiting", link=http_server.url("/artikel/1")),
                FeedItem(title="Drukte bij distributiecentra", link=http_server.url("/artikel/2")),
            ]
        ),
        etag='"f2"',
    )
    again = asyncio.run(jobs.collect(runtime, selection="all", trigger="test"))
    feed = {o.name: o for o in again.outcomes}["Testkrant"]
    assert (feed.seen, feed.new, feed.known, feed.skipped) == (2, 0, 1, 1)
    assert (
        http_server.hits("/artikel/1") == 1 and http_server.hits("/artikel/2") == 1
    )  # not refetched


def test_an_article_in_two_feeds_is_fetched_once(
    runtime: Runtime, http_server: LocalServer
) -> None:
    http_server.add(
        "/artikel/7",
        _page("Gedeeld artikel", True, PUBLISHED),
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    shared = [
        FeedItem(title="Gedeeld artikel", link=http_server.url("/artikel/7"), published=PUBLISHED)
    ]
    add_sources(
        runtime,
        [
            SourceSpec("Voorpagina", "feed", http_server.add("/a.xml", rss_feed(shared)), "NOS"),
            SourceSpec("Binnenland", "feed", http_server.add("/b.xml", rss_feed(shared)), "NOS"),
        ],
    )
    report = asyncio.run(jobs.collect(runtime, selection="all", trigger="test"))
    assert sorted((o.new, o.known) for o in report.outcomes) == [(0, 1), (1, 0)]
    assert http_server.hits("/artikel/7") == 1


GOOGLE_ID = "AU_yqLNxY2Fz0example_token-Only_Google_reads"


def _google_news_site(server: LocalServer, answer: bytes) -> tuple[str, list[bytes]]:
    """A search feed whose link is a new-style Google News id on this server: its page
    carries the signature, the batchexecute endpoint answers ``answer``."""
    server.add(
        "/artikel/7",
        _page("Rapporteur over uitbuiting", True, PUBLISHED),
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    server.add(
        f"/rss/articles/{GOOGLE_ID}?oc=5",
        b'<html><body><c-wiz><div jscontroller="aLI87" data-n-a-sg="AZ5r3eSig-nature" '
        b'data-n-a-ts="1764134400"></div></c-wiz><script>window.location="..."</script>'
        b"</body></html>",
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    posted: list[bytes] = []

    def batchexecute(handler: BaseHTTPRequestHandler) -> None:
        posted.append(handler.rfile.read(int(handler.headers["Content-Length"])))
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(answer)))
        handler.end_headers()
        handler.wfile.write(answer)

    server.add("/_/DotsSplashUi/data/batchexecute", handler=batchexecute)
    item = FeedItem(
        title="Rapporteur over uitbuiting - Testkrant",
        link=server.url(f"/rss/articles/{GOOGLE_ID}?oc=5"),
        description="Nationaal Rapporteur Conny Rijken over uitbuiting.",
        published=PUBLISHED,
    )
    return server.add("/google.xml", rss_feed([item])), posted


def _batchexecute_answer(url: str) -> bytes:
    payload = json.dumps(["garturlres", url, 1])
    rows = [["wrb.fr", "Fbv4je", payload, None, None, None, "generic"], ["di", 10]]
    return b")]}'\n\n" + json.dumps(rows).encode()


def test_a_google_news_id_only_google_reads_is_resolved_to_the_publisher(
    runtime: Runtime, http_server: LocalServer
) -> None:
    article = http_server.url("/artikel/7")
    feed, posted = _google_news_site(http_server, _batchexecute_answer(article))
    add_sources(runtime, [SourceSpec("Google News", "search_feed", feed, pages="matching")])
    report = asyncio.run(jobs.collect(runtime, selection="all", trigger="test"))
    assert report.outcomes[0].new == 1
    again = asyncio.run(jobs.collect(runtime, selection="all", trigger="test")).outcomes[0]
    assert (again.new, again.known) == (0, 1)  # known by its Google link: nothing asked
    assert http_server.hits("/artikel/7") == 1
    (form,) = [parse_qs(body.decode()) for body in posted]
    request = json.loads(json.loads(form["f.req"][0])[0][0][1])
    assert request[0] == "garturlreq" and request[2:] == [GOOGLE_ID, 1764134400, "AZ5r3eSig-nature"]
    with unit_of_work(runtime.read_sessions) as session:
        item = session.scalars(select(Item)).one()
        assert item.canonical_url.endswith("/artikel/7")
        assert "Conny Rijken" in item.body  # the publisher's page, not Google's
        assert item.urls[0] == article
        assert http_server.url(f"/rss/articles/{GOOGLE_ID}?oc=5") in item.urls


def test_google_news_page_without_an_answer_is_not_taken_for_the_article(
    runtime: Runtime, http_server: LocalServer
) -> None:
    feed, posted = _google_news_site(http_server, b')]}\'\n\n[["er",null,null,null,null,400]]')
    add_sources(runtime, [SourceSpec("Google News", "search_feed", feed, pages="matching")])
    report = asyncio.run(jobs.collect(runtime, selection="all", trigger="test"))
    assert len(posted) == 1 and http_server.hits("/artikel/7") == 0
    assert report.outcomes[0].new == 1  # the feed named the Rapporteur: its entry is kept
    with unit_of_work(runtime.read_sessions) as session:
        item = session.scalars(select(Item)).one()
        assert item.body == ""  # nothing of Google's page
        assert item.urls == [http_server.url(f"/rss/articles/{GOOGLE_ID}?oc=5")]


def test_an_entry_whose_page_names_another_canonical_url_is_fetched_once(
    runtime: Runtime, http_server: LocalServer
) -> None:
    page = _page("Rapporteur over arbeidsuitbuiting", True, PUBLISHED).replace(
        b"<title>", f'<link rel="canonical" href="{http_server.url("/nieuws/8")}"><title>'.encode()
    )
    http_server.add("/l/8", page, headers={"Content-Type": "text/html; charset=utf-8"})
    entry = FeedItem(title="Rapporteur", link=http_server.url("/l/8"), published=PUBLISHED)
    feed = http_server.add("/kort.xml", rss_feed([entry]))
    add_sources(runtime, [SourceSpec("Kort", "feed", feed, outlet="Tubantia", pages="all")])
    first = asyncio.run(jobs.collect(runtime, selection="all", trigger="test")).outcomes[0]
    second = asyncio.run(jobs.collect(runtime, selection="all", trigger="test")).outcomes[0]
    assert (first.new, second.new, second.known, second.skipped) == (1, 0, 1, 0)
    assert http_server.hits("/l/8") == 1
    with unit_of_work(runtime.read_sessions) as session:
        assert session.scalars(select(Item.canonical_url)).one().endswith("/nieuws/8")
