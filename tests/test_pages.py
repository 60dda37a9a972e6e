"""Article page extraction on the recorded pages (read in place) and on our Dutch pages."""

from __future__ import annotations

import pickle
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import htmldate
import lxml.html
import pytest

from collectors.dates import date_from_url, parse_datetime
from collectors.page_screen import may_mention, normalise_for_screen
from collectors.pages import (
    PageContent,
    decode_html,
    detect_language,
    extract_page,
    paywall_data_attribute,
    paywall_hint_in_marks,
)
from tests.conftest import CORPUS

PAGES = CORPUS / "pages"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pages"
SCREEN = re.compile(rb"rapporteur|rijken|bolhaar|dettmeijer|korvinus|nrm")


def _utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@dataclass(frozen=True)
class Recorded:
    file: str
    url: str  # the original URL from SOURCES.md
    language: str
    published_at: datetime
    source: str
    canonical: str
    completeness: str
    title_fragment: str
    body_fragment: str
    standfirst: str | None = None  # a lead the page sets apart from the article body


# Expected values read from each page's own markup (not from any extractor's output).
RECORDED = [
    Recorded(
        "nieuwsblad-be-dmf20250202_96887132.html",
        "https://www.nieuwsblad.be/cnt/dmf20250202_96887132",
        "nl",  # <html lang="nl-BE">
        # JSON-LD NewsArticle "datePublished": "2025-02-02T20:07:46+01:00" (no
        # article:published_time; article:modified_time and <time> say 19:07:46Z too)
        _utc(2025, 2, 2, 19, 7, 46),
        "jsonld:datePublished",
        "https://www.nieuwsblad.be/cnt/dmf20250202_96887132",
        # <html class="paywall_porous_isEnabled …"> but JSON-LD isAccessibleForFree "True"
        "full",
        "Annelies Verlinden ruilt Binnenlandse Zaken in voor Justitie",
        "opnieuw haar opwachting in de federale regering",
    ),
    Recorded(
        "ostbelgiendirekt-be-tv-tipp-loriot.html",
        "https://ostbelgiendirekt.be/tv-tipp-loriot-100-367167",
        "de",  # <html lang="de-DE">
        # <meta property="article:published_time" content="2023-11-06T13:14:41+00:00">
        _utc(2023, 11, 6, 13, 14, 41),
        "meta:article:published_time",
        "https://ostbelgiendirekt.be/tv-tipp-loriot-100-367167",
        "full",
        "Loriot 100",
        "Vicco von Bülow alias Loriot",
    ),
    Recorded(
        "politico-eu-connolly-ireland-2025.html",
        "https://www.politico.eu/article/catherine-connolly-socialist-critic-nato-eu-poised-win"
        "-ireland-presidency/?utm_source=RSS_Feed&utm_medium=RSS&utm_campaign=RSS_Syndication",
        "en",  # <html lang="en-GB">
        # <meta property="article:published_time" content="2025-10-23T15:50:00+00:00">
        _utc(2025, 10, 23, 15, 50),
        "meta:article:published_time",
        "https://www.politico.eu/article/catherine-connolly-socialist-critic-nato-eu-poised-win"
        "-ireland-presidency/",
        "full",
        "Socialist critic of NATO and EU poised to win Ireland",
        "She’s slammed NATO",
    ),
    Recorded(
        "trafilatura-cache-dw.com.colonial.html",
        "https://www.dw.com/en/berlin-confronts-germanys-colonial-past-with-new-initiative/a-52060881",
        "en",  # <html lang="en">
        # No date metadata at all; the page shows "Date 19.01.2020" beside the article
        # (and og:title ends "| 19.01.2020"). htmldate finds that day.
        _utc(2020, 1, 19),
        "htmldate",
        "https://www.dw.com/en/berlin-confronts-germanys-colonial-past-with-new-initiative/a-52060881",
        "full",
        "Berlin confronts Germany's colonial past",
        "five-year project to mark its part in European colonialism",
    ),
    Recorded(
        "trafilatura-cache-faz.net.streaming.html",
        "https://www.faz.net/aktuell/wirtschaft/nutzerbasierte-abrechnung-musik-stars-fordern"
        "-neues-streaming-modell-16604622.html",
        "de",  # <html lang="de">
        # JSON-LD "datePublished": "Tue Jan 28 15:28:56 CET 2020" (Java Date.toString)
        _utc(2020, 1, 28, 14, 28, 56),
        "jsonld:datePublished",
        "https://www.faz.net/aktuell/wirtschaft/nutzerbasierte-abrechnung-musik-stars-fordern"
        "-neues-streaming-modell-16604622.html",
        # Page 1 of 2: <link rel="next" href="…-16604622-p2.html">. The Paywall_Content*
        # names are only in a script and a stylesheet; JSON-LD isAccessibleForFree is
        # "http://schema.org/True" and window.isPaidContent = false.
        "partial",
        "Musik-Stars fordern neues Streaming-Modell",
        "Einen größeren Anteil an den Streamingerlösen",
    ),
    Recorded(
        "trafilatura-cache-reuters.com.parasite.html",
        "https://www.reuters.com/article/us-awards-sag/parasite-scores-upset-at-sag-awards"
        "-boosting-oscar-chances-idUSKBN1ZI0EH",
        "en",  # <html lang="en">
        # <meta property="og:article:published_time" content="2020-01-19T12:25:36Z"> (and
        # JSON-LD datePublished); sailthru.date is the 20th: the last update
        _utc(2020, 1, 19, 12, 25, 36),
        "meta:og:article:published_time",
        "https://www.reuters.com/article/us-awards-sag-idUSKBN1ZI0EH",
        "full",
        "'Parasite' scores historic upset at SAG awards",
        "South Korean thriller “Parasite” was the upset winner",
    ),
    Recorded(
        "trafilatura-cache-spiegel.de.albtraum.html",
        "https://www.spiegel.de/spiegel/print/d-161500790.html",
        "de",  # <html lang="de">
        # JSON-LD "datePublished": "2018-12-22T00:00:00+0100": midnight of the issue day
        _utc(2018, 12, 21, 23),
        "jsonld:datePublished",
        "https://www.spiegel.de/spiegel/print/d-161500790.html",
        # A print-archive article with its whole text in the page ("Kostenloses Archiv");
        # the only SPIEGEL+ traces are navigation links. No paywall: full.
        "full",
        "Ein Albtraum",
        "Ein perfekter Sturm auf dem Meer beginnt meistens",
    ),
    Recorded(
        "trafilatura-cache-sueddeutsche.de.flixtrain.html",
        "https://www.sueddeutsche.de/wirtschaft/bahn-flixbus-flixtrain-deutschlandtakt"
        "-fernverkehr-1.4445845",
        "de",  # <html lang="de">
        # No publication metadata; <article><section class="header"><time
        # datetime="2019-05-15 05:28:29"> (local time, CEST) and the data layer's
        # "erstellungsdatum" agree. htmldate answers 17 May: <meta name="last-modified">.
        _utc(2019, 5, 15, 3, 28, 29),
        "html:time",
        "https://www.sueddeutsche.de/wirtschaft/bahn-flixbus-flixtrain-deutschlandtakt"
        "-fernverkehr-1.4445845",
        "full",
        "Flixbus attackiert Deutsche Bahn",
        "Deutschlandtakt",
    ),
    Recorded(
        "trafilatura-cache-theguardian.com.academics.html",
        "https://www.theguardian.com/education/2020/jan/20/thousands-of-uk-academics-treated"
        "-as-second-class-citizens",
        "en",  # <html lang="en">
        # <meta property="article:published_time" content="2020-01-20T06:05:18.000Z">
        _utc(2020, 1, 20, 6, 5, 18),
        "meta:article:published_time",
        # <link rel="canonical"> is https; og:url is http
        "https://www.theguardian.com/education/2020/jan/20/thousands-of-uk-academics-treated"
        "-as-second-class-citizens",
        "full",
        "Thousands of UK academics 'treated as second-class citizens'",
        "precarious contracts",
    ),
    Recorded(
        "trafilatura-cache-zeit.de.zugverkehr.html",
        "https://www.zeit.de/mobilitaet/2020-01/zugverkehr-christian-lindner"
        "-hochgeschwindigkeitsstrecke-eu-kommission",
        "de",  # <html lang="de">
        # JSON-LD Article "datePublished": "2020-01-14T09:21:29+01:00" (= <meta name="date">)
        _utc(2020, 1, 14, 8, 21, 29),
        "jsonld:datePublished",
        "https://www.zeit.de/mobilitaet/2020-01/zugverkehr-christian-lindner"
        "-hochgeschwindigkeitsstrecke-eu-kommission",
        # Page 1 of 2: <link rel="next" href="…/seite-2">, "page_1_of_2" pager
        "partial",
        "Im ICE von Frankfurt nach Barcelona",
        "36 Stunden",
        # <div class="summary">, beside the article body
        "Mit Schnellzugtrassen durch Europa will die FDP zum Klimaschutz beitragen. Die "
        "Strecken gibt es längst. Warum ist das Angebot bisher keine Konkurrenz zum Fliegen?",
    ),
]


