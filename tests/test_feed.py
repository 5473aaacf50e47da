"""The Atom feed of a country pair's new and changed acts, read back as a feed reader reads it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.etree import ElementTree as ET

import feedparser
import pytest
from conftest import ARTICLE, BASE, ID
from corpus_data import CORPUS, seeds_with
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from graph.build.iris import Iris
from graph.build.pipeline import compile_seeds
from graph.store import OxigraphStore, memory_store

A = "{http://www.w3.org/2005/Atom}"
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
#: The server reached at the graph's base, so that links and IRIs read alike in the tests.
PUBLIC = Settings(public_url="https://bilateral-kg.example")


@pytest.fixture(scope="module")
def client(store: OxigraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(PUBLIC, store=store)) as c:
        yield c


@pytest.fixture(scope="module")
def corpus_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The seed with the test sources of tests/corpus (TEST DATA): later reports that change
    the status of a seed act."""
    seeds = seeds_with(tmp_path_factory.mktemp("feed"), CORPUS)
    store = memory_store(compile_seeds(seeds, Iris(BASE)).nquads)
    with TestClient(create_app(PUBLIC, store=store)) as c:
        yield c


def _valid_atom(xml: bytes) -> ET.Element:
    """Parse and check RFC 4287's must-haves: feed and entries with id, title, updated
    (RFC 3339), the feed's self link, an alternate link per entry, unique entry ids."""
    root = ET.fromstring(xml)
    assert root.tag == f"{A}feed"
    for el in [root, *root.findall(f"{A}entry")]:
        for tag in ("id", "title", "updated"):
            assert len(el.findall(f"{A}{tag}")) == 1, (el.tag, tag)
        assert STAMP.match(el.findtext(f"{A}updated") or "")
    assert root.find(f"{A}author/{A}name") is not None
    assert [lk.get("rel") for lk in root.findall(f"{A}link")] == ["self", "alternate"]
    ids = [e.findtext(f"{A}id") for e in root.findall(f"{A}entry")]
    assert len(ids) == len(set(ids))
    for entry in root.findall(f"{A}entry"):
        rels = [lk.get("rel") for lk in entry.findall(f"{A}link")]
        assert rels.count("alternate") == 1 and "related" in rels
    return root


def test_pair_feed_is_valid_atom_with_an_entry_per_act(client: TestClient) -> None:
    r = client.get("/pair/KH-KR/feed.atom")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/atom+xml; charset=utf-8"
    root = _valid_atom(r.content)
    assert root.findtext(f"{A}id") == f"{BASE}pair/KH-KR/feed.atom"
    assert root.findtext(f"{A}title") == "Cambodia – South Korea: new and changed cooperation acts"
    entries = root.findall(f"{A}entry")
    assert len(entries) == 10  # the acts that involve both countries
    acts = {e.find(f"{A}link[@rel='alternate']").get("href") for e in entries}  # type: ignore[union-attr]
    assert f"{ID}act/sour-asks-expand-skilled-workers-programme" in acts
    assert f"{ID}act/governor-examines-technology-exchange" not in acts  # Korea's alone
    # newest first; the feed is as new as its newest entry
    assert root.findtext(f"{A}updated") == entries[0].findtext(f"{A}updated")


def test_entries_link_to_their_evidence(client: TestClient) -> None:
    parsed = feedparser.parse(client.get("/pair/KH-KR/feed.atom").content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    entry = next(
        e
        for e in parsed.entries
        if e.link.endswith("act/sour-asks-expand-skilled-workers-programme")
    )
    assert entry.title == "Request by Heng Sour: expand the skilled workers programme (requested)"
    related = [lk for lk in entry.links if lk.rel == "related"]
    (span,) = related
    m = re.fullmatch(rf"{ID}span/ppp-cambodia-korea-labour/(\d+)-(\d+)", span.href)
    assert m
    start, end = int(m.group(1)), int(m.group(2))
    assert ARTICLE[start:end].startswith("The minister asked Lee to expand the skilled workers")
    assert ARTICLE[start:end] in entry.content[0].value
    via = [lk.href for lk in entry.links if lk.rel == "via"]
    assert via == [
        "https://phnompenhpost.com/national/cambodia-s-korea-heighten-employment-vocational-ties"
    ]
    assert entry.tags[0].term == "requested"
    # the evidence span is a page of its own: the feed reader's link works
    page = client.get(span.href.removeprefix(BASE.rstrip("/")), headers={"accept": "text/html"})
    assert page.status_code == 200


def test_undated_acts_are_dated_as_the_feed_and_say_so(client: TestClient) -> None:
    parsed = feedparser.parse(client.get("/pair/KH-KR/feed.atom").content)
    undated = next(
        e
        for e in parsed.entries
        if e.link.endswith("act/cambodia-south-korea-agree-employment-training-protection")
    )
    assert "date not given" in undated.summary
    assert undated.updated == parsed.feed.updated
    assert "published" not in undated  # no source date: nothing made up


@pytest.mark.pipeline
def test_a_later_report_that_changes_a_status_is_a_new_entry(corpus_client: TestClient) -> None:
    root = _valid_atom(corpus_client.get("/pair/KH-KR/feed.atom").content)
    entries = {e.findtext(f"{A}id"): e for e in root.findall(f"{A}entry")}
    history = f"{ID}act/sour-asks-examine-kosha-comwel-nssf/status-history/"
    first, later = entries[history + "1"], entries[history + "2"]
    assert first.findtext(f"{A}title", "").endswith("(requested)")
    assert "now agreed" in later.findtext(f"{A}title", "")
    # dated by the later source's publication, which the test source gives
    assert later.findtext(f"{A}updated") == "2024-06-14T00:00:00Z"
    assert later.findtext(f"{A}published") == "2024-06-14T00:00:00Z"
    assert next(e.findtext(f"{A}id") for e in root.findall(f"{A}entry")) != history + "1"
    related = [lk.get("href") for lk in later.findall(f"{A}link[@rel='related']")]
    assert related and all("/id/span/test-kosha-nssf-agreement/" in h for h in related)


@pytest.mark.parametrize(
    ("pair", "reason"),
    [
        ("KH-XX", "'XX' is not a country of the graph"),
        ("KH", "is not a country pair"),
        ("KH-KH", "two different countries"),
    ],
)
def test_a_bad_pair_is_404_with_a_reason(client: TestClient, pair: str, reason: str) -> None:
    r = client.get(f"/pair/{pair}/feed.atom")
    assert r.status_code == 404 and reason in r.json()["detail"]


def test_links_come_from_the_public_url_ids_from_the_base(store: OxigraphStore) -> None:
    with TestClient(create_app(Settings(public_url="https://kg.example.org"), store=store)) as c:
        xml = c.get("/pair/KR-KH/feed.atom", headers={"host": "evil.example"}).content
    assert b"evil.example" not in xml
    root = _valid_atom(xml)
    assert root.findtext(f"{A}id") == f"{BASE}pair/KR-KH/feed.atom"
    assert root.find(f"{A}link[@rel='self']").get("href") == (  # type: ignore[union-attr]
        "https://kg.example.org/pair/KR-KH/feed.atom"
    )
    hrefs = [lk.get("href") for lk in root.iter(f"{A}link") if lk.get("rel") != "via"]
    assert hrefs and all(h.startswith("https://kg.example.org/") for h in hrefs)
    ids = [e.findtext(f"{A}id") for e in root.findall(f"{A}entry")]
    assert all(i.startswith(ID) for i in ids)
