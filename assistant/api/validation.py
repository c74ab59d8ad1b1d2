"""Input refused before anything is stored: a NUL character (U+0000) in any field, path or query.

PostgreSQL cannot store NUL in text, and SQLite would store it silently, so the same 422 is given on both
before any work is done. Request bodies are checked by their models (every request model derives from
RequestModel); paths and query strings by a middleware that reads neither the body nor any header.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote_to_bytes

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, field_validator

from assistant.errors import AssistantError, ErrorCode
from assistant.messages import t
from assistant.web.i18n import request_language


def has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(has_nul(v) for v in value)
    return False


class RequestModel(BaseModel):
    """The base of every request body: no field may hold a NUL character."""

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        if has_nul(value):
            raise ValueError(t("error.nul", "en"))
        return value


async def refuse_nul_in_url(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """422 for a NUL in the path (`/api/pages/a%00b`) or the query string (`?q=a%00b`)."""
    where = []
    if "\x00" in request.scope.get("path", ""):
        where.append("path")
    if b"\x00" in unquote_to_bytes(request.scope.get("query_string", b"")):
        where.append("query")
    if not where:
        return await call_next(request)
    details = [f"{w}: contains NUL" for w in where]
    error = AssistantError(ErrorCode.INVALID_INPUT, t("error.nul", "en"), details, key="error.nul")
    return JSONResponse(error.to_dict(request_language(request)), status_code=error.http_status)
