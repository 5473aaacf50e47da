"""Views prepared once per graph version in the background: every entity's facts, never stale.

A lookup that would run several queries per request (the facts naming an entity, with their
details and evidence) reads them from a view computed from the whole graph in a few scans, once
per version of the store's data. The view is built in a background thread after a change; until
it is ready for the store's *current* version, :meth:`Prepared.peek` answers ``None`` and the
caller queries the store directly, so an answer never comes from an older version.

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox

from graph.read.evidence import Evidence, EvidenceCache, span_pattern
from graph.read.lookup import FACT_DETAILS, EntityFacts, _first_fact, summary
from graph.read.projection import Net, Projection, project
from graph.read.query import value
from graph.read.search import SearchIndex
from graph.read.search import _build as search_entries
from graph.store import OxigraphStore, PerVersion, Store
from graph.store.prepared import VIEWS, PreparedOrComputed, prepared_folder, write_prepared
from ontology.vocabulary import PREFIXES

__all__ = [
    "MeetingRecord",
    "Meetings",
    "Prepared",
    "PreparedFacts",
    "PreparedMeetings",
    "PreparedProjection",
    "PreparedSearch",
    "entity_facts",
    "find_meetings",
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


def _rows(store: Store, query: str) -> list[tuple[Any, ...]]:
    result = store.query(PREFIXES + query)
    assert isinstance(result, ox.QuerySolutions)
    return [tuple(s) for s in result]


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
    return EntityFacts(facts, evidence, {e: sorted(pairs) for e, pairs in links.items()})


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


@dataclass(frozen=True)
class MeetingRecord:
    """A meeting as the meeting list shows it."""

    iri: str
    labels: tuple[str, ...]
    attendees: tuple[tuple[str, str], ...]  # (IRI, label), by label
    place: tuple[str, str] | None  # where the source states it was held
    date: str | None  # the date as the source gives it (EDTF)
    full_date: str | None
    full_date_layer: str | None
    days: tuple[str, ...]  # every full date, as text, for date ranges
    evidence: tuple[tuple[str, int, int, str], ...]  # (quote, start, end, source) by offset
    sort_date: str = "9999-99-99"  # the first day it can have been (bkg:sortDate), for order
    sources: tuple[tuple[str, str, str | None], ...] = ()  # (IRI, label, published) by date


@dataclass
class Meetings:
    """Every meeting of one graph version, in date order (then IRI), and the meetings of each
    attendee in the same order."""

    records: dict[str, MeetingRecord]
    order: list[str]
    by_attendee: dict[str, list[str]]

    def key(self, iri: str) -> tuple[str, str]:
        """The place of a meeting in the order: its sort date, then its IRI."""
        record = self.records.get(iri)
        return (record.sort_date if record else "", iri)


def _pairs(store: Store, query: str) -> dict[str, list[tuple[Any, ...]]]:
    """Rows of ``query`` grouped by their first value, each group sorted and without repeats."""
    out: dict[str, set[tuple[Any, ...]]] = {}
    for row in _rows(store, query):
        out.setdefault(row[0].value, set()).add(tuple(value(v) for v in row[1:]))
    return {
        k: sorted(v, key=lambda r: tuple("" if x is None else x for x in r)) for k, v in out.items()
    }


def meetings_view(store: Store) -> Meetings:
    """Every meeting with its attendees, place, dates and evidence, read in a few scans.

    Args:
        store: the store.

    Returns:
        The view (:class:`Meetings`); :func:`find_meetings` pages through it. Where a meeting
        has several stated places or dates, the smallest is shown, so the answer does not
        depend on the engine's row order.

    Examples:
        >>> from graph.store import memory_store
        >>> meetings_view(memory_store()).order
        []
    """
    labels = _pairs(store, "SELECT ?m ?l WHERE { ?m a bkg:Meeting ; rdfs:label ?l }")
    attendees = _pairs(
        store,
        "SELECT ?m ?l ?a WHERE { ?m a bkg:Meeting ; schema:attendee ?a . ?a rdfs:label ?l }",
    )
    places = _pairs(
        store,
        """SELECT ?m ?p ?l WHERE { ?m a bkg:Meeting . GRAPH ?g { ?m schema:location ?p }
        ?g bkg:layer epi:stated . ?p rdfs:label ?l }""",
    )
    stated = _pairs(
        store,
        """SELECT ?m ?d WHERE { ?m a bkg:Meeting . GRAPH ?g { ?m bkg:edtfDate ?d }
        ?g bkg:layer epi:stated }""",
    )
    full = _pairs(
        store,
        """SELECT ?m ?d ?layer WHERE { ?m a bkg:Meeting . GRAPH ?g { ?m schema:startDate ?d }
        ?g bkg:layer/skos:notation ?layer }""",
    )
    days = _pairs(
        store, "SELECT ?m (STR(?d) AS ?day) WHERE { ?m a bkg:Meeting ; schema:startDate ?d }"
    )
    evidence = _pairs(
        store,
        f"""SELECT ?m ?start ?end ?exact ?src WHERE {{
            ?m a bkg:Meeting ; prov:wasDerivedFrom ?span .
            {span_pattern()} }}""",
    )
    sort_dates = _pairs(
        store, "SELECT ?m (STR(?d) AS ?day) WHERE { ?m a bkg:Meeting ; bkg:sortDate ?d }"
    )
    sources = _pairs(
        store,
        f"""SELECT ?m ?pub ?src ?label WHERE {{
            ?m a bkg:Meeting ; prov:wasDerivedFrom ?span .
            {span_pattern()} ?src rdfs:label ?label . OPTIONAL {{ ?src bkg:edtfDate ?pub }} }}""",
    )
    records: dict[str, MeetingRecord] = {}
    by_attendee: dict[str, list[str]] = {}
    for m in sorted(labels):
        place = places.get(m)
        date = stated.get(m)
        when = full.get(m)
        records[m] = MeetingRecord(
            iri=m,
            labels=tuple(label for (label,) in labels[m]),
            attendees=tuple((a, label) for label, a in attendees.get(m, ())),
            place=(place[0][0], place[0][1]) if place else None,
            date=date[0][0] if date else None,
            full_date=when[0][0] if when else None,
            full_date_layer=when[0][1] if when else None,
            days=tuple(day for (day,) in days.get(m, ())),
            evidence=tuple(
                (exact, start, end, src) for start, end, exact, src in evidence.get(m, ())
            ),
            sort_date=sort_dates[m][0][0] if m in sort_dates else "9999-99-99",
            sources=_by_date(sources.get(m, ())),
        )
    order = sorted(records, key=lambda m: (records[m].sort_date, m))
    for m in order:
        for a, _ in records[m].attendees:
            if m not in by_attendee.setdefault(a, []):
                by_attendee[a].append(m)
    return Meetings(records, order, by_attendee)


def _by_date(rows: Iterable[tuple[Any, ...]]) -> tuple[tuple[str, str, str | None], ...]:
    """Sources (published, IRI, label rows) once each, by publication date (undated last)."""
    seen: dict[str, tuple[str, str, str | None]] = {}
    for pub, src, label in rows:
        if src not in seen or label < seen[src][1]:
            seen[src] = (src, label, pub)
    return tuple(sorted(seen.values(), key=lambda s: (s[2] or "\uffff", s[0])))


def find_meetings(
    view: Meetings,
    participant: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    after: str = "",
    limit: int = 50,
) -> list[tuple[MeetingRecord, str]]:
    """The meetings after ``after`` (an IRI; in date order, then IRI) with the attendee and a
    full date in the range, as ``(meeting, label)`` pairs (a meeting with two labels comes
    twice).

    Args:
        view: the meetings of the current graph version.
        participant: an attendee's IRI.
        date_from, date_to: ``YYYY[-MM[-DD]]``: a full date of the meeting must lie between
            them (``date_to`` counts its whole month or year).
        after: the IRI of the last meeting of the previous page.
        limit: at most this many pairs.

    Examples:
        >>> find_meetings(Meetings({}, [], {}), participant="https://example.org/x")
        []
    """
    order = view.order if participant is None else view.by_attendee.get(participant, [])
    out: list[tuple[MeetingRecord, str]] = []
    start = view.key(after) if after else None
    for m in order:
        if start is not None and view.key(m) <= start:
            continue
        record = view.records[m]
        if date_from is not None or date_to is not None:
            top = None if date_to is None else date_to + "\uffff"
            if not any(
                (date_from is None or day >= date_from) and (top is None or day <= top)
                for day in record.days
            ):
                continue
        out += [(record, label) for label in record.labels]
        if len(out) >= limit:
            return out[:limit]
    return out


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
    """The projection as kept in a file: without its evidence cache (which holds the store)."""
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
    try:
        data = summary(store)
        views = folder / VIEWS
        views.mkdir(exist_ok=True)
        (views / SUMMARY).write_text(json.dumps(data), encoding="utf-8")
    except Exception as exc:  # the write itself must not fail for a view
        log.warning("could not prepare the summary of %s: %s", folder.name, exc)
    for name, (compute, kept) in PREPARED.items():
        started = time.monotonic()
        try:
            value = kept(compute(store))
        except Exception as exc:
            log.warning("could not prepare the %s of %s: %s", name, folder.name, exc)
            continue
        if write_prepared(folder, name, value):
            log.info("prepared the %s in %.1f s", name, time.monotonic() - started)
        del value


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
