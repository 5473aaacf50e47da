"""Linked data: every IRI of the graph dereferences as a page, its JSON twin and RDF."""

from __future__ import annotations

import doctest
import html as html_text
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from conftest import ARTICLE, BASE, ID, SOURCE
from fastapi import FastAPI
from fastapi.testclient import TestClient
from markupsafe import escape

from api.app import create_app
from api.config import Settings
from api.routes import resources
from api.routes.resources import page_view
from graph.read import ids
from graph.read.resource import Paging
from graph.store import OxigraphStore, memory_store

HENG_SOUR = ID + "person/heng-sour"
MEETING = ID + "meeting/meeting-heng-sour-lee-jung-sik-march-8"
ACT = ID + "act/sour-asks-examine-kosha-comwel-nssf"
INFERRED = ID + "assertion/ppp-cambodia-korea-labour/lee-jung-sik-holds-minister-of-employment"
RESOURCES = [HENG_SOUR, MEETING, ACT, INFERRED, SOURCE]


def _app(settings: Settings, store: OxigraphStore) -> FastAPI:
    app = create_app(settings, store=store)
    if not any(getattr(route, "path", None) == "/id/{path:path}" for route in app.routes):
        app.include_router(resources.router)
    return app


def path(iri: str) -> str:
    return "/" + iri.removeprefix(BASE)


