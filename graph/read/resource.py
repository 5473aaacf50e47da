"""The view of one resource of the graph: its description, properties, evidence in context,
the facts and mentions that name it, a source's annotated text, and what links to it.

The linked-data pages (``/id/...``) and their JSON twins render :func:`resource_view`; the RDF
representations hold :func:`description`.

Examples:
    >>> store = seed_store()
    >>> base = "https://bilateral-kg.example/"
    >>> view = resource_view(store, base + "id/person/heng-sour", base)
    >>> view["kind"], view["label"]
    ('entity', 'Heng Sour')
    >>> len(description(store, base + "id/person/heng-sour")) > 0
    True
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from graph.read.evidence import CONTEXT, SourceTexts, evidence_of, in_context, span_pattern
from graph.read.happenings import GROUPS_PAGED, grouped, page_of, sources_and_history
from graph.read.ids import local_href, short_id
from graph.read.lookup import EntityFacts, entity_view
from graph.read.names import script_names
from graph.read.pages import human_date
from graph.read.query import iri_values, solutions, value
from graph.store import Store
from ontology.vocabulary import (
    DESCRIPTION_NAMESPACES,
    GROUPS,
    NAMESPACES,
    PREFIXES,
    RELATION_GROUP,
    curie,
)

__all__ = [
    "FIRST_PAGE",
    "Paging",
    "description",
    "linked_description",
    "resource_view",
    "shown_nodes",
]

RDF, RDFS, SKOS, SCHEMA, BKG, EPISTEMIC, OA, XSD = (
    NAMESPACES[name] for name in ("rdf", "rdfs", "skos", "schema", "bkg", "epi", "oa", "xsd")
)
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
#: Shown on a fact's page in words (when, sources, status and its history, evidence), or the
#: names of the heading as resources of their own: not listed again as properties.
SHOWN_IN_WORDS = {
    BKG + "sortDate",
    BKG + "sortDateEnd",
    BKG + "timelineDate",
    BKG + "dateBasis",
    BKG + "reportCount",
    BKG + "reportedIn",
    BKG + "statusHistory",
    BKG + "currentStatus",
    NAMESPACES["time"] + "hasTime",
    "http://www.w3.org/2008/05/skos-xl#altLabel",
}
#: The derived shortcuts between entities (``bkg:metWith`` ...), shown with the facts they
#: derive from rather than as bare links.
SHORTCUT_PROPERTIES = {BKG + name for name in GROUPS["derived"]}
#: Dates, shown in words beside their exact value.
DATES = {BKG + "edtfDate", SCHEMA + "startDate", SCHEMA + "endDate", SCHEMA + "datePublished"}
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
LINKED_FROM = 100
#: The most values of one property a page lists (a country takes part in thousands of acts:
#: its page lists them by group, a page at a time; SPARQL gives them all).
PROPERTY_VALUES = 50

Row = dict[str, Any]


# ------------------------------------------------------------------------------------------
# IRIs and terms
# ------------------------------------------------------------------------------------------


def _curie(iri: str) -> str | None:
    return curie(iri, DESCRIPTION_NAMESPACES)


def _local(iri: str) -> str:
    return re.split(r"[#/]", iri.rstrip("/#"))[-1]


def _humanize(name: str) -> str:
    """``startDate`` -> ``start date``: a readable name for a term that has no label."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).split()
    return " ".join(w if w.isupper() else w.lower() for w in words) or name


def _role(role: str) -> str:
    """An entity's role in a fact in words; the object of a relation (``holds (of)``) by the
    relation's backward words (``is held by``).

    Examples:
        >>> _role("counterpartOf (of)"), _role("holds (of)"), _role("startDate")
        ('is the counterpart of', 'is held by', 'start date')
    """
    name = role.removesuffix(" (of)")
    group = RELATION_GROUP.get(name)
    if name != role and group is not None:
        return GROUPS[group][name][1]
    return _humanize(role)


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


