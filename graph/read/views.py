"""Views prepared once per graph version in the background: every entity's facts, never stale.

A lookup that would run several queries per request (the facts naming an entity, with their
details and evidence) reads them from a view computed from the whole graph in a few scans, once
per version of the store's data. The view is built in a background thread after a change; until
it is ready for the store's *current* version, :meth:`Prepared.peek` answers ``None`` and the
caller queries the store directly, so an answer never comes from an older version. The same
views of a rebuilt generation are prepared once, in the writer, and read by every serving
process (:func:`prepare_views`, :mod:`graph.store.prepared`). The meetings' view is
:mod:`graph.read.meeting_view`.

Examples:
    >>> from graph.read.lookup import entity_view
    >>> store = seed_store()
    >>> index = entity_facts(store)
    >>> nssf = "https://bilateral-kg.example/id/org/nssf"
    >>> entity_view(store, nssf, index) == entity_view(store, nssf)
    True
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import threading
import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox

from graph.read.canvas import main_pair
from graph.read.comparisons import conflicts
from graph.read.evidence import Evidence, EvidenceCache
from graph.read.labels import short_labels
from graph.read.lookup import FACT_DETAILS, EntityFacts, _first_fact, summary
from graph.read.meeting_view import (
    MeetingRecord,
    Meetings,
    _rows,
    find_meetings,
    meetings_view,
)
from graph.read.pages import iso_codes
from graph.read.projection import Net, Projection, project
from graph.read.query import value
from graph.read.reports import published_of
from graph.read.search import SearchIndex
from graph.read.search import _build as search_entries
from graph.store import OxigraphStore, PerVersion, Store
from graph.store.prepared import VIEWS, PreparedOrComputed, prepared_folder, write_prepared

__all__ = [
    "MeetingRecord",
    "Meetings",
    "Prepared",
    "PreparedFacts",
    "PreparedMeetings",
    "PreparedProjection",
    "PreparedSearch",
    "entity_conflicts",
    "entity_facts",
    "entity_published",
    "find_meetings",
    "main_pair_of",
    "meetings_view",
    "prepare_views",
    "read_from_files",
    "size_of",
    "summary_of",
]

log = logging.getLogger(__name__)

#: The landing summary, kept with a rebuilt generation in its ``views/`` folder (as JSON).
SUMMARY = "summary.json"

T = TypeVar("T")


class Prepared(PerVersion[T]):
    """A value computed from a store once per version of its data, in a background thread.

    :meth:`peek` never waits and never answers for an older version than the store's current
    one; :meth:`get` waits for the current version's value (computing it if need be).

    Examples:
        >>> from graph.store import memory_store
        >>> store = memory_store()
        >>> size = Prepared(store, len)
        >>> size.peek() is None or size.peek() == 0  # being built in the background
        True
        >>> size.get(), size.peek()
        (0, 0)
        >>> store.add(b'<http://e/a> <http://e/p> "x" <http://e/g> .\\n')
        >>> size.get()
        1
    """

    def __init__(self, store: Store, compute: Callable[[Store], T]) -> None:
        super().__init__(store, compute)
        self._building = threading.Lock()
        self.failure: Exception | None = None

    def peek(self) -> T | None:
        """The value for the store's current version if it is ready; otherwise ``None``, and
        the value starts being built in the background."""
        version = getattr(self.store, "version", None)
        if version is None:  # a store that cannot say when its data changed: never prepared
            return None
        # ``get`` sets the value before the version: a matching version means a current value.
        if version is not None and self._version == version and self._value is not None:
            return self._value
        self.refresh()
        return None

    def refresh(self) -> None:
        """Build the current version's value in a background thread (unless one is at it)."""
        if not self._building.acquire(blocking=False):
            return

        def build() -> None:
            try:
                self.get()
                self.failure = None
            except Exception as exc:  # an engine away, no graph yet: the next peek retries
                self.failure = exc
            finally:
                self._building.release()

        threading.Thread(target=build, name="prepare-view", daemon=True).start()


#: The evidence of every fact, as three scans joined here: Oxigraph joins the whole pattern at
#: once (as one query) about five times slower at 100k triples.
_DERIVED = (
    "SELECT ?node ?span ?src WHERE { ?node prov:wasDerivedFrom ?span . ?span oa:hasSource ?src }"
)
_QUOTES = "SELECT ?span ?exact WHERE { ?span oa:hasSelector ?q . ?q oa:exact ?exact }"
_OFFSETS = (
    "SELECT ?span ?start ?end WHERE { ?span oa:hasSelector ?q . ?q oa:start ?start ; oa:end ?end }"
)
_TITLES = "SELECT DISTINCT ?src ?title WHERE { ?span oa:hasSource ?src . ?src rdfs:label ?title }"
_LINKS = "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER (isIRI(?o)) }"
_DISPUTED = "SELECT DISTINCT ?about WHERE { ?c a bkg:Conflict ; bkg:conflictAbout ?about }"


