"""Operations: liveness, readiness and Prometheus metrics. Open by design: they hold no content."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from assistant.metrics import INDEX_INFO, REGISTRY

router = APIRouter(tags=["drift"])


@router.get("/healthz")
def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/readyz")
def ready(request: Request) -> JSONResponse:
    """Readiness: an index is published and loaded, and the database answers."""
    assistant = request.app.state.assistant
    checks: dict[str, str] = {}
    try:
        index = assistant.indexes.get()
        checks["index"] = index.version
    except Exception as err:  # report, don't raise: this endpoint exists to say what is wrong
        checks["index"] = f"error: {err}"
    if assistant.database is not None:
        try:
            with assistant.database.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as err:
            checks["database"] = f"error: {type(err).__name__}"
    ok = not any(v.startswith("error") for v in checks.values())
    return JSONResponse({"status": "ready" if ok else "not ready", "checks": checks}, status_code=200 if ok else 503)


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """Prometheus metrics: questions by channel and outcome, latency, feedback, index size."""
    try:
        index = request.app.state.assistant.indexes.get()
        INDEX_INFO.clear()
        INDEX_INFO.labels(version=index.version).set(len(index.chunks))
    except Exception:
        pass  # readiness reports this; metrics still serve the counters
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
