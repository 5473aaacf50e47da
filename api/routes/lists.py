"""List endpoints: cooperation acts, meetings, statistics and sources, with keyset paging."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from api.deps import MeetingsDep, SettingsDep, StoreDep
from api.problems import Problem
from api.routes.entities import full_iri, node_of, short_id
from graph.read.lookup import select
from graph.read.views import Meetings, find_meetings
from ontology import scheme_notations

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["lists"])


class Ref(BaseModel):
    id: str
    label: str


class Quote(BaseModel):
    quote: str
    start: int
    end: int
    source: str


class Act(BaseModel):
    id: str
    label: str
    kind: str = Field(description="Agreement, Request, Proposal, Pledge, Examination, Endorsement")
    status: str
    summary: str
    layer: str
    actors: list[Ref]
    addressees: list[Ref]
    partners: list[Ref]
    fields: list[str]
    occasion: Ref | None
    evidence: list[Quote]


class ActsPage(BaseModel):
    items: list[Act]
    next: str | None


class Meeting(BaseModel):
    id: str
    label: str
    date: str | None = Field(description="the date as the source gives it (EDTF)")
    full_date: str | None = Field(description="the full date, where one is known or inferred")
    full_date_layer: str | None
    place: Ref | None
    attendees: list[Ref]
    evidence: list[Quote]


class MeetingsPage(BaseModel):
    items: list[Meeting]
    next: str | None


class Observation(BaseModel):
    id: str
    label: str
    dataset: Ref
    period: str
    origin: Ref
    destination: Ref
    population: str
    sex: str
    value: float
    unit: str
    layer: str
    reason: str | None
    evidence: list[Quote]


class ObservationsPage(BaseModel):
    items: list[Observation]
    next: str | None


class Span(BaseModel):
    start: int
    end: int
    quote: str
    kind: str = Field(description="evidence (of a fact) or mention (of an entity)")
    layer: str | None
    refers_to: list[Ref] = Field(description="the facts it is evidence for, or the entity")


class Source(BaseModel):
    id: str
    label: str
    url: str | None
    publisher: str | None
    text: str
    spans: list[Span]


def _ref(iri: str | None, label: str | None, base: str) -> dict[str, str] | None:
    return None if iri is None else {"id": short_id(iri, base), "label": label or iri}


def _next(request: Request, items: list[dict[str, Any]], limit: int) -> tuple[list[Any], Any]:
    if len(items) <= limit:
        return items, None
    page = items[:limit]
    return page, str(request.url.include_query_params(after=page[-1]["id"]))


def _after(after: str | None, base: str) -> ox.Literal:
    return ox.Literal(full_iri(after, base) if after else "")


def _evidence(store: StoreDep, iris: list[str]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {i: [] for i in iris}
    for iri in iris:
        for r in select(
            store,
            """
            SELECT ?x ?exact ?start ?end ?src WHERE {
                ?x prov:wasDerivedFrom ?span .
                ?span oa:hasSource ?src ; oa:hasSelector ?q, ?p .
                ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end .
            } ORDER BY ?start""",
            x=ox.NamedNode(iri),
        ):
            out[iri].append(
                {"quote": r["exact"], "start": r["start"], "end": r["end"], "source": r["src"]}
            )
    return out


def _country(store: StoreDep, code: str, base: str) -> ox.NamedNode:
    """A country by id (place/cambodia), IRI or ISO 3166-1 code (KH)."""
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
    raise Problem(
        400,
        f"{code!r} is not a country of the graph (give an id such as "
        "place/cambodia or an ISO 3166-1 code such as KH)",
    )


#: Acts named per query when listing the acts of a country pair.
ACT_CHUNK = 500


def _acts_involving(store: StoreDep, country: ox.NamedNode) -> set[str]:
    """The acts whose actor, addressee, partner or beneficiary is the country, a body of it,
    one of its nationals, or the holder of a post in one of its bodies."""
    rows = select(
        store,
        """
        SELECT DISTINCT ?c ?act WHERE {
            { BIND (?c AS ?who) }
            UNION { ?who bkg:country ?c }
            UNION { ?who schema:nationality ?c }
            UNION { ?who org:holds/org:postIn/bkg:country ?c }
            ?act bkg:actor|bkg:addressee|bkg:partner|bkg:beneficiary ?who .
        }""",
        c=country,
    )
    return {r["act"] for r in rows}


@router.get("/acts", response_model=ActsPage, summary="Cooperation acts, filtered")
def acts(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    status: Annotated[
        str | None,
        Query(description="agreed, pledged, requested, proposed, under-examination or done"),
    ] = None,
    field: Annotated[
        str | None, Query(description="a field of cooperation, e.g. employment")
    ] = None,
    countries: Annotated[
        str | None,
        Query(
            description="two countries, comma-separated (ids or ISO codes): acts that involve both"
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    after: Annotated[str | None, Query(description="the cursor of the previous page")] = None,
) -> dict[str, Any]:
    """Acts with their actor, addressee, partners, field, status and evidence; by status,
    field and country pair. A country takes part through itself, its bodies and the people
    holding posts in them."""
    base = settings.base_iri
    bindings: dict[str, Any] = {"after": _after(after, base)}
    filters = []
    if status is not None:
        if status not in scheme_notations("status"):
            raise Problem(
                400,
                f"unknown status {status!r}; use one of " + ", ".join(scheme_notations("status")),
            )
        bindings["wantStatus"] = ox.Literal(status)
        filters.append("?act bkg:status/skos:notation ?wantStatus .")
    if field is not None:
        if field not in scheme_notations("field"):
            raise Problem(
                400, f"unknown field {field!r}; use one of " + ", ".join(scheme_notations("field"))
            )
        bindings["wantField"] = ox.Literal(field)
        filters.append("?act bkg:field/skos:notation ?wantField .")
    # Acts of a country pair are found from each country first and then named in chunks: a
    # property path from every act to the countries made Oxigraph walk all acts (3 s at a
    # million triples).
    chunks: list[list[str] | None] = [None]
    if countries is not None:
        pair = [c.strip() for c in countries.split(",") if c.strip()]
        if len(pair) != 2:
            raise Problem(400, "countries takes two countries, comma-separated")
        ca, cb = (_country(store, c, base) for c in pair)
        start = bindings["after"].value
        both = sorted(
            a for a in _acts_involving(store, ca) & _acts_involving(store, cb) if a > start
        )
        chunks = [both[i : i + ACT_CHUNK] for i in range(0, len(both), ACT_CHUNK)]
    variables = " ".join(f"?{k}" for k in bindings)
    rows: list[dict[str, Any]] = []
    for chunk in chunks:
        named = ""
        if chunk is not None:
            named = "VALUES ?act { " + " ".join(str(ox.NamedNode(a)) for a in chunk) + " }"
        rows += select(
            store,
            f"""
            SELECT DISTINCT {variables} ?act ?label ?cls ?status ?summary ?layer WHERE {{
                {named}
                GRAPH ?g {{ ?act a bkg:CooperationAct ; a ?cls ; rdfs:label ?label ;
                                 bkg:status ?st ; bkg:summary ?summary }}
                ?g bkg:layer/skos:notation ?layer . ?st skos:prefLabel ?status .
                FILTER (STRSTARTS(STR(?cls), "https://bilateral-kg.example/ontology#")
                        && ?cls != bkg:CooperationAct)
                {" ".join(filters)}
                FILTER (STR(?act) > STR(?after))
            }} ORDER BY STR(?act) LIMIT {limit + 1 - len(rows)}""",
            **bindings,
        )
        if len(rows) > limit:
            break
    items = []
    for r in rows:
        items.append(
            {
                "iri": r["act"],
                "id": short_id(r["act"], base),
                "label": r["label"],
                "kind": r["cls"].rsplit("#", 1)[1],
                "status": r["status"],
                "summary": r["summary"],
                "layer": r["layer"],
            }
        )
    page, next_url = _next(request, items, limit)
    evidence = _evidence(store, [i["iri"] for i in page])
    for item in page:
        iri = item.pop("iri")
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
                item["occasion"] = _ref(r["o"], r["label"], base)
            else:
                ref = _ref(r["o"], r["label"], base)
                group = parts[
                    {"actor": "actors", "addressee": "addressees", "partner": "partners"}[key]
                ]
                if ref not in group:
                    group.append(ref)  # type: ignore[arg-type]
        item.update(parts)
        item["fields"] = sorted(set(item["fields"]))
        item["evidence"] = evidence[iri]
    return {"items": page, "next": next_url}


@router.get("/meetings", response_model=MeetingsPage, summary="Meetings, filtered")
def meetings(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    prepared: MeetingsDep,
    participant: Annotated[str | None, Query(description="an attendee (id or IRI)")] = None,
    date_from: Annotated[
        str | None,
        Query(
            alias="from",
            pattern=r"^\d{4}(-\d{2}){0,2}$",
            description="earliest full date (YYYY[-MM[-DD]])",
        ),
    ] = None,
    date_to: Annotated[
        str | None,
        Query(
            alias="to",
            pattern=r"^\d{4}(-\d{2}){0,2}$",
            description="latest full date (YYYY[-MM[-DD]])",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    after: Annotated[str | None, Query(description="the cursor of the previous page")] = None,
) -> dict[str, Any]:
    """Meetings with their attendees, the date as the source gives it, the full date where
    one is known (with its layer: a year may be inferred), the place (only when stated) and
    the evidence. A date range keeps the meetings whose full date is known to fall in it."""
    base = settings.base_iri
    view = prepared.peek()  # for the current graph version, or None while it is prepared
    if view is not None:
        who = None if participant is None else node_of(participant, base).value
        return _meetings_from(view, request, base, who, date_from, date_to, after, limit)
    bindings: dict[str, Any] = {"after": _after(after, base)}
    filters = []
    if participant is not None:
        bindings["who"] = node_of(participant, base)
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
        SELECT DISTINCT {variables} ?m ?label WHERE {{
            ?m a bkg:Meeting ; rdfs:label ?label .
            {" ".join(filters)}
            FILTER (STR(?m) > STR(?after))
        }} ORDER BY STR(?m) LIMIT {limit + 1}""",
        **bindings,
    )
    items = [{"iri": r["m"], "id": short_id(r["m"], base), "label": r["label"]} for r in rows]
    page, next_url = _next(request, items, limit)
    evidence = _evidence(store, [i["iri"] for i in page])
    for item in page:
        iri = ox.NamedNode(item.pop("iri"))
        item["attendees"] = [
            _ref(r["a"], r["l"], base)
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
        item["place"] = _ref(place[0]["p"], place[0]["l"], base) if place else None
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
    return {"items": page, "next": next_url}


def _meetings_from(
    view: Meetings,
    request: Request,
    base: str,
    who: str | None,
    date_from: str | None,
    date_to: str | None,
    after: str | None,
    limit: int,
) -> dict[str, Any]:
    """The page of meetings, from the meetings prepared for the current graph version."""
    start = full_iri(after, base) if after else ""
    found = find_meetings(view, who, date_from, date_to, start, limit + 1)
    items = [{"record": m, "id": short_id(m.iri, base), "label": label} for m, label in found]
    page, next_url = _next(request, items, limit)
    for item in page:
        m = item.pop("record")
        item["attendees"] = [_ref(a, label, base) for a, label in m.attendees]
        item["place"] = _ref(m.place[0], m.place[1], base) if m.place else None
        item["date"] = m.date
        item["full_date"] = m.full_date
        item["full_date_layer"] = m.full_date_layer
        item["evidence"] = [
            {"quote": quote, "start": s, "end": e, "source": src} for quote, s, e, src in m.evidence
        ]
    return {"items": page, "next": next_url}


@router.get("/statistics", response_model=ObservationsPage, summary="Statistical observations")
def statistics(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    origin: Annotated[str | None, Query(description="country of origin (id or ISO code)")] = None,
    destination: Annotated[str | None, Query(description="country of destination")] = None,
    layer: Annotated[str | None, Query(pattern="^(stated|inferred|derived)$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    after: Annotated[str | None, Query(description="the cursor of the previous page")] = None,
) -> dict[str, Any]:
    """Observations (RDF Data Cube) with their dimensions, value, unit and layer: stated
    figures with their evidence, derived ones with their computation."""
    base = settings.base_iri
    bindings: dict[str, Any] = {"after": _after(after, base)}
    filters = []
    if origin is not None:
        bindings["wantOrigin"] = _country(store, origin, base)
        filters.append("?o bkg:originCountry ?wantOrigin .")
    if destination is not None:
        bindings["wantDestination"] = _country(store, destination, base)
        filters.append("?o bkg:destinationCountry ?wantDestination .")
    if layer is not None:
        bindings["wantLayer"] = ox.Literal(layer)
        filters.append("FILTER (?layer = ?wantLayer)")
    variables = " ".join(f"?{k}" for k in bindings)
    rows = select(
        store,
        f"""
        SELECT {variables} ?o ?label ?ds ?dsl ?period ?or ?orl ?de ?del ?population ?sex ?value
               ?unit ?layer ?reason WHERE {{
            GRAPH ?g {{ ?o a qb:Observation ; rdfs:label ?label ; qb:dataSet ?ds ;
                         sdmxd:refPeriod ?period ; bkg:originCountry ?or ;
                         bkg:destinationCountry ?de ; bkg:population ?population ;
                         sdmxd:sex ?sexc ; sdmxm:obsValue ?value ; bkg:unit ?unit }}
            ?g bkg:layer/skos:notation ?layer .
            ?ds rdfs:label ?dsl . ?or rdfs:label ?orl . ?de rdfs:label ?del .
            BIND (REPLACE(STR(?sexc), "^.*sex-", "") AS ?s)
            BIND (IF(?s = "T", "total", IF(?s = "F", "female", "male")) AS ?sex)
            OPTIONAL {{ ?o bkg:reason ?reason }}
            {" ".join(filters)}
            FILTER (STR(?o) > STR(?after))
        }} ORDER BY STR(?o) LIMIT {limit + 1}""",
        **bindings,
    )
    items = [
        {
            "iri": r["o"],
            "id": short_id(r["o"], base),
            "label": r["label"],
            "dataset": _ref(r["ds"], r["dsl"], base),
            "period": str(r["period"]),
            "origin": _ref(r["or"], r["orl"], base),
            "destination": _ref(r["de"], r["del"], base),
            "population": r["population"],
            "sex": r["sex"],
            "value": r["value"],
            "unit": r["unit"],
            "layer": r["layer"],
            "reason": r["reason"],
        }
        for r in rows
    ]
    page, next_url = _next(request, items, limit)
    evidence = _evidence(store, [i["iri"] for i in page])
    for item in page:
        item["evidence"] = evidence[item.pop("iri")]
    return {"items": page, "next": next_url}


@router.get(
    "/sources/{id:path}", response_model=Source, summary="A source's text with every annotated span"
)
def source(id: str, store: StoreDep, settings: SettingsDep) -> dict[str, Any]:
    """The text of a source and every span the graph annotates in it: the evidence of facts
    (with the facts) and the mentions of entities (with the entity and the layer of the
    identification)."""
    base = settings.base_iri
    iri = id if id.startswith(("http://", "https://")) else f"{base}id/{id}"
    if not id.startswith(("http://", "https://")) and not id.startswith("source/"):
        iri = f"{base}id/source/{id}"
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        raise Problem(404, f"there is no source {id[:80]!r}") from None
    head = select(
        store,
        """
        SELECT ?s ?label ?text ?url ?publisher WHERE {
            ?s schema:text ?text ; rdfs:label ?label .
            OPTIONAL { ?s schema:url ?url }
            OPTIONAL { ?s schema:publisher/rdfs:label ?publisher }
        }""",
        s=node,
    )
    if not head:
        raise Problem(404, f"there is no source {id!r}")
    spans: dict[tuple[int, int], dict[str, Any]] = {}
    for r in select(
        store,
        """
        SELECT ?s ?span ?start ?end ?exact ?fact ?factLabel WHERE {
            ?span oa:hasSource ?s ; oa:hasSelector ?q, ?p .
            ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end .
            ?fact prov:wasDerivedFrom ?span ; rdfs:label ?factLabel .
            FILTER NOT EXISTS { ?fact a oa:Annotation }
        } ORDER BY ?start ?end ?factLabel""",
        s=node,
    ):
        span = spans.setdefault(
            (r["start"], r["end"]),
            {
                "start": r["start"],
                "end": r["end"],
                "quote": r["exact"],
                "kind": "evidence",
                "layer": None,
                "refers_to": [],
            },
        )
        span["refers_to"].append(_ref(r["fact"], r["factLabel"], base))
    mentions = []
    for r in select(
        store,
        """
        SELECT ?s ?start ?end ?exact ?e ?label ?layer WHERE {
            GRAPH ?g { ?m a oa:Annotation ; oa:hasTarget ?span ; oa:hasBody ?e }
            ?g bkg:layer/skos:notation ?layer .
            ?span oa:hasSource ?s ; oa:hasSelector ?q, ?p .
            ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end . ?e rdfs:label ?label .
        } ORDER BY ?start""",
        s=node,
    ):
        mentions.append(
            {
                "start": r["start"],
                "end": r["end"],
                "quote": r["exact"],
                "kind": "mention",
                "layer": r["layer"],
                "refers_to": [_ref(r["e"], r["label"], base)],
            }
        )
    h = head[0]
    return {
        "id": short_id(iri, base),
        "label": h["label"],
        "url": h["url"],
        "publisher": h["publisher"],
        "text": h["text"],
        "spans": sorted(
            [*spans.values(), *mentions], key=lambda s: (s["start"], s["end"], s["kind"])
        ),
    }
