"""The start page and a guidance page in real Chromium: ask, follow a citation, rate, accessibility."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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
