"""How sure the assistant is that the best section answers the question: a small logistic model over
signals retrieval already has, fitted on questions with known answers (and known non-answers).

Signals, each measured on the hits that were shown (never on archived, draft or expired pages, never an
index-wide maximum):
- dense: cosine similarity between question and the best section (meaning),
- lexical: the raw BM25 score of the best shown chunk (how much of the question's vocabulary it shares,
  weighted by rarity; unlike the fused score it is not rescaled per question, so it can say "nothing fits"),
- unknown: share of the question's words the knowledge base has never seen, even after typo correction
  (questions about things the guidance does not cover use words it does not contain),
- coverage: idf-weighted share of the question's words found in the section,
- unit: cosine similarity between the question and the best-fitting sentence, item or row of the shown
  sections (a question the guidance answers usually has one sentence that says it).

A question in another language than the guidance (English over Swedish) shares no words with it, so its
confidence comes from a second model over the two meaning signals only (CROSS_LINGUAL_FEATURES).

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

FEATURES = ("dense", "lexical", "unknown", "coverage", "unit")
CROSS_LINGUAL_FEATURES = ("dense", "unit")


@dataclass(frozen=True)
class Signals:
    dense: float
    lexical: float
    unknown: float
    coverage: float
    unit: float = 0.0
    cross_lingual: bool = False  # asked in another language than the guidance's

    def vector(self, features: Sequence[str] = FEATURES) -> np.ndarray:
        return np.array([getattr(self, name) for name in features], dtype=np.float64)


def signals_of(query: Query, hits: Sequence[Hit], searcher: Searcher, cross_lingual: bool = False) -> Signals:
    if not hits:
        return Signals(0.0, 0.0, 1.0, 0.0, 0.0, cross_lingual)
    lexical = searcher.index.lexical
    raw = 0.0
    if query.stems:
        shown = [searcher.chunk_row(hit.chunk_id) for hit in hits]
        raw = float(lexical.words.scores(query.stems)[[r for r in shown if r is not None]].max(initial=0.0))
    known = 0
    for word in query.words:
        if word in lexical.surface or stem_words([word])[0] in lexical.words.vocabulary:
            known += 1
    unknown = 1 - known / len(query.words) if query.words else 1.0
    top = hits[0]
    return Signals(dense=top.dense, lexical=raw, unknown=unknown, coverage=top.coverage, cross_lingual=cross_lingual)


@dataclass(frozen=True)
class ConfidenceModel:
    """Logistic regression on standardised signals; score() is a probability-like value in [0, 1]."""

    weights: tuple[float, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    bias: float
    features: tuple[str, ...] = FEATURES

    def score(self, signals: Signals) -> float:
        z = (signals.vector(self.features) - np.array(self.means)) / np.array(self.scales)
        logit = float(z @ np.array(self.weights)) + self.bias
        return round(1 / (1 + math.exp(-max(-30.0, min(30.0, logit)))), 4)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["features"] = list(self.features)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], features: Sequence[str] = FEATURES) -> ConfidenceModel:
        if list(data.get("features", [])) != list(features):
            raise ValueError("stored confidence model uses other signals; run 'assistant eval --calibrate' again")
        return cls(
            tuple(data["weights"]), tuple(data["means"]), tuple(data["scales"]), float(data["bias"]), tuple(features)
        )

    @classmethod
    def fit(
        cls,
        signals: Sequence[Signals],
        answerable: Sequence[bool],
        l2: float = 1.0,
        features: Sequence[str] = FEATURES,
    ) -> ConfidenceModel:
        """Class-balanced logistic regression by gradient descent: unanswerable questions are few, and
        abstaining when it should matters as much as answering when it can."""
        x = np.stack([s.vector(features) for s in signals])
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
        return cls(tuple(map(float, w)), tuple(map(float, means)), tuple(map(float, scales)), float(b), tuple(features))


# Fitted on the project's own tuning questions over knowledge/ with the default model (multilingual-e5-small):
#   assistant eval --corpus knowledge --questions evals/datasets/vagledning --calibrate
# (183 questions, 25 of them unanswerable, 24 in English; docs/evals.md has the figures it gave on the tuning
# and the held-out set).
DEFAULT_CONFIDENCE = ConfidenceModel(
    weights=(0.6698, 0.7273, -0.3707, 0.5985, 0.7279),
    means=(0.8861, 12.98, 0.07527, 0.6177, 0.8853),
    scales=(0.0254, 5.544, 0.1598, 0.2339, 0.02205),
    bias=0.7239,
)
# The same for questions in another language than the guidance (the 24 English tuning questions): meaning only.
DEFAULT_CROSS_LINGUAL_CONFIDENCE = ConfidenceModel(
    weights=(0.01074, 0.7383),
    means=(0.8273, 0.833),
    scales=(0.01735, 0.01555),
    bias=-0.01813,
    features=CROSS_LINGUAL_FEATURES,
)
# For an index of another model that nobody calibrated: its cosines sit on another scale, so only the
# lexical signals are used (the first release's weights for them, fitted with the English MiniLM).
LEXICAL_CONFIDENCE = ConfidenceModel(
    weights=(0.7479, -0.6069, 0.7385),
    means=(12.618, 0.0820, 0.6474),
    scales=(5.1463, 0.1763, 0.2415),
    bias=0.3286,
    features=("lexical", "unknown", "coverage"),
)
# The same, for questions in another language than the guidance (the English tuning questions).
DEFAULT_CROSS_LINGUAL_CONFIDENCE = ConfidenceModel(
    weights=(0.5041, 0.1354),
    means=(0.8222, 0.8269),
    scales=(0.02753, 0.02713),
    bias=-0.0569,
    features=CROSS_LINGUAL_FEATURES,
)
