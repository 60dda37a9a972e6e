"""Article extraction: speed and publication dates, ours against newspaper4k and trafilatura.

Run from the repository root: ``python bench/extract.py [--runs N]``.

On the recorded pages in ``shared/corpus/pages`` (read in place), it times
``collectors.pages.extract_page`` beside newspaper4k (``Article.download(input_html=…)``
then ``parse()``, no network) and beside plain ``trafilatura.bare_extraction`` with
metadata, each the minimum of N runs per page; then compares the publication day each
one gives with the day read from each page's own markup (the table the tests assert).
Days are compared in Europe/Amsterdam, the zone the service shows and counts in.

newspaper4k runs with ``fetch_images=False`` (otherwise it downloads every image to pick
a top image: network, and seconds per page) and with tldextract's bundled suffix list
(otherwise its first call fetches the list over the network). It is a bench-only
dependency: ``pip install newspaper4k``; without it, the comparison is skipped.

Targets: ours at least 4× newspaper4k's pages/s; our date right wherever newspaper4k's or
trafilatura's is; ``may_mention`` well under 1 ms per 500 KB of page.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import os
import re
import sys
import time
import warnings
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from collectors.page_screen import may_mention
from collectors.pages import decode_html, extract_page

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="SOCKS support in urllib3")
    from trafilatura import bare_extraction

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SCREEN = re.compile(rb"rapporteur|rijken|bolhaar|dettmeijer|korvinus|\bb?nrm\b")

# file → (original URL, publication day in Europe/Amsterdam, where the page says so)
EXPECTED: dict[str, tuple[str, date, str]] = {
    "nieuwsblad-be-dmf20250202_96887132.html": (
        "https://www.nieuwsblad.be/cnt/dmf20250202_96887132",
        date(2025, 2, 2),
        "JSON-LD datePublished 2025-02-02T20:07:46+01:00",
    ),
    "ostbelgiendirekt-be-tv-tipp-loriot.html": (
        "https://ostbelgiendirekt.be/tv-tipp-loriot-100-367167",
        date(2023, 11, 6),
        "article:published_time 2023-11-06T13:14:41+00:00",
    ),
    "politico-eu-connolly-ireland-2025.html": (
        "https://www.politico.eu/article/catherine-connolly-socialist-critic-nato-eu-poised-win"
        "-ireland-presidency/?utm_source=RSS_Feed&utm_medium=RSS&utm_campaign=RSS_Syndication",
        date(2025, 10, 23),
        "article:published_time 2025-10-23T15:50:00+00:00",
    ),
    "trafilatura-cache-dw.com.colonial.html": (
        "https://www.dw.com/en/berlin-confronts-germanys-colonial-past-with-new-initiative"
        "/a-52060881",
        date(2020, 1, 19),
        "no metadata; the page shows Date 19.01.2020",
    ),
    "trafilatura-cache-faz.net.streaming.html": (
        "https://www.faz.net/aktuell/wirtschaft/nutzerbasierte-abrechnung-musik-stars-fordern"
        "-neues-streaming-modell-16604622.html",
        date(2020, 1, 28),
        "JSON-LD datePublished Tue Jan 28 15:28:56 CET 2020",
    ),
    "trafilatura-cache-reuters.com.parasite.html": (
        "https://www.reuters.com/article/us-awards-sag/parasite-scores-upset-at-sag-awards"
        "-boosting-oscar-chances-idUSKBN1ZI0EH",
        date(2020, 1, 19),
        "og:article:published_time 2020-01-19T12:25:36Z",
    ),
    "trafilatura-cache-spiegel.de.albtraum.html": (
        "https://www.spiegel.de/spiegel/print/d-161500790.html",
        date(2018, 12, 22),
        "JSON-LD datePublished 2018-12-22T00:00:00+0100",
    ),
    "trafilatura-cache-sueddeutsche.de.flixtrain.html": (
        "https://www.sueddeutsche.de/wirtschaft/bahn-flixbus-flixtrain-deutschlandtakt"
        "-fernverkehr-1.4445845",
        date(2019, 5, 15),
        "no metadata; <time datetime='2019-05-15 05:28:29'> in the article header",
    ),
    "trafilatura-cache-theguardian.com.academics.html": (
        "https://www.theguardian.com/education/2020/jan/20/thousands-of-uk-academics-treated"
        "-as-second-class-citizens",
        date(2020, 1, 20),
        "article:published_time 2020-01-20T06:05:18.000Z",
    ),
    "trafilatura-cache-zeit.de.zugverkehr.html": (
        "https://www.zeit.de/mobilitaet/2020-01/zugverkehr-christian-lindner"
        "-hochgeschwindigkeitsstrecke-eu-kommission",
        date(2020, 1, 14),
        "JSON-LD datePublished 2020-01-14T09:21:29+01:00",
    ),
}


def corpus_dir() -> Path:
    """$MEDIAMONITOR_CORPUS_DIR, ../shared/corpus beside the checkout, /work/shared/corpus
    (the same lookup as tests/conftest.py)."""
    root = Path(__file__).resolve().parents[1]
    for candidate in (
        os.environ.get("MEDIAMONITOR_CORPUS_DIR", ""),
        str(root.parent / "shared" / "corpus"),
        "/work/shared/corpus",
    ):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    sys.exit("no recorded corpus found (set MEDIAMONITOR_CORPUS_DIR)")


def best_of(runs: int, call: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def day(value: datetime | str | None) -> date | None:
    """The Amsterdam calendar day of a result: aware datetimes converted, naive ones read
    as local time, trafilatura's "YYYY-MM-DD" strings as they are."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    if value.tzinfo is not None:
        value = value.astimezone(AMSTERDAM)
    return value.date()


