"""`mediamonitor classify`: a batch of items through the same classifiers as the pipeline,
in memory, without the database."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from classifiers.article import ArticleClassifier, Classification
from classifiers.records import Article
from classifiers.reprints import ReprintItem, detect_reprints
from classifiers.urls import InvalidURLError


class InvalidLineError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class _Classified:
    line: int
    item_id: Any
    published_at: datetime
    article: Article
    result: Classification


def _parse(line: str, number: int) -> tuple[Any, Article]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise InvalidLineError(f"not JSON: {error.msg} at column {error.colno}") from None
    if not isinstance(record, dict):
        raise InvalidLineError("not a JSON object")
    missing = [key for key in ("id", "url") if record.get(key) in (None, "")]
    if missing:
        raise InvalidLineError(f"missing {', '.join(missing)}")
    published = None
    if record.get("published_at"):
        try:
            published = datetime.fromisoformat(str(record["published_at"]))
        except ValueError:
            raise InvalidLineError(
                f"published_at is not ISO 8601: {record['published_at']!r}"
            ) from None
        if published.tzinfo is None:
            raise InvalidLineError("published_at needs a UTC offset")
    for key in ("title", "text"):
        if not isinstance(record.get(key, ""), str):
            raise InvalidLineError(f"{key} must be a string")
    return record["id"], Article(
        url=str(record["url"]),
        title=record.get("title", ""),
        body=record.get("text", ""),
        published_at=published,
    )


def classify_lines(
    lines: Iterable[str], *, classifier: ArticleClassifier, policy: str, now: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """One output object per input line, in input order; errors name the line number."""
    outputs: list[dict[str, Any]] = []
    classified: list[_Classified] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item_id, article = _parse(line, number)
            result = classifier.classify(article)
        except (InvalidLineError, InvalidURLError) as error:
            outputs.append({"line": number, "error": str(error)})
            continue
        published = article.published_at or now or datetime.now(UTC)
        classified.append(_Classified(number, item_id, published, article, result))
        outputs.append({"line": number})
    mentions = [c for c in classified if c.result.is_mention]
    links = detect_reprints(
        (
            ReprintItem(
                id=c.line,
                outlet=c.result.outlet.outlet,
                publication_type=c.result.outlet.publication_type,
                publisher_group=c.result.outlet.publisher_group,
                published_at=c.published_at,
                title=c.article.title,
                text=c.article.body,
                article_key=c.result.article_key,
            )
            for c in mentions
        ),
        policy=policy,
    )
    by_line = {c.line: c for c in classified}
    for output in outputs:
        if "error" in output:
            yield output
            continue
        c = by_line[output["line"]]
        link = links.get(c.line)
        yield {
            "id": c.item_id,
            "mention": c.result.is_mention,
            "mentions": [
                {"form": m.form, "where": m.place, "role": m.role, "snippet": m.snippet}
                for m in c.result.mentions
            ],
            "canonical_url": c.result.canonical_url,
            "outlet": c.result.outlet.outlet,
            "publication_type": c.result.outlet.publication_type,
            "reprint_of": by_line[int(link.original_id)].item_id if link else None,
            "reason": link.reason if link else None,
        }
