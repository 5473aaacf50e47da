"""The graph explorer at /explore: its page and files over HTTP, and each of its points in chromium."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chromium import run_script
from conftest import ROOT
from fastapi.testclient import TestClient
from server import serve

from api.routes import explorer
from ontology.vocabulary import GROUPS, LAYERS

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
    for name in explorer.LIBRARIES:
        assert f'<script src="/static/explorer/{name}"></script>' in html
    assert html.index("cytoscape.min.js") < html.index("cose-base.js") < html.index("fcose.js")
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
    assert config["pathGroups"] == ["interaction", "organization", "geography"]
    assert config["pair"] == [
        {"id": "place/cambodia", "label": "Cambodia"},
        {"id": "place/south-korea", "label": "South Korea"},
    ]
    assert config["statuses"] == [
        "agreed",
        "done",
        "pledged",
        "requested",
        "proposed",
        "under-examination",
    ]
    # The notation is the data; the page shows the words.
    assert config["statusWords"]["under-examination"] == "under examination"
    assert set(config["statusWords"]) == set(config["statuses"])


@pytest.mark.parametrize(
    ("name", "media", "path"),
    [
        ("cytoscape.min.js", "text/javascript; charset=utf-8", explorer.CYTOSCAPE),
        ("layout-base.js", "text/javascript; charset=utf-8", ROOT / "node_modules/layout-base"),
        ("cose-base.js", "text/javascript; charset=utf-8", ROOT / "node_modules/cose-base"),
        (
            "cytoscape-fcose.js",
            "text/javascript; charset=utf-8",
            ROOT / "node_modules/cytoscape-fcose",
        ),
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


@pytest.mark.parametrize("name", ["cytoscape", "cytoscape-fcose"])
def test_libraries_are_locked_npm_dependencies(name: str) -> None:
    package = json.loads((ROOT / "package.json").read_text("utf-8"))
    lock = json.loads((ROOT / "package-lock.json").read_text("utf-8"))
    assert name in package["dependencies"]
    assert lock["packages"][f"node_modules/{name}"]["version"] == package["dependencies"][name]


def test_view_of_the_pair_names_both_sides_and_the_shortcuts_between(client: TestClient) -> None:
    r = client.get("/api/graph/view", params={"pair": "place/cambodia,place/south-korea"})
    assert r.status_code == 200
    view = r.json()
    assert view["title"] == "Cambodia – South Korea"
    shown = {n["id"]: n for n in view["nodes"]}
    assert {"person/heng-sour", "person/lee-jung-sik", "organization/kosha"} <= set(shown)
    assert len({n["short"] for n in view["nodes"]}) == len(view["nodes"])
    requested = [
        e
        for e in view["edges"]
        if e["relation"] == "requestedCooperationWith" and e["status"] == "requested"
    ]
    assert len(requested) == 1 and requested[0]["count"] == 3
    assert {v["id"] for v in requested[0]["via"]} == {
        REQUEST,
        "act/sour-asks-examine-keis-nea",
        "act/sour-asks-expand-skilled-workers-programme",
    }
    assert all(v["evidence"] for v in requested[0]["via"])
    assert view["sources"] == [
        {
            "id": "source/ppp-cambodia-korea-labour",
            "label": "Phnom Penh Post article on Cambodia–South Korea employment and vocational ties",
        }
    ]


def test_view_expands_in_order_and_counts_what_it_leaves_out(client: TestClient) -> None:
    one = client.get("/api/graph/view", params={"focus": HENG_SOUR, "limit": 3}).json()
    assert one["centres"] == [HENG_SOUR]
    focus = next(n for n in one["nodes"] if n["id"] == HENG_SOUR)
    assert len(one["nodes"]) == 4 and focus["more"] == 8  # 11 neighbours, 3 shown
    two = client.get(
        "/api/graph/view", params={"focus": HENG_SOUR, "expand": REQUEST, "limit": 3}
    ).json()
    assert two["centres"] == [HENG_SOUR, REQUEST]
    assert {n["id"] for n in one["nodes"]} < {n["id"] for n in two["nodes"]}


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"pair": "place/cambodia"}, 400),
        ({"pair": "place/cambodia,person/heng-sour"}, 400),
        ({"focus": "person/nobody"}, 404),
        ({"focus": HENG_SOUR, "relations": "gossip"}, 400),
    ],
)
def test_view_refuses_what_it_cannot_draw(
    client: TestClient, params: dict[str, str], status: int
) -> None:
    r = client.get("/api/graph/view", params=params)
    assert r.status_code == status
    assert r.headers["content-type"] == "application/problem+json"


# ---- in chromium ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base_url(built: Path) -> Iterator[str]:
    """A real ``bilateral serve`` on 127.0.0.1."""
    with serve(built) as base:
        yield base


@pytest.fixture(scope="module")
def report(base_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run of tests/browser/explorer.mjs through every point; its report."""
    out = tmp_path_factory.mktemp("explorer")
    packages = ("playwright-core", "cytoscape", "cytoscape-fcose")
    return run_script("explorer.mjs", base_url, out, packages=packages, timeout=400)


