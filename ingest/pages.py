"""Guidance pages: read a Markdown file, validate its front matter, and report errors by file, line and field."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DOC_TYPES = ("processbeskrivning", "rutin", "riktlinje", "faq", "ordlista", "instruktion")
STATUSES = ("draft", "published", "archived")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FRONT_MATTER_FENCE = "---"


@dataclass(frozen=True)
class PageProblem:
    """One thing wrong with one page, located as precisely as the input allows."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class PageError(Exception):
    """Raised when one or more pages are invalid; carries every problem found."""

    def __init__(self, problems: list[PageProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Owner:
    unit: str
    contact: str


@dataclass(frozen=True)
class Page:
    """A guidance page as an editor wrote it: validated metadata plus the Markdown body."""

    id: str
    title: str
    summary: str
    doc_type: str
    owner: Owner
    reviewed: dt.date
    review_by: dt.date
    status: str
    body: str
    path: str
    body_line: int
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    def is_stale(self, today: dt.date) -> bool:
        """Past its review date: still served, but flagged in citations."""
        return today > self.review_by

    def is_expired(self, today: dt.date) -> bool:
        return self.valid_to is not None and today > self.valid_to

    def is_live(self, today: dt.date) -> bool:
        """Published, in force, and not yet valid_to: what answers may cite."""
        if self.status != "published" or self.is_expired(today):
            return False
        return self.valid_from is None or today >= self.valid_from


@dataclass
class _FrontMatter:
    values: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)
    end_line: int = 0


def read_page(path: Path, root: Path | None = None) -> Page:
    """Read and validate one page. Raises PageError naming the file, line and field of every problem."""
    shown = str(path.relative_to(root)) if root and path.is_relative_to(root) else str(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise PageError(
            [PageProblem(shown, line, "", f"not valid UTF-8 (byte {err.start}); save the file as UTF-8")]
        ) from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    front = _split_front_matter(text, shown)
    body = "\n".join(text.split("\n")[front.end_line :])
    return _validate(front, body, shown, path.stem)


def _split_front_matter(text: str, shown: str) -> _FrontMatter:
    lines = text.split("\n")
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        raise PageError([PageProblem(shown, 1, "", "missing front matter: the file must start with '---'")])
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FRONT_MATTER_FENCE)
    except StopIteration:
        raise PageError([PageProblem(shown, 1, "", "front matter is not closed with '---'")]) from None
    source = "\n".join(lines[1:end])
    try:
        node = yaml.compose(source, Loader=yaml.SafeLoader)
        values = yaml.safe_load(source)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = (mark.line + 2) if mark else 2
        problem = getattr(err, "problem", None) or str(err)
        raise PageError([PageProblem(shown, line, "", f"front matter is not valid YAML: {problem}")]) from None
    if not isinstance(values, dict) or not isinstance(node, yaml.MappingNode):
        raise PageError([PageProblem(shown, 2, "", "front matter must be a mapping of 'field: value' lines")])
    positions = {k.value: k.start_mark.line + 2 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
    return _FrontMatter(values=values, lines=positions, end_line=end + 1)


def _validate(front: _FrontMatter, body: str, shown: str, stem: str) -> Page:
    problems: list[PageProblem] = []
    values = front.values

    def problem(name: str, message: str) -> None:
        problems.append(PageProblem(shown, front.lines.get(name, 1), name, message))

    def text_field(name: str, required: bool = True) -> str:
        value = values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                problem(name, "is required")
            return ""
        if not isinstance(value, str):
            problem(name, f"must be text, got {type(value).__name__}")
            return ""
        return value.strip()

    def date_field(name: str) -> dt.date | None:
        value = values.get(name)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            problem(name, f"must be a date like 2026-09-15, got {value!r}")
            return None

    def list_field(name: str) -> tuple[str, ...]:
        value = values.get(name) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
            problem(name, "must be a list of words, e.g. [ansökan, komplettering]")
            return ()
        return tuple(str(v).strip() for v in value if str(v).strip())

    page_id = str(values.get("id") or "").strip()
    if not page_id:
        problem("id", "is required")
    elif not ID_PATTERN.match(page_id):
        problem("id", f"{page_id!r} may only use a-z, 0-9 and single hyphens")
    elif page_id != stem:
        problem("id", f"{page_id!r} must match the file name ({stem}.md)")

    title = text_field("title")
    summary = text_field("summary")
    doc_type = text_field("doc_type")
    if doc_type and doc_type not in DOC_TYPES:
        problem("doc_type", f"{doc_type!r} is not one of {', '.join(DOC_TYPES)}")
    status = text_field("status", required=False) or "published"
    if status not in STATUSES:
        problem("status", f"{status!r} is not one of {', '.join(STATUSES)}")

    owner = values.get("owner")
    if not isinstance(owner, dict) or not owner.get("unit") or not owner.get("contact"):
        problem("owner", "needs 'unit' and 'contact', e.g. owner: {unit: Enheten för företagsstöd, contact: ...}")
        owner = {}

    reviewed = date_field("reviewed")
    if reviewed is None and "reviewed" not in front.lines:
        problem("reviewed", "is required (the date the page was last verified)")
    review_by = date_field("review_by")
    interval = values.get("review_interval_months")
    if interval is not None and (not isinstance(interval, int) or isinstance(interval, bool) or interval < 1):
        problem("review_interval_months", f"must be a whole number of months, got {interval!r}")
        interval = None
    if review_by is None and interval is None and "review_by" not in front.lines:
        problem("review_interval_months", "set review_interval_months or review_by")
    if review_by is None and reviewed is not None and isinstance(interval, int):
        review_by = _add_months(reviewed, interval)

    valid_from, valid_to = date_field("valid_from"), date_field("valid_to")
    if valid_from and valid_to and valid_to < valid_from:
        problem("valid_to", "is before valid_from")
    tags, aliases = list_field("tags"), list_field("aliases")
    if not body.strip():
        problems.append(PageProblem(shown, front.end_line + 1, "", "the page has no text after the front matter"))

    if problems:
        raise PageError(problems)
    assert reviewed is not None and review_by is not None
    return Page(
        id=page_id,
        title=title,
        summary=summary,
        doc_type=doc_type,
        owner=Owner(unit=str(owner["unit"]), contact=str(owner["contact"])),
        reviewed=reviewed,
        review_by=review_by,
        status=status,
        body=body,
        path=shown,
        body_line=front.end_line + 1,
        valid_from=valid_from,
        valid_to=valid_to,
        tags=tags,
        aliases=aliases,
    )


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def knowledge_files(root: Path) -> list[Path]:
    """The page files under root: every *.md except README.md and anything in a hidden folder."""
    files = sorted(p for p in root.rglob("*.md") if not any(part.startswith(".") for part in p.relative_to(root).parts))
    return [p for p in files if p.name.lower() != "readme.md"]


def read_knowledge(root: Path) -> tuple[list[Page], list[PageProblem]]:
    """Read every page under root. Returns the valid pages and the problems of the rest (duplicates included)."""
    if not root.is_dir():
        return [], [PageProblem(str(root), 0, "", "knowledge folder does not exist")]
    files = knowledge_files(root)
    if not files:
        return [], [PageProblem(str(root), 0, "", "no Markdown pages (*.md) found in the folder")]
    pages: list[Page] = []
    problems: list[PageProblem] = []
    seen: dict[str, Page] = {}
    for path in files:
        try:
            page = read_page(path, root)
        except PageError as err:
            problems.extend(err.problems)
            continue
        if page.id in seen:
            first = seen[page.id]
            problems.append(PageProblem(page.path, 2, "id", f"duplicate id {page.id!r}, also used by {first.path}"))
            continue
        seen[page.id] = page
        pages.append(page)
    return pages, problems


def page_from_document(doc_id: str, title: str, text: str, source: str = "") -> Page:
    """Wrap a plain document (an eval corpus line) as a published page, so it takes the same ingest path."""
    today = dt.date.today()
    return Page(
        id=doc_id,
        title=title.strip() or doc_id,
        summary="",
        doc_type="riktlinje",
        owner=Owner(unit=source or "extern källa", contact=""),
        reviewed=today,
        review_by=_add_months(today, 12),
        status="published",
        body=text.replace("\r\n", "\n"),
        path=source or doc_id,
        body_line=1,
    )