def load_newspaper() -> Any | None:
    try:
        newspaper = importlib.import_module("newspaper")
        tldextract = importlib.import_module("tldextract.tldextract")
    except ImportError:
        return None
    # Offline: the bundled public-suffix snapshot instead of a download on first use.
    setattr(tldextract, "TLD_EXTRACTOR", tldextract.TLDExtract(suffix_list_urls=()))  # noqa: B010
    return newspaper


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per page; the minimum counts")
    runs = parser.parse_args().runs

    pages = corpus_dir() / "pages"
    files = sorted(name for name in EXPECTED if (pages / name).exists())
    if len(files) != len(EXPECTED):
        sys.exit(f"expected {len(EXPECTED)} recorded pages in {pages}, found {len(files)}")
    raw = {name: (pages / name).read_bytes() for name in files}
    text = {name: decode_html(raw[name])[0] for name in files}  # newspaper4k gets text
    warnings.filterwarnings("ignore")  # newspaper4k and dateutil chatter (tz names, nltk)
    newspaper = load_newspaper()

    ours_s: dict[str, float] = {}
    traf_s: dict[str, float] = {}
    news_s: dict[str, float] = {}
    screen_s: dict[str, float] = {}
    ours_day: dict[str, date | None] = {}
    traf_day: dict[str, date | None] = {}
    news_day: dict[str, date | None] = {}
    for name in files:
        url = EXPECTED[name][0]
        html = raw[name]
        page = extract_page(html, url=url)
        ours_day[name] = day(page.published_at)
        ours_s[name] = best_of(runs, functools.partial(extract_page, html, url=url))
        document = bare_extraction(html, url=url, with_metadata=True)
        traf_day[name] = day(getattr(document, "date", None))
        traf_s[name] = best_of(
            runs, functools.partial(bare_extraction, html, url=url, with_metadata=True)
        )
        screen_s[name] = best_of(runs * 5, functools.partial(may_mention, html, SCREEN))
        if newspaper is not None:

            def parse_with_newspaper(name: str = name, url: str = url) -> Any:
                article = newspaper.Article(url, fetch_images=False)
                article.download(input_html=text[name])
                article.parse()
                return article

            news_day[name] = day(parse_with_newspaper().publish_date)
            news_s[name] = best_of(runs, parse_with_newspaper)

    print(f"Recorded pages: {len(files)} from {pages}; minimum of {runs} runs per page\n")
    header = (
        f"{'page':38} {'KB':>4} {'ours ms':>8} {'n4k ms':>7} {'traf ms':>8} {'mm ms':>7}"
        f"  {'expected':10} {'ours':10} {'newspaper4k':11} {'trafilatura':11}"
    )
    print(header)
    print("-" * len(header))
    for name in files:
        expected = EXPECTED[name][1]

        def cell(found: date | None, expected: date = expected) -> str:
            if found is None:
                return "-"
            return f"{found.isoformat()}{'' if found == expected else '✗'}"

        print(
            f"{name.removeprefix('trafilatura-cache-')[:38]:38} {len(raw[name]) // 1024:>4}"
            f" {ours_s[name] * 1000:>8.1f}"
            f" {news_s[name] * 1000 if name in news_s else float('nan'):>7.1f}"
            f" {traf_s[name] * 1000:>8.1f} {screen_s[name] * 1000:>7.3f}"
            f"  {expected.isoformat():10} {cell(ours_day[name]):10}"
            f" {cell(news_day.get(name)):11} {cell(traf_day[name]):11}"
        )
    ours_rate = len(files) / sum(ours_s.values())
    traf_rate = len(files) / sum(traf_s.values())
    print("-" * len(header))
    print(f"pages/s: ours {ours_rate:.1f}, trafilatura with metadata {traf_rate:.1f}", end="")
    failures = 0
    if newspaper is not None:
        news_rate = len(files) / sum(news_s.values())
        ratio = ours_rate / news_rate
        print(f", newspaper4k {news_rate:.1f} (ours {ratio:.1f}×)")
    else:
        print("\nnewspaper4k is not installed (pip install newspaper4k): comparison skipped")
    print("mm = may_mention; ✗ = not the day the page's own markup gives\n")

    if newspaper is not None:
        verdict = "PASS" if ratio >= 4 else "FAIL"
        failures += verdict == "FAIL"
        print(f"{verdict} speed: ours {ours_rate:.1f} pages/s is {ratio:.1f}× newspaper4k (≥ 4×)")
    right = [name for name in files if ours_day[name] == EXPECTED[name][1]]
    missed = [
        name
        for name in files
        if ours_day[name] != EXPECTED[name][1]
        and EXPECTED[name][1] in (news_day.get(name), traf_day[name])
    ]
    verdict = "PASS" if not missed else "FAIL"
    failures += verdict == "FAIL"
    others = " or ".join(["newspaper4k"] * (newspaper is not None) + ["trafilatura"])
    print(
        f"{verdict} dates: ours right on {len(right)}/{len(files)} pages"
        f" (newspaper4k {sum(news_day.get(n) == EXPECTED[n][1] for n in files)},"
        f" trafilatura {sum(traf_day[n] == EXPECTED[n][1] for n in files)});"
        f" wrong where {others} is right: {', '.join(missed) or 'none'}"
    )
    per_500kb = max(screen_s[name] * 500 * 1024 / len(raw[name]) for name in files)
    verdict = "PASS" if per_500kb < 1e-3 else "FAIL"
    failures += verdict == "FAIL"
    print(f"{verdict} may_mention: at most {per_500kb * 1000:.2f} ms per 500 KB of page (< 1 ms)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
