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

__all__ = [
    "ACT_KINDS",
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


#: The kinds of cooperation act (lower case, as the lists take them), each a class of ours.
ACT_KINDS = ("agreement", "request", "proposal", "pledge", "examination", "endorsement")


def acts(
    store: Store,
    base: str,
    *,
    status: str | None = None,
    kind: str | None = None,
    field: str | None = None,
    countries: tuple[ox.NamedNode, ox.NamedNode] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    source: ox.NamedNode | None = None,
    participant: ox.NamedNode | None = None,
    as_of: date | None = None,
    after: str | None = None,
    limit: int = 50,
    newest_first: bool = False,
) -> Page:
    """Cooperation acts with their actor, addressee, partners, field, status and history,
    sources and evidence, in date order.

    Args:
        store: the store.
        base: the configured base IRI (ids are relative to it).
        status: keep the acts whose current status is this (a notation of the status
            scheme); with ``as_of``, whose status on that day was this.
        kind: keep the acts of this kind (one of :data:`ACT_KINDS`).
        field: keep the acts of this field of cooperation.
        countries: keep the acts both countries take part in (``bkg:takesPartIn``: through
            themselves, their bodies, nationals and the holders of posts in their bodies).
        date_from, date_to: ``YYYY[-MM[-DD]]``: keep the acts whose date (``bkg:sortDate``)
            falls in the range, both ends included (``date_to`` counts its whole month or year).
        source: keep the acts this source reports.
        participant: keep the acts this entity is an actor, addressee or partner of.
        as_of: the status on this day, from the status history (acts not yet made are left
            out).
        after: the id of the last act of the previous page.
        limit: at most this many acts.
        newest_first: latest date first (undated acts still last).

    Returns:
        The page, by date (``bkg:sortDate``; undated acts last), then IRI. Each act has
        ``status`` (current, or as of the day: a notation of the status scheme),
        ``stated_status`` (what its source says), ``status_reason``, ``status_history``,
        ``sources`` and ``report_count``.

    Raises:
        ValueError: an unknown status, kind or field.
    """
    bindings: dict[str, Any] = {}
    filters = []
    if countries is not None:
        bindings["ca"], bindings["cb"] = countries
        filters.append("?ca bkg:takesPartIn ?act . ?cb bkg:takesPartIn ?act .")
    # With a selective pattern first, the class is checked per act found (FILTER EXISTS):
    # as a join, Oxigraph reads every act of the graph (at 1M triples 58 ms instead of 7).
    selective = countries is not None or source is not None
    is_act = "?act a bkg:CooperationAct ."
    filters.append(f"FILTER EXISTS {{ {is_act} }}" if selective else is_act)
    if status is not None:
        bindings["wantStatus"] = _concept("status", status)
        if as_of is None:
            filters.append("?act bkg:currentStatus ?wantStatus .")
        else:  # a status the act had at some time: the day is checked on the history below
            filters.append("?act bkg:statusHistory/bkg:change/bkg:toStatus ?wantStatus .")
    if kind is not None:
        if kind not in ACT_KINDS:
            raise ValueError(f"unknown kind {kind!r}; use one of " + ", ".join(ACT_KINDS))
        bindings["wantKind"] = ox.NamedNode(NAMESPACES["bkg"] + kind.capitalize())
        filters.append("?act a ?wantKind .")
    if field is not None:
        bindings["wantField"] = _concept("field", field)
        filters.append("?act bkg:field ?wantField .")
    if source is not None:
        bindings["wantSource"] = source
        filters.append("?act bkg:reportedIn ?wantSource .")
    if participant is not None:
        bindings["who"] = participant
        filters.append("?act bkg:actor|bkg:addressee|bkg:partner ?who .")
    filters += _date_range("?sd", date_from, date_to, bindings)
    if after:
        filters.append(_after_in_date_order(store, base, after, "act", bindings, newest_first))
    variables = " ".join(f"?{k}" for k in bindings)
    cap = "" if as_of is not None else f"LIMIT {limit + 1}"
    rows = select(
        store,
        f"""
        SELECT DISTINCT {variables} ?act ?sd WHERE {{
            {" ".join(filters)}
            OPTIONAL {{ ?act bkg:sortDate ?sd }}
        }} ORDER BY {_order_by("act", newest_first)} {cap}""",
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
    items = []
    for act in order:
        item = details[act]
        h = history.get(act, {"status": None, "status_reason": None, "status_history": []})
        current = h["status"]
        if as_of is not None:
            current = status_at(h["status_history"], as_of)
        item["status"] = current or item["stated_status"]
        item["status_reason"] = h["status_reason"]
        item["status_history"] = h["status_history"]
        item["sources"] = sources[act]
        item["report_count"] = len(sources[act])
        item["evidence"] = [q for src in sources[act] for q in src["evidence"]]
        items.append(item)
    return Page(items, more)


def _concept(scheme: str, notation: str) -> ox.NamedNode:
    """The concept of a scheme with this notation; a ValueError names the ones there are."""
    known = scheme_notations(scheme)
    if notation not in known:
        raise ValueError(f"unknown {scheme} {notation!r}; use one of " + ", ".join(known))
    return ox.NamedNode(NAMESPACES[scheme] + notation)


def _date_range(
    var: str, date_from: str | None, date_to: str | None, bindings: dict[str, Any]
) -> list[str]:
    """The filters that keep a date (``var``) in a ``YYYY[-MM[-DD]]`` range, ends included;
    binds ``?dayFrom`` and ``?dayTo``."""
    out = []
    if date_from is not None:
        bindings["dayFrom"] = ox.Literal(date_from)
        out.append(f"FILTER (BOUND({var}) && STR({var}) >= ?dayFrom)")
    if date_to is not None:
        bindings["dayTo"] = ox.Literal(date_to + "\uffff")  # the whole month or year of it
        out.append(f"FILTER (BOUND({var}) && STR({var}) <= ?dayTo)")
    return out


#: The sort key of an item in date order (``?sd``, its bkg:sortDate); undated items come last.
DATE_KEY = 'COALESCE(STR(?sd), "9999-99-99")'
#: The same, newest first: undated items still come last.
DATE_KEY_DESC = 'COALESCE(STR(?sd), "0000-00-00")'


def _order_by(var: str, newest_first: bool) -> str:
    """The ORDER BY of a list in date order (then IRI), or newest first."""
    if newest_first:
        return f"DESC({DATE_KEY_DESC}) DESC(STR(?{var}))"
    return f"{DATE_KEY} STR(?{var})"


def _after_in_date_order(
    store: Store,
    base: str,
    after: str,
    var: str,
    bindings: dict[str, Any],
    newest_first: bool = False,
) -> str:
    """The filter that keeps the items after the cursor in date order (then IRI order), or
    newest first; binds ``?afterKey`` and ``?after`` in ``bindings``. ``var`` is the item's
    variable."""
    start = full_iri(after, base)
    found = select(
        store,
        f"SELECT ?{var} ?sd WHERE {{ OPTIONAL {{ ?{var} bkg:sortDate ?sd }} }}",
        **{var: ox.NamedNode(start) if is_iri(start) else ox.NamedNode("urn:x-none")},
    )
    undated = "0000-00-00" if newest_first else "9999-99-99"
    bindings["afterKey"] = ox.Literal(str(found[0]["sd"]) if found and found[0]["sd"] else undated)
    bindings["after"] = ox.Literal(start)
    key, later = (DATE_KEY_DESC, "<") if newest_first else (DATE_KEY, ">")
    return f"FILTER ({key} {later} ?afterKey || ({key} = ?afterKey && STR(?{var}) {later} ?after))"


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
            ?g bkg:layer/skos:notation ?layer . ?st skos:notation ?status .
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
    countries: tuple[ox.NamedNode, ox.NamedNode] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    source: ox.NamedNode | None = None,
    field: str | None = None,
    after: str | None = None,
    limit: int = 50,
    prepared: Meetings | None = None,
    newest_first: bool = False,
) -> Page:
    """Meetings with their attendees, the date as the source gives it, the full date where
    one is known (with its layer: a year may be inferred), the place (only when stated) and
    the evidence.

    Args:
        store: the store.
        base: the configured base IRI.
        participant: keep the meetings this entity attended.
        countries: keep the meetings both countries take part in (``bkg:takesPartIn``).
        date_from, date_to: keep the meetings whose full date is known to fall in the range
            (``YYYY[-MM[-DD]]``, both ends included).
        source: keep the meetings this source reports.
        field: keep the meetings of this field of cooperation (a notation of the field
            scheme).
        after: the id of the last meeting of the previous page.
        limit: at most this many meetings.
        prepared: every meeting, prepared for the store's current version
            (:class:`graph.read.views.PreparedMeetings`); without it, or with a filter it
            does not index (countries, source, field, newest first), the page is queried.
        newest_first: latest date first (undated meetings still last).

    Returns:
        The page, in date order (``bkg:sortDate``; undated last), then IRI.

    Raises:
        ValueError: an unknown field.
    """
    indexed = countries is None and source is None and field is None and not newest_first
    if prepared is not None and indexed:
        return _meetings_from(prepared, base, participant, date_from, date_to, after, limit)
    bindings: dict[str, Any] = {}
    filters = []
    if countries is not None:
        bindings["ca"], bindings["cb"] = countries
        filters.append("?ca bkg:takesPartIn ?m . ?cb bkg:takesPartIn ?m .")
    if after:
        filters.append(_after_in_date_order(store, base, after, "m", bindings, newest_first))
    for name, term, pattern in (
        ("who", participant, "?m schema:attendee ?who ."),
        ("wantSource", source, "?m bkg:reportedIn ?wantSource ."),
        ("wantField", _concept("field", field) if field else None, "?m bkg:field ?wantField ."),
    ):
        if term is not None:
            bindings[name] = term
            filters.append(pattern)
    if date_from is not None or date_to is not None:
        filters.append("?m schema:startDate ?day .")
        filters += _date_range("?day", date_from, date_to, bindings)
    variables = " ".join(f"?{k}" for k in bindings)
    rows = select(
        store,
        f"""
        SELECT DISTINCT {variables} ?m ?label ?sd WHERE {{
            {" ".join(filters[:1] if countries is not None else [])}
            ?m a bkg:Meeting ; rdfs:label ?label .
            OPTIONAL {{ ?m bkg:sortDate ?sd }}
            {" ".join(filters[1:] if countries is not None else filters)}
        }} ORDER BY {_order_by("m", newest_first)} ?label LIMIT {limit + 1}""",
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
