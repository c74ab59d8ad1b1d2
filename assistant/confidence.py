"""How sure the assistant is that the best section answers the question: a small logistic model over
signals retrieval already has, fitted on questions with known answers (and known non-answers).

Signals, each measured on the best hit:
- dense: cosine similarity between question and section (meaning),
- lexical: the raw BM25 score of the best chunk (how much of the question's vocabulary it shares,
  weighted by rarity; unlike the fused score it is not rescaled per question, so it can say "nothing fits"),
- unknown: share of the question's words the knowledge base has never seen, even after typo correction
  (questions about things the guidance does not cover use words it does not contain),
- coverage: idf-weighted share of the question's words found in the section.

The default weights were fitted on the project's own questions over its own knowledge base with the
default model; `assistant eval --calibrate` refits them on an agency's questions and stores them with the
index, because every signal's scale moves with the model and the corpus.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from assistant.retrieval import Hit, Query, Searcher
from ingest.text import stem_words

FEATURES = ("dense", "lexical", "unknown", "coverage")


@dataclass(frozen=True)
class Signals:
    dense: float
    lexical: float
    unknown: float
    coverage: float

    def vector(self) -> np.ndarray:
        return np.array([getattr(self, name) for name in FEATURES], dtype=np.float64)


def signals_of(query: Query, hits: Sequence[Hit], searcher: Searcher) -> Signals:
    if not hits:
        return Signals(0.0, 0.0, 1.0, 0.0)
    lexical = searcher.index.lexical
    raw = float(lexical.words.scores(query.stems).max()) if query.stems else 0.0
    known = 0
    for word in query.words:
        if word in lexical.surface or stem_words([word])[0] in lexical.words.vocabulary:
            known += 1
    unknown = 1 - known / len(query.words) if query.words else 1.0
    top = hits[0]
    return Signals(dense=top.dense, lexical=raw, unknown=unknown, coverage=top.coverage)


@dataclass(frozen=True)
class ConfidenceModel:
    """Logistic regression on standardised signals; score() is a probability-like value in [0, 1]."""

    weights: tuple[float, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    bias: float

    def score(self, signals: Signals) -> float:
        z = (signals.vector() - np.array(self.means)) / np.array(self.scales)
        logit = float(z @ np.array(self.weights)) + self.bias
        return round(1 / (1 + math.exp(-max(-30.0, min(30.0, logit)))), 4)

    def to_dict(self) -> dict[str, Any]:
        return {"features": list(FEATURES), **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConfidenceModel:
        if list(data.get("features", [])) != list(FEATURES):
            raise ValueError("stored confidence model uses other signals; run 'assistant eval --calibrate' again")
        return cls(tuple(data["weights"]), tuple(data["means"]), tuple(data["scales"]), float(data["bias"]))

    @classmethod
    def fit(cls, signals: Sequence[Signals], answerable: Sequence[bool], l2: float = 1.0) -> ConfidenceModel:
        """Class-balanced logistic regression by gradient descent: unanswerable questions are few, and
        abstaining when it should matters as much as answering when it can."""
        x = np.stack([s.vector() for s in signals])
        y = np.array(answerable, dtype=np.float64)
        if y.min() == y.max():
            raise ValueError("calibration needs both answerable and unanswerable questions")
        means, scales = x.mean(axis=0), x.std(axis=0) + 1e-9
        z = (x - means) / scales
        balance = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
        w, b = np.zeros(z.shape[1]), 0.0
        for _ in range(3000):
            p = 1 / (1 + np.exp(-(z @ w + b)))
            gradient = (p - y) * balance
            w -= 0.1 * (z.T @ gradient / len(y) + l2 * w / len(y))
            b -= 0.1 * float(gradient.mean())
        return cls(tuple(map(float, w)), tuple(map(float, means)), tuple(map(float, scales)), float(b))


# Fitted on the project's own questions over knowledge/ with the default model:
#   assistant eval --corpus knowledge --questions evals/datasets/vagledning --calibrate
# (125 questions, 20 of them unanswerable; the chosen threshold was 0.43). Left-one-out on those questions,
# this kind of model separated answer-from-abstain at about 0.81 balanced accuracy (docs/evals.md).
DEFAULT_CONFIDENCE = ConfidenceModel(
    weights=(0.2395, 0.7479, -0.6069, 0.7385),
    means=(0.5615, 12.618, 0.0820, 0.6474),
    scales=(0.1016, 5.1463, 0.1763, 0.2415),
    bias=0.3286,
)
