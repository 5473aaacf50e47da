"""Read and check fact sheets and the entity register: YAML in, checked facts, errors with lines.

A fact sheet is YAML a researcher can read and edit without knowing RDF. Every problem found is
reported with the file, the line and what is wrong, and all problems of a file are reported at
once. Nothing here builds RDF; ``graph.build.quads`` turns checked sheets into quads.
"""

from __future__ import annotations

import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from graph.build.checker import Checker
from graph.build.corpus import check_corpus
from graph.build.models import (
    ENTITY_TYPES,
    MAX_TEXT_BYTES,
    ORG_TYPES,
    PLACE_TYPES,
    RELATIONS,
    AliasProposal,
    AnyFact,
    Entity,
    Evidence,
    Fact,
    Mention,
    ObservationFact,
    Register,
    Sheet,
    Span,
    StatementFact,
    _RegisterFile,
    _SheetHead,
    a_noun,
    node_kind,
)
from graph.build.quotes import locate, pick
from graph.build.review import Pending, set_aside
from graph.build.yamlmap import (
    Loc,
    SeedError,
    SeedProblem,
    error_at,
    read_yaml,
    validation_problems,
)

__all__ = [
    "ENTITY_TYPES",
    "RELATIONS",
    "Entity",
    "Evidence",
    "Mention",
    "Register",
    "SeedError",
    "SeedProblem",
    "Sheet",
    "Span",
    "load_register",
    "load_seeds",
    "load_sheet",
]


