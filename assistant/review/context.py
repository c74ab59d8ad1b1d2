"""What every review route needs, built once per request: the database, the pages, the reviewer's scope."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from assistant.auth import Principal
from assistant.db import Database
from assistant.errors import AssistantError, ErrorCode
from assistant.review.directory import PageDirectory, Scope, scope_for


@dataclass(frozen=True)
class ReviewContext:
    principal: Principal
    database: Database
    directory: PageDirectory
    scope: Scope
    threshold: float  # the confidence below which the assistant abstains


def database_of(request: Request) -> Database:
    database: Database | None = request.app.state.assistant.database
    if database is None:
        raise AssistantError(
            ErrorCode.STORAGE_ERROR, "this service runs without a database; feedback is off", key="error.no_database"
        )
    return database


def review_context(request: Request, principal: Principal) -> ReviewContext:
    assistant = request.app.state.assistant
    index = assistant.indexes.get()
    directory = PageDirectory(index)
    scope = scope_for(principal, directory, request.app.state.settings.review_editor_units)
    return ReviewContext(
        principal, database_of(request), directory, scope, assistant.tuning_for(index).answer_threshold
    )
