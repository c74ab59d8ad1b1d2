"""The answer API through the real app, on SQLite and PostgreSQL: contract, citations, follow-ups, abstention,
redaction, page rendering and hot reload of a newly published index."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import make_client
from fastapi.testclient import TestClient
from sqlalchemy import select

from assistant.api.app import create_app
from assistant.db import Database, Exchange
from assistant.settings import Settings
from ingest.embedding import load_embedder
from ingest.pipeline import run_ingest
from ingest.publish import IndexStore

ASK_KEYS = {"answer_id", "conversation_id", "answered", "text", "confidence", "citations"}
CITATION_KEYS = {"page_id", "title", "section", "url", "snippet"}


def ask(client: TestClient, question: str, **extra: object) -> dict:
    response = client.post("/api/ask", json={"question": question, **extra})
    assert response.status_code == 200, response.text
    return response.json()


def test_ask_answers_with_citation_to_the_exact_section(client: TestClient) -> None:
    answer = ask(client, "Hur lång tid har sökanden på sig att komplettera?")
    assert answer.keys() >= ASK_KEYS
    assert answer["answered"] is True
    assert "14 dagar" in answer["text"]
    assert re.search(r"\[1\]", answer["text"])
    first = answer["citations"][0]
    assert first.keys() >= CITATION_KEYS
    assert (first["page_id"], first["section"]) == ("komplettering", "tidsfrist-for-komplettering")
    assert first["url"] == "/pages/komplettering#tidsfrist-for-komplettering"


def test_ask_citation_urls_resolve_to_real_sections(client: TestClient) -> None:
    for question in ("Vem prövar jäv?", "När betalas stödet ut efter rekvisition?", "Hur begär jag komplettering?"):
        for citation in ask(client, question)["citations"]:
            path, _, anchor = citation["url"].partition("#")
            page = client.get(path)
            assert page.status_code == 200
            if anchor:
                assert f'id="{anchor}"' in page.text


def test_ask_far_from_every_page_says_so_without_a_list_of_unrelated_pages(client: TestClient) -> None:
    answer = ask(client, "Vilken lunchrestaurang i Sundsvall har bäst pizza?")
    assert answer["answered"] is False
    assert answer["text"].startswith("Vägledningarna tar inte upp det här")
    assert answer["citations"] == [] and answer["suggestions"] == []


def test_ask_abstains_but_suggests_pages_near_the_topic(client: TestClient) -> None:
    answer = ask(client, "Hur stor är förseningsavgiften vid komplettering av en pappersansökan från Norge?")
    assert answer["answered"] is False and answer["citations"] == []
    assert answer["suggestions"][0]["page_id"] == "komplettering"
    assert answer["suggestions"][0]["url"].startswith("/pages/komplettering")


def test_ask_follow_up_uses_earlier_turn(client: TestClient) -> None:
    first = ask(client, "Hur begär jag komplettering av en ansökan?")
    follow = ask(client, "och om det inte kommer in?", conversation_id=first["conversation_id"])
    assert follow["follow_up"] is True and follow["conversation_id"] == first["conversation_id"]
    assert follow["citations"][0]["page_id"] == "komplettering"
    alone = ask(client, "och om det inte kommer in?")
    assert alone["follow_up"] is False and alone["conversation_id"] != first["conversation_id"]


def test_ask_unknown_conversation_is_404(client: TestClient) -> None:
    response = client.post("/api/ask", json={"question": "jäv", "conversation_id": "finns-inte"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_ask_redacts_personal_data_before_storing(client: TestClient, settings: Settings) -> None:
    answer = ask(client, "Sökande 19121212-1212 (anna@example.se, 070-123 45 67) vill komplettera, hur lång tid?")
    assert set(answer["redacted"]) == {"personnummer", "e-post", "telefon"}
    assert any("Personuppgifter" in note for note in answer["notes"])
    with Database(settings.database_url).session() as session:
        stored = session.scalars(select(Exchange).where(Exchange.id == answer["answer_id"])).one()
        assert "19121212" not in stored.question and "anna@" not in stored.question and "070" not in stored.question
        assert "[personnummer]" in stored.question


def test_ask_stores_the_whole_exchange(client: TestClient, settings: Settings) -> None:
    answer = ask(client, "Vem prövar jäv?")
    with Database(settings.database_url).session() as session:
        stored = session.get(Exchange, answer["answer_id"])
        assert stored is not None
        assert stored.channel == "api" and stored.index_version == answer["index_version"]
        assert stored.hits and {"page_id", "anchor", "score"} <= stored.hits[0].keys()
        assert stored.latency_ms >= 0 and stored.citations == answer["citations"]


def test_ask_rejects_empty_and_too_long_questions(client: TestClient) -> None:
    assert client.post("/api/ask", json={"question": ""}).status_code == 422
    response = client.post("/api/ask", json={"question": "x" * 2001})
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_input"


def test_conversation_route_returns_turns(client: TestClient) -> None:
    first = ask(client, "Vem prövar jäv?")
    ask(client, "och om chefen är jävig?", conversation_id=first["conversation_id"])
    body = client.get(f"/api/conversations/{first['conversation_id']}").json()
    assert [e["question"] for e in body["exchanges"]] == ["Vem prövar jäv?", "och om chefen är jävig?"]


def test_search_filters_exclude_archived_and_expired_pages(client: TestClient) -> None:
    hits = client.get("/api/search", params={"q": "lägesrapport kvartal omställningsstöd"}).json()["hits"]
    assert {h["page_id"] for h in hits}.isdisjoint({"gammal-rutin", "tillfalligt-stod"})
    tagged = client.get("/api/search", params={"q": "stöd", "tag": "utbetalning"}).json()["hits"]
    assert tagged and {h["page_id"] for h in tagged} == {"utbetalning"}


def test_search_corrects_typos_and_uses_aliases(client: TestClient) -> None:
    hits = client.get("/api/search", params={"q": "kompletering"}).json()["hits"]
    assert hits[0]["page_id"] == "komplettering"
    hits = client.get("/api/search", params={"q": "intressekonflikt"}).json()["hits"]
    assert hits[0]["page_id"] == "jav"


def test_pages_show_owner_review_date_and_stale_flag(client: TestClient) -> None:
    pages = {p["id"]: p for p in client.get("/api/pages").json()["pages"]}
    assert pages["jav"]["stale"] is True and pages["komplettering"]["stale"] is False
    html = client.get("/pages/jav").text
    assert "Rättsenheten" in html and "2024-01-10" in html and "Granskningsdatum passerat" in html
    assert client.get("/pages/finns-inte").status_code == 404


def test_page_rendering_never_runs_markdown_html(client: TestClient) -> None:
    html = client.get("/pages/utbetalning").text
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "script-src 'self'" in client.get("/pages/utbetalning").headers["content-security-policy"]


def test_start_page_and_english_interface(client: TestClient) -> None:
    assert "Ställ en fråga" in client.get("/").text
    english = client.get("/?lang=en")
    assert 'lang="en"' in english.text and "Ask a question" in english.text


def test_stale_page_is_flagged_in_answer(client: TestClient) -> None:
    answer = ask(client, "Vem prövar jäv?")
    jav = [c for c in answer["citations"] if c["page_id"] == "jav"]
    assert jav and jav[0]["stale"] is True
    assert any("granskningsdatum" in note for note in answer["notes"])


def test_new_index_is_served_without_restart(client: TestClient, knowledge_dir: Path, index_dir: Path) -> None:
    before = ask(client, "Vem prövar jäv?")["index_version"]
    page = knowledge_dir / "jav.md"
    page.write_text(page.read_text().replace("Anmäl jäv till din chef", "Anmäl jäv till enhetschefen"))
    new = run_ingest(knowledge_dir, IndexStore(index_dir), load_embedder("hash-demo")).version
    client.app.state.assistant.indexes.refresh()  # the periodic check would switch within seconds
    after = ask(client, "Vem ska jag anmäla jäv till?")
    assert after["index_version"] == new != before
    assert "enhetschefen" in client.get("/pages/jav").text


def test_health_readiness_and_metrics(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["checks"]["database"] == "ok"
    ask(client, "Vem prövar jäv?")
    metrics = client.get("/metrics").text
    assert 'assistant_questions_total{channel="api"' in metrics


def test_search_status_filter_finds_archived_pages_on_request(settings: Settings, published: IndexStore) -> None:
    client = make_client(settings, dev_role="editor")  # caseworkers search only what is in force
    default = client.get("/api/search", params={"q": "lägesrapport kvartal"}).json()["hits"]
    assert "gammal-rutin" not in {h["page_id"] for h in default}
    archived = client.get("/api/search", params={"q": "lägesrapport kvartal", "status": "archived"}).json()["hits"]
    assert archived and {h["page_id"] for h in archived} == {"gammal-rutin"}
    expired = client.get("/api/search", params={"q": "omställningsstöd", "include_expired": "true"}).json()["hits"]
    assert expired[0]["page_id"] == "tillfalligt-stod" and expired[0]["expired"] is True


def test_ask_cannot_continue_someone_elses_conversation(settings: Settings, published: IndexStore) -> None:
    proxied = settings.model_copy(update={"auth_mode": "proxy", "proxy_trusted_ips": ["testclient"]})
    client = TestClient(create_app(proxied))
    anna, bo = {"X-Forwarded-User": "anna"}, {"X-Forwarded-User": "bo"}
    first = client.post("/api/ask", json={"question": "Vem prövar jäv?"}, headers=anna).json()
    follow = {"question": "och om chefen är jävig?", "conversation_id": first["conversation_id"]}
    assert client.post("/api/ask", json=follow, headers=bo).status_code == 404
    assert client.post("/api/ask", json=follow, headers=anna).status_code == 200


def test_broken_new_version_keeps_the_old_one_serving(client: TestClient, index_dir: Path, knowledge_dir: Path) -> None:
    before = ask(client, "Vem prövar jäv?")["index_version"]
    new = run_ingest(knowledge_dir, IndexStore(index_dir), load_embedder("hash-demo"), settings={"x": 1}).version
    (index_dir / "versions" / new / "chunks.json").write_text("{trasig")  # a disk fault after publishing
    client.app.state.assistant.indexes.refresh()
    assert ask(client, "Vem prövar jäv?")["index_version"] == before
