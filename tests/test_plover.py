"""PLOVER/CAMEO: the ontology's SKOS mappings and the PLOVER records of every meeting and act."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import ARTICLE, BASE, ID, SOURCE
from corpus_data import CORPUS, seeds_with
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli import main
from api.config import Settings
from graph.build.iris import Iris
from graph.build.pipeline import compile_seeds
from graph.read.plover import REQUIRED, plover_records
from graph.store import OxigraphStore, memory_store

PLOVER = "https://bilateral-kg.example/ontology/plover/"
CAMEO = "https://bilateral-kg.example/ontology/cameo/"
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def records(store: OxigraphStore) -> list[dict[str, Any]]:
    return plover_records(store, "https://bilateral-kg.example/")


def _scheme(q: Any, scheme: str) -> dict[str, dict[str, Any]]:
    """The concepts of a PLOVER scheme by notation, with their category and quad code."""
    rows = q(
        f"""
        SELECT ?n ?category ?quad ?score WHERE {{
            ?c skos:inScheme <{PLOVER}{scheme}> ; skos:notation ?n .
            OPTIONAL {{ ?c skos:broader* ?cat . ?cat skos:inScheme <{PLOVER}events> ;
                          skos:notation ?category ; skos:broader/skos:notation ?quad }}
            OPTIONAL {{ ?c bkg:ploverScore ?score }}
        }}"""
    )
    return {r["n"] + ("/" + r["category"] if scheme == "modes" else ""): r for r in rows}


def test_sparql_finds_the_plover_and_cameo_mappings_of_every_act(q: Any) -> None:
    rows = q(
        f"""
        SELECT ?act (GROUP_CONCAT(DISTINCT STR(?p)) AS ?plover)
            (GROUP_CONCAT(DISTINCT STR(?c)) AS ?cameo)
        WHERE {{
            ?act a bkg:CooperationAct ; a ?kind .
            ?kind skos:closeMatch|skos:broadMatch ?p, ?c .
            ?p skos:inScheme ?ps . FILTER (?ps IN (<{PLOVER}events>, <{PLOVER}modes>))
            ?c skos:inScheme <{CAMEO}scheme> .
        }} GROUP BY ?act"""
    )
    acts = q("SELECT DISTINCT ?act WHERE { ?act a bkg:CooperationAct }")
    assert len(acts) == 15
    assert {r["act"] for r in rows} == {r["act"] for r in acts}
    by_act = {r["act"].removeprefix(ID): r for r in rows}
    request = by_act["act/sour-asks-expand-skilled-workers-programme"]
    assert set(request["plover"].split()) == {PLOVER + "REQUEST-assist", PLOVER + "REQUEST"}
    assert request["cameo"] == CAMEO + "10"
    assert by_act["act/lee-commends-mlvt"]["cameo"] == CAMEO + "051"
    assert PLOVER + "AGREE" in by_act["act/lee-pledges-employment-opportunities"]["plover"]


def test_meetings_statuses_and_fields_are_mapped(q: Any) -> None:
    meeting = q(
        f"""SELECT ?p WHERE {{ bkg:Meeting skos:closeMatch ?p .
            ?p skos:inScheme <{PLOVER}events> }}"""
    )
    assert [r["p"] for r in meeting] == [PLOVER + "CONSULT"]
    statuses = q("SELECT ?s ?p WHERE { ?s skos:inScheme status:scheme ; skos:relatedMatch ?p }")
    assert len({r["s"] for r in statuses}) == 6
    unmapped = q(
        f"""SELECT ?f WHERE {{ ?f skos:inScheme field:scheme .
            FILTER NOT EXISTS {{ ?f skos:closeMatch|skos:broadMatch ?c .
                                  ?c skos:inScheme <{PLOVER}contexts> }} }}"""
    )
    assert unmapped == []


def test_request_is_kept_in_ploverss_verbal_conflict_quad_with_its_cooperative_score(
    q: Any,
) -> None:
    events = _scheme(q, "events")
    assert events["REQUEST"]["quad"] == "3" and float(events["REQUEST"]["score"]) == 0.0
    modes = _scheme(q, "modes")
    assert float(modes["assist/REQUEST"]["score"]) == 0.5
    assert events["AGREE"]["quad"] == events["SUPPORT"]["quad"] == "1"


def test_one_record_per_meeting_and_act(q: Any, records: list[dict[str, Any]]) -> None:
    nodes = q("SELECT DISTINCT ?x WHERE { { ?x a bkg:Meeting } UNION { ?x a bkg:CooperationAct } }")
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)) == len(nodes) == 17
    assert set(ids) == {r["x"] for r in nodes}


def test_records_have_the_manuals_required_fields_and_types(
    q: Any, records: list[dict[str, Any]]
) -> None:
    events = _scheme(q, "events")
    modes = _scheme(q, "modes")
    contexts = _scheme(q, "contexts")
    for r in records:
        assert all(k in r for k in REQUIRED), r["id"]
        assert isinstance(r["id"], str) and r["id"].startswith(ID)
        assert r["date"] is None or DATE.match(r["date"])
        assert isinstance(r["actor"], list) and r["actor"]
        assert isinstance(r["recipient"], list)
        for entity in r["actor"] + r["recipient"] + r["partners"] + r["beneficiaries"]:
            assert entity["code"] is None or re.fullmatch(r"[A-Z]{3}", entity["code"])
            assert entity["sector"] in (None, "GOV", "LAB")
            assert isinstance(entity["entity_text"], str) and entity["entity_text"]
            assert entity["identifier_id"] is None or re.fullmatch(r"Q\d+", entity["identifier_id"])
        assert isinstance(r["event"], list) and len(r["event"]) == 1
        (event,) = r["event"]
        assert event in events
        assert all(f"{m}/{event}" in modes for m in r["mode"])
        assert all(c in contexts for c in r["context"])
        assert r["quad_code"] == int(events[event]["quad"])
        assert isinstance(r["event_scale"], float) and -10 <= r["event_scale"] <= 10
        assert isinstance(r["event_text"], list) and r["event_text"]
        assert isinstance(r["text_info"]["start"], int) and isinstance(r["text_info"]["end"], int)
        cite = r["cite_info"]
        assert cite["url"].startswith("https://phnompenhpost.com/")
        assert cite["language"] == "en" and cite["publication"] == "The Phnom Penh Post"
        assert r["cameo"] and re.fullmatch(r"\d{2,4}", r["cameo"])
        json.dumps(r)  # plain JSON throughout


def test_every_record_carries_its_evidence_offsets(records: list[dict[str, Any]]) -> None:
    for r in records:
        assert r["evidence"], r["id"]
        for ev in r["evidence"]:
            assert ev["source"] == SOURCE
            assert ARTICLE[ev["start"] : ev["end"]] == ev["quote"]
        assert r["event_text"] == [ev["quote"] for ev in r["evidence"]]
        first = r["evidence"][0]
        assert r["text_info"] == {"start": first["start"], "end": first["end"]}


def test_a_date_is_given_only_where_the_graph_knows_it(records: list[dict[str, Any]]) -> None:
    by_id = {r["id"].removeprefix(ID): r for r in records}
    meeting = by_id["meeting/meeting-heng-sour-lee-jung-sik-march-8"]
    assert meeting["date"] == "2024-03-08"
    assert meeting["date_edtf"] == "XXXX-03-08" and meeting["date_inferred"] is True
    # an act on the occasion of a meeting takes the meeting's date
    assert by_id["act/sour-asks-expand-skilled-workers-programme"]["date"] == "2024-03-08"
    assert by_id["act/sour-governor-agree-solidarity"]["date"] == "2024-03-06"
    # the article dates no other act: no date is made up
    undated = by_id["act/cambodia-south-korea-agree-employment-training-protection"]
    assert undated["date"] is None and undated["date_edtf"] is None
    assert all(r["date"] is not None for r in records if r["date_edtf"])


def test_the_seoul_meeting_is_a_visit_and_requests_ask_for_assistance(
    records: list[dict[str, Any]],
) -> None:
    by_id = {r["id"].removeprefix(ID): r for r in records}
    seoul = by_id["meeting/meeting-heng-sour-lee-jung-sik-march-8"]
    assert (seoul["event"], seoul["mode"], seoul["cameo"]) == (["CONSULT"], ["visit"], "042")
    (visitor,) = seoul["actor"]
    (host,) = seoul["recipient"]
    assert (visitor["entity_text"], visitor["code"], visitor["sector"]) == (
        "Heng Sour",
        "KHM",
        "GOV",
    )
    assert visitor["office"] == "Minister of Labour and Vocational Training"
    assert (host["entity_text"], host["code"]) == ("Lee Jung-sik", "KOR")
    assert seoul["event_loc"]["resolved_place"] == "Seoul"
    assert seoul["event_loc"]["country_code"] == "KOR" and seoul["event_loc"]["city"] == "Seoul"
    assert seoul["event_loc"]["wikidata_id"] == "Q8684"
    # no place stated for 6 March: every attendee is an actor, no mode
    march6 = by_id["meeting/meeting-heng-sour-lee-cheol-woo-march-6"]
    assert march6["mode"] == [] and march6["recipient"] == [] and "event_loc" not in march6
    assert sorted(a["code"] for a in march6["actor"]) == ["KHM", "KOR"]
    request = by_id["act/sour-asks-examine-kosha-comwel-nssf"]
    assert (request["event"], request["mode"], request["quad_code"]) == (["REQUEST"], ["assist"], 3)
    assert request["event_scale"] == 0.5 and request["status"] == "requested"
    assert [p["entity_text"] for p in request["partners"]] == [
        "Korea Occupational Safety and Health Agency",
        "Korea Workers' Compensation and Welfare Service",
        "National Social Security Fund",
    ]
    assert request["context"] == ["economic", "health"]
    union = by_id["act/pav-sina-endorses-cooperation"]
    assert union["event"] == ["SUPPORT"] and union["actor"][0]["sector"] == "LAB"
    agreement = by_id["act/cambodia-south-korea-agree-employment-training-protection"]
    assert [(a["code"], a["identifier_id"]) for a in agreement["actor"]] == [
        ("KHM", "Q424"),
        ("KOR", "Q884"),
    ]
    assert agreement["event"] == ["AGREE"] and agreement["cameo"] == "030"


def test_cli_exports_plover_json_lines(built: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "events.jsonl"
    assert main(["export", "--store", str(built), "--format", "plover", "-o", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 17
    assert all(json.loads(line)["evidence"] for line in lines)
    capsys.readouterr()
    assert (
        main(["export", "--store", str(built), "--format", "plover", "--countries", "KH,KR"]) == 0
    )
    pair = capsys.readouterr().out.splitlines()
    assert 0 < len(pair) < 17
    assert main(["export", "--store", str(built), "--format", "plover", "--countries", "KH"]) == 1
    assert "two countries of the graph" in capsys.readouterr().err
    assert main(["export", "--store", str(built), "--countries", "KH,KR"]) == 1
    assert "--countries goes with --format plover" in capsys.readouterr().err


def test_api_exports_plover_for_a_country_pair(client: TestClient) -> None:
    r = client.get("/api/export/plover", params={"countries": "KH,KR"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    records = [json.loads(line) for line in r.text.splitlines()]
    assert records
    for rec in records:
        parties = rec["actor"] + rec["recipient"] + rec["partners"] + rec["beneficiaries"]
        assert {"KHM", "KOR"} <= {e["code"] for e in parties}, rec["id"]
    # Lee Cheol-woo's examinations involve Korea only (a regression: every act was taken for
    # an act of every country)
    assert not any("governor-examines" in rec["id"] for rec in records)
    as_json = client.get("/api/export/plover", params={"countries": "KR,KH", "format": "json"})
    assert as_json.json() == records
    everything = client.get("/api/export/plover", params={"format": "json"}).json()
    assert len(everything) == 17 and len(records) == 12


@pytest.mark.parametrize(
    ("countries", "reason"),
    [("KH", "two countries"), ("KH,XX", "'XX' is not a country of the graph")],
)
def test_api_refuses_a_bad_country_pair(client: TestClient, countries: str, reason: str) -> None:
    r = client.get("/api/export/plover", params={"countries": countries})
    assert r.status_code == 400 and reason in r.json()["detail"]


@pytest.mark.pipeline
def test_a_later_report_changes_the_current_status_not_the_stated_one(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """With the test sources of tests/corpus (TEST DATA): a later act agrees to what Heng Sour
    asked; the request's record keeps its stated status and gives the current one."""
    seeds = seeds_with(tmp_path_factory.mktemp("plover"), CORPUS)
    store = memory_store(compile_seeds(seeds, Iris(BASE)).nquads)
    by_id = {r["id"].removeprefix(ID): r for r in plover_records(store, BASE)}
    request = by_id["act/sour-asks-examine-kosha-comwel-nssf"]
    assert (request["status"], request["current_status"]) == ("requested", "agreed")
    assert request["event"] == ["REQUEST"]  # what the act was; the answer is its own record
    assert by_id["act/kosha-nssf-agree-osh"]["event"] == ["AGREE"]
    with TestClient(create_app(Settings(), store=store)) as c:
        answer = c.post(
            "/reconcile",
            data={
                "extend": json.dumps(
                    {
                        "ids": ["person/heng-sour"],
                        "properties": [{"id": "acts", "settings": {"status": "agreed"}}],
                    }
                )
            },
        ).json()
    agreed = [a["id"] for a in answer["rows"]["person/heng-sour"]["acts"]]
    assert "act/sour-asks-examine-kosha-comwel-nssf" in agreed
