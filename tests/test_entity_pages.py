"""Entity and fact pages (/id/...) a researcher can scan (issues #17 and #15): facts grouped by
happening, dates in words, sources and status histories, derived shortcuts by what they derive
from, conflicts side by side; and twins (JSON, Turtle, JSON-LD) that carry the same facts and
evidence as the page."""

from __future__ import annotations

import html as html_text
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from chromium import run_script
from conftest import BASE
from corpus_data import CORPUS, seeds_with
from fastapi.testclient import TestClient
from server import serve
from test_views import _synthetic

from api.app import create_app
from api.config import Settings
from graph.build.iris import Iris
from graph.build.pipeline import build_store, compile_seeds
from graph.read import happenings
from graph.read.lookup import entity_view
from graph.read.query import select
from graph.store import DiskStore, OxigraphStore, memory_store
from ontology.vocabulary import NAMESPACES

BROWSER = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
HENG_SOUR = "id/person/heng-sour"
KOSHA = "id/organization/kosha"
MEETING = "id/meeting/meeting-heng-sour-lee-jung-sik-march-8"
REQUEST = "id/act/sour-asks-examine-kosha-comwel-nssf"
PAGES = [HENG_SOUR, KOSHA, MEETING, REQUEST, "id/person/lee-cheol-woo"]

BKG, OA, PROV = (NAMESPACES[n] for n in ("bkg", "oa", "prov"))
EPI = NAMESPACES["epi"]


@pytest.fixture(scope="module")
def client(store: OxigraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), store=store)) as c:
        yield c


def page(client: TestClient, path: str) -> str:
    r = client.get("/" + path, headers=BROWSER)
    assert r.status_code == 200, r.text
    return r.text


# ---- the facts of each representation --------------------------------------------------------

Facts = dict[str, frozenset[tuple[str, int, int]]]


def html_facts(text: str) -> Facts:
    """Each fact the page shows (``data-fact``) with the spans it shows as its evidence, and the
    meetings it shows as happenings (``data-happening``)."""
    found: dict[str, set[tuple[str, int, int]]] = {}
    for tag in re.findall(r"<[a-z]+ [^>]*data-(?:fact|happening)=[^>]*>", text):
        attrs = dict(re.findall(r'data-(fact|happening|evidence)="([^"]*)"', tag))
        iri = html_text.unescape(attrs.get("fact") or attrs["happening"])
        spans = found.setdefault(iri, set())
        for key in html_text.unescape(attrs.get("evidence", "")).split():
            source, _, offsets = key.rpartition("#")
            start, end = offsets.split("-")
            spans.add((source, int(start), int(end)))
    return {k: frozenset(v) for k, v in found.items()}


def json_facts(view: dict[str, Any]) -> Facts:
    found: dict[str, frozenset[tuple[str, int, int]]] = {
        f["iri"]: frozenset((e["source"]["iri"], e["start"], e["end"]) for e in f["evidence"])
        for f in view["facts"]
    }
    for h in view["happenings"]:
        spans = h.get("evidence") or []
        found.setdefault(
            h["iri"], frozenset((e["source"]["iri"], e["start"], e["end"]) for e in spans)
        )
        for c in h["conflicts"]:
            found.setdefault(c["iri"], frozenset())
    for c in view["conflicts"]:
        found.setdefault(c["iri"], frozenset())
    found.pop(view["iri"], None)
    return found


