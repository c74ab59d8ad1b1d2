"""Dates as the agency counts them: Swedish local days, and the tertials (Jan–Apr, May–Aug, Sep–Dec) it
reports by. Stored times are UTC; every day boundary here is midnight in Europe/Stockholm.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from assistant.errors import AssistantError, ErrorCode

LOCAL = ZoneInfo("Europe/Stockholm")
_TERTIAL = re.compile(r"^(\d{4})-T([123])$")


@dataclass(frozen=True)
class Period:
    """A range of whole local days, both ends included."""

    start: dt.date
    end: dt.date
    label: str = ""

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise AssistantError(ErrorCode.INVALID_INPUT, "the period ends before it starts")

    @property
    def since(self) -> dt.datetime:
        """The first instant of the period, in UTC."""
        return local_midnight(self.start)

    @property
    def until(self) -> dt.datetime:
        """The first instant after the period, in UTC."""
        return local_midnight(self.end + dt.timedelta(days=1))

    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    @property
    def name(self) -> str:
        return self.label or f"{self.start.isoformat()}–{self.end.isoformat()}"


def today() -> dt.date:
    return dt.datetime.now(LOCAL).date()


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), LOCAL).astimezone(dt.UTC)


def local_day(moment: dt.datetime) -> dt.date:
    """The Swedish calendar day of a stored time (SQLite hands back naive UTC)."""
    return as_utc(moment).astimezone(LOCAL).date()


def as_utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def tertial(day: dt.date) -> Period:
    """The tertial a day falls in: T1 Jan–Apr, T2 May–Aug, T3 Sep–Dec."""
    number = (day.month - 1) // 4 + 1
    return tertial_number(day.year, number)


def tertial_number(year: int, number: int) -> Period:
    first_month = 4 * (number - 1) + 1
    start = dt.date(year, first_month, 1)
    end = dt.date(year + 1, 1, 1) if number == 3 else dt.date(year, first_month + 4, 1)
    return Period(start, end - dt.timedelta(days=1), f"{year}-T{number}")


def recent_tertials(day: dt.date, count: int = 6) -> list[Period]:
    """The current tertial and the ones before it, newest first (for a period picker)."""
    periods = [tertial(day)]
    while len(periods) < count:
        periods.append(tertial(periods[-1].start - dt.timedelta(days=1)))
    return periods


def choose_period(
    name: str | None, start: dt.date | None, end: dt.date | None, default_days: int | None = None
) -> Period:
    """A period from '2026-T3', or from start/end dates; by default the current tertial (or the last N days)."""
    if name:
        match = _TERTIAL.match(name.strip())
        if not match:
            raise AssistantError(ErrorCode.INVALID_INPUT, "period must look like 2026-T1, 2026-T2 or 2026-T3")
        return tertial_number(int(match.group(1)), int(match.group(2)))
    now = today()
    if start or end:
        end = end or now
        return Period(start or end - dt.timedelta(days=29), end)
    if default_days:
        return Period(now - dt.timedelta(days=default_days - 1), now)
    return tertial(now)


def local_time(moment: dt.datetime | None) -> str:
    """A stored time as Swedish local time, e.g. '2026-05-04 14:05' (templates use it)."""
    if moment is None:
        return ""
    return as_utc(moment).astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
