"""The start page and a guidance page in real Chromium: ask, follow a citation, rate, accessibility."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import serve
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from assistant.api.app import create_app
from assistant.db import Database, Exchange, Feedback
from assistant.settings import Settings
from ingest.publish import IndexStore

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the page, not the database


@pytest.fixture
def base_url(settings: Settings, published: IndexStore) -> Iterator[str]:
    with serve(create_app(settings)) as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    yield page
    context.close()
    assert not errors, errors


def test_start_page_ask_follow_citation_and_rate(base_url: str, page: Page, settings: Settings) -> None:
    page.goto(base_url + "/")
    page.get_by_role("textbox", name="Ställ en fråga om handläggningen").fill(
        "Hur lång tid har sökanden på sig att komplettera?"
    )
    page.get_by_role("button", name="Fråga", exact=True).click()
    answer = page.locator("#answer")
    expect(answer.locator(".text")).to_contain_text("14 dagar")
    citation = answer.locator(".citations a").first
    expect(citation).to_have_attribute("href", "/pages/komplettering#tidsfrist-for-komplettering")

    violations = Axe().run(page)
    assert violations.violations_count == 0, violations.generate_report()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "start-page-answer.png"), full_page=True)

    page.get_by_role("button", name="Nej, dåligt svar").click()
    page.get_by_label("Vad var fel?").select_option("inaktuellt")
    page.get_by_label("Kommentar (valfri)").fill("Fristen är 10 dagar sedan i höstas.")
    page.get_by_role("button", name="Skicka").click()
    expect(answer).to_contain_text("Tack för ditt omdöme!")
    with Database(settings.database_url).session() as session:
        [row] = session.scalars(select(Feedback)).all()
        assert (row.rating, row.reason, row.comment) == ("down", "inaktuellt", "Fristen är 10 dagar sedan i höstas.")
        assert session.get(Exchange, row.exchange_id).channel == "web"  # type: ignore[union-attr]

    citation.click()
    expect(page).to_have_url(f"{base_url}/pages/komplettering#tidsfrist-for-komplettering")
    expect(page.locator("#tidsfrist-for-komplettering")).to_have_text("Tidsfrist för komplettering")


def test_start_page_keyboard_only_and_phone_sized(base_url: str, browser: Browser) -> None:
    context = browser.new_context(locale="sv-SE", viewport={"width": 375, "height": 667})
    page = context.new_page()
    page.goto(base_url + "/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Hoppa till innehållet")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator("#question")).to_be_focused()
    page.keyboard.type("Vem prövar jäv?")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#answer .citations a").first).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways on a phone ({width}px)"
    page.screenshot(path=str(ARTIFACTS / "start-page-phone.png"), full_page=True)
    context.close()


def test_guidance_page_is_accessible(base_url: str, page: Page) -> None:
    page.goto(base_url + "/pages/jav")
    expect(page.get_by_role("heading", level=1)).to_have_text("Jäv")
    violations = Axe().run(page)
    assert violations.violations_count == 0, violations.generate_report()


@SQLITE_ONLY
def test_start_page_is_a_conversation_with_follow_up_and_restart(base_url: str, page: Page) -> None:
    page.goto(base_url + "/")
    question = page.get_by_role("textbox", name="Ställ en fråga om handläggningen")
    ask = page.locator("#ask-form button[type=submit]")
    released: list[object] = []

    def slow(route: Any) -> None:  # the real server answers; the first answer is only held back a moment
        if not released:
            released.append(route)
            page.wait_for_timeout(400)
        route.continue_()

    page.route("**/api/ask", slow)
    question.fill("Hur lång tid har sökanden på sig att komplettera?")
    question.press("Enter")  # Enter sends
    expect(ask).to_be_disabled()
    expect(ask).to_have_text("Söker svar…")
    turns = page.locator("#answer > li.turn")
    expect(turns.nth(0).locator(".text")).to_contain_text("14 dagar")
    expect(ask).to_be_enabled()
    expect(question).to_have_value("")

    question.fill("och om sökanden inte svarar?")
    question.press("Enter")
    expect(turns).to_have_count(2)
    expect(turns.nth(1).locator(".follow-up")).to_have_text("Följdfråga: svaret bygger på din förra fråga.")
    expect(turns.nth(0)).to_contain_text("Hur lång tid har sökanden på sig att komplettera?")  # still visible
    expect(turns.nth(0).locator(".follow-up")).to_have_count(0)
    expect(turns.nth(0).locator("button.rate svg")).to_have_count(2)  # drawn icons, no emoji
    assert "👍" not in page.content()

    violations = Axe().run(page)
    assert violations.violations_count == 0, violations.generate_report()
    page.screenshot(path=str(ARTIFACTS / "start-page-conversation.png"), full_page=True)

    page.get_by_role("button", name="Ny konversation").click()
    expect(turns).to_have_count(0)
    expect(question).to_be_focused()
    question.fill("Vem prövar jäv?")
    question.press("Enter")
    expect(turns).to_have_count(1)
    expect(turns.nth(0).locator(".follow-up")).to_have_count(0)  # a new conversation builds on nothing


@SQLITE_ONLY
def test_start_page_renders_lists_and_tables_and_escapes(base_url: str, page: Page) -> None:
    """The composer's text carries '- item', '1. step' and '| a | b |' lines. The lead's table rows are not
    emitted yet, so the real answer is fetched and its text replaced (page.route) to show what the page does."""
    text = (
        "Så här gör du: [1]\n1. Öppna ärendet.\n2. Skicka begäran. [1]\n"
        "- Frist 14 dagar\n- <img src=x onerror=alert(1)>\n"
        "| Belopp | Frist |\n|---|---|\n| Under 1 000 kr | 14 dagar |\n| Över 1 000 kr | 30 dagar | [1]"
    )

    def rewritten(route: Any) -> None:
        response = route.fetch()
        body = response.json()
        body["text"] = text
        route.fulfill(response=response, json=body)

    page.route("**/api/ask", rewritten)
    page.goto(base_url + "/")
    page.get_by_role("textbox", name="Ställ en fråga om handläggningen").fill("Hur kompletterar jag?")
    page.keyboard.press("Enter")
    reply = page.locator("#answer .text").first
    expect(reply.locator("ol > li")).to_have_count(2)
    expect(reply.locator("ul > li")).to_have_count(2)
    expect(reply.locator("ul > li").nth(1)).to_have_text("<img src=x onerror=alert(1)>")  # shown, not run
    expect(reply.locator("img")).to_have_count(0)
    expect(reply.locator("table th")).to_have_text(["Belopp", "Frist"])
    expect(reply.locator("table tbody tr")).to_have_count(2)
    expect(reply.locator("a.cite").first).to_have_attribute("href", re.compile(r"^/pages/"))
    assert "4." not in reply.inner_text().replace("14", "")
    violations = Axe().run(page)
    assert violations.violations_count == 0, violations.generate_report()
    page.screenshot(path=str(ARTIFACTS / "start-page-structure.png"), full_page=True)


@pytest.fixture
def long_contact(knowledge_dir: Path) -> None:
    """A contact address as long as real ones get (it made the page 433 px wide on a 375 px phone)."""
    page = knowledge_dir / "jav.md"
    page.write_text(
        page.read_text().replace("juridik@nrv.example.se", "rattsenheten.forvaltningsjuridik.vagledning@nrv.example.se")
    )


@SQLITE_ONLY
def test_guidance_page_fits_a_phone_with_a_long_contact(long_contact: None, base_url: str, browser: Browser) -> None:
    context = browser.new_context(locale="sv-SE", viewport={"width": 375, "height": 667})
    page = context.new_page()
    page.goto(base_url + "/pages/jav")
    expect(page.get_by_role("link", name="rattsenheten.forvaltningsjuridik.vagledning@nrv.example.se")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways on a phone ({width}px)"
    page.screenshot(path=str(ARTIFACTS / "guidance-page-phone.png"), full_page=True)
    context.close()
