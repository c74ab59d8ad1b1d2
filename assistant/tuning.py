"""The values an answer depends on beyond the knowledge itself: the lexical share of hybrid scores, the
answer threshold and the confidence models (one for questions in the guidance's language, one for
questions in another language, such as English over Swedish guidance).

Each comes from, in this order: a setting (ASSISTANT_FUSION_WEIGHT, ASSISTANT_ANSWER_THRESHOLD), the
calibration stored with the index (`assistant eval --calibrate`), or the built-in default for the model
that built the index. The built-in values were calibrated for the default model; another model's cosine
similarities sit on another scale, so an index of another model that has not been calibrated is answered
with lexical confidence only. The order is decided here and nowhere else; the service resolves it once per
index version and passes the result in.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

from assistant.compose import DEFAULT_THRESHOLD, OTHER_MODEL_THRESHOLD
from assistant.confidence import (
    CROSS_LINGUAL_FEATURES,
    DEFAULT_CONFIDENCE,
    DEFAULT_CROSS_LINGUAL_CONFIDENCE,
    FEATURES,
    LEXICAL_CONFIDENCE,
    ConfidenceModel,
)
from assistant.retrieval import DEFAULT_CROSS_LINGUAL_FUSION_WEIGHT, DEFAULT_FUSION_WEIGHT, OTHER_MODEL_FUSION_WEIGHT
from ingest.embedding import DEFAULT_MODEL

log = logging.getLogger("assistant.tuning")


class TuningOverrides(Protocol):
    """What may override the index's calibration: the Settings object has these two fields."""

    @property
    def fusion_weight(self) -> float | None: ...

    @property
    def answer_threshold(self) -> float | None: ...


@dataclass(frozen=True)
class NoOverrides:
    fusion_weight: float | None = None
    answer_threshold: float | None = None


@dataclass(frozen=True)
class Tuning:
    """Resolved values for one index version."""

    fusion_weight: float
    answer_threshold: float
    confidence: ConfidenceModel = DEFAULT_CONFIDENCE
    cross_lingual_fusion_weight: float = DEFAULT_CROSS_LINGUAL_FUSION_WEIGHT
    cross_lingual_confidence: ConfidenceModel = DEFAULT_CROSS_LINGUAL_CONFIDENCE

    @classmethod
    def defaults(cls, model_id: str = DEFAULT_MODEL) -> Tuning:
        """The built-in values for an index of this model that nobody calibrated."""
        if model_id == DEFAULT_MODEL:
            return cls(DEFAULT_FUSION_WEIGHT, DEFAULT_THRESHOLD)
        return cls(
            OTHER_MODEL_FUSION_WEIGHT,
            OTHER_MODEL_THRESHOLD,
            LEXICAL_CONFIDENCE,
            OTHER_MODEL_FUSION_WEIGHT,
            LEXICAL_CONFIDENCE,
        )

    @classmethod
    def resolve(
        cls, overrides: TuningOverrides | None, calibration: Mapping[str, Any], model_id: str = DEFAULT_MODEL
    ) -> Tuning:
        """Setting, then the index's calibration, then the built-in default, for each value."""
        overrides = overrides or NoOverrides()
        base = cls.defaults(model_id)
        return cls(
            fusion_weight=_first(overrides.fusion_weight, calibration.get("fusion_weight"), base.fusion_weight),
            answer_threshold=_first(
                overrides.answer_threshold, calibration.get("answer_threshold"), base.answer_threshold
            ),
            confidence=_stored_model(calibration.get("confidence_model"), FEATURES, base.confidence),
            cross_lingual_fusion_weight=_first(
                calibration.get("cross_lingual_fusion_weight"), base.cross_lingual_fusion_weight
            ),
            cross_lingual_confidence=_stored_model(
                calibration.get("cross_lingual_confidence_model"), CROSS_LINGUAL_FEATURES, base.cross_lingual_confidence
            ),
        )

    def for_language(self, cross_lingual: bool) -> Tuning:
        """The values a question is answered with: a question in another language than the guidance shares
        no words with it, so it leans on meaning and is judged by the cross-lingual confidence model."""
        if not cross_lingual:
            return self
        return replace(self, fusion_weight=self.cross_lingual_fusion_weight, confidence=self.cross_lingual_confidence)

    def as_calibration(self, model_id: str = DEFAULT_MODEL) -> dict[str, object]:
        """The values as an index manifest stores them; a default confidence model is not written out,
        so an index calibrated before a new default keeps following the default."""
        base = Tuning.defaults(model_id)
        stored: dict[str, object] = {
            "fusion_weight": self.fusion_weight,
            "answer_threshold": self.answer_threshold,
        }
        if self.cross_lingual_fusion_weight != base.cross_lingual_fusion_weight:
            stored["cross_lingual_fusion_weight"] = self.cross_lingual_fusion_weight
        if self.confidence != base.confidence:
            stored["confidence_model"] = self.confidence.to_dict()
        if self.cross_lingual_confidence != base.cross_lingual_confidence:
            stored["cross_lingual_confidence_model"] = self.cross_lingual_confidence.to_dict()
        return stored


def _stored_model(data: Any, features: tuple[str, ...], default: ConfidenceModel) -> ConfidenceModel:
    """A stored confidence model, or the default when none is stored or it uses other signals (an index
    calibrated by an older release): answering goes on, and the log says to calibrate again."""
    if not data:
        return default
    if isinstance(data, Mapping) and tuple(data.get("features", ())) == LEXICAL_CONFIDENCE.features:
        return ConfidenceModel.from_dict(dict(data), LEXICAL_CONFIDENCE.features)
    try:
        return ConfidenceModel.from_dict(dict(data), features)
    except (ValueError, KeyError, TypeError) as err:
        log.warning("stored confidence model not used", extra={"error": str(err)})
        return default


def _first(*values: float | None) -> float:
    return float(next(v for v in values if v is not None))
