"""Pickling of frozen dataclasses, compiled or not."""

from __future__ import annotations

import dataclasses
import functools
import operator
from collections.abc import Callable
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
    kind: type[Any] = type(obj)
    return (kind, _values_of(kind)(obj))  # type: ignore[arg-type]


# Per class, a function giving an instance's field values as a tuple: dask ships hundreds
# of thousands of parts, and looking their fields up once per class is a third faster.
@functools.cache
def _values_of(kind: type[Any]) -> Callable[[Any], tuple[object, ...]]:
    names = [f.name for f in dataclasses.fields(kind)]
    getter = operator.attrgetter(*names)
    if len(names) == 1:
        return lambda obj: (getter(obj),)
    return getter
