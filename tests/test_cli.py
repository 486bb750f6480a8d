"""End-to-end tests of the ``namematch`` command line, run in a subprocess.

Each test runs ``python -m namematch.cli`` in a fresh temporary directory and checks what a
user sees: the exit code, stdout parsed back as TSV/CSV/JSON lines, and stderr.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import namematch
from namematch.cli import _formatter

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds" / "names.txt"
COLUMNS = ["name", "entity", "canonical", "score"]

@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test (and so every subprocess) inside its own temporary directory."""
    monkeypatch.chdir(tmp_path)


def run(*args: str, input: bytes | str | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run ``namematch ARGS`` in the current (temporary) directory; output stays bytes."""
    data = input.encode("utf-8") if isinstance(input, str) else input
    return subprocess.run(
        [sys.executable, "-m", "namematch.cli", *args],
        input=data,
        capture_output=True,
        timeout=120,
        cwd=Path.cwd(),
        check=False,
    )


def write(name: str, content: bytes | str) -> str:
    """Write a file in the current directory and return its (relative) name."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    Path(name).write_bytes(data)
    return name


def table(stdout: bytes, fmt: str = "tsv") -> list[list[str]]:
    """Parse TSV/CSV output with the csv module; check and drop the header row."""
    text = stdout.decode("utf-8")
    delimiter = "\t" if fmt == "tsv" else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    assert rows[0] == COLUMNS
    return rows[1:]


def ok(proc: subprocess.CompletedProcess[bytes]) -> bytes:
    """Assert a run succeeded quietly and return its stdout."""
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert proc.stderr == b""
    return proc.stdout


def lines_of(text: str) -> list[str]:
    """Split text the way the CLI does: at ``\\n`` only, no trailing empty line."""
    return text.removesuffix("\n").split("\n")


def partition(rows: list[list[str]]) -> set[frozenset[str]]:
    """The grouping of names by entity (blank rows left out)."""
    groups: dict[str, set[str]] = {}
    for name, entity, _canonical, _score in rows:
        if entity:
            groups.setdefault(entity, set()).add(name)
    return {frozenset(g) for g in groups.values()}


# --- errors: one line on stderr, no traceback, documented exit code ------------------------

ERROR_CASES = [
    # (id, files to create (None: a directory), arguments, exit code, pattern in the line)
    ("missing-file", {}, ["resolve", "missing.txt"], 1, r"missing\.txt"),
    ("directory", {"names_dir": None}, ["resolve", "names_dir"], 1, r"names_dir"),
    (
        "invalid-utf8",
        {"names.txt": b"Ahmed\n\xff\xfe\n"},
        ["resolve", "names.txt"],
        1,
        r"names\.txt:2\b.*UTF-8",
    ),
    (
        "alias-invalid-yaml",
        {"names.txt": b"Ahmed\n", "bad.yaml": b"parts: [a, b\n"},
        ["resolve", "names.txt", "--aliases", "bad.yaml"],
        1,
        r"bad\.yaml:\d",
    ),
    (
        "alias-schema-group",
        {"names.txt": b"Ahmed\n", "schema.yaml": b"parts: [[Ahmed]]\n"},
        ["resolve", "names.txt", "--aliases", "schema.yaml"],
        1,
        r"schema\.yaml",
    ),
    (
        "alias-schema-scalar",
        {"names.txt": b"Ahmed\n", "scalar.yaml": b"parts: 3\n"},
        ["resolve", "names.txt", "--aliases", "scalar.yaml"],
        1,
        r"scalar\.yaml",
    ),
    (
        "alias-duplicate-key",
        {"names.txt": b"Ahmed\n", "dup.yaml": b"names: [[A B, C D]]\nnames: [[E F, G H]]\n"},
        ["resolve", "names.txt", "--aliases", "dup.yaml"],
        1,
        r"dup\.yaml:2: .*duplicate key 'names' \(first on line 1\)",
    ),
    (
        "alias-missing",
        {"names.txt": b"Ahmed\n"},
        ["resolve", "names.txt", "--aliases", "nowhere.yaml"],
        1,
        r"nowhere\.yaml",
    ),
    (
        "unknown-format",
        {"names.txt": b"Ahmed\n"},
        ["resolve", "names.txt", "--format", "xml"],
        2,
        r"xml",
    ),
    (
        "bad-threshold",
        {"names.txt": b"Ahmed\n"},
        ["resolve", "names.txt", "--threshold", "2"],
        2,
        r"threshold",
    ),
    (
        "bad-jobs",
        {"names.txt": b"Ahmed\n"},
        ["resolve", "names.txt", "--jobs", "many"],
        2,
        r"jobs",
    ),
]


@pytest.mark.parametrize(
    ("files", "args", "code", "pattern"),
    [pytest.param(*case[1:], id=case[0]) for case in ERROR_CASES],
)
def test_error_is_one_line(
    files: dict[str, bytes | None], args: list[str], code: int, pattern: str
) -> None:
    """Bad input, data or usage: exactly one non-empty stderr line naming the culprit."""
    for name, content in files.items():
        if content is None:
            Path(name).mkdir()
        else:
            write(name, content)
    proc = run(*args)
    stderr = proc.stderr.decode("utf-8")
    assert proc.returncode == code != 0
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].strip()
    assert re.search(pattern, lines[0]), lines[0]
    assert proc.stdout == b""


