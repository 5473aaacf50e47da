"""bilateral draft: what it proposes from a text, how it writes a draft, and how review marks keep
drafted items out of the build until a person accepts them."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ARTICLE, SEEDS

from api.cli import main
from graph.build.draft import Drafter, Known, Source, register_entities
from graph.build.draft.accuracy import evaluate
from graph.build.draft.text import MAX_BYTES
from graph.build.iris import Iris
from graph.build.pipeline import compile_seeds
from graph.build.sheets import SeedError, load_seeds
from graph.read.lookup import select
from graph.store import memory_store

TESTS = Path(__file__).resolve().parent / "draft"
HELD_OUT = TESTS / "heldout-vn-jp-farming.txt"


@pytest.fixture(scope="module")
def known() -> list[Known]:
    return register_entities(SEEDS)


@pytest.fixture(scope="module")
def seed_draft(known: list[Known]) -> Any:
    return Drafter(known).draft(ARTICLE, Source("ppp-cambodia-korea-labour"))


def mentions(draft: Any) -> dict[str, str]:
    return {m.text: m.entity for m in draft.mentions}


# ---- mentions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("HENG Sour spoke.", "heng-sour"),  # case
        ("Yesterday Lee Jung Sik spoke.", "lee-jung-sik"),  # hyphen as space
        ("Yesterday Lee Jungsik spoke.", "lee-jung-sik"),  # spacing
        ("Yesterday Jung-sik Lee spoke.", "lee-jung-sik"),  # the other order
        ("The Gyeongsangbuk-Do province is large.", "gyeongsangbuk-do"),
        ("It was Cambodia’s turn.", "cambodia"),  # a possessive
        ("Officials of Gyeongsangbouk-do came.", "gyeongsangbuk-do"),  # a spelling variant
    ],
)
def test_names_link_whatever_the_spelling(known: list[Known], text: str, entity: str) -> None:
    draft = Drafter(known).draft(text, Source("t"))
    assert entity in {m.entity for m in draft.mentions}, [m.to_json() for m in draft.mentions]


def test_spelling_variants_say_how_similar(known: list[Known]) -> None:
    draft = Drafter(known).draft("Officials of Gyeongsangbouk-do came.", Source("t"))
    m = next(m for m in draft.mentions if m.entity == "gyeongsangbuk-do")
    assert m.how.startswith("spelling close to 'Gyeongsangbuk-do' (similarity ")
    assert 0.88 <= m.score < 1.0


def test_a_demonym_or_plural_is_no_spelling_variant(seed_draft: Any) -> None:
    found = {(m.text, m.entity) for m in seed_draft.mentions}
    assert ("Cambodians", "cambodia") not in found
    assert not [m for m in seed_draft.mentions if m.text in ("Korean", "South Korean")]


def test_role_nouns_and_pronouns_are_inferred_with_a_reason(seed_draft: Any) -> None:
    by_start = {m.start: m for m in seed_draft.mentions}
    minister = by_start[ARTICLE.index("The minister asked")]
    assert (minister.text, minister.entity) == ("The minister", "heng-sour")
    assert minister.inferred and "Heng Sour is the minister" in minister.inferred
    governor = by_start[ARTICLE.index("the governor will")]
    assert governor.entity == "lee-cheol-woo" and governor.inferred
    he = by_start[ARTICLE.index("He also proposed")]
    assert he.entity == "heng-sour" and "first" in (he.inferred or "")
    for at in ("He believes", "He hopes"):
        assert by_start[ARTICLE.index(at)].entity == "pav-sina"
    short = by_start[ARTICLE.index("Lee said")]
    assert short.entity == "lee-jung-sik" and short.inferred is None
    assert short.how == "short for 'Lee Jung-sik', named earlier in the text"


def test_an_abbreviation_the_text_defines_becomes_an_alias() -> None:
    text = (
        "The Korea Labour Employment Service (KLES) met Vietnam. Later KLES asked Vietnam "
        "to send nurses."
    )
    draft = Drafter([]).draft(text, Source("t"))
    kles = [m for m in draft.mentions if m.text == "KLES"]
    assert len(kles) == 2 and len({m.entity for m in kles}) == 1
    entity = next(e for e in draft.new_entities if e.id == kles[0].entity)
    assert (entity.name, entity.type, entity.aliases) == (
        "Korea Labour Employment Service",
        "government-organization",
        ["KLES"],
    )


def test_an_abbreviation_for_a_register_entity_is_proposed_as_its_alias() -> None:
    known = [Known("kles", "government-organization", "Korea Labour Employment Service")]
    text = "The Korea Labour Employment Service (KLES) met Vietnam. Later KLES asked Vietnam."
    draft = Drafter(known).draft(text, Source("t"))
    assert [m.entity for m in draft.mentions if m.text == "KLES"] == ["kles", "kles"]
    assert [(a.entity, a.alias) for a in draft.new_aliases] == [("kles", "KLES")]
    assert all(e.id != "kles" for e in draft.new_entities)
    assert draft.to_json()["new_aliases"][0]["alias"] == "KLES"
    # An abbreviation the register already has is not proposed again.
    known = [Known("kles", "government-organization", "Korea Labour Employment Service", ("KLES",))]
    assert Drafter(known).draft(text, Source("t")).new_aliases == []


def test_new_entities_with_types_and_pycountry_codes(known: list[Known]) -> None:
    draft = Drafter(known).draft(HELD_OUT.read_text("utf-8"), Source("t"))
    new = {e.id: e for e in draft.new_entities}
    assert (new["vietnam"].type, new["vietnam"].iso3166) == ("country", "VN")
    assert (new["hanoi"].type, new["hanoi"].iso3166) == ("city", "VN-HN")
    assert new["kenji-morita"].type == "person"
    assert new["plant-protection-department"].type == "government-organization"
    # Every reference of the draft is a register id or one of the new entities.
    ids = {k.id for k in known} | set(new)
    data = draft.to_json()
    refs = [m["entity"] for m in data["mentions"]]
    for f in data["facts"]:
        refs += f["actors"] + f["addressees"] + [x for side in f["partners"] for x in side]
        refs += [f["place"]] if f["place"] else []
    assert set(refs) <= ids


def test_one_new_entity_per_name_across_texts(known: list[Known]) -> None:
    drafter = Drafter(known)
    first = drafter.draft("Deputy Minister Kenji Morita met Heng Sour.", Source("a"))
    second = drafter.draft("Later Kenji Morita met Pav Sina in Seoul.", Source("b"))
    one = [m.entity for m in first.mentions if m.text == "Kenji Morita"]
    two = [m.entity for m in second.mentions if m.text == "Kenji Morita"]
    assert one == two == ["kenji-morita"]
    assert [e.id for e in second.new_entities] == ["kenji-morita"]


# ---- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "edtf", "inferred"),
    [
        ("They met on 8 March.", "XXXX-03-08", "2024?-03-08"),
        ("They met on March 8.", "XXXX-03-08", "2024?-03-08"),
        ("They met on 1 November.", "XXXX-11-01", "2023?-11-01"),
        ("They met in 2023.", "2023", None),
        ("The report of January says so.", "XXXX-01", "2024?-01"),
        ("They will reply by September.", "XXXX-09", "2024?-09"),
        ("They met on 8 March 2019.", "2019-03-08", None),
    ],
)
def test_dates_as_edtf_with_the_year_from_the_publication(
    text: str, edtf: str, inferred: str | None
) -> None:
    draft = Drafter([]).draft(text, Source("t", published="2024-03-12"))
    assert [(d.edtf, d.inferred) for d in draft.dates] == [(edtf, inferred)]
    if inferred:
        assert draft.dates[0].reason and "2024-03-12" in draft.dates[0].reason


# ---- facts ------------------------------------------------------------------------------------


def test_the_seed_facts_have_kinds_roles_and_evidence(seed_draft: Any) -> None:
    facts = seed_draft.to_json()["facts"]
    for f in facts:
        ev = f["evidence"]
        assert ARTICLE[ev["start"] : ev["end"]] == ev["quote"]
        a, b = seed_draft.sentences[f["sentence"]]
        assert a <= ev["start"] < b
        assert f["how"] and 0 < f["score"] <= 1
    meetings = [f for f in facts if f["kind"] == "meeting"]
    assert [(m["actors"], m["date"], m["place"]) for m in meetings] == [
        (["heng-sour", "lee-jung-sik"], "XXXX-03-08", "seoul"),
        (["heng-sour", "lee-cheol-woo"], "XXXX-03-06", None),  # no place stated: none given
    ]
    requests = [f for f in facts if f["kind"] == "request"]
    assert len(requests) == 3
    assert {tuple(r["actors"]) for r in requests} == {("heng-sour",)}
    assert {tuple(r["addressees"]) for r in requests} == {("lee-jung-sik",)}
    assert [r["partners"] for r in requests] == [
        [],
        [["kosha", "comwel"], ["nssf"]],
        [["keis"], ["nea"]],
    ]
    assert [r["status"] for r in requests] == ["requested"] * 3
    examinations = [f for f in facts if f["kind"] == "examination"]
    assert [e["summary"] for e in examinations] == [
        "the possibility of providing equipment for vocational training institutions",
        "the exchange of technology",
        "the provision of fire trucks and ambulances",
    ]
    assert {tuple(e["actors"]) for e in examinations} == {("lee-cheol-woo",)}
    quote = next(f for f in facts if f["kind"] == "statement" and f["sentence"] == 4)
    assert quote["details"]["form"] == "quotation" and quote["actors"] == ["heng-sour"]
    posts = {(f["actors"][0], f["details"]["object"]) for f in facts if f["kind"] == "post"}
    assert posts == {
        ("heng-sour", "minister-of-labour-and-vocational-training"),
        ("lee-cheol-woo", "governor-of-gyeongsangbuk-do"),
        ("pav-sina", "president-of-cumw"),
    }
    counts = [f["details"] for f in facts if f["kind"] == "observation"]
    assert [(c["value"], c["sex"]) for c in counts] == [(9778, "total"), (2719, "female")]


def test_a_hope_is_no_pledge(seed_draft: Any) -> None:
    hope = ARTICLE.index("He hopes")
    kinds = [f.kind for f in seed_draft.facts if f.start <= hope < f.end]
    assert kinds == ["statement"]


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        (
            "Trade reached more than 3.5 billion US dollars in 2023.",
            {"qualifier": "more-than", "value": 3500000000, "range": None, "currency": "USD"},
        ),
        (
            "The bridge will cost between 40 and 50 million US dollars.",
            {"qualifier": None, "value": None, "range": [40000000, 50000000], "currency": "USD"},
        ),
        (
            "About 2,300 trucks cross the bridge every day.",
            {"qualifier": "about", "value": 2300, "range": None, "currency": None},
        ),
        (
            "They sent home 500 to 600 million US dollars a year.",
            {
                "qualifier": None,
                "value": None,
                "range": [500000000, 600000000],
                "unit": "money",
                "currency": "USD",
                "per": "year",
                "as_written": "500 to 600 million US dollars a year",
            },
        ),
        (
            "At least 1,200 workers were employed there.",
            {"qualifier": "at-least", "value": 1200, "as_written": "At least 1,200"},
        ),
        (
            "Fewer than 300 workers were employed there.",
            {"qualifier": "fewer-than", "value": 300, "per": None},
        ),
    ],
)
def test_counts_keep_their_qualifiers_and_currency(text: str, fields: dict[str, Any]) -> None:
    """The details carry the sheet's observation fields (seeds/README.md), never flattened."""
    (fact,) = [f for f in Drafter([]).draft(text, Source("t")).facts if f.kind == "observation"]
    assert {k: fact.details.get(k) for k in fields} == fields


