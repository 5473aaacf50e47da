"""Load: a soak of mixed traffic from concurrent clients, and writes concurrent with reads
(issue 7, item 5), against a real ``bilateral serve`` on a copy of the seed store.

Figures from a run on the 2-core machine while other test runs and benchmarks loaded it (load
average 7 to 10; ``pytest -s tests/test_load.py``; each test prints its own line):

- Soak: 6 clients for 40 s, after a 5 s warm-up, of SPARQL SELECT, ASK and CONSTRUCT,
  /api/search, /api/entities, /api/paths, /api/graph/ego, the /id page of a person, / and
  /explore: 809 requests (20/s), 0 errors (every response 200 with exactly the body of the
  warm-up's answer); latency p50 0.10 s, p99 2.0 s (SPARQL requests queue for the 2 query
  workers), max 3.4 s; asserted: p99 under ``P99_BOUND`` (8 s).
- Memory of the server's process tree (the server and its query workers): 192 MB after the
  warm-up, 199 MB after the soak (+7 MB; peak 269 MB while a spare worker ran); asserted:
  growth under ``MEMORY_BOUND`` (150 MB, medians of 3 samples at each end), which a leak of
  200 KB per request would exceed within the soak.
- Writes: 4 writers, 40 writes with the token (SPARQL Update, Graph Store PUT and POST, each
  adding two triples of its own) in 19 s while 2 readers made 254 queries: 40 acknowledged
  (14 x 201, 26 x 204), 40 present afterwards (read from the disk and through the server),
  none refused, none half-applied, 0 read errors.

Requests: about 1,100. Data lost: none.

Since issue 19 the server here runs two serving processes (``workers=2``): the soak made 2,645
requests (66/s) with 0 errors, p50 0.03 s, p99 1.4 s (load average 12); memory of the whole
tree 434 MB to 442 MB; the writes: 40 acknowledged, 40 present, 0 read errors.

Since issue 13 the soak runs with a hostile mix alongside, from another client address
(127.0.0.2): queries past the memory budget (700 MiB per worker here) or the time limit (10 s),
uploads nested 10,000 and 20,000 deep, a billion laughs after a 70 KB comment, 100 idle
connections at a time, a slowloris head and a smuggled request. A run (load average 12): 1,275
normal requests, 0 errors, p50 0.07 s, p99 2.3 s; 81 hostile probes and 408 abusive
connections, every one refused (400, 413 or 503); memory of the tree 449 MB to 458 MB, peak
1,509 MB. And with 48 heavy queries in flight from three addresses, an ASK every 100 ms had
p50 0.04 s, p99 0.21 s and /api/search p50 0.04 s, p99 0.18 s (asserted: p99 < 0.5 s; load
average 11; at load average 17 the same run gave p99 0.68 s for the ASK and 0.62 s for the
search, which uses no query worker).

Found and fixed (graph/store/local.py): concurrent writes to one server were refused (32 of these
40: 500s, 503s "another build or load is writing", reset connections) because the store's
write lock did not wait; a ``DiskStore`` write now waits up to 30 s for the other writer.
"""

from __future__ import annotations

import contextlib
import json
import random
import shutil
import socket
import statistics
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import pyoxigraph as ox
import pytest
from server import serve
from test_faults import server_process, server_processes

from graph.store import DiskStore

pytestmark = [pytest.mark.slow, pytest.mark.server]

TOKEN = "load-test-write-token"
CLIENTS = 6
WARM_UP = 5.0
SOAK = 40.0
TIMEOUT = 60.0
#: p99 latency bound over the soak, in seconds: generous, for a 2-core machine that other test
#: runs and benchmarks load too (SPARQL requests queue for the 2 query workers).
P99_BOUND = 8.0
#: Growth of the server's process tree allowed over the soak.
MEMORY_BOUND = 150 * 2**20
WRITERS = 4
WRITES_EACH = 10
READERS = 2

