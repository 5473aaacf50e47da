"""Fact sheets to RDF quads to an Oxigraph store; validation, lookups and the store interface.

The names below are imported on first use, so that a process which needs only the store (a query
worker, the server) does not pay for the sheet compiler and the SHACL validator at start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graph.build import build_dataset, materialize
    from graph.iris import DEFAULT_BASE, Iris
    from graph.lookup import entity_view, resolve, select, summary
    from graph.pipeline import (
        Compiled,
        InvalidGraphError,
        build_store,
        compile_seeds,
        sorted_nquads,
    )
    from graph.sheets import SeedError, SeedProblem, load_register, load_seeds, load_sheet
    from graph.store import OxigraphStore, Store, StoreError, memory_store, open_store
    from graph.validate import Violation, validate_dataset, validate_graph

_HOMES = {
    "build": ["build_dataset", "materialize"],
    "iris": ["DEFAULT_BASE", "Iris"],
    "lookup": ["entity_view", "resolve", "select", "summary"],
    "pipeline": ["Compiled", "InvalidGraphError", "build_store", "compile_seeds", "sorted_nquads"],
    "sheets": ["SeedError", "SeedProblem", "load_register", "load_seeds", "load_sheet"],
    "store": ["OxigraphStore", "Store", "StoreError", "memory_store", "open_store"],
    "validate": ["Violation", "validate_dataset", "validate_graph"],
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [
    "DEFAULT_BASE",
    "Compiled",
    "InvalidGraphError",
    "Iris",
    "OxigraphStore",
    "SeedError",
    "SeedProblem",
    "Store",
    "StoreError",
    "Violation",
    "build_dataset",
    "build_store",
    "compile_seeds",
    "entity_view",
    "load_register",
    "load_seeds",
    "load_sheet",
    "materialize",
    "memory_store",
    "open_store",
    "resolve",
    "select",
    "sorted_nquads",
    "summary",
    "validate_dataset",
    "validate_graph",
]


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'graph' has no attribute {name!r}")
    return getattr(importlib.import_module(f"graph.{module}"), name)