# --- line handling -------------------------------------------------------------------------


def test_no_final_newline() -> None:
    """The last line counts even without a newline after it."""
    write("names.txt", b"Ahmed al-Mesmari\nAli Khamenei")
    rows = table(ok(run("resolve", "names.txt")))
    assert [r[0] for r in rows] == ["Ahmed al-Mesmari", "Ali Khamenei"]


def test_crlf_line_endings() -> None:
    """CRLF endings are dropped: no CR left in the names or anywhere in the output."""
    write("names.txt", b"Ahmed al-Mesmari\r\nAli Khamenei\r\n")
    out = ok(run("resolve", "names.txt"))
    assert b"\r" not in out
    assert [r[0] for r in table(out)] == ["Ahmed al-Mesmari", "Ali Khamenei"]


def test_utf8_bom_dropped() -> None:
    """A UTF-8 BOM at the start of the file is not part of the first name."""
    write("names.txt", b"\xef\xbb\xbfAhmed al-Mesmari\nAhmed al-Mismari\n")
    rows = table(ok(run("resolve", "names.txt")))
    assert [r[0] for r in rows] == ["Ahmed al-Mesmari", "Ahmed al-Mismari"]
    assert rows[0][1] == rows[1][1]


def test_blank_line_keeps_its_row() -> None:
    """A blank line in the middle gives a row of empty cells, separators included."""
    write("names.txt", "Ahmed al-Mesmari\n\nAli Khamenei\n")
    out = ok(run("resolve", "names.txt")).decode("utf-8")
    lines = lines_of(out)
    assert len(lines) == 4
    assert lines[2] == "\t\t\t"
    assert [r[0] for r in table(out.encode("utf-8"))] == ["Ahmed al-Mesmari", "", "Ali Khamenei"]


@pytest.mark.parametrize(
    "sep",
    [
        pytest.param("\r", id="lone-CR"),
        pytest.param("\u2028", id="U+2028"),
        pytest.param("\u0085", id="U+0085"),
        pytest.param("\f", id="form-feed"),
    ],
)
def test_other_breaks_stay_inside_name(sep: str) -> None:
    """Only LF splits lines: other line-break characters stay in the name (csv read-back)."""
    names = [f"Ahmed{sep}al-Mesmari", "Ali Khamenei"]
    write("names.txt", "\n".join(names) + "\n")
    rows = table(ok(run("resolve", "names.txt")))
    assert [r[0] for r in rows] == names


