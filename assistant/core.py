"""The one answer core every channel calls: redact, understand follow-ups, retrieve, compose, store."""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sqlalchemy import select

from assistant.asof import as_of_note, resolve_as_of, without_phrase
from assistant.compose import Citation, Composer, Draft, ExtractiveComposer, LinkBuilder, TurnContext
from assistant.confidence import Signals
from assistant.db import Conversation, Database, Exchange
from assistant.errors import AssistantError, ErrorCode
from assistant.index import IndexHolder, KnowledgeIndex
from assistant.language import question_language
from assistant.messages import t
from assistant.metrics import record_answer, stage
from assistant.redaction import redact, redaction_notice, strip_placeholders
from assistant.retrieval import Hit, Mode, Searcher, SearchFilters
from assistant.settings import Settings
from assistant.tuning import Tuning
from ingest.embedding import Embedder
from ingest.text import content_words

log = logging.getLogger("assistant")

MAX_QUESTION_CHARS = 2000
GUIDANCE_LANGUAGE = "sv"  # the language the knowledge is written in
_FOLLOW_UP_START = re.compile(
    r"^(och|men|samt|också|även|vad gäller|hur blir det|gäller det|om det|och om|då|what about|and)\b", re.I
)
_PRONOUN = re.compile(r"\b(det|den|dessa|de|dom|då|där|it|that|they)\b", re.I)
FOLLOW_UP_WORDS = 5  # a question with a pointing word and at most this many content words leans on the last turn


@dataclass(frozen=True)
class AnswerTrace:
    """How an answer was made: the text searched, the sections it was composed from and the signals its
    confidence came from. For evals and diagnostics; channels do not show it and the API does not return it."""

    search_text: str  # the question with what a follow-up takes from the earlier turn
    searched: str  # what retrieval was given: the search text without an "as of" phrase
    filters: SearchFilters
    day: dt.date | None  # the date the guidance was searched as of; None: today
    hits: tuple[Hit, ...]
    signals: Signals | None = None
    cross_lingual: bool = False  # asked in another language than the guidance's (English over Swedish)


@dataclass(frozen=True)
class Answer:
    """What every channel shows: the answer, its citations, and enough to rate it later."""

    answer_id: str
    conversation_id: str
    answered: bool
    text: str
    confidence: float
    citations: tuple[Citation, ...]
    suggestions: tuple[Citation, ...] = ()
    notes: tuple[str, ...] = ()
    redacted: tuple[str, ...] = ()
    index_version: str = ""
    generator: str = "extractive"
    latency_ms: float = 0.0
    follow_up: bool = False
    language: str = "sv"
    trace: AnswerTrace | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(replace(self, trace=None))
        del data["trace"]
        data["citations"] = [asdict(c) for c in self.citations]
        data["suggestions"] = [asdict(c) for c in self.suggestions]
        data["notes"] = list(self.notes)
        data["redacted"] = list(self.redacted)
        return data