def test_the_draft_is_deterministic(known: list[Known]) -> None:
    one = Drafter(known).draft(ARTICLE, Source("x")).to_json()
    two = Drafter(known).draft(ARTICLE, Source("x")).to_json()
    assert one == two


# ---- accuracy floors (the table is in bench/README.md) ----------------------------------------


@pytest.fixture(scope="module")
def accuracy() -> dict[str, dict[str, Any]]:
    return evaluate(SEEDS, TESTS)


def test_accuracy_on_the_seed_article(accuracy: dict[str, dict[str, Any]]) -> None:
    c = accuracy["ppp-cambodia-korea-labour"]
    assert c["mentions_p"] >= 0.90 and c["mentions_r"] >= 0.95, c
    assert c["facts_p"] >= 0.75 and c["facts_r"] >= 0.85, c
    assert c["dates"] == 1.0, c["dates_missed"]
    assert c["entities_r"] >= 0.75 and c["entities_p"] >= 0.75, c


@pytest.mark.parametrize("name", ["heldout-vn-jp-farming", "heldout-th-la-bridge"])
def test_accuracy_on_the_test_texts(accuracy: dict[str, dict[str, Any]], name: str) -> None:
    c = accuracy[name]
    assert c["mentions_p"] >= 0.90 and c["mentions_r"] >= 0.90, c
    assert c["facts_p"] >= 0.75 and c["facts_r"] >= 0.85, c
    assert c["dates"] == 1.0, c["dates_missed"]
    assert c["entities_r"] >= 0.85, c


