"""Run questions through the real path: publish the corpus into a temporary index, search, compose.

Every step is the one a user's question takes: ingest.pipeline.publish_pages builds the index,
assistant.retrieval.Searcher retrieves, and the extractive composer decides whether to answer, with
follow-ups given the previous question as context exactly as assistant.core.with_context does.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from assistant.compose import DEFAULT_THRESHOLD, ExtractiveComposer, LinkBuilder
from assistant.confidence import ConfidenceModel, confidence_model
from assistant.core import with_context
from assistant.errors import AssistantError, ErrorCode
from assistant.index import KnowledgeIndex
from assistant.retrieval import DEFAULT_FUSION_WEIGHT, Mode, Searcher, page_ranking
from evals.datasets import EvalQuestion
from evals.metrics import K, QuestionResult, balanced_answer_score, summarise
from ingest.embedding import Embedder
from ingest.pages import Page
from ingest.pipeline import Progress, publish_pages
from ingest.publish import IndexStore

RANK_DEPTH = 30  # sections retrieved per question: enough for ten distinct pages
ANSWER_HITS = 5  # what assistant.core passes to the composer (max(top_k, 5) with the default top_k)
WEIGHT_GRID = tuple(round(w, 2) for w in np.arange(0.0, 1.0001, 0.05))
THRESHOLD_GRID = tuple(round(t, 2) for t in np.arange(0.0, 1.0001, 0.01))


def _quiet(_stage: str, _done: int, _total: int) -> None:
    return None


@dataclass(frozen=True)
class Tuning:
    """The calibrated values: the lexical share of hybrid scores, the answer threshold, and the confidence
    model's weights (None: the built-in default)."""

    fusion_weight: float
    answer_threshold: float
    confidence_model: dict[str, Any] | None = None

    @classmethod
    def of(cls, index: KnowledgeIndex) -> Tuning:
        """What assistant.core would use for this index with no environment overrides."""
        return cls.of_settings(index.calibration)

    @classmethod
    def of_settings(cls, calibration: dict[str, Any]) -> Tuning:
        stored = calibration.get("confidence_model")
        return cls(
            fusion_weight=float(calibration.get("fusion_weight", DEFAULT_FUSION_WEIGHT)),
            answer_threshold=float(calibration.get("answer_threshold", DEFAULT_THRESHOLD)),
            confidence_model=dict(stored) if isinstance(stored, dict) else None,
        )

    def as_settings(self) -> dict[str, object]:
        settings: dict[str, object] = {"fusion_weight": self.fusion_weight, "answer_threshold": self.answer_threshold}
        if self.confidence_model is not None:
            settings["confidence_model"] = self.confidence_model
        return settings

    @property
    def model(self) -> ConfidenceModel:
        return confidence_model({"confidence_model": self.confidence_model})


@contextmanager
def temporary_index(
    pages: Sequence[Page], embedder: Embedder, settings: dict[str, object], progress: Progress | None = None
) -> Iterator[KnowledgeIndex]:
    """The corpus published through the real ingest path into a throwaway index store."""
    with tempfile.TemporaryDirectory(prefix="assistant-eval-") as root:
        store = IndexStore(Path(root))
        publish_pages(pages, store, embedder, progress=progress, settings=settings)
        folder = store.current_dir()
        assert folder is not None
        yield KnowledgeIndex.load(folder)


def run_questions(
    index: KnowledgeIndex,
    embedder: Embedder,
    questions: Sequence[EvalQuestion],
    mode: Mode = "hybrid",
    tuning: Tuning | None = None,
    progress: Progress | None = None,
) -> list[QuestionResult]:
    """Ask every question in order; a follow-up is searched with its earlier question as context."""
    tuning = tuning or Tuning.of(index)
    report = progress or _quiet
    searcher = Searcher(index, embedder, tuning.fusion_weight)
    composer = ExtractiveComposer(tuning.answer_threshold, tuning.model)
    links = LinkBuilder()
    search_texts: dict[str, str] = {}
    results = []
    for n, question in enumerate(questions, 1):
        previous = search_texts.get(question.follow_up_of or "")
        started = time.perf_counter()
        search_text, _ = with_context(question.question, previous)
        hits = searcher.search(search_text, k=RANK_DEPTH, mode=mode)
        searched = time.perf_counter()
        query = searcher.analyse(search_text)
        draft = composer.compose(question.question, query, hits[:ANSWER_HITS], index, searcher, links)
        finished = time.perf_counter()
        search_texts[question.id] = search_text
        cited = draft.citations if draft.answered else draft.suggestions
        results.append(
            QuestionResult(
                question_id=question.id,
                question=question.question,
                search_text=search_text,
                gold_ids=question.gold_ids,
                ranking=tuple(page_ranking(hits)[:K]),
                answered=draft.answered,
                confidence=draft.confidence,
                answer_text=draft.text if draft.answered else "",
                cited=tuple(c.page_id for c in cited),
                expected_phrase=question.answer,
                retrieval_ms=(searched - started) * 1000,
                answer_ms=(finished - started) * 1000,
                signals=draft.signals,
            )
        )
        report(f"Frågor ({mode})", n, len(questions))
    return results