def html(client: TestClient, iri: str) -> str:
    r = client.get(path(iri), headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    return r.text


def marked(start: int, end: int) -> str:
    """The evidence sentence as the page shows it: escaped, inside <mark>."""
    return f"<mark>{escape(ARTICLE[start:end])}</mark>"


# ------------------------------------------------------------------------------------------
# The pages
# ------------------------------------------------------------------------------------------


def test_entity_page_shows_names_types_and_facts_with_evidence(client: TestClient) -> None:
    page = html(client, HENG_SOUR)
    assert "<title>Heng Sour · bilateral-kg</title>" in page
    assert "<h1>Heng Sour</h1>" in page
    assert '<a href="https://schema.org/Person" title="schema:Person">person</a>' in page
    assert "<tr><th>also called</th><td>Heng Suor, Sour</td></tr>" in page
    # a fact with its status, the entity's role and the sentence that says so, with its source
    assert '<a class="title" href="/id/act/sour-asks-expand-skilled-workers-programme">' in page
    assert '<span class="badge st st-requested">requested</span>' in page
    assert '<span class="badge st st-agreed">agreed</span>' in page
    assert marked(1902, 2045) in page
    assert '<a href="/id/source/ppp-cambodia-korea-labour#span-1902-2045">in context</a>' in page
    # derived facts say what they derive from
    assert ">requested cooperation of</a>" in page
    assert '<span class="where">from <a href="/id/act/sour-asks-examine-keis-nea">' in page
    # where the source names him
    assert "<h2>Where the sources name it" in page
    assert marked(380, 389) in page
    # the twins and the explorer
    for suffix, media in [
        (".json", "application/json"),
        (".jsonld", "application/ld+json"),
        (".ttl", "text/turtle"),
        (".nt", "application/n-triples"),
    ]:
        assert f'<link rel="alternate" type="{media}" href="/id/person/heng-sour{suffix}"' in page
    assert '<a href="/id/person/heng-sour.json" type="application/json">' in page
    focus = "https%3A%2F%2Fbilateral-kg.example%2Fid%2Fperson%2Fheng-sour"
    assert f'<a href="/explore?focus={focus}">explore its network</a>' in page


def test_reference_ids_link_out(client: TestClient) -> None:
    page = html(client, ID + "place/seoul")
    assert "<tr><th>identifier</th><td>KR-11</td></tr>" in page
    wikidata = "http://www.wikidata.org/entity/Q8684"
    assert f'<td><a href="{wikidata}">{wikidata}</a></td>' in page


def test_meeting_page_links_its_attendees_and_shows_the_layer_of_each_value(
    client: TestClient,
) -> None:
    page = html(client, MEETING)
    assert "<h1>Meeting of Heng Sour and Lee Jung-sik, 8 March</h1>" in page
    assert '<span class="badge layer-stated" title="stated: a source says it">stated</span>' in page
    assert '<li><a href="/id/person/heng-sour">Heng Sour</a> <span' in page
    assert '<li><a href="/id/person/lee-jung-sik">Lee Jung-sik</a> <span' in page
    assert '<li><a href="/id/place/seoul">Seoul</a> <span' in page
    # the year is inferred, the day stated: in words, beside the exact value
    inferred = '<li>8 March 2024, year inferred <code>2024?-03-08</code> <span class="badge layer-inferred"'
    assert inferred in page
    given = '<li>8 March, year not given <code>XXXX-03-08</code> <span class="badge layer-stated"'
    assert given in page
    assert "<h2>Evidence</h2>" in page and marked(337, 527) in page and marked(528, 670) in page
    # the acts on this occasion
    assert '<a class="title" href="/id/act/sour-asks-examine-kosha-comwel-nssf">' in page


def test_act_page_shows_status_roles_and_evidence(client: TestClient) -> None:
    page = html(client, ACT)
    assert "<h1>Request by Heng Sour: examine the possibility" in page
    assert '<span class="badge st st-requested">requested</span>' in page
    assert '<a href="/ontology" title="bkg:actor">actor</a><span class="where">' in page
    for partner in ("kosha", "comwel", "nssf"):
        assert f'<a href="/id/organization/{partner}">' in page
    assert (
        '<a href="/id/meeting/meeting-heng-sour-lee-jung-sik-march-8">'
        "Meeting of Heng Sour and Lee Jung-sik, 8 March</a>"
    ) in page
    assert marked(917, 1332) in page
    assert "they return home,” said Sour.\n" + marked(917, 1332) in page  # in its context
    assert (
        '<a href="/id/source/ppp-cambodia-korea-labour">Phnom Penh Post article on '
        "Cambodia–South Korea employment and vocational ties</a>"
    ) in page


def test_inferred_fact_shows_its_reason(client: TestClient) -> None:
    page = html(client, INFERRED)
    assert "<h1>Lee Jung-sik — holds — Minister of Employment and Labor</h1>" in page
    assert (
        'layer-inferred" title="inferred: not said outright; the reason is given">inferred</span>'
        in page
    )
    assert (
        "<strong>Why inferred:</strong> The article gives no title: it calls Lee Jung-sik the "
        "South Korean counterpart of Cambodia&#39;s labour minister."
    ) in page
    assert marked(399, 440) in page
    assert '<a href="/id/post/minister-of-employment-and-labor">' in page


def test_source_page_highlights_every_annotated_span(client: TestClient, q) -> None:
    page = html(client, SOURCE)
    spans = q(
        """SELECT ?s ?span ?start ?end WHERE {
            ?span oa:hasSource ?s ; oa:hasSelector/oa:start ?start ; oa:hasSelector/oa:end ?end
        }""",
        s=ox.NamedNode(SOURCE),
    )
    assert len(spans) > 50
    for s in spans:
        assert f'<tr id="span-{s["start"]}-{s["end"]}">' in page
        assert f'href="#span-{s["start"]}-{s["end"]}"' in page  # its innermost text links to it
    view = resource_view_of(client, SOURCE)
    assert "".join(seg["text"] for seg in view["source"]["segments"]) == ARTICLE
    assert (
        '<mark class="evidence mention" data-spans="span-0-168 span-0-8">'
        '<a href="#span-0-8">Cambodia</a></mark>'
    ) in page
    assert (
        '<a href="/id/act/sour-asks-examine-kosha-comwel-nssf">Request by Heng Sour: examine'
    ) in page
    assert "<tr><th><a" in page and "https://phnompenhpost.com/national/" in page


def resource_view_of(client: TestClient, iri: str) -> dict:
    r = client.get(path(iri) + ".json")
    assert r.status_code == 200
    return r.json()


def test_named_graph_iris_dereference(client: TestClient) -> None:
    page = html(client, BASE + "graph/inferred/ppp-cambodia-korea-labour")
    assert "<h1>inferred layer" in page
    r = client.get("/graph/derived.ttl")
    assert r.status_code == 200 and "bkg:Layer" in r.text


# ------------------------------------------------------------------------------------------
# The JSON twin and the RDF representations
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("iri", RESOURCES)
def test_json_twin_is_the_view_model(client: TestClient, store: OxigraphStore, iri: str) -> None:
    view = page_view(store, iri, BASE)
    assert view is not None
    twin = client.get(path(iri) + ".json")
    assert twin.headers["content-type"] == "application/json"
    assert twin.json() == view
    assert client.get(path(iri), headers={"accept": "application/json"}).json() == view
    assert view["iri"] == iri
    assert {a["name"]: a["href"] for a in view["alternates"]} == {
        "html": path(iri),
        "json": path(iri) + ".json",
        "jsonld": path(iri) + ".jsonld",
        "turtle": path(iri) + ".ttl",
        "ntriples": path(iri) + ".nt",
    }


def test_view_model_content(store: OxigraphStore) -> None:
    view = page_view(store, INFERRED, BASE)
    assert view is not None
    assert (view["kind"], view["layer"], view["status"]) == ("fact", "inferred", None)
    assert view["reason"].startswith("The article gives no title")
    [evidence] = view["evidence"]
    assert (evidence["start"], evidence["end"]) == (399, 440)
    assert evidence["exact"] == ARTICLE[399:440]
    assert ARTICLE[:399].endswith(evidence["before"]) and evidence["more_before"]
    assert ARTICLE[440:].startswith(evidence["after"]) and evidence["more_after"]
    objects = {p["predicate"]["curie"]: p["objects"] for p in view["properties"]}
    assert objects["rdf:subject"][0]["href"] == "/id/person/lee-jung-sik"
    assert objects["rdf:predicate"][0]["label"] == "holds"
    act = page_view(store, ACT, BASE)
    assert act is not None and (act["kind"], act["status"]) == ("fact", "requested")
    assert [p["predicate"]["curie"] for p in act["properties"]][:3] == [
        "bkg:actor",
        "bkg:addressee",
        "bkg:partner",
    ]
    sour = page_view(store, HENG_SOUR, BASE)
    assert sour is not None and sour["kind"] == "entity" and sour["layer"] == "reference"
    assert {f["layer"] for f in sour["facts"]} == {"stated", "derived"}
    source = page_view(store, SOURCE, BASE)
    assert source is not None and source["kind"] == "source"
    assert all(s["cited_by"] for s in source["source"]["spans"])
    assert page_view(store, ID + "person/nobody", BASE) is None


def test_a_page_of_one_group(client: TestClient, store: OxigraphStore) -> None:
    """``?group=`` and ``?after=`` reach the view as one :class:`Paging`; an unknown group is
    a 400 that names the groups, whatever the representation."""
    first = page_view(store, HENG_SOUR, BASE)
    derived = page_view(store, HENG_SOUR, BASE, Paging("derived"))
    assert first is not None and derived is not None
    assert derived["group"] == "derived" and derived["derived"] == first["derived"] != []
    assert derived["happenings"] == [] and derived["mentions"] == []
    assert derived["first_page"] == path(HENG_SOUR)
    assert client.get(path(HENG_SOUR) + ".json?group=derived").json() == derived
    for suffix in ("", ".json", ".ttl"):
        r = client.get(path(HENG_SOUR) + suffix + "?group=everything")
        assert r.status_code == 400, suffix
        assert "unknown group 'everything'; use one of happenings" in r.json()["detail"]


def _subject_triples(store: OxigraphStore, iri: str) -> set[ox.Triple]:
    quads = store.inner.quads_for_pattern(ox.NamedNode(iri), None, None, None)
    return {ox.Triple(q.subject, q.predicate, q.object) for q in quads}


@pytest.mark.parametrize("iri", RESOURCES)
def test_rdf_representations_hold_the_same_triples(
    client: TestClient, store: OxigraphStore, iri: str
) -> None:
    expected = _subject_triples(store, iri)
    assert expected
    parsed = {}
    for media, fmt in [
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ]:
        r = client.get(path(iri), headers={"accept": media})
        assert r.status_code == 200 and r.headers["content-type"].startswith(media)
        parsed[media] = {q.triple for q in ox.parse(r.content, format=fmt)}
    # no blank nodes, so the graphs are isomorphic exactly when the sets are equal; the twins
    # hold the resource's own triples and what its page shows (tests/test_entity_pages.py)
    assert parsed["application/ld+json"] == parsed["text/turtle"]
    assert parsed["application/n-triples"] == parsed["text/turtle"]
    assert expected <= parsed["text/turtle"]


def test_turtle_uses_our_prefixes(client: TestClient) -> None:
    body = client.get("/id/act/sour-asks-examine-kosha-comwel-nssf.ttl").text
    assert "@prefix bkg: <https://bilateral-kg.example/ontology#> ." in body
    assert "bkg:status status:requested" in body


@pytest.mark.parametrize(
    ("suffix", "accept", "media"),
    [
        ("", "text/html", "text/html; charset=utf-8"),
        ("", "*/*", "text/html; charset=utf-8"),
        ("", "", "text/html; charset=utf-8"),
        ("", "application/ld+json", "application/ld+json"),
        ("", "text/turtle;q=0.9, application/n-triples;q=0.5", "text/turtle; charset=utf-8"),
        ("", "application/n-triples", "application/n-triples"),
        ("", "application/json", "application/json"),
        (".json", "text/html", "application/json"),
        (".jsonld", "text/turtle", "application/ld+json"),
        (".ttl", "application/json", "text/turtle; charset=utf-8"),
        (".nt", "text/html", "application/n-triples"),
    ],
)
def test_content_negotiation_suffix_twins_and_link_headers(
    client: TestClient, suffix: str, accept: str, media: str
) -> None:
    r = client.get("/id/person/heng-sour" + suffix, headers={"accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"] == media
    links = {
        '</id/person/heng-sour>; rel="alternate"; type="text/html"',
        '</id/person/heng-sour.json>; rel="alternate"; type="application/json"',
        '</id/person/heng-sour.jsonld>; rel="alternate"; type="application/ld+json"',
        '</id/person/heng-sour.ttl>; rel="alternate"; type="text/turtle"',
        '</id/person/heng-sour.nt>; rel="alternate"; type="application/n-triples"',
    }
    served = media.split(";")[0]
    assert set(r.headers["link"].split(", ")) == {link for link in links if served not in link}
    assert ("Accept" in r.headers.get("vary", "")) == (suffix == "")


def test_head_answers_like_get(client: TestClient) -> None:
    r = client.head("/id/person/heng-sour.ttl")
    assert r.status_code == 200 and r.headers["content-type"] == "text/turtle; charset=utf-8"
    assert 'rel="alternate"' in r.headers["link"]


# ------------------------------------------------------------------------------------------
# Errors
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "iri"),
    [
        ("/id/person/nobody", ID + "person/nobody"),
        ("/id/person/nobody.ttl", ID + "person/nobody"),
        ("/id/", ID),
        ("/id/a%20b", ID + "a b"),
        ("/graph/nothing", BASE + "graph/nothing"),
    ],
)
def test_an_iri_without_triples_is_a_404_problem(client: TestClient, url: str, iri: str) -> None:
    r = client.get(url, headers={"accept": "application/json"})
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"] == f"nothing is known about <{iri}>: no triple has it as subject"
    assert r.json()["instance"] == url.replace("%20", " ")
    # A browser gets a page that says the same, with a way home.
    page = client.get(url, headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 404
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert html_text.escape(f"nothing is known about <{iri}>", quote=True) in page.text
    assert '<a id="home" href="/">' in page.text


def test_nothing_acceptable_is_406(client: TestClient) -> None:
    r = client.get("/id/person/heng-sour", headers={"accept": "image/png"})
    assert r.status_code == 406
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"] == (
        f"<{HENG_SOUR}> comes as text/html, application/ld+json, text/turtle, "
        "application/n-triples, application/json"
    )


