"""The W3C SPARQL 1.1 query-evaluation and syntax suites over HTTP, against a real server.

Every evaluation test's answer from ``bilateral serve`` is compared with the expected result
and with the engine's own answer in this process (pyoxigraph on the same store, same dataset),
in JSON, XML, CSV and TSV (Turtle and N-Triples for graphs). Syntax tests: a valid query gets
its answer, an invalid one a 400, as the engine decides in this process. The engine's known
deviations from the suite are listed once below, each with its reason, as strict expected
failures: they fail if they start passing.
"""

from __future__ import annotations

import contextlib
import decimal
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from graph.store import write_generation
from graph.store.remote import query_form
from tests.server import ROOT, serve

pytestmark = [pytest.mark.slow, pytest.mark.server]

SPARQL11 = next(
    (p / "shared" / "w3c" / "sparql11" for p in ROOT.parents if (p / "shared" / "w3c").is_dir()),
    ROOT.parent / "shared" / "w3c" / "sparql11",
)
if not (SPARQL11 / "manifest-sparql11-query.ttl").is_file():
    pytest.skip(f"the W3C SPARQL 1.1 tests are not in {SPARQL11}", allow_module_level=True)

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")
EMPTY = "urn:x-bilateral-test:empty"  # a default graph with nothing in it
TOKEN = "w3c-query-token"

# The engine's own deviations from the suite (Oxigraph 0.5.13), each failing on the expected
# result in every format; our layer must still give the engine's answer.
_CANONICAL_BOOLEAN = (
    'Oxigraph stores xsd:boolean literals in canonical form: the data\'s "0"^^xsd:boolean reads '
    'back as "false", where the expected result keeps "0"'
)
_ZERO_LENGTH = (
    "Oxigraph finds no zero-length path from or to a constant that is in no graph (an empty "
    "dataset); the suite expects the constant itself"
)
_GROUP_CONCAT = (
    'Oxigraph keeps the language tag that all the concatenated literals share ("1"@en); the '
    "suite expects a simple literal"
)
ENGINE_DEVIATIONS: dict[str, str] = {
    "aggregates/GROUP_CONCAT with same language tag": _GROUP_CONCAT,
    "aggregates/GROUP_CONCAT with one element": _GROUP_CONCAT,
    "cast/xsd:boolean cast": _CANONICAL_BOOLEAN,
    "cast/xsd:integer cast": _CANONICAL_BOOLEAN,
    "cast/xsd:float cast": _CANONICAL_BOOLEAN,
    "cast/xsd:double cast": _CANONICAL_BOOLEAN,
    "cast/xsd:decimal cast": _CANONICAL_BOOLEAN,
    "cast/xsd:string cast": _CANONICAL_BOOLEAN,
    "negation/outer GRAPH operator does not affect MINUS disjointness": (
        "Oxigraph's MINUS inside GRAPH ?g takes ?g as shared by both sides and removes the row"
    ),
    "property-path/* with start being a constant on the empty dataset": _ZERO_LENGTH,
    "property-path/* with end being a constant on the empty dataset": _ZERO_LENGTH,
    "property-path/? with start being a constant on the empty dataset": _ZERO_LENGTH,
    "property-path/? with end being a constant on the empty dataset": _ZERO_LENGTH,
    "csv-tsv-res/tsv03 - TSV Result Format": (
        'Oxigraph stores "-3"^^xsd:negativeInteger as an xsd:integer, so its TSV has -3'
    ),
}


@dataclass
class EvalTest:
    name: str
    query: Path
    data: list[Path]
    graph_data: list[Path]
    result: Path | None


@dataclass
class SyntaxTest:
    name: str
    path: Path
    positive: bool
    update: bool


@dataclass
class Suite:
    evaluation: list[EvalTest] = field(default_factory=list)
    syntax: list[SyntaxTest] = field(default_factory=list)


def _path(node: object) -> Path:
    return Path(str(node).removeprefix("file://"))


