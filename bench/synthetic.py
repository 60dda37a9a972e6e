"""Deterministic synthetic Dutch-ish news for the benchmarks in ``bench/``.

Texts are random sentences over a Dutch vocabulary (a few hundred real words plus
generated compounds, Zipf-distributed), so unrelated texts share almost no 5-word
shingles, as real ones do. The structure is what matters for reprint detection:

- DPG stories: a national original (AD, de Volkskrant, Trouw) and 1-6 copies on DPG
  regional sites, mostly with the same ``~a`` article id, with a new or shortened
  headline, trimmed or re-ordered endings and a rephrased sentence; now and then a copy
  appears up to three hours *before* its original;
- ANP stories: one wire text with an "(ANP)" dateline on one or two national sites and on
  1-5 Mediahuis regional sites, edited and trimmed;
- regional stories: a regional original copied by 1-3 other regional titles, no national
  version;
- independent coverage: national, regional, trade and news-site items with their own
  text, some quoting the same sentence as a concurrent story (a near-miss);
- briefs: a regional copy that keeps only the first two paragraphs (containment 1.0,
  Jaccard similarity ~0.2);
- late repeats: a regional copy without an article id 20-30 days after its original
  (outside the reprint window, so not a reprint).

``reprint_corpus`` returns the items (in a shuffled arrival order) and the expected
``regional_of_national`` links; ``articles`` returns raw article dicts (url, title, lead,
body, text, published_at) for the classification benchmark, a minority of which mention the
Rapporteur. The same arguments give the same output in every process.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from classifiers.outlets import OutletRegistry
from classifiers.reprints import ItemId, ReprintItem

START = datetime(2025, 1, 1, tzinfo=UTC)

COMMON_WORDS_TEXT = """
de het een en van in op te dat die is voor met niet aan er om ook als bij maar zijn
naar door dan nog over uit wel wordt werd worden hebben heeft had was waren kan kunnen
moet moeten zal zullen zou zouden al meer veel geen nu deze dit dus tot omdat volgens
onder tegen tussen na zonder sinds binnen vooral echter daarom zegt zei stelt vindt
gaat komt blijkt lijkt krijgt geeft staat laat maakt houdt neemt vraagt wil wilde
"""

NEWS_WORDS_TEXT = """
slachtoffers mensenhandel uitbuiting arbeidsmigranten politie gemeente gemeenten
onderzoek rapport minister kabinet kamer rechter rechtbank advocaat verdachte verdachten
zaak zaken jaar jaren maand week dag dinsdag woensdag donderdag vrijdag maandag zaterdag
zondag cijfers aantal procent euro geld hulp opvang zorg jongeren kinderen vrouwen mannen
werkgevers uitzendbureaus huisvesting woning woningen bedrijf bedrijven sector land
landen grens europa nederland amsterdam rotterdam utrecht eindhoven groningen tilburg
breda arnhem nijmegen zwolle enschede maastricht leeuwarden haarlem leiden den haag
signalen meldingen aanpak beleid wet wetgeving regels toezicht inspectie arbeidsinspectie
marechaussee openbaar ministerie officier justitie straf straffen celstraf boete proces
getuigen bewijs dossier netwerk netwerken criminelen prostitutie seksuele misbruik
geweld online internet platform platforms apps berichten telefoon gegevens privacy
ondernemers organisaties hulpverleners instanties ketens samenwerking coördinatie
wachtlijsten capaciteit tekort tekorten middelen budget miljoen miljard plannen plan
voorstel maatregelen brief debat fracties partij partijen woordvoerder directeur
burgemeester wethouder raad provincie regio dorp stad wijk straat buurt bewoners
ouders school scholen leraren studenten werk werknemers loon lonen contract contracten
schuld schulden afhankelijkheid kwetsbaar risico risicos gevolgen oorzaken reactie
één financiële ideeën privé café belgië roemenië reünie naïef geëist geïnformeerd
"""

SYLLABLES_TEXT = """
ber ge ver ont be lan stel wer ken hui zen bo ven on der ach ter mid del pun ten
ra pe ri ode ge ving hand ling bouw plaats markt zorg recht raad huis veld dorp
weg straat haven kerk school dienst werk post kant stand bank"""

COMMON_WORDS = COMMON_WORDS_TEXT.split()
NEWS_WORDS = NEWS_WORDS_TEXT.split()
SYLLABLES = SYLLABLES_TEXT.split()

QUOTE_SENTENCES = (
    "Dit is precies de afhankelijkheid waarin uitbuiting gedijt",
    "We zien dat signalen te vaak blijven liggen bij de instanties",
    "Slachtoffers moeten sneller hulp en een veilige plek krijgen",
    "De aanpak van mensenhandel mag niet afhangen van toeval",
)
RAPPORTEUR_SENTENCES = (
    "Dat zegt de Nationaal Rapporteur Mensenhandel in een nieuw rapport",
    "De Nationaal Rapporteur Mensenhandel en Seksueel Geweld tegen Kinderen waarschuwt al"
    " jaren voor deze ontwikkeling",
    "Nationaal Rapporteur Conny Rijken noemt de cijfers zorgelijk",
    "Volgens de Nationaal Rapporteur Mensenhandel schiet de aanpak tekort",
)

DPG_NATIONAL = ("ad.nl", "volkskrant.nl", "trouw.nl")
DPG_REGIONAL = (
    "ed.nl",
    "bd.nl",
    "bndestem.nl",
    "pzc.nl",
    "gelderlander.nl",
    "tubantia.nl",
    "destentor.nl",
    "parool.nl",
)
ANP_NATIONAL = ("nu.nl", "telegraaf.nl")
MEDIAHUIS_REGIONAL = (
    "noordhollandsdagblad.nl",
    "haarlemsdagblad.nl",
    "leidschdagblad.nl",
    "limburger.nl",
    "lc.nl",
    "dvhn.nl",
    "gooieneemlander.nl",
    "ijmuidercourant.nl",
)
REGIONAL_BROADCASTERS = ("omroepbrabant.nl", "rtvoost.nl", "rtvutrecht.nl", "gld.nl", "l1.nl")
INDEPENDENT = (
    "nos.nl",
    "rtl.nl",
    "nrc.nl",
    "telegraaf.nl",
    "volkskrant.nl",
    "advocatenblad.nl",
    "mronline.nl",
    "nltimes.nl",
    "ftm.nl",
    "omroepbrabant.nl",
    "rtvnoord.nl",
    "dvhn.nl",
)


@dataclass(frozen=True, slots=True)
class SyntheticCorpus:
    items: list[ReprintItem]  # in arrival order (shuffled)
    truth: dict[ItemId, ItemId]  # expected regional_of_national links: reprint -> original


@dataclass(slots=True)
class _Draft:
    domain: str
    at: datetime
    title: str
    paragraphs: list[str]
    key: str | None
    original: int | None  # index of the draft this one reprints (expected link)
    url: str = ""


class _Writer:
    """Random Dutch-ish words, sentences, paragraphs and headlines."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.numpy = np.random.default_rng(seed)
        words = list(dict.fromkeys(COMMON_WORDS + NEWS_WORDS))
        while len(words) < 20_000:
            size = self.random.choice((2, 2, 3, 3, 4))
            words.append("".join(self.random.choice(SYLLABLES) for _ in range(size)))
        self.words: npt.NDArray[np.object_] = np.array(words, dtype=object)
        weights = 1.0 / (np.arange(len(words)) + 8.0)
        self.cumulative = np.cumsum(weights / weights.sum())

    def words_of(self, count: int) -> list[str]:
        picks = np.searchsorted(self.cumulative, self.numpy.random(count))
        picks = np.minimum(picks, len(self.words) - 1)
        return [str(word) for word in self.words[picks]]

    def sentence(self) -> str:
        words = self.words_of(self.random.randint(8, 20))
        if len(words) > 9 and self.random.random() < 0.3:
            words[self.random.randint(3, len(words) - 4)] += ","
        return " ".join(words).capitalize() + "."

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.random.randint(2, 4)))

    def headline(self) -> str:
        return " ".join(self.words_of(self.random.randint(5, 10))).capitalize()

    def body(self, words: int) -> list[str]:
        """Paragraphs of 2-4 sentences of 8-20 words, about ``words`` words in all."""
        pool = self.words_of(words + 20)
        paragraphs: list[str] = []
        used = 0
        while used < words:
            sentences: list[str] = []
            for _ in range(self.random.randint(2, 4)):
                length = self.random.randint(8, 20)
                sentence = pool[used : used + length]
                used += length
                if len(sentence) < 3:
                    sentence = self.words_of(length)
                if len(sentence) > 9 and self.random.random() < 0.3:
                    sentence[self.random.randint(3, len(sentence) - 4)] += ","
                sentences.append(" ".join(sentence).capitalize() + ".")
            paragraphs.append(" ".join(sentences))
        return paragraphs

    def rephrase(self, paragraph: str) -> str:
        """Replace about a third of the words of one sentence."""
        sentences = paragraph.split(". ")
        which = self.random.randrange(len(sentences))
        words = sentences[which].split()
        for position in range(len(words)):
            if self.random.random() < 0.33:
                words[position] = self.words_of(1)[0]
        sentences[which] = " ".join(words)
        return ". ".join(sentences)