def entity_facts(store: Store) -> EntityFacts:
    """Every fact node of the graph, its details, its evidence and the entities linked to it,
    read in a few scans of the whole graph.

    Args:
        store: the store.

    Returns:
        The view (:class:`graph.read.lookup.EntityFacts`); ``entity_view`` with it gives the
        same answer as without it.
    """
    facts = _first_fact(
        tuple("" if v is None else v.value for v in r) for r in _rows(store, FACT_DETAILS)
    )
    quotes: dict[str, list[str]] = {}
    for span, exact in _rows(store, _QUOTES):
        quotes.setdefault(span.value, []).append(exact.value)
    offsets: dict[str, list[tuple[int, int]]] = {}
    for span, start, end in _rows(store, _OFFSETS):
        offsets.setdefault(span.value, []).append((value(start), value(end)))
    titles: dict[str, list[str]] = {}
    for src, title in _rows(store, _TITLES):
        titles.setdefault(src.value, []).append(title.value)
    evidence: dict[str, list[Evidence]] = {}
    for node, span, src in _rows(store, _DERIVED):
        if node.value not in facts:
            continue
        found = evidence.setdefault(node.value, [])
        for exact in quotes.get(span.value, ()):
            for start, end in offsets.get(span.value, ()):
                for title in titles.get(src.value, ()):
                    item = Evidence(exact, start, end, src.value, title)
                    if item not in found:
                        found.append(item)
    for spans in evidence.values():
        spans.sort(key=Evidence.sort_key)
    links: dict[str, set[tuple[str, str]]] = {}
    roles: dict[str, str] = {}  # one string per role, shared by every link
    for s, p, o in _rows(store, _LINKS):
        subject, obj = s.value, o.value
        role = roles.setdefault(p.value, p.value)
        if subject in facts and isinstance(s, ox.NamedNode):
            links.setdefault(obj, set()).add((subject, role))
        if obj in facts and isinstance(s, ox.NamedNode):
            links.setdefault(subject, set()).add((obj, role))
    disputed = frozenset(r[0].value for r in _rows(store, _DISPUTED))
    return EntityFacts(
        facts,
        evidence,
        {e: sorted(pairs) for e, pairs in links.items()},
        published=published_of(store, titles),
        disputed=disputed,
    )


def entity_published(
    store: Store, sources: Collection[str], prepared: EntityFacts | None
) -> dict[str, str | None]:
    """The publication date of each source (EDTF, or ``None``): from the whole graph's view
    when it is prepared, else asked of the store.

    Examples:
        >>> store = seed_store()
        >>> ppp = "https://bilateral-kg.example/id/source/ppp-cambodia-korea-labour"
        >>> entity_published(store, [ppp], entity_facts(store))  # the seed gives no date
        {'https://bilateral-kg.example/id/source/ppp-cambodia-korea-labour': None}
        >>> _ == entity_published(store, [ppp], None)
        True
    """
    if prepared is not None and prepared.published is not None:
        return {s: prepared.published.get(s) for s in sources}
    return published_of(store, sources)


def entity_conflicts(
    store: Store, base: str, iri: str, prepared: EntityFacts | None
) -> list[dict[str, Any]]:
    """The conflicts about ``iri`` (:func:`graph.read.comparisons.conflicts`); none without a
    query when the whole graph's view is prepared and no conflict is about it.

    Examples:
        >>> store = seed_store()
        >>> nssf = "https://bilateral-kg.example/id/org/nssf"
        >>> entity_conflicts(store, "https://bilateral-kg.example/", nssf, entity_facts(store))
        []
    """
    if prepared is not None and prepared.disputed is not None and iri not in prepared.disputed:
        return []
    return conflicts(store, base, about=ox.NamedNode(iri))


def size_of(obj: object) -> int:
    """About how many bytes ``obj`` holds, with what it refers to (dicts, lists, tuples, sets,
    dataclasses), each object counted once.

    Examples:
        >>> size_of(["ab", "ab"]) > size_of([])
        True
    """
    seen: set[int] = set()
    todo = [obj]
    total = 0
    while todo:
        x = todo.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        total += sys.getsizeof(x)
        if isinstance(x, dict):
            todo.extend(x.keys())
            todo.extend(x.values())
        elif isinstance(x, list | tuple | set | frozenset):
            todo.extend(x)
        elif hasattr(x, "__dataclass_fields__"):
            todo.extend(getattr(x, f) for f in x.__dataclass_fields__)
    return total


class PreparedFacts(Prepared[EntityFacts]):
    """The whole graph's entity facts, prepared in the background once per graph version (read
    from the file prepared with the generation if there is one)."""

    def __init__(self, store: Store) -> None:
        super().__init__(store, PreparedOrComputed("facts", entity_facts))


class PreparedMeetings(Prepared[Meetings]):
    """The meetings of a store, prepared in the background once per graph version (read from
    the file prepared with the generation if there is one)."""

    def __init__(self, store: Store) -> None:
        super().__init__(store, PreparedOrComputed("meetings", meetings_view))


def _prepared_projection(net: Net, store: Store) -> Net:
    """A projection read from its file, with the evidence cache of the serving store (it is
    read per fact node when first needed, so it is not kept in the file)."""
    net.graph["evidence"] = EvidenceCache(store)
    return net


