"""The facts of a page as a reader scans them: grouped by happening (a meeting with the acts and
statements made there), dates in words, the sources reporting each fact, each act's status
history, derived shortcuts labelled by what they derive from, and where sources disagree.

Examples:
    >>> store = seed_store()
    >>> base = "https://bilateral-kg.example/"
    >>> facts = [{"iri": base + "id/act/sour-proposes-tvet-assistance", "label": "P",
    ...           "roles": ["actor"], "layer": "stated", "status": "proposed", "reason": None,
    ...           "evidence": []}]
    >>> s = grouped(store, base + "id/person/heng-sour", facts, base)
    >>> [h["label"] for h in s["happenings"]]
    ['Meeting of Heng Sour and Lee Jung-sik, 8 March']
    >>> s["happenings"][0]["facts"] == [facts[0]["iri"]], facts[0]["when"]
    (True, '8 March 2024, year inferred')
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any

import pyoxigraph as ox

from graph.read import corpus
from graph.read.ids import full_iri, local_href, short_id
from graph.read.pages import human_date
from graph.read.query import iri_values, select, solutions, value
from graph.store import Store
from ontology.vocabulary import GROUPS, NAMESPACES, curie, kind_of

__all__ = [
    "GROUPS_PAGED",
    "GROUP_PAGE",
    "conflicts_about",
    "details",
    "grouped",
    "page_of",
    "sources_and_history",
]

BKG = NAMESPACES["bkg"]
#: The properties a page's grouping reads from each fact (and the labels of their values).
_WANTED = (
    "rdf:type rdfs:label bkg:occasion bkg:timelineDate bkg:sortDate schema:attendee "
    "schema:location prov:wasDerivedFrom rdf:subject rdf:object rdf:predicate"
)
#: A derived shortcut's words by the kind of act it derives from, where they differ from
#: the shortcut's own (:data:`ontology.vocabulary.GROUPS`). A proposal derives
#: ``bkg:proposedCooperationWith``, which has words of its own.
_DERIVED_WORDS = {
    ("requestedCooperationWith", "Request"): ("requested cooperation of", "was asked by"),
}


#: The facts outside meetings, by kind, in the order a page lists them.
_SECTIONS = (
    ("act", "Cooperation acts"),
    ("statement", "Statements"),
    ("assertion", "Relations the sources state"),
    ("observation", "Statistics"),
)
#: Facts the graph derives from others, shown by what they derive from.
SHORTCUTS = ("derived link", "status history")


def _words(status: str | None) -> str | None:
    """A status's notation as the pages say it (``under-examination``: ``under examination``)."""
    return status.replace("-", " ") if status else status


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def details(store: Store, nodes: Collection[str]) -> dict[str, dict[str, list[Any]]]:
    """What a page groups facts by, for each node: its types, label, occasion, dates,
    attendees, place, what it derives from, and the labels of those values.

    Args:
        store: the store.
        nodes: fact nodes (IRIs; bound as terms).

    Returns:
        node -> property CURIE -> ``[(value, label of the value or None)]``, sorted.

    Examples:
        >>> base = "https://bilateral-kg.example/id/"
        >>> d = details(seed_store(), [base + "meeting/meeting-heng-sour-lee-jung-sik-march-8"])
        >>> sorted(label for _, label in d[base + "meeting/meeting-heng-sour-lee-jung-sik-march-8"]
        ...        ["schema:attendee"])
        ['Heng Sour', 'Lee Jung-sik']
    """
    # The values first, then the labels of those that are IRIs, each node's triples filtered
    # by property: with ``VALUES ?p`` or the labels as an OPTIONAL in one query, Oxigraph took
    # 0.25 s a page at 100k triples instead of 5 ms.
    found: list[dict[str, Any]] = []
    for values in iri_values(nodes):
        found += solutions(
            store,
            f"""
            SELECT ?x ?p ?o WHERE {{
                VALUES ?x {{ {values} }} ?x ?p ?o . FILTER (?p IN ({", ".join(_WANTED.split())}))
            }}""",
        )
    named = [r["o"].value for r in found if isinstance(r["o"], ox.NamedNode)]
    labels: dict[str, str] = {}
    for values in iri_values(named):
        for r in select(
            store,
            f"""
            SELECT ?o ?label WHERE {{
                VALUES ?o {{ {values} }} ?o rdfs:label ?label FILTER (LANG(?label) IN ("en", ""))
            }}""",
        ):
            if r["o"] not in labels or r["label"] < labels[r["o"]]:
                labels[r["o"]] = r["label"]
    out: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for r in found:
        prop = curie(r["p"].value) or r["p"].value
        o = value(r["o"])
        pair = (o, labels.get(o) if isinstance(r["o"], ox.NamedNode) else None)
        if pair not in out[r["x"].value][prop]:
            out[r["x"].value][prop].append(pair)
    return {x: {p: sorted(v, key=str) for p, v in props.items()} for x, props in out.items()}


