"""Query parameters shared by the queue page, its JSON API and the export: filters and periods.

Plain strings are accepted and checked here, so an HTML filter form's empty "all" choice ("") means no filter.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Query

from assistant.errors import AssistantError, ErrorCode
from assistant.feedback import REASONS
from assistant.review.periods import Period, choose_period
from assistant.review.queue import KINDS, STATUSES, QueueFilters

OPEN = ("new", "in_progress")


def _choice(name: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    value = (value or "").strip() or None
    if value is not None and value not in allowed:
        raise AssistantError(ErrorCode.INVALID_INPUT, f"{name} must be one of: {', '.join(allowed)}")
    return value


def parse_day(name: str, value: str | None) -> dt.date | None:
    if not (value or "").strip():
        return None
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise AssistantError(ErrorCode.INVALID_INPUT, f"{name} must be a date like 2026-05-31") from None


def queue_filters(
    page: Annotated[str | None, Query(description="page id the item is about")] = None,
    owner: Annotated[str | None, Query(description="owner unit of the page")] = None,
    kind: Annotated[str | None, Query(description="answer (a rating) or comment (a page comment)")] = None,
    rating: Annotated[str | None, Query(description="up or down")] = None,
    reason: Annotated[str | None, Query(description="fel svar, inaktuellt, saknas, svårt att förstå, annat")] = None,
    channel: Annotated[str | None, Query(description="web, widget, slack, teams, api")] = None,
    status: Annotated[
        list[str] | None, Query(description="new, in_progress, done, rejected; 'open' = new + in_progress")
    ] = None,
    date_from: Annotated[str | None, Query(description="first day, YYYY-MM-DD (Swedish time)")] = None,
    date_to: Annotated[str | None, Query(description="last day, YYYY-MM-DD, included")] = None,
    assignee: Annotated[str | None, Query(description="assigned to (the owner's contact)")] = None,
) -> QueueFilters:
    """The queue's filters, as query parameters (FastAPI dependency)."""
    statuses: list[str] = []
    for value in status or []:
        if value == "open":
            statuses.extend(OPEN)
        elif choice := _choice("status", value, STATUSES):
            statuses.append(choice)
    return QueueFilters(
        page=(page or "").strip() or None,
        owner=(owner or "").strip() or None,
        kind=_choice("kind", kind, KINDS),
        rating=_choice("rating", rating, ("up", "down")),
        reason=_choice("reason", reason, REASONS),
        channel=(channel or "").strip() or None,
        status=tuple(dict.fromkeys(statuses)),
        date_from=parse_day("date_from", date_from),
        date_to=parse_day("date_to", date_to),
        assignee=(assignee or "").strip() or None,
    )


def report_period(
    period: Annotated[
        str | None, Query(description="a tertial, e.g. 2026-T2 (May–Aug); default the current one")
    ] = None,
    start: Annotated[str | None, Query(description="first day, YYYY-MM-DD (instead of a tertial)")] = None,
    end: Annotated[str | None, Query(description="last day, YYYY-MM-DD, included")] = None,
) -> Period:
    """The follow-up period (FastAPI dependency): a tertial by name, or dates; default the current tertial."""
    return choose_period(period, parse_day("start", start), parse_day("end", end))


def analytics_period(
    period: Annotated[str | None, Query(description="a tertial, e.g. 2026-T2")] = None,
    start: Annotated[str | None, Query(description="first day, YYYY-MM-DD")] = None,
    end: Annotated[str | None, Query(description="last day, YYYY-MM-DD, included")] = None,
) -> Period:
    """The analytics period (FastAPI dependency); default the last 30 days."""
    return choose_period(period, parse_day("start", start), parse_day("end", end), default_days=30)