def _projection_file(net: Net) -> Net:
    """The projection as kept in a file: with its nodes' short labels, which read the sources
    of the nodes whose labels are the same (about a second at a million triples: here once,
    not at the first path asked of every serving process), and without its evidence cache
    (which holds the store)."""
    short_labels(net)
    net.graph.pop("evidence", None)  # the writer drops the projection once it is written
    return net


#: The views prepared with a rebuilt generation, by name: how each is computed, and what
#: to keep of it in the file.
PREPARED: dict[str, tuple[Callable[[Store], Any], Callable[[Any], Any]]] = {
    "projection": (project, _projection_file),
    "search": (search_entries, lambda v: v),
    "facts": (entity_facts, lambda v: v),
    "meetings": (meetings_view, lambda v: v),
}


def prepare_views(inner: ox.Store, folder: Path) -> None:
    """Compute what serving processes read from the whole graph of a rebuilt generation before
    it becomes current, and keep it in the generation's folder (``views/``): the landing
    summary (``summary.json``), the projection, the search index, every entity's facts and the
    meetings (pickles, :mod:`graph.store.prepared`). Every serving process then reads them
    instead of computing them itself (at a million triples, about 16 s of CPU each for the
    projection and as much for the facts), and the first landing page after a rebuild no
    longer waits behind that work. A view that fails here only logs: it is then computed
    when first asked for.

    Args:
        inner: the new generation's database (written, not yet current).
        folder: its folder.
    """
    store = OxigraphStore(inner)
    views = folder / VIEWS
    data: dict[str, Any] | None = None
    try:
        data = summary(store)
        views.mkdir(exist_ok=True)
        (views / SUMMARY).write_text(json.dumps(data), encoding="utf-8")
    except Exception as exc:  # the write itself must not fail for a view
        log.warning("could not prepare the summary of %s: %s", folder.name, exc)
    for name, (compute, kept) in PREPARED.items():
        started = time.monotonic()
        try:
            computed = compute(store)
            if name == "projection" and data is not None:
                # The landing page's first relationship, so that it need not wait for the
                # projection (0.6 s to read at 1M triples) after a rebuild.
                data[MAIN_PAIR] = main_pair_of(store, computed)
                (views / SUMMARY).write_text(json.dumps(data), encoding="utf-8")
            value = kept(computed)
            del computed
        except Exception as exc:
            log.warning("could not prepare the %s of %s: %s", name, folder.name, exc)
            continue
        if write_prepared(folder, name, value):
            log.info("prepared the %s in %.1f s", name, time.monotonic() - started)
        del value


#: The key of the summary prepared with a generation that holds :func:`main_pair_of`.
MAIN_PAIR = "main_pair"


def main_pair_of(store: Store, G: Net) -> dict[str, list[Any]] | None:  # noqa: N803
    """The relationship the graph says most about (:func:`graph.read.canvas.main_pair`): its
    two countries' IRIs, labels and ISO 3166 codes, or ``None``.

    Examples:
        >>> store = seed_store()
        >>> main_pair_of(store, project(store))["codes"]
        ['KH', 'KR']
    """
    pair = main_pair(G)
    if pair is None:
        return None
    return {
        "countries": list(pair),
        "labels": [str(G.nodes[c]["label"]) for c in pair],
        "codes": iso_codes(store, pair),
    }


def summary_of(store: Store) -> dict[str, Any]:
    """The landing summary of the store's current generation: the one prepared with it when it
    was built (:func:`prepare_views`), else computed now.

    Examples:
        >>> from graph.store import memory_store
        >>> summary_of(memory_store())["quads"]
        0
    """
    folder = prepared_folder(store)
    if folder is not None:
        with contextlib.suppress(OSError, ValueError):
            loaded: dict[str, Any] = json.loads(
                (folder / VIEWS / SUMMARY).read_text(encoding="utf-8")
            )
            return loaded
    return summary(store)


class PreparedProjection(Projection):
    """The projection of the store's current version: read from the file prepared with its
    generation if there is one (:func:`prepare_views`), else built."""

    def __init__(self, store: Store) -> None:
        super().__init__(store, PreparedOrComputed("projection", project, _prepared_projection))


class PreparedSearch(SearchIndex):
    """The search index of the store's current version: read from the file prepared with its
    generation if there is one, else built."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        # SearchIndex keeps its entries in a PerVersion of its own; only how they are
        # computed changes here.
        self._index = self.entries = PerVersion(store, PreparedOrComputed("search", search_entries))


def read_from_files(*views: PerVersion[Any]) -> dict[str, str]:
    """Which of these views hold a value read from the files prepared with a generation (by
    view name, the generation's name); the others were computed.

    Examples:
        >>> from graph.store import memory_store
        >>> facts = PreparedFacts(memory_store())
        >>> _ = facts.get()
        >>> read_from_files(facts)
        {}
    """
    found: dict[str, str] = {}
    for view in views:
        compute = view.compute
        if isinstance(compute, PreparedOrComputed) and compute.read_from is not None:
            found[compute.name] = compute.read_from
    return found
