"""Evidence: the quoted spans of the sources that facts rest on, read once and in one way.

A span is ``?span oa:hasSource ?src ; oa:hasSelector ?q, ?p`` with the quote on one selector
and the offsets on the other; :func:`span_pattern` writes that pattern for every query here
and in the other modules of the read side.

Examples:
    >>> store = seed_store()
    >>> act = "https://bilateral-kg.example/id/act/governor-examines-technology-exchange"
    >>> [e.exact[:30] for e in evidence_of(store, [act])[act]]
    ['According to the labour minist']
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from graph.read.query import select
from graph.store import Store

__all__ = [
    "CONTEXT",
    "Evidence",
    "EvidenceCache",
    "SourceTexts",
    "evidence_of",
    "in_context",
    "span_pattern",
]

#: Fact nodes named per query.
CHUNK = 200
#: Characters of source text shown either side of a quote.
CONTEXT = 240


def span_pattern(span: str = "?span", source: str = "?src") -> str:
    """The graph pattern of a quoted span: binds ``?exact``, ``?start`` and ``?end``.

    Args:
        span: the variable (or term) of the span.
        source: the variable (or term) of its source.

    Returns:
        SPARQL triple patterns, to paste into a query of ours (never user input).

    Examples:
        >>> print(span_pattern("?s", "?doc"))
        ?s oa:hasSource ?doc ; oa:hasSelector ?quoteSel, ?posSel .
                ?quoteSel oa:exact ?exact . ?posSel oa:start ?start ; oa:end ?end .
    """
    return (
        f"{span} oa:hasSource {source} ; oa:hasSelector ?quoteSel, ?posSel .\n"
        "        ?quoteSel oa:exact ?exact . ?posSel oa:start ?start ; oa:end ?end ."
    )


@dataclass(frozen=True)
class Evidence:
    """A span of a source that a fact rests on: the quote, its offsets and the source."""

    exact: str
    start: int
    end: int
    source: str
    source_title: str

    def sort_key(self) -> tuple[int, int, str, str, str]:
        """The order of spans: by offsets, then quote, source and title (engine-independent)."""
        return (self.start, self.end, self.exact, self.source, self.source_title)

    def as_quote(self) -> dict[str, Any]:
        """The span as the JSON of the lists: quote, offsets and source IRI."""
        return {"quote": self.exact, "start": self.start, "end": self.end, "source": self.source}

    def as_json(self) -> dict[str, Any]:
        """The span as the JSON of lookups and paths: the quote with its source's title."""
        return {**self.as_quote(), "source_label": self.source_title}


_EVIDENCE = f"""
    SELECT ?x ?exact ?start ?end ?src ?title WHERE {{
        ?x prov:wasDerivedFrom ?span .
        {span_pattern()}
        ?src rdfs:label ?title .
    }} ORDER BY ?x ?start"""


def _rows(store: Store, nodes: list[str] | None) -> Iterator[dict[str, Any]]:
    if nodes is None:
        yield from select(store, _EVIDENCE)
        return
    for i in range(0, len(nodes), CHUNK):
        values = " ".join(str(ox.NamedNode(n)) for n in nodes[i : i + CHUNK])
        query = _EVIDENCE.replace("WHERE {", f"WHERE {{ VALUES ?x {{ {values} }}", 1)
        yield from select(store, query)


def evidence_of(store: Store, nodes: Collection[str] | None = None) -> dict[str, list[Evidence]]:
    """The evidence of fact nodes (acts, meetings, statements, assertions, observations).

    Args:
        store: the store.
        nodes: the nodes' IRIs; ``None`` for every node that has evidence.

    Returns:
        Each given node (with an empty list when it has no evidence) with its spans, each
        once, in the order of their offsets (then quote, source and title: the same order
        from every engine).
    """
    out: dict[str, list[Evidence]] = {n: [] for n in nodes or ()}
    for r in _rows(store, None if nodes is None else sorted(set(nodes))):
        ev = Evidence(r["exact"], r["start"], r["end"], r["src"], r["title"])
        found = out.setdefault(r["x"], [])
        if ev not in found:
            found.append(ev)
    for spans in out.values():
        spans.sort(key=Evidence.sort_key)
    return out


class EvidenceCache(Mapping[str, list[dict[str, Any]]]):
    """The evidence of fact nodes as JSON (:meth:`Evidence.as_json`), read from the store at
    the first request for a node and then kept; nodes without evidence are missing.

    Examples:
        >>> from graph.store import memory_store
        >>> EvidenceCache(memory_store()).get("https://example.org/fact", [])
        []
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._known: dict[str, list[dict[str, Any]]] = {}
        self._complete = False

    def __getitem__(self, node: str) -> list[dict[str, Any]]:
        with self._lock:
            found = self._known.get(node)
            if found is None and not self._complete and node.startswith(("http", "urn:")):
                spans = evidence_of(self.store, [node])[node]
                found = self._known[node] = [e.as_json() for e in spans]
        if not found:
            raise KeyError(node)
        return found

    def prefetch(self, nodes: Iterable[str]) -> None:
        """Read the evidence of the given nodes not read yet, in one query."""
        with self._lock:
            todo = {n for n in nodes if n not in self._known and n.startswith(("http", "urn:"))}
            if self._complete or not todo:
                return
            for node, spans in evidence_of(self.store, todo).items():
                self._known[node] = [e.as_json() for e in spans]

    def _all(self) -> dict[str, list[dict[str, Any]]]:
        with self._lock:
            if not self._complete:
                known = evidence_of(self.store)
                self._known = {n: [e.as_json() for e in spans] for n, spans in known.items()}
                self._complete = True
            return {k: v for k, v in self._known.items() if v}

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


class SourceTexts:
    """The texts and titles of sources, each read once (for one page's worth of quotes)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.cache: dict[str, tuple[str | None, str | None]] = {}

    def __call__(self, source: str) -> tuple[str | None, str | None]:
        """The source's text and title (``None`` where the store has none)."""
        if source not in self.cache:
            rows = select(
                self.store,
                """
                SELECT ?src ?text ?title WHERE {
                    OPTIONAL { ?src schema:text ?text }
                    OPTIONAL { ?src rdfs:label ?title }
                } LIMIT 1""",
                src=ox.NamedNode(source),
            )
            row = rows[0] if rows else {}
            self.cache[source] = (row.get("text"), row.get("title"))
        return self.cache[source]


def in_context(texts: SourceTexts, source: str, start: int, end: int, exact: str) -> dict[str, Any]:
    """A quote with the source text around it, cut at word boundaries.

    Args:
        texts: the source texts.
        source: the source's IRI.
        start, end: the quote's offsets in the text.
        exact: the quote (the context is left out when the text does not hold it there).

    Returns:
        ``title``, ``before``, ``after``, and ``more_before``/``more_after`` (whether the
        text goes on beyond the context).
    """
    text, title = texts(source)
    before = after = ""
    more_before = more_after = False
    if text is not None and text[start:end] == exact:
        a, b = max(0, start - CONTEXT), min(len(text), end + CONTEXT)
        before, after = text[a:start], text[end:b]
        if a > 0 and " " in before:
            before = before[before.index(" ") + 1 :]
        if b < len(text) and " " in after:
            after = after[: after.rindex(" ")]
        more_before, more_after = a > 0, b < len(text)
    return {
        "title": title,
        "before": before,
        "after": after,
        "more_before": more_before,
        "more_after": more_after,
    }
