"""The reprint pass on stored items: incremental batches equal a full rebuild, links are
explained, and corrections survive every re-run."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from sqlalchemy import select

from classifiers.article import ArticleClassifier
from classifiers.evaluation import read_jsonl
from classifiers.records import Article
from classifiers.reprints import reprint_text
from classifiers.shingles import TextSketch, text_digest
from db.coverage import ItemFilter, count_items
from db.engine import unit_of_work
from db.items import store_item
from db.models import ReprintLink
from db.outlets import ensure_outlet, sync_registry
from service.corrections import CorrectionRequest, make_correction
from service.reprints import rebuild_reprints, update_reprints
from service.runtime import Runtime
from tests.conftest import DATA
from tests.factories import item_record

CLASSIFIER = ArticleClassifier.default()
RECORDS = list(read_jsonl(DATA / "reprints.jsonl"))


def _store(runtime: Runtime, records: list[dict[str, object]]) -> dict[str, int]:
    """Store records as items; returns label id -> item id."""
    ids: dict[str, int] = {}
    with unit_of_work(runtime.sessions) as session:
        for record in records:
            result = CLASSIFIER.classify(Article(url=str(record["url"])))
            published = datetime.fromisoformat(str(record["published_at"])).astimezone(UTC)
            item_id = store_item(
                session,
                record=item_record(
                    result.canonical_url,
                    url=str(record["url"]),
                    outlet_id=ensure_outlet(session, match=result.outlet),
                    publication_type=result.outlet.publication_type,
                    title=str(record["title"]),
                    body=str(record["text"]),
                    published_at=published,
                    article_key=result.article_key,
                ),
            )
            assert item_id is not None
            ids[str(record["id"])] = item_id
    return ids


def _links(runtime: Runtime, policy: str) -> dict[int, tuple[int, str]]:
    with unit_of_work(runtime.read_sessions) as session:
        rows = session.scalars(select(ReprintLink).where(ReprintLink.policy == policy))
        return {r.item_id: (r.original_item_id, r.method) for r in rows}


def test_incremental_passes_equal_a_full_rebuild_and_match_the_labels(runtime: Runtime) -> None:
    with unit_of_work(runtime.sessions) as session:
        sync_registry(session, entries=list(CLASSIFIER.registry.entries.values()))
    shuffled = RECORDS[:]
    random.Random(7).shuffle(shuffled)  # originals may arrive after their reprints
    ids: dict[str, int] = {}
    for start in range(0, len(shuffled), 20):
        batch = _store(runtime, shuffled[start : start + 20])
        ids.update(batch)
        with unit_of_work(runtime.sessions) as session:
            update_reprints(session, item_ids=list(batch.values()))
    incremental = {p: _links(runtime, p) for p in ("regional_of_national", "story")}
    expected = {ids[r["id"]]: ids[r["reprint_of"]] for r in RECORDS if r["reprint_of"]}
    assert {k: v[0] for k, v in incremental["regional_of_national"].items()} == expected

    with unit_of_work(runtime.sessions) as session:
        rebuild_reprints(session)
    assert {p: _links(runtime, p) for p in incremental} == incremental

    year = ItemFilter(start=datetime(2024, 1, 1, tzinfo=UTC), end=datetime(2027, 1, 1, tzinfo=UTC))
    with unit_of_work(runtime.read_sessions) as session:
        counts = count_items(session, item_filter=year)
    assert (counts.total, counts.reprints) == (len(RECORDS), len(expected))


def test_corrections_survive_rebuilds(runtime: Runtime) -> None:
    with unit_of_work(runtime.sessions) as session:
        sync_registry(session, entries=list(CLASSIFIER.registry.entries.values()))
    ids = _store(runtime, RECORDS)
    with unit_of_work(runtime.sessions) as session:
        update_reprints(session, item_ids=list(ids.values()))
    reprint = next(r for r in RECORDS if r["reprint_of"])
    unique = next(r for r in RECORDS if not r["reprint_of"] and r["id"] != reprint["reprint_of"])
    with unit_of_work(runtime.sessions) as session:
        for item, action, value in (
            (reprint, "unmark_reprint", {"policy": "regional_of_national"}),
            (unique, "mark_reprint", {"original_item_id": ids[reprint["reprint_of"]]}),
        ):
            make_correction(
                session,
                request=CorrectionRequest(
                    item_id=ids[item["id"]],
                    action=action,
                    value=value,
                    reason="controle",
                    actor="Anna",
                ),
                now=datetime.now(UTC),
            )
    for _ in range(2):
        with unit_of_work(runtime.sessions) as session:
            rebuild_reprints(session)
        links = _links(runtime, "regional_of_national")
        assert ids[reprint["id"]] not in links
        assert links[ids[unique["id"]]] == (ids[reprint["reprint_of"]], "correction")


def test_a_sketch_made_ahead_is_used_for_its_own_text_only(runtime: Runtime) -> None:
    with unit_of_work(runtime.sessions) as session:
        sync_registry(session, entries=list(CLASSIFIER.registry.entries.values()))
    ids = _store(runtime, RECORDS)
    unrelated = TextSketch.of("Een ander verhaal over de haven van Rotterdam. " * 12)

    def links_with(sketches: dict[bytes, TextSketch]) -> dict[int, tuple[int, str]]:
        with unit_of_work(runtime.sessions) as session:
            update_reprints(session, item_ids=list(ids.values()), sketches=sketches)
        return _links(runtime, "regional_of_national")

    plain = links_with({})
    by_text = next(r for r in RECORDS if plain.get(ids[r["id"]], (0, ""))[1] == "text_containment")
    text = reprint_text("", str(by_text["text"]))  # stored as the body, without a lead
    # Under another text's digest a sketch is never used ...
    assert links_with({text_digest(text + " "): unrelated}) == plain
    # ... under its own it is, instead of sketching the text again.
    assert (
        links_with({text_digest(text): unrelated}).get(ids[by_text["id"]])
        != plain[ids[by_text["id"]]]
    )
