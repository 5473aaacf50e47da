"""The reading pages: a country pair, its timeline, the ontology, /docs offline, problem pages
for browsers, the SPARQL editor's new tabs and errors; over HTTP and in chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from chromium import run_script
from fastapi.testclient import TestClient
from server import serve

from api.app import create_app
from api.config import Settings

BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


# ---- over HTTP ------------------------------------------------------------------------------


def assert_strip_is_clear(figure: str) -> int:
    """The pair page's strip (its SVG) leaves every mark in sight: no two marks overlap, and
    none reaches the month labels above the line or the two days below it. How many marks."""
    dots = [
        (float(x), float(y)) for x, y in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"', figure)
    ]
    bars = [
        (float(x), float(y) + 7, float(w))
        for x, y, w in re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"', figure)
    ]
    # Each mark as the box it covers: dots 7 each side of their centre, bars 7 above and below.
    boxes = [(x - 7, x + 7, y - 7, y + 7) for x, y in dots]
    boxes += [(x, x + w, y - 7, y + 7) for x, y, w in bars]
    for n, a in enumerate(boxes):
        for b in boxes[n + 1 :]:
            apart = a[1] <= b[0] or b[1] <= a[0] or a[3] <= b[2] or b[3] <= a[2]
            assert apart, (a, b)
    labels = [
        float(y) for y in re.findall(r'<text x="[\d.]+" y="([\d.]+)"[^>]*class="tick"', figure)
    ]
    ends = [float(y) for y in re.findall(r'<text x="[\d.]+" y="([\d.]+)" font-size="12"', figure)]
    assert len(ends) == 2 and ends[0] == ends[1]
    # A tick label's descenders end 3 below its baseline; the days' letters rise 12 above theirs.
    assert all(top > y + 3 for y in labels for _, _, top, _ in boxes)
    assert all(bottom < ends[0] - 12 for _, _, _, bottom in boxes)
    return len(boxes)


def test_landing_page_leads_with_the_pair(client: TestClient) -> None:
    html = client.get("/", headers=BROWSER).text
    assert '<a id="pair-link" href="/pair/KH-KR">Cambodia – South Korea</a>' in html
    assert '<a href="/acts?status=requested">3</a>' in html
    assert '<a href="/meetings">2</a>' in html
    assert client.get("/index.json").json()["pair"] == {
        "label": "Cambodia – South Korea",
        "page": "/pair/KH-KR",
        "timeline": "/timeline?countries=KH,KR",
        "explore": "/explore",
    }


def test_landing_page_of_a_corpus_shows_the_newest_sources_and_the_layers(compiled: Any) -> None:
    """With many sources the landing page lists the ten newest (the JSON keeps them all) and
    the layers' totals instead of every named graph."""
    from graph.store import memory_store

    # Test data: 14 dated sources, each with a span and its own stated graph.
    extra = []
    for i in range(14):
        src = f"<https://bilateral-kg.example/id/source/test-{i:02d}>"
        g = f"<https://bilateral-kg.example/graph/stated/test-{i:02d}>"
        extra += [
            f'{src} <http://www.w3.org/2000/01/rdf-schema#label> "Test source {i:02d}" {g} .',
            f'{src} <https://bilateral-kg.example/ontology#edtfDate> "2025-01-{i + 1:02d}" {g} .',
            f"<urn:x:span{i}> <http://www.w3.org/ns/oa#hasSource> {src} {g} .",
            f"{g} <https://bilateral-kg.example/ontology#layer> "
            "<https://bilateral-kg.example/ontology/epistemic/stated> "
            "<https://bilateral-kg.example/graph/reference> .",
        ]
    store = memory_store(compiled.nquads + "\n".join(extra).encode() + b"\n")
    with TestClient(create_app(Settings(), store=store)) as c:
        html = c.get("/", headers=BROWSER).text
        assert len(c.get("/index.json").json()["sources"]) == 15
    assert "The 10 most recent of 15" in html
    shown = re.findall(r"Test source (\d\d)", html)
    assert shown == [f"{i:02d}" for i in range(13, 3, -1)]  # newest first
    assert "Phnom Penh Post article" not in html  # the undated seed article: on /sources
    assert re.search(r"<td>stated</td><td class=\"n\">15</td>", html)
    assert "named graphs, one per source and layer" not in html  # 20 graphs: all listed


