"""One queue item opened: the item, the whole exchange behind a rating, the sections it is about, and the
eval cases already made from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.review.actions import find_items
from assistant.review.context import ReviewContext
from assistant.review.evalcases import EvalCaseItem, list_eval_cases
from assistant.review.exchange import ExchangeView, SectionView, exchange_view, section_view
from assistant.review.queue import ReviewItem


@dataclass(frozen=True)
class ItemDetails:
    item: ReviewItem
    exchange: ExchangeView | None  # for a rating
    sections: tuple[SectionView, ...]  # what the item is about, as the page reads now
    page_changed: bool  # a comment: the page has been edited since it was written
    eval_cases: tuple[EvalCaseItem, ...]

    def targets(self) -> list[tuple[str, str]]:
        """(value, label) choices for an eval case: the cited, suggested and retrieved sections first."""
        seen: dict[str, str] = {}
        views = list(self.sections)
        if self.exchange:
            views += [*self.exchange.citations, *self.exchange.suggestions, *self.exchange.hits]
        for v in views:
            key = f"{v.page_id}#{v.anchor}" if v.anchor else v.page_id
            seen.setdefault(key, f"{v.title} – {v.heading}" if v.heading else v.title)
        return list(seen.items())

    def to_dict(self) -> dict[str, Any]:
        return {
            "item": self.item.to_dict(),
            "exchange": self.exchange.to_dict() if self.exchange else None,
            "sections": [s.__dict__ for s in self.sections],
            "page_changed": self.page_changed,
            "eval_cases": [c.to_dict() for c in self.eval_cases],
        }


def item_details(ctx: ReviewContext, item_id: str) -> ItemDetails:
    [item] = find_items(ctx.database, [item_id], ctx.directory, ctx.scope)
    with ctx.database.session() as session:
        exchange = exchange_view(session, item.exchange_id, ctx.directory) if item.exchange_id else None
        cases = tuple(list_eval_cases(session, source_item=item.id))
    if exchange is not None:
        sections = exchange.citations or exchange.suggestions
        changed = False
    else:
        sections = (section_view(ctx.directory, item.page_id or "", item.section),)
        info = ctx.directory.info(item.page_id)
        changed = bool(info and item.page_version and info.version != item.page_version)
    return ItemDetails(item, exchange, sections, changed, cases)
