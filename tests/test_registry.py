"""The default source registry (service/data/sources.yaml) covers what the issue asks.

Loaded as `seed` loads it (service.seed.load_source_specs), checked against the outlet
registry and the watchlist as shipped. Every check is a function returning what is
missing or wrong, so ``test_checks_find_gaps`` can show that each one fails on a registry
with the gap it looks for.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from classifiers.outlets import OutletEntry, load_registry_entries
from classifiers.text import fold
from classifiers.watchlist import Watchlist, load_watchlist
from db.sources import SourceSpec
from service.seed import load_source_specs

SPECS = load_source_specs()
OUTLETS = {entry.name: entry for entry in load_registry_entries()}
WATCHLIST = load_watchlist()

# The institute is the outlet that owns its domain (itself a name form in the watchlist).
INSTITUTE_DOMAIN = "nationaalrapporteur.nl"

# News-search feeds: one URL form per engine, as written in sources.yaml.
SEARCH_TEMPLATES = {
    "Google News": "https://news.google.com/rss/search?q={q}&hl=nl&gl=NL&ceid=NL:nl",
    "Bing News": "https://www.bing.com/news/search?q={q}&format=rss&setlang=nl-NL&cc=NL",
}
_QUOTED = re.compile(r'"([^"]+)"')

# The outlet registry has no subject field for trade press; these are the trade outlets
# under each subject heading of classifiers/data/outlets.yaml that the issue names.
TRADE_SUBJECTS = {
    "law": {
        "Advocatenblad",
        "Mr. Online",
        "Nederlands Juristenblad",
        "Advocatie",
        "Ars Aequi",
        "Legal Business World",
        "Sdu",
        "Wolters Kluwer",
        "Boom juridisch",
    },
    "police": {"Secondant", "Security Management", "Security.NL"},
    "youth care": {
        "Zorg + Welzijn",
        "Sociaal Web",
        "Sociale Vraagstukken",
        "Kinderopvang Totaal",
        "GGZ Nieuws",
    },
    "local government": {
        "Binnenlands Bestuur",
        "VNG Magazine",
        "Gemeente.nu",
        "iBestuur",
        "Platform Overheid",
        "Stadszaken",
    },
}


def _institute(outlets: dict[str, OutletEntry]) -> str:
    (name,) = [e.name for e in outlets.values() if INSTITUTE_DOMAIN in e.domains]
    return name


def _is_broadcaster(entry: OutletEntry) -> bool:
    return entry.medium in ("tv", "radio")


def publication_groups(outlets: dict[str, OutletEntry]) -> dict[str, Callable[[OutletEntry], bool]]:
    """The groups the issue names, as tests on a source's outlet."""
    institute = _institute(outlets)
    groups: dict[str, Callable[[OutletEntry], bool]] = {
        "national": lambda e: e.publication_type == "national",
        "regional (DPG Media)": lambda e: (
            e.publication_type == "regional"
            and e.publisher_group == "DPG Media"
            and not _is_broadcaster(e)
        ),
        "regional (Mediahuis)": lambda e: (
            e.publication_type == "regional"
            and e.publisher_group == "Mediahuis"
            and not _is_broadcaster(e)
        ),
        "regional broadcaster": lambda e: e.publication_type == "regional" and _is_broadcaster(e),
        "trade press": lambda e: e.publication_type == "trade",
        "partner organisation": lambda e: e.publication_type == "corporate" and e.name != institute,
        "institute's own site": lambda e: e.name == institute,
    }
    for subject, names in TRADE_SUBJECTS.items():
        groups[f"trade press: {subject}"] = _trade_outlet_in(names)
    return groups


def _trade_outlet_in(names: set[str]) -> Callable[[OutletEntry], bool]:
    return lambda e: e.publication_type == "trade" and e.name in names


