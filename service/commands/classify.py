"""Classifier commands that need no database: outlet lookup, batch classification, eval."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from classifiers.outlets import OutletRegistry
from classifiers.urls import InvalidURLError, canonical_url
from service.commands.app import app


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