@pytest.mark.parametrize("name", ["unseen-id-au-education", "unseen-kr-mn-mining"])
def test_accuracy_on_texts_never_tuned_on(accuracy: dict[str, dict[str, Any]], name: str) -> None:
    """Written after the rules were tuned and measured as they came (bench/README.md): floors
    below what they measured, so a change that makes drafting worse on new text fails."""
    c = accuracy[name]
    assert c["mentions_p"] >= 0.85 and c["mentions_r"] >= 0.75, c
    assert c["facts_p"] >= 0.75 and c["facts_r"] >= 0.75, c
    assert c["dates"] == 1.0, c["dates_missed"]


# ---- the command line ---------------------------------------------------------------------------


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    root = tmp_path / "seeds"
    shutil.copytree(SEEDS, root)
    return root


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_json_shape(capsys: pytest.CaptureFixture[str], seeds: Path) -> None:
    status, out, _ = run(
        capsys,
        "draft",
        str(HELD_OUT),
        "--id",
        "t",
        "--seeds",
        str(seeds),
        "--format",
        "json",
        "--published",
        "2024-02-16",
    )
    assert status == 0
    data = json.loads(out)
    assert {"sentences", "mentions", "new_entities", "facts"} <= set(data)
    assert set(data["sentences"][0]) == {"start", "end"}
    assert set(data["mentions"][0]) == {
        "text",
        "start",
        "end",
        "entity",
        "inferred",
        "how",
        "score",
    }
    assert set(data["new_entities"][0]) == {"id", "name", "type", "aliases"}
    assert {
        "id",
        "kind",
        "status",
        "sentence",
        "evidence",
        "actors",
        "addressees",
        "partners",
        "date",
        "place",
        "how",
        "score",
    } <= set(data["facts"][0])
    assert set(data["facts"][0]["evidence"]) == {"quote", "start", "end"}
    meeting = next(f for f in data["facts"] if f["kind"] == "meeting")
    assert (meeting["date"], meeting["place"]) == ("XXXX-02-14", "hanoi")
    assert meeting["details"]["date_inferred"] == "2024?-02-14"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\xff\xfe\x00a", "a binary file"),
        (b"Caf\xe9 au lait", "is not UTF-8"),
        (b"x" * (MAX_BYTES + 1), "the limit is 1000000 (1 MB)"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], seeds: Path, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "in.txt"
    path.write_bytes(content)
    before = sorted(p.name for p in seeds.rglob("*"))
    status, out, err = run(
        capsys, "draft", str(path), "--id", "t", "--seeds", str(seeds), "--write"
    )
    assert status == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err, err
    assert sorted(p.name for p in seeds.rglob("*")) == before


