"""The queue as a file: CSV (RFC 4180, or Swedish Excel's semicolons with a BOM) and JSON.

CSV is for people: headings and values in the reader's language (Swedish by default) and times in Swedish
local time. JSON is for programs: stable English keys, stored values, ISO times in UTC.

Authors' user ids are left out of exports: a file travels further than the queue, and the follow-up
does not need to know who wrote what.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any, Literal

from assistant.feedback import REASON_LABELS_EN
from assistant.messages import messages_for, t
from assistant.review.periods import local_time
from assistant.review.queue import ReviewItem

COLUMNS = (
    "id",
    "kind",
    "created_at",
    "status",
    "page_id",
    "page_title",
    "section",
    "owner_unit",
    "owner_contact",
    "rating",
    "reason",
    "channel",
    "text",
    "question",
    "answered",
    "assignee",
    "resolution_note",
    "updated_by",
    "updated_at",
    "resolved_at",
    "exchange_id",
    "page_version",
    "url",
)
Dialect = Literal["rfc", "excel-sv"]


def export_records(items: Sequence[ReviewItem]) -> list[dict[str, Any]]:
    return [{column: item.to_dict()[column] for column in COLUMNS} for item in items]


def export_csv(items: Sequence[ReviewItem], dialect: Dialect = "rfc", language: str = "sv") -> str:
    """Comma-separated by default; `excel-sv` opens straight in Excel with Swedish settings (å, ä, ö intact)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if dialect == "excel-sv" else ",")
    writer.writerow([t(f"csv.{column}", language) for column in COLUMNS])
    for item in items:
        record = item.to_dict()
        writer.writerow([_cell(column, record[column], getattr(item, column, None), language) for column in COLUMNS])
    return ("\ufeff" if dialect == "excel-sv" else "") + out.getvalue()


def _cell(column: str, value: Any, raw: Any, language: str) -> str:
    """A value as a person reads it: 'Klar', 'Tumme upp', 'ja', '2026-05-04 14:05' (Swedish time)."""
    words = messages_for(language)
    if value is None or value == "":
        return ""
    if isinstance(raw, dt.datetime):
        return local_time(raw)
    if isinstance(value, bool):
        return words["rv_yes"] if value else words["rv_no"]
    if column in ("status", "kind", "rating"):
        return words.get(f"rv_{column}_{value}", str(value))
    if column == "reason" and language == "en":
        return REASON_LABELS_EN.get(str(value), str(value))
    return safe_cell(str(value))


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """Text a caseworker typed must not run as a spreadsheet formula when the export is opened in Excel."""
    return "'" + text if text.startswith(FORMULA_START) else text
