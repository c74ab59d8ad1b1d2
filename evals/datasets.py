"""Eval inputs: a corpus (a folder of Markdown pages or a JSONL of documents) and a JSONL question set."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.pages import Page, PageError, page_from_document, read_knowledge

LANGUAGES = ("sv", "en")  # the interface languages Assistant.answer takes


class DatasetError(Exception):
    """A corpus or question file that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class EvalQuestion:
    """One question with the pages that answer it. No gold pages means the assistant should abstain.

    Extra keys in the file (split, category, reviewer notes from exported feedback) are ignored.
    """

    id: str
    question: str
    gold_ids: tuple[str, ...]
    answer: str | None = None
    gold_sections: tuple[str, ...] = ()  # "page#anchor"
    follow_up_of: str | None = None
    language: str | None = None  # interface language to ask in ("en"); None: the service's default
    source: str = ""  # file:line, for error messages and the report

    @property
    def answerable(self) -> bool:
        return bool(self.gold_ids)


def load_corpus(path: Path) -> list[Page]:
    """Pages from a knowledge folder (every page must be valid) or from a JSONL file of documents."""
    if path.is_dir():
        pages, problems = read_knowledge(path)
        if problems:
            raise PageError(problems)
        return pages
    if not path.is_file():
        raise DatasetError(f"{path}: no such corpus folder or file")
    pages = []
    seen: set[str] = set()
    for line_no, record in _jsonl(path):
        doc_id, text = str(record.get("id") or "").strip(), record.get("text")
        if not doc_id or not isinstance(text, str) or not text.strip():
            raise DatasetError(f"{path}:{line_no}: a document needs a non-empty 'id' and 'text'")
        if doc_id in seen:
            raise DatasetError(f"{path}:{line_no}: duplicate document id {doc_id!r}")
        seen.add(doc_id)
        title = str(record.get("title") or "")
        pages.append(page_from_document(doc_id, title, text, source=str(record.get("source") or "")))
    if not pages:
        raise DatasetError(f"{path}: the corpus has no documents")
    return pages


def load_questions(path: Path) -> list[EvalQuestion]:
    """Questions from one JSONL file, or from every *.jsonl file in a folder (in name order)."""
    if path.is_dir():
        files = sorted(path.glob("*.jsonl"))
        if not files:
            raise DatasetError(f"{path}: no *.jsonl question files in the folder")
    elif path.is_file():
        files = [path]
    else:
        raise DatasetError(f"{path}: no such question file or folder")
    questions: list[EvalQuestion] = []
    seen: set[str] = set()
    for file in files:
        for line_no, record in _jsonl(file):
            question = _question(record, f"{file}:{line_no}")
            if question.id in seen:
                raise DatasetError(f"{question.source}: duplicate question id {question.id!r}")
            if question.follow_up_of and question.follow_up_of not in seen:
                raise DatasetError(
                    f"{question.source}: follow_up_of {question.follow_up_of!r} must name an earlier question"
                )
            seen.add(question.id)
            questions.append(question)
    if not questions:
        raise DatasetError(f"{path}: no questions")
    return questions


def _question(record: dict[str, Any], where: str) -> EvalQuestion:
    qid, text = str(record.get("id") or "").strip(), record.get("question")
    if not qid or not isinstance(text, str) or not text.strip():
        raise DatasetError(f"{where}: a question needs a non-empty 'id' and 'question'")
    gold = record.get("gold_ids", [])
    if not isinstance(gold, list) or not all(isinstance(g, str) for g in gold):
        raise DatasetError(f"{where}: 'gold_ids' must be a list of page ids ([] = should not be answered)")
    sections = record.get("gold_sections") or []
    if not isinstance(sections, list) or not all(isinstance(s, str) for s in sections):
        raise DatasetError(f"{where}: 'gold_sections' must be a list of 'page#anchor' strings")
    answer = record.get("answer")
    follow_up_of = record.get("follow_up_of")
    language = record.get("language")
    if language is not None and language not in LANGUAGES:
        raise DatasetError(f"{where}: 'language' must be one of {', '.join(LANGUAGES)}, not {language!r}")
    return EvalQuestion(
        id=qid,
        question=text.strip(),
        gold_ids=tuple(g.strip() for g in gold if g.strip()),
        answer=str(answer).strip() or None if answer is not None else None,
        gold_sections=tuple(sections),
        follow_up_of=str(follow_up_of).strip() or None if follow_up_of else None,
        language=language,
        source=where,
    )


def _jsonl(path: Path) -> list[tuple[int, dict[str, Any]]]:
    records = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise DatasetError(f"{path}:{line_no}: not valid JSON ({err.msg})") from None
        if not isinstance(record, dict):
            raise DatasetError(f"{path}:{line_no}: each line must be a JSON object")
        records.append((line_no, record))
    return records
