"""Alias tables: loading, extending, validation errors, and non-transitive links."""

from __future__ import annotations

from pathlib import Path

import pytest

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
