"""The API served by uvicorn on 127.0.0.1: item evidence, corrections, sources, policies."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from db.engine import unit_of_work
from db.items import MentionRecord, remember_seen, store_item
from db.models import Item, SeenEntry, Source
from db.outlets import outlet_ids, sync_registry
from db.sources import SourceSpec, seed_sources
from service import jobs
from service.api.app import create_app
from service.runtime import Runtime
from tests.apiserver import serve_api
from tests.factories import add_sources, item_record, mentioning_feed
from tests.httpserver import LocalServer

NOW = datetime(2025, 10, 17, 6, 0, tzinfo=UTC)


def _seed(runtime: Runtime) -> tuple[int, int]:
    with unit_of_work(runtime.sessions) as session:
        sync_registry(session, entries=list(runtime.classifier.registry.entries.values()))
        ids = outlet_ids(session)
        seed_sources(
            session,
            specs=[SourceSpec("AD", "feed", "https://www.ad.nl/home/rss.xml", "AD")],
            outlet_ids=ids,
        )

        def item(url: str, outlet: str, kind: str) -> int:
            record = item_record(
                url,
                outlet_id=ids[outlet],
                publication_type=kind,
                published_at=NOW,
                mentions=[MentionRecord("nationaal rapporteur", "body", "report_cited", "…")],
            )
            new_id = store_item(session, record=record)
            assert new_id is not None
            return new_id

        national = item("https://ad.nl/binnenland/x~a86fe52b/", "AD", "national")
        regional = item(
            "https://gelderlander.nl/binnenland/y~a86fe52b/", "De Gelderlander", "regional"
        )
    return national, regional


def test_item_evidence_corrections_and_policies(runtime: Runtime) -> None:
    national, regional = _seed(runtime)
    with serve_api(create_app(runtime)) as client:
        assert client.get("/api/v1/counts", params={"year": 2025}).json()["unique"] == 2
        made = client.post(
            "/api/v1/corrections",
            json={
                "item_id": regional,
                "action": "mark_reprint",
                "value": {"original_item_id": national, "policy": "regional_of_national"},
                "reason": "zelfde artikel",
                "actor": "Anna",
            },
        )
        assert made.status_code == 201, made.text
        counts = client.get("/api/v1/counts", params={"year": 2025}).json()
        assert (counts["total"], counts["unique"], counts["reprints"]) == (2, 1, 1)
        assert counts["by_type"]["regional"] == {"total": 1, "unique": 0}
        story = client.get("/api/v1/counts", params={"year": 2025, "policy": "story"}).json()
        assert (story["policy"], story["unique"]) == ("story", 2)

        detail = client.get(f"/api/v1/items/{regional}").json()
        [link] = detail["reprint_links"]
        assert (link["original_id"], link["original_outlet"], link["decided_by"]) == (
            national,
            "AD",
            "correction",
        )
        assert "Anna" in link["reason"] and detail["reprint_of"] == national
        assert detail["corrections"][0]["actor"] == "Anna"
        assert detail["mentions"][0]["where"] == "body"
        assert client.get(f"/api/v1/items/{national}").json()["reprinted_by"] == [regional]

        unique_items = client.get("/api/v1/items", params={"unique": "true"}).json()
        assert [i["id"] for i in unique_items["items"]] == [national]

        refused = client.post(
            "/api/v1/corrections",
            json={
                "item_id": regional,
                "action": "set_type",
                "value": {"publication_type": "blog"},
                "reason": "x",
                "actor": "Anna",
            },
        )
        assert refused.status_code == 422 and "publication_type" in refused.text
        unknown_field = client.post(
            "/api/v1/corrections",
            json={
                "item_id": regional,
                "action": "delete",
                "reason": "x",
                "actor": "A",
                "admin": True,
            },
        )
        assert unknown_field.status_code == 422
        assert client.get("/api/v1/items/999999").status_code == 404


def test_sources_health_and_collect_now(runtime: Runtime) -> None:
    _seed(runtime)
    with serve_api(create_app(runtime)) as client:
        [source] = client.get("/api/v1/sources").json()
        assert (source["name"], source["error_streak"], source["needs_attention"]) == (
            "AD",
            0,
            False,
        )
        assert client.get("/api/v1/sources", params={"unhealthy": "true"}).json() == []
        assert client.post(f"/api/v1/sources/{source['id']}/collect").status_code == 202
        assert client.post("/api/v1/sources/999999/collect").status_code == 404
        schema = client.get("/openapi.json").json()
        assert "/api/v1/items/{item_id}" in schema["paths"]


def test_sources_are_editable_through_the_api(runtime: Runtime) -> None:
    _seed(runtime)
    with serve_api(create_app(runtime)) as client:
        made = client.post(
            "/api/v1/sources",
            json={
                "name": "Trouw binnenland",
                "url": "https://www.trouw.nl/binnenland/rss.xml",
                "outlet": "Trouw",
                "pages": "matching",
            },
        )
        assert made.status_code == 201, made.text
        source = made.json()
        assert (source["enabled"], source["next_check_at"]) == (True, None)
        duplicate = client.post(
            "/api/v1/sources", json={"name": "x", "url": "https://www.trouw.nl/binnenland/rss.xml"}
        )
        assert duplicate.status_code == 409
        same_name = client.post(
            "/api/v1/sources", json={"name": "Trouw binnenland", "url": "https://www.trouw.nl/x"}
        )
        assert same_name.status_code == 409 and "has that name already" in same_name.text
        bad = client.post("/api/v1/sources", json={"name": "x", "url": "ftp://x", "kind": "feed"})
        assert bad.status_code == 422
        changed = client.patch(
            f"/api/v1/sources/{source['id']}", json={"enabled": False, "pages": "all"}
        )
        assert changed.status_code == 200 and changed.json()["enabled"] is False
        assert (
            client.patch(f"/api/v1/sources/{source['id']}", json={"outlet": "Nergens"}).status_code
            == 422
        )
        assert client.patch("/api/v1/sources/999999", json={"enabled": True}).status_code == 404
        assert (
            client.patch(f"/api/v1/sources/{source['id']}", json={"etag": "x"}).status_code == 422
        )


_EDITABLE = ("name", "url", "kind", "pages", "outlet_id", "enabled", "etag", "next_check_at")


def _stored_source(runtime: Runtime, source_id: int) -> dict[str, Any] | None:
    with unit_of_work(runtime.read_sessions) as session:
        source = session.get(Source, source_id)
        return None if source is None else {k: getattr(source, k) for k in _EDITABLE}


def test_sources_are_edited_field_by_field_and_refused_whole(runtime: Runtime) -> None:
    _seed(runtime)
    with unit_of_work(runtime.read_sessions) as session:
        outlets = outlet_ids(session)
    with serve_api(create_app(runtime)) as client:
        made = client.post(
            "/api/v1/sources",
            json={"name": "Trouw", "url": "https://www.trouw.nl/rss.xml", "outlet": "Trouw"},
        )
        assert made.status_code == 201, made.text
        source_id = made.json()["id"]
        with unit_of_work(runtime.sessions) as session:  # a validator from the old URL
            session.get_one(Source, source_id).etag = '"v1"'
            session.get_one(Source, source_id).next_check_at = NOW
        expected = _stored_source(runtime, source_id)
        assert expected is not None and expected["outlet_id"] == outlets["Trouw"]

        for change, stored in (
            ({"name": "Trouw voorpagina"}, {"name": "Trouw voorpagina"}),
            ({"pages": "none"}, {"pages": "none"}),
            ({"outlet": "NOS"}, {"outlet_id": outlets["NOS"]}),
            ({"enabled": False}, {"enabled": False}),
            ({"kind": "sitemap"}, {"kind": "sitemap", "etag": None, "next_check_at": None}),
        ):
            changed = client.patch(f"/api/v1/sources/{source_id}", json=change)
            assert changed.status_code == 200, (change, changed.text)
            expected |= stored
            assert _stored_source(runtime, source_id) == expected, change
        new_url = "https://www.trouw.nl/sitemap.xml"
        with unit_of_work(runtime.sessions) as session:
            session.get_one(Source, source_id).etag = '"v2"'
        changed = client.patch(f"/api/v1/sources/{source_id}", json={"url": new_url})
        assert changed.status_code == 200, changed.text
        assert (changed.json()["url"], changed.json()["kind"]) == (new_url, "sitemap")
        expected |= {"url": new_url, "etag": None}
        assert _stored_source(runtime, source_id) == expected

        for body, status, message in (
            ({"name": "AD"}, 409, "has that name already"),
            ({"url": "https://www.ad.nl/home/rss.xml"}, 409, "has that URL already"),
            ({"name": "Nieuw", "url": "https://www.ad.nl/home/rss.xml"}, 409, "has that URL"),
            ({"name": "Nieuw", "pages": "all", "outlet": "Nergens"}, 422, "unknown outlet"),
            ({"kind": "blog"}, 422, "kind"),
            ({"pages": "some"}, 422, "pages"),
            ({"url": "ftp://www.trouw.nl/rss.xml"}, 422, "url"),
            ({"name": ""}, 422, "name"),
        ):
            refused = client.patch(f"/api/v1/sources/{source_id}", json=body)
            assert (refused.status_code, message in refused.text) == (status, True), body
        assert _stored_source(runtime, source_id) == expected
        unknown = client.patch("/api/v1/sources/999999", json={"name": "x"})
        assert unknown.status_code == 404


def test_sources_are_deleted_only_without_items(runtime: Runtime) -> None:
    _seed(runtime)
    with serve_api(create_app(runtime)) as client:
        ad = client.get("/api/v1/sources").json()[0]["id"]
        made = client.post(
            "/api/v1/sources", json={"name": "Leeg", "url": "https://example.nl/leeg.xml"}
        )
        empty = made.json()["id"]
        with unit_of_work(runtime.sessions) as session:
            record = item_record("https://www.ad.nl/binnenland/z~a1/", source_id=ad)
            item_id = store_item(session, record=record)
            assert item_id is not None
            for source_id in (ad, empty):
                entries = [(f"https://example.nl/{source_id}.html", "no_mention")]
                remember_seen(session, entries=entries, source_id=source_id, now=NOW)

        def items_of(source_id: int) -> int:
            with unit_of_work(runtime.read_sessions) as session:
                query = select(func.count()).where(Item.source_id == source_id)
                return session.execute(query).scalar_one()

        refused = client.delete(f"/api/v1/sources/{ad}")
        assert refused.status_code == 409
        assert "disable it instead" in refused.json()["detail"]
        assert ad in [s["id"] for s in client.get("/api/v1/sources").json()]
        assert items_of(ad) == 1 and client.get(f"/api/v1/items/{item_id}").status_code == 200

        deleted = client.delete(f"/api/v1/sources/{empty}")
        assert (deleted.status_code, deleted.content) == (204, b"")
        assert [s["id"] for s in client.get("/api/v1/sources").json()] == [ad]
        with unit_of_work(runtime.read_sessions) as session:
            remembered = session.scalars(select(SeenEntry.source_id)).all()
            assert sorted(remembered, key=str) == [ad, None]  # kept, the source unset
        assert client.delete(f"/api/v1/sources/{empty}").status_code == 404
        assert client.delete("/api/v1/sources/999999").status_code == 404
        assert items_of(ad) == 1


def test_unhealthy_sources_are_the_ones_whose_collection_failed(
    runtime: Runtime, http_server: LocalServer
) -> None:
    published = datetime.now(UTC) - timedelta(hours=1)
    feed = mentioning_feed(2, published=published)
    add_sources(
        runtime,
        [
            SourceSpec("Gezond", "feed", http_server.add("/ok.xml", feed), pages="none"),
            SourceSpec(
                "Kapot", "feed", http_server.add("/kapot.xml", b"x", status=500), pages="none"
            ),
        ],
    )
    with serve_api(create_app(runtime)) as client:
        assert client.get("/api/v1/sources", params={"unhealthy": "true"}).json() == []
        report = asyncio.run(jobs.collect(runtime, selection="all", trigger="test"))
        assert sorted(o.name for o in report.failed) == ["Kapot"]

        every = {s["name"]: s for s in client.get("/api/v1/sources").json()}
        assert set(every) == {"Gezond", "Kapot"}
        healthy = every["Gezond"]
        assert (healthy["error_streak"], healthy["items_found"]) == (0, 2)
        assert healthy["last_success_at"] is not None
        [failing] = client.get("/api/v1/sources", params={"unhealthy": "true"}).json()
        assert (failing["name"], failing["error_streak"], failing["last_error"]) == (
            "Kapot",
            1,
            "server_error: HTTP 500",
        )
        assert failing["last_success_at"] is None and failing["last_checked_at"] is not None
        listed = client.get("/api/v1/sources", params={"unhealthy": "false"}).json()
        assert {s["name"] for s in listed} == {"Gezond", "Kapot"}
