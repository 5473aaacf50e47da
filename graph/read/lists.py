"""Lists of the graph's facts: cooperation acts and meetings, and the paging every list shares.

Each list is paged by a keyset cursor (the id of the last item of the previous page): a page
is the items after it in IRI order. User input is bound as RDF terms, never pasted.

Examples:
    >>> store = seed_store()
    >>> base = "https://bilateral-kg.example/"
    >>> page = acts(store, base, status="requested", limit=2)
    >>> [a["status"] for a in page.items], page.more
    (['requested', 'requested'], True)
    >>> country(store, "KH", base).value
    'https://bilateral-kg.example/id/place/cambodia'
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date
from typing import Any

import pyoxigraph as ox

from graph.read.corpus import histories, sources_of, status_at
from graph.read.evidence import evidence_of
from graph.read.ids import full_iri, short_id
from graph.read.query import select
from graph.read.views import Meetings, find_meetings
from graph.store import Store
from ontology import scheme_notations
from ontology.vocabulary import NAMESPACES

STATUS_NS = NAMESPACES["status"]
FIELD_NS = NAMESPACES["field"]

__all__ = [
    "Page",
    "acts",
    "acts_involving",
    "country",
    "cursor",
    "is_iri",
    "meetings",
    "paged",
    "quotes",
    "ref",
]


@dataclass(frozen=True)
class Page:
    """A page of a list: the items (each with its ``id``), and whether more follow."""

    items: list[dict[str, Any]]
    more: bool


def ref(iri: str | None, label: str | None, base: str) -> dict[str, str] | None:
    """A thing an item names: its id and label (``None`` for no thing)."""
    return None if iri is None else {"id": short_id(iri, base), "label": label or iri}


def cursor(after: str | None, base: str) -> ox.Literal:
    """The keyset cursor of a page: the IRI of the previous page's last item ("" for none)."""
    return ox.Literal(full_iri(after, base) if after else "")


def paged(items: list[dict[str, Any]], limit: int) -> Page:
    """The first ``limit`` items of ``limit + 1`` read, and whether more follow."""
    return Page(items[:limit], len(items) > limit)


