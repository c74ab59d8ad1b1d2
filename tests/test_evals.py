"""The eval harness: metrics on hand-computed examples, the `assistant eval` command on a tiny corpus with
the hash-demo embedder, calibration stored with the live index, and the project's own questions with the
real model against floors (slow)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import make_client
from fastapi.testclient import TestClient

from assistant.cli import main
from assistant.compose import DEFAULT_THRESHOLD
from assistant.confidence import DEFAULT_CONFIDENCE, ConfidenceModel
from assistant.core import Assistant, build_assistant
from assistant.retrieval import DEFAULT_FUSION_WEIGHT
from assistant.settings import Settings, get_settings
from assistant.tuning import Tuning
from evals.datasets import DatasetError, EvalQuestion, load_corpus, load_questions
from evals.metrics import (
    ANSWER_KEYS,
    FactSection,
    QuestionResult,
    balanced_answer_score,
    hit_at,
    ndcg_at,
    percentile,
    reciprocal_rank,
    summarise,
)
from evals.report import highlighted
from evals.run import ask_all, eval_assistant, run_questions, temporary_index
from ingest.embedding import load_embedder
from ingest.pipeline import run_ingest
from ingest.publish import IndexStore

ROOT = Path(__file__).resolve().parent.parent

DOCUMENTS = [
    {
        "id": "visum",
        "title": "Visum för besök",
        "text": "Ett visum är ett tillstånd att resa in och vistas i Sverige en kortare tid. "
        "Du behöver en inbjudan och en sjukförsäkring.",
    },
    {
        "id": "arbetstillstand",
        "title": "Arbetstillstånd",
        "text": "För att få arbetstillstånd behöver du ett erbjudande om anställning med lön "
        "på minst 13 000 kronor i månaden.",
    },
    {
        "id": "elsakerhet",
        "title": "Elinstallationer",
        "text": "Elinstallationsarbete får bara utföras av den som har auktorisation från Elsäkerhetsverket.",
    },
    {
        "id": "naturvard",
        "title": "Strandskydd",
        "text": "Strandskyddet gäller 100 meter från strandlinjen vid hav, sjöar och vattendrag.",
    },
]
QUESTIONS = [
    {"id": "q1", "question": "Vad behöver jag för att få visum?", "gold_ids": ["visum"], "answer": "inbjudan"},
    {"id": "q2", "question": "och hur länge får jag stanna?", "gold_ids": ["visum"], "follow_up_of": "q1"},
    {
        "id": "q3",
        "question": "Hur hög lön krävs för arbetstillstånd?",
        "gold_ids": ["arbetstillstand"],
        "split": "dev",
        "reviewer": "extra keys are ignored",
    },
    {"id": "q4", "question": "Vem får utföra elinstallationsarbete?", "gold_ids": ["elsakerhet"]},
    {"id": "q5", "question": "Hur många semesterdagar har en nyanställd?", "gold_ids": []},
]


def _result(
    ranking: tuple[str, ...],
    gold: tuple[str, ...],
    answered: bool = True,
    confidence: float = 0.5,
    answer_text: str = "",
    phrase: str | None = None,
    ms: float = 10.0,
) -> QuestionResult:
    return QuestionResult(
        question_id="q",
        question="?",
        search_text="?",
        gold_ids=gold,
        ranking=ranking,
        answered=answered,
        confidence=confidence,
        answer_text=answer_text,
        cited=ranking[:1],
        expected_phrase=phrase,
        retrieval_ms=ms,
        answer_ms=ms * 2,
    )


def _write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A four-document corpus and five questions, with the deterministic embedder and a private index dir."""
    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", "hash-demo")
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.delenv("ASSISTANT_FUSION_WEIGHT", raising=False)
    monkeypatch.delenv("ASSISTANT_ANSWER_THRESHOLD", raising=False)
    get_settings.cache_clear()
    return _write_jsonl(tmp_path / "corpus.jsonl", DOCUMENTS), _write_jsonl(tmp_path / "questions.jsonl", QUESTIONS)


