"""Read and check fact sheets and the entity register: YAML in, checked facts, errors with lines.

A fact sheet is YAML a researcher can read and edit without knowing RDF. Every problem found is
reported with the file, the line and what is wrong, and all problems of a file are reported at
once. Nothing here builds RDF; ``graph.build.quads`` turns checked sheets into quads.
"""

from __future__ import annotations

import difflib
import re
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from edtf import parse_edtf
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

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

MAX_YAML_BYTES = 2_000_000
MAX_TEXT_BYTES = 5_000_000
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

#: Entity types of the register, each with the group that names its IRI path.
ENTITY_TYPES: dict[str, str] = {
    "person": "person",
    "organization": "organization",
    "government-organization": "organization",
    "workers-union": "organization",
    "country": "place",
    "province": "place",
    "city": "place",
    "programme": "programme",
    "post": "post",
    "group": "group",
    "news-article": "document",
    "social-media-posting": "document",
    "report": "document",
    "dataset": "dataset",
}

AGENT_TYPES = frozenset(
    {"person", "organization", "government-organization", "workers-union", "country"}
)
PLACE_TYPES = frozenset({"country", "province", "city"})
DOCUMENT_TYPES = frozenset({"news-article", "social-media-posting", "report"})
ORG_TYPES = frozenset({"organization", "government-organization", "workers-union"})


@dataclass(frozen=True)
class RelationSpec:
    """What a ``relation`` fact may link: allowed subject and object types, and the value kind."""

    subject: frozenset[str]
    object: frozenset[str] | None  # None: the relation takes a literal ``value``
    value: Literal["edtf", "text"] | None = None


#: The relations a ``relation`` fact may state, by name.
RELATIONS: dict[str, RelationSpec] = {
    "holds": RelationSpec(frozenset({"person"}), frozenset({"post"})),
    "post-in": RelationSpec(frozenset({"post"}), ORG_TYPES),
    "country": RelationSpec(ORG_TYPES, frozenset({"country"})),
    "located-in": RelationSpec(ORG_TYPES, PLACE_TYPES),
    "jurisdiction": RelationSpec(ORG_TYPES, PLACE_TYPES),
    "contained-in": RelationSpec(PLACE_TYPES, PLACE_TYPES),
    "member-of": RelationSpec(AGENT_TYPES - {"country"}, ORG_TYPES),
    "sub-organization-of": RelationSpec(ORG_TYPES, ORG_TYPES),
    "counterpart-of": RelationSpec(frozenset({"person"}), frozenset({"person"})),
    "author": RelationSpec(DOCUMENT_TYPES, AGENT_TYPES),
    "nationality": RelationSpec(frozenset({"person"}), frozenset({"country"})),
    "operated-by": RelationSpec(frozenset({"programme"}), AGENT_TYPES),
    "start-date": RelationSpec(frozenset({"programme", *ORG_TYPES}), None, "edtf"),
    "date-created": RelationSpec(DOCUMENT_TYPES, None, "edtf"),
    "date": RelationSpec(frozenset({"@meeting"}), None, "edtf"),
    "about-period": RelationSpec(DOCUMENT_TYPES, None, "edtf"),
}


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


# ------------------------------------------------------------------------------------------
# YAML with line numbers
# ------------------------------------------------------------------------------------------

Loc = tuple[str | int, ...]


class _Constructor(yaml.constructor.SafeConstructor):
    """Safe scalar construction, except that dates stay text (EDTF needs the exact string)."""


_Constructor.add_constructor(
    "tag:yaml.org,2002:timestamp",
    yaml.constructor.SafeConstructor.construct_yaml_str,  # type: ignore[type-var]
)


