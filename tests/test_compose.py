"""The answer composer's parts: answer kinds, section preference, unit picking and the confidence model."""

from __future__ import annotations

import pytest

from assistant.answer_types import expected_kinds, has_kind
from assistant.compose import _Unit, pick_units, prefer_specific, units
from assistant.confidence import DEFAULT_CONFIDENCE, ConfidenceModel, Signals
from assistant.retrieval import Hit


def hit(page: str, anchor: str, score: float) -> Hit:
    return Hit(page, page, anchor, anchor, score, "", f"{page}#{anchor}:0", score, 0.5, 0.5)


def test_expected_kinds_from_swedish_question_forms() -> None:
    assert expected_kinds("Hur lång tid har sökanden på sig att komplettera?") == ("duration",)
    assert expected_kinds("hur mkt de minimis får ett företag ha") == ()  # 'mkt' is expanded in analysis, not here
    assert expected_kinds("Hur mycket får ett företag?") == ("amount",)
    assert expected_kinds("Vem prövar jävsfrågan?") == ("role",)
    assert expected_kinds("Vad är ERUF?") == ()


def test_has_kind_finds_durations_amounts_and_roles() -> None:
    assert has_kind("Standardfristen är 14 dagar från den dag begäran skickas.", "duration")
    assert has_kind("Fristen är två veckor.", "duration")
    assert not has_kind("Fristen räknas från begäran.", "duration")
    assert has_kind("högst 300 000 euro under tre år", "amount")
    assert has_kind("Jävsfrågan prövas av gruppchefen.", "role")


def test_prefer_specific_puts_a_matching_section_before_its_page_intro() -> None:
    ordered = prefer_specific([hit("a", "", 1.0), hit("b", "x", 0.95), hit("a", "frist", 0.9)])
    assert [(h.page_id, h.anchor) for h in ordered] == [("a", "frist"), ("a", ""), ("b", "x")]
    weak = prefer_specific([hit("a", "", 1.0), hit("a", "frist", 0.5)])
    assert [h.anchor for h in weak] == ["", "frist"]


def test_units_keep_list_items_whole_and_split_prose() -> None:
    text = "Förskott kan lämnas om\n1. projektägaren är ideell,\n2. likviditet saknas. Första meningen. Andra."
    assert units(text) == [
        "Förskott kan lämnas om",
        "1. projektägaren är ideell,",
        "2. likviditet saknas. Första meningen. Andra.",
    ]
    assert units("Ett. Två stycken här.") == ["Ett.", "Två stycken här."]


def test_pick_units_brings_the_items_a_lead_in_announces() -> None:
    parts = ["Förskott kan lämnas om", "1. projektägaren är ideell,", "2. likviditet saknas.", "Annat."]
    candidates = [
        _Unit(0, i, t, fit, parts) for i, (t, fit) in enumerate(zip(parts, (0.9, 0.2, 0.2, 0.1), strict=True))
    ]
    assert [u.position for u in sorted(pick_units(candidates), key=lambda u: u.position)] == [0, 1, 2]


def test_confidence_model_fit_separates_answerable_from_not() -> None:
    good = [Signals(0.6 + i / 100, 15 + i, 0.0, 0.8) for i in range(10)]
    bad = [Signals(0.4 - i / 100, 4 + i / 10, 0.4, 0.3) for i in range(10)]
    model = ConfidenceModel.fit(good + bad, [True] * 10 + [False] * 10)
    assert min(model.score(s) for s in good) > 0.5 > max(model.score(s) for s in bad)
    assert ConfidenceModel.from_dict(model.to_dict()) == model


def test_confidence_model_refuses_foreign_signals() -> None:
    with pytest.raises(ValueError, match="calibrate"):
        ConfidenceModel.from_dict({**DEFAULT_CONFIDENCE.to_dict(), "features": ["dense"]})
    with pytest.raises(ValueError, match="both"):
        ConfidenceModel.fit([Signals(0.5, 1, 0, 0.5)] * 3, [True] * 3)


def test_with_context_carries_only_the_end_of_a_long_conversation() -> None:
    from assistant.core import CONTEXT_WORDS, with_context

    text, follow_up = with_context("och om det är ett aktiebolag?", " ".join(f"ord{i}" for i in range(200)))
    assert follow_up and text.split()[0] == f"ord{200 - CONTEXT_WORDS}"
    assert with_context("Vem prövar jävsfrågan när chefen är borta?", "något tidigare") == (
        "Vem prövar jävsfrågan när chefen är borta?",
        False,
    )


def test_sentences_about_the_page_are_recognised() -> None:
    from assistant.answer_types import describes_the_page

    assert describes_the_page("Rutinen beskriver när utbetalt stöd ska krävas tillbaka.")
    assert describes_the_page("Den här sidan beskriver när du är jävig.")
    assert not describes_the_page("Sökanden har 14 dagar på sig att komplettera.")


def test_an_item_is_read_with_its_short_list() -> None:
    parts = ["Så gör du:", "1. Registrera begäran.", "2. Kontrollera identiteten.", "3. Svara inom en månad."]
    candidates = [
        _Unit(0, i, t, fit, parts) for i, (t, fit) in enumerate(zip(parts, (0.1, 0.2, 0.2, 0.9), strict=True))
    ]
    assert sorted(u.position for u in pick_units(candidates)) == [0, 1, 2, 3]