def _merged(properties: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row for properties with the same values (``actor`` and ``schema:agent``): the
    first keeps them, the others are named in its ``also``."""
    out: list[dict[str, Any]] = []
    seen: dict[str, dict[str, Any]] = {}
    for p in properties:
        key = repr([(v.get("iri"), v.get("value"), v["layers"]) for v in p["objects"]])
        if key in seen:
            seen[key]["also"].append(p["predicate"])
            continue
        seen[key] = {**p, "also": []}
        out.append(seen[key])
    return out


def _own_kind(types: list[str]) -> str:
    """``act`` for a cooperation act (its status history is shown), else ``fact``."""
    return "act" if BKG + "CooperationAct" in types else "fact"


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


def shown_nodes(view: dict[str, Any]) -> list[str]:
    """The nodes a page shows beside its resource: the facts naming it, the meetings its facts
    were made at, where sources disagree about them, and the annotations that name it (what
    its RDF twins describe too)."""
    nodes = [f["iri"] for f in view["facts"]]
    nodes += [h["iri"] for h in view["happenings"]]
    nodes += [m["iri"] for m in view["mentions"]]
    nodes += [c["iri"] for c in view["conflicts"]]
    nodes += [c["iri"] for h in view["happenings"] for c in h["conflicts"]]
    return sorted(set(nodes) - {view["iri"]})


def _triples(store: Store, pattern: str, nodes: Iterable[str]) -> set[ox.Triple]:
    """``CONSTRUCT { ?s ?p ?o }`` over ``pattern`` for each node bound to ``?x`` (by VALUES)."""
    out: set[ox.Triple] = set()
    for values in iri_values(nodes):
        result = store.query(
            PREFIXES + f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?x {{ {values} }} {pattern} }}"
        )
        assert not isinstance(result, ox.QuerySolutions | ox.QueryBoolean)  # triples
        out.update(result)
    return out


def linked_description(store: Store, iri: str, nodes: Iterable[str]) -> list[ox.Triple]:
    """The RDF twin of a page: the resource's :func:`description`, every triple of the nodes
    its page shows (:func:`shown_nodes`), the spans they rest on with their selectors (the
    quotes and offsets), and the labels of everything they name.

    Args:
        store: the store.
        iri: the resource's IRI.
        nodes: the nodes its page shows.

    Returns:
        The triples, sorted.
    """
    described = [iri, *nodes]
    found = _triples(store, "BIND (?x AS ?s) ?s ?p ?o", described)
    found |= _triples(
        store,
        """?x prov:wasDerivedFrom|oa:hasTarget ?s . ?s oa:hasSource ?src ; ?p ?o""",
        described,
    )
    found |= _triples(
        store,
        """?x prov:wasDerivedFrom|oa:hasTarget ?span . ?span oa:hasSource ?src ;
           oa:hasSelector ?s . ?s ?p ?o""",
        described,
    )
    named = {t.object.value for t in found if isinstance(t.object, ox.NamedNode)}
    found |= _triples(store, "BIND (?x AS ?s) BIND (rdfs:label AS ?p) ?s ?p ?o", named)
    return sorted(found, key=str)


# ------------------------------------------------------------------------------------------
# The view model (the page and its JSON twin)
# ------------------------------------------------------------------------------------------


def _evidence(
    texts: SourceTexts,
    base: str,
    source: str,
    start: int,
    end: int,
    exact: str,
    span: str | None = None,
) -> dict[str, Any]:
    """A quote with the source text around it (:func:`graph.read.evidence.in_context`)."""
    around = in_context(texts, source, start, end, exact)
    source_href = local_href(source, base)
    return {
        "span": None if span is None else {"iri": span, "href": local_href(span, base)},
        "source": {"iri": source, "label": around["title"] or source, "href": source_href},
        "at": f"{source_href}#span-{start}-{end}" if source_href else None,
        "start": start,
        "end": end,
        "exact": exact,
        "before": around["before"],
        "after": around["after"],
        "more_before": around["more_before"],
        "more_after": around["more_after"],
    }


def _passages(texts: SourceTexts, evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The quotes of a page's evidence in their context, printed once: quotes of one source
    whose contexts meet share one passage, each quote marked in it.

    Returns:
        ``[{"source", "at", "more_before", "more_after", "parts": [{"text", "mark", "start",
        "end"}]}]`` in source and offset order.
    """
    out: list[dict[str, Any]] = []
    last: dict[str, Any] | None = None
    for e in sorted(evidence, key=lambda e: (e["source"]["iri"], e["start"], e["end"])):
        text, _ = texts(e["source"]["iri"])
        quote = {"text": e["exact"], "mark": True, "start": e["start"], "end": e["end"]}
        near = (
            last is not None
            and text is not None
            and last["source"]["iri"] == e["source"]["iri"]
            and last["end"] <= e["start"] <= last["end"] + 2 * CONTEXT
        )
        if last is not None and near and text is not None:
            last["parts"][-1:] = [{"text": text[last["end"] : e["start"]], "mark": False}, quote]
            last["parts"].append({"text": e["after"], "mark": False})
            last["end"], last["more_after"] = e["end"], e["more_after"]
            continue
        last = {
            "source": e["source"],
            "at": e["at"],
            "end": e["end"],
            "more_before": e["more_before"],
            "more_after": e["more_after"],
            "parts": [
                {"text": e["before"], "mark": False},
                quote,
                {"text": e["after"], "mark": False},
            ],
        }
        out.append(last)
    return out


def _row_evidence(texts: SourceTexts, base: str, r: dict[str, Any]) -> dict[str, Any]:
    """:func:`_evidence` of a row with the span pattern's variables (and ``?span``)."""
    return _evidence(
        texts,
        base,
        value(r["src"]),
        value(r["start"]),
        value(r["end"]),
        value(r["exact"]),
        value(r["span"]),
    )


def _spans_of(store: Store, iri: str, texts: SourceTexts, base: str) -> list[dict[str, Any]]:
    """The quotes a resource rests on (or the resource itself, if it is a span)."""
    # The IRI as a VALUES term, not a bound variable: Oxigraph evaluates a property path
    # before it joins a bound variable (at 1M triples 3 s; 1 ms so).
    rows = solutions(
        store,
        f"""
        SELECT DISTINCT ?x ?span ?src ?start ?end ?exact WHERE {{
            VALUES ?x {{ {next(iri_values([iri]))} }}
            ?x (prov:wasDerivedFrom|oa:hasTarget)? ?span .
            {span_pattern()}
        }} ORDER BY ?src ?start ?end""",
    )
    return [_row_evidence(texts, base, r) for r in rows]


def _mentions(store: Store, iri: str, base: str) -> list[dict[str, Any]]:
    """Where the sources name the resource: annotations with it as body (each with the row of
    its span, for :func:`_row_evidence`)."""
    rows = solutions(
        store,
        f"""
        SELECT ?e ?m ?label ?layer ?reason ?span ?src ?start ?end ?exact WHERE {{
            VALUES ?e {{ {next(iri_values([iri]))} }}
            ?m oa:hasBody ?e ; oa:hasTarget ?span .
            {span_pattern()}
            OPTIONAL {{ ?m rdfs:label ?label }}
            OPTIONAL {{ ?m bkg:epistemicStatus/skos:prefLabel ?layer }}
            OPTIONAL {{ ?m bkg:reason ?reason }}
        }} ORDER BY ?src ?start ?end ?m""",
    )
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        m = value(r["m"])
        if m not in out:
            out[m] = {
                "iri": m,
                "href": local_href(m, base),
                "label": value(r["label"]) or m,
                "layer": value(r["layer"]),
                "reason": value(r["reason"]),
                "row": r,  # its evidence, put in context once the page is chosen
            }
    return list(out.values())


def _facts(
    store: Store, iri: str, base: str, prepared: EntityFacts | None = None
) -> list[dict[str, Any]]:
    """The facts that name the resource, from :func:`graph.read.lookup.entity_view` (with the
    whole graph's facts prepared for this version, if given), each with its evidence as found
    (``spans``: put in its context once the page is chosen)."""
    view = entity_view(store, iri, prepared)
    if view is None:
        return []
    return [
        {
            "iri": f.iri,
            "href": local_href(f.iri, base),
            "label": f.label,
            "roles": [_role(r) for r in f.roles],
            "layer": f.layer,
            "status": f.status,
            "reason": f.reason,
            "spans": f.evidence,
        }
        for f in view.facts
    ]


def _describe_occasions(
    store: Store, happenings: list[dict[str, Any]], texts: SourceTexts, base: str
) -> None:
    """Give the meetings a page shows only as occasions (they do not name its resource) their
    evidence and sources, as the facts have theirs."""
    heads = [h for h in happenings if not h["named"]]
    found = evidence_of(store, [h["iri"] for h in heads])
    reports = sources_and_history(
        store, [{"iri": h["iri"], "kind": "meeting"} for h in heads], base
    )
    for h in heads:
        h["evidence"] = [
            _evidence(texts, base, e.source, e.start, e.end, e.exact)
            for e in found.get(h["iri"], [])
        ]
        h.update(reports[h["iri"]])


def _source_text(store: Store, iri: str, text: str, base: str) -> dict[str, Any]:
    """A source's text cut into segments, each with the annotated spans that cover it."""
    rows = solutions(
        store,
        f"""
        SELECT ?s ?span ?start ?end ?exact ?by ?label ?layer ?annotation WHERE {{
            {span_pattern(source="?s")}
            OPTIONAL {{
                ?by prov:wasDerivedFrom|oa:hasTarget ?span .
                OPTIONAL {{ ?by rdfs:label ?label }}
                OPTIONAL {{ ?by bkg:epistemicStatus/skos:prefLabel ?layer }}
                OPTIONAL {{ ?by a ?annotation FILTER (?annotation = oa:Annotation) }}
            }}
        }} ORDER BY ?start ?end ?by""",
        s=ox.NamedNode(iri),
    )
    spans: dict[str, dict[str, Any]] = {}
    for r in rows:
        span_iri = value(r["span"])
        start, end = value(r["start"]), value(r["end"])
        span = spans.setdefault(
            span_iri,
            {
                "iri": span_iri,
                "href": local_href(span_iri, base),
                "id": f"span-{start}-{end}",
                "start": start,
                "end": end,
                "exact": value(r["exact"]),
                "kinds": [],
                "cited_by": [],
            },
        )
        by = value(r["by"])
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
                    "label": value(r["label"]) or by,
                    "layer": value(r["layer"]),
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
    rows = solutions(
        store,
        """
        SELECT DISTINCT ?o ?s ?p ?slabel ?plabel WHERE {
            ?s ?p ?o .
            FILTER NOT EXISTS { ?s a bkg:StatusChange }
            OPTIONAL { ?s rdfs:label ?slabel }
            OPTIONAL { ?p rdfs:label ?plabel }
        } ORDER BY ?p ?s LIMIT 1000""",
        o=ox.NamedNode(iri),
    )
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        if not isinstance(r["s"], ox.NamedNode) or r["s"].value in shown:
            continue
        if r["p"].value in SHORTCUT_PROPERTIES:  # shown as derived shortcuts, with their facts
            continue
        s, p = r["s"].value, r["p"].value
        if (s, p) not in out:
            labels = {
                k: [lit] for k, lit in ((s, r["slabel"]), (p, r["plabel"])) if lit is not None
            }
            out[(s, p)] = {"subject": _term(s, labels, base), "predicate": _term(p, labels, base)}
    listed = list(out.values())
    return listed[:LINKED_FROM], len(listed) > LINKED_FROM


@dataclass(frozen=True)
class Paging:
    """Which page of a resource's groups of facts a view shows, and where it reads them.

    Attributes:
        group: show only this group of facts (one of
            :data:`graph.read.happenings.GROUPS_PAGED`), from ``after`` on; ``None``: the
            first page of every group (a very connected entity has thousands of facts).
        after: the cursor of the group's previous page (a view's ``more`` gives it).
        prepared: the whole graph's entity facts for the store's current version
            (:class:`graph.read.views.PreparedFacts`), if they are ready; else they are asked.

    Raises:
        ValueError: an unknown group.

    Examples:
        >>> Paging("derived", "x").group
        'derived'
        >>> Paging("everything")
        Traceback (most recent call last):
        ...
        ValueError: unknown group 'everything'; use one of happenings, acts, ...
    """

    group: str | None = None
    after: str | None = None
    prepared: EntityFacts | None = None

    def __post_init__(self) -> None:
        if self.group is not None and self.group not in GROUPS_PAGED:
            raise ValueError(
                f"unknown group {self.group[:40]!r}; use one of " + ", ".join(GROUPS_PAGED)
            )


#: The first page of every group, the facts asked from the store.
FIRST_PAGE = Paging()


def resource_view(
    store: Store, iri: str, base: str, paging: Paging = FIRST_PAGE
) -> dict[str, Any] | None:
    """The view model of a resource's page, which is also its JSON twin.

    Args:
        store: the store.
        iri: the resource's IRI.
        base: the configured base IRI (links to the graph's IRIs become our own paths).
        paging: which page of its groups of facts (:class:`Paging`): by default the first
            page of every group, the facts asked from the store.

    Returns:
        One dict: the heading (label, kind, types, layer, status, reason, names), the
        properties with linked values, the evidence in its source text, the facts and
        mentions that name the resource (a page of each group: ``totals`` says how many
        each has, ``more`` the cursor of each group's next page), and a source's annotated
        text; ``None`` when nothing is known about the IRI.
    """
    group, after = paging.group, paging.after
    rows = solutions(
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
    texts = SourceTexts(store)
    text = _best(literals(SCHEMA + "text"))
    # A source has a text and no layer; a quotation has its words as a text, and is a fact.
    if text is not None and not set(epistemic) - {EPISTEMIC + "reference"}:
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

    hidden = HEADING | ({SCHEMA + "text"} if kind == "source" else set())
    if kind in ("fact", "entity"):
        hidden |= SHOWN_IN_WORDS
    order = {name: i for i, name in enumerate(FIRST)}
    evidence = _spans_of(store, iri, texts, base)
    # The spans a fact rests on are shown as its evidence, in their text.
    quoted = {e["span"]["iri"] for e in evidence if e["span"] and e["span"]["iri"] != iri}
    properties: list[dict[str, Any]] = []
    for p, values in by_predicate.items():
        if p in hidden:
            continue
        listed: list[dict[str, Any]] = []
        for v in values.values():
            term, layers = v["term"], sorted(v["layers"])
            if isinstance(term, ox.NamedNode) and term.value in quoted:
                continue
            if isinstance(term, ox.NamedNode):
                listed.append({**_term(term.value, labels, base), "layers": layers})
            elif isinstance(term, ox.Literal):
                datatype = term.datatype.value
                plain = term.language or datatype in (
                    XSD + "string",
                    RDF + "langString",
                )
                listed.append(
                    {
                        "value": term.value,
                        "lang": term.language,
                        "datatype": None if plain else _curie(datatype) or datatype,
                        "words": human_date(term.value) if p in DATES else None,
                        "layers": layers,
                    }
                )
            else:
                listed.append(
                    {"value": str(term), "lang": None, "datatype": None, "layers": layers}
                )
        if not listed:
            continue
        listed.sort(key=lambda v: (v.get("label") or v.get("value") or "").lower())
        properties.append(
            {
                "predicate": _term(p, labels, base),
                "objects": listed[:PROPERTY_VALUES],
                "total": len(listed),
            }
        )
    properties.sort(
        key=lambda p: (
            order.get(p["predicate"]["curie"], len(order)),
            p["predicate"]["label"],
        )
    )
    properties = _merged(properties)

    facts = _facts(store, iri, base, paging.prepared)
    every_fact = {f["iri"] for f in facts}
    groups = grouped(store, iri, facts, base, group=group, after=after)
    shown_facts = set(groups["shown"])
    facts = [f for f in facts if f["iri"] in shown_facts]
    for f in facts:
        f["evidence"] = [
            _evidence(texts, base, e.source, e.start, e.end, e.exact) for e in f.pop("spans")
        ]
    _describe_occasions(store, groups["happenings"], texts, base)
    every_mention = _mentions(store, iri, base)
    mentions, more_mentions = page_of(
        every_mention, "mentions", lambda m: short_id(m["iri"], base), group, after
    )
    for m in mentions:
        m["evidence"] = _row_evidence(texts, base, m.pop("row"))
    groups["totals"]["mentions"] = len(every_mention)
    if more_mentions:
        groups["more"]["mentions"] = more_mentions
    source = _source_text(store, iri, text, base) if kind == "source" and text else None
    # What the page lists, or lists on another page of its groups, is not linked from.
    shown = every_fact | {m["iri"] for m in every_mention}
    if source is not None:
        shown |= {s["iri"] for s in source["spans"]}
    linked_from, more = _linked_from(store, iri, base, shown)
    label = _best(literals(RDFS + "label")) or _best(literals(SKOS + "prefLabel"))
    own: dict[str, Any] = {}
    if kind == "fact":
        own = sources_and_history(
            store, [{"iri": iri, "kind": _own_kind(named(RDF + "type"))}], base
        )[iri]
        dated = [lit.value for lit in literals(BKG + "timelineDate")]
        own["date"] = dated[0] if dated else None
        own["when"] = human_date(own["date"]) if own["date"] else None
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
        "evidence": evidence,
        "passages": _passages(texts, evidence),
        "facts": facts,
        "happenings": groups["happenings"],
        "other_facts": groups["other"],
        "derived": groups["derived"],
        "conflicts": groups["conflicts"],
        "group": group,
        "after": after,
        "totals": groups["totals"],
        "more": groups["more"],
        "sources": own.get("sources", []),
        "report_count": own.get("report_count"),
        "status_history": own.get("status_history", []),
        "current_status": own.get("current_status"),
        "status_reason": own.get("status_reason"),
        "when": own.get("when"),
        "date": own.get("date"),
        "mentions": mentions,
        "source": source,
        "linked_from": linked_from,
        "linked_from_more": more,
    }