def test_lone_cr_does_not_split_row() -> None:
    """A lone CR in a line stays in that line's row (raw bytes: one LF-ended row per line)."""
    write("names.txt", b"Ahmed\ral-Mesmari\nAli Khamenei\n")
    out = ok(run("resolve", "names.txt"))
    lines = out.removesuffix(b"\n").split(b"\n")
    assert len(lines) == 3
    assert lines[1].startswith(b'"Ahmed\ral-Mesmari"\t')  # quoted, so readers keep it whole
    assert lines[2].startswith(b"Ali Khamenei\t")


def test_one_row_per_line_in_order() -> None:
    """Every input line, duplicates and blanks included, gives one row, in input order."""
    names = lines_of(SEEDS.read_text(encoding="utf-8"))
    names = ["", *names[:20], "", "Sistani", "Sistani", "a\u2028b", "x\fy", "", *names[20:]]
    write("names.txt", "\n".join(names))
    rows = table(ok(run("resolve", "names.txt")))
    assert [r[0] for r in rows] == names
    assert all(len(r) == len(COLUMNS) for r in rows)


# --- read-back of TSV and CSV ----------------------------------------------------------------

TRICKY = [
    pytest.param("Ahmed\tal-Mesmari", id="tab"),
    pytest.param("Mesmari, Ahmed", id="comma"),
    pytest.param('Ahmed "the spokesman" al-Mesmari', id="quote"),
    pytest.param('"', id="lone-quote"),
    pytest.param("Ahmed\ral-Mesmari", id="CR"),
]


@pytest.mark.parametrize("fmt", ["tsv", "csv"])
@pytest.mark.parametrize("name", TRICKY)
def test_read_back(fmt: str, name: str) -> None:
    """Names with delimiters, quotes or CR come back unchanged through the csv module."""
    names = ["Ali Khamenei", name, "Ahmed al-Mismari"]
    write("names.txt", "\n".join(names) + "\n")
    rows = table(ok(run("resolve", "names.txt", "--format", fmt)), fmt)
    assert [r[0] for r in rows] == names
    assert all(len(r) == len(COLUMNS) for r in rows)


FORMULAS = ["=HYPERLINK(1)", "+1", "-2", "@x"]


@given(st.lists(st.text(alphabet='ab \t,"\r\n=é', max_size=5), min_size=1, max_size=5),
       st.sampled_from(["tsv", "csv"]))
def test_a_row_is_written_as_the_csv_module_writes_it(fields: list[str], fmt: str) -> None:
    """A row's line is the csv module's (quoting every cell when one holds a lone \\r,
    which readers would split at), whether or not the writer was needed to make it."""
    buffer = io.StringIO()
    quoting = csv.QUOTE_ALL if any("\r" in f for f in fields) else csv.QUOTE_MINIMAL
    csv.writer(buffer, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\n",
               quoting=quoting).writerow(fields)
    assert _formatter(fmt)(fields) == buffer.getvalue()


def test_csv_guards_formulas() -> None:
    """In CSV a cell starting with = + - @ gets a leading ' so spreadsheets do not run it."""
    write("names.txt", "\n".join(["Ali Khamenei", *FORMULAS]) + "\n")
    rows = table(ok(run("resolve", "names.txt", "--format", "csv")), "csv")
    assert [r[0] for r in rows] == ["Ali Khamenei", *("'" + f for f in FORMULAS)]
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), row


def test_tsv_keeps_formulas() -> None:
    """TSV is for programs: formula-like names are written unchanged."""
    write("names.txt", "\n".join(["Ali Khamenei", *FORMULAS]) + "\n")
    rows = table(ok(run("resolve", "names.txt", "--format", "tsv")))
    assert [r[0] for r in rows] == ["Ali Khamenei", *FORMULAS]


# --- JSON lines ----------------------------------------------------------------------------


