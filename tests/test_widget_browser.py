"""The intranet widget in real Chromium: Debian's /usr/bin/chromium driven by Playwright, against the real app
served by uvicorn on a loopback port, with the fixture knowledge indexed by the hash-demo embedder.

Nothing is mocked. Every page is watched for Content-Security-Policy violations (the browser's
`securitypolicyviolation` events and its console messages) and for script errors; any of them fails the test.
Screenshots are kept in test-artifacts/ (not committed).
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import free_port, serve
from fastapi import FastAPI
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect
from sqlalchemy import select, text

from assistant.api.app import create_app
from assistant.db import Database, Feedback
from assistant.settings import Settings
from ingest.publish import IndexStore

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
QUESTION = "Hur anmäler man jäv till chefen?"
UNKNOWN = "Hur stor är förseningsavgiften vid komplettering av en pappersansökan från Norge?"  # near, unanswered
FAR = "Vad kostar en glass på stranden?"
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline"));
});
"""
DEEP_FOCUS = """() => {
  let a = document.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  if (!a) return null;
  const s = getComputedStyle(a);
  return {
    tag: a.tagName.toLowerCase(),
    name: (a.getAttribute("aria-label") || a.textContent || "").trim(),
    href: a.getAttribute("href") || "",
    inWidget: a.getRootNode() !== document,
    outline: s.outlineStyle,
    outlineWidth: parseFloat(s.outlineWidth),
  };
}"""


@dataclass
class Live:
    url: str
    app: FastAPI

    @property
    def database(self) -> Database:
        database: Database = self.app.state.assistant.database
        return database

    def feedback_rows(self) -> list[tuple[str, str | None, str | None]]:
        with self.database.session() as session:
            return [(f.rating, f.reason, f.comment) for f in session.scalars(select(Feedback)).all()]


@dataclass
class Watched:
    """A page and what went wrong on it that the user would not necessarily see."""

    page: Page
    problems: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        violations = self.page.evaluate("window.__cspViolations || []")
        assert not violations and not self.problems, violations + self.problems


@pytest.fixture
def live(settings: Settings, published: IndexStore) -> Iterator[Live]:
    """The real app (dev sign-in) on a free loopback port."""
    app = create_app(settings)
    with serve(app) as url:
        yield Live(url, app)


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Watched]]:
    """Open a URL in a fresh context; at the end every page must be free of CSP violations and script errors."""
    contexts: list[BrowserContext] = []
    watched: list[Watched] = []

    def open_url(url: str, **context_options: Any) -> Watched:
        context = browser.new_context(locale="sv-SE", **context_options)
        context.add_init_script(WATCH_CSP)
        contexts.append(context)
        page = context.new_page()
        w = Watched(page)

        def on_console(message: ConsoleMessage) -> None:
            if "Content Security Policy" in message.text:
                w.problems.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda err: w.problems.append(f"script error: {err}"))
        page.goto(url)
        watched.append(w)
        return w

    yield open_url
    try:
        for w in watched:
            w.assert_clean()
    finally:
        for context in contexts:
            context.close()


def ask(page: Page, question: str, label: str = "Din fråga", button: str = "Fråga") -> Any:
    """Type a question, send it, and return the locator of the answer that appears."""
    answers = page.locator("vagledning-assistent .answer")
    before = answers.count()
    page.get_by_label(label).fill(question)
    page.get_by_role("button", name=button, exact=True).click()
    expect(answers).to_have_count(before + 1)
    return answers.last


def open_widget(page: Page) -> None:
    page.get_by_role("button", name="Fråga AI-assistenten").click()
    expect(page.get_by_label("Din fråga")).to_be_focused()


def test_widget_ask_shows_cited_answer_and_citation_opens_the_section(
    live: Live, open_page: Callable[..., Watched]
) -> None:
    page = open_page(f"{live.url}/widget/demo").page
    assert "unsafe-inline" not in (page.request.get(f"{live.url}/widget/demo").headers["content-security-policy"])
    open_widget(page)
    expect(page.get_by_text("Det här är en AI-assistent.")).to_be_visible()
    answer = ask(page, QUESTION)
    expect(answer.get_by_role("heading", name="Källor")).to_be_visible()
    link = answer.get_by_role("link", name="Jäv").first
    href = link.get_attribute("href") or ""
    assert href.startswith(f"{live.url}/pages/jav#"), href
    anchor = href.split("#", 1)[1]
    with page.context.expect_page() as opened:
        link.click()
    guidance = opened.value
    guidance.wait_for_load_state()
    assert guidance.url == href
    target = guidance.locator(f"[id='{anchor}']")
    expect(target).to_be_visible()
    assert target.evaluate("el => /^H[1-6]$/.test(el.tagName)")
    expect(guidance.get_by_role("heading", level=1)).to_have_text("Jäv")


