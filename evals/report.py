"""Eval reports: JSON for machines and CI, a self-contained HTML page (inline SVG charts) for editors."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from assistant.tuning import Tuning
from evals.metrics import FactSection, QuestionResult, squash
from evals.run import Calibration, ModeRun

QUALITY_KEYS = (
    "ndcg@10",
    "hit@1",
    "hit@3",
    "hit@5",
    "mrr@10",
    "answered_rate",
    "abstention_rate",
    "answer_contains_rate",
    "answered_correct_rate",
    "answered_with_fact_rate",
    "follow_up_correct_rate",
    "english_hit@5",
    "english_answered_with_fact_rate",
)
LATENCY_KEYS = ("retrieval_p50", "retrieval_p95", "answer_p50", "answer_p95")
MODE_COLOURS = {"lexical": "#1f5fbf", "dense": "#a84f00", "hybrid": "#23733c"}
MAX_FAILURES_SHOWN = 300


@dataclass
class QuestionSetRun:
    """One question set measured in one or more modes."""

    questions: str  # the path it was read from
    runs: list[ModeRun]

    @property
    def name(self) -> str:
        return Path(self.questions).stem or self.questions

    def to_dict(self) -> dict[str, object]:
        return {
            "questions": self.questions,
            "modes": {run.mode: run.figures for run in self.runs},
            "failures": {run.mode: [failure_record(r, run.answers) for r in failures(run)] for run in self.runs},
        }


@dataclass
class EvalReport:
    corpus: str
    sets: list[QuestionSetRun]
    model: str
    tuning: Tuning
    calibration: Calibration | None = None
    stored_version: str | None = None
    created_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))

    @property
    def questions(self) -> str:
        return ", ".join(s.questions for s in self.sets)

    @property
    def runs(self) -> list[ModeRun]:
        """The first set's runs: what the report's top level describes."""
        return self.sets[0].runs

    def to_dict(self) -> dict[str, object]:
        """The first question set at the top level (as with one set), and every set under question_sets."""
        data: dict[str, object] = {
            "corpus": self.corpus,
            "model": self.model,
            "created_at": self.created_at,
            "settings": self.tuning.as_calibration(self.model),
            **self.sets[0].to_dict(),
            "question_sets": [s.to_dict() for s in self.sets],
        }
        if self.calibration:
            data["calibration"] = {
                "before": {**self.calibration.before.as_calibration(), **self.calibration.before_figures},
                "after": {**self.calibration.after.as_calibration(), **self.calibration.after_figures},
                "fusion_weight_curve": {str(w): round(s, 4) for w, s in self.calibration.weight_curve.items()},
                "cross_lingual_fusion_weight_curve": {
                    str(w): round(s, 4) for w, s in self.calibration.cross_lingual_curve.items()
                },
                "stored_version": self.stored_version,
            }
        return data


def failure_reason(result: QuestionResult, answers: bool = True) -> str | None:
    """Why a question counts as a failure, in words an editor reads; None when it went right. Without
    answers (a retrieval-only mode) only the ranking counts."""
    if not result.answerable:
        return "besvarades men borde ha avstått" if answers and result.answered else None
    if not result.ranking or result.ranking[0] not in result.gold_ids:
        found = any(page in result.gold_ids for page in result.ranking)
        return "rätt sida kom inte först" if found else "rätt sida saknas bland de tio första"
    if not answers:
        return None
    if not result.answered:
        return "avstod trots att rätt sida kom först"
    if result.cited[:1] and result.cited[0] not in result.gold_ids:
        return "svaret citerar fel sida först"
    if result.contains_phrase is False:
        return "svaret saknar det förväntade uttrycket"
    return None


def failures(run: ModeRun) -> list[QuestionResult]:
    return [r for r in run.results if failure_reason(r, run.answers)]


def failure_record(result: QuestionResult, answers: bool = True) -> dict[str, object]:
    record: dict[str, object] = {
        "id": result.question_id,
        "question": result.question,
        "search_text": result.search_text,
        "expected": list(result.gold_ids),
        "got": list(result.ranking[:5]),
        "answered": result.answered,
        "confidence": result.confidence,
        "reason": failure_reason(result, answers),
    }
    if answers:
        record.update(
            answer=result.answer_text,
            cited=list(result.cited_sections[:3]),
            expected_phrase=result.expected_phrase,
            fact_section=result.fact.section if result.fact else None,
            fact_text=result.fact.text if result.fact else None,
        )
    return record


def highlighted(fact: FactSection, phrase: str | None) -> Markup:
    """The section's text, escaped, with every occurrence of the expected phrase in <mark>."""
    text = fact.text
    if not phrase:
        return Markup(escape(text))
    flat, positions = _flattened(text)
    wanted = squash(phrase)
    parts, last, start = [], 0, flat.find(wanted)
    while wanted and start >= 0:
        begin, end = positions[start], positions[start + len(wanted) - 1] + 1
        parts.append(escape(text[last:begin]) + "<mark>" + escape(text[begin:end]) + "</mark>")
        last = end
        start = flat.find(wanted, start + len(wanted))
    parts.append(escape(text[last:]))
    return Markup("".join(parts))


def _flattened(text: str) -> tuple[str, list[int]]:
    """The text as squash() compares it, with each character's position in the original."""
    flat: list[str] = []
    positions: list[int] = []
    for i, char in enumerate(text):
        if char.isspace():
            if not flat or flat[-1] == " ":
                continue
            char = " "
        lower = char.lower()
        flat.append(lower if len(lower) == 1 else char)
        positions.append(i)
    return "".join(flat), positions


