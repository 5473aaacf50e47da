"""The JSON lookups: search, entities with evidence, neighbours, paths (CQ16-18 through HTTP)."""

from __future__ import annotations

import pytest

S6 = "The minister asked Lee to expand the skilled workers programme"


@pytest.mark.parametrize(
    ("q", "first"),
    [
        ("heng sour", "person/heng-sour"),
        ("Sour", "person/heng-sour"),
        ("HENG SUOR", "person/heng-sour"),
        ("KOSHA", "organization/kosha"),
        ("Korea Occupational Safety", "organization/kosha"),
        ("gyeongsangbuk", "place/gyeongsangbuk-do"),
        ("Gyeongsangbuk-dö", "place/gyeongsangbuk-do"),
        ("natonal social securty", "organization/nssf"),
        ("Composition", "organization/comwel"),
    ],
)
def test_search_ranks_the_right_entity_first(client, q: str, first: str) -> None:
    r = client.get("/api/search", params={"q": q})
    assert r.status_code == 200
    results = r.json()["results"]
    assert results[0]["id"] == first, results[:3]
    assert results[0]["iri"] == f"https://bilateral-kg.example/id/{first}"


def test_search_filters_by_type(client) -> None:
    r = client.get("/api/search", params={"q": "gyeongsangbuk", "type": ["organization"]})
    assert [x["label"] for x in r.json()["results"]] == ["Gyeongsangbuk-do Provincial Government"]
    r = client.get("/api/search", params={"q": "Lee", "type": "person", "limit": 5})
    assert [x["label"] for x in r.json()["results"]] == ["Lee Jung-sik", "Lee Cheol-woo"]


@pytest.mark.parametrize(
    "q",
    [
        "SELECT * WHERE { ?s ?p ?o }",
        '"; DROP ALL; #',
        "(.*)+$",
        "x" * 200,
        "\u0000\u0007",
        "Ḩéñg Śøür",
    ],
)
def test_search_takes_any_text_safely(client, q: str) -> None:
    r = client.get("/api/search", params={"q": q})
    assert r.status_code in (200, 422)
    if r.status_code == 200:
        assert isinstance(r.json()["results"], list)


def test_search_rejects_bad_parameters_as_problems(client) -> None:
    r = client.get("/api/search", params={"q": "x", "limit": 0})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert "limit" in r.json()["detail"]
    r = client.get("/api/search", params={"q": "x", "type": "spaceship"})
    assert r.status_code == 422


def test_entity_with_statements_and_evidence(client) -> None:
    r = client.get("/api/entities/organization/nssf")
    body = r.json()
    assert body["label"] == "National Social Security Fund" and "NSSF" in body["aliases"]
    (country,) = body["statements"]["country"]
    assert country["layer"] == "stated"
    assert country["evidence"][0]["quote"] == "the Kingdom’s National Social Security Fund (NSSF)"
    (request,) = body["statements"]["partner"]
    assert request["fact"] == "act/sour-asks-examine-kosha-comwel-nssf"
    assert request["status"] == "requested"
    assert request["evidence"][0]["quote"].startswith(S6)
    assert (request["evidence"][0]["start"], request["evidence"][0]["end"]) == (917, 1332)


def test_entity_inferred_statement_carries_its_reason(client) -> None:
    body = client.get("/api/entities/person/lee-jung-sik").json()
    (post,) = body["statements"]["holds"]
    assert post["layer"] == "inferred"
    assert post["reason"].startswith("The article gives no title")


def test_entity_by_name_or_iri(client) -> None:
    assert client.get("/api/entities/KOSHA").json()["id"] == "organization/kosha"
    iri = "https://bilateral-kg.example/id/person/pav-sina"
    assert client.get(f"/api/entities/{iri}").json()["label"] == "Pav Sina"
    r = client.get("/api/entities/person/nobody")
    assert (
        r.status_code == 404
        and r.json()["detail"] == "nothing in the graph is called 'person/nobody'"
    )


def test_neighbours_are_counted_and_paged(client) -> None:
    r = client.get("/api/entities/person/heng-sour/neighbours", params={"limit": 4})
    body = r.json()
    assert body["counts"] == {
        "attended": 2,
        "holds": 1,
        "is the counterpart of": 1,
        "made": 6,
        "said": 1,
    }
    seen = [i["label"] for i in body["items"]]
    while body["next"]:
        body = client.get(body["next"]).json()
        seen += [i["label"] for i in body["items"]]
    assert len(seen) == 11 and len(set(seen)) == 11  # every neighbour once, across the pages
    assert "Meeting of Heng Sour and Lee Jung-sik, 8 March" in seen


def test_cq16_paths_with_evidence(client) -> None:
    r = client.get("/api/paths", params={"from": "NSSF", "to": "KOSHA", "k": 1})
    (path,) = r.json()["paths"]
    assert [n["id"] for n in path["nodes"]] == [
        "organization/nssf",
        "act/sour-asks-examine-kosha-comwel-nssf",
        "organization/kosha",
    ]
    assert path["explanation"].startswith(
        "National Social Security Fund — named as partner in — Request by Heng Sour: …KOSHA and "
        "the Korean Workers’… (8 March 2024, year inferred, Seoul, requested)"
    )
    assert [n["short"] for n in path["nodes"]] == [
        "National Social Security Fund",
        "Request by Heng Sour: …KOSHA and the Korean Workers’…",
        "Korea Occupational Safety and Health Agency",
    ]
    link = path["edges"][0]["links"][0]
    assert link["evidence"][0]["quote"].startswith(S6) and link["layer"] == "stated"
    r = client.get(
        "/api/paths",
        params={
            "from": "organization/nssf",
            "to": "organization/kosha",
            "relations": "derived",
            "k": 1,
        },
    )
    (derived,) = r.json()["paths"]
    assert len(derived["nodes"]) == 2 and derived["edges"][0]["links"][0]["layer"] == "derived"


