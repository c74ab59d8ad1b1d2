"""The feedback loop: page comments in the test period, answer ratings, one review queue, analytics, the
follow-up report and eval cases made from real questions.

Installed on the app as an extension (assistant.api.app.EXTENSIONS). `export_eval_cases(database, path)`
writes the eval cases for `assistant eval`.
"""

from __future__ import annotations

from fastapi import FastAPI

from assistant.review.evalcases import export_eval_cases

__all__ = ["export_eval_cases", "install"]


def install(app: FastAPI) -> None:
    """Add the feedback, review and page-comment routes, and the comment box on guidance pages."""
    from assistant.api import routes_feedback, routes_review
    from assistant.api.routes_web import templates
    from assistant.review import web
    from assistant.review.pagebox import page_comment_box
    from assistant.review.periods import local_time

    app.include_router(routes_feedback.router)
    app.include_router(routes_review.router)
    app.include_router(web.router)
    templates.env.globals["page_comment_box"] = page_comment_box
    templates.env.globals["local_time"] = local_time
