"""Seed the database from the shipped registries (outlets, default sources)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sqlalchemy.orm import Session

from classifiers.outlets import OutletEntry, load_registry_entries
from classifiers.yaml_data import load_yaml
from db.outlets import outlet_ids, sync_registry
from db.sources import SourceSpec, seed_sources

SOURCE_KINDS = ("feed", "search_feed", "sitemap")
PAGE_POLICIES = ("all", "matching", "none")


class SeedError(ValueError):
    """A seed file is invalid; the message names the entry."""


def load_source_specs(path: Path | None = None) -> list[SourceSpec]:
    """Read a sources file (default: the shipped one) and validate every entry."""
    if path is None:
        text = resources.files("service").joinpath("data/sources.yaml").read_text("utf-8")
    else:
        text = path.read_text("utf-8")
    specs: list[SourceSpec] = []
    seen: set[str] = set()
    for number, raw in enumerate(load_yaml(text) or [], start=1):
        try:
            spec = SourceSpec(
                name=str(raw["name"]),
                kind=str(raw["kind"]),
                url=str(raw["url"]),
                outlet=raw.get("outlet"),
                pages=str(raw.get("pages") or "all"),
            )
        except (KeyError, TypeError) as error:
            raise SeedError(f"source entry {number}: missing {error}") from error
        if spec.kind not in SOURCE_KINDS:
            raise SeedError(f"source {spec.name}: unknown kind {spec.kind!r}")
        if spec.pages not in PAGE_POLICIES:
            raise SeedError(f"source {spec.name}: unknown pages policy {spec.pages!r}")
        if spec.url in seen:
            raise SeedError(f"source {spec.name}: URL listed twice")
        seen.add(spec.url)
        specs.append(spec)
    return specs


@dataclass(frozen=True, slots=True)
class SeedReport:
    outlets_added: int
    sources_added: int


def seed_defaults(
    session: Session,
    *,
    outlets: list[OutletEntry] | None = None,
    sources: list[SourceSpec] | None = None,
) -> SeedReport:
    """Mirror the outlet registry and add missing default sources; edits are kept."""
    entries = load_registry_entries() if outlets is None else outlets
    specs = load_source_specs() if sources is None else sources
    outlets_added = sync_registry(session, entries=entries)
    known = outlet_ids(session)
    unknown = sorted({s.outlet for s in specs if s.outlet and s.outlet not in known})
    if unknown:
        raise SeedError(f"sources name outlets not in the registry: {', '.join(unknown)}")
    return SeedReport(outlets_added, seed_sources(session, specs=specs, outlet_ids=known))
