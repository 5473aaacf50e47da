"""Measure what each layer of our /sparql adds to a request, beside the Oxigraph server, in one run.

For one cheap query (the facts that name one person) and an empty ``ASK {}``, on a graph given
as N-Quads (or the seed graph), it times, as medians of many requests: the engine alone
(pyoxigraph in this process, with its own JSON writer), our job runner (guard, negotiation, our
writer), the round trip to a query worker process, the hop to a thread, the ASGI app called in
this process (the router alone, and with the middlewares), and HTTP against ``bilateral serve``
and ``oxigraph serve-read-only`` on the same data, their requests interleaved so that other work
on the machine slows both alike. With ``--profile`` it also writes a pyinstrument profile of the
in-process app (``bench/data/layers-*.txt``).

Usage::

    python bench/layers.py --nq bench/data/graph-100k-seed1.nq --reps 300
    python bench/layers.py --seeds --reps 300
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import anyio
import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from servers import free_port, serve, wait_for_views  # noqa: E402  (bench/servers.py)

from api.app import create_app  # noqa: E402
from api.config import Settings  # noqa: E402
from graph.store import DiskStore, write_generation  # noqa: E402
from graph.store.execute import Job, ProcessExecutor, run_job  # noqa: E402

ACCEPT = "application/sparql-results+json"


def out(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def median_us(samples: list[float]) -> float:
    return statistics.median(samples) * 1e6


def timed(call: Callable[[], object], reps: int, warm: int = 20) -> list[float]:
    for _ in range(warm):
        call()
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        call()
        out.append(time.perf_counter() - t0)
    return out


def pick_person(store: ox.Store) -> str:
    result = store.query(
        "SELECT ?p (COUNT(?m) AS ?n) WHERE { ?m <https://schema.org/attendee> ?p } "
        "GROUP BY ?p ORDER BY DESC(?n) STR(?p) LIMIT 1",
        use_default_graph_as_union=True,
    )
    assert isinstance(result, ox.QuerySolutions)
    term = next(iter(result))["p"]
    assert term is not None
    return term.value


def asgi_call(app: Any, owner: Any, body: bytes) -> Callable[[], Any]:
    """A coroutine factory: one POST /sparql through ``app`` (an ASGI callable of the
    application ``owner``)."""
    scope = {
        "app": owner,
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/sparql",
        "raw_path": b"/sparql",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"accept", ACCEPT.encode()),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }

    async def call() -> int:
        sent = False
        status = 0

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await app(dict(scope), receive, send)
        if status != 200:
            raise RuntimeError(f"the app answered {status}")
        return status

    return call


def run_layers(store_root: Path, ox_root: Path, label: str, reps: int, profile: bool) -> None:
    gen = store_root / os.readlink(store_root / "current")
    floor = ox.Store.read_only(str(gen))
    person = pick_person(floor)
    queries = {
        "ASK {}": "ASK {}",
        "entity facts": f"SELECT ?fact ?role ?label WHERE {{ ?fact ?role <{person}> ; "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?label }",
    }
    rows: dict[str, dict[str, float]] = {}
    disk = DiskStore(store_root)
    executor = ProcessExecutor(store_root, (), 2)
    settings = Settings(store=store_root)
    app = create_app(settings, executor=executor)

    async def in_app() -> None:
        async with app.router.lifespan_context(app):
            app.state.projection.graph()  # wait for the warm-up before timing
            app.state.summary.get()
            middlewares = app.user_middleware
            for name, query in queries.items():
                body = urlencode({"query": query}).encode()
                # The app as served, then the same app without its own middlewares (the
                # /sparql hot path, CORS, security headers): through FastAPI's routing and
                # dependencies. FastAPI rebuilds its stack at the next call.
                for what, user in (
                    ("ASGI app as served (its middlewares, /sparql hot path)", middlewares),
                    ("ASGI app, FastAPI routing only (no middlewares, no hot path)", []),
                ):
                    app.user_middleware = user
                    app.middleware_stack = None
                    call = asgi_call(app, app, body)
                    for _ in range(20):
                        await call()
                    samples = []
                    for _ in range(reps):
                        t0 = time.perf_counter()
                        await call()
                        samples.append(time.perf_counter() - t0)
                    rows.setdefault(what, {})[name] = median_us(samples)
            hop = []
            for _ in range(reps):
                t0 = time.perf_counter()
                await anyio.to_thread.run_sync(lambda: None)
                hop.append(time.perf_counter() - t0)
            rows["thread hop (anyio.to_thread)"] = dict.fromkeys(queries, median_us(hop))
            if profile:
                from pyinstrument import Profiler

                body = urlencode({"query": queries["entity facts"]}).encode()
                app.user_middleware = middlewares
                app.middleware_stack = None
                call = asgi_call(app, app, body)
                profiler = Profiler(interval=0.0001, async_mode="enabled")
                profiler.start()
                for _ in range(reps):
                    await call()
                profiler.stop()
                report = HERE / "data" / f"layers-{label}.txt"
                report.write_text(profiler.output_text(unicode=True, show_all=False))
                out(f"profile: {report}")

    for name, query in queries.items():

        def engine(q: str = query) -> None:
            result = floor.query(q, use_default_graph_as_union=True)
            assert not isinstance(result, ox.QueryTriples)
            result.serialize(format=ox.QueryResultsFormat.JSON)

        job = Job(text=query, accept=ACCEPT, row_cap=100_000)
        rows.setdefault("engine (pyoxigraph + its JSON writer)", {})[name] = median_us(
            timed(engine, reps)
        )
        rows.setdefault("run_job in-process (guard, our writer)", {})[name] = median_us(
            timed(lambda j=job: run_job(disk, j), reps)  # type: ignore[misc]
        )
        rows.setdefault("worker round trip (ProcessExecutor.run)", {})[name] = median_us(
            timed(lambda j=job: executor.run(j), reps)  # type: ignore[misc]
        )
    asyncio.run(in_app())
    executor.close()

    # HTTP: both servers on the same data, requests interleaved.
    ours_port, ox_port = free_port(), free_port()
    logs = HERE / "data"
    with (
        serve(
            "our server",
            [
                str(BIN / "bilateral"),
                "serve",
                "--store",
                str(store_root),
                "--port",
                str(ours_port),
            ],
            f"http://127.0.0.1:{ours_port}",
            f"http://127.0.0.1:{ours_port}/sparql?query=ASK%7B%7D",
            logs / f"layers-serve-{label}.log",
            timeout=120,
        ),
        serve(
            "Oxigraph server",
            [
                str(BIN / "oxigraph"),
                "serve-read-only",
                "--location",
                str(ox_root),
                "--bind",
                f"127.0.0.1:{ox_port}",
                "--union-default-graph",
            ],
            f"http://127.0.0.1:{ox_port}",
            f"http://127.0.0.1:{ox_port}/query?query=ASK%7B%7D",
            logs / f"layers-oxigraph-{label}.log",
            timeout=120,
        ),
    ):
        # Each serving process prepares its views of the store first (at 1M, some 30 s of
        # CPU each): requests measured meanwhile would time that work, not a request's.
        wait_for_views(logs / f"layers-serve-{label}.log")
        for name, query in queries.items():
            body = urlencode({"query": query})
            headers = {"Accept": ACCEPT, "Content-Type": "application/x-www-form-urlencoded"}
            conns = {
                "HTTP: our /sparql (bilateral serve)": (
                    http.client.HTTPConnection("127.0.0.1", ours_port),
                    "/sparql",
                ),
                "HTTP: Oxigraph server": (
                    http.client.HTTPConnection("127.0.0.1", ox_port),
                    "/query",
                ),
            }
            samples: dict[str, list[float]] = {k: [] for k in conns}
            for i in range(reps + 20):
                for what, (conn, path) in conns.items():
                    t0 = time.perf_counter()
                    conn.request("POST", path, body=body, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    if response.status != 200:
                        raise RuntimeError(f"{what}: {response.status}")
                    if i >= 20:
                        samples[what].append(time.perf_counter() - t0)
            for what, s in samples.items():
                rows.setdefault(what, {})[name] = median_us(s)
            for conn, _ in conns.values():
                conn.close()

    out(f"\n#### {label}: median µs per request ({reps} requests each)\n")
    out("| layer | " + " | ".join(queries) + " |")
    out("|---|" + "---:|" * len(queries))
    for what, per in rows.items():
        out(f"| {what} | " + " | ".join(f"{per[q]:,.0f}" for q in queries) + " |")
    ours = rows["HTTP: our /sparql (bilateral serve)"]
    theirs = rows["HTTP: Oxigraph server"]
    out(
        "| **ours / Oxigraph server** | "
        + " | ".join(f"{ours[q] / theirs[q]:.2f}" for q in queries)
        + " |"
    )
    out(f"\nload average {os.getloadavg()[0]:.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nq", type=Path, help="an N-Quads file (default: the seed graph)")
    parser.add_argument("--seeds", action="store_true", help="build the seed graph")
    parser.add_argument("--reps", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the two stores of an earlier run on this graph"
    )
    args = parser.parse_args()
    data = HERE / "data"
    data.mkdir(exist_ok=True)
    if args.nq:
        label = args.nq.stem
        nquads = args.nq.read_bytes()
    else:
        from graph.build.iris import Iris
        from graph.build.pipeline import compile_seeds

        label = "seeds"
        nquads = compile_seeds(ROOT / "seeds", Iris()).nquads
    store_root, ox_root = data / f"layers-{label}-ours", data / f"layers-{label}-oxigraph"
    if not (args.reuse and store_root.exists() and ox_root.exists()):
        for d in (store_root, ox_root):
            shutil.rmtree(d, ignore_errors=True)
        write_generation(store_root, nquads)
        nq_file = data / f"layers-{label}.nq"
        nq_file.write_bytes(nquads)
        subprocess.run(
            [str(BIN / "oxigraph"), "load", "--location", str(ox_root), "--file", str(nq_file)],
            check=True,
            capture_output=True,
        )
    run_layers(store_root, ox_root, label, args.reps, args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
