"""Ingest through the CLI and the pipeline: incremental re-embedding, atomic publish, bad input, rollback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import main
from ingest.embedding import EmbeddingError, HashEmbedder, _check_sha256
from ingest.pipeline import run_ingest
from ingest.publish import IndexStore, PublishError

ROOT = Path(__file__).resolve().parent.parent


def cli(monkeypatch: pytest.MonkeyPatch, knowledge: Path, index: Path, *args: str) -> tuple[int, str]:
    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", "hash-demo")
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(index))
    monkeypatch.setenv("ASSISTANT_KNOWLEDGE_DIR", str(knowledge))
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


class CountingEmbedder(HashEmbedder):
    """The hash embedder, counting what it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    def embed_batch(self, texts, kind="passage"):  # type: ignore[no-untyped-def]
        self.embedded.extend(texts)
        return super().embed_batch(texts, kind)


def test_ingest_cli_prints_summary_and_publishes(
    monkeypatch: pytest.MonkeyPatch, knowledge_dir: Path, index_dir: Path
) -> None:
    code, output = cli(monkeypatch, knowledge_dir, index_dir, "ingest", "--json")
    assert code == 0, output
    summary = json.loads(output)
    assert summary["pages"] == 5 and summary["chunks"] > 5 and summary["embedded"] == summary["chunks"]
    manifest = IndexStore(index_dir).manifest()
    assert manifest["model"]["id"] == "hash-demo"
    assert manifest["counts"]["pages"] == 5 and len(manifest["page_hashes"]) == 5


def test_ingest_unchanged_knowledge_reuses_every_embedding(knowledge_dir: Path, index_dir: Path) -> None:
    store = IndexStore(index_dir)
    run_ingest(knowledge_dir, store, CountingEmbedder())
    embedder = CountingEmbedder()
    summary = run_ingest(knowledge_dir, store, embedder)
    assert summary.embedded == 0 and summary.reused == summary.chunks and embedder.embedded == []


def test_ingest_changed_page_only_reembeds_its_changed_chunks(knowledge_dir: Path, index_dir: Path) -> None:
    store = IndexStore(index_dir)
    first = run_ingest(knowledge_dir, store, CountingEmbedder())
    page = knowledge_dir / "jav.md"
    page.write_text(page.read_text().replace("Anmäl jäv till din chef", "Anmäl jäv skriftligt till din chef"))
    (knowledge_dir / "gammal-rutin.md").unlink()
    embedder = CountingEmbedder()
    summary = run_ingest(knowledge_dir, store, embedder)
    # One chunk and the one sentence that changed; every other sentence's vector is reused.
    assert summary.embedded == 1 and len(embedder.embedded) == 2
    assert all("skriftligt" in text for text in embedder.embedded)
    assert summary.changed_pages == ["jav"] and summary.deleted_pages == ["gammal-rutin"]
    assert summary.reused == first.chunks - 2 - 1  # minus the deleted page's two chunks and the changed one
    assert store.current_version() == summary.version != first.version


def test_ingest_invalid_page_fails_and_keeps_live_index(
    monkeypatch: pytest.MonkeyPatch, knowledge_dir: Path, index_dir: Path
) -> None:
    cli(monkeypatch, knowledge_dir, index_dir, "ingest")
    before = IndexStore(index_dir).current_version()
    bad = knowledge_dir / "jav.md"
    bad.write_text(bad.read_text().replace("title: Jäv\n", ""))
    code, output = cli(monkeypatch, knowledge_dir, index_dir, "ingest")
    assert code == 2
    assert "jav.md" in output and "title" in output and "is required" in output
    assert IndexStore(index_dir).current_version() == before


def test_ingest_skip_invalid_publishes_the_rest(
    monkeypatch: pytest.MonkeyPatch, knowledge_dir: Path, index_dir: Path
) -> None:
    (knowledge_dir / "trasig.md").write_text("---\nid: trasig\ntitle: [\n---\n\nText")
    code, output = cli(monkeypatch, knowledge_dir, index_dir, "ingest", "--skip-invalid")
    assert code == 0
    assert "trasig.md:" in output and "not valid YAML" in output
    assert IndexStore(index_dir).manifest()["counts"]["pages"] == 5


def test_ingest_empty_folder_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, index_dir: Path) -> None:
    (tmp_path / "tom").mkdir()
    code, output = cli(monkeypatch, tmp_path / "tom", index_dir, "ingest", "--skip-invalid")
    assert code == 2 and "no Markdown pages" in output


