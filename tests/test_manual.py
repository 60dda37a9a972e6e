"""Items added by hand through the API."""

from __future__ import annotations

from collections.abc import Callable
from http.server import BaseHTTPRequestHandler

from sqlalchemy import select

from db.engine import unit_of_work
from db.models import Correction, Item
from db.outlets import sync_registry
from service.api.app import create_app
from service.runtime import Runtime
from tests.apiserver import serve_api
from tests.httpserver import LocalServer
from tests.test_collect_pages import PUBLISHED, _page


def _registry(runtime: Runtime) -> None:
    with unit_of_work(runtime.sessions) as session:
        sync_registry(session, entries=list(runtime.classifier.registry.entries.values()))


def test_url_and_full_record_entries(runtime: Runtime, http_server: LocalServer) -> None:
    _registry(runtime)
    url = http_server.add(
        "/artikel/9",
        _page("Rapporteur luidt de noodklok", True, PUBLISHED),
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    with serve_api(create_app(runtime)) as client:
        made = client.post("/api/v1/items", json={"url": url, "added_by": "Anna"})
        assert made.status_code == 201, made.text
        again = client.post("/api/v1/items", json={"url": url, "added_by": "Bram"})
        assert again.status_code == 200 and again.json() == {
            "id": made.json()["id"],
            "created": False,
        }
        detail = client.get(f"/api/v1/items/{made.json()['id']}").json()
        assert detail["origin"] == "manual" and detail["mentions"]
        assert (detail["site_name"], detail["language"]) == ("Testkrant", "nl")
        assert detail["corrections"][0]["action"] == "add_item"

        radio = client.post(
            "/api/v1/items",
            json={
                "outlet": "NPO Radio 1",
                "title": "Interview met de Nationaal Rapporteur",
                "published_on": "2026-02-11",
                "medium": "radio",
                "added_by": "Anna",
            },
        )
        assert radio.status_code == 201, radio.text
        detail = client.get(f"/api/v1/items/{radio.json()['id']}").json()
        assert (detail["medium"], detail["publication_type"]) == ("radio", "national")
        assert detail["published_at"].startswith("2026-02-11T00:00:00+01:00")

        incomplete = client.post("/api/v1/items", json={"title": "Zonder bron", "added_by": "A"})
        assert incomplete.status_code == 422 and "outlet" in incomplete.text
        unknown = client.post(
            "/api/v1/items",
            json={
                "outlet": "Het Nergensblad",
                "title": "x",
                "published_on": "2026-01-01",
                "added_by": "A",
            },
        )
        assert unknown.status_code == 422 and "unknown outlet" in unknown.text
    with unit_of_work(runtime.read_sessions) as session:
        assert len(session.scalars(select(Item)).all()) == 2
        assert len(session.scalars(select(Correction)).all()) == 2


def test_hand_added_urls_cannot_reach_the_internal_network(
    runtime: Runtime, http_server: LocalServer
) -> None:
    guarded = Runtime(
        settings=runtime.settings.model_copy(update={"allow_private_addresses": False}),
        engine=runtime.engine,
    )
    url = http_server.add("/intern", "<html><body>geheim</body></html>")
    with serve_api(create_app(guarded)) as client:
        for target in (
            url,
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]:80/",
            "http://0x7f000001/",
        ):
            refused = client.post("/api/v1/items", json={"url": target, "added_by": "A"})
            assert refused.status_code == 422, target
            assert "non-public" in refused.text or "resolve" in refused.text
    assert http_server.hits("/intern") == 0


def test_url_entry_reads_the_charset_the_server_declares(
    runtime: Runtime, http_server: LocalServer
) -> None:
    _registry(runtime)
    title = "Boete van €5000 voor uitbuiter in Zeeuws café"
    page = _page(title, True, PUBLISHED).decode()
    page = page.replace('<meta charset="utf-8">', "")  # only the HTTP header tells
    # Latin-9: its euro sign is the currency sign "¤" in Latin-1 and Windows-1252
    url = http_server.add(
        "/artikel/latin9",
        page.encode("iso-8859-15"),
        headers={"Content-Type": "text/html; charset=ISO-8859-15"},
    )
    with serve_api(create_app(runtime)) as client:
        made = client.post("/api/v1/items", json={"url": url, "added_by": "Anna"})
        assert made.status_code == 201, made.text
        detail = client.get(f"/api/v1/items/{made.json()['id']}").json()
    assert detail["title"] == title


def test_url_entries_share_the_apis_one_client(runtime: Runtime, http_server: LocalServer) -> None:
    _registry(runtime)
    ports: list[int] = []

    def page(number: int) -> Callable[[BaseHTTPRequestHandler], None]:
        body = _page(f"Rapporteur over uitbuiting, deel {number}", True, PUBLISHED)

        def handler(request: BaseHTTPRequestHandler) -> None:
            ports.append(request.client_address[1])
            request.send_response(200)
            request.send_header("Content-Type", "text/html; charset=utf-8")
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)

        return handler

    urls = [http_server.add(f"/deel/{n}", handler=page(n)) for n in (1, 2)]
    with serve_api(create_app(runtime)) as client:
        for url in urls:
            made = client.post("/api/v1/items", json={"url": url, "added_by": "Anna"})
            assert made.status_code == 201, made.text
    assert len(ports) == 2 and ports[0] == ports[1]  # one kept-alive connection
