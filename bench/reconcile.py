"""Compare our /reconcile with datasette-reconcile on the same names: match quality and speed.

Both services get the same knowledge: every name of every person, body and place of the seed
graph (English names, aliases, abbreviations, names in Khmer and Hangul), datasette-reconcile
as one SQLite row per name with full-text search. Both are served on 127.0.0.1 and sent the 50
name variants of ``tests/reconciliation/name-variants.yaml`` (spellings, word order, scripts and
names not in the graph) as OpenRefine sends them: form-encoded ``queries=`` batches of 10. It
reports, per service: precision and recall at ``match: true``, how often the first candidate is
right, and the median time of a batch (requests interleaved, so that other work on the machine
slows both alike). It writes ``bench/reconcile-results.md``.

Usage::

    python bench/reconcile.py --reps 20
"""

from __future__ import annotations

import argparse
import json
import logging
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import yaml
from servers import free_port, serve  # bench/servers.py

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
VARIANTS = ROOT / "tests" / "reconciliation" / "name-variants.yaml"
BATCH = 10
TYPES = {"person": "person", "organization": "organization", "country": "place", "place": "place"}

log = logging.getLogger("bench.reconcile")


def names_table(store_path: Path, db_path: Path) -> int:
    """The seed graph's names as a SQLite table with full-text search, for datasette."""
    from graph.read.query import select
    from graph.store import open_store

    store = open_store(store_path)
    rows = select(
        store,
        """
        SELECT DISTINCT ?e ?name ?cls WHERE {
            VALUES (?c ?cls) { (schema:Person "person") (org:Organization "organization")
                               (schema:Country "country") (schema:Place "place") }
            ?e a ?c ; rdfs:label|skos:altLabel ?name .
        }""",
    )
    base = "https://bilateral-kg.example/id/"
    db = sqlite3.connect(db_path)
    db.execute("CREATE TABLE names (id INTEGER PRIMARY KEY, entity TEXT, name TEXT, type TEXT)")
    kept: dict[tuple[str, str], str] = {}
    for r in rows:  # a country is also a place: the more specific type wins
        key = (r["e"].removeprefix(base), r["name"])
        if key not in kept or r["cls"] == "country":
            kept[key] = TYPES[r["cls"]]
    db.executemany(
        "INSERT INTO names (entity, name, type) VALUES (?, ?, ?)",
        [(e, n, t) for (e, n), t in sorted(kept.items())],
    )
    db.execute("CREATE VIRTUAL TABLE names_fts USING fts5(name, content=names, content_rowid=id)")
    db.execute("INSERT INTO names_fts (rowid, name) SELECT id, name FROM names")
    db.commit()
    db.close()
    return len(kept)


