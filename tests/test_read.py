"""The read side's named queries, called directly on the seed graph (no HTTP): lists, evidence,
name resolution and the explorer's neighbourhood."""

from __future__ import annotations

import networkx as nx
import pyoxigraph as ox
import pytest
from conftest import BASE, ID, SOURCE

from graph.read import lists
from graph.read.evidence import EvidenceCache, evidence_of, span_pattern
from graph.read.ids import full_iri, short_id
from graph.read.lookup import Named, entity_view, resolve_name
from graph.read.network import ego, neighbours
from graph.read.projection import Link, project
from graph.read.query import select
from graph.read.search import SearchIndex
from graph.read.sources import source
from graph.read.statistics import statistics
from graph.store import OxigraphStore

SOUR = ID + "person/heng-sour"
KOSHA = ID + "organization/kosha"


@pytest.fixture(scope="module")
def G(store: OxigraphStore) -> nx.Graph:
    return project(store)


def test_ids_round_trip() -> None:
    assert short_id(full_iri("person/heng-sour", BASE), BASE) == "person/heng-sour"
    assert full_iri(SOUR, BASE) == SOUR


def test_the_span_pattern_finds_every_span(store: OxigraphStore) -> None:
    spans = select(store, f"SELECT ?span ?exact ?start ?end WHERE {{ {span_pattern()} }}")
    total = select(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s oa:hasSource ?src }")
    assert len({r["span"] for r in spans}) == total[0]["n"] > 0
    assert all(r["end"] - r["start"] == len(r["exact"]) for r in spans)


def test_evidence_is_one_reading_for_views_lists_and_paths(store: OxigraphStore) -> None:
    view = entity_view(store, SOUR)
    assert view is not None
    fact = next(f for f in view.facts if f.evidence)
    assert evidence_of(store, [fact.iri])[fact.iri] == fact.evidence
    cache = EvidenceCache(store)
    assert cache[fact.iri] == [e.as_json() for e in fact.evidence]
    assert fact.iri in set(cache)  # the whole graph's evidence, read once
    assert evidence_of(store, [ID + "act/nothing"]) == {ID + "act/nothing": []}


def test_acts_filter_and_page(store: OxigraphStore) -> None:
    first = lists.acts(store, BASE, status="requested", limit=2)
    assert first.more and len(first.items) == 2
    assert {a["status"] for a in first.items} == {"requested"}
    rest = lists.acts(store, BASE, status="requested", after=first.items[-1]["id"], limit=50)
    ids = [a["id"] for a in first.items + rest.items]
    assert ids == sorted(ids) and len(ids) == len(set(ids)) == 3 and not rest.more
    assert all(a["evidence"] and a["actors"] for a in first.items + rest.items)
    with pytest.raises(ValueError, match="unknown status 'maybe'"):
        lists.acts(store, BASE, status="maybe")


def test_acts_of_a_country_pair(store: OxigraphStore) -> None:
    kh, kr = lists.country(store, "kh", BASE), lists.country(store, "place/south-korea", BASE)
    assert kh is not None and kr is not None
    both = lists.acts(store, BASE, countries=(kh, kr), limit=200).items
    assert both and len(both) <= len(lists.acts(store, BASE, limit=200).items)
    assert lists.country(store, "ZZ", BASE) is None
    assert lists.country(store, "not an iri", BASE) is None


def test_meetings_and_statistics(store: OxigraphStore) -> None:
    met = lists.meetings(store, BASE, participant=ox.NamedNode(SOUR))
    assert met.items and all(
        any(a["id"] == "person/heng-sour" for a in m["attendees"]) for m in met.items
    )
    stats = statistics(store, BASE, layer="derived").items
    assert stats and {s["layer"] for s in stats} == {"derived"}


def test_source_spans(store: OxigraphStore) -> None:
    found = source(store, SOURCE, BASE)
    assert found is not None and found["id"] == "source/ppp-cambodia-korea-labour"
    for span in found["spans"]:
        assert found["text"][span["start"] : span["end"]] == span["quote"]
    assert {s["kind"] for s in found["spans"]} == {"evidence", "mention"}
    assert source(store, ID + "person/heng-sour", BASE) is None


def test_resolve_name_by_id_iri_name_and_alias(store: OxigraphStore, G: nx.Graph) -> None:
    index = SearchIndex(store)
    for name in ("person/heng-sour", SOUR, "Heng Sour", "heng  SOUR"):
        assert resolve_name(index, G, name, BASE) == Named(name, SOUR)
    assert resolve_name(index, G, "KOSHA", BASE).iri == KOSHA  # an alias
    # Nothing of that name: no node, no candidates, and a message that says so.
    for name in ("x" * 301, "qqqqqqqq"):
        nothing = resolve_name(index, G, name, BASE)
        assert nothing.iri is None and nothing.candidates == () and not nothing.ambiguous
    assert nothing.message(BASE) == "nothing in the graph is called 'qqqqqqqq'"
    # An id of something that is not a node of the projection is searched as a name.
    assert resolve_name(index, {KOSHA}, "person/heng-sour", BASE).iri is None


def test_ego_takes_at_most_limit_new_neighbours_per_node(G: nx.Graph) -> None:
    whole = ego(G, SOUR, radius=1)
    assert set(whole) == {SOUR} | {n["id"] for ns in neighbours(G, SOUR).values() for n in ns}
    assert whole.nodes[SOUR]["more"] == 0
    small = ego(G, SOUR, radius=1, limit=2)
    assert next(iter(small)) == SOUR and len(small) == 3
    assert small.nodes[SOUR]["more"] == len(whole) - 3
    assert set(small) < set(whole)
    with pytest.raises(ValueError, match="gossip"):
        ego(G, SOUR, groups=["gossip"])


def test_ego_follows_only_the_chosen_layers() -> None:
    G: nx.Graph = nx.Graph()
    for n in "abc":
        G.add_node(n, label=n, kind="person")
    G.add_edge("a", "b", links=[Link("a", "b", "memberOf", "stated")])
    G.add_edge("a", "c", links=[Link("a", "c", "memberOf", "inferred")])
    assert list(ego(G, "a", layers=["stated"])) == ["a", "b"]
    assert list(ego(G, "a", radius=2)) == ["a", "b", "c"]
