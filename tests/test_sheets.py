"""The fact-sheet checker: bad sheets are refused with the file, the line and the problem."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from graph.build.iris import Iris
from graph.build.quads import build_dataset
from graph.build.sheets import SeedError, load_seeds

TEXT = (
    "Heng Sour met Lee Cheol-woo in Seoul on March 6. They agreed to cooperate. "
    "Sour said: “We cooperate.” They agreed to cooperate."
)

REGISTER = """\
entities:
  - {id: heng-sour, type: person, name: Heng Sour, aliases: [Sour]}
  - {id: lee-cheol-woo, type: person, name: Lee Cheol-woo}
  - {id: seoul, type: city, name: Seoul, iso3166: KR-11}
  - {id: south-korea, type: country, name: South Korea, iso3166: KR}
"""

GOOD = """\
source:
  id: test-source
  type: news-article
  label: A test source
  text: ../articles/test.txt
facts:
  - id: the-meeting
    kind: meeting
    attendees: [heng-sour, lee-cheol-woo]
    date: XXXX-03-06
    place: seoul
    evidence: Heng Sour met Lee Cheol-woo in Seoul on March 6.
  - id: the-agreement
    kind: agreement
    actors: [heng-sour, lee-cheol-woo]
    summary: cooperate
    status: agreed
    occasion: the-meeting
    evidence: {quote: They agreed to cooperate., occurrence: 1}
