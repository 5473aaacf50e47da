"""The vocabulary's one home agrees with the ontology, and every part of the read side speaks it."""

from __future__ import annotations

import typing

import pyoxigraph as ox
from conftest import SOURCE

from api.routes.entities import Kind
from graph.read.projection import project
from graph.read.search import SearchIndex
from graph.store import OxigraphStore
from ontology import ontology_graph, scheme_notations
from ontology.vocabulary import (
    GROUPS,
    KINDS,
    LAYERS,
    NAMESPACES,
    PREFIXES,
    SEARCH_KINDS,
    curie,
    kind_of,
)


def test_the_layers_are_the_epistemic_scheme() -> None:
    assert set(LAYERS) == set(scheme_notations("epistemic"))


def test_the_prefixes_are_the_namespaces_and_parse(store: OxigraphStore) -> None:
    assert PREFIXES.count("PREFIX ") == len(NAMESPACES)
    result = store.query(PREFIXES + "ASK { ?s a schema:Person }")
    assert isinstance(result, ox.QueryBoolean) and bool(result)


def test_every_class_of_a_kind_is_known_and_has_one_kind() -> None:
    classes = [cls for k in KINDS for cls in k.classes]
    assert len(classes) == len(set(classes))
    ours = {str(s) for s in ontology_graph().subjects()}
    for cls in classes:
        prefix, name = cls.split(":")
        assert prefix in NAMESPACES
        if prefix == "bkg":
            assert NAMESPACES[prefix] + name in ours, cls
        assert kind_of(cls) is not None and curie(NAMESPACES[prefix] + name) == cls


def test_search_and_the_projection_agree_on_kinds(store: OxigraphStore) -> None:
    projection = project(store)
    hits = SearchIndex(store).search("Phnom Penh Post article", types=["source"], limit=5)
    assert [h.iri for h in hits][:1] == [SOURCE]
    assert projection.nodes[SOURCE]["kind"] == hits[0].kind == "source"
    assert typing.get_args(Kind) == SEARCH_KINDS


def test_every_relation_is_in_one_group() -> None:
    relations = [rel for rels in GROUPS.values() for rel in rels]
    assert len(relations) == len(set(relations))
