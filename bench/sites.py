"""A fast local news web for ``bench/collect.py``: many outlets on loopback addresses.

Run as its own process (so it takes no time from the collector's event loop)::

    python bench/sites.py --feeds 500 --entries 20

It prints ``READY <port>`` once every address listens. Site ``s`` is served at
``http://127.0.0.<s+1>:<port>/`` (the whole of 127.0.0.0/8 is loopback on Linux; past 250
sites the next /24 is used), so per-host limits in a client behave as against real outlets.
Every site has a home feed and a section feed (RSS 2.0, or Atom on one site in five) that
share a few entries, an article page behind every entry and a robots.txt.

Pages are realistic Dutch news pages of 30-80 KB: head with metadata, ``<link
rel=canonical>``, ``article:published_time`` and JSON-LD, navigation, an ``<article>``,
"Lees ook" links, a footer and a large hydration script. About 15% of the articles mention
the Nationaal Rapporteur (in the lead, so also in the feed's description, or further down
the body); a few regional articles are near-copies of national ones; a few pages name the
Rapporteur only in a "Lees ook" link title (no mention: an extractor must leave it out).
Pages are rendered from a pool of paragraphs and pre-encoded teaser lists once, before
``READY`` (a few seconds; they are kept in memory): the server shares the cores with the
collector it serves, and a real outlet's server costs the collector no CPU at all.

A share of the feeds is faulty, one fault kind after the other: a server that hangs, one
that drips the feed a byte a second, HTTP 500, 404, a redirect loop, 429 with Retry-After,
a truncated (malformed) XML document, a wrong declared charset (a readable feed), a 50 MB
chunked body, a gzip bomb, an HTML page, an empty 200.

Feeds carry an ETag and a Last-Modified and answer conditional requests with 304.
``GET /_bench/stats`` returns what was served, per client (by User-Agent), and
``GET /_bench/reset`` starts the counts anew.

The model (which feed lists which page, which page mentions the Rapporteur) is a pure
function of the arguments, so the benchmark builds the same model to know what a
collector should store.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import html
import json
import random
import re
import socket
import unicodedata
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from functools import cached_property
from typing import Any

FAULT_KINDS = (
    "hang",
    "drip",
    "http_500",
    "http_404",
    "redirect_loop",
    "retry_after_429",
    "malformed_xml",
    "wrong_charset",
    "body_50mb",
    "gzip_bomb",
    "html_not_feed",
    "empty_200",
)
# Faults after which the feed is still readable (its entries are expected to be collected).
READABLE_FAULTS = frozenset({"wrong_charset"})
# What the collector should record for each fault (collectors.errors categories).
EXPECTED_CATEGORY = {
    "hang": ("timeout",),
    "drip": ("timeout",),
    "http_500": ("server_error",),
    "http_404": ("not_found",),
    "redirect_loop": ("too_many_redirects",),
    "retry_after_429": ("rate_limited",),
    "malformed_xml": ("truncated", "malformed"),
    "wrong_charset": (),  # read fine
    "body_50mb": ("too_large",),
    "gzip_bomb": ("too_large",),
    "html_not_feed": ("not_a_feed",),
    "empty_200": ("empty",),
}
HANG_SECONDS = 120
DRIP_SECONDS = 300
BIG_BODY_BYTES = 50_000_000
BOMB_BYTES = 200_000_000
RETRY_AFTER_SECONDS = 120
BASE_TIME = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)  # entries are from the days before


def _words(text: str) -> tuple[str, ...]:
    """Words of a multi-line string; an underscore stands for a space."""
    return tuple(word.replace("_", " ") for word in text.split())


SECTIONS = _words(
    """
binnenland regio economie politiek cultuur sport buitenland wetenschap gezondheid
onderwijs
"""
)
CITIES = _words(
    """
Zwolle Enschede Deventer Apeldoorn Arnhem Nijmegen Tilburg Breda Eindhoven Helmond
Den_Bosch Middelburg Goes Leeuwarden Groningen Assen Emmen Almelo Hengelo Venlo Roermond
Maastricht Heerlen Haarlem Alkmaar Hoorn Leiden Delft Gouda Dordrecht
"""
)
COMMON = _words(
    """
de het een en van in op te dat die is voor met niet aan er om ook als bij maar zijn naar
door dan nog over uit wel wordt werd worden hebben heeft had was waren kan kunnen moet
moeten zal zullen zou zouden al meer veel geen nu deze dit dus tot omdat volgens onder
tegen tussen na zonder sinds binnen vooral echter daarom zegt zei stelt vindt gaat komt
blijkt lijkt krijgt geeft staat laat maakt houdt neemt vraagt wil wilde
"""
)
NEWS = _words(
    """