def _regular(path: Path, display: str, what: str, root: Path | None = None) -> int:
    """The size of a regular file (inside ``root``, when given); refuse devices, pipes and
    links that lead elsewhere, which could hang or exhaust a build."""
    try:
        resolved = path.resolve(strict=True)
        info = resolved.stat()
    except OSError as exc:
        raise _one(display, None, f"{what} cannot be read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise _one(display, None, f"{what} is not a regular file")
    if root is not None and not resolved.is_relative_to(root.resolve()):
        raise _one(display, None, f"{what} lies outside the seeds folder {root.resolve()}")
    return info.st_size


def _read_yaml(path: Path, display: str, root: Path | None = None) -> tuple[Any, dict[Loc, int]]:
    """Parse a YAML file into plain data and a map from each value's location to its line."""
    size = _regular(path, display, "the file", root)
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
        raise _one(display, line, f"YAML syntax: {exc.problem}") from None
    except yaml.YAMLError as exc:  # e.g. a control character the reader refuses
        raise _one(display, getattr(exc, "line", None), f"YAML: {exc}") from None
    lines: dict[Loc, int] = {}
    seen: set[int] = set()
    constructor = _Constructor()

    def scalar(node: yaml.Node) -> Any:
        try:
            return constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:  # e.g. !!python/object: only plain YAML is allowed
            line = node.start_mark.line + 1
            raise _one(display, line, f"YAML: {getattr(exc, 'problem', None) or exc}") from None

    def convert(node: yaml.Node, loc: Loc) -> Any:
        line = node.start_mark.line + 1
        # An alias of a text is a harmless shorthand for a repeated quote; an alias of a list or
        # a mapping is how YAML bombs multiply, so only text may be repeated.
        if isinstance(node, yaml.SequenceNode | yaml.MappingNode) and node.tag not in (
            "tag:yaml.org,2002:seq",
            "tag:yaml.org,2002:map",
        ):
            raise _one(display, line, f"YAML tag {node.tag!r} is not allowed: only plain YAML")
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


def _line_of(lines: dict[Loc, int], loc: Sequence[str | int]) -> int | None:
    """The line of the deepest known location along ``loc`` (pydantic adds tag names to locs)."""
    path: Loc = ()
    for part in loc:
        if (*path, part) in lines:
            path = (*path, part)
    return lines.get(path)


def _dotted(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _validation_problems(
    exc: ValidationError, display: str, lines: dict[Loc, int], prefix: Loc = ()
) -> list[SeedProblem]:
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
                line=_line_of(lines, loc),
                message=f"{_dotted(_strip_tags(loc, lines))}: {message}",
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


# ------------------------------------------------------------------------------------------
# The models
# ------------------------------------------------------------------------------------------

Slug = Annotated[str, Field(pattern=SLUG, max_length=120)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, frozen=True)


class Entity(_Model):
    """An entity of the register: declared once, referred to by id from every sheet."""

    id: Slug
    type: Literal[
        "person",
        "organization",
        "government-organization",
        "workers-union",
        "country",
        "province",
        "city",
        "programme",
        "post",
        "group",
        "news-article",
        "social-media-posting",
        "report",
        "dataset",
    ]
    name: Annotated[str, Field(min_length=1)]
    aliases: list[Annotated[str, Field(min_length=1)]] = []
    abbreviation: str | None = None
    description: str | None = None
    iso3166: Annotated[str, Field(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")] | None = None
    wikidata: Annotated[str, Field(pattern=r"^Q[1-9][0-9]*$")] | None = None

    @property
    def group(self) -> str:
        """The IRI path group of this entity (person, organization, place, ...)."""
        return ENTITY_TYPES[self.type]


class _RegisterFile(_Model):
    entities: list[Entity]


class Evidence(_Model):
    """A verbatim quote of the source; ``occurrence`` picks one when the quote is there twice."""

    quote: Annotated[str, Field(min_length=3)]
    occurrence: Annotated[int, Field(ge=1)] | None = None


EvidenceField = Annotated[
    str | Evidence | list[str | Evidence], Field(description="one quote or several")
]


def _evidence_list(value: str | Evidence | list[str | Evidence]) -> list[Evidence]:
    items = value if isinstance(value, list) else [value]
    return [Evidence(quote=i) if isinstance(i, str) else i for i in items]


class _Fact(_Model):
    id: Slug
    evidence: EvidenceField
    inferred: Annotated[str, Field(min_length=10)] | None = Field(
        default=None, description="the reason, for a fact the source does not state"
    )
    according_to: Slug | None = None

    @property
    def quotes(self) -> list[Evidence]:
        return _evidence_list(self.evidence)


class MeetingFact(_Fact):
    kind: Literal["meeting"]
    attendees: Annotated[list[Slug], Field(min_length=1)]
    date: str | None = None
    place: Slug | None = None
    about: list[Slug] = []
    fields: list[Slug] = []
    summary: str | None = None
    before: list[Slug] = []

    @field_validator("date")
    @classmethod
    def _edtf(cls, v: str | None) -> str | None:
        return None if v is None else check_edtf(v)


ActKind = Literal["agreement", "request", "proposal", "pledge", "examination", "endorsement"]


class ActFact(_Fact):
    kind: ActKind
    actors: Annotated[list[Slug], Field(min_length=1)]
    status: Slug
    summary: Annotated[str, Field(min_length=3)]
    addressees: list[Slug] = []
    partners: list[Annotated[list[Slug], Field(min_length=1)]] = Field(
        default=[], description="the sides of the cooperation the act is about"
    )
    beneficiaries: list[Slug] = []
    concerns: list[Slug] = []
    fields: list[Slug] = []
    occasion: Slug | None = None
    motive: str | None = None


class StatementFact(_Fact):
    kind: Literal["statement"]
    speaker: Slug
    form: Literal["quotation", "paraphrase"]
    text: str | None = Field(default=None, description="the words; default: the evidence quote")
    about: list[Slug] = []
    occasion: Slug | None = None
    period: str | None = Field(default=None, description="the period the statement is about")

    @field_validator("period")
    @classmethod
    def _edtf(cls, v: str | None) -> str | None:
        return None if v is None else check_edtf(v)


class RelationFact(_Fact):
    kind: Literal["relation"]
    subject: Slug
    relation: str
    object: Slug | None = None
    value: str | None = None


class ObservationFact(_Fact):
    kind: Literal["observation"]
    dataset: Slug
    period: str
    origin: Slug
    destination: Slug
    population: Annotated[str, Field(min_length=3)]
    sex: Literal["total", "female", "male"]
    value: Annotated[int, Field(ge=0)]
    unit: Literal["persons"] = "persons"

    @field_validator("period")
    @classmethod
    def _edtf(cls, v: str) -> str:
        return check_edtf(v)


Fact = Annotated[
    MeetingFact | ActFact | StatementFact | RelationFact | ObservationFact,
    Field(discriminator="kind"),
]


class Mention(_Model):
    """A name or phrase of the source that refers to an entity of the register."""

    text: Annotated[str, Field(min_length=2)]
    entity: Slug
    occurrence: Annotated[int, Field(ge=1)] | Literal["all"] | None = None
    inferred: Annotated[str, Field(min_length=10)] | None = None


class SourceInfo(_Model):
    id: Slug
    type: Literal["news-article", "social-media-posting", "report"]
    label: Annotated[str, Field(min_length=3)] = Field(
        description="a short name for the source, for lists and pages"
    )
    title: Annotated[str, Field(min_length=1)] | None = Field(
        default=None, description="the headline, only as the source gives it"
    )
    text: str = Field(description="path of the source text, relative to the sheet")
    publisher: Slug | None = None
    url: Annotated[str, Field(pattern=r"^https?://[^\s<>\"{}|\\^`]+$")] | None = None
    published: str | None = None
    language: str = "en"
    note: str | None = None

    @field_validator("published")
    @classmethod
    def _edtf(cls, v: str | None) -> str | None:
        return None if v is None else check_edtf(v)


class _SheetHead(_Model):
    source: SourceInfo
    mentions: list[Mention] = []
    facts: list[Any]


AnyFact = MeetingFact | ActFact | StatementFact | RelationFact | ObservationFact
ACT_KINDS = frozenset({"agreement", "request", "proposal", "pledge", "examination", "endorsement"})


def check_edtf(value: str) -> str:
    """Return ``value`` if it is an EDTF date, else raise ``ValueError``.

    Examples:
        >>> check_edtf("XXXX-03-08")
        'XXXX-03-08'
        >>> check_edtf("March 8")
        Traceback (most recent call last):
        ...
        ValueError: 'March 8' is not an EDTF date (e.g. 2024-03-08, XXXX-03-08, 2024?-03)
    """
    try:
        parse_edtf(value)
    except Exception:
        raise ValueError(
            f"{value!r} is not an EDTF date (e.g. 2024-03-08, XXXX-03-08, 2024?-03)"
        ) from None
    return value


# ------------------------------------------------------------------------------------------
# Checked results
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A located quote: ``text[start:end] == exact``."""

    start: int
    end: int
    exact: str


@dataclass
class Register:
    """The entity register: every entity by id, and where each was declared."""

    entities: dict[str, Entity]
    lines: dict[str, tuple[str, int | None]] = field(default_factory=dict)

    def suggest(self, unknown: str) -> str:
        close = difflib.get_close_matches(unknown, list(self.entities), n=3, cutoff=0.6)
        return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""


@dataclass
class Sheet:
    """A checked fact sheet: its source, text, facts and the located span of every quote."""

    path: Path
    display: str
    source: SourceInfo
    text: str
    facts: list[AnyFact]
    mentions: list[Mention]
    spans: dict[str, list[Span]]  # fact id -> the located spans of its quotes
    mention_spans: list[list[Span]]
    lines: dict[str, int | None] = field(default_factory=dict)  # fact id -> line in the sheet


# ------------------------------------------------------------------------------------------
# Loading
# ------------------------------------------------------------------------------------------


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
    for path in paths:
        display = _display(path, root)
        try:
            data, lines = _read_yaml(path, display, root)
            parsed = _RegisterFile.model_validate(data if data is not None else {})
        except SeedError as exc:
            problems.extend(exc.problems)
            continue
        except ValidationError as exc:
            problems.extend(_validation_problems(exc, display, lines))
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
    if problems:
        raise SeedError(problems)
    return Register(entities=entities, lines=where)


def _locate(text: str, ev: Evidence) -> tuple[list[int], str | None]:
    """Start offsets of the quote in the text, and a hint when it is not found."""
    starts = [m.start() for m in re.finditer(_pattern(ev.quote), text)]
    if starts:
        return starts, None
    folded = _fold_quotes(ev.quote)
    if re.search(_pattern(folded), _fold_quotes(text)):
        return [], (
            "the text has it with other quotation marks or apostrophes "
            "(the source uses typographic ones such as ’ “ ”)"
        )
    if re.search(_pattern(" ".join(ev.quote.split())), " ".join(text.split())):
        return [], "the text has it with other white space"
    return [], None


def _pattern(quote: str) -> str:
    """A quote matches whole words only: "Cambodia" is not found inside "Cambodians"."""
    head = r"(?<!\w)" if quote[:1].isalnum() else ""
    tail = r"(?!\w)" if quote[-1:].isalnum() else ""
    return head + re.escape(quote) + tail


_FOLD = str.maketrans("’‘“”", "''\"\"")


def _fold_quotes(s: str) -> str:
    return s.translate(_FOLD)


def _pick(
    text: str,
    ev: Evidence,
    what: str,
    display: str,
    line: int | None,
    problems: list[SeedProblem],
) -> Span | None:
    starts, hint = _locate(text, ev)
    short = ev.quote if len(ev.quote) <= 60 else ev.quote[:57] + "..."
    if not starts:
        problems.append(
            SeedProblem(
                file=display,
                line=line,
                message=(
                    f"{what}: quote not found in the source text: {short!r}"
                    + (f"; {hint}" if hint else "")
                ),
            )
        )
        return None
    if ev.occurrence is not None:
        if ev.occurrence > len(starts):
            problems.append(
                SeedProblem(
                    file=display,
                    line=line,
                    message=(
                        f"{what}: occurrence {ev.occurrence} asked, but the quote is there "
                        f"{len(starts)} time(s): {short!r}"
                    ),
                )
            )
            return None
        start = starts[ev.occurrence - 1]
    elif len(starts) > 1:
        problems.append(
            SeedProblem(
                file=display,
                line=line,
                message=(
                    f"{what}: the quote is there {len(starts)} times (offsets "
                    f"{', '.join(map(str, starts))}); quote more, or add 'occurrence: N': {short!r}"
                ),
            )
        )
        return None
    else:
        start = starts[0]
    return Span(start=start, end=start + len(ev.quote), exact=ev.quote)


def _one(display: str, line: int | None, message: str) -> SeedError:
    return SeedError([SeedProblem(file=display, line=line, message=message)])


def _read_text(
    path: Path, parsed: _SheetHead, root: Path | None, display: str, line: int | None
) -> str:
    """The source text a sheet names: inside the seeds folder, UTF-8, not too large."""
    text_path = (path.parent / parsed.source.text).resolve()
    allowed = (root or path.parent.parent).resolve()
    if not text_path.is_relative_to(allowed):
        raise _one(
            display,
            line,
            f"source text {parsed.source.text!r} is outside the seeds folder {allowed}",
        )
    if text_path.exists() and not stat.S_ISREG(text_path.stat().st_mode):
        raise _one(display, line, f"source text {parsed.source.text!r} is not a regular file")
    try:
        if text_path.stat().st_size > MAX_TEXT_BYTES:
            raise _one(
                display,
                line,
                f"source text {parsed.source.text!r} is larger than {MAX_TEXT_BYTES} bytes",
            )
        return text_path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise _one(
            display, line, f"source text {parsed.source.text!r} not found (looked at {text_path})"
        ) from None
    except UnicodeDecodeError as exc:
        raise _one(
            display,
            line,
            f"source text {parsed.source.text!r} is not UTF-8: {exc.reason} at byte {exc.start}",
        ) from None
    except OSError as exc:
        raise _one(
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
    data, lines = _read_yaml(path, display, root)
    try:
        parsed = _SheetHead.model_validate(data if data is not None else {})
    except ValidationError as exc:
        raise SeedError(_validation_problems(exc, display, lines)) from None

    problems: list[SeedProblem] = []
    # Each fact is checked on its own, so one malformed fact does not hide the others' problems.
    facts: list[tuple[int, AnyFact]] = []
    malformed: dict[str, str] = {}  # ids of malformed facts, so references to them still resolve
    for i, raw in enumerate(parsed.facts):
        try:
            facts.append((i, _FACT.validate_python(raw)))
        except ValidationError as exc:
            problems.extend(_validation_problems(exc, display, lines, ("facts", i)))
            if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                malformed[raw["id"]] = str(raw.get("kind"))

    text = _read_text(path, parsed, root, display, lines.get(("source", "text")))
    checker = _Checker(register, display, lines, problems)
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
            span = _pick(
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
    if parsed.source.publisher is not None:
        checker.entity(parsed.source.publisher, ("source", "publisher"), ORG_TYPES, "publisher")

    mention_spans: list[list[Span]] = []
    for i, mention in enumerate(parsed.mentions):
        loc = ("mentions", i)
        checker.entity(mention.entity, (*loc, "entity"), None, "mention")
        line = lines.get(loc)
        if mention.occurrence == "all":
            starts, _ = _locate(text, Evidence(quote=mention.text))
            found = [Span(s, s + len(mention.text), mention.text) for s in starts]
            if not found:
                checker.problem(loc, f"text not found in the source: {mention.text!r}")
        else:
            ev = Evidence(quote=mention.text, occurrence=mention.occurrence)
            span = _pick(text, ev, f"mentions[{i}]", display, line, problems)
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
    )


@dataclass
class _Checker:
    """Cross-reference checks of one sheet: ids exist and have fitting types."""

    register: Register
    display: str
    lines: dict[Loc, int]
    problems: list[SeedProblem]
    statuses: frozenset[str] = frozenset()
    fields: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        from ontology import scheme_notations

        self.statuses = frozenset(scheme_notations("status"))
        self.fields = frozenset(scheme_notations("field"))

    def problem(self, loc: Loc, message: str) -> None:
        self.problems.append(
            SeedProblem(
                file=self.display,
                line=_line_of(self.lines, loc),
                message=f"{_dotted(loc)}: {message}",
            )
        )

    def entity(self, ident: str, loc: Loc, types: frozenset[str] | None, role: str) -> None:
        entity = self.register.entities.get(ident)
        if entity is None:
            self.problem(loc, f"unknown entity {ident!r}{self.register.suggest(ident)}")
        elif types is not None and entity.type not in types:
            self.problem(
                loc,
                f"{role} must be one of {', '.join(sorted(types))}; {ident!r} is a {entity.type}",
            )

    def entities(
        self, idents: Iterable[str], loc: Loc, types: frozenset[str] | None, role: str
    ) -> None:
        for j, ident in enumerate(idents):
            self.entity(ident, (*loc, j), types, role)

    def concepts(self, values: Iterable[str], loc: Loc, allowed: frozenset[str], what: str) -> None:
        for j, value in enumerate(values):
            if value not in allowed:
                close = difflib.get_close_matches(value, sorted(allowed), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.problem(
                    (*loc, j),
                    f"unknown {what} {value!r}{hint} (known: {', '.join(sorted(allowed))})",
                )

    def fact_ref(self, ident: str, loc: Loc, kinds: dict[str, str], want: str) -> None:
        if ident not in kinds:
            close = difflib.get_close_matches(ident, list(kinds), n=2)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            self.problem(loc, f"no fact {ident!r} in this sheet{hint}")
        elif kinds[ident] != want:
            self.problem(loc, f"{ident!r} is {_a(kinds[ident])}, not a {want}")

    def check_fact(self, fact: Any, loc: Loc, kinds: dict[str, str]) -> None:
        if fact.according_to is not None:
            self.entity(
                fact.according_to,
                (*loc, "according_to"),
                AGENT_TYPES | DOCUMENT_TYPES,
                "according_to",
            )
        if isinstance(fact, MeetingFact):
            self.entities(fact.attendees, (*loc, "attendees"), AGENT_TYPES, "an attendee")
            if fact.place:
                self.entity(fact.place, (*loc, "place"), PLACE_TYPES, "place")
            self.entities(fact.about, (*loc, "about"), None, "about")
            self.concepts(fact.fields, (*loc, "fields"), self.fields, "field")
            for j, other in enumerate(fact.before):
                self.fact_ref(other, (*loc, "before", j), kinds, "meeting")
        elif isinstance(fact, ActFact):
            self.entities(fact.actors, (*loc, "actors"), AGENT_TYPES, "an actor")
            self.entities(fact.addressees, (*loc, "addressees"), AGENT_TYPES, "an addressee")
            for j, side in enumerate(fact.partners):
                self.entities(side, (*loc, "partners", j), AGENT_TYPES, "a partner")
            self.entities(fact.beneficiaries, (*loc, "beneficiaries"), None, "a beneficiary")
            self.entities(fact.concerns, (*loc, "concerns"), None, "concerns")
            self.concepts([fact.status], (*loc, "status"), self.statuses, "status")
            self.concepts(fact.fields, (*loc, "fields"), self.fields, "field")
            if fact.occasion:
                self.fact_ref(fact.occasion, (*loc, "occasion"), kinds, "meeting")
        elif isinstance(fact, StatementFact):
            self.entity(fact.speaker, (*loc, "speaker"), AGENT_TYPES | DOCUMENT_TYPES, "speaker")
            self.entities(fact.about, (*loc, "about"), None, "about")
            if fact.occasion:
                self.fact_ref(fact.occasion, (*loc, "occasion"), kinds, "meeting")
        elif isinstance(fact, RelationFact):
            self._relation(fact, loc, kinds)
        elif isinstance(fact, ObservationFact):
            self.entity(fact.dataset, (*loc, "dataset"), frozenset({"dataset"}), "dataset")
            self.entity(fact.origin, (*loc, "origin"), frozenset({"country"}), "origin")
            self.entity(
                fact.destination, (*loc, "destination"), frozenset({"country"}), "destination"
            )

    def _relation(self, fact: RelationFact, loc: Loc, kinds: dict[str, str]) -> None:
        spec = RELATIONS.get(fact.relation)
        if spec is None:
            close = difflib.get_close_matches(fact.relation, list(RELATIONS), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            self.problem(
                (*loc, "relation"),
                f"unknown relation {fact.relation!r}{hint} (known: {', '.join(sorted(RELATIONS))})",
            )
            return
        if "@meeting" in spec.subject:
            self.fact_ref(fact.subject, (*loc, "subject"), kinds, "meeting")
        else:
            self.entity(fact.subject, (*loc, "subject"), spec.subject, "subject")
        if spec.object is None:
            if fact.object is not None or fact.value is None:
                self.problem(loc, f"relation {fact.relation!r} takes a 'value', not an 'object'")
            elif spec.value == "edtf":
                try:
                    check_edtf(fact.value)
                except ValueError as exc:
                    self.problem((*loc, "value"), str(exc))
        elif fact.object is None or fact.value is not None:
            self.problem(loc, f"relation {fact.relation!r} takes an 'object', not a 'value'")
        else:
            self.entity(fact.object, (*loc, "object"), spec.object, "object")


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
            raise _one(str(root), None, f"no {folder}/ folder: is {root} a seeds folder?")
    register_files = sorted((root / "entities").glob("*.yaml"))
    sheet_files = sorted((root / "facts").glob("*.yaml"))
    if not register_files or not sheet_files:
        what = "entities/*.yaml" if not register_files else "facts/*.yaml"
        raise _one(str(root), None, f"no {what} files: nothing to build")
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
                SeedProblem(
                    file=sheet.display,
                    line=None,
                    message=(
                        f"source id {sheet.source.id!r} is also used by "
                        f"{seen_sources[sheet.source.id]}"
                    ),
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
            kind = _node_kind(fact.kind)
            first = node_kinds.setdefault(fact.id, (kind, sheet.display, sheet.lines.get(fact.id)))
            if first[0] != kind:
                problems.append(
                    SeedProblem(
                        file=sheet.display,
                        line=sheet.lines.get(fact.id),
                        message=f"fact id {fact.id!r} names {_a(kind)} here but {_a(first[0])} "
                        f"in {first[1]}:{first[2]}; use another id",
                    )
                )
    if problems:
        raise SeedError(problems)
    return register, sheets


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def _node_kind(kind: str) -> str:
    return "act" if kind in ACT_KINDS else kind


def iter_facts(sheets: Iterable[Sheet]) -> Iterator[tuple[Sheet, Any]]:
    """Every fact of every sheet, with its sheet."""
    for sheet in sheets:
        for fact in sheet.facts:
            yield sheet, fact
