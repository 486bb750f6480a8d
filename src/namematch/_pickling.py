"""Pickling of frozen dataclasses, compiled or not."""

from __future__ import annotations

import dataclasses
from typing import Any


def by_fields(obj: Any) -> tuple[type[Any], tuple[object, ...]]:
    """A frozen dataclass's ``__reduce__``: rebuild it through its constructor.

    Compiled with mypyc, a frozen dataclass cannot be unpickled field by field, and dask
    ships names, parts and alias tables to its workers.

    >>> import pickle
    >>> from namematch.parse import parse
    >>> pickle.loads(pickle.dumps(parse("Ahmed al-Mesmari"))) == parse("Ahmed al-Mesmari")
    True
    """
    return (type(obj), tuple(getattr(obj, f.name) for f in dataclasses.fields(obj)))
