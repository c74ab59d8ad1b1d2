"""One exception type with stable codes; the API and the CLI each turn it into a message in one place."""

from __future__ import annotations

from enum import StrEnum

from ingest.embedding import EmbeddingError
from ingest.pages import PageError
from ingest.publish import PublishError


class ErrorCode(StrEnum):
    INVALID_INPUT = "invalid_input"
    INVALID_PAGES = "invalid_pages"
    INDEX_NOT_READY = "index_not_ready"
    INDEX_ERROR = "index_error"
    MODEL_ERROR = "model_error"
    NOT_FOUND = "not_found"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"
    STORAGE_ERROR = "storage_error"
    CHANNEL_OFF = "channel_off"


HTTP_STATUS = {
    ErrorCode.INVALID_INPUT: 422,
    ErrorCode.INVALID_PAGES: 422,
    ErrorCode.INDEX_NOT_READY: 503,
    ErrorCode.INDEX_ERROR: 500,
    ErrorCode.MODEL_ERROR: 500,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.CONFLICT: 409,
    ErrorCode.STORAGE_ERROR: 503,
    ErrorCode.CHANNEL_OFF: 404,
}


class AssistantError(Exception):
    def __init__(self, code: ErrorCode, message: str, details: list[str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or []

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.code]

    def to_dict(self) -> dict[str, object]:
        return {"error": {"code": self.code.value, "message": self.message, "details": self.details}}


def as_assistant_error(err: Exception) -> AssistantError | None:
    """Translate the lower layers' exceptions; None for anything unexpected (a bug, shown as such)."""
    from assistant.index import IndexNotReady

    if isinstance(err, AssistantError):
        return err
    if isinstance(err, PageError):
        return AssistantError(
            ErrorCode.INVALID_PAGES,
            f"{len(err.problems)} problem(s) in the knowledge pages",
            [str(p) for p in err.problems],
        )
    if isinstance(err, IndexNotReady):
        return AssistantError(ErrorCode.INDEX_NOT_READY, str(err))
    if isinstance(err, PublishError):
        return AssistantError(ErrorCode.INDEX_ERROR, str(err))
    if isinstance(err, EmbeddingError):
        return AssistantError(ErrorCode.MODEL_ERROR, str(err))
    return None
