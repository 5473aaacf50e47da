"""The review page and its API: drafts shown over their text, decisions written back (comments and
order kept), checked and rebuilt; only with the write token. Over HTTP and in chromium."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from chromium import run_script
from conftest import SEEDS
from fastapi.testclient import TestClient
from server import serve

from api.app import create_app
from api.cli import main
from api.config import Settings
from graph.build.iris import Iris
from graph.build.pipeline import build_store
from graph.store import DiskStore

#: Every test here builds a store from a drafted copy of the seeds (and a save rebuilds it).
pytestmark = pytest.mark.pipeline

TOKEN = "review-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TEXT = Path(__file__).resolve().parent / "draft" / "heldout-th-la-bridge.txt"


def drafted(tmp: Path) -> tuple[Path, Path]:
    """A copy of the seeds with the bridge text drafted into it, and a store built from it."""
    seeds = tmp / "seeds"
    shutil.copytree(SEEDS, seeds)
    status = main(
        ["draft", str(TEXT), "--id", "th-la", "--published", "2024-06-05",
         "--seeds", str(seeds), "--write"]
    )  # fmt: skip
    assert status == 0
    store = tmp / "store"
    build_store(seeds, DiskStore(store), Iris())
    return seeds, store


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[TestClient, Path]]:
    seeds, store = drafted(tmp_path)
    settings = Settings(store=store, seeds=seeds, write_token=TOKEN)
    with TestClient(create_app(settings)) as client:
        yield client, seeds


def test_the_page_needs_a_write_token(built: Path) -> None:
    with TestClient(create_app(Settings(store=built, seeds=SEEDS))) as client:
        r = client.get("/review")
        assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")
        assert 'id="disabled"' in r.text and "--write-token-file" in r.text
        assert client.get("/api/review").status_code == 403


def test_the_data_needs_the_token(site: tuple[TestClient, Path]) -> None:
    client, _ = site
    page = client.get("/review")
    assert page.status_code == 200 and 'id="login"' in page.text
    assert '<script src="/static/review/review.js"></script>' in page.text
    assert client.get("/api/review").status_code == 401
    wrong = client.get("/api/review", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403 and wrong.json()["detail"] == "the write token is not valid"
    assert client.post("/api/review/th-la", json={}).status_code == 401
    for name in ("review.js", "review.css"):
        assert client.get(f"/static/review/{name}").status_code == 200
    assert client.get("/static/review/../app.py").status_code == 404


def test_the_view_has_the_text_and_every_proposal_with_offsets(
    site: tuple[TestClient, Path],
) -> None:
    client, _ = site
    listing = client.get("/api/review", headers=AUTH).json()["sheets"]
    assert {s["id"]: s["pending"] > 0 for s in listing} == {
        "ppp-cambodia-korea-labour": False,
        "th-la": True,
    }
    view = client.get("/api/review/th-la", headers=AUTH).json()
    text = view["text"]
    assert text == TEXT.read_text("utf-8")
    for m in view["mentions"]:
        assert text[m["start"] : m["end"]] == m["text"] and m["review"]["score"] > 0
    kinds = [f["fields"]["kind"] for f in view["facts"]]
    assert {"meeting", "agreement", "request", "statement", "observation"} <= set(kinds)
    assert all(f["start"] is not None and f["review"] for f in view["facts"])
    assert {"thailand", "laos"} <= {e["id"] for e in view["new_entities"]}
    assert "under-examination" in view["statuses"]
    assert client.get("/api/review/nothing", headers=AUTH).status_code == 404
    assert client.get("/api/review/..%2Fx", headers=AUTH).status_code == 404


def facts_of(seeds: Path) -> list[dict[str, Any]]:
    return yaml.safe_load((seeds / "facts" / "th-la.yaml").read_text("utf-8"))["facts"]


def test_saving_accepts_edits_rejects_and_adds(site: tuple[TestClient, Path]) -> None:
    client, seeds = site
    sheet = seeds / "facts" / "th-la.yaml"
    before = sheet.read_text("utf-8")
    view = client.get("/api/review/th-la", headers=AUTH).json()
    facts = view["facts"]
    agreement = next(f["index"] for f in facts if f["fields"]["kind"] == "agreement")
    statement = next(f for f in facts if f["fields"]["kind"] == "statement")
    countries = [e["index"] for e in view["new_entities"] if e["id"] in ("thailand", "laos")]
    start = view["text"].index("officials said")
    decisions = {
        "facts": [
            {"index": agreement, "action": "accept",
             "set": {"summary": "build a second railway bridge", "status": "agreed"}},
            {"index": statement["index"], "action": "reject"},
        ],
        "entities": [{"index": i, "action": "accept"} for i in countries],
        "add": [{"kind": "statement", "speaker": "thailand", "form": "paraphrase",
                 "start": start, "end": start + len("officials said")}],
    }  # fmt: skip
    r = client.post("/api/review/th-la", json=decisions, headers=AUTH)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["saved"] and body["problems"] == []
    assert body["counts"] == {"accept": 3, "reject": 1, "add": 1}
    after = facts_of(seeds)
    accepted = next(f for f in after if f["kind"] == "agreement")
    assert "review" not in accepted and accepted["summary"] == "build a second railway bridge"
    assert statement["fields"]["id"] not in {f["id"] for f in after}
    added = after[-1]
    assert (added["kind"], added["speaker"], added["evidence"]) == (
        "statement",
        "thailand",
        "officials said",
    )
    # The file is edited in place: the header comment and the order of the rest are kept.
    text = sheet.read_text("utf-8")
    assert text.splitlines()[:5] == before.splitlines()[:5]
    kept = [f["id"] for f in after[:-1]]
    assert kept == [f["fields"]["id"] for f in facts if f["index"] != statement["index"]]
    # The graph was rebuilt: the agreement is there, with its evidence.
    r = client.get("/api/entities/place/thailand")
    assert r.status_code == 200
    assert "build a second railway bridge" in r.text


def test_a_proposed_entity_and_a_mention_are_edited_then_accepted(
    site: tuple[TestClient, Path],
) -> None:
    client, seeds = site
    view = client.get("/api/review/th-la", headers=AUTH).json()
    assert "government-organization" in view["types"]
    vientiane = next(e for e in view["new_entities"] if e["id"] == "vientiane")
    mention = next(m for m in view["mentions"] if m["text"] == "Vientiane")
    decisions = {
        "entities": [{"index": vientiane["index"], "action": "accept",
                      "set": {"type": "province", "aliases": "Viangchan, Vientiane Prefecture"}}],
        "mentions": [{"index": mention["index"], "action": "accept", "set": {"entity": "vientiane"}}],
    }  # fmt: skip
    r = client.post("/api/review/th-la", json=decisions, headers=AUTH)
    assert r.status_code == 200, r.text
    entities = yaml.safe_load((seeds / "entities" / "drafted-th-la.yaml").read_text("utf-8"))
    accepted = next(e for e in entities["entities"] if e["id"] == "vientiane")
    assert accepted == {
        "id": "vientiane",
        "type": "province",
        "name": "Vientiane",
        "aliases": ["Viangchan", "Vientiane Prefecture"],
    }
    assert (seeds / "entities" / "drafted-th-la.yaml").read_text("utf-8").startswith("# Entities")


def test_an_unsound_save_changes_nothing(site: tuple[TestClient, Path]) -> None:
    client, seeds = site
    sheet = seeds / "facts" / "th-la.yaml"
    before = sheet.read_text("utf-8")
    view = client.get("/api/review/th-la", headers=AUTH).json()
    agreement = next(f["index"] for f in view["facts"] if f["fields"]["kind"] == "agreement")
    # Its countries still await review: accepting the agreement alone would break the build.
    r = client.post(
        "/api/review/th-la",
        json={"facts": [{"index": agreement, "action": "accept"}]},
        headers=AUTH,
    )
    assert r.status_code == 422
    assert not r.json()["saved"]
    assert any("unknown entity 'thailand'" in p for p in r.json()["problems"])
    assert sheet.read_text("utf-8") == before


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "the review must be a JSON object"),
        (b"[]", "the review must be a JSON object"),
        (json.dumps({"facts": [{"index": 999, "action": "accept"}]}).encode(), "no item 999"),
        (json.dumps({"facts": [{"index": 0, "action": "burn"}]}).encode(), "unknown action"),
        (
            json.dumps({"facts": [{"index": 0, "action": "edit", "set": {"id": "x"}}]}).encode(),
            "'id' cannot be edited here",
        ),
        (json.dumps({"add": [{"kind": "meeting", "start": 5, "end": 2}]}).encode(), "offsets"),
    ],
)
def test_bad_reviews_are_a_clear_400(
    site: tuple[TestClient, Path], body: bytes, message: str
) -> None:
    client, seeds = site
    before = (seeds / "facts" / "th-la.yaml").read_text("utf-8")
    r = client.post("/api/review/th-la", content=body, headers=AUTH)
    assert r.status_code == 400 and message in r.json()["detail"], r.text
    assert (seeds / "facts" / "th-la.yaml").read_text("utf-8") == before


# ---- in chromium ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run of tests/browser/review.mjs against a real ``bilateral serve`` (several
    processes, as it runs by default) on a drafted copy of the seeds."""
    tmp = tmp_path_factory.mktemp("review")
    seeds, store = drafted(tmp)
    token = tmp / "token"
    token.write_text(TOKEN)
    out = tmp / "out"
    out.mkdir()
    with serve(store, seeds=seeds, write_token_file=token, timeout=60.0) as base:
        result = run_script("review.mjs", base, out, TOKEN, "th-la")
    result["seeds"] = str(seeds)
    return result


