"""The graph as a corpus: timelines and country pairs here; the sources of facts and status
histories in :mod:`graph.read.reports`, conflicts and series in :mod:`graph.read.comparisons`
(both re-exported here, so ``corpus.conflicts`` and the like keep working).

Everything here reads what the build derived (``graph.build.corpus``): ``bkg:reportedIn`` and
``bkg:reportCount``, ``bkg:statusHistory`` and ``bkg:currentStatus``, ``bkg:takesPartIn``,
``bkg:sortDate``/``bkg:dateBasis``, ``bkg:Conflict`` and ``bkg:Series``. Answers are ordered by
date wherever dates exist, never by slug. User input is bound as RDF terms, never pasted.

Examples:
    >>> store = seed_store()
    >>> base = "https://bilateral-kg.example/"
    >>> kh = ox.NamedNode(base + "id/place/cambodia")
    >>> kr = ox.NamedNode(base + "id/place/south-korea")
    >>> [i["date"] for i in timeline(store, base, (kh, kr))][:2]
    ['2024?-03-06', '2024?-03-06']
    >>> pair(store, base, kh, kr)["counts"]["meetings"]
    2
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import Any

import pyoxigraph as ox

from graph.read.comparisons import conflicts, series
from graph.read.ids import short_id
from graph.read.query import Filters, iri_values, select
from graph.read.reports import (
    CHUNK,
    histories,
    local_name,
    published_of,
    reports,
    source_refs,
    sources_of,
    status_at,
)
from graph.store import Store
from ontology.vocabulary import NAMESPACES

__all__ = [
    "DATE_BASES",
    "KINDS",
    "conflicts",
    "histories",
    "pair",
    "published_of",
    "reports",
    "series",
    "sources_of",
    "status_at",
    "timeline",
]

BKG = NAMESPACES["bkg"]

#: How a date is known, in the order the timeline lists equal days, with words for readers.
DATE_BASES: dict[str, str] = {
    "stated": "the source gives the full date",
    "inferred": "the year is inferred (a curator's reason, or the source's publication date)",
    "partial": "only part of the date is known: placed at the start of its span",
    "occasion": "dated by the meeting at which it was made",
    "published": "no date of its own: placed at its source's publication date",
    "unknown": "no date known: listed last",
}

#: Kinds of timeline items: meetings and the cooperation acts.
KINDS = ("meeting", "agreement", "request", "proposal", "pledge", "examination", "endorsement")


def _kind(classes: Iterable[str]) -> str | None:
    for cls in classes:
        local = local_name(cls).lower()
        if local in KINDS:
            return local
    return None


_CLASSES = " ".join(f"bkg:{k.capitalize()}" for k in KINDS)  # our own terms, never input


def _nodes_of_pair(store: Store, countries: tuple[ox.NamedNode, ox.NamedNode] | None) -> list[str]:
    if countries is None:
        rows = select(store, f"SELECT DISTINCT ?n WHERE {{ VALUES ?c {{ {_CLASSES} }} ?n a ?c }}")
    else:
        rows = select(
            store,
            "SELECT DISTINCT ?ca ?cb ?n WHERE { ?ca bkg:takesPartIn ?n . ?cb bkg:takesPartIn ?n }",
            ca=countries[0],
            cb=countries[1],
        )
    return sorted({r["n"] for r in rows})


def _values(store: Store, nodes: list[str], pattern: str, variables: str) -> list[dict[str, Any]]:
    """Rows of a simple pattern about each node (``?n``), named in chunks: simple patterns from
    named nodes are what Oxigraph answers fastest; the rows are joined in Python."""
    out: list[dict[str, Any]] = []
    for values in iri_values(nodes, CHUNK):
        out += select(
            store, f"SELECT ?n {variables} WHERE {{ VALUES ?n {{ {values} }} {pattern} }}"
        )
    return out


_KIND_FILTER = "FILTER (?cls IN (" + ", ".join(f"bkg:{k.capitalize()}" for k in KINDS) + "))"


def _heads(store: Store, nodes: list[str]) -> dict[str, dict[str, Any]]:
    """Kind, label, date and how it is known, report count and layers of meetings and acts."""
    out: dict[str, dict[str, Any]] = {}
    for r in _values(store, nodes, f"GRAPH ?g {{ ?n a ?cls }} {_KIND_FILTER}", "?cls ?g"):
        item = out.setdefault(
            r["n"],
            {
                "iri": r["n"],
                "label": None,
                "kind": _kind([r["cls"]]),
                "graphs": set(),
                "date": None,
                "date_basis": "unknown",
                "sort_date": None,
                "sort_date_end": None,
                "report_count": 0,
            },
        )
        item["graphs"].add(r["g"])
    found = sorted(out)
    for r in _values(store, found, "?n rdfs:label ?label", "?label"):
        item = out[r["n"]]
        item["label"] = r["label"] if item["label"] is None else min(item["label"], r["label"])
    dates = _values(
        store,
        found,
        "OPTIONAL { ?n bkg:timelineDate ?date } OPTIONAL { ?n bkg:dateBasis ?date_basis } "
        "OPTIONAL { ?n bkg:sortDate ?sort_date } OPTIONAL { ?n bkg:sortDateEnd ?sort_date_end } "
        "OPTIONAL { ?n bkg:reportCount ?report_count }",
        "?date ?date_basis ?sort_date ?sort_date_end ?report_count",
    )
    for r in dates:
        for key in ("date", "date_basis", "sort_date", "sort_date_end", "report_count"):
            if r[key] is not None:
                out[r["n"]][key] = r[key] if key == "report_count" else str(r[key])
    graphs = sorted({g for item in out.values() for g in item["graphs"]})
    layer_of = {
        r["n"]: r["layer"]
        for r in _values(store, graphs, "?n bkg:layer/skos:notation ?layer", "?layer")
    }
    for item in out.values():
        item["layers"] = {layer_of[g] for g in item.pop("graphs") if g in layer_of}
        item["label"] = item["label"] or item["iri"]
    return out


def _order(item: dict[str, Any]) -> tuple[str, str, int, str, str]:
    """Exact days first within a day, then inferred, then partial dates at the start of
    their span; undated items last."""
    return (
        item["sort_date"] or "9999-99-99",
        item["sort_date_end"] or "9999-99-99",
        list(DATE_BASES).index(item["date_basis"]) if item["date_basis"] in DATE_BASES else 9,
        item["label"],
        item["iri"],
    )


_ROLES = {
    "attendee": NAMESPACES["schema"] + "attendee",
    "actor": BKG + "actor",
    "addressee": BKG + "addressee",
    "partner": BKG + "partner",
}


def _participants(store: Store, nodes: list[str], base: str) -> dict[str, list[dict[str, Any]]]:
    names = {v: k for k, v in _ROLES.items()}
    roles = _values(
        store,
        nodes,
        "?n ?p ?who FILTER (?p IN (schema:attendee, bkg:actor, bkg:addressee, bkg:partner))",
        "?p ?who",
    )
    labels: dict[str, str] = {}
    for r in _values(store, sorted({r["who"] for r in roles}), "?n rdfs:label ?l", "?l"):
        labels[r["n"]] = min(labels.get(r["n"], r["l"]), r["l"])
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in roles:
        ref = {
            "id": short_id(r["who"], base),
            "label": labels.get(r["who"], r["who"]),
            "role": names[r["p"]],
        }
        if ref not in out[r["n"]]:
            out[r["n"]].append(ref)
    for refs in out.values():
        refs.sort(key=lambda x: (list(_ROLES).index(x["role"]), x["label"]))
    return out


def timeline(
    store: Store,
    base: str,
    countries: tuple[ox.NamedNode, ox.NamedNode] | None = None,
    *,
    date_from: str | None = None,
    date_to: str | None = None,
    kinds: Collection[str] | None = None,
    layers: Collection[str] | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Meetings and acts in date order, each with how its date is known, its participants, its
    current status and history (acts), and its sources with their evidence.

    Args:
        store: the store.
        base: the configured base IRI.
        countries: keep what both countries take part in (``bkg:takesPartIn``).
        date_from, date_to: ``YYYY[-MM[-DD]]``: keep items whose date can fall in the range
            (undated items are left out when a range is given).
        kinds: keep these kinds (``meeting``, ``agreement``, ``request``, ...).
        layers: keep items stated (or inferred) in one of these layers.
        limit: at most this many items.

    Returns:
        The items: exact dates, then inferred, then partial dates placed at the start of their
        span, on each day; undated last.

    Raises:
        ValueError: an unknown kind.
    """
    if kinds is not None:
        unknown = sorted(set(kinds) - set(KINDS))
        if unknown:
            raise ValueError(f"unknown kind {unknown[0]!r}; use one of {', '.join(KINDS)}")
    low = _bound(date_from, end=False)
    high = _bound(date_to, end=True)

    def keep(item: dict[str, Any]) -> bool:
        if kinds is not None and item["kind"] not in kinds:
            return False
        if layers is not None and not (item["layers"] & set(layers)):
            return False
        if low is not None or high is not None:
            if item["sort_date"] is None:
                return False
            if low is not None and (item["sort_date_end"] or item["sort_date"]) < low:
                return False
            if high is not None and item["sort_date"] > high:
                return False
        return True

    if countries is not None:
        items = [i for i in _heads(store, _nodes_of_pair(store, countries)).values() if keep(i)]
    else:
        items = _dated_items(store, low, high, limit, keep)
    items.sort(key=_order)
    items = items[:limit]
    nodes = [i["iri"] for i in items]
    acts = [i["iri"] for i in items if i["kind"] != "meeting"]
    people = _participants(store, nodes, base)
    status = histories(store, acts, base)
    sources = sources_of(store, nodes, base)
    out = []
    for item in items:
        iri = item.pop("iri")
        item["id"] = short_id(iri, base)
        item["layers"] = sorted(item["layers"])
        item["date_known"] = DATE_BASES.get(item["date_basis"], item["date_basis"])
        item["participants"] = people.get(iri, [])
        if iri in status:
            item.update(status[iri])
        else:
            item.update({"status": None, "status_reason": None, "status_history": []})
        item["sources"] = sources[iri]
        item["report_count"] = len(sources[iri]) or item["report_count"]
        out.append(item)
    return out


