"""Review: the queue, item changes, exports, analytics, the follow-up report and eval cases, through the real
app on SQLite and on the real PostgreSQL server. Nothing is mocked.

One question is asked in the Slack channel by calling the answer core in-process, exactly as the Slack
adapter does, so the queue holds more than one channel without a Slack workspace.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import make_client
from fastapi.testclient import TestClient
from sqlalchemy import text

from assistant.db import Database
from assistant.review import export_eval_cases
from assistant.review.clusters import QuestionRef, group_questions
from assistant.review.periods import choose_period, tertial
from assistant.settings import Settings
from evals.datasets import load_questions
from ingest.publish import IndexStore

TODAY = dt.date.today()


@dataclass
class Seeded:
    """Four ratings (jav down, komplettering up, utbetalning down, an unanswerable Slack question down) and a
    comment on komplettering, given by the caseworker 'anna'."""

    settings: Settings
    lead: TestClient
    items: dict[str, str]  # name -> queue item id

    def ids(self, **filters: object) -> set[str]:
        response = self.lead.get("/api/review/items", params=filters)  # type: ignore[arg-type]
        assert response.status_code == 200, response.text
        names = {v: k for k, v in self.items.items()}
        return {names[i["id"]] for i in response.json()["items"]}


def signed_in(settings: Settings, user: str, role: str) -> TestClient:
    """The app behind a trusted sign-in proxy, as `user` with `role`."""
    client = make_client(settings, auth_mode="proxy", proxy_trusted_ips=["testclient"])
    client.headers.update({"X-Forwarded-User": user, "X-Forwarded-Roles": role})
    return client


def rate(client: TestClient, question: str, rating: str, reason: str | None = None, answer_id: str = "") -> str:
    if not answer_id:
        answer_id = client.post("/api/ask", json={"question": question}).json()["answer_id"]
    response = client.post(f"/api/answers/{answer_id}/feedback", json={"rating": rating, "reason": reason})
    assert response.status_code == 201, response.text
    return "answer-" + response.json()["id"]


@pytest.fixture
def seeded(settings: Settings, published: IndexStore) -> Seeded:
    admin = make_client(settings, dev_role="admin")
    admin.put("/api/test-period", json={"starts_on": TODAY.isoformat(), "ends_on": TODAY.isoformat()})
    anna = signed_in(settings, "anna", "caseworker")
    items = {
        "jav": rate(anna, "Hur anmäler jag jäv till chefen?", "down", "fel svar"),
        "komplettering": rate(anna, "Hur lång är tidsfristen för komplettering av ansökan?", "up"),
        "utbetalning": rate(anna, "Hur skickar man rekvisition?", "down", "inaktuellt"),
    }
    slack = anna.app.state.assistant.answer("Vad kostar en glass?", channel="slack", user_id="anna")  # type: ignore[attr-defined]
    anna.app.state.assistant.answer("Vad kostar glass?", channel="slack", user_id="slack:U1")  # type: ignore[attr-defined]
    items["glass"] = rate(anna, "", "down", "saknas", answer_id=slack.answer_id)
    comment = anna.post(
        "/api/pages/komplettering/comments",
        json={"comment": "Fristen borde stå först", "section": "tidsfrist-for-komplettering"},
    )
    items["comment"] = "comment-" + comment.json()["id"]
    return Seeded(settings, make_client(settings, dev_role="quality_lead"), items)


# --- the queue -----------------------------------------------------------------------------------------------


def test_queue_holds_ratings_and_comments_newest_first(seeded: Seeded) -> None:
    body = seeded.lead.get("/api/review/items").json()
    assert body["total"] == 4  # komplettering's thumbs-up has no comment: a figure, not a queue item
    names = {v: k for k, v in seeded.items.items()}
    assert [names[i["id"]] for i in body["items"]] == ["comment", "glass", "utbetalning", "jav"]
    assert {i["channel"] for i in body["items"]} == {"api", "slack", "web"}
    page = seeded.lead.get("/review").text  # the HTML queue starts from open items: all five are new
    assert page.count('name="ids"') == 4 and "Fristen borde stå först" in page
    assert seeded.lead.get("/api/review/analytics").json()["rated_up"] == 1  # still counted


def test_queue_filters_by_every_field(seeded: Seeded) -> None:
    yesterday, tomorrow = (TODAY - dt.timedelta(days=1)).isoformat(), (TODAY + dt.timedelta(days=1)).isoformat()
    queued = set(seeded.items) - {"komplettering"}  # a thumbs-up without a comment opens no item
    assert seeded.ids(kind="comment") == {"comment"}
    assert seeded.ids(kind="answer", rating="down") == {"jav", "utbetalning", "glass"}
    assert seeded.ids(reason="inaktuellt") == {"utbetalning"}
    assert seeded.ids(channel="slack") == {"glass"}
    assert seeded.ids(channel="web") == {"comment"}
    assert "comment" in seeded.ids(page="komplettering") and "komplettering" not in seeded.ids(page="komplettering")
    assert seeded.ids(owner="Rättsenheten") == {"jav"}
    assert seeded.ids(date_to=yesterday) == set()
    assert seeded.ids(date_from=TODAY.isoformat(), date_to=tomorrow) == queued
    seeded.lead.patch(f"/api/review/items/{seeded.items['jav']}", json={"status": "in_progress"})
    assert seeded.ids(status="in_progress") == {"jav"}
    assert seeded.ids(status="open") == queued
    assert seeded.ids(status="new") == queued - {"jav"}
    assert seeded.lead.get("/api/review/items", params={"reason": "tråkigt"}).status_code == 422
    html = seeded.lead.get("/review", params={"kind": "comment", "status": ""}).text
    assert html.count('name="ids"') == 1
    english = seeded.lead.get("/review", params={"rating": "down", "lang": "en"}).text
    assert "Review queue" in english and "3 items" in english and "wrong answer" in english


def test_queue_editor_sees_only_items_on_pages_they_own(seeded: Seeded) -> None:
    editor = signed_in(seeded.settings, "foretagsstod@nrv.example.se", "editor")  # owner contact of komplettering
    items = editor.get("/api/review/items").json()["items"]
    assert {"comment"} <= {k for k, v in seeded.items.items() if v in {i["id"] for i in items}}
    assert all("komplettering" in i["pages"] or "tillfalligt-stod" in i["pages"] for i in items)
    jav = seeded.items["jav"]
    assert editor.get(f"/api/review/items/{jav}").status_code == 404
    assert editor.patch(f"/api/review/items/{jav}", json={"status": "in_progress"}).status_code == 404
    assert jav not in editor.get("/api/review/export", params={"format": "json"}).text
    assert "Du ser posterna för de sidor du äger" in editor.get("/review").text

    mapped = make_client(
        seeded.settings,
        auth_mode="proxy",
        proxy_trusted_ips=["testclient"],
        review_editor_units={"oid-42": "Rättsenheten"},
    )
    mapped.headers.update({"X-Forwarded-User": "oid-42", "X-Forwarded-Roles": "editor"})
    assert [i["id"] for i in mapped.get("/api/review/items").json()["items"]] == [jav]


# --- changing items ------------------------------------------------------------------------------------------


def test_item_status_assignment_and_resolution_note(seeded: Seeded) -> None:
    url = f"/api/review/items/{seeded.items['jav']}"
    item = seeded.lead.patch(url, json={"status": "in_progress", "assign_to_owner": True}).json()
    assert (item["status"], item["assignee"], item["updated_by"]) == (
        "in_progress",
        "juridik@nrv.example.se",
        "dev-user",
    )

    refused = seeded.lead.patch(url, json={"status": "done"})
    assert refused.status_code == 422 and "Skriv en åtgärd eller anteckning" in refused.json()["error"]["message"]
    in_english = seeded.lead.patch(url, json={"status": "done"}, headers={"Accept-Language": "en"})
    assert "resolution note" in in_english.json()["error"]["message"]
    assert seeded.lead.get(url).json()["item"]["status"] == "in_progress"

    done = seeded.lead.patch(url, json={"status": "done", "resolution_note": "Avsnittet om anmälan förtydligat"}).json()
    assert done["status"] == "done" and done["resolved_at"] and done["resolution_note"].startswith("Avsnittet")
    reopened = seeded.lead.patch(url, json={"status": "new"}).json()
    assert reopened["resolved_at"] is None and reopened["resolution_note"].startswith("Avsnittet")
    assert seeded.lead.patch(url, json={"status": "finished"}).status_code == 422


def test_item_notes_and_assignees_are_redacted_like_questions(seeded: Seeded) -> None:
    """Staff write free text too; a probe found notes and assignees stored verbatim."""
    url = f"/api/review/items/{seeded.items['jav']}"
    note = "Ringde sökande 811218–9876 på +46-70-123 45 67, beslut 0 500 000 kr enligt 23 § OSL"
    item = seeded.lead.patch(url, json={"resolution_note": note, "assignee": "anna.s​vensson@nrv.example.se"}).json()
    assert (
        item["resolution_note"]
        == "Ringde sökande [personnummer] på [telefonnummer], beslut 0 500 000 kr enligt 23 § OSL"
    )
    assert item["assignee"] == "[e-post]"
    stored = seeded.lead.get(url).json()["item"]
    assert "9876" not in json.dumps(stored) and "svensson" not in json.dumps(stored)
    # A page owner's contact is published in the guidance itself: assigning to it by address still works.
    owner = seeded.lead.patch(url, json={"assignee": "juridik@nrv.example.se"}).json()
    assert owner["assignee"] == "juridik@nrv.example.se"
    case = seeded.lead.post(
        "/api/review/eval-cases",
        json={"question": "Hur anmäler jag jäv?", "targets": ["jav"], "note": "från 19811218-9876, (08) 123 45 67"},
    )
    assert case.status_code == 201, case.text
    assert case.json()["note"] == "från [personnummer], [telefonnummer]"


def test_bulk_change_is_all_or_nothing(seeded: Seeded) -> None:
    two = [seeded.items["jav"], seeded.items["utbetalning"]]
    missing = seeded.lead.post(
        "/api/review/items/bulk",
        json={"ids": [*two, "answer-finns-inte"], "status": "rejected", "resolution_note": "Dubblett"},
    )
    assert missing.status_code == 404
    assert seeded.ids(status="rejected") == set()

    done = seeded.lead.post(
        "/api/review/items/bulk",
        json={"ids": two, "status": "rejected", "resolution_note": "Dubblett", "assign_to_owner": True},
    ).json()
    assert done["changed"] == 2
    assert {i["assignee"] for i in done["items"]} == {"juridik@nrv.example.se", "ekonomi@nrv.example.se"}
    assert seeded.ids(status="rejected") == {"jav", "utbetalning"}


def test_item_change_that_cannot_be_saved_is_an_error_and_claims_nothing(seeded: Seeded) -> None:
    with seeded.lead.app.state.assistant.database.engine.begin() as connection:  # type: ignore[attr-defined]
        connection.execute(text("DROP TABLE review_states"))
    response = seeded.lead.patch(f"/api/review/items/{seeded.items['jav']}", json={"status": "in_progress"})
    assert response.status_code >= 500
    assert "Det gick inte att spara" in response.json()["error"]["message"] and "status" not in response.json()
    assert "could not be saved" in response.json()["error"]["details"][0]  # the technical cause, for operators


def test_item_opens_the_whole_exchange_and_the_cited_sections(seeded: Seeded) -> None:
    details = seeded.lead.get(f"/api/review/items/{seeded.items['jav']}").json()
    exchange = details["exchange"]
    assert exchange["question"] == "Hur anmäler jag jäv till chefen?" and exchange["answered"] is True
    assert exchange["text"] and exchange["hits"] and exchange["index_is_current"] is True
    cited = exchange["citations"][0]
    assert cited["page_id"] == "jav" and cited["url"].startswith("/pages/jav")
    assert "chef" in cited["text"]  # the section as it reads now
    html = seeded.lead.get(f"/review/items/{seeded.items['jav']}").text
    assert f'href="{cited["url"]}"' in html and "Hela utbytet" in html and 'id="eval-form"' in html

    comment = seeded.lead.get(f"/api/review/items/{seeded.items['comment']}").json()
    assert comment["exchange"] is None and comment["page_changed"] is False
    assert comment["sections"][0]["url"] == "/pages/komplettering#tidsfrist-for-komplettering"
    assert "14 dagar" in comment["sections"][0]["text"]
    assert seeded.lead.get("/api/review/items/answer-finns-inte").status_code == 404


# --- exports -------------------------------------------------------------------------------------------------


def test_export_csv_and_json_follow_the_queue_filters(seeded: Seeded) -> None:
    response = seeded.lead.get("/api/review/export", params={"format": "csv", "rating": "down"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))  # for people: Swedish headings, values, local time
    assert {r["Id"] for r in rows} == {seeded.items[k] for k in ("jav", "utbetalning", "glass")}
    assert "author" not in rows[0] and {r["Skäl"] for r in rows} == {"fel svar", "inaktuellt", "saknas"}
    assert {r["Typ"] for r in rows} == {"Betyg på svar"} and {r["Status"] for r in rows} == {"Ny"}
    assert {r["Betyg"] for r in rows} == {"Tumme ner"}
    local = dt.datetime.now(ZoneInfo("Europe/Stockholm"))
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", r["Inkom (svensk tid)"]) for r in rows)
    assert {r["Inkom (svensk tid)"][:10] for r in rows} <= {local.date().isoformat(), TODAY.isoformat()}

    records = seeded.lead.get("/api/review/export", params={"format": "json", "kind": "comment"}).json()
    assert [r["id"] for r in records] == [seeded.items["comment"]] and records[0]["text"] == "Fristen borde stå först"

    excel = seeded.lead.get("/api/review/export", params={"format": "csv", "dialect": "excel-sv"}).content.decode()
    assert excel.startswith("\ufeffId;Typ;") and "Rättsenheten" in excel
    assert seeded.lead.get("/api/review/export", params={"format": "xml"}).status_code == 422


# --- analytics and the follow-up report ------------------------------------------------------------------------


def test_analytics_counts_shares_gaps_and_negative_pages(seeded: Seeded) -> None:
    stats = seeded.lead.get("/api/review/analytics").json()
    assert stats["questions"] == 5 and stats["answered"] == 3 and stats["share_answered"] == pytest.approx(0.6)
    assert (stats["rated_up"], stats["rated_down"]) == (1, 3) and stats["share_up"] == pytest.approx(0.25)
    today = next(d for d in stats["per_day"] if d["day"] == TODAY.isoformat())
    assert (today["api"], today["slack"]) == (3, 2)
    [glass] = [g for g in stats["gaps"] if "glass" in g["label"]]
    assert glass["count"] == 2  # 'Vad kostar en glass?' and 'Vad kostar glass?' are one gap
    assert {p["page_id"] for p in stats["negative_pages"]} >= {"jav", "utbetalning"}
    assert stats["page_comments"] == 1

    html = seeded.lead.get("/review/analytics").text
    assert html.count('role="img"') >= 2 and "<desc id=" in html and "Visa siffrorna som tabell" in html
    assert "Totalt 5 frågor" in html and "<script" not in html.split("<main")[1].split("</main>")[0]


def test_report_for_the_current_tertial_shows_what_was_done(seeded: Seeded) -> None:
    seeded.lead.patch(
        f"/api/review/items/{seeded.items['glass']}", json={"status": "done", "resolution_note": "Ny FAQ om glass"}
    )
    current = tertial(TODAY)
    html = seeded.lead.get("/review/report").text
    assert f"Uppföljning {current.label}" in html and "Ny FAQ om glass" in html and 'role="img"' in html

    report = seeded.lead.get("/api/review/report").json()
    assert report["period"]["label"] == current.label and report["items_by_status"]["done"] == 1
    [gap] = [g for g in report["gaps"] if "glass" in g["label"]]
    assert gap["actions"][0]["note"] == "Ny FAQ om glass"

    csv_text = seeded.lead.get("/api/review/report", params={"format": "csv", "period": current.label}).text
    rows = list(csv.reader(io.StringIO(csv_text)))
    assert ["Nyckeltal", "Frågor", "5", current.label] in rows
    assert any(r[0] == "Åtgärder under perioden" and "Ny FAQ om glass" in r[3] for r in rows)
    assert seeded.lead.get("/api/review/report", params={"period": "2026-T4"}).status_code == 422


def test_off_topic_question_is_grouped_apart_and_never_an_eval_case(seeded: Seeded) -> None:
    glass = seeded.items["glass"]  # 'Vad kostar en glass?': not the agency's business
    marked = seeded.lead.patch(f"/api/review/items/{glass}", json={"status": "off_topic"})
    assert marked.status_code == 200, marked.text  # closed without a resolution note
    stats = seeded.lead.get("/api/review/analytics").json()
    # the marked question leaves the gaps (the other glass question, never rated, stays until it is marked)
    assert [g["count"] for g in stats["gaps"] if "glass" in g["label"]] == [1]
    assert [g["count"] for g in stats["off_topic"] if "glass" in g["label"]] == [1]
    assert stats["questions"] == 5  # still asked: the figures count it

    refused = seeded.lead.post(
        "/api/review/eval-cases",
        json={"question": "Vad kostar en glass?", "should_answer": False, "source_item": glass},
    )
    assert refused.status_code == 422 and "utanför uppdraget" in refused.json()["error"]["message"]
    assert "Utanför uppdraget" in seeded.lead.get("/review/analytics").text
    report = seeded.lead.get("/review/report").text
    assert "Utanför uppdraget" in report and "Frågor som granskare markerat som utanför uppdraget" in report


def test_report_csv_in_swedish_with_plurals_and_an_excel_variant(seeded: Seeded) -> None:
    seeded.lead.patch(f"/api/review/items/{seeded.items['jav']}", json={"status": "done", "resolution_note": "Rättat"})
    excel = seeded.lead.get("/api/review/report", params={"format": "csv", "dialect": "excel-sv"}).text
    assert excel.startswith("\ufeffDel;Nyckel;Värde;Detalj")
    rows = list(csv.reader(io.StringIO(excel.lstrip("\ufeff")), delimiter=";"))
    assert any(r[0] == "Åtgärder under perioden" and r[2] == "Klar" for r in rows)
    html = seeded.lead.get("/review/report").text
    assert "(2 frågor)" in html or "(1 fråga)" in html
    assert "(1 frågor)" not in html


def test_tertials_are_january_may_and_september() -> None:
    assert (tertial(dt.date(2026, 4, 30)).label, tertial(dt.date(2026, 5, 1)).label) == ("2026-T1", "2026-T2")
    assert tertial(dt.date(2026, 12, 31)) == choose_period("2026-T3", None, None)
    assert choose_period("2026-T2", None, None).end == dt.date(2026, 8, 31)
    custom = choose_period(None, dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert (custom.start, custom.end, custom.label) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28), "")


def test_clusters_group_rewordings_of_one_question() -> None:
    questions = [
        "Hur lång är fristen för komplettering?",
        "Frist för komplettering",
        "Vad är fristen för kompletteringen?",
        "Hur anmäler jag jäv?",
    ]
    groups = group_questions(QuestionRef(q, str(n)) for n, q in enumerate(questions))
    assert [g.count for g in groups] == [3, 1]


# --- eval cases ------------------------------------------------------------------------------------------------


def test_eval_cases_from_review_feed_assistant_eval(seeded: Seeded, tmp_path: Path) -> None:
    made = seeded.lead.post(
        "/api/review/eval-cases",
        json={
            "question": "Hur anmäler jag jäv till chefen?",
            "targets": ["jav#anmalan-av-jav"],
            "source_item": seeded.items["jav"],
        },
    )
    assert made.status_code == 201, made.text
    abstain = seeded.lead.post(
        "/api/review/eval-cases",
        json={"question": "Vad kostar en glass?", "should_answer": False, "source_item": seeded.items["glass"]},
    )
    assert abstain.status_code == 201

    lines = [json.loads(line) for line in seeded.lead.get("/api/review/eval-cases.jsonl").text.splitlines()]
    assert lines[0] == {
        "id": made.json()["id"],
        "question": "Hur anmäler jag jäv till chefen?",
        "gold_ids": ["jav"],
        "gold_sections": ["jav#anmalan-av-jav"],
    }
    assert lines[1]["gold_ids"] == [] and lines[1]["gold_sections"] == []

    written = export_eval_cases(Database(seeded.settings.database_url), tmp_path / "granskning.jsonl")
    questions = load_questions(tmp_path / "granskning.jsonl")  # the eval harness reads it as it is
    assert written == 2 and [q.answerable for q in questions] == [True, False]
    assert (
        "Hur anmäler jag jäv" in seeded.lead.get(f"/review/items/{seeded.items['jav']}").text.split("eval-heading")[-1]
    )


def test_eval_case_must_name_a_real_section_or_abstain(seeded: Seeded) -> None:
    post = seeded.lead.post
    assert post("/api/review/eval-cases", json={"question": "Fråga", "targets": ["jav#finns-inte"]}).status_code == 422
    assert post("/api/review/eval-cases", json={"question": "Fråga", "targets": []}).status_code == 422
    assert (
        post(
            "/api/review/eval-cases", json={"question": "Fråga", "targets": ["jav"], "should_answer": False}
        ).status_code
        == 422
    )
    assert post("/api/review/eval-cases", json={"question": "Fråga", "targets": ["jav"]}).status_code == 201
    assert post("/api/review/eval-cases", json={"question": "Fråga", "targets": ["jav"]}).status_code == 409
    [case] = seeded.lead.get("/api/review/eval-cases").json()["cases"]
    assert seeded.lead.delete(f"/api/review/eval-cases/{case['case_id']}").status_code == 204
    assert seeded.lead.get("/api/review/eval-cases.jsonl").text == ""


def test_eval_cases_editor_lists_and_deletes_only_cases_on_their_pages(seeded: Seeded) -> None:
    """Measured: an editor could list and delete every eval case. Now they are scoped like the queue."""
    lead = seeded.lead
    jav = lead.post("/api/review/eval-cases", json={"question": "Jäv?", "targets": ["jav"]}).json()
    own = lead.post("/api/review/eval-cases", json={"question": "Frist?", "targets": ["komplettering"]}).json()
    glass = lead.post(
        "/api/review/eval-cases",
        json={"question": "Glass?", "should_answer": False, "source_item": seeded.items["glass"]},
    ).json()
    editor = signed_in(seeded.settings, "foretagsstod@nrv.example.se", "editor")  # owns komplettering

    queue = {i["id"] for i in editor.get("/api/review/items").json()["items"]}
    glass_visible = seeded.items["glass"] in queue  # an abstention is about the pages it suggested
    listed = {c["case_id"] for c in editor.get("/api/review/eval-cases").json()["cases"]}
    assert listed == {own["case_id"]} | ({glass["case_id"]} if glass_visible else set())
    assert "Jäv?" not in editor.get("/api/review/eval-cases.jsonl").text
    assert "Jäv?" not in editor.get("/review/eval-cases").text and "Frist?" in editor.get("/review/eval-cases").text
    for other in (jav,) if glass_visible else (jav, glass):
        assert editor.delete(f"/api/review/eval-cases/{other['case_id']}").status_code == 404
    assert editor.delete(f"/api/review/eval-cases/{own['case_id']}").status_code == 204
    assert {c["case_id"] for c in lead.get("/api/review/eval-cases").json()["cases"]} == {
        jav["case_id"],
        glass["case_id"],
    }


# --- sign-in and roles on every route -------------------------------------------------------------------------

REVIEW_ROUTES = [
    ("GET", "/api/review/items", None),
    ("GET", "/api/review/items/answer-x", None),
    ("PATCH", "/api/review/items/answer-x", {"status": "done"}),
    ("POST", "/api/review/items/bulk", {"ids": ["answer-x"], "status": "done"}),
    ("GET", "/api/review/export?format=csv", None),
    ("GET", "/api/review/export?format=json", None),
    ("GET", "/api/review/analytics", None),
    ("GET", "/api/review/report", None),
    ("GET", "/api/review/report?format=csv", None),
    ("GET", "/api/review/eval-cases", None),
    ("POST", "/api/review/eval-cases", {"question": "q", "targets": ["jav"]}),
    ("DELETE", "/api/review/eval-cases/x", None),
    ("GET", "/api/review/eval-cases.jsonl", None),
    ("GET", "/review", None),
    ("GET", "/review/items/answer-x", None),
    ("GET", "/review/analytics", None),
    ("GET", "/review/report", None),
    ("GET", "/review/eval-cases", None),
]


def test_review_routes_need_sign_in_and_a_reviewer_role(settings: Settings, published: IndexStore) -> None:
    anonymous = make_client(settings, auth_mode="proxy")  # not through the trusted proxy: nobody signed in
    caseworker = make_client(settings, dev_role="caseworker")
    for method, path, body in REVIEW_ROUTES:
        response = anonymous.request(method, path, json=body)
        assert response.status_code == 401, (method, path, response.text)
        response = caseworker.request(method, path, json=body)
        assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden", (method, path)
    for role in ("editor", "quality_lead", "admin"):
        assert make_client(settings, dev_role=role).get("/api/review/items").status_code == 200, role


def test_csv_cells_cannot_start_a_spreadsheet_formula() -> None:
    from assistant.review.export import safe_cell

    assert safe_cell('=HYPERLINK("http://x","klicka")') == '\'=HYPERLINK("http://x","klicka")'
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)" and safe_cell("+46") == "'+46"
    assert safe_cell("Fristen är fel") == "Fristen är fel"
