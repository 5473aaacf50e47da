"""The corpus through the JSON API and the CLI (issue #15), on the seed plus the test sources of
tests/corpus (TEST DATA): acts by current status and as of a day, every act and meeting with its
sources, the timeline in date order, a country pair at a glance, conflicts, series."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import BASE
from corpus_data import CORPUS, seeds_with
from fastapi.testclient import TestClient
from test_pages import assert_strip_is_clear

from api.app import create_app
from api.cli import main
from api.config import Settings
from graph.build.iris import Iris
from graph.build.pipeline import compile_seeds
from graph.store import OxigraphStore, memory_store

pytestmark = pytest.mark.pipeline

KOSHA = "act/sour-asks-examine-kosha-comwel-nssf"


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seeds_with(tmp_path_factory.mktemp("api"), CORPUS)


@pytest.fixture(scope="module")
def cstore(seeds: Path) -> OxigraphStore:
    return memory_store(compile_seeds(seeds, Iris(BASE)).nquads)


@pytest.fixture(scope="module")
def client(cstore: OxigraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), store=cstore)) as c:
        yield c


def get(client: TestClient, url: str, **params: Any) -> Any:
    r = client.get(url, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def all_acts(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    body = get(client, "/api/acts", **params)
    items = list(body["items"])
    while body["next"]:
        body = client.get(body["next"]).json()
        items += body["items"]
    return items


def test_requested_means_still_requested_now(client: TestClient) -> None:
    requested = {a["id"] for a in all_acts(client, status="requested", limit=2)}
    # The NSSF-KOSHA request was since agreed: it is no longer "requested" ...
    assert KOSHA not in requested
    assert requested == {
        "act/sour-asks-expand-skilled-workers-programme",
        "act/sour-asks-again-skilled-workers",
        "act/sour-asks-examine-keis-nea",
    }
    # ... it is agreed now, with its history; its stated status is unchanged.
    kosha = next(a for a in all_acts(client, status="agreed") if a["id"] == KOSHA)
    assert (kosha["status"], kosha["stated_status"]) == ("agreed", "requested")
    assert [(s["status"], s["act"], s["date"], s["sources"]) for s in kosha["status_history"]] == [
        ("requested", KOSHA, "2024?-03-08", ["source/ppp-cambodia-korea-labour"]),
        ("agreed", "act/kosha-nssf-agree-osh", "2024-06-12", ["source/test-kosha-nssf-agreement"]),
    ]
    assert kosha["status_reason"].startswith("requested 8 March 2024? (The Phnom Penh Post)")
    assert [s["id"] for s in kosha["sources"]] == ["source/ppp-cambodia-korea-labour"]
    assert kosha["report_count"] == 1


def test_as_of_a_day_gives_the_status_then(client: TestClient) -> None:
    before = {a["id"]: a["status"] for a in all_acts(client, as_of="2024-05-01")}
    after = {a["id"]: a["status"] for a in all_acts(client, as_of="2024-07-01")}
    assert before[KOSHA] == "requested" and after[KOSHA] == "agreed"
    # The agreement itself was not made yet on 1 May.
    assert "act/kosha-nssf-agree-osh" not in before and "act/kosha-nssf-agree-osh" in after
    then = {a["id"] for a in all_acts(client, status="requested", as_of="2024-05-01")}
    assert KOSHA in then


def test_the_pair_filter_and_status_together(client: TestClient) -> None:
    both = {a["id"] for a in all_acts(client, status="requested", countries="KH,KR")}
    assert both == {
        "act/sour-asks-expand-skilled-workers-programme",
        "act/sour-asks-again-skilled-workers",
        "act/sour-asks-examine-keis-nea",
    }


def test_acts_come_in_date_order(client: TestClient) -> None:
    acts = all_acts(client, limit=3)
    keys = [a["status_history"][0]["sort_date"] for a in acts]
    dated = [k for k in keys if k]
    assert dated == sorted(dated) and keys[: len(dated)] == dated  # undated last
    assert len(acts) == 17


def test_meetings_list_their_sources_in_date_order(client: TestClient) -> None:
    body = get(client, "/api/meetings")
    ids = [m["id"] for m in body["items"]]
    assert ids == [
        "meeting/meeting-heng-sour-lee-cheol-woo-march-6",
        "meeting/meeting-heng-sour-lee-jung-sik-march-8",
        "meeting/meeting-heng-sour-lee-cheol-woo-december-27",
    ]
    march6 = body["items"][0]
    assert march6["report_count"] == 2
    assert [(s["id"], s["published"]) for s in march6["sources"]] == [
        ("source/test-gyeongsangbuk-visits", "2024-12-28"),
        ("source/ppp-cambodia-korea-labour", None),
    ]
    assert march6["sources"][0]["evidence"][0]["quote"] == (
        "Heng Suor met Lee Cheol-woo, mayor of Gyeongsangbuk-do, on March 6."
    )


def test_the_timeline_of_a_pair(client: TestClient) -> None:
    items = get(client, "/api/timeline", countries="KR,KH")["items"]
    order = [(i["date"], i["kind"], i["id"]) for i in items]
    days = [i["sort_date"] for i in items if i["sort_date"]]
    assert days == sorted(days)
    # On 6 March the meeting (its year inferred) comes before the acts dated by it.
    assert order[0] == ("2024?-03-06", "meeting", "meeting/meeting-heng-sour-lee-cheol-woo-march-6")
    assert [i["date_basis"] for i in items[:3]] == ["inferred", "occasion", "occasion"]
    december = next(i for i in items if i["id"].endswith("december-27"))
    # Its year taken from publication, written as a curator writes an inferred year.
    assert (december["date"], december["date_basis"]) == ("2024?-12-27", "inferred")
    agreement = next(i for i in items if i["id"] == "act/kosha-nssf-agree-osh")
    assert (agreement["date"], agreement["date_basis"], agreement["status"]) == (
        "2024-06-12",
        "stated",
        "agreed",
    )
    assert [p["id"] for p in agreement["participants"]] == [
        "organization/kosha",
        "organization/nssf",
    ]
    # Undated acts (the seed article gives no date for them, nor a publication date) are last.
    assert items[-1]["sort_date"] is None and items[-1]["date_basis"] == "unknown"
    kinds = {
        i["kind"] for i in get(client, "/api/timeline", countries="KH,KR", kinds="meeting")["items"]
    }
    assert kinds == {"meeting"}
    june = get(client, "/api/timeline", countries="KH,KR", **{"from": "2024-06", "to": "2024-06"})
    assert [i["id"] for i in june["items"]] == [
        "act/kosha-nssf-agree-osh",
        "act/sour-asks-again-skilled-workers",
    ]


def test_the_pair_at_a_glance(client: TestClient) -> None:
    body = get(client, "/api/pairs/KR-KH")
    assert body == get(client, "/api/pairs/KH-KR") | {"countries": body["countries"]}
    assert body["counts"]["meetings"] == 3
    assert body["counts"]["by_status"]["requested"] == 3
    assert body["counts"]["by_status"]["agreed"] >= 4
    assert body["by_month"]["2024-03"] >= 2 and body["by_month"]["2024-12"] == 1
    people = {p["id"]: p["count"] for p in body["people"]}
    assert people["person/heng-sour"] == max(people.values())
    assert [s["id"] for s in body["sources"]] == [
        "source/test-kosha-nssf-agreement",
        "source/test-gyeongsangbuk-visits",
        "source/ppp-cambodia-korea-labour",
    ]
    assert client.get("/api/pairs/KH").status_code == 404
    assert client.get("/api/pairs/KH-ZZ").status_code == 400


def test_the_pair_page_strip_marks_the_months(client: TestClient) -> None:
    """The pair's happenings run from 6 March to 27 December 2024: the strip marks where each
    month begins between them, the first naming its year, each at its share of the days."""
    r = client.get("/pair/KH-KR", headers={"accept": "text/html"})
    figure = r.text.split('id="strip"', 1)[1].split("</figure>", 1)[0]
    ticks = re.findall(r'<text x="([\d.]+)"[^>]*class="tick">([^<]*)</text>', figure)
    assert [label for _, label in ticks] == [
        "Apr 2024", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
    ]  # fmt: skip
    days = (date(2024, 12, 27) - date(2024, 3, 6)).days
    june = (date(2024, 6, 1) - date(2024, 3, 6)).days
    assert ticks[2] == (str(round(june / days * 900, 1)), "Jun")
    # Eight marks in the first week, two in June, one in December: none covers another.
    assert assert_strip_is_clear(figure) == 11
    assert ">6 March 2024</text>" in figure and ">27 December 2024</text>" in figure


def test_conflicts_by_entity_kind_and_source(client: TestClient) -> None:
    every = get(client, "/api/conflicts")["items"]
    assert [(c["kind"], c["about"]["id"]) for c in every] == [
        ("post", "person/lee-cheol-woo"),
        ("spelling", "person/heng-sour"),
    ]
    (post,) = get(client, "/api/conflicts", entity="person/lee-cheol-woo")["items"]
    assert [(c["source"]["id"], c["value"], c["evidence"][0]["quote"]) for c in post["claims"]] == [
        (
            "source/ppp-cambodia-korea-labour",
            "Governor of Gyeongsangbuk-do",
            "Lee Cheol-woo, governor of Gyeongsangbuk-do province",
        ),
        (
            "source/test-gyeongsangbuk-visits",
            "Mayor of Gyeongsangbuk-do",
            "Lee Cheol-woo, mayor of Gyeongsangbuk-do",
        ),
    ]
    assert [c["kind"] for c in get(client, "/api/conflicts", kind="spelling")["items"]] == [
        "spelling"
    ]
    assert (
        get(client, "/api/conflicts", source="test-kosha-nssf-agreement")["items"][0]["kind"]
        == "spelling"
    )
    assert client.get("/api/conflicts", params={"kind": "mood"}).status_code == 400


def test_statistics_as_series(client: TestClient) -> None:
    items = get(client, "/api/series", origin="KH", destination="KR")["items"]
    workers = next(
        s
        for s in items
        if s["population"] == "Cambodians working in South Korea" and "total" in s["label"]
    )
    assert [(p["period"], p["value"], p["qualifier"], p["min"]) for p in workers["points"]] == [
        ("2023", 9778, "exact", None),
        ("2024", None, "more-than", 60000),
    ]
    money = next(s for s in items if s["unit"] == "USD")
    (point,) = money["points"]
    assert (point["min"], point["max"], point["currency"], point["per"], point["value"]) == (
        500000000,
        600000000,
        "USD",
        "year",
        None,
    )
    assert point["sources"][0]["id"] == "source/test-gyeongsangbuk-visits"


def test_bilateral_timeline_on_the_command_line(
    seeds: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    assert main(["build", "--store", str(store), "--seeds", str(seeds)]) == 0
    capsys.readouterr()
    assert main(["timeline", "--store", str(store), "KH", "KR"]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line and not line.startswith(" ")]
    assert lines[0].startswith("2024?-03-06  meeting")
    assert any(
        "history: requested 8 March 2024? (The Phnom Penh Post); agreed 12 June 2024" in line
        for line in out.splitlines()
    )
    assert main(["timeline", "--store", str(store), "KH", "ZZ"]) == 1


def test_entity_answers_list_sources_and_conflicts(client: TestClient) -> None:
    body = get(client, "/api/entities/person/lee-cheol-woo")
    [conflict] = body["conflicts"]
    assert conflict["kind"] == "post"
    assert [c["value"] for c in conflict["claims"]] == [
        "Governor of Gyeongsangbuk-do",
        "Mayor of Gyeongsangbuk-do",
    ]
    facts = {s["fact"]: s for group in body["statements"].values() for s in group}
    march6 = facts["meeting/meeting-heng-sour-lee-cheol-woo-march-6"]
    assert march6["report_count"] == 2
    assert [s["id"] for s in march6["sources"]] == [
        "source/test-gyeongsangbuk-visits",
        "source/ppp-cambodia-korea-labour",
    ]
    assert march6["sources"][0]["published"] == "2024-12-28"
    # Every statement's sources carry exactly its evidence, grouped by source.
    for s in facts.values():
        assert sorted(q["quote"] for r in s["sources"] for q in r["evidence"]) == sorted(
            e["quote"] for e in s["evidence"]
        )


def test_path_links_list_their_sources(client: TestClient) -> None:
    body = get(
        client, "/api/paths", **{"from": "person/heng-sour", "to": "person/lee-cheol-woo", "k": 10}
    )
    links = [link for p in body["paths"] for e in p["edges"] for link in e["links"]]
    via = [
        link for link in links if link["via"] == "meeting/meeting-heng-sour-lee-cheol-woo-march-6"
    ]
    assert via and all(link["report_count"] == 2 for link in via)
    assert all(link["report_count"] == len(link["sources"]) for link in links)


def test_the_statistics_list_keeps_qualified_numbers(client: TestClient) -> None:
    body = get(client, "/api/statistics", origin="KH", limit=200)
    by_id = {o["id"]: o for o in body["items"]}
    more = by_id["observation/cambodians-working-in-south-korea-2024-more-than"]
    assert (more["value"], more["qualifier"], more["min"], more["max"]) == (
        None,
        "more-than",
        60000,
        None,
    )
    money = by_id["observation/remittances-from-south-korea-2024"]
    assert (money["qualifier"], money["min"], money["max"], money["unit"], money["per"]) == (
        "range",
        500000000,
        600000000,
        "USD",
        "year",
    )
    total = by_id["observation/cambodians-working-in-south-korea-2023-total"]
    assert (total["value"], total["qualifier"]) == (9778, "exact")


def test_bad_corpus_parameters_are_problems(client: TestClient) -> None:
    for url, params, status, words in [
        ("/api/timeline", {"countries": "KH"}, 400, "two countries"),
        ("/api/timeline", {"countries": "KH,KR", "kinds": "party"}, 400, "unknown kind 'party'"),
        ("/api/timeline", {"countries": "KH,KR", "layers": "derived"}, 400, "unknown layer"),
        ("/api/timeline", {"countries": "KH,KR", "from": "March"}, 422, ""),
        ("/api/acts", {"as_of": "yesterday"}, 422, ""),
        ("/api/acts", {"status": "signed"}, 400, "unknown status 'signed'"),
    ]:
        r = client.get(url, params=params)
        assert r.status_code == status, (url, params, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert words in r.json()["detail"]


def test_the_timeline_by_layer(client: TestClient) -> None:
    stated = get(client, "/api/timeline", countries="KH,KR", layers="stated")["items"]
    inferred = get(client, "/api/timeline", countries="KH,KR", layers="inferred")["items"]
    assert stated and all("stated" in i["layers"] for i in stated)
    assert all("inferred" in i["layers"] for i in inferred)
    assert {i["id"] for i in stated} | {i["id"] for i in inferred} == {
        i["id"] for i in get(client, "/api/timeline", countries="KH,KR")["items"]
    }


def test_the_landing_summary_lists_sources_by_date(cstore: OxigraphStore) -> None:
    from graph.read.lookup import summary

    sources = summary(cstore)["sources"]
    assert [(s["source"].rsplit("/", 1)[1], s["published"]) for s in sources] == [
        ("test-kosha-nssf-agreement", "2024-06-14"),
        ("test-gyeongsangbuk-visits", "2024-12-28"),
        ("ppp-cambodia-korea-labour", None),
    ]


def test_the_timeline_of_everything(client: TestClient) -> None:
    every = get(client, "/api/timeline")["items"]
    assert len(every) == 3 + 17  # every meeting and act
    days = [i["sort_date"] for i in every if i["sort_date"]]
    assert days == sorted(days)
    first = get(client, "/api/timeline", limit=4)["items"]
    assert [i["id"] for i in first] == [i["id"] for i in every[:4]]
    june = get(client, "/api/timeline", **{"from": "2024-06", "to": "2024-06"})["items"]
    assert [i["id"] for i in june] == [
        "act/kosha-nssf-agree-osh",
        "act/sour-asks-again-skilled-workers",
    ]


def test_the_landing_summary_counts_acts_by_current_status(cstore: OxigraphStore) -> None:
    from graph.read.lookup import summary

    counts = summary(cstore)["acts_by_status"]
    # Stated, four acts say "requested"; one of them was since agreed.
    assert counts["requested"] == 3 and counts["agreed"] == 5