def _page(name: str) -> bytes:
    path = PAGES / name
    if not path.exists():
        pytest.fail(f"recorded corpus file missing: {path}")
    return path.read_bytes()


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(scope="module")
def recorded() -> dict[str, PageContent]:
    return {case.file: extract_page(_page(case.file), url=case.url) for case in RECORDED}


@pytest.mark.parametrize("case", RECORDED, ids=lambda c: c.file)
def test_recorded_page(case: Recorded, recorded: dict[str, PageContent]) -> None:
    page = recorded[case.file]
    assert case.title_fragment in page.title
    assert case.body_fragment in page.body
    assert len(page.body) > 2000
    assert page.lead and (page.lead in page.body or page.lead == case.standfirst)
    assert page.language == case.language
    assert page.published_at == case.published_at
    assert page.published_at_source == case.source
    assert page.canonical_url == case.canonical
    assert page.completeness == case.completeness
    assert page.site_name


def test_recorded_pagination_names_page_two(recorded: dict[str, PageContent]) -> None:
    faz = recorded["trafilatura-cache-faz.net.streaming.html"]
    assert faz.completeness_reason == "paginated"
    assert faz.next_page_url == (
        "https://www.faz.net/aktuell/wirtschaft/nutzerbasierte-abrechnung-musik-stars-fordern"
        "-neues-streaming-modell-16604622-p2.html"
    )
    zeit = recorded["trafilatura-cache-zeit.de.zugverkehr.html"]
    assert zeit.next_page_url is not None and zeit.next_page_url.endswith("/seite-2")
    nieuwsblad = recorded["nieuwsblad-be-dmf20250202_96887132.html"]
    assert nieuwsblad.completeness_reason is None and nieuwsblad.next_page_url is None