def _first(d: dict[str, list[Any]], prop: str) -> Any:
    values = d.get(prop) or []
    return values[0][0] if values else None


def _when(d: dict[str, list[Any]]) -> str | None:
    """A node's date in words, if it has one."""
    date = _first(d, "bkg:timelineDate")
    return human_date(date) if date else None


def _kind(d: dict[str, list[Any]]) -> tuple[str, str | None]:
    """A node's kind as the page names it, and an act's own class (Request, Proposal...)."""
    types = [t for t, _ in d.get("rdf:type", [])]
    names = {_local(t) for t in types}
    if "DerivedLink" in names:
        return "derived link", None
    if "Conflict" in names:
        return "conflict", None
    if "StatusHistory" in names:
        return "status history", None
    kinds = [k for k in (kind_of(curie(t) or "") for t in types) if k]
    act = next(
        (n for n in sorted(names) if n not in ("CooperationAct", "Action") and "act" in kinds),
        None,
    )
    if kinds:
        return sorted(kinds)[0], act
    return ("assertion" if "Statement" in names else "fact"), None


def _term(iri: str, label: str | None, base: str) -> dict[str, Any]:
    return {"iri": iri, "label": label or iri.removeprefix(base), "href": local_href(iri, base)}


def conflicts_about(store: Store, iri: str, base: str) -> list[dict[str, Any]]:
    """:func:`graph.read.corpus.conflicts` about one thing, each side's source date in words."""
    found = corpus.conflicts(store, base, about=ox.NamedNode(iri))
    for c in found:
        c["iri"] = full_iri(c["id"], base)
        for claim in c["claims"]:
            published = claim["source"].get("published")
            claim["source"]["when"] = human_date(published) if published else None
    return found


def _disputed(store: Store, nodes: Collection[str]) -> set[str]:
    """The nodes some conflict is about (one query a chunk, not one a node)."""
    found: set[str] = set()
    for values in iri_values(nodes):
        rows = select(
            store,
            f"SELECT DISTINCT ?x WHERE {{ VALUES ?x {{ {values} }} ?c bkg:conflictAbout ?x }}",
        )
        found.update(r["x"] for r in rows)
    return found


