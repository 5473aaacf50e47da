"""The lists (issue 17): acts, meetings, statements, statistics and sources, each a page with
filters, sorting and paging, its JSON twin and a CSV download; on the seed graph, and on the
seed plus the test sources of tests/corpus (TEST DATA)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chromium import run_script
from conftest import ARTICLE, BASE
from corpus_data import CORPUS, seeds_with
from fastapi.testclient import TestClient
from server import serve

from api.app import create_app
from api.config import Settings
from graph.build.iris import Iris
from graph.build.pipeline import compile_seeds
from graph.store import memory_store

BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
LISTS = ("acts", "meetings", "statements", "statistics", "sources")
TWINS = {"statistics": "/api/figures"}


def every(client: TestClient, url: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a JSON list, page after page."""
    r = client.get(url, params=params or None)
    assert r.status_code == 200, r.text
    body = r.json()
    items = list(body["items"])
    while body.get("next"):
        body = client.get(body["next"]).json()
        items += body["items"]
    return items


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def cells(html: str, column: str) -> list[str]:
    """The text of one column of a list page's table (links stripped)."""
    found = re.findall(rf'<td class="c-{column}">(.*?)</td>', html, re.S)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in found]


def groups(html: str, column: str) -> list[tuple[str, list[str]]]:
    """A list page's groups of rows: each heading's text, with one column of its rows."""
    bodies = re.findall(r'<tbody class="grouped">(.*?)</tbody>', html, re.S)
    return [
        (re.sub(r"<[^>]+>", "", b.split("</th>", 1)[0]).strip(), cells(b, column)) for b in bodies
    ]


# ---- on the seed graph ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", LISTS)
def test_every_list_is_a_page_a_json_twin_and_a_csv(client: TestClient, kind: str) -> None:
    page = client.get(f"/{kind}", headers=BROWSER)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    twin = TWINS.get(kind, f"/api/{kind}")
    assert page.headers["link"] == f'<{twin}>; rel="alternate"; type="application/json"'
    assert f'<a id="csv" href="/{kind}.csv" download>' in page.text
    download = client.get(f"/{kind}.csv")
    assert download.headers["content-type"] == "text/csv; charset=utf-8"
    assert download.headers["content-disposition"] == f'attachment; filename="{kind}.csv"'
    table = rows(download.text)
    # The page, the JSON and the CSV list the same things, each row with its IRI.
    json = client.get(f"/{kind}", headers={"accept": "application/json"}).json()
    assert table and len(table) == len(json["items"])
    assert page.text.count("<tr><td") == len(table)
    assert all(r["iri"].startswith(BASE + "id/") for r in table)
    # The same CSV by ?format= and by Accept.
    assert client.get(f"/{kind}", params={"format": "csv"}).text == download.text
    assert client.get(f"/{kind}", headers={"accept": "text/csv"}).text == download.text


def test_acts_page_dates_in_words_statuses_in_words_and_evidence_links(client: TestClient) -> None:
    html = client.get("/acts", headers=BROWSER).text
    dates = cells(html, "date")
    assert dates[0] == "6 March 2024, year inferred" and not any("?" in d for d in dates)
    assert not re.search(r"\b\d{4}\?-\d\d", html)  # no raw EDTF anywhere
    assert cells(html, "status").count("under examination") == 3
    # Every row links to its act and to the sentence it rests on (the span on the source).
    assert html.count('<td class="c-act"><a href="/id/act/') == 15
    spans = re.findall(
        r'<td class="c-evidence"><a href="/id/source/([^"#]+)#span-(\d+)-(\d+)"', html
    )
    assert len(spans) == 15
    quote = cells(html, "evidence")[0].split(" | ")[0]
    _, start, end = spans[0]
    assert ARTICLE[int(start) : int(end)] == quote.replace("&#39;", "'").replace("&#34;", '"')


def test_one_spelling_of_a_status_in_the_api_its_label_on_pages(client: TestClient) -> None:
    acts = every(client, "/api/acts", status="under-examination")
    assert len(acts) == 3 and {a["status"] for a in acts} == {"under-examination"}
    assert {a["stated_status"] for a in acts} == {"under-examination"}
    html = client.get("/acts", params={"status": "under-examination"}, headers=BROWSER).text
    assert cells(html, "status") == ["under examination"] * 3
    assert '<option value="under-examination" selected>under examination</option>' in html