def test_pair_page_and_its_json_twin(client: TestClient) -> None:
    r = client.get("/pair/KH-KR", headers=BROWSER)
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.headers["link"] == '</api/pairs/KH-KR>; rel="alternate"; type="application/json"'
    assert 'href="/acts?countries=KH,KR&amp;status=requested">3</a>' in r.text
    assert 'href="/id/person/heng-sour">Heng Sour</a>' in r.text
    twin = client.get("/pair/KH-KR", headers={"accept": "application/json"}).json()
    assert twin == client.get("/api/pairs/KH-KR").json()
    assert twin["counts"]["by_status"]["requested"] == 3
    # Every number in the tables is a link; none is a dash.
    cells = re.findall(r'<td class="n">(.*?)</td>', r.text)
    assert cells and all(c.startswith(("<a href=", '<span class="none"')) for c in cells)
    assert any(c.startswith('<span class="none"') for c in cells)
    # The kinds' colours, beside their names, are the strip's legend.
    kinds = r.text.split('id="by-kind"', 1)[1].split("</table>", 1)[0]
    assert 'class="mark kind-meeting"' in kinds and 'class="mark kind-request"' in kinds
    # The seed's happenings span three days (6 to 8 March 2024): no month begins between
    # them, so the strip has no tick; its two ends say the days.
    figure = r.text.split('id="strip"', 1)[1].split("</figure>", 1)[0]
    assert 'class="tick"' not in figure
    # Three marks on the first day and five on the last, each in a lane of its own.
    assert assert_strip_is_clear(figure) == 8
    assert ">6 March 2024</text>" in figure and ">8 March 2024</text>" in figure
    assert client.get("/pair/KH", headers=BROWSER).status_code == 404


def test_timeline_of_a_status_lists_as_many_acts_as_the_landing_page_counts(
    client: TestClient,
) -> None:
    counts = client.get("/index.json").json()["acts_by_status"]
    html = client.get("/timeline", headers=BROWSER).text
    # Both name a status by its notation ("under-examination"): one spelling.
    assert "under-examination" in counts
    for status, n in counts.items():
        assert html.count(f'data-status="{status}"') == n, status


def test_timeline_page_carries_the_widget_data_and_human_dates(client: TestClient) -> None:
    r = client.get("/timeline", params={"countries": "KH,KR"}, headers=BROWSER)
    assert r.status_code == 200
    found = re.search(
        r'<script id="timeline-config" type="application/json">(.*?)</script>', r.text
    )
    assert found
    config = json.loads(found.group(1))
    assert [g["id"] for g in config["groups"]] == ["meeting", "agreement", "proposal", "request"]
    starts = {i["id"]: (i["start"], i["type"]) for i in config["items"]}
    assert starts["meeting/meeting-heng-sour-lee-jung-sik-march-8"] == ("2024-03-08", "box")
    contents = [i["content"] for i in config["items"] if i["group"] == "request"]
    assert len(set(contents)) == len(contents) == 3
    assert {i["id"] for i in config["undated"]} >= {"act/lee-pledges-cooperation-key-areas"}
    assert "8 March 2024, year inferred" in r.text
    assert "2024?-03-08" not in r.text.split('<script id="timeline-config"')[0]
    twin = client.get("/timeline", params={"countries": "KH,KR"}).json()
    assert twin == client.get("/api/timeline", params={"countries": "KH,KR"}).json()


def test_ontology_is_turtle_for_clients_and_a_page_for_browsers(client: TestClient) -> None:
    turtle = client.get("/ontology")
    assert turtle.headers["content-type"] == "text/turtle; charset=utf-8"
    assert "bkg:CooperationAct a owl:Class" in turtle.text
    assert client.get("/ontology.ttl").text == turtle.text
    page = client.get("/ontology", headers=BROWSER)
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<dt id="bkg-CooperationAct">cooperation act <code>bkg:CooperationAct</code></dt>' in (
        page.text
    )
    data = client.get("/ontology.json").json()
    assert client.get("/ontology", headers={"accept": "application/json"}).json() == data
    statuses = next(s for s in data["schemes"] if s["curie"] == "status:scheme")
    assert {c["notation"] for c in statuses["concepts"]} >= {"requested", "agreed"}


def test_docs_serve_swagger_ui_from_this_server(client: TestClient) -> None:
    r = client.get("/docs", headers=BROWSER)
    assert r.status_code == 200
    assert '<script src="/static/npm/swagger-ui-bundle.js"></script>' in r.text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", r.text), "nothing from elsewhere"
    assert "content-security-policy" in r.headers
    bundle = client.get("/static/npm/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and bundle.headers["content-type"].startswith(
        "text/javascript"
    )
    assert client.get("/redoc").status_code == 404
    assert client.get("/static/npm/package.json").status_code == 404


def test_browsers_get_a_problem_page_with_the_nearest_names_clients_json(
    client: TestClient,
) -> None:
    page = client.get("/id/person/heng-suor", headers=BROWSER)
    assert page.status_code == 404
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<li><a href="/id/person/heng-sour">Heng Sour</a>' in page.text
    assert '<a id="home" href="/">' in page.text
    bad = client.get("/api/acts", params={"limit": "lots"}, headers=BROWSER)
    assert bad.status_code == 422 and "limit" in bad.text and 'id="home"' in bad.text
    problem = client.get("/id/person/heng-suor", headers={"accept": "application/json"})
    assert problem.headers["content-type"] == "application/problem+json"
    assert problem.json()["status"] == 404
    assert client.get("/api/entities/nobody").headers["content-type"] == (
        "application/problem+json"
    )


