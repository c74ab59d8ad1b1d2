"""Answer feedback: one function every channel calls to store a rating, so none can drop it silently."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from assistant.db import Conversation, Database, Exchange, Feedback, new_id, utcnow
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
    replaced: bool = False  # the user had rated this answer before; this rating took its place


def record_feedback(
    database: Database,
    answer_id: str,
    rating: str,
    reason: str | None = None,
    comment: str | None = None,
    channel: str | None = None,
    user_id: str | None = None,
    seen_in: str | None = None,
) -> FeedbackItem:
    """Validate and store one rating. Raises AssistantError (never returns quietly) when it cannot be stored.

    A user may rate the answers they asked for, and those they could see in a shared thread: `seen_in` is the
    channel_ref (Slack thread, Teams conversation) the rating came from, as the channel adapter knows it.
    One rating per user and answer: a new one replaces the old (an upsert on a unique index, so two
    simultaneous clicks cannot make two), and a changed rating goes back to the review queue as new.
    """
    if rating not in ("up", "down"):
        raise AssistantError(ErrorCode.INVALID_INPUT, "rating must be 'up' or 'down'")
    if reason is not None and reason not in REASONS:
        raise AssistantError(ErrorCode.INVALID_INPUT, f"reason must be one of: {', '.join(REASONS)}")
    if comment is not None and len(comment) > MAX_COMMENT:
        raise AssistantError(ErrorCode.INVALID_INPUT, f"comment is longer than {MAX_COMMENT} characters")
    clean = redact(comment) if comment else None
    text = clean.text if clean else None
    try:
        with database.session() as session:
            exchange = session.get(Exchange, answer_id)
            if exchange is None:
                raise AssistantError(
                    ErrorCode.NOT_FOUND, f"no answer {answer_id!r}", key="error.no_answer", params={"answer": answer_id}
                )
            if not _may_rate(session, exchange, user_id, seen_in):
                raise AssistantError(
                    ErrorCode.FORBIDDEN,
                    "you can rate the answers you asked for, or saw in a shared thread",
                    key="error.not_your_answer",
                )
            channel = channel or exchange.channel  # by default a rating counts where the answer was given
            values = {"rating": rating, "reason": reason, "comment": text, "channel": channel}
            row_id, replaced = _upsert(session, answer_id, user_id, values)
            item = FeedbackItem(
                row_id,
                answer_id,
                "up" if rating == "up" else "down",
                reason,
                text,
                channel,
                user_id,
                clean.kinds if clean else (),
                replaced,
            )
    except AssistantError:
        raise
    except Exception as err:  # the user must learn that their feedback was not saved
        raise AssistantError(ErrorCode.STORAGE_ERROR, "the feedback could not be saved; please try again") from err
    FEEDBACK.labels(channel=channel, rating=rating).inc()
    return item


def _may_rate(session: Session, exchange: Exchange, user_id: str | None, seen_in: str | None) -> bool:
    if user_id is not None and exchange.user_id == user_id:
        return True
    if not seen_in:
        return False
    conversation = session.get(Conversation, exchange.conversation_id)
    return conversation is not None and conversation.channel_ref == seen_in


def _upsert(session: Session, answer_id: str, user_id: str | None, values: dict[str, str | None]) -> tuple[str, bool]:
    """Insert the rating, or update the user's earlier one in the same statement; (row id, replaced)."""
    from assistant.review.models import ReviewState  # the review queue builds on feedback, not the reverse

    before = None
    if user_id is not None:
        before = session.execute(
            select(Feedback.id, Feedback.rating, Feedback.reason, Feedback.comment).where(
                Feedback.exchange_id == answer_id, Feedback.user_id == user_id
            )
        ).first()
    row = {"id": new_id(), "exchange_id": answer_id, "user_id": user_id, "created_at": utcnow(), **values}
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(Feedback).values(**row)
    if user_id is not None:
        stmt = stmt.on_conflict_do_update(
            index_elements=[Feedback.exchange_id, Feedback.user_id],
            set_={"created_at": row["created_at"], **values},
        )
    row_id = str(session.execute(stmt.returning(Feedback.id)).scalar_one())
    if before is not None and tuple(before[1:]) != (values["rating"], values["reason"], values["comment"]):
        session.execute(delete(ReviewState).where(ReviewState.kind == "answer", ReviewState.source_id == row_id))
    return row_id, before is not None