gemeente gemeenten provincie regio dorp stad wijk straat buurt bewoners ouders school
scholen leraren studenten werk werknemers loon contract woning woningen huur bouw
plannen plan voorstel maatregelen brief debat fracties partij partijen woordvoerder
directeur burgemeester wethouder raad kabinet minister kamer rechter rechtbank politie
onderzoek rapport cijfers aantal procent euro geld miljoen miljard budget tekort zorg
ziekenhuis huisarts wachtlijsten jongeren kinderen vrouwen mannen ouderen verkeer fiets
snelweg spoor trein bus station parkeren dijk water boeren stikstof energie warmte
zonnepanelen windmolens klimaat natuur bos park haven markt winkel winkels ondernemers
bedrijf bedrijven fabriek banen personeel vakbond staking festival theater museum
concert voetbal wedstrijd club trainer seizoen supporters brand ongeluk verdachte
aanhouding rechtszaak officier justitie straf boete dinsdag woensdag donderdag vrijdag
maandag zaterdag zondag ochtend avond jaar week coördinatie financiële ideeën privé café
reünie geëist geïnformeerd
"""
)
SYLLABLES = _words(
    """
ber ge ver ont be lan stel wer ken hui zen bo ven on der ach ter mid del pun ten pe ode
ge ving hand ling bouw plaats markt zorg recht huis veld dorp weg straat haven kerk
school dienst werk post kant stand bank
"""
)
MENTIONS = (
    "Dat blijkt uit een nieuw rapport van de Nationaal Rapporteur Mensenhandel en Seksueel "
    "Geweld tegen Kinderen.",
    "Nationaal Rapporteur Conny Rijken noemt de cijfers zorgelijk en vraagt het kabinet om "
    "meer regie.",
    "Volgens de Nationaal Rapporteur Mensenhandel blijven veel slachtoffers van uitbuiting "
    "buiten beeld.",
    "Conny Rijken, Nationaal Rapporteur Mensenhandel, pleit al langer voor een landelijke aanpak.",
    "De Nationaal Rapporteur Seksueel Geweld tegen Kinderen waarschuwt dat de hulp aan "
    "slachtoffers tekortschiet.",
)
ASIDE_MENTION = "Nationaal Rapporteur: aanpak van mensenhandel schiet tekort"
AUTHORS = ("Redactie", "Anouk de Vries", "Martijn Bakker", "Sanne Jansen", "Joris Visser")
FIRST_NAMES = ("Peter", "Ingrid", "Mark", "Fatima", "Kees", "Yvonne", "Ahmed", "Lotte")
_SCREEN_WORDS = re.compile(r"rapporteur|rijken|bolhaar|dettmeijer|korvinus|nrm", re.I)


def host_of(site: int) -> str:
    """Loopback address of site ``site`` (0-based): 127.0.0.1 … 127.0.0.250, 127.0.1.1 …"""
    return f"127.0.{site // 250}.{site % 250 + 1}"


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _slug(title: str) -> str:
    words = re.findall(r"[a-z0-9]+", _ascii(title).lower())
    return "-".join(words[:8]) or "artikel"


@dataclass(frozen=True, slots=True)
class Site:
    index: int
    name: str
    national: bool
    city: str

    @property
    def host(self) -> str:
        return host_of(self.index)


@dataclass(slots=True)
class Page:
    pid: int
    site: int
    section: str
    title: str
    published: datetime
    mention: str  # "" | "lead" | "body" | "aside" (the aside is no mention of the article)
    copy_of: int | None = None

    @property
    def path(self) -> str:
        return f"/{self.section}/{_slug(self.title)}-{self.pid}.html"

    @property
    def mentions(self) -> bool:
        return self.mention in ("lead", "body")


@dataclass(slots=True)
class Feed:
    index: int
    site: int
    path: str
    section: str
    atom: bool
    fault: str  # "" healthy, else one of FAULT_KINDS
    pages: list[int] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        return not self.fault or self.fault in READABLE_FAULTS


PAGE_ID = re.compile(r"-(\d+)\.html")


class Headlines:
    """Deterministic Dutch-looking headlines and text pieces from a Zipf-weighted vocabulary."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        words = list(dict.fromkeys(COMMON + NEWS))
        while len(words) < 6000:
            words.append("".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3, 3, 4)))))
        bad = [w for w in words if _SCREEN_WORDS.search(w)]
        if bad:  # the filler must never look like a mention to a byte screen
            raise AssertionError(f"vocabulary holds watched forms: {bad[:5]}")
        self.words = words
        weights = [1.0 / (i + 8.0) for i in range(len(words))]
        total = 0.0
        self.cumulative: list[float] = []
        for weight in weights:
            total += weight
            self.cumulative.append(total)

    def words_of(self, rng: random.Random, count: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cumulative, k=count)

    def sentence(self, rng: random.Random, low: int = 8, high: int = 18) -> str:
        words = self.words_of(rng, rng.randint(low, high))
        if rng.random() < 0.3:
            words.insert(rng.randint(1, len(words) - 1), rng.choice(CITIES))
        if len(words) > 9 and rng.random() < 0.3:
            words[rng.randint(3, len(words) - 4)] += ","
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def headline(self, rng: random.Random) -> str:
        text = " ".join(self.words_of(rng, rng.randint(5, 9)))
        if rng.random() < 0.4:
            text = f"{rng.choice(CITIES)}: {text}"
        return text[0].upper() + text[1:]