def _read(manifest: Path, suite: Suite) -> None:
    g = Graph().parse(manifest, format="turtle", publicID=manifest.as_uri())
    for m in g.subjects(RDF.type, MF.Manifest):
        for head in g.objects(m, MF.include):
            for item in Collection(g, head):
                _read(_path(item), suite)
        for head in g.objects(m, MF.entries):
            for entry in Collection(g, head):
                kind = g.value(entry, RDF.type)
                name = f"{manifest.parent.name}/{g.value(entry, MF.name)}"
                action = g.value(entry, MF.action)
                if kind == MF.QueryEvaluationTest:
                    result = g.value(entry, MF.result)
                    suite.evaluation.append(
                        EvalTest(
                            name,
                            _path(g.value(action, QT.query)),
                            [_path(d) for d in g.objects(action, QT.data)],
                            [_path(d) for d in g.objects(action, QT.graphData)],
                            _path(result) if isinstance(result, URIRef) else None,
                        )
                    )
                elif kind in (MF.PositiveSyntaxTest11, MF.NegativeSyntaxTest11):
                    suite.syntax.append(
                        SyntaxTest(name, _path(action), kind == MF.PositiveSyntaxTest11, False)
                    )
                elif kind in (MF.PositiveUpdateSyntaxTest11, MF.NegativeUpdateSyntaxTest11):
                    suite.syntax.append(
                        SyntaxTest(name, _path(action), kind == MF.PositiveUpdateSyntaxTest11, True)
                    )


SUITE = Suite()
_read(SPARQL11 / "manifest-sparql11-query.ttl", SUITE)
_read(SPARQL11 / "manifest-sparql11-update.ttl", SUITE)
_read(SPARQL11 / "manifest-sparql11-fed.ttl", SUITE)
_read(SPARQL11 / "manifest-sparql11-results.ttl", SUITE)

_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".nt": ox.RdfFormat.N_TRIPLES,
}


def _nquads() -> bytes:
    """Every data file of the evaluation tests, each in a named graph called by its file IRI."""
    files = {p for t in SUITE.evaluation for p in [*t.data, *t.graph_data]}
    ds = ox.Dataset()
    for path in sorted(files):
        graph = ox.NamedNode(path.as_uri())
        for quad in ox.parse(path=str(path), format=_FORMATS[path.suffix], base_iri=path.as_uri()):
            ds.add(ox.Quad(quad.subject, quad.predicate, quad.object, graph))
    return ox.serialize(ds, format=ox.RdfFormat.N_QUADS) or b""


@pytest.fixture(scope="module")
def engine_and_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ox.Store, str]]:
    data = _nquads()
    engine = ox.Store()
    engine.load(data, format=ox.RdfFormat.N_QUADS)
    root = tmp_path_factory.mktemp("w3c-query") / "store"
    write_generation(root, data)
    with serve(root, query_workers=2) as base:
        yield engine, base


@pytest.fixture(scope="module")
def update_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("w3c-update-syntax") / "store"
    write_generation(root, b"")
    with serve(root, write_token=TOKEN, query_workers=1) as base:
        yield base


# ---- comparing answers -----------------------------------------------------------------------

MEDIA = {
    "json": ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    "xml": ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    "csv": ("text/csv", ox.QueryResultsFormat.CSV),
    "tsv": ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
}
_BNODE = re.compile(r"_:[A-Za-z0-9_.-]+")


_NUMERIC = {
    "http://www.w3.org/2001/XMLSchema#" + t
    for t in ("integer", "decimal", "double", "float", "int", "long", "short", "byte")
}


def _canon(term: object, by_value: bool = False) -> str:
    """A term, with blank node labels dropped (they differ between stores and runs); with
    ``by_value``, a number as its value (the suite writes ``1.0E2`` where the engine writes
    ``100``, the same double)."""
    if term is None:
        return ""
    if by_value and isinstance(term, ox.Literal) and term.datatype.value in _NUMERIC:
        with contextlib.suppress(decimal.InvalidOperation):
            return f"{decimal.Decimal(term.value).normalize()}^^{term.datatype.value}"
    return _BNODE.sub("_:", str(term))


def _rows(data: bytes, fmt: str, ordered: bool, by_value: bool = False) -> object:
    if data.strip() in (b"true", b"false"):
        return data.strip() == b"true"
    if fmt == "csv":
        lines = [_BNODE.sub("_:", line) for line in data.decode().split("\r\n")]
        return lines if ordered else (lines[0], sorted(lines[1:]))
    parsed = ox.parse_query_results(data, format=MEDIA[fmt][1])
    if isinstance(parsed, ox.QueryBoolean):
        return bool(parsed)
    names = sorted(v.value for v in parsed.variables)
    rows = [tuple(_canon(s[n], by_value) for n in names) for s in parsed]
    return (names, rows if ordered else sorted(map(repr, rows)))