def test_widget_abstains_with_suggestions_and_keeps_the_conversation(
    live: Live, open_page: Callable[..., Watched]
) -> None:
    page = open_page(f"{live.url}/widget/demo").page
    open_widget(page)
    with page.expect_response("**/api/ask") as first:
        answer = ask(page, UNKNOWN)
    expect(answer).to_contain_text("Jag hittar inget säkert svar")
    expect(answer.get_by_role("heading", name="Sidor som ligger närmast")).to_be_visible()
    assert answer.get_by_role("link").count() >= 1
    with page.expect_request("**/api/ask") as follow_up:
        ask(page, QUESTION)
    sent = follow_up.value.post_data_json or {}
    assert sent["conversation_id"] == first.value.json()["conversation_id"]


def test_widget_says_so_without_a_list_when_the_question_is_far_from_the_guidance(
    live: Live, open_page: Callable[..., Watched]
) -> None:
    page = open_page(f"{live.url}/widget/demo").page
    open_widget(page)
    answer = ask(page, FAR)
    expect(answer).to_contain_text("Vägledningarna tar inte upp det här")
    expect(answer.get_by_role("heading", name="Sidor som ligger närmast")).to_have_count(0)


def test_widget_rating_up_is_stored(live: Live, open_page: Callable[..., Watched]) -> None:
    page = open_page(f"{live.url}/widget/demo").page
    open_widget(page)
    answer = ask(page, QUESTION)
    answer.get_by_role("button", name="Ja").click()
    expect(answer.get_by_role("status")).to_have_text("Tack för ditt omdöme!")
    assert live.feedback_rows() == [("up", None, None)]


def test_widget_rating_down_with_reason_and_comment_is_stored(live: Live, open_page: Callable[..., Watched]) -> None:
    page = open_page(f"{live.url}/widget/demo").page
    open_widget(page)
    answer = ask(page, QUESTION)
    answer.get_by_role("button", name="Nej").click()
    reason = answer.get_by_role("radio", name="Inaktuellt")
    expect(answer.get_by_role("radio", name="Fel svar")).to_be_focused()
    reason.check()
    answer.get_by_label("Kommentar (valfri)").fill("Blanketten har bytt namn.")
    answer.get_by_role("button", name="Skicka omdöme").click()
    expect(answer.get_by_role("status")).to_have_text("Tack för ditt omdöme!")
    assert live.feedback_rows() == [("down", "inaktuellt", "Blanketten har bytt namn.")]


def test_widget_feedback_not_saved_tells_the_user(live: Live, open_page: Callable[..., Watched]) -> None:
    page = open_page(f"{live.url}/widget/demo").page
    open_widget(page)
    answer = ask(page, QUESTION)
    with live.database.engine.begin() as connection:  # a real storage failure, not a faked response
        connection.execute(text("DROP TABLE feedback"))
    answer.get_by_role("button", name="Ja").click()
    expect(answer.get_by_role("alert")).to_have_text("Omdömet kunde inte sparas. Försök igen.")
    expect(answer.get_by_role("button", name="Ja")).to_be_visible()


