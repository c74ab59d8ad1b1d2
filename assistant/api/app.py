"""The one FastAPI app: API, guidance pages, review and the channels, on the embedded defaults."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from importlib.metadata import entry_points
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant import __version__
from assistant.api import routes_api, routes_ops, routes_web
from assistant.api.error_pages import error_response, internal_error_response
from assistant.api.validation import refuse_nul_in_url
from assistant.auth import Authenticator
from assistant.core import Assistant, build_assistant
from assistant.errors import AssistantError, ErrorCode, as_assistant_error, known_error_types
from assistant.logs import configure_logging
from assistant.settings import Settings, get_settings

log = logging.getLogger("assistant.http")
STATIC = Path(__file__).resolve().parent.parent / "web" / "static"

# Features and channels outside the core (the review queue, Slack, Teams, the widget) install themselves
# on the app through this entry-point group, declared in pyproject.toml exactly as an add-on package would
# declare its own. Each is a function(app) that adds routes; a channel that is not configured adds nothing.
EXTENSION_GROUP = "vagledning_assistant.extensions"


def create_app(settings: Settings, assistant: Assistant | None = None) -> FastAPI:
    """Build the app. Refuses to start in dev sign-in mode unless it listens on loopback only."""
    configure_logging()
    settings.refuse_unsafe_production()
    if settings.auth_mode == "dev" and not settings.host_is_loopback():
        raise RuntimeError("ASSISTANT_AUTH_MODE=dev is only allowed when the server listens on a loopback address")
    app = FastAPI(
        title="Vägledningsassistenten",
        version=__version__,
        description="Svar med källhänvisningar ur myndighetens vägledningar.",
    )
    app.state.settings = settings
    app.state.assistant = assistant or build_assistant(settings)
    app.state.auth = Authenticator(settings, app.state.assistant.database)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router_module in (routes_ops, routes_api, routes_web):
        app.include_router(router_module.router)
    for extension in sorted(entry_points(group=EXTENSION_GROUP), key=lambda e: e.name):
        extension.load()(app)
    _add_error_handlers(app)
    _add_middleware(app)
    app.router.add_event_handler("startup", _warm_up(app))
    return app


def app_from_environment() -> FastAPI:
    """The app of one worker process: `assistant serve --workers N` starts N of these, each reading the
    settings from the environment and loading the published index (its vectors and postings are
    memory-mapped, so the workers share one copy of them)."""
    return create_app(get_settings())


def _warm_up(app: FastAPI) -> Callable[[], None]:
    """Load the index, the model and the searcher before taking requests, so the first answer is as quick
    as the rest: the server accepts connections only when this is done. If it fails (no index yet, a
    broken one) the server starts anyway and /readyz says what is missing."""

    def warm_up() -> None:
        try:
            app.state.assistant.warm_up()
        except Exception as err:
            log.warning("warm-up failed; serving anyway", extra={"error": str(err)})

    return warm_up


def _add_error_handlers(app: FastAPI) -> None:
    """The one error handler: every failure becomes a page (browser) or the JSON error body, in the language."""

    @app.exception_handler(AssistantError)
    async def assistant_error(request: Request, err: AssistantError) -> Response:
        return error_response(request, err)

    async def translated(request: Request, err: Exception) -> Response:
        known = as_assistant_error(err)
        assert known is not None
        return error_response(request, known)

    # Each translated type gets its own handler: a handler for plain Exception runs in Starlette's outermost
    # middleware, which re-raises after answering, so the server would log a traceback and drop the connection.
    for error_type in known_error_types():
        app.add_exception_handler(error_type, translated)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, err: RequestValidationError) -> Response:
        details = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors()]
        return error_response(request, AssistantError(ErrorCode.INVALID_INPUT, "the request is not valid", details))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, err: StarletteHTTPException) -> Response:
        if err.status_code == 404:
            known = AssistantError(ErrorCode.NOT_FOUND, f"no route {request.url.path}", key="error.no_route")
        elif err.status_code == 405:
            known = AssistantError(ErrorCode.INVALID_INPUT, f"method {request.method} not allowed", key="error.method")
        else:
            return JSONResponse({"error": {"code": "http", "message": str(err.detail), "details": []}}, err.status_code)
        return error_response(request, known)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, err: Exception) -> Response:
        known = as_assistant_error(err)
        if known is not None:
            return error_response(request, known)
        return internal_error_response(request, err)


def _add_middleware(app: FastAPI) -> None:
    app.middleware("http")(refuse_nul_in_url)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.url.path,
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response