def rdf_facts(triples: set[ox.Triple], iri: str) -> Facts:
    """The fact nodes of an RDF twin (a layer other than reference, not an annotation) with the
    spans they derive from (source, start and end read from the selectors)."""
    by: dict[Any, dict[str, list[Any]]] = {}
    for t in triples:
        by.setdefault(t.subject, {}).setdefault(t.predicate.value, []).append(t.object)
    found: dict[str, frozenset[tuple[str, int, int]]] = {}
    for s, props in by.items():
        layers = props.get(BKG + "epistemicStatus", [])
        if s.value == iri or not layers or ox.NamedNode(EPI + "reference") in layers:
            continue
        if ox.NamedNode(OA + "Annotation") in props.get(NAMESPACES["rdf"] + "type", []):
            continue
        spans = set()
        for span in props.get(PROV + "wasDerivedFrom", []):
            sp = by.get(span, {})
            if OA + "hasSource" not in sp:
                continue
            offsets: dict[str, int] = {}
            for sel in sp[OA + "hasSelector"]:
                for name in ("start", "end"):
                    for v in by.get(sel, {}).get(OA + name, []):
                        offsets[name] = int(v.value)
            spans.add((sp[OA + "hasSource"][0].value, offsets["start"], offsets["end"]))
        found[s.value] = frozenset(spans)
    return found


@pytest.mark.parametrize("path", PAGES)
def test_twins_carry_the_facts_and_evidence_of_the_page(client: TestClient, path: str) -> None:
    iri = BASE + path
    shown = html_facts(page(client, path))
    view = client.get(f"/{path}.json").json()
    assert json_facts(view) == shown
    for suffix, fmt in [(".ttl", ox.RdfFormat.TURTLE), (".jsonld", ox.RdfFormat.JSON_LD)]:
        body = client.get(f"/{path}{suffix}").content
        triples = {q.triple for q in ox.parse(body, format=fmt)}
        assert rdf_facts(triples, iri) == shown, suffix
    # Far more than the resource's own ten triples, and every fact with its quotes.
    assert len(shown) > 3 and any(shown.values())


def test_turtle_names_what_it_links(client: TestClient) -> None:
    body = client.get(f"/{HENG_SOUR}.ttl").text
    triples = {q.triple for q in ox.parse(body.encode(), format=ox.RdfFormat.TURTLE)}
    labelled = {t.subject for t in triples if t.predicate.value.endswith("#label")}
    named = {t.object for t in triples if isinstance(t.object, ox.NamedNode)}
    people = {n for n in named if "/id/person/" in n.value and "#" not in n.value}
    assert people and people <= labelled
    # the quote and its offsets travel with the twin
    assert '"Minister of Labour and Vocational Training Heng Sour met with' in body


# ---- the page --------------------------------------------------------------------------------


def test_entity_page_groups_facts_by_meeting(client: TestClient) -> None:
    text = page(client, HENG_SOUR)
    meetings = re.findall(r'data-happening="([^"]+)"', text)
    assert meetings == [
        BASE + "id/meeting/meeting-heng-sour-lee-cheol-woo-march-6",
        BASE + MEETING,
    ]
    # The 8 March meeting: its date in words, where, with whom, and the acts made there.
    march8 = text.split(f'data-happening="{BASE + MEETING}"')[1].split("</section>")[0]
    assert '<span class="when">8 March 2024, year inferred</span>' in march8
    assert '<a href="/id/place/seoul">Seoul</a>' in march8
    assert 'with <a href="/id/person/lee-jung-sik">Lee Jung-sik</a>' in march8
    for act in ("sour-asks-examine-kosha-comwel-nssf", "sour-proposes-tvet-assistance"):
        assert f'data-fact="{BASE}id/act/{act}"' in march8
    assert "2024?-03" not in text and "XXXX-" not in text.split("<h2>What the graph says")[0]


def test_context_is_printed_once_per_meeting(client: TestClient) -> None:
    text = page(client, HENG_SOUR)
    march8 = text.split(f'data-happening="{BASE + MEETING}"')[1].split("</section>")[0]
    sentence = "The minister asked Lee to expand the skilled workers programme"
    assert march8.count(sentence) == 1
    assert "the sentence quoted above" in march8


