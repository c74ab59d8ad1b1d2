"""Review API for quality leads, editors and admins: the queue, changes to items, exports, analytics, the
follow-up report and eval cases. Editors see only the items on pages they own (assistant.review.directory).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import Field

from assistant.api.responses import SIGNED_IN, content, errors
from assistant.api.validation import RequestModel
from assistant.auth import REVIEWERS, Principal, require
from assistant.review.actions import MAX_BULK, ReviewChange, change_items
from assistant.review.analytics import compute_analytics
from assistant.review.context import ReviewContext, review_context
from assistant.review.details import item_details
from assistant.review.evalcases import create_eval_case, delete_eval_case, eval_cases_jsonl, list_eval_cases
from assistant.review.export import export_csv, export_records
from assistant.review.params import analytics_period, queue_filters, report_period
from assistant.review.periods import Period
from assistant.review.queue import QueueFilters, load_items
from assistant.review.report import build_report, report_csv
from assistant.web.i18n import language_of, strings

router = APIRouter(prefix="/api/review", tags=["granskning"], responses=SIGNED_IN)
Reviewer = Annotated[Principal, Depends(require(*REVIEWERS))]
Filters = Annotated[QueueFilters, Depends(queue_filters)]


def context(request: Request, principal: Reviewer) -> ReviewContext:
    return review_context(request, principal)


Context = Annotated[ReviewContext, Depends(context)]


class ChangeRequest(RequestModel):
    status: Literal["new", "in_progress", "done", "rejected", "off_topic"] | None = Field(
        None, description='the new status; off_topic = "utanför uppdraget" (closed, grouped apart, never an eval case)'
    )
    assignee: str | None = Field(None, max_length=200, description="assign to someone ('' to unassign)")
    assign_to_owner: bool = Field(False, description="assign to the page owner's contact")
    resolution_note: str | None = Field(None, max_length=4000, description="what was done, or why not")

    def change(self) -> ReviewChange:
        return ReviewChange(self.status, self.assignee, self.assign_to_owner, self.resolution_note)


class BulkRequest(ChangeRequest):
    ids: list[str] = Field(..., min_length=1, max_length=MAX_BULK, description="queue item ids")


class EvalCaseRequest(RequestModel):
    question: str = Field(..., min_length=1, max_length=2000)
    targets: list[str] = Field([], description="'page' or 'page#anchor' that answer it; [] if it should abstain")
    should_answer: bool = Field(True, description="false: the assistant should abstain")
    source_item: str | None = Field(None, max_length=50, description="the queue item it came from")
    note: str | None = Field(None, max_length=2000)


@router.get("/items")
def list_items(
    ctx: Context,
    filters: Filters,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """The queue: answer ratings and page comments together, newest first, with the queue's filters."""
    with ctx.database.session() as session:
        items = load_items(session, filters, ctx.directory, ctx.scope)
    return {
        "total": len(items),
        "offset": offset,
        "limit": limit,
        "items": [i.to_dict() for i in items[offset : offset + limit]],
    }


@router.get("/items/{item_id}", responses=errors(404))
def get_item(item_id: str, ctx: Context) -> dict[str, Any]:
    """One item with the whole exchange (question, answer, citations, hits) and the sections it is about."""
    return item_details(ctx, item_id).to_dict()


@router.patch("/items/{item_id}", responses=errors(400, 404, 409))
def change_item(item_id: str, body: ChangeRequest, ctx: Context) -> dict[str, Any]:
    """Set the status, assign (to the page owner), or write the resolution note of one item."""
    [item] = change_items(ctx.database, [item_id], body.change(), ctx.principal.user_id, ctx.directory, ctx.scope)
    return item.to_dict()


@router.post("/items/bulk", responses=errors(400, 404, 409))
def change_many(body: BulkRequest, ctx: Context) -> dict[str, Any]:
    """The same change to many items at once; all or nothing."""
    items = change_items(ctx.database, body.ids, body.change(), ctx.principal.user_id, ctx.directory, ctx.scope)
    return {"changed": len(items), "items": [i.to_dict() for i in items]}


