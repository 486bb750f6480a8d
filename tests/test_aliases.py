"""Alias tables: loading, extending, validation errors, and non-transitive links."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from namematch import AliasFileError, NamematchError, compare, fold, load_aliases, resolve


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "aliases.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_table_links_translated_names() -> None:
    table = load_aliases()
    assert table.same_part(fold("Yusuf"), fold("Joseph"))
    assert not table.same_part(fold("Yusuf"), fold("Ibrahim"))


def test_user_file_extends_the_shipped_table(tmp_path: Path) -> None:
    path = write(tmp_path, "names:\n  - [Hussein Moanes, Abu Ali al-Askari]\n")
    table = load_aliases(path)
    assert table.same_part(fold("Yusuf"), fold("Joseph"))  # shipped groups still there
    rows = resolve(["Hussein Moanes", "Abu Ali al-Askari"], aliases=table)
    assert rows[0].entity == rows[1].entity
    assert resolve(["Hussein Moanes", "Abu Ali al-Askari"])[0].entity != rows[1].entity
    assert not load_aliases(path, shipped=False).same_part(fold("Yusuf"), fold("Joseph"))


def test_alias_links_are_not_transitive(tmp_path: Path) -> None:
    path = write(tmp_path, "parts:\n  - [Zubair, Jasper]\n  - [Jasper, Qutaiba]\n")
    table = load_aliases(path, shipped=False)
    assert table.same_part(fold("Zubair"), fold("Jasper"))
    assert table.same_part(fold("Jasper"), fold("Qutaiba"))
    assert not table.same_part(fold("Zubair"), fold("Qutaiba"))


def test_part_alias_counts_as_a_matching_part(tmp_path: Path) -> None:
    path = write(tmp_path, "parts:\n  - [Zubair, Qutaiba]\n")
    table = load_aliases(path, shipped=False)
    assert compare("Zubair al-Hamdani", "Qutaiba al-Hamdani").decision == "no-match"
    match = compare("Zubair al-Hamdani", "Qutaiba al-Hamdani", aliases=table)
    assert match.decision == "match"
    assert [p.kind for p in match.parts] == ["alias", "same"]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("parts: [a, b", 1, "invalid YAML"),
        ("parts:\n  - [Ahmed]\n", 2, "at least two"),
        ("parts:\n  - [Ahmed, Ahmad]\n  - Ahmed\n", 3, "list of strings"),
        ("parts: 3\n", None, "list of groups"),
        ("people: []\n", None, "unknown key"),
        ("- [a, b]\n", 1, "mapping"),
    ],
)
def test_malformed_file_names_file_and_line(
    tmp_path: Path, text: str, line: int | None, words: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(AliasFileError) as caught:
        load_aliases(path)
    assert isinstance(caught.value, NamematchError)
    assert str(path) in str(caught.value)
    assert words in str(caught.value)
    if line is not None:
        assert f"{path}:{line}:" in str(caught.value)


def test_yaml_is_loaded_safely(tmp_path: Path) -> None:
    path = write(tmp_path, "parts: !!python/object/apply:os.system ['echo unsafe']\n")
    with pytest.raises(AliasFileError):
        load_aliases(path)


def test_missing_file_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(AliasFileError, match="cannot read"):
        load_aliases(tmp_path / "nope.yaml")


# --- duplicate keys, preferred forms, alias scores -------------------------------------------


@pytest.mark.parametrize(("text", "line", "words"), [
    ("names:\n  - [A B, C D]\nparts: []\nnames:\n  - [E F, G H]\n", 4,
     "duplicate key 'names' (first on line 1)"),
    ("names:\n  - preferred: A B\n    names: [C D]\n    preferred: E F\n", 4,
     "duplicate key 'preferred' (first on line 2)"),
])
def test_duplicate_key_is_an_error_with_its_line(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(AliasFileError) as caught:
        load_aliases(path)
    assert f"{path}:{line}:" in str(caught.value)
    assert words in str(caught.value)


@pytest.mark.parametrize(("text", "line", "words"), [
    ("names:\n  - {preferred: A B}\n", 2, "at least two"),
    ("names:\n  - {preferred: [A B], names: [C D]}\n", 2, "'preferred' must be a string"),
    ("names:\n  - {preferred: A B, names: C D}\n", 2, "'names' must be a list of strings"),
    ("names:\n  - {preferred: A B, names: [C D], also: [E]}\n", 2, "unknown key 'also'"),
    ("parts:\n  - {preferred: Yusuf, names: [Joseph]}\n", 2, "a parts group must be a list"),
])
def test_malformed_preferred_group(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(AliasFileError) as caught:
        load_aliases(path)
    assert f"{path}:{line}:" in str(caught.value)
    assert words in str(caught.value)


KNOWN_AS = ["Hussein Moanes", "Abu Ali al-Askari", "Abu Ali al-Askari", "Husain Moanes",
            "Moanes", "Abu Ali al-Askari"]


def test_preferred_form_names_the_entity(tmp_path: Path) -> None:
    """Without a preference the most mentioned full name is shown (the kunya here); a group
    given with ``preferred`` shows that form, in any order of the input."""
    plain = load_aliases(write(tmp_path, "names:\n  - [Hussein Moanes, Abu Ali al-Askari]\n"),
                         shipped=False)
    rows = resolve(KNOWN_AS, aliases=plain)
    assert len({r.entity for r in rows}) == 1
    assert {r.canonical for r in rows} == {"Abu Ali al-Askari"}
    chosen = load_aliases(write(tmp_path, "names:\n  - preferred: Hussein Moanes\n"
                                          "    names: [Abu Ali al-Askari]\n"), shipped=False)
    for names in (KNOWN_AS, KNOWN_AS[::-1]):
        rows = resolve(names, aliases=chosen)
        assert len({r.entity for r in rows}) == 1
        assert {r.canonical for r in rows} == {"Hussein Moanes"}
    # The preferred form shows even where the input spells it otherwise, or lacks it.
    rows = resolve(["HUSSEIN MOANES", "Abu Ali al-Askari"], aliases=chosen)
    assert {r.canonical for r in rows} == {"Hussein Moanes"}
    rows = resolve(["Abu Ali al-Askari", "Abu Ali al-Askari"], aliases=chosen)
    assert {r.canonical for r in rows} == {"Hussein Moanes"}


def test_members_joined_by_a_whole_name_alias_score_through_it(tmp_path: Path) -> None:
    """A name is scored against the canonical name counting the alias as a perfect match:
    a spelling variant of one alias form scores as it would against that form."""
    table = load_aliases(write(tmp_path, "names:\n  - [Hussein Moanes, Abu Ali al-Askari]\n"),
                         shipped=False)
    rows = {r.name: r for r in resolve(KNOWN_AS, aliases=table)}
    assert rows["Hussein Moanes"].score == 1.0
    alone = {r.name: r.score for r in resolve(["Hussein Moanes", "Husain Moanes", "Moanes"])}
    assert rows["Husain Moanes"].score == alone["Husain Moanes"] > 0.8
    assert rows["Moanes"].score == alone["Moanes"] > 0.8


def test_shipped_aliases_still_load_and_pickle() -> None:
    import pickle

    table = load_aliases()
    assert pickle.loads(pickle.dumps(table)) == table


@settings(max_examples=25)
@given(st.permutations([*KNOWN_AS, "Hussein Moanes", "Husain Moanes", "Abu Ali"]))
def test_preferred_display_and_alias_scores_do_not_depend_on_order(
    tmp_path_factory: pytest.TempPathFactory, names: list[str]
) -> None:
    path = tmp_path_factory.mktemp("aliases") / "a.yaml"
    path.write_text("names:\n  - preferred: Hussein Moanes\n    names: [Abu Ali al-Askari]\n",
                    encoding="utf-8")
    table = load_aliases(path, shipped=False)
    rows = {r.name: (r.entity, r.canonical, r.score) for r in resolve(names, aliases=table)}
    expected = {r.name: (r.entity, r.canonical, r.score)
                for r in resolve(sorted(names), aliases=table)}
    assert rows == expected
    assert rows["Abu Ali al-Askari"][1:] == ("Hussein Moanes", 1.0)
