"""The public functions of namematch, with their documentation and input checks.

The pipeline's modules are compiled with mypyc in a wheel (``hatch_build.py``), and compiled
functions carry neither docstrings nor signatures that :func:`help` or :mod:`inspect` can
read. This module is never compiled: each function here checks its arguments, raising
:class:`~namematch.errors.InputError` for what the pipeline cannot take, and calls the
compiled code. ``namematch`` exports these functions; import them from there.

>>> rows = resolve(["Moammar al-Gaddafi", None, "Muammar Qadhafi"])
>>> [(r.name, r.entity == rows[0].entity) for r in rows]
[('Moammar al-Gaddafi', True), ('', False), ('Muammar Qadhafi', True)]
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Final, cast

from . import aliases as _aliases
from . import compare as _compare
from . import distance as _distance
from . import fold as _fold
from . import keys as _keys
from . import normalize as _normalize
from . import parse as _parse
from . import resolve as _resolve
from .aliases import AliasTable
from .compare import DEFAULT_THRESHOLD, Match, PartMatch
from .errors import InputError
from .parse import Name, Part
from .resolve import MAX_BUCKET, Progress, Resolution

__all__ = [
    "DEFAULT_THRESHOLD",
    "MAX_BUCKET",
    "AliasTable",
    "Match",
    "Name",
    "Part",
    "PartMatch",
    "Progress",
    "Resolution",
    "compare",
    "explain",
    "fold",
    "keys",
    "load_aliases",
    "normalize",
    "parse",
    "resolve",
]

_SHOWN: Final = 40  # characters of a bad value quoted in an error message


def resolve(
    names: Iterable[str | None],
    *,
    aliases: AliasTable | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    max_bucket: int = MAX_BUCKET,
    jobs: int = 1,
    progress: Progress | None = None,
) -> list[Resolution]:
    """Resolve a list of names into entities: one row per name, in order.

    Names that are spelling variants of one person's name (Latin or Arabic script, with or
    without titles, full or a bare surname) share an entity. The partition does not depend
    on the order of ``names``, and the result is deterministic.

    Parameters
    ----------
    names : iterable of str
        The names, one per mention: a list, a tuple, a generator, a pandas Series...
        Missing values (``None``, float NaN, pandas ``NA``) are blank names.
    aliases : AliasTable, optional
        The alias table (see :func:`load_aliases`); by default the shipped one.
    threshold : float, default 0.8
        Least score, in [0, 1], for two names to be one entity. Higher splits more.
    max_bucket : int, default 50
        A blocking key shared by more distinct names than this pairs each name only with its
        next neighbours (at least 1).
    jobs : int, default 1
        Compare candidate pairs in this many processes (at least 1; where the platform can
        fork). The result is the same.
    progress : callable, optional
        Called as ``progress(stage, done, total)`` as each stage advances (normalize, parse,
        keys, pairs, compare, cluster, in that order).

    Returns
    -------
    list of Resolution
        One ``Resolution(name, entity, canonical, score)`` per input, in input order.
        ``entity`` is an id shared by one entity's names, ``canonical`` the entity's display
        name and ``score`` this name's score against it, in [0, 1]. A blank name gives
        ``name`` ``""`` (also for a missing value), empty ``entity`` and ``canonical`` and
        score 0.0.

    Raises
    ------
    InputError
        ``names`` is a single ``str`` (pass a list of names), not iterable, or holds a value
        that is neither a ``str`` nor missing (the message names its index and type); or an
        option is out of its range or of the wrong type.

    Examples
    --------
    >>> rows = resolve(["Ahmed al-Mesmari", "Mesmari", "Hassan Nasrallah"])
    >>> [r.entity == rows[0].entity for r in rows]
    [True, True, False]
    >>> rows[1].canonical, rows[0].score
    ('Ahmed al-Mesmari', 1.0)
    >>> resolve("Ali Khamenei")
    Traceback (most recent call last):
    ...
    namematch.errors.InputError: names is a single str: pass a list of names, e.g. ['Ali Khamenei']
    """
    rows = checked_names(names)
    _check_options(aliases=aliases, threshold=threshold, max_bucket=max_bucket, jobs=jobs)
    if progress is not None and not callable(progress):
        raise InputError(f"progress must be a function or None; got {_kind(progress)}")
    # Plain float and int: compiled code takes no numpy scalars for them.
    return _resolve.resolve(rows, aliases=aliases, threshold=float(threshold),
                            max_bucket=int(max_bucket), jobs=int(jobs), progress=progress)


def compare(
    a: str | Name,
    b: str | Name,
    *,
    aliases: AliasTable | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    weights: Callable[[Part], float] | None = None,
) -> Match:
    """Compare two names and explain the score.

    Parameters
    ----------
    a, b : str or Name
        The names, as written or parsed (:func:`parse`).
    aliases : AliasTable, optional
        Alias table linking parts or whole names; by default none.
    threshold : float, default 0.8
        Least score, in [0, 1], for a ``match``.
    weights : callable, optional
        Each part's informativeness in (0, 1], called with a :class:`Part`; by default 1
        for every part. :func:`resolve` weighs a part by how rare it is in the list.

    Returns
    -------
    Match
        ``score`` in [0, 1], ``decision`` (``"match"`` or ``"no-match"``), ``conflict``
        (whether the names are distinct people rather than just not shown to be one),
        ``reason`` and ``parts``, one :class:`PartMatch` per aligned, extra or conflicting
        part. ``Match.explain()`` puts it into lines.

    Raises
    ------
    InputError
        A name is neither a ``str`` nor a :class:`Name`, or an option is out of range.

    Examples
    --------
    >>> m = compare("Abdul Razek al-Nadoori", "Abdelrazzak al-Nadhouri")
    >>> m.decision, [p.kind for p in m.parts]
    ('match', ['same', 'same'])
    >>> compare("Hassan Nasrallah", "Hussein Nasrallah").decision
    'no-match'
    """
    _check_name(a, "a", allow_parsed=True)
    _check_name(b, "b", allow_parsed=True)
    _check_options(aliases=aliases, threshold=threshold)
    if weights is None:
        return _compare.compare(a, b, aliases=aliases, threshold=float(threshold))
    if not callable(weights):
        raise InputError(f"weights must be a function or None; got {_kind(weights)}")
    return _compare.compare(a, b, aliases=aliases, threshold=float(threshold), weights=weights)


def parse(text: str) -> Name:
    """Parse a name into its parts, with titles stripped.

    Parameters
    ----------
    text : str
        The name as written.

    Returns
    -------
    Name
        ``text`` (normalized), ``parts`` (each :class:`Part` with its text, folded ``form``
        and ``role``: given, middle, family, kunya or single), the stripped ``titles`` and
        ``patronymic`` (whether it spells a nasab with bin, ibn or bint).

    Raises
    ------
    InputError
        ``text`` is not a ``str``.

    Examples
    --------
    >>> name = parse("Brig. Gen. Ahmed al-Mesmari")
    >>> [(p.text, p.role) for p in name.parts], name.titles
    ([('ahmed', 'given'), ('al-mesmari', 'family')], ('brig gen',))
    """
    _check_name(text, "text")
    return _parse.parse(text)


def keys(name: str | Name) -> frozenset[str]:
    """The blocking keys of a name: :func:`resolve` compares two names only if they share one.

    Parameters
    ----------
    name : str or Name
        The name, as written or parsed.

    Returns
    -------
    frozenset of str
        Part keys ``p:SKELETON`` (the consonant skeleton of a part a one-part mention may
        meet: the last part, the last two joined, a kunya) and combined keys
        ``c:OPENING|LATER`` (the skeletons of the name's first part and of a later part).
        Keys with one letter left out let a spelling slip still meet.

    Raises
    ------
    InputError
        ``name`` is neither a ``str`` nor a :class:`Name`.

    Examples
    --------
    >>> sorted(k for k in keys("Moammar al-Gaddafi") if k.startswith("c:"))[:2]
    ['c:mr|df', 'c:mr|kd']
    >>> keys("")
    frozenset()
    """
    _check_name(name, "name", allow_parsed=True)
    return _keys.keys(name)


def normalize(text: str) -> str:
    """The canonical spelling of a name every later stage starts from.

    Case folded, accents and Arabic diacritics dropped, look-alike apostrophes and dashes
    unified, white space collapsed.

    Parameters
    ----------
    text : str
        The name as written.

    Returns
    -------
    str
        The normalized text.

    Raises
    ------
    InputError
        ``text`` is not a ``str``.

    Examples
    --------
    >>> normalize("Brig. Gen. AHMED  al-Mesmari")
    'brig. gen. ahmed al-mesmari'
    >>> normalize("أَحْمَد")
    'احمد'
    """
    _check_name(text, "text")
    return _normalize.normalize(text)


def fold(part: str) -> str:
    """The folded form of one name part: spellings of one part fold alike or nearly.

    Parameters
    ----------
    part : str
        One name part (Latin or Arabic script).

    Returns
    -------
    str
        Its folded form, without spaces; empty if nothing is left.

    Raises
    ------
    InputError
        ``part`` is not a ``str``.

    Examples
    --------
    >>> fold("Hassan"), fold("Hussein"), fold("Hassani")
    ('hasan', 'hosYn', 'hasanI')
    """
    _check_name(part, "part")
    return _fold.fold(part)


def load_aliases(*paths: str | os.PathLike[str], shipped: bool = True) -> AliasTable:
    """Load the shipped alias table extended by the files ``paths``, in order.

    Parameters
    ----------
    *paths : str or path-like
        Alias YAML files (see ``docs/aliases.md``): ``parts`` and ``names`` groups; a
        ``names`` group may name its ``preferred`` display form.
    shipped : bool, default True
        Start from the shipped table; ``False`` loads ``paths`` alone.

    Returns
    -------
    AliasTable
        The merged table, to pass as ``aliases=`` to :func:`resolve` and :func:`compare`.

    Raises
    ------
    AliasFileError
        A file is missing, not valid YAML, has a duplicate key or breaks the schema; the
        message names the file and, where known, the line.
    InputError
        A path is not a ``str`` or path-like.

    Examples
    --------
    >>> table = load_aliases()
    >>> compare("Yusuf Ahmed", "Joseph Ahmed", aliases=table).decision
    'match'
    """
    for i, path in enumerate(paths):
        if not isinstance(path, str | os.PathLike):
            raise InputError(f"alias file {i} must be a str or a path; got {_kind(path)}")
    if not isinstance(shipped, bool):
        raise InputError(f"shipped must be True or False; got {_kind(shipped)}")
    return _aliases.load_aliases(*(Path(p) for p in paths), shipped=shipped)


def explain(
    a: str | Name,
    b: str | Name,
    *,
    aliases: AliasTable | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> str:
    """Compare two names and explain the verdict, one line per part, as ``namematch compare``.

    The first line gives the decision, the score, the threshold and the reason; then each
    part of one name with the part of the other it stood opposite, their similarity and the
    part's weight. When a rule decided before the parts were aligned (the first parts
    differ, a one-part name meets no end part), the parts are aligned here, pair by pair in
    order, the most similar way, to show which part differed from which.

    Parameters
    ----------
    a, b : str or Name
        The names.
    aliases : AliasTable, optional
        Alias table; by default none.
    threshold : float, default 0.8
        Least score, in [0, 1], for a match.

    Returns
    -------
    str
        Lines without a final newline. A part line's kind is ``same`` (similarity at least
        the part threshold 0.78), ``alias``, ``extra`` (a part the other name lacks),
        ``differ`` (below 0.78) or ``conflict`` (below 0.6: different parts).

    Raises
    ------
    InputError
        As :func:`compare`.

    Examples
    --------
    >>> print(explain("Hassan Nasrallah", "Hussein Nasrallah"))
    no-match (score 0.300, threshold 0.80): the first parts differ
      differ   hassan                   hussein                  sim 0.73  weight 1.00
      same     nasrallah                nasrallah                sim 1.00  weight 1.00
      parts agree from similarity 0.78, conflict below 0.60; names match from score 0.80
    """
    match = compare(a, b, aliases=aliases, threshold=threshold)
    lines = [f"{match.decision} (score {match.score:.3f}, threshold {float(threshold):.2f}): "
             f"{match.reason}"]
    shown: list[tuple[str, str, str, float, float]]
    if match.parts:
        shown = [(p.kind, p.a, p.b, p.similarity, p.weight) for p in match.parts]
    else:
        name_a = a if isinstance(a, Name) else _parse.parse(a)
        name_b = b if isinstance(b, Name) else _parse.parse(b)
        shown = _aligned(name_a.parts, name_b.parts, aliases)
    lines += [f"  {kind:<8} {x or '-':<24} {y or '-':<24} sim {sim:.2f}  weight {weight:.2f}"
              for kind, x, y, sim, weight in shown]
    lines.append(f"  parts agree from similarity {_distance.PART_THRESHOLD:.2f}, conflict below "
                 f"{_distance.CONFLICT_BELOW:.2f}; names match from score {float(threshold):.2f}")
    return "\n".join(lines)


_PAIR_BONUS: Final = 1e-3  # pair two opposite parts rather than call both extra


def _aligned(
    a: tuple[Part, ...], b: tuple[Part, ...], aliases: AliasTable | None
) -> list[tuple[str, str, str, float, float]]:
    """Parts of two names aligned in order, the most similar way: (kind, part of a, part of
    b, similarity, weight 1) for each pair, and each part left over as ``extra``."""
    similarity = [[_part_similarity(x, y, aliases) for y in b] for x in a]
    # Two full names are compared from their first parts on: those stand opposite.
    best = _best_totals([[sim for sim, _ in row] for row in similarity], len(b),
                        first_pair=len(a) > 1 and len(b) > 1)
    shown: list[tuple[str, str, str, float, float]] = []
    i = j = 0
    while i < len(a) or j < len(b):
        step = _step(best, similarity, i, j)
        if step == "pair":
            sim, alias = similarity[i][j]
            shown.append((_part_kind(sim, alias), a[i].text, b[j].text, sim, 1.0))
        elif step == "skip-a":
            shown.append(("extra", a[i].text, "", 0.0, 1.0))
        else:
            shown.append(("extra", "", b[j].text, 0.0, 1.0))
        i += step != "skip-b"
        j += step != "skip-a"
    return shown


def _best_totals(similarity: list[list[float]], m: int, *, first_pair: bool) -> list[list[float]]:
    """``best[i][j]``: the most total similarity aligning the parts from i and from j on,
    each pair counting a little extra (pair opposite parts rather than call both extra)."""
    n = len(similarity)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n, -1, -1):
        for j in range(m, -1, -1):
            if i == n and j == m:
                continue
            options = [] if first_pair and i == j == 0 else [
                best[i + 1][j] if i < n else -1.0, best[i][j + 1] if j < m else -1.0]
            if i < n and j < m:
                options.append(similarity[i][j] + _PAIR_BONUS + best[i + 1][j + 1])
            best[i][j] = max(options)
    return best


def _step(best: list[list[float]], similarity: list[list[tuple[float, bool]]], i: int,
          j: int) -> str:
    """The move from (i, j) on a best alignment: ``pair``, ``skip-a`` or ``skip-b``."""
    n, m = len(best) - 1, len(best[0]) - 1
    if i < n and j < m and math.isclose(
            best[i][j], similarity[i][j][0] + _PAIR_BONUS + best[i + 1][j + 1]):
        return "pair"
    if i < n and (j == m or math.isclose(best[i][j], best[i + 1][j])):
        return "skip-a"
    return "skip-b"


def _part_similarity(x: Part, y: Part, aliases: AliasTable | None) -> tuple[float, bool]:
    if aliases is not None and aliases.same_part(x.form, y.form):
        return 1.0, True
    return _distance.form_similarity(x.form, y.form, 0.0), False


def _part_kind(similarity: float, alias: bool) -> str:
    if alias:
        return "alias"
    if similarity >= _distance.PART_THRESHOLD:
        return "same"
    return "differ" if similarity >= _distance.CONFLICT_BELOW else "conflict"


# --- checks --------------------------------------------------------------------------------


def checked_names(names: object) -> list[str]:
    """``names`` as a list of ``str``, missing values as blank names.

    Raises :class:`InputError` for a single string, something not iterable, or an item that
    is neither a string nor missing (naming its index and type).

    >>> checked_names(("Ali", None, float("nan")))
    ['Ali', '', '']
    """
    if isinstance(names, str):
        raise InputError(f"names is a single str: pass a list of names, e.g. [{_shown(names)}]")
    if isinstance(names, bytes | bytearray):
        raise InputError("names is bytes: pass a list of str (decode them first)")
    if not isinstance(names, Iterable):
        raise InputError(f"names must be an iterable of str; got {_kind(names)}")
    rows: list[object] = list(names)
    for item in rows:  # the common case, every item a str, in one quick pass
        if type(item) is not str:
            break
    else:
        return cast(list[str], rows)
    return [_name_at(i, item) for i, item in enumerate(rows)]


def _name_at(index: int, item: object) -> str:
    if type(item) is str:
        return item
    if isinstance(item, str):  # a subclass (numpy.str_, ...): the compiled code wants str
        return str.__str__(item)
    if missing(item):
        return ""
    raise InputError(f"name {index} is {_kind(item)} {_shown(item)}, not a str")


def missing(value: object) -> bool:
    """Whether ``value`` is a missing value: ``None``, a float NaN or pandas' ``NA``/``NaT``.

    >>> missing(None), missing(float("nan")), missing(0.0), missing("")
    (True, True, False, False)
    """
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    kind = type(value)
    return kind.__module__.startswith("pandas") and kind.__name__ in ("NAType", "NaTType")


def _check_name(value: object, label: str, *, allow_parsed: bool = False) -> None:
    if isinstance(value, str) or (allow_parsed and isinstance(value, Name)):
        return
    wanted = "a str or a Name" if allow_parsed else "a str"
    raise InputError(f"{label} must be {wanted}; got {_kind(value)} {_shown(value)}")


def _check_options(
    *,
    aliases: object = None,
    threshold: object = DEFAULT_THRESHOLD,
    max_bucket: object = MAX_BUCKET,
    jobs: object = 1,
) -> None:
    """Raise :class:`InputError` for an option of the wrong type or out of its range."""
    if aliases is not None and not isinstance(aliases, AliasTable):
        raise InputError(
            f"aliases must be an AliasTable (see load_aliases) or None; got {_kind(aliases)}")
    if not _real(threshold) or not 0.0 <= threshold <= 1.0:  # type: ignore[operator]
        raise InputError(f"threshold must be a number from 0 to 1; got {_shown(threshold)}")
    if not _whole(max_bucket) or max_bucket < 1:  # type: ignore[operator]
        raise InputError(f"max_bucket must be a whole number, 1 or more; got {_shown(max_bucket)}")
    if not _whole(jobs) or jobs < 1:  # type: ignore[operator]
        raise InputError(f"jobs must be a whole number, 1 or more; got {_shown(jobs)}")


def _real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _whole(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _kind(value: object) -> str:
    return type(value).__name__


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


# --- documentation of the result types -----------------------------------------------------

# Compiled classes lose their docstrings (their fields and constructors still show in
# inspect.signature); these are the reference, put back where the build dropped them.
_CLASS_DOCS: Final = {
    Resolution: """One input name resolved (see :func:`resolve`).

    Attributes
    ----------
    name : str
        The name as given (``""`` for a blank or missing one).
    entity : str
        The entity id, ``E`` and 12 hex digits, shared by all names of one entity and
        derived from them alone (the same names give the same id); ``""`` for a blank name.
    canonical : str
        The entity's display name: a preferred alias form if the entity holds one, else its
        most frequent full spelling, titles left out; ``""`` for a blank name.
    score : float
        This name's score against the canonical name, in [0, 1], rounded to 3 places: 1.0
        for the canonical spelling and for a name joined by a whole-name alias; 0.0 for a
        blank name.
    """,
    Match: """The result of :func:`compare`.

    Attributes
    ----------
    a, b : str
        The two names, normalized.
    score : float
        The weighted share of aligned part similarity, in [0, 1] (at most 0.3 when the
        names conflict).
    decision : str
        ``"match"`` (score at least the threshold and nothing against it) or ``"no-match"``.
    conflict : bool
        Whether the names are shown to be different (a part opposite a different one).
    reason : str
        Why, in words.
    parts : tuple of PartMatch
        The aligned, extra and conflicting parts; empty when a rule decided before aligning
        (the first parts differ, a one-part name meets no end part). ``explain()`` gives
        one line per part.
    """,
    PartMatch: """How one part (or two joined parts) of each name contributed to a :class:`Match`.

    Attributes
    ----------
    a, b : str
        The part of each name; empty for an ``extra`` part the other name lacks.
    similarity : float
        Similarity of the folded forms, in [0, 1].
    weight : float
        The part's informativeness (1 unless :func:`resolve` or ``weights`` set it).
    kind : str
        ``same`` (aligned), ``alias`` (linked by an alias table), ``extra`` or ``conflict``.
    """,
    Name: """A parsed name (see :func:`parse`).

    Attributes
    ----------
    text : str
        The normalized name.
    parts : tuple of Part
        Its parts in order, titles left out.
    titles : tuple of str
        The stripped leading titles.
    patronymic : bool
        Whether the name spells a nasab with bin, ibn or bint.
    """,
    Part: """One name part: a word or a joined compound (Abu Bakr, Abdul Razek).

    Attributes
    ----------
    text : str
        The normalized spelling as written.
    form : str
        The folded form (see :func:`fold`).
    role : str
        ``given``, ``middle``, ``family``, ``kunya`` or ``single`` (the only part).
    article : bool
        Whether the part carried an article (al-, el-).
    """,
    AliasTable: """Alias groups by folded part form and by normalized whole name.

    Build one with :func:`load_aliases`; pass it as ``aliases=``.

    Attributes
    ----------
    parts : Mapping[str, frozenset[int]]
        Part alias groups by folded form.
    names : Mapping[str, frozenset[int]]
        Whole-name alias groups by normalized name.
    sources : tuple of str
        The files read, in order.
    """,
}


def _document() -> None:
    for cls, doc in _CLASS_DOCS.items():
        if not cls.__doc__:
            cls.__doc__ = doc


_document()
