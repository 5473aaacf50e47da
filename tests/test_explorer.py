"""The graph explorer at /explore: its page and files over HTTP, and each of its points in chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from fastapi.testclient import TestClient
from server import serve

from api.routes import explorer
from ontology.vocabulary import GROUPS, LAYERS

CHROMIUM = Path("/usr/bin/chromium")
SCRIPT = ROOT / "tests/browser/explorer.mjs"
HENG_SOUR = "person/heng-sour"
MEETINGS = {
    "meeting/meeting-heng-sour-lee-jung-sik-march-8",
    "meeting/meeting-heng-sour-lee-cheol-woo-march-6",
}
REQUEST = "act/sour-asks-examine-kosha-comwel-nssf"
#: The sentence that states the request for NSSF–KOSHA cooperation, as the article has it.
SENTENCE = (
    "The minister asked Lee to expand the skilled workers programme, and examine the possibility "
    "of increasing cooperation between the Korean Occupational Safety and Health Agency (KOSHA)"
)

MLVT_POST = "document/mlvt-post-march-10"
LEE_CHEOL_WOO = "person/lee-cheol-woo"
#: Lee Cheol-woo's acts with the status "under examination".
EXAMINATIONS = {
    "act/governor-examines-training-equipment",
    "act/governor-examines-technology-exchange",
    "act/governor-examines-fire-trucks-ambulances",
}
FIRE_TRUCKS = (
    "According to the labour ministry, the governor will examine the possibility of providing "
    "equipment for vocational training institutions, the exchange of technology and the "
    "provision of fire trucks and ambulances."
)


# ---- over HTTP ------------------------------------------------------------------------------


def test_page_loads_its_scripts_from_this_server(client: TestClient) -> None:
    r = client.get("/explore")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    html = r.text
    assert '<script src="/static/explorer/cytoscape.min.js"></script>' in html
    assert '<script src="/static/explorer/explorer.js"></script>' in html
    assert '<link rel="stylesheet" href="/static/explorer/explorer.css">' in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "nothing from elsewhere"
    assert 'id="not-installed"' not in html
    for needed in ('id="search"', 'id="path-form"', 'id="legend"', 'id="details"', 'id="cy"'):
        assert needed in html


def test_page_config_names_the_vocabulary_of_the_filters(client: TestClient) -> None:
    html = client.get("/explore?focus=person/heng-sour").text
    found = re.search(r'<script id="explorer-config" type="application/json">(.*?)</script>', html)
    assert found
    config = json.loads(found.group(1))
    assert config["base"] == "https://bilateral-kg.example/id/"
    assert config["groups"] == list(GROUPS)
    assert config["layers"] == list(LAYERS)
    assert {"person", "organization", "meeting", "act", "statement", "observation"} <= set(
        config["kinds"]
    )
    assert config["statuses"] == [
        "agreed",
        "done",
        "pledged",
        "requested",
        "proposed",
        "under examination",
    ]


@pytest.mark.parametrize(
    ("name", "media", "path"),
    [
        ("cytoscape.min.js", "text/javascript; charset=utf-8", explorer.CYTOSCAPE),
        ("explorer.js", "text/javascript; charset=utf-8", ROOT / "api/static"),
        ("explorer.css", "text/css; charset=utf-8", ROOT / "api/static"),
    ],
)
def test_files_are_served(client: TestClient, name: str, media: str, path: Path) -> None:
    assert (path / name).is_file(), f"no {path / name}: run `make setup`"
    r = client.get(f"/static/explorer/{name}")
    assert r.status_code == 200
    assert r.headers["content-type"] == media
    assert r.content == (path / name).read_bytes()
    assert client.head(f"/static/explorer/{name}").status_code == 200


@pytest.mark.parametrize("name", ["nothing.js", "cytoscape.cjs.js", "..", "package.json"])
def test_only_the_explorer_files_are_served(client: TestClient, name: str) -> None:
    r = client.get(f"/static/explorer/{name}")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"


def test_cytoscape_not_installed_is_a_clear_problem(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(explorer, "CYTOSCAPE", tmp_path / "missing")
    r = client.get("/static/explorer/cytoscape.min.js")
    assert r.status_code == 503
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"] == (
        "the explorer's JavaScript (npm package cytoscape) is not installed: "
        "run `make setup`, or `npm ci` in the project folder"
    )
    html = client.get("/explore").text
    assert '<p class="notice" id="not-installed">' in html
    assert "<code>make setup</code>" in html


def test_cytoscape_is_a_locked_npm_dependency() -> None:
    package = json.loads((ROOT / "package.json").read_text("utf-8"))
    lock = json.loads((ROOT / "package-lock.json").read_text("utf-8"))
    assert "cytoscape" in package["dependencies"]
    assert lock["packages"]["node_modules/cytoscape"]["version"] == package["dependencies"][
        "cytoscape"
    ].lstrip("^~")


# ---- in chromium ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base_url(built: Path) -> Iterator[str]:
    """A real ``bilateral serve`` on 127.0.0.1."""
    with serve(built) as base:
        yield base


@pytest.fixture(scope="module")
def report(base_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run of tests/browser/explorer.mjs through every point; its report."""
    if not CHROMIUM.exists():
        pytest.skip(f"no {CHROMIUM}: apt-get install chromium (.ci/run does)")
    node = shutil.which("node")
    if node is None:
        pytest.skip("no node for the browser test: apt-get install nodejs npm")
    for package in ("playwright-core", "cytoscape"):
        if not (ROOT / "node_modules" / package).is_dir():
            pytest.skip(f"no node_modules/{package}: run `make setup` (npm ci)")
    out = tmp_path_factory.mktemp("explorer")
    done = subprocess.run(
        [node, str(SCRIPT), base_url, str(out)],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=ROOT,
    )
    assert done.stdout, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    assert done.returncode == 0 and "error" not in result, (result.get("error"), done.stderr)
    result["out"] = str(out)
    return result


