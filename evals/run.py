"""Run questions through the product: publish the corpus into a temporary index and ask `Assistant.answer`.

Every answer is the one a caseworker would get through the API: the same redaction, follow-up handling,
hit count, composer (the LLM one when configured) and tuning. Follow-ups are asked in the conversation of
their earlier question, kept in a database in memory. The page rankings that retrieval metrics need come
from `Assistant.search` with the text the answer searched for.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from assistant.confidence import CROSS_LINGUAL_FEATURES, FEATURES, ConfidenceModel
from assistant.core import Answer, Assistant, build_assistant
from assistant.errors import AssistantError, ErrorCode
from assistant.index import KnowledgeIndex
from assistant.retrieval import Hit, Mode, Searcher, page_ranking
from assistant.settings import Settings
from assistant.tuning import Tuning
from evals.datasets import EvalQuestion
from evals.metrics import FactSection, K, QuestionResult, balanced_answer_score, squash, summarise
from ingest.embedding import Embedder
from ingest.pages import Page
from ingest.pipeline import Progress, page_hash, publish_pages
from ingest.publish import IndexStore

RANK_DEPTH = 30  # sections retrieved per question for the ranking metrics: enough for ten distinct pages
WEIGHT_GRID = tuple(round(w, 2) for w in np.arange(0.0, 1.0001, 0.05))
THRESHOLD_GRID = tuple(round(t, 2) for t in np.arange(0.0, 1.0001, 0.01))
MEMORY_DATABASE = "sqlite://"  # conversations live as long as the eval; nothing is written to disk
EVAL_CHANNEL = "eval"


def _quiet(_stage: str, _done: int, _total: int) -> None:
    return None


@contextmanager
def temporary_index(
    pages: Sequence[Page],
    embedder: Embedder,
    calibration: dict[str, object],
    progress: Progress | None = None,
    reuse: IndexStore | None = None,
) -> Iterator[Path]:
    """The corpus published through the real ingest path into a throwaway index store (its root). With
    `reuse`, that store's live version is copied in first, so what it already embedded with the same model
    is reused, as the next ingest would (an eval of the live knowledge embeds nothing)."""
    with tempfile.TemporaryDirectory(prefix="assistant-eval-") as root:
        store = IndexStore(Path(root))
        live = reuse.current_dir() if reuse is not None else None
        if live is not None:
            shutil.copytree(live, store.versions / live.name)
            (Path(root) / "CURRENT").write_text(live.name)
        publish_pages(pages, store, embedder, progress=progress, settings=calibration)
        yield Path(root)


def eval_assistant(settings: Settings, index_root: Path, embedder: Embedder, tuning: Tuning) -> Assistant:
    """The product's assistant, as `assistant serve` builds it, over the eval index with a database in memory
    and the tuning being measured."""
    local = settings.model_copy(update={"index_dir": index_root, "database_url": MEMORY_DATABASE})
    assistant = build_assistant(local, embedder=embedder)
    assistant.tuning = tuning
    return assistant


def with_tuning(assistant: Assistant, tuning: Tuning) -> Assistant:
    """The same assistant (index, database, composers) answering with other values."""
    return replace(assistant, tuning=tuning, _searchers={})


@dataclass(frozen=True)
class Asked:
    """One question and the answer the product gave it."""

    question: EvalQuestion
    answer: Answer

    @property
    def search_text(self) -> str:
        return self.answer.trace.search_text if self.answer.trace else self.question.question


def ask_all(
    assistant: Assistant, questions: Sequence[EvalQuestion], progress: Progress | None = None, stage: str = "Frågor"
) -> list[Asked]:
    """Ask every question in order through Assistant.answer; a follow-up in its earlier question's
    conversation, in the question's own interface language."""
    report = progress or _quiet
    conversations: dict[str, str] = {}
    asked = []
    for n, question in enumerate(questions, 1):
        answer = assistant.answer(
            question.question,
            conversation_id=conversations.get(question.follow_up_of or ""),
            channel=EVAL_CHANNEL,
            language=question.language,
        )
        conversations[question.id] = answer.conversation_id
        asked.append(Asked(question, answer))
        report(stage, n, len(questions))
    return asked


