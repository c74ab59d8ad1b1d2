"""Faults a probe of the landed service found, each reproduced here with the real part failing for real:

- a truncated file in the index version CURRENT names (ingest, restart, /readyz);
- storage failures: SQLite locked by another writer, SQLite full (its page limit reached, the same
  SQLITE_FULL error a full disk gives), PostgreSQL refusing connections; each must be a 503 that says what
  happened, counted in the metrics, and /readyz must say so;
- a NUL character in any text or id (PostgreSQL cannot store one);
- SQL parameters (question text, user id) in the error log;
- an unhandled 500 on a keep-alive connection, against a real uvicorn on loopback;
- ingest on a full disk, which must print the CLI's one-line error.
"""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import event, text

from assistant.api.app import create_app
from assistant.cli import main
from assistant.logs import JsonFormatter
from assistant.settings import Settings
from ingest.embedding import load_embedder
from ingest.pipeline import run_ingest
from ingest.publish import IndexStore

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "Vem prövar jäv för handläggaren Anna?"


def ask(client: TestClient, question: str = QUESTION, **extra: object):  # type: ignore[no-untyped-def]
    return client.post("/api/ask", json={"question": question, **extra}, headers={"Accept-Language": "en"})


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


# --- a corrupt index version ---------------------------------------------------------------------------