def test_cq17_paths_over_chosen_relations(client) -> None:
    r = client.get(
        "/api/paths",
        params={"from": "NEA", "to": "Gyeongsangbuk-do", "relations": "interaction,organization"},
    )
    paths = r.json()["paths"]
    assert paths and all("person/heng-sour" in [n["id"] for n in p["nodes"]] for p in paths)
    # Two different paths never read the same: acts by their short label, date and status.
    assert len({p["explanation"] for p in paths}) == len(paths) == 3
    assert all("(8 March 2024, year inferred, Seoul, requested)" in p["explanation"] for p in paths)
    r = client.get("/api/paths", params={"from": "NEA", "to": "Gyeongsangbuk-do", "k": 1})
    assert "Cambodia" in r.json()["paths"][0]["explanation"]
    r = client.get(
        "/api/paths", params={"from": "NEA", "to": "Gyeongsangbuk-do", "k": 1, "avoid_hubs": True}
    )
    assert "Cambodia" not in r.json()["paths"][0]["explanation"]


def test_a_proposal_is_not_listed_as_a_request(client) -> None:
    """A derived shortcut is named by what it derives from: a proposal offers, it asks nothing."""
    statements = client.get("/api/entities/person/heng-sour").json()["statements"]
    (proposed,) = statements["proposedCooperationWith"]
    assert proposed["label"] == "Heng Sour — proposed cooperation with — Lee Jung-sik"
    assert proposed["reason"].startswith("Actor and addressee of: Proposal by Heng Sour: ")
    requested = statements["requestedCooperationWith"]
    assert len(requested) == 3
    assert all(r["reason"].startswith("Actor and addressee of: Request by ") for r in requested)
    other_side = client.get("/api/entities/person/lee-jung-sik").json()["statements"]
    assert len(other_side["proposedCooperationWith (of)"]) == 1
    assert len(other_side["requestedCooperationWith (of)"]) == 3


def test_cq18_through_search_and_entity(client) -> None:
    body = client.get("/api/entities/Heng Sour").json()
    assert len(body["statements"]["attendee"]) == 2
    assert len(body["statements"]["actor"]) == 6
    for name in ("Lee Jung-sik", "Lee Cheol-woo"):
        assert len(client.get(f"/api/entities/{name}").json()["statements"]["attendee"]) == 1


def test_paths_errors(client) -> None:
    r = client.get("/api/paths", params={"from": "NSSF", "to": "KOSHA", "relations": "gossip"})
    assert r.status_code == 400 and r.json()["detail"].startswith("unknown relation group")
    r = client.get("/api/paths", params={"from": "nobody at all", "to": "KOSHA"})
    assert r.status_code == 404
    r = client.get("/api/paths", params={"from": "NSSF"})
    assert r.status_code == 422 and "to" in r.json()["detail"]


def test_the_projection_is_not_rebuilt_per_request(client) -> None:
    projection = client.app.state.projection
    client.get("/api/paths", params={"from": "NSSF", "to": "KOSHA"})
    builds = projection.builds
    for _ in range(3):
        client.get("/api/paths", params={"from": "NEA", "to": "KEIS"})
    assert projection.builds == builds == 1


@pytest.mark.parametrize(
    ("name", "role", "expect"),
    [
        ("Heng Sour", "holds", "Minister of Labour and Vocational Training"),  # CQ1
        ("Pav Sina", "holds", "President of the Collective Union of Movement of Workers"),  # CQ1
        ("Lee Cheol-woo", "holds", "Governor of Gyeongsangbuk-do"),  # CQ1
        ("NEA", "country", "National Employment Agency — country — Cambodia"),  # CQ2
        (
            "COMWEL",
            "country",
            "Korea Workers' Compensation and Welfare Service — country — South Korea",
        ),
        ("Seoul", "location", "Meeting of Heng Sour and Lee Jung-sik, 8 March"),  # CQ3
        ("Lee Jung-sik", "addressee", "Request by Heng Sour: expand the skilled workers programme"),
        (
            "Lee Cheol-woo",
            "actor",
            "Examination by Lee Cheol-woo: the provision of fire trucks and ambulances",
        ),
        (
            "Lee Jung-sik",
            "actor",
            "Pledge by Lee Jung-sik: continue to provide employment opportunities to Cambodian workers",
        ),
        ("Heng Sour", "speaker", "Quotation of Heng Sour"),  # CQ11
        ("Employment Permit System", "startDate", "Employment Permit System — start date — 2006"),
    ],
)
def test_competency_answers_are_reachable_by_search_and_lookup(client, name, role, expect) -> None:
    (hit, *_) = client.get("/api/search", params={"q": name}).json()["results"]
    body = client.get(f"/api/entities/{hit['id']}").json()
    labels = [s["label"] for s in body["statements"].get(role, [])]
    assert any(expect in label for label in labels), (role, labels, list(body["statements"]))
    assert all(s["evidence"] for s in body["statements"][role] if s["layer"] != "derived")