def test_jsonl() -> None:
    """One JSON object per input line with the four columns; a blank line has entity ""."""
    names = ["Ahmed al-Mesmari", "", "Ahmed al-Mismari", "Ahmed\u2028x"]
    write("names.txt", "\n".join(names) + "\n")
    out = ok(run("resolve", "names.txt", "--format", "jsonl")).decode("utf-8")
    records = [json.loads(line) for line in lines_of(out)]
    assert len(records) == len(names)
    assert all(list(r) == COLUMNS for r in records)
    assert [r["name"] for r in records] == names
    assert records[1]["entity"] == ""
    assert records[1]["canonical"] == ""
    assert records[0]["entity"] and records[0]["entity"] == records[2]["entity"]
    assert isinstance(records[0]["score"], float)


# --- stdin ---------------------------------------------------------------------------------


def test_stdin_dash() -> None:
    """``resolve -`` reads the names from stdin."""
    out = ok(run("resolve", "-", input="Ahmed al-Mesmari\nAhmed al-Mismari\nAli Khamenei\n"))
    rows = table(out)
    assert [r[0] for r in rows] == ["Ahmed al-Mesmari", "Ahmed al-Mismari", "Ali Khamenei"]
    assert rows[0][1] == rows[1][1] != rows[2][1]


def test_stdin_invalid_utf8() -> None:
    """Bad bytes on stdin are one error line labelled <stdin>."""
    proc = run("resolve", "-", input=b"Ahmed\n\xff\n")
    stderr = proc.stderr.decode("utf-8")
    assert proc.returncode == 1
    assert stderr.splitlines() == [stderr.strip()]
    assert "<stdin>:2" in stderr


# --- determinism ---------------------------------------------------------------------------


def test_same_input_same_bytes() -> None:
    """Two runs on the same input give byte-identical output."""
    first = ok(run("resolve", str(SEEDS)))
    second = ok(run("resolve", str(SEEDS)))
    assert first == second


def test_partition_independent_of_order() -> None:
    """Shuffling the input lines does not change which names are grouped together."""
    names = lines_of(SEEDS.read_text(encoding="utf-8"))
    shuffled = names[:]
    random.Random(20240611).shuffle(shuffled)
    assert shuffled != names
    write("a.txt", "\n".join(names) + "\n")
    write("b.txt", "\n".join(shuffled) + "\n")
    rows_a = table(ok(run("resolve", "a.txt")))
    rows_b = table(ok(run("resolve", "b.txt")))
    assert [r[0] for r in rows_b] == shuffled
    assert partition(rows_a) == partition(rows_b)


# --- the seed names ------------------------------------------------------------------------


@pytest.fixture
def seeds() -> dict[str, str]:
    """Resolve seeds/names.txt through the CLI: name -> entity, one row per line checked."""
    names = lines_of(SEEDS.read_text(encoding="utf-8"))
    rows = table(ok(run("resolve", str(SEEDS))))
    assert [r[0] for r in rows] == names
    entity: dict[str, str] = {}
    for name, ent, _canonical, _score in rows:
        assert entity.setdefault(name, ent) == ent  # a repeated name keeps its entity
    return entity


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Ahmed al-Mismari", "Brigadier General Ahmed al-Mesmari"),
        ("Ghosri", "Brigadier Mohammed al-Ghosri"),
        ("Moammar Gadhafi", "Moammar al-Gaddafi"),
    ],
)
def test_seeds_same_entity(seeds: dict[str, str], a: str, b: str) -> None:
    """Spelling variants in the seed articles resolve to one entity."""
    assert seeds[a] and seeds[a] == seeds[b]


def test_seeds_different_entities(seeds: dict[str, str]) -> None:
    """Two different ayatollahs sharing a given name stay apart."""
    assert seeds["Ali al-Sistani"] != seeds["Ali Khamenei"]


# --- user aliases --------------------------------------------------------------------------