def _dated_items(
    store: Store, low: str | None, high: str | None, limit: int, keep: Any
) -> list[dict[str, Any]]:
    """Without a country pair: meetings and acts in date order, read in batches from the
    earliest, until ``limit`` are kept and the day of the last one is complete."""
    wanted = Filters()
    wanted.add("low", low, "FILTER (BOUND(?sd) && STR(COALESCE(?sde, ?sd)) >= ?low)")
    wanted.add("high", high, "FILTER (BOUND(?sd) && STR(?sd) <= ?high)")
    batch = max(2 * limit, 200)
    kept: list[dict[str, Any]] = []
    offset = 0
    last_day: str | None = None
    while True:
        rows = select(
            store,
            f"""SELECT {wanted.variables} ?n ?sd WHERE {{
                ?n bkg:dateBasis ?basis .
                OPTIONAL {{ ?n bkg:sortDate ?sd }} OPTIONAL {{ ?n bkg:sortDateEnd ?sde }}
                {wanted.clauses}
            }} ORDER BY COALESCE(STR(?sd), "9999-99-99") STR(?n)
            LIMIT {batch} OFFSET {offset}""",
            **wanted.bindings,
        )
        offset += batch
        heads = _heads(store, [r["n"] for r in rows])
        kept += [i for i in heads.values() if keep(i)]
        if len(kept) >= limit and last_day is None:
            kept.sort(key=_order)
            last_day = kept[limit - 1]["sort_date"] or "9999-99-99"
        days = [str(r["sd"]) if r["sd"] is not None else "9999-99-99" for r in rows]
        # Stop at the end, or once a batch ends after the day of the limit-th item (its
        # day's other items may sort before it).
        if len(rows) < batch or (last_day is not None and days and days[-1] > last_day):
            return kept


