"""Linked data: every IRI of the graph dereferences here, as a page, its JSON twin and RDF.

``GET /id/{path}`` (and ``/graph/{path}`` for the named graphs) maps the request path onto the
configured base IRI, never onto the request's host. The page and the JSON twin render one view
model (:func:`resource_view`); JSON-LD, Turtle and N-Triples hold the same triples, the
resource's description (:func:`description`: every triple with it as subject, from every graph).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from api.deps import SettingsDep, StoreDep
from api.problems import Problem
from api.routes.pages import templates
from graph.read.lookup import PREFIXES, entity_view
from graph.read.names import script_names
from graph.store import Store
from graph.store.results import GRAPH_TYPES, choose, serialize_graph
from ontology import ONTOLOGY_IRI

__all__ = ["description", "local_href", "resource_view", "router"]

router = APIRouter(tags=["linked data"])


@dataclass(frozen=True)
class Representation:
    """One way to answer for a resource: a media type and the suffix of its twin URL."""

    name: str
    media: str
    suffix: str
    title: str


#: In the order content negotiation prefers them on a tie: a browser (or ``*/*``) gets the page.
REPRESENTATIONS = (
    Representation("html", "text/html", "", "HTML page"),
    Representation("jsonld", "application/ld+json", ".jsonld", "JSON-LD"),
    Representation("turtle", "text/turtle", ".ttl", "Turtle"),
    Representation("ntriples", "application/n-triples", ".nt", "N-Triples"),
    Representation("json", "application/json", ".json", "JSON (this page's data)"),
)
OFFERED = [r.media for r in REPRESENTATIONS]
CONTENT_TYPES = {
    "text/turtle": "text/turtle; charset=utf-8",
    "application/n-triples": "application/n-triples",
    "application/ld+json": "application/ld+json",
}

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "https://schema.org/"
BKG = ONTOLOGY_IRI + "#"
EPISTEMIC = ONTOLOGY_IRI + "/epistemic/"
OA = "http://www.w3.org/ns/oa#"

#: Prefixes for Turtle and for short names of terms that have no label in the store.
NAMESPACES: dict[str, str] = {
    **dict(re.findall(r"PREFIX (\w*): <([^>]+)>", PREFIXES)),
    "dcterms": "http://purl.org/dc/terms/",
}
#: Shown in the page's heading (label, types, names, layer, status, reason), not as properties.
HEADING = {
    RDF + "type",
    RDFS + "label",
    SKOS + "prefLabel",
    SKOS + "altLabel",
    SCHEMA + "sameAs",
    SCHEMA + "identifier",
    BKG + "epistemicStatus",
    BKG + "status",
    BKG + "reason",
}
#: Properties a reader looks for first; the rest follow by label.
FIRST = [
    "bkg:actor",
    "bkg:addressee",
    "bkg:partner",
    "schema:attendee",
    "bkg:speaker",
    "rdf:subject",
    "rdf:predicate",
    "rdf:object",
    "schema:startDate",
    "bkg:edtfDate",
    "schema:location",
    "bkg:occasion",
    "schema:about",
    "bkg:field",
    "bkg:summary",
    "schema:description",
]
CONTEXT = 240  # characters of source text either side of a quote
LINKED_FROM = 100

Row = dict[str, Any]


# ------------------------------------------------------------------------------------------
# IRIs and terms
# ------------------------------------------------------------------------------------------


def local_href(iri: str, base: str) -> str | None:
    """Where a link to an IRI points: our own path for the graph's IRIs, else the IRI itself.

    Args:
        iri: the IRI.
        base: the configured base IRI.

    Returns:
        ``/id/...`` or ``/graph/...`` for IRIs under the base, ``/ontology`` for the
        vocabulary, the IRI for other http(s) IRIs (they link out), ``None`` otherwise.

    Examples:
        >>> local_href("https://kg.example/id/person/heng-sour", "https://kg.example/")
        '/id/person/heng-sour'
        >>> local_href("http://www.wikidata.org/entity/Q1", "https://kg.example/")
        'http://www.wikidata.org/entity/Q1'
    """
    for prefix in ("id/", "graph/"):
        if iri.startswith(base + prefix):
            # "%" is quoted too, so the decoded request path gives back the IRI exactly.
            return "/" + prefix + quote(iri[len(base + prefix) :], safe="/:@!$&'()*+,;=-._~")
    if iri.startswith(ONTOLOGY_IRI):
        return "/ontology"
    if iri.startswith(("http://", "https://")):
        return iri
    return None


def _curie(iri: str) -> str | None:
    for prefix, ns in NAMESPACES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return None


def _local(iri: str) -> str:
    return re.split(r"[#/]", iri.rstrip("/#"))[-1]


def _humanize(name: str) -> str:
    """``startDate`` -> ``start date``: a readable name for a term that has no label."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).split()
    return " ".join(w if w.isupper() else w.lower() for w in words) or name


