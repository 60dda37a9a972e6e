"""Precision and recall of the classifiers against labelled sets (``tests/data``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from classifiers.article import ArticleClassifier
from classifiers.records import Article, MentionHit

ROLE_ORDER = ("quoted", "report_cited", "passing")


@dataclass(frozen=True, slots=True)
class Score:
    name: str
    true_positives: int
    false_positives: int
    false_negatives: int
    errors: tuple[str, ...] = ()  # ids of wrong decisions, for review

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        relevant = self.true_positives + self.false_negatives
        return self.true_positives / relevant if relevant else 1.0


@dataclass(frozen=True, slots=True)
class Accuracy:
    name: str
    correct: int
    total: int
    errors: tuple[str, ...] = ()

    @property
    def share(self) -> float:
        return self.correct / self.total if self.total else 1.0


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as error:
                    raise ValueError(f"{path}:{number}: invalid JSON: {error}") from error


def main_role(hits: list[MentionHit]) -> str | None:
    roles = {hit.role for hit in hits}
    return next((role for role in ROLE_ORDER if role in roles), None)


def score_mentions(
    classifier: ArticleClassifier, records: Iterable[dict[str, Any]]
) -> tuple[Score, Accuracy]:
    """Item-level mention detection, and the main mention's role on the true positives."""
    tp, fp, fn = 0, 0, 0
    wrong: list[str] = []
    roles_right, roles_total, wrong_roles = 0, 0, []
    for record in records:
        hits = classifier.detector.detect(
            title=record["title"],
            lead=record.get("lead", ""),
            body=record["text"],
            published_at=datetime.fromisoformat(record["published_at"]),
        )
        expected = bool(record["mention"])
        if hits and expected:
            tp += 1
            if record.get("roles"):
                roles_total += 1
                if main_role(hits) == record["roles"][0]:
                    roles_right += 1
                else:
                    wrong_roles.append(record["id"])
        elif hits:
            fp += 1
            wrong.append(record["id"])
        elif expected:
            fn += 1
            wrong.append(record["id"])
    return (
        Score("mentions", tp, fp, fn, tuple(wrong)),
        Accuracy("mention role", roles_right, roles_total, tuple(wrong_roles)),
    )


def score_publication_types(
    classifier: ArticleClassifier, records: Iterable[dict[str, Any]]
) -> Accuracy:
    """Publication type from the registry, for items whose outlet the registry knows."""
    right, total, wrong = 0, 0, []
    for record in records:
        expected = record.get("outlet_type")
        if not expected:
            continue
        match = classifier.classify(Article(url=record["url"])).outlet
        if not match.verified:
            continue
        total += 1
        if match.publication_type == expected:
            right += 1
        else:
            wrong.append(record["id"])
    return Accuracy("publication type (registry outlets)", right, total, tuple(wrong))


def score_reprints(classifier: ArticleClassifier, records: list[dict[str, Any]]) -> Score:
    """Reprint links under the default policy against ``reprint_of`` labels."""
    from classifiers.reprints import ReprintItem, detect_reprints

    items = []
    for record in records:
        classified = classifier.classify(Article(url=record["url"]))
        items.append(
            ReprintItem(
                id=record["id"],
                outlet=classified.outlet.outlet,
                publication_type=classified.outlet.publication_type,
                publisher_group=classified.outlet.publisher_group,
                published_at=datetime.fromisoformat(record["published_at"]),
                title=record["title"],
                text=record["text"],
                article_key=classified.article_key,
            )
        )
    links = detect_reprints(items)
    expected = {r["id"]: r["reprint_of"] for r in records if r.get("reprint_of")}
    found = {item_id: link.original_id for item_id, link in links.items()}
    right = {i for i, original in found.items() if expected.get(str(i)) == original}
    wrong = sorted(
        {str(i) for i in found if i not in right} | (set(expected) - set(map(str, right)))
    )
    return Score(
        "reprint links",
        len(right),
        len(found) - len(right),
        len(expected) - len(right),
        tuple(wrong),
    )
