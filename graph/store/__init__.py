"""Keeping the graph: the local store (atomic generations on disk), remote engines, running
queries under limits, the safety guard and the result writers.

The store interface and its local implementation are re-exported here, so ``from graph.store
import Store`` names the one interface every reader uses.
"""

from graph.store.disk import DiskStore, current_generation, open_store, write_generation
from graph.store.local import (
    NO_TRIPLES,
    OxigraphStore,
    PerVersion,
    QueryResult,
    Store,
    StoreError,
    Term,
    memory_store,
    per_version,
)

__all__ = [
    "NO_TRIPLES",
    "DiskStore",
    "OxigraphStore",
    "PerVersion",
    "QueryResult",
    "Store",
    "StoreError",
    "Term",
    "current_generation",
    "memory_store",
    "open_store",
    "per_version",
    "write_generation",
]