class _Generator:
    def __init__(self, seed: int, days: int, mention_share: float) -> None:
        self.writer = _Writer(seed)
        self.random = self.writer.random
        self.days = days
        self.mention_share = mention_share
        self.drafts: list[_Draft] = []

    def moment(self) -> datetime:
        return START + timedelta(seconds=self.random.randrange(self.days * 86400))

    def text(self, words: int) -> list[str]:
        paragraphs = self.writer.body(words)
        if self.random.random() < 0.6:  # a quote in curly quotes, as Dutch papers print them
            quote = self.writer.words_of(self.random.randint(8, 16))
            where = self.random.randrange(len(paragraphs))
            paragraphs[where] += f" “{' '.join(quote).capitalize()},” zegt een woordvoerder."
        if self.random.random() < self.mention_share:
            where = self.random.randrange(len(paragraphs))
            paragraphs[where] += " " + self.random.choice(RAPPORTEUR_SENTENCES) + "."
        return paragraphs

    def copy(self, source: _Draft, domain: str, at: datetime, key: str | None) -> _Draft:
        paragraphs = list(source.paragraphs)
        roll = self.random.random()
        if roll < 0.45 and len(paragraphs) > 3:
            del paragraphs[len(paragraphs) - self.random.randint(1, min(3, len(paragraphs) - 3)) :]
        elif roll < 0.6 and len(paragraphs) > 2:
            paragraphs[-1], paragraphs[-2] = paragraphs[-2], paragraphs[-1]
        elif roll < 0.7:
            paragraphs.append(self.writer.paragraph())  # a local addition
        elif roll < 0.75:
            del paragraphs[2:]  # a brief: the first two paragraphs only
        for _ in range(self.random.choice((0, 0, 1, 1, 2))):
            where = self.random.randrange(len(paragraphs))
            paragraphs[where] = self.writer.rephrase(paragraphs[where])
        title_roll = self.random.random()
        if title_roll < 0.6:
            title = self.writer.headline()
        elif title_roll < 0.8:
            title = " ".join(source.title.split()[: max(3, len(source.title.split()) - 3)])
        else:
            title = source.title
        return _Draft(domain, at, title, paragraphs, key, None)

    def add(self, draft: _Draft) -> int:
        self.drafts.append(draft)
        return len(self.drafts) - 1

    def dpg_story(self) -> None:
        at = self.moment()
        key = f"dpg:{self.random.getrandbits(32):08x}"
        original = _Draft(
            self.random.choice(DPG_NATIONAL),
            at,
            self.writer.headline(),
            self.text(self.random.randint(300, 600)),
            key,
            None,
        )
        first = self.add(original)
        for domain in self.random.sample(DPG_REGIONAL, self.random.randint(1, 6)):
            early = self.random.random() < 0.05
            offset = (
                -self.random.randint(1800, 3 * 3600)
                if early
                else self.random.randint(120, 30 * 3600)
            )
            same_key = key if self.random.random() < 0.7 else None
            copy = self.copy(original, domain, at + timedelta(seconds=offset), same_key)
            copy.original = first
            self.add(copy)

    def anp_story(self) -> None:
        at = self.moment()
        paragraphs = self.text(self.random.randint(250, 450))
        paragraphs[0] = "DEN HAAG (ANP) - " + paragraphs[0]
        wire = _Draft("anp", at, self.writer.headline(), paragraphs, None, None)
        nationals: list[int] = []
        for domain in self.random.sample(ANP_NATIONAL, self.random.randint(1, 2)):
            offset = self.random.randint(0, 3 * 3600)
            copy = self.copy(wire, domain, at + timedelta(seconds=offset), None)
            copy.paragraphs[0] = wire.paragraphs[0]
            nationals.append(self.add(copy))
        earliest = min(nationals, key=lambda i: (self.drafts[i].at, i))
        for domain in self.random.sample(MEDIAHUIS_REGIONAL, self.random.randint(1, 5)):
            offset = self.random.randint(-2 * 3600, 36 * 3600)
            copy = self.copy(wire, domain, at + timedelta(seconds=offset), None)
            copy.paragraphs[0] = wire.paragraphs[0]
            copy.original = earliest
            self.add(copy)

    def regional_story(self) -> None:
        at = self.moment()
        domains = self.random.sample(REGIONAL_BROADCASTERS + DPG_REGIONAL, 4)
        original = _Draft(
            domains[0],
            at,
            self.writer.headline(),
            self.text(self.random.randint(250, 500)),
            None,
            None,
        )
        first = self.add(original)
        for domain in domains[1 : 1 + self.random.randint(1, 3)]:
            copy = self.copy(
                original, domain, at + timedelta(seconds=self.random.randint(600, 86400)), None
            )
            copy.original = first
            self.add(copy)
        if self.random.random() < 0.1:  # a late repeat, outside the window: unique
            late = at + timedelta(days=self.random.randint(20, 30))
            self.add(self.copy(original, self.random.choice(DPG_REGIONAL), late, None))

    def independent(self) -> None:
        paragraphs = self.text(self.random.randint(300, 600))
        if self.random.random() < 0.2:
            paragraphs[-1] += " " + self.random.choice(QUOTE_SENTENCES) + "."
        self.add(
            _Draft(
                self.random.choice(INDEPENDENT),
                self.moment(),
                self.writer.headline(),
                paragraphs,
                None,
                None,
            )
        )

    def run(self, count: int) -> None:
        while len(self.drafts) < count:
            roll = self.random.random()
            if roll < 0.25:
                self.dpg_story()
            elif roll < 0.45:
                self.anp_story()
            elif roll < 0.55:
                self.regional_story()
            else:
                self.independent()
        del self.drafts[count:]