@pytest.mark.browser
@pytest.mark.server
@pytest.mark.subprocess
def test_browser_login_and_highlights(report: dict[str, Any]) -> None:
    assert report["status"] == 200 and report["loginShown"]
    assert report["wrongToken"] == "the write token is not valid"
    opened = report["opened"]
    assert opened["sheet"] == "th-la" and opened["facts"] >= 14 and opened["marks"] >= 14
    assert {"meeting", "agreement", "request", "statement"} <= set(opened["badges"])
    assert report["currentCard"].startswith("meeting")
    assert "held talks in Vientiane" in report["currentSentence"]
    # Only the refusals the test provoked (the wrong token, the unsound save) are errors.
    assert all("403" in e or "422" in e for e in report["consoleErrors"]), report["consoleErrors"]
    assert report["failedRequests"] == [] and report["foreignRequests"] == []
    assert (Path(report["out"]) / "review.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.browser
@pytest.mark.server
@pytest.mark.subprocess
def test_browser_review_saves_validates_and_rebuilds(report: dict[str, Any]) -> None:
    refused = report["refused"]
    assert refused["status"] == 422 and "nothing was changed" in refused["shown"]
    assert "unknown entity 'thailand'" in refused["shown"]
    saved = report["saved"]
    assert saved["status"] == 200 and saved["body"]["counts"] == {"accept": 3, "reject": 1}
    assert "the graph is rebuilt" in saved["shown"]
    before = int(report["pendingText"].split()[0])
    assert report["pendingAfter"] == f"{before - 4} item(s) await review"
    assert report["addShown"] and report["addQuote"] == "“officials said”"
    assert report["added"]["status"] == 200 and report["added"]["body"]["counts"] == {"add": 1}
    facts = yaml.safe_load((Path(report["seeds"]) / "facts" / "th-la.yaml").read_text("utf-8"))
    agreement = next(f for f in facts["facts"] if f["kind"] == "agreement")
    assert "review" not in agreement
    assert agreement["summary"] == "build a second railway bridge across the Mekong"
    assert facts["facts"][-1]["evidence"] == "officials said"