def test_ndcg_matches_hand_computation() -> None:
    assert ndcg_at(["a", "b", "c"], ["a"]) == 1.0
    assert ndcg_at(["a", "b", "c"], ["b"]) == pytest.approx(1 / math.log2(3))
    # two gold pages, one found at rank 2: DCG 1/log2(3) over the ideal 1 + 1/log2(3)
    assert ndcg_at(["x", "b", "c"], ["b", "d"]) == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3)))
    assert ndcg_at(["x"] * 10 + ["a"], ["a"]) == 0.0  # rank 11 is outside the cut-off


def test_hit_and_reciprocal_rank_count_first_gold_page() -> None:
    ranking = ["x", "y", "gold", "z"]
    assert [hit_at(ranking, ["gold"], k) for k in (1, 3, 5)] == [0.0, 1.0, 1.0]
    assert reciprocal_rank(ranking, ["gold"]) == pytest.approx(1 / 3, abs=1e-3)
    assert reciprocal_rank(ranking, ["missing"]) == 0.0


def test_summarise_rates_split_answerable_and_unanswerable() -> None:
    results = [
        _result(("a", "b"), ("a",), answered=True, answer_text="Sökanden har 14 dagar.", phrase="14  DAGAR"),
        _result(("b", "a"), ("a",), answered=False, phrase="30 dagar"),
        _result(("c",), (), answered=False),
        _result(("c",), (), answered=True),
    ]
    figures = summarise(results)
    assert figures["hit@1"] == 0.5
    assert figures["mrr@10"] == 0.75
    assert figures["answered_rate"] == 0.5
    assert figures["abstention_rate"] == 0.5
    assert figures["answer_contains_rate"] == 1.0  # only answered questions count; case and spaces ignored
    assert figures["latency_ms"] == {
        "retrieval_p50": 10.0,
        "retrieval_p95": 10.0,
        "answer_p50": 20.0,
        "answer_p95": 20.0,
    }


def test_summarise_without_unanswerable_questions_reports_none() -> None:
    assert summarise([_result(("a",), ("a",))])["abstention_rate"] is None


def test_percentile_interpolates() -> None:
    assert percentile([10, 20, 30, 40], 50) == 25.0
    assert percentile([], 95) is None


def test_balanced_answer_score_rewards_separating_right_from_wrong() -> None:
    results = [
        _result(("a",), ("a",), confidence=0.8),  # right page first: should answer
        _result(("b",), ("a",), confidence=0.3),  # wrong page first: should abstain
        _result(("c",), (), confidence=0.2),  # unanswerable: should abstain
    ]
    assert balanced_answer_score(results, 0.5) == 1.0
    assert balanced_answer_score(results, 0.9) == 0.5  # abstains on everything
    assert balanced_answer_score(results, 0.1) == 0.5  # answers everything


def test_load_questions_accepts_extra_keys_and_folders(tmp_path: Path) -> None:
    folder = tmp_path / "set"
    folder.mkdir()
    _write_jsonl(folder / "a.jsonl", QUESTIONS[:2])
    _write_jsonl(folder / "b.jsonl", QUESTIONS[2:])
    questions = load_questions(folder)
    assert [q.id for q in questions] == ["q1", "q2", "q3", "q4", "q5"]
    assert questions[1].follow_up_of == "q1"
    assert not questions[4].answerable


def test_load_questions_names_file_and_line_of_a_bad_follow_up(tmp_path: Path) -> None:
    path = _write_jsonl(
        tmp_path / "q.jsonl", [{"id": "x", "question": "och sen?", "gold_ids": [], "follow_up_of": "nowhere"}]
    )
    with pytest.raises(DatasetError, match=r"q\.jsonl:1: follow_up_of 'nowhere'"):
        load_questions(path)


def test_load_corpus_turns_documents_into_pages(tmp_path: Path) -> None:
    pages = load_corpus(_write_jsonl(tmp_path / "c.jsonl", DOCUMENTS))
    assert [p.id for p in pages] == ["visum", "arbetstillstand", "elsakerhet", "naturvard"]
    assert pages[0].title == "Visum för besök"