# ------------------------------------------------------------------------------------------
# The configured base, escaping, IRIs that end like a suffix
# ------------------------------------------------------------------------------------------

TINY_BASE = "https://kg.example/"
TINY = f"""\
<{TINY_BASE}id/person/x> <http://www.w3.org/2000/01/rdf-schema#label> "<script>alert('x')</script>" <{TINY_BASE}graph/g> .
<{TINY_BASE}id/person/x> <https://schema.org/sameAs> <javascript:alert(1)> <{TINY_BASE}graph/g> .
<{TINY_BASE}id/person/x> <https://schema.org/knows> <{TINY_BASE}id/document/report.ttl> <{TINY_BASE}graph/g> .
<{TINY_BASE}id/person/x> <https://schema.org/description> "a & b <b>bold</b>" <{TINY_BASE}graph/g> .
<{TINY_BASE}id/document/report.ttl> <http://www.w3.org/2000/01/rdf-schema#label> "A report" <{TINY_BASE}graph/g> .
""".encode()


@pytest.fixture(scope="module")
def tiny() -> Iterator[TestClient]:
    settings = Settings(base_iri=TINY_BASE)
    with TestClient(_app(settings, memory_store(TINY))) as c:
        yield c


def test_data_is_escaped_in_the_page(tiny: TestClient) -> None:
    page = tiny.get("/id/person/x", headers={"accept": "text/html"}).text
    assert "<script" not in page
    assert "<h1>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</h1>" in page
    assert "a &amp; b &lt;b&gt;bold&lt;/b&gt;" in page
    assert 'href="javascript:' not in page  # only http(s) IRIs become links
    assert "<td>javascript:alert(1)</td>" in page