def ids(items: list[dict[str, Any]]) -> set[str]:
    return {item["id"] for item in items}


KH, KR = "place/cambodia", "place/south-korea"
MEETING = "meeting/meeting-heng-sour-lee-jung-sik-march-8"
#: Every drawn state the report holds: none may have a label over another label or node.
STATES = [
    "opening",
    "restored",
    "collapsed",
    "collapseUndone",
    "focused",
    "noActs",
    "statedOnly",
    "searched",
    "neaPath",
    "leePath",
    "path",
    "pathRestored",
    "leeCheolWoo",
    "noExamination",
    "examinationBack",
    "noExaminationOldLink",
    "fivePaths",
]


def moved(before: dict[str, dict[str, float]], after: dict[str, Any]) -> list[str]:
    """Nodes of ``before`` that are still drawn but not where they were (within a pixel)."""
    now = {n["id"]: n["position"] for n in after["nodes"]}
    return [
        n
        for n, p in before.items()
        if n in now and (abs(now[n]["x"] - p["x"]) > 1 or abs(now[n]["y"] - p["y"]) > 1)
    ]


@pytest.mark.browser
def test_1_opens_on_the_relationship_of_the_pair_the_graph_says_most_about(
    report: dict[str, Any],
) -> None:
    assert report["status"] == 200 and report["contentType"].startswith("text/html")
    state = report["opening"]
    assert state["pair"] == [KH, KR] and state["focus"] is None
    assert (
        report["openingTitle"] == "Cambodia – South Korea: who is most involved, and where they met"
    )
    shown = ids(state["nodes"])
    assert {KH, KR, "person/heng-sour", "person/lee-jung-sik", "person/lee-cheol-woo"} <= shown
    assert {MEETING, "meeting/meeting-heng-sour-lee-cheol-woo-march-6"} <= shown
    assert {"organization/mlvt", "organization/kosha"} <= shown
    # The shortcuts between the sides are drawn, one line per status, counted.
    asked = [e for e in state["edges"] if e["relation"] == "requestedCooperationWith"]
    assert {(e["source"], e["target"], e["status"], e["count"]) for e in asked} == {
        ("person/heng-sour", "person/lee-jung-sik", "requested", 3),
    }
    # A proposal is its own shortcut, in its own words: it asks for nothing.
    (offered,) = [e for e in state["edges"] if e["relation"] == "proposedCooperationWith"]
    assert (offered["source"], offered["target"], offered["status"], offered["count"]) == (
        "person/heng-sour",
        "person/lee-jung-sik",
        "proposed",
        1,
    )
    assert offered["words"] == "proposed to"
    assert report["openingUrl"].endswith("/explore?pair=place%2Fcambodia%2Cplace%2Fsouth-korea")


@pytest.mark.browser
@pytest.mark.parametrize("name", STATES)
def test_no_label_overlaps_another_label_or_node(report: dict[str, Any], name: str) -> None:
    state = report[name]
    assert state["nodes"] and state["labelsShown"] == len(state["nodes"])
    assert state["overlaps"] == [], state["overlaps"]


