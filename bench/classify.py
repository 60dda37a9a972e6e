"""Classification and reprint-detection benchmarks on synthetic data, one core.

    python bench/classify.py [--items 100000] [--articles 10000] [--skip-memory] [--strict]

(a) mention detection + outlet lookup: ``ArticleClassifier.default().classify`` over
    synthetic articles of 300-600 words, a minority mentioning the Rapporteur;
(b) reprint index (``classifiers.reprints``): time per ``add`` with ``--items`` items
    stored (p50/p95/max over the last 1,000 adds, after ``add_many`` of the rest), the
    index's memory at ``--items`` items (tracemalloc: what the index allocated and still
    holds; the peak includes the band join), and a full re-run of ``detect_reprints``.
    The re-run must give the same links as the incremental index, and precision/recall
    against the generator's expected links are shown.

Prints a table with targets and PASS/FAIL per line and exits 0 (with ``--strict``, 1 when
a line fails). The default run takes about two minutes.
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import articles, reprint_corpus

from classifiers.article import ArticleClassifier
from classifiers.records import Article
from classifiers.reprints import ReprintIndex, ReprintItem, detect_reprints


@dataclass(frozen=True, slots=True)
class Row:
    check: str
    measured: str
    target: str
    passed: bool | None  # None: figure shown for information


def classify_rows(count: int) -> list[Row]:
    raw = articles(count)
    batch = [
        Article(
            url=row["url"],
            title=row["title"],
            lead=row["lead"],
            body=row["body"],
            published_at=datetime.fromisoformat(row["published_at"]),
        )
        for row in raw
    ]
    started = time.perf_counter()
    classifier = ArticleClassifier.default()
    build = time.perf_counter() - started
    started = time.perf_counter()
    mentions = sum(1 for article in batch if classifier.classify(article).is_mention)
    elapsed = time.perf_counter() - started
    rate = count / elapsed
    words = statistics.mean(len(f"{a.lead} {a.body}".split()) for a in batch[:2000])
    return [
        Row(
            f"classify: mention + outlet, {count:,} articles (~{words:.0f} words)",
            f"{rate:,.0f} items/s",
            ">= 2,000 items/s",
            rate >= 2000,
        ),
        Row("classify: articles with a mention", f"{mentions / count:.1%}", "a minority", None),
        Row("classify: ArticleClassifier.default() build", f"{build * 1000:.0f} ms", "", None),
    ]


def reprint_rows(count: int, measure_memory: bool) -> list[Row]:
    started = time.perf_counter()
    corpus = reprint_corpus(count)
    generated = time.perf_counter() - started
    items = corpus.items
    timed = min(1000, max(1, count // 10))
    rows = [Row(f"reprints: generate {count:,} synthetic items", f"{generated:.1f} s", "", None)]

    index = ReprintIndex()
    started = time.perf_counter()
    index.add_many(items[:-timed])
    bulk = time.perf_counter() - started
    durations: list[float] = []
    for item in items[-timed:]:
        started = time.perf_counter()
        index.add(item)
        durations.append(time.perf_counter() - started)
    durations.sort()
    p50 = durations[len(durations) // 2] * 1000
    p95 = durations[min(len(durations) - 1, int(len(durations) * 0.95))] * 1000
    worst = durations[-1] * 1000
    stored = f"{count:,} stored, last {timed:,} adds"
    rows += [
        Row(f"reprints: add_many of {count - timed:,} items", f"{bulk:.1f} s", "", None),
        Row(f"reprints: add p50 ({stored})", f"{p50:.2f} ms", "< 5 ms", p50 < 5),
        Row(f"reprints: add p95 ({stored})", f"{p95:.2f} ms", "< 5 ms", p95 < 5),
        Row(f"reprints: add max ({stored})", f"{worst:.2f} ms", "< 5 ms", worst < 5),
    ]

    gc.collect()
    started = time.perf_counter()
    links = detect_reprints(items)
    rerun = time.perf_counter() - started
    same = links == index.links()
    expected = corpus.truth
    correct = sum(1 for item_id, link in links.items() if expected.get(item_id) == link.original_id)
    precision = correct / len(links) if links else 1.0
    recall = correct / len(expected) if expected else 1.0
    rows += [
        Row(
            f"reprints: full re-run, detect_reprints over {count:,}",
            f"{rerun:.1f} s",
            "< 60 s",
            rerun < 60,
        ),
        Row("reprints: re-run links == incremental links", "yes" if same else "NO", "yes", same),
        Row(
            f"reprints: precision / recall vs synthetic truth ({len(links):,} links)",
            f"{precision:.3f} / {recall:.3f}",
            ">= 0.98 / 0.95",
            precision >= 0.98 and recall >= 0.95,
        ),
    ]
    del links, index
    if measure_memory:
        rows += memory_rows(items)
    return rows


def memory_rows(items: Sequence[ReprintItem]) -> list[Row]:
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    index = ReprintIndex()
    index.add_many(items)
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    held = (current - base) / 1e6
    transient = (peak - base) / 1e6
    per_item = (current - base) / len(index)
    return [
        Row(
            f"reprints: index memory at {len(index):,} items (tracemalloc)",
            f"{held:.0f} MB ({per_item / 1000:.1f} KB/item)",
            "< 300 MB",
            held < 300,
        ),
        Row("reprints: peak while building it (band join)", f"{transient:.0f} MB", "", None),
    ]


def print_table(rows: list[Row]) -> None:
    widths = [max(len(getattr(row, name)) for row in rows) for name in ("check", "measured")]
    target_width = max(len(row.target) for row in rows)
    header = (
        f"{'check':<{widths[0]}}  {'measured':>{widths[1]}}  {'target':<{target_width}}  result"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        result = "info" if row.passed is None else ("PASS" if row.passed else "FAIL")
        print(
            f"{row.check:<{widths[0]}}  {row.measured:>{widths[1]}}  "
            f"{row.target:<{target_width}}  {result}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=100_000, help="reprint items (100000)")
    parser.add_argument("--articles", type=int, default=10_000, help="articles to classify")
    parser.add_argument("--skip-memory", action="store_true", help="skip the tracemalloc run")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a line fails")
    options = parser.parse_args()
    started = time.perf_counter()
    rows = classify_rows(options.articles)
    rows += reprint_rows(options.items, not options.skip_memory)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(
        Row("process peak RSS (texts + two indexes at once)", f"{peak_rss:.0f} MB", "", None)
    )
    rows.append(Row("benchmark wall time", f"{time.perf_counter() - started:.0f} s", "", None))
    print_table(rows)
    failed = [row.check for row in rows if row.passed is False]
    print(f"\n{len(failed)} line(s) failed" if failed else "\nall targets met")
    return 1 if failed and options.strict else 0


if __name__ == "__main__":
    sys.exit(main())
