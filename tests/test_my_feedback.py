"""'Min feedback': a caseworker sees what they rated and commented, and what review made of it."""

from __future__ import annotations

import pytest
from conftest import make_client
from fastapi.testclient import TestClient

from assistant.settings import Settings

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_my_feedback_page_shows_ratings_and_what_became_of_them(client: TestClient, settings: Settings) -> None:
    assert "Du har inte lämnat några omdömen" in client.get("/min-feedback").text
    answer = client.post("/api/ask", json={"question": "Hur anmäler jag jäv till chefen?"}).json()["answer_id"]
    down = client.post(
        f"/api/answers/{answer}/feedback", json={"rating": "down", "reason": "saknas", "comment": "Ingen blankett"}
    )
    other = client.post("/api/ask", json={"question": "Hur skickar man rekvisition?"}).json()["answer_id"]
    client.post(f"/api/answers/{other}/feedback", json={"rating": "up"})  # one rating per answer: another one
    page = client.get("/min-feedback").text
    assert "Hur anmäler jag jäv till chefen?" in page and "Ingen blankett" in page
    assert "Inte granskad än" in page and "Räknas i statistiken" in page

    lead = make_client(settings, dev_role="quality_lead")
    item = f"answer-{down.json()['id']}"
    changed = lead.patch(f"/api/review/items/{item}", json={"status": "done", "resolution_note": "Blanketten länkad"})
    assert changed.status_code == 200, changed.text
    page = client.get("/min-feedback").text
    assert "Klar" in page and "Blanketten länkad" in page
    english = client.get("/min-feedback?lang=en").text
    assert "My feedback" in english and "Done" in english