@dataclass
class ModeRun:
    mode: Mode
    results: list[QuestionResult]
    figures: dict[str, object] = field(default_factory=dict)


def run_modes(
    index: KnowledgeIndex,
    embedder: Embedder,
    questions: Sequence[EvalQuestion],
    modes: Sequence[Mode],
    tuning: Tuning | None = None,
    progress: Progress | None = None,
) -> list[ModeRun]:
    runs = []
    for mode in modes:
        results = run_questions(index, embedder, questions, mode, tuning, progress)
        runs.append(ModeRun(mode, results, summarise(results)))
    return runs


@dataclass
class Calibration:
    before: Tuning
    after: Tuning
    before_figures: dict[str, object]
    after_figures: dict[str, object]
    weight_curve: dict[float, float]  # fusion weight -> nDCG@10
    after_results: list[QuestionResult]


def calibrate(
    index: KnowledgeIndex,
    embedder: Embedder,
    questions: Sequence[EvalQuestion],
    before: Tuning,
    progress: Progress | None = None,
) -> Calibration:
    """Grid-search the fusion weight (best nDCG@10; ties go to the more lexical weight, which needs no
    model to be good) and then the threshold (best balanced answer/abstain score; the middle of the
    best range, so a small shift in confidence does not flip many answers)."""
    report = progress or _quiet
    cached = QueryCache(embedder)
    answerable = [q for q in questions if q.answerable]
    curve: dict[float, float] = {}
    by_weight: dict[float, list[QuestionResult]] = {}
    for n, weight in enumerate(WEIGHT_GRID, 1):
        results = run_questions(index, cached, questions, "hybrid", Tuning(weight, before.answer_threshold))
        by_weight[weight] = results
        curve[weight] = _ndcg(results) if answerable else 0.0
        report("Kalibrerar", n, len(WEIGHT_GRID))
    best = max(curve.values())
    weight = max(w for w, score in curve.items() if score >= best - 1e-9)
    chosen = by_weight[weight]
    refit = _refit_confidence(chosen)
    model = refit or before.model
    rescored = [replace(r, confidence=model.score(r.signals)) if r.signals else r for r in chosen]
    scores = {t: balanced_answer_score(rescored, t) for t in THRESHOLD_GRID}
    top = max(scores.values())
    winners = [t for t, s in scores.items() if s >= top - 1e-9]
    threshold = winners[len(winners) // 2]
    after = Tuning(weight, threshold, refit.to_dict() if refit else before.confidence_model)
    before_results = run_questions(index, cached, questions, "hybrid", before)
    after_results = run_questions(index, cached, questions, "hybrid", after)
    return Calibration(
        before=before,
        after=after,
        before_figures=summarise(before_results),
        after_figures=summarise(after_results),
        weight_curve=curve,
        after_results=after_results,
    )


MIN_PER_CLASS = 5  # fewer examples of either kind than this, and the default confidence weights are kept


def _refit_confidence(results: Sequence[QuestionResult]) -> ConfidenceModel | None:
    """Refit the confidence weights on these questions: the signals' scales move with the model and the
    corpus. Needs enough questions that should be answered and enough that should not; None otherwise."""
    usable = [r for r in results if r.signals is not None]
    good = sum(r.should_answer for r in usable)
    if good < MIN_PER_CLASS or len(usable) - good < MIN_PER_CLASS:
        return None
    return ConfidenceModel.fit([r.signals for r in usable if r.signals], [r.should_answer for r in usable])


def _ndcg(results: Sequence[QuestionResult]) -> float:
    value = summarise(results)["ndcg@10"]
    return float(value) if isinstance(value, float) else 0.0


class QueryCache(Embedder):
    """Remembers query vectors, so a grid search embeds each question once."""

    def __init__(self, inner: Embedder):
        self.inner = inner
        self.model_id = inner.model_id
        self.dimensions = inner.dimensions
        self.max_tokens = inner.max_tokens
        self._vectors: dict[str, np.ndarray] = {}

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            self._vectors.update(zip(missing, self.inner.embed_batch(missing), strict=True))
        return np.stack([self._vectors[t] for t in texts])

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)


def store_calibration(
    store: IndexStore, embedder: Embedder, tuning: Tuning, progress: Callable[[str, int, int], None] | None = None
) -> str:
    """Republish the live index with the chosen values in its manifest; embeddings are reused, so this
    is cheap. Returns the new version. The index must have been built with the same model."""
    folder = store.current_dir()
    if folder is None:
        raise AssistantError(
            ErrorCode.INDEX_NOT_READY, f"no index has been published in {store.root}; run 'assistant ingest' first"
        )
    live = KnowledgeIndex.load(folder)
    if live.model_id != embedder.model_id:
        raise AssistantError(
            ErrorCode.INDEX_ERROR,
            f"the live index was built with {live.model_id!r}, not {embedder.model_id!r}; run 'assistant ingest' first",
        )
    pages = [entry.page for entry in live.pages.values()]
    summary = publish_pages(
        pages,
        store,
        embedder,
        progress=progress,
        settings={**live.calibration, **tuning.as_settings()},
        replaces=live.version,
    )
    return summary.version
