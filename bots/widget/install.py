"""Serve the widget (`/widget/widget.js`), a demo intranet page (`/widget/demo`), and open CORS with credentials
for the intranet origins in ASSISTANT_WIDGET_ORIGINS, on the two routes the widget calls and nothing else.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.auth import Principal, Role, require
from assistant.settings import Settings

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(prefix="/widget", tags=["widget"], include_in_schema=False)
Caseworker = Annotated[Principal, Depends(require(Role.CASEWORKER))]

# The routes the widget calls; CORS is opened for these only.
WIDGET_API = re.compile(r"^/api/(ask|answers/[^/]+/feedback)$")

# The demo page shows what an intranet with a strict policy looks like: nothing inline, nothing from elsewhere.
DEMO_CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "img-src 'self' data:",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ]
)


def install(app: FastAPI) -> None:
    """Add the widget's routes; CORS only when ASSISTANT_WIDGET_ORIGINS names intranet origins."""
    app.include_router(router)
    app.mount("/widget/static", StaticFiles(directory=STATIC), name="widget-static")
    origins = allowed_origins(app.state.settings)
    if origins:
        app.add_middleware(WidgetCors, origins=origins)


@router.get("/widget.js")
def widget_script() -> FileResponse:
    """The web component. Public (it holds no data) and loadable from any origin; the API calls need sign-in."""
    return FileResponse(
        STATIC / "widget.js",
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300", "Cross-Origin-Resource-Policy": "cross-origin"},
    )


@router.get("/demo", response_class=HTMLResponse)
def demo_page(
    request: Request,
    principal: Caseworker,
    lang: Literal["sv", "en"] | None = None,
    position: Literal["bottom-right", "bottom-left", "inline"] = "bottom-right",
) -> HTMLResponse:
    """A demo intranet page with the widget added by its one <script> tag, under a strict CSP."""
    language = lang or request.app.state.settings.language
    response = templates.TemplateResponse(request, "demo.html", {"lang": language, "position": position})
    response.headers["Content-Security-Policy"] = DEMO_CSP
    return response


def allowed_origins(settings: Settings) -> list[str]:
    """The configured origins as the browser sends them (scheme://host[:port]); anything else stops the start."""
    origins = []
    for origin in settings.widget_origins:
        parts = urlsplit(origin.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/") or parts.query:
            raise RuntimeError(
                f"ASSISTANT_WIDGET_ORIGINS: {origin!r} is not an origin like https://intranat.example.se"
            )
        origins.append(f"{parts.scheme}://{parts.netloc}".lower())
    return origins


class WidgetCors:
    """Starlette's CORS handling, with credentials, applied to the widget's API routes only."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_credentials=True,
            allow_methods=["POST"],
            allow_headers=["Content-Type", "Accept"],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and WIDGET_API.match(scope["path"]):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
