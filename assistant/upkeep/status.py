"""Review status of pages, and the overview per owner: green / yellow / red by review date, with the open
feedback and the share of negative ratings of each page."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, select

from assistant.db import Database, Exchange, Feedback
from assistant.index import KnowledgeIndex
from assistant.review.models import PageComment, ReviewState
from assistant.review.queue import cited_pages
from ingest.pages import Page

DUE_SOON_DAYS = 30  # the same window as lint's REV002
OPEN_STATES = ("new", "in_progress")


def review_status(page: Page, today: dt.date) -> str:
    """green: review more than 30 days away; yellow: due within 30 days; red: past its review date."""
    if page.is_stale(today):
        return "red"
    if page.review_by <= today + dt.timedelta(days=DUE_SOON_DAYS):
        return "yellow"
    return "green"


@dataclass(frozen=True)
class PageUpkeep:
    page: Page
    status: str
    days_left: int
    open_feedback: int
    ratings: int
    negative: int

    @property
    def negative_share(self) -> float | None:
        return self.negative / self.ratings if self.ratings else None

    def to_dict(self) -> dict[str, object]:
        return {
            "page_id": self.page.id,
            "title": self.page.title,
            "url": f"/pages/{self.page.id}",
            "status": self.status,
            "reviewed": self.page.reviewed.isoformat(),
            "review_by": self.page.review_by.isoformat(),
            "days_left": self.days_left,
            "open_feedback": self.open_feedback,
            "ratings": self.ratings,
            "negative": self.negative,
            "negative_share": None if self.negative_share is None else round(self.negative_share, 3),
        }


@dataclass
class OwnerOverview:
    unit: str
    contacts: tuple[str, ...]
    pages: list[PageUpkeep] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(p.status == status for p in self.pages)

    def to_dict(self) -> dict[str, object]:
        return {
            "owner": self.unit,
            "contacts": list(self.contacts),
            "counts": {s: self.count(s) for s in ("red", "yellow", "green")},
            "pages": [p.to_dict() for p in self.pages],
        }


def owner_overviews(index: KnowledgeIndex, database: Database | None, today: dt.date) -> list[OwnerOverview]:
    """Every owner unit with its published and draft pages, most urgent first."""
    pages = [e.page for e in index.pages.values() if e.page.status != "archived"]
    open_items, ratings, negative = _feedback_by_page(database, {p.id for p in pages})
    owners: dict[str, OwnerOverview] = {}
    for page in pages:
        overview = owners.setdefault(page.owner.unit, OwnerOverview(page.owner.unit, ()))
        if page.owner.contact and page.owner.contact not in overview.contacts:
            overview.contacts = (*overview.contacts, page.owner.contact)
        overview.pages.append(
            PageUpkeep(
                page=page,
                status=review_status(page, today),
                days_left=(page.review_by - today).days,
                open_feedback=open_items[page.id],
                ratings=ratings[page.id],
                negative=negative[page.id],
            )
        )
    for overview in owners.values():
        overview.pages.sort(key=lambda p: (p.days_left, p.page.title))
    return sorted(owners.values(), key=lambda o: o.unit.lower())


def _feedback_by_page(
    database: Database | None, page_ids: Iterable[str]
) -> tuple[Counter[str], Counter[str], Counter[str]]:
    """Open items (page comments, and ratings that are negative or commented, not yet done) and the
    ratings of answers about each page (what they cited, or suggested when they abstained)."""
    open_items: Counter[str] = Counter()
    ratings: Counter[str] = Counter()
    negative: Counter[str] = Counter()
    if database is None:
        return open_items, ratings, negative
    known = set(page_ids)
    with database.session() as session:
        comments = session.execute(
            select(PageComment.page_id, ReviewState.status).outerjoin(
                ReviewState, and_(ReviewState.kind == "comment", ReviewState.source_id == PageComment.id)
            )
        ).all()
        for page_id, status in comments:
            if page_id in known and (status or "new") in OPEN_STATES:
                open_items[page_id] += 1
        rated = session.execute(
            select(Feedback.rating, Feedback.comment, Exchange, ReviewState.status)
            .join(Exchange, Exchange.id == Feedback.exchange_id)
            .outerjoin(ReviewState, and_(ReviewState.kind == "answer", ReviewState.source_id == Feedback.id))
        ).all()
        for rating, comment, exchange, status in rated:
            for page_id in set(cited_pages(exchange)) & known:
                ratings[page_id] += 1
                negative[page_id] += rating == "down"
                needs_work = rating == "down" or bool((comment or "").strip())
                if needs_work and (status or "new") in OPEN_STATES:
                    open_items[page_id] += 1
    return open_items, ratings, negative