def batches(variants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for start in range(0, len(variants), BATCH):
        out.append(
            {
                f"q{i}": {"query": v["query"], "type": v["type"], "limit": 5}
                for i, v in enumerate(variants[start : start + BATCH], start)
            }
        )
    return out


def quality(variants: list[dict[str, Any]], answers: dict[str, Any]) -> dict[str, float]:
    sure = right = first = 0
    for i, v in enumerate(variants):
        result = answers[f"q{i}"]["result"]
        matched = [c for c in result if c.get("match")]
        if matched:
            sure += 1
            right += matched[0]["id"] == v["expect"]
        if v["expect"] and result and result[0]["id"] == v["expect"]:
            first += 1
    positives = sum(1 for v in variants if v["expect"])
    return {
        "sure": sure,
        "precision": right / sure if sure else float("nan"),
        "recall": right / positives,
        "first": first / positives,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20, help="rounds of all batches")
    parser.add_argument("--out", type=Path, default=HERE / "reconcile-results.md")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    variants = yaml.safe_load(VARIANTS.read_text(encoding="utf-8"))["variants"]
    work = Path(tempfile.mkdtemp(prefix="bench-reconcile-"))
    store = work / "store"
    subprocess.run(
        [str(BIN / "bilateral"), "build", "--store", str(store)],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    db = work / "names.db"
    count = names_table(store, db)
    meta = work / "metadata.json"
    meta.write_text(
        json.dumps(
            {
                "databases": {
                    "names": {
                        "tables": {
                            "names": {
                                "plugins": {
                                    "datasette-reconcile": {
                                        "id_field": "entity",
                                        "name_field": "name",
                                        "type_field": "type",
                                    }
                                }
                            }
                        }
                    }
                }
            }
        )
    )
    ours_port, peer_port = free_port(), free_port()
    ours = f"http://127.0.0.1:{ours_port}/reconcile"
    peer = f"http://127.0.0.1:{peer_port}/names/names/-/reconcile"
    serve_ours = [
        str(BIN / "bilateral"),
        "serve",
        "--store",
        str(store),
        "--host",
        "127.0.0.1",
        "--port",
        str(ours_port),
        "--workers",
        "1",
    ]
    serve_peer = [
        str(BIN / "datasette"),
        "serve",
        str(db),
        "-m",
        str(meta),
        "-h",
        "127.0.0.1",
        "-p",
        str(peer_port),
    ]
    sent = batches(variants)
    times: dict[str, list[float]] = {"bilateral-kg": [], "datasette-reconcile": []}
    answers: dict[str, dict[str, Any]] = {"bilateral-kg": {}, "datasette-reconcile": {}}
    with (
        serve("bilateral-kg", serve_ours, ours, ours, work / "ours.log", timeout=120),
        serve("datasette", serve_peer, peer, peer, work / "peer.log", timeout=120),
        httpx.Client(timeout=60) as client,
    ):
        for rep in range(args.reps + 1):  # the first round warms up
            for batch in sent:
                for name, url in (("bilateral-kg", ours), ("datasette-reconcile", peer)):
                    t0 = time.perf_counter()
                    r = client.post(url, data={"queries": json.dumps(batch)})
                    elapsed = time.perf_counter() - t0
                    r.raise_for_status()
                    if rep:
                        times[name].append(elapsed)
                    else:
                        answers[name].update(r.json())
    lines = [
        "# Reconciliation: bilateral-kg and datasette-reconcile",
        "",
        f"The seed graph's {count} names of people, bodies and places; the "
        f"{len(variants)} name variants of `tests/reconciliation/name-variants.yaml` "
        f"({sum(1 for v in variants if v['expect'])} of names the graph holds, "
        f"{sum(1 for v in variants if not v['expect'])} of names it does not), in batches of "
        f"{BATCH} form-encoded `queries=`, {args.reps} rounds after a warm-up, requests "
        "interleaved. Both services on 127.0.0.1, one process each.",
        "",
        "| service | sure (`match: true`) | precision | recall | first candidate right "
        "| batch p50 | batch p90 |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in times:
        q = quality(variants, answers[name])
        ts = sorted(times[name])
        p50 = statistics.median(ts) * 1000
        p90 = ts[int(len(ts) * 0.9) - 1] * 1000
        lines.append(
            f"| {name} | {q['sure']} | {q['precision']:.2f} | {q['recall']:.2f} | "
            f"{q['first']:.2f} | {p50:.1f} ms | {p90:.1f} ms |"
        )
    ratio = statistics.median(times["bilateral-kg"]) / statistics.median(
        times["datasette-reconcile"]
    )
    lines += [
        "",
        f"bilateral-kg's batch median is {ratio:.2f}x datasette-reconcile's. Precision: right "
        "sure matches / sure matches; recall: right sure matches / variants of names the graph "
        "holds.",
        "",
        "Per variant (first candidate, `*` when sure):",
        "",
        "| variant | expected | bilateral-kg | datasette-reconcile |",
        "|---|---|---|---|",
    ]
    for i, v in enumerate(variants):
        cells = []
        for name in times:
            result = answers[name][f"q{i}"]["result"]
            top = result[0] if result else None
            cells.append(f"{top['id']}{' *' if top.get('match') else ''}" if top else "—")
        lines.append(f"| {v['query']} | {v['expect'] or '(none)'} | {cells[0]} | {cells[1]} |")
    text = "\n".join(lines) + "\n"
    args.out.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
