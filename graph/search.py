"""Type-ahead search over labels and aliases: case- and accent-insensitive, prefix and fuzzy."""

from __future__ import annotations

import difflib
import re
import threading
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field

from graph.lookup import select
from graph.store import Store

__all__ = ["Hit", "SearchIndex", "normalize"]

_KINDS = """
    VALUES (?cls ?kind ?rank) {
        (schema:Person "person" 0) (org:Organization "organization" 0)
        (schema:Country "country" 0) (schema:AdministrativeArea "place" 0) (schema:City "place" 0)
        (bkg:Programme "programme" 0) (org:Post "post" 1) (schema:Audience "group" 1)
        (schema:SocialMediaPosting "document" 1) (schema:Report "document" 1)
        (schema:NewsArticle "source" 1) (qb:DataSet "dataset" 1)
        (bkg:Meeting "meeting" 2) (bkg:CooperationAct "act" 2) (bkg:Statement "statement" 3)
    }"""


def normalize(text: str) -> str:
    """Fold case and accents, and keep letters and digits as space-separated words.

    Examples:
        >>> normalize("Gyeongsangbuk-do  Province")
        'gyeongsangbuk do province'
        >>> normalize("Lê Văn Thành’s")
        'le van thanh s'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.findall(r"[^\W_]+", bare))


@dataclass(frozen=True)
class Hit:
    """A search result: the thing, the name that matched, and how well."""

    iri: str
    label: str
    kind: str
    types: tuple[str, ...]
    matched: str
    score: float


@dataclass
class _Entry:
    iri: str
    label: str
    kind: str
    rank: int
    types: set[str] = field(default_factory=set)
    names: dict[str, str] = field(default_factory=dict)  # normalized -> as written


def _score(query: str, tokens: list[str], name: str) -> float:
    """How well a normalized name matches a normalized query (0: not at all)."""
    if name == query:
        return 100.0
    if name.startswith(query):
        return 90.0 - min(10.0, (len(name) - len(query)) / 4)
    words = name.split()
    if all(any(w.startswith(t) for w in words) for t in tokens):
        return 80.0 - min(10.0, (len(name) - len(query)) / 6)
    if query in name:
        return 70.0 - min(10.0, (len(name) - len(query)) / 6)
    if len(query) >= 3:
        best = max(
            [difflib.SequenceMatcher(None, query, name).ratio()]
            + [difflib.SequenceMatcher(None, t, w).ratio() for t in tokens for w in words]
            if len(tokens) == 1
            else [difflib.SequenceMatcher(None, query, name).ratio()]
        )
        if best >= 0.75:
            return 40.0 + 20.0 * best
    return 0.0


class SearchIndex:
    """A search index of the store's labelled things, rebuilt when the store changes.

    Examples:
        >>> from pathlib import Path
        >>> from graph.iris import Iris
        >>> from graph.pipeline import compile_seeds
        >>> from graph.store import memory_store
        >>> seeds = Path(__file__).resolve().parents[1] / "seeds"
        >>> index = SearchIndex(memory_store(compile_seeds(seeds, Iris()).nquads))
        >>> [h.label for h in index.search("kosha", limit=1)]
        ['Korea Occupational Safety and Health Agency']
        >>> [h.label for h in index.search("heng suor", limit=1)]
        ['Heng Sour']
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._version: object = None
        self._entries: list[_Entry] | None = None

    def _load(self) -> list[_Entry]:
        version = getattr(self.store, "version", None)
        with self._lock:
            if self._entries is None or version != self._version:
                entries: dict[str, _Entry] = {}
                for r in select(
                    self.store,
                    f"""
                    SELECT ?x ?label ?name ?kind ?rank ?cls WHERE {{
                        ?x a ?cls ; rdfs:label ?label . {_KINDS}
                        {{ ?x rdfs:label ?name }} UNION {{ ?x skos:altLabel ?name }}
                    }}""",
                ):
                    entry = entries.get(r["x"])
                    if entry is None or r["rank"] < entry.rank:
                        old = entry
                        entry = entries[r["x"]] = _Entry(r["x"], r["label"], r["kind"], r["rank"])
                        if old is not None:
                            entry.types, entry.names = old.types, old.names
                    entry.types.add(r["kind"])
                    entry.names.setdefault(normalize(r["name"]), r["name"])
                self._entries = sorted(entries.values(), key=lambda e: e.iri)
                self._version = version
            return self._entries

    def search(self, text: str, types: Collection[str] | None = None, limit: int = 10) -> list[Hit]:
        """The best matches for ``text``, best first.

        Args:
            text: what the user typed (any case, accents, punctuation).
            types: keep only these kinds (person, organization, country, place, programme,
                post, group, document, source, dataset, meeting, act, statement).
            limit: at most this many hits.
        """
        query = normalize(text)
        if not query:
            return []
        tokens = query.split()
        wanted = set(types) if types else None
        hits = []
        for entry in self._load():
            if wanted is not None and not (entry.types & wanted):
                continue
            best, matched = 0.0, ""
            for name, written in entry.names.items():
                score = _score(query, tokens, name)
                if score > best:
                    best, matched = score, written
            if best > 0:
                hits.append((best - 3 * entry.rank, entry, matched))
        hits.sort(key=lambda h: (-h[0], len(h[1].label), h[1].label))
        return [
            Hit(e.iri, e.label, e.kind, tuple(sorted(e.types)), matched, round(score, 1))
            for score, e, matched in hits[:limit]
        ]
