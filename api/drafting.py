"""``bilateral draft``: a new source's fact sheet proposed from its text, for a person to review."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from api.config import add_setting

__all__ = ["add_command", "cmd_draft"]


class DraftError(Exception):
    """An error of ``bilateral draft`` in one line."""


def _summary(draft: object) -> str:
    from graph.build.draft import Draft

    assert isinstance(draft, Draft)
    text = draft.text
    lines = [
        f"draft of {draft.source.id}: {len(draft.sentences)} sentences, {len(draft.mentions)} "
        f"mentions, {len(draft.new_entities)} new entities, {len(draft.dates)} dates, "
        f"{len(draft.facts)} candidate facts",
        "",
        "mentions (text [start-end] -> entity: how, score):",
    ]
    for m in draft.mentions:
        inferred = f" [inferred: {m.inferred}]" if m.inferred else ""
        lines.append(
            f"  {m.text!r} [{m.start}-{m.end}] -> {m.entity}: {m.how}, {m.score:.2f}{inferred}"
        )
    lines.append("")
    lines.append("new entities (id, type, name, aliases):")
    for e in draft.new_entities:
        aliases = f" (also {', '.join(e.aliases)})" if e.aliases else ""
        lines.append(f"  {e.id}  {e.type}  {e.name}{aliases}: {e.how}")
    lines.append("")
    lines.append("dates:")
    for d in draft.dates:
        inferred = f" -> {d.inferred} ({d.reason})" if d.inferred else ""
        lines.append(f"  {d.text!r} [{d.start}-{d.end}] {d.edtf}{inferred}")
    lines.append("")
    lines.append("candidate facts (sentence, kind, status, roles, date, place; how, score):")
    for f in draft.facts:
        roles = ", ".join(f.actors) or "?"
        if f.addressees:
            roles += " -> " + ", ".join(f.addressees)
        extra = "".join(
            [
                f" partners {f.partners}" if f.partners else "",
                f" on {f.date}" if f.date else "",
                f" in {f.place}" if f.place else "",
            ]
        )
        status = f" ({f.status})" if f.status else ""
        lines.append(f"  S{f.sentence} {f.kind}{status}: {roles}{extra}: {f.how}, {f.score:.2f}")
        if f.summary:
            lines.append(f"      {f.summary[:110]}")
        lines.append(f"      “{text[f.start : f.end][:110]}” [{f.start}-{f.end}]")
    return "\n".join(lines)


def cmd_draft(args: argparse.Namespace, seeds: Path) -> int:
    """Draft a sheet from a text; print it, or write it into the seeds folder for review."""
    from graph.build.draft import Drafter, DraftInputError, Source, read_text, register_entities
    from graph.build.draft.sheet import DraftWriteError, write_draft
    from graph.build.models import check_edtf

    try:
        text = read_text(Path(args.text))
    except DraftInputError as exc:
        raise DraftError(str(exc)) from None
    if args.published:
        try:
            check_edtf(args.published)
        except ValueError as exc:
            raise DraftError(f"--published: {exc}") from None
    if not (seeds / "entities").is_dir():
        raise DraftError(f"{seeds} is not a seeds folder (it has no entities/); give --seeds")
    known = register_entities(seeds)
    if args.publisher and args.publisher not in {k.id for k in known}:
        raise DraftError(f"--publisher {args.publisher!r} is not an entity of the register")
    source = Source(args.id, args.published, args.publisher, args.url, args.language)
    draft = Drafter(known).draft(text, source)
    if args.write:
        try:
            written = write_draft(draft, seeds, force=args.force, label=args.label)
        except DraftWriteError as exc:
            raise DraftError(str(exc)) from None
        except OSError as exc:
            raise DraftError(f"cannot write the draft: {exc.strerror or exc}") from None
        for path in written:
            print(f"wrote {path}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(draft.to_json(), ensure_ascii=False, indent=2))
    else:
        print(_summary(draft))
    if args.write:
        print(
            f"\n{len(draft.mentions)} mentions, {len(draft.facts)} facts and "
            f"{len(draft.new_entities)} entities"
            + (f" and {len(draft.new_aliases)} aliases" if draft.new_aliases else "")
            + " await review: edit the files (delete each "
            "`review:` to accept), or open /review; then `bilateral build`.",
            file=sys.stderr,
        )
    return 0


def add_command(
    command: Callable[[str, str], argparse.ArgumentParser],
    run: Callable[[argparse.Namespace], int],
) -> None:
    """Add ``bilateral draft`` to the command line (``command`` makes a subcommand parser)."""
    p = command("draft", "propose a fact sheet for a new source text, for review")
    p.add_argument("text", metavar="TEXT", help="the source text (UTF-8, at most 1 MB)")
    p.add_argument("--id", required=True, help="the source's slug (its files are named by it)")
    p.add_argument("--published", help="publication date (EDTF); years the text omits come from it")
    p.add_argument("--publisher", help="the publisher's entity id in the register")
    p.add_argument("--url", help="where the source was published")
    p.add_argument("--language", default="en", help="the text's language (default en)")
    p.add_argument("--label", help="a short name for the source (default: its first words)")
    add_setting(p, "seeds")
    p.add_argument(
        "--write",
        action="store_true",
        help="copy the text to seeds/articles/, write seeds/facts/ID.yaml and the proposed "
        "entities (seeds/entities/drafted-ID.yaml), every item marked for review",
    )
    p.add_argument("--force", action="store_true", help="with --write: overwrite existing files")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=run)
