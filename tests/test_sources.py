"""A second source: its entities merge with the seed's, its claims stand beside them."""

from __future__ import annotations

import shutil

import pytest
from conftest import BASE, SEEDS

from graph.build.iris import Iris
from graph.build.pipeline import Compiled, compile_seeds
from graph.read.lookup import entity_view
from graph.read.query import select
from graph.store import OxigraphStore, memory_store

pytestmark = pytest.mark.pipeline

TEXT = (
    "South Korea launched the Employment Permit System in 2004. "
    "Heng Suor, Cambodia’s labour minister, said the system had given thousands of workers "
    "a start."
)

SHEET = """\
source:
  id: test-eps-history
  type: news-article
  label: A short history of the EPS
  text: ../articles/test-eps-history.txt
mentions:
  - {text: Heng Suor, entity: heng-sour}
facts:
  - id: eps-launched-2004
    kind: relation
    subject: eps
    relation: start-date
    value: '2004'
    evidence: South Korea launched the Employment Permit System in 2004.
  - id: suor-says-eps-gave-a-start
    kind: statement
    speaker: heng-sour
    form: paraphrase
    about: [eps]
    evidence: >-
      Heng Suor, Cambodia’s labour minister, said the system had given thousands of workers a
      start.
"""


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> Compiled:
    seeds = tmp_path_factory.mktemp("two") / "seeds"
    shutil.copytree(SEEDS, seeds)
    (seeds / "articles" / "test-eps-history.txt").write_text(TEXT, encoding="utf-8")
    (seeds / "facts" / "test-eps-history.yaml").write_text(SHEET, encoding="utf-8")
    return compile_seeds(seeds, Iris(BASE))


@pytest.fixture(scope="module")
def two_store(two: Compiled) -> OxigraphStore:
    return memory_store(two.nquads)


def test_the_second_source_builds_and_conforms(two: Compiled) -> None:
    assert [s.source.id for s in two.sheets] == ["ppp-cambodia-korea-labour", "test-eps-history"]
    assert two.violations == []


def test_its_entities_merge_with_the_seed(two_store: OxigraphStore) -> None:
    view = entity_view(two_store, BASE + "id/person/heng-sour")
    assert view is not None
    sources = {ev.source.rsplit("/", 1)[1] for f in view.facts for ev in f.evidence}
    assert sources == {"ppp-cambodia-korea-labour", "test-eps-history"}
    people = select(two_store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a schema:Person }")
    assert people == [{"n": 4}]


def test_disagreeing_claims_stand_side_by_side(two_store: OxigraphStore) -> None:
    rows = select(
        two_store,
        """
        SELECT ?year ?g ?exact WHERE {
            GRAPH ?g { <https://bilateral-kg.example/id/programme/eps> schema:startDate ?year }
            ?a a bkg:Assertion ; rdf:subject <https://bilateral-kg.example/id/programme/eps> ;
               rdf:predicate schema:startDate ; rdf:object ?year ;
               prov:wasDerivedFrom/oa:hasSelector/oa:exact ?exact .
        } ORDER BY ?year""",
    )
    assert rows == [
        {
            "year": "2004",
            "g": BASE + "graph/stated/test-eps-history",
            "exact": "South Korea launched the Employment Permit System in 2004.",
        },
        {
            "year": "2006",
            "g": BASE + "graph/stated/ppp-cambodia-korea-labour",
            "exact": "the Employment Permit System (EPS), which began in 2006.",
        },
    ]


def test_the_seed_graph_is_unchanged_by_the_second_source(
    compiled: Compiled, two: Compiled
) -> None:
    seed = set(compiled.nquads.splitlines())
    both = set(two.nquads.splitlines())
    assert seed <= both
    added_graphs = {line.rsplit(b" ", 2)[-2] for line in both - seed}
    assert added_graphs <= {
        b"<https://bilateral-kg.example/graph/stated/test-eps-history>",
        b"<https://bilateral-kg.example/graph/reference>",
        b"<https://bilateral-kg.example/graph/derived>",
    }
    # The derived layer gains only what the second source adds: its statement's report and the
    # start-year conflict (2004 here, 2006 in the seed article).
    derived = {
        line.split(b" ", 1)[0]
        for line in both - seed
        if line.endswith(b"<https://bilateral-kg.example/graph/derived> .")
    }
    assert {s.split(b"/id/", 1)[1].split(b"/", 1)[0] for s in derived} == {
        b"statement",
        b"conflict",
    }


def test_the_start_years_are_a_conflict_with_both_sides(two_store: OxigraphStore) -> None:
    rows = select(
        two_store,
        """
        SELECT ?kind ?value ?source ?exact WHERE {
            GRAPH ?g { ?c a bkg:Conflict ; bkg:conflictKind ?kind ;
                          bkg:conflictAbout <https://bilateral-kg.example/id/programme/eps> ;
                          bkg:claim ?side .
                       ?side bkg:claimValue ?value ; bkg:reportedIn ?source ;
                             prov:wasDerivedFrom ?span }
            ?g bkg:layer epi:derived . ?span oa:hasSelector/oa:exact ?exact .
        } ORDER BY ?value""",
    )
    assert [(r["kind"], r["value"], r["source"].rsplit("/", 1)[1], r["exact"]) for r in rows] == [
        (
            "start-year",
            "2004",
            "test-eps-history",
            "South Korea launched the Employment Permit System in 2004.",
        ),
        (
            "start-year",
            "2006",
            "ppp-cambodia-korea-labour",
            "the Employment Permit System (EPS), which began in 2006.",
        ),
    ]
