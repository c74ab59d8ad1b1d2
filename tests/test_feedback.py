"""Capture: answer ratings over HTTP, page comments in the test period, a caseworker's own feedback.

Everything runs through the real app on SQLite and on the real PostgreSQL server (the `settings` fixture).
Failed writes are made real by dropping the table the write goes to; nothing is mocked.
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import make_client
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from assistant.settings import Settings
from ingest.publish import IndexStore

ANSWERED = "Hur anmäler jag jäv till chefen?"
TODAY = dt.date.today()


def signed_in(settings: Settings, user: str, role: str) -> TestClient:
    """The app behind a trusted sign-in proxy, as `user` with `role` (the proxy headers are the sign-in)."""
    client = make_client(settings, auth_mode="proxy", proxy_trusted_ips=["testclient"])
    client.headers.update({"X-Forwarded-User": user, "X-Forwarded-Roles": role})
    return client


def ask(client: TestClient, question: str = ANSWERED) -> str:
    response = client.post("/api/ask", json={"question": question})
    assert response.status_code == 200, response.text
    return str(response.json()["answer_id"])


def set_test_period(settings: Settings, start: dt.date, end: dt.date) -> None:
    admin = make_client(settings, dev_role="admin")
    response = admin.put("/api/test-period", json={"starts_on": start.isoformat(), "ends_on": end.isoformat()})
    assert response.status_code == 200, response.text


def drop_table(client: TestClient, table: str) -> None:
    with client.app.state.assistant.database.engine.begin() as connection:  # type: ignore[attr-defined]
        connection.execute(text(f"DROP TABLE {table}"))


# --- answer ratings ---------------------------------------------------------------------------------------


def test_rate_answer_stores_reason_and_redacted_comment_for_review(client: TestClient, settings: Settings) -> None:
    answer_id = ask(client)
    response = client.post(
        f"/api/answers/{answer_id}/feedback",
        json={"rating": "down", "reason": "inaktuellt", "comment": "Ring mig på 070-123 45 67"},
    )
    assert response.status_code == 201, response.text
    saved = response.json()
    assert saved["saved"] is True and saved["answer_id"] == answer_id
    assert saved["comment"] == "Ring mig på [telefonnummer]" and saved["redacted"] == ["telefon"]
    assert saved["channel"] == "api"  # the channel the answer was given in

    lead = make_client(settings, dev_role="quality_lead")
    [item] = lead.get("/api/review/items").json()["items"]
    assert (item["kind"], item["rating"], item["reason"], item["status"]) == ("answer", "down", "inaktuellt", "new")
    assert item["exchange_id"] == answer_id and item["page_id"] == "jav"
    assert "070" not in item["text"]


def test_rate_answer_up_without_reason(client: TestClient) -> None:
    response = client.post(f"/api/answers/{ask(client)}/feedback", json={"rating": "up"})
    assert response.status_code == 201 and response.json()["reason"] is None


@pytest.mark.parametrize(
    ("body", "status"),
    [({"rating": "sideways"}, 422), ({"rating": "down", "reason": "tråkigt"}, 422), ({"reason": "annat"}, 422)],
)
def test_rate_answer_invalid_input_is_refused(client: TestClient, body: dict[str, str], status: int) -> None:
    response = client.post(f"/api/answers/{ask(client)}/feedback", json=body)
    assert response.status_code == status
    assert response.json()["error"]["code"] == "invalid_input"


def test_rate_answer_unknown_answer_is_404(client: TestClient) -> None:
    response = client.post("/api/answers/finns-inte/feedback", json={"rating": "up"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_rate_answer_failed_write_is_an_error_the_user_sees(client: TestClient, settings: Settings) -> None:
    answer_id = ask(client)
    drop_table(client, "feedback")
    response = client.post(f"/api/answers/{answer_id}/feedback", json={"rating": "down", "reason": "fel svar"})
    assert response.status_code >= 500
    body = response.json()
    assert body["error"]["code"] == "storage_error" and "Det gick inte att spara" in body["error"]["message"]
    assert "could not be saved" in body["error"]["details"][0]
    assert "saved" not in body and "id" not in body


def test_rate_answer_again_replaces_the_first_rating(client: TestClient, settings: Settings) -> None:
    """Measured: anyone could rate an answer as often as they liked. One rating per user and answer now."""
    answer_id = ask(client)
    first = client.post(f"/api/answers/{answer_id}/feedback", json={"rating": "up"})
    second = client.post(
        f"/api/answers/{answer_id}/feedback", json={"rating": "down", "reason": "saknas", "comment": "Fristen?"}
    )
    assert first.status_code == second.status_code == 201
    assert second.json()["id"] == first.json()["id"] and second.json()["replaced"] is True
    with client.app.state.assistant.database.engine.connect() as connection:  # type: ignore[attr-defined]
        rows = connection.execute(text("SELECT rating, reason, comment FROM feedback")).all()
    assert [tuple(r) for r in rows] == [("down", "saknas", "Fristen?")]
    lead = make_client(settings, dev_role="quality_lead")
    [item] = lead.get("/api/review/items").json()["items"]
    assert (item["rating"], item["reason"]) == ("down", "saknas")


def test_rating_unique_per_user_and_answer_in_the_database(client: TestClient) -> None:
    """The constraint holds even for a writer that does not go through record_feedback (or races it)."""
    answer_id = ask(client)
    client.post(f"/api/answers/{answer_id}/feedback", json={"rating": "up"})
    insert = text(
        "INSERT INTO feedback (id, exchange_id, created_at, rating, channel, user_id) "
        "VALUES ('dupe', :a, CURRENT_TIMESTAMP, 'up', 'api', 'dev-user')"
    )
    engine = client.app.state.assistant.database.engine  # type: ignore[attr-defined]
    with pytest.raises(IntegrityError, match=r"(?i)unique"), engine.begin() as connection:
        connection.execute(insert, {"a": answer_id})


def test_rate_someone_elses_answer_is_refused(settings: Settings, published: IndexStore) -> None:
    anna, bo = signed_in(settings, "anna", "caseworker"), signed_in(settings, "bo", "caseworker")
    answer_id = ask(anna)
    refused = bo.post(f"/api/answers/{answer_id}/feedback", json={"rating": "down", "reason": "fel svar"})
    assert refused.status_code == 403, refused.text
    assert "egna frågor" in refused.json()["error"]["message"]
    assert anna.post(f"/api/answers/{answer_id}/feedback", json={"rating": "up"}).status_code == 201


# --- page comments and the test period -------------------------------------------------------------------


def test_page_comment_outside_test_period_is_refused_and_field_closed(client: TestClient, settings: Settings) -> None:
    page = client.get("/pages/jav").text
    assert 'id="comment-form"' not in page and "Kommentarsfältet är stängt" in page
    response = client.post("/api/pages/jav/comments", json={"comment": "Saknar exempel"})
    assert response.status_code == 409 and "Testperioden är slut" in response.json()["error"]["message"]

    set_test_period(settings, TODAY - dt.timedelta(days=10), TODAY - dt.timedelta(days=1))  # ended yesterday
    assert client.post("/api/pages/jav/comments", json={"comment": "Saknar exempel"}).status_code == 409


def test_page_comment_in_test_period_records_page_section_version_and_author(
    settings: Settings, published: IndexStore
) -> None:
    set_test_period(settings, TODAY, TODAY + dt.timedelta(days=30))
    reader = signed_in(settings, "anna@nrv.example.se", "caseworker")
    page = reader.get("/pages/jav").text
    assert 'id="comment-form"' in page and 'value="anmalan-av-jav"' in page
    version = page.split('data-page-version="')[1].split('"')[0]
    response = reader.post(
        "/api/pages/jav/comments",
        json={
            "comment": "Mejla svar till anna@nrv.example.se, pnr 19121212-1212",
            "section": "anmalan-av-jav",
            "page_version": version,
        },
    )
    assert response.status_code == 201, response.text
    saved = response.json()
    assert (saved["page_id"], saved["section"], saved["page_version"]) == ("jav", "anmalan-av-jav", version)
    assert saved["author"] == "anna@nrv.example.se"
    assert saved["comment"] == "Mejla svar till [e-post], pnr [personnummer]"

    lead = make_client(settings, dev_role="quality_lead")
    [item] = lead.get("/api/review/items", params={"kind": "comment"}).json()["items"]
    assert item["page_version"] == version and item["owner_unit"] == "Rättsenheten"


def test_page_comment_unknown_page_or_section_is_refused(settings: Settings, published: IndexStore) -> None:
    set_test_period(settings, TODAY, TODAY)
    client = make_client(settings)
    assert client.post("/api/pages/finns-inte/comments", json={"comment": "x"}).status_code == 404
    response = client.post("/api/pages/jav/comments", json={"comment": "x", "section": "finns-inte"})
    assert response.status_code == 422


def test_page_comment_failed_write_is_an_error_the_user_sees(settings: Settings, published: IndexStore) -> None:
    set_test_period(settings, TODAY, TODAY)
    client = make_client(settings)
    drop_table(client, "page_comments")
    response = client.post("/api/pages/jav/comments", json={"comment": "Otydlig tabell"})
    assert response.status_code == 503
    assert "Det gick inte att spara" in response.json()["error"]["message"] and "saved" not in response.json()


def test_closed_test_period_keeps_comments_readable_to_reviewers(settings: Settings, published: IndexStore) -> None:
    set_test_period(settings, TODAY, TODAY + dt.timedelta(days=5))
    make_client(settings).post("/api/pages/jav/comments", json={"comment": "Tabellen är otydlig"})
    set_test_period(settings, TODAY - dt.timedelta(days=5), TODAY - dt.timedelta(days=1))

    lead = make_client(settings, dev_role="quality_lead")
    [comment] = lead.get("/api/pages/jav/comments").json()["comments"]
    assert comment["comment"] == "Tabellen är otydlig"
    page = lead.get("/pages/jav").text
    assert "Tabellen är otydlig" in page and 'id="comment-form"' not in page
    assert "Tabellen är otydlig" not in make_client(settings).get("/pages/jav").text  # caseworkers see no one's


def test_test_period_is_set_by_admins_and_validated(settings: Settings, published: IndexStore) -> None:
    body = {"starts_on": TODAY.isoformat(), "ends_on": TODAY.isoformat()}
    for role in ("caseworker", "editor", "quality_lead"):
        assert make_client(settings, dev_role=role).put("/api/test-period", json=body).status_code == 403
    admin = make_client(settings, dev_role="admin")
    bad = {"starts_on": TODAY.isoformat(), "ends_on": (TODAY - dt.timedelta(days=1)).isoformat()}
    assert admin.put("/api/test-period", json=bad).status_code == 422
    assert admin.put("/api/test-period", json=body).json()["open"] is True
    state = make_client(settings).get("/api/test-period").json()
    assert state == {
        "starts_on": TODAY.isoformat(),
        "ends_on": TODAY.isoformat(),
        "open": True,
        "updated_by": "dev-user",
    }
    assert 'id="period-form"' in admin.get("/review/test-period").text


# --- a caseworker's own feedback -------------------------------------------------------------------------


def test_my_feedback_lists_only_my_ratings_and_comments_with_their_status(
    settings: Settings, published: IndexStore
) -> None:
    set_test_period(settings, TODAY, TODAY)
    anna, bo = signed_in(settings, "anna", "caseworker"), signed_in(settings, "bo", "caseworker")
    anna.post(f"/api/answers/{ask(anna)}/feedback", json={"rating": "down", "reason": "saknas"})
    anna.post("/api/pages/komplettering/comments", json={"comment": "Frist saknas"})
    bo.post(f"/api/answers/{ask(bo)}/feedback", json={"rating": "up"})

    mine = anna.get("/api/feedback/mine").json()["items"]
    assert sorted(i["kind"] for i in mine) == ["answer", "comment"]
    assert all(i["status"] == "new" for i in mine)
    assert [i["rating"] for i in bo.get("/api/feedback/mine").json()["items"]] == ["up"]


# --- sign-in and roles on every route --------------------------------------------------------------------

CASEWORKER_ROUTES = [
    ("POST", "/api/answers/x/feedback", {"rating": "up"}),
    ("GET", "/api/feedback/mine", None),
    ("POST", "/api/pages/jav/comments", {"comment": "x"}),
    ("GET", "/api/test-period", None),
]
REVIEWER_ROUTES = [("GET", "/api/pages/jav/comments", None)]
ADMIN_ROUTES = [
    ("PUT", "/api/test-period", {"starts_on": "2026-01-01", "ends_on": "2026-01-02"}),
    ("GET", "/review/test-period", None),
]


def test_feedback_routes_need_sign_in(settings: Settings, published: IndexStore) -> None:
    anonymous = make_client(settings, auth_mode="proxy")  # not through the trusted proxy: nobody signed in
    for method, path, body in CASEWORKER_ROUTES + REVIEWER_ROUTES + ADMIN_ROUTES:
        response = anonymous.request(method, path, json=body)
        assert response.status_code == 401, (method, path, response.text)
        assert response.json()["error"]["code"] == "unauthenticated"


def test_feedback_routes_refuse_the_wrong_role(settings: Settings, published: IndexStore) -> None:
    for routes, role in (
        (REVIEWER_ROUTES, "caseworker"),
        (ADMIN_ROUTES, "caseworker"),
        (ADMIN_ROUTES, "quality_lead"),
        (ADMIN_ROUTES, "editor"),
    ):
        client = make_client(settings, dev_role=role)
        for method, path, body in routes:
            response = client.request(method, path, json=body)
            assert response.status_code == 403, (role, method, path, response.text)
            assert response.json()["error"]["code"] == "forbidden"
