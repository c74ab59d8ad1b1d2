"""The review pages in real Chromium (Debian's /usr/bin/chromium through Playwright) against the real app
served by uvicorn on a free loopback port, signed in as a quality lead through dev mode, on SQLite.

Nothing is mocked. Pages are watched for Content-Security-Policy violations and script errors, scanned with
axe, and screenshots are kept in test-artifacts/ (not committed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import serve
from conftest import make_client
from playwright.sync_api import Browser, Page, expect

from assistant.api.app import create_app
from assistant.settings import Settings
from ingest.publish import IndexStore

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
WATCH_CSP = """window.__csp = []; document.addEventListener("securitypolicyviolation",
  (e) => window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline")));"""


@contextmanager
def serve_settings(settings: Settings) -> Iterator[str]:
    with serve(create_app(settings)) as url:
        yield url


@pytest.fixture
def lead_url(knowledge_dir: Path, index_dir: Path, published: IndexStore, tmp_path: Path) -> Iterator[str]:
    """Two rated answers and a page comment from a caseworker; the app served to a quality lead."""
    settings = Settings(
        knowledge_dir=knowledge_dir,
        index_dir=index_dir,
        database_url=f"sqlite:///{tmp_path / 'a.db'}",
        embedding_model="hash-demo",
        environment="development",
        auth_mode="dev",
        dev_role="caseworker",
        _env_file=None,
    )  # type: ignore[call-arg]
    today = dt.date.today().isoformat()
    make_client(settings, dev_role="admin").put("/api/test-period", json={"starts_on": today, "ends_on": today})
    caseworker = make_client(settings)
    for question, rating, reason, comment in (
        ("Hur anmäler jag jäv till chefen?", "down", "fel svar", None),
        # a thumbs-up opens a queue item only with a comment (without one it is a figure, not work)
        ("Hur skickar man rekvisition?", "up", None, "Bra, men nämn blanketten"),
    ):
        answer_id = caseworker.post("/api/ask", json={"question": question}).json()["answer_id"]
        body = {"rating": rating, "reason": reason, "comment": comment}
        caseworker.post(f"/api/answers/{answer_id}/feedback", json=body)
    caseworker.post(
        "/api/pages/komplettering/comments",
        json={"comment": "Fristen borde stå först", "section": "tidsfrist-for-komplettering"},
    )
    with serve_settings(settings.model_copy(update={"dev_role": "quality_lead"})) as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh tab; at the end it must have had no CSP violations and no script errors."""
    context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
    context.add_init_script(WATCH_CSP)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda err: problems.append(f"script error: {err}"))
    tab.on("console", lambda m: problems.extend([m.text] if "Content Security Policy" in m.text else []))
    yield tab
    problems.extend(tab.evaluate("window.__csp || []"))
    context.close()
    assert not problems, problems


def assert_accessible(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_review_queue_filter_open_exchange_and_change_status(lead_url: str, page: Page) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{lead_url}/review")
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(3)
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / "review-queue.png"), full_page=True)

    page.get_by_label("Betyg", exact=True).select_option(label="Tumme ner")
    page.get_by_role("button", name="Filtrera").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Jäv")

    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Hela utbytet")).to_be_visible()
    expect(page.locator("p.question")).to_have_text("Hur anmäler jag jäv till chefen?")
    cited = page.locator("ol.cited a").first
    assert (cited.get_attribute("href") or "").startswith("/pages/jav")

    page.get_by_label("Status", exact=True).select_option(label="Pågår")
    page.get_by_role("button", name="Tilldela sidans ägare (juridik@nrv.example.se)").click()
    expect(page.locator("#item-status")).to_have_text("Pågår")
    expect(page.locator("#item-assignee")).to_have_text("juridik@nrv.example.se")
    expect(page.locator("#item-form .form-status")).to_have_text("Sparat.")
    page.screenshot(path=str(ARTIFACTS / "review-item.png"), full_page=True)
    assert_accessible(page)

    page.get_by_label("Status", exact=True).select_option(label="Klar")
    page.get_by_role("button", name="Spara", exact=True).click()  # no note: refused, and said so
    expect(page.get_by_role("alert")).to_contain_text("Det gick inte att spara")
    expect(page.locator("#item-status")).to_have_text("Pågår")

    page.reload()
    expect(page.locator("#item-status")).to_have_text("Pågår")
    cited.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jäv")


def test_review_bulk_action_and_analytics_charts(lead_url: str, page: Page) -> None:
    page.goto(f"{lead_url}/review")
    page.get_by_label("Markera alla poster på sidan").check()
    page.get_by_label("Ny status").select_option(label="Pågår")
    page.get_by_role("button", name="Ändra markerade").click()
    expect(page.locator("#bulk-form .form-status")).to_contain_text("Sparat. (3)")
    expect(page.locator("span.status.in_progress")).to_have_count(3)  # after the reload

    page.goto(f"{lead_url}/review/analytics")
    chart = page.get_by_role("img", name="Frågor per dag och kanal")
    expect(chart).to_be_visible()
    page.get_by_text("Visa siffrorna som tabell").first.click()
    expect(page.locator("figure table").first).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / "review-analytics.png"), full_page=True)

    page.goto(f"{lead_url}/review/report")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Uppföljning")
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / "review-report.png"), full_page=True)


def test_page_comment_on_a_section_in_the_test_period(lead_url: str, page: Page) -> None:
    page.goto(f"{lead_url}/pages/jav")
    expect(page.get_by_role("heading", name="Kommentera sidan")).to_be_visible()
    page.get_by_role("button", name="Kommentera avsnittet: Anmälan av jäv").click()
    expect(page.get_by_label("Din kommentar")).to_be_focused()
    assert page.get_by_label("Avsnitt", exact=True).input_value() == "anmalan-av-jav"
    page.get_by_label("Din kommentar").fill("Ange vem som ska ha anmälan, ring 070-123 45 67")
    page.get_by_role("button", name="Skicka kommentar").click()
    expect(page.locator("#comment-form .form-status")).to_have_text("Tack! Din kommentar är sparad.")
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / "page-comment.png"), full_page=True)

    page.reload()  # a quality lead sees the comments on the page, redacted
    comments = page.locator(".comment-list li")
    expect(comments).to_have_count(1)
    expect(comments.first).to_contain_text("Anmälan av jäv")
    expect(comments.first).to_contain_text("ring [telefonnummer]")
