"""Mention detection rules, one behaviour a test (the labelled sets measure the whole)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from classifiers.mentions import MentionDetector, _pattern, _phrase_regex
from classifiers.text import fold
from classifiers.watchlist import load_watchlist, parse_watchlist

DETECTOR = MentionDetector(load_watchlist())
IN_2025 = datetime(2025, 4, 3, tzinfo=UTC)


def forms(body: str, *, title: str = "", when: datetime = IN_2025) -> list[str]:
    return [hit.form for hit in DETECTOR.detect(title=title, body=body, published_at=when)]


@pytest.mark.parametrize(
    "body",
    [
        "De Nationaal-Rapporteur Mensen-\nhandel waarschuwt.",
        "De NATIONAAL RAPPORTEUR MENSENHANDEL waarschuwt.",
        "De Nationaal Rap\u00adporteur Mensenhandel waarschuwt.",
        "De Nationaal&nbsp;Rapporteur Mensenhandel waarschuwt.",
        "De Nationaal\nRapporteur\nMensenhandel waarschuwt.",
    ],
)
def test_spelling_variants_are_one_form(body: str) -> None:
    assert forms(body) == ["nationaal rapporteur mensenhandel"]


@pytest.mark.parametrize(
    "spelled", ["rappor-\nteur", "rapport&#101;ur", "Rapport\u00e9ur", "RAPPORTEUR"]
)
def test_a_form_spelled_out_only_once_decoded_or_joined_is_found(spelled: str) -> None:
    assert forms(f"De {spelled} zag meer slachtoffers van mensenhandel.") == ["rapporteur"]


@pytest.mark.parametrize(
    "body",
    [
        "De VN-rapporteur voor mensenhandel bezocht Nederland.",
        "De speciaal rapporteur van de VN over mensenhandel was kritisch.",
        "De Belgische nationaal rapporteur mensenhandel publiceerde cijfers.",
        "Myria, dat als nationaal rapporteur mensenhandel optreedt, waarschuwt voor uitbuiting.",
        "De rapporteur van het Europees Parlement wil strengere regels tegen kindermisbruik.",
        "Kamerlid De Vries is rapporteur voor het wetsvoorstel tegen uitbuiting.",
        "De Nationaal Coördinator Terrorismebestrijding verhoogt het dreigingsniveau.",
        "The Finnish National Rapporteur on Trafficking published a report.",
    ],
)
def test_other_offices_never_count(body: str) -> None:
    assert forms(body) == []


def test_lone_rapporteur_needs_the_office_in_the_text_or_its_subject_nearby() -> None:
    assert forms("De rapporteur zag meer slachtoffers van mensenhandel.") == ["rapporteur"]
    assert forms("De rapporteur van de wielerbond noemde de koers zwaar.") == []
    assert forms("De Nationaal Rapporteur publiceert. De rapporteur is kritisch.") == [
        "nationaal rapporteur",
        "rapporteur",
    ]


def test_office_holders_count_in_their_term_or_with_the_title() -> None:
    assert forms("Conny Rijken presenteert de cijfers.") == ["conny rijken"]
    assert forms("Conny Rijken geeft college.", when=datetime(2019, 5, 1, tzinfo=UTC)) == []
    assert forms("Herman Bolhaar leidt de commissie.") == []
    assert forms("Oud-rapporteur Herman Bolhaar reageert.") == ["oud rapporteur herman bolhaar"]
    assert forms("Herman Bolhaar waarschuwt.", when=datetime(2019, 1, 1, tzinfo=UTC)) == [
        "herman bolhaar"
    ]


def test_surname_only_after_a_full_mention_and_only_for_that_person() -> None:
    assert forms("Rijken wil meer opsporing.") == []
    assert forms("Conny Rijken spreekt. Volgens Rijken moet het beter.") == [
        "conny rijken",
        "rijken",
    ]
    assert forms("Conny Rijken spreekt. Ook advocaat Tim Rijken was er.") == ["conny rijken"]
    assert forms("Conny Rijken spreekt. De rijken betalen minder.") == ["conny rijken"]


def test_abbreviation_only_in_capitals_and_in_context() -> None:
    assert forms("Volgens het NRM zijn er meer slachtoffers van mensenhandel.") == ["nrm"]
    assert forms("Het nrm-bestand bevat slachtoffers van mensenhandel.") == []
    assert forms("In het VK meldt het NRM, het National Referral Mechanism, meer zaken.") == []


def test_where_role_and_snippet() -> None:
    body = (
        "Het aantal slachtoffers stijgt. " * 20
    ) + "“Dit moet anders”, zegt de Nationaal Rapporteur."
    [title_hit, quoted] = DETECTOR.detect(
        title="Rapporteur: meer slachtoffers van uitbuiting", body=body, published_at=IN_2025
    )
    assert (title_hit.place, title_hit.role) == ("title", "quoted")
    assert (quoted.place, quoted.role) == ("body", "quoted")
    assert len(quoted.snippet) <= 2 * 150 + len(quoted.form) + 2
    assert quoted.snippet.startswith("…") and "zegt de Nationaal Rapporteur" in quoted.snippet
    [cited] = DETECTOR.detect(body="Uit de jaarcijfers van de Nationaal Rapporteur blijkt dat.")
    assert cited.role == "report_cited"
    [passing] = DETECTOR.detect(body="Ook de Nationaal Rapporteur was aanwezig op het congres.")
    assert passing.role == "passing"


def test_the_mechanism_serves_another_organisation() -> None:
    ombudsman = MentionDetector(
        parse_watchlist(
            {
                "name": "De Kinderombudsman",
                "forms": ["kinderombudsman", "kinderombudsvrouw"],
                "weak_forms": ["ombudsman"],
                "holders": [
                    {
                        "name": "Margrite Kalverboer",
                        "forms": ["margrite kalverboer"],
                        "surname": "Kalverboer",
                        "start": "2016-04-01",
                        "end": None,
                    }
                ],
                "context_terms": ["jeugdzorg"],
                "exclusions": ["nationale ombudsman"],
            }
        )
    )
    hits = ombudsman.detect(
        body="De Kinderombudsman en Margrite Kalverboer kritisch over jeugdzorg.",
        published_at=IN_2025,
    )
    assert [h.form for h in hits] == ["kinderombudsman", "margrite kalverboer"]
    assert ombudsman.detect(body="De Nationale ombudsman over belastingen.") == []
    assert ombudsman.detect(body="De Nationaal Rapporteur Mensenhandel.") == []


def test_invalid_watchlist_is_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="invalid watchlist"):
        parse_watchlist({"forms": ["x"]})


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Duitsland heeft sinds kort een eigen nationaal rapporteur mensenhandel.", []),
        ("Zij is nationaal rapporteur voor Nederland bij het FIDE-congres.", []),
        (
            "Volgens de mensenhandelrapporteur stijgt het aantal slachtoffers.",
            ["mensenhandelrapporteur"],
        ),
        ("Volgens de Nationaal Raporteur stijgt het aantal slachtoffers.", ["nationaal raporteur"]),
        (
            "The Netherlands' National Rapporteur published new figures.",
            ["the netherlands' national rapporteur"],
        ),
        (
            "De VN-rapporteur was kritisch. Ook de Nationaal Rapporteur Mensenhandel reageerde.",
            ["nationaal rapporteur mensenhandel"],
        ),
    ],
)
def test_roles_misspellings_and_neighbouring_offices(body: str, expected: list[str]) -> None:
    assert forms(body) == expected


def test_grouped_phrase_alternation_matches_like_the_plain_one() -> None:
    """The phrase regexes group their alternatives by first character for speed; the
    matches must be those of the plain longest-first alternation."""
    phrases = ("nationaal rapporteur", "nationaal rapporteur mensenhandel", "nrm", "rijken", "n")
    plain = "|".join(_pattern(p) for p in sorted(phrases, key=len, reverse=True))
    text = "de nationaal  rapporteur mensenhandel, nrm en n; nationaal rapporteurs; rijkens rijken"
    found = [m.group(0) for m in _phrase_regex(phrases).finditer(text)]
    assert found == [m.group(0) for m in re.finditer(rf"\b(?:{plain})\b", text)]
    assert found == ["nationaal  rapporteur mensenhandel", "nrm", "n", "rijken"]


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Coördinator — „Rapporteur”", 'coordinator   "rapporteur"'),
        ("NATIONAAL\tRAPPORTEUR", "nationaal rapporteur"),
        ("İstanbul, Straße, 😀 Ⓐ", "İstanbul, straße, 😀 Ⓐ"),  # lower-casing would lengthen İ
        ("", ""),
    ],
)
def test_fold_maps_each_character_to_one(text: str, folded: str) -> None:
    assert fold(text) == folded and len(fold(text)) == len(text)