def _expected_rows(path: Path, ordered: bool) -> object:
    if path.suffix == ".srj":
        return _rows(path.read_bytes(), "json", ordered, by_value=True)
    if path.suffix == ".srx":
        return _rows(path.read_bytes(), "xml", ordered, by_value=True)
    if path.suffix == ".tsv":
        return _rows(path.read_bytes(), "tsv", ordered, by_value=True)
    raise ValueError(path)


def _graph(data: bytes, fmt: ox.RdfFormat, base: str | None = None) -> Graph:
    g = Graph()
    nt = ox.serialize(ox.parse(data, format=fmt, base_iri=base), format=ox.RdfFormat.N_TRIPLES)
    g.parse(data=(nt or b"").decode(), format="nt")
    return g


def _protocol(test: EvalTest, text: str) -> dict[str, list[str]]:
    if re.search(r"\bFROM\b", text, re.IGNORECASE):
        return {}
    params = {"default-graph-uri": [p.as_uri() for p in test.data] or [EMPTY]}
    if test.graph_data:
        params["named-graph-uri"] = [p.as_uri() for p in test.graph_data]
    return params


def _engine_query(engine: ox.Store, text: str, params: dict[str, list[str]], base: str) -> object:
    if not params:
        return engine.query(text, base_iri=base)
    return engine.query(
        text,
        base_iri=base,
        default_graph=[ox.NamedNode(g) for g in params["default-graph-uri"]],
        named_graphs=[ox.NamedNode(g) for g in params.get("named-graph-uri", [])],
    )


def _differences(engine: ox.Store, base: str, test: EvalTest) -> list[str]:
    # The query is read as at its file's place, so relative IRIs resolve as the suite has them.
    text = f"BASE <{test.query.as_uri()}>\n" + test.query.read_text(encoding="utf-8")
    params = _protocol(test, text)
    form = query_form(text)
    ordered = "ORDER BY" in text.upper()
    out: list[str] = []
    with httpx.Client(timeout=60) as client:
        if form in ("CONSTRUCT", "DESCRIBE"):
            result = _engine_query(engine, text, params, f"{base}/sparql")
            assert isinstance(result, ox.QueryTriples)
            theirs = result.serialize(format=ox.RdfFormat.N_TRIPLES) or b""
            theirs_g = _graph(theirs, ox.RdfFormat.N_TRIPLES)
            for media, fmt in (
                ("text/turtle", ox.RdfFormat.TURTLE),
                ("application/n-triples", ox.RdfFormat.N_TRIPLES),
            ):
                r = client.post(
                    f"{base}/sparql", data={"query": text, **params}, headers={"Accept": media}
                )
                if r.status_code != 200:
                    out.append(f"{media}: {r.status_code} {r.text[:200]}")
                    continue
                ours = _graph(r.content, fmt)
                if not isomorphic(ours, theirs_g):
                    out.append(f"{media}: differs from the engine's graph")
                if test.result is not None and not isomorphic(
                    ours,
                    _graph(
                        test.result.read_bytes(), _FORMATS[test.result.suffix], test.result.as_uri()
                    ),
                ):
                    out.append(f"{media}: differs from the expected graph")
            return out
        for fmt, (media, ox_format) in MEDIA.items():
            r = client.post(
                f"{base}/sparql", data={"query": text, **params}, headers={"Accept": media}
            )
            if r.status_code != 200:
                out.append(f"{fmt}: {r.status_code} {r.text[:200]}")
                continue
            result = _engine_query(engine, text, params, f"{base}/sparql")
            assert isinstance(result, ox.QuerySolutions | ox.QueryBoolean)
            theirs = result.serialize(format=ox_format) or b""
            ours = _rows(r.content, fmt, ordered)
            if ours != _rows(theirs, fmt, ordered):
                out.append(f"{fmt}: differs from the engine's answer")
            if test.result is None:
                continue
            if test.result.suffix == ".csv":
                if fmt == "csv" and ours != _rows(test.result.read_bytes(), "csv", ordered):
                    out.append("csv: differs from the expected result")
            elif fmt != "csv" and test.result.suffix in (".srj", ".srx", ".tsv"):
                by_value = _rows(r.content, fmt, ordered, by_value=True)
                if by_value != _expected_rows(test.result, ordered):
                    out.append(f"{fmt}: differs from the expected result")
    return out


