"""The review pages: the queue, one item with its exchange, analytics, the follow-up report, eval cases and
the test period form. They render what the JSON API serves; changes go through that API (review.js)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from assistant.api.routes_web import render
from assistant.auth import REVIEWERS, Principal, Role, require
from assistant.feedback import REASON_LABELS_EN, REASONS
from assistant.review.analytics import compute_analytics
from assistant.review.comment_period import current_period
from assistant.review.context import ReviewContext, review_context
from assistant.review.details import item_details
from assistant.review.directory import Scope
from assistant.review.evalcases import list_eval_cases
from assistant.review.figures import analytics_figures, percent
from assistant.review.params import OPEN, analytics_period, queue_filters, report_period
from assistant.review.periods import Period, recent_tertials, today
from assistant.review.queue import KINDS, STATUSES, QueueFilters, load_items
from assistant.review.report import build_report
from assistant.web.i18n import language_of, strings

router = APIRouter(tags=["granskning"], include_in_schema=False)
Reviewer = Annotated[Principal, Depends(require(*REVIEWERS))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
PER_PAGE = 50
CHANNELS = ("web", "widget", "slack", "teams", "api")


def context(request: Request, principal: Reviewer) -> ReviewContext:
    return review_context(request, principal)


Context = Annotated[ReviewContext, Depends(context)]


class Labels:
    """Display names of stored values in the page's language."""

    def __init__(self, language: str):
        self.t = strings(language)
        self.english = language == "en"

    def status(self, value: str) -> str:
        return self.t.get(f"rv_status_{value}", value)

    def kind(self, value: str) -> str:
        return self.t.get(f"rv_kind_{value}", value)

    def rating(self, value: str | None) -> str:
        return self.t.get(f"rv_rating_{value}", "") if value else ""

    def reason(self, value: str | None) -> str:
        return (REASON_LABELS_EN.get(value, value) if self.english else value) if value else ""


def page(request: Request, name: str, principal: Principal, **values: object) -> HTMLResponse:
    return render(request, name, principal, labels=Labels(language_of(request)), percent=percent, **values)


@router.get("/review", response_class=HTMLResponse)
def queue_page(
    request: Request,
    ctx: Context,
    filters: Annotated[QueueFilters, Depends(queue_filters)],
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    if not request.query_params:  # a quality lead starts from what is still open
        filters = replace(filters, status=OPEN)
    with ctx.database.session() as session:
        items = load_items(session, filters, ctx.directory, ctx.scope)
    pages = [p for p in ctx.directory.sorted_pages() if ctx.scope.allows([p.id])]
    return page(
        request,
        "review/queue.html",
        ctx.principal,
        items=items[offset : offset + PER_PAGE],
        total=len(items),
        offset=offset,
        per_page=PER_PAGE,
        filters=filters,
        pages=pages,
        units=sorted({p.owner_unit for p in pages}),
        kinds=KINDS,
        reasons=REASONS,
        channels=CHANNELS,
        statuses=STATUSES,
        open_only=filters.status == OPEN,
    )


@router.get("/review/items/{item_id}", response_class=HTMLResponse)
def item_page(request: Request, item_id: str, ctx: Context) -> HTMLResponse:
    details = item_details(ctx, item_id)
    return page(request, "review/item.html", ctx.principal, d=details, item=details.item, statuses=STATUSES)


@router.get("/review/analytics", response_class=HTMLResponse)
def analytics_page(
    request: Request, ctx: Context, period: Annotated[Period, Depends(analytics_period)]
) -> HTMLResponse:
    with ctx.database.session() as session:
        stats = compute_analytics(session, period, ctx.directory, ctx.threshold)
    figures = analytics_figures(stats, strings(language_of(request)))
    return page(
        request,
        "review/analytics.html",
        ctx.principal,
        a=stats,
        figures=figures,
        period=period,
        tertials=recent_tertials(today()),
        directory=ctx.directory,
    )


@router.get("/review/report", response_class=HTMLResponse)
def report_page(request: Request, ctx: Context, period: Annotated[Period, Depends(report_period)]) -> HTMLResponse:
    with ctx.database.session() as session:
        report = build_report(session, period, ctx.directory, ctx.threshold)
    figures = analytics_figures(report.analytics, strings(language_of(request)))
    return page(
        request,
        "review/report.html",
        ctx.principal,
        r=report,
        a=report.analytics,
        figures=figures,
        period=period,
        tertials=recent_tertials(today()),
        directory=ctx.directory,
    )


@router.get("/review/eval-cases", response_class=HTMLResponse)
def eval_cases_page(request: Request, ctx: Context) -> HTMLResponse:
    with ctx.database.session() as session:
        cases = list_eval_cases(session, scope=ctx.scope, directory=ctx.directory)
    return page(request, "review/eval_cases.html", ctx.principal, cases=cases)


@router.get("/review/test-period", response_class=HTMLResponse)
def test_period_page(request: Request, principal: Admin) -> HTMLResponse:
    with review_context(request, principal).database.session() as session:
        state = current_period(session)
    return page(request, "review/test_period.html", principal, state=state)


Caseworker = Annotated[Principal, Depends(require(Role.CASEWORKER))]


@router.get("/min-feedback", response_class=HTMLResponse)
def my_feedback_page(request: Request, principal: Caseworker) -> HTMLResponse:
    """A caseworker's own ratings and page comments, and what review made of each (status and resolution)."""
    ctx = review_context(request, principal)
    with ctx.database.session() as session:
        items = load_items(
            session, QueueFilters(author=principal.user_id, plain_ups=True), ctx.directory, Scope(everything=True)
        )
    return page(request, "my_feedback.html", principal, items=items)