def _display(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(path.resolve().relative_to(root.resolve().parent))
        except ValueError:
            pass
    return str(path)


def load_register(paths: Iterable[Path], root: Path | None = None) -> Register:
    """Load and check the entity register files.

    Args:
        paths: YAML files with a top-level ``entities:`` list.
        root: the seeds folder, to name files relative to it in messages.

    Returns:
        The register.

    Raises:
        SeedError: with every problem found, each naming its file and line.
    """
    entities: dict[str, Entity] = {}
    where: dict[str, tuple[str, int | None]] = {}
    problems: list[SeedProblem] = []
    pending: list[Pending] = []
    extra: list[tuple[AliasProposal, str, int | None]] = []
    for path in paths:
        display = _display(path, root)
        try:
            data, lines = read_yaml(path, display, root)
            data, lines, marked = set_aside(data, lines, display)
            pending.extend(marked)
            parsed = _RegisterFile.model_validate(data if data is not None else {})
        except SeedError as exc:
            problems.extend(exc.problems)
            continue
        except ValidationError as exc:
            problems.extend(validation_problems(exc, display, lines))
            continue
        for i, entity in enumerate(parsed.entities):
            line = lines.get(("entities", i))
            if entity.id in entities:
                first = where[entity.id]
                problems.append(
                    SeedProblem(
                        file=display,
                        line=line,
                        message=f"entity id {entity.id!r} is declared twice (first at "
                        f"{first[0]}:{first[1]})",
                    )
                )
                continue
            if entity.iso3166 and entity.type not in PLACE_TYPES:
                problems.append(
                    SeedProblem(
                        file=display,
                        line=line,
                        message=(
                            f"entities[{i}]: iso3166 is for countries, provinces and cities, "
                            f"not {entity.type}"
                        ),
                    )
                )
            entities[entity.id] = entity
            where[entity.id] = (display, line)
        extra.extend((a, display, lines.get(("aliases", i))) for i, a in enumerate(parsed.aliases))
    for proposal, display, line in extra:  # aliases of entities declared in any file
        known = entities.get(proposal.entity)
        if known is None:
            problems.append(
                SeedProblem(
                    file=display,
                    line=line,
                    message=f"an alias for unknown entity {proposal.entity!r}",
                )
            )
        elif proposal.alias != known.name and proposal.alias not in known.aliases:
            entities[known.id] = known.model_copy(
                update={"aliases": [*known.aliases, proposal.alias]}
            )
    if problems:
        raise SeedError(problems)
    return Register(entities=entities, lines=where, pending=pending)


def _read_text(
    path: Path, parsed: _SheetHead, root: Path | None, display: str, line: int | None
) -> str:
    """The source text a sheet names: inside the seeds folder, UTF-8, not too large."""
    text_path = (path.parent / parsed.source.text).resolve()
    allowed = (root or path.parent.parent).resolve()
    if not text_path.is_relative_to(allowed):
        raise error_at(
            display,
            line,
            f"source text {parsed.source.text!r} is outside the seeds folder {allowed}",
        )
    if text_path.exists() and not stat.S_ISREG(text_path.stat().st_mode):
        raise error_at(display, line, f"source text {parsed.source.text!r} is not a regular file")
    try:
        if text_path.stat().st_size > MAX_TEXT_BYTES:
            raise error_at(
                display,
                line,
                f"source text {parsed.source.text!r} is larger than {MAX_TEXT_BYTES} bytes",
            )
        return text_path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise error_at(
            display, line, f"source text {parsed.source.text!r} not found (looked at {text_path})"
        ) from None
    except UnicodeDecodeError as exc:
        raise error_at(
            display,
            line,
            f"source text {parsed.source.text!r} is not UTF-8: {exc.reason} at byte {exc.start}",
        ) from None
    except OSError as exc:
        raise error_at(
            display,
            line,
            f"source text {parsed.source.text!r} cannot be read: {exc.strerror or exc}",
        ) from None


_FACT = TypeAdapter(Fact)


def load_sheet(path: Path, register: Register, root: Path | None = None) -> Sheet:
    """Load a fact sheet, check it against the register and locate every quote in its text.

    Args:
        path: the YAML fact sheet.
        register: the entity register the sheet refers to.
        root: the seeds folder, to name files relative to it in messages; source texts must
            lie inside it (default: the sheet's grandparent folder).

    Returns:
        The checked sheet.

    Raises:
        SeedError: with every problem found, each naming its file and line.
    """
    display = _display(path, root)
    data, lines = read_yaml(path, display, root)
    data, lines, pending = set_aside(data, lines, display)  # drafted items awaiting review
    try:
        parsed = _SheetHead.model_validate(data if data is not None else {})
    except ValidationError as exc:
        raise SeedError(validation_problems(exc, display, lines)) from None

    problems: list[SeedProblem] = []
    # Each fact is checked on its own, so one malformed fact does not hide the others' problems.
    facts: list[tuple[int, AnyFact]] = []
    malformed: dict[str, str] = {}  # ids of malformed facts, so references to them still resolve
    for i, raw in enumerate(parsed.facts):
        try:
            facts.append((i, _FACT.validate_python(raw)))
        except ValidationError as exc:
            problems.extend(validation_problems(exc, display, lines, ("facts", i)))
            if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                malformed[raw["id"]] = str(raw.get("kind"))

    text = _read_text(path, parsed, root, display, lines.get(("source", "text")))
    checker = Checker(register, display, lines, problems)
    spans: dict[str, list[Span]] = {}
    fact_kinds: dict[str, str] = {}
    for i, fact in facts:
        loc: Loc = ("facts", i)
        line = lines.get(loc)
        if fact.id in fact_kinds:
            checker.problem((*loc, "id"), f"fact id {fact.id!r} is used twice")
            continue
        fact_kinds[fact.id] = fact.kind
        located = []
        for j, ev in enumerate(fact.quotes):
            ev_loc = (
                (*loc, "evidence", j) if isinstance(fact.evidence, list) else (*loc, "evidence")
            )
            span = pick(
                text, ev, f"facts[{i}] ({fact.id})", display, lines.get(ev_loc, line), problems
            )
            if span is not None:
                located.append(span)
        spans[fact.id] = located

    for i, fact in facts:
        checker.check_fact(fact, ("facts", i), {**malformed, **fact_kinds})
        if isinstance(fact, StatementFact) and fact.text is not None and fact.id in spans:
            quoted = " ".join(text[s.start : s.end] for s in spans[fact.id])
            if fact.text not in quoted:
                checker.problem(
                    ("facts", i, "text"),
                    f"the statement's text is not in its evidence quote: {fact.text[:60]!r}",
                )
        if isinstance(fact, ObservationFact) and fact.as_written and fact.id in spans:
            quoted = " ".join(text[s.start : s.end] for s in spans[fact.id])
            if fact.as_written not in quoted:
                checker.problem(
                    ("facts", i, "as_written"),
                    f"as_written is not in the evidence quote: {fact.as_written[:60]!r}",
                )
    if parsed.source.publisher is not None:
        checker.entity(parsed.source.publisher, ("source", "publisher"), ORG_TYPES, "publisher")

    mention_spans: list[list[Span]] = []
    for i, mention in enumerate(parsed.mentions):
        loc = ("mentions", i)
        checker.entity(mention.entity, (*loc, "entity"), None, "mention")
        line = lines.get(loc)
        if mention.occurrence == "all":
            starts, _ = locate(text, Evidence.model_construct(quote=mention.text, occurrence=None))
            found = [Span(s, s + len(mention.text), mention.text) for s in starts]
            if not found:
                checker.problem(loc, f"text not found in the source: {mention.text!r}")
        else:
            ev = Evidence.model_construct(quote=mention.text, occurrence=mention.occurrence)
            span = pick(text, ev, f"mentions[{i}]", display, line, problems)
            found = [span] if span else []
        mention_spans.append(found)

    if parsed.source.id in register.entities:
        checker.problem(
            ("source", "id"), f"source id {parsed.source.id!r} is also an entity id of the register"
        )
    if problems:
        raise SeedError(problems)
    return Sheet(
        path=path,
        display=display,
        source=parsed.source,
        text=text,
        facts=[fact for _, fact in facts],
        mentions=list(parsed.mentions),
        spans=spans,
        mention_spans=mention_spans,
        lines={fact.id: lines.get(("facts", i)) for i, fact in facts},
        line_map=lines,
        pending=pending,
    )


def load_seeds(root: Path) -> tuple[Register, list[Sheet]]:
    """Load the register (``entities/*.yaml``) and every sheet (``facts/*.yaml``) of a folder.

    Args:
        root: the seeds folder.

    Returns:
        The register and the checked sheets, sorted by file name.

    Raises:
        SeedError: with every problem found in every file.

    Examples:
        >>> register, sheets = load_seeds(Path(__file__).resolve().parents[2] / "seeds")
        >>> register.entities["heng-sour"].aliases
        ['Sour', 'Heng Suor']
        >>> span = sheets[0].spans["eps-began-2006"][0]
        >>> (span.start, span.end, sheets[0].text[span.start:span.end] == span.exact)
        (614, 670, True)
    """
    for folder in ("entities", "facts"):
        if not (root / folder).is_dir():
            raise error_at(str(root), None, f"no {folder}/ folder: is {root} a seeds folder?")
    register_files = sorted((root / "entities").glob("*.yaml"))
    sheet_files = sorted((root / "facts").glob("*.yaml"))
    if not register_files or not sheet_files:
        what = "entities/*.yaml" if not register_files else "facts/*.yaml"
        raise error_at(str(root), None, f"no {what} files: nothing to build")
    register = load_register(register_files, root)
    sheets: list[Sheet] = []
    problems: list[SeedProblem] = []
    seen_sources: dict[str, str] = {}
    node_kinds: dict[str, tuple[str, str, int | None]] = {}
    for path in sheet_files:
        try:
            sheet = load_sheet(path, register, root)
        except SeedError as exc:
            problems.extend(exc.problems)
            continue
        if sheet.source.id in seen_sources:
            problems.append(
                sheet.problem(
                    None,
                    f"source id {sheet.source.id!r} is also used by "
                    f"{seen_sources[sheet.source.id]}",
                )
            )
            continue
        seen_sources[sheet.source.id] = sheet.display
        sheets.append(sheet)
        # A meeting, act, statement or observation id names one node across all sources: a
        # second source reporting the same meeting reuses its id; a clash of kinds is an error.
        for fact in sheet.facts:
            if fact.kind == "relation":
                continue
            kind = node_kind(fact.kind)
            first = node_kinds.setdefault(fact.id, (kind, sheet.display, sheet.lines.get(fact.id)))
            if first[0] != kind:
                problems.append(
                    sheet.problem(
                        sheet.lines.get(fact.id),
                        f"fact id {fact.id!r} names {a_noun(kind)} here but "
                        f"{a_noun(first[0])} in {first[1]}:{first[2]}; use another id",
                    )
                )
    if not problems:
        problems = check_corpus(sheets)
    if problems:
        raise SeedError(problems)
    return register, sheets


def iter_facts(sheets: Iterable[Sheet]) -> Iterator[tuple[Sheet, Any]]:
    """Every fact of every sheet, with its sheet."""
    for sheet in sheets:
        for fact in sheet.facts:
            yield sheet, fact
