"""Optional generative answers through any OpenAI-compatible chat endpoint (vLLM, Ollama, llama.cpp, Azure).

The model sees only the retrieved sections, numbered, and must cite them as [n]. An answer that cites
nothing, cites a number it was not given, or cites nothing for a paragraph is rejected; the caller then
falls back to the extractive answer. So is a timeout or any HTTP error.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import httpx

from assistant.compose import Composer, Draft, LinkBuilder, TurnContext
from assistant.confidence import DEFAULT_CONFIDENCE, signals_of
from assistant.index import KnowledgeIndex
from assistant.messages import t
from assistant.retrieval import Hit, Query, Searcher
from assistant.settings import Settings

SYSTEM_PROMPT = {
    "sv": (
        "Du är en assistent för handläggare på en svensk myndighet. Svara kort (högst fem meningar) på svenska, "
        "enbart utifrån de numrerade utdragen ur myndighetens vägledningar. Varje mening ska sluta med en "
        "källhänvisning i formen [n] till det utdrag den bygger på. Om utdragen inte besvarar frågan, svara "
        "exakt: INGET SVAR"
    ),
    "en": (
        "You assist caseworkers at a Swedish agency. Answer briefly (at most five sentences), only from the "
        "numbered guidance excerpts. End every sentence with a citation [n] to the excerpt it rests on. If the "
        "excerpts do not answer the question, reply exactly: INGET SVAR"
    ),
}
MAX_SOURCES = 4
_CITE = re.compile(r"\[(\d+)\]")


class GenerationRejected(Exception):
    """The model's answer did not meet the citation rules; the extractive answer is used instead."""


class ChatComposer(Composer):
    name = "llm"

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "",
        timeout: float = 20.0,
        transport: httpx.BaseTransport | None = None,
    ):
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.model = model
        self.client = httpx.Client(
            base_url=base_url.rstrip("/") + "/", headers=headers, timeout=timeout, transport=transport
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> ChatComposer:
        assert settings.llm_base_url
        return cls(
            settings.llm_base_url,
            settings.llm_model,
            settings.llm_api_key.get_secret_value(),
            settings.llm_timeout_seconds,
        )

    def compose(
        self,
        question: str,
        query: Query,
        hits: Sequence[Hit],
        index: KnowledgeIndex,
        searcher: Searcher,
        links: LinkBuilder,
        language: str = "sv",
        context: TurnContext | None = None,
    ) -> Draft:
        sources = list(hits[:MAX_SOURCES])
        excerpts = []
        for n, hit in enumerate(sources, 1):
            section = index.pages[hit.page_id].section(hit.anchor)
            excerpts.append(f"[{n}] {hit.title} – {hit.heading}\n{section.text if section else hit.snippet}")
        messages = [
            {"role": "system", "content": SYSTEM_PROMPT.get(language, SYSTEM_PROMPT["sv"])},
            {"role": "user", "content": "Utdrag:\n\n" + "\n\n".join(excerpts) + f"\n\nFråga: {question}"},
        ]
        response = self.client.post(
            "chat/completions", json={"model": self.model, "messages": messages, "temperature": 0}
        )
        response.raise_for_status()
        text = str(response.json()["choices"][0]["message"]["content"]).strip()
        used = check_citations(text, len(sources))
        # Renumber so the citations list holds only the sources the answer actually cites, in order.
        order = sorted(used)
        renumber = {old: new for new, old in enumerate(order, 1)}
        text = _CITE.sub(lambda m: f"[{renumber[int(m.group(1))]}]", text)
        citations = tuple(links.citation(sources[n - 1], index) for n in order)
        # The service replaces this with the calibrated extractive confidence: retrieval decides how sure it is.
        confidence = DEFAULT_CONFIDENCE.score(signals_of(query, hits, searcher))
        notes = (t("answer.quoted_in_swedish", language),) if context and context.cross_lingual else ()
        return Draft(True, text, confidence, citations, generator=self.name, notes=notes)


def check_citations(text: str, available: int) -> set[int]:
    """The citation numbers used, if every paragraph cites and every number was given; else reject."""
    if not text or text.strip().upper().startswith("INGET SVAR"):
        raise GenerationRejected("the model found no answer")
    used = {int(n) for n in _CITE.findall(text)}
    if not used:
        raise GenerationRejected("the answer cites no source")
    if any(n < 1 or n > available for n in used):
        raise GenerationRejected("the answer cites a source it was not given")
    for paragraph in filter(None, (p.strip() for p in text.split("\n"))):
        if len(paragraph.split()) > 3 and not _CITE.search(paragraph):
            raise GenerationRejected("a paragraph has no citation")
    return used
