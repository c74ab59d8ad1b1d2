"""One exception type with stable codes; the API and the CLI each turn it into a message in one place.

`message` is the technical text (logs, CLI, operators). What a person reads comes from the message catalogue:
the error's own `key` when it has one, else the general message for its code, in the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from sqlalchemy.exc import SQLAlchemyError

from assistant.db import NulInValue, storage_problem
from assistant.messages import t
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
    INTERNAL = "internal"  # a bug: logged with a reference, shown without its text


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
    ErrorCode.INTERNAL: 500,
}


class AssistantError(Exception):
    def __init__(
        self,
        code: ErrorCode,
        message: str,
        details: list[str] | None = None,
        *,
        key: str | None = None,
        params: Mapping[str, object] | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or []
        self.key = key  # a catalogue message for this error; None = the general one for the code
        self.params = dict(params or {})

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.code]

    def text(self, language: str) -> str:
        """What a person reads, in their language; never the English technical message inside a Swedish one."""
        if self.key:
            return t(self.key, language, **self.params)
        return t(f"error.{self.code.value}", language)

    def technical_details(self) -> list[str]:
        """The technical message (when the person's message does not already say it) and the details."""
        said = self.key is not None and self.message == self.text("en")
        return list(self.details) if said else [self.message, *self.details]

    def to_dict(self, language: str = "sv") -> dict[str, object]:
        """The API's error body: {"error": {"code", "message", "details"}}, the message in the language."""
        return {"error": {"code": self.code.value, "message": self.text(language), "details": self.technical_details()}}


def known_error_types() -> tuple[type[Exception], ...]:
    """The lower layers' exceptions that as_assistant_error translates (the API registers a handler for each,
    so none of them reaches the server as an unhandled error)."""
    from assistant.index import IndexNotReady

    return (PageError, IndexNotReady, PublishError, EmbeddingError, NulInValue, SQLAlchemyError)


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
    if isinstance(err, NulInValue):
        return AssistantError(ErrorCode.INVALID_INPUT, t("error.nul", "en"), key="error.nul")
    if isinstance(err, SQLAlchemyError):
        return storage_error(err)
    return None


def storage_error(err: SQLAlchemyError) -> AssistantError:
    """Any failure of the database is a 503 that says what happened and that nothing was saved."""
    key = f"error.storage_{storage_problem(err).replace('-', '_')}"
    return AssistantError(ErrorCode.STORAGE_ERROR, t(key, "en"), key=key)
