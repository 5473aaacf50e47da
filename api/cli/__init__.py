"""The ``bilateral`` command line: one subcommand per job, in one module per kind of job.

- ``api/cli/build.py``: the commands that make the graph (build, validate, draft, load);
- ``api/cli/read.py``: the commands that read it (query, show, path, timeline, export);
- ``api/cli/serve.py``: ``serve``;
- ``api/cli/shared.py``: what they share (the one-line error, the settings, progress).

Every setting is declared once, in ``api/config.py``; a command lists which ones it takes.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from api.cli import build, read, serve
from api.cli.shared import CliError
from api.config import add_setting
from graph.store import StoreError
from graph.store.safety import UnsafeQueryError

__all__ = ["main"]


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

    for kind in (build, read, serve):
        kind.add_commands(command)
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
