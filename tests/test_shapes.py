"""SHACL: deliberately broken data is caught, with a message that says what is wrong."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import PROV, XSD

from graph.build.pipeline import Compiled
from graph.build.validate import union_graph, validate_graph
from ontology import OA, SDMX_MEASURE
from ontology.namespace import BKG, STATUS

pytestmark = pytest.mark.pipeline

ID = "https://bilateral-kg.example/id/"
ACT = URIRef(ID + "act/sour-asks-examine-kosha-comwel-nssf")
MEETING = URIRef(ID + "meeting/meeting-heng-sour-lee-jung-sik-march-8")
INFERRED = URIRef(
    ID + "assertion/ppp-cambodia-korea-labour/lee-jung-sik-holds-minister-of-employment"
)
WOMEN = URIRef(ID + "observation/cambodians-working-in-south-korea-2023-women")
PERSON = URIRef(ID + "person/pav-sina")


@pytest.fixture(scope="module")
def data(compiled: Compiled) -> Graph:
    return union_graph(compiled.dataset)


def drop_evidence(g: Graph) -> None:
    g.remove((ACT, PROV.wasDerivedFrom, None))


def two_statuses(g: Graph) -> None:
    g.add((ACT, BKG.status, STATUS.agreed))


def no_reason(g: Graph) -> None:
    g.remove((INFERRED, BKG.reason, None))


def women_exceed_total(g: Graph) -> None:
    g.set((WOMEN, SDMX_MEASURE.obsValue, Literal(12000, datatype=XSD.integer)))


def quote_off_by_one(g: Graph) -> None:
    span = next(iter(g.objects(ACT, PROV.wasDerivedFrom)))
    quote = URIRef(f"{span}/quote")
    exact = g.value(quote, OA.exact)
    g.set((quote, OA.exact, Literal(str(exact)[1:] + ".")))


def unlabelled_person(g: Graph) -> None:
    g.remove((PERSON, RDFS.label, None))


def act_without_actor(g: Graph) -> None:
    g.remove((ACT, BKG.actor, None))


def programme_attends(g: Graph) -> None:
    g.add((MEETING, URIRef("https://schema.org/attendee"), URIRef(ID + "programme/eps")))


def status_outside_the_scheme(g: Graph) -> None:
    g.remove((ACT, BKG.status, None))
    g.add((ACT, BKG.status, URIRef("https://bilateral-kg.example/ontology/status/signed")))


def fact_without_layer(g: Graph) -> None:
    g.remove((MEETING, BKG.epistemicStatus, None))


BREAKAGES: list[tuple[Callable[[Graph], None], str, str]] = [
    (drop_evidence, str(ACT), "a fact points to at least one evidence span of its source"),
    (two_statuses, str(ACT), "a cooperation act has exactly one status from the act status"),
    (no_reason, str(INFERRED), "an inferred or derived fact must carry its reason"),
    (women_exceed_total, str(WOMEN), "a count by sex exceeds the total"),
    (quote_off_by_one, ID + "source/ppp-cambodia-korea-labour", "evidence span "),
    (unlabelled_person, str(PERSON), "every entity has a label"),
    (act_without_actor, str(ACT), "a cooperation act has at least one actor"),
    (programme_attends, str(MEETING), "a meeting has attendees, each a person"),
    (status_outside_the_scheme, str(ACT), "a cooperation act has exactly one status"),
    (fact_without_layer, str(MEETING), "a fact is either stated or inferred, once"),
]


def test_the_seed_graph_conforms(data: Graph) -> None:
    assert validate_graph(data) == []


@pytest.mark.parametrize(
    ("breakage", "focus", "message"), BREAKAGES, ids=[b[0].__name__ for b in BREAKAGES]
)
def test_shacl_catches_broken_data(
    data: Graph, breakage: Callable[[Graph], None], focus: str, message: str
) -> None:
    g = Graph()
    for triple in data:
        g.add(triple)
    breakage(g)
    violations = validate_graph(g)
    assert any(v.focus == focus and v.message.startswith(message) for v in violations), [
        str(v) for v in violations
    ]


def test_violation_reads_well(data: Graph) -> None:
    g = Graph()
    for triple in data:
        g.add(triple)
    women_exceed_total(g)
    (violation,) = validate_graph(g)
    text = str(violation)
    assert text.startswith(f"Violation: {WOMEN} (Cambodians working in South Korea, 2023")
    assert "12000 > 9778" in text


def test_spans_are_typed(data: Graph) -> None:
    assert (
        URIRef(f"{next(iter(data.objects(ACT, PROV.wasDerivedFrom)))}"),
        RDF.type,
        OA.SpecificResource,
    ) in data
