"""The public API checks its input: one row per name, or one InputError naming the culprit.

``namematch.resolve`` takes any iterable of str (list, tuple, generator, pandas Series);
missing values (None, NaN, pandas NA) are blank names; anything else is an InputError that
names the index and the type. Options are checked in the library, not only in the CLI.
"""

from __future__ import annotations

import inspect
import math
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import name_part

import namematch
from namematch import InputError, NamematchError, compare, keys, load_aliases, parse, resolve

BLANK = ("", "", 0.0)


def rows_of(names: object, **options: object) -> list[tuple[str, str, str, float]]:
    return [(r.name, r.entity, r.canonical, r.score)
            for r in resolve(names, **options)]  # type: ignore[arg-type]


# --- what resolve takes --------------------------------------------------------------------

NAMES = ["Ahmed al-Mesmari", "Mesmari", "Ahmed al-Mismari", "Hassan Nasrallah"]


@pytest.mark.parametrize("wrap", [list, tuple, iter, lambda ns: (n for n in ns), dict.fromkeys],
                         ids=["list", "tuple", "iterator", "generator", "dict"])
def test_any_iterable_of_str(wrap: object) -> None:
    assert rows_of(wrap(NAMES)) == rows_of(NAMES)  # type: ignore[operator]


def test_pandas_series_with_missing_values() -> None:
    pd = pytest.importorskip("pandas")
    series = pd.Series([*NAMES, None, float("nan"), pd.NA], dtype=object)
    rows = rows_of(series)
    assert rows[: len(NAMES)] == rows_of(NAMES)
    assert rows[len(NAMES):] == [("", *BLANK)] * 3
    assert rows_of(pd.Series(NAMES, dtype="string")) == rows_of(NAMES)


def test_missing_values_are_blank_rows() -> None:
    """None and NaN give the row a blank line gives, and change nothing else."""
    got = rows_of([None, NAMES[0], float("nan"), *NAMES[1:], ""])
    want = rows_of(["", NAMES[0], "", *NAMES[1:], ""])
    assert got == want
    assert got[0] == ("", *BLANK)


def test_str_subclass_is_a_str() -> None:
    class Text(str):
        pass

    assert rows_of([Text(n) for n in NAMES]) == rows_of(NAMES)


@pytest.mark.parametrize(("names", "message"), [
    ("Ali Khamenei", "names is a single str: pass a list of names"),
    (b"Ali", "names is bytes"),
    (5, "names must be an iterable of str; got int"),
    (None, "names must be an iterable of str; got NoneType"),
    (["Ali", 3], "name 1 is int 3, not a str"),
    (["Ali", "Hassan", b"x"], "name 2 is bytes b'x', not a str"),
    ([["Ali"]], "name 0 is list ['Ali'], not a str"),
    (["Ali", 1.5], "name 1 is float 1.5, not a str"),
    (["x" * 80, {"Ali"}], "name 1 is set {'Ali'}, not a str"),
])
def test_bad_names_are_input_errors(names: object, message: str) -> None:
    with pytest.raises(InputError) as caught:
        resolve(names)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_long_bad_value_is_shortened_in_the_message() -> None:
    with pytest.raises(InputError, match=r"name 0 is bytes b'x{30,}\.\.\., not a str$"):
        resolve([b"x" * 500])  # type: ignore[list-item]


@pytest.mark.parametrize(("options", "message"), [
    ({"threshold": 5.0}, "threshold must be a number from 0 to 1; got 5.0"),
    ({"threshold": -0.1}, "threshold must be a number from 0 to 1"),
    ({"threshold": math.nan}, "threshold must be a number from 0 to 1; got nan"),
    ({"threshold": "0.9"}, "threshold must be a number from 0 to 1; got '0.9'"),
    ({"threshold": True}, "threshold must be a number"),
    ({"max_bucket": 0}, "max_bucket must be a whole number, 1 or more; got 0"),
    ({"max_bucket": 2.5}, "max_bucket must be a whole number"),
    ({"jobs": 0}, "jobs must be a whole number, 1 or more; got 0"),
    ({"jobs": "2"}, "jobs must be a whole number"),
    ({"aliases": "my.yaml"}, "aliases must be an AliasTable (see load_aliases) or None; got str"),
    ({"progress": 3}, "progress must be a function or None; got int"),
])
def test_bad_options_are_input_errors(options: dict[str, object], message: str) -> None:
    with pytest.raises(InputError) as caught:
        resolve(NAMES, **options)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize("threshold", [0, 1, 0.85, Fraction(17, 20)])
def test_any_real_threshold_in_range(threshold: object) -> None:
    rows_of(NAMES, threshold=threshold)


def test_numpy_scalars_are_taken() -> None:
    np = pytest.importorskip("numpy")
    got = rows_of(np.array(NAMES), threshold=np.float64(0.8), max_bucket=np.int64(50),
                  jobs=np.int64(1))
    assert got == rows_of(NAMES)


def test_options_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        resolve(NAMES, None, 0.9)  # type: ignore[misc]
    signature = inspect.signature(namematch.resolve)
    assert [p.name for p in signature.parameters.values()
            if p.kind is p.KEYWORD_ONLY] == ["aliases", "threshold", "max_bucket", "jobs",
                                             "progress"]