def _bound(value: str | None, *, end: bool) -> str | None:
    """The first (or last) day of ``YYYY[-MM[-DD]]`` as ``YYYY-MM-DD``."""
    if value is None:
        return None
    parts = value.split("-")
    if len(parts) == 3:
        return value
    if len(parts) == 2:
        return f"{value}-31" if end else f"{value}-01"
    return f"{value}-12-31" if end else f"{value}-01-01"


def _split(nodes: Collection[str], heads: dict[str, dict[str, Any]]) -> dict[str, int]:
    """How many of ``nodes`` (meetings and acts) there are (``count``), and how many of each:
    the lists a pair page links count one or the other.

    Examples:
        >>> _split({"m", "a"}, {"m": {"kind": "meeting"}, "a": {"kind": "request"}})
        {'count': 2, 'meetings': 1, 'acts': 1}
    """
    meetings = sum(1 for n in nodes if heads[n]["kind"] == "meeting")
    return {"count": len(nodes), "meetings": meetings, "acts": len(nodes) - meetings}


def pair(
    store: Store, base: str, a: ox.NamedNode, b: ox.NamedNode, top: int = 10
) -> dict[str, Any]:
    """A country pair's relationship at a glance, computed from the graph.

    Args:
        store: the store.
        base: the configured base IRI.
        a, b: the two countries.
        top: how many people and bodies to list.

    Returns:
        ``counts`` (meetings, acts, by kind, by current status), ``by_month``
        (``YYYY-MM`` -> count, ``undated`` where the month is not known), ``fields``,
        ``people`` and ``bodies`` most involved, ``sources`` (by publication date): each of
        these with the number of meetings and acts it has (``count``), and how many of them
        are ``meetings`` and how many ``acts``.
    """
    nodes = _nodes_of_pair(store, (a, b))
    heads = _heads(store, nodes)
    nodes = sorted(heads)
    by_kind: dict[str, int] = defaultdict(int)
    months: dict[str, int] = defaultdict(int)
    for item in heads.values():
        by_kind[item["kind"]] += 1
        lo, hi = item["sort_date"] or "", item["sort_date_end"] or ""
        months[lo[:7] if lo and lo[:7] == hi[:7] else "undated"] += 1
    by_status: dict[str, int] = defaultdict(int)
    for r in _values(store, nodes, "?n bkg:currentStatus ?st", "?st"):
        by_status[local_name(r["st"])] += 1
    field_count: dict[str, set[str]] = defaultdict(set)
    for r in _values(store, nodes, "?n bkg:field ?f", "?f"):
        field_count[r["f"]].add(r["n"])
    field_labels = {
        r["n"]: r["l"] for r in _values(store, sorted(field_count), "?n skos:prefLabel ?l", "?l")
    }
    fields = sorted(
        (
            {
                "id": local_name(f),
                "label": field_labels.get(f, local_name(f)),
                **_split(ns, heads),
            }
            for f, ns in field_count.items()
        ),
        key=lambda x: (-x["count"], x["label"]),
    )
    who_nodes: dict[str, set[str]] = defaultdict(set)
    for r in _values(
        store,
        nodes,
        "?n ?p ?who FILTER (?p IN (schema:attendee, bkg:actor, bkg:addressee, bkg:partner))",
        "?who",
    ):
        who_nodes[r["who"]].add(r["n"])
    kinds: dict[str, str] = {}
    for r in _values(
        store,
        sorted(who_nodes),
        "?n a ?t FILTER (?t IN (schema:Person, org:Organization))",
        "?t",
    ):
        kinds[r["n"]] = "people" if r["t"].endswith("Person") else "bodies"
    involved: dict[str, list[dict[str, Any]]] = {"people": [], "bodies": []}
    ranked = sorted(who_nodes, key=lambda w: (-len(who_nodes[w]), w))
    for group in involved:
        chosen = [w for w in ranked if kinds.get(w) == group][:top]
        labels: dict[str, str] = {}
        for r in _values(store, chosen, "?n rdfs:label ?l", "?l"):
            labels[r["n"]] = min(labels.get(r["n"], r["l"]), r["l"])
        involved[group] = [
            {"id": short_id(w, base), "label": labels.get(w, w), **_split(who_nodes[w], heads)}
            for w in chosen
        ]
    counted: dict[str, set[str]] = defaultdict(set)
    for r in _values(store, nodes, "?n bkg:reportedIn ?src", "?src"):
        counted[r["src"]].add(r["n"])
    infos = source_refs(store, counted)
    meetings = by_kind.get("meeting", 0)
    return {
        "countries": [short_id(a.value, base), short_id(b.value, base)],
        "counts": {
            "meetings": meetings,
            "acts": sum(by_kind.values()) - meetings,
            "by_kind": dict(sorted(by_kind.items())),
            "by_status": dict(sorted(by_status.items())),
        },
        "by_month": dict(sorted(months.items())),
        "fields": fields,
        **involved,
        "sources": [
            {**infos[s].ref(base), **_split(counted[s], heads)}
            for s in sorted(counted, key=lambda s: infos[s].key())
        ],
    }
