"""Answer composers: turn the retrieved sections into a short answer where every sentence has a citation.

The default composer is extractive: it never writes a word that is not in the guidance. Generators are an
extension point with one abstract method, registered by name like an add-on would be.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from assistant.answer_types import describes_the_page, expected_kinds, has_kind
from assistant.confidence import DEFAULT_CONFIDENCE, ConfidenceModel, Signals, signals_of
from assistant.index import KnowledgeIndex
from assistant.messages import t
from assistant.retrieval import Hit, Query, Searcher
from assistant.vectors import embed_cached

MAX_ANSWER_WORDS = 90
MAX_UNITS = 3  # sentences, items or steps picked on their own fit (a list's lead-in brings its items)
RANK_PRIOR = (0.1, 0.05, 0.02, 0.0)  # per source section, best first
ANSWER_KIND_BONUS = 0.3
SHORT_UNIT_WORDS = 5
SHORT_UNIT_PENALTY = 0.15
MAX_LIST_ITEMS = 8  # a list longer than this is not pulled in whole for one of its items
DEFAULT_THRESHOLD = 0.43  # chosen with DEFAULT_CONFIDENCE by calibration on the project's own questions


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
    signals: Signals | None = None  # what the confidence was computed from (calibration refits on these)


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
    """Picks the sentences, list items or steps that best match the question from the top sections.

    Every group of picked units ends with the citation [n] of the section it came from, so each claim
    can be checked. Nothing is rephrased.
    """

    name = "extractive"

    def __init__(self, threshold: float = DEFAULT_THRESHOLD, confidence: ConfidenceModel = DEFAULT_CONFIDENCE):
        self.threshold = threshold
        self.confidence = confidence

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
        signals = signals_of(query, hits, searcher)
        confidence = self.confidence.score(signals)
        if not hits or confidence < self.threshold:
            return abstain(hits, index, links, confidence, language, signals)
        sources = [h for h in prefer_specific(hits[:4]) if h.score >= 0.8 * hits[0].score]
        candidates: list[_Unit] = []
        for rank, hit in enumerate(sources):
            section = index.pages[hit.page_id].section(hit.anchor)
            parts = units(section.text if section else hit.snippet)
            candidates.extend(
                _Unit(rank, position, text, 0.0, parts, hit.heading) for position, text in enumerate(parts)
            )
        candidates = score_units(query, candidates, searcher)
        chosen = pick_units(candidates)
        # The section holding the best-fitting sentence comes first: it is the answer, the other adds to it.
        best_fit = {r: max(u.fit for u in chosen if u.rank == r) for r in {u.rank for u in chosen}}
        used_ranks = sorted(best_fit, key=lambda r: -best_fit[r])
        groups = [[u.text for u in sorted(chosen, key=lambda u: u.position) if u.rank == r] for r in used_ranks]
        text = "\n".join(f"{_join_units(group)} [{n}]" for n, group in enumerate(groups, 1))
        citations = tuple(links.citation(sources[r], index) for r in used_ranks)
        return Draft(True, text, confidence, citations, generator=self.name, signals=signals)


def prefer_specific(hits: Sequence[Hit]) -> list[Hit]:
    """A page's intro says what the page covers; when a section of the same page matched nearly as well,
    that section says it, so it goes first."""
    ordered = list(hits)
    for i, hit in enumerate(ordered):
        if hit.anchor:
            continue
        specific = next((h for h in ordered[i + 1 :] if h.page_id == hit.page_id and h.anchor), None)
        if specific is not None and specific.score >= 0.85 * hit.score:
            ordered.remove(specific)
            ordered.insert(i, specific)
    return ordered


@dataclass(frozen=True)
class _Unit:
    rank: int  # which source section
    position: int  # where in the section
    text: str
    fit: float
    siblings: list[str]
    heading: str = ""


def score_units(query: Query, candidates: list[_Unit], searcher: Searcher) -> list[_Unit]:
    """Fit of each unit to the question: word coverage and meaning (dense cosine) in equal parts, a bonus
    when it holds the kind of answer the question asks for (a duration, an amount, a role), and small
    priors for the better-ranked section and for a section's first sentence (where guidance states its
    rule before the details)."""
    if not candidates:
        return []
    vectors = embed_cached(searcher.embedder, [query.text, *(u.text for u in candidates)])
    similarity = vectors[1:] @ vectors[0]
    kinds = expected_kinds(query.text)
    scored = []
    for unit, sim in zip(candidates, similarity, strict=True):
        # A sentence is read under its heading: "Tidsfrist för komplettering" tells what "14 dagar" is about.
        fit = 0.45 * searcher.coverage(query, f"{unit.heading} {unit.text}") + 0.45 * float(sim)
        fit += RANK_PRIOR[min(unit.rank, len(RANK_PRIOR) - 1)] + (0.08 if unit.position == 0 else 0.0)
        if kinds and any(has_kind(unit.text, kind) for kind in kinds):
            fit += ANSWER_KIND_BONUS
        if describes_the_page(unit.text):
            fit -= ANSWER_KIND_BONUS
        if len(unit.text.split()) < SHORT_UNIT_WORDS:  # "- ränta," names a topic; it does not answer
            fit -= SHORT_UNIT_PENALTY
        scored.append(replace(unit, fit=fit))
    return scored


def pick_units(candidates: Sequence[_Unit], budget: int = MAX_ANSWER_WORDS) -> list[_Unit]:
    """The best-fitting unit with the context it needs (a list's lead-in, or the items a lead-in announces),
    then other strong units while the word budget lasts."""
    if not candidates:
        return []
    ranked = sorted(candidates, key=lambda u: (-u.fit, u.rank, u.position))
    best = ranked[0]
    chosen: dict[tuple[int, int], _Unit] = {}
    words = picked = 0
    for unit in ranked:
        if chosen and (unit.fit < 0.85 * best.fit or picked >= MAX_UNITS):
            break
        group = [unit, *_context_of(unit)]
        cost = sum(len(u.text.split()) for u in group)
        sections = {u.rank for u in chosen.values()} | {unit.rank}
        if (unit.rank, unit.position) in chosen or (chosen and (words + cost > budget or len(sections) > 2)):
            continue
        for u in group:
            chosen.setdefault((u.rank, u.position), u)
        words += cost
        picked += 1
    return list(chosen.values())


def _context_of(unit: _Unit) -> list[_Unit]:
    """What a unit needs to be read right: an item needs the sentence that introduces its list, and a short
    list is read whole (a lone "3." under its lead-in misleads); a lead-in needs the items it announces."""
    siblings = unit.siblings

    def at(j: int) -> _Unit:
        return _Unit(unit.rank, j, siblings[j], 0.0, siblings, unit.heading)

    lead_in = unit.position if _is_lead_in(unit.text) else None
    if _is_item(unit.text):
        j = unit.position - 1
        while j >= 0 and _is_item(siblings[j]):
            j -= 1
        if j < 0 or not _is_lead_in(siblings[j]):
            return []
        lead_in = j
    if lead_in is None:
        return []
    items = []
    for j in range(lead_in + 1, len(siblings)):
        if not _is_item(siblings[j]):
            break
        items.append(j)
    if _is_item(unit.text) and len(items) > MAX_LIST_ITEMS:
        return [at(lead_in)]
    return [at(j) for j in (lead_in, *items[:MAX_LIST_ITEMS]) if j != unit.position]


def _is_lead_in(text: str) -> bool:
    """A sentence that announces a list: ends with a colon, or stops without a full stop."""
    return not _is_item(text) and not text.rstrip().endswith((".", "!", "?", ")"))


def _is_item(text: str) -> bool:
    return bool(re.match(r"^\s*(\d+\.|-)\s", text))


def _join_units(texts: Sequence[str]) -> str:
    out = ""
    for text in texts:
        if not out:
            out = text
        elif _is_item(text) or _is_item(out.rsplit("\n", 1)[-1]) or _is_lead_in(out):
            out += "\n" + text
        else:
            out += " " + text
    return out


def abstain(
    hits: Sequence[Hit],
    index: KnowledgeIndex,
    links: LinkBuilder,
    confidence: float,
    language: str,
    signals: Signals | None = None,
) -> Draft:
    suggestions: list[Citation] = []
    seen: set[str] = set()
    for hit in hits:
        if hit.page_id not in seen:
            seen.add(hit.page_id)
            suggestions.append(links.citation(hit, index))
        if len(suggestions) == 3:
            break
    text = t("answer.abstain", language)
    return Draft(False, text, confidence, (), tuple(suggestions), signals=signals)


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
