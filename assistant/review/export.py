"""The queue as a file: CSV (RFC 4180, or Swedish Excel's semicolons with a BOM) and JSON.

Authors' user ids are left out of exports: a file travels further than the queue, and the follow-up
does not need to know who wrote what.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any, Literal

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


def export_csv(items: Sequence[ReviewItem], dialect: Dialect = "rfc") -> str:
    """Comma-separated by default; `excel-sv` opens straight in Excel with Swedish settings (å, ä, ö intact)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, delimiter=";" if dialect == "excel-sv" else ",")
    writer.writeheader()
    for record in export_records(items):
        writer.writerow({k: _cell(v) for k, v in record.items()})
    return ("\ufeff" if dialect == "excel-sv" else "") + out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return safe_cell(str(value))


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """Text a caseworker typed must not run as a spreadsheet formula when the export is opened in Excel."""
    return "'" + text if text.startswith(FORMULA_START) else text
