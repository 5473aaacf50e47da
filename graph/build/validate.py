"""Validate a built dataset against the SHACL shapes and report violations readably."""

from __future__ import annotations

from dataclasses import dataclass

from pyshacl import validate as shacl_validate
from rdflib import RDFS, Dataset, Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from ontology import shapes_graph

__all__ = ["Violation", "union_graph", "validate_dataset", "validate_graph"]


@dataclass(frozen=True, order=True)
class Violation:
    """One SHACL result: the node that fails, along which path, and why."""

    focus: str
    label: str
    path: str
    message: str
    severity: str

    def __str__(self) -> str:
        where = f" ({self.label})" if self.label else ""
        path = f" [{self.path}]" if self.path else ""
        return f"{self.severity}: {self.focus}{where}{path}: {self.message}"


def union_graph(ds: Dataset) -> Graph:
    """All quads of a dataset as one graph (the default graph of the served dataset)."""
    g = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def _short(node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return str(node)
    return node.n3()


def validate_graph(data: Graph) -> list[Violation]:
    """Validate one graph against the shapes.

    Args:
        data: the graph to check (the union of all layers, for a built dataset).

    Returns:
        The violations, sorted; empty when the graph conforms.
    """
    conforms, results, _ = shacl_validate(
        data, shacl_graph=shapes_graph(), inference="none", advanced=True, allow_warnings=True
    )
    if conforms:
        return []
    assert isinstance(results, Graph)
    out = set()
    for result in results.subjects(SH.resultSeverity, None):
        focus = results.value(result, SH.focusNode)
        label = data.value(focus, RDFS.label) if focus is not None else None
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        severity = results.value(result, SH.resultSeverity)
        out.add(
            Violation(
                focus=_short(focus),
                label=str(label or ""),
                path=_short(path) if isinstance(path, URIRef) else "",
                message=str(message or "does not conform"),
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            )
        )
    return sorted(out)


def validate_dataset(ds: Dataset) -> list[Violation]:
    """Validate a built dataset: the union of its layers against the shapes.

    Examples:
        >>> from rdflib import Literal
        >>> from ontology.namespace import BKG
        >>> ds = Dataset()
        >>> g = ds.graph(URIRef("https://kg.example/graph/x"))
        >>> act = URIRef("https://kg.example/id/act/a1")
        >>> _ = g.add((act, RDFS.label, Literal("an act")))
        >>> _ = g.add((act, __import__("rdflib").RDF.type, BKG.CooperationAct))
        >>> for message in sorted({v.message for v in validate_dataset(ds)})[:2]:
        ...     print(message)
        a cooperation act has at least one actor
        a cooperation act has exactly one status from the act status scheme
    """
    return validate_graph(union_graph(ds))
