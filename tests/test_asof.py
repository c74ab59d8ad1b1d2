"""Validity dates and "as of": a knowledge base with the old and the new version of one rule answers each
date with the version in force then, through the API field, the Swedish phrase, and the core."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.asof import as_of_in_text, without_phrase
from assistant.settings import Settings
from ingest.embedding import load_embedder
from ingest.pipeline import run_ingest
from ingest.publish import IndexStore

RULE = """---
id: {id}
title: {title}
summary: Hur lång tid sökanden har på sig att komplettera.
doc_type: rutin
owner:
  unit: Enheten för företagsstöd
  contact: foretagsstod@nrv.example.se
reviewed: 2026-10-01
review_interval_months: 12
{validity}
status: published
---

Rutinen gäller komplettering av ansökan om företagsstöd.

## Tidsfrist för komplettering
Sökanden har {days} dagar på sig att komplettera ansökan från den dag begäran skickas.
"""
TODAY = dt.date.today()


@pytest.fixture
def two_versions(tmp_path: Path, database_url: str) -> Settings:
    knowledge = tmp_path / "kb"
    knowledge.mkdir()
    (knowledge / "komplettering-2024.md").write_text(
        RULE.format(
            id="komplettering-2024",
            title="Komplettering (till och med juni 2025)",
            days=10,
            validity="valid_to: 2025-06-30",
        )
    )
    (knowledge / "komplettering.md").write_text(
        RULE.format(
            id="komplettering",
            title="Komplettering",
            days=14,
            validity=f"valid_from: 2025-07-01\nvalid_to: {TODAY.year}-12-31",
        )
    )
    (knowledge / "komplettering-2027.md").write_text(
        RULE.format(
            id="komplettering-2027",
            title="Komplettering (från 2027)",
            days=21,
            validity=f"valid_from: {TODAY.year + 1}-01-01",
        )
    )
    settings = Settings(
        knowledge_dir=knowledge,
        index_dir=tmp_path / "index",
        database_url=database_url,
        embedding_model="hash-demo",
        answer_threshold=0.0,
        environment="development",
        auth_mode="dev",
        _env_file=None,  # type: ignore[call-arg]
    )
    run_ingest(knowledge, IndexStore(settings.index_dir), load_embedder("hash-demo"))
    return settings


def ask(client: TestClient, question: str, **extra: object) -> dict[str, object]:
    response = client.post("/api/ask", json={"question": question, **extra})
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def cited(answer: dict[str, object]) -> set[str]:
    return {c["page_id"] for c in answer["citations"]}  # type: ignore[index, union-attr]


def test_ask_each_date_cites_the_version_in_force(two_versions: Settings) -> None:
    question = "Hur lång tid har sökanden på sig att komplettera?"
    with TestClient(create_app(two_versions)) as client:
        now = ask(client, question)
        assert cited(now) == {"komplettering"} and "14 dagar" in str(now["text"])
        assert not any("gällde" in n for n in now["notes"])  # type: ignore[union-attr]
        then = ask(client, question, as_of="2025-03-01")
        assert cited(then) == {"komplettering-2024"} and "10 dagar" in str(then["text"])
        assert "1 mars 2025" in " ".join(then["notes"])  # type: ignore[arg-type]
        later = ask(client, question, as_of=f"{TODAY.year + 1}-02-01")
        assert cited(later) == {"komplettering-2027"} and "21 dagar" in str(later["text"])


def test_ask_swedish_phrase_sets_the_date(two_versions: Settings) -> None:
    with TestClient(create_app(two_versions)) as client:
        answer = ask(client, "Hur lång tid hade sökanden på sig att komplettera som det gällde den 1 mars 2025?")
    assert cited(answer) == {"komplettering-2024"}
    assert any("1 mars 2025" in n for n in answer["notes"])  # type: ignore[union-attr]


def test_ask_rejects_a_malformed_date(two_versions: Settings) -> None:
    with TestClient(create_app(two_versions)) as client:
        response = client.post("/api/ask", json={"question": "Frist?", "as_of": "1 mars"})
    assert response.status_code == 422 and "as_of" in response.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Vad var fristen som det gällde den 1 mars 2025?", dt.date(2025, 3, 1)),
        ("frist som gällde 2025-03-01", dt.date(2025, 3, 1)),
        ("Vad gällde den 1:a mars 2024 för jäv?", dt.date(2024, 3, 1)),
        ("per den 15 jan. 2026, hur lång är fristen?", dt.date(2026, 1, 15)),
        ("Vad gällde den 1 mars?", dt.date(2026, 3, 1)),  # no year: the latest 1 March up to today
        ("som det kommer att gälla den 1 januari", dt.date(2027, 1, 1)),  # future: the next 1 January
        ("Beslutet är daterat 2025-03-01, när går överklagandetiden ut?", None),  # a date about the case
        ("Hur många ansökningar per handläggare?", None),
        ("Vad gällde den 31 april 2025?", None),  # not a date
        ("Hur mycket får man söka i mars?", None),  # a month alone is not a day
    ],
)
def test_as_of_in_text_recognises_only_unambiguous_phrases(text: str, expected: dt.date | None) -> None:
    found = as_of_in_text(text, today=dt.date(2026, 12, 2))
    assert (found.day if found else None) == expected
    if found:
        assert "gäll" not in without_phrase(text, found).replace("gäller", "")


def test_exclude_stale_leaves_pages_past_review_out_of_answers(client: TestClient, settings: Settings) -> None:
    from conftest import make_client

    question = "Hur anmäler jag jäv?"
    default = ask(client, question)
    stale = [c for c in default["citations"] if c["page_id"] == "jav"]  # type: ignore[union-attr]
    assert stale and all(c["stale"] for c in stale)
    assert any("granskningsdatum" in n for n in default["notes"])  # type: ignore[union-attr]
    with make_client(settings, exclude_stale=True) as strict:
        excluded = ask(strict, question)
    assert "jav" not in cited(excluded) and "jav" not in {s["page_id"] for s in excluded["suggestions"]}  # type: ignore[union-attr]