def _best(labels: Iterable[ox.Literal]) -> str | None:
    """One label, the same every time: English first, then untagged, then any."""
    ranked = sorted(
        labels, key=lambda lit: (lit.language not in ("en", None), lit.language or "", lit.value)
    )
    return ranked[0].value if ranked else None


def _term(iri: str, labels: dict[str, list[ox.Literal]], base: str) -> dict[str, Any]:
    curie = _curie(iri)
    label = _best(labels.get(iri, ()))
    if label is None:
        # A vocabulary term by its readable local name; our own IRIs by their path; others whole.
        label = _humanize(_local(iri)) if curie else iri.removeprefix(base)
    return {"iri": iri, "label": label, "curie": curie, "href": local_href(iri, base)}


def _solutions(store: Store, query: str, **bindings: ox.NamedNode) -> list[dict[str, Any]]:
    """Rows of RDF terms (not plain values: literals keep their language and datatype)."""
    result = store.query(PREFIXES + query, bindings=bindings)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: row[n] for n in names} for row in result]


def _value(term: Any) -> Any:
    """A plain Python value of a term from :func:`_solutions`."""
    if term is None:
        return None
    if isinstance(term, ox.Literal) and term.datatype.value.endswith("#integer"):
        return int(term.value)
    return term.value


# ------------------------------------------------------------------------------------------
# The description (the RDF representations)
# ------------------------------------------------------------------------------------------


def description(store: Store, iri: str) -> list[ox.Triple]:
    """The resource's description: every triple with it as subject, from every named graph.

    Args:
        store: the store.
        iri: the resource's IRI (bound as a term, never pasted into the query).

    Returns:
        The triples, sorted; empty when nothing is known about the IRI.
    """
    result = store.query(
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", bindings={"s": ox.NamedNode(iri)}
    )
    assert not isinstance(result, ox.QuerySolutions | ox.QueryBoolean)  # triples
    return sorted(result, key=str)


# ------------------------------------------------------------------------------------------
# The view model (the page and its JSON twin)
# ------------------------------------------------------------------------------------------


