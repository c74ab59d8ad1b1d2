"""Generative mode against a local server that speaks the OpenAI chat-completions protocol.

The server is ours (no model runs here); it returns whatever the test tells it to, so we can check that
the assistant accepts only answers whose citations check out and falls back on anything else.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.settings import Settings


class ChatServer:
    def __init__(self) -> None:
        self.reply = ""
        self.status = 200
        self.delay = 0.0
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
                time.sleep(server.delay)
                payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": server.reply}}]})
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(payload.encode())

            def log_message(self, *_args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def chat() -> Iterator[ChatServer]:
    server = ChatServer()
    yield server
    server.httpd.shutdown()


@pytest.fixture
def llm_client(settings: Settings, published: object, chat: ChatServer) -> TestClient:
    changed = settings.model_copy(
        update={"llm_base_url": chat.url, "llm_model": "lokal-modell", "llm_timeout_seconds": 1.0}
    )
    changed.llm_api_key = changed.llm_api_key.__class__("hemlig")
    return TestClient(create_app(changed))


def ask(client: TestClient) -> dict:
    return client.post("/api/ask", json={"question": "Hur lång tid har sökanden på sig att komplettera?"}).json()


def test_llm_answer_with_valid_citations_is_used(llm_client: TestClient, chat: ChatServer) -> None:
    chat.reply = "Sökanden har 14 dagar på sig att komplettera [1]. Fristen kan förlängas en gång [1]."
    answer = ask(llm_client)
    assert answer["generator"] == "llm" and answer["text"] == chat.reply
    assert [c["page_id"] for c in answer["citations"]] == ["komplettering"]  # only what the answer cites
    [request] = chat.requests
    assert request["path"] == "/v1/chat/completions" and request["model"] == "lokal-modell"
    assert request["auth"] == "Bearer hemlig"
    assert "[1] Komplettering av ansökan" in request["messages"][1]["content"]


@pytest.mark.parametrize(
    ("reply", "status", "delay"),
    [
        ("Sökanden har 14 dagar [7].", 200, 0.0),  # cites a source it was not given
        ("Sökanden har 14 dagar.", 200, 0.0),  # cites nothing
        ("INGET SVAR", 200, 0.0),
        ("Sökanden har 14 dagar [1].", 500, 0.0),
        ("Sökanden har 14 dagar [1].", 200, 2.0),  # slower than the 1 s timeout
    ],
    ids=["unknown-citation", "no-citation", "no-answer", "server-error", "timeout"],
)
def test_llm_failure_falls_back_to_extractive(
    llm_client: TestClient, chat: ChatServer, reply: str, status: int, delay: float
) -> None:
    chat.reply, chat.status, chat.delay = reply, status, delay
    answer = ask(llm_client)
    assert answer["generator"] == "extractive" and answer["answered"] is True
    assert "14 dagar" in answer["text"] and answer["citations"]
