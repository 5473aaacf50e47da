"""Who reported what: the sources of each fact, with their evidence, and the status history of
each act, as the build derived them (``bkg:reportedIn``, ``bkg:statusHistory``,
``bkg:currentStatus``). Sources are ordered by publication date (undated last), never by slug.

Part of the corpus view (:mod:`graph.read.corpus`, which re-exports these functions).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from graph.read.evidence import evidence_of
from graph.read.ids import short_id
from graph.read.query import iri_values, select
from graph.store import Store

__all__ = [
    "CHUNK",
    "SourceRef",
    "histories",
    "local_name",
    "published_of",
    "reports",
    "source_refs",
    "sources_of",
    "status_at",
]

CHUNK = 300


def local_name(iri: str) -> str:
    """The last segment of an IRI (after its last ``/`` or ``#``)."""
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _day(value: Any) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


@dataclass(frozen=True)
class SourceRef:
    """A source as answers cite it: its IRI, label and publication date (EDTF)."""

    iri: str
    label: str
    published: str | None

    def ref(self, base: str) -> dict[str, Any]:
        """The source as an answer shows it."""
        return {"id": short_id(self.iri, base), "label": self.label, "published": self.published}

    def key(self) -> tuple[str, str]:
        """Its place in publication order (undated last)."""
        return (self.published or "\uffff", self.iri)


def source_refs(store: Store, iris: Collection[str]) -> dict[str, SourceRef]:
    """Each source as answers cite it (one the store does not name: its IRI as label)."""
    out: dict[str, SourceRef] = {}
    for values in iri_values(iris, CHUNK):
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
                out[r["s"]] = SourceRef(r["s"], r["label"], r["published"])
    for iri in iris:
        out.setdefault(iri, SourceRef(iri, iri, None))
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
    infos = source_refs(store, {e.source for spans in found.values() for e in spans})
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
    return {iri: info.published for iri, info in source_refs(store, sources).items()}


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
    for values in iri_values(acts, CHUNK):
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
            out[r["act"]] = {"status": local_name(r["cur"]), "status_reason": r["reason"]}
            step = steps[r["act"]].setdefault(
                r["pos"],
                {
                    "position": r["pos"],
                    "status": local_name(r["st"]),
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
    for values in iri_values(missing, CHUNK):
        for r in select(
            store, f"SELECT ?act ?st WHERE {{ VALUES ?act {{ {values} }} ?act bkg:status ?st }}"
        ):
            out[r["act"]] = {
                "status": local_name(r["st"]),
                "status_reason": None,
                "status_history": [
                    {
                        "position": 1,
                        "status": local_name(r["st"]),
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
