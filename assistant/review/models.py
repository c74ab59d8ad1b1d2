"""Tables of the feedback loop: page comments, the review state of queue items, eval cases, the test period.

Answer ratings live in assistant.db.Feedback (every channel writes them through assistant.feedback). A queue
item without a ReviewState row is simply new, so no channel has to know the review queue exists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db import Base, new_id, utcnow


class PageComment(Base):
    """A comment on a guidance page (or one section of it), given during the test period. Redacted."""

    __tablename__ = "page_comments"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    page_id: Mapped[str] = mapped_column(String(200), index=True)
    section: Mapped[str] = mapped_column(String(300), default="")  # anchor; "" = the whole page
    page_version: Mapped[str] = mapped_column(String(80))  # the page hash the author was reading
    author: Mapped[str] = mapped_column(String(200), index=True)
    author_name: Mapped[str] = mapped_column(String(200), default="")
    comment: Mapped[str] = mapped_column(Text)
    redactions: Mapped[list[Any]] = mapped_column(default=list)


class ReviewState(Base):
    """Where a reviewer has got with one queue item (an answer rating or a page comment)."""

    __tablename__ = "review_states"
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # answer | comment
    source_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(12), index=True)  # new | in_progress | done | rejected
    assignee: Mapped[str | None] = mapped_column(String(200), index=True)
    resolution_note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(default=None, index=True)


class EvalCase(Base):
    """A question a reviewer turned into a regression case: where the answer is, or that it should abstain."""

    __tablename__ = "eval_cases"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    created_by: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text)
    gold_ids: Mapped[list[Any]] = mapped_column(default=list)  # [] = should not be answered
    gold_sections: Mapped[list[Any]] = mapped_column(default=list)  # "page#anchor"
    source_item: Mapped[str | None] = mapped_column(String(50), index=True)  # the queue item it came from
    note: Mapped[str | None] = mapped_column(Text)


class CommentPeriod(Base):
    """The test period during which guidance pages take comments. One row (id 1), set by an admin."""

    __tablename__ = "comment_periods"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200))
