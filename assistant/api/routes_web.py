"""Server-rendered pages: the start page (ask and search) and every guidance page with section anchors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from assistant.auth import Principal, Role, require
from assistant.errors import AssistantError, ErrorCode
from assistant.messages import tn
from assistant.web.i18n import language_of, strings
from assistant.web.render import render_markdown

router = APIRouter(tags=["webbsidor"], include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "web" / "templates")
Caseworker = Annotated[Principal, Depends(require(Role.CASEWORKER))]


def render(request: Request, name: str, principal: Principal, **context: Any) -> HTMLResponse:
    """Render a template with the language, its strings and the signed-in user; remembers ?lang=."""
    language = language_of(request)
    response = templates.TemplateResponse(
        request,
        name,
        {
            "lang": language,
            "t": strings(language),
            "tn": lambda key, n: tn(key, language, n),
            "principal": principal,
            **context,
        },
    )
    if request.query_params.get("lang") == language:
        response.set_cookie("lang", language, samesite="lax", httponly=True)
    return response


@router.get("/", response_class=HTMLResponse)
def start_page(request: Request, principal: Caseworker) -> HTMLResponse:
    index = request.app.state.assistant.indexes.get()
    today = dt.date.today()
    pages = sorted((e.page for e in index.pages.values() if e.page.is_live(today)), key=lambda p: p.title)
    return render(request, "index.html", principal, pages=pages)


@router.get("/sok", response_class=HTMLResponse)
def search_page(request: Request, principal: Caseworker, q: str = "") -> HTMLResponse:
    hits = request.app.state.assistant.search(q, k=10) if q.strip() else []
    return render(request, "search.html", principal, q=q, hits=hits)


@router.get("/pages/{page_id}", response_class=HTMLResponse)
def page_view(page_id: str, request: Request, principal: Caseworker) -> HTMLResponse:
    index = request.app.state.assistant.indexes.get()
    entry = index.pages.get(page_id)
    if entry is None:
        raise AssistantError(ErrorCode.NOT_FOUND, f"no page {page_id!r}", key="error.no_page", params={"page": page_id})
    page = entry.page
    today = dt.date.today()
    return render(
        request,
        "page.html",
        principal,
        page=page,
        sections=entry.sections,
        body=render_markdown(page.body),
        stale=page.is_stale(today),
        expired=page.is_expired(today),
        index_version=index.version,
        page_hash=entry.hash,
    )