def sources_and_history(
    store: Store, facts: list[dict[str, Any]], base: str
) -> dict[str, dict[str, Any]]:
    """The sources reporting each fact (label, publication date in words, how many quotes) and,
    for acts, their current status and status history with dates in words, the act of each
    step and its sources by label.

    Args:
        store: the store.
        facts: fact dicts with ``iri`` and ``kind``.
        base: the configured base IRI.

    Returns:
        fact IRI -> ``{"sources", "report_count"}`` plus, for acts, ``"current_status",
        "status_reason", "status_history"``.
    """
    iris = [f["iri"] for f in facts]
    reported = corpus.sources_of(store, iris, base)
    acts = [f["iri"] for f in facts if f["kind"] == "act"]
    history = corpus.histories(store, acts, base) if acts else {}
    names: dict[str, str] = {}
    for spans in reported.values():
        for s in spans:
            names[s["id"]] = s["label"]
    for h in history.values():
        for step in h["status_history"]:
            names.setdefault(step["act"], "")
            for s in step["sources"]:
                names.setdefault(s, "")
    unknown = {full_iri(i, base): i for i, label in names.items() if not label}
    for iri, props in details(store, unknown).items():
        names[unknown[iri]] = _first(props, "rdfs:label") or iri
    out: dict[str, dict[str, Any]] = {}
    for iri in iris:
        sources = [
            {
                "id": s["id"],
                "label": s["label"],
                "href": local_href(full_iri(s["id"], base), base),
                "published": s["published"],
                "when": human_date(s["published"]) if s["published"] else None,
                "quotes": len(s["evidence"]),
            }
            for s in reported.get(iri, [])
        ]
        entry: dict[str, Any] = {"sources": sources, "report_count": len(sources)}
        if iri in history:
            h = history[iri]
            entry["current_status"] = _words(h["status"])
            entry["status_reason"] = h["status_reason"]
            entry["status_history"] = [
                {
                    "status": _words(step["status"]),
                    "date": step["date"],
                    "when": human_date(step["date"]),
                    "act": {
                        **_term(full_iri(step["act"], base), names.get(step["act"]), base),
                        "self": full_iri(step["act"], base) == iri,
                    },
                    "sources": [
                        _term(full_iri(s, base), names.get(s), base) for s in step["sources"]
                    ],
                }
                for step in h["status_history"]
            ]
        out[iri] = entry
    return out


def _derived(
    entity: str, link: dict[str, Any], d: dict[str, list[Any]], kinds: dict[str, str]
) -> None:
    """Fill a derived link's other end and its words, by the facts it derives from."""
    subject, obj = _first(d, "rdf:subject"), _first(d, "rdf:object")
    predicate = _local(_first(d, "rdf:predicate") or "")
    labels = dict(d.get("rdf:subject", []) + d.get("rdf:object", []))
    words = GROUPS["derived"].get(predicate, (predicate, predicate))
    from_kinds = {kinds.get(f) for f, _ in d.get("prov:wasDerivedFrom", [])}
    if len(from_kinds) == 1:
        words = _DERIVED_WORDS.get((predicate, from_kinds.pop() or ""), words)
    link["relation"] = predicate
    if entity in (subject, obj):
        forward = subject == entity
        other = obj if forward else subject
        link["words"] = words[0] if forward else words[1]
    else:  # on the page of the fact it derives from: the link whole, from its subject
        other = subject
        link["words"] = f"{words[0]} {labels.get(obj) or obj}"
    link["other"] = {"iri": other, "label": labels.get(other) or other}


def _history_of(link: dict[str, Any], info: dict[str, dict[str, list[Any]]]) -> None:
    """Fill a status history's act (the other end) and its words (the steps)."""
    act = link["iri"].rsplit("/status-history", 1)[0]
    label = _first(info.get(act, {}), "rdfs:label") or act
    link["words"] = f"{label}: {link.get('reason') or ''}"
    link["other"] = {"iri": "", "label": "status history"}


#: How many items of a group (happenings, facts of a kind, shortcuts by their other end,
#: mentions) a page shows; a "more" cursor gives the next as many.
GROUP_PAGE = 20
#: The groups of a page that are paged, by name (``?group=`` of a page's "more" link).
GROUPS_PAGED = (
    "happenings",
    *(f"{kind}s" for kind, _ in _SECTIONS),
    "others",
    "derived",
    "mentions",
)


