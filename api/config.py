"""Settings, read once from the environment (``BILATERAL_*``) and the command line."""

from __future__ import annotations

import argparse
from functools import lru_cache
from pathlib import Path
from types import UnionType
from typing import TYPE_CHECKING, Annotated, Any, Union, get_args, get_origin
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.build.iris import DEFAULT_BASE
from graph.read.views import prepare_views
from graph.store import DiskStore, Store, open_store

if TYPE_CHECKING:
    from graph.store.execute import ProcessExecutor

__all__ = ["Settings", "add_setting", "get_settings", "overrides"]

#: A time limit, in seconds (more than none).
Seconds = Annotated[float, Field(gt=0)]


def _repeated(flag: str, metavar: str, description: str) -> Any:
    """A list setting, empty by default; on the command line, an option given once an item
    (``--trusted-proxy IP --trusted-proxy IP``); in the environment, a JSON list."""
    return Field(
        default=[], description=description, json_schema_extra={"flag": flag, "metavar": metavar}
    )


class Settings(BaseSettings):
    """Where the data lives and how the server listens."""

    model_config = SettingsConfigDict(env_prefix="BILATERAL_", extra="ignore")

    store: Path = Field(
        default=Path("data/store"), description="store folder (default: data/store)"
    )
    seeds: Path = Field(default=Path("seeds"), description="seeds folder (default: seeds)")
    base_iri: str = Field(default=DEFAULT_BASE, description="base of minted IRIs")
    host: str = Field(default="127.0.0.1", description="interface (default: 127.0.0.1)")
    port: int = Field(default=8000, description="port (default: 8000)")
    #: Updates (SPARQL Update, Graph Store writes) need ``Authorization: Bearer <token>``;
    #: with no token set, the endpoint is read-only.
    write_token: SecretStr | None = Field(
        default=None,
        description="accept SPARQL updates and Graph Store writes with "
        "'Authorization: Bearer TOKEN' (default: read-only; prefer "
        "--write-token-file or BILATERAL_WRITE_TOKEN, which stay out of ps)",
    )
    write_token_file: Path | None = Field(
        default=None, description="read the write token from a file"
    )
    query_timeout: Seconds = Field(default=30.0, description="seconds a query may run (default 30)")
    row_cap: int = Field(
        default=100_000, gt=0, description="most rows a query may return (default 100000)"
    )
    max_body_bytes: int = Field(default=1_000_000, gt=0)
    max_upload_bytes: int = Field(default=100_000_000, gt=0)
    #: The most queries (reconciliation) or ids (data extension) one /reconcile request may
    #: carry; OpenRefine sends 10 to 50. More is answered 400.
    reconcile_max_batch: int = Field(default=100, gt=0, le=10_000)
    #: Query worker processes kept idle and warm (shared out over the serving processes, at
    #: least one each); each pool grows to twice that while queries run long, so that cheap
    #: queries are not held up behind heavy ones.
    query_workers: int = Field(
        default=2,
        ge=1,
        le=32,
        description="query worker processes kept warm (default 2; shared by the serving "
        "processes, at least one each); each process's pool grows to twice this while queries "
        "run long",
    )
    #: Serving processes of ``bilateral serve`` (each with its own query workers), sharing
    #: the store on disk; 0: one per core.
    workers: int = Field(
        default=0,
        ge=0,
        le=64,
        description="serving processes sharing the store, each with its own query workers "
        "(default: one per core)",
    )
    #: Bytes of a serialized query result, beside the row cap (422 past it).
    max_response_bytes: int = Field(
        default=100_000_000, gt=0, description="largest query result in bytes (default 100 MB)"
    )
    #: MiB of memory each worker process may use (queries, updates and uploads run there);
    #: past it the job gets a 503 (413 for an upload) and the worker is replaced. Default:
    #: half the machine's memory shared by every worker the server may run, between 512 MiB
    #: and 4 GiB each.
    worker_memory: int | None = Field(
        default=None,
        gt=0,
        description="memory budget of each query worker, in MiB (default: an eighth of the "
        "machine's, between 512 and 4096)",
        json_schema_extra={"metavar": "MIB"},
    )
    #: Admission control (graph/store/execute.py): a query running longer than
    #: ``heavy_after`` seconds is heavy; one client may run ``heavy_per_client`` heavy queries
    #: at once; a query waits at most ``queue_wait`` seconds for a worker (then 503).
    heavy_after: Seconds = 1.0
    heavy_per_client: int = Field(
        default=2,
        ge=1,
        description="queries running over a second one client may have at once (default 2)",
    )
    queue_wait: float = Field(default=2.0, ge=0)
    #: The URL the server is reached at (``https://kg.example.org``): every link it writes
    #: (service description, ``next`` links, redirects, graph IRIs the Graph Store creates)
    #: starts with it. Default: the address it listens on. Never taken from ``Host``.
    public_url: str | None = Field(
        default=None,
        description="the URL clients reach the server at (https://kg.example.org): every link "
        "starts with it (default: the address it listens on; never the Host header)",
    )
    #: Reverse proxies (IP addresses) whose ``X-Forwarded-For``/``-Proto``/``-Host`` are
    #: believed; from anyone else those headers are ignored.
    trusted_proxies: list[str] = _repeated(
        "--trusted-proxy",
        "IP",
        "a reverse proxy whose X-Forwarded-For/-Proto/-Host are believed (repeatable)",
    )
    #: Connections: seconds to send the request head, seconds a body may pause, seconds an
    #: idle keep-alive connection stays open, and the most connections open at once.
    header_timeout: Seconds = Field(default=10.0, description="seconds to send a request head (10)")
    body_timeout: Seconds = Field(default=20.0, description="seconds a request body may pause (20)")
    keep_alive_timeout: Seconds = Field(
        default=5.0, description="seconds an idle connection stays open (5)"
    )
    max_connections: int | None = Field(
        default=None,
        gt=0,
        description="connections open at once (default: below the file-descriptor limit, at "
        "most 1000)",
    )
    #: SERVICE endpoints a query may call; none by default (nothing is fetched).
    allowed_services: list[str] = _repeated(
        "--allowed-service",
        "IRI",
        "a SERVICE endpoint queries may call (repeatable; default: none)",
    )
    #: A remote SPARQL engine to hold the graph instead of the folder ``store``: its query
    #: endpoint, its update endpoint (default: the same) and its Graph Store Protocol endpoint
    #: (optional; used for bulk writes). See graph/store/remote.py for what the engine must do.
    store_url: str | None = Field(
        default=None,
        description="query endpoint of a remote SPARQL engine holding the graph, instead of "
        "the store folder (its default graph must be the union of its graphs)",
    )
    store_update_url: str | None = Field(
        default=None, description="its update endpoint (default: --store-url)"
    )
    store_graph_url: str | None = Field(
        default=None, description="its Graph Store Protocol endpoint, for bulk writes"
    )

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
            return DiskStore(self.store, self.allowed_services, prepare=prepare_views)
        return open_store(self.store, self.allowed_services, prepare=prepare_views)

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

    @property
    def worker_memory_bytes(self) -> int:
        """The memory budget of a worker process, in bytes."""
        from graph.store.execute import default_worker_memory

        if self.worker_memory:
            return self.worker_memory * 2**20
        from api.processes import default_workers

        return default_worker_memory((self.workers or default_workers()) * 2 * self.query_workers)

    def executor(self, warm: int | None = None) -> ProcessExecutor:
        """Start the query worker processes these settings describe.

        Args:
            warm: workers to start now and keep warm (default ``query_workers``; several
                serving processes share them out). Each pool grows to twice
                ``query_workers`` while queries run long, so that every serving process can
                take the bursts one process took before.
        """
        from graph.store.execute import ProcessExecutor

        return ProcessExecutor(
            self.store,
            self.allowed_services,
            warm or self.query_workers,
            max_workers=2 * self.query_workers,
            queue_wait=self.queue_wait,
            memory=self.worker_memory_bytes,
            heavy_after=self.heavy_after,
            heavy_per_client=self.heavy_per_client,
        )

    @field_validator("public_url")
    @classmethod
    def _origin(cls, v: str | None) -> str | None:
        if v is None:
            return v
        parts = urlsplit(v)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
            raise ValueError(
                "the public URL must be an http(s) origin, like https://kg.example.org"
            )
        return f"{parts.scheme}://{parts.netloc}"

    @field_validator("base_iri")
    @classmethod
    def _slash(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")) or not v.endswith("/"):
            raise ValueError("the base IRI must be an http(s) IRI ending with '/'")
        return v


def add_setting(parser: argparse.ArgumentParser, name: str, help: str | None = None) -> None:
    """Add a setting to a command's options: ``--query-timeout`` for ``query_timeout``, with
    the type, help and metavar its field declares (a list setting is a repeatable option).

    Args:
        parser: the command's parser.
        name: the setting (a field of :class:`Settings`).
        help: the help, where this command says it otherwise (default: the field's).

    Examples:
        >>> parser = argparse.ArgumentParser()
        >>> add_setting(parser, "query_timeout")
        >>> parser.parse_args(["--query-timeout", "5"]).query_timeout
        5.0
        >>> add_setting(parser, "allowed_services")
        >>> parser.parse_args(["--allowed-service", "http://a", "--allowed-service", "http://b"])
        Namespace(query_timeout=None, allowed_services=['http://a', 'http://b'])
    """
    field = Settings.model_fields[name]
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    kind = field.annotation
    if get_origin(kind) in (Union, UnionType):  # X | None: the option is of type X
        kind = next(a for a in get_args(kind) if a is not type(None))
    options: dict[str, Any] = {"help": help or field.description}
    if get_origin(kind) is list:
        options["action"] = "append"
    elif kind in (int, float, Path):
        options["type"] = kind
    if "metavar" in extra:
        options["metavar"] = extra["metavar"]
    flag = str(extra.get("flag", "--" + name.replace("_", "-")))
    parser.add_argument(flag, dest=name, **options)


def overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The settings a command line gives (every option named like a setting, when given)."""
    given = {name: getattr(args, name, None) for name in Settings.model_fields}
    return {name: value for name, value in given.items() if value is not None}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings from the environment, read once."""
    return Settings()