PREFIXES = (
    "PREFIX schema: <https://schema.org/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
)
PERSONS = PREFIXES + "SELECT ?name WHERE { ?p a schema:Person ; rdfs:label ?name } ORDER BY ?name"
NAMES = ["Heng Sour", "Lee Cheol-woo", "Lee Jung-sik", "Pav Sina"]


def _names(r: httpx.Response) -> bool:
    return [b["name"]["value"] for b in r.json()["results"]["bindings"]] == NAMES


@dataclass(frozen=True)
class Request:
    """One kind of request of the mix, with what its answer must hold."""

    name: str
    method: str
    path: str
    check: Callable[[httpx.Response], bool]
    params: dict[str, str] = field(default_factory=dict)
    data: dict[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def send(self, client: httpx.Client, base: str) -> httpx.Response:
        return client.request(
            self.method,
            base + self.path,
            params=self.params,
            data=self.data,
            headers=self.headers,
        )


MIX = [
    Request("sparql-select", "GET", "/sparql", _names, params={"query": PERSONS}),
    Request(
        "sparql-ask",
        "POST",
        "/sparql",
        lambda r: r.json()["boolean"] is True,
        data={"query": PREFIXES + "ASK { ?p a schema:Person ; rdfs:label 'Heng Sour'@en }"},
    ),
    Request(
        "sparql-construct",
        "GET",
        "/sparql",
        lambda r: len(r.text.splitlines()) == len(NAMES) and "Pav Sina" in r.text,
        params={
            "query": PREFIXES + "CONSTRUCT { ?p rdfs:label ?n } WHERE { ?p a schema:Person ; "
            "rdfs:label ?n }"
        },
        headers={"accept": "application/n-triples"},
    ),
    Request(
        "search",
        "GET",
        "/api/search",
        lambda r: r.json()["results"][0]["label"] == "Heng Sour",
        params={"q": "sour"},
    ),
    Request(
        "entity",
        "GET",
        "/api/entities/person/heng-sour",
        lambda r: r.json()["label"] == "Heng Sour",
    ),
    Request(
        "paths",
        "GET",
        "/api/paths",
        lambda r: len(r.json()["paths"]) >= 1,
        params={"from": "NSSF", "to": "KOSHA", "k": "1"},
    ),
    Request(
        "ego",
        "GET",
        "/api/graph/ego/person/heng-sour",
        lambda r: len(r.json()["nodes"]) > 1,
        params={"radius": "1", "limit": "25"},
    ),
    Request("page-entity", "GET", "/id/person/heng-sour", lambda r: "Heng Sour" in r.text),
    Request("page-landing", "GET", "/", lambda r: "/explore" in r.text),
    Request("page-explore", "GET", "/explore", lambda r: "<html" in r.text.lower()),
]


@pytest.fixture(scope="module")
def base(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A server with the write token on its own copy of the seed store, with two serving
    processes (each with its own query workers, caches and prepared views)."""
    root = tmp_path_factory.mktemp("load") / "store"
    shutil.copytree(built, root, symlinks=True)
    with serve(
        root,
        write_token=TOKEN,
        timeout=60.0,
        workers=2,
        worker_memory=WORKER_MEMORY,
        query_timeout=HOSTILE_TIME_LIMIT,
    ) as url:
        yield url, root


def tree_rss(proc: psutil.Process) -> int:
    """Resident memory of a process and all its descendants (the query workers)."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:  # a spare worker stopped meanwhile
            continue
    return total


@dataclass
class Soak:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    memory: list[tuple[float, int]] = field(default_factory=list)


def _client(base: str, seed: int, until: float, reference: dict[str, bytes], out: Soak) -> None:
    rng = random.Random(seed)
    with httpx.Client(timeout=TIMEOUT) as client:
        while time.monotonic() < until:
            req = rng.choice(MIX)
            start = time.monotonic()
            try:
                r = req.send(client, base)
            except httpx.HTTPError as exc:
                out.errors.append(f"{req.name}: {type(exc).__name__}: {exc}")
                continue
            out.latencies[req.name].append(time.monotonic() - start)
            if r.status_code != 200 or r.content != reference[req.name]:
                out.errors.append(f"{req.name}: {r.status_code} {r.text[:200]!r}")


# -- the hostile mix, from another client address ----------------------------------------------

#: MiB of each query worker of the soak's server; the hostile mix runs into it.
WORKER_MEMORY = 700
HOSTILE_TIME_LIMIT = 10
#: What the hostile mix may get back: refusals and limits, never a 200 nor a 500.
REFUSALS = {400, 408, 413, 422, 503}
HOSTILE_ADDRESS = "127.0.0.2"  # loopback too; the server tells it from the normal clients'
_CARTESIAN = "?a ?b ?c . ?d ?e ?f . ?g ?h ?i"
_DOUBLING = " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(28))
HOSTILE_QUERIES = {
    "concat-doubling": f"SELECT ?s28 WHERE {{ BIND(STR(RAND()) AS ?s0) {_DOUBLING} }}",
    "group-concat-cartesian": f"SELECT (GROUP_CONCAT(STR(?c)) AS ?g) WHERE {{ {_CARTESIAN} }}",
    "order-by-cartesian": f"SELECT * WHERE {{ {_CARTESIAN} }} ORDER BY ?c ?f ?i",
    "60000-unbound": "SELECT "
    + " ".join(f"?v{i}" for i in range(60_000))
    + " WHERE { VALUES ?n { "
    + " ".join(str(i) for i in range(2_000))
    + " } }",
}
HOSTILE_UPLOADS = {
    "jsonld-10000-deep": (
        "application/ld+json",
        ('{"@id": "http://e/a", "http://e/p": ' * 10_000 + '"x"' + "}" * 10_000).encode(),
    ),
    "turtle-20000-triple-terms": (
        "text/turtle",
        (
            "<http://e/s> <http://e/p> "
            + "<<( <http://e/a> <http://e/b> " * 20_000
            + "<http://e/c>"
            + " )>>" * 20_000
            + " ."
        ).encode(),
    ),
    "billion-laughs-after-a-comment": (
        "application/rdf+xml",
        b"<!--"
        + b"x" * 70_000
        + b'-->\n<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        + b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
    ),
}


@dataclass
class Hostile:
    statuses: dict[str, list[int | str]] = field(default_factory=lambda: defaultdict(list))
    connections: int = 0


def _hostile_client() -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=HOSTILE_ADDRESS)
    return httpx.Client(timeout=TIMEOUT, transport=transport)


def _hostile_queries(base: str, until: float, out: Hostile, offset: int) -> None:
    names = list(HOSTILE_QUERIES)
    with _hostile_client() as client:
        i = offset
        while time.monotonic() < until:
            name = names[i % len(names)]
            i += 1
            try:
                r = client.post(f"{base}/sparql", data={"query": HOSTILE_QUERIES[name]})
                out.statuses[name].append(r.status_code)
            except httpx.HTTPError as exc:
                out.statuses[name].append(type(exc).__name__)


def _hostile_uploads(base: str, until: float, out: Hostile) -> None:
    auth = {"authorization": f"Bearer {TOKEN}"}
    with _hostile_client() as client:
        while time.monotonic() < until:
            for name, (media, body) in HOSTILE_UPLOADS.items():
                try:
                    r = client.put(
                        f"{base}/store",
                        params={"graph": "urn:x:hostile"},
                        content=body,
                        headers={**auth, "content-type": media},
                    )
                    out.statuses[name].append(r.status_code)
                except httpx.HTTPError as exc:
                    out.statuses[name].append(type(exc).__name__)
            time.sleep(0.5)


def _hostile_connections(base: str, until: float, out: Hostile) -> None:
    """Idle connections, a slowloris head and a smuggled request, again and again."""
    port = int(base.rsplit(":", 1)[1])

    def connect() -> socket.socket:
        s = socket.socket()
        s.bind((HOSTILE_ADDRESS, 0))
        s.connect(("127.0.0.1", port))
        return s

    while time.monotonic() < until:
        idle = [connect() for _ in range(100)]
        slow = connect()
        slow.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        smuggle = connect()
        smuggle.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
            b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        smuggle.settimeout(10)
        try:
            answer = b""
            while chunk := smuggle.recv(4096):
                answer += chunk
            out.statuses["smuggled"].append(
                int(answer[9:12]) if answer.count(b"HTTP/1.1") == 1 else "two answers"
            )
        except (TimeoutError, ConnectionResetError, ValueError) as exc:
            out.statuses["smuggled"].append(type(exc).__name__)
        for _ in range(20):
            if time.monotonic() > until:
                break
            with contextlib.suppress(OSError):
                slow.sendall(b"X-Slow: a\r\n")
            time.sleep(0.5)
        out.connections += len(idle) + 2
        for s in [*idle, slow, smuggle]:
            s.close()


def _hostile_mix(base: str, until: float, out: Hostile) -> list[threading.Thread]:
    threads = [
        threading.Thread(target=_hostile_queries, args=(base, until, out, 0)),
        threading.Thread(target=_hostile_queries, args=(base, until, out, 2)),
        threading.Thread(target=_hostile_uploads, args=(base, until, out)),
        threading.Thread(target=_hostile_connections, args=(base, until, out)),
    ]
    for t in threads:
        t.start()
    return threads


def _median_rss(proc: psutil.Process, samples: int = 3) -> int:
    values = []
    for _ in range(samples):
        values.append(tree_rss(proc))
        time.sleep(0.3)
    return int(statistics.median(values))


def test_a_soak_of_mixed_traffic_has_no_errors_and_bounded_memory(
    base: tuple[str, Path],
) -> None:
    url, _ = base
    proc = server_process(url)
    reference: dict[str, bytes] = {}
    with httpx.Client(timeout=TIMEOUT) as client:
        for req in MIX:
            r = req.send(client, url)
            assert r.status_code == 200, (req.name, r.status_code, r.text[:300])
            assert req.check(r), (req.name, r.text[:500])
            reference[req.name] = r.content

    hostile = Hostile()

    def phase(seconds: float, offset: int, attacked: bool = False) -> Soak:
        out = Soak()
        until = time.monotonic() + seconds
        threads = [
            threading.Thread(target=_client, args=(url, offset + i, until, reference, out))
            for i in range(CLIENTS)
        ]
        for t in threads:
            t.start()
        if attacked:
            threads += _hostile_mix(url, until, hostile)
        while any(t.is_alive() for t in threads):
            out.memory.append((time.monotonic(), tree_rss(proc)))
            time.sleep(1.0)
        for t in threads:
            t.join()
        return out

    warm = phase(WARM_UP, 100)
    assert warm.errors == [], warm.errors[:5]
    before = _median_rss(proc)
    soak = phase(SOAK, 0, attacked=True)
    after = _median_rss(proc)
    lat = sorted(x for xs in soak.latencies.values() for x in xs)
    sent = len(lat) + len(soak.errors)
    p50, p99 = statistics.median(lat), lat[int(0.99 * (len(lat) - 1))]
    peak = max(m for _, m in soak.memory)
    by_kind = ", ".join(
        f"{name} {len(xs)} (p99 {sorted(xs)[int(0.99 * (len(xs) - 1))]:.2f}s)"
        for name, xs in sorted(soak.latencies.items())
    )
    print(
        f"\nsoak: {CLIENTS} clients, {SOAK:.0f}s: {sent} requests ({sent / SOAK:.0f}/s), "
        f"{len(soak.errors)} errors; latency p50 {p50:.3f}s, p99 {p99:.3f}s, max {lat[-1]:.2f}s; "
        f"{by_kind}\nmemory of the server tree: {before / 2**20:.0f} MB after the warm-up, "
        f"{after / 2**20:.0f} MB after the soak (growth {(after - before) / 2**20:+.0f} MB, "
        f"peak {peak / 2**20:.0f} MB, {len(proc.children(recursive=True))} child processes)"
    )
    tried = sum(len(v) for v in hostile.statuses.values())
    outcomes = {
        name: dict(sorted(((str(k), v.count(k)) for k in set(v)), key=lambda kv: kv[0]))
        for name, v in sorted(hostile.statuses.items())
    }
    print(
        f"hostile mix from {HOSTILE_ADDRESS} alongside: {tried} probes and "
        f"{hostile.connections} abusive connections; outcomes {json.dumps(outcomes)}; worker "
        f"memory budget {WORKER_MEMORY} MiB"
    )
    assert soak.errors == [], soak.errors[:5]
    assert set(hostile.statuses) == {*HOSTILE_QUERIES, *HOSTILE_UPLOADS, "smuggled"}
    for name, got in hostile.statuses.items():
        assert set(got) <= REFUSALS, (name, got)
    # Two serving processes, each with up to 4 workers within their budget.
    assert peak < 2 * (4 * WORKER_MEMORY + 400) * 2**20, peak
    assert set(soak.latencies) == {r.name for r in MIX}
    assert p99 <= P99_BOUND, f"p99 {p99:.2f}s > {P99_BOUND}s"
    assert after - before < MEMORY_BOUND, f"grew {(after - before) / 2**20:.0f} MB"


# -- writes concurrent with reads -------------------------------------------------------------

NS = "urn:x:load:"


@dataclass(frozen=True)
class Write:
    """One write, adding two triples of its own: both are present after a 2xx, neither after
    a refusal."""

    writer: int
    n: int
    kind: str

    @property
    def graph(self) -> str:
        if self.kind == "store-put":  # PUT replaces a graph: one graph per PUT
            return f"{NS}put/{self.writer}/{self.n}"
        return f"{NS}writer/{self.writer}"

    @property
    def triples(self) -> list[tuple[str, str, str]]:
        s = f"{NS}s/{self.writer}/{self.n}"
        return [(s, f"{NS}p/a", f"{self.kind} a"), (s, f"{NS}p/b", f"{self.kind} b")]

    def turtle(self) -> str:
        return "".join(f'<{s}> <{p}> "{o}" .\n' for s, p, o in self.triples)

    def send(self, client: httpx.Client, base: str) -> httpx.Response:
        auth = {"authorization": f"Bearer {TOKEN}"}
        if self.kind == "update":
            text = f"INSERT DATA {{ GRAPH <{self.graph}> {{ {self.turtle()} }} }}"
            return client.post(
                f"{base}/sparql",
                content=text,
                headers={**auth, "content-type": "application/sparql-update"},
            )
        return client.request(
            "PUT" if self.kind == "store-put" else "POST",
            f"{base}/store",
            params={"graph": self.graph},
            content=self.turtle(),
            headers={**auth, "content-type": "text/turtle"},
        )


KINDS = ["update", "store-post", "store-put"]


def test_writes_concurrent_with_reads_lose_nothing(base: tuple[str, Path]) -> None:
    url, root = base
    writes = [Write(w, n, KINDS[(w + n) % 3]) for w in range(WRITERS) for n in range(WRITES_EACH)]
    statuses: dict[Write, int | str] = {}
    read_errors: list[str] = []
    reads = [0]
    stop = threading.Event()

    def reader() -> None:
        with httpx.Client(timeout=TIMEOUT) as client:
            while not stop.is_set():
                try:
                    r = client.get(f"{url}/sparql", params={"query": PERSONS})
                    reads[0] += 1
                    if r.status_code != 200 or not _names(r):
                        read_errors.append(f"{r.status_code} {r.text[:200]}")
                except (httpx.HTTPError, ValueError, KeyError) as exc:
                    read_errors.append(f"{type(exc).__name__}: {exc}")

    def writer(w: int) -> None:
        with httpx.Client(timeout=TIMEOUT) as client:
            for write in writes:
                if write.writer == w:
                    try:
                        statuses[write] = write.send(client, url).status_code
                    except httpx.HTTPError as exc:
                        statuses[write] = f"{type(exc).__name__}: {exc}"

    readers = [threading.Thread(target=reader) for _ in range(READERS)]
    writers = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    start = time.monotonic()
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join()
    took = time.monotonic() - start
    stop.set()
    for t in readers:
        t.join()
    # What the store holds, read from disk (the current generation), and through the server.
    present = set()
    for q in DiskStore(root).reader().quads_for_pattern(None, None, None, None):
        if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(NS):
            present.add((q.subject.value, q.predicate.value, q.object.value))
    r = httpx.get(
        f"{url}/sparql",
        params={
            "query": f"SELECT (COUNT(*) AS ?n) {{ ?s ?p ?o FILTER STRSTARTS(STR(?s), '{NS}') }}"
        },
        timeout=TIMEOUT,
    )
    served = int(r.json()["results"]["bindings"][0]["n"]["value"])
    acknowledged = [w for w in writes if isinstance(statuses[w], int) and 200 <= statuses[w] < 300]
    refused = [w for w in writes if w not in acknowledged]
    lost = [w for w in acknowledged if not set(w.triples) <= present]
    half = [w for w in refused if set(w.triples) & present]
    codes = json.dumps(
        {str(k): sum(1 for v in statuses.values() if v == k) for k in set(statuses.values())}
    )
    print(
        f"\nwrites: {len(writes)} by {WRITERS} writers in {took:.1f}s while {READERS} readers "
        f"made {reads[0]} queries; statuses {codes}; acknowledged {len(acknowledged)}, lost "
        f"{len(lost)}, refused {len(refused)} (half-applied {len(half)}); read errors "
        f"{len(read_errors)}; data lost: {'none' if not lost else len(lost)}"
    )
    assert lost == [], lost
    assert half == [], half
    assert served == len(present) == 2 * len(acknowledged)
    assert read_errors == [], read_errors[:5]
    assert refused == [], {str(w): statuses[w] for w in refused}


def test_every_serving_process_answers_from_the_latest_version(base: tuple[str, Path]) -> None:
    """After each acknowledged write, every request, whichever serving process takes it (a
    new connection each time), sees it: in SPARQL and in the entity view, whose facts each
    process prepares per graph version."""
    url, _ = base
    assert len(server_processes(url)) == 3  # the supervisor and two serving processes
    fact = "https://bilateral-kg.example/id/test/load-fact-"
    for n in range(3):
        update = f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX bkg: <https://bilateral-kg.example/ontology#>
        PREFIX epi: <https://bilateral-kg.example/ontology/epistemic/>
        INSERT DATA {{ GRAPH <https://bilateral-kg.example/graph/load-test> {{
            <{fact}{n}> rdfs:label "Load test fact {n} (test data)" ;
                bkg:epistemicStatus epi:stated ;
                bkg:actor <https://bilateral-kg.example/id/person/heng-sour> . }} }}"""
        r = httpx.post(
            f"{url}/sparql",
            data={"update": update},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=TIMEOUT,
        )
        assert r.status_code == 204, r.text
        for _ in range(8):  # fresh connections: the kernel hands them to either process
            r = httpx.get(f"{url}/api/entities/person/heng-sour", timeout=TIMEOUT)
            labels = {s["label"] for group in r.json()["statements"].values() for s in group}
            assert {f"Load test fact {i} (test data)" for i in range(n + 1)} <= labels
            r = httpx.get(
                f"{url}/sparql",
                params={"query": f"ASK {{ <{fact}{n}> ?p ?o }}"},
                timeout=TIMEOUT,
            )
            assert r.json()["boolean"] is True


# -- admission: cheap requests stay cheap with 48 heavy queries in flight -----------------------

HEAVY_IN_FLIGHT = 48
#: The heavy queries come from three client addresses, 16 from each; the cheap ones from
#: 127.0.0.1.
HEAVY_ADDRESSES = ["127.0.0.3", "127.0.0.4", "127.0.0.5"]
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CHEAP_FOR = 20.0
#: The bound the issue sets for an ASK and /api/search with 48 heavy queries in flight.
CHEAP_P99 = 0.5


def test_cheap_requests_stay_fast_while_48_heavy_queries_are_in_flight(
    built: Path, tmp_path: Path
) -> None:
    root = tmp_path / "store"
    shutil.copytree(built, root, symlinks=True)
    with serve(root, timeout=60.0, workers=1, query_timeout=10) as url:
        stop = threading.Event()
        heavy: dict[str, int] = defaultdict(int)
        in_flight = [0]
        lock = threading.Lock()

        def hammer(address: str) -> None:
            transport = httpx.HTTPTransport(local_address=address)
            with httpx.Client(timeout=TIMEOUT, transport=transport) as client:
                while not stop.is_set():
                    with lock:
                        in_flight[0] += 1
                    try:
                        r = client.get(f"{url}/sparql", params={"query": HEAVY})
                        key = f"{r.status_code} {r.json().get('detail', '')[:40]}"
                    except (httpx.HTTPError, ValueError) as exc:
                        key = type(exc).__name__
                    with lock:
                        in_flight[0] -= 1
                        heavy[key] += 1

        cheap: dict[str, list[float]] = defaultdict(list)
        failed: list[str] = []
        requests = {
            "ask": (
                "/sparql",
                {"query": "ASK { <https://bilateral-kg.example/id/person/heng-sour> ?p ?o }"},
            ),
            "search": ("/api/search", {"q": "sour"}),
        }

        def probe(name: str) -> None:
            path, params = requests[name]
            with httpx.Client(timeout=TIMEOUT) as client:
                while not stop.is_set():
                    start = time.monotonic()
                    r = client.get(url + path, params=params)
                    cheap[name].append(time.monotonic() - start)
                    if r.status_code != 200:
                        failed.append(f"{name}: {r.status_code} {r.text[:200]}")
                    time.sleep(0.1)

        hammers = [
            threading.Thread(target=hammer, args=(HEAVY_ADDRESSES[i % len(HEAVY_ADDRESSES)],))
            for i in range(HEAVY_IN_FLIGHT)
        ]
        for t in hammers:
            t.start()
        # Every hammer has sent its first query, and the first ones have been told heavy
        # (by 1 s of processor time or 3 s): the steady state.
        time.sleep(6.0)
        probes = [threading.Thread(target=probe, args=(name,)) for name in requests]
        flights = []
        for t in probes:
            t.start()
        end = time.monotonic() + CHEAP_FOR
        while time.monotonic() < end:
            flights.append(in_flight[0])
            time.sleep(0.5)
        stop.set()
        for t in probes + hammers:
            t.join()

    def p99(xs: list[float]) -> float:
        return sorted(xs)[int(0.99 * (len(xs) - 1))]

    print(
        f"\nadmission: {HEAVY_IN_FLIGHT} heavy queries in flight from {len(HEAVY_ADDRESSES)} "
        f"addresses (median {statistics.median(flights):.0f} in flight); heavy outcomes "
        f"{json.dumps(dict(heavy))}; "
        + ", ".join(
            f"{name} {len(xs)} requests, p50 {statistics.median(xs):.3f}s, p99 {p99(xs):.3f}s, "
            f"max {max(xs):.3f}s"
            for name, xs in sorted(cheap.items())
        )
    )
    assert failed == [], failed[:5]
    assert statistics.median(flights) >= HEAVY_IN_FLIGHT - 2
    for name, xs in cheap.items():
        assert len(xs) >= 20, name
        assert p99(xs) < CHEAP_P99, (name, p99(xs))
