"""`assistant eval`: measure retrieval and answers on a corpus and a question set; optionally calibrate."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import click

from assistant.cli import progress_bar, reports_errors
from assistant.retrieval import MODES, Mode
from assistant.settings import Settings, get_settings
from evals.datasets import DatasetError, EvalQuestion, load_corpus, load_questions
from evals.report import EvalReport, write_html, write_json
from evals.run import Tuning, run_modes, store_calibration, temporary_index
from evals.run import calibrate as calibrate_tuning
from ingest.embedding import load_embedder
from ingest.publish import IndexStore, PublishError

SHOWN = ("ndcg@10", "hit@1", "hit@3", "hit@5", "mrr@10", "answered_rate", "abstention_rate", "answer_contains_rate")


@click.command("eval")
@click.option(
    "--corpus",
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="A folder of Markdown pages, or a JSONL file of {id, title, text} documents.",
)
@click.option(
    "--questions",
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="A JSONL file (or a folder of them) of {id, question, gold_ids, answer?} lines.",
)
@click.option(
    "--mode",
    type=click.Choice([*MODES, "all"]),
    default="hybrid",
    show_default=True,
    help="Retrieval mode to measure; 'all' runs every mode side by side.",
)
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), help="Write the JSON report here.")
@click.option("--html", "html_out", type=click.Path(dir_okay=False, path_type=Path), help="Write the HTML report here.")
@click.option(
    "--calibrate",
    is_flag=True,
    help="Choose the fusion weight and answer threshold on these questions and store them with the live index.",
)
@click.option(
    "--with-reviewed",
    is_flag=True,
    help="Add the eval cases reviewers made from real questions (stored in ASSISTANT_DATABASE_URL).",
)
@click.option("--fusion-weight", type=click.FloatRange(0, 1), default=None, help="Lexical share in hybrid search.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None, help="Confidence below which it abstains.")
@reports_errors
def eval_command(
    corpus: Path,
    questions: Path,
    mode: str,
    json_out: Path | None,
    html_out: Path | None,
    calibrate: bool,
    with_reviewed: bool,
    fusion_weight: float | None,
    threshold: float | None,
) -> None:
    """Measure how often the right page comes back, and how often it answers or abstains when it should.

    The corpus is published through the real ingest path into a temporary index; the live index is only
    touched by --calibrate, which republishes it with the chosen values (embeddings are reused).
    """
    settings = get_settings()
    try:
        pages, asked = load_corpus(corpus), load_questions(questions)
        if with_reviewed:
            asked = [*asked, *reviewed_cases(settings.database_url)]
    except DatasetError as err:
        raise click.ClickException(str(err)) from None
    embedder = load_embedder(settings.embedding_model)
    tuning = starting_tuning(settings, embedder.model_id, fusion_weight, threshold)
    modes: Sequence[Mode] = MODES if mode == "all" else (mode,)  # type: ignore[assignment]
    calibration, stored = None, None
    with progress_bar(enabled=True) as report, temporary_index(pages, embedder, tuning.as_settings(), report) as index:
        if calibrate:
            calibration = calibrate_tuning(index, embedder, asked, tuning, report)
            tuning = calibration.after
            stored = store_calibration(IndexStore(settings.index_dir), embedder, tuning, report)
        runs = run_modes(index, embedder, asked, modes, tuning, report)
    result = EvalReport(str(corpus), str(questions), embedder.model_id, tuning, runs, calibration, stored)
    _print_figures(result)
    if json_out:
        write_json(result, json_out)
        click.echo(f"JSON: {json_out}")
    if html_out:
        write_html(result, html_out)
        click.echo(f"HTML: {html_out}")


def reviewed_cases(database_url: str) -> list[EvalQuestion]:
    """Questions reviewers turned into eval cases (right page and section, or 'should abstain'), so every
    mistake fixed after a review stays fixed."""
    from assistant.review import export_eval_cases

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "reviewed.jsonl"
        count = export_eval_cases(database_url, path)
        click.echo(f"{count} granskade testfall från databasen.", err=True)
        return load_questions(path) if count else []


def starting_tuning(settings: Settings, model_id: str, fusion_weight: float | None, threshold: float | None) -> Tuning:
    """The values assistant.core would use now: options, then settings, then the live index's calibration
    (when it was made for the same model), then the built-in defaults."""
    stored: dict[str, object] = {}
    try:
        manifest = IndexStore(settings.index_dir).manifest()
        if manifest.get("model", {}).get("id") == model_id:
            stored = dict(manifest.get("settings") or {})
    except (PublishError, OSError, ValueError):
        stored = {}
    defaults = Tuning.of_settings(stored)
    return Tuning(
        fusion_weight=_first(fusion_weight, settings.fusion_weight, defaults.fusion_weight),
        answer_threshold=_first(threshold, settings.answer_threshold, defaults.answer_threshold),
        confidence_model=defaults.confidence_model,
    )


def _first(*values: float | None) -> float:
    return float(next(v for v in values if v is not None))


def _print_figures(result: EvalReport) -> None:
    click.echo(f"fusion_weight={result.tuning.fusion_weight} answer_threshold={result.tuning.answer_threshold}")
    click.echo("mode      " + " ".join(f"{key:>20}" for key in SHOWN))
    for run in result.runs:
        click.echo(f"{run.mode:<9} " + " ".join(f"{_fmt(run.figures.get(key)):>20}" for key in SHOWN))
    calibration = result.calibration
    if calibration:
        click.echo("")
        click.echo(
            f"Kalibrering: fusionsvikt {calibration.before.fusion_weight} -> {calibration.after.fusion_weight}, "
            f"tröskel {calibration.before.answer_threshold} -> {calibration.after.answer_threshold}"
        )
        for label, figures in (("före", calibration.before_figures), ("efter", calibration.after_figures)):
            click.echo(f"{label:<9} " + " ".join(f"{_fmt(figures.get(key)):>20}" for key in SHOWN))
        if result.stored_version:
            click.echo(f"Sparad med indexversion {result.stored_version}.")


def _fmt(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else "–"
