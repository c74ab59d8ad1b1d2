"""Conventions that keep the project honest: settings documented, knowledge pages valid, anchors in the
question set real."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.settings import Settings
from ingest.markdown import split_sections
from ingest.pages import read_knowledge

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented() -> None:
    example = (ROOT / ".env.example").read_text()
    operators = (ROOT / "docs" / "operators.md").read_text()
    for name, field in Settings.model_fields.items():
        variable = f"ASSISTANT_{name.upper()}"
        assert f"{variable}=" in example, f"{variable} missing from .env.example (python scripts/settings_docs.py)"
        assert variable in operators, f"{variable} missing from docs/operators.md"
        assert field.description, f"{variable} has no description"


def test_every_knowledge_page_passes_lint() -> None:
    pages, problems = read_knowledge(ROOT / "knowledge")
    assert not problems, "\n".join(str(p) for p in problems)
    assert len(pages) >= 40


def test_question_set_gold_sections_exist() -> None:
    pages, _ = read_knowledge(ROOT / "knowledge")
    anchors = {(p.id, s.anchor) for p in pages for s in split_sections(p)} | {(p.id, "") for p in pages}
    questions = [
        json.loads(line)
        for f in (ROOT / "evals/datasets/vagledning").glob("*.jsonl")
        for line in f.read_text().splitlines()
        if line.strip()
    ]
    assert len(questions) >= 100
    assert sum(1 for q in questions if not q["gold_ids"]) >= 10  # unanswerable ones are part of the set
    for q in questions:
        for gold in q.get("gold_sections", []):
            page, _, anchor = gold.partition("#")
            assert (page, anchor) in anchors, f"{q['id']}: {gold} is not a section"


def test_heldout_set_sections_and_answer_phrases_hold() -> None:
    """The held-out set (measure only, never tuned on) must keep pointing at real facts when pages change."""
    pages, _ = read_knowledge(ROOT / "knowledge")
    texts = {(p.id, s.anchor): " ".join(s.text.lower().split()) for p in pages for s in split_sections(p)}
    path = ROOT / "evals/datasets/vagledning-heldout/questions.jsonl"
    questions = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    assert len(questions) >= 90
    assert sum(1 for q in questions if not q["gold_ids"]) >= 15
    for q in questions:
        for gold in q["gold_sections"]:
            page, _, anchor = gold.partition("#")
            assert (page, anchor) in texts, f"{q['id']}: {gold} is not a section"
            assert page in q["gold_ids"], f"{q['id']}: {gold} is not on a gold page"
            if q.get("answer"):
                phrase = " ".join(q["answer"].lower().split())
                assert phrase in texts[(page, anchor)], f"{q['id']}: answer phrase not in {gold}"