def rank_all(assistant: Assistant, asked: Sequence[Asked], mode: Mode) -> list[QuestionResult]:
    """Each answer with the page ranking its search text gets in this mode (with the fusion weight of the
    question's language, as the answer was searched)."""
    searcher = assistant.searcher()
    index = searcher.index
    tuning = assistant.tuning_for(index)
    results = []
    for item in asked:
        started = time.perf_counter()
        hits = rank(searcher, item, mode, tuning.for_language(_cross_lingual(item)).fusion_weight)
        ranking = tuple(page_ranking(hits)[:K])
        results.append(result_of(item, ranking, (time.perf_counter() - started) * 1000, fact_section(index, item)))
    return results


def rank(searcher: Searcher, item: Asked, mode: Mode = "hybrid", fusion_weight: float | None = None) -> list[Hit]:
    """The sections the answer's search gets in this mode, deep enough for the ranking metrics: the
    same text, filters and date the answer was searched with (and the searcher's weight unless given)."""
    trace = item.answer.trace
    if trace is None:
        return searcher.search(item.search_text, k=RANK_DEPTH, mode=mode, fusion_weight=fusion_weight)
    return searcher.search(
        trace.searched, k=RANK_DEPTH, mode=mode, filters=trace.filters, today=trace.day, fusion_weight=fusion_weight
    )


def fact_section(index: KnowledgeIndex, item: Asked) -> FactSection | None:
    """The gold section whose text holds the expected phrase; without a phrase, the first gold section."""
    question = item.question
    named = [tuple(s.split("#", 1)) for s in question.gold_sections if "#" in s]
    sections = [
        (pid, section)
        for pid, anchor in named
        if pid in index.pages and (section := index.pages[pid].section(anchor)) is not None
    ]
    sections += [(pid, s) for pid in question.gold_ids if pid in index.pages for s in index.pages[pid].sections]
    phrase = squash(question.answer or "")
    holding = [(pid, s) for pid, s in sections if phrase and phrase in squash(s.text)]
    chosen = holding or sections[: len(named)]
    if not chosen:
        return None
    pid, section = chosen[0]
    return FactSection(f"{pid}#{section.anchor}", section.heading or index.pages[pid].page.title, section.text)


def result_of(
    item: Asked, ranking: tuple[str, ...], retrieval_ms: float, fact: FactSection | None = None
) -> QuestionResult:
    question, answer = item.question, item.answer
    cited = answer.citations if answer.answered else answer.suggestions
    return QuestionResult(
        question_id=question.id,
        question=question.question,
        search_text=item.search_text,
        gold_ids=question.gold_ids,
        ranking=ranking,
        answered=answer.answered,
        confidence=answer.confidence,
        answer_text=answer.text if answer.answered else "",
        cited=tuple(c.page_id for c in cited),
        cited_sections=tuple(f"{c.page_id}#{c.section}" for c in cited),
        cited_headings=tuple(c.heading or c.title for c in cited),
        expected_phrase=question.answer,
        retrieval_ms=retrieval_ms,
        answer_ms=answer.latency_ms,
        signals=answer.trace.signals if answer.trace else None,
        follow_up=question.follow_up_of is not None,
        language=question.language,
        gold_sections=question.gold_sections,
        fact=fact,
    )


def run_questions(
    assistant: Assistant, questions: Sequence[EvalQuestion], mode: Mode = "hybrid", progress: Progress | None = None
) -> list[QuestionResult]:
    """Ask every question through the product and rank its search text in one mode."""
    return rank_all(assistant, ask_all(assistant, questions, progress), mode)