class _Texts:
    """The texts and titles of sources, each read once per view."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.cache: dict[str, tuple[str | None, str | None]] = {}

    def __call__(self, source: str) -> tuple[str | None, str | None]:
        if source not in self.cache:
            rows = _solutions(
                self.store,
                """
                SELECT ?src ?text ?title WHERE {
                    OPTIONAL { ?src schema:text ?text }
                    OPTIONAL { ?src rdfs:label ?title }
                } LIMIT 1""",
                src=ox.NamedNode(source),
            )
            row = rows[0] if rows else {}
            self.cache[source] = (_value(row.get("text")), _value(row.get("title")))
        return self.cache[source]


def _evidence(
    texts: _Texts,
    base: str,
    source: str,
    start: int,
    end: int,
    exact: str,
    span: str | None = None,
) -> dict[str, Any]:
    """A quote with the source text around it, cut at word boundaries."""
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
    source_href = local_href(source, base)
    return {
        "span": None if span is None else {"iri": span, "href": local_href(span, base)},
        "source": {"iri": source, "label": title or source, "href": source_href},
        "at": f"{source_href}#span-{start}-{end}" if source_href else None,
        "start": start,
        "end": end,
        "exact": exact,
        "before": before,
        "after": after,
        "more_before": more_before,
        "more_after": more_after,
    }


def _spans_of(store: Store, iri: str, texts: _Texts, base: str) -> list[dict[str, Any]]:
    """The quotes a resource rests on (or the resource itself, if it is a span)."""
    rows = _solutions(
        store,
        """
        SELECT DISTINCT ?x ?span ?src ?start ?end ?exact WHERE {
            ?x (prov:wasDerivedFrom|oa:hasTarget)? ?span .
            ?span oa:hasSource ?src ; oa:hasSelector ?ps, ?qs .
            ?ps oa:start ?start ; oa:end ?end .
            ?qs oa:exact ?exact .
        } ORDER BY ?src ?start ?end""",
        x=ox.NamedNode(iri),
    )
    return [
        _evidence(
            texts,
            base,
            _value(r["src"]),
            _value(r["start"]),
            _value(r["end"]),
            _value(r["exact"]),
            _value(r["span"]),
        )
        for r in rows
    ]


def _mentions(store: Store, iri: str, texts: _Texts, base: str) -> list[dict[str, Any]]:
    """Where the sources name the resource: annotations with it as body."""
    rows = _solutions(
        store,
        """
        SELECT ?e ?m ?label ?layer ?reason ?span ?src ?start ?end ?exact WHERE {
            ?m oa:hasBody ?e ; oa:hasTarget ?span .
            ?span oa:hasSource ?src ; oa:hasSelector ?ps, ?qs .
            ?ps oa:start ?start ; oa:end ?end .
            ?qs oa:exact ?exact .
            OPTIONAL { ?m rdfs:label ?label }
            OPTIONAL { ?m bkg:epistemicStatus/skos:prefLabel ?layer }
            OPTIONAL { ?m bkg:reason ?reason }
        } ORDER BY ?src ?start ?end ?m""",
        e=ox.NamedNode(iri),
    )
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        m = _value(r["m"])
        if m not in out:
            out[m] = {
                "iri": m,
                "href": local_href(m, base),
                "label": _value(r["label"]) or m,
                "layer": _value(r["layer"]),
                "reason": _value(r["reason"]),
                "evidence": _evidence(
                    texts,
                    base,
                    _value(r["src"]),
                    _value(r["start"]),
                    _value(r["end"]),
                    _value(r["exact"]),
                    _value(r["span"]),
                ),
            }
    return list(out.values())


def _facts(store: Store, iri: str, texts: _Texts, base: str) -> list[dict[str, Any]]:
    """The facts that name the resource, from :func:`graph.read.lookup.entity_view`."""
    view = entity_view(store, iri)
    if view is None:
        return []
    return [
        {
            "iri": f.iri,
            "href": local_href(f.iri, base),
            "label": f.label,
            "roles": [_humanize(r) for r in f.roles],
            "layer": f.layer,
            "status": f.status,
            "reason": f.reason,
            "evidence": [
                _evidence(texts, base, e.source, e.start, e.end, e.exact) for e in f.evidence
            ],
        }
        for f in view.facts
    ]


def _source_text(store: Store, iri: str, text: str, base: str) -> dict[str, Any]:
    """A source's text cut into segments, each with the annotated spans that cover it."""
    rows = _solutions(
        store,
        """
        SELECT ?s ?span ?start ?end ?exact ?by ?label ?layer ?annotation WHERE {
            ?span oa:hasSource ?s ; oa:hasSelector ?ps, ?qs .
            ?ps oa:start ?start ; oa:end ?end .
            ?qs oa:exact ?exact .
            OPTIONAL {
                ?by prov:wasDerivedFrom|oa:hasTarget ?span .
                OPTIONAL { ?by rdfs:label ?label }
                OPTIONAL { ?by bkg:epistemicStatus/skos:prefLabel ?layer }
                OPTIONAL { ?by a ?annotation FILTER (?annotation = oa:Annotation) }
            }
        } ORDER BY ?start ?end ?by""",
        s=ox.NamedNode(iri),
    )
    spans: dict[str, dict[str, Any]] = {}
    for r in rows:
        span_iri = _value(r["span"])
        start, end = _value(r["start"]), _value(r["end"])
        span = spans.setdefault(
            span_iri,
            {
                "iri": span_iri,
                "href": local_href(span_iri, base),
                "id": f"span-{start}-{end}",
                "start": start,
                "end": end,
                "exact": _value(r["exact"]),
                "kinds": [],
                "cited_by": [],
            },
        )
        by = _value(r["by"])
        if by is None:
            continue
        kind = "mention" if r["annotation"] is not None else "evidence"
        if kind not in span["kinds"]:
            span["kinds"].append(kind)
        if all(c["iri"] != by for c in span["cited_by"]):
            span["cited_by"].append(
                {
                    "iri": by,
                    "href": local_href(by, base),
                    "label": _value(r["label"]) or by,
                    "layer": _value(r["layer"]),
                    "kind": kind,
                }
            )
    listed = [s for s in spans.values() if 0 <= s["start"] < s["end"] <= len(text)]
    cuts = sorted({0, len(text)} | {s["start"] for s in listed} | {s["end"] for s in listed})
    segments = []
    for a, b in itertools.pairwise(cuts):
        # Outermost first, so the last span is the one a reader clicks through to.
        covering = sorted(
            (s for s in listed if s["start"] <= a and b <= s["end"]),
            key=lambda s: (s["start"] - s["end"], s["start"]),
        )
        kinds = sorted({k for s in covering for k in s["kinds"]}) or (
            ["evidence"] if covering else []
        )
        segments.append(
            {
                "start": a,
                "end": b,
                "text": text[a:b],
                "spans": [s["id"] for s in covering],
                "kinds": kinds,
            }
        )
    return {"length": len(text), "segments": segments, "spans": listed}


