"""Capture: answer ratings, page comments during the test period, a caseworker's own feedback, and the
test period itself. Handlers are thin; assistant.feedback and assistant.review do the work.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import Field

from assistant.api.responses import SIGNED_IN, errors
from assistant.api.validation import RequestModel
from assistant.auth import REVIEWERS, Principal, Role, require
from assistant.errors import AssistantError, ErrorCode
from assistant.feedback import MAX_COMMENT, record_feedback
from assistant.review.comment_period import current_period, set_period
from assistant.review.comments import MAX_COMMENT as MAX_PAGE_COMMENT
from assistant.review.comments import add_comment, comments_on_page
from assistant.review.context import database_of, review_context
from assistant.review.directory import Scope
from assistant.review.queue import QueueFilters, load_items
from assistant.review.storage import stored

router = APIRouter(prefix="/api", tags=["återkoppling"], responses=SIGNED_IN)
Caseworker = Annotated[Principal, Depends(require(Role.CASEWORKER))]
Reviewer = Annotated[Principal, Depends(require(*REVIEWERS))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]


class FeedbackRequest(RequestModel):
    rating: Literal["up", "down"] = Field(..., description="up (helpful) or down (not helpful)")
    reason: str | None = Field(None, description="fel svar, inaktuellt, saknas, svårt att förstå or annat")
    comment: str | None = Field(None, max_length=MAX_COMMENT, description="free text; personal data is removed")


class CommentRequest(RequestModel):
    comment: str = Field(..., min_length=1, max_length=MAX_PAGE_COMMENT, description="what is wrong or missing")
    section: str = Field("", max_length=300, description="section anchor; empty for the whole page")
    page_version: str | None = Field(None, max_length=80, description="the page version (hash) the reader saw")


class PeriodRequest(RequestModel):
    starts_on: dt.date = Field(..., description="first day comments are open (Swedish time)")
    ends_on: dt.date = Field(..., description="last day comments are open, included")


@router.post("/answers/{answer_id}/feedback", status_code=201, responses=errors(400, 404, 409))
def rate_answer(answer_id: str, body: FeedbackRequest, request: Request, principal: Caseworker) -> dict[str, Any]:
    """Rate an answer up or down, with a reason and a comment. Stored with the exchange; the rating counts
    for the channel the answer was given in. A rating that cannot be stored is an error, never silence.

    One rating per user and answer: rating again replaces the earlier one (`replaced` says so). Only the
    user who asked may rate an answer here (403 otherwise)."""
    item = record_feedback(
        database_of(request),
        answer_id,
        body.rating,
        body.reason or None,
        body.comment or None,
        user_id=principal.user_id,
    )
    return {
        "id": item.id,
        "answer_id": item.answer_id,
        "rating": item.rating,
        "reason": item.reason,
        "comment": item.comment,
        "channel": item.channel,
        "redacted": list(item.redacted),
        "replaced": item.replaced,
        "saved": True,
    }


@router.get("/feedback/mine")
def my_feedback(request: Request, principal: Caseworker) -> dict[str, Any]:
    """The signed-in user's own ratings and page comments, with how far review has got with each."""
    context = review_context(request, principal)
    with context.database.session() as session:
        items = load_items(
            session, QueueFilters(author=principal.user_id, plain_ups=True), context.directory, Scope(everything=True)
        )
    keys = (
        "id",
        "kind",
        "created_at",
        "page_id",
        "page_title",
        "section",
        "rating",
        "reason",
        "text",
        "question",
        "status",
        "resolution_note",
    )
    return {"items": [{k: item.to_dict()[k] for k in keys} for item in items]}


@router.post("/pages/{page_id}/comments", status_code=201, responses=errors(400, 404, 409))
def comment_on_page(page_id: str, body: CommentRequest, request: Request, principal: Caseworker) -> dict[str, Any]:
    """Comment on a guidance page or one of its sections while the test period is on (409 outside it).
    Personal identity numbers, phone numbers and e-mail addresses are removed before it is stored."""
    entry = request.app.state.assistant.indexes.get().pages.get(page_id)
    if entry is None:
        raise AssistantError(ErrorCode.NOT_FOUND, f"no page {page_id!r}", key="error.no_page", params={"page": page_id})
    item = add_comment(database_of(request), entry, body.section.strip(), body.page_version, body.comment, principal)
    return {**item.to_dict(), "saved": True}


@router.get("/pages/{page_id}/comments", responses=errors(404))
def page_comments(page_id: str, request: Request, principal: Reviewer) -> dict[str, Any]:
    """Every comment on a page, newest first, for reviewers (also after the test period has closed)."""
    context = review_context(request, principal)
    if not context.scope.allows([page_id]):
        raise AssistantError(ErrorCode.FORBIDDEN, "this page belongs to another owner", key="error.not_yours")
    with context.database.session() as session:
        return {"page_id": page_id, "comments": [c.to_dict() for c in comments_on_page(session, page_id)]}


@router.get("/test-period")
def get_test_period(request: Request, principal: Caseworker) -> dict[str, Any]:
    """The test period: the dates guidance pages take comments, and whether they do today."""
    with database_of(request).session() as session:
        return current_period(session).to_dict()


@router.put("/test-period", responses=errors(400, 409))
def put_test_period(body: PeriodRequest, request: Request, principal: Admin) -> dict[str, Any]:
    """Set the test period (admins). End it early by setting an earlier end date; comments already given stay."""
    with stored("the test period could not be saved; please try again"), database_of(request).session() as session:
        return set_period(session, body.starts_on, body.ends_on, principal.user_id).to_dict()
