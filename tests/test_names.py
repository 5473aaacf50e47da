"""Names in their own scripts (Khmer, Hangul): reference data with sources, found by search."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ID, SEEDS
from fastapi.testclient import TestClient

from graph.build.draft import Drafter, Source, register_entities
from graph.build.sheets import SeedError, load_register


@pytest.mark.parametrize(
    ("query", "entity"),
    [
        ("ហេង សួរ", "person/heng-sour"),
        ("ហេង", "person/heng-sour"),
        ("이정식", "person/lee-jung-sik"),
        ("이철우", "person/lee-cheol-woo"),
        ("ប៉ាវ ស៊ីណា", "person/pav-sina"),
        ("경상북도", "place/gyeongsangbuk-do"),
        ("서울", "place/seoul"),
        ("កម្ពុជា", "place/cambodia"),
        ("캄보디아", "place/cambodia"),
        ("대한민국", "place/south-korea"),
        ("고용노동부", "organization/moel"),
        ("안전보건공단", "organization/kosha"),
        ("근로복지공단", "organization/comwel"),
        ("한국고용정보원", "organization/keis"),
        ("ក្រសួងការងារ និងបណ្តុះបណ្តាលវិជ្ជាជីវៈ", "organization/mlvt"),
        ("បេឡាជាតិសន្តិសុខសង្គម", "organization/nssf"),
        ("ទីភ្នាក់ងារជាតិមុខរបរ និងការងារ", "organization/nea"),
        # romanizations other than the register's
        ("Lee Jeong-sik", "person/lee-jung-sik"),
        ("Sour Heng", "person/heng-sour"),
    ],
)
def test_search_finds_names_in_their_own_script(
    client: TestClient, query: str, entity: str
) -> None:
    hits = client.get("/api/search", params={"q": query}).json()["results"]
    assert hits, f"{query!r} finds nothing"
    assert hits[0]["id"] == entity


def test_every_name_in_another_script_says_where_it_comes_from(q: Any) -> None:
    rows = q(
        """
        SELECT ?e ?name ?source WHERE {
            ?e skos:altLabel ?name . FILTER (LANG(?name) IN ("km", "ko"))
            OPTIONAL {
                ?e <http://www.w3.org/2008/05/skos-xl#altLabel> ?l .
                ?l <http://www.w3.org/2008/05/skos-xl#literalForm> ?name ;
                   <http://purl.org/dc/terms/source> ?source .
            }
        }"""
    )
    assert len(rows) >= 20
    assert all(r["source"] and r["source"].startswith(("http://", "https://")) for r in rows)
    names = {(r["e"].removeprefix(ID), r["name"]) for r in rows}
    assert ("person/heng-sour", "ហេង សួរ") in names
    assert ("place/gyeongsangbuk-do", "경상북도") in names
    # the display name stays one English rdfs:label
    labels = q(f"SELECT ?l WHERE {{ <{ID}person/heng-sour> rdfs:label ?l }}")
    assert [r["l"] for r in labels] == ["Heng Sour"]


def test_index_forms_of_iso_names_are_left_out(q: Any) -> None:
    rows = q(
        f'SELECT ?n WHERE {{ <{ID}place/south-korea> skos:altLabel ?n FILTER (LANG(?n) = "km") }}'
    )
    assert rows == []  # iso-codes gives only "Korea (Republic)" in Khmer, an index form


def test_a_name_without_its_source_is_refused(tmp_path: Path) -> None:
    register = yaml.safe_load((SEEDS / "entities" / "register.yaml").read_text(encoding="utf-8"))
    for entity in register["entities"]:
        if entity["id"] == "heng-sour":
            entity["names"] = [{"name": "ហេង សួរ", "lang": "km"}]
    (tmp_path / "register.yaml").write_text(yaml.safe_dump(register, allow_unicode=True))
    with pytest.raises(SeedError) as err:
        load_register([tmp_path / "register.yaml"])
    assert "source" in str(err.value)


def test_entity_page_shows_the_names_with_their_sources(client: TestClient) -> None:
    html = client.get("/id/person/heng-sour", headers={"accept": "text/html"}).text
    assert "<tr><th>also called</th><td>Heng Suor, Sour</td></tr>" in html
    assert (
        '<tr><th>in Khmer</th><td><span lang="km">ហេង សួរ</span> <a class="source" href="https://freshnewsasia.com/'
        in html
    )
    twin = client.get("/id/person/heng-sour.json").json()
    assert twin["names"] == [
        {
            "name": "ហេង សួរ",
            "lang": "km",
            "language": "Khmer",
            "source": "https://freshnewsasia.com/index.php/en/localnews/342184-2024-05-24-08-35-40.html",
        }
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("លោក ហេង សួរ បានជួប។", {"ហេង សួរ": "heng-sour"}),
        ("ហេង សួរ នៅ កម្ពុជា", {"ហេង សួរ": "heng-sour", "កម្ពុជា": "cambodia"}),
        (
            "이정식 고용노동부 장관",
            {"이정식": "lee-jung-sik", "고용노동부 장관": "minister-of-employment-and-labor"},
        ),
        ("고용노동부 발표", {"고용노동부": "moel"}),
        (
            "The minister met 이철우 in 경상북도.",
            {"이철우": "lee-cheol-woo", "경상북도": "gyeongsangbuk-do"},
        ),
    ],
)
def test_the_drafter_links_names_in_their_own_script(text: str, expected: dict[str, str]) -> None:
    draft = Drafter(register_entities(SEEDS)).draft(text, Source("t"))
    assert {m.text: m.entity for m in draft.mentions} == expected


def test_union_and_programme_names(client: TestClient) -> None:
    for query, entity in (
        ("សម្ព័ន្ធសហជីពចលនាកម្មករ", "organization/cumw"),
        ("고용허가제", "programme/eps"),
    ):
        hits = client.get("/api/search", params={"q": query}).json()["results"]
        assert hits[0]["id"] == entity