def test_derived_shortcuts_say_what_they_derive_from(client: TestClient) -> None:
    text = page(client, HENG_SOUR)
    derived = text.split('id="derived"')[1].split("</section>")[0]
    # A proposal is not a request for cooperation.
    items = re.findall(r"<li[^>]*>(.*?)</li>", derived, re.S)
    proposals = [i for i in items if "Proposal by Heng Sour" in i]
    assert proposals and all(">proposed to</a>" in i for i in proposals)
    requests = [i for i in items if "from <a" in i and "Request by Heng Sour" in i]
    assert requests and all(">requested cooperation of</a>" in i for i in requests)
    # The addressee's page says them backward: offered a proposal, asked by requests.
    addressee = page(client, "id/person/lee-jung-sik").split('id="derived"')[1]
    items = re.findall(r"<li[^>]*>(.*?)</li>", addressee.split("</section>")[0], re.S)
    (offered,) = [i for i in items if "Proposal by Heng Sour" in i]
    assert ">received a proposal from</a>" in offered
    asked = [i for i in items if "Request by Heng Sour" in i]
    assert len(asked) == 3 and all(">was asked by</a>" in i for i in asked)
    # Each names its fact with its date: two requests of one wording are told apart.
    assert "Request by Heng Sour: expand the skilled workers programme</a> (8 March 2024" in derived
    # The object of a relation says so in the relation's backward words.
    assert "· as is the counterpart of</span>" in text
    # They are not listed again among the reference data.
    reference = text.split("<h2>What the graph says</h2>")[1].split("</table>")[0]
    assert "met with" not in reference and "agreed with" not in reference


def test_a_country_page_does_not_say_it_takes_part_in_each_of_its_meetings(
    client: TestClient,
) -> None:
    text = page(client, "id/place/cambodia")
    assert "data-happening=" in text and "takes part in" not in text  # its page says so
    assert "· as partner" in text  # the roles a source states stay


def test_meeting_page_names_not_iris(client: TestClient) -> None:
    text = page(client, MEETING)
    assert "id/span/" not in re.sub(r'(href|data-[a-z]+)="[^"]*"', "", text)
    assert "/time<" not in text and ">id/" not in text
    assert '<strong id="when">8 March 2024, year inferred</strong>' in text
    assert "Made at this meeting" in text


def test_a_fact_page_prints_the_context_of_neighbouring_quotes_once(client: TestClient) -> None:
    text = page(client, MEETING)
    evidence = text.split("<h2>Evidence</h2>")[1].split("<h2>")[0]
    assert evidence.count("<blockquote>") == 1 and evidence.count("<mark>") == 2
    assert evidence.count("Employment Permit System (EPS)") == 1
    assert 'characters <a href="/id/source/ppp-cambodia-korea-labour#span-337-527">' in evidence


def test_act_page_shows_its_status_history_and_sources(client: TestClient) -> None:
    text = page(client, REQUEST)
    status = text.split('id="status"')[1].split("</section>")[0]
    assert '<span class="step">requested 8 March 2024, year inferred' in status
    sources = text.split('id="sources"')[1].split("</section>")[0]
    assert "Phnom Penh Post article on Cambodia–South Korea employment" in sources


def test_a_status_that_never_changed_has_no_history_line(client: TestClient) -> None:
    text = page(client, "id/person/lee-cheol-woo")
    other = text.split('id="other-facts"')[1].split("</section>")[0]
    assert other.count('<span class="badge st st-under-examination">under examination</span>') == 3
    assert 'class="steps"' not in other
    # The three examinations rest on one sentence: printed once.
    assert other.count("the governor will examine the possibility of providing equipment") == 1
    assert other.count("the sentence quoted above") == 2


def test_facts_outside_meetings_come_by_kind(client: TestClient) -> None:
    view = client.get("/id/place/cambodia.json").json()
    assert [g["title"] for g in view["other_facts"]][:2] == ["Cooperation acts", "Statements"]
    acts = view["other_facts"][0]["facts"]
    by = {f["iri"]: f for f in view["facts"]}
    assert {by[a]["kind"] for a in acts} == {"act"}
    text = page(client, "id/place/cambodia")
    assert '<h3 class="group">Cooperation acts <span class="n">' in text