def test_a_problem_page_suggests_the_names_the_api_and_the_command_line_would(
    client: TestClient,
) -> None:
    # One rule for the nearest names (graph.read.lookup.nearest_names): a misspelling too.
    page = client.get("/id/person/heng-suro", headers=BROWSER)
    assert page.status_code == 404
    assert '<li><a href="/id/person/heng-sour">Heng Sour</a>' in page.text
    asked = {"from": "Kosah", "to": "NEA"}
    detail = client.get("/api/paths", params=asked).json()["detail"]
    assert detail.startswith(
        "nothing in the graph is called 'Kosah'; the nearest names: "
        "Korea Occupational Safety and Health Agency (organization/kosha), "
    )
    page = client.get("/api/paths", params=asked, headers=BROWSER)
    suggested = re.findall(r'<li><a href="(/id/[^"]+)">', page.text)
    assert page.status_code == 404 and suggested[0] == "/id/organization/kosha"
    assert client.get("/id/person/qqqqqqqq", headers=BROWSER).text.count("Did you mean") == 0


# ---- in chromium ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report(built: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run of tests/browser/pages.mjs against a real ``bilateral serve``; its report."""
    out = tmp_path_factory.mktemp("pages")
    packages = ("playwright-core", "vis-timeline", "swagger-ui-dist")
    with serve(built) as base:
        return run_script("pages.mjs", base, out, packages=packages)


@pytest.mark.browser
def test_pair_page_in_the_browser(report: dict[str, Any]) -> None:
    assert report["landingPair"] == {"text": "Cambodia – South Korea", "href": "/pair/KH-KR"}
    pair = report["pair"]
    assert pair["url"].endswith("/pair/KH-KR") and pair["title"] == "Cambodia – South Korea"
    assert pair["lede"].startswith("2 meetings and 10 cooperation acts, reported by 1 source.")
    assert pair["marks"] == 8
    assert ["requested", "3", "/acts?countries=KH,KR&status=requested"] in pair["byStatus"]
    assert pair["people"][0] == [
        "Heng Sour",
        "/id/person/heng-sour",
        "/meetings?countries=KH,KR&participant=person/heng-sour",
    ]
    # every number is a link; none is a dash
    assert [n for n in pair["unlinkedNumbers"] if n != "–"] == []


@pytest.mark.browser
def test_timeline_page_in_the_browser(report: dict[str, Any]) -> None:
    requested = report["timelineRequested"]
    assert requested["title"] == "Cambodia – South Korea: timeline"
    assert requested["rows"] == ["requested"] * 3
    assert len(requested["onAxis"]) == 3
    full = report["timeline"]
    assert full["shown"] == "12 of 12 shown"
    assert len(full["onAxis"]) == 8
    assert full["groups"] == ["meeting", "agreement", "proposal", "request"]
    requests = [t for t in full["itemTexts"] if t.startswith("Request by Heng Sour")]
    assert len(requests) == len(set(requests)) == 3
    assert all(t.endswith("· requested") for t in requests)
    assert "8 March 2024, year inferred" in full["whens"] and "undated" in full["whens"]
    assert "meeting" not in report["timelineNoMeetings"]["rows"]
    assert len(report["timelineNoMeetings"]["onAxis"]) == 6


@pytest.mark.browser
def test_ontology_docs_and_problem_pages_in_the_browser(report: dict[str, Any]) -> None:
    onto = report["ontology"]
    assert onto["title"] == "bilateral-kg: the vocabulary of bilateral cooperation"
    assert onto["act"].startswith("Something an actor does about cooperation")
    assert onto["classes"] >= 15 and onto["properties"] >= 40
    assert report["docs"]["operations"] > 30
    assert report["docs"]["title"].startswith("bilateral-kg")
    problem = report["problem"]
    assert problem["status"] == 404 and problem["contentType"].startswith("text/html")
    assert problem["title"] == "404 Not Found"
    assert problem["suggestions"][0] == ["Heng Sour", "/id/person/heng-sour"]
    assert problem["home"] == "/"


@pytest.mark.browser
def test_editor_new_tab_has_prefixes_and_errors_read_plainly(report: dict[str, Any]) -> None:
    assert report["newTab"].startswith("PREFIX ")
    assert "PREFIX bkg: <https://bilateral-kg.example/ontology#>" in report["newTab"]
    text = report["queryProblem"]
    assert text.startswith("400 ")
    assert "{" not in text.split("\n", 1)[0], "the reason, not raw JSON"


@pytest.mark.browser
def test_pages_load_nothing_from_elsewhere_and_fit_the_screen(report: dict[str, Any]) -> None:
    assert report["foreignRequests"] == []
    assert report["consoleErrors"] == []
    assert report["failedRequests"] == []
    for name in ("landing.png", "pair.png", "timeline.png", "ontology.png", "docs.png"):
        assert (Path(report["out"]) / name).is_file()
