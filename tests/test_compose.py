"""The answer composer: answer kinds, the units it picks and what it brings along, follow-ups, English,
abstaining, and the confidence model.

The end-to-end tests ingest a small guidance page with the deterministic hash-demo embedder (fast, no
model); tests/test_answers_e5.py asks the same kinds of question with the real default model."""

from __future__ import annotations

import re

import pytest

from assistant.answer_types import expected_kinds, has_kind
from assistant.compose import (
    Candidate,
    Draft,
    ExtractiveComposer,
    LinkBuilder,
    TurnContext,
    context_of,
    pick,
    prefer_specific,
    render,
)
from assistant.confidence import DEFAULT_CONFIDENCE, LEXICAL_CONFIDENCE, ConfidenceModel, Signals
from assistant.index import KnowledgeIndex
from assistant.retrieval import Hit, Searcher
from ingest.embedding import load_embedder
from ingest.pipeline import run_ingest
from ingest.publish import IndexStore
from ingest.units import Unit

PAGE = """\
---
id: aterkrav
title: Återkrav av stöd
summary: När utbetalt stöd ska krävas tillbaka.
doc_type: rutin
owner:
  unit: Ekonomienheten
  contact: ekonomi@nrv.example.se
reviewed: 2026-06-01
review_interval_months: 12
status: published
---

Rutinen beskriver när utbetalt stöd ska krävas tillbaka.

## Beslut om återkrav

Har stödmottagaren fått stöd felaktigt eller med för högt belopp ska stödet krävas tillbaka enligt 30 kap. 23 § OSL.
Belopp under 1 000 kronor återkrävs dock inte.

## Tidsfrist för återbetalning

Stödmottagaren får en betalningsfrist på 30 dagar. Under den tiden räknas ingen ränta.

## Så handläggs ett återkrav

Handläggningen sker i fyra steg:

1. Handläggaren utreder om stödet betalats ut felaktigt.
2. Stödmottagaren får yttra sig inom 14 dagar.
3. Beslutsfattaren fattar beslut om återkrav.
4. Handläggaren registrerar fordran i ekonomisystemet.

## Ränta och avgifter

| Belopp | Ränta |
|---|---|
| Under 10 000 kronor | Ingen ränta |
| 10 000 kronor eller mer | Referensränta plus 8 procentenheter |

## Tak för stöd

Stödet får vara högst 200 000 euro under tre beskattningsår. Överskrids taket får inget stöd ges.
"""


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeIndex:
    root = tmp_path_factory.mktemp("compose")
    (root / "knowledge").mkdir()
    (root / "knowledge" / "aterkrav.md").write_text(PAGE)
    store = IndexStore(root / "index")
    run_ingest(root / "knowledge", store, load_embedder("hash-demo"))
    folder = store.current_dir()
    assert folder is not None
    return KnowledgeIndex.load(folder)


def compose(
    index: KnowledgeIndex,
    question: str,
    context: TurnContext | None = None,
    language: str = "sv",
    threshold: float = 0.0,
) -> Draft:
    searcher = Searcher(index, load_embedder("hash-demo"), 0.9)
    hits = searcher.search(question, k=5)
    composer = ExtractiveComposer(threshold=threshold, confidence=LEXICAL_CONFIDENCE)
    return composer.compose(
        question, searcher.analyse(question), hits, index, searcher, LinkBuilder(), language, context
    )


def ask(index: KnowledgeIndex, question: str, context: TurnContext | None = None) -> tuple[str, list[str]]:
    draft = compose(index, question, context)
    assert draft.answered, draft.text
    return draft.text, [c.section for c in draft.citations]


def test_a_rule_comes_with_the_exception_that_follows_it(index: KnowledgeIndex) -> None:
    text, sections = ask(index, "Ska stöd som betalats ut felaktigt krävas tillbaka?")
    assert "krävas tillbaka" in text and "Belopp under 1 000 kronor återkrävs dock inte." in text
    assert sections[0] == "beslut-om-aterkrav"


def test_a_sentence_is_not_cut_at_a_chapter_reference(index: KnowledgeIndex) -> None:
    text, _ = ask(index, "Enligt vilken paragraf krävs felaktigt utbetalt stöd tillbaka?")
    assert "30 kap. 23 § OSL." in text