def test_widget_axe_finds_no_violations_with_an_answer_shown(live: Live, open_page: Callable[..., Watched]) -> None:
    page = open_page(f"{live.url}/widget/demo").page
    open_widget(page)
    answer = ask(page, QUESTION)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-desktop.png"))
    answer.get_by_role("button", name="Nej").click()  # the reason form open too
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_widget_keyboard_only_flow(live: Live, open_page: Callable[..., Watched]) -> None:
    page = open_page(f"{live.url}/widget/demo").page

    def focused() -> dict[str, Any]:
        state: dict[str, Any] = page.evaluate(DEEP_FOCUS)
        return state

    def tab_until(matches: Callable[[dict[str, Any]], bool], key: str = "Tab") -> dict[str, Any]:
        for _ in range(40):
            page.keyboard.press(key)
            state = focused()
            if matches(state):
                assert state["outline"] != "none" and state["outlineWidth"] >= 2, f"focus not visible: {state}"
                return state
        raise AssertionError(f"never reached by {key}; last focus: {focused()}")

    tab_until(lambda f: f["name"] == "Fråga AI-assistenten")
    page.keyboard.press("Enter")
    assert focused()["tag"] == "textarea"
    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    expect(page.locator("vagledning-assistent .answer")).to_have_count(1)
    link = tab_until(lambda f: f["tag"] == "a" and "/pages/jav" in f["href"], key="Shift+Tab")
    with page.context.expect_page() as opened:
        page.keyboard.press("Enter")
    assert opened.value.url == link["href"]
    opened.value.close()
    tab_until(lambda f: f["name"].endswith("Ja"))
    page.keyboard.press("Space")
    expect(page.get_by_text("Tack för ditt omdöme!")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_label("Din fråga")).to_be_hidden()
    assert focused()["name"] == "Fråga AI-assistenten"
    page.keyboard.press("Shift+Tab")
    assert not focused()["inWidget"], "focus must be able to leave the widget"


def test_widget_phone_sized_screen(live: Live, open_page: Callable[..., Watched]) -> None:
    page = open_page(
        f"{live.url}/widget/demo", viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True
    ).page
    launcher = page.get_by_role("button", name="Fråga AI-assistenten")
    box = launcher.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375 and box["y"] + box["height"] <= 667
    launcher.tap()
    panel = page.locator("vagledning-assistent .panel")
    assert panel.bounding_box() == {"x": 0, "y": 0, "width": 375, "height": 667}
    answer = ask(page, QUESTION)
    link = answer.get_by_role("link").first
    expect(link).to_be_visible()
    link_box = link.bounding_box()
    assert link_box and link_box["x"] + link_box["width"] <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-phone.png"))
    page.get_by_role("button", name="Stäng assistenten").tap()
    expect(panel).to_be_hidden()
    expect(launcher).to_be_visible()


INTRANET_PAGE = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>Intranät på en annan adress</title></head>
<body><main><h1>Intranätets startsida</h1>
<script src="{server}/widget/widget.js" data-server="{server}" data-lang="en" data-position="inline" defer></script>
</main></body></html>"""


@contextmanager
def _intranet(port: int, server: str) -> Iterator[str]:
    """Another origin with its own strict policy: scripts and API calls only from the assistant's server."""
    body = INTRANET_PAGE.format(server=server).encode()
    policy = f"default-src 'none'; script-src {server}; connect-src {server}; base-uri 'none'"

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Security-Policy", policy)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_widget_on_another_origin_in_english_sends_credentials(
    settings: Settings, published: IndexStore, open_page: Callable[..., Watched]
) -> None:
    intranet_port = free_port()
    origin = f"http://127.0.0.1:{intranet_port}"
    app = create_app(settings.model_copy(update={"widget_origins": [origin]}))
    with serve(app) as server, _intranet(intranet_port, server) as intranet:
        watched = open_page(f"{intranet}/")
        page = watched.page
        page.context.add_cookies([{"name": "intranet_session", "value": "probe", "url": server}])
        widget = page.locator("vagledning-assistent")
        expect(widget).to_have_attribute("lang", "en")
        expect(page.get_by_text("This is an AI assistant.")).to_be_visible()
        with page.expect_request(f"{server}/api/ask") as request:
            answer = ask(page, QUESTION, label="Your question", button="Ask")
        assert "intranet_session=probe" in (request.value.all_headers().get("cookie") or "")
        expect(answer.get_by_role("heading", name="Sources")).to_be_visible()
        href = answer.get_by_role("link").first.get_attribute("href") or ""
        assert href.startswith(f"{server}/pages/"), href
        answer.get_by_role("button", name="Yes").click()
        expect(answer.get_by_role("status")).to_have_text("Thank you for your feedback!")
        assert Live(server, app).feedback_rows() == [("up", None, None)]
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
