"""Fact sheets to RDF quads to an Oxigraph store; validation, lookups and the store interface."""

from graph.build import build_dataset, materialize
from graph.iris import DEFAULT_BASE, Iris
from graph.lookup import entity_view, resolve, select, summary
from graph.pipeline import Compiled, InvalidGraphError, build_store, compile_seeds, sorted_nquads
from graph.sheets import SeedError, SeedProblem, load_register, load_seeds, load_sheet
from graph.store import OxigraphStore, Store, StoreError, memory_store, open_store
from graph.validate import Violation, validate_dataset, validate_graph

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
