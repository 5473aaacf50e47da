"""Settings, read once from the environment (``BILATERAL_*``) and the command line."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.build.iris import DEFAULT_BASE
from graph.store import DiskStore, Store, open_store

__all__ = ["Settings", "get_settings"]


class Settings(BaseSettings):
    """Where the data lives and how the server listens."""

    model_config = SettingsConfigDict(env_prefix="BILATERAL_", extra="ignore")

    store: Path = Path("data/store")
    seeds: Path = Path("seeds")
    base_iri: str = DEFAULT_BASE
    host: str = "127.0.0.1"
    port: int = 8000
    #: Updates (SPARQL Update, Graph Store writes) need ``Authorization: Bearer <token>``;
    #: with no token set, the endpoint is read-only.
    write_token: SecretStr | None = None
    write_token_file: Path | None = None
    query_timeout: float = Field(default=30.0, gt=0)
    row_cap: int = Field(default=100_000, gt=0)
    max_body_bytes: int = Field(default=1_000_000, gt=0)
    max_upload_bytes: int = Field(default=100_000_000, gt=0)
    #: The most queries (reconciliation) or ids (data extension) one /reconcile request may
    #: carry; OpenRefine sends 10 to 50. More is answered 400.
    reconcile_max_batch: int = Field(default=100, gt=0, le=10_000)
    #: Query worker processes kept idle and warm; the pool grows to twice that while queries
    #: run long, so that cheap queries are not held up behind heavy ones.
    query_workers: int = Field(default=2, ge=1, le=32)
    #: Serving processes of ``bilateral serve`` (each with its own query workers), sharing
    #: the store on disk; 0: one per core.
    workers: int = Field(default=0, ge=0, le=64)
    #: SERVICE endpoints a query may call; none by default (nothing is fetched).
    allowed_services: list[str] = []
    #: A remote SPARQL engine to hold the graph instead of the folder ``store``: its query
    #: endpoint, its update endpoint (default: the same) and its Graph Store Protocol endpoint
    #: (optional; used for bulk writes). See graph/store/remote.py for what the engine must do.
    store_url: str | None = None
    store_update_url: str | None = None
    store_graph_url: str | None = None

    def open_store(self, writable: bool = False) -> Store:
        """The store these settings name: the remote engine, or the on-disk store (which must
        hold a built graph unless ``writable``)."""
        if self.store_url:
            from graph.store.remote import RemoteStore  # httpx: only for a remote engine

            return RemoteStore(
                self.store_url,
                self.store_update_url,
                self.store_graph_url,
                timeout=self.query_timeout,
                allowed_services=self.allowed_services,
            )
        if writable:
            return DiskStore(self.store, self.allowed_services)
        return open_store(self.store, self.allowed_services)

    @property
    def where(self) -> str:
        """Where the graph lives, for messages."""
        if not self.store_url:
            return str(self.store)
        from graph.store.remote import _shown

        return _shown(self.store_url)

    def token(self) -> str | None:
        """The write token, from the setting or the file it names (stripped)."""
        if self.write_token is not None:
            return self.write_token.get_secret_value() or None
        if self.write_token_file is not None:
            return self.write_token_file.read_text(encoding="utf-8").strip() or None
        return None

    @field_validator("base_iri")
    @classmethod
    def _slash(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")) or not v.endswith("/"):
            raise ValueError("the base IRI must be an http(s) IRI ending with '/'")
        return v


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings from the environment, read once."""
    return Settings()