def _url(draft: _Draft, rng: random.Random) -> str:
    slug = "-".join(draft.title.lower().split()[:6]).replace(",", "")
    domain = draft.domain
    if draft.key is not None and draft.key.startswith("dpg:"):
        url = f"https://www.{domain}/binnenland/{slug}~a{draft.key[4:]}/"
    elif domain in MEDIAHUIS_REGIONAL:
        url = f"https://www.{domain}/cnt/dmf{draft.at:%Y%m%d}_{rng.randrange(10**8):08d}"
    elif domain == "nu.nl":
        url = f"https://www.nu.nl/binnenland/{rng.randrange(10**7)}/{slug}.html"
    elif domain == "nos.nl":
        url = f"https://nos.nl/artikel/{rng.randrange(10**7)}-{slug}"
    else:
        url = f"https://www.{domain}/nieuws/{rng.randrange(10**9)}/{slug}"
    roll = rng.random()
    if roll < 0.05:
        url += "?referrer=https%3A%2F%2Fwww.google.nl%2F"
    elif roll < 0.1:
        url += "?utm_source=twitter&utm_medium=social"
    return url


def _drafts(count: int, seed: int, days: int, mention_share: float) -> list[_Draft]:
    generator = _Generator(seed, days, mention_share)
    generator.run(count)
    for draft in generator.drafts:
        draft.url = _url(draft, generator.random)
    return generator.drafts