def test_recorded_metadata_details(recorded: dict[str, PageContent]) -> None:
    assert recorded["trafilatura-cache-reuters.com.parasite.html"].site_name == "Reuters"
    assert recorded["trafilatura-cache-reuters.com.parasite.html"].author == "Jill Serjeant"
    faz = recorded["trafilatura-cache-faz.net.streaming.html"]
    assert faz.author == "Benjamin Fischer, Marcus Theurer"
    assert faz.lead.startswith("Die Abogebühr eines Nutzers")  # the standfirst, not a caption
    assert recorded["trafilatura-cache-zeit.de.zugverkehr.html"].author == "Caspar Schwietering"
    nieuwsblad = recorded["nieuwsblad-be-dmf20250202_96887132.html"]
    assert nieuwsblad.site_name == "Het Nieuwsblad"
    assert nieuwsblad.lead.startswith("Annelies Verlinden (46) maakt voor CD&V")
    # the headline the body repeats is dropped from the body
    assert not nieuwsblad.body.startswith("BIO.")
    dw = recorded["trafilatura-cache-dw.com.colonial.html"]
    assert "Read more:" not in dw.body  # inline "read more" links are not the article


def test_htmldate_would_get_two_recorded_pages_wrong() -> None:
    """The reason for the date precedence (MEASURED.md): htmldate answers with the
    last-modified day where the pages' own metadata says otherwise."""
    reuters = _page("trafilatura-cache-reuters.com.parasite.html").decode()
    sueddeutsche = _page("trafilatura-cache-sueddeutsche.de.flixtrain.html").decode()
    assert htmldate.find_date(reuters, original_date=True) == "2020-01-20"
    assert htmldate.find_date(sueddeutsche, original_date=True) == "2019-05-17"


# --------------------------------------------------------------------------------------
# Our Dutch pages
# --------------------------------------------------------------------------------------

VOLKSKRANT = "volkskrant-jaarcijfers-a1f3c9e2.html"
VOLKSKRANT_URL = (
    "https://www.volkskrant.nl/nieuws-achtergrond/meer-slachtoffers-van-mensenhandel-in-beeld"
    "-maar-opsporing-blijft-achter~a1f3c9e2/"
)


def test_dpg_article() -> None:
    page = extract_page(_fixture(VOLKSKRANT), url=VOLKSKRANT_URL + "?referrer=https%3A%2F%2Fx")
    assert page.title == "Meer slachtoffers van mensenhandel in beeld, maar opsporing blijft achter"
    assert page.lead.startswith("Het aantal geregistreerde slachtoffers van mensenhandel")
    assert "Nationaal Rapporteur Mensenhandel en Seksueel Geweld tegen Kinderen" in page.lead
    assert page.body.startswith(page.lead)
    assert "Rijken pleit al langer voor een landelijke aanpak" in page.body
    assert "Minder zaken bij de rechter" in page.body.split("\n")
    assert page.author == "Marleen de Vries"
    assert page.site_name == "de Volkskrant"
    assert page.canonical_url == VOLKSKRANT_URL
    assert page.published_at == _utc(2025, 10, 17, 4)  # 06:00+02:00
    assert page.published_at_source == "meta:article:published_time"
    assert page.language == "nl"
    assert (page.completeness, page.completeness_reason) == ("full", None)


