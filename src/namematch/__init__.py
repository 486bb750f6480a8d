"""namematch: resolve spelling variants of names, above all Arabic names in Latin script.

>>> from namematch import resolve
>>> [r.entity == resolve(["Moammar al-Gaddafi", "Muammar Qadhafi"])[0].entity
...  for r in resolve(["Moammar al-Gaddafi", "Muammar Qadhafi"])]
[True, True]
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

# The public functions come from api, a plain-Python layer over the (compiled) pipeline:
# there they keep their docstrings and signatures, and check their input.
from .api import (
    DEFAULT_THRESHOLD,
    AliasTable,
    Match,
    Name,
    Part,
    PartMatch,
    Progress,
    Resolution,
    compare,
    explain,
    fold,
    keys,
    load_aliases,
    normalize,
    parse,
    resolve,
)
from .errors import AliasFileError, DataFileError, InputError, NamematchError
from .gazetteer import Gazetteer

DISTRIBUTION = "namematch-arabic"
"""The name on the package index (``namematch`` there is an unrelated project); the import
name is ``namematch``."""

try:
    __version__ = version(DISTRIBUTION)
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"


def compiled() -> bool:
    """Whether the pipeline runs compiled with mypyc (an installed wheel) or as pure Python
    (a source tree or editable install). The results are the same; compiled is faster.

    >>> compiled()  # doctest: +SKIP
    True
    """
    return not str(import_module("namematch.compare").__file__).endswith(".py")


__all__ = [
    "DEFAULT_THRESHOLD",
    "AliasFileError",
    "AliasTable",
    "DataFileError",
    "Gazetteer",
    "InputError",
    "Match",
    "Name",
    "NamematchError",
    "Part",
    "PartMatch",
    "Progress",
    "Resolution",
    "__version__",
    "compare",
    "compiled",
    "explain",
    "fold",
    "keys",
    "load_aliases",
    "normalize",
    "parse",
    "resolve",
]
