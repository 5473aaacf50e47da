"""CSV and spreadsheets (issue 13): the projection's CSV export neutralizes cells a spreadsheet
would run as formulas (OWASP); the SPARQL CSV results stay exactly as the W3C format says."""

from __future__ import annotations

import csv
import io

import networkx as nx
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from graph.read.export import to_csv
from graph.read.projection import Link
from graph.store import memory_store

FORMULAS = ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "\t=1"]


def test_the_projection_csv_neutralizes_formulas() -> None:
    G = nx.Graph()  # noqa: N806 (networkx style)
    for i, label in enumerate(FORMULAS):
        G.add_node(f"n{i}", label=label, kind="person")
    G.add_node("act", label="-5", kind="act")
    for i in range(len(FORMULAS)):
        G.add_edge(f"n{i}", "act", links=[Link(f"n{i}", "act", "actor", "stated")])
    rows = list(csv.DictReader(io.StringIO(to_csv(G).decode())))
    labels = {r["source_label"] for r in rows}
    assert labels == {"'" + f for f in FORMULAS}
    assert {r["target_label"] for r in rows} == {"-5"}  # a number stays a number


def test_sparql_csv_results_stay_as_the_w3c_format_says() -> None:
    store = memory_store(b'<http://e/a> <http://e/p> "=1+1" <http://e/g> .\n')
    with TestClient(create_app(Settings(), store=store)) as client:
        r = client.get(
            "/sparql",
            params={"query": "SELECT ?o WHERE { ?s ?p ?o }"},
            headers={"accept": "text/csv"},
        )
    assert r.text.splitlines() == ["o", "=1+1"]
