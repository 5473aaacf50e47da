"""Faults: killed writers, a full disk, a read-only store, a rebuild under clients, a killed
server, and the write token kept out of the logs (issue 7, items 4 and 6).

Every test runs the real ``bilateral`` command in a subprocess on a copy of the seed store,
most with a real ``bilateral serve`` reading the same store and clients querying it throughout.

Figures from a run on the 2-core machine while other test runs and benchmarks loaded it (load
average 7 to 10; ``pytest -s tests/test_faults.py``; each test prints its own line):

- ``bilateral build`` SIGKILLed 6 times at seeded moments, half anywhere in the run, half inside
  its write phase (3 before the write, 3 inside it, leaving 3 partial generations), and
  ``bilateral load`` of 20,000 triples 6 times (2 before the write, 4 inside it, 4 partial
  generations). After every kill the sorted N-Quads dump was byte for byte the one before; a
  server on the store answered 483 requests (quad counts, and an entity through the JSON API)
  during the kills and the final runs, each the old or the new answer, none an error. The next
  build and load succeeded, swapped atomically under those clients (every request sent after
  the writer exited saw the new graph) and removed every partial generation.
- Disk full (a tmpfs with 300 KB free; ``RLIMIT_FSIZE`` of 50 KB): 4 refused writes (build and
  load each), each a one-line ``error: cannot write the store in DIR: ... No space left on
  device`` (or ``File too large``), no traceback; the store unchanged, no partial generation.
- Read-only store (a read-only bind mount: permission bits do not stop root, and the
  interpreter is not reachable by an unprivileged user here): build and load refused with
  ``error: cannot write the store in DIR: Read-only file system``; a server still answers on it.
- The server SIGKILLed with its query workers and restarted on the same store: same answers.
- Write token from the environment and from a file: 42 write requests (good, wrong, truncated
  and no token on SPARQL Update and Graph Store PUT, POST, DELETE, and a bad update with the
  good token); the token is in none of the server's output (``-v``, access log) nor any
  response.

Faults injected: 19 (12 killed writers, 1 killed server, 4 full disks, 2 read-only stores).
Data lost: none.

Found and fixed (graph/store/local.py): a killed writer's partial generation was kept by the next
write as "the one before" while the good previous generation was deleted.
"""

from __future__ import annotations

import contextlib
import os
import random
import resource
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import pyoxigraph as ox
import pytest
from conftest import SEEDS
from server import ROOT, _stop, _wait_ready, bilateral, free_port, serve

from graph.store import DiskStore, current_generation

pytestmark = [pytest.mark.slow, pytest.mark.server, pytest.mark.subprocess]

#: Quads in the named graphs: every graph of the store (the default graph holds none).
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
#: One more alias for South Korea: a build from seeds carrying it differs by one triple.
ALIASES = "aliases: [Republic of Korea, Korea, ROK]"
MARKER = "Marker Korea Alias"
KOREA = "/api/entities/place/south-korea"
BIG_TRIPLES = 20_000
BIG_GRAPH = "urn:x:faults:big"
KILLS = 6
SEED = 7
TIMEOUT = 30.0


# -- helpers ----------------------------------------------------------------------------------


def _serves(proc: psutil.Process) -> bool:
    with contextlib.suppress(psutil.Error):
        return "serve" in proc.cmdline()
    return False


def server_processes(base: str) -> list[psutil.Process]:
    """The processes of the ``bilateral serve`` listening at ``base``: itself first (with
    several serving processes, the supervisor), then the serving processes it forked (query
    workers are children of the serving processes, or of the server itself)."""
    port = int(base.rsplit(":", 1)[1])
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port and conn.pid:
            top = psutil.Process(conn.pid)
            while (parent := top.parent()) is not None and _serves(parent):
                top = parent
            return [top, *sorted((c for c in top.children() if _serves(c)), key=lambda c: c.pid)]
    raise AssertionError(f"nothing listens on port {port}")


def server_process(base: str) -> psutil.Process:
    """The ``bilateral serve`` process listening at ``base`` (its query workers, and any
    serving processes it forked, are its children)."""
    return server_processes(base)[0]


def copy_store(built: Path, to: Path) -> Path:
    shutil.copytree(built, to, symlinks=True)
    return to


def marked_seeds(to: Path) -> Path:
    """A copy of the seeds whose graph has one more triple (an alias of South Korea)."""
    shutil.copytree(SEEDS, to)
    register = to / "entities" / "register.yaml"
    text = register.read_text(encoding="utf-8")
    assert ALIASES in text
    register.write_text(text.replace(ALIASES, ALIASES[:-1] + f", {MARKER}]"), encoding="utf-8")
    return to


