"""Real servers for tests: start ``bilateral serve`` on a free loopback port, and replay the
W3C HTTP test manifests (SPARQL Protocol, Graph Store Protocol) against it."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit
from urllib.request import url2pathname

import httpx
import psutil
from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import RDF, RDFS
from rdflib.query import Result

__all__ = [
    "MF",
    "ROOT",
    "Exchange",
    "Expected",
    "HttpTest",
    "ServerError",
    "bilateral",
    "check",
    "free_port",
    "manifest_entries",
    "read_manifest",
    "replay",
    "serve",
]

ROOT = Path(__file__).resolve().parent.parent
#: How long a request of the readiness poll may take.
POLL_REQUEST_TIMEOUT = 2.0
#: Tries at a fresh port when another process takes the one we picked before uvicorn binds it.
PORT_TRIES = 3


class ServerError(RuntimeError):
    """The server did not come up; the message carries its output."""


def bilateral() -> Path:
    """The ``bilateral`` console script of the running interpreter's environment."""
    return Path(sys.executable).with_name("bilateral")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that nothing listens on now.

    The kernel picks it (bind to port 0), so it is outside the ports other tests or services
    ask for by number; ``serve`` retries with another one if it is taken before the server
    binds it.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


def _arguments(options: dict[str, object]) -> list[str]:
    """``query_timeout=5`` as ``--query-timeout 5``; ``True`` a bare flag; lists repeat."""
    out: list[str] = []
    for name, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + name.replace("_", "-")
        if value is True:
            out.append(flag)
        elif isinstance(value, list | tuple):
            for item in value:
                out += [flag, str(item)]
        else:
            out += [flag, str(value)]
    return out


def _output(log: IO[bytes]) -> str:
    log.flush()
    log.seek(0)
    return log.read().decode("utf-8", "replace")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM (uvicorn shuts down and the app closes its query workers); if the server is
    still up after 15 s, SIGKILL its process group (it leads one), workers included."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        # The leader is alive, so the group id is still ours to signal.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def _descendants(pid: int) -> list[int]:
    """The processes started by ``pid`` and by them."""
    with contextlib.suppress(psutil.Error):
        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    return []


def _owns_port(pid: int, port: int) -> bool | None:
    """Whether process ``pid`` listens on the TCP ``port`` (``None``: no /proc to tell).

    A 200 from the port alone could come from another test's server that took the port
    between ``free_port`` and our bind; the socket table says whose listener it is.
    """
    try:
        pids = [pid, *_descendants(pid)]  # several serving processes listen for one server
        fds = [(p, fd) for p in pids for fd in os.listdir(f"/proc/{p}/fd")]
        table = Path("/proc/net/tcp").read_text().splitlines()[1:]
    except OSError:
        return None
    sockets = set()
    for p, fd in fds:
        with contextlib.suppress(OSError):
            sockets.add(os.readlink(f"/proc/{p}/fd/{fd}"))
    for line in table:
        fields = line.split()
        local, state, inode = fields[1], fields[3], fields[9]
        if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
            return f"socket:[{inode}]" in sockets
    return False


