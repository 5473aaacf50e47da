"""The build pipeline: seeds -> checked sheets -> dataset -> SHACL -> sorted N-Quads -> store."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rdflib import Dataset

from graph.build.iris import Iris
from graph.build.quads import build_dataset
from graph.build.sheets import Register, Sheet, load_seeds
from graph.build.validate import Violation, validate_dataset
from graph.store import Store

__all__ = [
    "Compiled",
    "InvalidGraphError",
    "build_store",
    "compile_seeds",
    "sorted_nquads",
    "write_compiled",
]

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


class InvalidGraphError(Exception):
    """The built dataset does not conform to the SHACL shapes; nothing was written."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        lines = [f"{len(violations)} SHACL violation(s):", *(f"  {v}" for v in violations)]
        super().__init__("\n".join(lines))


@dataclass
class Compiled:
    """The result of compiling the seeds: the dataset, its N-Quads and its SHACL report."""

    register: Register
    sheets: list[Sheet]
    dataset: Dataset
    violations: list[Violation]

    @cached_property
    def nquads(self) -> bytes:
        """The dataset as sorted N-Quads (:func:`sorted_nquads`), serialized once: the
        dataset is not changed after compiling."""
        return sorted_nquads(self.dataset)


def sorted_nquads(ds: Dataset) -> bytes:
    """The named graphs of a dataset as N-Quads, one line per quad, sorted: byte-identical for
    identical data (the build mints no blank nodes)."""
    text = ds.serialize(format="nquads", encoding="utf-8")
    lines = sorted({line for line in text.decode("utf-8").splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")


def _quiet(_: str) -> None:
    pass


def compile_seeds(seeds: Path, iris: Iris, progress: Progress = _quiet) -> Compiled:
    """Check the seeds, build the dataset and validate it (nothing is written).

    Raises:
        SeedError: a malformed register or fact sheet (every problem, with file and line).

    Examples:
        >>> compiled = compile_seeds(Path(__file__).resolve().parents[2] / "seeds", Iris())
        >>> compiled.violations
        []
        >>> len(compiled.nquads.splitlines()) > 2000
        True
    """
    progress(f"checking fact sheets in {seeds}")
    register, sheets = load_seeds(seeds)
    progress(f"building quads from {len(register.entities)} entities and {len(sheets)} source(s)")
    ds = build_dataset(register, sheets, iris)
    progress("validating against the SHACL shapes")
    violations = validate_dataset(ds)
    return Compiled(register=register, sheets=sheets, dataset=ds, violations=violations)


def build_store(seeds: Path, store: Store, iris: Iris, progress: Progress = _quiet) -> Compiled:
    """Build the graph from the seeds and replace the store's data with it, atomically.

    Named graphs that did not come from a build (loaded with ``bilateral load``) are kept.

    Raises:
        SeedError: a malformed register or fact sheet.
        InvalidGraphError: the dataset does not conform to the shapes.
        StoreError: the store could not be written.
        In every case the store keeps its previous data.
    """
    compiled = compile_seeds(seeds, iris, progress)
    write_compiled(compiled, store, iris, progress)
    return compiled


def write_compiled(
    compiled: Compiled, store: Store, iris: Iris, progress: Progress = _quiet
) -> None:
    """Replace the store's build layers with a compiled graph, atomically: the second half of
    :func:`build_store` (graphs loaded with ``bilateral load`` are kept).

    Raises:
        InvalidGraphError: the dataset does not conform to the shapes (nothing is written).
        StoreError: the store could not be written; it keeps its previous data.
    """
    if compiled.violations:
        raise InvalidGraphError(compiled.violations)
    data = compiled.nquads
    progress(f"writing {data.count(10)} quads")
    store.replace(data, keep=lambda g: not iris.is_layer(g))