def _linked_from(
    store: Store, iri: str, base: str, shown: set[str]
) -> tuple[list[dict[str, Any]], bool]:
    """Resources that link to this one and are not shown elsewhere on the page."""
    rows = _solutions(
        store,
        """
        SELECT DISTINCT ?o ?s ?p ?slabel ?plabel WHERE {
            ?s ?p ?o .
            OPTIONAL { ?s rdfs:label ?slabel }
            OPTIONAL { ?p rdfs:label ?plabel }
        } ORDER BY ?p ?s LIMIT 1000""",
        o=ox.NamedNode(iri),
    )
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        if not isinstance(r["s"], ox.NamedNode) or r["s"].value in shown:
            continue
        s, p = r["s"].value, r["p"].value
        if (s, p) not in out:
            labels = {
                k: [lit] for k, lit in ((s, r["slabel"]), (p, r["plabel"])) if lit is not None
            }
            out[(s, p)] = {"subject": _term(s, labels, base), "predicate": _term(p, labels, base)}
    listed = list(out.values())
    return listed[:LINKED_FROM], len(listed) > LINKED_FROM


def _alternates(iri: str, base: str) -> list[dict[str, str]]:
    path = local_href(iri, base) or ""
    return [
        {"name": r.name, "type": r.media, "href": path + r.suffix, "title": r.title}
        for r in REPRESENTATIONS
    ]


