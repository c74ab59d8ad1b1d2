"""Questions asked "as of" a date: an explicit date (API `as_of`, the date field) or one written in the question.

Only phrases that cannot mean anything else are recognised; a bare date in a question is usually about the
case ("beslutet daterat 2025-03-01"), not about which rules to use, so it is left alone. Recognised:

- "som det gällde den 1 mars 2025", "som gällde 1 mars", "vad gällde den 1 mars 2025", "gällde per 2025-03-01"
- "som kommer att gälla den 1 januari 2027" (a future date)
- "per den 1 mars 2025", "per 2025-03-01" (a full date after "per": "per ansökan" is not a date)

A date is "<day> <month name> [year]" (januari … december, or jan, feb, … with or without a dot) or ISO
"YYYY-MM-DD". Without a year, "gällde" means the latest such day up to today, "kommer att gälla" the next one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from assistant.messages import t

MONTHS = {
    "januari": 1, "februari": 2, "mars": 3, "april": 4, "maj": 5, "juni": 6, "juli": 7, "augusti": 8,
    "september": 9, "oktober": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "okt": 10,
    "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_NAMED = rf"(?P<day>[0-3]?\d):?(?:e|a)?\s+(?P<month>{_MONTH})\.?(?:\s+(?P<year>(?:19|20)\d\d))?"
_ISO = r"(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d)"
_DATE = rf"(?:{_NAMED}|{_ISO})"
_PATTERNS = (
    ("past", re.compile(rf"(?:(?:som|vad)\s+(?:det\s+)?)?gällde\s+(?:den\s+|per\s+|på\s+)?{_DATE}\b", re.I)),
    ("future", re.compile(rf"(?:som\s+)?(?:det\s+)?kommer\s+att\s+gälla\s+(?:den\s+|från\s+)?{_DATE}\b", re.I)),
    ("past", re.compile(rf"\bper\s+(?:den\s+)?{_DATE}\b", re.I)),
)


@dataclass(frozen=True)
class AsOf:
    day: dt.date
    phrase: str  # the words in the question that named it ("" when given as a field)


def as_of_in_text(text: str, today: dt.date | None = None) -> AsOf | None:
    """The date a question asks about, when it names one unambiguously; None otherwise."""
    today = today or dt.date.today()
    for direction, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            day = _date(match, direction, today)
            if day is not None:
                return AsOf(day, match.group(0))
    return None


def without_phrase(text: str, found: AsOf | None) -> str:
    """The question without the date phrase, so "mars" and "2025" do not steer the search."""
    if found is None or not found.phrase:
        return text
    return " ".join(text.replace(found.phrase, " ").split())


def resolve_as_of(question: str, as_of: dt.date | None, today: dt.date | None = None) -> AsOf | None:
    """The explicit date wins over one in the text; None means "today" (no note, no change)."""
    if as_of is not None:
        found = as_of_in_text(question, today)
        return AsOf(as_of, found.phrase if found else "")
    return as_of_in_text(question, today)


def as_of_note(found: AsOf | None, language: str, today: dt.date | None = None) -> list[str]:
    """The note that tells the reader the answer is about another day than today."""
    today = today or dt.date.today()
    if found is None or found.day == today:
        return []
    day = swedish_date(found.day) if language == "sv" else found.day.isoformat()
    return [t("answer.note_as_of", language, day=day)]


def swedish_date(day: dt.date) -> str:
    names = [name for name, number in MONTHS.items() if len(name) > 3 or name == "maj"]
    return f"{day.day} {names[day.month - 1]} {day.year}"


def _date(match: re.Match[str], direction: str, today: dt.date) -> dt.date | None:
    groups = match.groupdict()
    try:
        if groups.get("iso"):
            return dt.date.fromisoformat(groups["iso"])
        day, month = int(groups["day"]), MONTHS[groups["month"].lower().rstrip(".")]
        if groups.get("year"):
            return dt.date(int(groups["year"]), month, day)
        candidate = dt.date(today.year, month, day)
    except ValueError:
        return None  # 31 april: not a date, so not a recognised phrase
    if direction == "past" and candidate > today:
        candidate = _shift_year(candidate, -1)
    elif direction == "future" and candidate < today:
        candidate = _shift_year(candidate, 1)
    return candidate


def _shift_year(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
