"""The review queue: answer ratings and page comments as one list of items, filtered and scoped.

Cheap filters (type, rating, reason, channel, status, dates, assignee) run in SQL; page and owner come from
the published index (an answer's pages are the ones it cited), so they are applied after loading.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVarTuple
from urllib.parse import urlencode

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from assistant.db import Exchange, Feedback
from assistant.review.directory import PageDirectory, Scope
from assistant.review.models import PageComment, ReviewState
from assistant.review.periods import as_utc, local_midnight

KINDS = ("answer", "comment")
STATUSES = ("new", "in_progress", "done", "rejected", "off_topic")
CLOSED = ("done", "rejected", "off_topic")
OFF_TOPIC = "off_topic"  # "utanför uppdraget": closed, grouped apart in analytics, never an eval case
COMMENT_CHANNEL = "web"  # page comments are given on the guidance pages
Row = TypeVarTuple("Row")


@dataclass(frozen=True)
class QueueFilters:
    page: str | None = None
    owner: str | None = None  # owner unit of the item's page
    kind: str | None = None
    rating: str | None = None
    reason: str | None = None
    channel: str | None = None
    status: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    assignee: str | None = None
    author: str | None = None  # the rater's or commenter's user id (a caseworker's own feedback)
    # A thumbs-up without a comment is a figure, not work: counted in analytics, no queue item. A caseworker's
    # own list ("Min feedback") shows them.
    plain_ups: bool = False

    def query(self, **extra: object) -> str:
        """The filters as a query string, for export links and paging."""
        pairs: list[tuple[str, str]] = []
        for name, value in asdict(self).items():
            values = value if isinstance(value, tuple) else (value,)
            pairs.extend((name, str(v)) for v in values if v not in (None, ""))
        pairs.extend((k, str(v)) for k, v in extra.items() if v not in (None, ""))
        return urlencode(pairs)


@dataclass(frozen=True)
class ReviewItem:
    """One thing to review: a rating of an answer, or a comment on a page."""

    id: str  # "answer-<feedback id>" | "comment-<comment id>"
    kind: str
    source_id: str
    created_at: dt.datetime
    channel: str
    author: str | None
    text: str | None  # the rater's or commenter's words
    page_id: str | None = None  # the page it is about (an answer: its first cited page)
    page_title: str = ""
    section: str = ""
    owner_unit: str = ""
    owner_contact: str = ""
    pages: tuple[str, ...] = ()
    rating: str | None = None
    reason: str | None = None
    exchange_id: str | None = None
    question: str | None = None
    answered: bool | None = None
    page_version: str | None = None
    status: str = "new"
    assignee: str | None = None
    resolution_note: str | None = None
    updated_by: str | None = None
    updated_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("extra")
        for key in ("created_at", "updated_at", "resolved_at"):
            data[key] = data[key].isoformat() if data[key] else None
        data["pages"] = list(self.pages)
        data["url"] = f"/review/items/{self.id}"
        return data


def item_id(kind: str, source_id: str) -> str:
    return f"{kind}-{source_id}"


def split_item_id(value: str) -> tuple[str, str] | None:
    kind, _, source = value.partition("-")
    return (kind, source) if kind in KINDS and source else None


def load_items(
    session: Session, filters: QueueFilters, directory: PageDirectory, scope: Scope, ids: Sequence[str] = ()
) -> list[ReviewItem]:
    """Every item matching the filters that the scope allows, newest first."""
    wanted = [parsed for parsed in (split_item_id(i) for i in ids) if parsed]
    items: list[ReviewItem] = []
    if filters.kind in (None, "", "answer"):
        answer_ids = [s for k, s in wanted if k == "answer"]
        if not ids or answer_ids:
            items += _answer_items(session, filters, directory, answer_ids)
    if filters.kind in (None, "", "comment") and not (filters.rating or filters.reason):
        comment_ids = [s for k, s in wanted if k == "comment"]
        if (not ids or comment_ids) and filters.channel in (None, "", COMMENT_CHANNEL):
            items += _comment_items(session, filters, directory, comment_ids)
    kept = [
        item
        for item in items
        if scope.allows(item.pages)
        and (not filters.page or filters.page in item.pages)
        and (not filters.owner or item.owner_unit == filters.owner)
    ]
    return sorted(kept, key=lambda i: i.created_at, reverse=True)


def _common(
    stmt: Select[*Row], kind: str, source_id: Any, created: Any, author: Any, filters: QueueFilters
) -> Select[*Row]:
    stmt = stmt.outerjoin(ReviewState, and_(ReviewState.kind == kind, ReviewState.source_id == source_id))
    if filters.status:
        stmt = stmt.where(func.coalesce(ReviewState.status, "new").in_(filters.status))
    if filters.assignee:
        stmt = stmt.where(ReviewState.assignee == filters.assignee)
    if filters.author:
        stmt = stmt.where(author == filters.author)
    if filters.date_from:
        stmt = stmt.where(created >= local_midnight(filters.date_from))
    if filters.date_to:
        stmt = stmt.where(created < local_midnight(filters.date_to + dt.timedelta(days=1)))
    return stmt


def _answer_items(
    session: Session, filters: QueueFilters, directory: PageDirectory, only: list[str]
) -> list[ReviewItem]:
    stmt = select(Feedback, Exchange, ReviewState).join(Exchange, Exchange.id == Feedback.exchange_id)
    stmt = _common(stmt, "answer", Feedback.id, Feedback.created_at, Feedback.user_id, filters)
    if only:
        stmt = stmt.where(Feedback.id.in_(only))
    if filters.rating:
        stmt = stmt.where(Feedback.rating == filters.rating)
    if filters.reason:
        stmt = stmt.where(Feedback.reason == filters.reason)
    if filters.channel:
        stmt = stmt.where(Feedback.channel == filters.channel)
    if not filters.plain_ups:
        stmt = stmt.where(or_(Feedback.rating != "up", func.coalesce(Feedback.comment, "") != ""))
    return [_answer_item(f, e, s, directory) for f, e, s in session.execute(stmt).all()]


def _comment_items(
    session: Session, filters: QueueFilters, directory: PageDirectory, only: list[str]
) -> list[ReviewItem]:
    stmt = select(PageComment, ReviewState)
    stmt = _common(stmt, "comment", PageComment.id, PageComment.created_at, PageComment.author, filters)
    if only:
        stmt = stmt.where(PageComment.id.in_(only))
    if filters.page:
        stmt = stmt.where(PageComment.page_id == filters.page)
    return [_comment_item(c, s, directory) for c, s in session.execute(stmt).all()]


def off_topic_items(session: Session) -> set[str]:
    """Queue item ids a reviewer marked 'utanför uppdraget'."""
    rows = session.scalars(
        select(ReviewState.source_id).where(ReviewState.kind == "answer", ReviewState.status == OFF_TOPIC)
    )
    return {item_id("answer", source) for source in rows}


def off_topic_exchanges(session: Session) -> set[str]:
    """Exchanges (questions) whose rating a reviewer marked 'utanför uppdraget'."""
    stmt = select(Feedback.exchange_id).join(
        ReviewState, and_(ReviewState.kind == "answer", ReviewState.source_id == Feedback.id)
    )
    return set(session.scalars(stmt.where(ReviewState.status == OFF_TOPIC)).all())


def cited_pages(exchange: Exchange) -> tuple[str, ...]:
    """The pages an answer is about: what it cited, or, if it abstained, the pages it suggested."""
    sources = exchange.citations or exchange.suggestions or []
    return tuple(dict.fromkeys(str(c.get("page_id", "")) for c in sources if c.get("page_id")))


def _state(state: ReviewState | None) -> dict[str, Any]:
    if state is None:
        return {}
    return {
        "status": state.status,
        "assignee": state.assignee,
        "resolution_note": state.resolution_note,
        "updated_by": state.updated_by,
        "updated_at": as_utc(state.updated_at),
        "resolved_at": as_utc(state.resolved_at) if state.resolved_at else None,
    }


def _owner(directory: PageDirectory, page_id: str | None) -> dict[str, Any]:
    info = directory.info(page_id)
    if info is None:
        return {"page_title": page_id or ""}
    return {"page_title": info.title, "owner_unit": info.owner_unit, "owner_contact": info.owner_contact}


def _answer_item(
    feedback: Feedback, exchange: Exchange, state: ReviewState | None, directory: PageDirectory
) -> ReviewItem:
    pages = cited_pages(exchange)
    first = (exchange.citations or exchange.suggestions or [{}])[0]
    return ReviewItem(
        id=item_id("answer", feedback.id),
        kind="answer",
        source_id=feedback.id,
        created_at=as_utc(feedback.created_at),
        channel=feedback.channel,
        author=feedback.user_id,
        text=feedback.comment,
        page_id=pages[0] if pages else None,
        section=str(first.get("section") or ""),
        pages=pages,
        rating=feedback.rating,
        reason=feedback.reason,
        exchange_id=exchange.id,
        question=exchange.question,
        answered=exchange.answered,
        **_owner(directory, pages[0] if pages else None),
        **_state(state),
    )


def _comment_item(comment: PageComment, state: ReviewState | None, directory: PageDirectory) -> ReviewItem:
    return ReviewItem(
        id=item_id("comment", comment.id),
        kind="comment",
        source_id=comment.id,
        created_at=as_utc(comment.created_at),
        channel=COMMENT_CHANNEL,
        author=comment.author,
        text=comment.comment,
        page_id=comment.page_id,
        section=comment.section,
        pages=(comment.page_id,),
        page_version=comment.page_version,
        **_owner(directory, comment.page_id),
        **_state(state),
    )
