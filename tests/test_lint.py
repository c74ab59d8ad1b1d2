"""`assistant lint`: every rule with one page that fails it and one that passes, plus the CLI contract
(output format, --json, --select/--ignore, exit codes) and the sample knowledge passing at error level."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import main
from ingest.lint import REGISTRY, lint_knowledge

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 6, 1)
FRONT = """---
id: {id}
title: {title}
summary: Kort sammanfattning.
doc_type: {doc_type}
owner:
  unit: Enheten
  contact: a@nrv.example.se
reviewed: {reviewed}
review_interval_months: 12
aliases: [{aliases}]
status: published
---

"""
GLOSSARY = "## FL\nFörvaltningslagen (2017:900), lagen om hur myndigheter handlägger ärenden.\n"


def page(page_id: str, body: str, **fields: str) -> str:
    values = {"id": page_id, "title": page_id.capitalize(), "doc_type": "rutin", "reviewed": "2026-03-01"}
    values["aliases"] = ""
    values.update(fields)
    return FRONT.format(**values) + body


def knowledge(tmp_path: Path, pages: dict[str, str]) -> Path:
    """A folder with the given pages plus a glossary and a hub page that links to every page."""
    root = tmp_path / "kb"
    files = {"ordlista/ordlista.md": page("ordlista", GLOSSARY, doc_type="ordlista", title="Ordlista"), **pages}
    ids = [Path(name).stem for name in files]
    hub = "\n".join(f"- [{i}](/pages/{i})" for i in ids if i != "start")
    files.setdefault("start.md", page("start", f"## Sidor\n{hub}\n"))
    files["ordlista/ordlista.md"] += "\nSe [start](../start.md).\n"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def codes(root: Path, code: str) -> list[str]:
    return [f"{Path(f.file).name}:{f.line}" for f in lint_knowledge(root, TODAY, select=[code]).findings]


OK_BODY = "Intro om rutinen.\n\n## Frist\nFristen är 14 dagar enligt FL.\n\n"
LONG = " ".join(["ord"] * 45) + "."
SIMILAR = (
    "Handläggaren begär komplettering skriftligt i Ärendia och anger vilka uppgifter som saknas, "
    "vilken frist som gäller och vad som händer om sökanden inte kompletterar i tid."
)

# code -> (pages that break the rule and the file:line expected, pages that keep it)
CASES: dict[str, tuple[dict[str, str], list[str], dict[str, str]]] = {
    "FM001": (
        {"a.md": page("a", OK_BODY, doc_type="memo")},
        ["a.md:5"],
        {"a.md": page("a", OK_BODY)},
    ),
    "OWN001": (
        {"a.md": page("a", OK_BODY).replace("owner:\n  unit: Enheten\n  contact: a@nrv.example.se\n", "")},
        ["a.md:1"],
        {"a.md": page("a", OK_BODY)},
    ),
    "DUP001": (
        {"a.md": page("a", OK_BODY), "x/a.md": page("a", OK_BODY, title="Annan")},
        ["a.md:2"],
        {"a.md": page("a", OK_BODY), "b.md": page("b", OK_BODY)},
    ),
    "DUP002": (
        {"a.md": page("a", OK_BODY, title="Samma"), "b.md": page("b", OK_BODY, title="Samma")},
        ["b.md:3"],
        {"a.md": page("a", OK_BODY, title="En"), "b.md": page("b", OK_BODY, title="Två")},
    ),
    "ALI001": (
        {"a.md": page("a", OK_BODY, aliases="kompl"), "b.md": page("b", OK_BODY, aliases="Kompl")},
        ["a.md:11", "b.md:11"],
        {"a.md": page("a", OK_BODY, aliases="kompl"), "b.md": page("b", OK_BODY, aliases="jävsanmälan")},
    ),
    "LNK001": (
        {"a.md": page("a", OK_BODY + "Se [b](../saknas/b.md) och [c](/pages/c).\n")},
        ["a.md:20", "a.md:20"],
        {
            "a.md": page(
                "a", OK_BODY + "Se [b](b.md), [b igen](/pages/b) och [webben](https://nrv.example.se/x.md).\n"
            ),
            "b.md": page("b", OK_BODY),
        },
    ),
    "LNK002": (
        {"a.md": page("a", OK_BODY + "Se [b](b.md#anmalan) och [här](#saknas).\n"), "b.md": page("b", OK_BODY)},
        ["a.md:20", "a.md:20"],
        {"a.md": page("a", OK_BODY + "Se [b](b.md#frist) och [här](#frist).\n"), "b.md": page("b", OK_BODY)},
    ),
    "ORP001": (
        {"start.md": page("start", "## Sidor\nInga länkar än.\n")},
        ["ordlista.md:1"],
        {},
    ),
    "REV001": (
        {"a.md": page("a", OK_BODY, reviewed="2025-05-01")},
        ["a.md:9"],
        {"a.md": page("a", OK_BODY, reviewed="2025-08-01")},
    ),
    "REV002": (
        {"a.md": page("a", OK_BODY, reviewed="2025-06-20")},
        ["a.md:9"],
        {"a.md": page("a", OK_BODY, reviewed="2025-08-01")},
    ),
    "HDG001": (
        {"a.md": page("a", "# Rubrik\nText.\n")},
        ["a.md:15"],
        {"a.md": page("a", "## Rubrik\nText.\n")},
    ),
    "HDG002": (
        {"a.md": page("a", "## Del\nText.\n\n#### Detalj\nText.\n")},
        ["a.md:18"],
        {"a.md": page("a", "## Del\nText.\n\n### Detalj\nText.\n")},
    ),
    "HDG003": (
        {"a.md": page("a", "## Tom\n\n## Full\nText.\n")},
        ["a.md:15"],
        {"a.md": page("a", "## Del\n\n### Underdel\nText.\n")},
    ),
    "STY001": (
        {"a.md": page("a", f"## Del\n{LONG}\n")},
        ["a.md:16"],
        {"a.md": page("a", "## Del\n" + " ".join(["Ord"] * 30) + ". " + " ".join(["Ord"] * 30) + ".\n")},
    ),
    "GLO001": (
        {"a.md": page("a", "## Del\nBeslut enligt OSL och FL.\n")},
        ["a.md:16"],
        {"a.md": page("a", "## Del\nBeslut enligt FL och kapitel IV.\n")},
    ),
    "SIM001": (
        {"a.md": page("a", f"## Del\n{SIMILAR}\n"), "b.md": page("b", f"## Del\n{SIMILAR} Se också rutinen.\n")},
        ["b.md:1"],
        {"a.md": page("a", f"## Del\n{SIMILAR}\n"), "b.md": page("b", "## Del\nJäv anmäls till chefen direkt.\n")},
    ),
    "SIM002": (
        {"a.md": page("a", f"## Begäran\n{SIMILAR}\n\n## Annat\nKort.\n"), "b.md": page("b", f"## Hur\n{SIMILAR}\n")},
        ["b.md:15"],
        {"a.md": page("a", f"## Begäran\n{SIMILAR}\n"), "b.md": page("b", "## Hur\nJäv anmäls till chefen direkt.\n")},
    ),
}


def test_every_rule_has_a_failing_and_a_passing_case() -> None:
    assert set(CASES) == set(REGISTRY.rules)


@pytest.mark.parametrize("code", sorted(CASES))
def test_lint_rule_fails_bad_page_and_passes_good_one(code: str, tmp_path: Path) -> None:
    bad, where, good = CASES[code]
    assert codes(knowledge(tmp_path / "bad", bad), code) == where
    assert codes(knowledge(tmp_path / "good", good), code) == []


def test_lint_cli_prints_file_line_code_and_fix(tmp_path: Path) -> None:
    root = knowledge(tmp_path, {"a.md": page("a", OK_BODY + "Se [b](/pages/b).\n")})
    result = CliRunner().invoke(main, ["lint", str(root), "--today", "2026-06-01"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"{root}/a.md:20: LNK001 link to /pages/b: no page 'b'" in lines
    assert lines[lines.index(f"{root}/a.md:20: LNK001 link to /pages/b: no page 'b'") + 1].startswith("    fix: ")


def test_lint_cli_warnings_pass_unless_strict(tmp_path: Path) -> None:
    root = knowledge(tmp_path, {"a.md": page("a", f"## Del\n{LONG}\n")})
    runner = CliRunner()
    assert runner.invoke(main, ["lint", str(root), "--today", "2026-06-01"]).exit_code == 0
    assert runner.invoke(main, ["lint", str(root), "--today", "2026-06-01", "--strict"]).exit_code == 1
    assert (
        runner.invoke(main, ["lint", str(root), "--today", "2026-06-01", "--strict", "--ignore", "STY"]).exit_code == 0
    )


def test_lint_cli_json_and_select(tmp_path: Path) -> None:
    root = knowledge(tmp_path, {"a.md": page("a", f"# Rubrik\n{LONG}\n[x](/pages/x)\n")})
    result = CliRunner().invoke(main, ["lint", str(root), "--json", "--select", "HDG,LNK001", "--today", "2026-06-01"])
    data = json.loads(result.output)
    assert {f["code"] for f in data["findings"]} == {"HDG001", "LNK001"}
    assert data["errors"] == 1 and data["warnings"] == 1 and result.exit_code == 1
    assert set(data["findings"][0]) == {"file", "line", "code", "severity", "message", "fix"}


def test_lint_cli_unknown_code_or_folder_exits_2(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["lint", str(knowledge(tmp_path, {})), "--select", "XYZ"]).exit_code == 2
    assert runner.invoke(main, ["lint", str(tmp_path / "saknas")]).exit_code == 2


def test_sample_knowledge_passes_lint_at_error_level() -> None:
    report = lint_knowledge(ROOT / "knowledge")
    errors = [str(f) for f in report.findings if f.severity.value == "error"]
    assert not errors, "\n".join(errors)


def test_every_lint_code_is_documented_for_editors() -> None:
    guide = (ROOT / "docs" / "redaktorer.md").read_text()
    for code in REGISTRY.rules:
        assert f"`{code}`" in guide, f"{code} missing from docs/redaktorer.md"
