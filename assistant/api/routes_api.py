"""JSON API: ask, search, guidance pages and conversations. Handlers are thin; the core does the work."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from assistant.api.responses import SIGNED_IN, errors
from assistant.api.validation import RequestModel
from assistant.auth import REVIEWERS, Principal, Role, require
from assistant.db import Conversation, Exchange
from assistant.errors import AssistantError, ErrorCode
from assistant.retrieval import SearchFilters

router = APIRouter(prefix="/api", tags=["api"], responses=SIGNED_IN)
Caseworker = Annotated[Principal, Depends(require(Role.CASEWORKER))]


class AskRequest(RequestModel):
    question: str = Field(..., min_length=1, max_length=2000, description="The caseworker's question")
    conversation_id: str | None = Field(None, description="Continue an earlier conversation (follow-ups)")
    language: Literal["sv", "en"] | None = Field(None, description="Language of the answer's framing text")
    channel: Literal["api", "web", "widget"] = Field(
        "api", description="Where the question was asked: the start page (web), the intranet widget, or an integration"
    )
    as_of: dt.date | None = Field(
        None,
        description="Answer as the guidance applied on this day (ISO date, e.g. 2025-03-01): only pages in force "
        "then are cited, and a note says so. Default: today, or a date named in the question "
        "('som det gällde den 1 mars 2025')",
    )


class CitationOut(BaseModel):
    page_id: str
    title: str
    section: str
    heading: str
    url: str
    snippet: str
    stale: bool
    expired: bool


class AskResponse(BaseModel):
    answer_id: str
    conversation_id: str
    answered: bool
    text: str
    confidence: float
    citations: list[CitationOut]
    suggestions: list[CitationOut]
    notes: list[str]
    redacted: list[str]
    index_version: str
    generator: str
    latency_ms: float
    follow_up: bool
    language: str


@router.post("/ask", response_model=AskResponse, responses=errors(400, 404))
async def ask(body: AskRequest, request: Request, principal: Caseworker) -> dict[str, Any]:
    """Answer a question with citations to the exact sections, or abstain and suggest the nearest pages.

    Personal identity numbers, phone numbers and e-mail addresses are removed before anything is stored;
    `redacted` and `notes` tell the user when that happened.
    """
    assistant = request.app.state.assistant
    answer = await run_in_threadpool(
        assistant.answer,
        body.question,
        conversation_id=body.conversation_id,
        channel=body.channel,
        user_id=principal.user_id,
        language=body.language,
        as_of=body.as_of,
    )
    result: dict[str, Any] = answer.to_dict()
    return result


@router.get("/search")
async def search(
    request: Request,
    principal: Caseworker,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="Search text")],
    k: Annotated[int, Query(ge=1, le=50)] = 10,
    mode: Literal["lexical", "dense", "hybrid"] = "hybrid",
    tag: Annotated[list[str] | None, Query()] = None,
    doc_type: Annotated[list[str] | None, Query()] = None,
    status: Annotated[list[Literal["published", "draft", "archived"]] | None, Query()] = None,
    include_expired: bool = False,
) -> dict[str, Any]:
    """Hybrid search over the published guidance; each hit names page, section anchor, score and snippet.

    By default only published pages in force are searched; `include_expired` widens that (looking up what
    applied before) and `status` does for editors, quality leads and admins (403 for caseworkers: drafts
    and archived pages are not guidance in force)."""
    if any(s != "published" for s in status or ()) and not principal.has(*REVIEWERS):
        raise AssistantError(ErrorCode.FORBIDDEN, "searching draft or archived pages needs role editor or up")
    filters = SearchFilters(
        tags=tuple(tag or ()),
        doc_types=tuple(doc_type or ()),
        statuses=tuple(status or ("published",)),
        include_expired=include_expired,
    )
    hits = await run_in_threadpool(request.app.state.assistant.search, q, k, mode, filters)
    return {"query": q, "hits": [hit.__dict__ for hit in hits]}


@router.get("/pages")
def list_pages(request: Request, principal: Caseworker) -> dict[str, Any]:
    """Every page in the served index with its owner, review date and whether it is stale or expired."""
    index = request.app.state.assistant.indexes.get()
    today = dt.date.today()
    pages = [page_summary(entry.page, today) for entry in index.pages.values()]
    return {"index_version": index.version, "pages": sorted(pages, key=lambda p: p["title"])}


@router.get("/pages/{page_id}", responses=errors(404))
def get_page(page_id: str, request: Request, principal: Caseworker) -> dict[str, Any]:
    """One page: metadata, Markdown body and its sections with anchors."""
    index = request.app.state.assistant.indexes.get()
    entry = index.pages.get(page_id)
    if entry is None:
        raise AssistantError(ErrorCode.NOT_FOUND, f"no page {page_id!r}", key="error.no_page", params={"page": page_id})
    sections = [{"anchor": s.anchor, "heading": s.heading, "level": s.level, "line": s.line} for s in entry.sections]
    return {**page_summary(entry.page, dt.date.today()), "body": entry.page.body, "sections": sections}


@router.get("/conversations/{conversation_id}", responses=errors(404))
def get_conversation(conversation_id: str, request: Request, principal: Caseworker) -> dict[str, Any]:
    """A conversation's exchanges. Caseworkers see their own; reviewers see all."""
    database = request.app.state.assistant.database
    with database.session() as session:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            raise AssistantError(ErrorCode.NOT_FOUND, f"no conversation {conversation_id!r}")
        if conversation.user_id != principal.user_id and not principal.has(*REVIEWERS):
            raise AssistantError(
                ErrorCode.FORBIDDEN, "this conversation belongs to someone else", key="error.not_yours"
            )
        exchanges = session.scalars(
            select(Exchange).where(Exchange.conversation_id == conversation_id).order_by(Exchange.created_at)
        ).all()
        return {
            "conversation_id": conversation.id,
            "channel": conversation.channel,
            "exchanges": [exchange_dict(e) for e in exchanges],
        }


def exchange_dict(exchange: Exchange) -> dict[str, Any]:
    return {
        "answer_id": exchange.id,
        "created_at": exchange.created_at.isoformat(),
        "question": exchange.question,
        "answered": exchange.answered,
        "text": exchange.text,
        "confidence": exchange.confidence,
        "citations": exchange.citations,
        "suggestions": exchange.suggestions,
        "hits": exchange.hits,
        "channel": exchange.channel,
        "index_version": exchange.index_version,
        "latency_ms": exchange.latency_ms,
        "redacted": exchange.redactions,
    }


def page_summary(page: Any, today: dt.date) -> dict[str, Any]:
    return {
        "id": page.id,
        "title": page.title,
        "summary": page.summary,
        "doc_type": page.doc_type,
        "owner": {"unit": page.owner.unit, "contact": page.owner.contact},
        "reviewed": page.reviewed.isoformat(),
        "review_by": page.review_by.isoformat(),
        "status": page.status,
        "tags": list(page.tags),
        "stale": page.is_stale(today),
        "expired": page.is_expired(today),
        "url": f"/pages/{page.id}",
    }