def ids(items: list[dict[str, Any]]) -> set[str]:
    return {item["id"] for item in items}


@pytest.mark.browser
def test_1_search_shows_heng_sour_and_both_meetings(report: dict[str, Any]) -> None:
    assert report["status"] == 200 and report["contentType"].startswith("text/html")
    assert report["initial"]["nodes"] == [] and report["initial"]["focus"] is None
    assert report["suggestions"][0] == "Heng Sour person"
    state = report["focused"]
    assert state["focus"] == HENG_SOUR
    assert {HENG_SOUR, *MEETINGS} <= ids(state["nodes"])
    assert state["selection"]["id"] == HENG_SOUR
    assert report["details"] == "Heng Sour"
    assert report["focusUrl"].endswith("/explore?focus=person%2Fheng-sour&sel=person%2Fheng-sour")


@pytest.mark.browser
def test_2_click_expands_a_node_with_more_neighbours(report: dict[str, Any]) -> None:
    meeting = "meeting/meeting-heng-sour-lee-jung-sik-march-8"
    before = {n["id"]: n for n in report["focused"]["nodes"]}
    assert before[meeting]["more"] > 0, "the meeting shows '+N more' before it is expanded"
    after = report["expanded"]
    assert after["expanded"] == [meeting]
    assert after["selection"]["id"] == meeting
    added = ids(after["nodes"]) - set(before)
    assert len(added) == before[meeting]["more"]
    assert report["expandedDetails"] == "Meeting of Heng Sour and Lee Jung-sik, 8 March"
    assert any(c.startswith("← made at: ") for c in report["counts"]), report["counts"]
    # By keyboard, from the list of nodes in view.
    assert report["leeExpanded"]["expanded"] == [meeting, "person/lee-jung-sik"]
    assert report["requestExpanded"]["expanded"] == [meeting, "person/lee-jung-sik", REQUEST]
    assert {"organization/nssf", "organization/kosha"} <= ids(report["requestExpanded"]["nodes"])


@pytest.mark.browser
def test_2_collapse_removes_what_the_expansion_added_and_undo_restores(
    report: dict[str, Any],
) -> None:
    meeting, document = "meeting/meeting-heng-sour-lee-jung-sik-march-8", MLVT_POST
    start, one, two = (
        report["collapseStart"],
        report["collapseExpanded1"],
        report["collapseExpanded2"],
    )
    assert one["expanded"] == [meeting] and two["expanded"] == [meeting, document]
    assert report["collapsed"]["expanded"] == [document]
    added = ids(one["nodes"]) - ids(start["nodes"])
    assert document in added
    kept = set(report["collapseExpected"]["nodes"])  # what the focus and the document link to
    removed = ids(two["nodes"]) - ids(report["collapsed"]["nodes"])
    # Exactly the meeting's newcomers go, except those something still shown links to.
    assert removed and removed == added - kept, (removed, added, kept)
    assert added & kept == {document}
    assert ids(report["collapsed"]["nodes"]) == kept
    assert ids(report["collapsed"]["edges"]) <= set(report["collapseExpected"]["edges"])
    assert report["collapsed"]["selection"]["id"] == meeting
    undone = report["collapseUndone"]
    assert undone["expanded"] == [meeting, document]
    assert ids(undone["nodes"]) == ids(two["nodes"])
    assert ids(undone["edges"]) == ids(two["edges"])


