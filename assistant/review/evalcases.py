"""Eval cases from review: a reviewer turns a real question into a regression case (where the answer is, or
that it must abstain), so `assistant eval` keeps every fixed mistake fixed.

Exported as JSONL in the eval question format: {"id", "question", "gold_ids", "gold_sections"}; empty
gold_ids means the assistant should not answer.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db import Database
from assistant.errors import AssistantError, ErrorCode
from assistant.redaction import redact, redact_optional
from assistant.review.directory import PageDirectory, Scope
from assistant.review.models import EvalCase
from assistant.review.periods import as_utc
from assistant.review.queue import QueueFilters, load_items, off_topic_items
from assistant.review.storage import stored

MAX_QUESTION = 2000


@dataclass(frozen=True)
class EvalCaseItem:
    id: str
    question: str
    gold_ids: tuple[str, ...]
    gold_sections: tuple[str, ...]
    source_item: str | None
    created_by: str
    created_at: dt.datetime
    note: str | None = None

    @property
    def should_answer(self) -> bool:
        return bool(self.gold_ids)

    @property
    def eval_id(self) -> str:
        return f"review-{self.id[:12]}"

    def eval_record(self) -> dict[str, object]:
        """One line of the eval question file."""
        return {
            "id": self.eval_id,
            "question": self.question,
            "gold_ids": list(self.gold_ids),
            "gold_sections": list(self.gold_sections),
        }

    def to_dict(self) -> dict[str, object]:
        return {
            **self.eval_record(),
            "case_id": self.id,
            "should_answer": self.should_answer,
            "source_item": self.source_item,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "note": self.note,
        }


def _item(row: EvalCase) -> EvalCaseItem:
    return EvalCaseItem(
        row.id,
        row.question,
        tuple(row.gold_ids or ()),
        tuple(row.gold_sections or ()),
        row.source_item,
        row.created_by,
        as_utc(row.created_at),
        row.note,
    )


def gold_for(targets: list[str], directory: PageDirectory) -> tuple[list[str], list[str]]:
    """Validate 'page' and 'page#anchor' targets against the served index: (gold_ids, gold_sections)."""
    pages: list[str] = []
    sections: list[str] = []
    for target in dict.fromkeys(t.strip() for t in targets if t.strip()):
        page_id, _, anchor = target.partition("#")
        if page_id not in directory.pages:
            raise AssistantError(ErrorCode.INVALID_INPUT, f"no page {page_id!r} in the index")
        if anchor and directory.section(page_id, anchor) is None:
            raise AssistantError(ErrorCode.INVALID_INPUT, f"page {page_id!r} has no section {anchor!r}")
        pages.append(page_id)
        if anchor:
            sections.append(target)
    return list(dict.fromkeys(pages)), sections


def create_eval_case(
    database: Database,
    question: str,
    targets: list[str],
    should_answer: bool,
    user_id: str,
    directory: PageDirectory,
    source_item: str | None = None,
    note: str | None = None,
) -> EvalCaseItem:
    """Store a case. It must be answerable from the named pages/sections, or name none (should abstain)."""
    text = redact(question.strip()).text
    if not text or len(text) > MAX_QUESTION:
        raise AssistantError(ErrorCode.INVALID_INPUT, f"the question must be 1–{MAX_QUESTION} characters")
    gold_ids, gold_sections = gold_for(targets, directory)
    if should_answer and not gold_ids:
        raise AssistantError(ErrorCode.INVALID_INPUT, "name the page or section that answers the question")
    if not should_answer and gold_ids:
        raise AssistantError(ErrorCode.INVALID_INPUT, "a question that should not be answered names no pages")
    with stored("the eval case could not be saved; please try again"), database.session() as session:
        if source_item and source_item in off_topic_items(session):
            raise AssistantError(
                ErrorCode.INVALID_INPUT, "an off-topic question is not an eval case", key="error.off_topic_no_case"
            )
        if session.scalars(select(EvalCase.id).where(EvalCase.question == text)).first():
            raise AssistantError(
                ErrorCode.CONFLICT, "that question is already an eval case", key="error.already_eval_case"
            )
        row = EvalCase(
            question=text,
            gold_ids=gold_ids,
            gold_sections=gold_sections,
            source_item=source_item,
            created_by=user_id,
            note=redact_optional((note or "").strip() or None),
            created_at=dt.datetime.now(dt.UTC),
        )
        session.add(row)
        session.flush()
        return _item(row)


EVERYTHING = Scope(everything=True)


def list_eval_cases(
    session: Session,
    source_item: str | None = None,
    scope: Scope = EVERYTHING,
    directory: PageDirectory | None = None,
) -> list[EvalCaseItem]:
    """The eval cases the scope allows, oldest first (editors: cases on their pages, as in the queue)."""
    stmt = select(EvalCase).order_by(EvalCase.created_at)
    if source_item:
        stmt = stmt.where(EvalCase.source_item == source_item)
    return in_scope(session, [_item(row) for row in session.scalars(stmt).all()], scope, directory)


def in_scope(
    session: Session, cases: list[EvalCaseItem], scope: Scope, directory: PageDirectory | None
) -> list[EvalCaseItem]:
    """A case is an editor's when it names one of their pages, or was made from a queue item they can see
    (a question that should be abstained on names no page: the item it came from decides)."""
    if scope.everything:
        return cases
    sources = sorted({c.source_item for c in cases if c.source_item and not scope.allows(c.gold_ids)})
    visible: set[str] = set()
    if sources and directory is not None:
        visible = {item.id for item in load_items(session, QueueFilters(), directory, scope, ids=sources)}
    return [c for c in cases if scope.allows(c.gold_ids) or c.source_item in visible]


def delete_eval_case(
    database: Database, case_id: str, scope: Scope = EVERYTHING, directory: PageDirectory | None = None
) -> None:
    """Delete a case the scope allows; any other is 'not found', as queue items outside it are."""
    with stored("the eval case could not be deleted; please try again"), database.session() as session:
        row = session.get(EvalCase, case_id)
        if row is None or not in_scope(session, [_item(row)], scope, directory):
            raise AssistantError(ErrorCode.NOT_FOUND, f"no eval case {case_id!r}")
        session.delete(row)


def eval_cases_jsonl(session: Session, scope: Scope = EVERYTHING, directory: PageDirectory | None = None) -> str:
    off_topic = off_topic_items(session)  # marked after the case was made: the product learns nothing from it
    cases = [c for c in list_eval_cases(session, scope=scope, directory=directory) if c.source_item not in off_topic]
    return "".join(json.dumps(c.eval_record(), ensure_ascii=False) + "\n" for c in cases)


def export_eval_cases(database: Database | str, path: Path) -> int:
    """Write every eval case made in review to `path` (JSONL) for `assistant eval`; returns how many.

    `database` is a Database or a database URL (brought to the current schema first, as the service does).
    The file is replaced whole, so it always matches the database.
    """
    if isinstance(database, str):
        db = Database(database)
        db.migrate()
    else:
        db = database
    with db.session() as session:
        text = eval_cases_jsonl(session)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    return text.count("\n")
