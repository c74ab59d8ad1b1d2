"""Answer composers: turn the retrieved sections into a short answer where every sentence has a citation.

The default composer is extractive: it never writes a word that is not in the guidance. Generators are an
extension point with one abstract method, registered by name like an add-on would be.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from assistant.answer_types import describes_the_page, expected_kinds, has_kind
from assistant.confidence import DEFAULT_CONFIDENCE, ConfidenceModel, Signals, signals_of
from assistant.index import KnowledgeIndex
from assistant.messages import t
from assistant.retrieval import Hit, Query, Searcher
from assistant.vectors import embed_cached
from ingest.units import Unit, embedding_text, units_from_text

MAX_ANSWER_WORDS = 110
MAX_EXTRA_PICKS = 1  # units picked on their own fit besides the best one (context comes on top)
PICK_MARGIN = 0.1  # ... only when they fit nearly as well as the best
SOURCE_SHARE = 0.8  # sections scoring at least this share of the best hit's score are read
SIMILARITY_SHARE = 0.6  # of a unit's fit from meaning; the rest from the question's own words
RANK_PRIOR = (0.06, 0.03, 0.01, 0.0)  # per source section, best first
FIRST_PRIOR = 0.03  # a section's first unit: guidance states its rule before the details
ANSWER_KIND_BONUS = 0.2
ABOUT_THE_PAGE_PENALTY = 0.2
SHORT_UNIT_WORDS = 5
SHORT_UNIT_PENALTY = 0.15
SHORT_LIST = 5  # an item of a list this short is shown with the whole list
MAX_LIST_ITEMS = 8  # a lead-in brings at most this many of its items
MAX_FOLLOWING = 2  # exception or limit sentences brought along after a rule
# Chosen with DEFAULT_CONFIDENCE by calibration on the project's own questions (docs/evals.md).
DEFAULT_THRESHOLD = 0.57
# For an index of another model nobody calibrated (lexical confidence only; the first release's value).
OTHER_MODEL_THRESHOLD = 0.43
NEAR_SHARE = 0.6  # suggested pages score at least this share of the best hit
NEAR_COVERAGE = 0.34  # a section holding a third of the question's words (idf-weighted) is near it
FAR = 0.5  # below this share of the threshold a question is far from everything: no pages are suggested


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
        context: TurnContext | None = None,
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


@dataclass(frozen=True)
class TurnContext:
    """What composing needs to know about the conversation and the question's language."""

    own: Query | None = None  # the question's own words, when it searched with an earlier turn's too
    previous_answer: str = ""  # the answer already shown in this conversation: not given again
    cross_lingual: bool = False  # asked in another language than the guidance's


@dataclass(frozen=True)
class Candidate:
    """One unit of a source section, with how well it answers the question."""

    rank: int  # which source section
    position: int  # where in the section
    units: tuple[Unit, ...]  # all units of the section
    heading: str
    similarity: float  # cosine between question and unit (multilingual model)
    fit: float = 0.0

    @property
    def unit(self) -> Unit:
        return self.units[self.position]


