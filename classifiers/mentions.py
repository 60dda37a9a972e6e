"""Mention detection: where an article names the watched organisation, and in what role.

Rules (see ``docs/decisions.md``):
- distinctive forms count unless qualified as another office ("VN-rapporteur",
  "de Belgische nationaal rapporteur", "National Rapporteur of Finland");
- generic forms ("nationaal rapporteur") count likewise, except in an article that also
  names another office's rapporteur: there only with a Dutch marker nearby or a
  distinctive form or office holder elsewhere;
- weak forms ("rapporteur", "NRM") count with a counted form or office holder elsewhere
  in the article, or else with a context term (trafficking, sexual violence) nearby in an
  article that names no other rapporteur, and never next to an exclusion ("Europees
  Parlement", "wetsvoorstel"); English "national rapporteur" only with a counted form;
- an office holder's full name counts during the term, or outside it when "rapporteur"
  stands close by; the surname alone counts only after a full mention of that holder and
  never for someone else with that surname.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from classifiers.records import MentionHit
from classifiers.text import display_text, fold, snippet
from classifiers.watchlist import OfficeHolder, Watchlist

CONTEXT_RADIUS = 200
EXCLUSION_RADIUS = 60
HOLDER_TIE_RADIUS = 100
REPORT_PREFIX = 60  # "de jaarcijfers van de Nationaal Rapporteur"
UPPER_CASE_WEAK_FORMS = frozenset({"nrm", "bnrm"})
# Words that may stand capitalised before a surname without making it someone else.
SURNAME_PRECEDERS = frozenset(
    {
        "volgens",
        "aldus",
        "ook",
        "maar",
        "en",
        "dat",
        "toen",
        "wel",
        "nu",
        "daarom",
        "mevrouw",
        "mw",
        "mw.",
        "rapporteur",
        "professor",
        "prof",
        "prof.",
        "hoogleraar",
        "dr",
        "dr.",
        "mr",
        "mr.",
        "zegt",
        "zei",
        "stelt",
        "vindt",
        "waarschuwt",
        "according",
        "said",
        "says",
    }
)
PLACES = ("title", "lead", "body")
# Titles that tie a holder's name to the office whatever the date ("oud-rapporteur Bolhaar").
OFFICE_TITLES = (
    "rapporteur",
    "nationaal rapporteur",
    "oud rapporteur",
    "oud nationaal rapporteur",
    "voormalig rapporteur",
    "voormalig nationaal rapporteur",
    "voormalige nationaal rapporteur",
)


@dataclass(frozen=True, slots=True)
class _Candidate:
    place: str
    form: str
    start: int
    end: int
    kind: str  # strong | generic | weak | anchor_only | holder | tied | surname
    holder: OfficeHolder | None


def _key_word(form: str) -> str:
    """The word every occurrence of ``form`` must contain that is rarest in news text."""
    words = form.split()
    if "rapporteur" in words:
        return "rapporteur"
    return max(words, key=len).strip(".")


def _pattern(form: str) -> str:
    return r" +".join(re.escape(word) for word in form.split())


def _phrase_regex(phrases: tuple[str, ...] | frozenset[str]) -> re.Pattern[str]:
    """Any of the phrases as whole words, the longest first.

    The alternatives are grouped by their first character: Python's regex engine tries
    every alternative at every position of the text, and grouped it tries only the
    group that can start there (the watchlist's forms: 0.42 ms an article, 0.12 grouped).
    Alternatives that start with different characters never match at the same position,
    and within a group the longest still come first, so the matches are the same."""
    groups: dict[str, list[str]] = {}
    for phrase in sorted(set(phrases), key=len, reverse=True):
        words = phrase.split()
        if words:
            first = re.escape(words[0][0])
            groups.setdefault(first, []).append(_pattern(phrase)[len(first) :])
    branches = (first + "(?:" + "|".join(rests) + ")" for first, rests in groups.items())
    return re.compile(r"\b(?:" + "|".join(branches) + r")\b")


class MentionDetector:
    """Compiled form of a watchlist. Thread-safe and reusable; build it once."""

    def __init__(self, watchlist: Watchlist) -> None:
        self.watchlist = watchlist
        self._kinds: dict[str, tuple[str, OfficeHolder | None]] = {}
        for kind, forms in (
            ("weak", watchlist.weak_forms),
            ("anchor_only", watchlist.anchor_only_forms),
            ("generic", watchlist.generic_forms),
            ("strong", watchlist.forms),
        ):
            self._kinds.update((form, (kind, None)) for form in forms)
        for holder in watchlist.holders:
            surname = fold(holder.surname)
            for form in holder.forms:
                self._kinds[form] = ("surname" if form == surname else "holder", holder)
            for title in OFFICE_TITLES:
                for form in (*holder.forms, surname):
                    self._kinds[f"{title} {form}"] = ("tied", holder)
        self._forms = _phrase_regex(tuple(self._kinds))
        self._context = _phrase_regex(watchlist.context_terms)
        self._exclusions = _phrase_regex(watchlist.exclusions)
        self._quote_verbs = _phrase_regex(watchlist.quote_verbs)
        self._report_terms = _phrase_regex(watchlist.report_terms)
        # "het rapport van de", "de jaarcijfers van het": the mention is the author.
        self._cited_work = re.compile(
            self._report_terms.pattern + r"\w*( [^ ]+){0,3} (van|door) (de|het)\s*$"
        )
        self._suffixes = tuple(watchlist.foreign_suffixes)
        self._dutch = _phrase_regex(watchlist.dutch_markers)
        self._role_prefixes = tuple(f" {p}" for p in watchlist.role_prefixes) + tuple(
            watchlist.role_prefixes
        )
        # Cheap screen: most articles contain no fragment of any form at all. Public, so
        # collectors can run the same screen over raw page bytes before extracting.
        self.screen_pattern = "|".join(sorted({re.escape(_key_word(f)) for f in self._kinds}))
        self._screen = re.compile(self.screen_pattern)

    def detect(
        self,
        *,
        title: str = "",
        lead: str = "",
        body: str = "",
        published_at: datetime | None = None,
    ) -> list[MentionHit]:
        """Every counted mention in the article, in reading order."""
        if not any(map(self._may_match, (title, lead, body))):
            return []
        texts = dict(zip(PLACES, map(display_text, (title, lead, body)), strict=True))
        folded = {place: fold(text) for place, text in texts.items()}
        if not any(self._screen.search(f) for f in folded.values()):
            return []
        day = (published_at or datetime.now(UTC)).date()
        candidates = [
            _Candidate(place, m.group(0), m.start(), m.end(), *self._kind(m.group(0)))
            for place in PLACES
            for m in self._forms.finditer(folded[place])
        ]
        qualified = [c for c in candidates if self._qualified(folded[c.place], c)]
        candidates = [c for c in candidates if c not in qualified]
        other_office = bool(qualified) or any(self._exclusions.search(f) for f in folded.values())
        # Another country's national rapporteur makes the generic forms ambiguous; a UN or
        # EU "rapporteur" does not (it has no "nationaal").
        foreign = any(c.kind in ("strong", "generic", "anchor_only") for c in qualified)
        accepted = self._accept(
            candidates, texts, folded, day, foreign=foreign, other_office=other_office
        )
        return [
            MentionHit(
                form=" ".join(c.form.split()),
                place=c.place,
                role=self._role(texts[c.place], folded[c.place], c),
                snippet=snippet(texts[c.place], c.start, c.end),
                start=c.start,
                end=c.end,
            )
            for c in accepted
        ]

    def _may_match(self, raw: str) -> bool:
        """False only when the screen cannot match the folded text: plain ASCII without
        entities or line-end hyphenation folds to its lower case, but for dashes and
        breaks turned into spaces, which no screen word (one word of a form) contains.
        Most feed entries are such text; folding them is the larger part of detecting."""
        if not raw.isascii() or "&" in raw or ("-" in raw and "\n" in raw):
            return True
        return self._screen.search(raw.lower()) is not None

    def _kind(self, matched: str) -> tuple[str, OfficeHolder | None]:
        return self._kinds[" ".join(matched.split())]

    def _qualified(self, folded: str, c: _Candidate) -> bool:
        """True when the words around a form make it another office."""
        before = folded[max(0, c.start - 40) : c.start].split()
        if before and before[-1] in self.watchlist.qualifiers:
            return True
        if len(before) >= 2 and f"{before[-2]} {before[-1]}" in self.watchlist.qualifiers:
            return True
        after = " ".join(folded[c.end : c.end + 40].split())
        return c.kind not in ("holder", "tied", "surname") and after.startswith(self._suffixes)

    def _accept(
        self,
        candidates: list[_Candidate],
        texts: dict[str, str],
        folded: dict[str, str],
        day: date,
        *,
        foreign: bool,
        other_office: bool,
    ) -> list[_Candidate]:
        """Decide in order of certainty: distinctive forms and office holders, then generic
        forms, then the forms that lean on those."""
        accepted = [c for c in candidates if self._names_office(c, folded[c.place], day)]
        distinctive = bool(accepted)
        accepted += [
            c
            for c in candidates
            if c.kind == "generic"
            and (
                distinctive
                or (
                    not self._describes_a_role(folded[c.place], c)
                    and (not foreign or self._near_dutch_marker(folded[c.place], c))
                )
            )
        ]
        anchored = bool(accepted)
        fully_named = {c.holder.name for c in accepted if c.holder is not None}
        for c in candidates:
            if c.kind == "weak":
                counts = self._weak_counts(
                    c, texts[c.place], folded[c.place], anchored=anchored, other_office=other_office
                )
            elif c.kind == "anchor_only":
                counts = anchored
            elif c.kind == "surname" and c.holder is not None:
                counts = c.holder.name in fully_named and self._is_that_person(texts[c.place], c)
            else:
                counts = False
            if counts:
                accepted.append(c)
        order = {place: i for i, place in enumerate(PLACES)}
        return sorted(accepted, key=lambda c: (order[c.place], c.start))

    def _describes_a_role(self, folded: str, c: _Candidate) -> bool:
        """ "..., dat als nationaal rapporteur ...": a role, not the institute's name."""
        before = " ".join(folded[max(0, c.start - 40) : c.start].split())
        return before.endswith(self._role_prefixes)

    def _near_dutch_marker(self, folded: str, c: _Candidate) -> bool:
        window = folded[max(0, c.start - HOLDER_TIE_RADIUS) : c.end + HOLDER_TIE_RADIUS]
        return self._dutch.search(window) is not None

    def _names_office(self, c: _Candidate, folded: str, day: date) -> bool:
        """Strong forms and titled names always; a holder's name in office or near a title."""
        if c.kind in ("strong", "tied"):
            return True
        if c.kind != "holder" or c.holder is None:
            return False
        if c.holder.in_office(day):
            return True  # the brief's rule; a namesake in office is counted too
        window = folded[max(0, c.start - HOLDER_TIE_RADIUS) : c.end + HOLDER_TIE_RADIUS]
        return "rapporteur" in window

    def _weak_counts(
        self, c: _Candidate, text: str, folded: str, *, anchored: bool, other_office: bool
    ) -> bool:
        if c.form in UPPER_CASE_WEAK_FORMS and not text[c.start : c.end].isupper():
            return False
        near = folded[max(0, c.start - EXCLUSION_RADIUS) : c.end + EXCLUSION_RADIUS]
        if self._exclusions.search(near):
            return False
        if anchored:
            return True
        if other_office or self._describes_a_role(folded, c):
            return False  # "de rapporteur" refers back to the other office named
        context = folded[max(0, c.start - CONTEXT_RADIUS) : c.end + CONTEXT_RADIUS]
        return self._context.search(context) is not None

    def _is_that_person(self, text: str, c: _Candidate) -> bool:
        if not text[c.start : c.start + 1].isupper():
            return False  # "de rijken", "rijker"
        previous = text[max(0, c.start - 30) : c.start].split()
        if not previous:
            return True
        word = previous[-1]
        if not word[:1].isupper() or word.lower() in SURNAME_PRECEDERS:
            return True
        return len(previous) >= 2 and previous[-2].endswith((".", "!", "?", ":"))

    def _role(self, text: str, folded: str, c: _Candidate) -> str:
        """quoted: the mention speaks (a reporting verb or a quotation in its sentence, or
        a quotation opening the next one), unless it is the author of a publication cited
        ("de jaarcijfers van de Nationaal Rapporteur"); report_cited: a publication named
        in its sentence; passing otherwise."""
        start, end = _sentence_bounds(text, c.start, c.end)
        sentence = folded[start:end]
        before = folded[max(start, c.start - REPORT_PREFIX) : c.start]
        if self._cited_work.search(before) or re.match(r"\s*(rapport|monitor)", folded[c.end :]):
            return "report_cited"
        next_sentence = folded[end : end + 3].lstrip()
        speaker_colon = folded[c.end : c.end + 2].lstrip().startswith(":")  # "Rapporteur: ..."
        if (
            speaker_colon
            or self._quote_verbs.search(sentence)
            or '"' in sentence
            or next_sentence.startswith('"')
        ):
            return "quoted"
        if self._report_terms.search(sentence):
            return "report_cited"
        return "passing"


_SENTENCE_END = re.compile(r"[.!?][\"'”’]?(?=\s)|\n")


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Start and end of the sentence around text[start:end]."""
    sentence_start = 0
    for match in _SENTENCE_END.finditer(text, 0, start):
        sentence_start = match.end()
    following = _SENTENCE_END.search(text, end)
    return sentence_start, following.end() if following else len(text)