def test_ingest_killed_midway_leaves_previous_index_serving(
    knowledge_dir: Path, index_dir: Path, tmp_path: Path
) -> None:
    store = IndexStore(index_dir)
    run_ingest(knowledge_dir, store, HashEmbedder())
    before = store.current_version()
    new_page = (knowledge_dir / "jav.md").read_text().replace("id: jav", "id: ny").replace("Jäv", "Nytt om jäv")
    (knowledge_dir / "ny.md").write_text(new_page)
    script = tmp_path / "slow_ingest.py"
    script.write_text(
        textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from ingest.embedding import HashEmbedder
        from ingest.pipeline import run_ingest
        from ingest.publish import IndexStore

        class Slow(HashEmbedder):
            def embed_batch(self, texts, kind="passage"):
                print("embedding", flush=True)
                time.sleep(60)
                return super().embed_batch(texts, kind)

        run_ingest(Path({str(knowledge_dir)!r}), IndexStore(Path({str(index_dir)!r})), Slow())
    """)
    )
    process = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, cwd=ROOT, text=True)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "embedding"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert store.current_version() == before
    # The next ingest cleans up what the killed one left and publishes normally.
    summary = run_ingest(knowledge_dir, store, HashEmbedder())
    assert summary.pages == 6 and not list((index_dir / "versions").glob(".staging-*"))


def test_ingest_concurrent_run_is_refused(knowledge_dir: Path, index_dir: Path) -> None:
    store = IndexStore(index_dir)
    with store.lock(), pytest.raises(PublishError, match="another ingest"):
        run_ingest(knowledge_dir, store, HashEmbedder())


def test_index_rollback_serves_previous_version(
    monkeypatch: pytest.MonkeyPatch, knowledge_dir: Path, index_dir: Path
) -> None:
    store = IndexStore(index_dir)
    first = run_ingest(knowledge_dir, store, HashEmbedder()).version
    time.sleep(1.1)  # versions are named by the second
    (knowledge_dir / "jav.md").unlink()
    second = run_ingest(knowledge_dir, store, HashEmbedder()).version
    code, output = cli(monkeypatch, knowledge_dir, index_dir, "index", "rollback")
    assert code == 0 and first in output
    assert store.current_version() == first and second in store.list_versions()
    code, output = cli(monkeypatch, knowledge_dir, index_dir, "index", "list")
    assert f"* {first}" in output


def test_index_rollback_waits_for_no_ingest_and_is_recorded(
    monkeypatch: pytest.MonkeyPatch, knowledge_dir: Path, index_dir: Path
) -> None:
    store = IndexStore(index_dir)
    first = run_ingest(knowledge_dir, store, HashEmbedder()).version
    time.sleep(1.1)
    (knowledge_dir / "jav.md").write_text((knowledge_dir / "jav.md").read_text() + "\nEn ny mening om jäv.\n")
    second = run_ingest(knowledge_dir, store, HashEmbedder()).version
    with store.lock():  # an ingest is writing: the rollback is refused, not interleaved
        code, output = cli(monkeypatch, knowledge_dir, index_dir, "index", "rollback")
    assert code == 1 and "another ingest" in output and store.current_version() == second
    assert store.rollback(by="anna") == first
    history = store.history()
    assert [(e["action"], e["version"]) for e in history] == [
        ("rollback", first),
        ("publish", second),
        ("publish", first),
    ]
    assert history[0]["previous"] == second and history[0]["by"] == "anna"


def test_manifest_records_pages_added_changed_and_removed(knowledge_dir: Path, index_dir: Path) -> None:
    store = IndexStore(index_dir)
    first = run_ingest(knowledge_dir, store, HashEmbedder())
    manifest = store.manifest()
    assert manifest["changes"] == {
        "previous": None,
        "added": sorted(manifest["page_hashes"]),
        "changed": [],
        "removed": [],
    }
    time.sleep(1.1)
    jav = knowledge_dir / "jav.md"
    jav.write_text(jav.read_text() + "\nEn ny mening om jäv.\n")
    removed = sorted(knowledge_dir.glob("*.md"))[0]
    if removed == jav:
        removed = sorted(knowledge_dir.glob("*.md"))[1]
    removed.unlink()
    new = knowledge_dir / "ny-sida.md"
    new.write_text(jav.read_text().replace("id: jav", "id: ny-sida").replace("title: ", "title: Ny "))
    run_ingest(knowledge_dir, store, HashEmbedder())
    changes = store.manifest()["changes"]
    assert changes == {"previous": first.version, "added": ["ny-sida"], "changed": ["jav"], "removed": [removed.stem]}


def test_embedder_checksum_mismatch_is_refused(tmp_path: Path) -> None:
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"not the model")
    with pytest.raises(EmbeddingError, match="expected"):
        _check_sha256(weights, "0" * 64)


@pytest.mark.slow
def test_default_model_loads_offline_and_ingests(
    knowledge_dir: Path, index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest.embedding import DEFAULT_MODEL, load_embedder

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    embedder = load_embedder(DEFAULT_MODEL)
    assert embedder.dimensions == 384 and embedder.max_tokens == 512
    summary = run_ingest(knowledge_dir, IndexStore(index_dir), embedder)
    assert summary.embedded == summary.chunks > 0


def test_republish_refuses_when_another_version_was_published_meanwhile(knowledge_dir: Path, index_dir: Path) -> None:
    from ingest.pages import read_knowledge
    from ingest.pipeline import publish_pages

    store = IndexStore(index_dir)
    read = run_ingest(knowledge_dir, store, HashEmbedder()).version
    time.sleep(1.1)
    run_ingest(knowledge_dir, store, HashEmbedder())
    pages, _ = read_knowledge(knowledge_dir)
    with pytest.raises(PublishError, match="changed since"):
        publish_pages(pages, store, HashEmbedder(), settings={"fusion_weight": 0.5}, replaces=read)
