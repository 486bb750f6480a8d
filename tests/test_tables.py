"""The data files are read once into typed tables; a malformed one is a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from namematch import DataFileError
from namematch import tables as tables_module
from namematch.tables import tables


def test_tables_are_typed_and_complete() -> None:
    loaded = tables()
    assert "gen" in loaded.names.titles and "sheikh" in loaded.names.ambiguous_titles
    assert "bin" in loaded.names.patronymics and "ابن" in loaded.names.patronymics
    assert loaded.rules.key_classes["G"] == "k"
    assert loaded.rules.costs.indel["a"] < loaded.rules.costs.default_indel
    assert loaded.arabic.letters["ب"] == "b"


@pytest.mark.parametrize(("text", "message"), [
    ("titles: [gen]\n", "missing table 'arabic_titles'"),
    ("- just a list\n", "expected a mapping of tables"),
    ("titles: gen\n", "'titles' must be a list of strings"),
])
def test_a_malformed_names_file_names_the_file_and_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    (tmp_path / "names.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(tables_module, "data_dir", lambda: tmp_path)
    with pytest.raises(DataFileError, match=message) as caught:
        tables_module._name_tables()
    assert str(tmp_path / "names.yaml") in str(caught.value)