def resource_view(store: Store, iri: str, base: str) -> dict[str, Any] | None:
    """The view model of a resource's page, which is also its JSON twin.

    Args:
        store: the store.
        iri: the resource's IRI.
        base: the configured base IRI (links to the graph's IRIs become our own paths).

    Returns:
        One dict: the heading (label, kind, types, layer, status, reason, names), the
        properties with linked values, the evidence in its source text, the facts and
        mentions that name the resource, a source's annotated text, and the links to the
        other representations; ``None`` when nothing is known about the IRI.
    """
    rows = _solutions(
        store,
        """
        SELECT ?s ?p ?o ?layer ?plabel ?olabel WHERE {
            ?s ?p ?o .
            OPTIONAL { GRAPH ?g { ?s ?p ?o } ?g bkg:layer/skos:prefLabel ?layer }
            OPTIONAL { ?p rdfs:label ?plabel }
            OPTIONAL { ?o rdfs:label ?olabel }
        }""",
        s=ox.NamedNode(iri),
    )
    if not rows:
        return None
    labels: dict[str, list[ox.Literal]] = {}
    by_predicate: dict[str, dict[str, dict[str, Any]]] = {}
    for r in rows:
        p, o = r["p"], r["o"]
        for term, label in ((p, r["plabel"]), (o, r["olabel"])):
            if isinstance(term, ox.NamedNode) and label is not None:
                known = labels.setdefault(term.value, [])
                if label not in known:
                    known.append(label)
        values = by_predicate.setdefault(p.value, {})
        value = values.setdefault(str(o), {"term": o, "layers": []})
        if r["layer"] is not None and r["layer"].value not in value["layers"]:
            value["layers"].append(r["layer"].value)

    def objects(predicate: str) -> list[Any]:
        return [v["term"] for v in by_predicate.get(predicate, {}).values()]

    def literals(predicate: str) -> list[ox.Literal]:
        return [t for t in objects(predicate) if isinstance(t, ox.Literal)]

    def named(predicate: str) -> list[str]:
        return sorted(t.value for t in objects(predicate) if isinstance(t, ox.NamedNode))

    def label_of(iris: list[str]) -> str | None:
        return _term(iris[0], labels, base)["label"] if iris else None

    epistemic = named(BKG + "epistemicStatus")
    texts = _Texts(store)
    text = _best(literals(SCHEMA + "text"))
    if text is not None:
        kind = "source"
    elif RDF + "type" in by_predicate and BKG + "Layer" in named(RDF + "type"):
        kind = "graph"
    elif EPISTEMIC + "reference" in epistemic:
        kind = "entity"
    elif epistemic:
        kind = "fact"
    elif OA + "hasSource" in by_predicate:
        kind = "span"
    else:
        kind = "resource"

    hidden = HEADING | ({SCHEMA + "text"} if text is not None else set())
    order = {name: i for i, name in enumerate(FIRST)}
    properties: list[dict[str, Any]] = []
    for p, values in by_predicate.items():
        if p in hidden:
            continue
        listed: list[dict[str, Any]] = []
        for v in values.values():
            term, layers = v["term"], sorted(v["layers"])
            if isinstance(term, ox.NamedNode):
                listed.append({**_term(term.value, labels, base), "layers": layers})
            elif isinstance(term, ox.Literal):
                datatype = term.datatype.value
                plain = term.language or datatype in (
                    "http://www.w3.org/2001/XMLSchema#string",
                    RDF + "langString",
                )
                listed.append(
                    {
                        "value": term.value,
                        "lang": term.language,
                        "datatype": None if plain else _curie(datatype) or datatype,
                        "layers": layers,
                    }
                )
            else:
                listed.append(
                    {"value": str(term), "lang": None, "datatype": None, "layers": layers}
                )
        listed.sort(key=lambda v: (v.get("label") or v.get("value") or "").lower())
        properties.append({"predicate": _term(p, labels, base), "objects": listed})
    properties.sort(
        key=lambda p: (
            order.get(p["predicate"]["curie"], len(order)),
            p["predicate"]["label"],
        )
    )

    facts = _facts(store, iri, texts, base)
    mentions = _mentions(store, iri, texts, base)
    source = _source_text(store, iri, text, base) if text is not None else None
    shown = {f["iri"] for f in facts} | {m["iri"] for m in mentions}
    if source is not None:
        shown |= {s["iri"] for s in source["spans"]}
    linked_from, more = _linked_from(store, iri, base, shown)
    label = _best(literals(RDFS + "label")) or _best(literals(SKOS + "prefLabel"))
    return {
        "iri": iri,
        "kind": kind,
        "label": label or iri.removeprefix(base),
        "types": [_term(t, labels, base) for t in named(RDF + "type")],
        "layer": label_of(epistemic),
        "status": label_of(named(BKG + "status")),
        "reason": _best(literals(BKG + "reason")),
        "aliases": sorted(
            {
                lit.value
                for lit in literals(SKOS + "altLabel")
                if not lit.language or lit.language.startswith("en")
            }
            - {label}
        ),
        "names": [
            {"name": n.name, "lang": n.lang, "language": n.language, "source": n.source}
            for n in script_names(store, [iri]).get(iri, [])
        ],
        "identifiers": sorted(lit.value for lit in literals(SCHEMA + "identifier")),
        "same_as": [_term(t, labels, base) for t in named(SCHEMA + "sameAs")],
        "properties": properties,
        "evidence": _spans_of(store, iri, texts, base),
        "facts": facts,
        "mentions": mentions,
        "source": source,
        "linked_from": linked_from,
        "linked_from_more": more,
        "alternates": _alternates(iri, base),
        "explore": "/explore?focus=" + quote(iri, safe=""),
    }