def write_json(report: EvalReport, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_html(report: EvalReport, path: Path) -> None:
    env = Environment(loader=FileSystemLoader(Path(__file__).parent), autoescape=select_autoescape(["html"]))
    template = env.get_template("report.html")
    columns = [(s.name, run) for s in report.sets for run in s.runs]
    html = template.render(
        report=report,
        columns=columns,
        sets=[_set_view(s) for s in report.sets],
        quality_keys=QUALITY_KEYS,
        latency_keys=LATENCY_KEYS,
        curve_chart=Markup(curve_chart(report.calibration.weight_curve)) if report.calibration else None,
        max_failures=MAX_FAILURES_SHOWN,
        highlighted=highlighted,
        colours=MODE_COLOURS,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")


def _set_view(measured: QuestionSetRun) -> dict[str, object]:
    """What the page shows of one question set: charts, tables and failed questions per mode."""
    quality: dict[str, dict[str, object]] = {
        run.mode: {key: run.figures.get(key) for key in QUALITY_KEYS} for run in measured.runs
    }
    latency: dict[str, dict[str, object]] = {run.mode: _latency(run) for run in measured.runs}
    return {
        "name": measured.name,
        "questions": measured.questions,
        "runs": measured.runs,
        "quality": quality,
        "latency": latency,
        "quality_chart": Markup(bar_chart(quality, QUALITY_KEYS, top=1.0, title="Kvalitet per läge (0–1)")),
        "latency_chart": Markup(bar_chart(latency, LATENCY_KEYS, top=None, title="Svarstid per läge (ms)")),
        "failures": {run.mode: [(r, failure_reason(r, run.answers)) for r in failures(run)] for run in measured.runs},
    }


def bar_chart(values: Mapping[str, Mapping[str, object]], keys: Sequence[str], top: float | None, title: str) -> str:
    """Grouped bars: one group per metric, one bar per mode. Missing values (None) leave a gap."""
    left, bottom, pad = 48, 70, 12
    width, height = max(760, left + pad + 66 * len(keys)), 300
    numbers = [v for row in values.values() for v in row.values() if isinstance(v, int | float)]
    scale_top = top or _nice_ceiling(max(numbers, default=1.0))
    plot_w, plot_h = width - left - pad, height - bottom - pad
    group_w = plot_w / max(1, len(keys))
    bar_w = group_w * 0.8 / max(1, len(values))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>'
    ]
    for step in range(5):
        y = pad + plot_h - plot_h * step / 4
        parts.append(f'<line x1="{left}" x2="{width - pad}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_tick(scale_top * step / 4)}</text>')
    for g, key in enumerate(keys):
        x0 = left + g * group_w + group_w * 0.1
        for m, (mode, row) in enumerate(values.items()):
            value = row.get(key)
            if not isinstance(value, int | float):
                continue
            h = plot_h * min(1.0, float(value) / scale_top) if scale_top else 0.0
            x, y = x0 + m * bar_w, pad + plot_h - h
            colour = MODE_COLOURS.get(mode, "#555")
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(mode)} {escape(key)}: {_tick(float(value))}</title></rect>"
            )
        label_x = left + g * group_w + group_w / 2
        lines = "".join(
            f'<tspan x="{label_x:.1f}" dy="{0 if n == 0 else 13}">{escape(line)}</tspan>'
            for n, line in enumerate(_label_lines(key))
        )
        parts.append(f'<text x="{label_x:.1f}" y="{height - bottom + 16}" text-anchor="middle">{lines}</text>')
    for m, mode in enumerate(values):
        x = left + m * 110
        parts.append(
            f'<rect x="{x}" y="{height - 22}" width="12" height="12" fill="{MODE_COLOURS.get(mode, "#555")}"/>'
            f'<text x="{x + 18}" y="{height - 12}">{escape(mode)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _label_lines(key: str, limit: int = 10) -> list[str]:
    """A metric's name broken at its underscores into lines of about `limit` characters, at most three."""
    lines: list[str] = []
    for word in key.split("_"):
        if lines and len(lines[-1]) + 1 + len(word) <= limit:
            lines[-1] += "_" + word
        else:
            lines.append(word)
    return [*lines[:2], "_".join(lines[2:])] if len(lines) > 3 else lines


def curve_chart(curve: dict[float, float]) -> str:
    """nDCG@10 against the fusion weight (lexical share) tried during calibration."""
    width, height, left, bottom, pad = 760, 240, 48, 36, 12
    plot_w, plot_h = width - left - pad, height - bottom - pad
    low = min(curve.values(), default=0.0)
    high = max(curve.values(), default=1.0)
    low, high = max(0.0, low - 0.02), min(1.0, high + 0.02)
    span = high - low or 1.0
    points = " ".join(f"{left + plot_w * w:.1f},{pad + plot_h * (1 - (s - low) / span):.1f}" for w, s in curve.items())
    title = "nDCG@10 per fusionsvikt (andel lexikalt)"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{title}" class="chart"><title>{title}</title>'
    ]
    for step in range(5):
        y = pad + plot_h - plot_h * step / 4
        parts.append(
            f'<line x1="{left}" x2="{width - pad}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_tick(low + span * step / 4)}</text>'
        )
    for step in range(11):
        x = left + plot_w * step / 10
        parts.append(f'<text x="{x:.1f}" y="{height - bottom + 18}" text-anchor="middle">{step / 10:.1f}</text>')
    parts.append(f'<polyline points="{points}" fill="none" stroke="{MODE_COLOURS["hybrid"]}" stroke-width="2"/>')
    parts.append("</svg>")
    return "".join(parts)


def _latency(run: ModeRun) -> dict[str, object]:
    figures = run.figures.get("latency_ms")
    return dict(figures) if isinstance(figures, dict) else {}


def _nice_ceiling(value: float) -> float:
    for candidate in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000):
        if value <= candidate:
            return float(candidate)
    return value


def _tick(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.0f}"
