"""Page-level retrieval metrics, answer/abstain rates and latency percentiles.

Relevance is binary: a page is relevant when it is one of the question's gold pages. Rankings are page ids
in hit order with the first occurrence kept (assistant.retrieval.page_ranking).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.confidence import Signals

K = 10


@dataclass(frozen=True)
class FactSection:
    """The gold section that holds the expected fact (or the first gold section when there is no phrase)."""

    section: str  # "page#anchor"
    heading: str
    text: str


@dataclass(frozen=True)
class QuestionResult:
    """What one question got in one mode: the page ranking, the answer, and how long each step took."""

    question_id: str
    question: str
    search_text: str
    gold_ids: tuple[str, ...]
    ranking: tuple[str, ...]  # page ids, best first
    answered: bool
    confidence: float
    answer_text: str
    cited: tuple[str, ...]  # pages cited by the answer, or suggested when it abstained
    expected_phrase: str | None
    retrieval_ms: float
    answer_ms: float
    signals: Signals | None = None  # what the confidence was computed from
    cited_sections: tuple[str, ...] = ()  # "page#anchor" of the cited (or suggested) sections
    cited_headings: tuple[str, ...] = ()
    follow_up: bool = False  # asked in the conversation of an earlier question
    language: str | None = None  # the interface language it was asked in ("en" for English questions)
    gold_sections: tuple[str, ...] = ()  # "page#anchor" of the sections that hold the answer
    fact: FactSection | None = None

    @property
    def should_answer(self) -> bool:
        """Answerable, and retrieval put a gold page first: the case where answering helps."""
        return self.answerable and self.ranking[:1] != () and self.ranking[0] in self.gold_ids

    @property
    def answerable(self) -> bool:
        return bool(self.gold_ids)

    @property
    def contains_phrase(self) -> bool | None:
        if not self.expected_phrase or not self.answered:
            return None
        return squash(self.expected_phrase) in squash(self.answer_text)

    @property
    def answered_with_fact(self) -> bool:
        """Answered, and the answer holds the expected phrase (False when there is no phrase to hold)."""
        return bool(self.contains_phrase)

    @property
    def answered_correct(self) -> bool:
        """Answered with a gold page cited first and, where the question has a phrase, holding it."""
        cited_gold = self.answered and self.cited[:1] != () and self.cited[0] in self.gold_ids
        return cited_gold and (not self.expected_phrase or self.answered_with_fact)

    @property
    def handled_correctly(self) -> bool:
        """What a caseworker wants: a correct answer when there is one, an abstention when there is none."""
        return self.answered_correct if self.answerable else not self.answered


def dcg(ranking: Sequence[str], gold: Sequence[str], k: int = K) -> float:
    wanted = set(gold)
    return sum(1.0 / math.log2(rank + 2) for rank, page in enumerate(ranking[:k]) if page in wanted)


def ndcg_at(ranking: Sequence[str], gold: Sequence[str], k: int = K) -> float:
    """DCG of the ranking over the DCG of a perfect one (every gold page first)."""
    ideal = sum(1.0 / math.log2(rank + 2) for rank in range(min(len(set(gold)), k)))
    return dcg(ranking, gold, k) / ideal if ideal else 0.0


def hit_at(ranking: Sequence[str], gold: Sequence[str], k: int) -> float:
    return 1.0 if set(ranking[:k]) & set(gold) else 0.0


def reciprocal_rank(ranking: Sequence[str], gold: Sequence[str], k: int = K) -> float:
    wanted = set(gold)
    return next((1.0 / (rank + 1) for rank, page in enumerate(ranking[:k]) if page in wanted), 0.0)


def percentile(values: Sequence[float], q: float) -> float | None:
    return round(float(np.percentile(np.asarray(values, dtype=float), q)), 2) if values else None


def _mean(values: Sequence[float]) -> float | None:
    return round(float(np.mean(values)), 4) if values else None


ANSWER_KEYS = (
    "answered_rate",
    "abstention_rate",
    "answer_contains_rate",
    "answered_correct_rate",
    "answered_with_fact_rate",
    "follow_up_correct_rate",
    "english_answered_with_fact_rate",
)
ENGLISH = "en"


def summarise(results: Sequence[QuestionResult], answers: bool = True) -> dict[str, object]:
    """The figures of one mode, keyed as in the JSON report. A rate with nothing to count is None, and so
    is every answer figure when answers=False (a mode the product does not answer in)."""
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    phrases = [r.contains_phrase for r in answerable if r.contains_phrase is not None]
    with_phrase = [r for r in answerable if r.expected_phrase]
    follow_ups = [r for r in results if r.follow_up]
    english = [r for r in results if r.language == ENGLISH]
    english_answerable = [r for r in english if r.answerable]
    figures: dict[str, object] = {
        "questions": len(results),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "ndcg@10": _mean([ndcg_at(r.ranking, r.gold_ids) for r in answerable]),
        "hit@1": _mean([hit_at(r.ranking, r.gold_ids, 1) for r in answerable]),
        "hit@3": _mean([hit_at(r.ranking, r.gold_ids, 3) for r in answerable]),
        "hit@5": _mean([hit_at(r.ranking, r.gold_ids, 5) for r in answerable]),
        "mrr@10": _mean([reciprocal_rank(r.ranking, r.gold_ids) for r in answerable]),
        "answered_rate": _mean([float(r.answered) for r in answerable]),
        "abstention_rate": _mean([float(not r.answered) for r in unanswerable]),
        "answer_contains_rate": _mean([float(p) for p in phrases]),
        "answered_correct_rate": _mean([float(r.answered_correct) for r in answerable]),
        "answered_with_fact_rate": _mean([float(r.answered_with_fact) for r in with_phrase]),
        "follow_up_questions": len(follow_ups),
        "follow_up_correct_rate": _mean([float(r.handled_correctly) for r in follow_ups]),
        "english_questions": len(english),
        "english_hit@5": _mean([hit_at(r.ranking, r.gold_ids, 5) for r in english_answerable]),
        "english_answered_with_fact_rate": _mean(
            [float(r.answered_with_fact) for r in english_answerable if r.expected_phrase]
        ),
        "latency_ms": {
            "retrieval_p50": percentile([r.retrieval_ms for r in results], 50),
            "retrieval_p95": percentile([r.retrieval_ms for r in results], 95),
            "answer_p50": percentile([r.answer_ms for r in results], 50) if answers else None,
            "answer_p95": percentile([r.answer_ms for r in results], 95) if answers else None,
        },
    }
    if not answers:
        figures.update(dict.fromkeys(ANSWER_KEYS))
    return figures


def balanced_answer_score(results: Sequence[QuestionResult], threshold: float) -> float:
    """How well a confidence threshold separates questions to answer from questions to abstain on.

    A question should be answered when it is answerable and its best page is a gold page; it should be
    abstained on when it has no gold page or retrieval put a wrong page first. The score is the mean of
    the two recalls (balanced accuracy), so a set with few unanswerable questions still counts them.
    """
    answer: list[bool] = []
    abstain: list[bool] = []
    for r in results:
        (answer if r.should_answer else abstain).append(r.confidence >= threshold)
    recalls = [float(np.mean(answer))] if answer else []
    if abstain:
        recalls.append(1.0 - float(np.mean(abstain)))
    return float(np.mean(recalls)) if recalls else 0.0


def squash(text: str) -> str:
    """Lower case with runs of white space as one space: how phrases are compared."""
    return " ".join(text.lower().split())
