"""Relationship queries on the projection: paths with evidence, neighbours, brokers."""

from __future__ import annotations

import networkx as nx
import pytest
from conftest import ID

from graph.read.canvas import PATH_GROUPS, short_labels
from graph.read.network import brokers, connected_groups, ego, explain, neighbours, shortest_paths
from graph.read.projection import Projection, project
from graph.store import OxigraphStore, memory_store

NSSF, KOSHA, NEA = ID + "organization/nssf", ID + "organization/kosha", ID + "organization/nea"
SOUR, GOVERNOR = ID + "person/heng-sour", ID + "person/lee-cheol-woo"
PROVINCE = ID + "place/gyeongsangbuk-do"
REQUEST = ID + "act/sour-asks-examine-kosha-comwel-nssf"
S6 = "The minister asked Lee to expand the skilled workers programme"


@pytest.fixture(scope="module")
def G(store: OxigraphStore) -> nx.Graph:
    return project(store)


def test_the_projection_holds_entities_and_happenings(G: nx.Graph) -> None:
    kinds = {d["kind"] for _, d in G.nodes(data=True)}
    assert {
        "person",
        "organization",
        "country",
        "place",
        "meeting",
        "act",
        "statement",
        "observation",
        "post",
        "programme",
        "source",
    } <= kinds
    assert G.nodes[SOUR]["label"] == "Heng Sour"
    assert G.nodes[ID + "place/cambodia"]["kind"] == "country"
    assert sum(1 for _, d in G.nodes(data=True) if d["kind"] == "act") == 15


def test_cq16_nssf_to_kosha_through_the_request(G: nx.Graph) -> None:
    paths = shortest_paths(G, NSSF, KOSHA, k=1)
    assert paths == [[NSSF, REQUEST, KOSHA]]
    answer = explain(G, paths[0])
    assert answer["explanation"] == (
        "National Social Security Fund — named as partner in — Request by Heng Sour: …KOSHA and "
        "the Korean Workers’… (8 March 2024, year inferred, Seoul, requested) — names as "
        "partner — Korea Occupational Safety and Health Agency"
    )
    hop = answer["edges"][0]["links"][0]
    assert (hop["relation"], hop["layer"], hop["status"]) == ("partner", "stated", "requested")
    (evidence,) = hop["evidence"]
    assert evidence["quote"].startswith(S6) and (evidence["start"], evidence["end"]) == (917, 1332)


def test_cq16_one_hop_in_the_derived_view(G: nx.Graph) -> None:
    (path,) = shortest_paths(G, NSSF, KOSHA, k=1, groups=["derived"])
    assert path == [NSSF, KOSHA]
    (link,) = explain(G, path, groups=["derived"])["edges"][0]["links"]
    assert (link["words"], link["layer"], link["via"]) == (
        "is named as partner with",
        "derived",
        REQUEST,
    )
    assert link["evidence"][0]["quote"].startswith(S6)


def test_cq17_nea_to_gyeongsangbuk_do_over_interactions(G: nx.Graph) -> None:
    groups = ["interaction", "organization"]
    paths = shortest_paths(G, NEA, PROVINCE, k=3, groups=groups)
    assert paths and all(SOUR in p and GOVERNOR in p for p in paths)
    assert {len(p) for p in paths} == {8}
    chains = [explain(G, p, groups=groups)["explanation"] for p in paths]
    assert (
        "National Employment Agency — named as partner in — Request by Heng Sour: …the Korean "
        "Employment Information… (8 March 2024, year inferred, Seoul, requested) — made by — "
        "Heng Sour — attended — Meeting of Heng Sour and Lee "
        "Cheol-woo, 6 March — attended by — Lee Cheol-woo — holds — Governor of "
        "Gyeongsangbuk-do — is a post in — Gyeongsangbuk-do Provincial Government — governs "
        "— Gyeongsangbuk-do"
    ) in chains


@pytest.mark.parametrize(
    ("groups", "avoid_hubs"),
    [(["interaction", "organization"], False), (list(PATH_GROUPS), True), (None, True)],
)
def test_two_paths_never_read_the_same(
    G: nx.Graph, groups: list[str] | None, avoid_hubs: bool
) -> None:
    paths = shortest_paths(G, NEA, PROVINCE, k=8, groups=groups, avoid_hubs=avoid_hubs)
    chains = [explain(G, p, groups=groups)["explanation"] for p in paths]
    assert len(paths) >= 3 and len(set(chains)) == len(chains), chains
    labels = short_labels(G)
    for path, chain in zip(paths, chains, strict=True):
        # Every node is named by its short label (which no other node has).
        assert all(labels[n] in chain for n in path)


