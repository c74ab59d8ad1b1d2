"""The whole exchange behind a queue item: question, answer, citations with their section text, and hits."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db import Exchange, Feedback
from assistant.errors import AssistantError, ErrorCode
from assistant.review.directory import PageDirectory
from assistant.review.periods import as_utc


@dataclass(frozen=True)
class SectionView:
    """A cited (or retrieved) section as it reads in the index served now."""

    page_id: str
    anchor: str
    title: str
    heading: str
    url: str
    text: str  # "" when the page or section no longer exists
    score: float | None = None

    @property
    def exists(self) -> bool:
        return bool(self.text)


@dataclass(frozen=True)
class Turn:
    answer_id: str
    created_at: dt.datetime
    question: str
    answered: bool


@dataclass(frozen=True)
class ExchangeView:
    answer_id: str
    conversation_id: str
    created_at: dt.datetime
    channel: str
    question: str
    text: str
    answered: bool
    confidence: float
    generator: str
    index_version: str
    index_is_current: bool
    citations: tuple[SectionView, ...]
    suggestions: tuple[SectionView, ...]
    hits: tuple[SectionView, ...]
    earlier: tuple[Turn, ...]  # the turns before it in the same conversation (follow-ups lean on them)
    ratings: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat()
        data["earlier"] = [{**asdict(t), "created_at": t.created_at.isoformat()} for t in self.earlier]
        return data


def section_view(directory: PageDirectory, page_id: str, anchor: str, score: float | None = None) -> SectionView:
    section = directory.section(page_id, anchor) if anchor else None
    entry = directory.pages.get(page_id)
    text = section.text if section else (entry.page.summary if entry and not anchor else "")
    url = f"/pages/{page_id}" + (f"#{anchor}" if anchor else "")
    return SectionView(page_id, anchor, directory.title(page_id), section.heading if section else "", url, text, score)


def exchange_view(session: Session, answer_id: str, directory: PageDirectory) -> ExchangeView:
    exchange = session.get(Exchange, answer_id)
    if exchange is None:
        raise AssistantError(ErrorCode.NOT_FOUND, f"no answer {answer_id!r}")
    earlier = session.scalars(
        select(Exchange)
        .where(Exchange.conversation_id == exchange.conversation_id, Exchange.created_at < exchange.created_at)
        .order_by(Exchange.created_at.desc())
        .limit(5)
    ).all()
    ratings = session.scalars(select(Feedback).where(Feedback.exchange_id == answer_id)).all()

    def views(entries: list[Any]) -> tuple[SectionView, ...]:
        return tuple(section_view(directory, str(c.get("page_id")), str(c.get("section") or "")) for c in entries)

    return ExchangeView(
        answer_id=exchange.id,
        conversation_id=exchange.conversation_id,
        created_at=as_utc(exchange.created_at),
        channel=exchange.channel,
        question=exchange.question,
        text=exchange.text,
        answered=exchange.answered,
        confidence=exchange.confidence,
        generator=exchange.generator,
        index_version=exchange.index_version,
        index_is_current=exchange.index_version == directory.index.version,
        citations=views(exchange.citations or []),
        suggestions=views(exchange.suggestions or []),
        hits=tuple(
            section_view(directory, str(h.get("page_id")), str(h.get("anchor") or ""), h.get("score"))
            for h in exchange.hits or []
        ),
        earlier=tuple(Turn(e.id, as_utc(e.created_at), e.question, e.answered) for e in reversed(earlier)),
        ratings=tuple(
            {"rating": r.rating, "reason": r.reason, "comment": r.comment, "channel": r.channel} for r in ratings
        ),
    )