def test_eval_command_writes_json_with_every_mode_and_html_with_charts(tiny: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, questions = tiny
    out_json, out_html = tmp_path / "out" / "report.json", tmp_path / "out" / "report.html"
    result = CliRunner().invoke(
        main,
        [
            "eval",
            "--corpus",
            str(corpus),
            "--questions",
            str(questions),
            "--mode",
            "all",
            "--json",
            str(out_json),
            "--html",
            str(out_html),
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out_json.read_text())
    assert list(report["modes"]) == ["lexical", "dense", "hybrid"]
    for figures in report["modes"].values():
        for key in (
            "ndcg@10",
            "hit@1",
            "hit@3",
            "hit@5",
            "mrr@10",
            "answered_rate",
            "abstention_rate",
            "answer_contains_rate",
            "latency_ms",
        ):
            assert key in figures
        assert figures["answerable"] == 4 and figures["unanswerable"] == 1
    assert report["modes"]["lexical"]["hit@1"] == 1.0  # the words of each question are in its document
    html = out_html.read_text()
    assert html.count("<svg") >= 2 and "<script" not in html
    assert "Misslyckade frågor" in html


def test_eval_command_searches_a_follow_up_with_the_previous_question(tiny: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, questions = tiny
    out_json = tmp_path / "report.json"
    result = CliRunner().invoke(
        main,
        [
            "eval",
            "--corpus",
            str(corpus),
            "--questions",
            str(questions),
            "--threshold",
            "1",
            "--json",
            str(out_json),
        ],
    )
    assert result.exit_code == 0, result.output
    # threshold 1 abstains on everything, so every answerable question is listed with its search text
    failures = {f["id"]: f for f in json.loads(out_json.read_text())["failures"]["hybrid"]}
    assert "visum" in failures["q2"]["search_text"].lower()  # the earlier turn's subject fills in the follow-up
    assert failures["q3"]["search_text"] == "Hur hög lön krävs för arbetstillstånd?"


def test_eval_command_reports_a_bad_question_file(tiny: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, _ = tiny
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "x", "question": "?", "gold_ids": "visum"}\n')
    result = CliRunner().invoke(main, ["eval", "--corpus", str(corpus), "--questions", str(broken)])
    assert result.exit_code == 1
    assert "broken.jsonl:1: 'gold_ids' must be a list" in result.output


def test_calibrate_stores_chosen_values_with_the_live_index(tiny: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, questions = tiny
    store = IndexStore(tmp_path / "index")
    pages = load_corpus(corpus)
    live_dir = tmp_path / "live"
    live_dir.mkdir()
    for page in DOCUMENTS:  # the live index holds the same guidance, as Markdown pages
        (live_dir / f"{page['id']}.md").write_text(
            f"---\nid: {page['id']}\ntitle: {page['title']}\nsummary: s\ndoc_type: riktlinje\n"
            "owner: {unit: U, contact: u@example.se}\nreviewed: 2026-01-01\nreview_interval_months: 12\n---\n\n"
            f"{page['text']}\n"
        )
    run_ingest(live_dir, store, load_embedder("hash-demo"))
    before = store.current_version()
    assert len(pages) == 4

    result = CliRunner().invoke(
        main,
        [
            "eval",
            "--calibrate",
            "--corpus",
            str(live_dir),
            "--questions",
            str(questions),
            "--json",
            str(tmp_path / "cal.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Kalibrering: fusionsvikt" in result.output
    manifest = store.manifest()
    assert store.current_version() != before
    assert manifest["counts"]["embedded"] == 0  # republished with the embeddings it had
    calibration = json.loads((tmp_path / "cal.json").read_text())["calibration"]
    assert manifest["settings"] == {
        "fusion_weight": calibration["after"]["fusion_weight"],
        "answer_threshold": calibration["after"]["answer_threshold"],
    }
    assert calibration["after"]["ndcg@10"] >= calibration["before"]["ndcg@10"]


def test_calibrate_without_a_live_index_says_what_to_do(tiny: tuple[Path, Path]) -> None:
    corpus, questions = tiny
    result = CliRunner().invoke(main, ["eval", "--calibrate", "--corpus", str(corpus), "--questions", str(questions)])
    assert result.exit_code == 1
    assert "run 'assistant ingest' first" in result.output


# Floors with the default model (multilingual-e5-small) and the shipped defaults, a little below what was
# measured on 3 December 2026 (docs/evals.md has the figures and the command): tuning set and held-out set.
# A drop below them fails the build; the held-out floor is what new questions get.
FLOORS = {
    "vagledning": {
        "ndcg@10": 0.88,
        "hit@1": 0.82,
        "answered_rate": 0.64,
        "abstention_rate": 0.80,
        "answered_with_fact_rate": 0.47,
        "follow_up_correct_rate": 0.50,
        "english_hit@5": 0.74,
    },
    "vagledning-heldout": {
        "ndcg@10": 0.85,
        "hit@1": 0.72,
        "answered_rate": 0.60,
        "abstention_rate": 0.80,
        "answered_with_fact_rate": 0.45,
        "english_hit@5": 0.85,
    },
}


@pytest.mark.slow
def test_tuning_and_held_out_sets_meet_floors_with_the_default_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, e5_store: IndexStore
) -> None:
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(e5_store.root))  # the eval reuses its embeddings
    for name in ("ASSISTANT_EMBEDDING_MODEL", "ASSISTANT_FUSION_WEIGHT", "ASSISTANT_ANSWER_THRESHOLD"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    out = tmp_path / "own.json"
    sets = [ROOT / "evals" / "datasets" / name for name in FLOORS]
    args = ["eval", "--corpus", str(ROOT / "knowledge"), "--mode", "all", "--json", str(out)]
    result = CliRunner().invoke(main, [*args, *(a for s in sets for a in ("--questions", str(s)))])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    by_set = {Path(entry["questions"]).name: entry["modes"] for entry in report["question_sets"]}
    for name, floors in FLOORS.items():
        hybrid = by_set[name]["hybrid"]
        shortfalls = {key: hybrid[key] for key, floor in floors.items() if hybrid[key] < floor}
        assert not shortfalls, f"{name} below the floors {floors}: {shortfalls}"
        assert hybrid["ndcg@10"] >= by_set[name]["lexical"]["ndcg@10"], "fusion must not be worse than lexical alone"


def test_eval_with_reviewed_adds_cases_reviewers_made(
    settings: Settings, published: IndexStore, knowledge_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead = make_client(settings, dev_role="quality_lead")
    made = lead.post("/api/review/eval-cases", json={"question": "Vem prövar jäv?", "targets": ["jav#anmalan-av-jav"]})
    assert made.status_code == 201, made.text
    questions = tmp_path / "egna.jsonl"
    questions.write_text('{"id": "q1", "question": "Hur begär jag komplettering?", "gold_ids": ["komplettering"]}\n')
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", "hash-demo")
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "ingen"))
    out = tmp_path / "report.json"
    args = ["eval", "--corpus", str(knowledge_dir), "--questions", str(questions), "--json", str(out)]
    result = CliRunner().invoke(main, [*args, "--with-reviewed"])
    assert result.exit_code == 0, result.output
    assert "1 granskade testfall" in result.output
    assert json.loads(out.read_text())["modes"]["hybrid"]["answerable"] == 2


# --- one tuning object ----------------------------------------------------------------------------------


def test_tuning_resolves_setting_then_calibration_then_default() -> None:
    stored = {"fusion_weight": 0.3, "answer_threshold": 0.6, "confidence_model": FITTED.to_dict()}
    assert Tuning.resolve(None, {}) == Tuning(DEFAULT_FUSION_WEIGHT, DEFAULT_THRESHOLD, DEFAULT_CONFIDENCE)
    assert Tuning.resolve(None, {}, "hash-demo") == Tuning.defaults("hash-demo")  # another model: lexical only
    assert Tuning.defaults("hash-demo").confidence.features == ("lexical", "unknown", "coverage")
    assert Tuning.resolve(None, stored) == Tuning(0.3, 0.6, FITTED)
    overrides = Settings(fusion_weight=0.7, _env_file=None)  # type: ignore[call-arg]
    assert Tuning.resolve(overrides, stored) == Tuning(0.7, 0.6, FITTED)
    assert Tuning(0.3, 0.6, FITTED).as_calibration() == stored


def test_service_answers_with_the_tuning_resolved_for_its_index(
    settings: Settings, knowledge_dir: Path, index_dir: Path
) -> None:
    store = IndexStore(index_dir)
    calibrated = replace(Tuning.defaults("hash-demo"), fusion_weight=0.35, answer_threshold=0.5, confidence=FITTED)
    run_ingest(knowledge_dir, store, load_embedder("hash-demo"), settings=calibrated.as_calibration("hash-demo"))
    assistant = build_assistant(settings.model_copy(update={"answer_threshold": None}), with_storage=False)
    assert assistant.searcher().fusion_weight == 0.35
    assert assistant.tuning_for(assistant.indexes.get()) == calibrated
    overridden = build_assistant(settings.model_copy(update={"fusion_weight": 0.8}), with_storage=False)
    assert overridden.searcher().fusion_weight == 0.8
    assert overridden.tuning_for(overridden.indexes.get()).answer_threshold == settings.answer_threshold


FITTED = ConfidenceModel(
    weights=(1.0, 0.5, -1.0, 0.5, 0.5), means=(0.5, 10.0, 0.1, 0.5, 0.5), scales=(0.1, 5, 0.2, 0.2, 0.1), bias=0.1
)


# --- the eval answers through Assistant.answer ------------------------------------------------------------


@pytest.fixture
def eval_on_fixture(settings: Settings, knowledge_dir: Path) -> Iterator[Assistant]:
    """The eval's assistant over the fixture knowledge, with the settings the API test app uses."""
    embedder = load_embedder("hash-demo")
    tuning = Tuning.resolve(settings, {}, embedder.model_id)
    with temporary_index(load_corpus(knowledge_dir), embedder, tuning.as_calibration(embedder.model_id)) as root:
        yield eval_assistant(settings, root, embedder, tuning)


FIXTURE_QUESTIONS = [
    EvalQuestion("a", "Hur snabbt måste jag anmäla jäv?", ("jav",)),
    EvalQuestion("b", "och vem beslutar om det?", ("jav",), follow_up_of="a"),
    EvalQuestion("c", "Hur begär jag komplettering av en ansökan?", ("komplettering",)),
]


def test_eval_answer_equals_the_api_answer(client: TestClient, eval_on_fixture: Assistant) -> None:
    asked = ask_all(eval_on_fixture, FIXTURE_QUESTIONS)
    conversations: dict[str, str] = {}
    for item in asked:
        question = item.question
        body = {"question": question.question, "conversation_id": conversations.get(question.follow_up_of or "")}
        api = client.post("/api/ask", json=body)
        assert api.status_code == 200, api.text
        conversations[question.id] = api.json()["conversation_id"]
        got = item.answer.to_dict()
        assert "trace" not in got and "trace" not in api.json()  # how it was made stays out of the API
        for key in ("answered", "text", "confidence", "citations", "suggestions", "follow_up"):
            assert got[key] == api.json()[key], (question.id, key)
    assert asked[1].answer.follow_up  # the follow-up was asked in its earlier question's conversation
    assert any(item.answer.answered for item in asked)


def test_eval_answers_are_the_products_redacted_and_in_the_questions_language(eval_on_fixture: Assistant) -> None:
    questions = [
        EvalQuestion("sv", "Jag heter Anna, 19121212-1212, hur anmäler jag jäv?", ("jav",)),
        EvalQuestion("en", "How do I report a conflict of interest?", ("jav",), language="en"),
    ]
    swedish, english = ask_all(eval_on_fixture, questions)
    assert "19121212" not in swedish.search_text and swedish.answer.redacted
    assert english.answer.language == "en"
    result = run_questions(eval_on_fixture, questions)[1]
    assert result.language == "en" and result.ranking


def test_eval_measures_the_llm_composer_when_one_is_configured(settings: Settings, knowledge_dir: Path) -> None:
    """The generative composer is the product's too: the eval's answer is the model's text, checked and cited
    as in the API (the chat server is a local stand-in speaking the OpenAI protocol; no model runs here)."""
    from test_llm import ChatServer

    chat = ChatServer()
    chat.reply = "Sökanden har 14 dagar på sig att komplettera [1]."
    try:
        with_llm = settings.model_copy(update={"llm_base_url": chat.url, "llm_timeout_seconds": 5.0})
        embedder = load_embedder("hash-demo")
        tuning = Tuning.resolve(with_llm, {}, embedder.model_id)
        with temporary_index(load_corpus(knowledge_dir), embedder, tuning.as_calibration(embedder.model_id)) as root:
            assistant = eval_assistant(with_llm, root, embedder, tuning)
            question = EvalQuestion("k", "Hur lång tid har sökanden på sig att komplettera?", ("komplettering",))
            [item] = ask_all(assistant, [question])
            [result] = run_questions(assistant, [replace(question, answer="14 dagar")])
    finally:
        chat.httpd.shutdown()
    assert item.answer.generator == "llm" and item.answer.text == chat.reply
    assert result.answer_text == chat.reply and result.answered_with_fact
    assert len(chat.requests) == 2


def test_load_questions_reads_language_and_names_a_bad_one(tmp_path: Path) -> None:
    good = _write_jsonl(
        tmp_path / "en.jsonl", [{"id": "e", "question": "Who decides?", "gold_ids": [], "language": "en"}]
    )
    assert load_questions(good)[0].language == "en"
    bad = _write_jsonl(tmp_path / "bad.jsonl", [{"id": "x", "question": "?", "gold_ids": [], "language": "de"}])
    with pytest.raises(DatasetError, match=r"bad\.jsonl:1: 'language' must be one of sv, en"):
        load_questions(bad)


# --- metrics --------------------------------------------------------------------------------------------


def test_answered_with_fact_counts_answered_questions_holding_the_phrase() -> None:
    results = [
        _result(("a",), ("a",), answer_text="Anmäl  jäv SENAST samma arbetsdag.", phrase="senast samma arbetsdag"),
        _result(("a",), ("a",), answer_text="Anmäl jäv till chefen.", phrase="senast samma arbetsdag"),
        _result(("a",), ("a",), answered=False, phrase="14 dagar"),
        _result(("a",), ("a",), answer_text="Utan uttryck att hålla."),  # no phrase: not counted
    ]
    figures = summarise(results)
    assert figures["answered_with_fact_rate"] == pytest.approx(1 / 3, abs=1e-3)
    assert figures["answer_contains_rate"] == 0.5  # only answered questions count there


def test_answered_correct_needs_gold_page_cited_first_and_the_phrase() -> None:
    right = _result(("a",), ("a",), answer_text="Senast samma arbetsdag.", phrase="samma arbetsdag")
    no_fact = _result(("a",), ("a",), answer_text="Anmäl jäv.", phrase="samma arbetsdag")
    wrong_page = _result(("b", "a"), ("a",), answer_text="Senast samma arbetsdag.", phrase="samma arbetsdag")
    no_phrase = _result(("a",), ("a",), answer_text="Anmäl jäv.")
    assert [r.answered_correct for r in (right, no_fact, wrong_page, no_phrase)] == [True, False, False, True]
    assert summarise([right, no_fact, wrong_page, no_phrase])["answered_correct_rate"] == 0.5


def test_summarise_gives_follow_up_and_english_figures() -> None:
    follow_right = replace(_result(("a",), ("a",), answer_text="x"), follow_up=True)
    follow_repeat = replace(_result(("b",), ("a",), answer_text="x"), follow_up=True)
    follow_abstain = replace(_result(("c",), (), answered=False), follow_up=True)
    english_hit = replace(_result(("x", "a"), ("a",), answer_text="Inom 14 dagar.", phrase="14 dagar"), language="en")
    english_miss = replace(_result(("x",) * 5 + ("a",), ("a",), answered=False, phrase="1 år"), language="en")
    figures = summarise([follow_right, follow_repeat, follow_abstain, english_hit, english_miss])
    assert figures["follow_up_questions"] == 3
    assert figures["follow_up_correct_rate"] == pytest.approx(
        2 / 3, abs=1e-3
    )  # an unanswerable follow-up is right to abstain
    assert figures["english_questions"] == 2
    assert figures["english_hit@5"] == 0.5
    assert figures["english_answered_with_fact_rate"] == 0.5


def test_retrieval_only_modes_give_no_answer_figures() -> None:
    figures = summarise([_result(("a",), ("a",), answer_text="x")], answers=False)
    assert figures["hit@1"] == 1.0
    assert all(figures[key] is None for key in ANSWER_KEYS)


# --- the command ----------------------------------------------------------------------------------------


def test_eval_command_prints_and_reports_question_sets_side_by_side(tiny: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, questions = tiny
    held_out = _write_jsonl(
        tmp_path / "heldout.jsonl",
        [
            {
                "id": "h1",
                "question": "Who may do electrical installation work?",
                "gold_ids": ["elsakerhet"],
                "language": "en",
            },
            {"id": "h2", "question": "och vad krävs då?", "gold_ids": ["elsakerhet"], "follow_up_of": "h1"},
        ],
    )
    out = tmp_path / "both.json"
    args = ["eval", "--corpus", str(corpus), "--questions", str(questions), "--questions", str(held_out)]
    result = CliRunner().invoke(main, [*args, "--json", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert ["questions", "heldout"] in [line.split() for line in lines]  # the sets' names over their columns
    assert any(line.split()[:3] == ["questions", "5", "2"] for line in lines)
    for key in ("answered_with_fact_rate", "follow_up_correct_rate", "english_hit@5"):
        assert any(line.startswith(key) for line in result.output.splitlines()), key
    report = json.loads(out.read_text())
    assert report["modes"]["hybrid"]["questions"] == 5  # the top level is the first set, as with one set
    sets = report["question_sets"]
    assert [s["questions"] for s in sets] == [str(questions), str(held_out)]
    held = sets[1]["modes"]["hybrid"]
    assert held["english_questions"] == 1 and held["follow_up_questions"] == 1
    assert held["english_hit@5"] is not None


def test_html_report_shows_answer_next_to_the_section_holding_the_fact(tiny: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, questions = tiny
    out_html, out_json = tmp_path / "r.html", tmp_path / "r.json"
    args = ["eval", "--corpus", str(corpus), "--questions", str(questions), "--threshold", "1"]
    result = CliRunner().invoke(main, [*args, "--html", str(out_html), "--json", str(out_json)])
    assert result.exit_code == 0, result.output
    failed = {f["id"]: f for f in json.loads(out_json.read_text())["failures"]["hybrid"]}
    assert failed["q1"]["fact_section"] == "visum#" and "inbjudan" in failed["q1"]["fact_text"]
    html = out_html.read_text()
    assert "Vad behöver jag för att få visum?" in html
    assert "Du behöver en <mark>inbjudan</mark> och en sjukförsäkring." in html


def test_highlighted_marks_the_phrase_across_case_and_line_breaks() -> None:
    fact = FactSection("p#a", "Rubrik", "Beslut <fattas> senast\nsamma Arbetsdag, senast samma arbetsdag.")
    shown = str(highlighted(fact, "senast samma arbetsdag"))
    assert shown.count("<mark>") == 2
    assert "&lt;fattas&gt; <mark>senast\nsamma Arbetsdag</mark>" in shown


def test_calibrate_refuses_a_corpus_that_is_not_the_live_knowledge(tiny: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, questions = tiny
    store = IndexStore(tmp_path / "index")
    other = load_corpus(corpus)[:2]
    live = tmp_path / "live"
    live.mkdir()
    for page in other:
        (live / f"{page.id}.md").write_text(
            f"---\nid: {page.id}\ntitle: {page.title}\nsummary: s\ndoc_type: riktlinje\n"
            "owner: {unit: U, contact: u@example.se}\nreviewed: 2026-01-01\nreview_interval_months: 12\n---\n\n"
            f"{page.body}\n"
        )
    run_ingest(live, store, load_embedder("hash-demo"))
    before = store.current_version()
    result = CliRunner().invoke(main, ["eval", "--calibrate", "--corpus", str(corpus), "--questions", str(questions)])
    assert result.exit_code == 1
    message = result.output.strip().splitlines()[-1]
    assert "--calibrate needs the live knowledge as --corpus" in message and "differs from the live index" in message
    assert store.current_version() == before


@pytest.mark.browser
def test_html_report_in_chromium_puts_the_answer_beside_the_marked_fact(
    tiny: tuple[Path, Path], tmp_path: Path, browser: Any
) -> None:
    corpus, questions = tiny
    out_html = tmp_path / "r.html"
    args = ["eval", "--corpus", str(corpus), "--questions", str(questions), "--threshold", "1"]
    assert CliRunner().invoke(main, [*args, "--html", str(out_html)]).exit_code == 0
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(out_html.as_uri())
    card = page.locator("article.failure", has_text="Vad behöver jag för att få visum?")
    answer, fact = card.locator(".pair > div").nth(0), card.locator(".pair > div").nth(1)
    a, f = answer.bounding_box(), fact.bounding_box()
    assert a and f and abs(a["y"] - f["y"]) < 2 and f["x"] > a["x"] + a["width"] - 1  # side by side
    assert card.locator("mark").inner_text() == "inbjudan"
    assert card.locator("mark").is_visible()
    page.close()