def test_a_quotation_is_a_fact_not_a_source(client: TestClient) -> None:
    view = client.get("/id/statement/sour-quote-eps-incomes-skills.json").json()
    assert (view["kind"], view["layer"], view["source"]) == ("fact", "stated", None)
    assert [s["id"] for s in view["sources"]] == ["source/ppp-cambodia-korea-labour"]
    text = page(client, "id/statement/sour-quote-eps-incomes-skills")
    assert "Annotated spans" not in text and 'id="sources"' in text


def test_a_source_page_says_what_it_reports_and_folds_its_spans(client: TestClient) -> None:
    text = page(client, "id/source/ppp-cambodia-korea-labour")
    assert "Meetings it reports" in text and "Other facts it reports" in text
    assert '<details id="spans">' in text
    assert "· as reported in" not in text


def test_a_derived_link_page_shows_what_it_derives_from(client: TestClient) -> None:
    view = client.get(f"/{HENG_SOUR}.json").json()
    link = next(
        f for f in view["facts"] if f["kind"] == "derived link" and f["words"] == "met with"
    )
    text = page(client, link["href"].lstrip("/"))
    assert "<h2>Derived from" in text
    assert f'data-happening="{link["derived_from"][0]["iri"]}"' in text


# ---- with the test corpus: a follow-up, repeated reports, conflicts (TEST DATA) ---------------


@pytest.fixture(scope="module")
def corpus_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    seeds: Path = seeds_with(tmp_path_factory.mktemp("entity-pages"), CORPUS)
    cstore = memory_store(compile_seeds(seeds, Iris(BASE)).nquads)
    with TestClient(create_app(Settings(), store=cstore)) as c:
        yield c


@pytest.mark.pipeline
def test_an_act_shows_its_current_status_and_history_with_sources(
    corpus_client: TestClient,
) -> None:
    text = page(corpus_client, REQUEST)
    assert '<span class="badge st st-requested">requested</span>' in text.split("</h1>")[1][:600]
    assert '<span class="badge st st-agreed">agreed</span>' in text.split("</h1>")[1][:800]
    status = text.split('id="status"')[1].split("</section>")[0]
    steps = re.findall(r'<span class="step">(.*?)</span>', status, re.S)
    assert [re.sub(r"<[^>]+>", "", s).split(" (")[0] for s in steps] == [
        "requested 8 March 2024, year inferred",
        "agreed 12 June 2024 by Agreement by Korea Occupational Safety and Health Agency and "
        "National Social Security Fund: cooperate on occupational safety and health",
    ]
    assert "Test wire on the KOSHA–NSSF agreement (test data)" in steps[1]
    # On the entity page too, the request carries its history.
    kosha = page(corpus_client, KOSHA)
    item = kosha.split(f'data-fact="{BASE + REQUEST}"')[1].split("</li>")[0]
    assert '<span class="step">requested 8 March 2024, year inferred' in item
    assert "agreed 12 June 2024" in item


@pytest.mark.pipeline
def test_conflicts_stand_side_by_side_on_the_entity_page(corpus_client: TestClient) -> None:
    text = page(corpus_client, HENG_SOUR)
    box = text.split('id="conflicts"')[1].split("</section>\n</section>")[0]
    assert "Sources differ on the spelling of Heng Sour" in box
    values = re.findall(r'<p class="value">(.*?)</p>', box)
    assert sorted(values) == ["Heng Sour", "Heng Sour", "Heng Suor"]
    assert (
        "Test wire on Heng Sour&#39;s visits to Gyeongsangbuk-do (test data)</a>, 28 December 2024"
        in box
    )


@pytest.mark.pipeline
def test_a_fact_reported_twice_lists_both_sources(corpus_client: TestClient) -> None:
    text = page(corpus_client, HENG_SOUR)
    march6 = BASE + "id/meeting/meeting-heng-sour-lee-cheol-woo-march-6"
    card = text.split(f'data-happening="{march6}"')[1].split("</section>")[0]
    assert ">2 sources</span>" in card
    assert "Heng Suor met Lee Cheol-woo, mayor of Gyeongsangbuk-do, on March 6." in card
    assert "Earlier, Sour met with Lee Cheol-woo, governor of Gyeongsangbuk-do" in card


