"""Classifier commands that need no database: outlet lookup, batch classification, eval."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from classifiers.outlets import OutletRegistry
from classifiers.urls import InvalidURLError, canonical_url
from service.commands.app import app, console


@app.command()
def outlet(urls: Annotated[list[str], typer.Argument(help="One or more article URLs.")]) -> None:
    """Print one JSON object per URL: canonical URL, outlet and publication type."""
    registry = OutletRegistry.default()
    failed = False
    for url in urls:
        try:
            canonical = canonical_url(url)
        except InvalidURLError as error:
            typer.echo(json.dumps({"url": url, "error": str(error)}), err=True)
            failed = True
            continue
        match = registry.match(canonical)
        typer.echo(
            json.dumps(
                {
                    "canonical_url": canonical,
                    "domain": match.domain,
                    "outlet": match.outlet,
                    "publication_type": match.publication_type,
                    "medium": match.medium,
                    "publisher_group": match.publisher_group,
                    "verified": match.verified,
                },
                ensure_ascii=False,
            )
        )
    if failed:
        sys.exit(1)


def _row(
    table: Table,
    name: str,
    labelled_set: str,
    n: int,
    values: list[str],
    target: str,
    errors: tuple[str, ...],
) -> None:
    table.add_row(name, labelled_set, str(n), *values, target, " ".join(errors[:12]))


@app.command("eval")
def evaluate(
    data: Annotated[Path, typer.Option(help="Folder with the labelled sets.")] = Path("tests/data"),
) -> None:
    """Print precision and recall per classifier on the labelled sets."""
    from classifiers.article import ArticleClassifier
    from classifiers.evaluation import (
        read_jsonl,
        score_mentions,
        score_publication_types,
        score_reprints,
    )

    classifier = ArticleClassifier.default()
    table = Table(title="Classifier evaluation")
    for column in ("classifier", "set", "n", "precision", "recall", "target", "wrong (ids)"):
        table.add_column(column)
    everything: list[dict[str, object]] = []
    for path in sorted(data.glob("mentions*.jsonl")):
        records = list(read_jsonl(path))
        everything += records
        found, roles = score_mentions(classifier, records)
        scores = [f"{found.precision:.3f}", f"{found.recall:.3f}"]
        _row(table, "mentions", path.name, len(records), scores, "≥ 0.98 / ≥ 0.98", found.errors)
        if roles.total:
            share = [f"{roles.share:.3f} correct", ""]
            _row(table, "mention role", path.name, roles.total, share, "", roles.errors)
    if everything:
        found, _ = score_mentions(classifier, everything)
        scores = [f"{found.precision:.3f}", f"{found.recall:.3f}"]
        _row(table, "mentions", "all sets", len(everything), scores, "≥ 0.98 / ≥ 0.98", ())
    reprints = data / "reprints.jsonl"
    if reprints.exists():
        links = score_reprints(classifier, list(read_jsonl(reprints)))
        n = links.true_positives + links.false_negatives
        scores = [f"{links.precision:.3f}", f"{links.recall:.3f}"]
        _row(table, "reprint links", reprints.name, n, scores, "≥ 0.98 / ≥ 0.95", links.errors)
        types = score_publication_types(classifier, read_jsonl(reprints))
        scores = [f"{types.share:.3f} correct", ""]
        _row(table, "publication type", reprints.name, types.total, scores, "≥ 0.95", types.errors)
    console.print(table)


@app.command()
def classify(
    policy: Annotated[str, typer.Option(help="Reprint policy.")] = "regional_of_national",
) -> None:
    """Classify JSON lines from standard input ({"id", "url", "title", "text",
    "published_at"}) without the database; one JSON line out per line in."""
    from classifiers.article import ArticleClassifier
    from classifiers.reprints import POLICIES
    from service.batch import classify_lines

    if policy not in POLICIES:
        raise typer.BadParameter(f"policy must be one of {', '.join(POLICIES)}")
    failed = False
    for output in classify_lines(sys.stdin, classifier=ArticleClassifier.default(), policy=policy):
        failed = failed or "error" in output
        typer.echo(json.dumps(output, ensure_ascii=False))
    if failed:
        sys.exit(1)
