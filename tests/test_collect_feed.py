"""The thin end-to-end path: feed on 127.0.0.1 → mentions → outlets → store → counts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select

from db.engine import unit_of_work
from db.models import Item, Mention, Source
from db.sources import SourceSpec
from service import jobs
from service.api.app import create_app
from service.runtime import Runtime
from tests.apiserver import serve_api
from tests.factories import FeedItem, add_sources, rss_feed
from tests.httpserver import LocalServer

PUBLISHED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

MENTIONING = [
    FeedItem(
        title="Rapporteur: aanpak mensenhandel schiet tekort",
        link="https://nos.nl/l/2561001",
        description="De Nationaal Rapporteur Mensenhandel luidt de noodklok over de opvang.",
    ),
    FeedItem(
        title="Meer meldingen van seksuele uitbuiting",
        link="https://www.ad.nl/binnenland/meer-meldingen~a1b2c3d4/?utm_source=rss",
        description="Het aantal meldingen stijgt.",
        content="<p>Volgens de Nationaal Rapporteur, Conny Rijken, moet het kabinet ingrijpen.</p>",
    ),
    FeedItem(
        title="Kinderen vaker slachtoffer online",
        link="https://www.nu.nl/binnenland/6312345/kinderen-vaker-slachtoffer.html",
        description="“Dit is zorgwekkend”, zegt nationaal rapporteur Conny Rijken.",
    ),
    FeedItem(
        title="Onderzoek naar arbeidsuitbuiting",
        link="https://www.gelderlander.nl/binnenland/onderzoek~a9f8e7d6/",
        description="De rapporteur mensenhandel publiceert vandaag haar jaarcijfers.",
    ),
]
NOT_MENTIONING = [
    FeedItem(title="File op de A12", link="https://nos.nl/l/2561002", description="Druk."),
    FeedItem(
        title="VN-rapporteur bezorgd over Gaza",
        link="https://nos.nl/l/2561003",
        description="De speciaal rapporteur van de VN uitte kritiek.",
    ),
    FeedItem(
        title="De rijken worden rijker",
        link="https://www.nu.nl/economie/6312346/rijken.html",
        description="De rijken betalen minder belasting.",
    ),
    FeedItem(title="Ajax wint", link="https://www.ad.nl/sport/ajax~a11111111/", description="3-0."),
    FeedItem(title="Weerbericht", link="https://www.nu.nl/weer/1/weer.html", description="Regen."),
    FeedItem(
        title="Kamer stemt over wet",
        link="https://nos.nl/l/2561004",
        description="Rapporteur van het wetsvoorstel is Kamerlid De Vries.",
    ),
]


def _serve_feed(server: LocalServer) -> str:
    items = [
        FeedItem(**{**vars(item), "published": PUBLISHED + timedelta(hours=i)})
        for i, item in enumerate([*MENTIONING, *NOT_MENTIONING])
    ]
    return server.add("/rss.xml", rss_feed(items), etag='"v1"')


def _add_source(runtime: Runtime, url: str, name: str = "Testfeed") -> None:
    add_sources(
        runtime,
        [SourceSpec(name=name, kind="feed", url=url, outlet="NOS", pages="none")],
    )


def test_feed_stores_exactly_the_mentions_once(runtime: Runtime, http_server: LocalServer) -> None:
    _add_source(runtime, _serve_feed(http_server))

    first = asyncio.run(jobs.collect(runtime, selection="all", trigger="test"))
    outcome = first.outcomes[0]
    assert (outcome.status, outcome.seen, outcome.new) == ("ok", 10, len(MENTIONING))
    assert outcome.seen == outcome.new + outcome.known + outcome.skipped

    second = asyncio.run(jobs.collect(runtime, selection="all", trigger="test"))
    assert second.items_new == 0
    assert second.outcomes[0].status == "not_modified"
    assert http_server.requests[-1][1].get("if-none-match") == '"v1"'

    with unit_of_work(runtime.read_sessions) as session:
        items = {i.canonical_url: i for i in session.scalars(select(Item))}
        assert set(items) == {
            "https://nos.nl/artikel/2561001",
            "https://ad.nl/binnenland/meer-meldingen~a1b2c3d4/",
            "https://nu.nl/binnenland/6312345/kinderen-vaker-slachtoffer.html",
            "https://gelderlander.nl/binnenland/onderzoek~a9f8e7d6/",
        }
        assert (
            items["https://gelderlander.nl/binnenland/onderzoek~a9f8e7d6/"].publication_type
            == "regional"
        )
        assert items["https://nos.nl/artikel/2561001"].publication_type == "national"
        assert items["https://nos.nl/artikel/2561001"].guid == "https://nos.nl/l/2561001"
        mentions = session.execute(select(func.count()).select_from(Mention)).scalar_one()
        assert mentions >= len(MENTIONING)
        source = session.scalars(select(Source)).one()
        assert source.last_error is None and source.items_found == len(MENTIONING)
        assert source.next_check_at is not None


def test_counts_endpoint_agrees_with_items_endpoint(
    runtime: Runtime, http_server: LocalServer
) -> None:
    _add_source(runtime, _serve_feed(http_server))
    asyncio.run(jobs.collect(runtime, selection="all", trigger="test"))
    with serve_api(create_app(runtime)) as client:
        _check_counts_against_items(client)


def _check_counts_against_items(client: httpx.Client) -> None:
    counts = client.get("/api/v1/counts", params={"year": 2026}).json()
    assert counts["total"] == len(MENTIONING)
    listed = client.get("/api/v1/items", params={"from": "2026-01-01", "to": "2026-12-31"}).json()
    assert listed["total"] == counts["total"] == len(listed["items"])
    for key, by_type in counts["by_type"].items():
        page = client.get(
            "/api/v1/items", params={"from": "2026-01-01", "to": "2026-12-31", "type": key}
        ).json()
        assert page["total"] == by_type["total"], key
    assert client.get("/api/v1/counts", params={"year": 2025}).json()["total"] == 0
    assert client.get("/health").json()["database"] == "ok"


def test_failing_source_is_recorded_and_others_still_collected(
    runtime: Runtime, http_server: LocalServer
) -> None:
    _add_source(runtime, _serve_feed(http_server))
    _add_source(runtime, http_server.url("/missing.xml"), name="Kapotte feed")
    report = asyncio.run(jobs.collect(runtime, selection="all", trigger="test"))
    assert report.items_new == len(MENTIONING)
    [failed] = report.failed
    assert failed.category == "not_found"
    with unit_of_work(runtime.read_sessions) as session:
        broken = session.scalars(select(Source).where(Source.name == "Kapotte feed")).one()
        assert broken.error_count == 1 and "404" in (broken.last_error or "")
        assert broken.next_check_at is not None


def test_a_database_failure_in_one_source_ends_that_source_only(
    runtime: Runtime, http_server: LocalServer
) -> None:
    bad = http_server.add(
        "/bad.xml",
        rss_feed(
            [
                FeedItem(
                    title="Nationaal Rapporteur: kapot",
                    link="https://nos.nl/l/666",
                    description="De Nationaal Rapporteur Mensenhandel waarschuwt.",
                    published=PUBLISHED,
                )
            ]
        ),
    )
    _add_source(runtime, _serve_feed(http_server))
    _add_source(runtime, bad, name="Kapot")
    sqlite = runtime.engine.dialect.name == "sqlite"
    trigger = (
        [
            "CREATE TRIGGER refuse BEFORE INSERT ON items WHEN NEW.canonical_url LIKE '%/666' "
            "BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END"
        ]
        if sqlite
        else [
            "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN IF NEW.canonical_url LIKE "
            "'%%/666' THEN RAISE EXCEPTION 'refused by test trigger'; END IF; RETURN NEW; END $$ "
            "LANGUAGE plpgsql",
            "CREATE TRIGGER refuse BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION refuse()",
        ]
    )
    with runtime.engine.begin() as connection:
        for statement in trigger:
            connection.exec_driver_sql(statement)
    try:
        report = asyncio.run(jobs.collect(runtime, selection="all", trigger="test"))
    finally:
        with runtime.engine.begin() as connection:
            connection.exec_driver_sql("DROP TRIGGER refuse" + ("" if sqlite else " ON items"))
            if not sqlite:
                connection.exec_driver_sql("DROP FUNCTION refuse()")
    outcomes = {o.name: o for o in report.outcomes}
    assert outcomes["Kapot"].category == "internal" and "refused" in (outcomes["Kapot"].error or "")
    assert outcomes["Testfeed"].new == len(MENTIONING)
    with unit_of_work(runtime.read_sessions) as session:
        assert session.execute(select(func.count()).select_from(Item)).scalar_one() == len(
            MENTIONING
        )