class ExtractiveComposer(Composer):
    """Picks the sentence, step or table row that answers, with what it needs to be read right.

    Units were cut and embedded at ingest; the question's similarity to each, its words and the kind of
    answer it asks for (a duration, an amount, a role, a procedure, yes/no) choose the best one. It comes
    with its list's lead-in, its table's header, the sentence it refers back to and the exception or
    limit that follows it. Every group ends with the citation [n] of its section; nothing is rephrased.
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
        context: TurnContext | None = None,
    ) -> Draft:
        context = context or TurnContext()
        sources = [h for h in prefer_specific(hits[:4]) if h.score >= SOURCE_SHARE * hits[0].score] if hits else []
        gathered = gather(query, sources, index, searcher)
        if context.previous_answer and not fresh(gathered, context):
            sources = prefer_specific(hits[:4])  # a follow-up whose best sections were all shown reads further
            gathered = gather(query, sources, index, searcher)
        candidates = score_candidates(query, context, gathered, searcher)
        signals = signals_of(query, hits, searcher, context.cross_lingual)
        if candidates:
            signals = replace(signals, unit=max(c.similarity for c in candidates))
        confidence = self.confidence.score(signals)
        if not hits or not candidates or confidence < self.threshold:
            far = confidence < FAR * self.threshold and signals.coverage < NEAR_COVERAGE
            return abstain(hits, index, links, confidence, language, signals, far=far)
        chosen = pick(candidates, context)
        # The section holding the best-fitting unit comes first: it is the answer, the other adds to it.
        best_fit = {r: max(c.fit for c in chosen if c.rank == r) for r in {c.rank for c in chosen}}
        ranks = sorted(best_fit, key=lambda r: -best_fit[r])
        groups = [sorted((c for c in chosen if c.rank == r), key=lambda c: c.position) for r in ranks]
        text = "\n".join(render(group, n) for n, group in enumerate(groups, 1))
        citations = tuple(links.citation(sources[r], index) for r in ranks)
        notes = (t("answer.quoted_in_swedish", language),) if context.cross_lingual else ()
        return Draft(True, text, confidence, citations, generator=self.name, notes=notes, signals=signals)


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


def gather(query: Query, sources: Sequence[Hit], index: KnowledgeIndex, searcher: Searcher) -> list[Candidate]:
    """Every unit of the source sections with its similarity to the question: the unit vectors stored at
    ingest (an older index without them has its units embedded here)."""
    if not sources:
        return []
    question = embed_cached(searcher.embedder, [query.text], "query").reshape(-1)
    out: list[Candidate] = []
    for rank, hit in enumerate(sources):
        section = index.pages[hit.page_id].section(hit.anchor)
        if section is None:
            continue
        units = section.units or tuple(units_from_text(section.text))
        if not units:
            continue
        vectors = section.unit_vectors(index) if section.units else None
        if vectors is None or vectors.shape[1] != question.shape[0]:
            texts = [embedding_text(section.heading, u) for u in units]
            vectors = embed_cached(searcher.embedder, texts, "passage")
        similarity = vectors @ question
        out.extend(
            Candidate(rank, position, units, section.heading, float(similarity[position]))
            for position in range(len(units))
            if units[position].kind != "code"
        )
    return out


def score_candidates(
    query: Query, context: TurnContext, candidates: list[Candidate], searcher: Searcher
) -> list[Candidate]:
    """Fit of each unit: its similarity to the question relative to the other units (cosines of one model
    sit in a narrow band, so their order says more than their level), the share of the question's own words
    it holds (read under its heading), a bonus when it holds the kind of answer asked for, and small priors
    for the better-ranked section and a section's first unit (where guidance states its rule)."""
    if not candidates:
        return []
    words = context.own or query
    kinds = expected_kinds(words.text)
    sims = np.array([c.similarity for c in candidates])
    spread = float(sims.max() - sims.min())
    relative = (sims - sims.min()) / spread if spread > 1e-6 else np.ones_like(sims)
    scored = []
    for candidate, rel in zip(candidates, relative, strict=True):
        unit = candidate.unit
        fit = SIMILARITY_SHARE * float(rel)
        fit += (1 - SIMILARITY_SHARE) * searcher.coverage(words, f"{candidate.heading} {_unit_words(unit)}")
        fit += RANK_PRIOR[min(candidate.rank, len(RANK_PRIOR) - 1)] + (FIRST_PRIOR if candidate.position == 0 else 0.0)
        if _answers_kind(unit, kinds):
            fit += ANSWER_KIND_BONUS
        if describes_the_page(unit.text):  # says what the page covers, never what applies
            fit -= ABOUT_THE_PAGE_PENALTY
        if len(unit.plain.split()) < SHORT_UNIT_WORDS and unit.kind != "row":  # "- ränta," names a topic
            fit -= SHORT_UNIT_PENALTY
        scored.append(replace(candidate, fit=fit))
    return scored


def _unit_words(unit: Unit) -> str:
    return " ".join(unit.cells) if unit.cells else unit.plain


def _answers_kind(unit: Unit, kinds: Sequence[str]) -> bool:
    for kind in kinds:
        if kind == "procedure" and unit.kind in ("step", "item", "lead_in"):
            return True
        if kind != "procedure" and has_kind(_unit_words(unit), kind):
            return True
    return False


def pick(candidates: Sequence[Candidate], context: TurnContext) -> list[Candidate]:
    """The best-fitting unit with what it needs to be read, then units that fit nearly as well while the
    word budget lasts, from at most two sections. Units the conversation already showed are not given
    again while another unit can answer."""
    ranked = sorted(fresh(candidates, context) or candidates, key=lambda c: (-c.fit, c.rank, c.position))
    best = ranked[0]
    chosen: dict[tuple[int, int], Candidate] = {}
    words = picks = 0
    for candidate in ranked:
        if chosen and (candidate.fit < best.fit - PICK_MARGIN or picks > MAX_EXTRA_PICKS):
            break
        if (candidate.rank, candidate.position) in chosen:
            continue
        group = [candidate, *context_of(candidate)]
        cost = sum(len(c.unit.text.split()) for c in group if (c.rank, c.position) not in chosen)
        sections = {c.rank for c in chosen.values()} | {candidate.rank}
        if chosen and (words + cost > MAX_ANSWER_WORDS or len(sections) > 2):
            continue
        for c in group:
            chosen.setdefault((c.rank, c.position), c)
        words += cost
        picks += 1
    return list(chosen.values())


def fresh(candidates: Sequence[Candidate], context: TurnContext) -> list[Candidate]:
    """The candidates the conversation has not shown yet."""
    shown = _squash(context.previous_answer)
    return [c for c in candidates if not (shown and _squash(c.unit.plain) in shown)]