def test_a_sentence_that_leans_on_the_one_before_comes_with_it(index: KnowledgeIndex) -> None:
    text, sections = ask(index, "Räknas ränta under betalningsfristen?")
    assert "Under den tiden räknas ingen ränta." in text and "30 dagar" in text
    assert sections[0] == "tidsfrist-for-aterbetalning"


def test_a_ceiling_comes_with_what_happens_above_it(index: KnowledgeIndex) -> None:
    text, _ = ask(index, "Hur mycket stöd får ett företag få som mest?")
    assert "200 000 euro" in text and "får inget stöd ges" in text


def test_a_step_comes_with_its_lead_in_and_its_short_list(index: KnowledgeIndex) -> None:
    text, sections = ask(index, "Vem fattar beslut om återkrav?")
    assert "Handläggningen sker i fyra steg:" in text and "3. Beslutsfattaren fattar beslut om återkrav." in text
    assert sections[0] == "sa-handlaggs-ett-aterkrav"


def test_a_table_row_is_shown_as_a_table_under_its_header(index: KnowledgeIndex) -> None:
    text, sections = ask(index, "Vilken ränta tas ut på ett återkrav på 10 000 kronor eller mer?")
    assert "| Belopp | Ränta |" in text and "| 10 000 kronor eller mer | Referensränta plus 8 procentenheter |" in text
    assert "Belopp: " not in text  # not flattened to "Rubrik: värde; …"
    assert sections[0] == "ranta-och-avgifter"


def test_a_follow_up_gets_the_next_passage_not_the_one_already_shown(index: KnowledgeIndex) -> None:
    first, _ = ask(index, "Hur lång betalningsfrist får stödmottagaren?")
    assert "30 dagar" in first
    searcher = Searcher(index, load_embedder("hash-demo"), 0.9)
    own = searcher.analyse("och räknas det ränta då?")
    follow, _ = ask(
        index, "och räknas det ränta då? betalningsfrist stödmottagaren", TurnContext(own=own, previous_answer=first)
    )
    assert follow != first and "ränta" in follow.lower()


def test_a_question_in_english_is_answered_from_swedish_guidance_with_a_note(index: KnowledgeIndex) -> None:
    # the hash model is not multilingual: the words carry it here; tests/test_answers_e5.py asks in English
    draft = compose(index, "återkrav ränta 10 000 kronor", TurnContext(cross_lingual=True), language="en")
    assert draft.answered
    assert draft.notes == ("The guidance is written in Swedish; the quoted passages are in Swedish.",)


def test_a_question_far_from_everything_gets_no_list_of_unrelated_pages(index: KnowledgeIndex) -> None:
    draft = compose(index, "Var parkerar jag cykeln vid kontoret?", threshold=0.5)
    assert not draft.answered and draft.suggestions == ()
    assert "tar inte upp" in draft.text


def candidate(units: list[Unit], position: int, fit: float = 0.0) -> Candidate:
    return Candidate(0, position, tuple(units), "Rubrik", 0.0, fit)


def test_steps_shown_without_their_whole_list_lose_their_numbers() -> None:
    units = [Unit("Gör så här:", "lead_in", 0)] + [
        Unit(f"{n}. Steg nummer {n} i handläggningen.", "step", n) for n in range(1, 8)
    ]
    chosen = [candidate(units, 4, 1.0), *context_of(candidate(units, 4, 1.0))]
    text = render(sorted(chosen, key=lambda c: c.position), 1)
    assert text == "Gör så här:\n- Steg nummer 4 i handläggningen. [1]"
    assert not re.search(r"^\d+\.", text, re.M)


def test_a_lead_in_brings_the_items_it_announces() -> None:
    units = [
        Unit("Förskott kan lämnas om", "lead_in", 0),
        Unit("- projektägaren är ideell,", "item", 1),
        Unit("- likviditet saknas.", "item", 2),
        Unit("Annat om något helt annat.", "sentence", 3),
    ]
    chosen = pick([candidate(units, 0, 0.9), candidate(units, 1, 0.2), candidate(units, 3, 0.1)], TurnContext())
    assert sorted(c.position for c in chosen) == [0, 1, 2]


