"""Write the graph out: the projection for Gephi and spreadsheets (GraphML, GEXF, CSV), and
one named graph's triples (the Graph Store Protocol's GET)."""

from __future__ import annotations

import csv
import io
import re

import networkx as nx
import pyoxigraph as ox

from graph.read.projection import Net
from graph.store import Store

__all__ = ["graph_triples", "spreadsheet_safe", "to_csv", "to_gexf", "to_graphml"]


def _flat(G: Net) -> nx.MultiGraph[str]:
    """One edge per link, with scalar attributes only (what GraphML and GEXF can hold)."""
    evidence = G.graph.get("evidence", {})
    flat: nx.MultiGraph[str] = nx.MultiGraph()
    for n, data in G.nodes(data=True):
        flat.add_node(
            n,
            label=str(data["label"]),
            kind=str(data["kind"]),
            status=str(data.get("status") or ""),
            date=str(data.get("date") or ""),
        )
    for _, _, data in G.edges(data=True):
        for link in data["links"]:
            quotes = evidence.get(link.evidence_of or "", [])
            flat.add_edge(
                link.source,
                link.target,
                relation=link.relation,
                group=link.group,
                layer=link.layer,
                status=link.status or "",
                date=link.date or "",
                via=link.evidence_of or "",
                evidence=" | ".join(q["quote"] for q in quotes),
                offsets=" | ".join(f"{q['start']}-{q['end']}" for q in quotes),
            )
    return flat


def to_graphml(G: Net) -> bytes:
    """The projection as GraphML (Gephi, yEd, Cytoscape)."""
    out = io.BytesIO()
    nx.write_graphml(_flat(G), out, encoding="utf-8")
    return out.getvalue()


def to_gexf(G: Net) -> bytes:
    """The projection as GEXF (Gephi)."""
    out = io.BytesIO()
    nx.write_gexf(_flat(G), out, encoding="utf-8")
    return out.getvalue()


_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def spreadsheet_safe(cell: str) -> str:
    """A CSV cell a spreadsheet will not run: text that starts with ``= + - @`` (or a tab or
    carriage return) gets a leading ``'`` (OWASP, "CSV Injection"); numbers stay numbers.

    Examples:
        >>> print(spreadsheet_safe('=HYPERLINK("http://e/x")'), spreadsheet_safe("-12.5"))
        '=HYPERLINK("http://e/x") -12.5
        >>> spreadsheet_safe("@SUM(A1)"), spreadsheet_safe("Heng Sour")
        ("'@SUM(A1)", 'Heng Sour')
    """
    if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def to_csv(G: Net) -> bytes:
    """The projection as an edge list, one row per link, with labels and evidence; every
    text cell made ``spreadsheet_safe`` (the data's labels and quotes come from sources).

    Examples:
        >>> from graph.read.projection import Link
        >>> G = nx.Graph()
        >>> G.add_node("a", label="A", kind="person")
        >>> G.add_node("b", label="B", kind="act")
        >>> G.add_edge("a", "b", links=[Link("b", "a", "actor", "stated")])
        >>> print(to_csv(G).decode().splitlines()[1])
        b,B,act,actor,a,A,person,interaction,stated,,,,
    """
    evidence = G.graph.get("evidence", {})
    rows = []
    for _, _, data in G.edges(data=True):
        for link in data["links"]:
            quotes = evidence.get(link.evidence_of or "", [])
            s, t = G.nodes[link.source], G.nodes[link.target]
            rows.append(
                [
                    spreadsheet_safe(cell)
                    for cell in (
                        link.source,
                        s["label"],
                        s["kind"],
                        link.relation,
                        link.target,
                        t["label"],
                        t["kind"],
                        link.group,
                        link.layer,
                        link.status or "",
                        link.date or "",
                        " | ".join(q["quote"] for q in quotes),
                        " | ".join(f"{q['start']}-{q['end']}" for q in quotes),
                    )
                ]
            )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "source",
            "source_label",
            "source_kind",
            "relation",
            "target",
            "target_label",
            "target_kind",
            "group",
            "layer",
            "status",
            "date",
            "evidence",
            "offsets",
        ]
    )
    writer.writerows(sorted(rows))
    return out.getvalue().encode("utf-8")


def graph_triples(store: Store, graph: str | None) -> list[ox.Triple]:
    """The triples of one graph, as the Graph Store Protocol serves it.

    Args:
        store: the store.
        graph: the named graph's IRI; ``None`` for the default graph (as stored, not the
            union of the named graphs).

    Returns:
        The triples, in the store's order.

    Examples:
        >>> from graph.store import memory_store
        >>> graph_triples(memory_store(), None)
        []
    """
    result = store.query(
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
        default_graphs=[graph] if graph is not None else [],
        named_graphs=[],
    )
    assert not isinstance(result, ox.QuerySolutions | ox.QueryBoolean)  # triples
    return list(result)
