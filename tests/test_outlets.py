"""Outlet registry and `mediamonitor outlet`."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest

from classifiers.outlets import OutletRegistry, RegistryError, parse_registry, rule_type

REGISTRY = OutletRegistry.default()


def test_registry_covers_the_dutch_media_landscape() -> None:
    types = Counter(entry.publication_type for entry in REGISTRY.entries.values())
    assert sum(types.values()) >= 200
    assert min(types[t] for t in ("national", "regional", "news_site", "trade", "corporate")) >= 20
    groups = {entry.publisher_group for entry in REGISTRY.entries.values()}
    assert {"DPG Media", "Mediahuis", "NPO", "Regionale Publieke Omroep"} <= groups
    regional = [e for e in REGISTRY.entries.values() if e.publication_type == "regional"]
    assert all(e.region for e in regional if e.publisher_group == "Regionale Publieke Omroep")


@pytest.mark.parametrize(
    ("url", "outlet", "publication_type"),
    [
        ("https://nos.nl/artikel/2561234", "NOS", "national"),
        ("https://www.nu.nl/binnenland/1/x.html", "NU.nl", "national"),
        ("https://www.gelderlander.nl/arnhem/x~a1/", "De Gelderlander", "regional"),
        ("https://www.omroepbrabant.nl/nieuws/1", "Omroep Brabant", "regional"),
        ("https://eenvandaag.avrotros.nl/item/x/", "EenVandaag", "national"),
        ("https://www.advocatenblad.nl/2025/01/x/", "Advocatenblad", "trade"),
        ("https://www.nationaalrapporteur.nl/actueel", "Nationaal Rapporteur", "corporate"),
    ],
)
def test_lookup_by_domain_and_subdomain(url: str, outlet: str, publication_type: str) -> None:
    match = REGISTRY.match(url)
    assert (match.outlet, match.publication_type, match.verified) == (
        outlet,
        publication_type,
        True,
    )


@pytest.mark.parametrize(
    ("domain", "publication_type"),
    [
        ("gemeente-utrecht.nl", "corporate"),
        ("www.rijksoverheid.nl", "corporate"),
        ("stichting-hulp.nl", "corporate"),
        ("lokaalnieuwsdrenthe.nl", "news_site"),
        ("nytimes.com", "other"),
        ("europa.eu", "corporate"),
    ],
)
def test_rules_for_unknown_domains(domain: str, publication_type: str) -> None:
    assert rule_type(domain) == publication_type


def test_registry_errors_name_the_entry() -> None:
    with pytest.raises(RegistryError, match=r"x\.nl: in both A and B"):
        parse_registry(
            [
                {"name": "A", "domains": ["x.nl"], "type": "national"},
                {"name": "B", "domains": ["x.nl"], "type": "regional"},
            ]
        )
    with pytest.raises(RegistryError, match="unknown type 'blog'"):
        parse_registry([{"name": "A", "domains": ["x.nl"], "type": "blog"}])


def test_outlet_command_prints_one_json_object_per_url() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "service",
            "outlet",
            "https://www.ad.nl/binnenland/x~a86fe52b/?referrer=https%3A%2F%2Fwww.google.nl%2F",
            "https://onbekend-nieuws.nl/a",
            "geen-url",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0] == {
        "canonical_url": "https://ad.nl/binnenland/x~a86fe52b/",
        "domain": "ad.nl",
        "outlet": "AD",
        "publication_type": "national",
        "medium": "print",
        "publisher_group": "DPG Media",
        "verified": True,
    }
    assert (lines[1]["outlet"], lines[1]["verified"]) == ("onbekend-nieuws.nl", False)
    assert result.returncode == 1 and "geen-url" in result.stderr
