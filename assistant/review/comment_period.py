"""The test period: the dates between which guidance pages take comments. An admin sets it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from assistant.errors import AssistantError, ErrorCode
from assistant.review.models import CommentPeriod
from assistant.review.periods import today

MAX_DAYS = 366


@dataclass(frozen=True)
class TestPeriodState:
    """Whether comments are open today, and the dates if a period has been set."""

    __test__ = False  # not a pytest test class, whatever its name says

    starts_on: dt.date | None
    ends_on: dt.date | None
    updated_by: str | None = None

    @property
    def is_set(self) -> bool:
        return self.starts_on is not None and self.ends_on is not None

    def open_on(self, day: dt.date) -> bool:
        return self.is_set and self.starts_on <= day <= self.ends_on  # type: ignore[operator]

    @property
    def open(self) -> bool:
        return self.open_on(today())

    def to_dict(self) -> dict[str, object]:
        return {
            "starts_on": self.starts_on.isoformat() if self.starts_on else None,
            "ends_on": self.ends_on.isoformat() if self.ends_on else None,
            "open": self.open,
            "updated_by": self.updated_by,
        }


def current_period(session: Session) -> TestPeriodState:
    row = session.get(CommentPeriod, 1)
    if row is None:
        return TestPeriodState(None, None)
    return TestPeriodState(row.starts_on, row.ends_on, row.updated_by)


def set_period(session: Session, starts_on: dt.date, ends_on: dt.date, user_id: str) -> TestPeriodState:
    """Set (or move) the test period. Comments given earlier stay, whatever the new dates."""
    if ends_on < starts_on:
        raise AssistantError(ErrorCode.INVALID_INPUT, "the test period ends before it starts")
    if (ends_on - starts_on).days > MAX_DAYS:
        raise AssistantError(ErrorCode.INVALID_INPUT, f"a test period is at most {MAX_DAYS} days")
    row = session.get(CommentPeriod, 1) or CommentPeriod(id=1)
    row.starts_on, row.ends_on, row.updated_by = starts_on, ends_on, user_id
    row.updated_at = dt.datetime.now(dt.UTC)
    session.add(row)
    return TestPeriodState(starts_on, ends_on, user_id)