def quotes(store: Store, iris: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The evidence of each item as the lists show it (quote, offsets, source)."""
    found = evidence_of(store, iris)
    return {iri: [e.as_quote() for e in found[iri]] for iri in iris}


def country(store: Store, code: str, base: str) -> ox.NamedNode | None:
    """A country of the graph by id (``place/cambodia``), IRI or ISO 3166-1 code (``KH``).

    Args:
        store: the store.
        code: what the user gave.
        base: the configured base IRI.

    Returns:
        The country's IRI, or ``None`` when no country of the graph is meant.
    """
    rows = select(
        store,
        """
        SELECT ?code ?c WHERE { ?c a schema:Country ; bkg:iso3166Code ?code }""",
        code=ox.Literal(code.upper()),
    )
    if rows:
        return ox.NamedNode(rows[0]["c"])
    node = None
    with contextlib.suppress(ValueError):  # not an IRI: then it is no country of the graph
        node = ox.NamedNode(full_iri(code, base))
    if node is not None and select(store, "SELECT ?c WHERE { ?c a schema:Country }", c=node):
        return node
    return None


def acts_involving(store: Store, country: ox.NamedNode) -> set[str]:
    """The acts whose actor, addressee, partner or beneficiary is the country, a body of it,
    one of its nationals, or the holder of a post in one of its bodies.

    Args:
        store: the store.
        country: the country's IRI.

    Returns:
        The acts' IRIs.
    """
    rows = select(
        store,
        """
        SELECT DISTINCT ?c ?act WHERE {
            { ?c a schema:Country . BIND (?c AS ?who) }
            UNION { ?who bkg:country ?c }
            UNION { ?who schema:nationality ?c }
            UNION { ?who org:holds/org:postIn/bkg:country ?c }
            ?act bkg:actor|bkg:addressee|bkg:partner|bkg:beneficiary ?who .
        }""",
        c=country,
    )
    return {r["act"] for r in rows}


_PARTS = {"actor": "actors", "addressee": "addressees", "partner": "partners"}


def _act_parts(store: Store, item: dict[str, Any], iri: str, base: str) -> None:
    """An act's actors, addressees, partners, fields and occasion, into its item."""
    parts: dict[str, list[dict[str, str]]] = {"actors": [], "addressees": [], "partners": []}
    item["fields"], item["occasion"] = [], None
    for r in select(
        store,
        """
        SELECT ?act ?p ?o ?label WHERE {
            ?act ?p ?o . OPTIONAL { ?o rdfs:label|skos:prefLabel ?label }
            VALUES ?p { bkg:actor bkg:addressee bkg:partner bkg:field bkg:occasion }
        } ORDER BY ?p ?label""",
        act=ox.NamedNode(iri),
    ):
        key = r["p"].rsplit("#", 1)[1]
        if key == "field":
            item["fields"].append(r["o"].rsplit("/", 1)[1])
        elif key == "occasion":
            item["occasion"] = ref(r["o"], r["label"], base)
        else:
            named = ref(r["o"], r["label"], base)
            group = parts[_PARTS[key]]
            if named not in group:
                group.append(named)  # type: ignore[arg-type]
    item.update(parts)
    item["fields"] = sorted(set(item["fields"]))


def acts(
    store: Store,
    base: str,
    *,
    status: str | None = None,
    field: str | None = None,
    countries: tuple[ox.NamedNode, ox.NamedNode] | None = None,
    as_of: date | None = None,
    after: str | None = None,
    limit: int = 50,
) -> Page:
    """Cooperation acts with their actor, addressee, partners, field, status and history,
    sources and evidence, in date order.

    Args:
        store: the store.
        base: the configured base IRI (ids are relative to it).
        status: keep the acts whose current status is this (a notation of the status
            scheme); with ``as_of``, whose status on that day was this.
        field: keep the acts of this field of cooperation.
        countries: keep the acts both countries take part in (``bkg:takesPartIn``: through
            themselves, their bodies, nationals and the holders of posts in their bodies).
        as_of: the status on this day, from the status history (acts not yet made are left
            out).
        after: the id of the last act of the previous page.
        limit: at most this many acts.

    Returns:
        The page, by date (``bkg:sortDate``; undated acts last), then IRI. Each act has
        ``status`` (current, or as of the day), ``stated_status`` (what its source says),
        ``status_reason``, ``status_history``, ``sources`` and ``report_count``.

    Raises:
        ValueError: an unknown status or field.
    """
    bindings: dict[str, Any] = {}
    filters = []
    if status is not None:
        if status not in scheme_notations("status"):
            raise ValueError(
                f"unknown status {status!r}; use one of " + ", ".join(scheme_notations("status"))
            )
        bindings["wantStatus"] = ox.NamedNode(STATUS_NS + status)
        if as_of is None:
            filters.append("?act bkg:currentStatus ?wantStatus .")
        else:  # a status the act had at some time: the day is checked on the history below
            filters.append("?act bkg:statusHistory/bkg:change/bkg:toStatus ?wantStatus .")
    if field is not None:
        if field not in scheme_notations("field"):
            raise ValueError(
                f"unknown field {field!r}; use one of " + ", ".join(scheme_notations("field"))
            )
        bindings["wantField"] = ox.NamedNode(FIELD_NS + field)
        filters.append("?act bkg:field ?wantField .")
    if countries is not None:
        bindings["ca"], bindings["cb"] = countries
        filters.insert(0, "?ca bkg:takesPartIn ?act . ?cb bkg:takesPartIn ?act .")
    if after:
        filters.append(_after_in_date_order(store, base, after, "act", bindings))
    variables = " ".join(f"?{k}" for k in bindings)
    cap = "" if as_of is not None else f"LIMIT {limit + 1}"
    rows = select(
        store,
        f"""
        SELECT DISTINCT {variables} ?act ?sd WHERE {{
            {filters[0] if countries is not None else ""}
            ?act a bkg:CooperationAct .
            {" ".join(filters[1:] if countries is not None else filters)}
            OPTIONAL {{ ?act bkg:sortDate ?sd }}
        }} ORDER BY {DATE_KEY} STR(?act) {cap}""",
        **bindings,
    )
    order = list(dict.fromkeys(r["act"] for r in rows))
    status_of: dict[str, dict[str, Any]] = {}
    if as_of is not None:
        kept = []
        for offset in range(0, len(order), 200):
            batch = order[offset : offset + 200]
            found_h = histories(store, batch, base)
            for act in batch:
                then = status_at(found_h[act]["status_history"], as_of) if act in found_h else None
                if then is None or (status is not None and then != status):
                    continue
                status_of[act] = found_h[act]
                kept.append(act)
            if len(kept) > limit:
                break
        order = kept
    more = len(order) > limit
    order = order[:limit]
    details = _act_details(store, order, base)
    history = {a: status_of[a] for a in order if a in status_of} or histories(store, order, base)
    sources = sources_of(store, order, base)
    labels = _status_labels(store)
    items = []
    for act in order:
        item = details[act]
        h = history.get(act, {"status": None, "status_reason": None, "status_history": []})
        current = h["status"]
        if as_of is not None:
            current = status_at(h["status_history"], as_of)
        item["status"] = labels.get(current or "", current) or item["stated_status"]
        item["status_reason"] = h["status_reason"]
        item["status_history"] = h["status_history"]
        item["sources"] = sources[act]
        item["report_count"] = len(sources[act])
        item["evidence"] = [q for src in sources[act] for q in src["evidence"]]
        items.append(item)
    return Page(items, more)


#: The sort key of an item in date order (``?sd``, its bkg:sortDate); undated items come last.
DATE_KEY = 'COALESCE(STR(?sd), "9999-99-99")'


def _after_in_date_order(
    store: Store, base: str, after: str, var: str, bindings: dict[str, Any]
) -> str:
    """The filter that keeps the items after the cursor in date order (then IRI order); binds
    ``?afterKey`` and ``?after`` in ``bindings``. ``var`` is the item's variable."""
    start = full_iri(after, base)
    found = select(
        store,
        f"SELECT ?{var} ?sd WHERE {{ OPTIONAL {{ ?{var} bkg:sortDate ?sd }} }}",
        **{var: ox.NamedNode(start) if is_iri(start) else ox.NamedNode("urn:x-none")},
    )
    bindings["afterKey"] = ox.Literal(
        str(found[0]["sd"]) if found and found[0]["sd"] else "9999-99-99"
    )
    bindings["after"] = ox.Literal(start)
    key = DATE_KEY
    return f"FILTER ({key} > ?afterKey || ({key} = ?afterKey && STR(?{var}) > ?after))"


def is_iri(text: str) -> bool:
    """Whether ``text`` is an absolute IRI the engine takes.

    Examples:
        >>> is_iri("https://example.org/x"), is_iri("not an iri")
        (True, False)
    """
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def _status_labels(store: Store) -> dict[str, str]:
    """Status notation -> preferred label (``under-examination`` -> ``under examination``)."""
    return {
        r["n"]: r["l"]
        for r in select(
            store,
            "SELECT ?n ?l WHERE { ?s skos:inScheme status:scheme ; skos:notation ?n ;"
            " skos:prefLabel ?l }",
        )
    }


def _act_details(store: Store, acts: list[str], base: str) -> dict[str, dict[str, Any]]:
    """Label, kind, stated status, summary, layer and parts of each act."""
    out: dict[str, dict[str, Any]] = {}
    if not acts:
        return out
    named = "VALUES ?act { " + " ".join(str(ox.NamedNode(a)) for a in acts) + " }"
    for r in select(
        store,
        f"""
        SELECT DISTINCT ?act ?label ?cls ?status ?summary ?layer WHERE {{
            {named}
            GRAPH ?g {{ ?act a bkg:CooperationAct ; a ?cls ; rdfs:label ?label ;
                             bkg:status ?st ; bkg:summary ?summary }}
            ?g bkg:layer/skos:notation ?layer . ?st skos:prefLabel ?status .
            FILTER (STRSTARTS(STR(?cls), STR(bkg:))
                    && ?cls != bkg:CooperationAct)
        }} ORDER BY ?act ?layer ?label""",
    ):
        if r["act"] in out:
            continue  # one act reported by several sources: its first report's words
        out[r["act"]] = {
            "id": short_id(r["act"], base),
            "label": r["label"],
            "kind": r["cls"].rsplit("#", 1)[1],
            "stated_status": r["status"],
            "summary": r["summary"],
            "layer": r["layer"],
        }
    for act in acts:
        _act_parts(store, out[act], act, base)
    return out


def meetings(
    store: Store,
    base: str,
    *,
    participant: ox.NamedNode | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    after: str | None = None,
    limit: int = 50,
    prepared: Meetings | None = None,
) -> Page:
    """Meetings with their attendees, the date as the source gives it, the full date where
    one is known (with its layer: a year may be inferred), the place (only when stated) and
    the evidence.

    Args:
        store: the store.
        base: the configured base IRI.
        participant: keep the meetings this entity attended.
        date_from, date_to: keep the meetings whose full date is known to fall in the range
            (``YYYY[-MM[-DD]]``, both ends included).
        after: the id of the last meeting of the previous page.
        limit: at most this many meetings.
        prepared: every meeting, prepared for the store's current version
            (:class:`graph.read.views.PreparedMeetings`); without it, the page is queried.

    Returns:
        The page, in IRI order.
    """
    if prepared is not None:
        return _meetings_from(prepared, base, participant, date_from, date_to, after, limit)
    bindings: dict[str, Any] = {}
    filters = []
    if after:
        filters.append(_after_in_date_order(store, base, after, "m", bindings))
    if participant is not None:
        bindings["who"] = participant
        filters.append("?m schema:attendee ?who .")
    if date_from is not None or date_to is not None:
        filters.append("?m schema:startDate ?day .")
        if date_from is not None:
            bindings["dayFrom"] = ox.Literal(date_from)
            filters.append("FILTER (STR(?day) >= ?dayFrom)")
        if date_to is not None:
            bindings["dayTo"] = ox.Literal(date_to + "\uffff")
            filters.append("FILTER (STR(?day) <= ?dayTo)")
    variables = " ".join(f"?{k}" for k in bindings)
    rows = select(
        store,
        f"""
        SELECT DISTINCT {variables} ?m ?label ?sd WHERE {{
            ?m a bkg:Meeting ; rdfs:label ?label .
            OPTIONAL {{ ?m bkg:sortDate ?sd }}
            {" ".join(filters)}
        }} ORDER BY {DATE_KEY} STR(?m) ?label LIMIT {limit + 1}""",
        **bindings,
    )
    page = paged(
        [{"iri": r["m"], "id": short_id(r["m"], base), "label": r["label"]} for r in rows], limit
    )
    evidence = quotes(store, [i["iri"] for i in page.items])
    reports = sources_of(store, [i["iri"] for i in page.items], base)
    for item in page.items:
        iri = ox.NamedNode(item.pop("iri"))
        item["attendees"] = [
            ref(r["a"], r["l"], base)
            for r in select(
                store,
                """
            SELECT ?m ?a ?l WHERE { ?m schema:attendee ?a . ?a rdfs:label ?l } ORDER BY ?l""",
                m=iri,
            )
        ]
        place = select(
            store,
            """SELECT ?m ?p ?l WHERE { GRAPH ?g { ?m schema:location ?p }
            ?g bkg:layer epi:stated . ?p rdfs:label ?l }""",
            m=iri,
        )
        item["place"] = ref(place[0]["p"], place[0]["l"], base) if place else None
        stated = select(
            store,
            """SELECT ?m ?d WHERE { GRAPH ?g { ?m bkg:edtfDate ?d }
            ?g bkg:layer epi:stated }""",
            m=iri,
        )
        item["date"] = stated[0]["d"] if stated else None
        full = select(
            store,
            """SELECT ?m ?d ?layer WHERE { GRAPH ?g { ?m schema:startDate ?d }
            ?g bkg:layer/skos:notation ?layer }""",
            m=iri,
        )
        item["full_date"] = full[0]["d"] if full else None
        item["full_date_layer"] = full[0]["layer"] if full else None
        item["evidence"] = evidence[iri.value]
        item["sources"] = reports[iri.value]
        item["report_count"] = len(reports[iri.value])
    return page


def _meetings_from(
    view: Meetings,
    base: str,
    participant: ox.NamedNode | None,
    date_from: str | None,
    date_to: str | None,
    after: str | None,
    limit: int,
) -> Page:
    """The page of meetings, from the meetings prepared for the current graph version."""
    start = full_iri(after, base) if after else ""
    who = None if participant is None else participant.value
    # (the prepared view keeps its meetings in date order, then IRI)
    found = find_meetings(view, who, date_from, date_to, start, limit + 1)
    page = paged(
        [{"record": m, "id": short_id(m.iri, base), "label": label} for m, label in found], limit
    )
    for item in page.items:
        m = item.pop("record")
        item["attendees"] = [ref(a, label, base) for a, label in m.attendees]
        item["place"] = ref(m.place[0], m.place[1], base) if m.place else None
        item["date"] = m.date
        item["full_date"] = m.full_date
        item["full_date_layer"] = m.full_date_layer
        item["evidence"] = [
            {"quote": quote, "start": s, "end": e, "source": src} for quote, s, e, src in m.evidence
        ]
        item["sources"] = [
            {
                "id": short_id(src, base),
                "label": label,
                "published": published,
                "evidence": [q for q in item["evidence"] if q["source"] == src],
            }
            for src, label, published in m.sources
        ]
        item["report_count"] = len(m.sources)
    return page