def test_expected_kinds_from_swedish_question_forms() -> None:
    assert expected_kinds("Hur lång tid har sökanden på sig att komplettera?") == ("duration",)
    assert expected_kinds("Hur mycket får ett företag?") == ("amount",)
    assert expected_kinds("Vem prövar jävsfrågan?") == ("role",)
    assert expected_kinds("Hur ansöker jag om förskott?") == ("procedure",)
    assert expected_kinds("Får en handläggare ta emot gåvor?") == ("yes_no",)
    assert expected_kinds("Vad är ERUF?") == ()
    assert expected_kinds("Hur långt är avståndet?") == ()  # "hur långt" is a distance, not a duration


def test_has_kind_finds_durations_amounts_and_roles() -> None:
    assert has_kind("Standardfristen är 14 dagar från den dag begäran skickas.", "duration")
    assert has_kind("Fristen är två veckor.", "duration")
    assert not has_kind("Fristen räknas från begäran.", "duration")
    assert has_kind("högst 300 000 euro under tre år", "amount")
    assert has_kind("Jävsfrågan prövas av gruppchefen.", "role")
    assert has_kind("Överklagandet prövas av förvaltningsrätten.", "role")
    assert not has_kind("Sökanden har rätt att överklaga.", "role")  # a right, not a role


def hit(page: str, anchor: str, score: float) -> Hit:
    return Hit(page, page, anchor, anchor, score, "", f"{page}#{anchor}:0", score, 0.5, 0.5)


def test_prefer_specific_puts_a_matching_section_before_its_page_intro() -> None:
    ordered = prefer_specific([hit("a", "", 1.0), hit("b", "x", 0.95), hit("a", "frist", 0.9)])
    assert [(h.page_id, h.anchor) for h in ordered] == [("a", "frist"), ("a", ""), ("b", "x")]
    weak = prefer_specific([hit("a", "", 1.0), hit("a", "frist", 0.5)])
    assert [h.anchor for h in weak] == ["", "frist"]


def test_confidence_model_fit_separates_answerable_from_not() -> None:
    good = [Signals(0.6 + i / 100, 15 + i, 0.0, 0.8, 0.9) for i in range(10)]
    bad = [Signals(0.4 - i / 100, 4 + i / 10, 0.4, 0.3, 0.7) for i in range(10)]
    model = ConfidenceModel.fit(good + bad, [True] * 10 + [False] * 10)
    assert min(model.score(s) for s in good) > 0.5 > max(model.score(s) for s in bad)
    assert ConfidenceModel.from_dict(model.to_dict()) == model


def test_confidence_model_refuses_foreign_signals() -> None:
    with pytest.raises(ValueError, match="calibrate"):
        ConfidenceModel.from_dict({**DEFAULT_CONFIDENCE.to_dict(), "features": ["dense"]})
    with pytest.raises(ValueError, match="both"):
        ConfidenceModel.fit([Signals(0.5, 1, 0, 0.5)] * 3, [True] * 3)


def test_a_follow_up_leads_with_its_own_words_and_takes_few_from_the_earlier_turn() -> None:
    from assistant.core import CONTEXT_WORDS, with_context

    earlier = " ".join(f"ord{i}" for i in range(200))
    text, follow_up = with_context("och vem beslutar om det?", earlier)
    assert follow_up and text.startswith("och vem beslutar om det?")
    assert text.split()[-CONTEXT_WORDS:] == [f"ord{i}" for i in range(CONTEXT_WORDS)]
    assert with_context("Vem prövar jävsfrågan när chefen är borta?", "något tidigare") == (
        "Vem prövar jävsfrågan när chefen är borta?",
        False,
    )


def test_sentences_about_the_page_are_recognised() -> None:
    from assistant.answer_types import describes_the_page

    assert describes_the_page("Rutinen beskriver när utbetalt stöd ska krävas tillbaka.")
    assert not describes_the_page("Sökanden har 14 dagar på sig att komplettera.")


def test_question_language() -> None:
    from assistant.language import question_language

    assert question_language("How long does the applicant have to complete the application?") == "en"
    assert question_language("What is the deadline?") == "en"
    assert question_language("Hur lång tid har sökanden på sig?") == "sv"
    assert question_language("Vad galler for forskott") == "sv"  # Swedish typed without å, ä, ö
    assert question_language("ERUF") == "sv"