"""


def write_seeds(tmp: Path, sheet: str, register: str = REGISTER, text: str = TEXT) -> Path:
    root = tmp / "seeds"
    (root / "entities").mkdir(parents=True)
    (root / "facts").mkdir()
    (root / "articles").mkdir()
    (root / "entities" / "register.yaml").write_text(register, encoding="utf-8")
    (root / "facts" / "test.yaml").write_text(sheet, encoding="utf-8")
    (root / "articles" / "test.txt").write_text(text, encoding="utf-8")
    return root


def problems(root: Path) -> list[str]:
    with pytest.raises(SeedError) as info:
        register, sheets = load_seeds(root)
        build_dataset(register, sheets, Iris("https://kg.example/"))
    return [str(p) for p in info.value.problems]


def replace(sheet: str, old: str, new: str) -> str:
    assert old in sheet, old
    return sheet.replace(old, new, 1)


def test_the_good_sheet_loads(tmp_path: Path) -> None:
    _, sheets = load_seeds(write_seeds(tmp_path, GOOD))
    (sheet,) = sheets
    assert [f.id for f in sheet.facts] == ["the-meeting", "the-agreement"]
    assert [(s.start, s.end) for s in sheet.spans["the-agreement"]] == [(49, 74)]
    assert TEXT[49:74] == "They agreed to cooperate."


BAD_SHEETS = [
    pytest.param(
        replace(GOOD, "    attendees: [heng-sour, lee-cheol-woo]\n", "    attendees: [heng-sour\n"),
        "seeds/facts/test.yaml:10: YAML syntax",
        id="yaml-syntax",
    ),
    pytest.param(
        replace(GOOD, "    place: seoul", "    plcae: seoul"),
        "seeds/facts/test.yaml:11: facts[0].plcae: unknown field",
        id="unknown-field",
    ),
    pytest.param(
        replace(GOOD, "    attendees: [heng-sour, lee-cheol-woo]\n", ""),
        "seeds/facts/test.yaml:7: facts[0].attendees: Field required",
        id="missing-field",
    ),
    pytest.param(
        replace(GOOD, "[heng-sour, lee-cheol-woo]", "[heng-sou, lee-cheol-woo]"),
        "seeds/facts/test.yaml:9: facts[0].attendees[0]: unknown entity 'heng-sou'; did you mean "
        "'heng-sour'?",
        id="unknown-entity",
    ),
    pytest.param(
        replace(GOOD, "in Seoul on March 6.", "in Seoul on 6 March."),
        "seeds/facts/test.yaml:12: facts[0] (the-meeting): quote not found in the source text",
        id="quote-not-found",
    ),
    pytest.param(
        replace(
            GOOD, "{quote: They agreed to cooperate., occurrence: 1}", "They agreed to cooperate."
        ),
        "seeds/facts/test.yaml:19: facts[1] (the-agreement): the quote is there 2 times (offsets 49, "
        "102); quote more, or add 'occurrence: N'",
        id="quote-ambiguous",
    ),
    pytest.param(
        replace(GOOD, "occurrence: 1}", "occurrence: 3}"),
        "seeds/facts/test.yaml:19: facts[1] (the-agreement): occurrence 3 asked, but the quote is "
        "there 2 time(s)",
        id="occurrence-too-high",
    ),
    pytest.param(
        GOOD + "  - id: the-quote\n    kind: statement\n    speaker: heng-sour\n"
        "    form: quotation\n    evidence: 'Sour said: \"We cooperate.\"'\n",
        "seeds/facts/test.yaml:24: facts[2] (the-quote): quote not found in the source text: "
        "'Sour said: \"We cooperate.\"'; the text has it with other quotation marks",
        id="straight-quotes",
    ),
    pytest.param(
        replace(GOOD, "  - id: the-agreement", "  - id: the-meeting"),
        "seeds/facts/test.yaml:13: facts[1].id: fact id 'the-meeting' is used twice",
        id="duplicate-fact-id",
    ),
    pytest.param(
        replace(GOOD, "status: agreed", "status: agred"),
        "seeds/facts/test.yaml:17: facts[1].status[0]: unknown status 'agred'; did you mean 'agreed'?",
        id="unknown-status",
    ),
    pytest.param(
        replace(GOOD, "date: XXXX-03-06", "date: March 6"),
        "seeds/facts/test.yaml:10: facts[0].date: Value error, 'March 6' is not an EDTF date",
        id="bad-date",
    ),
    pytest.param(
        replace(GOOD, "place: seoul", "place: heng-sour"),
        "seeds/facts/test.yaml:11: facts[0].place: place must be one of city, country, province; "
        "'heng-sour' is a person",
        id="wrong-entity-type",
    ),
    pytest.param(
        replace(GOOD, "kind: agreement", "kind: treaty"),
        "seeds/facts/test.yaml:13: facts[1]: unknown kind 'treaty'",
        id="unknown-kind",
    ),
    pytest.param(
        replace(GOOD, "occasion: the-meeting", "occasion: the-agreement"),
        "seeds/facts/test.yaml:18: facts[1].occasion: 'the-agreement' is an agreement, not a meeting",
        id="occasion-not-a-meeting",
    ),
    pytest.param(
        replace(
            GOOD,
            "    actors: [heng-sour, lee-cheol-woo]\n",
            "    actors: &who [heng-sour, lee-cheol-woo]\n    addressees: *who\n",
        ),
        "seeds/facts/test.yaml:16: YAML aliases of lists or mappings are not allowed",
        id="yaml-alias-of-a-list",
    ),
    pytest.param(
        GOOD + "  - id: said\n    kind: statement\n    speaker: heng-sour\n    form: quotation\n"
        "    text: We never cooperate.\n    evidence: “We cooperate.”\n",
        "seeds/facts/test.yaml:24: facts[2].text: the statement's text is not in its evidence quote",
        id="statement-text-not-in-evidence",
    ),
    pytest.param(
        GOOD + "  - id: rel\n    kind: relation\n    subject: heng-sour\n    relation: holds\n"
        "    value: minister\n    evidence: Heng Sour met\n",
        "seeds/facts/test.yaml:20: facts[2]: relation 'holds' takes an 'object', not a 'value'",
        id="relation-value-for-object",
    ),
    pytest.param(
        GOOD + "  - id: rel\n    kind: relation\n    subject: heng-sour\n    relation: hold\n"
        "    object: seoul\n    evidence: Heng Sour met\n",
        "seeds/facts/test.yaml:23: facts[2].relation: unknown relation 'hold'; did you mean 'holds'?",
        id="unknown-relation",
    ),
    pytest.param(
        replace(GOOD, "    kind: agreement\n", "    kind: agreement\n    inferred: yes\n"),
        "seeds/facts/test.yaml:15: facts[1].inferred: Input should be a valid string",
        id="inferred-without-reason",
    ),
    pytest.param(
        replace(GOOD, "  label: A test source\n", "  label: A test source\n  url: not a url\n"),
        "seeds/facts/test.yaml:5: source.url: String should match pattern",
        id="bad-url",
    ),
    pytest.param(
        replace(
            GOOD, "    summary: cooperate\n", "    summary: !!python/object:os.system cooperate\n"
        ),
        "seeds/facts/test.yaml:16: YAML: could not determine a constructor for the tag",
        id="python-tag",
    ),
    pytest.param(
        replace(GOOD, "    summary: cooperate\n", "    summary: co\x07operate\n"),
        "seeds/facts/test.yaml: YAML: unacceptable character #x0007",
        id="control-character",
    ),
    pytest.param(
        replace(GOOD, "text: ../articles/test.txt", "text: ../../../../../../etc/hostname"),
        "seeds/facts/test.yaml:5: source text '../../../../../../etc/hostname' is outside the "
        "seeds folder",
        id="text-outside-seeds",
    ),
    pytest.param(
        replace(GOOD, "text: ../articles/test.txt", "text: ../articles"),
        "seeds/facts/test.yaml:5: source text '../articles' is not a regular file",
        id="text-is-a-folder",
    ),
    pytest.param(
        replace(GOOD, "text: ../articles/test.txt", "text: ../articles/missing.txt"),
        "seeds/facts/test.yaml:5: source text '../articles/missing.txt' not found",
        id="missing-source-text",
    ),
]


@pytest.mark.parametrize(("sheet", "expected"), BAD_SHEETS)
def test_bad_sheet_is_refused_with_file_line_and_problem(
    tmp_path: Path, sheet: str, expected: str
) -> None:
    found = problems(write_seeds(tmp_path, sheet))
    assert any(p.startswith(expected) for p in found), found


BAD_REGISTERS = [
    pytest.param(
        REGISTER + "  - {id: seoul, type: city, name: Seoul again}\n",
        "seeds/entities/register.yaml:6: entity id 'seoul' is declared twice (first at "
        "seeds/entities/register.yaml:4)",
        id="duplicate-entity",
    ),
    pytest.param(
        REGISTER.replace("type: person, name: Lee Cheol-woo", "type: persn, name: Lee Cheol-woo"),
        "seeds/entities/register.yaml:3: entities[1].type: Input should be 'person'",
        id="unknown-entity-type",
    ),
    pytest.param(
        REGISTER.replace("iso3166: KR-11", "iso3166: KR-99"),
        "seeds/entities/register.yaml:4: entity 'seoul': 'KR-99' is not an ISO 3166-2 subdivision code",
        id="unknown-iso-code",
    ),
    pytest.param(
        REGISTER + "  - {id: q, type: country, name: Q, wikidata: 424}\n",
        "seeds/entities/register.yaml:6: entities[4].wikidata: String should match pattern",
        id="bad-wikidata-id",
    ),
]


@pytest.mark.parametrize(("register", "expected"), BAD_REGISTERS)
def test_bad_register_is_refused(tmp_path: Path, register: str, expected: str) -> None:
    found = problems(write_seeds(tmp_path, GOOD, register=register))
    assert any(p.startswith(expected) for p in found), found


def test_every_problem_of_a_sheet_is_reported_at_once(tmp_path: Path) -> None:
    sheet = replace(GOOD, "[heng-sour, lee-cheol-woo]", "[heng-sou, lee-cheol-wu]")
    sheet = replace(sheet, "status: agreed", "status: agred")
    found = problems(write_seeds(tmp_path, sheet))
    assert len(found) == 3, found


def test_a_malformed_fact_does_not_hide_the_others_problems(tmp_path: Path) -> None:
    sheet = replace(GOOD, "    place: seoul", "    plcae: seoul")  # fact 0 malformed
    sheet = replace(sheet, "status: agreed", "status: agred")  # fact 1 well-formed, bad value
    found = problems(write_seeds(tmp_path, sheet))
    assert [p.split(": ", 2)[1] for p in found] == ["facts[0].plcae", "facts[1].status[0]"]


def test_a_missing_or_empty_seeds_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match=r"no entities/ folder: is .* a seeds folder"):
        load_seeds(tmp_path / "nowhere")
    root = write_seeds(tmp_path, GOOD)
    (root / "facts" / "test.yaml").unlink()
    with pytest.raises(SeedError, match=r"no facts/\*\.yaml files: nothing to build"):
        load_seeds(root)


def test_one_id_for_two_kinds_of_node_across_sheets_is_refused(tmp_path: Path) -> None:
    root = write_seeds(tmp_path, GOOD)
    other = replace(
        replace(GOOD, "id: test-source", "id: other-source"),
        "  - id: the-agreement",
        "  - id: the-meeting-2",
    )
    other = replace(other, "  - id: the-meeting\n", "  - id: the-agreement\n")
    other = replace(other, "occasion: the-meeting", "occasion: the-agreement")
    (root / "facts" / "zz-other.yaml").write_text(other, encoding="utf-8")
    found = problems(root)
    assert any(
        p.startswith(
            "seeds/facts/zz-other.yaml:7: fact id 'the-agreement' names a meeting "
            "here but an act in seeds/facts/test.yaml:13; use another id"
        )
        for p in found
    ), found


def test_yaml_bomb_is_refused_quickly(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    found = problems(write_seeds(tmp_path, bomb))
    assert found == [
        "seeds/facts/test.yaml:2: YAML aliases of lists or mappings are not allowed in seed files "
        "(an alias of a text is)"
    ]


def test_non_utf8_sheet_is_refused(tmp_path: Path) -> None:
    root = write_seeds(tmp_path, GOOD)
    (root / "facts" / "test.yaml").write_bytes(GOOD.encode("utf-8") + b"# caf\xe9\n")
    assert problems(root)[0].startswith("seeds/facts/test.yaml: not UTF-8")


def test_an_alias_of_a_quote_is_allowed(tmp_path: Path) -> None:
    sheet = textwrap.dedent("""\
        source: {id: s, type: news-article, label: Test, text: ../articles/test.txt}
        facts:
          - {id: m, kind: meeting, attendees: [heng-sour], evidence: &q Heng Sour met Lee}
          - {id: n, kind: meeting, attendees: [lee-cheol-woo], evidence: *q}
        """)
    _, (loaded,) = load_seeds(write_seeds(tmp_path, sheet))
    assert loaded.spans["m"] == loaded.spans["n"]
