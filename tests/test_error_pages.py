"""Errors a person can read: a page in the interface language for a browser, the JSON body for everyone else.

Through the real app (TestClient); a browser is told apart by its Accept header, as Chromium sends it.
Failed saves are made real by dropping the table the write goes to.
"""

from __future__ import annotations

import pytest
from conftest import make_client
from fastapi.testclient import TestClient
from sqlalchemy import text

from assistant.api.app import create_app
from assistant.settings import Settings
from ingest.publish import IndexStore

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_error_page_missing_guidance_page_in_swedish_and_english(client: TestClient) -> None:
    response = client.get("/pages/finns-inte", headers=BROWSER)
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<h1" in page and "Sidan finns inte" in page and "finns-inte" in page and 'href="/sok"' in page
    assert '"error"' not in page and "no page" not in page.split("<details")[0]  # no JSON, no English text
    english = client.get("/pages/finns-inte?lang=en", headers=BROWSER).text
    assert "Page not found" in english and '<html lang="en">' in english


def test_error_page_unknown_route_is_a_page_not_starlette_json(client: TestClient) -> None:
    page = client.get("/ingen/sadan/adress", headers=BROWSER)
    assert page.status_code == 404 and "Kontrollera adressen" in page.text
    api = client.get("/api/ingen-sadan")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    assert set(api.json()["error"]) == {"code", "message", "details"}


def test_error_page_forbidden_names_role_and_whom_to_ask(settings: Settings, published: IndexStore) -> None:
    caseworker = make_client(settings, access_contact="IT-servicedesk, tfn 010-123 45 00")
    page = caseworker.get("/review", headers=BROWSER)
    assert page.status_code == 403
    assert "Ingen behörighet" in page.text and "kvalitetsansvarig, redaktör eller administratör" in page.text
    assert "IT-servicedesk, tfn 010-123 45 00" in page.text
    default = make_client(settings).get("/review", headers=BROWSER).text
    assert "din chef eller systemförvaltningen" in default


def test_api_error_message_in_the_request_language(client: TestClient) -> None:
    swedish = client.get("/api/review/items")
    assert swedish.status_code == 403 and swedish.headers["content-type"] == "application/json"
    assert "kräver rollen" in swedish.json()["error"]["message"]
    english = client.get("/api/review/items", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert english.json()["error"]["message"].startswith("This needs the role quality lead, editor or administrator")
    assert english.json()["error"]["code"] == "forbidden"
    fetched = client.get("/api/pages/finns-inte", headers={"Accept": "*/*"})  # what fetch() sends
    assert fetched.headers["content-type"] == "application/json"
    assert fetched.json()["error"]["message"].startswith("Sidan finns-inte finns inte")


def test_error_page_failed_save_says_what_to_do(client: TestClient, settings: Settings) -> None:
    with client.app.state.assistant.database.engine.begin() as connection:  # type: ignore[attr-defined]
        connection.execute(text("DROP TABLE feedback"))
    answer = client.post("/api/ask", json={"question": "Hur anmäler jag jäv?"}).json()["answer_id"]
    page = client.post(f"/api/answers/{answer}/feedback", json={"rating": "up"}, headers=BROWSER)
    assert page.status_code == 503
    assert "Det gick inte att spara" in page.text and "Inget har ändrats" in page.text
    assert "Det du skrev finns kvar om du går tillbaka" in page.text


def test_error_page_unexpected_error_gives_a_reference_not_internals(settings: Settings, published: IndexStore) -> None:
    app = create_app(settings)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/boom", headers=BROWSER)
        assert page.status_code == 500 and "Något gick fel" in page.text and "secret internals" not in page.text
        assert "referens" in page.text
        body = client.get("/boom").json()
        assert body["error"]["code"] == "internal" and "secret" not in str(body)
