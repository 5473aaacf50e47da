"""The build: evidence offsets, determinism, layers, materialization, packaging."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest
from conftest import ARTICLE, BASE, SEEDS, SOURCE

from graph.build.iris import Iris
from graph.build.pipeline import compile_seeds
from ontology import generate


def test_seed_text_is_the_shared_article_unchanged() -> None:
    shared = Path(__file__).resolve().parents[2] / "shared" / "seed-article.txt"
    if not shared.exists():
        pytest.skip("../shared/seed-article.txt is not beside this checkout")
    if shared.exists():
        assert (
            shared.read_bytes() == (SEEDS / "articles/ppp-cambodia-korea-labour.txt").read_bytes()
        )
    assert len(ARTICLE) == 3224 and ARTICLE.startswith("Cambodia and South Korea have agreed")


def test_every_span_quotes_its_source_exactly(q) -> None:
    rows = q("""
        SELECT ?span ?exact ?start ?end ?text WHERE {
            ?span a oa:SpecificResource ; oa:hasSource ?src ;
                  oa:hasSelector [ oa:exact ?exact ], [ oa:start ?start ; oa:end ?end ] .
            ?src schema:text ?text .
        }""")
    assert len(rows) >= 60
    for r in rows:
        assert r["text"][r["start"] : r["end"]] == r["exact"], r["span"]
        assert r["span"].endswith(f"/{r['start']}-{r['end']}")


def test_spans_check_out_in_sparql_too(q) -> None:
    rows = q("""
        SELECT (COUNT(*) AS ?bad) WHERE {
            ?span oa:hasSource ?src ;
                  oa:hasSelector [ oa:exact ?exact ], [ oa:start ?s ; oa:end ?e ] .
            ?src schema:text ?text .
            FILTER (SUBSTR(STR(?text), ?s + 1, ?e - ?s) != STR(?exact))
        }""")
    assert rows == [{"bad": 0}]


@pytest.mark.pipeline
def test_two_builds_give_byte_identical_sorted_nquads(compiled) -> None:
    again = compile_seeds(SEEDS, Iris(BASE))
    assert again.nquads == compiled.nquads
    assert b"_:" not in compiled.nquads  # no blank nodes: IRIs are stable


@pytest.mark.pipeline
def test_the_base_iri_is_a_setting() -> None:
    other = compile_seeds(SEEDS, Iris("https://kg.example.org/"))
    text = other.nquads.decode()
    assert "<https://kg.example.org/id/person/heng-sour>" in text
    assert "bilateral-kg.example/id/" not in text


def test_seed_graph_conforms_to_the_shapes(compiled) -> None:
    assert compiled.violations == []


def test_layers_are_named_graphs(store) -> None:
    assert store.named_graphs() == sorted(
        [
            BASE + "graph/derived",
            BASE + "graph/inferred/ppp-cambodia-korea-labour",
            BASE + "graph/ontology",
            BASE + "graph/reference",
            BASE + "graph/stated/ppp-cambodia-korea-labour",
        ]
    )


@pytest.mark.parametrize(
    ("own", "standard"),
    [
        ("bkg:actor", "schema:agent"),
        ("bkg:addressee", "schema:recipient"),
        ("bkg:speaker", "schema:creator"),
        ("bkg:concerns", "schema:object"),
        ("bkg:field", "dcterms:subject"),
        ("bkg:summary", "schema:description"),
        ("bkg:iso3166Code", "schema:identifier"),
    ],
)
def test_every_own_property_asserts_its_standard_super_property(q, own: str, standard: str) -> None:
    rows = q(f"""PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT (COUNT(*) AS ?all) (SUM(IF(BOUND(?std), 1, 0)) AS ?with) WHERE {{
            GRAPH ?g {{ ?s {own} ?o }}
            OPTIONAL {{ GRAPH ?g {{ ?s {standard} ?o }} BIND (true AS ?std) }}
        }}""")
    assert rows[0]["all"] > 0 and rows[0]["with"] == rows[0]["all"], rows


@pytest.mark.parametrize(
    ("own", "standard"),
    [
        ("bkg:Meeting", "schema:Event"),
        ("bkg:Request", "schema:Action"),
        ("bkg:Quotation", "schema:Quotation"),
        ("bkg:Paraphrase", "schema:CreativeWork"),
        ("bkg:Programme", "schema:GovernmentService"),
        ("bkg:Assertion", "rdf:Statement"),
    ],
)
def test_every_own_class_asserts_its_standard_super_class(q, own: str, standard: str) -> None:
    rows = q(f"""SELECT (COUNT(?x) AS ?all) (SUM(IF(BOUND(?t), 1, 0)) AS ?with) WHERE {{
            ?x a {own} . OPTIONAL {{ ?x a {standard} BIND (true AS ?t) }} }}""")
    assert rows[0]["all"] > 0 and rows[0]["with"] == rows[0]["all"], rows


def test_standard_terms_are_materialized(q) -> None:
    meetings = q("SELECT ?m WHERE { ?m a schema:Event ; schema:attendee ?p } GROUP BY ?m")
    assert len(meetings) == 2
    agents = q("SELECT DISTINCT ?a WHERE { ?act a schema:Action ; schema:agent ?a }")
    assert len(agents) == 6
    orgs = q("SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a schema:Organization }")
    assert orgs == q("SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a org:Organization }")
    evidence = q("""SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {
        ?x prov:wasDerivedFrom ?span . ?span a oa:SpecificResource }""")
    assert evidence[0]["n"] > 50


def test_source_metadata(q) -> None:
    from pyoxigraph import NamedNode

    rows = q(
        """SELECT ?src ?title ?url ?publisher ?published WHERE {
        ?src a schema:NewsArticle ; rdfs:label ?title ; schema:url ?url ;
             schema:publisher/rdfs:label ?publisher .
        OPTIONAL { ?src schema:datePublished ?published } }""",
        src=NamedNode(SOURCE),
    )
    assert rows == [
        {
            "src": SOURCE,
            "title": "Phnom Penh Post article on Cambodia–South Korea employment and vocational ties",
            "url": "https://phnompenhpost.com/national/cambodia-s-korea-heighten-employment-vocational-ties",
            "publisher": "The Phnom Penh Post",
            "published": None,
        }
    ]


def test_namespace_module_matches_the_turtle() -> None:
    path = Path(generate.__file__).with_name("namespace.py")
    assert path.read_text(encoding="utf-8") == generate.render(), (
        "ontology/namespace.py is stale: run python -m ontology.generate"
    )


def test_every_own_term_has_a_label_and_a_definition() -> None:
    from rdflib import RDFS, URIRef
    from rdflib.namespace import SKOS

    from ontology import ONTOLOGY_IRI, ontology_graph

    g = ontology_graph()
    own = {s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(ONTOLOGY_IRI)}
    assert len(own) > 60
    for term in own:
        if str(term).endswith("/scheme") or str(term) == ONTOLOGY_IRI:
            continue
        assert g.value(term, RDFS.label) is not None, term
        assert g.value(term, SKOS.definition) is not None, term


def test_import_names_belong_to_this_distribution() -> None:
    dist = importlib.metadata.distribution("bilateral-kg")
    packages = importlib.metadata.packages_distributions()
    for name in ("graph", "api", "ontology"):
        assert set(packages.get(name, [])) == {"bilateral-kg"}, (name, packages.get(name))
    assert dist.entry_points.select(group="console_scripts", name="bilateral")


def test_facts_relying_on_an_inferred_identification_say_so(q) -> None:
    rows = q("""
        SELECT ?fact ?mention ?exact ?reason WHERE {
            ?fact bkg:reliesOn ?mention .
            ?mention oa:hasBody ?e ; bkg:epistemicStatus epi:inferred ; bkg:reason ?reason ;
                     oa:hasTarget/oa:hasSelector/oa:exact ?exact .
        }""")
    relied = {(r["fact"].rsplit("/", 1)[1], r["exact"]) for r in rows}
    assert (
        "sour-asks-examine-kosha-comwel-nssf",
        "Korean Workers’ Composition and Welfare Service Unit",
    ) in relied
    assert ("sour-asks-examine-keis-nea", "Korean Employment Information Service Unit") in relied
    assert ("post-march-10-by-mlvt", "the labour ministry") in relied
    assert all(r["reason"] for r in rows)
    # A strictly stated query: who wrote the post, leaving out inferred identifications.
    strict = q("""
        SELECT ?author WHERE {
            GRAPH ?g { ?a a bkg:Assertion ; rdf:predicate schema:author ; rdf:object ?author }
            ?g bkg:layer epi:stated .
            FILTER NOT EXISTS { ?a bkg:reliesOn ?m }
        }""")
    assert strict == []