def big_file(to: Path) -> Path:
    with to.open("w") as f:
        for i in range(BIG_TRIPLES):
            f.write(f'<urn:x:faults:s{i}> <urn:x:faults:p{i % 7}> "value {i}" .\n')
    return to


def dump(root: Path) -> bytes:
    """The store's whole dataset as sorted N-Quads (what ``bilateral export --format nq`` gives)."""
    data = DiskStore(root).dump(ox.RdfFormat.N_QUADS)
    return b"".join(sorted(set(data.splitlines(keepends=True))))


def count(root: Path) -> int:
    rows = list(DiskStore(root).query(COUNT))  # type: ignore[arg-type]
    return int(rows[0]["n"].value)


def generations(root: Path) -> set[str]:
    return {p.name for p in root.glob("gen-*")}


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BILATERAL_")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def command(*args: str | Path) -> list[str]:
    return [str(bilateral()), *(str(a) for a in args)]


def run(
    args: list[str], preexec_fn: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=preexec_fn,
        check=False,
    )


def assert_clear_error(r: subprocess.CompletedProcess[str], *words: str) -> str:
    """A non-zero exit with a one-line ``error: ...`` that says ``words``, and no traceback."""
    assert r.returncode != 0, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr, r.stderr
    errors = [line for line in r.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, r.stderr
    for word in words:
        assert word in errors[0], errors[0]
    return errors[0]


@dataclass
class Phases:
    """When, in seconds from the start, a writer's new generation appeared, when ``current``
    moved to it, and when the process exited."""

    write: float
    swap: float
    total: float


def measure(args: list[str], root: Path) -> Phases:
    """Run a writer to the end, watching the store folder every 2 ms."""
    before, link = generations(root), os.readlink(root / "current")
    write = swap = None
    start = time.monotonic()
    proc = subprocess.Popen(args, cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL)
    while proc.poll() is None:
        now = time.monotonic() - start
        if write is None and generations(root) - before:
            write = now
        if swap is None and os.readlink(root / "current") != link:
            swap = now
        time.sleep(0.002)
    total = time.monotonic() - start
    assert proc.returncode == 0
    return Phases(write or total, swap or total, total)


@dataclass
class Kills:
    """What the SIGKILLs hit."""

    moments: list[str] = field(default_factory=list)
    before_write: int = 0
    mid_write: int = 0
    after_swap: int = 0
    finished: int = 0
    partial_left: int = 0

    def __str__(self) -> str:
        return (
            f"{len(self.moments)} SIGKILLs (at {', '.join(self.moments)}): "
            f"{self.before_write} before the write, {self.mid_write} inside it, "
            f"{self.after_swap} after the swap, {self.finished} finished first; "
            f"{self.partial_left} partial generation(s) left behind"
        )


def _wait_for_write(proc: subprocess.Popen[bytes], root: Path, before: set[str]) -> None:
    while proc.poll() is None and not generations(root) - before:
        time.sleep(0.001)


def kill_repeatedly(args: list[str], root: Path, phases: Phases, answers: set[bytes]) -> Kills:
    """SIGKILL ``args`` at seeded random moments: half anywhere in the run (as long as the
    measured one), half inside the write phase (from the moment the new generation's folder
    appears, up to the measured time to the swap). After each kill the store must hold one of
    ``answers`` exactly."""
    rng = random.Random(SEED)
    kills = Kills()
    last = dump(root)
    for i in range(KILLS):
        before, link = generations(root), os.readlink(root / "current")
        proc = subprocess.Popen(
            args, cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if i % 2 == 0:
            delay = rng.uniform(0.05, phases.total)
            kills.moments.append(f"{delay:.2f}s")
        else:
            delay = rng.uniform(0.0, 1.1 * (phases.swap - phases.write))
            kills.moments.append(f"write+{delay:.3f}s")
            _wait_for_write(proc, root, before)
        time.sleep(delay)
        finished = proc.poll() is not None
        proc.kill()
        proc.wait()
        new = generations(root) - before
        if finished:
            kills.finished += 1
        elif os.readlink(root / "current") != link:
            kills.after_swap += 1
        elif new:
            kills.mid_write += 1
        else:
            kills.before_write += 1
        kills.partial_left += len(new - {os.readlink(root / "current")})
        assert current_generation(root) is not None
        now = dump(root)
        if os.readlink(root / "current") == link:
            # Byte for byte the data before this kill.
            assert now == last, f"kill {i + 1} ({kills.moments[-1]}) changed the data"
        assert now in answers, f"kill {i + 1} ({kills.moments[-1]}) left other data"
        last = now
    return kills


@dataclass
class Readers:
    """Client threads querying a server until stopped; every answer and every failure kept:
    answers as (thread, time sent, answer)."""

    base: str
    answers: list[tuple[int, float, object]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def _count(self, client: httpx.Client) -> object:
        r = client.get(f"{self.base}/sparql", params={"query": COUNT})
        if r.status_code != 200:
            raise AssertionError(f"{r.status_code}: {r.text[:300]}")
        return int(r.json()["results"]["bindings"][0]["n"]["value"])

    def _korea(self, client: httpx.Client) -> object:
        r = client.get(f"{self.base}{KOREA}")
        if r.status_code != 200:
            raise AssertionError(f"{r.status_code}: {r.text[:300]}")
        return ("marker", MARKER in r.text)

    def _loop(self, i: int, ask: Callable[[httpx.Client], object]) -> None:
        with httpx.Client(timeout=TIMEOUT) as client:
            while not self.stop.is_set():
                sent = time.monotonic()
                try:
                    self.answers.append((i, sent, ask(client)))
                except (httpx.HTTPError, AssertionError, ValueError, KeyError) as exc:
                    self.failures.append(f"{type(exc).__name__}: {exc}")
                self.stop.wait(0.1)

    def start(self, counters: int = 2, entity: int = 1) -> Readers:
        asks = [self._count] * counters + [self._korea] * entity
        self.threads = [
            threading.Thread(target=self._loop, args=(i, a), daemon=True)
            for i, a in enumerate(asks)
        ]
        for t in self.threads:
            t.start()
        return self

    def between(self, start: float, end: float = float("inf")) -> set[object]:
        """The answers to the requests sent between two moments."""
        return {a for _, t, a in list(self.answers) if start < t < end}

    def wait_for(self, since: float, timeout: float = 2 * TIMEOUT) -> None:
        """Until every thread has an answer to a request sent after ``since``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if {i for i, t, _ in list(self.answers) if t > since} == set(range(len(self.threads))):
                return
            time.sleep(0.05)

    def finish(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(TIMEOUT + 5)


# -- killed writers ---------------------------------------------------------------------------


def _kill_campaign(
    built: Path, tmp_path: Path, what: str, args: Callable[[Path], list[str]], marker: bool
) -> None:
    """Kill a writer repeatedly while clients query a server on the store, then let it run:
    the store is the old data after each kill and the new data after the last run, and the
    clients (two counting quads, one reading South Korea's entity through the JSON API, whose
    caches follow the generation) see only the old or the new answer, and after the swap only
    the new one. ``marker``: whether the new data has the marker alias."""
    scratch = copy_store(built, tmp_path / "scratch")
    root = copy_store(built, tmp_path / "store")
    old, old_n = dump(root), count(root)
    with serve(root) as base:
        readers = Readers(base).start()
        # The same write on a copy, under the same load: its timing, and the data it makes.
        phases = measure(args(scratch), scratch)
        new, new_n = dump(scratch), count(scratch)
        assert new != old and new_n != old_n
        kills = kill_repeatedly(args(root), root, phases, {old, new})
        before_final = current_generation(root)
        assert before_final is not None
        r = run(args(root))
        assert r.returncode == 0, r.stderr
        after = time.monotonic()
        readers.wait_for(after)
        readers.finish()
    assert dump(root) == new
    # Only the new generation and the one it replaced remain: what killed writers left is gone.
    current = current_generation(root)
    assert current is not None
    assert generations(root) == {current.name, before_final.name}
    assert not list(root.glob(".current-*"))
    assert readers.failures == [], readers.failures[:5]
    assert readers.between(0) <= {old_n, new_n, ("marker", False), ("marker", marker)}
    # The swap is atomic and complete when the writer exits: every later request sees it.
    assert readers.between(after) == {new_n, ("marker", marker)}
    print(
        f"\n{what}: run {phases.total:.2f}s (new generation at {phases.write:.2f}s, swap at "
        f"{phases.swap:.2f}s); {kills}; the server answered {len(readers.answers)} requests "
        f"meanwhile, 0 errors, each the old ({old_n} quads) or the new ({new_n}) answer; "
        f"the next {what} succeeded and swapped atomically under the clients; data lost: none"
    )


def test_a_killed_build_leaves_the_previous_store_serving(built: Path, tmp_path: Path) -> None:
    seeds = marked_seeds(tmp_path / "seeds")
    _kill_campaign(
        built,
        tmp_path,
        "build",
        lambda root: command("build", "--store", root, "--seeds", seeds),
        marker=True,
    )


def test_a_killed_load_leaves_the_previous_store_serving(built: Path, tmp_path: Path) -> None:
    data = big_file(tmp_path / "big.nt")
    _kill_campaign(
        built,
        tmp_path,
        "load",
        lambda root: command("load", data, "--graph", BIG_GRAPH, "--store", root),
        marker=False,
    )


# -- disk full, read-only ---------------------------------------------------------------------


def _writes(root: Path, tmp_path: Path) -> dict[str, list[str]]:
    data = big_file(tmp_path / "big.nt")
    seeds = marked_seeds(tmp_path / "seeds")
    return {
        "build": command("build", "--store", root, "--seeds", seeds),
        "load": command("load", data, "--graph", BIG_GRAPH, "--store", root),
    }


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


@contextlib.contextmanager
def mounted(target: Path, *steps: list[str]) -> Iterator[None]:
    """Mount on ``target`` with the ``mount`` arguments of each step; skip if not permitted."""
    done = 0
    try:
        for step in steps:
            r = subprocess.run(
                ["mount", *step, str(target)], capture_output=True, text=True, check=False
            )
            if r.returncode != 0:
                pytest.skip(f"cannot mount here ({' '.join(step)}): {r.stderr.strip()}")
            done += 1
        yield
    finally:
        if done and subprocess.run(["umount", str(target)], check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(target)], check=False)


def test_a_full_disk_gives_a_clear_error_and_keeps_the_store(built: Path, tmp_path: Path) -> None:
    small = tmp_path / "small"
    small.mkdir()
    # Room for the store and 300 KB: less than a new generation of the seed graph (about
    # 800 KB, written by Oxigraph's bulk loader).
    size = (_size(built) + 300_000) // 4096 * 4096
    with mounted(small, ["-t", "tmpfs", "-o", f"size={size}", "tmpfs"]):
        root = copy_store(built, small / "store")
        old, gens = dump(root), generations(root)
        for what, args in _writes(root, tmp_path).items():
            line = assert_clear_error(
                run(args), f"cannot write the store in {root}", "No space left on device"
            )
            print(f"\ndisk full, {what}: {line[:160]}")
            assert dump(root) == old
            assert generations(root) == gens  # the partial generation was removed
        assert run(command("query", COUNT, "--store", root)).returncode == 0


def _file_size_limit(limit: int) -> Callable[[], None]:
    def limit_file_size() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # so write() fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_file_size


@pytest.mark.parametrize("what", ["build", "load"])
def test_a_file_size_limit_gives_a_clear_error_and_keeps_the_store(
    built: Path, tmp_path: Path, what: str
) -> None:
    root = copy_store(built, tmp_path / "store")
    old, gens = dump(root), generations(root)
    # Smaller than the biggest file of a new generation (its log, about 140 KB).
    r = run(_writes(root, tmp_path)[what], preexec_fn=_file_size_limit(50_000))
    line = assert_clear_error(r, f"cannot write the store in {root}", "File too large")
    print(f"\nRLIMIT_FSIZE 50 KB, {what}: {line[:160]}")
    assert dump(root) == old
    assert generations(root) == gens


def test_a_read_only_store_gives_a_clear_error_and_still_serves(
    built: Path, tmp_path: Path
) -> None:
    # Permission bits do not stop root, which runs these tests: a read-only bind mount does.
    root = copy_store(built, tmp_path / "store")
    old, old_n = dump(root), count(root)
    view = tmp_path / "read-only"
    view.mkdir()
    with mounted(view, ["--bind", str(root)], ["-o", "remount,bind,ro"]):
        for what, args in _writes(view, tmp_path).items():
            line = assert_clear_error(
                run(args), f"cannot write the store in {view}", "Read-only file system"
            )
            print(f"\nread-only, {what}: {line}")
        assert dump(view) == old
        with serve(view) as base, httpx.Client(timeout=TIMEOUT) as client:
            r = client.get(f"{base}/sparql", params={"query": COUNT})
            assert r.status_code == 200, r.text
            assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == old_n
    assert dump(root) == old


# -- a killed server -------------------------------------------------


def test_the_server_restarts_cleanly_after_a_kill(built: Path, tmp_path: Path) -> None:
    root = copy_store(built, tmp_path / "store")
    before = dump(root)
    paths = [f"/sparql?query={COUNT}", KOREA, "/api/search?q=sour", "/index.json"]

    def answers(base: str) -> list[object]:
        with httpx.Client(timeout=TIMEOUT) as client:
            out: list[object] = []
            for path in paths:
                r = client.get(base + path)
                assert r.status_code == 200, (path, r.text[:300])
                out.append(r.json())
            return out

    with serve(root) as base:
        first = answers(base)
        proc = server_process(base)
        family = [proc, *proc.children(recursive=True)]
        os.killpg(proc.pid, signal.SIGKILL)  # the server leads its group: workers die too
        psutil.wait_procs(family, timeout=10)
        assert not [p for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{base}/sparql", params={"query": "ASK {}"}, timeout=2)
    with serve(root) as base:
        assert answers(base) == first
    assert dump(root) == before
    print(f"\nserver SIGKILLed with {len(family) - 1} worker(s), restarted: same answers")


# -- several serving processes ----------------------------------------------------------------

KILL_NS = "http://example.org/faults/kill#"


def test_a_killed_serving_process_loses_no_acknowledged_write(built: Path, tmp_path: Path) -> None:
    """Two serving processes take writes and reads; one is SIGKILLed in the middle. Every
    acknowledged write is in the store afterwards, the other process keeps answering, and the
    supervisor starts a new serving process."""
    root = copy_store(built, tmp_path / "store")
    token = "kill-serving-process-token"
    statuses: dict[int, int | str] = {}
    errors: list[tuple[float, str]] = []
    reads = [0]
    stop = threading.Event()
    with serve(root, workers=2, write_token=token, query_workers=1, timeout=60.0) as base:
        supervisor, *serving = server_processes(base)
        assert len(serving) == 2 and all(p.ppid() == supervisor.pid for p in serving)

        def writer(w: int) -> None:
            with httpx.Client(timeout=TIMEOUT) as client:
                for n in range(12):
                    i = 100 * w + n
                    update = f"INSERT DATA {{ GRAPH <{KILL_NS}g> {{ <{KILL_NS}s{i}> <{KILL_NS}p> {i} }} }}"
                    try:
                        r = client.post(
                            f"{base}/sparql",
                            data={"update": update},
                            headers={"Authorization": f"Bearer {token}"},
                        )
                        statuses[i] = r.status_code
                    except httpx.TransportError as exc:  # in flight on the killed process
                        statuses[i] = type(exc).__name__

        def reader() -> None:
            with httpx.Client(timeout=TIMEOUT) as client:
                while not stop.is_set():
                    try:
                        r = client.get(f"{base}/sparql", params={"query": "ASK {}"})
                        reads[0] += 1
                        if r.status_code != 200:
                            errors.append((time.monotonic(), f"{r.status_code} {r.text[:200]}"))
                    except httpx.TransportError as exc:
                        errors.append((time.monotonic(), type(exc).__name__))

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(2)]
        threads += [threading.Thread(target=reader) for _ in range(2)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while len(statuses) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        victim = serving[0]
        victim.kill()  # SIGKILL, while writes and reads are under way
        killed_at = time.monotonic()
        for t in threads[:2]:
            t.join()
        reads_at_kill = reads[0]
        time.sleep(1.0)
        stop.set()
        for t in threads[2:]:
            t.join()
        # The supervisor replaced the killed process; both answer.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            now = [p for p in supervisor.children() if p.pid != victim.pid and p.is_running()]
            if len([p for p in now if "serve" in " ".join(p.cmdline())]) >= 2:
                break
            time.sleep(0.1)
        assert len(server_processes(base)) == 3, "the supervisor did not replace the process"
        present = set()
        for q in DiskStore(root).reader().quads_for_pattern(None, None, None, None):
            if q.subject.value.startswith(KILL_NS):
                present.add(int(q.subject.value.rsplit("s", 1)[1]))
        r = httpx.get(
            f"{base}/sparql",
            params={"query": f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{KILL_NS}g> {{ ?s ?p ?o }} }}"},
            timeout=TIMEOUT,
        )
        served = int(r.json()["results"]["bindings"][0]["n"]["value"])
    acknowledged = {i for i, status in statuses.items() if status == 204}
    late = [e for when, e in errors if when > killed_at + 2.0]
    print(
        f"\n2 serving processes, one SIGKILLed: {len(statuses)} writes, {len(acknowledged)} "
        f"acknowledged, {len(acknowledged - present)} lost; {reads[0]} reads "
        f"({reads[0] - reads_at_kill} in the second after the writes), {len(errors)} errors "
        f"around the kill, {len(late)} later; replaced by the supervisor"
    )
    assert acknowledged <= present  # no acknowledged write lost
    assert served == len(present)
    assert len(acknowledged) >= len(statuses) - 2  # at most one write in flight per writer
    assert late == [], late[:5]  # the other process kept answering
    assert reads[0] > reads_at_kill


# -- the write token --------------------------------------------------------------------------

TOKEN = "s3cret-Write-Token-for-fault-tests-7f1d"
GRAPH = "http://example.org/faults/token"
INSERT = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <{GRAPH}#s> <{GRAPH}#p> 1 }} }}"
TURTLE = f"<{GRAPH}#s> <{GRAPH}#p> 2 ."
WRITES = [
    ("POST", "/sparql", {"content-type": "application/sparql-update"}, INSERT),
    ("POST", "/sparql", {"content-type": "application/x-www-form-urlencoded"},
     str(httpx.QueryParams({"update": INSERT}))),
    ("PUT", f"/store?graph={GRAPH}", {"content-type": "text/turtle"}, TURTLE),
    ("POST", f"/store?graph={GRAPH}", {"content-type": "text/turtle"}, TURTLE),
    ("DELETE", f"/store?graph={GRAPH}", {}, ""),
]  # fmt: skip


@contextlib.contextmanager
def serve_logged(store: Path, env: dict[str, str], *args: str) -> Iterator[tuple[str, Path]]:
    """``bilateral -v serve`` with ``env`` added; yields the base URL and its output file."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    out = Path(tempfile.mkstemp(prefix="serve-", suffix=".log")[1])
    with out.open("w+b") as log:
        proc = subprocess.Popen(
            command("-v", "serve", "--store", store, "--port", str(port), *args),
            cwd=ROOT,
            env={**_env(), **env},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_ready(proc, base, port, log, TIMEOUT)
            yield base, out
        finally:
            _stop(proc)


@pytest.mark.parametrize("origin", ["environment", "file"])
def test_the_write_token_works_from_its_origin_and_is_never_logged(
    built: Path, tmp_path: Path, origin: str
) -> None:
    root = copy_store(built, tmp_path / "store")
    env, args = {}, []
    if origin == "environment":
        env["BILATERAL_WRITE_TOKEN"] = TOKEN
    else:
        (tmp_path / "token").write_text(TOKEN + "\n")
        args = ["--write-token-file", str(tmp_path / "token")]
    bodies: list[bytes] = []
    sent = 0
    with serve_logged(root, env, *args) as (base, log), httpx.Client(timeout=TIMEOUT) as client:
        for method, path, headers, body in WRITES:
            for given, status in ((None, 401), ("not-the-token", 403), (TOKEN[:-1], 403)):
                h = dict(headers)
                if given is not None:
                    h["authorization"] = f"Bearer {given}"
                r = client.request(method, base + path, headers=h, content=body)
                sent += 1
                bodies.append(r.content + str(r.headers).encode())
                assert r.status_code == status, (method, path, given, r.text)
            r = client.request(
                method, base + path, headers={**headers, "authorization": f"Bearer {TOKEN}"},
                content=body,
            )  # fmt: skip
            sent += 1
            bodies.append(r.content + str(r.headers).encode())
            assert 200 <= r.status_code < 300, (method, path, r.status_code, r.text)
        # A bad update with the good token: its error must not echo the header either.
        r = client.post(
            f"{base}/sparql",
            content="INSERT DATA { oops }",
            headers={
                "content-type": "application/sparql-update",
                "authorization": f"Bearer {TOKEN}",
            },
        )
        sent += 1
        bodies.append(r.content + str(r.headers).encode())
        assert r.status_code == 400, r.text
        r = client.get(f"{base}/store", params={"graph": GRAPH})
        assert r.status_code == 404, r.text  # the last write deleted it
    output = log.read_text(errors="replace")
    log.unlink()
    assert '"PUT /store?graph=' in output, output[-2000:]  # the access log was captured
    assert TOKEN not in output
    assert TOKEN[:-1] not in output  # no prefix of it either
    for body in bodies:
        assert TOKEN.encode() not in body
    print(
        f"\nwrite token from the {origin}: {sent} write requests (good, wrong, truncated, none) "
        f"on {len(WRITES)} routes; {len(output.splitlines())} lines of server output, "
        "the token in none"
    )
