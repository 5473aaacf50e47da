"""YAML with a line map: parse a seed file safely, and name the file and line of every problem."""

from __future__ import annotations

import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

__all__ = [
    "MAX_YAML_BYTES",
    "Loc",
    "SeedError",
    "SeedProblem",
    "dotted",
    "error_at",
    "line_of",
    "read_yaml",
    "regular_file",
    "validation_problems",
]

MAX_YAML_BYTES = 2_000_000


class SeedProblem(BaseModel):
    """One problem in one file: where it is and what is wrong."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class SeedError(Exception):
    """Raised when one or more seed files are malformed; carries every problem found."""

    def __init__(self, problems: Sequence[SeedProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def error_at(display: str, line: int | None, message: str) -> SeedError:
    """A ``SeedError`` with one problem at one place.

    Examples:
        >>> str(error_at("facts/x.yaml", 3, "duplicate key 'id'"))
        "facts/x.yaml:3: duplicate key 'id'"
    """
    return SeedError([SeedProblem(file=display, line=line, message=message)])


Loc = tuple[str | int, ...]


class _Constructor(yaml.constructor.SafeConstructor):
    """Safe scalar construction, except that dates stay text (EDTF needs the exact string)."""


_Constructor.add_constructor(
    "tag:yaml.org,2002:timestamp",
    yaml.constructor.SafeConstructor.construct_yaml_str,  # type: ignore[type-var]
)


def regular_file(path: Path, display: str, what: str, root: Path | None = None) -> int:
    """The size of a regular file (inside ``root``, when given); refuse devices, pipes and
    links that lead elsewhere, which could hang or exhaust a build."""
    try:
        resolved = path.resolve(strict=True)
        info = resolved.stat()
    except OSError as exc:
        raise error_at(display, None, f"{what} cannot be read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise error_at(display, None, f"{what} is not a regular file")
    if root is not None and not resolved.is_relative_to(root.resolve()):
        raise error_at(display, None, f"{what} lies outside the seeds folder {root.resolve()}")
    return info.st_size


def read_yaml(path: Path, display: str, root: Path | None = None) -> tuple[Any, dict[Loc, int]]:
    """Parse a YAML file into plain data and a map from each value's location to its line."""
    size = regular_file(path, display, "the file", root)
    if size > MAX_YAML_BYTES:
        raise SeedError(
            [
                SeedProblem(
                    file=display,
                    line=None,
                    message=f"file is {size} bytes; the limit is {MAX_YAML_BYTES}",
                )
            ]
        )
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SeedError(
            [
                SeedProblem(
                    file=display, line=None, message=f"not UTF-8: {exc.reason} at byte {exc.start}"
                )
            ]
        ) from None
    try:
        tree = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise error_at(display, line, f"YAML syntax: {exc.problem}") from None
    except yaml.YAMLError as exc:  # e.g. a control character the reader refuses
        raise error_at(display, getattr(exc, "line", None), f"YAML: {exc}") from None
    lines: dict[Loc, int] = {}
    seen: set[int] = set()
    constructor = _Constructor()

    def scalar(node: yaml.Node) -> Any:
        try:
            return constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:  # e.g. !!python/object: only plain YAML is allowed
            line = node.start_mark.line + 1
            raise error_at(display, line, f"YAML: {getattr(exc, 'problem', None) or exc}") from None

    def convert(node: yaml.Node, loc: Loc) -> Any:
        line = node.start_mark.line + 1
        # An alias of a text is a harmless shorthand for a repeated quote; an alias of a list or
        # a mapping is how YAML bombs multiply, so only text may be repeated.
        if isinstance(node, yaml.SequenceNode | yaml.MappingNode) and node.tag not in (
            "tag:yaml.org,2002:seq",
            "tag:yaml.org,2002:map",
        ):
            raise error_at(display, line, f"YAML tag {node.tag!r} is not allowed: only plain YAML")
        if id(node) in seen and not isinstance(node, yaml.ScalarNode):
            raise SeedError(
                [
                    SeedProblem(
                        file=display,
                        line=_first_collection_alias(text) or line,
                        message="YAML aliases of lists or mappings are not allowed in seed "
                        "files (an alias of a text is)",
                    )
                ]
            )
        seen.add(id(node))
        lines[loc] = line
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = scalar(key_node)
                if not isinstance(key, str):
                    raise SeedError(
                        [
                            SeedProblem(
                                file=display,
                                line=key_node.start_mark.line + 1,
                                message=f"keys must be text, not {key!r}",
                            )
                        ]
                    )
                if key == "<<":
                    raise SeedError(
                        [
                            SeedProblem(
                                file=display,
                                line=key_node.start_mark.line + 1,
                                message="YAML merge keys ('<<') are not allowed",
                            )
                        ]
                    )
                if key in out:
                    raise SeedError(
                        [
                            SeedProblem(
                                file=display,
                                line=key_node.start_mark.line + 1,
                                message=f"duplicate key {key!r}",
                            )
                        ]
                    )
                out[key] = convert(value_node, (*loc, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [convert(item, (*loc, i)) for i, item in enumerate(node.value)]
        return scalar(node)

    data = None if tree is None else convert(tree, ())
    return data, lines


def _first_collection_alias(text: str) -> int | None:
    """The line of the first alias that repeats a list or a mapping."""
    collections: set[str] = set()
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent) and event.anchor:
            collections.add(event.anchor)
        elif isinstance(event, yaml.AliasEvent) and event.anchor in collections:
            mark = event.start_mark
            return int(mark.line) + 1 if mark is not None else None
    return None


def line_of(lines: dict[Loc, int], loc: Sequence[str | int]) -> int | None:
    """The line of the deepest known location along ``loc`` (pydantic adds tag names to locs)."""
    path: Loc = ()
    for part in loc:
        if (*path, part) in lines:
            path = (*path, part)
    return lines.get(path)


def dotted(loc: Sequence[str | int]) -> str:
    """A location as a reader writes it.

    Examples:
        >>> dotted(("facts", 2, "attendees", 1))
        'facts[2].attendees[1]'
    """
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def validation_problems(
    exc: ValidationError, display: str, lines: dict[Loc, int], prefix: Loc = ()
) -> list[SeedProblem]:
    """Every pydantic error of ``exc`` as a problem with its file, line and dotted location."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = (*prefix, *err["loc"])
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown field"
        elif err["type"] == "union_tag_invalid":
            message = f"unknown kind {err.get('input', {}).get('kind')!r}; expected one of " + (
                str((err.get("ctx") or {}).get("expected_tags", ""))
            )
        problems.append(
            SeedProblem(
                file=display,
                line=line_of(lines, loc),
                message=f"{dotted(_strip_tags(loc, lines))}: {message}",
            )
        )
    return problems


def _strip_tags(loc: Sequence[str | int], lines: dict[Loc, int]) -> list[str | int]:
    """Drop the discriminator tags pydantic inserts into locations of tagged unions."""
    path: Loc = ()
    out: list[str | int] = []
    for i, part in enumerate(loc):
        if (*path, part) in lines or i == len(loc) - 1:
            path = (*path, part)
            out.append(part)
    return out
