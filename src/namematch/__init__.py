"""namematch: resolve spelling variants of names, above all Arabic names in Latin script.

>>> from namematch import resolve
>>> [r.entity == resolve(["Moammar al-Gaddafi", "Muammar Qadhafi"])[0].entity
...  for r in resolve(["Moammar al-Gaddafi", "Muammar Qadhafi"])]
[True, True]
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

from .aliases import AliasTable, load_aliases
from .compare import DEFAULT_THRESHOLD, Match, PartMatch, compare
from .errors import AliasFileError, DataFileError, InputError, NamematchError
from .fold import fold
from .gazetteer import Gazetteer
from .keys import keys
from .normalize import normalize
from .parse import Name, Part, parse
from .resolve import Resolution, resolve

try:
    __version__ = version("namematch")
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
    "Resolution",
    "__version__",
    "compare",
    "compiled",
    "fold",
    "keys",
    "load_aliases",
    "normalize",
    "parse",
    "resolve",
]