EVALUATION = [t for t in SUITE.evaluation if "service" not in t.query.parent.name]
_ANSWERS: dict[str, list[str]] = {}


def _answers(engine_and_server: tuple[ox.Store, str], test: EvalTest) -> list[str]:
    """Every difference of our answers (4 formats) from the engine's and from the expected
    result; computed once per test for the two tests below."""
    if test.name not in _ANSWERS:
        _ANSWERS[test.name] = _differences(*engine_and_server, test)
    return _ANSWERS[test.name]


@pytest.mark.parametrize("test", [pytest.param(t, id=t.name) for t in EVALUATION])
def test_an_evaluation_test_answers_as_the_engine_in_every_format(
    engine_and_server: tuple[ox.Store, str], test: EvalTest
) -> None:
    differences = _answers(engine_and_server, test)
    assert [d for d in differences if "expected" not in d] == []


def _expected_params(tests: list[EvalTest]) -> list[object]:
    out = []
    for t in tests:
        reason = ENGINE_DEVIATIONS.get(t.name)
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        out.append(pytest.param(t, id=t.name, marks=marks))
    return out


@pytest.mark.parametrize("test", _expected_params(EVALUATION))
def test_an_evaluation_test_answers_as_expected(
    engine_and_server: tuple[ox.Store, str], test: EvalTest
) -> None:
    assert _answers(engine_and_server, test) == []


def test_the_suite_is_all_there() -> None:
    assert len(EVALUATION) >= 220
    assert sum(not t.update for t in SUITE.syntax) >= 90
    assert sum(t.update for t in SUITE.syntax) >= 50


# ---- syntax ----------------------------------------------------------------------------------


def _engine_accepts(text: str, update: bool, base: str) -> bool:
    try:
        if update:
            ox.Store().update(text, base_iri=base)
        else:
            ox.Store().query(text, base_iri=base)
    except SyntaxError:
        return False
    except (OSError, RuntimeError):
        return True  # parsed, then failed to run (a SERVICE, a LOAD)
    return True


def _engine_reasons(text: str, update: bool, base: str) -> list[str]:
    """The sentences in the engine's syntax error (its list also names tokens and classes)."""
    try:
        if update:
            ox.Store().update(text, base_iri=base)
        else:
            ox.Store().query(text, base_iri=base)
    except SyntaxError as exc:
        _, _, listed = str(exc).partition("expected one of ")
        items = [i.strip() for i in listed.split(", ")]
        return [i for i in items if " " in i and i[:1].isalpha() and "'" not in i]
    except (OSError, RuntimeError):
        pass
    return []


def _refused_by_policy(detail: str) -> bool:
    """A valid request refused all the same: a SERVICE or LOAD (the guard), or a function the
    engine parses but does not run."""
    return "is not allowed" in detail or detail.startswith("the engine cannot run")


@pytest.mark.parametrize("test", [pytest.param(t, id=t.name) for t in SUITE.syntax])
def test_a_syntax_test_is_decided_as_the_engine_decides(
    engine_and_server: tuple[ox.Store, str], update_server: str, test: SyntaxTest
) -> None:
    text = test.path.read_text(encoding="utf-8")
    # Not evaluated when it has a SERVICE: the engine would look its host up.
    engine = "SERVICE" in text.upper() or _engine_accepts(text, test.update, test.path.as_uri())
    assert engine == test.positive, "the engine's own verdict differs from the suite"
    if test.update:
        r = httpx.post(
            f"{update_server}/sparql",
            data={"update": text},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=60,
        )
    else:
        r = httpx.post(f"{engine_and_server[1]}/sparql", data={"query": text}, timeout=60)
    if test.positive:
        assert r.status_code < 400 or _refused_by_policy(r.json()["detail"]), r.text
    else:
        assert r.status_code == 400, r.text
        detail = r.json()["detail"]
        assert "not valid SPARQL" in detail or _refused_by_policy(detail)
        # The engine's reasons ("The SELECT contains a variable that is unbound") are kept.
        for reason in _engine_reasons(text, test.update, test.path.as_uri()):
            assert reason in detail, (reason, detail)
