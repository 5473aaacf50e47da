"""What several sources report of one thing, compared: conflicts (claims about one thing that
disagree, each side with its source and evidence) and series (one measure from every source and
period). Both read what the build derived (``bkg:Conflict``, ``bkg:Series``).

Part of the corpus view (:mod:`graph.read.corpus`, which re-exports these functions).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyoxigraph as ox

from graph.read.ids import short_id
from graph.read.query import Filters, select
from graph.read.reports import source_refs, sources_of
from graph.store import Store

__all__ = ["conflicts", "series"]


def conflicts(
    store: Store,
    base: str,
    *,
    about: ox.NamedNode | None = None,
    kind: str | None = None,
    source: ox.NamedNode | None = None,
) -> list[dict[str, Any]]:
    """Where sources disagree: each conflict with every side, its source and its evidence.

    Args:
        store: the store.
        base: the configured base IRI.
        about: keep the conflicts about this entity, meeting, act or observation.
        kind: keep this kind (post, date, place, start-year, spelling, value).
        source: keep the conflicts one side of which this source states.

    Returns:
        The conflicts, by kind and label, each ``{"id", "kind", "about", "label", "reason",
        "claims": [{"source", "value", "object", "evidence"}]}``.
    """
    wanted = Filters()
    wanted.add("wantAbout", about, "FILTER (?about = ?wantAbout)")
    wanted.add("wantKind", kind, "FILTER (?kind = ?wantKind)")
    wanted.add("wantSource", source, "?c bkg:claim/bkg:reportedIn ?wantSource .")
    # From the thing first: an entity lookup asks this, and should not scan every conflict.
    start = "" if about is None else "?c bkg:conflictAbout ?wantAbout ."
    rows = select(
        store,
        f"""
        SELECT {wanted.variables} ?c ?kind ?about ?aboutLabel ?label ?reason ?side ?value ?object
               ?src WHERE {{
            {start}
            ?c a bkg:Conflict ; bkg:conflictKind ?kind ; bkg:conflictAbout ?about ;
               rdfs:label ?label ; bkg:reason ?reason ; bkg:claim ?side .
            ?side bkg:claimValue ?value ; bkg:reportedIn ?src .
            OPTIONAL {{ ?side bkg:claimObject ?object }}
            OPTIONAL {{ ?about rdfs:label ?aboutLabel }}
            {wanted.clauses}
        }}""",
        **wanted.bindings,
    )
    sides = sorted({r["side"] for r in rows})
    spans = sources_of(store, sides, base)
    infos = source_refs(store, {r["src"] for r in rows})

    def conflict(r: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": short_id(r["c"], base),
            "kind": r["kind"],
            "about": {"id": short_id(r["about"], base), "label": r["aboutLabel"] or r["about"]},
            "label": r["label"],
            "reason": r["reason"],
        }

    def claim(r: dict[str, Any]) -> dict[str, Any]:
        return {
            "source": infos[r["src"]].ref(base),
            "value": r["value"],
            "object": None if r["object"] is None else short_id(r["object"], base),
            "evidence": [q for s in spans[r["side"]] for q in s["evidence"]],
        }

    found = _with_parts(rows, ("c", conflict), ("claims", "side", claim))
    return sorted(found, key=lambda c: (c["kind"], c["label"], c["id"]))


def series(
    store: Store,
    base: str,
    *,
    origin: ox.NamedNode | None = None,
    destination: ox.NamedNode | None = None,
) -> list[dict[str, Any]]:
    """Statistics as series: the observations of one measure from every source and period,
    ordered by period, each point with its value as the source qualifies it and its source.

    Args:
        store: the store.
        base: the configured base IRI.
        origin, destination: keep the series of these countries.

    Returns:
        The series, by label, each ``{"id", "label", "origin", "destination", "population",
        "unit", "points": [...]}``; a point has ``value`` only when exact, else ``qualifier``
        with ``min``/``max``/``approximate``, and ``currency``, ``per``, ``as_written``.
    """
    wanted = Filters()
    wanted.add("wantOrigin", origin, "FILTER (?origin = ?wantOrigin)")
    wanted.add("wantDestination", destination, "FILTER (?destination = ?wantDestination)")
    rows = select(
        store,
        f"""
        SELECT {wanted.variables} ?s ?label ?origin ?destination ?population ?unit ?obs ?pos ?period
               ?value ?min ?max ?approx ?qualifier ?currency ?per ?written ?obsLabel WHERE {{
            ?s a bkg:Series ; rdfs:label ?label ; bkg:originCountry ?origin ;
               bkg:destinationCountry ?destination ; bkg:population ?population ;
               bkg:unit ?unit ; bkg:seriesMember ?obs .
            ?obs bkg:seriesPosition ?pos ; sdmxd:refPeriod ?period ; rdfs:label ?obsLabel .
            OPTIONAL {{ ?obs sdmxm:obsValue ?value }} OPTIONAL {{ ?obs schema:minValue ?min }}
            OPTIONAL {{ ?obs schema:maxValue ?max }}
            OPTIONAL {{ ?obs bkg:approximateValue ?approx }}
            OPTIONAL {{ ?obs bkg:valueQualifier ?qualifier }}
            OPTIONAL {{ ?obs schema:currency ?currency }} OPTIONAL {{ ?obs bkg:per ?per }}
            OPTIONAL {{ ?obs bkg:asWritten ?written }}
            {wanted.clauses}
        }}""",
        **wanted.bindings,
    )
    spans = sources_of(store, sorted({r["obs"] for r in rows}), base)

    def one_series(r: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": short_id(r["s"], base),
            "label": r["label"],
            "origin": short_id(r["origin"], base),
            "destination": short_id(r["destination"], base),
            "population": r["population"],
            "unit": r["unit"],
        }

    def point(r: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": short_id(r["obs"], base),
            "label": r["obsLabel"],
            "period": str(r["period"]),
            "value": r["value"],
            "qualifier": r["qualifier"] or ("exact" if r["value"] is not None else None),
            "min": r["min"],
            "max": r["max"],
            "approximate": r["approx"],
            "currency": r["currency"],
            "per": r["per"],
            "as_written": r["written"],
            "sources": spans[r["obs"]],
        }

    found = _with_parts(rows, ("s", one_series), ("points", "pos", point))
    return sorted(found, key=lambda s: (s["label"], s["id"]))


_Row = dict[str, Any]


def _with_parts(
    rows: list[_Row],
    whole: tuple[str, Callable[[_Row], _Row]],
    parts: tuple[str, str, Callable[[_Row], _Row]],
) -> list[_Row]:
    """Rows of wholes and their parts as nested items: one item per value of the whole's key,
    made from its first row, with a list of its parts, one per value of the part's key (made
    from its first row), in the order of that key.

    Args:
        rows: the rows of a query, each naming a whole and one of its parts.
        whole: the whole's key and how to make a whole of a row.
        parts: the field the parts go in, the part's key and how to make a part of a row.

    Examples:
        >>> rows = [{"w": "a", "p": 2}, {"w": "a", "p": 1}, {"w": "b", "p": 1}]
        >>> _with_parts(rows, ("w", lambda r: {"id": r["w"]}), ("ps", "p", lambda r: r["p"]))
        [{'id': 'a', 'ps': [1, 2]}, {'id': 'b', 'ps': [1]}]
    """
    key, make = whole
    field, part_key, make_part = parts
    items: dict[Any, _Row] = {}
    found: dict[Any, dict[Any, Any]] = {}
    for r in rows:
        if r[key] not in items:
            items[r[key]], found[r[key]] = make(r), {}
        if r[part_key] not in found[r[key]]:
            found[r[key]][r[part_key]] = make_part(r)
    for k, item in items.items():
        item[field] = [found[k][p] for p in sorted(found[k])]
    return list(items.values())