def unknown_outlets(specs: Iterable[SourceSpec], outlets: dict[str, OutletEntry]) -> list[str]:
    """Sources whose outlet is not a registry name, or whose outlet is missing or not
    allowed for their kind (search feeds have none, feeds and sitemaps one outlet)."""
    problems = []
    for spec in specs:
        if spec.kind == "search_feed":
            if spec.outlet is not None:
                problems.append(f"{spec.name}: search feed with outlet {spec.outlet!r}")
        elif spec.outlet is None:
            problems.append(f"{spec.name}: {spec.kind} without an outlet")
        elif spec.outlet not in outlets:
            problems.append(f"{spec.name}: unknown outlet {spec.outlet!r}")
    return problems


def duplicates(values: Iterable[str]) -> list[str]:
    """Values listed more than once, ignoring case."""
    counts = Counter(value.casefold() for value in values)
    return sorted(value for value, count in counts.items() if count > 1)


def missing_groups(specs: Iterable[SourceSpec], outlets: dict[str, OutletEntry]) -> list[str]:
    """Publication type groups with no feed (or sitemap) of an outlet in them."""
    entries = [outlets[s.outlet] for s in specs if s.kind != "search_feed" and s.outlet in outlets]
    return [
        group
        for group, member in publication_groups(outlets).items()
        if not any(member(entry) for entry in entries)
    ]


def institute_feeds(specs: Iterable[SourceSpec], outlets: dict[str, OutletEntry]) -> list[str]:
    institute = _institute(outlets)
    return [s.name for s in specs if s.kind == "feed" and s.outlet == institute]


def sitemaps(specs: Iterable[SourceSpec]) -> list[str]:
    return [s.name for s in specs if s.kind == "sitemap"]


def rapporteur_forms(watchlist: Watchlist) -> list[str]:
    """Name forms that identify the Rapporteur on their own: the distinctive and generic
    forms and the office holders' names. Left out: weak forms ("rapporteur", "NRM") and
    anchor-only forms ("national rapporteur"), which alone mean other offices too, and a
    holder's bare surname, which counts only after a full mention."""
    forms = [*watchlist.forms, *watchlist.generic_forms]
    for holder in watchlist.holders:
        surname = fold(holder.surname)
        forms += [form for form in holder.forms if form != surname]
    return list(dict.fromkeys(forms))


def search_phrases(spec: SourceSpec) -> tuple[str | None, list[str]]:
    """(engine, folded quoted phrases of the query) of a search feed; engine None for a
    URL of neither engine's RSS form."""
    parts = urlsplit(spec.url)
    query = parse_qs(parts.query)
    engine = None
    if parts.netloc == "news.google.com" and parts.path == "/rss/search":
        engine = "Google News"
    elif parts.netloc == "www.bing.com" and parts.path == "/news/search":
        engine = "Bing News" if query.get("format") == ["rss"] else None
    phrases = [
        " ".join(fold(phrase).split()) for q in query.get("q", []) for phrase in _QUOTED.findall(q)
    ]
    return engine, phrases


def missing_search_feeds(specs: Iterable[SourceSpec], forms: Iterable[str]) -> list[str]:
    """ "<engine>: <form>" for each name form without a search feed of that engine whose
    query holds the form as a quoted phrase (a longer phrase that contains the form does
    not count: searching for it would not find the shorter form)."""
    found: set[tuple[str, str]] = set()
    for spec in specs:
        if spec.kind != "search_feed":
            continue
        engine, phrases = search_phrases(spec)
        if engine is not None:
            found.update((engine, phrase) for phrase in phrases)
    return [
        f"{engine}: {form}"
        for form in forms
        for engine in SEARCH_TEMPLATES
        if (engine, form) not in found
    ]


def malformed_search_feeds(specs: Iterable[SourceSpec]) -> list[str]:
    """Search feeds whose URL is not the engine's URL form with one quoted, fully
    percent-encoded phrase (as the existing entries are written)."""
    problems = []
    for spec in specs:
        if spec.kind != "search_feed":
            continue
        query = parse_qs(urlsplit(spec.url).query).get("q", [""])
        expected = {
            template.format(q=quote(query[0], safe="")) for template in SEARCH_TEMPLATES.values()
        }
        if spec.url not in expected or not _QUOTED.fullmatch(query[0]):
            problems.append(spec.name)
    return problems


# ---------------------------------------------------------------------------
# The shipped registry
# ---------------------------------------------------------------------------


