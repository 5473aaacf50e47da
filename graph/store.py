"""The store: Oxigraph behind one small interface, and atomic generations on disk.

On disk a store is a folder of *generations*: each build or load writes a complete new Oxigraph
database beside the current one, and only when it is complete does the ``current`` link move to
it (an atomic rename). A build that fails, or a process killed half-way, leaves the previous
generation current and serving.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

__all__ = [
    "OxigraphStore",
    "Store",
    "StoreError",
    "current_generation",
    "memory_store",
    "open_store",
    "write_generation",
]

log = logging.getLogger(__name__)

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
KEEP_GENERATIONS = 2


class StoreError(Exception):
    """A store that cannot be opened or written, with a message for the user."""


class Store(Protocol):
    """What the rest of the code needs of a store (Oxigraph here; a remote engine later)."""

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        union_default_graph: bool = True,
        default_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Run a SPARQL query; ``bindings`` bind variables to terms (never pasted as text).

        The default graph is the union of all graphs, or of ``default_graphs`` when given.
        """
        ...

    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""
        ...

    def dump(self, fmt: ox.RdfFormat) -> bytes:
        """The whole dataset (quad formats) or the union of its graphs (triple formats)."""
        ...

    def __len__(self) -> int: ...


class OxigraphStore:
    """A pyoxigraph store, on disk or in memory.

    Examples:
        >>> s = memory_store(b'<http://e/a> <http://e/p> "x" <http://e/g> .\\n')
        >>> len(s)
        1
        >>> [str(r["o"].value) for r in s.query("SELECT ?o WHERE { ?s ?p ?o }")]
        ['x']
        >>> [str(r["o"].value) for r in s.query(
        ...     "SELECT ?s ?o WHERE { ?s ?p ?o }", bindings={"s": ox.NamedNode("http://e/b")})]
        []
    """

    def __init__(self, inner: ox.Store, path: Path | None = None) -> None:
        self.inner = inner
        self.path = path

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        union_default_graph: bool = True,
        default_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        substitutions = {ox.Variable(k): v for k, v in (bindings or {}).items()}
        if default_graphs is not None:
            graphs: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [
                ox.NamedNode(g) for g in default_graphs
            ]
            return self.inner.query(
                sparql,
                default_graph=graphs or [ox.DefaultGraph()],
                substitutions=substitutions or None,
            )
        return self.inner.query(
            sparql,
            use_default_graph_as_union=union_default_graph,
            substitutions=substitutions or None,
        )

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.inner.named_graphs() if isinstance(g, ox.NamedNode))

    def dump(self, fmt: ox.RdfFormat) -> bytes:
        if fmt.supports_datasets:
            out = self.inner.dump(format=fmt)
        else:
            triples = self.inner.query(
                "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True
            )
            assert isinstance(triples, ox.QueryTriples)
            out = triples.serialize(format=fmt)
        assert out is not None
        return out

    def __len__(self) -> int:
        return len(self.inner)


def memory_store(nquads: bytes = b"") -> OxigraphStore:
    """An in-memory store holding the given N-Quads."""
    inner = ox.Store()
    if nquads:
        inner.load(nquads, format=ox.RdfFormat.N_QUADS)
    return OxigraphStore(inner)


# ------------------------------------------------------------------------------------------
# Generations on disk
# ------------------------------------------------------------------------------------------


def current_generation(root: Path) -> Path | None:
    """The generation the ``current`` link points to, or ``None`` before the first build."""
    link = root / "current"
    if not link.is_symlink():
        return None
    target = root / os.readlink(link)
    return target if target.is_dir() else None


def open_store(root: Path) -> OxigraphStore:
    """Open the current generation of an on-disk store, read-only.

    Raises:
        StoreError: when nothing was built there yet, or the database cannot be read.
    """
    gen = current_generation(root)
    if gen is None:
        raise StoreError(f"no graph has been built in {root} yet; run 'bilateral build'")
    try:
        inner = ox.Store.read_only(str(gen))
    except OSError as exc:
        raise StoreError(f"cannot open the store in {gen}: {exc}") from None
    return OxigraphStore(inner, gen)


@contextlib.contextmanager
def _lock(root: Path) -> Iterator[None]:
    """One writer at a time per store folder."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(f"another build or load is writing to {root}") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_generation(root: Path, nquads: bytes, *, keep_current: bool = False) -> Path:
    """Write a new generation holding ``nquads`` and make it current, atomically.

    Args:
        root: the store folder.
        nquads: the dataset as N-Quads.
        keep_current: start from a copy of the current generation and add ``nquads`` to it
            (``bilateral load``), instead of starting empty (``bilateral build``).

    Returns:
        The new generation's folder.

    Raises:
        StoreError: when the folder cannot be written or the data cannot be loaded; the
            current generation is then untouched.
    """
    try:
        with _lock(root):
            name = f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{time.monotonic_ns() % 10**9:09d}"
            gen = root / name
            try:
                base = current_generation(root)
                if keep_current and base is not None:
                    ox.Store.read_only(str(base)).backup(str(gen))
                inner = ox.Store(str(gen))
                if nquads:
                    inner.load(nquads, format=ox.RdfFormat.N_QUADS)
                inner.flush()
                del inner
                tmp = root / f".current-{name}"
                tmp.symlink_to(name)
                os.replace(tmp, root / "current")
            except BaseException:
                shutil.rmtree(gen, ignore_errors=True)
                raise
            _prune(root, gen)
            return gen
    except OSError as exc:
        raise StoreError(f"cannot write the store in {root}: {exc.strerror or exc}") from None
    except SyntaxError as exc:
        raise StoreError(f"the data could not be loaded: {exc}") from None


def _prune(root: Path, current: Path) -> None:
    """Remove old generations, keeping the current one and the one before it."""
    gens = sorted(p for p in root.glob("gen-*") if p.is_dir())
    keep = {current, *gens[-KEEP_GENERATIONS:]}
    for gen in gens:
        if gen not in keep:
            shutil.rmtree(gen, ignore_errors=True)
    for stale in root.glob(".current-*"):
        with contextlib.suppress(OSError):
            stale.unlink()
