"""`mediamonitor classify`: JSON lines in, JSON lines out, no database."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from classifiers.article import ArticleClassifier
from classifiers.evaluation import read_jsonl
from service.batch import classify_lines
from tests.conftest import DATA

CLASSIFIER = ArticleClassifier.default()


def _lines(records: list[dict[str, object]]) -> list[str]:
    return [json.dumps(r) for r in records]


def test_batch_over_the_labelled_reprint_set_matches_the_labels() -> None:
    records = list(read_jsonl(DATA / "reprints.jsonl"))
    batch = [{k: r[k] for k in ("id", "url", "title", "text", "published_at")} for r in records]
    outputs = list(
        classify_lines(_lines(batch), classifier=CLASSIFIER, policy="regional_of_national")
    )
    assert [o["id"] for o in outputs] == [r["id"] for r in records]
    assert all(o["mention"] for o in outputs)
    found = {o["id"]: o["reprint_of"] for o in outputs}
    assert found == {r["id"]: r["reprint_of"] for r in records}
    explained = [o for o in outputs if o["reprint_of"]]
    assert all(o["reason"] for o in explained)


def test_invalid_lines_are_reported_by_number_and_the_rest_still_runs(tmp_path: Path) -> None:
    good = {
        "id": 7,
        "url": "https://nos.nl/l/1",
        "title": "Nationaal Rapporteur: meer hulp nodig",
        "text": "De Nationaal Rapporteur wil meer hulp.",
        "published_at": "2025-04-03T10:00:00+02:00",
    }
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps({"id": 8}),
        json.dumps({"id": 9, "url": "https://nos.nl/l/2", "published_at": "gisteren"}),
        json.dumps({**good, "id": 10, "title": "Weerbericht", "text": "Regen."}),
    ]
    result = subprocess.run(
        [sys.executable, "-m", "service", "classify"],
        input="\n".join(lines),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 1
    assert outputs[0]["id"] == 7 and outputs[0]["mention"] is True
    assert outputs[0]["canonical_url"] == "https://nos.nl/artikel/1"
    assert (outputs[0]["outlet"], outputs[0]["publication_type"]) == ("NOS", "national")
    assert outputs[0]["mentions"][0]["role"] == "quoted"  # "Rapporteur: ..." headline
    assert outputs[1]["line"] == 2 and "not JSON" in outputs[1]["error"]
    assert outputs[2] == {"line": 3, "error": "missing url"}
    assert outputs[3]["line"] == 4 and "ISO 8601" in outputs[3]["error"]
    assert (outputs[4]["id"], outputs[4]["mention"], outputs[4]["mentions"]) == (10, False, [])
