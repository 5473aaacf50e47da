"""One SPARQL job run within its limits: a query, an update or an RDF upload, with its protocol
dataset and the client's ``Accept``; its outcome is a status, a media type and a body (the
serialized result, or a problem detail). The limits applied here: a time limit checked while
the results are read, a row cap and a response cap in bytes. Where it runs (this thread, or a
killable worker process) is :mod:`graph.store.execute`.

Results are written by the engine's own writers, and their rows bounded from the bytes written
(``_Sink``): a third less time than reading every solution into Python and writing it there
(the facts naming a person at 1M triples, 58 kB: 4.4 → 3.0 ms). Where the bytes cannot show
that the result is within the caps, the query runs again and its rows are counted one by one.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeVar

import pyoxigraph as ox

from graph.store import Store, StoreError
from graph.store.results import (
    BOOLEAN_TYPES,
    GRAPH_TYPES,
    SOLUTION_TYPES,
    choose,
    preferred,
    serialize_boolean,
    serialize_graph,
    serialize_solutions,
)
from graph.store.safety import UnsafeQueryError, mask
from graph.store.upload import UploadLimitError, parse_upload

__all__ = ["Job", "Outcome", "run_job", "with_using"]

log = logging.getLogger(__name__)
CHECK_EVERY = 256
T = TypeVar("T")


@dataclass(frozen=True)
class Job:
    """A query or an update, with its protocol dataset and the client's preferences."""

    text: str
    kind: Literal["query", "update", "upload"] = "query"
    accept: str = ""
    format: str | None = None  # a format name sent as a parameter (format=json, output=xml)
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    using_graphs: tuple[str, ...] = ()
    using_named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None
    timeout: float = 30.0
    row_cap: int = 100_000
    #: The largest serialized result, in bytes.
    max_bytes: int = 100_000_000
    #: Who asked (an IP address): admission control counts heavy queries per client.
    client: str = ""
    #: An upload: its parts (document, media type), the graph every triple goes to (``None``:
    #: the default graph), and whether it replaces that graph (PUT) or adds to it (POST).
    parts: tuple[tuple[bytes, str], ...] = ()
    graph: str | None = None
    replace: bool = False

    @property
    def writes(self) -> bool:
        """Whether the job changes the store (updates and uploads)."""
        return self.kind != "query"


@dataclass
class Outcome:
    """What a job gave: a result (2xx) or a problem (4xx/5xx) with its title and detail."""

    status: int
    media_type: str = ""
    body: bytes = b""
    title: str = ""
    detail: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status < 400


class _TimeLimitError(Exception):
    pass


def _problem(status: int, title: str, detail: str) -> Outcome:
    return Outcome(status=status, title=title, detail=detail)