@pytest.mark.pipeline
@pytest.mark.parametrize("path", [*PAGES, "id/act/kosha-nssf-agree-osh"])
def test_twins_carry_the_facts_with_the_corpus(corpus_client: TestClient, path: str) -> None:
    shown = html_facts(page(corpus_client, path))
    assert json_facts(corpus_client.get(f"/{path}.json").json()) == shown
    body = corpus_client.get(f"/{path}.ttl").content
    triples = {q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE)}
    assert rdf_facts(triples, BASE + path) == shown


# ---- a very connected entity, paged (the benchmark's synthetic graph, TEST DATA) ------------


@pytest.fixture(scope="module")
def synthetic() -> Iterator[tuple[TestClient, OxigraphStore]]:
    store = memory_store(_synthetic(20_000, seed=5))
    with TestClient(create_app(Settings(), store=store)) as c:
        yield c, store


def _most_connected_country(store: OxigraphStore) -> str:
    rows = select(
        store,
        """SELECT ?c (COUNT(?n) AS ?k) WHERE { ?c a schema:Country ; bkg:takesPartIn ?n }
        GROUP BY ?c ORDER BY DESC(?k) ?c LIMIT 1""",
    )
    return str(rows[0]["c"])


def _same_facts_in_every_twin(client: TestClient, url: str, iri: str) -> Facts:
    path, _, query = url.partition("?")
    suffixed = [f"{path}{suffix}{'?' + query if query else ''}" for suffix in (".json", ".ttl")]
    shown = html_facts(client.get(url, headers=BROWSER).text)
    assert json_facts(client.get(suffixed[0]).json()) == shown, url
    body = client.get(suffixed[1]).content
    triples = {q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE)}
    assert rdf_facts(triples, iri) == shown, url
    return shown


