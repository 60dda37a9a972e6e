"""Reprint detection: which items reprint which, and why. Pure and in memory.

An item is a *reprint* of another when both carry the same story in essentially the same
text (``docs/BRIEF.md``, "Reprints and unique publications"). Two items *match* when

1. ``article_id``: they carry the same publisher article id (``ReprintItem.article_key``,
   DPG ``~a…``, Mediahuis ``dmf…``) and their publisher groups do not differ (score 1.0;
   no time window: the id names one article); or
2. ``text_containment``: they were published at most ``window_days`` apart, their MinHash
   signatures (of the whole text or of its opening) share a band
   (``classifiers/shingles.py``), and the shorter text is contained in the longer:
   containment = |A ∩ B| / min(|A|, |B|) over 5-word shingles of the normalised lead +
   body (the title is left out: regional papers rewrite headlines, trim endings and
   re-order closing paragraphs, all of which containment of the shorter in the longer
   tolerates); or
3. ``wire_copy``: as 2, but both texts carry the same press-agency marker (a dateline
   "DEN HAAG (ANP) -", an "ANP" byline at the start, "ANP" / "(ANP)" / "Bron: ANP" at the
   end; also Novum, Belga, AFP, Reuters, DPA) and a lower containment suffices.

Title similarity (rapidfuzz ``ratio`` on folded titles) is supporting evidence only: it is
shown in every explanation, and a near-identical title (>= ``title_support``) lets a
containment up to ``title_margin`` below the threshold count. It never decides alone.

Thresholds (``ReprintRules``), chosen on ``tests/data/reprints.jsonl`` (123 hand-labelled
items, 25 story clusters: DPG and Mediahuis regional copies, ANP copies, independent
coverage and near-misses that share a quote) and on ``bench/synthetic.py``:

- ``containment`` 0.50. In the labelled set every labelled reprint scores 0.90-1.00
  against its original (median 1.00; trimmed endings, a rephrased sentence, re-ordered
  closing paragraphs) and every pair of copies of one story at least 0.83, while the
  highest of the 7,353 pairs from different stories scores 0.19 (26 score above 0.10:
  independent stories quoting the same report sentences, the near-misses). 0.50 sits in
  the middle of that gap: an edited copy may lose half its shingles before it is missed,
  and two independent texts would have to share half the shorter one to match.
- ``wire_containment`` 0.35 when both carry the same agency marker: regional papers edit
  wire copy more (local intro, rephrased lines), and two texts from one wire with one
  dateline are the same story by construction.
- ``min_shingles`` 15 and ``min_shared`` 10: a text under ~20 words, or an overlap of under
  10 shingles (one shared quote of ~14 words), is never text evidence.
- ``title_support`` 0.90 and ``title_margin`` 0.10.
- ``window_days`` 14: reprints appear within days; the same text three weeks later is a
  new publication (an annual report quoted again), not a reprint.

Policies (``POLICIES``):

- ``regional_of_national`` (default, as in the annual report): a regional item that
  matches non-regional items is a reprint of the earliest of them (even when the regional
  one appeared first). Regional items linked to each other form a group; a member without
  a non-regional match of its own links to the earliest non-regional original of its
  group (``story_group``), or, when the group has none, to the group's earliest regional
  item. Non-regional items are never reprints.
- ``story``: every item is a reprint of the earliest item of its story group (the
  connected items), whatever its type; counts distinct stories.

Matches form a graph; decisions are a function of the connected component only, with
ties on time broken by id, so adding items in any order, or all at once with
``add_many`` / ``detect_reprints``, gives exactly the same links.

Memory and speed (``bench/classify.py``, 100,000 synthetic items over a year, one core):
per item the index keeps its fingerprints (2 bytes a shingle), 160 band keys (640 bytes,
in fixed-size numpy blocks), folded title, article key and a few fields, plus its match
edges and link: 2.3 KB an item, 231 MB at 100,000 items (a datasketch ``MinHashLSH``
takes ~750 MB). ``add`` finds candidates by comparing the band keys of the items inside
the time window in one numpy operation per block (~8,000 items at 100,000 a year):
1.7 ms median, 2.2 ms p95. ``add_many`` (and ``detect_reprints``) joins band keys by
sorting, eight bands at a time to bound memory (peak ~310 MB): 28 s for 100,000 items.
Decisions are recomputed only for the connected component an add or remove touches.
"""

