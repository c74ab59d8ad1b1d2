"""The follow-up report for a period (the agency reports by tertial): key figures, the analytics, the top
content gaps and what was done about them, as the HTML page renders it and as CSV.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from assistant.review.analytics import Analytics, compute_analytics
from assistant.review.clusters import Cluster
from assistant.review.directory import PageDirectory, Scope
from assistant.review.evalcases import EvalCaseItem, list_eval_cases
from assistant.review.export import safe_cell
from assistant.review.periods import Period
from assistant.review.queue import CLOSED, QueueFilters, ReviewItem, load_items


@dataclass
class GapFollowUp:
    """A content gap and what reviewers did about it: closed items on its questions, eval cases made of them."""

    gap: Cluster
    actions: list[ReviewItem] = field(default_factory=list)
    eval_cases: list[EvalCaseItem] = field(default_factory=list)


@dataclass
class FollowUpReport:
    period: Period
    analytics: Analytics
    received: Counter[str]  # items that came in during the period, by status now
    resolved: list[ReviewItem]  # items closed during the period, with their notes
    gaps: list[GapFollowUp]
    eval_cases_added: int

    @property
    def open_items(self) -> int:
        return sum(n for status, n in self.received.items() if status not in CLOSED)

    def to_dict(self) -> dict[str, Any]:
        gaps = [
            {
                "label": g.gap.label,
                "count": g.gap.count,
                "examples": g.gap.examples,
                "nearest_pages": g.gap.nearest_pages,
                "actions": [{"item": i.id, "status": i.status, "note": i.resolution_note} for i in g.actions],
                "eval_cases": [c.eval_id for c in g.eval_cases],
            }
            for g in self.gaps
        ]
        return {
            **self.analytics.to_dict(),
            "items_by_status": dict(self.received),
            "open_items": self.open_items,
            "eval_cases_added": self.eval_cases_added,
            "resolved": [i.to_dict() for i in self.resolved],
            "gaps": gaps,
        }


def build_report(session: Session, period: Period, directory: PageDirectory, threshold: float) -> FollowUpReport:
    everything = Scope(everything=True)
    analytics = compute_analytics(session, period, directory, threshold)
    received = load_items(session, QueueFilters(date_from=period.start, date_to=period.end), directory, everything)
    closed = load_items(session, QueueFilters(status=CLOSED), directory, everything)
    resolved = [i for i in closed if i.resolved_at and period.since <= i.resolved_at < period.until]
    cases = list_eval_cases(session)
    gaps = []
    for gap in analytics.gaps:
        answers, questions = set(gap.answer_ids), {r.text for r in gap.refs}
        gaps.append(
            GapFollowUp(
                gap,
                [i for i in closed if i.exchange_id in answers],
                [c for c in cases if c.question in questions],
            )
        )
    added = sum(1 for c in cases if period.since <= c.created_at < period.until)
    return FollowUpReport(period, analytics, Counter(i.status for i in received), resolved, gaps, added)


def _share(value: float | None) -> str:
    return "" if value is None else f"{round(value * 100)} %"


class _SafeWriter:
    """csv.writer whose text cells cannot start a spreadsheet formula (gap labels are caseworkers' words)."""

    def __init__(self, out: io.StringIO, delimiter: str = ","):
        self._writer = csv.writer(out, delimiter=delimiter)

    def writerow(self, row: list[Any]) -> None:
        self._writer.writerow([safe_cell(v) if isinstance(v, str) else v for v in row])


def report_csv(report: FollowUpReport, t: dict[str, str], dialect: str = "rfc") -> str:
    """One CSV with a part column, so a spreadsheet can filter it: key figures, days, gaps, pages, actions.
    `excel-sv` writes semicolons and a BOM, as Swedish Excel opens directly."""
    a = report.analytics
    out = io.StringIO()
    w = _SafeWriter(out, ";" if dialect == "excel-sv" else ",")
    w.writerow([t["csv.section_col"], t["csv.key_col"], t["csv.value_col"], t["csv.detail_col"]])
    figures = [
        (t["rv_questions"], a.questions),
        (t["rv_answered"], a.answered),
        (t["rv_share_answered"], _share(a.share_answered)),
        (t["rv_low_confidence"], a.low_confidence),
        (t["rv_rated_up"], a.rated_up),
        (t["rv_rated_down"], a.rated_down),
        (t["rv_share_up"], _share(a.share_up)),
        (t["rv_page_comments"], a.comments),
        (t["rv_items_received"], sum(report.received.values())),
        (t["rv_items_open"], report.open_items),
        (t["rv_items_resolved"], len(report.resolved)),
        (t["rv_eval_cases_added"], report.eval_cases_added),
    ]
    for key, value in figures:
        w.writerow([t["rv_key_figures"], key, value, report.period.name])
    for day in a.days:
        for channel in a.channels:
            w.writerow([t["rv_per_day"], day.isoformat(), a.per_day[day][channel], channel])
    for follow_up in report.gaps:
        done = "; ".join(i.resolution_note or "" for i in follow_up.actions)
        cases = ", ".join(c.eval_id for c in follow_up.eval_cases)
        w.writerow([t["rv_gaps"], follow_up.gap.label, follow_up.gap.count, " | ".join(x for x in (done, cases) if x)])
    for page in a.negative_pages:
        w.writerow([t["rv_negative_pages"], page.title, page.count, page.owner_unit])
    for item in report.resolved:
        status = t.get(f"rv_status_{item.status}", item.status)
        w.writerow([t["rv_actions"], item.id, status, f"{item.page_title}: {item.resolution_note or ''}"])
    for group in a.off_topic:
        w.writerow([t["rv_off_topic"], group.label, group.count, ""])
    return ("\ufeff" if dialect == "excel-sv" else "") + out.getvalue()