def test_related_articles_stay_out_of_the_body() -> None:
    page = extract_page(_fixture(VOLKSKRANT), url=VOLKSKRANT_URL)
    for related in (
        "uitbuiting van arbeidsmigranten blijft vaak onzichtbaar",  # inline "Lees ook"
        "criminele uitzendbureaus",  # "Meer over mensenhandel" list after the article
        "hulp aan minderjarige slachtoffers schiet tekort",
        "Opvang voor slachtoffers",
        "Mensenhandel\nJustitie",  # tag list
        "DPG Media",
    ):
        assert related not in page.body
    assert page.body.count("Nationaal Rapporteur") == 2  # lead and second paragraph only


@pytest.mark.parametrize(
    "snippet",
    [
        b'<p class="artstyle__paragraph"><strong>Lees ook:</strong> <a href="/x~b1/">'
        b"Nationaal Rapporteur: slachtoffers loverboys zijn vaak jonger dan gedacht</a></p>",
        b'<div class="inline-teaser"><span class="inline-teaser__label">Lees ook</span>'
        b'<a href="/y~b2/"><h4>Nationaal Rapporteur: aanpak moet op de schop</h4></a></div>',
        b'<p>Meer over dit onderwerp: <a href="/z~b3/">Nationaal Rapporteur blikt terug op '
        b"tien jaar onderzoek</a></p>",
    ],
    ids=["lees-ook-paragraph", "inline-teaser-block", "meer-over-paragraph"],
)
def test_inline_read_also_links_stay_out_of_the_body(snippet: bytes) -> None:
    html = _fixture(VOLKSKRANT).replace(
        b'<h2 class="artstyle__subheader">', snippet + b'<h2 class="artstyle__subheader">'
    )
    page = extract_page(html, url=VOLKSKRANT_URL)
    assert page.body.count("Nationaal Rapporteur") == 2
    assert "Rijken pleit" in page.body


def test_paywalled_teaser() -> None:
    page = extract_page(
        _fixture("trouw-premium-teaser-a9c04d17.html"),
        url="https://www.trouw.nl/verdieping/hoe-uitbuiting-in-de-schoonmaak-onder-de-radar"
        "-blijft~a9c04d17/",
    )
    assert page.completeness == "partial"
    assert page.completeness_reason == "jsonld:isAccessibleForFree"
    assert page.lead.startswith("Schoonmakers die voor een hongerloon werken")
    assert "Het begint meestal met een advertentie" in page.body
    # the subscription box is not article text
    assert "abonnee" not in page.body.lower() and "Lees verder" not in page.body
    assert page.author == "Joost Hendriks"
    assert page.published_at == _utc(2025, 4, 4, 15, 30)


def test_paywalled_teaser_without_structured_data() -> None:
    html = re.sub(
        rb'<script type="application/ld\+json">.*?</script>',
        b"",
        _fixture("trouw-premium-teaser-a9c04d17.html"),
        flags=re.S,
    )
    page = extract_page(html, url="https://www.trouw.nl/verdieping/x~a9c04d17/")
    assert (page.completeness, page.completeness_reason) == ("partial", "teaser:lees verder met")
    assert page.author == "Joost Hendriks"  # from the byline's class
    assert not page.body.startswith("Joost Hendriks")
    # and with the subscription box gone too, the "premium" markup still tells
    bare = re.sub(rb'<div class="paywall".*?</div>', b"", html, flags=re.S)
    page = extract_page(bare, url="https://www.trouw.nl/verdieping/x~a9c04d17/")
    assert (page.completeness, page.completeness_reason) == ("partial", "markup:artstyle--premium")


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        # a free article on a metered site: hidden paywall templates do not count
        (b'<div class="paywall hidden"><p>Word abonnee</p></div>', "full"),
        # a "premium" label on a teaser link to another article does not count
        (b'<a href="/x"><span class="label--premium">Premium</span> Ander verhaal</a>', "full"),
        (b'<div class="c-paywall"><p>Word abonnee voor 1 euro</p></div>', "partial"),
        (b'<div data-area="paywall"></div>', "partial"),
        (b'<div DATA-AREA="paywall"></div>', "partial"),  # attribute names ignore case
        (b"<section data-paywall><p>Alleen voor abonnees</p></section>", "partial"),
        # markers on elements of any tag, in any case, quoted or not, or spelt with a
        # character reference
        (b'<span class="Paywall-Box"></span>', "partial"),
        (b"<form class=paywall></form>", "partial"),
        (b'<figure class="pay&#119;all"></figure>', "partial"),
    ],
)
def test_paywall_markup_on_short_pages(markup: bytes, expected: str) -> None:
    html = (
        b"<html lang='nl'><head><title>Kop</title></head><body><article><h1>Kop</h1>"
        b"<p>Een korte tekst over de Nationaal Rapporteur, die vandaag een nieuw rapport "
        b"publiceerde over mensenhandel in Nederland en de aanpak door gemeenten.</p>"
        + markup
        + b"</article></body></html>"
    )
    assert extract_page(html, url="https://www.example.nl/a").completeness == expected


