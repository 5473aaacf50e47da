"""Every meeting of a graph version with its attendees, place, dates, sources and evidence,
read in a few scans of the whole graph, and the meeting list paged from it.

Prepared once per graph version (:class:`graph.read.views.PreparedMeetings`), or with a
rebuilt generation (:func:`graph.read.views.prepare_views`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from graph.read.evidence import span_pattern
from graph.read.query import value
from graph.store import Store
from ontology.vocabulary import PREFIXES

__all__ = ["MeetingRecord", "Meetings", "find_meetings", "meetings_view"]


def _rows(store: Store, query: str) -> list[tuple[Any, ...]]:
    result = store.query(PREFIXES + query)
    assert isinstance(result, ox.QuerySolutions)
    return [tuple(s) for s in result]


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