@dataclass
class ModeRun:
    """One retrieval mode's figures. The answers are the product's (hybrid) in every mode, so answer
    figures are only given for hybrid; the other modes measure retrieval."""

    mode: Mode
    results: list[QuestionResult]
    figures: dict[str, object] = field(default_factory=dict)

    @property
    def answers(self) -> bool:
        return self.mode == "hybrid"


def run_modes(
    assistant: Assistant,
    questions: Sequence[EvalQuestion],
    modes: Sequence[Mode],
    progress: Progress | None = None,
    stage: str = "Frågor",
) -> list[ModeRun]:
    asked = ask_all(assistant, questions, progress, stage)
    runs = []
    for mode in modes:
        results = rank_all(assistant, asked, mode)
        runs.append(ModeRun(mode, results, summarise(results, answers=mode == "hybrid")))
    return runs


@dataclass
class Calibration:
    before: Tuning
    after: Tuning
    before_figures: dict[str, object]
    after_figures: dict[str, object]
    weight_curve: dict[float, float]  # fusion weight -> nDCG@10, questions in the guidance's language
    after_results: list[QuestionResult]
    cross_lingual_curve: dict[float, float] = field(default_factory=dict)  # the same, questions in English


MIN_CROSS_LINGUAL = 8  # fewer questions in another language than this, and their defaults are kept


