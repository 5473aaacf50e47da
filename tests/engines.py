"""Real SPARQL engines for the remote-store tests, started on 127.0.0.1: the Oxigraph server
(PyPI ``oxigraph``) and Virtuoso (Debian ``virtuoso-opensource``)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from server import free_port

__all__ = ["Engine", "oxigraph_server", "virtuoso_missing", "virtuoso_server"]

VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


@dataclass
class Engine:
    """A running engine: its endpoints, and how to stop and start it again."""

    name: str
    query_url: str
    update_url: str
    graph_url: str | None
    process: subprocess.Popen[bytes]
    command: list[str]
    log: Path

    def options(self) -> dict[str, str]:
        """The ``bilateral`` options that point at this engine."""
        out = {"store_url": self.query_url, "store_update_url": self.update_url}
        if self.graph_url:
            out["store_graph_url"] = self.graph_url
        return out

    def cli(self) -> list[str]:
        return [f"--{k.replace('_', '-')}={v}" for k, v in self.options().items()]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def start(self, ready: float = 90.0) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        _wait(self, ready)


def _wait(engine: Engine, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if engine.process.poll() is not None:
            raise RuntimeError(
                f"{engine.name} exited ({engine.process.returncode}):\n"
                + engine.log.read_text(errors="replace")[-3000:]
            )
        with contextlib.suppress(httpx.HTTPError):
            r = httpx.post(
                engine.query_url,
                data={"query": "ASK {}"},
                headers={"Accept": "application/sparql-results+json"},
                timeout=2.0,
            )
            if r.status_code == 200:
                return
        time.sleep(0.3)
    engine.stop()
    raise RuntimeError(f"{engine.name} did not answer within {seconds:g} s")


@contextlib.contextmanager
def oxigraph_server(folder: Path) -> Iterator[Engine]:
    """The Oxigraph server on a fresh on-disk store, its default graph the union of its graphs."""
    port = free_port()
    binary = Path(sys.executable).with_name("oxigraph")
    base = f"http://127.0.0.1:{port}"
    engine = Engine(
        name="Oxigraph server",
        query_url=f"{base}/query",
        update_url=f"{base}/update",
        graph_url=f"{base}/store",
        process=None,  # type: ignore[arg-type]
        command=[
            str(binary),
            "serve",
            "--location",
            str(folder / "oxigraph"),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        log=folder / "oxigraph.log",
    )
    engine.start(30.0)
    try:
        yield engine
    finally:
        engine.stop()


def virtuoso_missing() -> str | None:
    """Why Virtuoso cannot run here, or None."""
    if shutil.which("virtuoso-t") is None or shutil.which("isql-vt") is None:
        return (
            "Virtuoso is not installed (Debian: apt-get install virtuoso-opensource; "
            ".ci/run installs it)"
        )
    if not VIRTUOSO_INI.exists():
        return f"Virtuoso's default configuration {VIRTUOSO_INI} is missing"
    return None


@contextlib.contextmanager
def virtuoso_server(folder: Path) -> Iterator[Engine]:
    """Virtuoso on a fresh database in ``folder``, SPARQL updates granted to its SPARQL user.

    Known quirks the client must (and does) avoid: a direct ``application/sparql-query`` POST
    hangs, an ASK without ``Accept`` answers HTML, results are capped at ``ResultSetMaxRows``
    (raised here), and blank nodes are refused in ``INSERT DATA``.
    """
    db = folder / "virtuoso"
    db.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = VIRTUOSO_INI.read_text()
    ini = ini.replace("/var/lib/virtuoso-opensource-7/db/", f"{db}/")
    ini = ini.replace("/var/lib/virtuoso-opensource-7/vsp", str(db))
    ini = ini.replace("ServerPort               = 1111", f"ServerPort               = {sql_port}")
    ini = ini.replace(
        "ServerPort                  = 8890", f"ServerPort                  = {http_port}"
    )
    ini = ini.replace("ResultSetMaxRows           = 10000", "ResultSetMaxRows = 10000000")
    (db / "virtuoso.ini").write_text(ini)
    base = f"http://127.0.0.1:{http_port}"
    engine = Engine(
        name="Virtuoso",
        query_url=f"{base}/sparql",
        update_url=f"{base}/sparql",
        graph_url=None,
        process=None,  # type: ignore[arg-type]
        command=["virtuoso-t", "+foreground", "+configfile", str(db / "virtuoso.ini")],
        log=folder / "virtuoso.log",
    )
    engine.start(120.0)
    try:
        subprocess.run(
            ["isql-vt", str(sql_port), "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield engine
    finally:
        engine.stop()