def test_filters_by_kind_field_and_pair(client: TestClient) -> None:
    requests = every(client, "/api/acts", kind="request")
    assert requests and {a["kind"] for a in requests} == {"Request"}
    assert len(requests) < len(every(client, "/api/acts"))
    (trucks,) = every(client, "/api/acts", field="emergency-services")
    assert trucks["summary"] == "the provision of fire trucks and ambulances"
    both = every(client, "/api/acts", field="employment", countries="KH,KR")
    assert both and all("employment" in a["fields"] for a in both)
    assert len(both) < len(every(client, "/api/acts", field="employment"))
    said = every(client, "/api/statements", speaker="person/pav-sina")
    assert said and {s["speaker"]["label"] for s in said} == {"Pav Sina"}
    html = client.get("/statements", params={"speaker": "person/pav-sina"}, headers=BROWSER)
    assert set(cells(html.text, "speaker")) == {"Pav Sina"}
    assert len(every(client, "/api/meetings", participant="person/lee-jung-sik")) == 1


def test_paging_by_cursor_on_the_page_and_in_json(client: TestClient) -> None:
    everything = [a["id"] for a in every(client, "/api/acts")]
    assert [a["id"] for a in every(client, "/api/acts", limit=4)] == everything
    html = client.get("/acts", params={"limit": 4}, headers=BROWSER).text
    following = re.search(r'<a id="next" href="([^"]+)">', html)
    assert following and following.group(1).startswith("/acts?limit=4&amp;after=act%2F")
    second = client.get(following.group(1).replace("&amp;", "&"), headers=BROWSER).text
    assert '<a id="first" href="/acts?limit=4">' in second
    ids = re.findall(r'<td class="c-act"><a href="/id/([^"]+)"', second)
    assert ids == everything[4:8]


def test_newest_first(client: TestClient) -> None:
    oldest = every(client, "/api/acts")
    newest = every(client, "/api/acts", sort="-date", limit=3)
    day = [a["status_history"][0]["sort_date"] for a in newest]
    dated = [d for d in day if d]
    assert dated == sorted(dated, reverse=True) and day[: len(dated)] == dated
    assert sorted(a["id"] for a in newest) == sorted(a["id"] for a in oldest)


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        ("/api/acts?status=maybe", "unknown status"),
        ("/api/acts?kind=treaty", "unknown kind"),
        ("/api/acts?field=fishing", "unknown field"),
        ("/api/acts?from=March", "from takes a date"),
        ("/api/meetings?to=2024-3-8", "to takes a date"),
        ("/api/acts?countries=KH", "two countries"),
        ("/api/acts?sort=name", "unknown sort"),
        ("/api/sources?format=xml", "unknown format"),
        ("/api/statements?speaker=a%20b", "speaker takes an id"),
        ("/api/statistics?origin=XX", "is not a country"),
    ],
)
def test_bad_filters_are_400_problems(client: TestClient, url: str, detail: str) -> None:
    r = client.get(url)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert detail in r.json()["detail"]


def test_a_bad_filter_in_a_browser_is_a_page(client: TestClient) -> None:
    r = client.get("/acts", params={"status": "maybe"}, headers=BROWSER)
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    assert "unknown status &#39;maybe&#39;" in r.text and 'href="/"' in r.text


def test_the_list_of_sources(client: TestClient) -> None:
    (seed,) = every(client, "/api/sources")
    assert seed["id"] == "source/ppp-cambodia-korea-labour"
    assert seed["publisher"] == "The Phnom Penh Post" and seed["kind"] == "news article"
    assert seed["reports"] > 30
    # The one source keeps its text and spans at its own address.
    assert client.get("/api/sources/ppp-cambodia-korea-labour").json()["id"] == seed["id"]
    # The page names the original's site and links the whole address, which the CSV gives.
    html = client.get("/sources", headers=BROWSER).text
    assert cells(html, "original") == ["phnompenhpost.com"]
    assert f'<a href="{seed["url"]}">phnompenhpost.com</a>' in html
    assert rows(client.get("/sources.csv").text)[0]["original"] == seed["url"]


@pytest.mark.pipeline
def test_names_and_quotes_are_set_apart_on_the_page(corpus: TestClient) -> None:
    html = corpus.get("/meetings", headers=BROWSER).text
    first = html.split('<td class="c-attendees">', 1)[1].split("</td>", 1)[0]
    assert re.findall(r'<span class="part">([^<]+)</span>', first) == ["Heng Sour", "Lee Cheol-woo"]
    evidence = html.split('<td class="c-evidence">', 1)[1].split("</td>", 1)[0]
    assert len(re.findall(r'<span class="part">', evidence)) == 2  # two reports, two lines
    # the CSV keeps one cell of each
    (march6,) = [r for r in rows(corpus.get("/meetings.csv").text) if "6 March" in r["meeting"]]
    assert march6["attendees"] == "Heng Sour; Lee Cheol-woo" and " | " in march6["evidence"]


