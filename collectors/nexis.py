"""LexisNexis exports (classic text, Nexis Uni DOCX, RTF) into plain articles.

Two layouts exist, and RTF comes in both:

- classic (nexis.com, LexisNexis Academic; TXT): a request header, then per document a centred
  "N of M DOCUMENTS" line, the publication, the date line (sometimes followed by edition
  lines), the title, upper-case labels (BYLINE:, SECTION:, LENGTH:), the body, then LOAD-DATE:,
  LANGUAGE:, PUBLICATION-TYPE: ... and a copyright notice. Text is hard-wrapped, paragraphs are
  separated by blank lines.
- Nexis Uni (DOCX): a cover listing the documents, then per document the title, publication,
  date line, copyright, "Section:", "Length:", "Byline:", a "Body" heading, one paragraph per
  line, optionally "Classification" with "Language:", then "Load-Date:" and "End of Document".

The markers ("N of M DOCUMENTS" before, "End of Document" after each document) split a file
into documents, and each document is parsed on its own: a broken one becomes a message in
``NexisReport.errors`` and the others are still returned. A file with neither marker raises
``NexisFormatError``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

from striprtf.striprtf import rtf_to_text

from collectors.nexis_docx import UnreadableDocx, docx_lines


@dataclass(frozen=True, slots=True)
class NexisArticle:
    title: str
    publication: str  # as Nexis gives it: "De Telegraaf", "The Guardian(London)"
    published_on: date
    length_words: int | None
    byline: str | None
    section: str | None  # "Binnenland; Blz. 4": page information kept
    body: str  # paragraphs joined with "\n"
    language: str | None  # ISO 639-1 code, from LANGUAGE: when present
    load_date: date | None
    position: int  # 1-based index of the document in the file


@dataclass(slots=True)
class NexisReport:
    articles: list[NexisArticle] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one per document that could not be read


class NexisFormatError(ValueError):
    """The file as a whole cannot be read as a LexisNexis export; the message names it."""


class _DocumentError(Exception):
    """One document of an export cannot be read; the others can."""


_Document = TypeVar("_Document")  # what one layout's parser takes for a document


# --- dates -----------------------------------------------------------------------------------

_MONTHS = {
    **dict.fromkeys(["january", "januari", "jan"], 1),
    **dict.fromkeys(["february", "februari", "feb"], 2),
    **dict.fromkeys(["march", "maart", "mar", "mrt"], 3),
    **dict.fromkeys(["april", "apr"], 4),
    **dict.fromkeys(["may", "mei"], 5),
    **dict.fromkeys(["june", "juni", "jun"], 6),
    **dict.fromkeys(["july", "juli", "jul"], 7),
    **dict.fromkeys(["august", "augustus", "aug"], 8),
    **dict.fromkeys(["september", "sept", "sep"], 9),
    **dict.fromkeys(["october", "oktober", "oct", "okt"], 10),
    **dict.fromkeys(["november", "nov"], 11),
    **dict.fromkeys(["december", "dec"], 12),
}
_WEEKDAYS = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    "|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag"
)
# Longest first, so that "sept" does not stop the regex short of "september".
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
# "9:20 AM GMT", "09:31 CEST", "12:02 AM GMT+1": Nexis Uni appends the time to its date line.
_TIME = (
    r"\d{1,2}[:.]\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?"
    r"(?:\s+[a-z]{2,5}(?:[+-]\d{1,2}(?::?\d{2})?)?)?"
)
_DATE_LINE = re.compile(
    rf"""^(?:(?:{_WEEKDAYS}),?\s+)?
    (?:(?P<m1>{_MONTH_NAMES})\.?\s+(?P<d1>\d{{1,2}}),?\s+(?P<y1>\d{{4}})       # January 23, 2025
      |(?P<d2>\d{{1,2}})\.?\s+(?P<m2>{_MONTH_NAMES})\.?,?\s+(?P<y2>\d{{4}})    # 23 januari 2025
      |(?P<d3>\d{{1,2}})-(?P<m3>\d{{1,2}})-(?P<y3>\d{{4}})                      # 23-01-2025
      |(?P<y4>\d{{4}})-(?P<m4>\d{{2}})-(?P<d4>\d{{2}})                          # 2025-01-23
    )
    (?:,?\s+(?:{_WEEKDAYS}))?(?:,?\s+{_TIME})?$""",
    re.IGNORECASE | re.VERBOSE,
)


def parse_nexis_date(text: str) -> date | None:
    """The date of a line that is a date and nothing else, English or Dutch, or None.

    "January 23, 2025 Thursday", "23 januari 2025 donderdag", "donderdag 23 januari 2025",
    "23-01-2025", with or without weekday and with an optional time. A line that merely
    contains a date (a title, "Date and Time: ..." on the cover) is not a date line.
    """
    match = _DATE_LINE.match(" ".join(text.split()))
    if not match:
        return None
    groups = match.groupdict()
    for n in "1234":
        if groups[f"y{n}"]:
            month = groups[f"m{n}"]
            number = int(month) if month.isdigit() else _MONTHS[month.lower()]
            try:
                return date(int(groups[f"y{n}"]), number, int(groups[f"d{n}"]))
            except ValueError:  # "31 februari": not a date line after all
                return None
    return None


# --- field values ----------------------------------------------------------------------------

_LANGUAGES = {
    "nl": ("dutch", "nederlands", "flemish", "vlaams"),
    "en": ("english", "engels"),
    "de": ("german", "deutsch", "duits"),
    "fr": ("french", "français", "francais", "frans"),
    "es": ("spanish", "español", "espanol", "spaans"),
    "it": ("italian", "italiano", "italiaans"),
    "pt": ("portuguese", "português", "portugees"),
    "pl": ("polish", "polski", "pools"),
    "ro": ("romanian", "română", "roemeens"),
    "bg": ("bulgarian", "bulgaars"),
    "uk": ("ukrainian", "oekraïens"),
    "ru": ("russian", "russisch"),
    "ar": ("arabic", "arabisch"),
    "tr": ("turkish", "turks"),
}
_LANGUAGE_CODES = {name: code for code, names in _LANGUAGES.items() for name in names}


def _language(value: str) -> str | None:
    """ "DUTCH; NEDERLANDS" -> "nl"; a name not in the table gives None rather than a guess."""
    for name in re.split(r"[;,/]", value):
        code = _LANGUAGE_CODES.get(name.strip().casefold())
        if code:
            return code
    return None


def _length(value: str) -> int | None:
    """ "2,968 words", "1.234 woorden" -> the number; Nexis groups thousands either way."""
    match = re.match(r"\s*(\d[\d.,]*)", value)
    return int(re.sub(r"\D", "", match.group(1))) if match else None


def _section(value: str) -> str | None:
    # Nexis Uni appends its own revision ("POLITICS; Version:28"); that is not the paper's.
    value = re.sub(r";?\s*Version:\s*\d+\s*$", "", value, flags=re.IGNORECASE).strip()
    return value or None


def _clean(text: str) -> str:
    return " ".join(text.split())


# Localised labels: the German and French ones are those LexisNexisTools knows; the Dutch ones
# are assumptions (no Dutch-interface sample seen), harmless where English labels are used.
_LABEL_ALIASES = {
    "sectie": "section",
    "rubriek": "section",
    "rubrik": "section",
    "lengte": "length",
    "länge": "length",
    "longueur": "length",
    "auteur": "byline",
    "author": "byline",
    "autor": "byline",
    "taal": "language",
    "sprache": "language",
    "langue": "language",
}


def _canonical(label: str) -> str:
    label = label.casefold()
    return _LABEL_ALIASES.get(label, label)


# --- reading files ---------------------------------------------------------------------------

_CLASSIC_START = re.compile(
    # "1 of 10 DOCUMENTS" (English interface); German and French forms as LexisNexisTools
    # reads them; the Dutch form is an assumption.
    r"^\s*(?:\d+ of \d+ DOCUMENTS?|\d+ van \d+ DOCUMENTEN?|Dokument \d+ von \d+"
    r"|Document \d+ de \d+)\s*$"
)
_UNI_END = re.compile(r"^\s*End of Document\s*$", re.IGNORECASE)


def read_nexis(path: Path) -> NexisReport:
    """Parse a LexisNexis export; the format is taken from the content, not the file name."""
    return parse_nexis(path.read_bytes(), name=str(path))


def parse_nexis(data: bytes, *, name: str) -> NexisReport:
    """Parse the bytes of an export; ``name`` is used in messages."""
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if data.startswith(b"PK\x03\x04"):
        try:
            lines = docx_lines(data)
        except UnreadableDocx as error:
            raise NexisFormatError(f"file {name} is a ZIP file but not a DOCX: {error}") from None
        numbered = False
    elif stripped.startswith(b"{\\rtf"):
        lines = _rtf_text(data).splitlines()
        numbered = False
    else:
        lines = _decode_text(data).splitlines()
        numbered = True  # line numbers in messages help only where the user sees lines
    if any(_CLASSIC_START.match(line) for line in lines):
        return _parse_classic(lines, numbered=numbered)
    if any(_UNI_END.match(line) for line in lines):
        return _parse_uni(lines)
    raise NexisFormatError(
        f"file {name} is not a LexisNexis export: no 'N of M DOCUMENTS' markers and no "
        "'End of Document' markers"
    )


def _rtf_text(data: bytes) -> str:
    # RTF is ASCII with \'xx escapes in the code page it declares (striprtf honours \ansicpg);
    # raw 8-bit bytes, where a writer left them, are most likely Windows-1252 too.
    text: str = rtf_to_text(  # type: ignore[no-untyped-call]  # striprtf has no annotations
        data.decode("cp1252", errors="replace"), errors="replace"
    )
    return text


def _decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
        return data.decode("latin-1")


def _collect(
    documents: Sequence[_Document],
    parse: Callable[[_Document, int], NexisArticle],
    first_lines: Sequence[int] | None = None,
) -> NexisReport:
    """Parse each document on its own; ``first_lines`` are line numbers for messages."""
    report = NexisReport()
    for index, document in enumerate(documents):
        try:
            report.articles.append(parse(document, index + 1))
        except _DocumentError as error:
            where = f" (line {first_lines[index]})" if first_lines else ""
            report.errors.append(f"document {index + 1} of {len(documents)}{where}: {error}")
    return report


# --- classic layout --------------------------------------------------------------------------

# An upper-case label at the start of a block: "BYLINE:", "LOAD-DATE:", "PUBLICATION-TYPE:".
_CLASSIC_LABEL = re.compile(r"^([A-ZÄÖÜ][A-ZÄÖÜ0-9]*(?:[ -][A-ZÄÖÜ0-9]+)*):(?:\s+(.*))?$")
_CLASSIC_HEADER_LABELS = frozenset(
    {"byline", "section", "length", "dateline", "highlight", "headline", "edition"}
)
# The body ends where these begin; further labels (GRAPHIC:, UPDATE:) may come before them.
_CLASSIC_TRAILER_START = frozenset({"load-date", "language"})
_COPYRIGHT = re.compile(
    r"^(?:copyright\b|©|\(c\)\s*\d{4}|all rights reserved|alle rechten voorbehouden)",
    re.IGNORECASE,
)


@dataclass(slots=True)
class _Block:
    """Consecutive non-blank lines: a paragraph of hard-wrapped text."""

    lines: list[str]

    @property
    def text(self) -> str:
        return _clean(" ".join(self.lines))

    def label(self) -> tuple[str, str] | None:
        """(canonical label, value) when the block starts with an upper-case label."""
        match = _CLASSIC_LABEL.match(self.lines[0])
        if not match:
            return None
        value = " ".join([match.group(2) or "", *self.lines[1:]])
        return _canonical(match.group(1)), _clean(value)


def _blocks(lines: Sequence[str]) -> list[_Block]:
    blocks: list[_Block] = []
    current: _Block | None = None
    for raw in lines:
        text = raw.replace("\xa0", " ").strip()
        if not text:
            current = None
        elif current is None:
            current = _Block([text])
            blocks.append(current)
        else:
            current.lines.append(text)
    return blocks


def _parse_classic(lines: Sequence[str], *, numbered: bool) -> NexisReport:
    starts = [i for i, line in enumerate(lines) if _CLASSIC_START.match(line)]
    ends = [*starts[1:], len(lines)]
    documents = [_blocks(lines[a + 1 : b]) for a, b in zip(starts, ends, strict=True)]
    marker_lines = [start + 1 for start in starts] if numbered else None
    return _collect(documents, _classic_article, marker_lines)


def _classic_trailer_block(block: _Block) -> bool:
    """A labelled block or copyright notice after the body (GRAPHIC:, UPDATE:, JOURNAL-CODE:)."""
    if _COPYRIGHT.match(block.lines[0]):
        return True
    labelled = block.label()
    # Header labels stay: in an article without text they follow the title directly.
    return labelled is not None and labelled[0] not in _CLASSIC_HEADER_LABELS


def _classic_article(blocks: list[_Block], position: int) -> NexisArticle:
    # Publication and date line are the first lines; edition lines may follow the date line
    # in its block ("Edition 1;" "Scotland").
    found = next(
        (
            (b, i, published)
            for b, block in enumerate(blocks[:4])
            for i, line in enumerate(block.lines)
            if (published := parse_nexis_date(line))
        ),
        None,
    )
    if found is None:
        raise _DocumentError("no date line")
    date_block, date_index, published_on = found
    before = [line for block in blocks[:date_block] for line in block.lines]
    publication = _clean(" ".join([*before, *blocks[date_block].lines[:date_index]]))
    if not publication:
        raise _DocumentError("no publication line before the date line")

    rest = blocks[date_block + 1 :]
    trailer_at = next(
        (i for i, b in enumerate(rest) if (lb := b.label()) and lb[0] in _CLASSIC_TRAILER_START),
        len(rest),
    )
    main, trailer = rest[:trailer_at], rest[trailer_at:]
    while main and _classic_trailer_block(main[-1]):
        trailer.insert(0, main.pop())

    # The title is what stands between the date and the first header label; without labels,
    # the first block. Only the first blocks are searched so that a label-like paragraph deep
    # in the body cannot swallow it.
    first_label = next(
        (
            i
            for i, b in enumerate(main[:3])
            if (lb := b.label()) and lb[0] in _CLASSIC_HEADER_LABELS
        ),
        None,
    )
    title_end = 1 if first_label is None else first_label
    title = _clean(" ".join(b.text for b in main[:title_end]))
    fields: dict[str, str] = {}
    body_at = title_end
    for block in main[title_end:]:
        labelled = block.label()
        if labelled is None or labelled[0] not in _CLASSIC_HEADER_LABELS:
            break
        fields.setdefault(*labelled)
        body_at += 1
    title = fields.get("headline") or title
    if not title:
        raise _DocumentError("no title after the date line")

    trailer_fields: dict[str, str] = {}
    for block in trailer:
        if labelled := block.label():
            trailer_fields.setdefault(*labelled)
    body = "\n".join(block.text for block in main[body_at:])
    return _article(title, publication, published_on, fields, trailer_fields, body, position)


def _article(
    title: str,
    publication: str,
    published_on: date,
    fields: dict[str, str],
    trailer: dict[str, str],
    body: str,
    position: int,
) -> NexisArticle:
    """An article from the labelled fields both layouts share (header and trailer)."""
    load_date = trailer.get("load-date")
    return NexisArticle(
        title=title,
        publication=publication,
        published_on=published_on,
        length_words=_length(fields["length"]) if "length" in fields else None,
        byline=fields.get("byline") or None,
        section=_section(fields["section"]) if "section" in fields else None,
        body=body,
        language=_language(trailer["language"]) if "language" in trailer else None,
        load_date=parse_nexis_date(load_date) if load_date else None,
        position=position,
    )


# --- Nexis Uni layout ------------------------------------------------------------------------

_UNI_LABEL = re.compile(r"^([A-Za-zÄÖÜäöü][A-Za-zÄÖÜäöü]*(?:[ -][A-Za-z]+)?):\s*(.*)$")
_UNI_HEADER_LABELS = frozenset({"section", "length", "byline", "dateline", "highlight"})
# Labels of the part after the body. Only these end a body: an article's last paragraph may
# well read "Foto: ANP" or "Lees ook: ...".
_UNI_TRAILER_LABELS = frozenset(
    {
        "load-date",
        "language",
        "publication-type",
        "journal code",
        "subject",
        "organization",
        "person",
        "geographic",
        "industry",
        "company",
        "ticker",
        "document-type",
        "correction-date",
        "graphic",
        "notes",
        "url",
    }
)
# Headings (bold, like "Body") of the parts after the body.
_UNI_TRAILER_HEADINGS = frozenset({"classification", "graphic", "notes"})
_UNI_BODY_HEADINGS = frozenset({"body", "text"})
_UNI_COVER_COUNT = re.compile(r"^Documents \((\d+)\)$")


def _uni_label(line: str) -> tuple[str, str] | None:
    match = _UNI_LABEL.match(line)
    return (_canonical(match.group(1)), match.group(2).strip()) if match else None


def _parse_uni(raw_lines: Sequence[str]) -> NexisReport:
    # Empty paragraphs are only spacing in this layout: every paragraph is one line.
    lines = [_clean(line) for line in raw_lines]
    lines = [line for line in lines if line]
    chunks: list[list[str]] = [[]]
    for line in lines:
        if _UNI_END.match(line):
            chunks.append([])
        else:
            chunks[-1].append(line)
    if not chunks[-1]:  # nothing after the last marker, as in every complete export
        chunks.pop()
    report = _collect(chunks, _uni_article)
    # The cover says how many documents were exported; fewer means a damaged file.
    cover = next((m for line in chunks[0] if (m := _UNI_COVER_COUNT.match(line))), None)
    if cover and int(cover.group(1)) != len(chunks):
        report.errors.append(
            f"the cover lists {cover.group(1)} documents but the file holds {len(chunks)}"
        )
    return report


def _uni_article(lines: list[str], position: int) -> NexisArticle:
    body_heading = next(
        (i for i, line in enumerate(lines) if line.casefold() in _UNI_BODY_HEADINGS), None
    )
    header_end = len(lines) if body_heading is None else body_heading
    first_label = next(
        (
            i
            for i, line in enumerate(lines[:header_end])
            if (lb := _uni_label(line)) and lb[0] in _UNI_HEADER_LABELS
        ),
        header_end,
    )
    # Title and publication are the two lines before the date line. In the first document the
    # cover comes before them, which is why the date line is the anchor.
    date_at = next(
        (i for i, line in enumerate(lines[:first_label]) if parse_nexis_date(line)), None
    )
    if date_at is None:
        raise _DocumentError("no date line")
    if date_at < 2:
        raise _DocumentError("no title and publication before the date line")
    title, publication = lines[date_at - 2], lines[date_at - 1]
    published_on = parse_nexis_date(lines[date_at])
    assert published_on is not None  # found above

    fields: dict[str, str] = {}
    body_start = date_at + 1
    for i in range(date_at + 1, header_end):
        labelled = _uni_label(lines[i])
        if labelled and labelled[0] in _UNI_HEADER_LABELS:
            fields.setdefault(*labelled)
            body_start = i + 1
        elif _COPYRIGHT.match(lines[i]):
            body_start = i + 1
        elif body_heading is None:
            break  # no "Body" heading: the text starts after the labels
    if body_heading is not None:
        body_start = body_heading + 1

    body_end = next(
        (
            i
            for i in range(body_start, len(lines))
            if lines[i].casefold() in _UNI_TRAILER_HEADINGS
            or ((lb := _uni_label(lines[i])) and lb[0] == "load-date")
        ),
        len(lines),
    )
    while body_end > body_start and (
        (lb := _uni_label(lines[body_end - 1])) and lb[0] in _UNI_TRAILER_LABELS
    ):
        body_end -= 1
    trailer: dict[str, str] = {}
    for line in lines[body_end:]:
        if labelled := _uni_label(line):
            trailer.setdefault(*labelled)
    body = "\n".join(lines[body_start:body_end])
    return _article(title, publication, published_on, fields, trailer, body, position)