def test_an_act_in_a_chain_says_which_request_it_is(G: nx.Graph) -> None:
    """Heng Sour made three requests at one meeting: each path through one names that one."""
    requests = {
        ID + "act/sour-asks-expand-skilled-workers-programme": "skilled workers programme",
        REQUEST: "KOSHA",
        ID + "act/sour-asks-examine-keis-nea": "Korean Employment Information",
    }
    lee = ID + "person/lee-jung-sik"
    paths = shortest_paths(G, SOUR, lee, k=12, max_length=2, groups=["interaction"])
    through = {p[1]: explain(G, p, groups=["interaction"])["explanation"] for p in paths}
    assert set(requests) <= set(through)
    for act, words in requests.items():
        chain = through[act]
        assert chain.startswith("Heng Sour — made — Request by Heng Sour: ")
        assert words in chain, chain
        assert chain.endswith(
            "(8 March 2024, year inferred, Seoul, requested) — addressed to — Lee Jung-sik"
        ), chain
        assert not [w for a, w in requests.items() if a != act and w in chain]


def test_cq17_over_all_relations_a_country_is_a_shortcut_unless_hubs_are_avoided(
    G: nx.Graph,
) -> None:
    (short,) = shortest_paths(G, NEA, PROVINCE, k=1)
    assert ID + "place/cambodia" in short and len(short) < 8
    (avoiding,) = shortest_paths(G, NEA, PROVINCE, k=1, avoid_hubs=True)
    assert not any(G.nodes[n]["kind"] == "country" for n in avoiding)
    assert SOUR in avoiding


def test_stated_only_paths_leave_inferred_links_out(G: nx.Graph) -> None:
    moel = ID + "organization/moel"
    assert shortest_paths(G, ID + "person/lee-jung-sik", moel, layers=["stated"]) == []
    for path in shortest_paths(G, ID + "person/lee-jung-sik", moel, k=3):
        layers = {lk["layer"] for e in explain(G, path)["edges"] for lk in e["links"]}
        assert "inferred" in layers


def test_cq18_who_attended_both_meetings_and_brokers(G: nx.Graph) -> None:
    meetings = [n for n, d in G.nodes(data=True) if d["kind"] == "meeting"]
    attendees = [
        {lk.target for v in G.adj[m] for lk in G.edges[m, v]["links"] if lk.relation == "attendee"}
        for m in meetings
    ]
    assert set.intersection(*attendees) == {SOUR}
    top = [n for n, _ in brokers(G, kinds=["person"], top=2)]
    assert SOUR in top


def test_neighbours_grouped_by_relation(G: nx.Graph) -> None:
    groups = neighbours(G, SOUR)
    assert sorted(n["label"] for n in groups["attended"]) == [
        "Meeting of Heng Sour and Lee Cheol-woo, 6 March",
        "Meeting of Heng Sour and Lee Jung-sik, 8 March",
    ]
    assert len(groups["made"]) == 6
    assert [n["label"] for n in groups["holds"]] == ["Minister of Labour and Vocational Training"]


def test_ego_and_components(G: nx.Graph) -> None:
    near = ego(G, SOUR, radius=1)
    assert SOUR in near and ID + "meeting/meeting-heng-sour-lee-jung-sik-march-8" in near
    (biggest, *_) = list(connected_groups(G))
    assert SOUR in biggest and KOSHA in biggest


def test_unknown_nodes_and_groups_are_refused(G: nx.Graph) -> None:
    with pytest.raises(nx.NodeNotFound):
        shortest_paths(G, NSSF, ID + "organization/nobody")
    with pytest.raises(ValueError, match="unknown relation group or layer: gossip"):
        shortest_paths(G, NSSF, KOSHA, groups=["gossip"])


def test_the_projection_is_built_once_per_version(compiled) -> None:
    store = memory_store(compiled.nquads)
    projection = Projection(store)
    first = projection.graph()
    assert projection.graph() is first and projection.builds == 1
    store.add(
        b'<http://example.org/x> <http://www.w3.org/2000/01/rdf-schema#label> "X" '
        b"<http://example.org/g> .\n"
    )
    assert projection.graph() is not first and projection.builds == 2


class _Counting(OxigraphStore):
    """A store that counts the queries asked of it."""

    asked = 0

    def query(self, sparql: str, **asked: object) -> object:  # type: ignore[override]
        self.asked += 1
        return super().query(sparql, **asked)


def test_short_labels_read_the_sources_of_many_clashes_in_a_few_queries() -> None:
    """600 pairs of test nodes with the same label, date and status: their sources are read
    for all the clashing nodes at once (a query per 200), not once per pair (at a million
    triples a thousand queries, 1.6 s at the first path asked)."""
    from graph.read.evidence import EvidenceCache

    store = _Counting(memory_store().inner)
    H = nx.Graph()
    for i in range(600):
        for twin in "ab":
            H.add_node(f"https://test.example/{i}{twin}", label=f"Same label {i}", kind="act")
    H.graph["evidence"] = EvidenceCache(store)
    labels = short_labels(H)
    assert len(set(labels.values())) == 1200  # each told apart (by the end of its id)
    assert labels["https://test.example/7a"] == "Same label 7 (7a)"
    assert store.asked <= 6
