"""LexisNexis exports: the recorded samples read in place, and Dutch fixtures in every layout.

The fixtures in tests/fixtures/nexis/ are made by make_fixtures.py there (invented articles in
the layouts of the recorded samples).
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest

from collectors.nexis import (
    NexisArticle,
    NexisFormatError,
    parse_nexis,
    parse_nexis_date,
    read_nexis,
)
from tests.conftest import CORPUS

SAMPLES = CORPUS / "nexis"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "nexis"

# Lines that belong to the metadata around a document, never to its text.
METADATA_PREFIXES = (
    "LOAD-DATE:",
    "Load-Date:",
    "LENGTH:",
    "Length:",
    "BYLINE:",
    "Byline:",
    "SECTION:",
    "Section:",
    "LANGUAGE:",
    "Language:",
    "PUBLICATION-TYPE:",
    "Publication-Type:",
    "GRAPHIC:",
    "JOURNAL-CODE:",
    "Copyright",
    "Classification",
    "Body",
)


def _by_position(articles: list[NexisArticle]) -> dict[int, NexisArticle]:
    return {article.position: article for article in articles}


def _assert_clean_bodies(articles: list[NexisArticle]) -> None:
    for article in articles:
        assert article.body.strip(), article.position
        assert "End of Document" not in article.body
        assert "DOCUMENTS" not in article.body
        for line in article.body.split("\n"):
            assert line == line.strip() and line, (article.position, line)
            assert not line.startswith(METADATA_PREFIXES), (article.position, line)


# --- recorded samples ------------------------------------------------------------------------


def test_classic_text_sample() -> None:
    report = read_nexis(SAMPLES / "sample-nexis-classic.TXT")
    assert report.errors == []
    assert [a.position for a in report.articles] == list(range(1, 11))
    _assert_clean_bodies(report.articles)
    docs = _by_position(report.articles)

    first = docs[1]
    assert (first.title, first.publication, first.published_on) == (
        "Lorem ipsum dolor sit amet",
        "Guardian.com",
        date(2010, 1, 11),
    )
    assert (first.length_words, first.byline, first.section) == (355, "Andrew Sparrow", None)
    assert (first.language, first.load_date) == ("en", date(2010, 1, 11))
    # Hard-wrapped lines are joined into paragraphs; blank lines separate them.
    paragraphs = first.body.split("\n")
    assert len(paragraphs) == 5
    assert paragraphs[0].startswith(
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit. Etiam lacinia elementum "
        "sapien, eget aliquet ex finibus ut."
    )
    assert paragraphs[-1] == (
        "Fusce sit amet aliquet lorem, id faucibus nisl. Nulla suscipit metus neque, ut varius."
    )

    # Edition lines under the date line ("Edition 1;" "Scotland") are not the title.
    assert docs[3].publication == "The Sun (England)"
    assert docs[3].title == "Lorem ipsum dolor sit amet"
    assert (docs[3].byline, docs[3].section, docs[3].length_words) == (
        "TREVOR Kavanagh",
        "FEATURES; Pg. 6",
        677,
    )
    # A title wrapped over three lines.
    assert docs[5].title == (
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit. Etiam lacinia elementum "
        "sapien?; eget aliquet ex finibus ut."
    )
    assert (docs[5].publication, docs[5].section, docs[5].length_words) == (
        "The Times (London)",
        "EDITORIAL; Pg. 24",
        918,
    )
    # The GRAPHIC: block after LANGUAGE: is metadata; the caption line before LOAD-DATE is text.
    assert "Rupert Hamer" not in docs[4].body
    assert docs[6].body.endswith("Serious but stable: photographer Philip Coburn")
    # A date line without weekday.
    assert (docs[7].title, docs[7].published_on, docs[7].load_date) == (
        "ranch noble ash voice declaration",
        date(2010, 1, 8),
        date(2010, 1, 11),
    )
    # "8 of 383 DOCUMENTS" in a file of ten: the marker's count is not trusted.
    assert (docs[8].title, docs[8].publication, docs[8].byline) == (
        "PRISONER OF HIS OWN CABINET",
        "MAIL ON SUNDAY (London)",
        "BY STEPHEN POLLARD",
    )
    assert (docs[8].published_on, docs[8].length_words) == (date(2010, 1, 10), 698)
    # No BYLINE:, and a length with a thousands separator.
    assert (docs[10].title, docs[10].publication, docs[10].published_on) == (
        "Wikipedia",
        "DAILY MAIL (London)",
        date(2010, 1, 9),
    )
    assert (docs[10].byline, docs[10].length_words) == (None, 2968)


def test_nexis_uni_docx_sample() -> None:
    report = read_nexis(SAMPLES / "sample-nexis-uni.DOCX")
    assert report.errors == []
    assert [a.position for a in report.articles] == list(range(1, 11))
    _assert_clean_bodies(report.articles)
    docs = _by_position(report.articles)

    # The first document follows the cover list; its title is not a cover entry.
    first = docs[1]
    assert (first.title, first.publication, first.published_on) == (
        "Lorem ipsum dolor sit amet",
        "The Guardian(London)",
        date(2019, 7, 1),
    )
    assert (first.section, first.length_words) == ("POLITICS", 355)  # "; Version:28" dropped
    assert first.byline == "Mattha Busby (now), Andrew Sparrow (earlier)"
    assert (first.language, first.load_date) == (None, None)  # neither is in this document
    assert len(first.body.split("\n")) == 5

    assert (docs[5].title, docs[5].published_on, docs[5].length_words) == (
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
        date(2019, 7, 4),
        17366,
    )
    assert docs[5].byline == "Andrew Sparrow and Kevin Rawlinson"
    # The one document with a Classification part: its labels are not text.
    seventh = docs[7]
    assert (seventh.title, seventh.published_on, seventh.byline) == (
        "Sample Headline",
        date(2019, 7, 3),
        "Letters",
    )
    assert (seventh.length_words, seventh.language, seventh.load_date) == (
        412,
        "en",
        date(2019, 7, 4),
    )
    assert "\n" not in seventh.body
    assert seventh.body.startswith("Lorem ipsum dolor sit amet, nec nibh conubia risus fusce")
    # A section without version, and Load-Date: right after the text.
    assert (docs[9].title, docs[9].section, docs[9].length_words) == (
        "R (programming language) on Wikipedia",
        "Wikipedia",
        446,
    )
    assert docs[9].load_date == date(2019, 7, 3)
    assert (docs[10].title, docs[10].section, docs[10].byline) == (
        "What is Wikipedia",
        "OPINION",
        "Tom Kibasi",
    )
    assert (docs[10].published_on, docs[10].length_words, docs[10].load_date) == (
        date(2019, 7, 2),
        1163,
        date(2019, 7, 2),
    )


def test_minimal_docx_sample_holds_no_document() -> None:
    # One paragraph, "LexisNexis Uni Test", and no document: LexisNexisTools, whose test file
    # it is, rejects it too ("No articles found to parse.").
    path = SAMPLES / "test-nexis-uni.DOCX"
    with pytest.raises(NexisFormatError) as caught:
        read_nexis(path)
    assert f"file {path} is not a LexisNexis export" in str(caught.value)


# --- Dutch fixtures --------------------------------------------------------------------------


def test_dutch_nexis_uni_docx() -> None:
    report = read_nexis(FIXTURES / "nexis-uni-nl.docx")
    assert report.errors == []
    _assert_clean_bodies(report.articles)
    assert [(a.publication, a.published_on) for a in report.articles] == [
        ("De Telegraaf", date(2025, 10, 17)),  # "17 oktober 2025 vrijdag"
        ("de Volkskrant", date(2025, 1, 23)),  # "donderdag 23 januari 2025"
        ("Trouw", date(2025, 4, 3)),  # "3 april 2025 donderdag"
        ("Dagblad van het Noorden", date(2025, 12, 11)),  # "11-12-2025"
        ("Leeuwarder Courant", date(2025, 12, 11)),  # "11 december 2025 donderdag"
    ]
    telegraaf, volkskrant, trouw, dvhn, lc = report.articles
    assert telegraaf.title == "Meer slachtoffers van mensenhandel in beeld"
    assert (telegraaf.section, telegraaf.length_words, telegraaf.byline) == (
        "Binnenland; Blz. 4",
        412,
        "Sanne de Boer",
    )
    assert (telegraaf.language, telegraaf.load_date) == ("nl", date(2025, 10, 18))
    assert "“Achter elk getal staat een mens die is uitgebuit”" in telegraaf.body
    assert volkskrant.title == "‘Migranten zijn een verdienmodel geworden’"
    assert "financiële" in volkskrant.body and "ideeën" in volkskrant.body
    assert (volkskrant.language, volkskrant.load_date) == (None, date(2025, 1, 24))
    # A manual line break inside a paragraph, and a closing "Lees ook:" that is still text.
    assert "langs elkaar heen.\nEen café-eigenaar" in trouw.body
    assert trouw.body.endswith("Lees ook: Rapporteur wil betere registratie van slachtoffers")
    assert "geïnformeerd" in dvhn.body and "coördinatie" in dvhn.body
    assert (dvhn.byline, dvhn.section) == ("ANP", "Noorden; Blz. 2")
    assert (lc.byline, lc.section, lc.length_words) == (None, "Friesland; Blz. 5", 498)
    assert lc.body.endswith("\nFoto: ANP")


def test_dutch_classic_text_in_cp1252() -> None:
    path = FIXTURES / "nexis-classic-nl-cp1252.txt"
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    report = read_nexis(path)
    assert report.errors == []
    _assert_clean_bodies(report.articles)
    nrc, ad, parool, rd = report.articles
    assert (nrc.title, nrc.publication, nrc.published_on) == (
        "Rapporteur mensenhandel viert 25-jarig bestaan",
        "NRC Handelsblad",  # the edition line under the date is neither here nor in the title
        date(2025, 5, 15),
    )
    assert (nrc.section, nrc.length_words) == ("Binnenland; Blz. 4", 523)
    assert nrc.byline == "Anna de Vries"
    assert (nrc.language, nrc.load_date) == ("nl", date(2025, 5, 16))
    assert "“We zien nu veel meer dan vroeger”" in nrc.body
    assert "€ 500" in nrc.body and "ideeën" in nrc.body
    assert ad.title == "Uitbuiting van arbeidsmigranten: ‘Het is een verdienmodel’"
    assert (ad.published_on, ad.length_words, ad.byline) == (date(2025, 1, 23), 1204, None)
    assert "naïef" in ad.body
    assert (parool.published_on, parool.section) == (date(2025, 11, 25), "Stad; Blz. 11")
    assert "Lonkhuijsen" not in parool.body  # the GRAPHIC: caption
    assert (rd.publication, rd.published_on) == ("Reformatorisch Dagblad", date(2025, 9, 12))


def test_dutch_nexis_uni_rtf() -> None:
    report = read_nexis(FIXTURES / "nexis-uni-nl.rtf")
    assert report.errors == []
    _assert_clean_bodies(report.articles)
    fd, nu, rd = report.articles
    assert (fd.title, fd.publication, fd.published_on) == (
        "Bedrijven moeten uitbuiting in keten actiever aanpakken",
        "Het Financieele Dagblad",
        date(2025, 11, 25),
    )
    assert (fd.section, fd.length_words, fd.language) == ("Economie; Blz. 7", 588, "nl")
    assert "“Wie goedkoop inkoopt" in fd.body and "financiële" in fd.body
    # An English date line with time; \uN escapes for curly quotes.
    assert (nu.title, nu.publication, nu.published_on) == (
        "Nationaal Rapporteur: ‘Mensenhandel is vaak onzichtbaar’",
        "NU.nl",
        date(2025, 11, 25),
    )
    assert (nu.byline, nu.load_date) == (None, date(2025, 11, 25))
    assert (rd.published_on, rd.byline) == (date(2025, 11, 26), "Redactie binnenland")
    assert rd.body.endswith("Hulpverleners pleiten voor één aanspreekpunt per regio.")


def test_classic_rtf_reads_like_the_text_export() -> None:
    from_rtf = read_nexis(FIXTURES / "nexis-classic-nl.rtf")
    from_text = read_nexis(FIXTURES / "nexis-classic-nl-cp1252.txt")
    assert from_rtf.errors == []
    assert from_rtf.articles == from_text.articles


def test_broken_docx_document_does_not_lose_the_others() -> None:
    report = read_nexis(FIXTURES / "nexis-uni-nl-broken.docx")
    assert report.errors == ["document 3 of 5: no date line"]
    assert [a.position for a in report.articles] == [1, 2, 4, 5]
    assert [a.publication for a in report.articles] == [
        "De Telegraaf",
        "de Volkskrant",
        "Dagblad van het Noorden",
        "Leeuwarder Courant",
    ]
    _assert_clean_bodies(report.articles)


def test_broken_text_document_is_named_with_its_line() -> None:
    path = FIXTURES / "nexis-classic-nl-broken.txt"
    report = read_nexis(path)
    assert report.errors == ["document 2 of 3 (line 48): no date line"]
    assert path.read_text("utf-8").splitlines()[47].strip() == "2 of 3 DOCUMENTS"
    assert [(a.position, a.publication) for a in report.articles] == [
        (1, "NRC Handelsblad"),
        (3, "Het Parool"),
    ]


def test_cover_count_larger_than_the_documents_is_reported() -> None:
    text = "\n".join(
        [
            "Documents (3)",
            "1. Eerste",
            "Eerste",
            "Trouw",
            "3 april 2025 donderdag",
            "Body",
            "Tekst over de Nationaal Rapporteur.",
            "End of Document",
            "Tweede",
            "NRC",
            "4 april 2025",
            "Body",
            "Nog een tekst.",
            "End of Document",
        ]
    )
    report = parse_nexis(text.encode(), name="afgebroken.txt")
    assert [a.title for a in report.articles] == ["Eerste", "Tweede"]
    assert report.errors == ["the cover lists 3 documents but the file holds 2"]


# --- not an export ---------------------------------------------------------------------------


def test_text_file_that_is_not_an_export() -> None:
    path = FIXTURES / "not-a-nexis-export.txt"
    with pytest.raises(NexisFormatError) as caught:
        read_nexis(path)
    assert str(caught.value) == (
        f"file {path} is not a LexisNexis export: no 'N of M DOCUMENTS' markers and no "
        "'End of Document' markers"
    )


def _zip(name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is not a LexisNexis export"),
        (bytes(range(256)) * 8, "is not a LexisNexis export"),
        (_zip("data.csv", b"a,b\n1,2\n"), "is a ZIP file but not a DOCX"),
        (b"PK\x03\x04 truncated", "is a ZIP file but not a DOCX"),
        (b"{\\rtf1\\ansi Een brief aan de redactie.\\par}", "is not a LexisNexis export"),
    ],
)
def test_garbage_is_a_format_error(data: bytes, message: str) -> None:
    with pytest.raises(NexisFormatError, match=message) as caught:
        parse_nexis(data, name="upload.bin")
    assert "upload.bin" in str(caught.value)


def test_format_comes_from_the_content_not_the_name(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_bytes((FIXTURES / "nexis-uni-nl.docx").read_bytes())
    assert len(read_nexis(path).articles) == 5


# --- date lines ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("January 23, 2025 Thursday", date(2025, 1, 23)),
        ("January 8, 2010", date(2010, 1, 8)),
        ("Thursday, January 23, 2025", date(2025, 1, 23)),
        ("July 1, 2019 Monday 9:20 AM GMT", date(2019, 7, 1)),
        ("23 januari 2025 donderdag", date(2025, 1, 23)),
        ("donderdag 23 januari 2025", date(2025, 1, 23)),
        ("DONDERDAG 23 JANUARI 2025", date(2025, 1, 23)),
        ("23 januari 2025", date(2025, 1, 23)),
        ("17 oktober 2025 vrijdag", date(2025, 10, 17)),
        ("3 mrt. 2025", date(2025, 3, 3)),
        ("23-01-2025", date(2025, 1, 23)),
        ("2025-01-23", date(2025, 1, 23)),
        ("  11 December 2025  ", date(2025, 12, 11)),
    ],
)
def test_date_lines(line: str, expected: date) -> None:
    assert parse_nexis_date(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "",
        "Date and Time: Friday, 5. July 2019 09:31:00 CEST",
        "Jaarcijfers mensenhandel 2024",
        "Rapporteur: op 23 januari 2025 verschijnt het rapport",
        "31 februari 2025",
        "Edition 1;",
        "LOAD-DATE: January 11, 2010",
    ],
)
def test_lines_that_are_not_date_lines(line: str) -> None:
    assert parse_nexis_date(line) is None
