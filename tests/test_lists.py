"""List endpoints (acts, meetings, statistics), sources with their spans, and the ego graph."""

from __future__ import annotations

import pytest
from conftest import ARTICLE
from fastapi.testclient import TestClient


def all_pages(client: TestClient, url: str, **params: object) -> list[dict]:
    body = client.get(url, params=params).json()
    items = list(body["items"])
    while body["next"]:
        body = client.get(body["next"]).json()
        items += body["items"]
    return items


def test_cq10_acts_by_status(client) -> None:
    counts = {
        s: len(all_pages(client, "/api/acts", status=s, limit=2))
        for s in ("agreed", "pledged", "requested", "proposed", "under-examination", "done")
    }
    assert counts == {
        "agreed": 3,
        "pledged": 3,
        "requested": 3,
        "proposed": 1,
        "under-examination": 3,
        "done": 2,
    }
    everything = all_pages(client, "/api/acts", limit=4)
    assert len(everything) == 15 and len({a["id"] for a in everything}) == 15


def test_cq7_requests_with_partners_and_evidence(client) -> None:
    acts = all_pages(client, "/api/acts", status="requested")
    kosha = next(a for a in acts if a["id"] == "act/sour-asks-examine-kosha-comwel-nssf")
    assert kosha["kind"] == "Request" and kosha["layer"] == "stated"
    assert [a["label"] for a in kosha["actors"]] == ["Heng Sour"]
    assert [a["label"] for a in kosha["addressees"]] == ["Lee Jung-sik"]
    assert sorted(p["id"] for p in kosha["partners"]) == [
        "organization/comwel",
        "organization/kosha",
        "organization/nssf",
    ]
    assert kosha["occasion"]["id"] == "meeting/meeting-heng-sour-lee-jung-sik-march-8"
    quote = kosha["evidence"][0]
    assert ARTICLE[quote["start"] : quote["end"]] == quote["quote"]


def test_acts_by_field_and_country_pair(client) -> None:
    (trucks,) = all_pages(client, "/api/acts", field="emergency-services")
    assert trucks["summary"] == "the provision of fire trucks and ambulances"
    assert trucks["status"] == "under-examination"  # the API's one spelling
    pair = {a["id"] for a in all_pages(client, "/api/acts", countries="KH,KR")}
    assert "act/cambodia-south-korea-agree-employment-training-protection" in pair
    assert "act/sour-asks-examine-kosha-comwel-nssf" in pair
    assert pair == {
        a["id"]
        for a in all_pages(client, "/api/acts", countries="place/cambodia,place/south-korea")
    }


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"status": "signed"}, "unknown status 'signed'"),
        ({"field": "space"}, "unknown field 'space'"),
        ({"countries": "KH"}, "countries takes two countries"),
        ({"countries": "KH,ZZ"}, "'ZZ' is not a country of the graph"),
    ],
)
def test_acts_bad_filters(client, params, detail) -> None:
    r = client.get("/api/acts", params=params)
    assert r.status_code == 400 and detail in r.json()["detail"]


def test_cq3_meetings_with_dates_places_and_participants(client) -> None:
    meetings = {m["id"]: m for m in all_pages(client, "/api/meetings")}
    seoul = meetings["meeting/meeting-heng-sour-lee-jung-sik-march-8"]
    assert (seoul["date"], seoul["place"]["label"]) == ("XXXX-03-08", "Seoul")
    assert (seoul["full_date"], seoul["full_date_layer"]) == ("2024-03-08", "inferred")
    march6 = meetings["meeting/meeting-heng-sour-lee-cheol-woo-march-6"]
    assert march6["place"] is None  # CQ4: the article does not say where
    assert [a["label"] for a in march6["attendees"]] == ["Heng Sour", "Lee Cheol-woo"]
    (only,) = all_pages(client, "/api/meetings", participant="person/lee-cheol-woo")
    assert only["id"] == march6["id"]
    (later,) = all_pages(client, "/api/meetings", **{"from": "2024-03-07"})
    assert later["id"] == seoul["id"]
    assert client.get("/api/meetings", params={"from": "March"}).status_code == 400


def test_cq14_statistics(client) -> None:
    stats = {(o["sex"], o["unit"]): o for o in all_pages(client, "/api/statistics")}
    assert stats[("total", "persons")]["value"] == 9778
    assert stats[("female", "persons")]["layer"] == "stated"
    men = stats[("male", "persons")]
    assert (men["value"], men["layer"]) == (7059, "derived")
    assert men["reason"] == "7,059 = 9,778 (total) − 2,719 (women)"
    assert stats[("female", "percent of total")]["value"] == 27.8
    assert (
        all_pages(client, "/api/statistics", layer="stated", origin="KH")
        and len(all_pages(client, "/api/statistics", layer="stated")) == 2
    )


