"""Locate and safely read the YAML data files shipped with namematch (see ``tables``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import DataFileError

# Installed wheels carry the data inside the package; a source checkout keeps it at the top.
_CANDIDATES = (
    Path(__file__).resolve().parent / "data",
    Path(__file__).resolve().parents[2] / "data",
)


def data_dir() -> Path:
    """Return the folder holding namematch's shipped data files."""
    for candidate in _CANDIDATES:
        if (candidate / "rules.yaml").is_file():
            return candidate
    raise DataFileError(str(_CANDIDATES[0]), None, "namematch data files not found")


class UniqueKeyLoader(yaml.SafeLoader):
    """The safe loader, refusing a mapping that repeats a key.

    YAML requires unique keys, but PyYAML keeps the last value silently: a second ``names:``
    in an alias file would drop the first one's groups without a word.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        first: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                earlier = first.get(key)
            except TypeError:  # an unhashable key: the base class reports it
                continue
            if earlier is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first on line {earlier})",
                    key_node.start_mark)
            first[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep)


def read_yaml(path: Path, error: type[DataFileError] = DataFileError) -> tuple[str, Any]:
    """Read and safely parse one YAML file; every failure becomes ``error`` (file and line)."""
    try:
        text = path.read_text(encoding="utf-8")
    except IsADirectoryError as err:
        raise error(str(path), None, "is a directory, not a YAML file") from err
    except (OSError, UnicodeDecodeError) as err:
        reason = getattr(err, "strerror", None) or str(err)
        raise error(str(path), None, f"cannot read: {reason}") from err
    try:
        return text, yaml.load(text, Loader=UniqueKeyLoader)  # a SafeLoader
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(err, "problem", None) or "invalid YAML"
        raise error(str(path), line, f"invalid YAML: {problem}") from err
