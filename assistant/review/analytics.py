"""Figures for a period: questions per day and channel, share answered, share rated up, the questions asked
most, content gaps (unanswered and low-confidence questions, grouped) and the pages rated down most.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.db import Exchange, Feedback
from assistant.review.clusters import Cluster, QuestionRef, group_questions
from assistant.review.directory import PageDirectory
from assistant.review.models import PageComment
from assistant.review.periods import Period, local_day, today
from assistant.review.queue import cited_pages, off_topic_exchanges

LOW_CONFIDENCE_MARGIN = 0.1  # answered, but within this of the abstain threshold
TOP = 10


@dataclass(frozen=True)
class PageCount:
    page_id: str
    title: str
    owner_unit: str
    count: int


@dataclass
class Analytics:
    period: Period
    days: list[dt.date]
    per_day: dict[dt.date, Counter[str]]  # channel -> questions
    channels: list[str]
    questions: int = 0
    answered: int = 0
    low_confidence: int = 0
    rated_up: int = 0
    rated_down: int = 0
    comments: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    answered_by_channel: dict[str, tuple[int, int]] = field(default_factory=dict)  # channel -> (answered, asked)
    top_questions: list[Cluster] = field(default_factory=list)
    gaps: list[Cluster] = field(default_factory=list)
    off_topic: list[Cluster] = field(default_factory=list)  # marked 'utanför uppdraget': not content gaps
    negative_pages: list[PageCount] = field(default_factory=list)

    @property
    def share_answered(self) -> float | None:
        return self.answered / self.questions if self.questions else None

    @property
    def share_up(self) -> float | None:
        rated = self.rated_up + self.rated_down
        return self.rated_up / rated if rated else None

    def to_dict(self) -> dict[str, Any]:
        def cluster(c: Cluster) -> dict[str, Any]:
            return {
                "label": c.label,
                "count": c.count,
                "examples": c.examples,
                "answer_ids": c.answer_ids[:50],
                "nearest_pages": c.nearest_pages,
            }

        return {
            "period": {
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
                "label": self.period.name,
            },
            "questions": self.questions,
            "answered": self.answered,
            "share_answered": self.share_answered,
            "low_confidence": self.low_confidence,
            "rated_up": self.rated_up,
            "rated_down": self.rated_down,
            "share_up": self.share_up,
            "page_comments": self.comments,
            "reasons": dict(self.reasons),
            "per_day": [{"day": d.isoformat(), **{c: self.per_day[d][c] for c in self.channels}} for d in self.days],
            "answered_by_channel": {c: {"answered": a, "asked": n} for c, (a, n) in self.answered_by_channel.items()},
            "top_questions": [cluster(c) for c in self.top_questions],
            "gaps": [cluster(c) for c in self.gaps],
            "off_topic": [cluster(c) for c in self.off_topic],
            "negative_pages": [p.__dict__ for p in self.negative_pages],
        }


def compute_analytics(session: Session, period: Period, directory: PageDirectory, threshold: float) -> Analytics:
    shown = [d for d in period.days() if d <= today()] or period.days()[:1]
    stats = Analytics(period, shown, {d: Counter() for d in shown}, [])
    _questions(session, period, stats, threshold + LOW_CONFIDENCE_MARGIN)
    _ratings(session, period, directory, stats)
    stats.comments = (
        session.scalar(
            select(func.count())
            .select_from(PageComment)
            .where(PageComment.created_at >= period.since, PageComment.created_at < period.until)
        )
        or 0
    )
    return stats


def _questions(session: Session, period: Period, stats: Analytics, low_below: float) -> None:
    rows = session.execute(
        select(
            Exchange.id,
            Exchange.created_at,
            Exchange.channel,
            Exchange.answered,
            Exchange.confidence,
            Exchange.question,
            Exchange.citations,
            Exchange.suggestions,
        ).where(Exchange.created_at >= period.since, Exchange.created_at < period.until)
    ).all()
    asked: Counter[str] = Counter()
    answered: Counter[str] = Counter()
    everything: list[QuestionRef] = []
    gaps: list[QuestionRef] = []
    off_topic: list[QuestionRef] = []
    marked = off_topic_exchanges(session)
    for answer_id, created, channel, was_answered, confidence, question, citations, suggestions in rows:
        day = local_day(created)
        stats.per_day.setdefault(day, Counter())[channel] += 1
        asked[channel] += 1
        pages = tuple(str(c.get("page_id")) for c in (citations or suggestions or []))
        ref = QuestionRef(question, answer_id, pages)
        if answer_id in marked:
            off_topic.append(ref)
        else:
            everything.append(ref)
        if was_answered:
            answered[channel] += 1
            if confidence < low_below:
                stats.low_confidence += 1
                if answer_id not in marked:
                    gaps.append(ref)
        elif answer_id not in marked:
            gaps.append(ref)
    stats.questions, stats.answered = len(rows), sum(answered.values())
    stats.channels = sorted(asked)
    stats.answered_by_channel = {c: (answered[c], asked[c]) for c in stats.channels}
    stats.top_questions = group_questions(everything)[:TOP]
    stats.gaps = group_questions(gaps)[:TOP]
    stats.off_topic = group_questions(off_topic)[:TOP]


def _ratings(session: Session, period: Period, directory: PageDirectory, stats: Analytics) -> None:
    rows = session.execute(
        select(Feedback.rating, Feedback.reason, Exchange)
        .join(Exchange, Exchange.id == Feedback.exchange_id)
        .where(Feedback.created_at >= period.since, Feedback.created_at < period.until)
    ).all()
    down: Counter[str] = Counter()
    for rating, reason, exchange in rows:
        if rating == "up":
            stats.rated_up += 1
            continue
        stats.rated_down += 1
        stats.reasons[reason or "annat"] += 1
        down.update(cited_pages(exchange))
    for page_id, count in down.most_common(TOP):
        info = directory.info(page_id)
        stats.negative_pages.append(
            PageCount(page_id, directory.title(page_id), info.owner_unit if info else "", count)
        )
