"""The store on disk: atomic generations, followed by readers across rebuilds.

On disk a store is a folder of *generations*: every write (a build, a load, an update) makes a
complete new Oxigraph database beside the current one (a hard-linked checkpoint when it starts
from the current data), and only when it is complete does the ``current`` link move to it, by an
atomic rename. A build that fails, or a process killed half-way, leaves the previous generation
current. Readers (a running server) pick up a new generation at their next query; a query that
is running keeps the generation it started on.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox

from graph.store.local import (
    NO_TRIPLES,
    GuardedQueries,
    StoreError,
    _dump,
    _graph_quads,
)
from graph.store.safety import check_update

__all__ = [
    "LOCK_WAIT",
    "DiskStore",
    "current_generation",
    "discard_unfinished",
    "open_store",
    "write_generation",
]

log = logging.getLogger(__name__)

#: Seconds a write of a ``DiskStore`` waits for another writer of the same folder to finish.
#: A server gets concurrent updates and Graph Store writes (from its threads and its query
#: workers): they take turns instead of all but one being refused (issue 7: concurrent writes
#: were answered 500 and 503 when the lock did not wait).
LOCK_WAIT = 30.0


def current_generation(root: Path) -> Path | None:
    """The generation the ``current`` link points to, or ``None`` before the first build."""
    link = root / "current"
    if not link.is_symlink():
        return None
    target = root / os.readlink(link)
    return target if target.is_dir() else None


class DiskStore(GuardedQueries):
    """The current generation of an on-disk store, followed across rebuilds.

    Reads open the current generation read-only and switch to a newer one at the next query
    (one ``readlink`` per query). Writes make a new generation and swap it in atomically.
    """

    def __init__(
        self,
        root: Path,
        allowed_services: Sequence[str] = (),
        lock_wait: float = LOCK_WAIT,
        prepare: Callable[[ox.Store, Path], None] | None = None,
    ) -> None:
        self.root = root
        self.allowed_services = frozenset(allowed_services)
        self.lock_wait = lock_wait
        #: Called with each rebuilt generation (``replace``) and its folder before it becomes
        #: current: views of the whole graph written beside it (graph/read/views.py).
        self.prepare = prepare
        self._lock = threading.Lock()
        self._gen: Path | None = None
        self._inner: ox.Store | None = None

    @property
    def generation(self) -> Path | None:
        """The generation this store reads now."""
        return self._gen

    @property
    def version(self) -> str:
        """The name of the current generation: it changes with every write."""
        gen = current_generation(self.root)
        return gen.name if gen is not None else ""

    def reader(self) -> ox.Store:
        """The read-only database of the current generation (reopened after a rebuild)."""
        gen = current_generation(self.root)
        if gen is None:
            raise StoreError(f"no graph has been built in {self.root} yet; run 'bilateral build'")
        with self._lock:
            if gen != self._gen or self._inner is None:
                try:
                    self._inner = ox.Store.read_only(str(gen))
                except OSError as exc:
                    raise StoreError(f"cannot open the store in {gen}: {exc}") from None
                if self._gen is not None:
                    log.info("switched to the new generation %s", gen.name)
                self._gen = gen
            return self._inner

    def _database(self) -> ox.Store:
        return self.reader()

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        check_update(sparql, self.allowed_services)
        write_generation(
            self.root,
            b"",
            keep_current=True,
            update=sparql,
            base_iri=base_iri,
            wait=self.lock_wait,
        )

    def named_graphs(self) -> list[str]:
        inner = self.reader()
        return sorted(g.value for g in inner.named_graphs() if isinstance(g, ox.NamedNode))

    def dump(self, fmt: ox.RdfFormat) -> bytes:
        return _dump(self.reader(), fmt)

    def replace(self, nquads: bytes, keep: Callable[[str], bool] | None = None) -> None:
        kept = b""
        if keep is not None and current_generation(self.root) is not None:
            kept = _graph_quads(self.reader(), keep)
        write_generation(self.root, nquads + kept, wait=self.lock_wait, prepare=self.prepare)

    def add(self, nquads: bytes) -> None:
        write_generation(self.root, nquads, keep_current=True, wait=self.lock_wait)

    def load_file(self, path: Path, fmt: ox.RdfFormat, graph: str) -> tuple[int, int]:
        """Stream a file into ``graph`` of a new generation (a dataset file's own graph names
        are dropped: every triple goes to ``graph``).

        Returns:
            The number of triples in the graph before and after.

        Raises:
            SyntaxError: the file is not valid in its format (nothing is written).
            StoreError: the store could not be written, or the file gave no triples.
        """
        node = ox.NamedNode(graph)
        counts: list[int] = []

        def count(inner: ox.Store) -> int:
            result = inner.query(f"SELECT (COUNT(*) AS ?n) {{ GRAPH {node} {{ ?s ?p ?o }} }}")
            assert isinstance(result, ox.QuerySolutions)
            term = next(iter(result))["n"]
            return int(term.value) if term is not None else 0

        def verify(inner: ox.Store) -> None:
            counts.append(count(inner))
            if counts[-1] == 0:
                raise StoreError(f"{path}: {NO_TRIPLES}")

        before = count(self.reader()) if current_generation(self.root) is not None else 0
        write_generation(
            self.root,
            b"",
            keep_current=True,
            wait=self.lock_wait,
            source=(path, fmt, graph),
            verify=verify,
        )
        return before, counts[-1]

    def put_graph(self, graph: str | None, nquads: bytes) -> None:
        drop = f"DROP SILENT GRAPH {ox.NamedNode(graph)}" if graph else "DROP SILENT DEFAULT"
        write_generation(self.root, nquads, keep_current=True, update=drop, wait=self.lock_wait)

    def __len__(self) -> int:
        return len(self.reader())


def open_store(
    root: Path,
    allowed_services: Sequence[str] = (),
    prepare: Callable[[ox.Store, Path], None] | None = None,
) -> DiskStore:
    """The on-disk store in ``root``, which must hold a built graph.

    Raises:
        StoreError: when nothing was built there yet, or the database cannot be read.
    """
    store = DiskStore(root, allowed_services, prepare=prepare)
    store.reader()
    return store


@contextlib.contextmanager
def _lock(root: Path, wait: float = 0.0) -> Iterator[None]:
    """One writer at a time per store folder; wait up to ``wait`` seconds for the other."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as handle:
        deadline = time.monotonic() + wait
        delay = 0.005
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreError(f"another build or load is writing to {root}") from None
                time.sleep(delay)
                delay = min(2 * delay, 0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_generation(
    root: Path,
    nquads: bytes,
    *,
    keep_current: bool = False,
    update: str | None = None,
    base_iri: str | None = None,
    wait: float = 0.0,
    source: tuple[Path, ox.RdfFormat, str] | None = None,
    verify: Callable[[ox.Store], None] | None = None,
    prepare: Callable[[ox.Store, Path], None] | None = None,
) -> Path:
    """Write a new generation and make it current, atomically.

    Args:
        root: the store folder.
        nquads: quads to load into the new generation.
        keep_current: start from a checkpoint of the current generation (``load``, updates)
            instead of starting empty (``build``).
        update: a SPARQL update to apply to the new generation before loading ``nquads``.
        wait: seconds to wait for another writer of ``root`` to finish before giving up.
        source: a file of triples to stream into the new generation, with its format and the
            graph to put them in (``bilateral load``: never held in memory).
        verify: called with the new generation before it is made current; what it raises
            leaves the current generation in place.
        prepare: called with the new generation and its folder after ``verify``, to write
            what readers compute from the whole graph beside the data (in the folder's
            ``views/``), so it is ready when the generation becomes current.

    Returns:
        The new generation's folder.

    Raises:
        StoreError: when the folder cannot be written or the data cannot be loaded; the
            current generation is then untouched.
    """
    try:
        with _lock(root, wait):
            name = f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{time.monotonic_ns() % 10**9:09d}"
            gen = root / name
            try:
                base = current_generation(root)
                if keep_current and base is not None:
                    ox.Store.read_only(str(base)).backup(str(gen))
                inner = ox.Store(str(gen))
                if update:
                    inner.update(update, base_iri=base_iri)
                # The generation is private until ``current`` moves, so the fast, non-
                # transactional bulk loader is safe: a failure discards the whole folder.
                if nquads:
                    inner.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
                if source is not None:
                    _bulk_load_into(inner, *source, scratch=root)
                if verify is not None:
                    verify(inner)
                if prepare is not None:
                    prepare(inner, gen)
                inner.flush()
                del inner
                tmp = root / f".current-{name}"
                tmp.symlink_to(name)
                os.replace(tmp, root / "current")
            except BaseException:
                shutil.rmtree(gen, ignore_errors=True)
                raise
            _prune(root, gen, base)
            return gen
    except OSError as exc:
        raise StoreError(f"cannot write the store in {root}: {exc.strerror or exc}") from None


def _bulk_load_into(
    inner: ox.Store, path: Path, fmt: ox.RdfFormat, graph: str, scratch: Path
) -> None:
    """Stream a file into one graph of ``inner``; a dataset file's own graphs are dropped
    (its triples are first written out as N-Triples in ``scratch``, by Oxigraph)."""
    base_iri = path.resolve().as_uri()
    node = ox.NamedNode(graph)
    if not fmt.supports_datasets:
        inner.bulk_load(path=str(path), format=fmt, base_iri=base_iri, to_graph=node)
        return
    with tempfile.NamedTemporaryFile(dir=scratch, prefix=".load-", suffix=".nt") as flat:
        quads = ox.parse(path=str(path), format=fmt, base_iri=base_iri)
        ox.serialize((q.triple for q in quads), output=flat.name, format=ox.RdfFormat.N_TRIPLES)
        inner.bulk_load(path=flat.name, format=ox.RdfFormat.N_TRIPLES, to_graph=node)


def discard_unfinished(root: Path, wait: float = LOCK_WAIT) -> list[Path]:
    """Remove what a writer killed half-way left: generations begun after the current one.

    A write killed at the time limit (its worker stopped) leaves a partial generation, as big
    as the store; it goes now rather than at the next write (issue 13). Waits for the lock, so
    a writer at work is never disturbed.

    Returns:
        The folders removed.

    Examples:
        >>> import tempfile
        >>> root = Path(tempfile.mkdtemp())
        >>> gen = write_generation(root, b'<http://e/a> <http://e/p> "x" .\\n')
        >>> (root / "gen-99991231T000000-000000000").mkdir()  # a killed writer's
        >>> [p.name for p in discard_unfinished(root)]
        ['gen-99991231T000000-000000000']
    """
    with _lock(root, wait):
        current = current_generation(root)
        # Generation names begin with their creation time, so a writer's folder sorts after
        # the generation that was current when it began.
        removed = [
            p
            for p in root.glob("gen-*")
            if p.is_dir() and (current is None or p.name > current.name)
        ]
        for gen in removed:
            shutil.rmtree(gen, ignore_errors=True)
        return removed


def _prune(root: Path, current: Path, previous: Path | None) -> None:
    """Remove old generations, keeping the current one and the one before it (and removing
    what a killed writer left behind)."""
    gens = sorted(p for p in root.glob("gen-*") if p.is_dir())
    # The one before is the generation ``current`` pointed to when this write began, not the
    # newest older folder by name: that can be the partial generation of a writer killed
    # since, which would then be kept while the good previous generation was deleted.
    keep = {current, *([previous] if previous is not None else [])}
    for gen in gens:
        if gen not in keep:
            shutil.rmtree(gen, ignore_errors=True)
    for stale in [*root.glob(".current-*"), *root.glob(".load-*")]:
        with contextlib.suppress(OSError):
            stale.unlink()
