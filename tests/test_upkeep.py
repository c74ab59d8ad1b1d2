"""Upkeep: the admin page of index versions with rollback, the owner overview, review status on guidance
pages, and the reminder digest sent to a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import time

import pytest
from aiosmtpd.controller import Controller
from conftest import make_client
from fastapi.testclient import TestClient

from assistant.settings import Settings
from assistant.upkeep.digest import deliver, digests_for
from ingest.embedding import HashEmbedder
from ingest.pipeline import run_ingest
from ingest.publish import IndexStore


def test_admin_index_page_lists_changes_and_rolls_back(settings: Settings, published: IndexStore) -> None:
    first = published.current_version()
    time.sleep(1.1)
    jav = settings.knowledge_dir / "jav.md"
    jav.write_text(jav.read_text() + "\nEn ny mening om jäv.\n")
    second = run_ingest(settings.knowledge_dir, published, HashEmbedder()).version
    with make_client(settings, dev_role="admin") as admin:
        page = admin.get("/admin/index")
        assert page.status_code == 200 and second in page.text and "Ändrade" in page.text and "/pages/jav" in page.text
        assert admin.get("/api/index/versions").json()["versions"][0]["changes"]["changed"] == ["jav"]
        with published.lock():  # an ingest is writing
            busy = admin.post("/api/index/rollback", json={"version": first})
        assert busy.status_code == 409 and published.current_version() == second
        done = admin.post("/api/index/rollback", json={"version": first})
        assert done.status_code == 200 and published.current_version() == first
        assert published.history()[0]["action"] == "rollback"
    with make_client(settings, dev_role="editor") as editor:
        assert editor.get("/admin/index").status_code == 200
        assert editor.post("/api/index/rollback", json={"version": second}).status_code == 403


def test_admin_index_page_shows_a_refused_change(settings: Settings, published: IndexStore) -> None:
    published.record_watch(
        {
            "at": "2026-12-02T10:00:00",
            "ok": False,
            "version": None,
            "published": False,
            "problems": ["jav.md:5: doc_type: 'memo' is not one of …"],
            "seconds": 0.1,
        }
    )
    with make_client(settings, dev_role="admin") as admin:
        text = admin.get("/admin/index").text
    assert "publicerades inte" in text and "jav.md:5: doc_type" in text


def test_owner_overview_colours_pages_and_counts_feedback(client: TestClient, settings: Settings) -> None:
    answer = client.post("/api/ask", json={"question": "Hur anmäler jag jäv?"}).json()
    client.post(f"/api/answers/{answer['answer_id']}/feedback", json={"rating": "down", "comment": "fel"})
    with make_client(settings, dev_role="quality_lead") as lead:
        data = lead.get("/api/owners").json()["owners"]
        page = lead.get("/owners", params={"owner": "Rättsenheten"})
    jav = next(p for o in data for p in o["pages"] if p["page_id"] == "jav")
    assert jav["status"] == "red" and jav["negative"] >= 1 and jav["open_feedback"] >= 1
    assert page.status_code == 200 and "Granskningsdatum passerat" in page.text
    assert client.get("/api/owners").status_code == 403  # caseworkers do not see it


def test_guidance_page_shows_owner_reviewed_and_next_review(client: TestClient) -> None:
    text = client.get("/pages/jav").text
    assert "Senast granskad" in text and "Granskas senast" in text and "review-status red" in text
    assert "Rättsenheten" in text


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 OK"


@pytest.fixture
def smtp_server() -> object:
    inbox = Inbox()
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, controller.port
    controller.stop()


def test_digest_mails_the_owner_their_pages_due(settings: Settings, published: IndexStore, smtp_server: object) -> None:
    inbox, port = smtp_server  # type: ignore[misc]
    configured = settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_starttls": False,
            "digest_subscriptions": {"Rättsenheten": "mailto:juridik@nrv.example.se"},
        }
    )
    from assistant.core import build_assistant

    assistant = build_assistant(configured)
    [digest] = digests_for(assistant.indexes.get(), assistant.database, configured)
    deliver(digest, configured)
    [(recipients, content)] = inbox.messages
    assert recipients == ["juridik@nrv.example.se"]
    import email
    from email import policy

    message = email.message_from_string(content, policy=policy.default)
    assert message["Subject"] == "Vägledningar att granska: Rättsenheten"
    body = message.get_content()  # type: ignore[attr-defined]
    assert "Jäv" in body and "/pages/jav" in body and "Granskningsdatum passerat" in body


def test_digest_target_must_be_mail_or_slack(settings: Settings) -> None:
    with pytest.raises(ValueError, match="mailto"):
        settings.model_copy(update={}).model_validate(
            {**settings.model_dump(), "digest_subscriptions": {"x": "teams:hook"}}
        )
