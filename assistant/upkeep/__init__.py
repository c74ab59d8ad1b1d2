"""Keeping the guidance up to date: index versions and rollback, review status per owner, reminder digests.

Installed on the app as an extension (pyproject.toml entry point), like the review queue.
"""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Add the index-versions and owner-overview pages, and review status on guidance pages."""
    from assistant.api.routes_web import templates
    from assistant.upkeep import web

    app.include_router(web.router)
    templates.env.globals["page_review"] = web.page_review