def test_user_aliases_join_names() -> None:
    """A user ``names`` group links two names the rules alone keep apart."""
    write("names.txt", "Hussein Moanes\nAbu Ali al-Askari\n")
    write("mine.yaml", 'names: [["Hussein Moanes", "Abu Ali al-Askari"]]\n')
    without = table(ok(run("resolve", "names.txt")))
    assert without[0][1] != without[1][1]
    with_aliases = table(ok(run("resolve", "names.txt", "--aliases", "mine.yaml")))
    assert with_aliases[0][1] == with_aliases[1][1]


def test_user_aliases_preferred_form_is_the_canonical_name() -> None:
    """A ``names`` group with ``preferred`` names the entity, and its members score 1.0."""
    write("names.txt", "Abu Ali al-Askari\nHussein Moanes\nAbu Ali al-Askari\n")
    write("mine.yaml", "names:\n  - preferred: Hussein Moanes\n    names: [Abu Ali al-Askari]\n")
    rows = table(ok(run("resolve", "names.txt", "--aliases", "mine.yaml")))
    assert {(r[2], r[3]) for r in rows} == {("Hussein Moanes", "1.000")}
    assert len({r[1] for r in rows}) == 1


# --- compare, keys, --version, --help ------------------------------------------------------


def test_compare_match() -> None:
    """``compare`` explains a match between two spellings of one name."""
    out = ok(run("compare", "Abdul Razek al-Nadoori", "Abdelrazzak al-Nadhouri"))
    assert out.decode("utf-8").startswith("match")


def test_keys() -> None:
    """``keys`` prints the name's phonetic part keys, one per line."""
    out = ok(run("keys", "Moammar al-Gaddafi")).decode("utf-8")
    assert any(line.startswith("p:") for line in out.splitlines())


def test_version() -> None:
    """``--version`` prints the program name, a version number and the build."""
    out = ok(run("--version")).decode("utf-8")
    build = "compiled" if namematch.compiled() else "pure Python"
    assert re.fullmatch(rf"namematch \d+\.\d+\S* \({build}\)\n", out), out


def test_help() -> None:
    """``--help`` lists the resolve command and shows examples."""
    out = ok(run("--help")).decode("utf-8")
    assert "resolve" in out
    assert "examples" in out


# --- progress ------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [[], ["-q"]], ids=["default", "quiet"])
def test_no_progress_when_stderr_not_a_tty(extra: list[str]) -> None:
    """With stderr captured (not a terminal) a successful run writes nothing to stderr."""
    proc = run("resolve", str(SEEDS), *extra)
    assert proc.returncode == 0
    assert proc.stderr == b""
    assert proc.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_progress_on_a_terminal_and_quiet_silences_it() -> None:
    """With stderr a terminal, the stages' progress shows there and stdout is unchanged;
    -q silences it."""
    from terminal import run_at_terminal

    expected = ok(run("resolve", str(SEEDS)))
    status, out, seen = run_at_terminal("resolve", str(SEEDS), cwd=Path.cwd())
    assert status == 0 and out == expected
    for stage in (b"normalize", b"parse", b"keys", b"pairs", b"compare", b"cluster"):
        assert b"namematch: " + stage in seen
    status, out, seen = run_at_terminal("resolve", str(SEEDS), "-q", cwd=Path.cwd())
    assert status == 0 and out == expected and seen == b""


def test_jobs_give_the_same_output() -> None:
    """-j 2 compares in two processes, the default in one per core; the output is
    byte-identical to one process."""
    one = ok(run("resolve", str(SEEDS), "-j", "1"))
    assert ok(run("resolve", str(SEEDS), "-j", "2")) == one
    assert ok(run("resolve", str(SEEDS))) == one


# --- tables: --column, --input-format, -o --------------------------------------------------

