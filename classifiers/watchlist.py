"""The watchlist: the organisation's name forms, office holders and exclusions, as data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from classifiers.text import fold
from classifiers.yaml_data import load_yaml


@dataclass(frozen=True, slots=True)
class OfficeHolder:
    name: str
    forms: tuple[str, ...]
    surname: str
    start: date
    end: date | None

    def in_office(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class Watchlist:
    name: str
    forms: tuple[str, ...]
    generic_forms: tuple[str, ...]
    weak_forms: tuple[str, ...]
    anchor_only_forms: tuple[str, ...]
    dutch_markers: tuple[str, ...]
    holders: tuple[OfficeHolder, ...]
    context_terms: tuple[str, ...]
    exclusions: tuple[str, ...]
    qualifiers: frozenset[str]
    role_prefixes: tuple[str, ...]
    foreign_suffixes: tuple[str, ...]
    quote_verbs: tuple[str, ...]
    report_terms: tuple[str, ...]


def _folded(values: Any) -> tuple[str, ...]:
    return tuple(" ".join(fold(str(v)).split()) for v in values or ())


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def parse_watchlist(data: dict[str, Any]) -> Watchlist:
    """Build a watchlist from its YAML structure; raises ``ValueError`` on a bad entry."""
    try:
        holders = tuple(
            OfficeHolder(
                name=h["name"],
                forms=_folded(h["forms"]),
                surname=h["surname"],
                start=_as_date(h["start"]) or date.min,
                end=_as_date(h.get("end")),
            )
            for h in data.get("holders") or ()
        )
        return Watchlist(
            name=data["name"],
            forms=_folded(data["forms"]),
            generic_forms=_folded(data.get("generic_forms")),
            weak_forms=_folded(data.get("weak_forms")),
            anchor_only_forms=_folded(data.get("anchor_only_forms")),
            dutch_markers=_folded(data.get("dutch_markers")),
            holders=holders,
            context_terms=_folded(data.get("context_terms")),
            exclusions=_folded(data.get("exclusions")),
            qualifiers=frozenset(_folded(data.get("qualifiers"))),
            role_prefixes=_folded(data.get("role_prefixes")),
            foreign_suffixes=_folded(data.get("foreign_suffixes")),
            quote_verbs=_folded(data.get("quote_verbs")),
            report_terms=_folded(data.get("report_terms")),
        )
    except (KeyError, TypeError) as error:
        raise ValueError(f"invalid watchlist: missing or malformed {error}") from error


def load_watchlist(path: Path | None = None) -> Watchlist:
    """Load a watchlist file; without a path, the bundled default (the Rapporteur)."""
    if path is None:
        text = resources.files("classifiers").joinpath("data/watchlist.yaml").read_text("utf-8")
    else:
        text = path.read_text("utf-8")
    return parse_watchlist(load_yaml(text))
