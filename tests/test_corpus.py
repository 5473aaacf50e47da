"""The graph as a corpus (issue #15), built from the seed plus the test sources of tests/corpus:
follow-ups and status histories, dates from publication, reports, conflicts, series, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import BASE, ID
from corpus_data import CORPUS, seeds_with

from graph.build.iris import Iris
from graph.build.pipeline import Compiled, compile_seeds
from graph.build.sheets import SeedError, load_seeds
from graph.read.lookup import select
from graph.store import OxigraphStore, memory_store

pytestmark = pytest.mark.pipeline

KOSHA_REQUEST = ID + "act/sour-asks-examine-kosha-comwel-nssf"
SKILLED_REQUEST = ID + "act/sour-asks-expand-skilled-workers-programme"
MARCH_6 = ID + "meeting/meeting-heng-sour-lee-cheol-woo-march-6"
DECEMBER_27 = ID + "meeting/meeting-heng-sour-lee-cheol-woo-december-27"


def tail(iri: str | None) -> str | None:
    return None if iri is None else iri.rsplit("/", 1)[-1]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Compiled:
    return compile_seeds(seeds_with(tmp_path_factory.mktemp("corpus"), CORPUS), Iris(BASE))


@pytest.fixture(scope="module")
def cstore(corpus: Compiled) -> OxigraphStore:
    return memory_store(corpus.nquads)


@pytest.fixture(scope="module")
def cq(cstore: OxigraphStore) -> Any:
    """Ask the corpus; bound variables are projected (Oxigraph needs them) and then dropped."""

    def run(query: str, **kw: Any) -> list[dict[str, Any]]:
        bound = "".join(f"?{k} " for k in kw)
        rows = select(cstore, query.replace("SELECT ", "SELECT " + bound, 1), **kw)
        return [{k: v for k, v in r.items() if k not in kw} for r in rows]

    return run


def test_the_corpus_builds_and_conforms(corpus: Compiled) -> None:
    assert [s.source.id for s in corpus.sheets] == [
        "ppp-cambodia-korea-labour",
        "test-gyeongsangbuk-visits",
        "test-kosha-nssf-agreement",
    ]
    assert corpus.violations == []


def test_the_seed_layers_are_unchanged(compiled: Compiled, corpus: Compiled) -> None:
    """Every stated and inferred quad of the seed article is still there, and no other source
    writes into its graphs."""
    ppp = (
        b"/graph/stated/ppp-cambodia-korea-labour>",
        b"/graph/inferred/ppp-cambodia-korea-labour>",
    )

    def of_seed(data: bytes) -> set[bytes]:
        return {line for line in data.splitlines() if line.rstrip(b" .").endswith(ppp)}

    assert of_seed(compiled.nquads) == of_seed(corpus.nquads)


def test_a_follow_up_turns_the_request_into_an_agreement(cq: Any) -> None:
    # The stated status stays what the seed article says ...
    stated = cq("SELECT ?s WHERE { ?act bkg:status/skos:notation ?s }", act=_iri(KOSHA_REQUEST))
    assert stated == [{"s": "requested"}]
    # ... the derived current status is the agreement's, with the history as its reason.
    rows = cq(
        """
        SELECT ?current ?reason WHERE {
            GRAPH ?g { ?act bkg:currentStatus ?c ; bkg:statusHistory ?h . ?h bkg:reason ?reason }
            ?g bkg:layer epi:derived . ?c skos:notation ?current .
        }""",
        act=_iri(KOSHA_REQUEST),
    )
    assert rows == [
        {
            "current": "agreed",
            "reason": "requested 8 March 2024? (The Phnom Penh Post); "
            "agreed 12 June 2024 (Test Wire, 2024-06-14)",
        }
    ]
    steps = _history(cq, KOSHA_REQUEST)
    assert steps == [
        (
            1,
            "requested",
            "sour-asks-examine-kosha-comwel-nssf",
            "2024?-03-08",
            "occasion",
            "ppp-cambodia-korea-labour",
        ),
        (2, "agreed", "kosha-nssf-agree-osh", "2024-06-12", "stated", "test-kosha-nssf-agreement"),
    ]


def test_a_repeated_request_gives_a_history_of_two_requests(cq: Any) -> None:
    steps = _history(cq, SKILLED_REQUEST)
    assert [(s[1], s[2], s[4]) for s in steps] == [
        ("requested", "sour-asks-expand-skilled-workers-programme", "occasion"),
        ("requested", "sour-asks-again-skilled-workers", "published"),
    ]
    current = cq(
        "SELECT ?c WHERE { ?act bkg:currentStatus/skos:notation ?c }", act=_iri(SKILLED_REQUEST)
    )
    assert current == [{"c": "requested"}]


def test_every_act_has_one_current_status(cq: Any) -> None:
    rows = cq(
        """
        SELECT ?act (COUNT(?c) AS ?n) WHERE {
            ?act a bkg:CooperationAct . OPTIONAL { ?act bkg:currentStatus ?c }
        } GROUP BY ?act"""
    )
    assert len(rows) == 17 and all(r["n"] == 1 for r in rows)


def test_one_meeting_two_reports_each_with_its_evidence(cq: Any) -> None:
    rows = cq(
        """
        SELECT ?count ?source ?exact WHERE {
            ?m bkg:reportCount ?count ; prov:wasDerivedFrom ?span .
            ?span oa:hasSource ?source ; oa:hasSelector/oa:exact ?exact .
        } ORDER BY ?source""",
        m=_iri(MARCH_6),
    )
    assert [(r["count"], tail(r["source"]), r["exact"]) for r in rows] == [
        (
            2,
            "ppp-cambodia-korea-labour",
            "Earlier, Sour met with Lee Cheol-woo, governor of Gyeongsangbuk-do province on March 6.",
        ),
        (
            2,
            "test-gyeongsangbuk-visits",
            "Heng Suor met Lee Cheol-woo, mayor of Gyeongsangbuk-do, on March 6.",
        ),
    ]
    # The derived bkg:reportedIn names the same sources.
    reported = cq("SELECT ?s WHERE { ?m bkg:reportedIn ?s } ORDER BY ?s", m=_iri(MARCH_6))
    assert [tail(r["s"]) for r in reported] == [
        "ppp-cambodia-korea-labour",
        "test-gyeongsangbuk-visits",
    ]


def test_a_date_without_a_year_takes_it_from_publication(cq: Any) -> None:
    rows = cq(
        """
        SELECT ?date ?layer ?reason WHERE {
            GRAPH ?g { ?a a bkg:Assertion ; rdf:subject ?m ; rdf:predicate schema:startDate ;
                          rdf:object ?date ; bkg:reason ?reason }
            ?g bkg:layer/skos:notation ?layer .
        }""",
        m=_iri(DECEMBER_27),
    )
    assert rows == [
        {
            "date": "2024-12-27",
            "layer": "inferred",
            "reason": "The source gives 27 December without a year and was published "
            "2024-12-28; the nearest 27 December on or before publication is 2024-12-27.",
        }
    ]
    # The source's own words stay yearless in the stated layer.
    stated = cq(
        """SELECT ?d WHERE { GRAPH ?g { ?m bkg:edtfDate ?d } ?g bkg:layer epi:stated }""",
        m=_iri(DECEMBER_27),
    )
    assert stated == [{"d": "XXXX-12-27"}]


def test_the_curators_date_wins_over_publication(cq: Any) -> None:
    """The seed's 6 March meeting has the curator's inferred 2024?; the second source's report
    of it gets the year from its own publication, in its own inferred layer; both agree."""
    rows = cq(
        """
        SELECT ?date ?g WHERE { GRAPH ?g { ?m schema:startDate ?date } } ORDER BY ?g""",
        m=_iri(MARCH_6),
    )
    assert [(r["date"], tail(r["g"])) for r in rows] == [
        ("2024-03-06", "ppp-cambodia-korea-labour"),
        ("2024-03-06", "test-gyeongsangbuk-visits"),
    ]


def test_conflicts_stand_side_by_side(cq: Any) -> None:
    rows = cq(
        """
        SELECT ?kind ?about ?value ?source WHERE {
            GRAPH ?g { ?c a bkg:Conflict ; bkg:conflictKind ?kind ; bkg:conflictAbout ?about ;
                          bkg:claim ?side . ?side bkg:claimValue ?value ; bkg:reportedIn ?source }
            ?g bkg:layer epi:derived .
        } ORDER BY ?kind ?value ?source"""
    )
    assert [(r["kind"], tail(r["about"]), r["value"], tail(r["source"])) for r in rows] == [
        ("post", "lee-cheol-woo", "Governor of Gyeongsangbuk-do", "ppp-cambodia-korea-labour"),
        ("post", "lee-cheol-woo", "Mayor of Gyeongsangbuk-do", "test-gyeongsangbuk-visits"),
        ("spelling", "heng-sour", "Heng Sour", "ppp-cambodia-korea-labour"),
        ("spelling", "heng-sour", "Heng Sour", "test-kosha-nssf-agreement"),
        ("spelling", "heng-sour", "Heng Suor", "test-gyeongsangbuk-visits"),
    ]
    # Both posts stand, each in its source's graph: nothing was overwritten.
    held = cq(
        """SELECT ?post ?g WHERE { GRAPH ?g { person:lee-cheol-woo org:holds ?post } }
           ORDER BY ?g""".replace("person:", f"<{ID}person/").replace("woo org", "woo> org")
    )
    assert [(tail(r["post"]), tail(r["g"])) for r in held] == [
        ("governor-of-gyeongsangbuk-do", "ppp-cambodia-korea-labour"),
        ("test-mayor-of-gyeongsangbuk-do", "test-gyeongsangbuk-visits"),
    ]


def test_qualified_numbers_stay_qualified(cq: Any) -> None:
    rows = cq(
        """
        SELECT ?obs ?exact ?min ?max ?qualifier ?currency ?per ?words ?label WHERE {
            ?obs a qb:Observation ; rdfs:label ?label ; bkg:asWritten ?words .
            OPTIONAL { ?obs sdmxm:obsValue ?exact } OPTIONAL { ?obs schema:minValue ?min }
            OPTIONAL { ?obs schema:maxValue ?max } OPTIONAL { ?obs bkg:valueQualifier ?qualifier }
            OPTIONAL { ?obs schema:currency ?currency } OPTIONAL { ?obs bkg:per ?per }
        } ORDER BY ?obs"""
    )
    assert [
        (
            tail(r["obs"]),
            r["exact"],
            r["min"],
            r["max"],
            r["qualifier"],
            r["currency"],
            r["per"],
            r["words"],
        )
        for r in rows
    ] == [
        (
            "cambodians-working-in-south-korea-2024-more-than",
            None,
            60000,
            None,
            "more-than",
            None,
            None,
            "More than 60,000",
        ),
        (
            "remittances-from-south-korea-2024",
            None,
            500000000,
            600000000,
            "range",
            "USD",
            "year",
            "500 to 600 million US dollars a year",
        ),
    ]
    assert rows[0]["label"].endswith("more than 60,000")
    assert rows[1]["label"].endswith("500,000,000 to 600,000,000 USD a year")


def test_observations_of_one_measure_form_a_series_ordered_by_period(cq: Any) -> None:
    rows = cq(
        """
        SELECT ?series ?pos ?obs ?period WHERE {
            GRAPH ?g { ?series a bkg:Series ; bkg:seriesMember ?obs . ?obs bkg:seriesPosition ?pos }
            ?g bkg:layer epi:derived . ?obs sdmxd:refPeriod ?period ;
            sdmxd:sex sdmxc:sex-T ; bkg:population "Cambodians working in South Korea"@en .
        } ORDER BY ?pos"""
    )
    assert len({r["series"] for r in rows}) == 1
    assert [(r["pos"], tail(r["obs"]), r["period"]) for r in rows] == [
        (1, "cambodians-working-in-south-korea-2023-total", "2023"),
        (2, "cambodians-working-in-south-korea-2024-more-than", "2024"),
    ]


def _iri(iri: str) -> Any:
    from pyoxigraph import NamedNode

    return NamedNode(iri)


def _history(cq: Any, act: str) -> list[tuple[Any, ...]]:
    rows = cq(
        """
        SELECT ?pos ?status ?by ?edtf ?basis ?source WHERE {
            ?act bkg:statusHistory/bkg:change ?step .
            ?step schema:position ?pos ; bkg:toStatus/skos:notation ?status ; bkg:byAct ?by ;
                  bkg:dateBasis ?basis ; bkg:reportedIn ?source .
            OPTIONAL { ?step bkg:edtfDate ?edtf }
        } ORDER BY ?pos""",
        act=_iri(act),
    )
    return [
        (r["pos"], r["status"], tail(r["by"]), r["edtf"], r["basis"], tail(r["source"]))
        for r in rows
    ]


# -- sheet errors across sources ----------------------------------------------------------------

FOLLOW_UP = """\
source:
  id: test-follow-up-error
  type: news-article
  label: A follow-up with a mistake (test data)
  text: ../articles/test-follow-up-error.txt
