"""The commands that read the graph: ``query`` (SPARQL, on the HTTP endpoint's path), ``show``
(an entity with its facts and evidence), ``path`` (how two entities are linked), ``timeline``
(two countries' meetings and acts) and ``export`` (the graph, its projection or PLOVER records)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from api.cli.shared import CliError, Command, settings, why
from graph.read.export import to_csv, to_gexf, to_graphml
from graph.read.lists import country
from graph.read.lookup import entity_view, layer_graphs, resolve_name
from graph.read.network import explain, shortest_paths
from graph.read.plover import plover_records, to_jsonl
from graph.read.projection import Net, project
from graph.read.search import SearchIndex
from graph.store.execute import Job, run_job
from ontology.vocabulary import DEFAULT_GROUPS, GROUPS, LAYERS, PREFIXES, curie

__all__ = ["add_commands"]

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


def _read_query(text: str) -> str:
    if text == "-":
        return sys.stdin.read()
    if text.startswith("@"):
        try:
            return Path(text[1:]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(f"cannot read the query from {text[1:]}: {why(exc)}") from None
    return text


def _table(result: ox.QuerySolutions) -> str:
    names = [v.value for v in result.variables]
    rows = [["" if row[n] is None else _cell(row[n]) for n in names] for row in result]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def _cell(term: Any) -> str:
    return str(term.value) if isinstance(term, ox.Literal | ox.NamedNode) else str(term)


def cmd_query(args: argparse.Namespace) -> int:
    s = settings(args)
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
    s = settings(args)
    store = s.open_store()
    view = entity_view(store, _find(SearchIndex(store), project(store), args.name, s.base_iri))
    assert view is not None
    if args.json:
        from dataclasses import asdict

        print(json.dumps(asdict(view), ensure_ascii=False, indent=2))
        return 0
    lines = [f"{view.label}  <{view.iri}>", f"  types: {', '.join(_short(t) for t in view.types)}"]
    lines += [f"  also:  {', '.join(view.aliases)}"] if view.aliases else []
    lines += [f"  same as: {same}" for same in view.same_as]
    lines.append("")
    for fact in view.facts:
        status = f", {fact.status}" if fact.status else ""
        lines.append(f"  [{fact.layer}{status}] {fact.label}")
        lines.append(f"      as {', '.join(fact.roles)}  <{fact.iri}>")
        lines += [f"      reason: {fact.reason}"] if fact.reason else []
        for ev in fact.evidence:
            lines += _quoted(ev.exact, ev.source_title, ev.start, ev.end, indent=" " * 6)
    lines.append(f"\n{len(view.facts)} fact(s)")
    print("\n".join(lines))
    return 0


def _quoted(quote: str, source: str, start: int, end: int, indent: str) -> list[str]:
    """A quote a fact rests on, and where it stands, as printed under the fact."""
    return [f"{indent}“{quote}”", f"{indent}  — {source}, characters {start}–{end}"]


def cmd_timeline(args: argparse.Namespace) -> int:
    from graph.read.corpus import timeline
    from graph.read.lists import country

    s = settings(args)
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
    s = settings(args)
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
                    where = ev["source_label"], ev["start"], ev["end"]
                    print("\n".join(_quoted(ev["quote"], *where, indent=" " * 7)))
        print()
    return 0


PROJECTION_FORMATS = {"graphml": to_graphml, "gexf": to_gexf, "csv": to_csv}


def cmd_export(args: argparse.Namespace) -> int:
    s = settings(args)
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
            raise CliError(f"cannot write {args.output}: {why(exc)}") from None
        print(f"wrote {len(data)} bytes to {args.output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
    return 0


def add_commands(command: Command) -> None:
    """The commands that read the graph, on the parser."""
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
    _prints(p, cmd_show)

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
    _prints(p, cmd_path)

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
    _prints(p, cmd_timeline)

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


def _prints(p: argparse.ArgumentParser, func: Callable[[argparse.Namespace], int]) -> None:
    """A command that prints its answer for people, or as JSON with ``--json``."""
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=func)