def test_statistics_as_series_keep_their_qualifiers(client: TestClient) -> None:
    table = rows(client.get("/statistics.csv").text)
    assert [(r["period"], r["value"]) for r in table if "female, persons" in r["series"]] == [
        ("2023", "2719")
    ]
    # The figures the build derived are there too, with their computation.
    (men,) = [r for r in table if "(male, persons)" in r["series"]]
    assert (men["value"], men["evidence"]) == ("7059", "7,059 = 9,778 (total) − 2,719 (women)")
    assert len(table) == 4  # as many as the landing page counts
    # The page says the numbers as people read them.
    html = client.get("/statistics", headers=BROWSER).text
    assert "2,719" in cells(html, "value")
    # It names each series once, above its rows, not in every row.
    names = list(dict.fromkeys(r["series"] for r in table))
    assert [name for name, _ in groups(html, "period")] == names
    assert sum(len(periods) for _, periods in groups(html, "period")) == len(table)
    assert cells(html, "series") == [] and '<th class="c-series">' not in html
    for name in names:
        assert html.count(f">{name}</a></th>") == 1, name


NUMBERS = ("value", "lower bound", "upper bound", "approximate")


@pytest.mark.pipeline
def test_statistics_csv_gives_numbers_a_spreadsheet_reads(corpus: TestClient) -> None:
    table = rows(corpus.get("/statistics.csv").text)
    assert table and all(set(NUMBERS) | {"qualifier", "unit", "currency"} <= set(r) for r in table)
    for r in table:
        for name in NUMBERS:
            assert r[name] == "" or re.fullmatch(r"-?\d+(\.\d+)?", r[name]), (name, r)
        assert r["qualifier"] != "exact" or r["value"], r
    (money,) = [r for r in table if r["qualifier"] == "range"]
    assert (money["lower bound"], money["upper bound"], money["value"]) == (
        "500000000",
        "600000000",
        "",
    )
    assert (money["unit"], money["currency"], money["per"]) == ("USD", "USD", "year")
    assert money["as written"] == "500 to 600 million US dollars a year"


@pytest.mark.pipeline
def test_statistics_newest_first_keep_each_series_together(corpus: TestClient) -> None:
    oldest = every(corpus, "/api/figures")
    newest = every(corpus, "/api/figures", sort="-date")
    assert sorted(i["id"] for i in newest) == sorted(i["id"] for i in oldest)
    assert newest[0]["period"] == max(i["period"] for i in oldest)
    for items, later in ((oldest, False), (newest, True)):
        series = [i["series"] for i in items]
        # a series is one run of rows, its periods in order
        assert len(list(dict.fromkeys(series))) == len(
            [s for n, s in enumerate(series) if n == 0 or series[n - 1] != s]
        )
        for name in set(series):
            periods = [i["period"] for i in items if i["series"] == name]
            assert periods == sorted(periods, reverse=later), name
    html = corpus.get("/statistics", params={"sort": "-date"}, headers=BROWSER).text
    assert '<option value="-date" selected>newest first</option>' in html
    # The page names each series once, above its points, in either order.
    total = "Cambodians working in South Korea (total, persons): Cambodia → South Korea"
    for order, items in ((None, oldest), ("-date", newest)):
        page = corpus.get("/statistics", params={"sort": order or "date"}, headers=BROWSER).text
        shown = groups(page, "period")
        assert [name for name, _ in shown] == list(dict.fromkeys(i["series"] for i in items))
        assert dict(shown)[total] == (["2024", "2023"] if order else ["2023", "2024"])
    # A page that begins inside a series names it again.
    first = groups(corpus.get("/statistics?limit=2", headers=BROWSER).text, "period")
    second = groups(
        corpus.get(f"/statistics?limit=2&after={oldest[1]['id']}", headers=BROWSER).text, "period"
    )
    assert first[-1] == (total, ["2023"]) and second[0] == (total, ["2024"])
    assert corpus.get("/api/figures", params={"sort": "size"}).status_code == 400


def test_csv_cells_a_spreadsheet_would_run_are_neutralized(client: TestClient) -> None:
    for kind in LISTS:
        for row in rows(client.get(f"/{kind}.csv").text):
            assert not any(v[:1] and v[:1] in "=+@" for v in row.values()), row


