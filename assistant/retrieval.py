"""Hybrid search: Swedish BM25 (stems + character n-grams), dense vectors, typo correction and aliases.

Scores are fused by weight, not by rank: the two sides are not equally strong (and their strength depends
on the model and on the question's language), so rank fusion, which treats both as equals, loses to a
weighted sum whose weight is calibrated (assistant/tuning.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from rapidfuzz import fuzz, process

from assistant.index import KnowledgeIndex
from assistant.metrics import stage
from assistant.vectors import embed_cached
from ingest.embedding import Embedder
from ingest.lexical import stem_pairs
from ingest.text import char_ngrams, content_words, normalize, stem_words

Mode = Literal["lexical", "dense", "hybrid"]
MODES: tuple[Mode, ...] = ("lexical", "dense", "hybrid")

# Lexical share of hybrid scores, calibrated for the default model (multilingual-e5-small) on the project's
# own questions (docs/evals.md); a question in English over Swedish guidance shares no words with it and
# leans on meaning. Another model without a calibration gets the weight that suited the English MiniLM.
DEFAULT_FUSION_WEIGHT = 0.5
DEFAULT_CROSS_LINGUAL_FUSION_WEIGHT = 0.2
OTHER_MODEL_FUSION_WEIGHT = 0.9
GRAM_SHARE = 0.35  # share of the lexical score from character n-grams rather than whole stems
PAIR_SHARE = 0.15  # share of the stem score from adjacent stem pairs (word order)
PAGE_SHARE = 0.2  # share of a chunk's lexical score that comes from its whole page
ALIAS_BONUS = 0.15
TYPO_CUTOFF = 82.0
CANDIDATES = 100


@dataclass(frozen=True)
class SearchFilters:
    tags: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ("published",)
    include_expired: bool = False  # also pages outside their valid_from/valid_to period
    include_stale: bool = True  # pages past their review date (cited with a warning); ASSISTANT_EXCLUDE_STALE


@dataclass(frozen=True)
class Hit:
    """A section that matched: the best chunk of it decides the score."""

    page_id: str
    title: str
    anchor: str
    heading: str
    score: float
    snippet: str
    chunk_id: str
    lexical: float  # normalised lexical score in [0, 1]
    dense: float  # cosine similarity of the best chunk
    coverage: float  # idf-weighted share of the query's words found in the chunk
    stale: bool = False
    expired: bool = False


@dataclass
class Query:
    text: str
    words: list[str]
    corrected: dict[str, str] = field(default_factory=dict)

    @property
    def stems(self) -> list[str]:
        return stem_words(self.words)


class Searcher:
    def __init__(self, index: KnowledgeIndex, embedder: Embedder, fusion_weight: float = DEFAULT_FUSION_WEIGHT):
        """fusion_weight: the lexical share of hybrid scores, resolved by assistant.tuning.Tuning."""
        self.index = index
        self.embedder = embedder
        self.fusion_weight = float(fusion_weight)
        self._vocabulary = sorted(w for w, n in index.lexical.surface.items() if len(w) >= 4 and not w.isdigit())
        self._aliases = [
            (normalize(alias), page_id)
            for page_id, entry in index.pages.items()
            for alias in entry.page.aliases
            if len(alias) >= 3
        ]
        # Per-page decisions (filters, aliases) reach the chunks through one array lookup, not a loop.
        self._page_ids = list(index.pages)
        row = {page_id: n for n, page_id in enumerate(self._page_ids)}
        self._chunk_page_rows = np.array([row.get(c.page_id, -1) for c in index.chunks], dtype=np.int64)
        self._chunk_rows = {c.id: n for n, c in enumerate(index.chunks)}

    def chunk_row(self, chunk_id: str) -> int | None:
        """The row of a chunk in the index's arrays (None for a chunk this index does not hold)."""
        return self._chunk_rows.get(chunk_id)

    def analyse(self, text: str) -> Query:
        """Content words with misspellings corrected against the index's own vocabulary."""
        query = Query(text=text, words=[])
        for word in content_words(text):
            fixed = word
            known = word in self.index.lexical.surface or stem_words([word])[0] in self.index.lexical.words.vocabulary
            if len(word) >= 4 and not word.isdigit() and not known:
                match = process.extractOne(word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF)
                if match:
                    fixed = match[0]
                    query.corrected[word] = fixed
            query.words.append(fixed)
        return query

    def search(
        self,
        text: str,
        k: int = 10,
        mode: Mode = "hybrid",
        filters: SearchFilters | None = None,
        today: dt.date | None = None,
        fusion_weight: float | None = None,
    ) -> list[Hit]:
        """`today` is the day validity is judged on: a question asked "as of" a date passes that date.
        Review status is always judged on the real today (a page is due for review now, not then).
        `fusion_weight` replaces the searcher's own for this search (a question in another language)."""
        today = today or dt.date.today()
        filters = filters or SearchFilters()
        empty = np.zeros(len(self.index.chunks), np.float32)
        with stage("lexical"):
            query = self.analyse(text)
            lexical = self._lexical_scores(query) if mode != "dense" else empty
        dense = self._dense_scores(text) if mode != "lexical" else empty
        with stage("filters"):
            allowed = self._allowed_chunks(filters, today)
        with stage("fusion"):
            weight = self.fusion_weight if fusion_weight is None else fusion_weight
            fused = self._fuse(lexical, dense, mode, weight) + self._alias_bonus(text)
            fused = np.where(allowed, fused, -np.inf)
            return self._collect(query, fused, lexical, dense, k, today)

    def _lexical_scores(self, query: Query) -> np.ndarray:
        lexical = self.index.lexical
        stems = lexical.words.query_vector(query.stems)
        by_gram = _scale(lexical.grams.scores(char_ngrams([*query.words, *query.corrected])))
        by_pair = _scale(lexical.pairs.scores(stem_pairs(query.stems))) if PAIR_SHARE and lexical.pairs else None
        return self._combine(stems, by_gram, by_pair)

    def _combine(self, stems: np.ndarray, by_gram: np.ndarray, by_pair: np.ndarray | None) -> np.ndarray:
        lexical = self.index.lexical
        by_word = _scale(lexical.words.score_vector(stems))
        if by_pair is not None:
            by_word = (1 - PAIR_SHARE) * by_word + PAIR_SHARE * by_pair
        if PAGE_SHARE and lexical.pages is not None and lexical.chunk_pages is not None:
            by_page = _scale(lexical.pages.score_vector(stems))[lexical.chunk_pages]
            by_word = (1 - PAGE_SHARE) * by_word + PAGE_SHARE * by_page
        return (1 - GRAM_SHARE) * by_word + GRAM_SHARE * by_gram

    def _dense_scores(self, text: str) -> np.ndarray:
        """Cosine similarity with every chunk: exact search, one matrix-vector product over the mapped vectors."""
        if len(self.index.vectors) == 0:
            return np.zeros(len(self.index.chunks), np.float32)
        with stage("query_embedding"):
            vector = embed_cached(self.embedder, [text], "query").reshape(-1)
        with stage("dense"):
            return np.asarray(self.index.vectors @ vector, dtype=np.float32)

    def _fuse(self, lexical: np.ndarray, dense: np.ndarray, mode: Mode, w: float) -> np.ndarray:
        if mode == "lexical":
            return lexical
        if mode == "dense":
            return dense
        return w * _scale(lexical) + (1 - w) * _scale(dense, floor=float(np.median(dense)))

    def _alias_bonus(self, text: str) -> np.ndarray:
        if not self._aliases:
            return np.zeros(len(self.index.chunks), np.float32)
        query = normalize(text)
        pages = {page_id for alias, page_id in self._aliases if fuzz.partial_ratio(alias, query) >= 92}
        return np.where(self._by_page([p in pages for p in self._page_ids]), ALIAS_BONUS, 0.0).astype(np.float32)

    def _allowed_chunks(self, filters: SearchFilters, today: dt.date) -> np.ndarray:
        ok = []
        for entry in self.index.pages.values():
            page = entry.page
            allowed = page.status in filters.statuses
            allowed &= filters.include_expired or not page.is_expired(today)
            allowed &= page.valid_from is None or page.valid_from <= today or filters.include_expired
            allowed &= filters.include_stale or not page.is_stale(dt.date.today())
            allowed &= not filters.doc_types or page.doc_type in filters.doc_types
            allowed &= not filters.tags or bool(set(filters.tags) & set(page.tags))
            ok.append(allowed)
        return self._by_page(ok)

    def _by_page(self, per_page: list[bool]) -> np.ndarray:
        """A per-page flag (in index.pages order) for each chunk; a chunk of an unknown page gets False."""
        flags = np.array([*per_page, False], dtype=bool)
        return flags[self._chunk_page_rows]

    def _collect(
        self, query: Query, fused: np.ndarray, lexical: np.ndarray, dense: np.ndarray, k: int, today: dt.date
    ) -> list[Hit]:
        order = np.argsort(-fused, kind="stable")[: max(CANDIDATES, k * 4)]
        hits: list[Hit] = []
        seen: set[tuple[str, str]] = set()
        for i in order:
            if not np.isfinite(fused[i]) or len(hits) >= k:
                break
            chunk = self.index.chunks[int(i)]
            if (chunk.page_id, chunk.anchor) in seen:
                continue
            seen.add((chunk.page_id, chunk.anchor))
            page = self.index.pages[chunk.page_id].page
            hits.append(
                Hit(
                    page_id=chunk.page_id,
                    title=chunk.title,
                    anchor=chunk.anchor,
                    heading=chunk.heading_path[-1] if chunk.heading_path else "",
                    score=float(fused[i]),
                    snippet=_snippet(chunk.text),
                    chunk_id=chunk.id,
                    lexical=float(lexical[i]),
                    dense=float(dense[i]),
                    coverage=self.coverage(query, chunk.embedding_text),
                    stale=page.is_stale(dt.date.today()),
                    expired=page.is_expired(today),
                )
            )
        return hits

    def coverage(self, query: Query, text: str) -> float:
        """How much of the question the text speaks to: idf-weighted share of query stems it contains."""
        stems = query.stems
        if not stems:
            return 0.0
        present = set(stem_words(content_words(text)))
        grams = set(char_ngrams(content_words(text)))
        total = covered = 0.0
        for stem, word in zip(stems, query.words, strict=True):
            weight = max(self.index.lexical.words.idf(stem), 0.5)
            total += weight
            if stem in present:
                covered += weight
            else:  # a compound part: most of the word's n-grams found
                word_grams = char_ngrams([word])
                share = sum(g in grams for g in word_grams) / max(1, len(word_grams))
                covered += weight * (share if share >= 0.6 else 0.0)
        return covered / total if total else 0.0


def _scale(scores: np.ndarray, floor: float = 0.0) -> np.ndarray:
    top = float(scores.max()) if scores.size else 0.0
    if top <= floor:
        return np.zeros_like(scores)
    return np.clip((scores - floor) / (top - floor), 0, None)


def _snippet(text: str, limit: int = 240) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def page_ranking(hits: Sequence[Hit]) -> list[str]:
    """Page ids in hit order, first occurrence kept: what page-level metrics compare."""
    seen: dict[str, None] = {}
    for hit in hits:
        seen.setdefault(hit.page_id, None)
    return list(seen)
