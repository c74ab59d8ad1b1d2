"""The error responses every API route can give, declared in the OpenAPI schema with the one error body.

Routes behind sign-in can answer 401 (not signed in), 403 (wrong role), 422 (invalid input, including a NUL
character in the path or query) and 503 (the index or the database is unavailable; nothing was saved).
Routes add what else they can answer (404, 409) and the content types they return besides JSON.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: list[str]


class ErrorResponse(BaseModel):
    """What every error looks like: a stable code, a message a person understands, and details."""

    error: ErrorDetail


DESCRIPTIONS = {
    400: "The request could not be read (e.g. a body that is not valid JSON)",
    401: "Not signed in",
    403: "Signed in, but this role may not do this",
    404: "No such item, or not one this user may see",
    409: "Conflicts with what is already stored (e.g. someone else changed it at the same time)",
    422: "Invalid input; the details name the field",
    503: "The index or the database is unavailable; nothing was saved. Retry after the Retry-After header",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorResponse, "description": DESCRIPTIONS[code]} for code in codes}


SIGNED_IN = errors(401, 403, 422, 503)


def content(description: str, *media_types: str) -> dict[int | str, dict[str, Any]]:
    """A 200 response in these media types (for CSV and NDJSON files besides JSON)."""
    return {200: {"description": description, "content": {media: {} for media in media_types}}}