def test_paths_map_onto_the_configured_base_not_the_host(tiny: TestClient) -> None:
    view = tiny.get("/id/person/x.json").json()
    assert view["iri"] == TINY_BASE + "id/person/x"
    [knows] = [p for p in view["properties"] if p["predicate"]["curie"] == "schema:knows"]
    assert knows["objects"][0]["href"] == "/id/document/report.ttl"
    assert tiny.get("/id/person/heng-sour").status_code == 404


def test_an_iri_may_end_like_a_suffix(tiny: TestClient) -> None:
    r = tiny.get("/id/document/report.ttl", headers={"accept": "text/html"})
    assert r.status_code == 200 and "<h1>A report</h1>" in r.text
    assert tiny.get("/id/document/report.ttl.json").json()["label"] == "A report"
    assert tiny.get("/id/document/report.ttl.ttl").headers["content-type"].startswith("text/turtle")


def test_local_href() -> None:
    assert ids.local_href(BASE + "id/span/s/1-2", BASE) == "/id/span/s/1-2"
    assert ids.local_href(BASE + "id/x y%z#f", BASE) == "/id/x%20y%25z%23f"
    assert ids.local_href(BASE + "graph/derived", BASE) == "/graph/derived"
    assert ids.local_href("https://bilateral-kg.example/ontology#actor", BASE) == "/ontology"
    assert ids.local_href("https://schema.org/Person", BASE) == "https://schema.org/Person"
    assert ids.local_href("urn:isbn:1", BASE) is None
    for module in (resources, ids):  # graph.read.resource's run with the doctests of graph/
        failures, _ = doctest.testmod(module)
        assert failures == 0