@pytest.mark.parametrize(
    ("html", "marks"),
    [
        (b'<div class="artstyle--premium">', True),
        (b"<div id=PayWall>", True),
        (b'<span class="x c-paid-content">', True),
        (b'<div class="pay&#119;all">', True),  # as the parser reads the value
        (b'<div premium class="x">', False),
        (b'<a class="subscribe" href="/abonnement">Word abonnee</a>', False),
        (b"<p>Word abonnee voor premium artikelen, plus meer</p>", False),
        (b'<div data-plus="1" class="x">', False),
        (b'<img alt="premium" src="/plus.png">', False),
        (b'<div class="pay" id="wall">', False),  # not across values
    ],
)
def test_paywall_hints_are_looked_for_in_class_and_id_values(html: bytes, marks: bool) -> None:
    tree = lxml.html.document_fromstring(b"<html><body>" + html + b"</body></html>")
    assert paywall_hint_in_marks(tree) is marks


@pytest.mark.parametrize(
    ("html", "found"),
    [
        (b"<section data-paywall><p>Alleen voor abonnees</p></section>", True),
        (b'<div DATA-AREA="paywall"></div>', True),
        (b'<div data-area="sport"></div>', False),
        (b'<div class="paywall"></div>', False),
    ],
)
def test_paywall_data_attributes_are_found(html: bytes, found: bool) -> None:
    tree = lxml.html.document_fromstring(b"<html><body>" + html + b"</body></html>")
    assert paywall_data_attribute(tree) is found


def test_structured_data_paid_part_present_in_page_is_full() -> None:
    text = "<p>" + "Lange alinea over de aanpak van mensenhandel in Nederland. " * 12 + "</p>"
    html = (
        '<html lang="nl"><head><script type="application/ld+json">'
        '{"@type":"NewsArticle","headline":"Kop","isAccessibleForFree":false,'
        '"hasPart":{"@type":"WebPageElement","isAccessibleForFree":false,'
        '"cssSelector":".paid-part"}}</script></head><body><article><h1>Kop</h1>'
        f'<p>Inleiding van het artikel.</p><div class="paid-part">{text}</div>'
        "</article></body></html>"
    ).encode()
    page = extract_page(html, url="https://www.example.nl/a")
    assert page.completeness == "full"  # the paid part was served to us after all
    gated = html.replace(b'class="paid-part"', b'class="other"')
    assert extract_page(gated, url="https://www.example.nl/a").completeness == "partial"


def test_publication_metadata_beats_htmldate() -> None:
    html = _fixture("gelderlander-reprint-a1f3c9e2.html")
    # The CMS writes the last-modified time into <meta name="date"> first; htmldate
    # takes it.
    assert htmldate.find_date(html.decode(), original_date=True) == "2025-10-19"
    page = extract_page(
        html, url="https://www.gelderlander.nl/binnenland/meer-slachtoffers-mensenhandel-in-beeld"
    )
    assert page.published_at == _utc(2025, 10, 17, 7)  # 09:00+02:00
    assert page.published_at_source == "meta:article:published_time"
    assert page.canonical_url == (
        "https://www.gelderlander.nl/binnenland/meer-slachtoffers-mensenhandel-in-beeld~a1f3c9e2/"
    )
    assert page.site_name == "De Gelderlander"
    assert "rapporteur Conny Rijken" in page.body


LATIN1 = "regionaal-weekblad-iso-8859-1.html"