def _check(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise _TimeLimitError


_TOP_LEVEL = re.compile(r"[{}]|(?<![\w:?$])(?:WHERE|USING|WITH)(?![\w:])", re.IGNORECASE)


def with_using(text: str, using: Sequence[str], using_named: Sequence[str]) -> str:
    """An update with the protocol's ``using-graph-uri``/``using-named-graph-uri`` as USING
    clauses before the WHERE of each operation.

    The graph IRIs are checked as IRIs and written as IRI terms.

    Raises:
        ValueError: the update has USING or WITH clauses of its own (the protocol forbids
            both), or a graph is not an IRI.

    Examples:
        >>> with_using("INSERT { ?s a <http://e/T> } WHERE { ?s ?p ?o }", ["http://e/g"], [])
        'INSERT { ?s a <http://e/T> } USING <http://e/g> WHERE { ?s ?p ?o }'
    """
    if not using and not using_named:
        return text
    clauses = "".join(f"USING {ox.NamedNode(g)} " for g in using)
    clauses += "".join(f"USING NAMED {ox.NamedNode(g)} " for g in using_named)
    masked = mask(text)
    depth, inserts = 0, []
    for m in _TOP_LEVEL.finditer(masked):
        token = m.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0 and token.upper() in ("USING", "WITH"):
            raise ValueError(
                "the update has its own USING or WITH clause, and the request has "
                "using-graph-uri or using-named-graph-uri: give one or the other"
            )
        elif depth == 0:
            inserts.append(m.start())
    for pos in reversed(inserts):
        text = text[:pos] + clauses + text[pos:]
    return text


class _TooManyError(Exception):
    pass


def _collect(items: Iterable[T], job: Job, deadline: float) -> list[T]:
    """Pull results up to the row cap, checking the time limit as they come."""
    out = []
    for i, item in enumerate(items):
        if i % CHECK_EVERY == 0:
            _check(deadline)
        if i >= job.row_cap:
            raise _TooManyError
        out.append(item)
    return out


def _negotiate(job: Job, form: str, offered: list[str], what: str, shown: int) -> str:
    media = choose(preferred(job.accept, job.format, form, offered), offered)
    if media is None:
        raise _NotAcceptableError(f"{what} come as " + ", ".join(offered[:shown]))
    return media


class _NotAcceptableError(Exception):
    pass


class _TooLargeError(Exception):
    pass


def _capped(body: bytes, job: Job) -> bytes:
    if len(body) > job.max_bytes:
        raise _TooLargeError(len(body))
    return body


class _OverError(Exception):
    """The engine's output may be past a cap: the rows are to be counted one by one."""


@dataclass(frozen=True)
class _Rows:
    """How to bound the rows (solutions, triples) of a result from the bytes the engine writes.

    Every row of the format takes at least ``least`` bytes, and each of ``markers`` occurs
    once between or at the start of rows and nowhere else except, for the markers marked
    ``over``, possibly inside a value (so that they count rows or more, never fewer).
    """

    least: int
    markers: tuple[bytes, ...] = ()
    #: Rows the markers count besides their occurrences (a first row without a separator).
    extra: int = 0

    def __post_init__(self) -> None:
        if len({len(m) for m in self.markers}) > 1:
            raise ValueError("the markers of a format must be of one length")


#: The engine's writers (pyoxigraph 0.5): a JSON solution is ``{...}`` after ``[`` or ``,``,
#: and ``,{"`` cannot occur inside a string (its ``"`` would be escaped); ``,{}`` (a solution
#: with every variable unbound) can, so the count may run over, never under. An XML solution
#: starts ``<result>`` (``<`` is always escaped in values). A TSV, CSV, N-Triples or N-Quads
#: row ends with a line break, which TSV, N-Triples and N-Quads escape in values and CSV may
#: not (over again). Turtle, TriG, JSON-LD and RDF/XML group triples: at least a byte each.
_SOLUTION_ROWS: dict[str, _Rows] = {
    "json": _Rows(2, (b',{"', b",{}"), extra=1),
    "xml": _Rows(17, (b"<result>",)),
    "csv": _Rows(2, (b"\n",)),
    "tsv": _Rows(1, (b"\n",)),
}
_SOLUTION_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
_LINES = _Rows(1, (b"\n",))
_GROUPED = _Rows(1)


class _Sink:
    """Takes what the engine writes, and stops it (``_OverError``) the moment the bytes may
    hold more rows than the cap or pass the byte cap, or (``_TimeLimitError``) at the
    deadline. The engine writes in blocks of some kilobytes. Rows are bounded by the bytes
    alone while that keeps them within the cap (most results: no counting at all), then by
    the markers, counted over what was written so far and then block by block."""

    def __init__(self, rows: _Rows, job: Job, deadline: float) -> None:
        self.rows, self.job, self.deadline = rows, job, deadline
        self.parts: list[bytes] = []
        self.size = 0
        self.counted: int | None = None  # the markers so far, once counting has started
        # The last bytes written, one fewer than a marker: a marker may straddle two blocks.
        self.seam = max((len(m) for m in rows.markers), default=1) - 1
        self.tail = b""

    def write(self, data: bytes) -> int:
        block = bytes(data)
        self.size += len(block)
        if self.size > self.job.max_bytes:
            raise _OverError
        if self.size // self.rows.least > self.job.row_cap:
            self._count(block)
        _check(self.deadline)
        self.parts.append(block)
        return len(block)

    def _count(self, block: bytes) -> None:
        markers = self.rows.markers
        if not markers:
            raise _OverError
        if self.counted is None:
            seen = b"".join(self.parts) + block
            self.counted = self.rows.extra + sum(seen.count(m) for m in markers)
            self.tail = seen[-self.seam :] if self.seam else b""
        else:
            # Across the seam only: every marker of a format has the same length, one more
            # than the tail, so none fits wholly in the tail or in the block's first bytes.
            across = self.tail + block[: self.seam]
            self.counted += sum(block.count(m) + across.count(m) for m in markers)
            self.tail = (self.tail + block)[-self.seam :] if self.seam else b""
        if self.counted > self.job.row_cap:
            raise _OverError

    def flush(self) -> None:
        pass


def _engine_writes(
    result: ox.QuerySolutions | ox.QueryTriples,
    fmt: ox.QueryResultsFormat | ox.RdfFormat,
    rows: _Rows,
    job: Job,
    deadline: float,
) -> bytes | None:
    """The result as the engine's own writer writes it, when its bytes show that it is within
    the row cap and the byte cap; ``None`` when they cannot (then the rows are counted one by
    one, on the query run again: a result near or past a cap)."""
    sink = _Sink(rows, job, deadline)
    try:
        result.serialize(sink, format=fmt)  # type: ignore[arg-type]
    except _OverError:
        return None
    return b"".join(sink.parts)


def _select(store: Store, job: Job, result: ox.QuerySolutions, deadline: float) -> Outcome:
    media = _negotiate(job, "results", list(SOLUTION_TYPES), "SELECT results", 4)
    fmt = SOLUTION_TYPES[media]
    body = _engine_writes(result, _SOLUTION_FORMATS[fmt], _SOLUTION_ROWS[fmt], job, deadline)
    if body is None:
        result = _again(store, job, ox.QuerySolutions)
        names = [v.value for v in result.variables]
        # A solution iterates over its values in the order of the variables (None if
        # unbound): a third faster than looking each one up by name.
        found = [tuple(solution) for solution in _collect(result, job, deadline)]
        body = _capped(serialize_solutions(names, found, fmt), job)
    return Outcome(status=200, media_type=media, body=body)


def _graph(store: Store, job: Job, result: ox.QueryTriples, deadline: float) -> Outcome:
    media = _negotiate(job, "graph", list(GRAPH_TYPES), "graph results", 6)
    fmt = GRAPH_TYPES[media]
    lines = fmt in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)
    body = _engine_writes(result, fmt, _LINES if lines else _GROUPED, job, deadline)
    if body is None:
        triples = _collect(_again(store, job, ox.QueryTriples), job, deadline)
        body = _capped(serialize_graph(triples, fmt), job)
    return Outcome(status=200, media_type=media, body=body)