PEOPLE = (
    'id,name,source\n'
    '1,"Mesmari, Ahmed",news\n'
    '2,Ahmed al-Mismari,"wire, evening"\n'
    '3,أحمد المسماري,ar\n'
    '4,"Hassan ""the elder"" Nasrallah",news\n'
    '5,,empty\n'
    '6,Brig. Gen. Ahmed al-Mesmari,=cmd()\n'
)
PEOPLE_NAMES = ["Mesmari, Ahmed", "Ahmed al-Mismari", "أحمد المسماري",
                'Hassan "the elder" Nasrallah', "", "Brig. Gen. Ahmed al-Mesmari"]


def records(stdout: bytes, fmt: str = "csv") -> list[list[str]]:
    return list(csv.reader(io.StringIO(stdout.decode("utf-8"), newline=""),
                           delimiter="\t" if fmt == "tsv" else ","))


def test_column_round_trip_keeps_the_input_columns() -> None:
    """A CSV with quoted commas, doubled quotes and an Arabic name: each record comes back
    with its own fields, then the entity, canonical name and score its name resolves to."""
    write("people.csv", PEOPLE)
    write("names.txt", "\n".join(PEOPLE_NAMES) + "\n")
    rows = records(ok(run("resolve", "people.csv", "--column", "name", "--format", "csv")))
    assert rows[0] == ["id", "name", "source", "entity", "canonical", "score"]
    source = list(csv.reader(io.StringIO(PEOPLE, newline="")))
    assert [r[:3] for r in rows[1:-1]] == source[1:-1]
    assert rows[-1][:3] == ["6", "Brig. Gen. Ahmed al-Mesmari", "'=cmd()"]  # guarded
    by_lines = table(ok(run("resolve", "names.txt", "--format", "csv")), "csv")
    assert [r[3:] for r in rows[1:]] == [r[1:] for r in by_lines]
    assert rows[1][3] == rows[2][3] == rows[3][3] == rows[6][3] != rows[4][3]
    assert rows[5][3:] == ["", "", ""]


def test_column_by_number_tsv_by_suffix_and_stdin() -> None:
    write("people.csv", PEOPLE)
    by_name = ok(run("resolve", "people.csv", "--column", "name"))
    assert ok(run("resolve", "people.csv", "--column", "2")) == by_name
    assert ok(run("resolve", "-", "--input-format", "csv", "--column", "name",
                  input=PEOPLE)) == by_name
    write("simple.tsv", "name\tn\nAhmed al-Mesmari\t1\nAhmed al-Mismari\t2\n")
    out = records(ok(run("resolve", "simple.tsv", "--column", "name")), "tsv")
    assert out[0] == ["name", "n", "entity", "canonical", "score"]
    assert out[1][2] == out[2][2] != ""


def test_table_as_jsonl_and_blank_lines_in_one_column() -> None:
    write("one.csv", "who\nAhmed al-Mesmari\n\nAhmed al-Mismari\n")
    out = ok(run("resolve", "one.csv", "--column", "who", "--format", "jsonl"))
    objects = [json.loads(line) for line in out.decode("utf-8").splitlines()]
    assert [list(o) for o in objects] == [["who", "entity", "canonical", "score"]] * 3
    assert [o["who"] for o in objects] == ["Ahmed al-Mesmari", "", "Ahmed al-Mismari"]
    assert objects[1]["score"] is None and objects[1]["entity"] == ""
    assert objects[0]["entity"] == objects[2]["entity"]


def test_a_csv_file_read_as_lines_on_request() -> None:
    write("names.csv", "Ahmed al-Mesmari\nAhmed al-Mismari\n")
    rows = table(ok(run("resolve", "names.csv", "--input-format", "lines")))
    assert [r[0] for r in rows] == ["Ahmed al-Mesmari", "Ahmed al-Mismari"]


