"""The API served by uvicorn on 127.0.0.1: item evidence, corrections, sources, policies."""

from __future__ import annotations

from datetime import UTC, datetime

from db.engine import unit_of_work
from db.items import MentionRecord, store_item
from db.outlets import outlet_ids, sync_registry
from db.sources import SourceSpec, seed_sources
from service.api.app import create_app
from service.runtime import Runtime
from tests.apiserver import serve_api
from tests.factories import item_record

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
