"""A source's text with every span the graph annotates in it: evidence of facts, mentions.

Examples:
    >>> base = "https://bilateral-kg.example/"
    >>> found = source(seed_store(), base + "id/source/ppp-cambodia-korea-labour", base)
    >>> found["id"], sorted({s["kind"] for s in found["spans"]})
    ('source/ppp-cambodia-korea-labour', ['evidence', 'mention'])
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from graph.read.evidence import span_pattern
from graph.read.ids import short_id
from graph.read.lists import ref
from graph.read.query import select
from graph.store import Store

__all__ = ["source"]


def source(store: Store, iri: str, base: str) -> dict[str, Any] | None:
    """The text of a source and every span the graph annotates in it: the evidence of facts
    (with the facts) and the mentions of entities (with the entity and the layer of the
    identification).

    Args:
        store: the store.
        iri: the source's IRI.
        base: the configured base IRI.

    Returns:
        The source's id, label, url, publisher, text and spans (by offset), or ``None``
        when the IRI is no source with a text.
    """
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return None
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
        return None
    spans: dict[tuple[int, int], dict[str, Any]] = {}
    for r in select(
        store,
        f"""
        SELECT ?s ?span ?start ?end ?exact ?fact ?factLabel WHERE {{
            {span_pattern(source="?s")}
            ?fact prov:wasDerivedFrom ?span ; rdfs:label ?factLabel .
            FILTER NOT EXISTS {{ ?fact a oa:Annotation }}
        }} ORDER BY ?start ?end ?factLabel""",
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
        span["refers_to"].append(ref(r["fact"], r["factLabel"], base))
    mentions = []
    for r in select(
        store,
        f"""
        SELECT ?s ?start ?end ?exact ?e ?label ?layer WHERE {{
            GRAPH ?g {{ ?m a oa:Annotation ; oa:hasTarget ?span ; oa:hasBody ?e }}
            ?g bkg:layer/skos:notation ?layer .
            {span_pattern(source="?s")}
            ?e rdfs:label ?label .
        }} ORDER BY ?start""",
        s=node,
    ):
        mentions.append(
            {
                "start": r["start"],
                "end": r["end"],
                "quote": r["exact"],
                "kind": "mention",
                "layer": r["layer"],
                "refers_to": [ref(r["e"], r["label"], base)],
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