R = TypeVar("R", ox.QuerySolutions, ox.QueryTriples)


def _again(store: Store, job: Job, form: type[R]) -> R:
    """The job's query run again, for its rows one by one."""
    result = _query(store, job)
    assert isinstance(result, form)
    return result


def _query(store: Store, job: Job) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    return store.query(
        job.text,
        default_graphs=job.default_graphs,
        named_graphs=job.named_graphs,
        base_iri=job.base_iri,
    )


def _upload(store: Store, job: Job) -> Outcome:
    """Parse an upload's parts within the limits, then write them, all or nothing."""
    chunks = []
    for data, media in job.parts:
        fmt = ox.RdfFormat.from_media_type(media)
        if fmt is None:
            return _problem(415, "Unsupported Media Type", f"{media!r} is not an RDF format")
        try:
            chunks.append(parse_upload(data, fmt, job.graph, job.base_iri))
        except SyntaxError as exc:
            return _problem(400, "Bad Request", f"the {media} body is not valid: {exc}")
    nquads = b"".join(chunks)
    if job.replace:
        store.put_graph(job.graph, nquads)
    else:
        store.add(nquads)
    return Outcome(status=204)


def _memory_problem(job: Job, budget: int | None) -> Outcome:
    what = {"query": "query", "update": "update", "upload": "upload"}[job.kind]
    limit = f"the memory budget of {budget // 2**20} MiB per worker" if budget else "its memory"
    return Outcome(
        status=413 if job.kind == "upload" else 503,
        title="Content Too Large" if job.kind == "upload" else "Service Unavailable",
        detail=f"the {what} needed more than {limit} and was stopped; "
        "its worker process was replaced",
        headers={} if job.kind == "upload" else {"Retry-After": "1"},
    )