def test_iso_8859_1_page_keeps_its_diacritics() -> None:
    raw = _fixture(LATIN1)
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    page = extract_page(raw, url="https://www.hwnieuws.example/nieuws/")
    assert page.title == "Coördinator zorg en veiligheid spreekt over uitbuiting"
    for word in ("café", "financiële", "geïnterviewd", "Eén van de sprekers", "dorpshuis"):
        assert word in page.body
    # windows-1252 quotes in an "ISO-8859-1" page, as browsers read them
    assert "„Ik had niet door wat er gebeurde”" in page.body
    assert "Home" not in page.body  # the menu laid out in a table
    assert page.lead.startswith("OUD-BEIJERLAND - Op een drukbezochte avond")
    assert page.language == "nl"
    assert page.published_at == _utc(2025, 5, 15)
    assert page.published_at_source == "meta:dc.date.issued"
    # a relative canonical is made absolute against the page URL
    assert page.canonical_url == (
        "https://www.hwnieuws.example/nieuws/coordinator-zorg-en-veiligheid-spreekt-over"
        "-uitbuiting.html"
    )


def test_charset_from_http_header_and_wrong_declarations() -> None:
    raw = _fixture(LATIN1)
    undeclared = raw.replace(
        b'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">', b""
    )
    assert b"charset" not in undeclared
    page = extract_page(undeclared, url="https://x.example/a", headers_charset="ISO-8859-1")
    assert "financiële" in page.body
    # a wrong header (UTF-8) does not win over bytes that are not UTF-8
    page = extract_page(raw, url="https://x.example/a", headers_charset="utf-8")
    assert "financiële" in page.body
    # UTF-8 bytes declared as Latin-1 are read as UTF-8
    utf8 = raw.decode("cp1252").encode("utf-8")
    page = extract_page(utf8, url="https://x.example/a", headers_charset="iso-8859-1")
    assert "financiële" in page.body and "Ã" not in page.body


def test_decode_html_order() -> None:
    assert decode_html("é".encode("utf-16"))[1].startswith("utf-16")
    assert decode_html(b"\xef\xbb\xbf<p>caf\xc3\xa9</p>") == ("<p>café</p>", "utf-8")
    assert decode_html(b"<meta charset=windows-1252><p>caf\xe9 \x93x\x94</p>")[0].endswith(
        "café “x”</p>"
    )
    text, _ = decode_html("<p>coördinatie en financiële</p>".encode("cp1252"))
    assert "coördinatie" in text  # no declaration at all: detected
    # a UTF-8 page with one windows-1252 byte pasted in keeps both
    assert decode_html(b"<meta charset=utf-8><p>It\x92s caf\xc3\xa9</p>") == (
        "<meta charset=utf-8><p>It’s café</p>",
        "utf-8+cp1252",
    )
    # a Latin-1 page that claims UTF-8 is still read right
    latin1 = _fixture(LATIN1).replace(b"charset=iso-8859-1", b"charset=utf-8")
    assert "Coördinator zorg en veiligheid" in decode_html(latin1)[0]


def test_wordpress_page_with_wrong_language_and_graph() -> None:
    page = extract_page(
        _fixture("partnerorganisatie-wordpress-lang-en.html"),
        url="https://www.voorbeeld-tegen-uitbuiting.nl/nieuws/reactie-op-de-monitor/",
    )
    assert page.language == "nl"  # the theme says lang="en-US"; the text is Dutch
    assert page.title == "Reactie op de Monitor seksueel geweld tegen kinderen"
    assert page.author == "Sanne Bakker"  # "@id" reference into the @graph
    assert page.site_name == "Stichting Voorbeeld Tegen Uitbuiting"
    assert page.published_at == _utc(2025, 12, 11, 15, 45, 12)
    assert page.published_at_source == "jsonld:datePublished"
    assert "Recente berichten" not in page.body and "KvK" not in page.body


def test_feed_date_then_article_time_then_url() -> None:
    html = _fixture("nieuwssite-alleen-time-element.html")
    page = extract_page(html, url="https://nieuws.example/binnenland/rapporteur-signalen")
    # <time datetime="2025-04-03T10:15"> without offset: Amsterdam summer time
    assert (page.published_at, page.published_at_source) == (_utc(2025, 4, 3, 8, 15), "html:time")
    feed = datetime(2025, 4, 3, 10, 20, tzinfo=timezone(timedelta(hours=2)))
    page = extract_page(html, url="https://nieuws.example/x", feed_published_at=feed)
    assert (page.published_at, page.published_at_source) == (_utc(2025, 4, 3, 8, 20), "feed")
    assert page.published_at is not None and page.published_at.tzinfo is UTC
    naive = extract_page(
        html, url="https://nieuws.example/x", feed_published_at=datetime(2025, 4, 3, 8, 20)
    )
    assert naive.published_at == _utc(2025, 4, 3, 8, 20)  # a naive feed date is UTC
    no_time = html.replace(b'<time datetime="2025-04-03T10:15">', b"<time>")
    page = extract_page(no_time, url="https://nieuws.example/2025/04/03/rapporteur/")
    assert (page.published_at, page.published_at_source) == (_utc(2025, 4, 3), "url")
    assert page.title == "Rapporteur: signalen van uitbuiting worden te vaak gemist"