@pytest.mark.pipeline
def test_a_very_connected_country_is_paged_per_group_and_no_fact_is_lost_or_repeated(
    synthetic: tuple[TestClient, OxigraphStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, store = synthetic
    iri = _most_connected_country(store)
    path = "/" + iri.removeprefix(BASE)
    everything = entity_view(store, iri)
    assert everything is not None and len(everything.facts) > 40
    monkeypatch.setattr(happenings, "GROUP_PAGE", 4)
    first = client.get(f"{path}.json").json()
    # Bounded: a few of each group, and a "more" link for those that have more.
    assert len(first["happenings"]) <= 4 and len(first["derived"]) <= 4
    assert all(len(g["facts"]) <= 4 for g in first["other_facts"])
    assert len(first["facts"]) < len(everything.facts)
    assert {"happenings", "derived"} <= set(first["next"]), first["totals"]
    assert first["totals"]["happenings"] > 4
    # Following every "more" link, group by group, gives each fact exactly once.
    pages, queue = [first], list(first["next"].values())
    while queue:
        links = queue.pop()
        assert links["json"].startswith(f"{path}.json?group=")
        view = client.get(links["json"]).json()
        assert view["facts"] or view["mentions"] or view["happenings"], links
        assert set(view["next"]) <= {view["group"]}
        pages.append(view)
        queue += view["next"].values()
    shown = [f["iri"] for view in pages for f in view["facts"]]
    assert len(shown) == len(set(shown))
    assert set(shown) == {f.iri for f in everything.facts}
    mentions = [m["iri"] for view in pages for m in view["mentions"]]
    assert len(mentions) == len(set(mentions)) == first["totals"]["mentions"]
    # The page and its twins carry the same facts, on the first page and on further ones.
    assert _same_facts_in_every_twin(client, path, iri)
    for links in first["next"].values():
        assert _same_facts_in_every_twin(client, links["html"], iri)
    html = client.get(path, headers=BROWSER).text
    assert html.count('rel="next"') == len(first["next"])
    assert client.get(f"{path}.json?group=everything").status_code == 400


# ---- in chromium (seed plus the test corpus, TEST DATA) --------------------------------------

SOURCE = "id/source/ppp-cambodia-korea-labour"
SHOWN = [HENG_SOUR, KOSHA, "id/meeting/meeting-heng-sour-lee-cheol-woo-march-6", REQUEST, SOURCE]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run of tests/browser/entity.mjs against a real ``bilateral serve`` of the seed and
    the test corpus; its report (screenshots in the run's temporary folder)."""
    folder = tmp_path_factory.mktemp("entity-pages-browser")
    root = folder / "store"
    build_store(seeds_with(folder, CORPUS), DiskStore(root), Iris(BASE))
    with serve(root) as base:
        return run_script("entity.mjs", base, tmp_path_factory.mktemp("shots"), *SHOWN)


@pytest.mark.browser
def test_pages_load_nothing_from_elsewhere_and_save_screenshots(report: dict[str, Any]) -> None:
    assert report["foreignRequests"] == [] and report["failedRequests"] == []
    assert report["consoleErrors"] == []
    for name in report["shots"]:
        assert (Path(report["out"]) / name).stat().st_size > 10_000, name
    for path in SHOWN:
        shown = report["pages"][path]
        assert shown["status"] == 200 and not shown["overflows"], path
        # Dates in words, names not IRIs.
        assert shown["rawDates"] == [] and shown["rawLinks"] == [], path


@pytest.mark.browser
def test_entity_page_in_the_browser(report: dict[str, Any]) -> None:
    sour = report["pages"][HENG_SOUR]
    assert sour["title"] == "Heng Sour"
    # A page a researcher scans: about half the 6,800 px it took before.
    assert sour["height"] < 4500
    assert [(h["when"], h["title"]) for h in sour["happenings"]] == [
        ("6 March 2024, year inferred", "Meeting of Heng Sour and Lee Cheol-woo, 6 March"),
        ("8 March 2024, year inferred", "Meeting of Heng Sour and Lee Jung-sik, 8 March"),
        ("27 December 2024, year inferred", "Meeting of Heng Sour and Lee Cheol-woo, 27 December"),
    ]
    assert [h["facts"] for h in sour["happenings"]] == [2, 4, 0]
    # Every fact shows its evidence: a quote, or a pointer to the same sentence above.
    assert all(f["shown"] == f["evidence"] for f in sour["facts"])
    request = next(f for f in sour["facts"] if f["fact"] == BASE + REQUEST)
    assert request["status"] == "agreed"
    assert [s.split(" (")[0] for s in request["steps"]] == [
        "requested 8 March 2024, year inferred",
        "agreed 12 June 2024 by Agreement by Korea Occupational Safety and Health Agency and "
        "National Social Security Fund: cooperate on occupational safety and health",
    ]
    [spelling] = sour["conflicts"]
    assert spelling["values"] == ["Heng Sour", "Heng Suor", "Heng Sour"]
    assert spelling["sources"][1].endswith("(test data), 28 December 2024")
    assert any(d.startswith("proposed to") for d in sour["derived"])


@pytest.mark.browser
def test_fact_pages_in_the_browser(report: dict[str, Any]) -> None:
    meeting = report["pages"]["id/meeting/meeting-heng-sour-lee-cheol-woo-march-6"]
    assert meeting["when"] == "6 March 2024, year inferred"
    assert [s.split("\t")[0] for s in meeting["sources"]] == [
        "Test wire on Heng Sour's visits to Gyeongsangbuk-do (test data)",
        "Phnom Penh Post article on Cambodia–South Korea employment and vocational ties",
    ]
    act = report["pages"][REQUEST]
    assert act["steps"][0].startswith("requested 8 March 2024, year inferred")
    assert act["steps"][1].startswith("agreed 12 June 2024 by Agreement by Korea Occupational")
    kosha = report["pages"][KOSHA]
    assert kosha["happenings"][0]["title"] == "Meeting of Heng Sour and Lee Jung-sik, 8 March"
    assert kosha["height"] < 2500
