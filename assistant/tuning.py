"""The values an answer depends on beyond the knowledge itself: the lexical share of hybrid scores, the
answer threshold and the confidence model.

Each comes from, in this order: a setting (ASSISTANT_FUSION_WEIGHT, ASSISTANT_ANSWER_THRESHOLD), the
calibration stored with the index (`assistant eval --calibrate`), or the built-in default. The order is
decided here and nowhere else; the service resolves it once per index version and passes the result in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from assistant.compose import DEFAULT_THRESHOLD
from assistant.confidence import DEFAULT_CONFIDENCE, ConfidenceModel
from assistant.retrieval import DEFAULT_FUSION_WEIGHT


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

    @classmethod
    def resolve(cls, overrides: TuningOverrides | None, calibration: Mapping[str, Any]) -> Tuning:
        """Setting, then the index's calibration, then the built-in default, for each value."""
        overrides = overrides or NoOverrides()
        stored = calibration.get("confidence_model")
        return cls(
            fusion_weight=_first(overrides.fusion_weight, calibration.get("fusion_weight"), DEFAULT_FUSION_WEIGHT),
            answer_threshold=_first(overrides.answer_threshold, calibration.get("answer_threshold"), DEFAULT_THRESHOLD),
            confidence=ConfidenceModel.from_dict(stored) if stored else DEFAULT_CONFIDENCE,
        )

    def as_calibration(self) -> dict[str, object]:
        """The values as an index manifest stores them; the default confidence model is not written out,
        so an index calibrated before a new default keeps following the default."""
        stored: dict[str, object] = {"fusion_weight": self.fusion_weight, "answer_threshold": self.answer_threshold}
        if self.confidence != DEFAULT_CONFIDENCE:
            stored["confidence_model"] = self.confidence.to_dict()
        return stored


def _first(*values: float | None) -> float:
    return float(next(v for v in values if v is not None))
