"""The classifiers against the labelled sets in tests/data, at the targets of the issue."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from classifiers.article import ArticleClassifier
from classifiers.evaluation import (
    read_jsonl,
    score_mentions,
    score_publication_types,
    score_reprints,
)
from tests.conftest import DATA

CLASSIFIER = ArticleClassifier.default()
MENTION_SETS = sorted(p.name for p in DATA.glob("mentions*.jsonl"))


def test_mention_precision_and_recall_over_all_labelled_sets() -> None:
    records = [record for name in MENTION_SETS for record in read_jsonl(DATA / name)]
    score, _ = score_mentions(CLASSIFIER, records)
    assert len(records) >= 450
    assert score.precision >= 0.98 and score.recall >= 0.98, score.errors


@pytest.mark.parametrize("name", MENTION_SETS)
def test_every_labelled_mention_set_stays_above_ninety_five_percent(name: str) -> None:
    # Each held-out set was measured once before any rule was changed for it (see
    # tests/data/README.md); no single set may fall back below that.
    score, _ = score_mentions(CLASSIFIER, read_jsonl(DATA / name))
    assert score.precision >= 0.95 and score.recall >= 0.95, score.errors


def test_reprint_links_precision_and_recall() -> None:
    score = score_reprints(CLASSIFIER, list(read_jsonl(DATA / "reprints.jsonl")))
    assert score.true_positives >= 60
    assert score.precision >= 0.98 and score.recall >= 0.95, score.errors


def test_publication_type_of_registry_outlets() -> None:
    accuracy = score_publication_types(CLASSIFIER, read_jsonl(DATA / "reprints.jsonl"))
    assert accuracy.total >= 100 and accuracy.share >= 0.95, accuracy.errors


def test_eval_command_prints_every_classifier() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "service", "eval", "--data", str(DATA)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert result.returncode == 0, result.stderr
    for row in ("mentions.jsonl", "reprint links", "publication type", *MENTION_SETS):
        assert row in result.stdout