def build_model(feeds: int, entries: int, *, faulty_share: float, seed: int) -> Model:
    return Model(feeds=feeds, entries=entries, faulty_share=faulty_share, seed=seed)


class Model:
    """Sites, feeds and pages; identical in every process for the same arguments."""

    def __init__(self, *, feeds: int, entries: int, faulty_share: float, seed: int) -> None:
        self.seed = seed
        self.entries = entries
        self.text = Headlines(seed)
        rng = random.Random(seed)
        site_count = (feeds + 1) // 2
        self.sites = [
            Site(
                index=s,
                name=(f"Landelijk Dagblad {s}" if s % 10 == 0 else f"Dagblad {CITIES[s % 30]} {s}"),
                national=s % 10 == 0,
                city=CITIES[s % len(CITIES)],
            )
            for s in range(site_count)
        ]
        self.pages: list[Page] = []
        self.feeds: list[Feed] = []
        shared = max(1, round(entries * 0.15)) if entries > 1 else 0
        for site in self.sites:
            count = 2 * entries - shared if 2 * site.index + 1 < feeds else entries
            first = len(self.pages)
            for n in range(count):
                pid = first + n
                section = SECTIONS[(site.index + n) % len(SECTIONS)]
                draw = rng.random()
                mention = "lead" if draw < 0.045 else "body" if draw < 0.14 else ""
                if not mention and rng.random() < 0.02:
                    mention = "aside"
                published = BASE_TIME - timedelta(minutes=37 * n + 11 * (site.index % 60))
                title = self.text.headline(random.Random(seed * 7919 + pid))
                self.pages.append(Page(pid, site.index, section, title, published, mention))
            atom = site.index % 5 == 3
            home = Feed(len(self.feeds), site.index, "/rss.xml", "home", atom, "")
            home.pages = list(range(first, first + entries))
            self.feeds.append(home)
            if count > entries:
                section = SECTIONS[site.index % len(SECTIONS)]
                other = Feed(len(self.feeds), site.index, f"/rss/{section}.xml", section, atom, "")
                other.pages = list(range(first + entries - shared, first + count))
                self.feeds.append(other)
        self._near_copies(rng)
        faulty = round(len(self.feeds) * faulty_share)
        if faulty and len(self.feeds) >= 5 * len(FAULT_KINDS):
            faulty = max(faulty, len(FAULT_KINDS))  # every kind at least once
        if faulty:
            step = len(self.feeds) / faulty
            for k in range(faulty):
                self.feeds[int(k * step + step / 2)].fault = FAULT_KINDS[k % len(FAULT_KINDS)]

    def _near_copies(self, rng: random.Random) -> None:
        """Half of the national articles that mention the Rapporteur get 1-2 regional copies."""
        regional = [s.index for s in self.sites if not s.national]
        if not regional:
            return
        free: dict[int, list[int]] = defaultdict(list)
        for page in self.pages:
            if not self.sites[page.site].national and not page.mention:
                free[page.site].append(page.pid)
        for original in list(self.pages):
            site = self.sites[original.site]
            if not (site.national and original.mentions and original.copy_of is None):
                continue
            if rng.random() >= 0.5:
                continue
            for target_site in rng.sample(regional, k=min(len(regional), rng.randint(1, 2))):
                if not free[target_site]:
                    continue
                copy = self.pages[free[target_site].pop(rng.randrange(len(free[target_site])))]
                copy.copy_of = original.pid
                copy.mention = original.mention
                copy.title = f"{original.title} ({self.sites[target_site].city})"
                copy.published = original.published + timedelta(minutes=rng.randint(20, 240))

    def feed_url(self, feed: Feed, port: int) -> str:
        return f"http://{host_of(feed.site)}:{port}{feed.path}"

    def page_url(self, page: Page, port: int) -> str:
        return f"http://{host_of(page.site)}:{port}{page.path}"

    @cached_property
    def reachable(self) -> set[int]:
        """Pages listed by a feed that a collector can read."""
        return {pid for feed in self.feeds if feed.readable for pid in feed.pages}

    @cached_property
    def expected_mentions(self) -> set[int]:
        """Page ids a collector must store: readable, and the article mentions the Rapporteur."""
        return {pid for pid in self.reachable if self.pages[pid].mentions}

    @cached_property
    def aside_only(self) -> set[int]:
        return {pid for pid in self.reachable if self.pages[pid].mention == "aside"}

    @cached_property
    def near_copies(self) -> set[int]:
        return {pid for pid in self.reachable if self.pages[pid].copy_of is not None}


