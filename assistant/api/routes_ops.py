"""Operations: liveness, readiness and Prometheus metrics. Open by design: they hold no content."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from assistant.api.responses import content
from assistant.db import Database
from assistant.metrics import INDEX_INFO, REGISTRY

router = APIRouter(tags=["drift"])


@router.get("/healthz")
def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "Not ready: no loadable index, or no database"}})
def ready(request: Request) -> JSONResponse:
    """Readiness: `ready`, `degraded` (answers, but an earlier index version is served because the current one
    cannot be loaded, or the database's last write failed) or `not ready` (503: no loadable index, or the
    database cannot be reached). Unauthenticated, so it names versions and problems, never paths or errors."""
    assistant = request.app.state.assistant
    checks: dict[str, str | None] = {}
    problems: list[str] = []
    unusable = False
    try:
        checks["index"] = assistant.indexes.get().version
        checks["index_current"] = assistant.indexes.store.current_version()
        if assistant.indexes.degraded:
            problems.append("the current index version cannot be loaded; an earlier version is served")
    except Exception:  # report, don't raise: this endpoint exists to say what is wrong
        checks["index"] = "error: no loadable index version"
        unusable = True
    if assistant.database is not None:
        database = checks["database"] = _database_check(assistant.database)
        if database.startswith("error"):
            unusable = True
        elif database != "ok":
            problems.append(f"the database's last write failed ({assistant.database.write_failure})")
    status = "not ready" if unusable else "degraded" if problems else "ready"
    body = {"status": status, "checks": checks, "problems": problems}
    return JSONResponse(body, status_code=503 if unusable else 200)


def _database_check(database: Database) -> str:
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return "error: cannot be reached"
    return f"not writable: {database.write_failure}" if database.write_failure else "ok"


@router.get("/metrics", responses=content("Prometheus text format", "text/plain"))
def metrics(request: Request) -> Response:
    """Prometheus metrics: questions by channel and outcome, latency, feedback, index size."""
    try:
        index = request.app.state.assistant.indexes.get()
        INDEX_INFO.clear()
        INDEX_INFO.labels(version=index.version).set(len(index.chunks))
    except Exception:
        pass  # readiness reports this; metrics still serve the counters
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
