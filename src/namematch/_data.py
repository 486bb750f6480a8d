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
        return text, yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(err, "problem", None) or "invalid YAML"
        raise error(str(path), line, f"invalid YAML: {problem}") from err
