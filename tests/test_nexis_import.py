"""LexisNexis exports into items: outlets mapped, web items matched, no double counting."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from classifiers.article import ArticleClassifier
from db.engine import unit_of_work
from db.items import store_item
from db.models import Item, Outlet
from db.outlets import outlet_ids, sync_registry
from service.nexis_import import NexisImporter
from service.runtime import Runtime
from tests.factories import item_record

FIXTURES = Path(__file__).parent / "fixtures" / "nexis"
CLASSIFIER = ArticleClassifier.default()


def _importer() -> NexisImporter:
    return NexisImporter(classifier=CLASSIFIER, zone=ZoneInfo("Europe/Amsterdam"))


def test_import_maps_outlets_and_is_idempotent(runtime: Runtime) -> None:
    with unit_of_work(runtime.sessions) as session:
        sync_registry(session, entries=list(CLASSIFIER.registry.entries.values()))
    with unit_of_work(runtime.sessions) as session:
        first = _importer().import_file(session, path=FIXTURES / "nexis-uni-nl.docx")
    assert (first.documents, first.new, first.errors) == (5, 5, [])
    with unit_of_work(runtime.sessions) as session:
        again = _importer().import_file(session, path=FIXTURES / "nexis-uni-nl.docx")
    assert (again.new, again.known) == (0, 5)
    with unit_of_work(runtime.read_sessions) as session:
        rows = session.execute(select(Item, Outlet).join(Outlet, Outlet.id == Item.outlet_id)).all()
        by_outlet = {outlet.name: item for item, outlet in rows}
        assert set(by_outlet) == {
            "De Telegraaf",
            "de Volkskrant",
            "Trouw",
            "Dagblad van het Noorden",
            "Leeuwarder Courant",
        }
        telegraaf = by_outlet["De Telegraaf"]
        assert telegraaf.origin == "nexis" and telegraaf.publication_type == "national"
        assert telegraaf.site_name == "De Telegraaf"  # the export's publication name
        assert telegraaf.published_at == datetime(2025, 10, 16, 22, 0, tzinfo=UTC)  # midnight NL
        assert by_outlet["Leeuwarder Courant"].publication_type == "regional"
        assert all(outlet.verified for _, outlet in rows)


def test_print_article_already_collected_from_the_web_is_not_added_twice(runtime: Runtime) -> None:
    with unit_of_work(runtime.sessions) as session:
        sync_registry(session, entries=list(CLASSIFIER.registry.entries.values()))
        nrc = outlet_ids(session)["NRC"]
        web_id = store_item(
            session,
            record=item_record(
                "https://nrc.nl/nieuws/2025/05/15/rapporteur-25-jaar-a123",
                url="https://www.nrc.nl/nieuws/2025/05/15/rapporteur-25-jaar-a123",
                outlet_id=nrc,
                medium="print",
                body="",
                mentions=[],
                title="Rapporteur mensenhandel viert 25-jarig bestaan",
                published_at=datetime(2025, 5, 15, 6, 0, tzinfo=UTC),
            ),
        )
    with unit_of_work(runtime.sessions) as session:
        outcome = _importer().import_file(session, path=FIXTURES / "nexis-classic-nl-cp1252.txt")
    assert (outcome.documents, outcome.matched_web, outcome.new) == (4, 1, 3)
    with unit_of_work(runtime.read_sessions) as session:
        web = session.get_one(Item, web_id)
        assert any(url.startswith("nexis://nrc/2025-05-15/") for url in web.urls)
        names = set(session.scalars(select(Outlet.name).join(Item, Item.outlet_id == Outlet.id)))
        assert {"AD", "Het Parool", "Reformatorisch Dagblad", "NRC"} <= names


def test_broken_document_and_foreign_file_are_reported(runtime: Runtime, tmp_path: Path) -> None:
    with unit_of_work(runtime.sessions) as session:
        broken = _importer().import_file(session, path=FIXTURES / "nexis-uni-nl-broken.docx")
        garbage = _importer().import_file(session, path=FIXTURES / "not-a-nexis-export.txt")
        missing = _importer().import_file(session, path=tmp_path / "nope.docx")
    assert broken.new == 4 and broken.errors == ["document 3 of 5: no date line"]
    assert garbage.new == 0 and "not a LexisNexis export" in garbage.errors[0]
    assert missing.errors and "nope.docx" in missing.errors[0]


def test_unknown_publication_becomes_an_unverified_outlet(runtime: Runtime, tmp_path: Path) -> None:
    export = tmp_path / "export.txt"
    export.write_text(
        "\n                                1 of 1 DOCUMENTS\n\n"
        "                                Het Nergensblad\n\n"
        "                             3 april 2025 donderdag\n\n"
        "Signalen van uitbuiting blijven liggen\n\nLENGTH: 120 woorden\n\n"
        "Volgens de Nationaal Rapporteur blijven signalen van mensenhandel te vaak liggen.\n\n"
        "LOAD-DATE: April 4, 2025\n\nLANGUAGE: DUTCH; NEDERLANDS\n",
        encoding="utf-8",
    )
    with unit_of_work(runtime.sessions) as session:
        outcome = _importer().import_file(session, path=export)
    assert (outcome.new, outcome.errors) == (1, [])
    with unit_of_work(runtime.read_sessions) as session:
        outlet = session.execute(
            select(Outlet).where(Outlet.name == "Het Nergensblad")
        ).scalar_one()
        assert (outlet.verified, outlet.publication_type, outlet.medium) == (
            False,
            "other",
            "print",
        )