TABLE_ERRORS = [
    # (id, file content, arguments, exit code, pattern in the one line)
    ("csv-without-column", PEOPLE, ["people.csv"], 2, r"--column NAME_OR_NUMBER.*see --help"),
    ("column-on-lines", "Ahmed\n", ["people.txt", "--column", "name"], 2, r"--column needs"),
    ("unknown-column", PEOPLE, ["people.csv", "--column", "who"], 1,
     r"people\.csv: no column 'who': the header has 'id', 'name', 'source'"),
    ("column-number-too-big", PEOPLE, ["people.csv", "--column", "4"], 1, r"no column '4'"),
    ("too-few-fields", "id,name\n1,Ali\n2\n", ["people.csv", "--column", "name"], 1,
     r"people\.csv:3: record 2 has 1 field, the header 2$"),
    ("too-many-fields", "id,name\n1,Ali,x\n", ["people.csv", "--column", "name"], 1,
     r"people\.csv:2: record 1 has 3 fields, the header 2$"),
    ("blank-line-in-two-columns", "id,name\n1,Ali\n\n3,Omar\n",
     ["people.csv", "--column", "name"], 1, r"people\.csv:3: record 2 has 1 field"),
    ("bad-quoting", 'id,name\n1,Ali\n2,"Omar"x\n', ["people.csv", "--column", "name"], 1,
     r"people\.csv:3: record 2: malformed CSV \("),
    ("unclosed-quote", 'id,name\n1,Ali\n2,"Omar\n3,Zaid\n',
     ["people.csv", "--column", "name"], 1, r"people\.csv:3: record 2: malformed CSV"),
    ("empty-table", "", ["people.csv", "--column", "name"], 1, r"header row is missing"),
    ("header-clash", "name,entity\nAli,x\n", ["people.csv", "--column", "name"], 1,
     r"already has a column 'entity'"),
    ("duplicate-header", "name,name\nAli,Omar\n", ["people.csv", "--column", "name"], 1,
     r"column 'name' is in the header 2 times"),
    ("table-not-utf8", b"id,name\n1,\xff\n", ["people.csv", "--column", "name"], 1,
     r"people\.csv:2: not valid UTF-8"),
    ("output-into-missing-folder", PEOPLE,
     ["people.csv", "--column", "name", "-o", "nowhere/out.csv"], 1, r"nowhere/out\.csv"),
    ("output-is-a-folder", PEOPLE, ["people.csv", "--column", "name", "-o", "."], 1,
     r"is a directory"),
]


@pytest.mark.parametrize(("content", "args", "code", "pattern"),
                         [pytest.param(*c[1:], id=c[0]) for c in TABLE_ERRORS])
@pytest.mark.parametrize("to_file", [False, True], ids=["stdout", "output-file"])
def test_table_errors_are_one_line_and_write_nothing(
    content: str | bytes, args: list[str], code: int, pattern: str, to_file: bool
) -> None:
    """Each bad table or option: one line, its exit status, no output, no file left."""
    write(args[0], content)
    before = sorted(p.name for p in Path.cwd().iterdir())
    if to_file and "-o" not in args:
        args = [*args, "-o", "out.tsv"]
    proc = run("resolve", *args)
    stderr = proc.stderr.decode("utf-8")
    assert proc.returncode == code, stderr
    assert "Traceback" not in stderr
    assert len(stderr.splitlines()) == 1, stderr
    assert re.search(pattern, stderr), stderr
    assert proc.stdout == b""
    assert sorted(p.name for p in Path.cwd().iterdir()) == before  # no file, no temp file