def reprint_corpus(count: int, *, seed: int = 20261125, days: int = 365) -> SyntheticCorpus:
    """``count`` items over ``days`` days with the expected ``regional_of_national`` links.

    Most items mention the Rapporteur (a reprint index holds mentions), so unrelated
    texts share the stock phrases, as they do in the service."""
    drafts = _drafts(count, seed, days, mention_share=0.6)
    registry = OutletRegistry.default()
    items: list[ReprintItem] = []
    for number, draft in enumerate(drafts, start=1):
        entry = registry.entry_for_domain(draft.domain)
        assert entry is not None, draft.domain
        items.append(
            ReprintItem(
                id=number,
                outlet=entry.name,
                publication_type=entry.publication_type,
                publisher_group=entry.publisher_group,
                published_at=draft.at,
                title=draft.title,
                text="\n\n".join(draft.paragraphs),
                article_key=draft.key,
            )
        )
    truth: dict[ItemId, ItemId] = {
        index + 1: draft.original + 1
        for index, draft in enumerate(drafts)
        if draft.original is not None and draft.original < len(drafts)
    }
    random.Random(seed + 1).shuffle(items)
    return SyntheticCorpus(items=items, truth=truth)


def articles(
    count: int, *, seed: int = 20261125, days: int = 365, mention_share: float = 0.08
) -> list[dict[str, str]]:
    """Raw articles (url, title, lead, body, text = lead + body, published_at ISO)
    for the classify bench."""
    drafts = _drafts(count, seed, days, mention_share)
    return [
        {
            "url": draft.url,
            "title": draft.title,
            "lead": draft.paragraphs[0],
            "body": "\n\n".join(draft.paragraphs[1:]),
            "text": "\n\n".join(draft.paragraphs),
            "published_at": draft.at.isoformat(),
        }
        for draft in drafts
    ]