def calibrate(
    assistant: Assistant,
    questions: Sequence[EvalQuestion],
    before: Tuning,
    progress: Progress | None = None,
) -> Calibration:
    """Grid-search the fusion weight (best nDCG@10; ties go to the more lexical weight, which needs no
    model to be good), refit the confidence model and then choose the threshold (best balanced
    answer/abstain score; the middle of the best range, so a small shift in confidence does not flip many
    answers). Questions in the guidance's language and questions in another language (English over
    Swedish) get their own weight and confidence model, as the product answers them; the threshold is one.

    The weight grid only ranks (the text each answer searched for, through the same Searcher); the
    threshold is chosen on the confidence signals of the answers the product gave at the chosen weights.
    """
    report = progress or _quiet
    measured = with_tuning(assistant, before)
    before_asked = ask_all(measured, questions, report, "Kalibrerar: före")
    before_results = rank_all(measured, before_asked, "hybrid")
    index, embedder = measured.indexes.get(), measured.embedder
    own = [a for a in before_asked if not _cross_lingual(a)]
    other = [a for a in before_asked if _cross_lingual(a)]
    curve = weight_curve(index, embedder, own, report)
    cross_curve = weight_curve(index, embedder, other, report) if len(other) >= MIN_CROSS_LINGUAL else {}
    weights = replace(
        before,
        fusion_weight=_best_weight(curve, before.fusion_weight),
        cross_lingual_fusion_weight=_best_weight(cross_curve, before.cross_lingual_fusion_weight),
    )
    at_weight = with_tuning(assistant, weights)
    if weights == before:
        chosen = before_results
    else:
        chosen = rank_all(at_weight, ask_all(at_weight, questions, report, "Kalibrerar: valda vikter"), "hybrid")
    own_results = [r for r in chosen if not (r.signals and r.signals.cross_lingual)]
    other_results = [r for r in chosen if r.signals and r.signals.cross_lingual]
    model = _refit_confidence(own_results, FEATURES) or before.confidence
    cross_model = _refit_confidence(other_results, CROSS_LINGUAL_FEATURES) or before.cross_lingual_confidence
    rescored = [
        replace(r, confidence=(cross_model if r.signals.cross_lingual else model).score(r.signals)) if r.signals else r
        for r in chosen
    ]
    scores = {t: balanced_answer_score(rescored, t) for t in THRESHOLD_GRID}
    top = max(scores.values())
    winners = [t for t, s in scores.items() if s >= top - 1e-9]
    after = replace(
        weights,
        answer_threshold=winners[len(winners) // 2],
        confidence=model,
        cross_lingual_confidence=cross_model,
    )
    tuned = with_tuning(assistant, after)
    after_results = rank_all(tuned, ask_all(tuned, questions, report, "Kalibrerar: efter"), "hybrid")
    return Calibration(
        before=before,
        after=after,
        before_figures=summarise(before_results),
        after_figures=summarise(after_results),
        weight_curve=curve,
        after_results=after_results,
        cross_lingual_curve=cross_curve,
    )


def _cross_lingual(item: Asked) -> bool:
    return bool(item.answer.trace and item.answer.trace.cross_lingual)


def _best_weight(curve: dict[float, float], default: float) -> float:
    """The best weight of a curve, the more lexical one on a tie; the default for an empty curve."""
    if not curve or not any(curve.values()):
        return default
    best = max(curve.values())
    return max(w for w, score in curve.items() if score >= best - 1e-9)


def weight_curve(
    index: KnowledgeIndex, embedder: Embedder, asked: Sequence[Asked], progress: Progress
) -> dict[float, float]:
    """nDCG@10 of the hybrid ranking at every fusion weight of the grid."""
    curve: dict[float, float] = {}
    for n, weight in enumerate(WEIGHT_GRID, 1):
        searcher = Searcher(index, embedder, weight)
        results = [result_of(item, tuple(page_ranking(rank(searcher, item))[:K]), 0.0) for item in asked]
        curve[weight] = _ndcg(results) if any(r.answerable for r in results) else 0.0
        progress("Kalibrerar: fusionsvikter", n, len(WEIGHT_GRID))
    return curve


MIN_PER_CLASS = 5  # fewer examples of either kind than this, and the default confidence weights are kept


def _refit_confidence(results: Sequence[QuestionResult], features: Sequence[str]) -> ConfidenceModel | None:
    """Refit the confidence weights on these questions: the signals' scales move with the model and the
    corpus. Needs enough questions that should be answered and enough that should not; None otherwise."""
    usable = [r for r in results if r.signals is not None]
    good = sum(r.should_answer for r in usable)
    if good < MIN_PER_CLASS or len(usable) - good < MIN_PER_CLASS:
        return None
    return ConfidenceModel.fit(
        [r.signals for r in usable if r.signals], [r.should_answer for r in usable], features=features
    )


def _ndcg(results: Sequence[QuestionResult]) -> float:
    value = summarise(results)["ndcg@10"]
    return float(value) if isinstance(value, float) else 0.0


def store_calibration(
    store: IndexStore, embedder: Embedder, tuning: Tuning, progress: Callable[[str, int, int], None] | None = None
) -> str:
    """Republish the live index with the chosen values in its manifest; embeddings are reused, so this
    is cheap. Returns the new version. The index must have been built with the same model."""
    live = live_index(store, embedder)
    pages = [entry.page for entry in live.pages.values()]
    summary = publish_pages(
        pages,
        store,
        embedder,
        progress=progress,
        settings={**_without_confidence(live.calibration), **tuning.as_calibration(embedder.model_id)},
        replaces=live.version,
    )
    return summary.version


def differing_pages(pages: Sequence[Page], live: KnowledgeIndex) -> list[str]:
    """Ids of pages that are not the same in the corpus and the live index (where a page was read from
    does not count): calibration is stored with the live index, so it must be measured on its pages."""
    ours = {page.id: page_hash(replace(page, path="")) for page in pages}
    theirs = {pid: page_hash(replace(entry.page, path="")) for pid, entry in live.pages.items()}
    return sorted(pid for pid in ours.keys() | theirs.keys() if ours.get(pid) != theirs.get(pid))


def _without_confidence(calibration: dict[str, object]) -> dict[str, object]:
    """A calibration without its confidence models: the new tuning writes its own, or none for a default."""
    return {key: value for key, value in calibration.items() if not key.endswith("confidence_model")}


def live_index(store: IndexStore, embedder: Embedder) -> KnowledgeIndex:
    """The version being served, which calibration is stored with; it must have been built with this model."""
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
    return live