@pytest.mark.parametrize("slug", ["../outside", "a/b", "Bad_Id", ""])
def test_a_write_outside_the_seeds_is_refused(
    capsys: pytest.CaptureFixture[str], seeds: Path, slug: str
) -> None:
    before = sorted(str(p) for p in seeds.parent.rglob("*"))
    status, _, err = run(
        capsys, "draft", str(HELD_OUT), "--id", slug, "--seeds", str(seeds), "--write"
    )
    assert status == 1 and "is not a slug" in err and err.count("\n") == 1
    assert sorted(str(p) for p in seeds.parent.rglob("*")) == before


def test_a_folder_that_is_no_seeds_folder_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out, err = run(capsys, "draft", str(HELD_OUT), "--id", "t", "--seeds", str(tmp_path))
    assert status == 1 and out == ""
    assert err == f"error: {tmp_path} is not a seeds folder (it has no entities/); give --seeds\n"


def test_write_never_overwrites_without_force(
    capsys: pytest.CaptureFixture[str], seeds: Path
) -> None:
    args = ["draft", str(HELD_OUT), "--id", "vn-jp", "--seeds", str(seeds), "--write"]
    assert run(capsys, *args)[0] == 0
    sheet = seeds / "facts" / "vn-jp.yaml"
    sheet.write_text(sheet.read_text("utf-8") + "# my edits\n", "utf-8")
    status, _, err = run(capsys, *args)
    assert status == 1 and "already exist" in err and "--force" in err
    assert sheet.read_text("utf-8").endswith("# my edits\n")
    assert run(capsys, *args, "--force")[0] == 0
    assert not sheet.read_text("utf-8").endswith("# my edits\n")
    assert not list(seeds.rglob("*.tmp"))