@pytest.mark.parametrize("broken", ["dense.npy", "chunk_keys.json", "manifest.json"])
def test_ingest_repairs_a_corrupt_current_version(
    monkeypatch: pytest.MonkeyPatch, knowledge_dir: Path, index_dir: Path, broken: str
) -> None:
    store = IndexStore(index_dir)
    first = run_ingest(knowledge_dir, store, load_embedder("hash-demo")).version
    truncate(index_dir / "versions" / first / broken)
    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", "hash-demo")
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(index_dir))
    result = CliRunner().invoke(main, ["ingest", str(knowledge_dir), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["embedded"] == summary["chunks"] and summary["reused"] == 0  # nothing reused from the broken one
    assert any(first in w for w in summary["warnings"])
    assert store.current_version() == summary["version"] != first


def test_service_falls_back_to_the_newest_loadable_version_and_says_degraded(
    settings: Settings, knowledge_dir: Path, index_dir: Path
) -> None:
    store = IndexStore(index_dir)
    good = run_ingest(knowledge_dir, store, load_embedder("hash-demo")).version
    time.sleep(1.1)  # versions are named by the second
    broken = run_ingest(knowledge_dir, store, load_embedder("hash-demo")).version
    truncate(index_dir / "versions" / broken / "dense.npy")
    client = TestClient(create_app(settings))  # a restart with the broken version current
    answer = ask(client)
    assert answer.status_code == 200, answer.text
    assert answer.json()["index_version"] == good
    assert client.get("/api/search", params={"q": "jäv"}).status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "degraded" and body["problems"]
    assert (body["checks"]["index"], body["checks"]["index_current"]) == (good, broken)
    assert str(index_dir) not in ready.text and "/" not in json.dumps(body)  # no paths: it is unauthenticated


def test_no_loadable_version_is_a_503_without_paths(settings: Settings, knowledge_dir: Path, index_dir: Path) -> None:
    version = run_ingest(knowledge_dir, IndexStore(index_dir), load_embedder("hash-demo")).version
    truncate(index_dir / "versions" / version / "chunks.json")
    client = TestClient(create_app(settings))
    response = ask(client)
    assert response.status_code == 503 and response.json()["error"]["code"] == "index_not_ready"
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["status"] == "not ready"
    assert str(index_dir) not in ready.text


# --- storage failures ----------------------------------------------------------------------------------


def storage_errors(client: TestClient) -> float:
    total = 0.0
    for line in client.get("/metrics").text.splitlines():
        if line.startswith("assistant_storage_errors_total"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def assert_storage_503(response, words: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 503, response.text
    error = response.json()["error"]
    assert error["code"] == "storage_error" and words in error["message"], error
    assert "SELECT" not in response.text and "INSERT" not in response.text


@pytest.fixture
def sqlite_settings(settings: Settings) -> Settings:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("an SQLite fault")
    return settings


def test_sqlite_locked_is_a_503_counted_and_readyz_degraded(sqlite_settings: Settings, published: IndexStore) -> None:
    client = TestClient(create_app(sqlite_settings))
    database = client.app.state.assistant.database  # type: ignore[attr-defined]
    event.listen(database.engine, "connect", lambda conn, _r: conn.execute("PRAGMA busy_timeout=200"))
    database.engine.dispose()
    before = storage_errors(client)
    other = sqlite3.connect(sqlite_settings.database_url.removeprefix("sqlite:///"))
    other.execute("BEGIN EXCLUSIVE")  # another writer holds the database
    try:
        assert_storage_503(ask(client), "busy")
        assert storage_errors(client) == before + 1
        ready = client.get("/readyz").json()
        assert ready["status"] == "degraded" and ready["checks"]["database"] == "not writable: busy"
    finally:
        other.rollback()
        other.close()
    assert ask(client).status_code == 200  # the next write works and readiness recovers with it
    assert client.get("/readyz").json()["status"] == "ready"


def test_sqlite_full_is_a_503(sqlite_settings: Settings, published: IndexStore) -> None:
    client = TestClient(create_app(sqlite_settings))
    database = client.app.state.assistant.database  # type: ignore[attr-defined]
    with database.engine.connect() as connection:
        pages = connection.execute(text("PRAGMA page_count")).scalar()
    # SQLite reports SQLITE_FULL ("database or disk is full") when it cannot grow: what a full disk gives.
    event.listen(database.engine, "connect", lambda conn, _r: conn.execute(f"PRAGMA max_page_count={pages}"))
    database.engine.dispose()
    long_question = "Vem prövar jäv? " + "Förklara utförligt. " * 90
    for _ in range(20):  # fill the last free pages
        response = ask(client, long_question)
        if response.status_code != 200:
            break
    assert_storage_503(response, "full")
    swedish = client.post("/api/ask", json={"question": long_question})  # the default language
    assert swedish.status_code == 503 and "inget sparades" in swedish.json()["error"]["message"]
    assert swedish.headers["Retry-After"] == "5"
    assert client.get("/readyz").json()["checks"]["database"] == "not writable: full"
    feedback = client.post("/api/answers/x/feedback", json={"rating": "up"})
    assert feedback.status_code in (404, 503)  # reading works, so an unknown answer is still a 404


@pytest.mark.postgres
def test_postgres_refusing_connections_is_a_503_and_recovers(settings: Settings, published: IndexStore) -> None:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL fault")
    import psycopg

    client = TestClient(create_app(settings))
    assert ask(client).status_code == 200
    name = settings.database_url.rsplit("/", 1)[1]
    admin = settings.database_url.rsplit("/", 1)[0].replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
    try:
        assert_storage_503(ask(client), "cannot be reached")
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["database"] == "error: cannot be reached"
        assert_storage_503(client.post("/api/answers/x/feedback", json={"rating": "up"}), "")  # any message
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    assert ask(client).status_code == 200
    assert client.get("/readyz").json()["status"] == "ready"


@contextmanager
def captured_logs() -> Iterator[io.StringIO]:
    """The service's JSON log lines, and SQLAlchemy's and uvicorn's, as an operator would collect them."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger(n) for n in ("assistant", "sqlalchemy", "uvicorn.error")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield out
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def test_storage_errors_never_log_sql_parameters(sqlite_settings: Settings, published: IndexStore) -> None:
    proxied = sqlite_settings.model_copy(update={"auth_mode": "proxy", "proxy_trusted_ips": ["testclient"]})
    client = TestClient(create_app(proxied))
    database = client.app.state.assistant.database  # type: ignore[attr-defined]
    event.listen(database.engine, "connect", lambda conn, _r: conn.execute("PRAGMA query_only=ON"))
    database.engine.dispose()
    with captured_logs() as logs:
        response = client.post(
            "/api/ask", json={"question": "Hemlig fråga om Kalle Karlsson"}, headers={"X-Forwarded-User": "kalle"}
        )
    assert response.status_code == 503
    assert "storage" in logs.getvalue()  # the failure is logged …
    assert "Kalle" not in logs.getvalue() and "kalle" not in logs.getvalue()  # … without what was asked or by whom
    # the engine itself hides parameters, for any error that reaches a log some other way
    assert database.engine.hide_parameters is True


# --- NUL characters -------------------------------------------------------------------------------------

NUL = "a\u0000b"


def nul_requests(client: TestClient) -> list[tuple[str, object]]:
    answer = ask(client).json()
    answer_id = answer["answer_id"]
    return [
        ("ask question", ask(client, NUL)),
        ("ask conversation_id", ask(client, conversation_id=NUL)),
        ("ask conversation_id of a real one", ask(client, conversation_id=answer["conversation_id"] + NUL)),
        ("search q", client.get("/api/search", params={"q": NUL})),
        ("search tag", client.get("/api/search", params={"q": "jäv", "tag": NUL})),
        ("page id", client.get("/api/pages/a%00b")),
        ("conversation id", client.get("/api/conversations/a%00b")),
        ("feedback comment", client.post(f"/api/answers/{answer_id}/feedback", json={"rating": "up", "comment": NUL})),
        ("feedback answer id", client.post("/api/answers/a%00b/feedback", json={"rating": "up"})),
        ("page comment", client.post("/api/pages/jav/comments", json={"comment": NUL})),
        ("page comment section", client.post("/api/pages/jav/comments", json={"comment": "ok", "section": NUL})),
        ("page html", client.get("/pages/jav%00")),
    ]


def test_nul_in_any_field_is_a_422_before_storage(settings: Settings, published: IndexStore) -> None:
    client = TestClient(create_app(settings.model_copy(update={"dev_role": "admin"})))
    today = time.strftime("%Y-%m-%d")
    client.put("/api/test-period", json={"starts_on": today, "ends_on": today})
    for name, response in nul_requests(client):
        assert response.status_code == 422, (name, response.status_code, response.text)  # type: ignore[attr-defined]
        assert "NUL" in response.text, name  # type: ignore[attr-defined]
    items = client.get("/api/review/items").json()["items"]
    assert items == []  # nothing with a NUL was stored
    review = client.patch("/api/review/items/answer-x", json={"assignee": NUL})
    assert review.status_code == 422
    case = client.post("/api/review/eval-cases", json={"question": NUL, "targets": ["jav"]})
    assert case.status_code == 422


def test_nul_in_a_signed_in_user_id_is_refused_before_storage(settings: Settings, published: IndexStore) -> None:
    """Identity comes from outside the request body too (proxy header, token claims): the storage layer refuses
    NUL in any value it is given, on both databases, as a 422."""
    client = TestClient(create_app(settings))
    assistant = client.app.state.assistant  # type: ignore[attr-defined]
    from assistant.errors import as_assistant_error

    with pytest.raises(Exception) as err:  # what matters is what every channel turns it into
        assistant.answer("Vem prövar jäv?", user_id="anna\u0000")
    known = as_assistant_error(err.value)  # type: ignore[arg-type]
    assert known is not None and known.http_status == 422 and "NUL" in known.message


# --- an unhandled error on a keep-alive connection ------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _read_response(sock: socket.socket) -> tuple[str, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a response: {data!r}")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        body += sock.recv(65536)
    return lines[0], headers, body


def test_unhandled_500_tells_a_keep_alive_client_the_connection_closes(
    settings: Settings, published: IndexStore
) -> None:
    """A reverse proxy reuses connections: after a 500 it must be told `Connection: close`, or the connection must
    stay usable. A real uvicorn on loopback, configured as `assistant serve` configures it; the failing route is
    the one thing added, because every other failure the suite can cause is now handled."""
    import uvicorn

    app = create_app(settings)

    @app.get("/test-only/bug")
    def bug() -> None:
        raise ZeroDivisionError("a bug")

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical", access_log=False, proxy_headers=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.05)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            request = f"GET {{}} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: keep-alive\r\n\r\n"
            sock.sendall(request.format("/test-only/bug").encode())
            status, headers, body = _read_response(sock)
            assert status.endswith("500 Internal Server Error")
            assert json.loads(body)["error"]["code"] == "internal"
            if headers.get("connection", "").lower() != "close":
                sock.sendall(request.format("/healthz").encode())  # then the connection must still work
                assert _read_response(sock)[0].endswith("200 OK")
    finally:
        server.should_exit = True
        thread.join(timeout=10)


# --- ingest on a full disk ----------------------------------------------------------------------------------


def test_ingest_on_a_full_disk_prints_one_line(knowledge_dir: Path, index_dir: Path, tmp_path: Path) -> None:
    """A file-size limit (RLIMIT_FSIZE) makes the kernel refuse writes past it, as a full disk does; the ingest
    runs in a child process so only it is limited."""
    script = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))\n"
        "from assistant.cli import main\n"
        "sys.exit(main(['ingest', sys.argv[1]]))\n"
    )
    env = {**os.environ, "ASSISTANT_EMBEDDING_MODEL": "hash-demo", "ASSISTANT_INDEX_DIR": str(index_dir)}
    result = subprocess.run(
        [sys.executable, "-c", script, str(knowledge_dir)], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error")]
    assert len(errors) == 1 and "could not be written" in errors[0], result.stderr
    assert IndexStore(index_dir).current_version() is None  # nothing half-written was published
    assert not list((index_dir / "versions").glob(".staging-*"))
