"""Page comments: what a reader thinks is wrong or missing on a guidance page, while the test period is on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.auth import Principal
from assistant.db import Database
from assistant.errors import AssistantError, ErrorCode
from assistant.index import IndexedPage
from assistant.redaction import redact
from assistant.review.comment_period import current_period
from assistant.review.models import PageComment
from assistant.review.periods import as_utc
from assistant.review.storage import stored

MAX_COMMENT = 4000


@dataclass(frozen=True)
class PageCommentItem:
    id: str
    created_at: dt.datetime
    page_id: str
    section: str
    page_version: str
    author: str
    author_name: str
    comment: str
    redacted: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "created_at": self.created_at.isoformat(),
            "page_id": self.page_id,
            "section": self.section,
            "page_version": self.page_version,
            "author": self.author,
            "comment": self.comment,
            "redacted": list(self.redacted),
        }


def comment_item(row: PageComment) -> PageCommentItem:
    return PageCommentItem(
        row.id,
        as_utc(row.created_at),
        row.page_id,
        row.section,
        row.page_version,
        row.author,
        row.author_name,
        row.comment,
        tuple(row.redactions or ()),
    )


def add_comment(
    database: Database, page: IndexedPage, section: str, page_version: str | None, text: str, author: Principal
) -> PageCommentItem:
    """Store one comment, redacted. Refused outside the test period; a failed write raises, never passes."""
    text = text.strip()
    if not text:
        raise AssistantError(ErrorCode.INVALID_INPUT, "the comment is empty")
    if len(text) > MAX_COMMENT:
        raise AssistantError(ErrorCode.INVALID_INPUT, f"the comment is longer than {MAX_COMMENT} characters")
    if section and page.section(section) is None:
        raise AssistantError(ErrorCode.INVALID_INPUT, f"page {page.page.id!r} has no section {section!r}")
    clean = redact(text)
    with stored("the comment could not be saved; please try again"), database.session() as session:
        if not current_period(session).open:
            raise AssistantError(
                ErrorCode.CONFLICT, "the test period is closed; comments are not taken now", key="error.comments_closed"
            )
        row = PageComment(
            page_id=page.page.id,
            section=section,
            page_version=(page_version or page.hash)[:80],
            author=author.user_id,
            author_name=author.name,
            comment=clean.text,
            redactions=list(clean.kinds),
            created_at=dt.datetime.now(dt.UTC),
        )
        session.add(row)
        session.flush()
        return comment_item(row)


def comments_on_page(session: Session, page_id: str) -> list[PageCommentItem]:
    rows = session.scalars(
        select(PageComment).where(PageComment.page_id == page_id).order_by(PageComment.created_at.desc())
    ).all()
    return [comment_item(r) for r in rows]
