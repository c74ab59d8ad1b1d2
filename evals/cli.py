"""`assistant eval`: measure retrieval and answers on a corpus and question sets; optionally calibrate."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import click

from assistant.cli import progress_bar, reports_errors
from assistant.retrieval import MODES, Mode
from assistant.settings import Settings, get_settings
from assistant.tuning import Tuning
from evals.datasets import DatasetError, EvalQuestion, load_corpus, load_questions
from evals.report import QUALITY_KEYS, EvalReport, QuestionSetRun, write_html, write_json
from evals.run import calibrate as calibrate_tuning
from evals.run import (
    differing_pages,
    eval_assistant,
    live_index,
    run_modes,
    store_calibration,
    temporary_index,
    with_tuning,
)
from ingest.embedding import Embedder
from ingest.pages import Page
from ingest.publish import IndexStore, PublishError

SHOWN = QUALITY_KEYS  # the figures printed are the ones the report shows
COUNTS = ("questions", "answerable", "unanswerable", "follow_up_questions", "english_questions")


@click.command("eval")
@click.option(
    "--corpus",
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="A folder of Markdown pages, or a JSONL file of {id, title, text} documents.",
)
@click.option(
    "--questions",
    "question_paths",
    required=True,
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="A JSONL file (or a folder of them) of {id, question, gold_ids, answer?} lines. Give it more than "
    "once to measure several sets side by side (--calibrate tunes on the first).",
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
    help="Choose the fusion weight and answer threshold on the (first) question set and store them with the "
    "live index; the corpus must be the live knowledge.",
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
    question_paths: tuple[Path, ...],
    mode: str,
    json_out: Path | None,
    html_out: Path | None,
    calibrate: bool,
    with_reviewed: bool,
    fusion_weight: float | None,
    threshold: float | None,
) -> None:
    """Measure how often the right page comes back, and how often it answers or abstains when it should.

    Every question is answered by Assistant.answer, the path the API takes, over the corpus published
    through the real ingest path into a temporary index. The live index is only touched by --calibrate,
    which republishes it with the chosen values (embeddings are reused).
    """
    settings = with_overrides(get_settings(), fusion_weight, threshold)
    try:
        pages = load_corpus(corpus)
        sets = [load_questions(path) for path in question_paths]
        if with_reviewed:
            sets[0] = [*sets[0], *reviewed_cases(settings.database_url)]
    except DatasetError as err:
        raise click.ClickException(str(err)) from None
    embedder = settings.embedder()
    store = IndexStore(settings.index_dir)
    if calibrate:
        refuse_other_corpus(corpus, pages, store, embedder)
    tuning = starting_tuning(settings, embedder.model_id)
    modes: Sequence[Mode] = MODES if mode == "all" else (mode,)  # type: ignore[assignment]
    calibration, stored, measured = None, None, []
    with (
        progress_bar(enabled=True) as report,
        temporary_index(
            pages, embedder, tuning.as_calibration(embedder.model_id), report, IndexStore(settings.index_dir)
        ) as root,
    ):
        assistant = eval_assistant(settings, root, embedder, tuning)
        if calibrate:
            calibration = calibrate_tuning(assistant, sets[0], tuning, report)
            tuning = calibration.after
            stored = store_calibration(store, embedder, tuning, report)
            assistant = with_tuning(assistant, tuning)
        for path, asked in zip(question_paths, sets, strict=True):
            runs = run_modes(assistant, asked, modes, report, stage=f"Frågor ({set_name(path)})")
            measured.append(QuestionSetRun(str(path), runs))
    result = EvalReport(str(corpus), measured, embedder.model_id, tuning, calibration, stored)
    _print_figures(result)
    if json_out:
        write_json(result, json_out)
        click.echo(f"JSON: {json_out}")
    if html_out:
        write_html(result, html_out)
        click.echo(f"HTML: {html_out}")


def with_overrides(settings: Settings, fusion_weight: float | None, threshold: float | None) -> Settings:
    """The settings with the command's options in place of the environment's."""
    update: dict[str, float] = {}
    if fusion_weight is not None:
        update["fusion_weight"] = fusion_weight
    if threshold is not None:
        update["answer_threshold"] = threshold
    return settings.model_copy(update=update)


def starting_tuning(settings: Settings, model_id: str) -> Tuning:
    """The values the service would use now: settings (and options), then the live index's calibration
    (when it was made for the same model), then the built-in defaults."""
    try:
        manifest = IndexStore(settings.index_dir).manifest()
        same_model = manifest.get("model", {}).get("id") == model_id
        stored = dict(manifest.get("settings") or {}) if same_model else {}
    except (PublishError, OSError, ValueError):
        stored = {}
    return Tuning.resolve(settings, stored, model_id)


def refuse_other_corpus(corpus: Path, pages: Sequence[Page], store: IndexStore, embedder: Embedder) -> None:
    """Calibration is stored with the live index: values chosen on other pages would be wrong for it."""
    differing = differing_pages(pages, live_index(store, embedder))
    if differing:
        shown = ", ".join(differing[:3]) + (" …" if len(differing) > 3 else "")
        raise click.ClickException(
            f"--calibrate needs the live knowledge as --corpus, but {corpus} differs from the live index in "
            f"{len(differing)} pages ({shown}); run 'assistant ingest' on it first, or leave out --calibrate"
        )


def reviewed_cases(database_url: str) -> list[EvalQuestion]:
    """Questions reviewers turned into eval cases (right page and section, or 'should abstain'), so every
    mistake fixed after a review stays fixed."""
    from assistant.review import export_eval_cases

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "reviewed.jsonl"
        count = export_eval_cases(database_url, path)
        click.echo(f"{count} granskade testfall från databasen.", err=True)
        return load_questions(path) if count else []


def set_name(path: Path | str) -> str:
    return Path(path).stem or str(path)


def _print_figures(result: EvalReport) -> None:
    click.echo(f"fusion_weight={result.tuning.fusion_weight} answer_threshold={result.tuning.answer_threshold}")
    columns = [(set_name(s.questions), run.mode, run.figures) for s in result.sets for run in s.runs]
    width = max(14, *(len(name) + 1 for name, _, _ in columns))
    several = len(result.sets) > 1
    label = 32
    if several:
        click.echo(" " * label + "".join(f"{name:>{width}}" for name, _, _ in columns))
    click.echo(f"{'':<{label}}" + "".join(f"{mode:>{width}}" for _, mode, _ in columns))
    for key in COUNTS:
        click.echo(f"{key:<{label}}" + "".join(f"{_count(figures.get(key)):>{width}}" for _, _, figures in columns))
    for key in SHOWN:
        click.echo(f"{key:<{label}}" + "".join(f"{_fmt(figures.get(key)):>{width}}" for _, _, figures in columns))
    calibration = result.calibration
    if calibration:
        click.echo("")
        click.echo(
            f"Kalibrering: fusionsvikt {calibration.before.fusion_weight} -> {calibration.after.fusion_weight}, "
            f"tröskel {calibration.before.answer_threshold} -> {calibration.after.answer_threshold} "
            f"(på {set_name(result.sets[0].questions)})"
        )
        click.echo(
            "Frågor på engelska: fusionsvikt "
            f"{calibration.before.cross_lingual_fusion_weight} -> {calibration.after.cross_lingual_fusion_weight}"
            + ("" if calibration.cross_lingual_curve else " (för få frågor: standardvärdet behålls)")
        )
        click.echo(f"{'':<{label}}" + f"{'före':>{width}}{'efter':>{width}}")
        for key in SHOWN:
            before, after = calibration.before_figures.get(key), calibration.after_figures.get(key)
            click.echo(f"{key:<{label}}" + f"{_fmt(before):>{width}}{_fmt(after):>{width}}")
        if result.stored_version:
            click.echo(f"Sparad med indexversion {result.stored_version}.")


def _fmt(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else "–"


def _count(value: object) -> str:
    return str(value) if isinstance(value, int) else "–"