@pytest.mark.parametrize(("call", "message"), [
    (lambda: compare("Ali", None), "b must be a str or a Name; got NoneType"),
    (lambda: compare(3, "Ali"), "a must be a str or a Name; got int"),
    (lambda: compare("Ali", "Ali", threshold=2), "threshold must be a number from 0 to 1"),
    (lambda: compare("Ali", "Ali", aliases={}), "aliases must be an AliasTable"),
    (lambda: parse(None), "text must be a str; got NoneType"),
    (lambda: keys(["Ali"]), "name must be a str or a Name; got list"),
    (lambda: namematch.normalize(1.0), "text must be a str; got float"),
    (lambda: namematch.fold(b"x"), "part must be a str; got bytes"),
    (lambda: load_aliases(3), "alias file 0 must be a str or a path; got int"),
])
def test_other_functions_check_their_input(call: object, message: str) -> None:
    with pytest.raises(InputError) as caught:
        call()  # type: ignore[operator]
    assert str(caught.value).startswith(message)


def test_compare_accepts_parsed_names_and_aliases_load_from_a_path(tmp_path: Path) -> None:
    assert compare(parse("Ahmed al-Mesmari"), "Ahmed al-Mismari").decision == "match"
    mine = tmp_path / "mine.yaml"
    mine.write_text("parts: [[Yusuf, Joseph]]\n", encoding="utf-8")
    assert load_aliases(mine, shipped=False).sources == (str(mine),)


# --- junk never escapes as another exception -------------------------------------------------

JUNK = st.one_of(
    name_part().map(str.capitalize),
    st.text(max_size=12),
    st.none(),
    st.just(math.nan),
    st.floats(allow_nan=False),
    st.integers(),
    st.booleans(),
    st.binary(max_size=4),
    st.lists(st.text(max_size=3), max_size=2),
    st.tuples(st.text(max_size=3)),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
)


@settings(max_examples=150)
@given(st.lists(JUNK, max_size=12), st.sampled_from([list, tuple, iter]))
def test_junk_gives_one_row_each_or_one_input_error(values: list[object], wrap: object) -> None:
    """A list of anything: one row per value, in order, or a single InputError that names
    the first value that is neither a str nor missing; never another exception."""
    bad = [i for i, v in enumerate(values)
           if not isinstance(v, str) and not (v is None or (isinstance(v, float) and v != v))]
    try:
        rows = resolve(wrap(values))  # type: ignore[operator]
    except InputError as err:
        assert bad, err
        assert str(err).startswith(f"name {bad[0]} is {type(values[bad[0]]).__name__} ")
        return
    assert not bad
    assert [r.name for r in rows] == [v if isinstance(v, str) else "" for v in values]
    for r in rows:
        assert bool(r.entity) == bool(r.canonical)
        assert 0.0 <= r.score <= 1.0


@settings(max_examples=60)
@given(JUNK, JUNK)
def test_compare_junk_is_a_match_or_an_input_error(a: object, b: object) -> None:
    try:
        match = compare(a, b)  # type: ignore[arg-type]
    except NamematchError as err:
        assert isinstance(err, InputError)
        assert not (isinstance(a, str) and isinstance(b, str))
        return
    assert match.decision in ("match", "no-match")


# --- tables (the command line's --column input) --------------------------------------------


@pytest.mark.parametrize(("content", "message"), [
    ("id,name\n1,Ali\n2\n", "t.csv:3: record 2 has 1 field, the header 2"),
    ('id,name\n1,"Ali\n', "t.csv:2: record 1: malformed CSV (unexpected end of data)"),
    ("", "t.csv: empty CSV file: the header row is missing"),
])
def test_read_table_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str,
                           message: str) -> None:
    from namematch._tables import read_table

    monkeypatch.chdir(tmp_path)
    Path("t.csv").write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_table("t.csv", "csv")
    assert str(caught.value) == message


def test_atomic_output_leaves_nothing_on_error(tmp_path: Path) -> None:
    from namematch._tables import atomic_output

    target = tmp_path / "out.txt"
    with pytest.raises(KeyError), atomic_output(str(target)) as out:
        out.write("half")
        raise KeyError("stop")
    assert list(tmp_path.iterdir()) == []
    with atomic_output(str(target)) as out:
        out.write("whole")
    assert target.read_text(encoding="utf-8") == "whole"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


# --- explain -------------------------------------------------------------------------------


@settings(max_examples=60)
@given(st.lists(name_part(), min_size=1, max_size=4), st.lists(name_part(), min_size=1,
                                                               max_size=4))
def test_explain_shows_every_part_of_both_names(a: list[str], b: list[str]) -> None:
    """Whatever decided the verdict, each part of each name shows on a part line, in order."""
    text = namematch.explain(" ".join(a), " ".join(b))
    lines = text.splitlines()
    match = compare(" ".join(a), " ".join(b))
    assert lines[0].startswith(f"{match.decision} (score {match.score:.3f}, threshold 0.80)")
    rows = [line.split() for line in lines[1:-1]]
    assert all(row[0] in ("same", "alias", "extra", "differ", "conflict") for row in rows)
    if not match.parts:  # aligned by explain: single parts, so one word a side
        assert [r[1] for r in rows if r[1] != "-"] == [p.text for p in parse(" ".join(a)).parts]
        assert [r[2] for r in rows if r[2] != "-"] == [p.text for p in parse(" ".join(b)).parts]


def test_explain_checks_its_input() -> None:
    with pytest.raises(InputError, match=r"^b must be a str or a Name; got NoneType"):
        namematch.explain("Ali", None)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"^threshold must be"):
        namematch.explain("Ali", "Ali", threshold=1.5)
