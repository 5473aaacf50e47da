"""The held-out test sources (tests/corpus-heldout, TEST DATA written after the code), checked the
same way as tests/corpus: declined and withdrawn answers, a second day and place for a meeting,
an approximate count beside an exact one."""

from __future__ import annotations

import pytest
from conftest import BASE, ID
from corpus_data import CORPUS, HELDOUT, seeds_with
from pyoxigraph import NamedNode

from graph.build.iris import Iris
from graph.build.pipeline import Compiled, compile_seeds
from graph.read.lookup import select
from graph.store import OxigraphStore, memory_store

pytestmark = pytest.mark.pipeline

MARCH_8 = ID + "meeting/meeting-heng-sour-lee-jung-sik-march-8"


@pytest.fixture(scope="module")
def heldout(tmp_path_factory: pytest.TempPathFactory) -> Compiled:
    root = seeds_with(tmp_path_factory.mktemp("heldout"), CORPUS, HELDOUT)
    return compile_seeds(root, Iris(BASE))


@pytest.fixture(scope="module")
def hstore(heldout: Compiled) -> OxigraphStore:
    return memory_store(heldout.nquads)


def test_it_builds_and_conforms(heldout: Compiled) -> None:
    assert len(heldout.sheets) == 4
    assert heldout.violations == []


@pytest.mark.parametrize(
    ("act", "current", "stated"),
    [
        ("sour-proposes-tvet-assistance", "declined", "proposed"),
        ("korea-intends-more-employment-opportunities", "withdrawn", "pledged"),
        ("sour-asks-examine-kosha-comwel-nssf", "agreed", "requested"),
    ],
)
def test_answers_set_the_current_status(
    hstore: OxigraphStore, act: str, current: str, stated: str
) -> None:
    rows = select(
        hstore,
        """SELECT ?act ?current ?stated WHERE {
            ?act bkg:currentStatus/skos:notation ?current ; bkg:status/skos:notation ?stated }""",
        act=NamedNode(ID + "act/" + act),
    )
    assert [(r["current"], r["stated"]) for r in rows] == [(current, stated)]


def test_another_day_and_place_for_the_seoul_meeting_are_conflicts(hstore: OxigraphStore) -> None:
    rows = select(
        hstore,
        """SELECT ?kind ?value ?source WHERE {
            ?c bkg:conflictKind ?kind ; bkg:conflictAbout ?m ; bkg:claim ?side .
            ?side bkg:claimValue ?value ; bkg:reportedIn ?source .
            FILTER (?m = <MEETING>)
        } ORDER BY ?kind ?value""".replace("MEETING", MARCH_8),
    )
    assert [(r["kind"], r["value"], r["source"].rsplit("/", 1)[1]) for r in rows] == [
        ("date", "2024?-03-08", "ppp-cambodia-korea-labour"),
        ("date", "XXXX-03-09", "test-heldout-answers"),
        ("place", "Gyeongsangbuk-do", "test-heldout-answers"),
        ("place", "Seoul", "ppp-cambodia-korea-labour"),
    ]
    # Both places stand, each in its own source's graph.
    places = select(
        hstore,
        """SELECT ?p ?g WHERE { GRAPH ?g { <MEETING> schema:location ?p } }
           ORDER BY ?g""".replace("MEETING", MARCH_8),
    )
    assert [r["p"].rsplit("/", 1)[1] for r in places] == ["seoul", "gyeongsangbuk-do"]


def test_an_approximate_count_is_a_value_conflict_and_joins_the_series(
    hstore: OxigraphStore,
) -> None:
    rows = select(
        hstore,
        """SELECT ?value ?source WHERE {
            ?c bkg:conflictKind "value" ; bkg:claim ?side .
            ?side bkg:claimValue ?value ; bkg:reportedIn ?source } ORDER BY ?value""",
    )
    assert [(r["value"], r["source"].rsplit("/", 1)[1]) for r in rows] == [
        ("9,778", "ppp-cambodia-korea-labour"),
        ("about 10,000", "test-heldout-answers"),
    ]
    series = select(
        hstore,
        """SELECT ?obs ?pos ?approx WHERE {
            ?s bkg:seriesMember ?obs . ?obs bkg:seriesPosition ?pos ; sdmxd:sex sdmxc:sex-T ;
                 bkg:population "Cambodians working in South Korea"@en .
            OPTIONAL { ?obs bkg:approximateValue ?approx }
        } ORDER BY ?pos""",
    )
    # By period; within a period by publication date (a source without one comes last).
    assert [(r["obs"].rsplit("/", 1)[1], r["approx"]) for r in series] == [
        ("cambodians-working-in-south-korea-2023-about", 10000),
        ("cambodians-working-in-south-korea-2023-total", None),
        ("cambodians-working-in-south-korea-2024-more-than", None),
    ]
