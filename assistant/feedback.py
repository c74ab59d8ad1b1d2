"""Answer feedback: one function every channel calls to store a rating, so none can drop it silently."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from assistant.db import Database, Exchange, Feedback
from assistant.errors import AssistantError, ErrorCode
from assistant.metrics import FEEDBACK
from assistant.redaction import redact

Rating = Literal["up", "down"]
REASONS = ("fel svar", "inaktuellt", "saknas", "svårt att förstå", "annat")
REASON_LABELS_EN = {
    "fel svar": "wrong answer",
    "inaktuellt": "out of date",
    "saknas": "missing",
    "svårt att förstå": "hard to understand",
    "annat": "other",
}
MAX_COMMENT = 4000


@dataclass(frozen=True)
class FeedbackItem:
    id: str
    answer_id: str
    rating: Rating
    reason: str | None
    comment: str | None
    channel: str
    user_id: str | None
    redacted: tuple[str, ...] = ()


def record_feedback(
    database: Database,
    answer_id: str,
    rating: str,
    reason: str | None = None,
    comment: str | None = None,
    channel: str | None = None,
    user_id: str | None = None,
) -> FeedbackItem:
    """Validate and store one rating. Raises AssistantError (never returns quietly) when it cannot be stored."""
    if rating not in ("up", "down"):
        raise AssistantError(ErrorCode.INVALID_INPUT, "rating must be 'up' or 'down'")
    if reason is not None and reason not in REASONS:
        raise AssistantError(ErrorCode.INVALID_INPUT, f"reason must be one of: {', '.join(REASONS)}")
    if comment is not None and len(comment) > MAX_COMMENT:
        raise AssistantError(ErrorCode.INVALID_INPUT, f"comment is longer than {MAX_COMMENT} characters")
    clean = redact(comment) if comment else None
    try:
        with database.session() as session:
            exchange = session.get(Exchange, answer_id)
            if exchange is None:
                raise AssistantError(
                    ErrorCode.NOT_FOUND, f"no answer {answer_id!r}", key="error.no_answer", params={"answer": answer_id}
                )
            channel = channel or exchange.channel  # by default a rating counts where the answer was given
            row = Feedback(
                exchange_id=answer_id,
                rating=rating,
                reason=reason,
                comment=clean.text if clean else None,
                channel=channel,
                user_id=user_id,
            )
            session.add(row)
            session.flush()
            item = FeedbackItem(
                row.id,
                answer_id,
                "up" if rating == "up" else "down",
                reason,
                row.comment,
                channel,
                user_id,
                clean.kinds if clean else (),
            )
    except AssistantError:
        raise
    except Exception as err:  # the user must learn that their feedback was not saved
        raise AssistantError(ErrorCode.STORAGE_ERROR, "the feedback could not be saved; please try again") from err
    FEEDBACK.labels(channel=channel, rating=rating).inc()
    return item