@dataclass
class Assistant:
    settings: Settings
    indexes: IndexHolder
    database: Database | None
    composers: dict[str, Composer] = field(default_factory=dict)
    tuning: Tuning | None = None  # fixed values (evals); None: resolved once per index version
    _embedder: Embedder | None = None
    _searchers: dict[str, tuple[Searcher, Tuning]] = field(default_factory=dict)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = self.settings.embedder()
        return self._embedder

    def searcher(self) -> Searcher:
        """A searcher bound to the version being served; a new version's is built before it serves."""
        return self._serving()[0]

    def tuning_for(self, index: KnowledgeIndex) -> Tuning:
        """The fusion weight, threshold and confidence model this index version is answered with."""
        return self.tuning or Tuning.resolve(self.settings, index.calibration, index.model_id)

    def _serving(self) -> tuple[Searcher, Tuning]:
        """The searcher and tuning of the version being served, made once per version."""
        index = self.indexes.get()
        served = self._searchers.get(index.version)
        if served is None:
            served = self._searcher_for(index)
            self._searchers = {index.version: served}
        return served

    def prepare(self, index: KnowledgeIndex) -> None:
        """Build the searcher of a version about to be served (IndexHolder calls this before the switch);
        the searcher of the version still serving is kept until then. Refuses an index of another model."""
        served = self._searcher_for(index)
        serving = {v: s for v, s in self._searchers.items() if v == self.indexes.version}
        self._searchers = {**serving, index.version: served}

    def _searcher_for(self, index: KnowledgeIndex) -> tuple[Searcher, Tuning]:
        if index.model_id != self.embedder.model_id:
            raise AssistantError(
                ErrorCode.INDEX_ERROR,
                f"the index was built with {index.model_id!r} but the service uses {self.embedder.model_id!r}; "
                "run 'assistant ingest' again",
            )
        tuning = self.tuning_for(index)
        return Searcher(index, self.embedder, tuning.fusion_weight), tuning

    def warm_up(self) -> None:
        """Load the index, the model and the searcher, and compose one answer (nothing is stored), so the
        first question is as fast as the rest."""
        searcher, tuning = self._serving()
        question = "Hur lång är handläggningstiden för en ansökan?"
        hits = searcher.search(question, k=max(self.settings.top_k, 5))
        self._compose(question, question, hits, searcher, tuning, self.settings.language, TurnContext())

    def search(self, text: str, k: int = 5, mode: Mode = "hybrid", filters: SearchFilters | None = None) -> list[Hit]:
        if not text.strip():
            raise AssistantError(ErrorCode.INVALID_INPUT, "the search text is empty")
        return self.searcher().search(text[:MAX_QUESTION_CHARS], k=k, mode=mode, filters=filters)

    def answer(
        self,
        question: str,
        conversation_id: str | None = None,
        channel: str = "api",
        user_id: str | None = None,
        channel_ref: str | None = None,
        language: str | None = None,
        as_of: dt.date | None = None,
    ) -> Answer:
        """Answer one question. Personal data is removed first; the exchange is stored before returning.

        `as_of` (or "som det gällde den 1 mars 2025" in the question) answers with the guidance in force
        that day; see assistant/asof.py."""
        started = time.perf_counter()
        language = language or self.settings.language
        if not question.strip():
            raise AssistantError(ErrorCode.INVALID_INPUT, "the question is empty")
        if len(question) > MAX_QUESTION_CHARS:
            raise AssistantError(
                ErrorCode.INVALID_INPUT, f"the question is longer than {MAX_QUESTION_CHARS} characters"
            )
        with stage("redaction"):
            clean = redact(question)
        searcher, tuning = self._serving()
        with stage("conversation"):
            previous = self._previous_turn(conversation_id, channel_ref, channel, user_id)
        own = strip_placeholders(clean.text)
        search_text, follow_up = with_context(own, previous.search_text if previous else None)
        cross_lingual = question_language(own) != GUIDANCE_LANGUAGE
        tuning = tuning.for_language(cross_lingual)
        when = resolve_as_of(clean.text, as_of)
        filters = SearchFilters(include_stale=not self.settings.exclude_stale)
        searched, day = without_phrase(search_text, when), when.day if when else None
        hits = searcher.search(
            searched, k=max(self.settings.top_k, 5), filters=filters, today=day, fusion_weight=tuning.fusion_weight
        )
        turn = TurnContext(
            own=searcher.analyse(without_phrase(own, when)) if follow_up else None,
            previous_answer=previous.text if previous and follow_up else "",
            cross_lingual=cross_lingual,
        )
        with stage("composing"):
            draft = self._compose(clean.text, searched, hits, searcher, tuning, language, turn)
        notes = list(draft.notes)
        if clean.changed:
            notes.insert(0, redaction_notice(clean.kinds, language))
        notes.extend(_freshness_notes(draft.citations, language))
        notes.extend(as_of_note(when, language))
        latency = round((time.perf_counter() - started) * 1000, 1)
        answer = Answer(
            answer_id="",
            conversation_id=conversation_id or "",
            answered=draft.answered,
            text=draft.text,
            confidence=draft.confidence,
            citations=draft.citations,
            suggestions=draft.suggestions,
            notes=tuple(notes),
            redacted=clean.kinds,
            index_version=searcher.index.version,
            generator=draft.generator,
            latency_ms=latency,
            follow_up=follow_up,
            language=language,
            trace=AnswerTrace(search_text, searched, filters, day, tuple(hits), draft.signals, cross_lingual),
        )
        with stage("storage"):
            answer = self._store(answer, clean.text, search_text, hits, channel, user_id, channel_ref)
        record_answer(channel, answer.answered, latency / 1000)
        log.info(
            "answered",
            extra={
                "answer_id": answer.answer_id,
                "channel": channel,
                "answered": answer.answered,
                "confidence": answer.confidence,
                "latency_ms": latency,
            },
        )
        return answer

    def _compose(
        self,
        question: str,
        search_text: str,
        hits: list[Hit],
        searcher: Searcher,
        tuning: Tuning,
        language: str,
        turn: TurnContext,
    ) -> Draft:
        links = LinkBuilder(self.settings.public_base_url or "")
        query = searcher.analyse(search_text)
        extractive = ExtractiveComposer(tuning.answer_threshold, tuning.confidence)
        fallback = extractive.compose(question, query, hits, searcher.index, searcher, links, language, turn)
        generative = self.composers.get("llm")
        if generative is None or not fallback.answered:
            return fallback
        try:
            generated = generative.compose(question, query, hits, searcher.index, searcher, links, language, turn)
            return replace(generated, confidence=fallback.confidence, signals=fallback.signals)
        except Exception as err:  # any failure of the optional model falls back to the extractive answer
            log.warning("generative answer failed, using extractive", extra={"error": type(err).__name__})
            return fallback

    def _previous_turn(
        self, conversation_id: str | None, channel_ref: str | None, channel: str, user_id: str | None
    ) -> PreviousTurn | None:
        """The conversation's last turn: what it searched for and what it answered. A conversation named by
        id belongs to the user who started it; anyone else is told it does not exist (a thread in Slack or
        Teams is shared)."""
        if self.database is None or not (conversation_id or channel_ref):
            return None
        with self.database.session() as session:
            conversation = self._find_conversation(session, conversation_id, channel_ref, channel)
            foreign = conversation is not None and conversation_id is not None and conversation.user_id != user_id
            if conversation is None or foreign:
                if conversation_id:
                    raise AssistantError(ErrorCode.NOT_FOUND, f"no conversation {conversation_id!r}")
                return None
            last = session.scalars(
                select(Exchange)
                .where(Exchange.conversation_id == conversation.id)
                .order_by(Exchange.created_at.desc())
                .limit(1)
            ).first()
            if last is None:
                return None
            return PreviousTurn(last.search_text, last.text if last.answered else "")

    @staticmethod
    def _find_conversation(
        session: Any, conversation_id: str | None, channel_ref: str | None, channel: str
    ) -> Conversation | None:
        if conversation_id:
            return session.get(Conversation, conversation_id)
        if not channel_ref:
            return None
        return session.scalars(
            select(Conversation).where(Conversation.channel_ref == channel_ref, Conversation.channel == channel)
        ).first()

    def _store(
        self,
        answer: Answer,
        question: str,
        search_text: str,
        hits: list[Hit],
        channel: str,
        user_id: str | None,
        channel_ref: str | None,
    ) -> Answer:
        if self.database is None:
            return answer
        with self.database.session() as session:
            conversation = self._find_conversation(session, answer.conversation_id or None, channel_ref, channel)
            if conversation is None:
                conversation = Conversation(channel=channel, user_id=user_id, channel_ref=channel_ref)
                session.add(conversation)
                session.flush()
            exchange = Exchange(
                conversation_id=conversation.id,
                channel=channel,
                user_id=user_id,
                question=question,
                search_text=search_text,
                redactions=list(answer.redacted),
                answered=answer.answered,
                text=answer.text,
                confidence=answer.confidence,
                citations=[asdict(c) for c in answer.citations],
                suggestions=[asdict(c) for c in answer.suggestions],
                hits=[
                    {
                        "page_id": h.page_id,
                        "anchor": h.anchor,
                        "score": round(h.score, 4),
                        "lexical": round(h.lexical, 4),
                        "dense": round(h.dense, 4),
                        "coverage": round(h.coverage, 4),
                    }
                    for h in hits
                ],
                generator=answer.generator,
                index_version=answer.index_version,
                latency_ms=answer.latency_ms,
                language=answer.language,
                created_at=dt.datetime.now(dt.UTC),
            )
            session.add(exchange)
            session.flush()
            return replace(answer, answer_id=exchange.id, conversation_id=conversation.id)