@router.get(
    "/export", response_model=None, responses=content("JSON, or CSV with format=csv", "application/json", "text/csv")
)
def export(
    request: Request,
    ctx: Context,
    filters: Filters,
    format: Literal["csv", "json"] = "csv",
    dialect: Annotated[Literal["rfc", "excel-sv"], Query(description="excel-sv: semicolons and a BOM")] = "rfc",
) -> Response | list[dict[str, Any]]:
    """The queue with its filters as CSV or JSON (authors' user ids are left out)."""
    with ctx.database.session() as session:
        items = load_items(session, filters, ctx.directory, ctx.scope)
    if format == "json":
        return export_records(items)
    headers = {"Content-Disposition": 'attachment; filename="granskningsko.csv"'}
    return Response(
        export_csv(items, dialect, language_of(request)), media_type="text/csv; charset=utf-8", headers=headers
    )


@router.get("/analytics")
def analytics(ctx: Context, period: Annotated[Period, Depends(analytics_period)]) -> dict[str, Any]:
    """Questions per day and channel, shares answered and rated up, top questions, content gaps, and the
    pages rated down most, for a period (default the last 30 days)."""
    with ctx.database.session() as session:
        return compute_analytics(session, period, ctx.directory, ctx.threshold).to_dict()


@router.get(
    "/report", response_model=None, responses=content("JSON, or CSV with format=csv", "application/json", "text/csv")
)
def report(
    request: Request,
    ctx: Context,
    period: Annotated[Period, Depends(report_period)],
    format: Literal["json", "csv"] = "json",
    dialect: Annotated[Literal["rfc", "excel-sv"], Query(description="excel-sv: semicolons and a BOM")] = "rfc",
) -> Response | dict[str, Any]:
    """The follow-up report (default the current tertial) as JSON or CSV; the HTML is at /review/report."""
    with ctx.database.session() as session:
        built = build_report(session, period, ctx.directory, ctx.threshold)
    if format == "csv":
        text = report_csv(built, strings(language_of(request)), dialect)
        headers = {"Content-Disposition": f'attachment; filename="uppfoljning-{period.name}.csv"'}
        return Response(text, media_type="text/csv; charset=utf-8", headers=headers)
    return built.to_dict()


@router.get("/eval-cases")
def eval_cases(ctx: Context) -> dict[str, Any]:
    """Every eval case made in review (editors: the cases on their pages, as in the queue)."""
    with ctx.database.session() as session:
        return {"cases": [c.to_dict() for c in list_eval_cases(session, scope=ctx.scope, directory=ctx.directory)]}


@router.post("/eval-cases", status_code=201, responses=errors(400, 404, 409))
def add_eval_case(body: EvalCaseRequest, ctx: Context) -> dict[str, Any]:
    """Turn a question into an eval case: the page/section that answers it, or that it should be abstained on."""
    if body.source_item:
        item_details(ctx, body.source_item)  # must exist and be the reviewer's to see
    case = create_eval_case(
        ctx.database,
        body.question,
        body.targets,
        body.should_answer,
        ctx.principal.user_id,
        ctx.directory,
        body.source_item,
        body.note,
    )
    return case.to_dict()


@router.delete("/eval-cases/{case_id}", status_code=204, responses=errors(404))
def remove_eval_case(case_id: str, ctx: Context) -> Response:
    """Delete an eval case that turned out to be wrong."""
    delete_eval_case(ctx.database, case_id, ctx.scope, ctx.directory)
    return Response(status_code=204)


@router.get("/eval-cases.jsonl", responses=content("One eval case per line", "application/x-ndjson"))
def eval_cases_file(ctx: Context) -> Response:
    """The eval cases as JSONL in the eval question format, for `assistant eval`."""
    with ctx.database.session() as session:
        text = eval_cases_jsonl(session, ctx.scope, ctx.directory)
    return Response(
        text,
        media_type="application/x-ndjson; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="granskning.jsonl"'},
    )