facts:
  - id: test-agree-again
    kind: agreement
    actors: [kosha, nssf]
    summary: cooperate on safety
    status: agreed
    follows: [{follows}]
    evidence: KOSHA and NSSF agreed to cooperate on safety.
"""


def _with_follow_up(tmp: Path, follows: str, extra: str = "") -> Path:
    root = seeds_with(tmp)
    (root / "articles" / "test-follow-up-error.txt").write_text(
        "TEST DATA. KOSHA and NSSF agreed to cooperate on safety. They also agreed again.",
        encoding="utf-8",
    )
    (root / "facts" / "test-follow-up-error.yaml").write_text(
        FOLLOW_UP.replace("{follows}", follows) + extra, encoding="utf-8"
    )
    return root


def test_a_follow_up_of_an_unknown_act_is_an_error_with_the_nearest_ids(tmp_path: Path) -> None:
    with pytest.raises(SeedError) as err:
        load_seeds(_with_follow_up(tmp_path, "sour-asks-examine-kosha-comwel"))
    [problem] = err.value.problems
    assert problem.file.endswith("facts/test-follow-up-error.yaml")
    assert problem.line == 12
    assert "no act 'sour-asks-examine-kosha-comwel' in any sheet" in problem.message
    assert "did you mean 'sour-asks-examine-kosha-comwel-nssf'" in problem.message


def test_a_cycle_of_follow_ups_is_an_error(tmp_path: Path) -> None:
    extra = """\
  - id: test-agree-once-more
    kind: agreement
    actors: [kosha, nssf]
    summary: cooperate on safety
    status: agreed
    follows: [test-agree-again]
    evidence: They also agreed again.
