"""The `bilateral` command line: one subcommand per job (build, query, show, timeline ...)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from pydantic import ValidationError

from api.config import Settings, add_setting, get_settings, overrides
from graph.build.iris import Iris
from graph.read.export import to_csv, to_gexf, to_graphml
from graph.read.lists import country
from graph.read.lookup import entity_view, layer_graphs, resolve_name
from graph.read.network import explain, shortest_paths
from graph.read.plover import plover_records, to_jsonl
from graph.read.projection import Net, project
from graph.read.search import SearchIndex
from graph.store import NO_TRIPLES, DiskStore, StoreError, current_generation
from graph.store.execute import Job, run_job
from graph.store.safety import UnsafeQueryError
from graph.store.upload import check_upload
from ontology.vocabulary import DEFAULT_GROUPS, GROUPS, LAYERS, PREFIXES, curie

__all__ = ["main"]

EXPORT_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
#: ``--format`` of ``query``: the media type asked of the shared query path.
CLI_MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "nq": "application/n-quads",
    "trig": "application/trig",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}


class CliError(Exception):
    """An error to report in one line, exiting non-zero."""


def _progress(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


def _settings(args: argparse.Namespace) -> Settings:
    try:
        return Settings.model_validate({**get_settings().model_dump(), **overrides(args)})
    except ValidationError as exc:
        err = exc.errors()[0]
        raise CliError(f"--{str(err['loc'][0]).replace('_', '-')}: {err['msg']}") from None


def cmd_build(args: argparse.Namespace) -> int:
    s = _settings(args)
    from graph.build.pipeline import (
        build_store,  # the compiler and SHACL: only where they are needed
    )

    compiled = build_store(s.seeds, s.open_store(writable=True), Iris(s.base_iri), _progress)
    quads = sum(1 for _ in compiled.dataset.quads((None, None, None, None)))
    print(
        f"built {quads} quads from {len(compiled.sheets)} source(s) and "
        f"{len(compiled.register.entities)} entities into {s.where}"
    )
    if pending := _pending(compiled):
        print(
            f"left out {len(pending)} drafted item(s) still awaiting review "
            "(bilateral validate lists them)"
        )
    return 0


def cmd_draft(args: argparse.Namespace) -> int:
    from api.drafting import DraftError
    from api.drafting import cmd_draft as draft

    try:
        return draft(args, _settings(args).seeds)
    except DraftError as exc:
        raise CliError(str(exc)) from None


def _pending(compiled: Any) -> list[Any]:
    from graph.build.review import pending_items

    return pending_items(compiled.register, compiled.sheets)


def cmd_validate(args: argparse.Namespace) -> int:
    s = _settings(args)
    from graph.build.pipeline import InvalidGraphError, compile_seeds

    compiled = compile_seeds(s.seeds, Iris(s.base_iri), _progress)
    if compiled.violations:
        raise InvalidGraphError(compiled.violations)
    print(
        f"valid: {len(compiled.sheets)} source(s), {len(compiled.register.entities)} "
        f"entities, {sum(len(x.facts) for x in compiled.sheets)} facts; SHACL conforms"
    )
    if pending := _pending(compiled):
        print(f"{len(pending)} drafted item(s) await review and are left out of the build:")
        for item in pending:
            print(f"  {item}")
    return 0


def _read_query(text: str) -> str:
    if text == "-":
        return sys.stdin.read()
    if text.startswith("@"):
        try:
            return Path(text[1:]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(f"cannot read the query from {text[1:]}: {_why(exc)}") from None
    return text


def _why(exc: Exception) -> str:
    return str(getattr(exc, "strerror", None) or exc)


def _table(result: ox.QuerySolutions) -> str:
    names = [v.value for v in result.variables]
    rows = [["" if row[n] is None else _cell(row[n]) for n in names] for row in result]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def _bytes(data: bytes | None) -> bytes:
    assert data is not None  # serialize() returns bytes when no output file is given
    return data


def _cell(term: Any) -> str:
    return str(term.value) if isinstance(term, ox.Literal | ox.NamedNode) else str(term)


def cmd_query(args: argparse.Namespace) -> int:
    s = _settings(args)
    store = s.open_store()
    text = _read_query(args.sparql)
    graphs = None
    if args.layers:
        try:
            graphs = layer_graphs(store, args.layers.split(","))
        except ValueError as exc:
            raise CliError(str(exc)) from None
    text = PREFIXES + text if args.prefixes else text
    if args.format == "table":
        try:
            result = store.query(text, default_graphs=graphs)
        except SyntaxError as exc:
            raise CliError(f"bad SPARQL: {exc}") from None
        if isinstance(result, ox.QuerySolutions):
            print(_table(result))
            return 0
        args.format = "ttl"  # a table of a graph: Turtle; of a boolean: the word
        if isinstance(result, ox.QueryBoolean):
            print("true" if bool(result) else "false")
            return 0
    # The same path as the HTTP endpoint: time limit, row cap, formats.
    job = Job(
        text=text,
        accept=CLI_MEDIA[args.format],
        default_graphs=None if graphs is None else tuple(graphs),
        timeout=s.query_timeout,
        row_cap=s.row_cap,
    )
    outcome = run_job(store, job)
    if not outcome.ok:
        detail = outcome.detail.replace("is not valid SPARQL 1.1", "is bad SPARQL")
        raise CliError(f"{outcome.title}: {detail}" if outcome.status != 400 else detail)
    sys.stdout.buffer.write(outcome.body)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    s = _settings(args)
    store = s.open_store()
    view = entity_view(store, _find(SearchIndex(store), project(store), args.name, s.base_iri))
    assert view is not None
    if args.json:
        from dataclasses import asdict

        print(json.dumps(asdict(view), ensure_ascii=False, indent=2))
        return 0
    print(f"{view.label}  <{view.iri}>")
    print(f"  types: {', '.join(_short(t) for t in view.types)}")
    if view.aliases:
        print(f"  also:  {', '.join(view.aliases)}")
    for same in view.same_as:
        print(f"  same as: {same}")
    print()
    for fact in view.facts:
        status = f", {fact.status}" if fact.status else ""
        print(f"  [{fact.layer}{status}] {fact.label}")
        print(f"      as {', '.join(fact.roles)}  <{fact.iri}>")
        if fact.reason:
            print(f"      reason: {fact.reason}")
        for ev in fact.evidence:
            print(f"      “{ev.exact}”")
            print(f"        — {ev.source_title}, characters {ev.start}–{ev.end}")
    print(f"\n{len(view.facts)} fact(s)")
    return 0


def cmd_timeline(args: argparse.Namespace) -> int:
    from graph.read.corpus import timeline
    from graph.read.lists import country

    s = _settings(args)
    store = s.open_store()
    pair = []
    for code in (args.a, args.b):
        found = country(store, code, s.base_iri)
        if found is None:
            raise CliError(f"{code!r} is not a country of the graph (give an ISO code such as KH)")
        pair.append(found)
    kinds = [k.strip() for k in args.kinds.split(",")] if args.kinds else None
    try:
        items = timeline(
            store,
            s.base_iri,
            (pair[0], pair[1]),
            date_from=args.date_from,
            date_to=args.date_to,
            kinds=kinds,
            limit=args.limit,
        )
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        print(json.dumps({"items": items}, ensure_ascii=False, indent=2))
        return 0
    for item in items:
        when = item["date"] or "undated"
        status = f" [{item['status']}]" if item["status"] else ""
        print(f"{when:<12} {item['kind']:<11} {item['label']}{status}")
        print(f"             date: {item['date_basis']} ({item['date_known']})")
        if item["status_reason"] and len(item["status_history"]) > 1:
            print(f"             history: {item['status_reason']}")
        names = ", ".join(f"{src['label']}" for src in item["sources"])
        print(f"             {item['report_count']} source(s): {names}")
    print(f"\n{len(items)} item(s)")
    return 0


def _short(iri: str) -> str:
    return curie(iri) or iri


def _find(index: SearchIndex, G: Net, name: str, base: str) -> str:
    """A node of the projection by id, IRI or name, as the API finds it (api/params.py)."""
    named = resolve_name(index, G, name, base)
    if named.iri is None:
        raise CliError(named.message(base))
    return named.iri


def cmd_path(args: argparse.Namespace) -> int:
    s = _settings(args)
    store = s.open_store()
    G = project(store)
    index = SearchIndex(store)
    u = _find(index, G, args.source, s.base_iri)
    v = _find(index, G, args.target, s.base_iri)
    groups = args.relations.split(",") if args.relations else None
    layers = args.layers.split(",") if args.layers else None
    try:
        found = shortest_paths(
            G,
            u,
            v,
            k=args.k,
            max_length=args.max_length,
            groups=groups,
            layers=layers,
            avoid_hubs=args.avoid_hubs,
        )
    except ValueError as exc:
        raise CliError(str(exc)) from None
    answers = [explain(G, p, groups, layers) for p in found]
    if args.json:
        print(json.dumps({"from": u, "to": v, "paths": answers}, ensure_ascii=False, indent=2))
        return 0
    if not answers:
        print(
            f"no path from {G.nodes[u]['label']} to {G.nodes[v]['label']} within "
            f"{args.max_length} hops over {', '.join(groups or DEFAULT_GROUPS)}"
        )
        return 0
    for i, answer in enumerate(answers, 1):
        print(f"{i}. {answer['explanation']}")
        short = {n["id"]: n["short"] for n in answer["nodes"]}
        for edge in answer["edges"]:
            for link in edge["links"]:
                a, b = short[edge["source"]], short[edge["target"]]
                print(f"     {a} — {link['words']} — {b}  [{link['layer']}]")
                for ev in link["evidence"]:
                    print(f"       “{ev['quote']}”")
                    print(f"         — {ev['source_label']}, characters {ev['start']}–{ev['end']}")
        print()
    return 0


PROJECTION_FORMATS = {"graphml": to_graphml, "gexf": to_gexf, "csv": to_csv}


def cmd_export(args: argparse.Namespace) -> int:
    s = _settings(args)
    store = s.open_store()
    if args.countries and args.format != "plover":
        raise CliError("--countries goes with --format plover")
    if args.format == "plover":
        pair = None
        if args.countries:
            named = [c.strip() for c in args.countries.split(",") if c.strip()]
            found = [country(store, c, s.base_iri) for c in named]
            if len(named) != 2 or None in found:
                raise CliError(
                    f"--countries takes two countries of the graph (ISO codes or ids), "
                    f"not {args.countries!r}"
                )
            pair = (found[0], found[1])
        data = to_jsonl(plover_records(store, s.base_iri, pair))  # type: ignore[arg-type]
    elif args.format in PROJECTION_FORMATS:
        data = PROJECTION_FORMATS[args.format](project(store))
    else:
        data = store.dump(EXPORT_FORMATS[args.format])
    if args.format in ("nt", "nq"):
        data = b"".join(sorted(set(data.splitlines(keepends=True))))
    if args.output:
        try:
            Path(args.output).write_bytes(data)
        except OSError as exc:
            raise CliError(f"cannot write {args.output}: {_why(exc)}") from None
        print(f"wrote {len(data)} bytes to {args.output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    s = _settings(args)
    path = Path(args.file)
    fmt = ox.RdfFormat.from_extension(args.format or path.suffix.lstrip("."))
    if fmt is None:
        raise CliError(
            f"cannot tell the RDF format of {path.name}; give --format "
            f"(ttl, nt, nq, trig, jsonld, rdf)"
        )
    if not args.graph.startswith(("http://", "https://", "urn:")):
        raise CliError(f"--graph must be an absolute IRI, not {args.graph!r}")
    if Iris(s.base_iri).is_layer(args.graph):
        raise CliError(
            f"<{args.graph}> is one of the graphs the build writes; load into a graph of your own"
        )
    store = s.open_store(writable=True)
    try:
        # Depth, DTDs and encodings before any parser: deep nesting overflows Oxigraph's
        # stack and kills the process (issue 13).
        check_upload(path.read_bytes(), fmt)
        if isinstance(store, DiskStore):
            # The file streams into the new generation (at the bulk loader's speed, never
            # all in memory).
            before, after = store.load_file(path, fmt, args.graph)
            print(
                f"loaded {path} into <{args.graph}>: {after - before} new triples "
                f"({after} in the graph)"
            )
            return 0
        quads = list(ox.parse(path=str(path), format=fmt, base_iri=path.resolve().as_uri()))
    except UnsafeQueryError as exc:
        raise CliError(f"{path}: {exc}") from None
    except SyntaxError as exc:
        raise CliError(f"{path}: {exc}") from None
    except OSError as exc:
        raise CliError(f"{path}: {exc.strerror or exc}") from None
    if not quads:
        raise CliError(f"{path}: {NO_TRIPLES}")
    graph = ox.NamedNode(args.graph)
    staged = ox.Dataset()
    for q in quads:
        staged.add(ox.Quad(q.subject, q.predicate, q.object, graph))
    data = ox.serialize(staged, format=ox.RdfFormat.N_QUADS)
    assert data is not None
    store.add(data)
    print(f"loaded {path} into <{args.graph}>: {len(quads)} triples")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    s = _settings(args)
    from api.processes import default_workers

    workers = s.workers or default_workers()
    # Fail early, with the store's message, before uvicorn starts.
    if s.store_url:
        from graph.store.remote import RemoteStore

        store = s.open_store()
        assert isinstance(store, RemoteStore)
        store.check()
        store.close()
    elif workers > 1:
        # Serving processes are forked: the supervisor must not open the database itself, or
        # every child inherits its storage engine without the engine's background threads, and
        # the first write a child makes (a Graph Store DELETE) waits on them forever. Each child
        # opens the store after the fork; here only the built generation is looked for.
        if current_generation(s.store) is None:
            raise CliError(f"no graph has been built in {s.store} yet; run 'bilateral build'")
    else:
        s.open_store()
    # The server says when each process has prepared the views of a graph version.
    logging.getLogger("api").setLevel(logging.INFO)
    if workers > 1:
        return _serve_processes(s, workers)
    executor = None
    if not s.store_url:
        # The query workers start now, while this process imports the app (2 cores: the
        # server is ready about half a second sooner).
        executor = s.executor()
    import uvicorn

    from api.app import create_app

    try:
        uvicorn.run(
            create_app(s, executor=executor),
            host=s.host,
            port=s.port,
            log_level="info",
            **_http_options(s),
        )
    finally:
        if executor is not None:
            executor.close()
    return 0


def _http_options(s: Settings) -> dict[str, Any]:
    """uvicorn's options for every serving process.

    h11, the strict HTTP parser (httptools answered a request line with a CR/LF injected
    before its version, found by tests/test_hostile_queries.py), with time limits and a
    connection cap (api/serving.py). Forwarded headers are read by the app (api/origin.py),
    from trusted proxies only, so uvicorn's own reading of them is off.
    """
    from api.serving import default_max_connections, guarded_protocol

    return {
        "http": guarded_protocol(
            s.header_timeout, s.body_timeout, s.max_connections or default_max_connections()
        ),
        "timeout_keep_alive": max(1, round(s.keep_alive_timeout)),
        "proxy_headers": False,
    }


def _serve_processes(s: Settings, workers: int) -> int:
    """Serve with ``workers`` processes on one address (api/processes.py)."""
    import uvicorn

    from api.app import create_app
    from api.processes import listen, reserve, supervise

    try:
        held = reserve(s.host, s.port)
    except OSError as exc:
        raise CliError(f"cannot listen on {s.host}:{s.port}: {exc.strerror or exc}") from None
    _progress(f"serving on http://{s.host}:{s.port} with {workers} processes")

    def serve(index: int) -> None:
        held.close()  # the supervisor's; this process listens on a socket of its own
        sock = listen(s.host, s.port)
        # Each serving process starts its own query workers (after the fork: no process
        # shares another's pipes): its share of the warm ones, so that N processes boot no
        # more interpreters than one did (each pool still grows to twice --query-workers
        # while queries run long: a burst that one process took, each can take).
        warm = max(1, s.query_workers // workers)
        executor = None if s.store_url else s.executor(warm)
        try:
            config = uvicorn.Config(
                create_app(s, executor=executor), log_level="info", **_http_options(s)
            )
            uvicorn.Server(config).run(sockets=[sock])
        finally:
            if executor is not None:
                executor.close()
            sock.close()

    try:
        return supervise(serve, workers)
    finally:
        held.close()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bilateral",
        description="A knowledge graph of bilateral cooperation; every fact with its evidence.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        for name in ("store", "store_url", "store_update_url", "store_graph_url"):
            add_setting(p, name)
        return p

    p = command("build", "build the graph from the seeds into the store")
    add_setting(p, "seeds")
    add_setting(p, "base_iri")
    p.set_defaults(func=cmd_build)

    from api.drafting import add_command as add_draft

    add_draft(command, cmd_draft)

    p = command("validate", "check the fact sheets and the SHACL shapes without writing")
    add_setting(p, "seeds")
    add_setting(p, "base_iri")
    p.set_defaults(func=cmd_validate)

    p = command("query", "run a SPARQL query (text, @file or - for stdin)")
    p.add_argument("sparql")
    p.add_argument("--format", default="table", choices=["table", *CLI_MEDIA])
    p.add_argument(
        "--layers",
        help="comma-separated layers that make the default graph (stated, inferred, derived, "
        "reference); default: all",
    )
    p.add_argument(
        "--no-prefixes",
        dest="prefixes",
        action="store_false",
        help="do not prepend the graph's usual prefixes",
    )
    p.set_defaults(func=cmd_query)

    p = command("show", "an entity (by name, alias, id or IRI) with its facts and evidence")
    p.add_argument("name")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_show)

    p = command("path", "how two entities are linked: the shortest chains, with evidence")
    p.add_argument("source", metavar="FROM", help="a name, id or IRI")
    p.add_argument("target", metavar="TO", help="a name, id or IRI")
    p.add_argument(
        "--relations",
        help="comma-separated relation groups: "
        + ", ".join(GROUPS)
        + f" (default: {','.join(DEFAULT_GROUPS)})",
    )
    p.add_argument(
        "--layers", help="comma-separated layers: " + ", ".join(LAYERS) + " (default: all)"
    )
    p.add_argument("--k", type=int, default=3, help="at most this many paths (default 3)")
    p.add_argument("--max-length", type=int, default=8, help="at most this many hops")
    p.add_argument("--avoid-hubs", action="store_true", help="do not pass through countries")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_path)

    p = command(
        "timeline",
        "meetings and acts of two countries in date order, with how each date is known, "
        "status history and sources",
    )
    p.add_argument("a", metavar="A", help="a country (ISO code such as KH, or id)")
    p.add_argument("b", metavar="B", help="the other country")
    p.add_argument("--from", dest="date_from", help="earliest date YYYY[-MM[-DD]]")
    p.add_argument("--to", dest="date_to", help="latest date YYYY[-MM[-DD]]")
    p.add_argument("--kinds", help="comma-separated: meeting, agreement, request, ...")
    p.add_argument("--limit", type=int, default=500, help="at most this many items")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_timeline)

    p = command(
        "export",
        "write the whole graph (RDF), its projection (graphml, gexf, csv), or its meetings "
        "and acts as PLOVER event records (plover: JSON lines, each with its evidence)",
    )
    p.add_argument(
        "--format", default="nq", choices=[*EXPORT_FORMATS, *PROJECTION_FORMATS, "plover"]
    )
    p.add_argument("--countries", help="plover: keep the records of two countries, e.g. KH,KR")
    p.add_argument("--output", "-o", help="file to write (default: standard output)")
    p.set_defaults(func=cmd_export)

    p = command("load", "load an RDF file into a named graph (a new store generation)")
    p.add_argument("file")
    p.add_argument("--graph", required=True, help="IRI of the named graph")
    p.add_argument("--format", help="ttl, nt, nq, trig, jsonld, rdf (default: from the name)")
    p.set_defaults(func=cmd_load)

    p = command("serve", "serve the graph over HTTP")
    add_setting(p, "seeds", help="seeds folder the review page edits (default: seeds)")
    for name in (
        "host",
        "port",
        "write_token",
        "write_token_file",
        "query_timeout",
        "row_cap",
        "query_workers",
        "workers",
        "worker_memory",
        "max_response_bytes",
        "heavy_per_client",
        "public_url",
        "trusted_proxies",
        "max_connections",
        "header_timeout",
        "body_timeout",
        "keep_alive_timeout",
        "allowed_services",
    ):
        add_setting(p, name)
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        status: int = args.func(args)
        return status
    except (StoreError, CliError, UnsafeQueryError) as exc:
        print(f"error: {exc}", file=sys.stderr)
    except BrokenPipeError:  # e.g. piped into head
        sys.stderr.close()
        return 0
    except Exception as exc:
        # The build's errors, imported only now: `serve` and `query` start without the
        # sheet compiler and the SHACL validator.
        from graph.build.pipeline import InvalidGraphError
        from graph.build.sheets import SeedError

        if isinstance(exc, SeedError):
            print(f"error: {len(exc.problems)} problem(s) in the seeds", file=sys.stderr)
            for problem in exc.problems:
                print(f"  {problem}", file=sys.stderr)
        elif isinstance(exc, InvalidGraphError):
            print(f"error: {exc}", file=sys.stderr)
        else:
            raise
    return 1


if __name__ == "__main__":
    sys.exit(main())