def test_landing_page_counts_link_to_the_lists(client: TestClient) -> None:
    html = client.get("/", headers=BROWSER).text
    for kind, n in (("meetings", 2), ("acts", 15), ("statements", 9), ("statistics", 4)):
        assert f'<a href="/{kind}">{n}</a>' in html, kind
    assert '<a href="/acts?status=under-examination">3</a>' in html
    assert len(every(client, "/api/acts", status="under-examination")) == 3


# ---- on the seed plus the test sources ------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    built = compile_seeds(seeds_with(tmp_path_factory.mktemp("lists"), CORPUS), Iris(BASE))
    with TestClient(create_app(Settings(), store=memory_store(built.nquads))) as c:
        yield c


@pytest.mark.pipeline
def test_sources_by_publication_date(corpus: TestClient) -> None:
    found = [(s["id"], s["published"]) for s in every(corpus, "/api/sources")]
    assert found == [
        ("source/test-kosha-nssf-agreement", "2024-06-14"),
        ("source/test-gyeongsangbuk-visits", "2024-12-28"),
        ("source/ppp-cambodia-korea-labour", None),
    ]
    newest = [s["id"] for s in every(corpus, "/api/sources", sort="-date")]
    assert newest == [found[1][0], found[0][0], found[2][0]]
    html = corpus.get("/sources", headers=BROWSER).text
    assert cells(html, "published") == ["14 June 2024", "28 December 2024", "undated"]


@pytest.mark.pipeline
def test_acts_by_date_range_source_and_current_status(corpus: TestClient) -> None:
    summer = every(corpus, "/api/acts", **{"from": "2024-06", "to": "2024-06"})
    assert {a["id"] for a in summer} == {
        "act/kosha-nssf-agree-osh",
        "act/sour-asks-again-skilled-workers",
    }
    assert {a["status_history"][0]["sort_date"][:7] for a in summer} == {"2024-06"}
    reported = every(corpus, "/api/acts", source="test-kosha-nssf-agreement")
    assert {a["id"] for a in reported} == {a["id"] for a in summer}
    assert all(
        "source/test-kosha-nssf-agreement" in [s["id"] for s in a["sources"]] for a in reported
    )
    # The KOSHA request was since agreed: its row says so, with its history.
    html = corpus.get("/acts", params={"status": "agreed"}, headers=BROWSER).text
    assert "requested → agreed" in html
    assert "agreed" in cells(html, "status")[0]


@pytest.mark.pipeline
def test_meetings_with_inferred_years_and_by_pair(corpus: TestClient) -> None:
    html = corpus.get("/meetings", params={"countries": "KH,KR"}, headers=BROWSER).text
    assert cells(html, "date") == [
        "6 March 2024, year inferred",
        "8 March 2024, year inferred",
        "27 December 2024, year inferred",
    ]
    # An attendee with two labels is named once.
    assert cells(html, "attendees")[0] == "Heng Sour; Lee Cheol-woo"
    later = every(corpus, "/api/meetings", sort="-date")
    assert later[0]["id"] == "meeting/meeting-heng-sour-lee-cheol-woo-december-27"


def numbered_links(html: str) -> list[tuple[str, int]]:
    """Every link of a page's main part whose words start with a number: (href, number)."""
    main = html.split("<main", 1)[1]
    found = re.findall(r'<a href="([^"]+)">(\d+)\b[^<]*</a>', main)
    return [(href.replace("&amp;", "&"), int(n)) for href, n in found]


@pytest.mark.pipeline
@pytest.mark.parametrize("graph", ["client", "corpus"])
def test_every_number_on_the_pair_page_is_the_length_of_the_list_it_links(
    graph: str, request: pytest.FixtureRequest
) -> None:
    """On the seed, and on the seed plus the test sources: each number a link, and the list it
    links (its JSON twin, every page of it) as long as the number says."""
    client: TestClient = request.getfixturevalue(graph)
    html = client.get("/pair/KH-KR", headers=BROWSER).text
    links = numbered_links(html)
    kinds = {href.split("?")[0] for href, _ in links}
    assert kinds == {"/acts", "/meetings", "#sources"}, kinds
    # every field, person, body and source has a count of meetings and one of acts
    for name in ("field", "participant", "source"):
        assert {h.split("?")[0] for h, _ in links if f"&{name}=" in h} == {"/acts", "/meetings"}
    for href, n in links:
        if href == "#sources":
            table = html.split('id="source-list"', 1)[1].split("</table>", 1)[0]
            assert table.count("<tr>") - 1 == n
            continue
        assert len(every(client, "/api" + href)) == n, href
    body = client.get("/api/pairs/KH-KR").json()
    for row in body["fields"] + body["people"] + body["bodies"] + body["sources"]:
        assert row["count"] == row["meetings"] + row["acts"], row