def _wait_ready(
    proc: subprocess.Popen[bytes], base: str, port: int, log: IO[bytes], timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    delay = 0.05
    with httpx.Client(timeout=POLL_REQUEST_TIMEOUT) as client:
        while True:
            if proc.poll() is not None:
                raise ServerError(
                    f"bilateral serve exited with status {proc.returncode}:\n{_output(log)}"
                )
            try:
                r = client.get(f"{base}/sparql", params={"query": "ASK{}"})
                if r.status_code == 200 and _owns_port(proc.pid, port) is not False:
                    return
                last = f"{r.status_code} {r.text[:500]}"
                if r.status_code == 200:
                    last = f"port {port} answers, but another process listens on it"
            except httpx.TransportError as exc:
                last = f"{type(exc).__name__}: {exc}"
            if time.monotonic() > deadline:
                raise ServerError(
                    f"bilateral serve did not answer GET {base}/sparql?query=ASK{{}} within "
                    f"{timeout:g} s (last: {last}); its output:\n{_output(log)}"
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def _address_in_use(text: str) -> bool:
    return "address already in use" in text.lower() or f"[errno {errno.EADDRINUSE}]" in text


@contextlib.contextmanager
def serve(store: Path, *, timeout: float = 30.0, **options: object) -> Iterator[str]:
    """Run ``bilateral serve --store STORE`` on 127.0.0.1 until the block ends.

    Args:
        store: the store folder (built, or initialised with ``write_generation``).
        timeout: seconds to wait for the first answer to ``GET /sparql?query=ASK{}``.
        **options: more options of ``serve``, by their Python names: ``write_token="t"``,
            ``query_timeout=5``, ``query_workers=1``, ``allowed_service=[...]``,
            ``workers=2`` (serving processes; 1 unless given).

    Yields:
        The base URL, ``http://127.0.0.1:PORT`` (no trailing slash).

    Raises:
        ServerError: when the server exits or does not answer in time; with its output.
    """
    # One serving process unless a test asks for more (the server's default is one per
    # core): the suite shares its cores, and the load and fault tests ask for several.
    options.setdefault("workers", 1)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BILATERAL_")}
    env["PYTHONUNBUFFERED"] = "1"
    for attempt in range(1, PORT_TRIES + 1):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        command = [str(bilateral()), "serve", "--store", str(store), "--host", "127.0.0.1"]
        command += ["--port", str(port), *_arguments(options)]
        # A file, not a pipe: a chatty server cannot block on a full pipe nobody reads.
        with tempfile.TemporaryFile() as log:
            proc = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                try:
                    _wait_ready(proc, base, port, log, timeout)
                except ServerError as exc:
                    if attempt < PORT_TRIES and _address_in_use(str(exc)):
                        continue
                    raise
                yield base
                return
            finally:
                _stop(proc)
    raise AssertionError("unreachable")  # pragma: no cover


# -- W3C HTTP test manifests ------------------------------------------------------------------

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

#: hts:Created, hts:NoContent ... by the names the vocabulary gives them (the reason phrases).
STATUS_NAMES = {re.sub(r"[^A-Za-z]", "", s.phrase): s.value for s in HTTPStatus}
#: Media types of SPARQL results, with rdflib's parser for each.
RESULT_PARSERS = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
#: RDF media types, with rdflib's parser for each.
RDF_PARSERS = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-quads": "nquads",
    "application/trig": "trig",
    "text/n3": "n3",
}


@dataclass(frozen=True)
class Expected:
    """What a manifest says of a response."""

    statuses: tuple[str, ...]
    format: str | None = None
    boolean: bool | None = None
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None
    location: str | None = None


@dataclass(frozen=True)
class Exchange:
    """One request of a test and the response it expects."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: str | None
    encoding: str
    expected: Expected


@dataclass(frozen=True)
class HttpTest:
    """A manifest entry: the data it starts from and its requests, in order."""

    name: str
    title: str
    graph_data: tuple[tuple[Path, str], ...] = ()
    exchanges: tuple[Exchange, ...] = ()
    requires: tuple[str, ...] = field(default=())


def _local(node: object) -> str:
    return str(node).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _list(g: Graph, head: object) -> list[object]:
    return list(Collection(g, head)) if head is not None else []


def _headers(g: Graph, node: object) -> tuple[tuple[str, str], ...]:
    return tuple(
        (str(g.value(h, HT.fieldName)).lower(), str(g.value(h, HT.fieldValue)))
        for h in _list(g, g.value(node, HT.headers))
    )


def _exchange(g: Graph, req: object) -> Exchange:
    body = g.value(req, HT.body)
    resp = g.value(req, HT.resp)
    rbody = g.value(resp, HT.body)
    boolean = g.value(resp, MF.expectedBoolean)
    location = g.value(resp, MF.expectedLocation)
    fmt = g.value(resp, MF.expectedFormat)
    return Exchange(
        method=str(g.value(req, HT.methodName)),
        path=str(g.value(req, HT.absolutePath)),
        headers=_headers(g, req),
        body=None if body is None else str(g.value(body, CNT.chars)),
        encoding=str(g.value(body, CNT.characterEncoding) or "UTF-8"),
        expected=Expected(
            statuses=tuple(sorted(_local(s) for s in g.objects(resp, MF.expectedStatus))),
            format=None if fmt is None else str(fmt),
            boolean=None if boolean is None else bool(boolean.toPython()),
            headers=_headers(g, resp),
            body=None if rbody is None else str(g.value(rbody, CNT.chars)),
            location=None if location is None else str(location),
        ),
    )


def manifest_entries(path: Path) -> tuple[Graph, list[URIRef]]:
    """The parsed manifest and its ``mf:entries``, in order."""
    g = Graph().parse(path, format="turtle")
    manifest = next(iter(g.subjects(RDFS.label, None)), None)
    heads = list(g.objects(manifest, MF.entries))
    if len(heads) != 1:
        raise ValueError(f"{path} has {len(heads)} mf:entries lists; expected one")
    return g, [URIRef(str(e)) for e in _list(g, heads[0])]


def read_manifest(path: Path, unlisted: bool = False) -> list[HttpTest]:
    """The tests of a W3C protocol manifest (SPARQL Protocol or Graph Store Protocol).

    Args:
        path: the manifest.
        unlisted: also the tests the file defines (with a type of the listed ones) but leaves
            out of ``mf:entries``, after those.
    """
    g, entries = manifest_entries(path)
    if unlisted:
        kinds = {k for e in entries for k in g.objects(e, RDF.type)}
        defined = sorted({s for k in kinds for s in g.subjects(RDF.type, k)} - set(entries))
        entries += [URIRef(str(s)) for s in defined]
    tests = []
    for entry in entries:
        data = []
        for gd in g.objects(entry, UT.graphData):
            source = urlsplit(str(g.value(gd, UT.graph)))
            data.append((Path(url2pathname(source.path)), str(g.value(gd, RDFS.label))))
        action = g.value(entry, MF.action)
        requests = _list(g, g.value(action, HT.requests)) if action is not None else []
        tests.append(
            HttpTest(
                name=_local(entry),
                title=str(g.value(entry, MF.name)),
                graph_data=tuple(sorted(data, key=lambda d: d[1])),
                exchanges=tuple(_exchange(g, r) for r in requests),
                requires=tuple(sorted(_local(r) for r in g.objects(entry, MF.requires))),
            )
        )
    return tests


def _media(value: str | None) -> tuple[str, dict[str, str]]:
    media, *params = (value or "").split(";")
    out = {}
    for param in params:
        key, _, val = param.partition("=")
        out[key.strip().lower()] = val.strip().strip('"').lower()
    return media.strip().lower(), out


def _status_ok(status: int, names: tuple[str, ...]) -> bool:
    for name in names:
        klass = re.fullmatch(r"StatusCode(\d)xx", name)
        if klass and status // 100 == int(klass[1]):
            return True
        if not klass and STATUS_NAMES[name] == status:
            return True
    return False


def _results(r: httpx.Response, allowed: dict[str, str]) -> tuple[Result | None, str | None]:
    media, _ = _media(r.headers.get("content-type"))
    if media not in allowed:
        return None, f"Content-Type {media!r} is not one of {sorted(set(allowed))}"
    try:
        return Result.parse(io.BytesIO(r.content), format=allowed[media]), None
    except Exception as exc:  # any parser error is the finding to report
        return None, f"the {media} body does not parse as SPARQL results: {exc}"


def _rdf(text: bytes | str, content_type: str | None, base: str) -> tuple[Dataset | None, str]:
    media, _ = _media(content_type)
    fmt = RDF_PARSERS.get(media)
    if fmt is None:
        return None, f"Content-Type {media!r} is not an RDF media type"
    ds = Dataset()
    try:
        ds.parse(data=text, format=fmt, publicID=base)
    except Exception as exc:  # any parser error is the finding to report
        return None, f"the {media} body does not parse: {exc}"
    return ds, media


def _graph(ds: Dataset) -> Graph:
    g = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def check(r: httpx.Response, expected: Expected) -> list[str]:
    """What in a response differs from what the manifest expects (empty when it conforms)."""
    problems: list[str] = []
    if not _status_ok(r.status_code, expected.statuses):
        problems.append(f"status {r.status_code}, expected one of {', '.join(expected.statuses)}")
    if expected.format == "boolean" or expected.boolean is not None:
        formats = {k: v for k, v in RESULT_PARSERS.items() if v in ("json", "xml")}
        result, why = _results(r, formats)
        if result is None:
            problems.append(f"not a boolean result: {why}")
        elif result.type != "ASK":
            problems.append(f"a {result.type} result, expected a boolean")
        elif expected.boolean is not None and result.askAnswer != expected.boolean:
            problems.append(f"boolean {result.askAnswer}, expected {expected.boolean}")
    elif expected.format == "tabular":
        result, why = _results(r, RESULT_PARSERS)
        if result is None:
            problems.append(f"not a SELECT result: {why}")
        elif result.type != "SELECT" or not result.vars:
            problems.append(f"a {result.type} result with variables {result.vars}")
    elif expected.format == "RDF":
        ds, why = _rdf(r.content, r.headers.get("content-type"), str(r.url))
        if ds is None:
            problems.append(f"not RDF: {why}")
    elif expected.format is not None:
        raise ValueError(f"unknown mf:expectedFormat {expected.format!r}")
    for name, value in expected.headers:
        actual = r.headers.get(name)
        if name == "content-type" and actual is not None:
            if _media(actual) != _media(value):
                problems.append(f"Content-Type {actual!r}, expected {value!r}")
        elif actual is None or actual.strip() != value.strip():
            problems.append(f"{name}: {actual!r}, expected {value!r}")
    if expected.body is not None:
        content_type = dict(expected.headers).get("content-type", "text/turtle")
        want, why = _rdf(expected.body, content_type, str(r.url))
        got, got_why = _rdf(r.content, r.headers.get("content-type"), str(r.url))
        if want is None:
            raise ValueError(f"the manifest's expected body does not parse: {why}")
        if got is None:
            problems.append(f"body: {got_why}")
        elif not isomorphic(_graph(want), _graph(got)):
            _, missing, extra = graph_diff(to_isomorphic(_graph(want)), to_isomorphic(_graph(got)))
            problems.append(
                "body is not isomorphic to the expected graph; missing:\n"
                + missing.serialize(format="nt")
                + "unexpected:\n"
                + extra.serialize(format="nt")
            )
    if expected.location is not None and not r.headers.get("location"):
        problems.append("no Location header")
    return problems


def _describe(r: httpx.Response, body: bytes | None) -> str:
    req = r.request
    headers = "".join(
        f"  {k}: {'Bearer ***' if k.lower() == 'authorization' else v}\n"
        for k, v in req.headers.items()
        if k.lower() not in ("host", "accept-encoding", "connection", "user-agent")
    )
    sent = "" if body is None else f"  body: {body[:600]!r}\n"
    got = "".join(f"  {k}: {v}\n" for k, v in r.headers.items() if k.lower() != "date")
    return (
        f"request: {req.method} {req.url}\n{headers}{sent}"
        f"response: {r.status_code}\n{got}  body: {r.content[:1000]!r}"
    )


def replay(
    client: httpx.Client,
    base: str,
    test: HttpTest,
    path: Callable[[str], str],
    headers: dict[str, str] | None = None,
) -> None:
    """Send a test's requests in order and assert each response conforms.

    Args:
        client: the HTTP client (its timeout bounds every request).
        base: the server's base URL.
        test: the manifest entry.
        path: maps the manifest's path (``/sparql/...``, ``/gsp...``) to ours.
        headers: added to every request (the write token).
    """
    variables: dict[str, str] = {}
    for i, ex in enumerate(test.exchanges, 1):
        target, text = ex.path, ex.body
        for name, value in variables.items():
            target = target.replace(name, value)
            text = None if text is None else text.replace(name, value)
        body = None if text is None else text.encode(ex.encoding)
        sent = {**dict(ex.headers), **(headers or {})}
        r = client.request(ex.method, base + path(target), headers=sent, content=body)
        problems = check(r, ex.expected)
        assert not problems, (
            f"{test.name}, request {i} of {len(test.exchanges)}: "
            + "; ".join(problems)
            + "\n"
            + _describe(r, body)
        )
        if ex.expected.location is not None:
            variables[ex.expected.location] = r.headers["location"]