"""
    with pytest.raises(SeedError) as err:
        load_seeds(_with_follow_up(tmp_path, "test-agree-once-more", extra))
    messages = [p.message for p in err.value.problems]
    assert messages == [
        "follow-ups form a cycle: test-agree-again -> test-agree-once-more -> test-agree-again"
    ]


def test_one_act_with_two_statuses_is_an_error(tmp_path: Path) -> None:
    root = _with_follow_up(tmp_path, "sour-asks-examine-keis-nea")
    sheet = root / "facts" / "test-follow-up-error.yaml"
    sheet.write_text(
        sheet.read_text(encoding="utf-8")
        .replace("id: test-agree-again", "id: sour-asks-examine-keis-nea")
        .replace("follows: [sour-asks-examine-keis-nea]", ""),
        encoding="utf-8",
    )
    with pytest.raises(SeedError) as err:
        load_seeds(root)
    text = str(err.value)
    assert "is an agreement here but a request in" in text


def test_prepared_sources_and_conflicts_give_the_queried_ones(cstore: OxigraphStore) -> None:
    """The entity lookup's publication dates and conflicts, read from the view prepared per
    graph version, are what the store answers, for every entity of the corpus."""
    from graph.read.lookup import entity_view
    from graph.read.views import entity_conflicts, entity_facts, entity_published

    prepared = entity_facts(cstore)
    entities = [r["e"] for r in select(cstore, "SELECT DISTINCT ?e { ?e rdfs:label ?l }")]
    dated = disputed = 0
    for iri in entities:
        view = entity_view(cstore, iri, prepared)
        cited = {e.source for f in (view.facts if view else []) for e in f.evidence}
        published = entity_published(cstore, cited, prepared)
        assert published == entity_published(cstore, cited, None), iri
        found = entity_conflicts(cstore, BASE, iri, prepared)
        assert found == entity_conflicts(cstore, BASE, iri, None), iri
        dated += any(published.values())
        disputed += bool(found)
    assert dated > 10 and disputed >= 2
