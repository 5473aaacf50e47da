"""The graph as a corpus: sources of facts, status histories, timelines, pairs, conflicts, series.

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
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pyoxigraph as ox

from graph.read.evidence import evidence_of
from graph.read.ids import short_id
from graph.read.query import Filters, select
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

CHUNK = 300


def _chunks(items: list[str]) -> Iterable[str]:
    for i in range(0, len(items), CHUNK):
        yield " ".join(str(ox.NamedNode(x)) for x in items[i : i + CHUNK])


def _tail(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _day(value: Any) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


@dataclass(frozen=True)
class _Source:
    iri: str
    label: str
    published: str | None

    def ref(self, base: str) -> dict[str, Any]:
        return {"id": short_id(self.iri, base), "label": self.label, "published": self.published}

    def key(self) -> tuple[str, str]:
        return (self.published or "\uffff", self.iri)


def _sources(store: Store, iris: Collection[str]) -> dict[str, _Source]:
    out: dict[str, _Source] = {}
    for values in _chunks(sorted(set(iris))):
        for r in select(
            store,
            f"""
            SELECT ?s ?label ?published WHERE {{
                VALUES ?s {{ {values} }}
                ?s rdfs:label ?label . OPTIONAL {{ ?s bkg:edtfDate ?published }}
            }}""",
        ):
            found = out.get(r["s"])
            if found is None or r["label"] < found.label:
                out[r["s"]] = _Source(r["s"], r["label"], r["published"])
    for iri in iris:
        out.setdefault(iri, _Source(iri, iri, None))
    return out


def sources_of(store: Store, nodes: Collection[str], base: str) -> dict[str, list[dict[str, Any]]]:
    """The sources that report each fact node, each with its evidence, ordered by publication.

    Args:
        store: the store.
        nodes: fact nodes (meetings, acts, statements, observations, assertions).
        base: the configured base IRI.

    Returns:
        node -> ``[{"id", "label", "published", "evidence": [quotes]}]``; its length is the
        node's report count.
    """
    found = evidence_of(store, nodes)
    infos = _sources(store, {e.source for spans in found.values() for e in spans})
    out: dict[str, list[dict[str, Any]]] = {}
    for node in nodes:
        by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for e in found.get(node, []):
            by_source[e.source].append(e.as_quote())
        out[node] = [
            {**infos[s].ref(base), "evidence": by_source[s]}
            for s in sorted(by_source, key=lambda s: infos[s].key())
        ]
    return out


def published_of(store: Store, sources: Collection[str]) -> dict[str, str | None]:
    """The publication date (EDTF) of each source, ``None`` where the source gives none."""
    return {iri: info.published for iri, info in _sources(store, sources).items()}


def reports(
    evidence: Iterable[dict[str, Any]], published: dict[str, str | None], base: str
) -> list[dict[str, Any]]:
    """Evidence spans (``quote``, ``start``, ``end``, ``source``, ``source_label``) grouped by
    their source, the sources ordered by publication date (undated last), then IRI.

    Examples:
        >>> ev = [{"quote": "q", "start": 0, "end": 1, "source": "https://x/id/source/b",
        ...        "source_label": "B"},
        ...       {"quote": "r", "start": 2, "end": 3, "source": "https://x/id/source/a",
        ...        "source_label": "A"}]
        >>> [(r["id"], r["published"]) for r in reports(ev, {"https://x/id/source/b": "2024"},
        ...                                               "https://x/")]
        [('source/b', '2024'), ('source/a', None)]
    """
    grouped: dict[str, dict[str, Any]] = {}
    for e in evidence:
        report = grouped.setdefault(
            e["source"],
            {
                "id": short_id(e["source"], base),
                "label": e.get("source_label") or e["source"],
                "published": published.get(e["source"]),
                "evidence": [],
            },
        )
        quote = {k: e[k] for k in ("quote", "start", "end", "source")}
        if quote not in report["evidence"]:
            report["evidence"].append(quote)
    return [
        grouped[s] for s in sorted(grouped, key=lambda s: (grouped[s]["published"] or "\uffff", s))
    ]


def histories(store: Store, acts: Collection[str], base: str) -> dict[str, dict[str, Any]]:
    """The status history and current status of acts, as the build derived them.

    Args:
        store: the store.
        acts: the acts' IRIs.
        base: the configured base IRI.

    Returns:
        act -> ``{"status", "status_reason", "status_history": [{"position", "status",
        "act", "date", "date_basis", "sort_date", "sources"}]}``; an act without a derived
        history (data loaded from elsewhere) gets its stated status as a history of one.
    """
    out: dict[str, dict[str, Any]] = {}
    steps: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
    for values in _chunks(sorted(set(acts))):
        for r in select(
            store,
            f"""
            SELECT ?act ?cur ?reason ?pos ?st ?by ?edtf ?basis ?sd ?src WHERE {{
                VALUES ?act {{ {values} }}
                ?act bkg:statusHistory ?h . ?h bkg:currentStatus ?cur ; bkg:reason ?reason ;
                     bkg:change ?step .
                ?step schema:position ?pos ; bkg:toStatus ?st ; bkg:byAct ?by ;
                      bkg:dateBasis ?basis .
                OPTIONAL {{ ?step bkg:edtfDate ?edtf }} OPTIONAL {{ ?step bkg:sortDate ?sd }}
                OPTIONAL {{ ?step bkg:reportedIn ?src }}
            }}""",
        ):
            out[r["act"]] = {"status": _tail(r["cur"]), "status_reason": r["reason"]}
            step = steps[r["act"]].setdefault(
                r["pos"],
                {
                    "position": r["pos"],
                    "status": _tail(r["st"]),
                    "act": short_id(r["by"], base),
                    "date": r["edtf"],
                    "date_basis": r["basis"],
                    "sort_date": None if r["sd"] is None else str(r["sd"]),
                    "sources": [],
                },
            )
            if r["src"] is not None:
                ident = short_id(r["src"], base)
                if ident not in step["sources"]:
                    step["sources"].append(ident)
    missing = [a for a in acts if a not in out]
    for values in _chunks(sorted(set(missing))):
        for r in select(
            store, f"SELECT ?act ?st WHERE {{ VALUES ?act {{ {values} }} ?act bkg:status ?st }}"
        ):
            out[r["act"]] = {
                "status": _tail(r["st"]),
                "status_reason": None,
                "status_history": [
                    {
                        "position": 1,
                        "status": _tail(r["st"]),
                        "act": short_id(r["act"], base),
                        "date": None,
                        "date_basis": "unknown",
                        "sort_date": None,
                        "sources": [],
                    }
                ],
            }
    for act, by_pos in steps.items():
        for step in by_pos.values():
            step["sources"].sort()
        out[act]["status_history"] = [by_pos[p] for p in sorted(by_pos)]
    return out


def status_at(history: list[dict[str, Any]], when: date) -> str | None:
    """The status an act had on a day, from its history: the last step that had happened.

    A step happened by ``when`` when its own date (its first possible day) is not after it; a
    step without a date counts once the step before it has (an undated first step counts: the
    act was reported). ``None``: the act was not made yet.

    Examples:
        >>> h = [{"status": "requested", "sort_date": "2024-03-08"},
        ...      {"status": "agreed", "sort_date": "2024-06-12"}]
        >>> status_at(h, date(2024, 5, 1)), status_at(h, date(2024, 7, 1))
        ('requested', 'agreed')
        >>> status_at(h, date(2024, 1, 1)) is None
        True
    """
    current = None
    for step in history:
        day = _day(step.get("sort_date"))
        if day is not None and day > when:
            break
        current = step["status"]
    return current


def _kind(classes: Iterable[str]) -> str | None:
    for cls in classes:
        local = _tail(cls).lower()
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
    for values in _chunks(nodes):
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
        (``YYYY-MM`` -> count, ``undated`` where the month is not known), ``fields`` (with
        counts), ``people`` and ``bodies`` most involved (with counts), ``sources`` (with the
        number of items each reports, by publication date).
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
        by_status[_tail(r["st"])] += 1
    field_count: dict[str, set[str]] = defaultdict(set)
    for r in _values(store, nodes, "?n bkg:field ?f", "?f"):
        field_count[r["f"]].add(r["n"])
    field_labels = {
        r["n"]: r["l"] for r in _values(store, sorted(field_count), "?n skos:prefLabel ?l", "?l")
    }
    fields = sorted(
        (
            {"id": _tail(f), "label": field_labels.get(f, _tail(f)), "count": len(ns)}
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
            {"id": short_id(w, base), "label": labels.get(w, w), "count": len(who_nodes[w])}
            for w in chosen
        ]
    counted: dict[str, set[str]] = defaultdict(set)
    for r in _values(store, nodes, "?n bkg:reportedIn ?src", "?src"):
        counted[r["src"]].add(r["n"])
    infos = _sources(store, counted)
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
            {**infos[s].ref(base), "count": len(counted[s])}
            for s in sorted(counted, key=lambda s: infos[s].key())
        ],
    }


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
    infos = _sources(store, {r["src"] for r in rows})

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
