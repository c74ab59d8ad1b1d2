"""Group questions that ask the same thing, with the same Swedish analysis the search uses (stems without
stop words): 'Hur lång är fristen för komplettering?' and 'Frist komplettering?' land together.

Greedy and deterministic: distinct stem sets, most frequent first, join the first group whose founding set is
similar enough (Jaccard, or near-containment for longer questions). An inverted index over stems keeps it
fast enough for a tertial of questions.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ingest.text import normalize, stems

JACCARD = 0.5
CONTAINMENT = 0.8


@dataclass(frozen=True)
class QuestionRef:
    text: str
    answer_id: str
    pages: tuple[str, ...] = ()  # the pages it cited or was pointed to


@dataclass
class Cluster:
    """Questions about one thing; `label` is the most common wording."""

    key: frozenset[str]
    refs: list[QuestionRef] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.refs)

    @property
    def label(self) -> str:
        return Counter(r.text for r in self.refs).most_common(1)[0][0]

    @property
    def examples(self) -> list[str]:
        return [text for text, _ in Counter(r.text for r in self.refs).most_common(4) if text != self.label][:3]

    @property
    def answer_ids(self) -> list[str]:
        return [r.answer_id for r in self.refs]

    @property
    def nearest_pages(self) -> list[str]:
        return [page for page, _ in Counter(p for r in self.refs for p in r.pages[:1]).most_common(3)]


def similar(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b:
        return a == b
    shared = len(a & b)
    if shared / len(a | b) >= JACCARD:
        return True
    return min(len(a), len(b)) >= 2 and shared / min(len(a), len(b)) >= CONTAINMENT


def group_questions(questions: Iterable[QuestionRef]) -> list[Cluster]:
    """Clusters, largest first (ties by label)."""
    by_key: dict[frozenset[str], list[QuestionRef]] = defaultdict(list)
    for ref in questions:
        key = frozenset(stems(ref.text)) or frozenset({normalize(ref.text).strip()})
        by_key[key].append(ref)
    clusters: list[Cluster] = []
    postings: dict[str, list[int]] = defaultdict(list)
    for key, refs in sorted(by_key.items(), key=lambda kv: (-len(kv[1]), sorted(kv[0]))):
        candidates = sorted({i for stem in key for i in postings[stem]})
        home = next((i for i in candidates if similar(key, clusters[i].key)), None)
        if home is None:
            home = len(clusters)
            clusters.append(Cluster(key))
            for stem in key:
                postings[stem].append(home)
        clusters[home].refs.extend(refs)
    return sorted(clusters, key=lambda c: (-c.count, c.label))
