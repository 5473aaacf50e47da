"""Statistical observations (RDF Data Cube) as a paged list, with their evidence or computation.

Examples:
    >>> page = statistics(seed_store(), "https://bilateral-kg.example/", layer="derived")
    >>> {o["layer"] for o in page.items}
    {'derived'}
"""

from __future__ import annotations

import pyoxigraph as ox

from graph.read.ids import short_id
from graph.read.lists import Page, cursor, paged, quotes, ref
from graph.read.query import Filters, select
from graph.store import Store

__all__ = ["statistics"]


def statistics(
    store: Store,
    base: str,
    *,
    origin: ox.NamedNode | None = None,
    destination: ox.NamedNode | None = None,
    layer: str | None = None,
    after: str | None = None,
    limit: int = 50,
) -> Page:
    """Observations (RDF Data Cube) with their dimensions, value, unit and layer: stated
    figures with their evidence, derived ones with their computation. A number the source
    qualifies has no ``value``: its ``qualifier`` (more-than, at-least, fewer-than, at-most,
    about, range) with ``min``/``max`` or ``approximate``, and ``per`` for a rate.

    Args:
        store: the store.
        base: the configured base IRI.
        origin, destination: keep the observations of these countries.
        layer: keep the observations of this layer (stated, inferred, derived).
        after: the id of the last observation of the previous page.
        limit: at most this many observations.

    Returns:
        The page, in IRI order.
    """
    wanted = Filters(after=cursor(after, base))
    wanted.add("wantOrigin", origin, "?o bkg:originCountry ?wantOrigin .")
    wanted.add("wantDestination", destination, "?o bkg:destinationCountry ?wantDestination .")
    wanted.add("wantLayer", layer, "FILTER (?layer = ?wantLayer)")
    rows = select(
        store,
        f"""
        SELECT {wanted.variables} ?o ?label ?ds ?dsl ?period ?or ?orl ?de ?del ?population ?sex
               ?value ?unit ?layer ?reason ?qualifier ?min ?max ?approx ?per WHERE {{
            GRAPH ?g {{ ?o a qb:Observation ; rdfs:label ?label ; qb:dataSet ?ds ;
                         sdmxd:refPeriod ?period ; bkg:originCountry ?or ;
                         bkg:destinationCountry ?de ; bkg:population ?population ;
                         sdmxd:sex ?sexc ; bkg:unit ?unit
                         OPTIONAL {{ ?o sdmxm:obsValue ?value }} }}
            ?g bkg:layer/skos:notation ?layer .
            OPTIONAL {{ ?o bkg:valueQualifier ?qualifier }}
            OPTIONAL {{ ?o schema:minValue ?min }} OPTIONAL {{ ?o schema:maxValue ?max }}
            OPTIONAL {{ ?o bkg:approximateValue ?approx }} OPTIONAL {{ ?o bkg:per ?per }}
            ?ds rdfs:label ?dsl . ?or rdfs:label ?orl . ?de rdfs:label ?del .
            BIND (REPLACE(STR(?sexc), "^.*sex-", "") AS ?s)
            BIND (IF(?s = "T", "total", IF(?s = "F", "female", "male")) AS ?sex)
            OPTIONAL {{ ?o bkg:reason ?reason }}
            {wanted.clauses}
            FILTER (STR(?o) > STR(?after))
        }} ORDER BY STR(?o) LIMIT {limit + 1}""",
        **wanted.bindings,
    )
    page = paged(
        [
            {
                "iri": r["o"],
                "id": short_id(r["o"], base),
                "label": r["label"],
                "dataset": ref(r["ds"], r["dsl"], base),
                "period": str(r["period"]),
                "origin": ref(r["or"], r["orl"], base),
                "destination": ref(r["de"], r["del"], base),
                "population": r["population"],
                "sex": r["sex"],
                "value": r["value"],
                "qualifier": r["qualifier"] or "exact",
                "min": r["min"],
                "max": r["max"],
                "approximate": r["approx"],
                "per": r["per"],
                "unit": r["unit"],
                "layer": r["layer"],
                "reason": r["reason"],
            }
            for r in rows
        ],
        limit,
    )
    evidence = quotes(store, [i["iri"] for i in page.items])
    for item in page.items:
        item["evidence"] = evidence[item.pop("iri")]
    return page