def looks_like_follow_up(question: str) -> bool:
    """Short or anaphoric questions lean on the previous turn ('och om sökanden är ett aktiebolag?')."""
    words = content_words(question)
    return (
        bool(_FOLLOW_UP_START.search(question.strip()))
        or len(words) <= 2
        or (len(words) <= FOLLOW_UP_WORDS and bool(_PRONOUN.search(question)))
    )


@dataclass(frozen=True)
class PreviousTurn:
    search_text: str  # the question with what it took from the turn before it, its own words first
    text: str  # the answer shown ("" when it abstained)


CONTEXT_WORDS = 8  # content words of the earlier turn carried into a follow-up; older turns fade out


def with_context(question: str, previous: str | None) -> tuple[str, bool]:
    """The text to search for. The follow-up's own words lead; the earlier turn only adds the content
    words the follow-up lacks (the subject its pronoun points to), the most recent first and a few only,
    so the earlier question cannot outweigh the new one."""
    if previous and looks_like_follow_up(question):
        own = set(content_words(question))
        carried: list[str] = []
        for word in content_words(previous):
            if word not in own and word not in carried:
                carried.append(word)
        return " ".join([question, *carried[:CONTEXT_WORDS]]), True
    return question, False


def _freshness_notes(citations: tuple[Citation, ...], language: str) -> list[str]:
    notes = []
    for c in {c.page_id: c for c in citations}.values():
        if c.expired:
            notes.append(t("answer.note_expired", language, title=c.title))
        elif c.stale:
            notes.append(t("answer.note_stale", language, title=c.title))
    return notes


def build_assistant(settings: Settings, with_storage: bool = True, embedder: Embedder | None = None) -> Assistant:
    """The assistant every channel, the API and the evals answer through. An embedder already loaded may be
    passed in; otherwise the configured one is loaded on first use."""
    database = None
    if with_storage:
        database = Database(settings.database_url)
        database.migrate()
    indexes = IndexHolder(settings.index_dir, settings.index_check_seconds)
    assistant = Assistant(settings=settings, indexes=indexes, database=database, _embedder=embedder)
    indexes.prepare = assistant.prepare
    if settings.llm_base_url:
        from assistant.llm import ChatComposer

        assistant.composers["llm"] = ChatComposer.from_settings(settings)
    return assistant