@pytest.mark.pipeline
def test_meetings_by_field_and_acts_by_participant(corpus: TestClient) -> None:
    employment = every(corpus, "/api/meetings", field="employment")
    assert [m["id"] for m in employment] == [
        "meeting/meeting-heng-sour-lee-jung-sik-march-8",
        "meeting/meeting-heng-sour-lee-cheol-woo-december-27",
    ]
    assert corpus.get("/api/meetings", params={"field": "nonsense"}).status_code == 400
    made = every(corpus, "/api/acts", participant="person/heng-sour")
    assert made and all(
        "person/heng-sour" in {p["id"] for p in a["actors"] + a["addressees"] + a["partners"]}
        for a in made
    )


# ---- in chromium ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report(built: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run of tests/browser/lists.mjs against a real ``bilateral serve``; its report."""
    out = tmp_path_factory.mktemp("lists")
    with serve(built) as base:
        return run_script("lists.mjs", base, out)


@pytest.mark.browser
def test_every_list_page_in_the_browser(report: dict[str, Any]) -> None:
    assert report["fromLanding"].endswith("/acts")
    counts = {"acts": 15, "meetings": 2, "statements": 9, "statistics": 4, "sources": 1}
    for kind, n in counts.items():
        seen = report["lists"][kind]
        assert seen["current"].lower() == kind and len(seen["rows"]) == n, kind
        assert seen["download"] == {"name": f"{kind}.csv", "lines": n + 1}, kind
        assert not seen["overflows"], kind
        # Every row links to what it lists; dates in words, never EDTF.
        main = next(c for c in seen["columns"] if c not in {"date", "source date", "published"})
        assert all(r[main]["href"].startswith("/id/") for r in seen["rows"]), kind
        dates = [r[c]["text"] for r in seen["rows"] for c in r if c in {"date", "period"}]
        assert not any("?" in d or "XXXX" in d for d in dates), kind
    acts = report["lists"]["acts"]["rows"]
    assert acts[0]["date"]["text"] == "6 March 2024, year inferred"
    assert all(r["evidence"]["href"].startswith("/id/source/") for r in acts)
    # Statistics: each series named once, above its rows (the rows read as before).
    statistics = report["lists"]["statistics"]
    assert statistics["columns"][:2] == ["series", "period"]
    assert statistics["groups"] == list(
        dict.fromkeys(r["series"]["text"] for r in statistics["rows"])
    )
    assert report["lists"]["acts"]["groups"] == []
    meetings = report["lists"]["meetings"]["rows"]
    assert [r["date"]["text"] for r in meetings] == [
        "6 March 2024, year inferred",
        "8 March 2024, year inferred",
    ]


@pytest.mark.browser
def test_filter_sort_and_page_in_the_browser(report: dict[str, Any]) -> None:
    filtered = report["filtered"]
    assert "status=under-examination" in filtered["url"] and "sort=-date" in filtered["url"]
    assert [r["status"]["text"] for r in filtered["rows"]] == ["under examination"] * 3
    assert filtered["csv"] == "/acts.csv?status=under-examination&sort=-date"
    assert report["empty"]["rows"] == [] and report["empty"]["none"].startswith("Nothing")
    paging = report["paging"]
    assert len(paging["first"]) == len(paging["second"]) == 4
    assert not set(paging["first"]) & set(paging["second"])
    assert paging["again"] == paging["first"]
    speaker = report["speaker"]
    assert {r["speaker"]["text"] for r in speaker["rows"]} == {"Pav Sina"}
    assert "#span-" in report["evidence"]["url"] and report["evidence"]["target"]


@pytest.mark.browser
def test_list_pages_load_nothing_from_elsewhere(report: dict[str, Any]) -> None:
    assert report["foreignRequests"] == []
    assert report["consoleErrors"] == [] and report["failedRequests"] == []
    assert {"acts.png", "acts-filtered.png", "statistics.png"} <= set(report["shots"])
    assert all((Path(report["out"]) / s).stat().st_size > 10_000 for s in report["shots"])


@pytest.mark.pipeline
def test_the_timeline_says_statuses_and_histories_in_words(corpus: TestClient) -> None:
    html = corpus.get("/timeline", headers=BROWSER).text
    assert '<span class="history">requested → agreed</span>' in html
    assert 'value="under-examination" checked> under examination</label>' in html
    assert 'data-status="under-examination"' in html  # the API's spelling, for the filters