def page_of(
    items: list[Any],
    name: str,
    key: Any,
    group: str | None,
    after: str | None,
    size: int | None = None,
) -> tuple[list[Any], str | None]:
    """The items of one group a page shows, and the cursor of the next (``None``: no more).

    A page shows the first ``size`` (:data:`GROUP_PAGE`) items of every group, or (``group``
    given) only that group's, after the item whose key is ``after``.

    Examples:
        >>> page_of(list("abcde"), "x", str, None, None, size=2)
        (['a', 'b'], 'b')
        >>> page_of(list("abcde"), "x", str, "x", "b", size=2)
        (['c', 'd'], 'd')
        >>> page_of(list("abcde"), "x", str, "x", "d", size=2)
        (['e'], None)
        >>> page_of(list("ab"), "x", str, "y", None)
        ([], None)
    """
    if group is not None and group != name:
        return [], None
    size = size or GROUP_PAGE
    start = 0
    if group == name and after:
        keys = [key(i) for i in items]
        start = keys.index(after) + 1 if after in keys else len(items)
    shown = items[start : start + size]
    return shown, (key(shown[-1]) if shown and start + size < len(items) else None)


def grouped(
    store: Store,
    entity: str,
    facts: list[dict[str, Any]],
    base: str,
    *,
    group: str | None = None,
    after: str | None = None,
) -> dict[str, Any]:
    """Group a page's facts by happening, page each group, and enrich the facts it shows in
    place.

    Each fact dict gains ``kind`` (meeting, act, statement, assertion, derived link...),
    ``act_kind`` (Request, Proposal...), ``date`` (EDTF) and ``when`` (in words),
    ``occasion``; a derived link its ``other`` end, its ``words`` and what it is
    ``derived_from``; a fact the page shows its ``sources`` and ``report_count``, an act its
    ``status_history``.

    Args:
        store: the store.
        entity: the IRI of the page's resource.
        facts: the fact dicts (``iri``, ``label``, ``roles``, ``layer``, ``status``,
            ``reason``).
        base: the configured base IRI.
        group: show only this group (one of :data:`GROUPS_PAGED`), from ``after`` on; else
            the first :data:`GROUP_PAGE` items of every group.
        after: the key of the last item shown before (a fact's or happening's id, or a
            shortcut's other end).

    Returns:
        ``{"happenings": [{meeting head, "place", "participants", "conflicts", "facts": [fact
        IRIs made there]}], "other": [{"kind", "name", "title", "total", "facts": [fact
        IRIs]}] (the rest, by kind), "derived": [{"other", "facts"}], "conflicts": [...],
        "totals": {group: how many items it has}, "more": {group: cursor of its next page},
        "shown": [the IRIs of the facts the page shows]}``, happenings and acts in date order.
    """
    by_iri = {f["iri"]: f for f in facts}
    info = details(store, by_iri)
    occasions = {o for d in info.values() for o, _ in d.get("bkg:occasion", []) if o not in by_iri}
    derived_from = {f for d in info.values() for f, _ in d.get("prov:wasDerivedFrom", [])}
    histories = {f.rsplit("/status-history", 1)[0] for f in by_iri if "/status-history" in f}
    more = details(store, (occasions | derived_from | histories) - set(info))
    info.update(more)
    kinds = {x: _kind(d)[1] or _kind(d)[0] for x, d in info.items()}
    for f in facts:
        d = info.get(f["iri"], {})
        f["kind"], f["act_kind"] = _kind(d)
        f["date"] = _first(d, "bkg:timelineDate")
        f["when"] = human_date(f["date"]) if f["date"] else None
        f["sort_date"] = _first(d, "bkg:sortDate")
        f["occasion"] = _first(d, "bkg:occasion")
        if f["kind"] in ("derived link", "status history"):
            if f["kind"] == "derived link":
                _derived(entity, f, d, kinds)
            else:
                _history_of(f, info)
            f["derived_from"] = [
                {**_term(x, label, base), "kind": kinds.get(x), "when": _when(info.get(x, {}))}
                for x, label in d.get("prov:wasDerivedFrom", [])
                if x in info
            ]

    def order(iri: str) -> tuple[str, str]:
        f = by_iri.get(iri) or {}
        return (str(f.get("sort_date") or "\uffff"), f.get("label") or iri)

    def ident(iri: str) -> str:
        return short_id(iri, base)

    heads = [f["iri"] for f in facts if f["kind"] == "meeting"] + sorted(occasions)
    happenings = []
    for head in heads:
        d = info.get(head, {})
        happening = {
            **_term(head, _first(d, "rdfs:label"), base),
            "date": _first(d, "bkg:timelineDate"),
            "sort_date": str(_first(d, "bkg:sortDate") or ""),
            "place": [_term(p, label, base) for p, label in d.get("schema:location", [])],
            "participants": [
                {**_term(p, label, base), "self": p == entity}
                for p, label in d.get("schema:attendee", [])
            ],
            "named": head in by_iri,
            "facts": sorted(
                (f["iri"] for f in facts if f["occasion"] == head),
                key=order,
            ),
        }
        happening["when"] = human_date(happening["date"]) if happening["date"] else None
        happenings.append(happening)
    happenings.sort(key=lambda h: (h["sort_date"] or "\uffff", h["label"]))
    placed = set(heads) | {i for h in happenings for i in h["facts"]}
    other = sorted(
        (
            f["iri"]
            for f in facts
            if f["iri"] not in placed and f["kind"] not in (*SHORTCUTS, "conflict")
        ),
        key=order,
    )
    shortcuts: dict[str, list[str]] = defaultdict(list)
    ends: dict[str, dict[str, Any]] = {}
    for f in facts:
        own_history = f["iri"].startswith(entity + "/status-history")
        if f["kind"] in SHORTCUTS and f["other"]["iri"] != entity and not own_history:
            shortcuts[f["other"]["iri"]].append(f["iri"])
            ends[f["other"]["iri"]] = _term(f["other"]["iri"], f["other"]["label"], base)
    derived = [
        {"other": ends[o], "facts": sorted(items, key=lambda i: (by_iri[i]["words"], i))}
        for o, items in sorted(shortcuts.items(), key=lambda kv: ends[kv[0]]["label"])
    ]
    kinds_of = {i: by_iri[i]["kind"] for i in other}
    sections = [
        (kind, f"{kind}s", title, [i for i in other if kinds_of[i] == kind])
        for kind, title in _SECTIONS
    ]
    sections.append(
        ("other", "others", "Other facts", [i for i in other if kinds_of[i] not in dict(_SECTIONS)])
    )
    totals = {"happenings": len(happenings), "derived": len(derived)}
    cursors: dict[str, str | None] = {}
    happenings, cursors["happenings"] = page_of(
        happenings, "happenings", lambda h: ident(h["iri"]), group, after
    )
    paged_other: list[dict[str, Any]] = []
    for kind, name, title, items in sections:
        totals[name] = len(items)
        page, cursors[name] = page_of(items, name, ident, group, after)
        if page:
            paged_other.append(
                {"kind": kind, "name": name, "title": title, "total": len(items), "facts": page}
            )
    derived, cursors["derived"] = page_of(
        derived, "derived", lambda d: ident(d["other"]["iri"]), group, after
    )
    # The page shows the facts of its groups; the first page also what no group holds (an
    # act's own status history, conflicts).
    grouped_facts = placed | set(other) | {i for items in shortcuts.values() for i in items}
    shown = {h["iri"] for h in happenings} | {i for h in happenings for i in h["facts"]}
    shown |= {i for g in paged_other for i in g["facts"]}
    shown |= {i for d in derived for i in d["facts"]}
    if group is None:
        shown |= set(by_iri) - grouped_facts
    shown &= set(by_iri)
    kept = [f for f in facts if f["iri"] in shown]
    enriched = sources_and_history(store, [f for f in kept if f["kind"] != "conflict"], base)
    for f in kept:
        f.update(enriched.get(f["iri"], {"sources": [], "report_count": 0}))
    disputed = _disputed(store, [h["iri"] for h in happenings])
    for h in happenings:
        h["conflicts"] = conflicts_about(store, h["iri"], base) if h["iri"] in disputed else []
    return {
        "happenings": happenings,
        "other": paged_other,
        "derived": derived,
        "conflicts": conflicts_about(store, entity, base) if group is None else [],
        "totals": totals,
        "more": {name: cursor for name, cursor in cursors.items() if cursor},
        "shown": [f["iri"] for f in kept],
    }
