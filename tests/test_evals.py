"""The eval harness: metrics on hand-computed examples, the `assistant eval` command on a tiny corpus with
the hash-demo embedder, calibration stored with the live index, and the project's own questions with the
real model against floors (slow)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import make_client

from assistant.cli import main
from assistant.settings import Settings, get_settings
from evals.datasets import DatasetError, load_corpus, load_questions
from evals.metrics import (
    QuestionResult,
    balanced_answer_score,
    hit_at,
    ndcg_at,
    percentile,
    reciprocal_rank,
    summarise,
)
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
    assert reciprocal_rank(ranking, ["gold"]) == pytest.approx(1 / 3)
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
            "--mode",
            "lexical",
            "--threshold",
            "1",
            "--json",
            str(out_json),
        ],
    )
    assert result.exit_code == 0, result.output
    # threshold 1 abstains on everything, so every answerable question is listed with its search text
    failures = {f["id"]: f for f in json.loads(out_json.read_text())["failures"]["lexical"]}
    assert failures["q2"]["search_text"] == "Vad behöver jag för att få visum? och hur länge får jag stanna?"
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


# Floors for the project's own questions with the packaged model, a little below what was measured
# (docs/evals.md has the measured figures and the command). A drop below them fails the build.
OWN_FLOORS = {
    "ndcg@10": 0.90,
    "hit@1": 0.85,
    "mrr@10": 0.90,
    "answered_rate": 0.80,
    "abstention_rate": 0.75,
    "answer_contains_rate": 0.72,
}


@pytest.mark.slow
def test_own_question_set_meets_floors_with_the_default_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", "all-MiniLM-L6-v2")
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "index"))
    for name in ("ASSISTANT_FUSION_WEIGHT", "ASSISTANT_ANSWER_THRESHOLD"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    out = tmp_path / "own.json"
    result = CliRunner().invoke(
        main,
        [
            "eval",
            "--corpus",
            str(ROOT / "knowledge"),
            "--questions",
            str(ROOT / "evals" / "datasets" / "vagledning"),
            "--mode",
            "all",
            "--json",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    modes = json.loads(out.read_text())["modes"]
    hybrid = modes["hybrid"]
    shortfalls = {key: hybrid[key] for key, floor in OWN_FLOORS.items() if hybrid[key] < floor}
    assert not shortfalls, f"below the floors {OWN_FLOORS}: {shortfalls}"
    assert hybrid["ndcg@10"] >= modes["lexical"]["ndcg@10"], "fusion must not be worse than lexical alone"


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
