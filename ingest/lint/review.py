"""Review dates: a page past its review date is flagged in answers; one due soon should be reviewed now."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ingest.lint.model import REGISTRY, Finding, LintContext, Severity

DUE_SOON_DAYS = 30

REGISTRY.rule(
    "REV001",
    Severity.WARNING,
    "the page is not past its review date",
    "check the content with the owner, then set 'reviewed' to today's date",
)
REGISTRY.rule(
    "REV002",
    Severity.WARNING,
    f"the review date is more than {DUE_SOON_DAYS} days away",
    "plan the review with the owner before the date passes",
)


@REGISTRY.check("REV001", "REV002")
def check_review_dates(ctx: LintContext) -> Iterator[Finding]:
    soon = ctx.today + dt.timedelta(days=DUE_SOON_DAYS)
    for page in ctx.pages:
        if page.status == "archived":
            continue
        line = (
            ctx.field_line(page, "review_by")
            if "review_by" in ctx.front_matter_lines.get(page.path, {})
            else (ctx.field_line(page, "reviewed"))
        )
        if page.review_by < ctx.today:
            days = (ctx.today - page.review_by).days
            yield REGISTRY.finding(
                ctx, "REV001", page.path, line, f"review date {page.review_by} passed {days} days ago"
            )
        elif page.review_by <= soon:
            days = (page.review_by - ctx.today).days
            yield REGISTRY.finding(ctx, "REV002", page.path, line, f"review is due {page.review_by} (in {days} days)")
