"""Front matter validation: every error names file, line and field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ingest.pages import PageError, read_knowledge, read_page

GOOD = """---
id: {id}
title: Titel
summary: Kort.
doc_type: rutin
owner:
  unit: Enheten
  contact: a@nrv.example.se
reviewed: 2026-01-01
review_interval_months: 6
status: published
---

Text.
"""


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_read_page_valid_computes_review_date(tmp_path: Path) -> None:
    page = read_page(write(tmp_path, "a.md", GOOD.format(id="a")))
    assert page.review_by == dt.date(2026, 7, 1)
    assert page.is_stale(dt.date(2026, 7, 2)) and not page.is_stale(dt.date(2026, 6, 30))


def test_read_page_missing_title_names_line_and_field(tmp_path: Path) -> None:
    text = GOOD.format(id="a").replace("title: Titel\n", "")
    with pytest.raises(PageError) as err:
        read_page(write(tmp_path, "a.md", text))
    [problem] = err.value.problems
    assert problem.field == "title" and problem.path.endswith("a.md")


def test_read_page_bad_value_points_at_its_line(tmp_path: Path) -> None:
    text = GOOD.format(id="a").replace("doc_type: rutin", "doc_type: memo")
    with pytest.raises(PageError) as err:
        read_page(write(tmp_path, "a.md", text))
    [problem] = err.value.problems
    assert (problem.field, problem.line) == ("doc_type", 5)
    assert "memo" in str(problem)


def test_read_page_broken_yaml_reports_line(tmp_path: Path) -> None:
    text = GOOD.format(id="a").replace("summary: Kort.", "summary: [ofullständig")
    with pytest.raises(PageError) as err:
        read_page(write(tmp_path, "a.md", text))
    assert "not valid YAML" in str(err.value)
    assert err.value.problems[0].line >= 4


def test_read_page_unreadable_encoding_names_line(tmp_path: Path) -> None:
    text = GOOD.format(id="a").encode().replace(b"Text.", b"R\xe4ksm\xf6rg\xe5s")
    with pytest.raises(PageError) as err:
        read_page(write(tmp_path, "a.md", text))
    assert "UTF-8" in str(err.value) and err.value.problems[0].line == 14


def test_read_page_without_front_matter(tmp_path: Path) -> None:
    with pytest.raises(PageError, match="must start with '---'"):
        read_page(write(tmp_path, "a.md", "# Rubrik\n\nText"))


def test_read_page_id_must_match_file_name(tmp_path: Path) -> None:
    with pytest.raises(PageError, match="must match the file name"):
        read_page(write(tmp_path, "b.md", GOOD.format(id="a")))


def test_read_knowledge_duplicate_id_names_both_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    write(tmp_path, "a.md", GOOD.format(id="a"))
    write(tmp_path / "sub", "a.md", GOOD.format(id="a"))
    pages, problems = read_knowledge(tmp_path)
    assert len(pages) == 1
    [problem] = problems
    assert problem.field == "id" and "duplicate" in problem.message and "a.md" in problem.message


def test_read_knowledge_empty_folder_is_an_error(tmp_path: Path) -> None:
    pages, problems = read_knowledge(tmp_path)
    assert not pages and "no Markdown pages" in problems[0].message


def test_read_knowledge_collects_all_problems(tmp_path: Path) -> None:
    write(tmp_path, "a.md", GOOD.format(id="a").replace("title: Titel\n", ""))
    write(tmp_path, "b.md", GOOD.format(id="b").replace("reviewed: 2026-01-01", "reviewed: igår"))
    write(tmp_path, "c.md", GOOD.format(id="c"))
    pages, problems = read_knowledge(tmp_path)
    assert [p.id for p in pages] == ["c"]
    assert {(p.path, p.field) for p in problems} == {("a.md", "title"), ("b.md", "reviewed")}
