"""Live re-indexing: the watcher publishes a change once the writes settle, refuses an invalid one (the last
good version keeps serving), and `assistant serve` with watching on answers the new text within seconds
while questions keep coming, without a failed request."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from ingest.embedding import HashEmbedder
from ingest.pipeline import run_ingest
from ingest.publish import IndexStore
from ingest.watch import KnowledgeWatcher, snapshot

NEW_SECTION = "\n## Zebrafinkregeln\nZebrafinkregeln innebär att kvittot på utbetalningen sparas i sju år.\n"


def watcher(knowledge: Path, store: IndexStore, settle: float = 0.0) -> KnowledgeWatcher:
    return KnowledgeWatcher(knowledge, store, HashEmbedder(), poll_seconds=0.05, settle_seconds=settle)


def test_watch_publishes_a_change_and_records_what_changed(knowledge_dir: Path, index_dir: Path) -> None:
    store = IndexStore(index_dir)
    first = run_ingest(knowledge_dir, store, HashEmbedder()).version
    watch = watcher(knowledge_dir, store)
    watch._seen = snapshot(knowledge_dir)
    assert watch.poll() is None  # nothing changed
    time.sleep(1.1)  # versions are named by the second
    with (knowledge_dir / "jav.md").open("a") as f:
        f.write(NEW_SECTION)
    result = watch.poll()
    assert result is not None and result.ok and result.published and result.version != first
    assert store.current_version() == result.version
    assert store.manifest()["changes"]["changed"] == ["jav"]
    assert store.last_watch() == result.to_dict()


def test_watch_same_content_publishes_nothing(knowledge_dir: Path, index_dir: Path) -> None:
    store = IndexStore(index_dir)
    first = run_ingest(knowledge_dir, store, HashEmbedder()).version
    watch = watcher(knowledge_dir, store)
    watch._seen = snapshot(knowledge_dir)
    page = knowledge_dir / "jav.md"
    page.write_text(page.read_text())  # saved again, same text: a new mtime only
    os.utime(page, None)
    result = watch.poll()
    assert result is not None and result.ok and not result.published
    assert store.list_versions() == [first]


def test_watch_invalid_change_keeps_last_good_version(knowledge_dir: Path, index_dir: Path) -> None:
    store = IndexStore(index_dir)
    first = run_ingest(knowledge_dir, store, HashEmbedder()).version
    watch = watcher(knowledge_dir, store)
    watch._seen = snapshot(knowledge_dir)
    page = knowledge_dir / "jav.md"
    page.write_text(page.read_text().replace("doc_type: riktlinje", "doc_type: memo"))
    result = watch.poll()
    assert result is not None and not result.ok
    assert any("jav.md:5" in p and "doc_type" in p for p in result.problems)
    assert store.current_version() == first
    assert store.last_watch() is not None and store.last_watch()["ok"] is False  # type: ignore[index]
    assert watch.poll() is None  # reported once, not retried until the folder changes again


def test_watch_waits_for_writes_to_settle(knowledge_dir: Path, index_dir: Path) -> None:
    store = IndexStore(index_dir)
    run_ingest(knowledge_dir, store, HashEmbedder())
    time.sleep(1.1)
    watch = watcher(knowledge_dir, store, settle=0.6)
    results: list[object] = []
    watch.on_result = results.append
    thread = threading.Thread(target=watch.run, daemon=True)
    thread.start()
    page = knowledge_dir / "jav.md"
    for n in range(4):  # an editor saving four times, 0.2 s apart
        with page.open("a") as f:
            f.write(f"\nRad {n} om jäv.\n")
        time.sleep(0.2)
    deadline = time.monotonic() + 10
    while not results and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.8)
    watch.stop()
    thread.join(5)
    assert len(results) == 1
    assert [e["action"] for e in store.history()] == ["publish", "publish"]
    assert "Rad 3 om jäv." in (index_dir / "versions" / store.history()[0]["version"] / "pages.json").read_text()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_serve_with_watch_answers_new_text_within_seconds_without_failed_requests(
    knowledge_dir: Path, index_dir: Path, tmp_path: Path
) -> None:
    """The real server (uvicorn, hash-demo) under four threads asking questions non-stop on loopback."""
    run_ingest(knowledge_dir, IndexStore(index_dir), HashEmbedder())
    port = _free_port()
    env = {
        **os.environ,
        "ASSISTANT_KNOWLEDGE_DIR": str(knowledge_dir),
        "ASSISTANT_INDEX_DIR": str(index_dir),
        "ASSISTANT_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}",
        "ASSISTANT_EMBEDDING_MODEL": "hash-demo",
        "ASSISTANT_ENVIRONMENT": "development",
        "ASSISTANT_AUTH_MODE": "dev",
        "ASSISTANT_ANSWER_THRESHOLD": "0",
        "ASSISTANT_WATCH_KNOWLEDGE": "true",
        "ASSISTANT_WATCH_POLL_SECONDS": "0.5",
        "ASSISTANT_WATCH_SETTLE_SECONDS": "0.5",
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "assistant"), "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    statuses: list[int] = []
    stop = threading.Event()
    try:
        _wait_ready(base)
        time.sleep(1.5)  # versions are named by the second: the edit must not share one with the first

        def ask_forever() -> None:
            with httpx.Client(base_url=base, timeout=30) as client:
                while not stop.is_set() and len(statuses) < 2000:
                    response = client.post("/api/ask", json={"question": "Hur anmäler jag jäv?"})
                    statuses.append(response.status_code)

        askers = [threading.Thread(target=ask_forever, daemon=True) for _ in range(4)]
        for thread in askers:
            thread.start()
        time.sleep(1.0)
        with (knowledge_dir / "jav.md").open("a") as f:
            f.write(NEW_SECTION)
        edited = time.monotonic()
        seen_after = None
        with httpx.Client(base_url=base, timeout=30) as client:
            while time.monotonic() - edited < 20:
                answer = client.post("/api/ask", json={"question": "Vad innebär zebrafinkregeln?"}).json()
                if "sju år" in answer["text"]:
                    seen_after = time.monotonic() - edited
                    break
                time.sleep(0.1)
        stop.set()
        for thread in askers:
            thread.join(30)
    finally:
        stop.set()
        server.terminate()
        server.wait(10)
    print(f"new text answered {seen_after:.1f} s after the edit; {len(statuses)} questions during the change")
    assert seen_after is not None and seen_after < 10
    assert statuses and set(statuses) == {200}


def _wait_ready(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("the server did not become ready")


def test_watch_cli_once_publishes_and_reports_in_swedish(
    monkeypatch: pytest.MonkeyPatch, knowledge_dir: Path, index_dir: Path
) -> None:
    from click.testing import CliRunner

    from assistant.cli import main

    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", "hash-demo")
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(index_dir))
    result = CliRunner().invoke(main, ["watch", str(knowledge_dir), "--once"])
    assert result.exit_code == 0 and "Publicerade version" in result.output
    assert IndexStore(index_dir).current_version() is not None