# ------------------------------------------------------------------------------------------
# The routes
# ------------------------------------------------------------------------------------------


def _link_header(alternates: list[dict[str, str]], served: str) -> str:
    return ", ".join(
        f'<{a["href"]}>; rel="alternate"; type="{a["type"]}"'
        for a in alternates
        if a["name"] != served
    )


def _described(store: Store, iri: str) -> list[ox.Triple]:
    try:
        return description(store, iri)
    except ValueError:  # not a valid IRI: nothing can be known about it
        return []


def _dereference(prefix: str, path: str, request: Request, store: Store, base: str) -> Response:
    iri = base + prefix + path
    chosen: Representation | None = None
    triples: list[ox.Triple] = []
    twin = next((r for r in REPRESENTATIONS if r.suffix and path.endswith(r.suffix)), None)
    if twin is not None and len(path) > len(twin.suffix):
        stripped = iri[: -len(twin.suffix)]
        triples = _described(store, stripped)
        if triples:
            iri, chosen = stripped, twin
        else:
            # An IRI of the graph may itself end like a twin's suffix.
            triples = _described(store, iri)
            iri = iri if triples else stripped
    else:
        triples = _described(store, iri)
    if not triples:
        raise Problem(404, f"nothing is known about <{iri}>: no triple has it as subject")
    negotiated = chosen is None
    if chosen is None:
        media = choose(request.headers.get("accept"), OFFERED)
        if media is None:
            raise Problem(406, f"<{iri}> comes as " + ", ".join(OFFERED))
        chosen = next(r for r in REPRESENTATIONS if r.media == media)
    alternates = _alternates(iri, base)
    headers = {"Link": _link_header(alternates, chosen.name)}
    if negotiated:
        headers["Vary"] = "Accept"
    if chosen.name in ("html", "json"):
        view = resource_view(store, iri, base)
        if view is None:  # the data changed between the two queries
            raise Problem(404, f"nothing is known about <{iri}>: no triple has it as subject")
        if chosen.name == "json":
            return JSONResponse(view, headers=headers)
        return templates.TemplateResponse(request, "resource.html", {"view": view}, headers=headers)
    body = serialize_graph(triples, GRAPH_TYPES[chosen.media], NAMESPACES)
    return Response(body, media_type=CONTENT_TYPES[chosen.media], headers=headers)


_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The resource as an HTML page, its JSON twin, JSON-LD, Turtle or "
        "N-Triples, by the Accept header or the path's suffix (.json, .jsonld, .ttl, .nt)",
        "content": {media: {} for media in OFFERED},
    },
    404: {"description": "No triple has this IRI as subject"},
    406: {"description": "None of the representations is acceptable"},
}


@router.api_route(
    "/id/{path:path}",
    methods=["GET", "HEAD"],
    summary="An IRI of the graph: page, JSON twin, JSON-LD, Turtle, N-Triples",
    response_class=Response,
    responses=_RESPONSES,
)
def resource(path: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """Dereference ``{base}id/{path}``: what the graph says about it, with its evidence."""
    return _dereference("id/", path, request, store, settings.base_iri)


@router.api_route(
    "/graph/{path:path}",
    methods=["GET", "HEAD"],
    summary="A named graph's IRI: its description (layer, source)",
    response_class=Response,
    responses=_RESPONSES,
)
def named_graph(path: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """Dereference ``{base}graph/{path}``: the layer and provenance of a named graph."""
    return _dereference("graph/", path, request, store, settings.base_iri)