def test_page_metadata_beats_the_feed_date() -> None:
    page = extract_page(
        _fixture(VOLKSKRANT), url=VOLKSKRANT_URL, feed_published_at=_utc(2025, 10, 18)
    )
    assert page.published_at_source == "meta:article:published_time"


@pytest.mark.parametrize("html", [b"", b"   ", b"\x00\x00", b"<html><body></body></html>"])
def test_empty_pages(html: bytes) -> None:
    page = extract_page(html, url="https://x.example/a")
    assert page.completeness == "none"
    assert page.body == ""


def test_not_html_is_no_crash() -> None:
    page = extract_page(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", url="https://x.example/a.pdf")
    assert page.completeness in ("none", "full")


# --------------------------------------------------------------------------------------
# Dates, URL dates, language
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-02-02T19:07:46.0000000Z", _utc(2025, 2, 2, 19, 7, 46)),
        ("2018-12-22T00:00:00+0100", _utc(2018, 12, 21, 23)),
        ("Tue Jan 28 15:28:56 CET 2020", _utc(2020, 1, 28, 14, 28, 56)),
        ("Fri May 17 13:38:23 CEST 2019", _utc(2019, 5, 17, 11, 38, 23)),
        ("2019-05-15 05:28:29", _utc(2019, 5, 15, 3, 28, 29)),  # naive: Amsterdam
        ("2019-01-15 05:28:29", _utc(2019, 1, 15, 4, 28, 29)),  # winter time
        ("2020-01-14", _utc(2020, 1, 14)),  # a day: midnight UTC
        ("20200114", _utc(2020, 1, 14)),
        ("Tue, 28 Jan 2020 15:28:56 +0100", _utc(2020, 1, 28, 14, 28, 56)),
        ("Sun, 08 Mar 2020 10:32:07 GMT", _utc(2020, 3, 8, 10, 32, 7)),
        ("  2015-05-13T15:24+01:00 ", _utc(2015, 5, 13, 14, 24)),
        ("", None),
        ("gisteren", None),
        ("2020-13-45", None),
        ("1970-01-01T00:00:00Z", None),  # an empty timestamp, not a publication
        ("Tue Jan 28 15:28:56 XYZ 2020", None),
    ],
)
def test_parse_datetime(value: str, expected: datetime | None) -> None:
    assert parse_datetime(value) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.theguardian.com/education/2020/jan/20/thousands", _utc(2020, 1, 20)),
        ("https://www.nieuwsblad.be/cnt/dmf20250202_96887132", _utc(2025, 2, 2)),
        ("https://example.org/2024/10/17/rapport/", _utc(2024, 10, 17)),
        ("https://example.org/nieuws/2024-10-17-rapport", _utc(2024, 10, 17)),
        ("https://www.zeit.de/mobilitaet/2020-01/zugverkehr", None),  # a month only
        ("https://www.faz.net/aktuell/x-16604622.html", None),
        ("https://nos.nl/artikel/2541234-rapporteur", None),
    ],
)
def test_date_from_url(url: str, expected: datetime | None) -> None:
    assert date_from_url(url) == expected


def test_detect_language() -> None:
    assert (
        detect_language(
            "Het rapport van de rapporteur is niet voor niets een waarschuwing "
            "aan het kabinet, zegt zij, want er wordt nog te weinig gedaan met "
            "de signalen die bij de politie binnenkomen."
        )
        == "nl"
    )
    assert (
        detect_language(
            "The report said that the number of victims has risen, and it "
            "was not the first time that the government was warned by the "
            "rapporteur, which has been saying this for years."
        )
        == "en"
    )
    assert detect_language("kort") is None


# --------------------------------------------------------------------------------------
# may_mention
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.html")))
def test_may_mention_finds_our_pages(name: str) -> None:
    assert may_mention(_fixture(name), SCREEN)


@pytest.mark.parametrize("case", RECORDED, ids=lambda c: c.file)
def test_may_mention_skips_pages_without_any_form(case: Recorded) -> None:
    screen = re.compile(rb"rapporteur|rijken|bolhaar|dettmeijer|korvinus|\bb?nrm\b")
    assert not may_mention(_page(case.file), screen)


