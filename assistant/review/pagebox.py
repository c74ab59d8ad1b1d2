"""The comment box under a guidance page (templates/review/_page_comments.html), as the template sees it."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from assistant.auth import REVIEWERS, Principal
from assistant.review.comment_period import TestPeriodState, current_period
from assistant.review.comments import PageCommentItem, comments_on_page
from assistant.review.context import review_context


@dataclass(frozen=True)
class CommentBox:
    period: TestPeriodState
    comments: tuple[PageCommentItem, ...]  # shown to reviewers who may see the page's items

    @property
    def open(self) -> bool:
        return self.period.open


def page_comment_box(request: Request, page_id: str) -> CommentBox | None:
    """None when there is no database (comments are off) or nobody is signed in."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None or request.app.state.assistant.database is None:
        return None
    ctx = review_context(request, principal)
    with ctx.database.session() as session:
        period = current_period(session)
        readable = principal.has(*REVIEWERS) and ctx.scope.allows([page_id])
        comments = tuple(comments_on_page(session, page_id)) if readable else ()
    return CommentBox(period, comments)
