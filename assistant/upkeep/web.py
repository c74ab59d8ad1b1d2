"""The upkeep pages: index versions with one-action rollback (admin), and review status per owner."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from assistant.api.responses import SIGNED_IN, errors
from assistant.api.routes_web import render
from assistant.auth import REVIEWERS, Principal, Role, require
from assistant.errors import AssistantError, ErrorCode
from assistant.upkeep.status import owner_overviews, review_status
from assistant.upkeep.versions import index_overview
from ingest.publish import IndexStore, PublishError

router = APIRouter(tags=["underhåll"], responses=SIGNED_IN)
Editor = Annotated[Principal, Depends(require(Role.EDITOR))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
Reviewer = Annotated[Principal, Depends(require(*REVIEWERS))]


class RollbackRequest(BaseModel):
    version: str = Field(..., min_length=1, max_length=80, description="The kept version to serve")


def _store(request: Request) -> IndexStore:
    return IndexStore(request.app.state.settings.index_dir)


@router.get("/api/index/versions")
def list_versions(request: Request, principal: Editor) -> dict[str, Any]:
    """The kept index versions (newest first) with the pages added, changed and removed in each, the
    publish/rollback history and the last live re-index attempt (with its problems if it was refused)."""
    return index_overview(_store(request)).to_dict()


@router.post("/api/index/rollback", responses=errors(400, 404, 409))
async def rollback(body: RollbackRequest, request: Request, principal: Admin) -> dict[str, Any]:
    """Serve an earlier kept version. Takes the ingest lock: refused (409) while an ingest is writing."""
    store = _store(request)
    try:
        version = await run_in_threadpool(store.rollback, body.version, principal.user_id)
    except PublishError as err:
        code = ErrorCode.NOT_FOUND if str(err).startswith("no version") else ErrorCode.CONFLICT
        raise AssistantError(code, str(err)) from None
    return {"version": version, "current": store.current_version()}


@router.get("/admin/index", response_class=HTMLResponse, include_in_schema=False)
def index_page(request: Request, principal: Editor) -> HTMLResponse:
    return render(request, "upkeep/index_admin.html", principal, overview=index_overview(_store(request)))


def _overviews(request: Request, owner: str | None) -> list[Any]:
    assistant = request.app.state.assistant
    found = owner_overviews(assistant.indexes.get(), assistant.database, dt.date.today())
    return [o for o in found if not owner or o.unit == owner]


@router.get("/api/owners")
def owners_api(
    request: Request, principal: Reviewer, owner: Annotated[str | None, Query(max_length=200)] = None
) -> dict[str, Any]:
    """Every owner unit's pages green / yellow / red by review date, with open feedback and the share of
    negative ratings per page."""
    return {"owners": [o.to_dict() for o in _overviews(request, owner)]}


@router.get("/owners", response_class=HTMLResponse, include_in_schema=False)
def owners_page(
    request: Request, principal: Reviewer, owner: Annotated[str | None, Query(max_length=200)] = None
) -> HTMLResponse:
    everyone = _overviews(request, None)
    shown = [o for o in everyone if not owner or o.unit == owner]
    return render(request, "upkeep/owners.html", principal, owners=shown, units=[o.unit for o in everyone], owner=owner)


def page_review(page: Any) -> dict[str, Any]:
    """For the guidance page view: green/yellow/red and days to the review date."""
    today = dt.date.today()
    return {"status": review_status(page, today), "days": (page.review_by - today).days}