@pytest.mark.parametrize(
    "html",
    [
        b"<p>De Nationaal RAPPORTEUR Mensenhandel</p>",
        b"<p>de Rap&shy;por&shy;teur zegt</p>",
        b"<p>de Rap&SHY;porteur zegt</p>",
        b"<p>de Rap\xc2\xadpor\xc2\xadteur zegt</p>",
        b"<p>de rappor&#173;teur en de rappor&#xAD;teur</p>",
        b"<p>de rapport\xe2\x80\x8beur</p>",
        b"<p>de rapport&#8203;eur</p>",
        b"<p>Conny Rij&shy;ken</p>",
        b"<p>Herman\nBolhaar</p>",
    ],
)
def test_may_mention_sees_through_hyphenation_and_case(html: bytes) -> None:
    assert may_mention(html, SCREEN)


def test_may_mention_entities_of_diacritics() -> None:
    screen = re.compile("coördinator".encode())
    for html in (
        b"<p>de Co&ouml;rdinator</p>",
        b"<p>de CO&Ouml;RDINATOR</p>",
        "<p>de coördinator</p>".encode(),
        b"<p>de co&shy;&ouml;r&shy;di&shy;na&shy;tor</p>",
    ):
        assert may_mention(html, screen), html
    assert normalise_for_screen(b"Caf&eacute; &amp; Co&euml;xistentie") == (
        "café &amp; coëxistentie".encode()
    )


def test_may_mention_negatives() -> None:
    screen = re.compile(rb"rapporteur|rijken|\bb?nrm\b")
    assert not may_mention(b"<p>de rapportage van het kabinet</p>", screen)
    assert not may_mention(b"<p>xnrmx en bnrmy</p>", screen)
    assert may_mention(b"<p>het BNRM meldt</p>", screen)
    assert may_mention(b"<p>(NRM)</p>", screen)


SCREENS = [
    rb"rapporteur|rijken|bolhaar|dettmeijer|korvinus|nrm",
    rb"rapporteur|rijken|\bb?nrm\b",
    rb"\b(?:rapporteur|rijken|b?nrm)\b",
    rb"nationaal\s+rapporteur|rijken",
    rb"(?i)RAPPORTEUR|\bNRM\b",
    rb"rap+orteur|x{2}yz",
    rb"^rapporteur|rijken$",
    rb"[rR]apporteur\b|\Bnrm",
    rb"(?:rapporteur|rijken)s?",
]


@pytest.mark.parametrize("pattern", SCREENS)
def test_may_mention_agrees_with_the_screen_itself(pattern: bytes) -> None:
    """The Aho-Corasick prefilter and the windowed search answer as the regex does."""
    screen = re.compile(pattern)
    pieces = [
        b"rapporteur",
        b"rijken",
        b"nrm",
        b"bnrm",
        b"nationaal",
        b" ",
        b"\n",
        b"x",
        b"s",
        b"rap",
        b"porteur",
        b"&shy;",
        b"<b>",
        b"</b>",
        b"yz",
        b"xx",
        b"-",
        b"R",
        b"NRM",
        b"rapppporteur",
        b"a",
        b"\xc3\xab",
    ]
    rng = random.Random(20251125)
    for _ in range(3000):
        html = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        expected = screen.search(normalise_for_screen(html)) is not None
        assert may_mention(html, screen) is expected, html


def test_may_mention_on_a_large_page_finds_a_late_mention() -> None:
    big = _page("trafilatura-cache-faz.net.streaming.html")
    assert not may_mention(big, SCREEN)
    assert may_mention(big + b"<p>Rap&shy;porteur</p>", SCREEN)
    assert may_mention(big[:400_000] + b" nrm " + big[400_000:], re.compile(rb"\bnrm\b"))


def test_page_content_crosses_process_boundaries() -> None:
    """service/extraction.py returns it from a process pool."""
    page = extract_page(_fixture(VOLKSKRANT), url=VOLKSKRANT_URL)
    assert pickle.loads(pickle.dumps(page)) == page


def test_intro_beside_the_article_body_is_kept_as_the_lead() -> None:
    html = (
        "<!DOCTYPE html><html lang='nl'><head><meta charset='utf-8'><title>Kop</title></head>"
        "<body><main><article><header><h1>Meer slachtoffers van uitbuiting</h1></header>"
        "<p class='intro'><strong>De Nationaal Rapporteur ziet meer slachtoffers van "
        "arbeidsuitbuiting in de logistiek.</strong></p><div class='article-body'>"
        + "<p>Gemeenten vragen om meer geld voor toezicht en opvang van slachtoffers.</p>"
        * 6
        + "</div><aside><ul><li><a href='/x'><p class='teaser__intro'>Rapporteur Rijken over "
        "jeugdzorg</p></a></li></ul></aside></article></main></body></html>"
    ).encode()
    page = extract_page(html, url="https://www.ad.nl/binnenland/x~a1234567/")
    assert page.lead.startswith("De Nationaal Rapporteur ziet meer slachtoffers")
    assert "Rijken" not in page.lead + page.body
