"""Synthetic but realistic article text for benchmarks (deterministic, no network).

Words follow a Zipf distribution over an English-like vocabulary, so the full-text
index sees the same skew as real news: a few very common words, a long tail.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from briefreader.model import Analysis, Article, article_id

_COMMON = (
    "the of and to in a is that for on with as was by at from it its be has have are this "
    "which said were but not their after more than been also will new over about into who"
).split()

_TOPIC_GROUPS = (
    "port strike cargo dockers union wages ships container terminal harbour",
    "rail network signal drivers timetable fares strike ballot operator",
    "central bank rates inflation bond yields currency markets lending governor",
    "chip export rule accelerator foundry cloud datacentre compute training",
    "grid storage battery auction wind turbine offshore solar demand",
    "heatwave prices power demand drought temperatures hospital",
    "vaccine trial hospital patients research doctors",
    "telescope launch orbit satellite mission lunar",
    "election council budget housing transport voters",
    "climate summit treaty emissions delegates pledge",
)
_TOPICS = sorted({w for g in _TOPIC_GROUPS for w in g.split()})

_SYLLABLES = "ba ko ri ten mar vel dor san li qu fen tra ost wen gal pre mon su dar ix el".split()


def _vocabulary(rng: random.Random, size: int = 20000) -> list[str]:
    words = list(_COMMON)
    seen = set(words)
    while len(words) < size:
        w = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


class TextMaker:
    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.vocab = _vocabulary(self.rng)
        # Zipf weights: rank r has weight 1/r.
        self.weights = [1.0 / (r + 1) for r in range(len(self.vocab))]
        self._cum: list[float] = []
        total = 0.0
        for w in self.weights:
            total += w
            self._cum.append(total)

        # 10 real-word topics and 190 invented ones: a topic word is in ~0.5% of articles.
        self.topics = [g.split() for g in _TOPIC_GROUPS]
        tail = self.vocab[2000:]
        while len(self.topics) < 200:
            self.topics.append(self.rng.sample(tail, 8))
        self.topic: list[str] = self.topics[0]

    def words(self, n: int) -> list[str]:
        return self.rng.choices(self.vocab, cum_weights=self._cum, k=n)

    def sentence(self, lo: int = 10, hi: int = 24) -> str:
        ws = self.words(self.rng.randint(lo, hi))
        for _ in range(self.rng.randint(0, 2)):
            ws.insert(self.rng.randrange(len(ws) + 1), self.rng.choice(self.topic))
        ws[0] = ws[0].capitalize()
        return " ".join(ws) + "."

    def paragraph(self, sentences: int = 4) -> str:
        return " ".join(self.sentence() for _ in range(sentences))

    def title(self) -> str:
        topic = self.rng.sample(self.topic, 3)
        return " ".join([*self.words(2), *topic, *self.words(2)]).capitalize()

    def article(self, n: int, *, body_paragraphs: int = 4) -> Article:
        published = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=7 * n)
        url = f"https://bench.example/{n}"
        self.topic = self.rng.choice(self.topics)
        return Article(
            id=article_id(url=url),
            title=self.title(),
            summary=self.sentence(18, 30),
            url=url,
            source=f"Outlet {n % 40}",
            author=f"Writer {n % 300}",
            published=published,
            takeaways=tuple(self.sentence(8, 16) for _ in range(4)),
            analysis=Analysis(
                body=self.paragraph(3),
                label="Editor's Desk",
                title="Analysis",
                byline=f"Outlet {n % 40} Editorial",
            )
            if n % 3 == 0
            else None,
            body="\n\n".join(self.paragraph() for _ in range(body_paragraphs)),
            tags=tuple(self.rng.sample(self.topic, 2)),
            origin=f"bench/{n}.txt",
        )

    def brief_text(self, n: int) -> str:
        """A plain-text brief in the pasted-page layout (glued ordinals, Editor's Desk…)."""
        art = self.article(n)
        lines = [
            art.title,
            "",
            art.summary,
            "",
            "A photo of the scene described above.",
            "",
            "Key Takeaways",
            "",
        ]
        lines += [f"  • {i}{t}" for i, t in enumerate(art.takeaways, 1)]
        lines += [
            "",
            "Editor's",
            "Desk",
            "",
            "Strategic Analysis",
            "",
            self.paragraph(3),
            "",
            f"{art.source} Editorial",
            "Strategic Insight",
            art.source,
            "",
        ]
        lines += [p + "\n" for p in art.body.split("\n\n")]
        lines += ["Share Article", "", "Related Articles", "", "No related articles found"]
        return "\n".join(lines)
