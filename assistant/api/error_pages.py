"""Errors as a person meets them: a page in the interface language for a browser, the JSON error body for
everyone else. Content negotiation on Accept: a browser navigating asks for text/html first; fetch() and API
clients ask for JSON or anything.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates

from assistant.errors import AssistantError, ErrorCode
from assistant.web.i18n import language_of, request_language, strings

log = logging.getLogger("assistant.http")
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "web" / "templates")

STORAGE_RETRY_AFTER = 5  # seconds; a busy or briefly unreachable database is usually back by then
TITLES = {401: "error_page.title_401", 403: "error_page.title_403", 404: "error_page.title_404"}


def wants_html(request: Request) -> bool:
    """True when the client ranks text/html above JSON (a browser's navigation), never for /api/ fetches."""
    accept = request.headers.get("accept", "").lower()
    if "text/html" not in accept:
        return False
    json_at = accept.find("application/json")
    return json_at == -1 or accept.find("text/html") < json_at


def error_response(request: Request, err: AssistantError, reference: str | None = None) -> Response:
    """The one place an AssistantError becomes an HTTP response."""
    headers = {"WWW-Authenticate": "Bearer"} if err.http_status == 401 else {}
    if err.code == ErrorCode.STORAGE_ERROR:
        headers["Retry-After"] = str(STORAGE_RETRY_AFTER)
    if err.code == ErrorCode.INTERNAL:
        # The server closes the connection after an unhandled error: say so, or a proxy reusing it fails.
        headers["Connection"] = "close"
    if wants_html(request):
        return _error_page(request, err, reference, headers)
    body = err.to_dict(request_language(request))
    return JSONResponse(body, status_code=err.http_status, headers=headers)


def internal_error_response(request: Request, err: Exception) -> Response:
    """An unexpected error: logged with a short reference the person can quote; the page says nothing internal."""
    reference = secrets.token_hex(4)
    log.error("unhandled error", exc_info=err, extra={"path": request.url.path, "reference": reference})
    error = AssistantError(ErrorCode.INTERNAL, "internal error; it has been logged", [f"reference {reference}"])
    return error_response(request, error, reference)


def _error_page(
    request: Request,
    err: AssistantError,
    reference: str | None,
    headers: dict[str, str] | None,
) -> HTMLResponse:
    language = language_of(request)
    status = err.http_status
    title = TITLES.get(status) or (
        "error_page.title_save" if err.code == ErrorCode.STORAGE_ERROR else "error_page.title_other"
    )
    context = {
        "lang": language,
        "t": strings(language),
        "principal": getattr(request.state, "principal", None),
        "status": status,
        "title_key": title,
        "message": err.text(language),
        "code": err.code.value,
        "details": [] if err.code == ErrorCode.INTERNAL else err.technical_details(),
        "reference": reference,
        "saving": err.code in (ErrorCode.STORAGE_ERROR, ErrorCode.CONFLICT),
        "back": _same_origin_referer(request),
    }
    return templates.TemplateResponse(request, "error.html", context, status_code=status, headers=headers)


def _same_origin_referer(request: Request) -> str | None:
    referer = request.headers.get("referer", "")
    base = str(request.base_url)
    return referer if referer.startswith(base) and referer != str(request.url) else None