def test_source_with_every_annotated_span(client) -> None:
    body = client.get("/api/sources/ppp-cambodia-korea-labour").json()
    assert body["text"] == ARTICLE and body["publisher"] == "The Phnom Penh Post"
    for span in body["spans"]:
        assert ARTICLE[span["start"] : span["end"]] == span["quote"]
    kinds = {(s["kind"], s["layer"]) for s in body["spans"]}
    assert {("evidence", None), ("mention", "stated"), ("mention", "inferred")} <= kinds
    ministry = [s for s in body["spans"] if s["quote"] == "the labour ministry"]
    assert {s["layer"] for s in ministry} == {"inferred"} and len(ministry) == 4
    trucks = [s for s in body["spans"] if s["kind"] == "evidence" and "fire trucks" in s["quote"]]
    assert {r["id"] for r in trucks[0]["refers_to"]} >= {
        "act/governor-examines-fire-trucks-ambulances"
    }
    assert client.get("/api/sources/nothing").status_code == 404


def test_ego_graph_with_more_markers(client) -> None:
    body = client.get("/api/graph/ego/person/heng-sour", params={"limit": 4}).json()
    focus = next(n for n in body["nodes"] if n["id"] == "person/heng-sour")
    assert len(body["nodes"]) == 5 and focus["more"] == 7
    shown = {n["id"] for n in body["nodes"]}
    assert {
        "meeting/meeting-heng-sour-lee-cheol-woo-march-6",
        "meeting/meeting-heng-sour-lee-jung-sik-march-8",
    } <= shown
    assert all(e["source"] in shown and e["target"] in shown for e in body["edges"])
    full = client.get("/api/graph/ego/person/heng-sour", params={"limit": 50}).json()
    assert next(n for n in full["nodes"] if n["id"] == "person/heng-sour")["more"] == 0
    assert len(full["nodes"]) == 12


@pytest.mark.parametrize(
    "url",
    [
        "/api/sources/%22",
        "/api/meetings?participant=%22",
        "/api/statistics?origin=%22",
        "/api/acts?countries=KH,%22",
        "/api/entities/%7Bx%7D",
        "/api/graph/ego/%25",
    ],
)
def test_regression_ids_that_are_not_iris_are_404_or_400_not_500(client, url: str) -> None:
    r = client.get(url)
    assert r.status_code in (400, 404) and r.headers["content-type"] == "application/problem+json"


def test_regression_a_very_long_name_is_refused_before_any_search(client) -> None:
    r = client.get("/api/paths", params={"from": "x" * 20_000, "to": "KOSHA"})
    # The name is cut short in the message: refused by its length, before the fuzzy search.
    assert (
        r.status_code == 404
        and r.json()["detail"] == f"nothing in the graph is called {'x' * 80!r}…"
    )


def test_regression_422_is_documented_as_a_problem(client) -> None:
    schema = client.get("/openapi.json").json()
    response = schema["paths"]["/api/search"]["get"]["responses"]["422"]
    assert list(response["content"]) == ["application/problem+json"]
    ids = [op["operationId"] for item in schema["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


def test_whole_lists_are_kept_per_graph_version_and_never_shared(compiled) -> None:
    """Statements and sources are read whole once per graph version: a page the caller
    changes does not change the next answer, and a write shows at once."""
    from graph.read import listing
    from graph.store import memory_store

    store = memory_store(compiled.nquads)
    base = "https://bilateral-kg.example/"
    first = listing.statements(store, base, limit=3)
    first.items[0]["text"] = "changed by the caller"
    first.items.clear()
    again = listing.statements(store, base, limit=3)
    assert len(again.items) == 3 and again.items[0]["text"] != "changed by the caller"
    before = [s["id"] for s in listing.sources(store, base, limit=50).items]
    # Test data: a second source, spanned by one statement's evidence, added as a write.
    store.add(
        b"<https://bilateral-kg.example/id/source/test-second> "
        b'<http://www.w3.org/2000/01/rdf-schema#label> "A second source (test data)" <urn:x:g> .\n'
        b"<urn:x:span> <http://www.w3.org/ns/oa#hasSource> "
        b"<https://bilateral-kg.example/id/source/test-second> <urn:x:g> .\n"
    )
    after = [s["id"] for s in listing.sources(store, base, limit=50).items]
    assert sorted(after) == sorted([*before, "source/test-second"])