def test_every_outlet_is_in_the_outlet_registry() -> None:
    assert unknown_outlets(SPECS, OUTLETS) == []


def test_names_and_urls_are_unique() -> None:
    assert duplicates(s.name for s in SPECS) == []
    assert duplicates(s.url for s in SPECS) == []


def test_every_publication_type_group_has_a_source() -> None:
    assert missing_groups(SPECS, OUTLETS) == []
    assert institute_feeds(SPECS, OUTLETS), "no feed of the institute's own news"


def test_trade_subjects_are_trade_outlets_of_the_registry() -> None:
    """The subject lists above stay honest: every name is a trade outlet of the registry."""
    for names in TRADE_SUBJECTS.values():
        assert {n for n in names if OUTLETS.get(n) is None} == set()
        assert {n for n in names if OUTLETS[n].publication_type != "trade"} == set()


def test_there_is_a_sitemap_source() -> None:
    assert sitemaps(SPECS)


def test_every_rapporteur_name_form_has_google_and_bing_search_feeds() -> None:
    forms = rapporteur_forms(WATCHLIST)
    assert "conny rijken" in forms and "nationaal rapporteur" in forms
    assert not {"nrm", "rapporteur", "national rapporteur", "rijken"} & set(forms)
    assert missing_search_feeds(SPECS, forms) == []


def test_search_feeds_use_one_url_form_per_engine() -> None:
    assert malformed_search_feeds(SPECS) == []


# ---------------------------------------------------------------------------
# Each check fails on a registry with the gap it looks for
# ---------------------------------------------------------------------------


def _without(predicate: Callable[[SourceSpec], bool]) -> list[SourceSpec]:
    return [s for s in SPECS if not predicate(s)]


def _group_of(spec: SourceSpec) -> OutletEntry | None:
    return OUTLETS.get(spec.outlet) if spec.outlet else None


@pytest.mark.parametrize(
    "group",
    [
        "national",
        "regional (DPG Media)",
        "regional (Mediahuis)",
        "regional broadcaster",
        "trade press",
        "trade press: police",
        "trade press: youth care",
        "partner organisation",
        "institute's own site",
    ],
)
def test_missing_groups_finds_a_removed_group(group: str) -> None:
    member = publication_groups(OUTLETS)[group]
    specs = _without(lambda s: (entry := _group_of(s)) is not None and member(entry))
    assert group in missing_groups(specs, OUTLETS)


def test_checks_find_gaps() -> None:
    first = SPECS[0]
    assert unknown_outlets([*SPECS, replace(first, url="https://x.nl/", outlet="Nope")], OUTLETS)
    assert unknown_outlets([replace(first, outlet=None)], OUTLETS)
    assert duplicates(s.name for s in [*SPECS, replace(first, name=first.name.upper())])
    assert duplicates(s.url for s in [*SPECS, replace(first, name="Dubbel")])
    institute = _institute(OUTLETS)
    assert not institute_feeds(_without(lambda s: s.outlet == institute), OUTLETS)
    assert not sitemaps(_without(lambda s: s.kind == "sitemap"))

    forms = rapporteur_forms(WATCHLIST)
    no_bing = _without(lambda s: s.name == "Bing News: Conny Rijken")
    assert missing_search_feeds(no_bing, forms) == ["Bing News: conny rijken"]
    # A longer phrase holding the form is no feed for the form.
    no_short = _without(lambda s: s.name == "Google News: Nationaal Rapporteur")
    assert missing_search_feeds(no_short, forms) == ["Google News: nationaal rapporteur"]
    # A form added to the watchlist needs its own feeds.
    added = replace(WATCHLIST, forms=(*WATCHLIST.forms, "rapporteur kinderhandel"))
    assert missing_search_feeds(SPECS, rapporteur_forms(added)) == [
        "Google News: rapporteur kinderhandel",
        "Bing News: rapporteur kinderhandel",
    ]
    unquoted = replace(
        first,
        kind="search_feed",
        outlet=None,
        url="https://www.bing.com/news/search?q=Conny Rijken&format=rss&setlang=nl-NL&cc=NL",
    )
    assert malformed_search_feeds([unquoted]) == [first.name]