def context_of(candidate: Candidate) -> list[Candidate]:
    """What a unit needs to be read right: an item or step its list's lead-in (and the whole list when it is
    short: a lone "3." misleads), a lead-in the items it announces, a sentence that leans on the one before
    it ("Under den tiden …") that sentence, and a rule the exceptions and limits that follow it."""
    units, p = candidate.units, candidate.position
    unit = units[p]

    def at(j: int) -> Candidate:
        return replace(candidate, position=j, fit=0.0)

    if unit.is_list_part:
        start, end = _list_run(units, p)
        lead = start - 1 if start > 0 and units[start - 1].kind == "lead_in" else None
        members = list(range(start, end)) if end - start <= SHORT_LIST else [p]
        return [at(j) for j in ([lead] if lead is not None else []) + members if j != p]
    if unit.kind == "lead_in":
        end = p + 1
        while end < len(units) and units[end].kind in ("item", "step", "row"):
            end += 1
        return [at(j) for j in range(p + 1, min(end, p + 1 + MAX_LIST_ITEMS))]
    if unit.kind == "row":
        return []
    out = []
    if p > 0 and _REFERS_BACK.match(unit.text) and units[p - 1].kind in ("sentence", "lead_in"):
        out.append(at(p - 1))
    for j in range(p + 1, min(len(units), p + 1 + MAX_FOLLOWING)):
        if units[j].kind != "sentence" or not _QUALIFIES.search(units[j].text):
            break
        out.append(at(j))
    return out


def _list_run(units: Sequence[Unit], p: int) -> tuple[int, int]:
    """The contiguous items or steps around position p: [start, end)."""
    kind = units[p].kind
    start = p
    while start > 0 and units[start - 1].kind == kind:
        start -= 1
    end = p + 1
    while end < len(units) and units[end].kind == kind:
        end += 1
    return start, end


# A sentence that leans on the one before it: "Under den tiden …", "Det gäller även …", "Alltså …".
_REFERS_BACK = re.compile(
    r"^(?:det|detta|denna|dessa|den|de|då|där|sådan[at]?|samma|därför|därmed|alltså|således|dessutom|"
    r"under den tiden|under tiden|i så fall|i sådana fall|efter det|därefter|annars|it|this|that|these)\b",
    re.IGNORECASE,
)
# An exception, limit or condition that belongs with the rule before it.
_QUALIFIES = re.compile(
    r"^(?:undantag|om |men |dock |detta gäller inte|det gäller inte|belopp (?:under|över)|"
    r"i (?:sådana|så) fall|utom |förutom |annars |då )|\b(?:dock|undantag\w*|inte|inget|ingen|ej)\b",
    re.IGNORECASE,
)


def render(group: Sequence[Candidate], n: int) -> str:
    """One section's chosen units in document order, ending with its citation marker: sentences as prose,
    items and steps as a list (a step keeps its number only when its whole list is shown), rows as a small
    table under their header."""
    lines: list[str] = []
    positions = {c.position for c in group}
    previous: Unit | None = None
    for candidate in group:
        unit = candidate.unit
        if unit.kind == "row":
            new_table = previous is None or previous.kind != "row" or previous.headers != unit.headers
            if new_table and unit.headers:
                lines.append(_table_line(unit.headers))
                lines.append("|" + "|".join("---" for _ in unit.headers) + "|")
            lines.append(_table_line(unit.cells or (unit.text,)))
        elif unit.is_list_part:
            start, end = _list_run(candidate.units, candidate.position)
            whole = all(j in positions for j in range(start, end))
            lines.append(unit.text.strip() if unit.kind == "item" or whole else f"- {unit.plain}")
        elif lines and previous is not None and previous.kind == "sentence" and unit.kind != "code":
            lines[-1] += " " + unit.text
        else:
            lines.append(unit.text)
        previous = unit
    lines[-1] += f" [{n}]"
    return "\n".join(lines)


def _table_line(cells: Sequence[str]) -> str:
    return "| " + " | ".join(c.replace("|", "/") for c in cells) + " |"


def _squash(text: str) -> str:
    return " ".join(re.sub(r"\[\d+\]|[|*_>#-]", " ", text).lower().split())


def abstain(
    hits: Sequence[Hit],
    index: KnowledgeIndex,
    links: LinkBuilder,
    confidence: float,
    language: str,
    signals: Signals | None = None,
    far: bool = False,
) -> Draft:
    """No answer. Pages near the question are suggested (sections scoring close to the best); a question
    far from everything in the guidance is told so, without a list of unrelated pages."""
    if far or not hits:
        return Draft(False, t("answer.abstain_far", language), confidence, (), (), signals=signals)
    suggestions: list[Citation] = []
    seen: set[str] = set()
    for hit in hits:
        if hit.score < NEAR_SHARE * hits[0].score:
            break
        if hit.page_id not in seen:
            seen.add(hit.page_id)
            suggestions.append(links.citation(hit, index))
        if len(suggestions) == 3:
            break
    text = t("answer.abstain", language)
    return Draft(False, text, confidence, (), tuple(suggestions), signals=signals)
