"""Outlet registry: which outlet a URL belongs to, and its publication type.

The registry is data (``classifiers/data/outlets.yaml``). A domain not in it gets a
publication type from rules and is marked unverified, for staff to review.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from classifiers.records import OutletMatch
from classifiers.urls import domain_of
from classifiers.yaml_data import load_yaml

PUBLICATION_TYPES = ("national", "regional", "news_site", "trade", "corporate", "other")
MEDIA = ("print", "online", "radio", "tv", "podcast")

# Rules for domains outside the registry, first match wins. Organisations and
# government are corporate; foreign domains are "other" (international media).
CORPORATE_DOMAIN = re.compile(
    r"(^|\.)(overheid\.nl|rijksoverheid\.nl|gemeente[a-z-]*\.nl|[a-z-]*gemeente\.nl|"
    r"provincie[a-z-]*\.nl|politie\.nl|om\.nl|rechtspraak\.nl|government\.nl|"
    r"[a-z-]+\.(gov|gouv|gob)(\.[a-z]{2})?|europa\.eu|un\.org|[a-z-]+\.int)$"
    r"|(^|\.)(stichting|vereniging|fonds|ggd|ggz|universiteit|hogeschool)[a-z-]*\.nl$"
)
NEWS_SITE_HINT = re.compile(r"(nieuws|news|krant|courant|dagblad|journaal|media)", re.I)


@dataclass(frozen=True, slots=True)
class OutletEntry:
    name: str
    domains: tuple[str, ...]
    publication_type: str
    medium: str | None
    region: str | None
    publisher_group: str | None

    def as_match(self, domain: str) -> OutletMatch:
        """This registry outlet as the outlet of an item on ``domain``."""
        return OutletMatch(
            domain=domain,
            outlet=self.name,
            publication_type=self.publication_type,
            medium=self.medium,
            region=self.region,
            publisher_group=self.publisher_group,
            verified=True,
        )


class RegistryError(ValueError):
    """The outlet registry file is invalid; the message names the entry."""


def parse_registry(entries: list[dict[str, Any]]) -> list[OutletEntry]:
    """Validate registry entries: known types, unique names and domains."""
    outlets: list[OutletEntry] = []
    names: set[str] = set()
    owners: dict[str, str] = {}
    for number, raw in enumerate(entries, start=1):
        try:
            entry = OutletEntry(
                name=str(raw["name"]),
                domains=tuple(str(d).lower().removeprefix("www.") for d in raw["domains"]),
                publication_type=str(raw["type"]),
                medium=raw.get("medium"),
                region=raw.get("region"),
                publisher_group=raw.get("group"),
            )
        except (KeyError, TypeError) as error:
            raise RegistryError(f"outlet entry {number}: missing {error}") from error
        if entry.publication_type not in PUBLICATION_TYPES:
            raise RegistryError(f"{entry.name}: unknown type {entry.publication_type!r}")
        if entry.medium is not None and entry.medium not in MEDIA:
            raise RegistryError(f"{entry.name}: unknown medium {entry.medium!r}")
        if entry.name in names:
            raise RegistryError(f"{entry.name}: listed twice")
        names.add(entry.name)
        for domain in entry.domains:
            if domain in owners:
                raise RegistryError(f"{domain}: in both {owners[domain]} and {entry.name}")
            owners[domain] = entry.name
        outlets.append(entry)
    return outlets


def load_registry_entries(path: Path | None = None) -> list[OutletEntry]:
    if path is None:
        text = resources.files("classifiers").joinpath("data/outlets.yaml").read_text("utf-8")
    else:
        text = path.read_text("utf-8")
    return parse_registry(load_yaml(text) or [])


def load_aliases(path: Path | None = None) -> dict[str, str]:
    if path is None:
        resource = resources.files("classifiers").joinpath("data/outlet_aliases.yaml")
        text = resource.read_text("utf-8")
    else:
        text = path.read_text("utf-8")
    return {str(alias): str(name) for alias, name in (load_yaml(text) or {}).items()}


_PARENTHESES = re.compile(r"\([^)]*\)")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
NAME_MATCH_CUTOFF = 92
MATCH_CACHE_SIZE = 10_000


def name_key(name: str) -> str:
    """A publication name reduced for comparison: "De Telegraaf (Amsterdam)" -> "telegraaf"."""
    text = unicodedata.normalize("NFKD", _PARENTHESES.sub(" ", name)).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = _NOT_WORD.sub(" ", text).split()
    while words and words[0] in ("de", "het", "the"):
        words = words[1:]
    return " ".join(words)


def rule_type(domain: str) -> str:
    """Publication type for a domain outside the registry."""
    if CORPORATE_DOMAIN.search(domain):
        return "corporate"
    if not domain.endswith(".nl"):
        return "other"
    if NEWS_SITE_HINT.search(domain):
        return "news_site"
    return "corporate"


class OutletRegistry:
    """Domain lookup over registry entries (subdomains resolve to their parent)."""

    def __init__(self, entries: list[OutletEntry], aliases: dict[str, str] | None = None) -> None:
        self.entries = {entry.name: entry for entry in entries}
        self._by_domain = {d: entry for entry in entries for d in entry.domains}
        self._by_name = {name_key(entry.name): entry for entry in entries}
        # A collection classifies every entry of a site's feeds under one domain.
        self._matches: dict[str, OutletMatch] = {}
        for alias, name in (aliases or {}).items():
            if name not in self.entries:
                raise RegistryError(f"alias {alias!r} names unknown outlet {name!r}")
            self._by_name.setdefault(name_key(alias), self.entries[name])

    @classmethod
    def default(cls) -> OutletRegistry:
        return cls(load_registry_entries(), load_aliases())

    def entry_for_name(self, publication: str) -> OutletEntry | None:
        """The outlet a news database's publication name refers to: exact after
        normalisation, else a close fuzzy match ("Dagblad Tubantia" for "Tubantia")."""
        key = name_key(publication)
        if not key:
            return None
        entry = self._by_name.get(key)
        if entry is not None:
            return entry
        best = process.extractOne(
            key, list(self._by_name), scorer=fuzz.token_sort_ratio, score_cutoff=NAME_MATCH_CUTOFF
        )
        return self._by_name[best[0]] if best else None

    def entry_for_domain(self, domain: str) -> OutletEntry | None:
        labels = domain.split(".")
        for i in range(len(labels) - 1):
            entry = self._by_domain.get(".".join(labels[i:]))
            if entry is not None:
                return entry
        return None

    def match(self, url: str) -> OutletMatch:
        """The outlet of ``url``: a registry entry, or an unverified one from rules."""
        domain = domain_of(url)
        found = self._matches.get(domain)
        if found is None:
            if len(self._matches) >= MATCH_CACHE_SIZE:
                self._matches.clear()
            found = self._matches[domain] = self._match_domain(domain)
        return found

    def _match_domain(self, domain: str) -> OutletMatch:
        entry = self.entry_for_domain(domain)
        if entry is not None:
            return entry.as_match(domain)
        return OutletMatch(
            domain=domain,
            outlet=domain,
            publication_type=rule_type(domain),
            medium="online",
            region=None,
            publisher_group=None,
            verified=False,
        )