def test_output_file_is_the_stdout_output_and_replaces_the_old_one() -> None:
    write("names.txt", "Ahmed al-Mesmari\nAhmed al-Mismari\n")
    write("out.tsv", "old\n")
    mask = os.umask(0o022)
    os.umask(mask)
    expected = ok(run("resolve", "names.txt"))
    proc = run("resolve", "names.txt", "-o", "out.tsv")
    assert ok(proc) == b""
    assert Path("out.tsv").read_bytes() == expected
    assert Path("out.tsv").stat().st_mode & 0o777 == 0o666 & ~mask  # not mkstemp's 0o600
    assert sorted(p.name for p in Path.cwd().iterdir()) == ["names.txt", "out.tsv"]
    write("people.csv", PEOPLE)
    ok(run("resolve", "people.csv", "--column", "name", "--format", "csv", "--output",
           "resolved.csv"))
    assert Path("resolved.csv").read_bytes() == ok(
        run("resolve", "people.csv", "--column", "name", "--format", "csv"))


def test_failed_run_leaves_the_old_output_file_alone() -> None:
    write("bad.csv", "id,name\n1,Ali\n2\n")
    write("out.csv", "keep me\n")
    proc = run("resolve", "bad.csv", "--column", "name", "-o", "out.csv")
    assert proc.returncode == 1
    assert Path("out.csv").read_text(encoding="utf-8") == "keep me\n"
    assert sorted(p.name for p in Path.cwd().iterdir()) == ["bad.csv", "out.csv"]


# --- compare explains every verdict ----------------------------------------------------------

COMPARE_CASES = [
    # (a, b, decision, part lines expected as (kind, a, b))
    ("Hassan Nasrallah", "Hussein Nasrallah", "no-match",
     [("differ", "hassan", "hussein"), ("same", "nasrallah", "nasrallah")]),
    ("Saadi Gaddafi", "Muammar Gaddafi", "no-match",
     [("conflict", "saadi", "muammar"), ("same", "gaddafi", "gaddafi")]),
    ("Ghosri", "Ahmed al-Mesmari", "no-match",
     [("extra", "-", "ahmed"), ("conflict", "ghosri", "al-mesmari")]),
    ("Moammar Gadhafi", "Muammar al-Qaddafi", "match",
     [("same", "moammar", "muammar"), ("same", "gadhafi", "al-qaddafi")]),
]


@pytest.mark.parametrize(("a", "b", "decision", "parts"), COMPARE_CASES)
def test_compare_explains_every_verdict(
    a: str, b: str, decision: str, parts: list[tuple[str, str, str]]
) -> None:
    """A line per part, even when a rule decided before aligning; the threshold shown."""
    lines = ok(run("compare", a, b)).decode("utf-8").splitlines()
    assert lines[0].startswith(f"{decision} (score ")
    assert ", threshold 0.80): " in lines[0]
    shown = [tuple(line.split()[:3]) for line in lines[1:-1]]
    assert shown == parts
    for line in lines[1:-1]:
        assert re.search(r" sim \d\.\d\d  weight \d\.\d\d$", line), line
    assert lines[-1].strip() == ("parts agree from similarity 0.78, conflict below 0.60; "
                                 "names match from score 0.80")
    assert "threshold 0.90" in ok(run("compare", a, b, "--threshold", "0.9")).decode()


@pytest.mark.parametrize(("a", "b", "code"), [
    ("Moammar Gadhafi", "Muammar al-Qaddafi", 0),
    ("Hassan Nasrallah", "Hussein Nasrallah", 1),
])
def test_compare_exit_code(a: str, b: str, code: int) -> None:
    """--exit-code: 0 match, 1 no-match; without it, 0 either way."""
    proc = run("compare", "--exit-code", a, b)
    assert proc.returncode == code and proc.stderr == b""
    assert proc.stdout.decode("utf-8").startswith("match" if code == 0 else "no-match")
    assert ok(run("compare", a, b)) == proc.stdout


def test_compare_exit_code_error_is_not_a_no_match() -> None:
    """An error under --exit-code exits 2 (one line), never the no-match status 1."""
    proc = run("compare", "--exit-code", "Ali", "Omar", "--aliases", "missing.yaml")
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1 and b"missing.yaml" in proc.stderr
    assert run("compare", "Ali", "Omar", "--aliases", "missing.yaml").returncode == 1