from __future__ import annotations

import copy
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz

from classifiers.shingles import BANDS, TextSketch, shared_shingles, shared_shingles_many
from classifiers.text import display_text, fold

RULE_VERSION = "reprints-2026.11.1"
POLICIES = ("regional_of_national", "story")
DEFAULT_POLICY = "regional_of_national"
METHOD_ARTICLE_ID = "article_id"
METHOD_TEXT = "text_containment"
METHOD_WIRE = "wire_copy"
METHOD_STORY = "story_group"

ItemId = int | str


@dataclass(frozen=True, slots=True)
class ReprintItem:
    """One item as reprint detection sees it."""

    id: ItemId
    outlet: str
    publication_type: str  # national | regional | news_site | trade | corporate | other
    publisher_group: str | None
    published_at: datetime  # timezone-aware
    title: str
    text: str  # lead + body, plain text (``reprint_text``)
    article_key: str | None  # publisher article id shared across a group's sites
    sketch: TextSketch | None = None  # of ``text``, when it was computed ahead


def reprint_text(lead: str, body: str) -> str:
    """The text reprint detection compares: the lead and the body."""
    return f"{lead}\n{body}".strip()


@dataclass(frozen=True, slots=True)
class ReprintLink:
    """The decision that ``item_id`` is a reprint of ``original_id``, with its evidence."""

    item_id: ItemId
    original_id: ItemId
    method: str  # article_id | text_containment | wire_copy | story_group
    score: float
    reason: str
    rule_version: str


@dataclass(frozen=True, slots=True)
class ReprintRules:
    """Thresholds; see the module docstring for how they were chosen."""

    containment: float = 0.50
    wire_containment: float = 0.35
    min_shingles: int = 15
    min_shared: int = 10
    title_support: float = 0.90
    title_margin: float = 0.10


# Press-agency markers, on the displayed text (case matters: "AP" alone is left out, in
# Dutch news it is mostly the Autoriteit Persoonsgegevens).
_AGENCIES = {"ANP": 1, "NOVUM": 2, "BELGA": 4, "AFP": 8, "REUTERS": 16, "DPA": 32}
_AGENCY = r"ANP|Novum|NOVUM|Belga|BELGA|AFP|Reuters|REUTERS|DPA|dpa"
_DATELINE = re.compile(rf"\((?P<agency>{_AGENCY})\)")
_BYLINE_START = re.compile(rf"^\W*(?:[Dd]oor:?\s*)?(?P<agency>{_AGENCY})\b(?!\))")
_BYLINE_END = re.compile(
    rf"(?:^|[\s(/©:])(?P<agency>{_AGENCY})\)?[\s.)]*$",
)
_PHOTO_CREDIT = re.compile(r"(?i)(foto|beeld|afbeelding|video|illustratie)\W*$")
_WORDS = re.compile(r"\w+")


def agency_markers(text: str) -> int:
    """Bit set of the press agencies whose copy marker ``text`` carries (0 if none)."""
    head, tail = display_text(text[:300]).strip()[:200], display_text(text[-300:]).strip()[-200:]
    found = 0
    for part in (head, tail):
        for dateline in _DATELINE.finditer(part):
            found |= _AGENCIES[dateline.group("agency").upper()]
    if start := _BYLINE_START.match(head):
        found |= _AGENCIES[start.group("agency").upper()]
    end = _BYLINE_END.search(tail)
    if end and not _PHOTO_CREDIT.search(tail[: end.start("agency")]):
        found |= _AGENCIES[end.group("agency").upper()]
    return found


def _agency_names(bits: int) -> str:
    names = [name for name, bit in _AGENCIES.items() if bits & bit]
    return "/".join(name if len(name) <= 3 else name.title() for name in names)


def _folded_title(title: str) -> str:
    return " ".join(_WORDS.findall(fold(display_text(title))))