@pytest.mark.browser
def test_3_edge_details_show_the_sentence_in_its_source(report: dict[str, Any]) -> None:
    assert report["edgeState"]["selection"]["group"] == "edge"
    assert report["edgeDetails"].startswith("Request by Heng Sour: examine the possibility")
    assert "names as partner" in report["edgeDetails"]
    assert report["edgeMark"].startswith(SENTENCE)
    assert report["edgeSourceLink"] == "/id/source/ppp-cambodia-korea-labour"
    assert report["edgeEntityLinks"] == [f"/id/{REQUEST}", "/id/organization/nssf"]


@pytest.mark.browser
def test_4_path_nssf_to_kosha_is_highlighted_and_explained(report: dict[str, Any]) -> None:
    path = report["path"]["path"]
    assert path["query"]["from"] == "organization/nssf"
    assert path["query"]["to"] == "organization/kosha"
    first = path["paths"][0]
    assert first["nodes"] == ["organization/nssf", REQUEST, "organization/kosha"]
    on_path = {n["id"] for n in report["path"]["nodes"] if n["onPath"]}
    assert set(first["nodes"]) <= on_path
    lit = {frozenset((e["source"], e["target"])) for e in report["path"]["edges"] if e["onPath"]}
    assert {
        frozenset((REQUEST, "organization/nssf")),
        frozenset((REQUEST, "organization/kosha")),
    } <= lit
    assert len(report["pathResults"]) == 2
    assert report["pathResults"][0].startswith(
        "National Social Security Fund — named as partner in — Request by Heng Sour"
    )
    assert SENTENCE in report["pathResults"][0]


@pytest.mark.browser
def test_5_visual_language(report: dict[str, Any]) -> None:
    state = report["requestExpanded"]
    shapes = {n["kind"]: (n["shape"], n["color"]) for n in state["nodes"]}
    assert shapes["person"][0] == "ellipse" and shapes["meeting"][0] == "diamond"
    assert shapes["act"][0] == "triangle"
    assert len({color for _, color in shapes.values()}) == len(shapes), shapes
    styles = {(e["status"], e["layer"]): (e["lineStyle"], e["color"]) for e in state["edges"]}
    assert styles[("agreed", "stated")][0] == "solid"
    assert styles[("requested", "stated")][0] == "dashed"
    assert styles[("proposed", "stated")][0] == "dashed"
    stated = {color for (_, layer), (_, color) in styles.items() if layer == "stated"}
    others = {color for (_, layer), (_, color) in styles.items() if layer != "stated"}
    assert others and not stated & others, styles


@pytest.mark.browser
def test_5_line_style_follows_the_status(report: dict[str, Any]) -> None:
    state = report["leeCheolWoo"]
    assert state["focus"] == LEE_CHEOL_WOO
    examinations = [e for e in state["edges"] if e["status"] == "under examination"]
    assert {e["source"] for e in examinations} == EXAMINATIONS
    assert {e["lineStyle"] for e in examinations} == {"dotted"}
    agreed = [e for e in state["edges"] if e["status"] == "agreed"]
    assert agreed and {e["lineStyle"] for e in agreed} == {"solid"}
    wanting = [
        e
        for e in report["requestExpanded"]["edges"]
        if e["status"] in {"requested", "pledged", "proposed"}
    ]
    assert {e["status"] for e in wanting} == {"requested", "pledged", "proposed"}
    assert {e["lineStyle"] for e in wanting} == {"dashed"}


@pytest.mark.browser
def test_6_status_filter_hides_acts_and_their_lines_and_the_permalink_keeps_it(
    report: dict[str, Any],
) -> None:
    before, after = report["leeCheolWoo"], report["noExamination"]
    assert after["filters"]["hideStatuses"] == ["under examination"]
    assert not [n for n in after["nodes"] if n["status"] == "under examination"]
    assert not [e for e in after["edges"] if e["status"] == "under examination"]
    assert ids(after["nodes"]) == ids(before["nodes"]) - EXAMINATIONS
    assert {n["status"] for n in after["nodes"]} >= {"agreed"}
    assert report["noExaminationUrl"].endswith(
        "/explore?focus=person%2Flee-cheol-woo&status=under+examination"
    )
    restored = report["noExaminationRestored"]
    assert restored["filters"] == after["filters"]
    assert ids(restored["nodes"]) == ids(after["nodes"])
    assert ids(restored["edges"]) == ids(after["edges"])
    boxes = report["noExaminationBoxes"]
    assert boxes.pop("under examination") is False and all(boxes.values()), boxes
    assert ids(report["examinationBack"]["nodes"]) == ids(before["nodes"])