def run_job(store: Store, job: Job) -> Outcome:
    """Run a job in this thread: the time limit is checked between result rows.

    Returns:
        The outcome: the serialized result, or a problem (400 bad syntax or refused query,
        406 no acceptable format, 422 too many rows, 503 past the time limit).
    """
    deadline = time.monotonic() + job.timeout
    try:
        if job.kind == "upload":
            return _upload(store, job)
        if job.kind == "update":
            text = with_using(job.text, job.using_graphs, job.using_named_graphs)
            store.update(text, base_iri=job.base_iri)
            return Outcome(status=204)
        result = _query(store, job)
        if isinstance(result, ox.QueryBoolean):
            media = _negotiate(job, "results", list(BOOLEAN_TYPES), "ASK results", 2)
            return Outcome(
                status=200,
                media_type=media,
                body=serialize_boolean(bool(result), BOOLEAN_TYPES[media]),
            )
        if isinstance(result, ox.QuerySolutions):
            return _select(store, job, result, deadline)
        return _graph(store, job, result, deadline)
    except SyntaxError as exc:
        what = "update" if job.kind == "update" else "query"
        return _problem(400, "Bad Request", f"the {what} is not valid SPARQL 1.1: {_short(exc)}")
    except UploadLimitError as exc:
        return _problem(413, "Content Too Large", str(exc))
    except (UnsafeQueryError, ValueError) as exc:
        return _problem(400, "Bad Request", str(exc))
    except RuntimeError as exc:
        # The engine refuses what it cannot evaluate (an unsupported function, say): the
        # request's fault, and the worker lives on.
        return _problem(400, "Bad Request", f"the engine cannot run this {job.kind}: {exc}")
    except _TimeLimitError:
        return _timeout(job)
    except _NotAcceptableError as exc:
        return _problem(406, "Not Acceptable", str(exc))
    except _TooManyError:
        return _problem(
            422,
            "Too Many Rows",
            f"the result has more than {job.row_cap} rows or "
            "triples, the cap of this endpoint; narrow the query or page it with "
            "LIMIT and OFFSET",
        )
    except _TooLargeError as exc:
        return _problem(
            422,
            "Result Too Large",
            f"the result is {exc.args[0]} bytes, more than the cap of {job.max_bytes} bytes "
            "of this endpoint; narrow the query or page it with LIMIT and OFFSET",
        )
    except MemoryError:
        return _memory_problem(job, None)
    except StoreError as exc:
        return _problem(503, "Service Unavailable", str(exc))
    except OSError as exc:
        log.exception("store error")
        return _problem(500, "Internal Server Error", f"the store failed: {exc}")


def _short(exc: SyntaxError) -> str:
    """Oxigraph's syntax error, shortened readably: its reasons (``Prefix not found``, ``The
    SELECT contains a variable that is unbound``) kept whole, its list of every token it would
    have accepted cut to the first few.

    Examples:
        >>> tokens = ", ".join(f'"{i}"' for i in range(40))
        >>> _short(SyntaxError(f"error at 1:8: expected one of Prefix not found, {tokens}"))
        'error at 1:8: Prefix not found (expected one of "0", "1", ..., "7" and 32 more)'
    """
    message = str(exc)
    head, sep, rest = message.partition(": expected one of ")
    if not sep or len(message) <= 200:
        return message
    items = [m.group(1).strip() for m in _ITEM.finditer(rest)]
    reasons = [i for i in items if " " in i and i[:1].isalpha()]
    # Tokens as the engine names them; its character classes ([...]) are counted, not shown.
    expected = [i for i in items if i not in reasons and not i.startswith("[")]
    more = len(items) - len(reasons) - min(len(expected), 8)
    shown = "one of " + ", ".join(expected[:8]) if expected else "a name character"
    if more and expected:
        shown += f" and {more} more"
    if reasons:
        return f"{head}: {'; '.join(reasons)} (expected {shown})"
    return f"{head}: expected {shown}"


_ITEM = re.compile(r'\s*("(?:[^"\\]|\\.)*"|\[(?:\'[^\']*\'|[^\]\'])*\]|[^,]+)\s*(?:,|$)')


def _timeout(job: Job) -> Outcome:
    return Outcome(
        status=503,
        title="Service Unavailable",
        detail=f"the {job.kind} ran past the time limit of {job.timeout:g} s and was stopped",
        headers={"Retry-After": "1"},
    )
