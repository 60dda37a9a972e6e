"""Reprint detection: hand-written Dutch cases, policies, incremental updates, batch
equivalence, and precision/recall on the labelled set ``tests/data/reprints.jsonl``."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from classifiers.outlets import OutletRegistry
from classifiers.reprints import (
    METHOD_ARTICLE_ID,
    METHOD_STORY,
    METHOD_TEXT,
    METHOD_WIRE,
    RULE_VERSION,
    ItemId,
    ReprintIndex,
    ReprintItem,
    ReprintLink,
    agency_markers,
    detect_reprints,
    detect_reprints_per_policy,
)
from classifiers.shingles import (
    TextSketch,
    shared_shingles,
    shared_shingles_many,
    shingle_hashes,
)
from classifiers.urls import article_key, canonical_url

LABELLED = Path(__file__).resolve().parent / "data" / "reprints.jsonl"
T0 = datetime(2025, 10, 17, 4, 0, tzinfo=UTC)

JAARCIJFERS = [
    "Het aantal gemelde mogelijke slachtoffers van mensenhandel is vorig jaar gestegen tot "
    "ruim 2200. Dat blijkt uit de jaarcijfers die de Nationaal Rapporteur Mensenhandel "
    "dinsdag publiceert. Vooral het aantal meldingen van arbeidsuitbuiting nam flink toe, "
    "van 640 naar bijna 900.",
    "Volgens de rapporteur zegt de stijging niet alleen iets over de omvang van het "
    "probleem, maar ook over de aandacht ervoor. Inspecteurs, gemeenten en hulpverleners "
    "herkennen signalen beter dan een paar jaar geleden. Tegelijk blijft een groot deel van "
    "de slachtoffers buiten beeld, omdat zij zich niet melden uit angst of schaamte.",
    "“We weten dat we maar het topje van de ijsberg zien,” zegt Nationaal Rapporteur Conny "
    "Rijken. “Wie in de kassen, de distributiecentra of de vleesverwerking werkt en "
    "afhankelijk is van zijn werkgever voor een bed, durft niet te klagen.”",
    "Opvallend is het aantal minderjarige slachtoffers van seksuele uitbuiting. Dat bleef "
    "met ongeveer driehonderd vrijwel gelijk, maar de politie ziet dat jongeren steeds "
    "vaker via sociale media worden benaderd door loverboys en netwerken die hen "
    "doorverkopen aan klanten in andere steden.",
    "De rapporteur pleit voor een landelijk dekkend netwerk van zorgcoördinatoren en voor "
    "meer capaciteit bij de Arbeidsinspectie. Nu verschilt het sterk per regio of een "
    "slachtoffer snel hulp en onderdak krijgt. In sommige gemeenten duurt het maanden "
    "voordat een geschikte opvangplek beschikbaar is.",
    "Het ministerie van Justitie en Veiligheid laat weten de cijfers serieus te nemen. Het "
    "kabinet stuurt in het voorjaar een reactie naar de Tweede Kamer, waarin ook de "
    "voorstellen voor strengere regels voor uitzendbureaus worden besproken.",
]

WIRE = [
    "DEN HAAG (ANP) - Meldingen over seksueel misbruik van kinderen worden te vaak niet of "
    "pas na lange tijd onderzocht. Dat concludeert de Nationaal Rapporteur in een rapport "
    "over de zedenketen dat donderdag is verschenen. Bij een op de vijf meldingen duurde "
    "het meer dan een jaar voordat de politie een verdachte had verhoord.",
    "De rapporteur onderzocht ruim vierhonderd dossiers uit drie politie-eenheden. In veel "
    "zaken lag een melding maandenlang op de plank omdat er geen rechercheurs beschikbaar "
    "waren. Ouders en scholen kregen in die periode nauwelijks te horen wat er met hun "
    "aangifte gebeurde, en sommige slachtoffers trokken hun verklaring later weer in.",
    "Volgens het rapport ontbreekt het aan een landelijke werkwijze om meldingen te wegen. "
    "Iedere eenheid maakt eigen keuzes, waardoor een vergelijkbare zaak in Limburg anders "
    "wordt behandeld dan in Amsterdam. De rapporteur wil dat het Openbaar Ministerie en de "
    "politie binnen een jaar gezamenlijke richtlijnen opstellen.",
    "De politie erkent dat de capaciteit van de zedenrecherche onder druk staat. Een "
    "woordvoerder zegt dat er dit jaar extra rechercheurs worden opgeleid, maar dat het "
    "tijd kost voordat zij zelfstandig zaken kunnen oppakken.",
    "Het ministerie van Justitie en Veiligheid zegt extra geld uit te trekken voor de "
    "zedenpolitie. Minister en Kamer spreken volgende maand over het rapport. ANP",
]

NOS_OWN = [
    "Steeds meer mensen worden in Nederland uitgebuit op het werk. De Nationaal Rapporteur "
    "telde vorig jaar bijna negenhonderd meldingen van arbeidsuitbuiting, een forse "
    "toename. In de land- en tuinbouw en in de logistiek gaat het vaak om arbeidsmigranten "
    "uit Oost-Europa die via uitzendbureaus hier komen werken.",
    "Een van hen is de Roemeense Andrei, die anoniem wil blijven. Hij werkte twee jaar in "
    "een distributiecentrum in Venlo en sliep met zeven collega's in een rijtjeshuis. Van "
    "zijn loon hield hij na aftrek van huur, vervoer en boetes soms nog geen tweehonderd "
    "euro per maand over.",
    "“We weten dat we maar het topje van de ijsberg zien,” zegt Nationaal Rapporteur Conny "
    "Rijken. Zij wil dat werkgevers die via malafide bureaus personeel inhuren zelf "
    "aansprakelijk worden voor misstanden.",
    "De Algemene Bond Uitzendondernemingen zegt dat de branche zelf al strenger "
    "controleert. Brancheorganisatie en vakbonden zijn het erover eens dat de verplichte "
    "certificering van uitzendbureaus, die al twee keer is uitgesteld, er snel moet komen.",
]

RTL_OWN = [
    "Het aantal meldingen van mensenhandel is opnieuw gestegen. Dat meldt de Nationaal "
    "Rapporteur in haar jaarlijkse overzicht. Hulpverleners in Rotterdam en Den Haag zien "
    "de toename ook in hun eigen praktijk, vertellen ze aan RTL Nieuws.",
    "In een opvanghuis in Rotterdam wonen op dit moment twaalf vrouwen die uit de "
    "prostitutie zijn gestapt. De wachtlijst is lang: wie zich nu meldt, moet soms weken "
    "wachten op een plek. Een medewerker vertelt dat de meeste vrouwen via internet zijn "
    "geronseld met beloftes over werk in de horeca.",
    "“We weten dat we maar het topje van de ijsberg zien,” zegt Nationaal Rapporteur Conny "
    "Rijken. Gemeenten zouden volgens haar verplicht moeten worden om voldoende "
    "opvangplekken aan te bieden, zodat slachtoffers niet tussen wal en schip vallen.",
    "Politici van coalitie en oppositie reageren geschrokken en willen dat de minister nog "
    "voor de zomer met een plan komt om de opvang te verbeteren.",
]

REGIONAL_OWN = [
    "In een loods aan de rand van Oss heeft de Arbeidsinspectie dinsdag achttien "
    "arbeidsmigranten aangetroffen die daar ook sliepen. De mannen, afkomstig uit Moldavië "
    "en Oekraïne, werkten in een nabijgelegen champignonkwekerij. Volgens de inspectie "
    "waren de omstandigheden mensonwaardig.",
    "Buurtbewoners hadden al maanden het vermoeden dat er iets niet klopte. Elke ochtend om "
    "vijf uur reed een busje met werknemers weg en 's avonds laat kwamen ze terug. Een "
    "bewoner zegt dat hij de gemeente twee keer heeft gebeld, maar dat er niets gebeurde.",
    "De gemeente Oss laat weten dat de loods niet is bedoeld voor bewoning en dat de "
    "eigenaar een dwangsom krijgt. De arbeidsmigranten zijn tijdelijk ondergebracht in een "
    "hotel. De politie onderzoekt of er sprake is van arbeidsuitbuiting.",
    "De eigenaar van de kwekerij was niet bereikbaar voor commentaar. Het bedrijf werkt "
    "volgens de inspectie met een uitzendbureau uit Venlo dat eerder een waarschuwing "
    "kreeg.",
]


def item(
    item_id: ItemId,
    outlet: str,
    publication_type: str,
    hours: float,
    paragraphs: list[str],
    *,
    title: str = "Rapporteur: meer slachtoffers mensenhandel",
    group: str | None = None,
    key: str | None = None,
) -> ReprintItem:
    return ReprintItem(
        id=item_id,
        outlet=outlet,
        publication_type=publication_type,
        publisher_group=group,
        published_at=T0 + timedelta(hours=hours),
        title=title,
        text="\n\n".join(paragraphs),
        article_key=key,
    )


def rephrase(paragraphs: list[str]) -> list[str]:
    """The first paragraph with two words changed, as an editor would."""
    return [paragraphs[0].replace("flink toe", "sterk toe"), *paragraphs[1:]]


def targets(links: dict[ItemId, ReprintLink]) -> dict[ItemId, ItemId]:
    return {item_id: link.original_id for item_id, link in links.items()}


# -- hand-written cases -------------------------------------------------------------------


def dpg_case() -> list[ReprintItem]:
    key = "dpg:86fe52b"
    return [
        item("ad", "AD", "national", 2, JAARCIJFERS, group="DPG Media", key=key),
        item(
            "ed",
            "Eindhovens Dagblad",
            "regional",
            2.5,
            rephrase(JAARCIJFERS[:-1]),
            title="Meer meldingen van uitbuiting op de werkvloer",
            group="DPG Media",
            key=key,
        ),
        item(
            "gld",
            "De Gelderlander",
            "regional",
            3,
            JAARCIJFERS,
            title="Rapporteur ziet topje van de ijsberg",
            group="DPG Media",
            key=key,
        ),
    ]


def test_dpg_regional_copies_share_the_article_id() -> None:
    links = detect_reprints(dpg_case())
    assert targets(links) == {"ed": "ad", "gld": "ad"}
    for link in links.values():
        assert link.method == METHOD_ARTICLE_ID
        assert link.score == 1.0
        assert "~a86fe52b" in link.reason
        assert link.rule_version == RULE_VERSION


def test_regional_copy_without_id_found_by_containment_of_trimmed_text() -> None:
    items = [
        item("ad", "AD", "national", 2, JAARCIJFERS, group="DPG Media", key="dpg:86fe52b"),
        item(
            "nhd",
            "Noordhollands Dagblad",
            "regional",
            6,
            JAARCIJFERS[:4],  # last two paragraphs trimmed
            title="Uitbuiting op de werkvloer neemt toe",
            group="Mediahuis",
            key="mediahuis:dmf20251017_95527104",
        ),
    ]
    link = detect_reprints(items)["nhd"]
    assert link.original_id == "ad"
    assert link.method == METHOD_TEXT
    assert link.score >= 0.95
    assert link.reason.startswith(f"text containment {link.score:.2f} (title similarity ")


def test_regional_brief_of_the_opening_paragraph_is_a_reprint() -> None:
    # Containment 1.0 but Jaccard similarity ~0.15 over the whole text: found through the
    # signature of the opening.
    items = [
        item("ad", "AD", "national", 2, JAARCIJFERS, group="DPG Media"),
        item("lc", "Leeuwarder Courant", "regional", 5, JAARCIJFERS[:1], title="Kort"),
    ]
    link = detect_reprints(items)["lc"]
    assert (link.original_id, link.method) == ("ad", METHOD_TEXT)
    assert link.score >= 0.95


def wire_case() -> list[ReprintItem]:
    def trimmed(count: int) -> list[str]:
        return WIRE[:count]

    title = "Meldingen kindermisbruik blijven te lang liggen"
    return [
        item("nu", "NU.nl", "national", 6, WIRE, title=title, group="DPG Media"),
        item(
            "telegraaf",
            "De Telegraaf",
            "national",
            6.5,
            WIRE,
            title="Politie laat meldingen misbruik liggen",
            group="Mediahuis",
        ),
        item("lc", "Leeuwarder Courant", "regional", 7, trimmed(4), group="Mediahuis"),
        item("dvhn", "Dagblad van het Noorden", "regional", 8, trimmed(3), group="Mediahuis"),
        item("limburger", "De Limburger", "regional", 9, WIRE, title=title, group="Mediahuis"),
    ]


def test_anp_wire_copy_on_national_and_regional_sites() -> None:
    links = detect_reprints(wire_case())
    assert targets(links) == {"lc": "nu", "dvhn": "nu", "limburger": "nu"}
    assert {link.method for link in links.values()} == {METHOD_WIRE}
    assert all(link.reason.startswith("ANP wire copy: text containment") for link in links.values())


def test_agency_marker_on_both_lowers_the_containment_needed() -> None:
    # The regional paper keeps two wire paragraphs and adds three of its own: containment
    # 0.49, under the plain threshold (0.50), over the wire threshold (0.35).
    nu = item("nu", "NU.nl", "national", 0, WIRE, title="Misbruikmeldingen blijven liggen")
    with_marker = WIRE[:2] + REGIONAL_OWN[:3]
    regional = item("lc", "Leeuwarder Courant", "regional", 2, with_marker, title="Zedenzaken")
    link = detect_reprints([nu, regional])["lc"]
    assert (link.original_id, link.method) == ("nu", METHOD_WIRE)
    assert 0.35 <= link.score < 0.5
    without_marker = [with_marker[0].replace(" (ANP)", ""), *with_marker[1:]]
    unmarked = item("lc", "Leeuwarder Courant", "regional", 2, without_marker, title="Zedenzaken")
    assert detect_reprints([nu, unmarked]) == {}
    # A near-identical title lets a containment just under the threshold count.
    same_title = replace(unmarked, title="Misbruikmeldingen blijven liggen!")
    link = detect_reprints([nu, same_title])["lc"]
    assert link.method == METHOD_TEXT
    assert "near-identical title supports containment under 0.50" in link.reason


def test_story_policy_counts_the_wire_copy_once() -> None:
    links = detect_reprints(wire_case(), policy="story")
    assert targets(links) == {"telegraaf": "nu", "lc": "nu", "dvhn": "nu", "limburger": "nu"}


def test_one_index_decides_each_policy_as_an_index_of_its_own() -> None:
    items = [*wire_case(), *regional_group()]
    per_policy = detect_reprints_per_policy(items, policies=["story", "regional_of_national"])
    for policy in ("regional_of_national", "story"):
        assert per_policy[policy] == detect_reprints(items, policy=policy)
    assert per_policy["story"] != per_policy["regional_of_national"]


def test_deciding_under_another_policy_leaves_the_index_as_it_was() -> None:
    index = ReprintIndex(policy="regional_of_national")
    index.add_many([*wire_case(), *regional_group()])
    before = index.links()
    assert index.links_under("story") != before
    assert index.links() == before
    with pytest.raises(ValueError, match="unknown reprint policy"):
        index.links_under("newest")


def test_independent_national_coverage_of_one_report_is_not_a_match() -> None:
    items = [
        item("ad", "AD", "national", 2, JAARCIJFERS, group="DPG Media"),
        item("nos", "NOS", "national", 3, NOS_OWN, group="NPO"),
        item("rtl", "RTL Nieuws", "national", 4, RTL_OWN, group="RTL Nederland"),
    ]
    for policy in ("regional_of_national", "story"):
        assert detect_reprints(items, policy=policy) == {}


def test_same_title_alone_never_makes_a_reprint() -> None:
    title = "Rapporteur: aanpak mensenhandel schiet tekort"
    items = [
        item("nos", "NOS", "national", 1, NOS_OWN, title=title),
        item("rtvu", "RTV Utrecht", "regional", 2, REGIONAL_OWN, title=title),
    ]
    assert detect_reprints(items) == {}


def test_regional_published_before_its_national_original_is_still_its_reprint() -> None:
    items = [
        item("tubantia", "Tubantia", "regional", 0, JAARCIJFERS[:5], group="DPG Media"),
        item("ad", "AD", "national", 3, JAARCIJFERS, group="DPG Media"),
    ]
    assert targets(detect_reprints(items)) == {"tubantia": "ad"}


def regional_group() -> list[ReprintItem]:
    return [
        item(
            "ob", "Omroep Brabant", "regional", 0, REGIONAL_OWN, title="Arbeidsmigranten in loods"
        ),
        item("bd", "Brabants Dagblad", "regional", 2, REGIONAL_OWN[:3], title="Loods in Oss"),
        item("ed", "Eindhovens Dagblad", "regional", 5, REGIONAL_OWN, title="Inval in Oss"),
    ]


def test_regional_only_group_links_to_its_earliest_regional_item() -> None:
    links = detect_reprints(regional_group())
    assert targets(links) == {"bd": "ob", "ed": "ob"}


def test_same_text_outside_the_window_is_not_a_reprint() -> None:
    items = [
        item("ad", "AD", "national", 0, JAARCIJFERS),
        item("pzc", "PZC", "regional", 20 * 24, JAARCIJFERS),
    ]
    assert detect_reprints(items) == {}
    inside = [items[0], item("pzc", "PZC", "regional", 13 * 24, JAARCIJFERS)]
    assert targets(detect_reprints(inside)) == {"pzc": "ad"}
    assert targets(detect_reprints(items, window_days=30)) == {"pzc": "ad"}


def test_national_arriving_after_its_regional_reprints_takes_over_the_group() -> None:
    index = ReprintIndex()
    for regional in regional_group():
        index.add(regional)
    assert targets(index.links()) == {"bd": "ob", "ed": "ob"}
    national = item("nos", "NOS", "national", 1, REGIONAL_OWN, title="Achttien migranten in loods")
    changed = index.add(national)
    assert changed == {"ob", "bd", "ed"}
    assert targets(index.links()) == {"ob": "nos", "bd": "nos", "ed": "nos"}


def test_member_without_a_national_match_of_its_own_follows_its_group() -> None:
    # bd keeps the middle paragraphs of ob; the national item has the first and the last.
    # bd matches no national item itself, but copies ob, which copies the national.
    national = item("nos", "NOS", "national", 1, REGIONAL_OWN[::3], title="Loods")
    group = regional_group()
    group[1] = item("bd", "Brabants Dagblad", "regional", 2, REGIONAL_OWN[1:3], title="Oss")
    links = detect_reprints([*group, national])
    assert targets(links) == {"ob": "nos", "bd": "nos", "ed": "nos"}
    assert links["bd"].method == METHOD_STORY
    assert "ob (Omroep Brabant)" in links["bd"].reason
    assert links["bd"].reason.startswith("same story through 1 item(s): bd (Brabants Dagblad) ~")


def test_remove_of_an_original_repoints_or_clears_links() -> None:
    index = ReprintIndex()
    index.add_many(wire_case())
    assert index.remove("nu") == {"lc", "dvhn", "limburger"}
    assert targets(index.links()) == {
        "lc": "telegraaf",
        "dvhn": "telegraaf",
        "limburger": "telegraaf",
    }
    assert index.remove("telegraaf") == {"lc", "dvhn", "limburger"}
    # Regional copies of one wire text, no national left: one group, earliest regional.
    assert targets(index.links()) == {"dvhn": "lc", "limburger": "lc"}
    assert index.remove("dvhn") == {"dvhn"}
    assert index.remove("lc") == {"limburger"}
    assert index.links() == {}
    assert index.remove("unknown") == set()
    assert len(index) == 1


def test_replacing_an_item_updates_its_links() -> None:
    index = ReprintIndex()
    index.add_many(dpg_case())
    rewritten = item("gld", "De Gelderlander", "regional", 3, REGIONAL_OWN, group="DPG Media")
    assert index.add(rewritten) == {"gld"}
    assert targets(index.links()) == {"ed": "ad"}


def test_explanations_name_method_and_score() -> None:
    index = ReprintIndex()
    index.add_many([*dpg_case(), *wire_case()])
    for link in index.links().values():
        assert link.method in (METHOD_ARTICLE_ID, METHOD_TEXT, METHOD_WIRE, METHOD_STORY)
        assert 0.0 < link.score <= 1.0
        if link.method == METHOD_ARTICLE_ID:
            assert link.reason.startswith("same DPG article id ~a")
        else:
            assert f"text containment {link.score:.2f}" in link.reason
            assert "title similarity" in link.reason


def test_text_is_normalised_before_shingling() -> None:
    plain = 'De rapporteur zegt: "Een reele zorg" - over naieve klanten en cafes in Den Haag'
    fancy = "De Rapporteur zegt: “Eén reële zorg” – over naïeve klanten en cafés in Den&nbsp;Haag"
    assert list(shingle_hashes(plain)) == list(shingle_hashes(fancy))


def test_shingle_hashes_are_the_same_in_every_process() -> None:
    text = "Nationaal Rapporteur Conny Rijken zegt dat de aanpak tekortschiet."
    here = [int(value) for value in shingle_hashes(text)]
    code = (
        "from classifiers.shingles import shingle_hashes;"
        f"print([int(v) for v in shingle_hashes({text!r})])"
    )
    other = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
        cwd=Path(__file__).resolve().parents[1],
    )
    assert json.loads(other.stdout) == here


def test_many_pairs_at_once_share_what_each_pair_shares() -> None:
    rng = random.Random(7)
    vocabulary = [f"woord{n}" for n in range(400)]
    texts = [" ".join(rng.choices(vocabulary, k=rng.randint(0, 300))) for _ in range(12)]
    texts += [texts[3], texts[4][: len(texts[4]) // 2], ""]  # a copy, a trimmed copy, empty
    prints = [TextSketch.of(text).fingerprints for text in texts]
    pairs = [(prints[a], prints[b]) for a in range(len(prints)) for b in range(len(prints))]
    expected = [shared_shingles(a, b) for a, b in pairs]
    assert shared_shingles_many(pairs) == expected
    assert max(expected) > 100 and 0.0 in expected  # copies share much, empty texts nothing


@pytest.mark.parametrize(
    ("text", "agencies"),
    [
        ("DEN HAAG (ANP) - Het kabinet trekt extra geld uit.", 1),
        ("ANP - Het kabinet trekt extra geld uit.", 1),
        ("Het kabinet trekt extra geld uit voor de zedenpolitie. ANP", 1),
        ("Het kabinet trekt extra geld uit voor de zedenpolitie. (Bron: ANP)", 1),
        ("AMSTERDAM (Novum) - De politie heeft een man aangehouden.", 2),
        ("Het kabinet trekt extra geld uit voor de zedenpolitie. Foto: ANP", 0),
        ("De AP legt een boete op aan het bedrijf.", 0),
        ("Het kabinet trekt extra geld uit voor de zedenpolitie.", 0),
    ],
)
def test_agency_markers(text: str, agencies: int) -> None:
    assert agency_markers(text) == agencies


def test_invalid_input_is_rejected() -> None:
    with pytest.raises(ValueError, match="policy"):
        ReprintIndex(policy="unique")
    naive = ReprintItem(1, "AD", "national", None, datetime(2025, 1, 1), "t", "x", None)
    with pytest.raises(ValueError, match="timezone"):
        ReprintIndex().add(naive)


# -- incremental equals batch -------------------------------------------------------------

WORDS_TEXT = (
    "de het een van in op met voor niet aan bij door over uit naar tegen zonder slachtoffers "
    "mensenhandel uitbuiting politie gemeente rapport minister kabinet rechter zaak jaar "
    "cijfers opvang hulp werkgevers uitzendbureaus woning arbeidsmigranten signalen aanpak "
    "wet toezicht inspectie netwerk prostitutie jongeren ouders school loon schuld risico "
    "brief debat plan regio stad wijk bewoners kas loods bus nacht ochtend maand week"
)
WORDS = WORDS_TEXT.split()


def random_story_items(seed: int) -> list[ReprintItem]:
    """A small random corpus of stories with national, regional and wire copies."""
    rng = random.Random(seed)
    outlets = [
        ("AD", "national", "DPG Media"),
        ("NU.nl", "national", "DPG Media"),
        ("NOS", "national", "NPO"),
        ("PZC", "regional", "DPG Media"),
        ("Tubantia", "regional", "DPG Media"),
        ("Leidsch Dagblad", "regional", "Mediahuis"),
        ("De Limburger", "regional", "Mediahuis"),
        ("Omroep Brabant", "regional", "Regionale Publieke Omroep"),
        ("Advocatenblad", "trade", None),
    ]
    items: list[ReprintItem] = []

    def paragraphs() -> list[str]:
        return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 60))) for _ in range(5)]

    for story in range(12):
        base = paragraphs()
        start = rng.uniform(0, 40 * 24)
        key = f"dpg:{story:07x}" if rng.random() < 0.4 else None
        wire = rng.random() < 0.3
        if wire:
            base[0] = "DEN HAAG (ANP) - " + base[0]
        for copy in range(rng.randint(1, 5)):
            outlet, kind, group = rng.choice(outlets)
            first = rng.randint(0, 3)
            text = base[first : rng.randint(first + 2, 5)]  # copies may not overlap: chains
            if rng.random() < 0.3:
                text = [*text[:-1], " ".join(rng.choice(WORDS) for _ in range(40))]
            items.append(
                ReprintItem(
                    id=f"s{story}c{copy}" if rng.random() < 0.5 else story * 10 + copy,
                    outlet=outlet,
                    publication_type=kind,
                    publisher_group=group,
                    # equal timestamps now and then, to exercise the tie-break by id
                    published_at=T0 + timedelta(hours=4 * round((start + rng.uniform(-4, 20)) / 4)),
                    title=" ".join(rng.choice(WORDS) for _ in range(6)),
                    text="\n\n".join(text),
                    article_key=key if rng.random() < 0.7 else None,
                )
            )
    return items


def add_in_order(
    items: Iterable[ReprintItem], *, policy: str, seed: int
) -> dict[ItemId, ReprintLink]:
    """Add in a shuffled order, some in chunks, removing and re-adding some on the way."""
    rng = random.Random(seed)
    index = ReprintIndex(policy=policy)
    pending = list(items)
    by_id = {i.id: i for i in pending}
    rng.shuffle(pending)
    while pending:
        if rng.random() < 0.2:  # now and then a whole chunk at once
            chunk, pending = pending[:5], pending[5:]
            index.add_many(chunk)
        else:
            index.add(pending.pop())
        if rng.random() < 0.1 and len(index):  # remove one and put it back later
            victim = rng.choice(sorted(index, key=str))
            index.remove(victim)
            pending.insert(rng.randrange(len(pending) + 1), by_id[victim])
    return index.links()


@pytest.mark.parametrize("policy", ["regional_of_national", "story"])
@pytest.mark.parametrize("corpus_seed", range(4))
def test_incremental_in_any_order_equals_batch(policy: str, corpus_seed: int) -> None:
    items = [
        *random_story_items(corpus_seed),
        *dpg_case(),
        *wire_case(),
        *(replace(regional, id=f"group-{regional.id}") for regional in regional_group()),
    ]
    assert len({i.id for i in items}) == len(items)
    batch = detect_reprints(items, policy=policy)
    assert batch, "the corpus should contain reprints"
    for order_seed in range(12):
        assert add_in_order(items, policy=policy, seed=order_seed) == batch


def test_changes_report_exactly_the_links_that_changed() -> None:
    items = [*random_story_items(7), *wire_case()]
    rng = random.Random(3)
    rng.shuffle(items)
    index = ReprintIndex()
    before: dict[ItemId, ReprintLink] = {}
    for new in items:
        changed = index.add(new)
        after = index.links()
        expected = {i for i in set(before) | set(after) if before.get(i) != after.get(i)}
        assert changed == expected
        before = after


# -- the labelled set ---------------------------------------------------------------------


def labelled_items() -> tuple[list[ReprintItem], dict[ItemId, ItemId | None]]:
    registry = OutletRegistry.default()
    items: list[ReprintItem] = []
    expected: dict[ItemId, ItemId | None] = {}
    with LABELLED.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            row = json.loads(line)
            url = canonical_url(row["url"])
            outlet = registry.match(url)
            items.append(
                ReprintItem(
                    id=row["id"],
                    outlet=outlet.outlet,
                    publication_type=outlet.publication_type,
                    publisher_group=outlet.publisher_group,
                    published_at=datetime.fromisoformat(row["published_at"]),
                    title=row["title"],
                    text=row["text"],
                    article_key=article_key(url),
                )
            )
            expected[row["id"]] = row["reprint_of"]
    return items, expected


@pytest.mark.skipif(not LABELLED.exists(), reason="tests/data/reprints.jsonl not present")
def test_labelled_set_precision_and_recall() -> None:
    items, expected = labelled_items()
    links = detect_reprints(items)
    found = {(item_id, link.original_id) for item_id, link in links.items()}
    wanted = {(item_id, original) for item_id, original in expected.items() if original}
    correct = len(found & wanted)
    precision = correct / len(found) if found else 1.0
    recall = correct / len(wanted) if wanted else 1.0
    print(  # noqa: T201 - the figures are part of the evaluation
        f"\nreprints.jsonl: {len(items)} items, {len(wanted)} labelled reprints, "
        f"{len(found)} found, precision {precision:.3f}, recall {recall:.3f}"
    )
    wrong = sorted(found - wanted, key=str) + sorted(wanted - found, key=str)
    assert precision >= 0.98, wrong
    assert recall >= 0.95, wrong


@pytest.mark.skipif(not LABELLED.exists(), reason="tests/data/reprints.jsonl not present")
def test_labelled_set_in_any_order() -> None:
    items, _ = labelled_items()
    batch = detect_reprints(items)
    for seed in range(3):
        shuffled = list(items)
        random.Random(seed).shuffle(shuffled)
        index = ReprintIndex()
        for labelled in shuffled:
            index.add(labelled)
        assert index.links() == batch
