"""The intranet widget over HTTP: the script, the demo page's strict CSP, and CORS for the widget's routes only.

The widget in a real browser is tested in test_widget_browser.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from conftest import make_client
from fastapi.testclient import TestClient
from sqlalchemy import select

from assistant.api.app import create_app
from assistant.db import Feedback
from assistant.settings import Settings
from bots.widget.render import answer_to_widget_json
from ingest.publish import IndexStore

INTRANET = "https://intranat.nrv.example.se"
QUESTION = "Hur anmäler man jäv till chefen?"
PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}


@pytest.fixture
def cors_client(settings: Settings, published: IndexStore) -> Iterator[TestClient]:
    with make_client(settings, widget_origins=[INTRANET + "/"]) as cors:
        yield cors


def test_widget_script_is_javascript_loadable_from_other_origins(client: TestClient) -> None:
    response = client.get("/widget/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"
    assert 'var TAG = "vagledning-assistent"' in response.text
    assert ".innerHTML" not in response.text and "eval(" not in response.text


def test_widget_script_needs_no_sign_in(settings: Settings, published: IndexStore) -> None:
    with make_client(settings, auth_mode="proxy") as anonymous:
        assert anonymous.get("/widget/widget.js").status_code == 200
        assert anonymous.get("/widget/demo").status_code == 401
        assert anonymous.post("/api/ask", json={"question": "Jäv?"}).status_code == 401


def test_widget_demo_has_strict_csp_and_one_script_tag(client: TestClient) -> None:
    response = client.get("/widget/demo")
    assert response.status_code == 200
    policy = dict(part.strip().split(" ", 1) for part in response.headers["content-security-policy"].split(";"))
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'" and policy["default-src"] == "'none'"
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert "unsafe-eval" not in response.headers["content-security-policy"]
    html = response.text
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts == ['<script src="/widget/widget.js" data-lang="sv" data-position="bottom-right" defer>']
    assert "<style" not in html and " style=" not in html


def test_widget_demo_language_and_position_from_query(client: TestClient) -> None:
    html = client.get("/widget/demo", params={"lang": "en", "position": "inline"}).text
    assert 'data-lang="en" data-position="inline"' in html
    assert client.get("/widget/demo", params={"position": "top"}).status_code == 422


def test_widget_cors_preflight_allows_configured_origin_with_credentials(cors_client: TestClient) -> None:
    for path in ("/api/ask", "/api/answers/abc123/feedback"):
        response = cors_client.options(path, headers={"Origin": INTRANET, **PREFLIGHT})
        assert response.status_code == 200, path
        assert response.headers["access-control-allow-origin"] == INTRANET
        assert response.headers["access-control-allow-credentials"] == "true"
        assert "POST" in response.headers["access-control-allow-methods"]


def test_widget_cors_ask_from_intranet_is_readable_there(cors_client: TestClient) -> None:
    response = cors_client.post("/api/ask", json={"question": QUESTION}, headers={"Origin": INTRANET})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == INTRANET
    assert response.headers["access-control-allow-credentials"] == "true"
    assert response.json()["citations"][0]["url"].startswith("/pages/jav")


def test_widget_cors_signed_out_user_gets_a_readable_401(settings: Settings, published: IndexStore) -> None:
    with make_client(settings, auth_mode="proxy", widget_origins=[INTRANET]) as signed_out:
        response = signed_out.post("/api/ask", json={"question": QUESTION}, headers={"Origin": INTRANET})
    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == INTRANET


def test_widget_cors_refuses_other_origins(cors_client: TestClient) -> None:
    evil = "https://evil.example"
    preflight = cors_client.options("/api/ask", headers={"Origin": evil, **PREFLIGHT})
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    response = cors_client.post("/api/ask", json={"question": "Jäv?"}, headers={"Origin": evil})
    assert "access-control-allow-origin" not in response.headers


def test_widget_cors_only_on_the_widget_routes(cors_client: TestClient) -> None:
    response = cors_client.get("/api/pages", headers={"Origin": INTRANET})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    preflight = cors_client.options("/api/search", headers={"Origin": INTRANET, **PREFLIGHT})
    assert "access-control-allow-origin" not in preflight.headers


def test_widget_cors_off_without_configured_origins(client: TestClient) -> None:
    preflight = client.options("/api/ask", headers={"Origin": INTRANET, **PREFLIGHT})
    assert "access-control-allow-origin" not in preflight.headers
    response = client.post("/api/ask", json={"question": "Jäv?"}, headers={"Origin": INTRANET})
    assert response.status_code == 200 and "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize("origin", ["*", "https://intranat.example.se/sida", "intranat.example.se"])
def test_widget_origins_not_an_origin_refuses_to_start(settings: Settings, origin: str) -> None:
    with pytest.raises(RuntimeError, match="ASSISTANT_WIDGET_ORIGINS"):
        create_app(settings.model_copy(update={"widget_origins": [origin]}))


def test_widget_feedback_from_intranet_is_stored(cors_client: TestClient) -> None:
    answer = cors_client.post("/api/ask", json={"question": QUESTION}, headers={"Origin": INTRANET})
    answer_id = answer.json()["answer_id"]
    response = cors_client.post(
        f"/api/answers/{answer_id}/feedback",
        json={"rating": "down", "reason": "inaktuellt", "comment": "Chefen heter något annat nu"},
        headers={"Origin": INTRANET},
    )
    assert response.status_code == 201
    assert response.headers["access-control-allow-origin"] == INTRANET
    with cors_client.app.state.assistant.database.session() as session:  # type: ignore[attr-defined]
        [row] = session.scalars(select(Feedback).where(Feedback.exchange_id == answer_id)).all()
        assert (row.rating, row.reason, row.comment) == ("down", "inaktuellt", "Chefen heter något annat nu")


def test_answer_to_widget_json_is_the_api_ask_shape(client: TestClient) -> None:
    via_api = client.post("/api/ask", json={"question": QUESTION}).json()
    answer = client.app.state.assistant.answer(QUESTION)  # type: ignore[attr-defined]
    widget = answer_to_widget_json(answer)
    assert widget.keys() == via_api.keys()
    assert widget["citations"] == via_api["citations"]
    assert (widget["text"], widget["answered"]) == (via_api["text"], via_api["answered"])