@pytest.mark.browser
def test_no_label_overlaps_after_each_of_three_expansions(report: dict[str, Any]) -> None:
    assert len(report["expansions"]) == 3
    for step in report["expansions"]:
        assert step["after"]["overlaps"] == [], (step["id"], step["after"]["overlaps"])


@pytest.mark.browser
@pytest.mark.parametrize(
    "name", ["opening", "restored", "neaPath", "path", "fivePaths", "searched"]
)
def test_labels_are_readable_and_the_view_fits(report: dict[str, Any], name: str) -> None:
    state = report[name]
    assert state["renderedFont"] >= 9.5, state["renderedFont"]
    if name != "restored":  # 31 nodes: readable first, the rest a pan away
        assert state["outside"] == [], state["outside"]


@pytest.mark.browser
def test_2_expansion_places_newcomers_by_their_parent_and_keeps_the_others_still(
    report: dict[str, Any],
) -> None:
    for step in report["expansions"]:
        after = step["after"]
        assert step["id"] in after["expanded"]
        assert moved(step["before"], after) == [], step["id"]
        now = {n["id"]: n["position"] for n in after["nodes"]}
        parent = now[step["id"]]

        def far(n: str, now: dict[str, Any] = now, parent: dict[str, float] = parent) -> float:
            return float(
                ((now[n]["x"] - parent["x"]) ** 2 + (now[n]["y"] - parent["y"]) ** 2) ** 0.5
            )

        new = sorted(far(n) for n in now if n not in step["before"])
        old = sorted(far(n) for n in now if n in step["before"] and n != step["id"])
        assert new, step["id"]
        # Newcomers lie around their parent: about as near as what was drawn before, on the
        # whole, and none farther than the farthest of those.
        assert new[len(new) // 2] <= 1.5 * old[len(old) // 2], (step["id"], new, old)
        assert new[-1] < old[-1], (step["id"], new, old)
    assert report["expansions"][-1]["after"]["expanded"] == [
        "person/heng-sour",
        MEETING,
        REQUEST,
    ]
    assert {"organization/nssf", "organization/kosha"} <= ids(
        report["expansions"][-1]["after"]["nodes"]
    )
    assert report["expandedDetails"].startswith("Request by Heng Sour: examine the possibility")
    assert "names as partner: 3" in report["counts"]


@pytest.mark.browser
def test_labels_tell_nodes_apart(report: dict[str, Any]) -> None:
    state = report["expansions"][-1]["after"]
    shorts = [n["short"] for n in state["nodes"]]
    assert len(set(shorts)) == len(shorts)
    by_id = {n["id"]: n["short"] for n in state["nodes"]}
    assert "KOSHA" in by_id[REQUEST]
    assert by_id["act/sour-asks-examine-keis-nea"] != by_id[REQUEST]


@pytest.mark.browser
def test_7_permalink_replays_the_same_picture(report: dict[str, Any]) -> None:
    before, after = report["expansions"][-1]["after"], report["restored"]
    assert report["permalink"].endswith(
        "/explore?pair=place%2Fcambodia%2Cplace%2Fsouth-korea&expand=person%2Fheng-sour%2C"
        "meeting%2Fmeeting-heng-sour-lee-jung-sik-march-8%2C"
        "act%2Fsour-asks-examine-kosha-comwel-nssf&sel=act%2Fsour-asks-examine-kosha-comwel-nssf"
    )
    assert ids(after["nodes"]) == ids(before["nodes"])
    assert ids(after["edges"]) == ids(before["edges"])
    positions = {n["id"]: n["position"] for n in before["nodes"]}
    assert moved(positions, after) == []
    assert after["selection"]["id"] == REQUEST


@pytest.mark.browser
def test_2_collapse_keeps_what_stays_still_and_undo_restores(report: dict[str, Any]) -> None:
    three = report["expansions"][-1]["after"]
    collapsed = report["collapsed"]
    assert collapsed["expanded"] == ["person/heng-sour", REQUEST]
    assert ids(collapsed["nodes"]) < ids(three["nodes"])
    # What stays does not move, but for a label that grew ("+N" back) onto another.
    shown = {n["id"]: n["display"] for n in three["nodes"]}
    grew = {n["id"] for n in collapsed["nodes"] if shown.get(n["id"]) != n["display"]}
    assert set(moved({n["id"]: n["position"] for n in three["nodes"]}, collapsed)) <= grew
    assert ids(report["collapseUndone"]["nodes"]) == ids(three["nodes"])


@pytest.mark.browser
def test_line_words_show_on_hover_and_shortcuts_say_what_they_derive_from(
    report: dict[str, Any],
) -> None:
    assert report["hover"]["before"] == ""
    assert report["hover"]["after"] == "requested cooperation of ×3"
    assert report["derivedTitle"] == "Heng Sour — requested cooperation of — Lee Jung-sik"
    assert report["derivedHeading"] == "Derived from 3 happenings"
    assert len(report["derivedVia"]) == 3
    assert all(v.startswith("Request by Heng Sour: ") for v in report["derivedVia"])
    assert len(set(report["derivedVia"])) == 3
    assert report["derivedMark"]


@pytest.mark.browser
def test_search_focuses_an_entity(report: dict[str, Any]) -> None:
    assert report["suggestions"][0] == "Heng Sour person"
    state = report["searched"]
    assert state["focus"] == HENG_SOUR
    assert {HENG_SOUR, *MEETINGS} <= ids(state["nodes"])
    assert report["searchedDetails"] == "Heng Sour"
    assert report["searchedUrl"].endswith(
        "/explore?focus=person%2Fheng-sour&sel=person%2Fheng-sour"
    )


@pytest.mark.browser
def test_6_details_panel_follows_the_filters(report: dict[str, Any]) -> None:
    acts = [f for f in report["focusFacts"] if f.startswith("act/")]
    assert len(acts) == 6
    assert not [f for f in report["noActsFacts"] if f.startswith("act/")]
    assert report["noActsNote"] == "6 facts are hidden by the filters on the left."
    assert not [c for c in report["noActsCounts"] if c.startswith("made")]
    assert [n for n in report["noActs"]["nodes"] if n["kind"] == "act"] == []
    assert report["statedOnly"]["filters"]["stated"] is True
    assert {e["layer"] for e in report["statedOnly"]["edges"]} == {"stated"}


@pytest.mark.browser
def test_4_paths_avoid_countries_by_default_and_are_numbered_chains(
    report: dict[str, Any],
) -> None:
    assert report["pathDefaults"] == {
        "avoid": True,
        "groups": ["interaction", "organization", "geography"],
    }
    state = report["neaPath"]
    query = state["path"]["query"]
    assert (query["from"], query["to"], query["avoid"]) == (
        "organization/nea",
        "place/gyeongsangbuk-do",
        True,
    )
    found = state["path"]["paths"]
    assert len(found) == 3
    kinds = {n["id"]: n["kind"] for n in state["nodes"]}
    for p in found:
        assert not [n for n in p["nodes"][1:-1] if kinds[n] == "country"], p
    # Numbered, each its own colour, in the list and on the canvas.
    assert [r.split(".", 1)[0] for r in report["neaResults"]] == ["1", "2", "3"]
    assert len(set(report["neaColours"])) == 3
    colours = {e["path"]: e["color"] for e in state["edges"]}
    assert sorted(colours) == [1, 2, 3] and len(set(colours.values())) == 3
    # Two different paths never read the same.
    assert len({p["explanation"] for p in found}) == 3
    # Drawn as a chain: the first path runs left to right, its nodes in order.
    x = {n["id"]: n["position"]["x"] for n in state["nodes"]}
    first = found[0]["nodes"]
    assert [x[n] for n in first] == sorted(x[n] for n in first)
    assert {i["key"] for i in report["neaLegend"]["items"] if i["type"] == "path"} == {
        "1",
        "2",
        "3",
    }


@pytest.mark.browser
def test_4_an_ambiguous_name_asks(report: dict[str, Any]) -> None:
    assert report["askQuestion"] == "Which “Lee” do you mean?"
    assert report["askChoices"][:2] == ["Lee Jung-sik — person", "Lee Cheol-woo — person"]
    assert report["leePath"]["path"]["query"]["from"] == "person/lee-jung-sik"
    assert report["leePath"]["path"]["paths"]


@pytest.mark.browser
def test_4_five_paths_each_in_view_and_each_in_its_own_words(report: dict[str, Any]) -> None:
    """Heng Sour's three requests and his proposal to Lee Jung-sik, and their being counterparts:
    every row drawn inside the canvas, every path read out differently, as the API reads it."""
    found = report["fivePaths"]["path"]["paths"]
    assert len(found) == 5
    assert [b["id"] for b in report["fivePathsBodies"] if not b["inside"]] == []
    assert report["fivePathsResults"] == [p["explanation"] for p in found]
    assert len(set(report["fivePathsResults"])) == 5
    through = [r for r in report["fivePathsResults"] if "— made —" in r]
    assert len(through) == 4
    assert all("(8 March 2024, year inferred, Seoul, " in r for r in through)
    assert sum("Proposal by Heng Sour" in r and "proposed)" in r for r in through) == 1


@pytest.mark.browser
def test_4_path_nssf_to_kosha_names_the_request_and_its_sentence(report: dict[str, Any]) -> None:
    first = report["path"]["path"]["paths"][0]
    assert first["nodes"] == ["organization/nssf", REQUEST, "organization/kosha"]
    assert report["pathResults"][0].startswith(
        "1.National Social Security Fund — named as partner in — Request by Heng Sour: …KOSHA"
    )
    assert SENTENCE in report["pathResults"][0]
    assert report["pathStepTitle"].startswith("National Social Security Fund — named as partner in")
    assert report["pathStepMark"].startswith(SENTENCE)
    assert report["pathRestored"]["path"] == report["path"]["path"]


@pytest.mark.browser
def test_5_every_kind_its_own_shape_and_colour_and_the_legend_matches(
    report: dict[str, Any],
) -> None:
    state = report["expansions"][-1]["after"]
    drawn: dict[str, set[tuple[str, str]]] = {}
    for n in state["nodes"]:
        drawn.setdefault(n["kind"], set()).add((n["shape"], n["color"]))
    assert all(len(v) == 1 for v in drawn.values()), drawn
    styles = [next(iter(v)) for v in drawn.values()]
    assert len({shape for shape, _ in styles}) == len(styles)
    assert len({colour for _, colour in styles}) == len(styles)
    legend = report["expandedLegend"]
    assert legend["inView"]
    kinds = {i["key"]: i for i in legend["items"] if i["type"] == "kind"}
    assert set(kinds) == set(drawn)
    for kind, item in kinds.items():
        shape, colour = next(iter(drawn[kind]))
        assert item["shape"] == shape
        r, g, b = (int(item["color"][i : i + 2], 16) for i in (1, 3, 5))
        assert colour == f"rgb({r},{g},{b})", (kind, colour, item["color"])
    # Lines: a legend entry for each pattern and layer drawn, in the colour drawn.
    patterns = {i["key"] for i in legend["items"] if i["type"] == "pattern"}
    assert patterns == {e["pattern"] for e in state["edges"]}
    layers = {i["key"]: i["color"] for i in legend["items"] if i["type"] == "layer"}
    assert set(layers) == {e["layer"] for e in state["edges"]}
    assert report["openingLegend"]["inView"]


@pytest.mark.browser
def test_5_line_pattern_follows_the_status(report: dict[str, Any]) -> None:
    state = report["leeCheolWoo"]
    assert state["focus"] == LEE_CHEOL_WOO
    examinations = [e for e in state["edges"] if e["status"] == "under-examination"]
    assert {e["source"] for e in examinations} == EXAMINATIONS
    assert {e["pattern"] for e in examinations} == {"dotted"}
    agreed = [e for e in state["edges"] if e["status"] == "agreed"]
    assert agreed and {e["pattern"] for e in agreed} == {"solid"}
    dashes = {e["pattern"]: tuple(e["dash"]) for e in state["edges"]}
    assert dashes["dotted"] != dashes["solid"]
    legend = {
        i["key"]: i["dash"] for i in report["leeCheolWooLegend"]["items"] if i["type"] == "pattern"
    }
    assert legend["dotted"] == "2,5"
    words = {
        i["key"]: i["text"] for i in report["leeCheolWooLegend"]["items"] if i["type"] == "pattern"
    }
    assert words["dotted"] == "under examination"


@pytest.mark.browser
def test_6_status_filter_hides_acts_and_their_lines_and_the_permalink_keeps_it(
    report: dict[str, Any],
) -> None:
    before, after = report["leeCheolWoo"], report["noExamination"]
    assert dict(report["statusBoxes"])["under-examination"] == "under examination"
    assert after["filters"]["hideStatuses"] == ["under-examination"]
    assert not [n for n in after["nodes"] if n["status"] == "under-examination"]
    assert not [e for e in after["edges"] if e["status"] == "under-examination"]
    assert ids(after["nodes"]) == ids(before["nodes"]) - EXAMINATIONS
    assert report["noExaminationUrl"].endswith(
        "/explore?focus=person%2Flee-cheol-woo&status=under-examination"
    )
    restored = report["noExaminationRestored"]
    assert restored["filters"] == after["filters"]
    assert ids(restored["nodes"]) == ids(after["nodes"])
    boxes = report["noExaminationBoxes"]
    assert boxes.pop("under-examination") is False and all(boxes.values()), boxes
    old_link = report["noExaminationOldLink"]
    assert old_link["filters"] == after["filters"] and ids(old_link["nodes"]) == ids(after["nodes"])
    assert ids(report["examinationBack"]["nodes"]) == ids(before["nodes"])


@pytest.mark.browser
def test_8_png_has_a_title_a_legend_and_a_source_line(report: dict[str, Any]) -> None:
    parts = report["openingPngParts"]
    assert parts["title"] == report["openingTitle"]
    assert parts["legend"][:3] == ["person", "organization", "country"]
    assert parts["source"].startswith(
        "Sources: Phnom Penh Post article on Cambodia–South Korea employment and vocational ties."
    )
    assert "/explore?pair=place%2Fcambodia%2Cplace%2Fsouth-korea" in parts["source"]
    png = report["openingPng"]
    assert png["width"] > 1500 and png["height"] > 800
    assert png["titleInk"] > 0.01 and png["legendInk"] > 0.01 and png["footerInk"] > 0, png
    assert (Path(report["out"]) / "opening-export.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert report["pngParts"]["title"] == (
        "Paths from National Social Security Fund to Korea Occupational Safety and Health Agency"
    )
    assert "path 1" in report["pngParts"]["legend"]


@pytest.mark.browser
def test_8_exports_graphml_and_json(report: dict[str, Any]) -> None:
    shown = report["exported"]
    graphml = report["graphml"]
    assert graphml.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert graphml.count("<node id=") == len(shown["nodes"])
    assert graphml.count("<edge id=") == len(shown["edges"])
    assert '<node id="organization/kosha">' in graphml
    assert report["json"]["nodes"] == shown["nodes"]
    assert report["json"]["edges"] == shown["edges"]


@pytest.mark.browser
def test_9_fits_1400x1000_by_keyboard_without_errors_or_foreign_requests(
    report: dict[str, Any],
) -> None:
    layout = report["layout"]
    assert layout["scrollWidth"] <= 1400 and layout["scrollHeight"] <= 1000, layout
    assert layout["cy"]["width"] >= 700 and layout["cy"]["height"] >= 600, layout
    shot = report["screenshot"]
    assert (shot["width"], shot["height"]) == (1400, 1000)
    assert shot["colours"] > 30 and shot["ink"] > 0.03, shot
    for name in report["shots"]:
        assert (Path(report["out"]) / name).is_file()
    edge = report["keyEdgeId"]
    assert edge and edge.startswith("act/governor-examines-fire-trucks-ambulances|actor|")
    assert report["keyEdgeTabs"] < len(report["edgeListItems"])
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


@pytest.mark.browser
def test_10_names_in_khmer_and_hangul_and_no_match(report: dict[str, Any]) -> None:
    found = report["scripts"]
    assert found["이정식"][0] == "Lee Jung-sik 이정식 person"
    assert found["ហេង សួរ"][0] == "Heng Sour ហេង សួរ person"
    assert found["경상북도"][0].startswith("Gyeongsangbuk-do 경상북도")
    assert found["zzqxj"] == ["no match for “zzqxj”"]
