"""The graph in three rooms: ``build`` (sheets to checked quads), ``store`` (keeping and querying
them) and ``read`` (views, search, the projection, exports); the common names re-exported here.

The names below are imported on first use, so that a process which needs only the store (a query
worker, the server) does not pay for the sheet compiler and the SHACL validator at start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graph.build.iris import DEFAULT_BASE, Iris
    from graph.build.pipeline import (
        Compiled,
        InvalidGraphError,
        build_store,
        compile_seeds,
        sorted_nquads,
    )
    from graph.build.quads import build_dataset, materialize
    from graph.build.sheets import SeedError, SeedProblem, load_register, load_seeds, load_sheet
    from graph.build.validate import Violation, validate_dataset, validate_graph
    from graph.read.lookup import entity_view, resolve_name, summary
    from graph.read.query import select
    from graph.store import OxigraphStore, Store, StoreError, memory_store, open_store

_HOMES = {
    "build.quads": ["build_dataset", "materialize"],
    "build.iris": ["DEFAULT_BASE", "Iris"],
    "read.lookup": ["entity_view", "resolve_name", "select", "summary"],
    "build.pipeline": [
        "Compiled",
        "InvalidGraphError",
        "build_store",
        "compile_seeds",
        "sorted_nquads",
    ],
    "build.sheets": ["SeedError", "SeedProblem", "load_register", "load_seeds", "load_sheet"],
    "store": ["OxigraphStore", "Store", "StoreError", "memory_store", "open_store"],
    "build.validate": ["Violation", "validate_dataset", "validate_graph"],
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
    "resolve_name",
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
