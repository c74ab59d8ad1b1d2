"""Answer composers: turn the retrieved sections into a short answer where every sentence has a citation.

The default composer is extractive: it never writes a word that is not in the guidance. Generators are an
extension point with one abstract method, registered by name like an add-on would be.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.index import KnowledgeIndex
from assistant.retrieval import Hit, Query, Searcher
from ingest.text import char_ngrams, content_words, stem_words

ABSTAIN_TEXT = {
    "sv": "Jag hittar inget säkert svar på det i vägledningarna. De här sidorna ligger närmast:",
    "en": "I could not find a reliable answer in the guidance. These pages are the closest:",
}
MAX_ANSWER_WORDS = 90
DEFAULT_THRESHOLD = 0.45


@dataclass(frozen=True)
class Citation:
    page_id: str
    title: str
    section: str  # the anchor
    heading: str
    url: str
    snippet: str
    stale: bool = False
    expired: bool = False


@dataclass(frozen=True)
class Draft:
    """What a composer produced, before it is stored: text with [n] markers and the citations they name."""

    answered: bool
    text: str
    confidence: float
    citations: tuple[Citation, ...]
    suggestions: tuple[Citation, ...] = ()
    generator: str = "extractive"
    notes: tuple[str, ...] = field(default=())


def confidence_of(hits: Sequence[Hit]) -> float:
    """How sure retrieval is, in [0, 1]: mostly how much of the question the best section covers,
    plus how clearly it beats the runner-up. Calibrated against a threshold, not a probability."""
    if not hits:
        return 0.0
    top = hits[0]
    margin = top.score - hits[1].score if len(hits) > 1 else top.score
    return round(min(1.0, 0.75 * top.coverage + 0.15 * min(1.0, max(0.0, top.dense)) + 0.5 * max(0.0, margin)), 4)


class Composer(ABC):
    """Extension point: compose a Draft from the question and retrieved hits."""

    name: str

    @abstractmethod
    def compose(
        self,
        question: str,
        query: Query,
        hits: Sequence[Hit],
        index: KnowledgeIndex,
        searcher: Searcher,
        links: LinkBuilder,
        language: str = "sv",
    ) -> Draft:
        """Return an answered Draft with citations, or an abstaining one with suggestions."""


class LinkBuilder:
    """Citation URLs: this server's page view, or the agency's public base URL when configured."""

    def __init__(self, base_url: str = ""):
        self.base_url = base_url.rstrip("/")

    def url(self, page_id: str, anchor: str) -> str:
        return f"{self.base_url}/pages/{page_id}" + (f"#{anchor}" if anchor else "")

    def citation(self, hit: Hit, index: KnowledgeIndex) -> Citation:
        return Citation(
            page_id=hit.page_id,
            title=hit.title,
            section=hit.anchor,
            heading=hit.heading,
            url=self.url(hit.page_id, hit.anchor),
            snippet=hit.snippet,
            stale=hit.stale,
            expired=hit.expired,
        )


class ExtractiveComposer(Composer):
    name = "extractive"

    def __init__(self, threshold: float = DEFAULT_THRESHOLD):
        self.threshold = threshold

    def compose(
        self,
        question: str,
        query: Query,
        hits: Sequence[Hit],
        index: KnowledgeIndex,
        searcher: Searcher,
        links: LinkBuilder,
        language: str = "sv",
    ) -> Draft:
        confidence = confidence_of(hits)
        if not hits or confidence < self.threshold:
            return abstain(hits, index, links, confidence, language)
        sources = [hits[0]] + [h for h in hits[1:3] if h.score >= 0.85 * hits[0].score and h.coverage >= 0.5]
        picked: list[tuple[int, str]] = []
        citations: list[Citation] = []
        for number, hit in enumerate(sources, 1):
            section = index.pages[hit.page_id].section(hit.anchor)
            text = section.text if section else hit.snippet
            for sentence in best_sentences(query, text, budget=MAX_ANSWER_WORDS // len(sources)):
                picked.append((number, sentence))
            citations.append(links.citation(hit, index))
        body = _join(picked)
        return Draft(True, body, confidence, tuple(citations), generator=self.name)


def abstain(hits: Sequence[Hit], index: KnowledgeIndex, links: LinkBuilder, confidence: float, language: str) -> Draft:
    suggestions: list[Citation] = []
    seen: set[str] = set()
    for hit in hits:
        if hit.page_id not in seen:
            seen.add(hit.page_id)
            suggestions.append(links.citation(hit, index))
        if len(suggestions) == 3:
            break
    return Draft(False, ABSTAIN_TEXT.get(language, ABSTAIN_TEXT["sv"]), confidence, (), tuple(suggestions))


_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9])")


def units(text: str) -> list[str]:
    """Sentences of prose; list items, steps and table rows stay whole."""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if re.match(r"^(\d+\.|-)\s", line) or (": " in line and ";" in line):
            out.append(line)
        else:
            out.extend(s.strip() for s in _SPLIT.split(line) if s.strip())
    return out


def best_sentences(query: Query, text: str, budget: int) -> list[str]:
    """The units that speak most to the question, in document order, within a word budget.

    A unit ending in ':' introduces a list, so the list items that follow come with it.
    """
    parts = units(text)
    if not parts:
        return []
    stems = set(query.stems)
    grams = set(char_ngrams(query.words))

    def score(unit: str) -> float:
        words = content_words(unit)
        shared = len(stems & set(stem_words(words)))
        gram_overlap = len(grams & set(char_ngrams(words))) / max(1, len(grams))
        return shared + gram_overlap

    ranked = sorted(range(len(parts)), key=lambda i: (-score(parts[i]), i))
    chosen: set[int] = set()
    used = 0
    for i in ranked:
        if score(parts[i]) <= 0 and chosen:
            break
        cost = len(parts[i].split())
        if chosen and used + cost > budget:
            continue
        chosen.add(i)
        used += cost
        if parts[i].endswith(":"):
            for j in range(i + 1, len(parts)):
                if not re.match(r"^\s*(\d+\.|-)\s", parts[j]) or used + len(parts[j].split()) > budget * 1.5:
                    break
                chosen.add(j)
                used += len(parts[j].split())
        if used >= budget:
            break
    return [parts[i] for i in sorted(chosen)]


def _join(picked: Sequence[tuple[int, str]]) -> str:
    """Sentences with their citation marker; consecutive list items share the marker of their block."""
    lines: list[str] = []
    for i, (number, sentence) in enumerate(picked):
        is_item = bool(re.match(r"^\s*(\d+\.|-)\s", sentence))
        next_same_block = (
            i + 1 < len(picked) and picked[i + 1][0] == number and bool(re.match(r"^\s*(\d+\.|-)\s", picked[i + 1][1]))
        )
        marker = "" if is_item and next_same_block else f" [{number}]"
        lines.append(f"{sentence}{marker}")
    text = ""
    for line in lines:
        if (
            re.match(r"^\s*(\d+\.|-)\s", line)
            or text.endswith(":")
            or (text.endswith("]") and line[:1] in "-0123456789")
        ):
            text += ("\n" if text else "") + line
        else:
            text += (" " if text else "") + line
    return text


COMPOSERS: dict[str, type[Composer]] = {"extractive": ExtractiveComposer}
