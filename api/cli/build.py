"""The commands that make the graph: ``build`` and ``validate`` (the seeds, compiled and checked),
``draft`` (a sheet drafted from a text) and ``load`` (an RDF file into a graph of one's own)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from api.cli.shared import CliError, Command, progress, settings
from api.config import add_setting
from graph.build.iris import Iris
from graph.store import NO_TRIPLES, DiskStore
from graph.store.safety import UnsafeQueryError
from graph.store.upload import check_upload

__all__ = ["add_commands"]


def cmd_build(args: argparse.Namespace) -> int:
    s = settings(args)
    from graph.build.pipeline import (
        build_store,  # the compiler and SHACL: only where they are needed
    )

    compiled = build_store(s.seeds, s.open_store(writable=True), Iris(s.base_iri), progress)
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
        return draft(args, settings(args).seeds)
    except DraftError as exc:
        raise CliError(str(exc)) from None


def _pending(compiled: Any) -> list[Any]:
    from graph.build.review import pending_items

    return pending_items(compiled.register, compiled.sheets)


def cmd_validate(args: argparse.Namespace) -> int:
    s = settings(args)
    from graph.build.pipeline import InvalidGraphError, compile_seeds

    compiled = compile_seeds(s.seeds, Iris(s.base_iri), progress)
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


def cmd_load(args: argparse.Namespace) -> int:
    s = settings(args)
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


def add_commands(command: Command) -> None:
    """The commands that make the graph, on the parser."""
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

    p = command("load", "load an RDF file into a named graph (a new store generation)")
    p.add_argument("file")
    p.add_argument("--graph", required=True, help="IRI of the named graph")
    p.add_argument("--format", help="ttl, nt, nq, trig, jsonld, rdf (default: from the name)")
    p.set_defaults(func=cmd_load)