def test_an_interrupted_write_leaves_no_half_file(
    seeds: Path, monkeypatch: pytest.MonkeyPatch, known: list[Known]
) -> None:
    from graph.build.draft import sheet as writer

    draft = Drafter(known).draft(HELD_OUT.read_text("utf-8"), Source("vn-jp"))
    calls = []

    def interrupted(src: Any, dst: Any) -> None:
        calls.append(dst)
        raise KeyboardInterrupt

    monkeypatch.setattr(writer.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        writer.write_draft(draft, seeds)
    assert calls
    assert not (seeds / "facts" / "vn-jp.yaml").exists()
    assert not [p for p in seeds.rglob("*") if p.name.startswith(".")]


# ---- the review marks ----------------------------------------------------------------------------


def accept(path: Path, keep: int | None = None) -> None:
    """Delete the review marks (of the first ``keep`` marked items only, if given)."""
    lines = path.read_text("utf-8").splitlines(keepends=True)
    out, seen, skipping = [], 0, False
    for line in lines:
        if re.match(r"^  review:$", line):
            seen += 1
            skipping = keep is None or seen <= keep
            if skipping:
                continue
        elif skipping and line.startswith("    "):
            continue
        else:
            skipping = False
        out.append(line)
    path.write_text("".join(out), "utf-8")


@pytest.mark.pipeline
@pytest.mark.pipeline
def test_drafted_items_stay_out_until_accepted(
    capsys: pytest.CaptureFixture[str], seeds: Path
) -> None:
    text = seeds.parent / "note.txt"
    text.write_text(
        "Heng Sour met Pav Sina in Seoul on 8 March. Pav Sina asked Heng Sour to train "
        "more nurses.\n",
        "utf-8",
    )
    assert run(capsys, "draft", str(text), "--id", "note", "--seeds", str(seeds), "--write")[0] == 0
    sheet = seeds / "facts" / "note.yaml"
    drafted = yaml.safe_load(sheet.read_text("utf-8"))
    assert all("review" in item for item in drafted["mentions"] + drafted["facts"])
    assert {f["kind"] for f in drafted["facts"]} == {"meeting", "request"}
    # Nothing drafted is in the graph; the build says how many items wait.
    _, sheets = load_seeds(seeds)
    note = next(s for s in sheets if s.source.id == "note")
    assert note.facts == [] and note.mentions == []
    assert len(note.pending) == len(drafted["mentions"]) + len(drafted["facts"])
    status, out, _ = run(capsys, "validate", "--seeds", str(seeds))
    assert status == 0
    listed = [line for line in out.splitlines() if "awaiting review" in line]
    assert len(listed) == len(note.pending)
    meeting_line = (
        1
        + next(
            i
            for i, line in enumerate(sheet.read_text("utf-8").splitlines())
            if "kind: meeting" in line
        )
        - 1
    )
    assert any(f"facts/note.yaml:{meeting_line}: facts[0] (meeting-" in line for line in listed), (
        listed
    )
    store = seeds.parent / "store"
    status, out, _ = run(capsys, "build", "--seeds", str(seeds), "--store", str(store))
    assert status == 0 and f"left out {len(note.pending)} drafted item(s)" in out
    # Accepting (deleting the marks) puts the facts in the graph.
    accept(sheet)
    compiled = compile_seeds(seeds, Iris("https://bilateral-kg.example/"))
    assert compiled.violations == []
    note = next(s for s in compiled.sheets if s.source.id == "note")
    assert {f.kind for f in note.facts} == {"meeting", "request"} and note.pending == []
    meeting = next(f for f in note.facts if f.kind == "meeting")
    assert (meeting.attendees, meeting.date, meeting.place) == (
        ["heng-sour", "pav-sina"],
        "XXXX-03-08",
        "seoul",
    )


def test_a_marked_entity_is_no_entity_yet(seeds: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = seeds.parent / "note.txt"
    text.write_text("Heng Sour met Kenji Morita, governor of Tokyo, in Seoul.\n", "utf-8")
    assert run(capsys, "draft", str(text), "--id", "note", "--seeds", str(seeds), "--write")[0] == 0
    accept(seeds / "facts" / "note.yaml")  # the facts, but not the new entities
    with pytest.raises(SeedError) as err:
        load_seeds(seeds)
    assert "unknown entity 'kenji-morita'" in str(err.value)
    accept(seeds / "entities" / "drafted-note.yaml")
    register, _ = load_seeds(seeds)
    assert register.entities["kenji-morita"].type == "person"


# Test data written for this test, not a real source.
NUMBERS = (
    "More than 60,000 Cambodians were working in South Korea in 2024. In 2024 they sent home "
    "500 to 600 million US dollars a year, the ministry said. The Gyeongsangbuk-do Provincial "
    "Government (GPG) welcomed them.\n"
)


@pytest.mark.pipeline  # compiles and validates a graph of its own
def test_drafted_numbers_build_qualified(seeds: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = seeds.parent / "numbers.txt"
    text.write_text(NUMBERS, "utf-8")
    assert run(capsys, "draft", str(text), "--id", "nums", "--seeds", str(seeds), "--write")[0] == 0
    sheet = seeds / "facts" / "nums.yaml"
    data = yaml.safe_load(sheet.read_text("utf-8"))
    drafted = [f for f in data["facts"] if f["kind"] == "observation"]
    assert [
        {k: f.get(k) for k in ("value", "range", "qualifier", "unit", "currency", "per")}
        for f in drafted
    ] == [
        {"value": 60000, "range": None, "qualifier": "more-than", "unit": "persons",
         "currency": None, "per": None},
        {"value": None, "range": [500000000, 600000000], "qualifier": None, "unit": "money",
         "currency": "USD", "per": "year"},
    ]  # fmt: skip
    assert [f["as_written"] for f in drafted] == [
        "More than 60,000",
        "500 to 600 million US dollars a year",
    ]
    # The reviewer completes what the text does not say, and accepts the observations only.
    for f in drafted:
        del f["review"]
        f |= {"dataset": "cambodian-workers-in-south-korea", "origin": "cambodia"}
        f |= {"destination": "south-korea", "population": f["population"] or "money sent home"}
    data["facts"] = drafted
    data["mentions"] = []
    sheet.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    compiled = compile_seeds(seeds, Iris("https://bilateral-kg.example/"))
    assert compiled.violations == []
    rows = select(
        memory_store(compiled.nquads),
        """SELECT ?obs ?exact ?min ?max ?qualifier ?currency ?per WHERE {
            ?obs a qb:Observation ; bkg:asWritten ?words .
            OPTIONAL { ?obs sdmxm:obsValue ?exact } OPTIONAL { ?obs schema:minValue ?min }
            OPTIONAL { ?obs schema:maxValue ?max } OPTIONAL { ?obs bkg:valueQualifier ?qualifier }
            OPTIONAL { ?obs schema:currency ?currency } OPTIONAL { ?obs bkg:per ?per }
        } ORDER BY ?min""",
    )
    got = [
        (r["obs"].rsplit("/", 1)[-1], r["exact"], r["min"], r["max"], r["qualifier"], r["currency"],
         r["per"])
        for r in rows
    ]  # fmt: skip
    ids = [f["id"] for f in drafted]
    assert got == [
        (ids[0], None, 60000, None, "more-than", None, None),
        (ids[1], None, 500000000, 600000000, "range", "USD", "year"),
    ]


def test_an_abbreviation_for_a_register_entity_is_written_as_an_alias_proposal(
    seeds: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = seeds.parent / "numbers.txt"
    text.write_text(NUMBERS, "utf-8")
    status, _, err = run(
        capsys, "draft", str(text), "--id", "nums", "--seeds", str(seeds), "--write"
    )
    assert status == 0 and "entities and 1 aliases await review" in err
    proposals = seeds / "entities" / "drafted-nums.yaml"
    aliases = yaml.safe_load(proposals.read_text("utf-8"))["aliases"]
    assert [(a["entity"], a["alias"]) for a in aliases] == [("gyeongsangbuk-do-government", "GPG")]
    assert "abbreviation the text defines" in aliases[0]["review"]["reason"]
    register, _ = load_seeds(seeds)  # still marked: not in the register
    assert "GPG" not in register.entities["gyeongsangbuk-do-government"].aliases
    accept(proposals)
    register, _ = load_seeds(seeds)
    assert "GPG" in register.entities["gyeongsangbuk-do-government"].aliases