# ---------------------------------------------------------------------------------------
# Rendering


CSS = (
    "body{margin:0;font-family:Georgia,serif;color:#111}header.site{background:#00285a;color:#fff}"
    ".nav a{color:#fff;padding:0 8px;text-decoration:none}.article-body p{line-height:1.6}"
    "aside.related{border-top:2px solid #00285a}.teaser{display:flex;gap:8px}"
    "footer{background:#eee;font-size:13px}" * 20
)
TRACKING = (
    "window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}"
    "gtag('js',new Date());gtag('config','G-XXXXXX',{anonymize_ip:true});"
    "(function(w,d){var s=d.createElement('script');s.async=1;s.src='/static/consent.js';"
    "d.head.appendChild(s)})(window,document);"
) * 6


class Renderer:
    """Feeds and pages as bytes."""

    def __init__(self, model: Model, port: int) -> None:
        self.model = model
        self.port = port
        text = model.text
        rng = random.Random(model.seed + 1)
        self.pool = [
            " ".join(text.sentence(rng) for _ in range(rng.randint(2, 4))) for _ in range(5000)
        ]
        teasers = []
        cards = []
        for i in range(1200):
            title, summary = text.headline(rng), text.sentence(rng, 15, 30)
            section = SECTIONS[i % len(SECTIONS)]
            teasers.append(
                json.dumps(
                    {
                        "id": f"t{i}",
                        "title": title,
                        "url": f"/{section}/{_slug(title)}.html",
                        "summary": summary,
                        "image": {"src": f"/img/{i}.jpg", "width": 640, "height": 360},
                        "premium": rng.random() < 0.2,
                    },
                    ensure_ascii=False,
                )
            )
            cards.append(
                f'<li class="teaser teaser--{"large" if i % 7 == 0 else "small"}">'
                f'<a class="teaser__link" href="/{section}/{_slug(title)}.html">'
                f'<figure class="teaser__figure"><picture><source type="image/webp" '
                f'srcset="/img/{i}.webp 1x"><img src="/img/{i}.jpg" alt="" loading="lazy" '
                f'width="320" height="180"></picture></figure><div class="teaser__body">'
                f'<span class="teaser__label">{section.capitalize()}</span>'
                f'<h3 class="teaser__title"><span>{html.escape(title)}</span></h3>'
                f'<p class="teaser__intro">{html.escape(summary)}</p>'
                f'<div class="teaser__meta"><time datetime="2026-11-19">12:{i % 60:02d}</time>'
                f'<span class="teaser__comments">{i % 40} reacties</span></div></div></a></li>'
            )
        self.teasers = teasers
        self.teaser_chars = sum(len(t) + 1 for t in teasers) / len(teasers)
        self.cards = cards
        self.card_chars = sum(len(c) for c in cards) / len(cards)
        # Encoded once and twice over, so a page takes any run of them by slicing: the
        # server shares the two cores with the collector it serves.
        self.teaser_bytes = [t.encode() for t in teasers] * 2
        self.card_bytes = [c.encode() for c in cards] * 2
        self.card_lengths = [len(c) for c in cards] * 2  # in characters, as the room is
        self.chrome = {site.index: self._chrome(site) for site in model.sites}
        self.feeds: dict[int, bytes] = {}
        self.etags: dict[int, str] = {}
        self.last_modified: dict[int, str] = {}
        for feed in model.feeds:
            body = self._feed(feed)
            self.feeds[feed.index] = body
            self.etags[feed.index] = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
            newest = max(model.pages[pid].published for pid in feed.pages)
            self.last_modified[feed.index] = format_datetime(newest, usegmt=True)

    def base(self, site: int) -> str:
        return f"http://{host_of(site)}:{self.port}"

    def _chrome(self, site: Site) -> tuple[str, str]:
        base = self.base(site.index)
        nav = "".join(
            f'<li><a href="{base}/{s}/">{s.capitalize()}</a></li>' for s in SECTIONS
        ) + "".join(f'<li><a href="{base}/regio/{_slug(c)}/">{c}</a></li>' for c in CITIES)
        header = (
            f'<header class="site"><a class="logo" href="{base}/">{html.escape(site.name)}</a>'
            f'<nav class="nav" aria-label="Hoofdmenu"><ul>{nav}</ul></nav>'
            '<form action="/zoeken"><input name="q" placeholder="Zoeken"></form>'
            '<a class="login" href="/account">Inloggen</a>'
            '<a class="subscribe" href="/abonnement">Word abonnee</a></header>'
        )
        links = "".join(
            f'<li><a href="{base}/service/{w}">{w.capitalize()}</a></li>'
            for w in (
                "contact",
                "adverteren",
                "vacatures",
                "colofon",
                "privacy",
                "cookies",
                "voorwaarden",
                "klantenservice",
                "nieuwsbrief",
                "tips",
                "archief",
                "podcasts",
            )
        )
        sitemap = "".join(
            f'<li><a href="{base}/{s}/{_slug(c)}/">{s.capitalize()} {c}</a></li>'
            for s in SECTIONS[:3]
            for c in CITIES
        )
        footer = (
            f'<footer><nav class="sitemap"><ul>{sitemap}</ul></nav>'
            f'<div class="footer-links"><ul>{links}</ul></div>'
            f"<p>© 2026 {html.escape(site.name)}. Alle rechten voorbehouden. "
            "Wij gebruiken cookies en vergelijkbare technieken om de website goed te laten "
            "werken, het gebruik te meten en advertenties af te stemmen op je interesses.</p>"
            "</footer>"
        )
        return header, footer

    def lead_and_body(self, page: Page) -> tuple[str, list[str]]:
        """The article's lead and paragraphs; a near-copy derives them from its original."""
        if page.copy_of is not None:
            lead, body = self.lead_and_body(self.model.pages[page.copy_of])
            rng = random.Random(self.model.seed * 31 + page.pid)
            body = body[:-1] if len(body) > 4 else body
            if len(body) > 2:  # one paragraph rephrased a little
                words = body[1].split(" ")
                for i in range(2, len(words), 6):
                    words[i] = self.model.text.words_of(rng, 1)[0]
                body[1] = " ".join(words)
            return lead, body
        rng = random.Random(self.model.seed * 1_000_003 + page.pid)
        lead = self.model.text.sentence(rng, 14, 26)
        body = [self.pool[i] for i in rng.sample(range(len(self.pool)), rng.randint(6, 13))]
        mention = MENTIONS[page.pid % len(MENTIONS)]
        if page.mention == "lead":
            lead = f"{mention} {lead}"
        elif page.mention == "body":
            where = rng.randint(1, len(body) - 2)  # a near-copy drops the last paragraph
            body[where] = f"{body[where]} {mention}"
        return lead, body

    def page(self, page: Page) -> bytes:
        model = self.model
        site = model.sites[page.site]
        header, footer = self.chrome[page.site]
        url = f"{self.base(page.site)}{page.path}"
        rng = random.Random(model.seed * 131 + page.pid)
        lead, body = self.lead_and_body(page)
        title = html.escape(page.title)
        when = page.published.isoformat()
        author = AUTHORS[page.pid % len(AUTHORS)]
        ld = json.dumps(
            {
                "@context": "https://schema.org",
                "@type": "NewsArticle",
                "headline": page.title,
                "datePublished": when,
                "dateModified": (page.published + timedelta(hours=2)).isoformat(),
                "author": {"@type": "Person", "name": author},
                "publisher": {"@type": "Organization", "name": site.name},
                "mainEntityOfPage": url,
            },
            ensure_ascii=False,
        )
        nearby = range(max(0, page.pid - 6), min(len(model.pages), page.pid + 6))
        same_site = [p for p in nearby if p != page.pid and model.pages[p].site == page.site]
        related: list[str] = []
        for p in same_site[:5]:
            other = model.pages[p]
            label = ASIDE_MENTION if page.mention == "aside" and not related else other.title
            related.append(
                f'<li><a href="{self.base(other.site)}{other.path}">{html.escape(label)}</a></li>'
            )
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in body)
        head = (
            '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">'
            f"<title>{title} | {html.escape(site.name)}</title>"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<link rel="canonical" href="{url}">'
            f'<meta property="og:title" content="{title}">'
            f'<meta property="og:type" content="article"><meta property="og:url" content="{url}">'
            f'<meta property="og:site_name" content="{html.escape(site.name)}">'
            f'<meta name="description" content="{html.escape(lead)}">'
            f'<meta property="article:published_time" content="{when}">'
            f'<meta property="article:section" content="{page.section}">'
            f'<script type="application/ld+json">{ld}</script>'
            f"<style>{CSS}</style><script>{TRACKING}</script></head><body>"
        )
        article = (
            f'{header}<main><div class="breadcrumbs"><a href="/">Home</a> › '
            f'<a href="/{page.section}/">{page.section.capitalize()}</a></div>'
            f'<article><header><h1>{title}</h1><p class="byline">Door {author} · '
            f'<time datetime="{when}">{page.published:%d-%m-%Y %H:%M}</time></p></header>'
            f"{self._body(page, lead, paragraphs)}</article>"
            '<div class="share"><a href="#">Deel op WhatsApp</a><a href="#">Deel op X</a>'
            '<a href="#">Deel via e-mail</a></div>'
            f'<aside class="related"><h2>Lees ook</h2><ul>{"".join(related)}</ul></aside>'
            f"</main>{footer}"
        )
        # Real pages hold 800-2,700 elements (most of the extraction cost): three quarters
        # of the rest of the page are teaser cards ("Meer nieuws", "Meest gelezen"), a
        # quarter the hydration script.
        size = rng.randint(30_000, 80_000)
        room = max(0, size - len(head) - len(article) - 400)
        start = rng.randrange(len(self.cards))
        n_cards = min(int(room * 0.75 / self.card_chars), len(self.cards))
        cards = self.card_bytes[start : start + n_cards]
        half = len(cards) // 2
        opening, middle, closing = (
            b'<section class="more-news"><h2>Meer nieuws</h2><ul class="teaser-list">',
            b'</ul></section><section class="most-read"><h2>Meest gelezen</h2>'
            b'<ul class="teaser-list">',
            b"</ul></section>",
        )
        more = opening + b"".join(cards[:half]) + middle + b"".join(cards[half:]) + closing
        room -= len(opening + middle + closing) + sum(self.card_lengths[start : start + n_cards])
        count = min(max(0, int(room / self.teaser_chars)), len(self.teasers))
        picked = self.teaser_bytes[start : start + count]
        hydration = (
            b'<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":'
            b'{"teasers":[' + b",".join(picked) + b"]}}}</script></body></html>"
        )
        return (head + article).encode() + more + hydration

    @staticmethod
    def _body(page: Page, lead: str, paragraphs: str) -> str:
        """Half the sites put the intro inside the body container, half (like DPG) beside it;
        an extractor that keeps only the body container loses the latter."""
        intro = f'<p class="intro"><strong>{html.escape(lead)}</strong></p>'
        if page.site % 2:
            return f'{intro}<div class="article-body">{paragraphs}</div>'
        return f'<div class="article-body">{intro}{paragraphs}</div>'

    def _feed(self, feed: Feed) -> bytes:
        model = self.model
        site = model.sites[feed.site]
        base = self.base(feed.site)
        pages = sorted((model.pages[p] for p in feed.pages), key=lambda p: -p.published.timestamp())
        items = []
        for page in pages:
            lead, _ = self.lead_and_body(page)
            link = html.escape(
                f"{base}{page.path}?utm_source=rss&utm_medium={feed.section}&utm_campaign=feed"
            )
            title = html.escape(page.title)
            if feed.atom:
                items.append(
                    f"<entry><title>{title}</title>"
                    f'<link rel="alternate" type="text/html" href="{link}"/>'
                    f"<id>urn:bench:{page.pid}</id><published>{page.published.isoformat()}"
                    f"</published><updated>{page.published.isoformat()}</updated>"
                    f"<author><name>{AUTHORS[page.pid % len(AUTHORS)]}</name></author>"
                    f'<summary type="html">{html.escape(lead)}</summary></entry>'
                )
            else:
                items.append(
                    f"<item><title>{title}</title><link>{link}</link>"
                    f'<guid isPermaLink="false">bench-{page.pid}</guid>'
                    f"<pubDate>{format_datetime(page.published)}</pubDate>"
                    f"<dc:creator>{AUTHORS[page.pid % len(AUTHORS)]}</dc:creator>"
                    f"<category>{page.section}</category>"
                    f"<description>{html.escape(lead)}</description>"
                    f'<enclosure url="{base}/img/{page.pid}.jpg" type="image/jpeg" length="0"/>'
                    "</item>"
                )
        name = html.escape(f"{site.name} - {feed.section}")
        charset = "UTF-8"
        if feed.fault == "wrong_charset" and feed.index % 2 == 0:
            charset = "ISO-8859-1"  # declared Latin-1, the bytes are UTF-8
        if feed.atom:
            document = (
                f'<?xml version="1.0" encoding="{charset}"?>'
                '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="nl">'
                f"<title>{name}</title><id>{base}{feed.path}</id>"
                f'<link rel="self" href="{base}{feed.path}"/><link href="{base}/"/>'
                f"<updated>{BASE_TIME.isoformat()}</updated>{''.join(items)}</feed>"
            )
        else:
            document = (
                f'<?xml version="1.0" encoding="{charset}"?>'
                '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
                f"<title>{name}</title><link>{base}/</link>"
                f"<description>Het laatste nieuws van {html.escape(site.name)}</description>"
                "<language>nl-NL</language>"
                f"<lastBuildDate>{format_datetime(BASE_TIME)}</lastBuildDate>"
                f'<atom:link href="{base}{feed.path}" rel="self" type="application/rss+xml"/>'
                f"{''.join(items)}</channel></rss>"
            )
        if feed.fault == "wrong_charset":
            # Titles with diacritics, so the wrong declaration matters.
            document = document.replace("<title>", "<title>Coördinatie café: ", 1)
            if charset == "UTF-8":  # declared UTF-8, the bytes are Latin-1
                return document.encode("latin-1", errors="replace")
        data = document.encode()
        if feed.fault == "malformed_xml":
            return data[: len(data) * 3 // 5]  # cut off mid-document
        return data

    def homepage(self, site: int) -> bytes:
        header, footer = self.chrome[site]
        teasers = "".join(
            f'<li class="teaser"><a href="{self.base(site)}{self.model.pages[p].path}">'
            f"{html.escape(self.model.pages[p].title)}</a></li>"
            for p in range(len(self.model.pages))
            if self.model.pages[p].site == site
        )
        return (
            '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>Home</title>'
            f"<style>{CSS}</style></head><body>{header}<main><ul>{teasers}</ul></main>"
            f"{footer}</body></html>"
        ).encode()


def gzip_bomb(size: int = BOMB_BYTES) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * 1_000_000
    parts = [compressor.compress(block) for _ in range(size // len(block))]
    parts.append(compressor.flush())
    return b"".join(parts)


# ---------------------------------------------------------------------------------------
# Serving


class Stats:
    """What was served, per client: counts by (what, status), pages and 304 feeds."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.pages: dict[str, Counter[int]] = defaultdict(Counter)
        self.feed_status: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        self.bytes_sent: Counter[str] = Counter()

    def as_json(self) -> dict[str, Any]:
        return {
            client: {
                "counts": dict(self.counts[client]),
                "page_requests": sum(self.pages[client].values()),
                "distinct_pages": len(self.pages[client]),
                "feed_status": {str(k): v for k, v in self.feed_status[client].items()},
                "bytes": self.bytes_sent[client],
            }
            for client in set(self.counts) | set(self.pages)
        }


def _client(user_agent: str) -> str:
    agent = user_agent.lower()
    if "newsboat" in agent:
        return "newsboat"
    if "mediamonitor" in agent:
        return "mediamonitor"
    return "other"


class App:
    def __init__(self, model: Model, renderer: Renderer) -> None:
        self.model = model
        self.renderer = renderer
        self.stats = Stats()
        self.routes: dict[tuple[str, str], int] = {
            (host_of(feed.site), feed.path): feed.index for feed in model.feeds
        }
        # Rendered once (about half a gigabyte for the 9,250 pages): rendering on
        # each request was half of this server's CPU, which it takes from the collector on
        # the same two cores; a real outlet's server costs the collector nothing.
        self.pages: dict[tuple[str, str], tuple[int, bytes]] = {
            (host_of(page.site), page.path): (page.pid, renderer.page(page)) for page in model.pages
        }
        self.bomb = gzip_bomb()
        self.big_chunk = b"<!-- " + b"x" * (1_000_000 - 9) + b" -->"

    async def handle(self, request: Any) -> Any:
        from aiohttp import web

        host = (request.host or "").rsplit(":", 1)[0]
        path = request.path
        client = _client(request.headers.get("User-Agent", ""))
        if path.startswith("/_bench/"):
            if path == "/_bench/reset":
                self.stats.reset()
            return web.json_response(self.stats.as_json())
        feed_index = self.routes.get((host, path))
        if feed_index is not None:
            feed = self.model.feeds[feed_index]
            response = await self._feed(request, feed)
            self.stats.feed_status[client][feed_index].append(response.status)
            self.stats.counts[client][f"feed {feed.fault or 'ok'} {response.status}"] += 1
            return response
        if path == "/robots.txt":
            self.stats.counts[client]["robots"] += 1
            return web.Response(
                text="User-agent: *\nDisallow: /zoeken\nDisallow: /account\n\n"
                "User-agent: GPTBot\nDisallow: /\n",
                content_type="text/plain",
            )
        page_found = self.pages.get((host, path))
        if page_found is not None:
            pid, body = page_found
            self.stats.pages[client][pid] += 1
            self.stats.bytes_sent[client] += len(body)
            return web.Response(
                body=body,
                headers={"Content-Type": "text/html; charset=utf-8", "Cache-Control": "max-age=60"},
            )
        self.stats.counts[client]["other 404"] += 1
        return web.Response(status=404, text="Pagina niet gevonden", content_type="text/plain")

    async def _feed(self, request: Any, feed: Feed) -> Any:
        from aiohttp import web

        fault = feed.fault
        body = self.renderer.feeds[feed.index]
        content_type = "application/atom+xml" if feed.atom else "application/rss+xml"
        if fault == "hang":
            await asyncio.sleep(HANG_SECONDS)
            return web.Response(status=504)
        if fault == "drip":
            response = web.StreamResponse(
                status=200,
                headers={"Content-Type": content_type, "Content-Length": str(len(body))},
            )
            await response.prepare(request)
            try:
                for i in range(min(len(body), DRIP_SECONDS)):
                    await response.write(body[i : i + 1])
                    await asyncio.sleep(1)
            except (ConnectionError, RuntimeError):
                pass
            return response
        if fault == "http_500":
            return web.Response(status=500, text="Internal Server Error")
        if fault == "http_404":
            return web.Response(status=404, text="Not Found")
        if fault == "redirect_loop":
            target = feed.path if request.query.get("r") else f"{feed.path}?r=1"
            return web.Response(status=302, headers={"Location": target})
        if fault == "retry_after_429":
            return web.Response(
                status=429, text="Too Many Requests",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )  # fmt: skip
        if fault == "body_50mb":
            response = web.StreamResponse(status=200, headers={"Content-Type": content_type})
            await response.prepare(request)
            try:
                for _ in range(BIG_BODY_BYTES // len(self.big_chunk)):
                    await response.write(self.big_chunk)
            except (ConnectionError, RuntimeError):
                pass
            return response
        if fault == "gzip_bomb":
            return web.Response(
                body=self.bomb,
                headers={"Content-Type": content_type, "Content-Encoding": "gzip"},
            )
        if fault == "html_not_feed":
            return web.Response(
                body=self.renderer.homepage(feed.site),
                headers={"Content-Type": "text/html; charset=utf-8"},
            )
        if fault == "empty_200":
            return web.Response(body=b"", headers={"Content-Type": content_type})
        etag = self.renderer.etags[feed.index]
        last_modified = self.renderer.last_modified[feed.index]
        headers = {"ETag": etag, "Last-Modified": last_modified, "Cache-Control": "max-age=300"}
        if _not_modified(request, etag, last_modified):
            return web.Response(status=304, headers=headers)
        if fault == "wrong_charset" and feed.index % 2 == 1:
            headers["Content-Type"] = f"{content_type}; charset=utf-8"  # the bytes are Latin-1
        elif fault == "wrong_charset":
            headers["Content-Type"] = f"{content_type}; charset=iso-8859-1"  # bytes are UTF-8
        else:
            headers["Content-Type"] = f"{content_type}; charset=utf-8"
        return web.Response(body=body, headers=headers)


def _not_modified(request: Any, etag: str, last_modified: str) -> bool:
    match = request.headers.get("If-None-Match")
    if match is not None:
        return etag in [m.strip().removeprefix("W/") for m in match.split(",")] or match == "*"
    since = request.headers.get("If-Modified-Since")
    if since:
        try:
            return parsedate_to_datetime(since) >= parsedate_to_datetime(last_modified)
        except (TypeError, ValueError):
            return False
    return False


def _listen(address: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((address, port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


async def serve(model: Model, port: int) -> None:
    from aiohttp import web

    first = _listen(host_of(0), port)
    port = first.getsockname()[1]
    sockets = [first] + [_listen(host_of(s.index), port) for s in model.sites[1:]]
    app = App(model, Renderer(model, port))
    server = web.Server(app.handle, access_log=None)
    loop = asyncio.get_running_loop()
    for sock in sockets:
        await loop.create_server(server, sock=sock, backlog=1024)
    print(f"READY {port}", flush=True)
    await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--faulty-share", type=float, default=0.10)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    args = parser.parse_args(argv)
    model = build_model(args.feeds, args.entries, faulty_share=args.faulty_share, seed=args.seed)
    try:
        import uvloop
    except ImportError:
        asyncio.run(serve(model, args.port))
    else:
        uvloop.run(serve(model, args.port))


if __name__ == "__main__":
    main()