@dataclass(slots=True, eq=False)
class _Entry:
    id: ItemId
    slot: int
    ts: float
    regional: bool
    outlet: str
    group: str | None
    key: str | None
    agencies: int
    title: str
    prints: bytes
    size: int


# An edge is stored as one float: containment c in (0, 1] for text_containment, -c for
# wire_copy, ARTICLE_EDGE for article_id.
_ARTICLE_EDGE = 2.0
BLOCK_ROWS = 8192
JOIN_BANDS = 8
_OrderKey = tuple[float, int, int, str]


class ReprintIndex:
    """Incremental reprint detection over items kept in memory.

    ``add``, ``add_many`` and ``remove`` return the ids whose link changed (appeared,
    moved, changed its evidence or disappeared), so a caller can update stored links
    incrementally; ``links()`` is the current decision for every reprint.
    """

    def __init__(
        self,
        *,
        policy: str = DEFAULT_POLICY,
        window_days: int = 14,
        rules: ReprintRules | None = None,
    ) -> None:
        if policy not in POLICIES:
            raise ValueError(f"unknown reprint policy {policy!r}; expected one of {POLICIES}")
        if window_days < 0:
            raise ValueError("window_days must not be negative")
        self.policy = policy
        self.window_days = window_days
        self.rules = rules or ReprintRules()
        self._window = float(window_days * 86400)
        self._entries: dict[ItemId, _Entry] = {}
        self._slot_ids: list[ItemId | None] = []
        self._free: list[int] = []
        # Band keys and times of slot s live in block s // BLOCK_ROWS (fixed-size blocks:
        # growing never copies what is stored). Time is NaN for a free slot and for a text
        # too short to be evidence, which keeps both out of every window.
        self._band_blocks: list[npt.NDArray[np.uint32]] = []
        self._time_blocks: list[npt.NDArray[np.float64]] = []
        self._by_key: dict[str, list[ItemId]] = {}
        self._edges: dict[ItemId, dict[ItemId, float]] = {}
        self._links: dict[ItemId, ReprintLink] = {}
        self._strings: dict[str, str] = {}
        self._before: dict[ItemId, ReprintLink | None] = {}

    # -- public API ---------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._entries

    def __iter__(self) -> Iterator[ItemId]:
        return iter(self._entries)

    def links(self) -> dict[ItemId, ReprintLink]:
        """Every current reprint decision, by reprint item id."""
        return dict(self._links)

    def links_under(self, policy: str) -> dict[ItemId, ReprintLink]:
        """Every reprint decision under ``policy`` for the same items: matches do not
        depend on the policy, so one index answers for each without comparing again."""
        if policy not in POLICIES:
            raise ValueError(f"unknown reprint policy {policy!r}; expected one of {POLICIES}")
        if policy == self.policy:
            return self.links()
        other = copy.copy(self)  # shares entries and matches, which deciding only reads
        other.policy, other._links, other._before = policy, {}, {}
        other._recompute(list(self._entries))
        return other._links

    def link(self, item_id: ItemId) -> ReprintLink | None:
        """The item's current reprint decision, or None when it is unique (or unknown)."""
        return self._links.get(item_id)

    def add(self, item: ReprintItem) -> set[ItemId]:
        """Add (or replace) one item; returns the ids whose link changed."""
        self._before = {}
        if item.id in self._entries:
            self._remove(item.id)
        entry, bands = self._insert(item)
        candidates = self._window_candidates(entry, bands)
        self._store_bands(entry, bands)
        same_key = self._by_key.get(entry.key, []) if entry.key is not None else []
        for other_id in set(same_key) | candidates:
            if other_id != entry.id:
                other = self._entries[other_id]
                self._connect(entry, other, other_id in candidates)
        if entry.key is not None:
            self._by_key.setdefault(entry.key, []).append(entry.id)
        self._recompute([entry.id])
        return self._finish()

    def add_many(self, items: Iterable[ReprintItem]) -> set[ItemId]:
        """Add (or replace) many items at once; the same links as adding them one by one
        in any order, computed by joining band keys instead of one query per item.
        When an id occurs twice, the last item wins."""
        self._before = {}
        batch: dict[ItemId, ReprintItem] = {}
        for item in items:
            batch[item.id] = item
        for item_id in batch:
            if item_id in self._entries:
                self._remove(item_id)
        new: list[_Entry] = []
        for item in batch.values():
            entry, bands = self._insert(item)
            self._store_bands(entry, bands)
            if entry.key is not None:
                self._by_key.setdefault(entry.key, []).append(entry.id)
            new.append(entry)
        is_new = np.zeros(len(self._slot_ids), dtype=bool)
        is_new[[entry.slot for entry in new]] = True
        band_pairs = self._band_pairs(is_new)
        pairs = [(self._at(first), self._at(second)) for first, second in band_pairs]
        shared = shared_shingles_many([(a.prints, b.prints) for a, b in pairs])
        for (a, b), estimate in zip(pairs, shared, strict=True):
            self._connect(a, b, True, shared=estimate)
        band_pair_set = {(min(p), max(p)) for p in band_pairs}
        new_ids = {entry.id for entry in new}
        for entry in new:
            if entry.key is None:
                continue
            for other_id in self._by_key[entry.key]:
                other = self._entries[other_id]
                pair = (min(entry.slot, other.slot), max(entry.slot, other.slot))
                if other_id == entry.id or pair in band_pair_set:
                    continue
                if other_id in new_ids and other.slot < entry.slot:
                    continue  # each new-new pair once
                self._connect(entry, other, False)
        self._recompute([entry.id for entry in new])
        return self._finish()

    def remove(self, item_id: ItemId) -> set[ItemId]:
        """Forget an item (deleted, or no longer a mention); returns the ids whose link
        changed, the item's own included when it was a reprint. Unknown ids are ignored."""
        self._before = {}
        if item_id in self._entries:
            self._remove(item_id)
        return self._finish()

    # -- storage ------------------------------------------------------------------------

    def _intern(self, text: str) -> str:
        return self._strings.setdefault(text, text)

    def _insert(self, item: ReprintItem) -> tuple[_Entry, npt.NDArray[np.uint32]]:
        if item.published_at.utcoffset() is None:
            raise ValueError(f"item {item.id!r}: published_at must be timezone-aware")
        sketch = item.sketch if item.sketch is not None else TextSketch.of(item.text)
        slot = self._free.pop() if self._free else self._new_slot()
        entry = _Entry(
            id=item.id,
            slot=slot,
            ts=item.published_at.timestamp(),
            regional=item.publication_type == "regional",
            outlet=self._intern(item.outlet),
            group=None if item.publisher_group is None else self._intern(item.publisher_group),
            key=item.article_key,
            agencies=agency_markers(item.text),
            title=_folded_title(item.title),
            prints=sketch.fingerprints,
            size=sketch.size,
        )
        self._entries[item.id] = entry
        self._slot_ids[slot] = item.id
        return entry, sketch.bands

    def _new_slot(self) -> int:
        slot = len(self._slot_ids)
        self._slot_ids.append(None)
        if slot >= len(self._time_blocks) * BLOCK_ROWS:
            self._band_blocks.append(np.zeros((BLOCK_ROWS, BANDS), dtype=np.uint32))
            self._time_blocks.append(np.full(BLOCK_ROWS, np.nan, dtype=np.float64))
        return slot

    def _store_bands(self, entry: _Entry, bands: npt.NDArray[np.uint32]) -> None:
        """Make the entry findable by text (only texts long enough to be evidence)."""
        if entry.size >= self.rules.min_shingles:
            block, row = divmod(entry.slot, BLOCK_ROWS)
            self._band_blocks[block][row] = bands
            self._time_blocks[block][row] = entry.ts

    def _remove(self, item_id: ItemId) -> None:
        entry = self._entries.pop(item_id)
        block, row = divmod(entry.slot, BLOCK_ROWS)
        self._time_blocks[block][row] = np.nan
        self._band_blocks[block][row] = 0
        self._slot_ids[entry.slot] = None
        self._free.append(entry.slot)
        if entry.key is not None:
            same_key = self._by_key[entry.key]
            same_key.remove(item_id)
            if not same_key:
                del self._by_key[entry.key]
        neighbours = self._edges.pop(item_id, {})
        for other_id in neighbours:
            others = self._edges[other_id]
            del others[item_id]
            if not others:
                del self._edges[other_id]
        self._set_link(item_id, None)
        self._recompute(sorted(neighbours, key=self._order))

    # -- candidates and evidence --------------------------------------------------------

    def _window_candidates(self, entry: _Entry, bands: npt.NDArray[np.uint32]) -> set[ItemId]:
        """Items within the window that share a band with ``entry``'s text."""
        if entry.size < self.rules.min_shingles:
            return set()
        slot_ids = self._slot_ids
        found: set[ItemId] = set()
        for block, times in enumerate(self._time_blocks):
            near = np.flatnonzero(np.abs(times - entry.ts) <= self._window)
            if near.size == 0:
                continue
            hits = near[(self._band_blocks[block][near] == bands).any(axis=1)]
            for row in hits.tolist():
                item_id = slot_ids[block * BLOCK_ROWS + row]
                if item_id is not None:
                    found.add(item_id)
        return found

    def _band_pairs(self, is_new: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
        """Slot pairs (at least one new) within the window that share a band, found by
        sorting band keys, ``JOIN_BANDS`` bands at a time to bound the memory used."""
        count = len(self._slot_ids)
        if count < 2:
            return []
        times = np.concatenate(self._time_blocks)[:count]
        active = np.flatnonzero(~np.isnan(times))
        if active.size < 2 or not is_new[active].any():
            return []
        found: list[npt.NDArray[np.int64]] = []
        for first in range(0, BANDS, JOIN_BANDS):
            columns = np.concatenate(
                [block[:, first : first + JOIN_BANDS] for block in self._band_blocks]
            )[active]
            found.append(self._shared_band_codes(columns, active, times, is_new, count))
        codes = np.unique(np.concatenate(found))
        return list(zip((codes // count).tolist(), (codes % count).tolist(), strict=True))

    def _shared_band_codes(
        self,
        columns: npt.NDArray[np.uint32],
        active: npt.NDArray[np.intp],
        times: npt.NDArray[np.float64],
        is_new: npt.NDArray[np.bool_],
        count: int,
    ) -> npt.NDArray[np.int64]:
        """Codes low * count + high of the pairs that share a band among ``columns``."""
        width = columns.shape[1]
        band_numbers = np.arange(width, dtype=np.uint64) << np.uint64(32)
        keys = (columns.astype(np.uint64) | band_numbers).ravel()
        owners = np.repeat(active, width)
        order = np.argsort(keys)
        keys, owners = keys[order], owners[order]
        starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        lengths = np.diff(np.append(starts, keys.size))
        codes: list[npt.NDArray[np.int64]] = [np.empty(0, dtype=np.int64)]
        for length in np.unique(lengths[lengths >= 2]).tolist():
            run_starts = starts[lengths == length]
            left, right = np.triu_indices(length, k=1)
            first = owners[run_starts[:, None] + left].ravel()
            second = owners[run_starts[:, None] + right].ravel()
            keep = (is_new[first] | is_new[second]) & (
                np.abs(times[first] - times[second]) <= self._window
            )
            low = np.minimum(first[keep], second[keep]).astype(np.int64)
            high = np.maximum(first[keep], second[keep]).astype(np.int64)
            codes.append(np.unique(low * count + high))
        return np.unique(np.concatenate(codes))

    def _at(self, slot: int) -> _Entry:
        item_id = self._slot_ids[slot]
        assert item_id is not None
        return self._entries[item_id]

    def _connect(
        self, a: _Entry, b: _Entry, shares_band: bool, *, shared: float | None = None
    ) -> None:
        value = self._evidence(a, b, shares_band, shared=shared)
        if value is not None:
            self._edges.setdefault(a.id, {})[b.id] = value
            self._edges.setdefault(b.id, {})[a.id] = value

    def _evidence(
        self, a: _Entry, b: _Entry, shares_band: bool, *, shared: float | None = None
    ) -> float | None:
        """The edge value between two items, or None when they do not match;
        ``shared`` is their ``shared_shingles`` when it is known already."""
        if (
            a.key is not None
            and a.key == b.key
            and (a.group is None or b.group is None or a.group == b.group)
        ):
            return _ARTICLE_EDGE
        rules = self.rules
        if not shares_band or min(a.size, b.size) < rules.min_shingles:
            return None
        if abs(a.ts - b.ts) > self._window:
            return None
        if shared is None:
            shared = shared_shingles(a.prints, b.prints)
        if shared < rules.min_shared:
            return None
        containment = round(shared / min(a.size, b.size), 3)
        wire = bool(a.agencies & b.agencies)
        threshold = rules.wire_containment if wire else rules.containment
        if containment < threshold and not (
            containment >= threshold - rules.title_margin
            and self._title_similarity(a, b) >= rules.title_support
        ):
            return None
        return -containment if wire else containment

    @staticmethod
    def _title_similarity(a: _Entry, b: _Entry) -> float:
        if not a.title or not b.title:
            return 0.0
        first, second = sorted((a.title, b.title))
        return round(fuzz.ratio(first, second) / 100.0, 2)

    def _edge_reason(self, a: _Entry, b: _Entry, value: float) -> tuple[str, float, str]:
        """(method, score, reason) of the edge between ``a`` and ``b``."""
        if value == _ARTICLE_EDGE:
            assert a.key is not None
            return METHOD_ARTICLE_ID, 1.0, f"same {_describe_key(a.key, a.group or b.group)}"
        containment = abs(value)
        title = self._title_similarity(a, b)
        wire = value < 0
        threshold = self.rules.wire_containment if wire else self.rules.containment
        reason = f"text containment {containment:.2f} (title similarity {title:.2f})"
        if containment < threshold:
            reason += f"; near-identical title supports containment under {threshold:.2f}"
        if wire:
            agency = _agency_names(a.agencies & b.agencies)
            return METHOD_WIRE, containment, f"{agency} wire copy: {reason}"
        return METHOD_TEXT, containment, reason

    # -- decisions ----------------------------------------------------------------------

    def _order(self, item_id: ItemId) -> _OrderKey:
        ts = self._entries[item_id].ts
        if isinstance(item_id, str):
            return (ts, 1, 0, item_id)
        return (ts, 0, item_id, "")

    def _set_link(self, item_id: ItemId, link: ReprintLink | None) -> None:
        old = self._links.get(item_id)
        if old == link:
            return
        self._before.setdefault(item_id, old)
        if link is None:
            del self._links[item_id]
        else:
            self._links[item_id] = link

    def _finish(self) -> set[ItemId]:
        changed = {i for i, old in self._before.items() if self._links.get(i) != old}
        self._before = {}
        return changed

    def _recompute(self, seeds: Iterable[ItemId]) -> None:
        seen: set[ItemId] = set()
        for seed in seeds:
            if seed in seen or seed not in self._entries:
                continue
            component = self._reach(seed, lambda _: True)
            seen.update(component)
            decided = self._decide(component)
            for item_id in component:
                self._set_link(item_id, decided.get(item_id))

    def _reach(self, seed: ItemId, allowed: Callable[[ItemId], bool]) -> list[ItemId]:
        """Items connected to ``seed`` through items for which ``allowed`` holds."""
        found = {seed}
        stack = [seed]
        while stack:
            for other in self._edges.get(stack.pop(), {}):
                if other not in found and allowed(other):
                    found.add(other)
                    stack.append(other)
        return sorted(found, key=self._order)

    def _decide(self, component: list[ItemId]) -> dict[ItemId, ReprintLink]:
        """Links for one connected component (sorted by time, then id)."""
        if len(component) < 2:
            return {}
        if self.policy == "story":
            return self._link_group(component, [component[0]], component[0])
        entries = self._entries
        decided: dict[ItemId, ReprintLink] = {}
        grouped: set[ItemId] = set()
        for seed in component:
            if seed in grouped or not entries[seed].regional:
                continue
            group = self._reach(seed, lambda other: entries[other].regional)
            grouped.update(group)
            direct = {
                member: sorted(
                    (o for o in self._edges.get(member, {}) if not entries[o].regional),
                    key=self._order,
                )
                for member in group
            }
            originals = sorted({o for found in direct.values() for o in found}, key=self._order)
            if not originals:
                decided.update(self._link_group(group, [group[0]], group[0]))
                continue
            target = originals[0]
            linked = self._link_group(
                [*group, target], [m for m in group if target in direct[m]], target
            )
            for member in group:
                if direct[member]:
                    decided[member] = self._direct_link(member, direct[member][0])
                else:
                    decided[member] = linked[member]
        return decided

    def _direct_link(self, item_id: ItemId, original_id: ItemId) -> ReprintLink:
        a, b = self._entries[item_id], self._entries[original_id]
        method, score, reason = self._edge_reason(a, b, self._edges[item_id][original_id])
        return ReprintLink(item_id, original_id, method, score, reason, RULE_VERSION)

    def _link_group(
        self, members: list[ItemId], sources: list[ItemId], target: ItemId
    ) -> dict[ItemId, ReprintLink]:
        """Link every member but ``target`` to ``target``: directly when they match it,
        else through the shortest chain of matches to one of ``sources`` (which match
        ``target``, or are it)."""
        allowed = set(members)
        parent: dict[ItemId, ItemId] = {}
        queue = deque(sorted(set(sources), key=self._order))
        for source in queue:
            parent[source] = target
        while queue:
            current = queue.popleft()
            for other in sorted(self._edges.get(current, {}), key=self._order):
                if other in allowed and other not in parent and other != target:
                    parent[other] = current
                    queue.append(other)
        links: dict[ItemId, ReprintLink] = {}
        for member in members:
            if member == target or member not in parent:
                continue
            if parent[member] == target or target in self._edges.get(member, {}):
                links[member] = self._direct_link(member, target)
            else:
                links[member] = self._chain_link(member, parent, target)
        return links

    def _chain_link(
        self, item_id: ItemId, parent: dict[ItemId, ItemId], target: ItemId
    ) -> ReprintLink:
        hops: list[str] = []
        score = 1.0
        current = item_id
        while current != target:
            step = parent[current]
            a, b = self._entries[current], self._entries[step]
            _, hop_score, reason = self._edge_reason(a, b, self._edges[current][step])
            score = min(score, hop_score)
            hops.append(f"{_label(a)} ~ {_label(b)}: {reason}")
            current = step
        reason = f"same story through {len(hops) - 1} item(s): " + "; ".join(hops)
        return ReprintLink(item_id, target, METHOD_STORY, score, reason, RULE_VERSION)


def _label(entry: _Entry) -> str:
    return f"{entry.id} ({entry.outlet})"


def _describe_key(key: str, group: str | None) -> str:
    scheme, _, value = key.partition(":")
    if scheme == "dpg":
        return f"DPG article id ~a{value}"
    if scheme == "mediahuis":
        return f"Mediahuis article id {value}"
    return f"{group} article id {key}" if group else f"article id {key}"


def detect_reprints(
    items: Iterable[ReprintItem],
    *,
    policy: str = DEFAULT_POLICY,
    window_days: int = 14,
    rules: ReprintRules | None = None,
) -> dict[ItemId, ReprintLink]:
    """Reprint links over a set of items (the batch form of ``ReprintIndex``)."""
    index = ReprintIndex(policy=policy, window_days=window_days, rules=rules)
    index.add_many(items)
    return index.links()


def detect_reprints_per_policy(
    items: Iterable[ReprintItem],
    *,
    policies: Iterable[str] = POLICIES,
    window_days: int = 14,
    rules: ReprintRules | None = None,
) -> dict[str, dict[ItemId, ReprintLink]]:
    """``detect_reprints`` under each policy, the items sketched and compared once."""
    wanted = list(policies)
    if not wanted:
        return {}
    index = ReprintIndex(policy=wanted[0], window_days=window_days, rules=rules)
    index.add_many(items)
    return {policy: index.links_under(policy) for policy in wanted}