@pytest.mark.browser
def test_6_filters_hide_kinds_and_unstated_facts(report: dict[str, Any]) -> None:
    assert report["noActs"]["filters"]["hideKinds"] == ["act"]
    assert [n for n in report["noActs"]["nodes"] if n["kind"] == "act"] == []
    assert {n["kind"] for n in report["edgeState"]["nodes"]} > {
        n["kind"] for n in report["noActs"]["nodes"]
    }
    assert report["statedOnly"]["filters"]["stated"] is True
    assert report["statedOnly"]["edges"]
    assert {e["layer"] for e in report["statedOnly"]["edges"]} == {"stated"}
    assert len(report["statedOnly"]["edges"]) < len(report["noActs"]["edges"])


@pytest.mark.browser
def test_7_permalink_restores_the_view_and_history_walks_it(report: dict[str, Any]) -> None:
    url = report["permalink"]
    for part in ("focus=person%2Fheng-sour", "expand=meeting", "hide=act", "stated=1"):
        assert part in url
    assert "from=organization%2Fnssf" in url and "to=organization%2Fkosha" in url
    before, after = report["path"], report["restored"]
    for key in ("focus", "expanded", "filters", "path"):
        assert after[key] == before[key], key
    assert ids(after["nodes"]) == ids(before["nodes"])
    assert ids(after["edges"]) == ids(before["edges"])
    assert after["selection"] == before["selection"]
    assert report["restoredPathResults"] == report["pathResults"]
    # Back: the path query goes, then the filters; forward brings the last back; Undo is Back.
    assert report["back1"]["path"] is None and report["back1"]["filters"]["stated"] is True
    assert report["back3"]["filters"]["hideKinds"] == []
    assert report["forward"]["filters"]["hideKinds"] == ["act"]
    assert report["undone"]["filters"]["hideKinds"] == []


@pytest.mark.browser
def test_8_exports_png_graphml_and_json(report: dict[str, Any]) -> None:
    png = report["png"]
    assert png["width"] > 400 and png["height"] > 300
    assert png["colours"] > 20 and png["ink"] > 0.01, png
    assert (Path(report["out"]) / "export.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    shown = report["exported"]
    graphml = report["graphml"]
    assert graphml.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert graphml.count("<node id=") == len(shown["nodes"])
    assert graphml.count("<edge id=") == len(shown["edges"])
    assert '<node id="organization/kosha">' in graphml
    assert report["json"]["nodes"] == shown["nodes"]
    assert report["json"]["edges"] == shown["edges"]


@pytest.mark.browser
def test_9_readable_at_1280x800_by_keyboard_without_errors(report: dict[str, Any]) -> None:
    layout = report["layout"]
    assert layout["scrollWidth"] <= 1280 and layout["scrollHeight"] <= 800, layout
    assert layout["cy"]["width"] >= 600 and layout["cy"]["height"] >= 500, layout
    assert layout["fontSize"] == "14px"
    shot = report["screenshot"]
    assert (shot["width"], shot["height"]) == (1280, 800)
    assert shot["colours"] > 30 and shot["ink"] > 0.05, shot
    assert (Path(report["out"]) / "focus.png").is_file()
    # A line chosen with Tab and Enter from the list of lines in view shows its evidence.
    edge = report["keyEdgeId"]
    assert edge and edge.startswith("act/governor-examines-fire-trucks-ambulances|actor|")
    assert report["keyEdgeTabs"] < len(report["edgeListItems"])
    assert len(report["edgeListItems"]) == len(report["leeCheolWoo"]["edges"])
    assert report["keyEdge"]["selection"] == {
        "id": edge,
        "group": "edge",
        "title": report["keyEdgeTitle"],
    }
    assert report["keyEdgeSelected"] == [edge]
    assert "made by" in report["keyEdgeTitle"] and "fire trucks" in report["keyEdgeTitle"]
    assert report["keyEdgeQuotes"] == [FIRE_TRUCKS]
    assert report["keyEdgeMark"] == FIRE_TRUCKS
    assert "sel=act%2Fgovernor-examines-fire-trucks-ambulances" in report["keyEdgeUrl"]
    assert report["consoleErrors"] == []
    assert report["failedRequests"] == []
    assert report["foreignRequests"] == [], "the page must work with no internet"


@pytest.mark.slow
def test_10_names_in_khmer_and_hangul_and_no_match(report: dict[str, Any]) -> None:
    found = report["scripts"]
    assert found["이정식"][0] == "Lee Jung-sik 이정식 person"
    assert found["ហេង សួរ"][0] == "Heng Sour ហេង សួរ person"
    assert found["경상북도"][0].startswith("Gyeongsangbuk-do 경상북도")
    assert found["zzqxj"] == ["no match for “zzqxj”"]
