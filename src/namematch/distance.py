"""How alike two name parts are: the weighted edit distance between their folded forms.

Edit costs come from ``costs`` in ``data/rules.yaml``: vowel drift and consonant classes
cost little, other letters 1. A form's similarity to another is 1 minus their distance
over the longer one's length. Two cheap bounds settle most unlike pairs first: the sizes
and letters of their consonant skeletons (:func:`skeleton_bits`), then the Levenshtein
distance of the skeletons (rapidfuzz). :class:`PartSimilarity` memoises what one run
computes; it is owned by that run (see :class:`namematch.compare.Comparer`).

>>> round(form_distance("mesmarI", "mismarI"), 2)
0.2
>>> form_similarity("hasan", "hosYn") < PART_THRESHOLD
True
"""

from __future__ import annotations

import functools
import math
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from rapidfuzz.distance import Levenshtein

from .aliases import AliasTable
from .fold import SHORT_VOWELS, VOWELS, skeleton
from .script import UNVOCALIZED
from .tables import tables

__all__ = [
    "CONFLICT_BELOW",
    "MEMO_PAIRS",
    "PART_THRESHOLD",
    "SIMILARITY_FLOOR",
    "Memo",
    "MemoPy",
    "PartSimilarity",
    "form_distance",
    "form_similarity",
    "skeleton_bits",
]

PART_THRESHOLD: Final = 0.78
"""Least similarity for two parts to count as one name part."""
CONFLICT_BELOW: Final = 0.6
"""Parts opposite each other with less similarity than this make two names distinct."""
SIMILARITY_FLOOR: Final = 0.5
"""Similarity below this is reported as 0: the edit distance stops early on hopeless pairs."""
SKELETON_EDITS_PER_UNIT: Final = 13.0
"""Two forms whose consonant skeletons (:func:`namematch.fold.skeleton`) are more than
``(1 - floor) * SKELETON_EDITS_PER_UNIT`` edits apart are taken to be below ``floor``
without computing the weighted edit distance: 2 edits at the part threshold, 5 at the
conflict threshold. Consonant classes rarely change between spellings of one part; on
650,000 form pairs from synthetic and labelled lists, none above a floor broke this bound.
"""
MAX_FORM: Final = 64
"""Forms longer than this (no real name part is) are compared for equality only."""

_SHORT: Final = SHORT_VOWELS
_LONG: Final = frozenset("AYWIE")
_ALPHABET: Final = tuple("abcdefghijklmnopqrstuvwxyz'GXSCTDZHAYWIE")
_INDEX: Final = {symbol: i for i, symbol in enumerate(_ALPHABET)}
_SIZE: Final = len(_ALPHABET)
# Against a form without written short vowels (Arabic script), the other side's short
# vowels cost almost nothing and vowel qualities blur.
_UNVOCALIZED_SHORT_INDEL: Final = 0.05
_UNVOCALIZED_VOWEL_FACTOR: Final = 0.5
# The edit distance stops once it exceeds its limit; the slack keeps a pair whose similarity
# is the floor itself (up to rounding) from stopping at one floor and not at another.
_SLACK: Final = 1e-9


@dataclass(frozen=True)
class _Costs:
    """Edit costs resolved for one comparison mode (both spelled, or one side unvocalized),
    by symbol index (see :class:`Form`).

    ``start_indel`` holds the costs of a symbol at the start of a form, ``indel`` elsewhere;
    ``substitute[x * _SIZE + y]`` the cost of symbol x for y, and ``start_substitute`` that of
    two symbols that both start their forms.
    """

    indel: tuple[float, ...]
    start_indel: tuple[float, ...]
    substitute: tuple[float, ...]
    start_substitute: tuple[float, ...]

    @property
    def packed(self) -> bytes:
        """The four tables one after another as native doubles, for the compiled kernel."""
        return array("d", self.indel + self.start_indel + self.substitute
                     + self.start_substitute).tobytes()


@functools.cache
def _packed_costs(unvocalized: bool, letters_only: bool) -> bytes:
    """:attr:`_Costs.packed` of :func:`_costs`, worked out once."""
    return _costs(unvocalized, letters_only).packed


@functools.cache
def _costs(unvocalized: bool, letters_only: bool = False) -> _Costs:
    """Costs for two spelled forms, one unvocalized form (``unvocalized``), or two
    unvocalized forms (``letters_only``), where every vowel written is a letter."""
    data = tables().rules.costs
    table: dict[tuple[str, str], float] = {}
    for x, y, cost in data.substitute:
        table[(x, y)] = table[(y, x)] = cost

    def indel(symbol: str, at_start: bool) -> float:
        if unvocalized and symbol in _SHORT:
            return _UNVOCALIZED_SHORT_INDEL
        if (unvocalized or letters_only) and symbol in "YW":
            return 1.0  # a written long vowel is a letter: حسين is neither Hassan nor حسن
        if at_start and symbol in VOWELS:
            return data.initial_vowel_indel
        return data.indel.get(symbol, data.default_indel)

    def substitute(x: str, y: str, at_start: bool) -> float:
        if x == y:
            return 0.0
        cost = table.get((x, y), 1.0)
        if x in VOWELS and y in VOWELS:
            if unvocalized and cost <= 0.4:  # blur vowel qualities, not vowel lengths
                cost *= _UNVOCALIZED_VOWEL_FACTOR
            elif at_start:
                cost = min(1.0, cost * data.initial_vowel_factor)
        return cost

    return _Costs(
        indel=tuple(indel(s, False) for s in _ALPHABET),
        start_indel=tuple(indel(s, True) for s in _ALPHABET),
        substitute=tuple(substitute(x, y, False) for x in _ALPHABET for y in _ALPHABET),
        start_substitute=tuple(substitute(x, y, True) for x in _ALPHABET for y in _ALPHABET),
    )


def symbol_weight(symbol: str) -> float:
    """How much one symbol counts towards the length of a form."""
    if symbol in _SHORT or symbol in "'H":
        return 0.5
    return 0.8 if symbol in _LONG else 1.0


class Form:
    """What the edit distance reads of a folded form, worked out once per form: its
    skeleton, its symbols as indexes into the cost tables (a symbol outside the alphabet
    gets an index of its own past them, and its edits cost 1), and its length counted with
    and without short vowels."""

    def __init__(self, form: str) -> None:
        body = form.lstrip(UNVOCALIZED)
        self.skeleton: Final = skeleton(form)
        self.unvocalized: Final = len(body) != len(form)
        self.symbols: Final = tuple([_INDEX.get(s, _SIZE + ord(s)) for s in body])
        self.packed: Final = array("i", self.symbols).tobytes()  # for the compiled kernel
        self.length: Final = sum(symbol_weight(s) for s in body)
        self.consonantal_length: Final = sum(symbol_weight(s) for s in body if s not in _SHORT)


def form_distance(a: str, b: str, limit: float = math.inf) -> float:
    """Weighted edit distance between two folded forms; ``inf`` once it must exceed ``limit``.

    >>> form_distance("hasan", "hasan")
    0.0
    """
    return weighted_distance(Form(a), Form(b), limit)


def _first_row(costs: _Costs, ys: tuple[int, ...]) -> tuple[list[float], list[float]]:
    """The cost of inserting each symbol of ``ys``, and the first row of the table."""
    b_cost = [costs.indel[y] if y < _SIZE else 1.0 for y in ys]
    if ys and ys[0] < _SIZE:
        b_cost[0] = costs.start_indel[ys[0]]
    row = [0.0]
    total = 0.0
    for cost in b_cost:
        total += cost
        row.append(total)
    return b_cost, row


_Kernel = Callable[[bytes, bytes, bytes, int, float], float]
_MemoType = Callable[..., "Memo"]


def _load_kernel() -> _Kernel | None:
    """The C twin of :func:`weighted_distance_py` (``namematch._kernels``), where the wheel
    was built with a C compiler; None otherwise."""
    if array("i").itemsize != 4:  # the kernel reads the symbols as int32
        return None
    try:
        from ._kernels import distance
    except ImportError:
        return None
    return distance


def _load_memo() -> _MemoType | None:
    """The C twin of :class:`MemoPy` (``namematch._kernels``), where it was built."""
    try:
        from ._kernels import Memo as CompiledMemo
    except ImportError:
        return None
    return CompiledMemo


_KERNEL: Final = _load_kernel()
_COMPILED_MEMO: Final = _load_memo()
_KERNEL_SYMBOLS: Final = 64  # the kernel's longest form (MAX_FORM)


def compiled_kernel() -> bool:
    """Whether the weighted edit distance and the memo run in the compiled C kernels."""
    return _KERNEL is not None


def weighted_distance(a: Form, b: Form, limit: float) -> float:
    """Weighted edit distance between two forms (Wagner-Fischer, row by row); ``inf`` as
    soon as a whole row exceeds ``limit``. The compiled kernel where there is one (the same
    float as :func:`weighted_distance_py`), else that function."""
    unvocalized, letters_only = a.unvocalized != b.unvocalized, a.unvocalized and b.unvocalized
    if (_KERNEL is not None and len(a.symbols) <= _KERNEL_SYMBOLS
            and len(b.symbols) <= _KERNEL_SYMBOLS):
        return _KERNEL(a.packed, b.packed, _packed_costs(unvocalized, letters_only), _SIZE,
                       limit)
    return weighted_distance_py(a, b, limit)


def weighted_distance_py(a: Form, b: Form, limit: float) -> float:
    """:func:`weighted_distance` in Python: the reference of the compiled kernel."""
    costs = _costs(a.unvocalized != b.unvocalized, a.unvocalized and b.unvocalized)
    ys = b.symbols
    b_cost, previous = _first_row(costs, ys)
    substitute = costs.substitute
    for i, x in enumerate(a.symbols):
        known = x < _SIZE
        x_cost = (costs.start_indel if i == 0 else costs.indel)[x] if known else 1.0
        row = x * _SIZE
        left = previous[0] + x_cost
        current = [left]
        best = left
        for j, y in enumerate(ys):
            # the cheapest of a substitution, a deletion from a, an insertion from b
            if x == y:
                change = 0.0
            elif not known or y >= _SIZE:
                change = 1.0
            elif i == 0 and j == 0:
                change = costs.start_substitute[row + y]
            else:
                change = substitute[row + y]
            diagonal = previous[j] + change
            up = previous[j + 1] + x_cost
            left += b_cost[j]
            if up < left:
                left = up
            if diagonal < left:
                left = diagonal
            current.append(left)
            if left < best:
                best = left
        if best > limit:
            return math.inf
        previous = current
    return previous[-1]


def edits_allowed(floor: float) -> int:
    """Skeleton edits beyond which two forms are below ``floor`` (see
    ``SKELETON_EDITS_PER_UNIT``)."""
    return int((1.0 - floor) * SKELETON_EDITS_PER_UNIT)


PART_EDITS: Final = edits_allowed(PART_THRESHOLD)
"""Skeleton edits beyond which two forms are below the part threshold."""

# skeleton_bits(): a bit per skeleton letter, then 4 bits of length, then the alias flag;
# under 2**62, so compiled code keeps it an unboxed integer.
_LETTER_BITS: Final = 56
_LETTER_MASK: Final = (1 << _LETTER_BITS) - 1
_LONGEST_SKELETON: Final = 15
ALIASED: Final = 1 << (_LETTER_BITS + 4)
"""The flag :func:`skeleton_bits` sets for a form the alias table lists."""


def skeleton_bits(form: str, aliases: AliasTable | None = None) -> int:
    """A form's skeleton as one integer: a bit per letter, its length above them, and the
    :data:`ALIASED` flag for a form the alias table lists (no alias table links the others).

    Two skeletons are at least as many edits apart as either has letters the other lacks,
    and as their lengths differ; :func:`far_apart` reads both bounds off these integers,
    which settles most unlike pairs of parts without a look-up.
    """
    skel = skeleton(form)
    mask = 0
    for char in skel:
        mask |= 1 << (ord(char) % _LETTER_BITS)
    aliased = ALIASED if aliases is not None and form in aliases.parts else 0
    return aliased | (min(len(skel), _LONGEST_SKELETON) << _LETTER_BITS) | mask


def far_apart(x: int, y: int, allowed: int) -> bool:
    """Whether two skeletons (see :func:`skeleton_bits`) are surely more than ``allowed``
    edits apart."""
    size = ((x >> _LETTER_BITS) & _LONGEST_SKELETON) - ((y >> _LETTER_BITS) & _LONGEST_SKELETON)
    if size > allowed or -size > allowed:
        return True
    mask_x, mask_y = x & _LETTER_MASK, y & _LETTER_MASK
    return _more_bits(mask_x & ~mask_y, allowed) or _more_bits(mask_y & ~mask_x, allowed)


def _more_bits(bits: int, count: int) -> bool:
    """Whether more than ``count`` bits are set."""
    for _ in range(count):
        if not bits:
            return False
        bits &= bits - 1
    return bits != 0


# A memo entry: (similarity, the floor it was computed with, skeleton edits).
_Entry = tuple[float, float, int]
# A move of an alignment (see MemoPy.moves): kind (0 pair, 1 join in a, 2 join in b), the
# part of each name it starts at, and its similarity.
PartMove = tuple[int, int, int, float]
Strs = Sequence[str]
"""A name's part forms, or its joined forms (tuples in :class:`~namematch.rules.NameFacts`)."""
Ints = Sequence[int]
"""Their :func:`skeleton_bits`."""
SameParts = Callable[[str, str], bool]

NEEDS_FORMS: Final = -1.0
"""What a memo answers for a pair whose forms it must be told of first (see :class:`MemoPy`)."""
BOTH_ALIASED: Final = -2.0
"""What a memo answers for two parts both in the alias table, which it does not read."""


class Memo(Protocol):
    """The memo of :class:`PartSimilarity`: :class:`MemoPy`, or its compiled twin."""

    def forms(self, a: str, b: str, floor: float, /) -> float: ...
    def parts(self, a: str, bits_a: int, b: str, bits_b: int, floor: float, /) -> float: ...
    def part(self, a: str, bits_a: int, b: str, bits_b: int, floor: float, /) -> float: ...
    def add_form(self, text: str, form: Form, /) -> None: ...
    def knows(self, text: str, /) -> bool: ...
    def moves(self, forms_a: Strs, bits_a: Ints, joined_a: Strs, joined_bits_a: Ints,
              forms_b: Strs, bits_b: Ints, joined_b: Strs, joined_bits_b: Ints, floor: float,
              /) -> list[PartMove]: ...
    def triage(self, a: object, b: object, part_threshold: float, threshold: float,
               extra_part_weight: float, /) -> int | tuple[float, bool]: ...
    def __len__(self) -> int: ...


class MemoPy:
    """Similarities of pairs of forms for one run, computed once: the reference of the
    compiled ``namematch._kernels.Memo``, which answers alike.

    ``rows[a][b]`` for ``a < b`` holds an entry (similarity, the floor it was computed with,
    skeleton edits). One entry serves every floor at or above the one it was computed for,
    so the first-part check and the alignment share work. Rows by form rather than one table
    by pair: no key tuple is built per look-up. It holds at most ``limit`` pairs and starts
    again when full; the forms it was told of (:meth:`add_form`), at most ``limit`` too.
    :meth:`forms` and :meth:`parts` answer :data:`NEEDS_FORMS` for a pair of forms it must be
    told of first, and :data:`BOTH_ALIASED` for two parts the alias table must settle.

    >>> memo = MemoPy(8)
    >>> memo.forms("hasan", "hasan", 0.5), memo.forms("hasan", "hosYn", 0.5)
    (1.0, -1.0)
    >>> memo.add_form("hasan", Form("hasan")); memo.add_form("hosYn", Form("hosYn"))
    >>> memo.forms("hasan", "hosYn", 0.5) > 0.5
    True
    """

    def __init__(self, limit: int, same_part: SameParts | None = None) -> None:
        self.limit: Final = limit
        self.same_part: Final = same_part
        self.rows: dict[str, dict[str, _Entry]] = {}
        self.size = 0
        self._forms: dict[str, Form] = {}
        self._settled: dict[tuple[float, int], _Entry] = {}

    def __len__(self) -> int:
        return self.size

    def knows(self, text: str) -> bool:
        """Whether the memo was told of this form (and still holds it)."""
        return text in self._forms

    def add_form(self, text: str, form: Form) -> None:
        """Tell the memo what the distances read of a form (one longer than ``MAX_FORM`` is
        never measured, and not kept)."""
        if len(text) <= MAX_FORM:
            self._forms.setdefault(text, form)

    def forms(self, a: str, b: str, floor: float) -> float:
        """The similarity of two forms (below ``floor``: 0), or :data:`NEEDS_FORMS`."""
        if a == b:
            return 1.0
        if len(a) > MAX_FORM or len(b) > MAX_FORM:
            return 0.0  # junk, not a name part: keep the edit distance off quadratic sizes
        if b < a:  # one entry per unordered pair
            a, b = b, a
        row = self.rows.get(a)
        cached = row.get(b) if row is not None else None
        if cached is None or (cached[0] == 0.0 and cached[1] > floor):
            form_a, form_b = self._forms.get(a), self._forms.get(b)
            if form_a is None or form_b is None:
                return NEEDS_FORMS
            cached = self._compute(form_a, form_b, floor)
            self._put(a, b, row, cached)
        return cached[0] if cached[0] >= floor and cached[2] <= edits_allowed(floor) else 0.0

    def parts(self, a: str, bits_a: int, b: str, bits_b: int, floor: float) -> float:
        """:meth:`forms`, after the bounds of the parts' :func:`skeleton_bits`."""
        if bits_a & bits_b & ALIASED:
            return BOTH_ALIASED
        if far_apart(bits_a, bits_b, edits_allowed(floor)):
            return 0.0
        return self.forms(a, b, floor)

    def part(self, a: str, bits_a: int, b: str, bits_b: int, floor: float) -> float:
        """The similarity of two parts: :meth:`parts`, the alias table (``same_part``)
        asked and the forms made where :meth:`parts` leaves that to its caller."""
        if bits_a & bits_b & ALIASED and self.same_part is not None and self.same_part(a, b):
            return 1.0
        if far_apart(bits_a, bits_b, edits_allowed(floor)):
            return 0.0
        found = self.forms(a, b, floor)
        if found == NEEDS_FORMS:
            self.add_form(a, Form(a))
            self.add_form(b, Form(b))
            found = self.forms(a, b, floor)
        return found

    def moves(self, forms_a: Strs, bits_a: Ints, joined_a: Strs, joined_bits_a: Ints,
              forms_b: Strs, bits_b: Ints, joined_b: Strs, joined_bits_b: Ints,
              floor: float) -> list[PartMove]:
        """Every part of a (or two joined: ``joined_a[i]`` is parts i and i + 1 as one
        word, or "") whose :meth:`part` similarity with one of b (or two joined) reaches
        ``floor``, in order: the moves an alignment of the two names may take."""
        moves: list[PartMove] = []
        for i, form_a in enumerate(forms_a):
            for j, form_b in enumerate(forms_b):
                found = self.part(form_a, bits_a[i], form_b, bits_b[j], floor)
                if found >= floor:
                    moves.append((0, i, j, found))
                if i and joined_a[i - 1]:
                    found = self.part(joined_a[i - 1], joined_bits_a[i - 1], form_b, bits_b[j],
                                      floor)
                    if found >= floor:
                        moves.append((1, i - 1, j, found))
                if j and joined_b[j - 1]:
                    found = self.part(form_a, bits_a[i], joined_b[j - 1], joined_bits_b[j - 1],
                                      floor)
                    if found >= floor:
                        moves.append((2, i, j - 1, found))
        return moves

    def triage(self, a: object, b: object, part_threshold: float, threshold: float,
               extra_part_weight: float) -> int | tuple[float, bool]:
        """2 (undecided): what the compiled memo judges of two prepared names without
        aligning them (``namematch.compare.Comparer.triage``), this memo leaves to the
        whole comparison."""
        return 2

    def _compute(self, form_a: Form, form_b: Form, floor: float) -> _Entry:
        allowed = edits_allowed(floor)
        edits = Levenshtein.distance(form_a.skeleton, form_b.skeleton, score_cutoff=allowed + 1)
        if edits > allowed:
            # Settled without the edit distance, for this floor and every higher one. Such
            # entries are most of the memo: they share one tuple per (floor, edits).
            key = (floor, edits)
            settled = self._settled.get(key)
            if settled is None:
                settled = self._settled[key] = (0.0, floor, edits)
            return settled
        if form_a.unvocalized != form_b.unvocalized:
            length = max(form_a.consonantal_length, form_b.consonantal_length, 1.0)
        else:
            length = max(form_a.length, form_b.length, 1.0)
        # Down to the conflict floor at least, so that the conflict check after the alignment
        # finds the pair settled instead of computing it again.
        depth = min(floor, CONFLICT_BELOW)
        limit = (1.0 - depth) * length + _SLACK
        similarity = 1.0 - weighted_distance_py(form_a, form_b, limit) / length
        return (similarity if similarity >= depth else 0.0, depth, edits)

    def _put(self, a: str, b: str, row: dict[str, _Entry] | None, entry: _Entry) -> None:
        """Remember ``entry`` for (a, b); ``row`` is a's row if it has one."""
        if self.size >= self.limit:
            self.rows.clear()
            self.size = 0
            row = None
        if row is None:
            row = self.rows[a] = {}
        if b not in row:
            self.size += 1
        row[b] = entry
        if len(self._forms) >= self.limit:
            self._forms.clear()


def _new_memo(limit: int, same_part: SameParts | None = None) -> Memo:
    """The compiled memo where the kernels are built, else :class:`MemoPy`."""
    if _COMPILED_MEMO is None:
        return MemoPy(limit, same_part)
    return _COMPILED_MEMO(limit=limit, max_form=MAX_FORM, edits_per_unit=SKELETON_EDITS_PER_UNIT,
                          letter_bits=_LETTER_BITS, longest_skeleton=_LONGEST_SKELETON,
                          aliased=ALIASED, conflict_below=CONFLICT_BELOW, slack=_SLACK,
                          costs=(_packed_costs(False, False), _packed_costs(True, False),
                                 _packed_costs(False, True)),
                          alphabet=_SIZE, form=Form, same_part=same_part)


MEMO_PAIRS: Final = 734_000
"""How many form pairs a run's memo holds before it starts again: about the most a table
of 2**20 slots holds 70% full (40 MB compiled; each compare worker has its own, and a
worker's pairs come close in name order, so a larger memo saves little work)."""


class PartSimilarity:
    """Similarities of forms and of parts for one run, memoised (:class:`MemoPy`). The
    result never depends on what the memo holds.

    >>> PartSimilarity().forms("mesmarI", "mismarI") >= PART_THRESHOLD
    True
    """

    def __init__(self, aliases: AliasTable | None = None, limit: int = MEMO_PAIRS) -> None:
        self.aliases: Final = aliases
        self.limit: Final = limit
        self.memo: Final = _new_memo(limit, aliases.same_part if aliases is not None else None)

    def forms(self, a: str, b: str, floor: float = SIMILARITY_FLOOR) -> float:
        """Similarity of two folded forms in [0, 1]: 1 minus distance over length.

        Below ``floor`` the similarity is reported as 0: the edit distance stops as soon as
        it is sure to fall below, so a caller that needs only high values asks for a high
        floor.
        """
        found = self.memo.forms(a, b, floor)
        if found == NEEDS_FORMS:
            self._add_forms(a, b)
            found = self.memo.forms(a, b, floor)
        return found

    def _add_forms(self, a: str, b: str) -> None:
        memo = self.memo
        for text in (a, b):
            if not memo.knows(text):
                memo.add_form(text, Form(text))

    def parts(self, a: str, bits_a: int, b: str, bits_b: int,
              floor: float = PART_THRESHOLD) -> float:
        """:meth:`forms` of two parts' forms, or 1 for parts the alias table links;
        ``bits_a`` and ``bits_b`` are their :func:`skeleton_bits` against that table."""
        return self.memo.part(a, bits_a, b, bits_b, floor)

    def moves(self, forms_a: Strs, bits_a: Ints, joined_a: Strs, joined_bits_a: Ints,
              forms_b: Strs, bits_b: Ints, joined_b: Strs, joined_bits_b: Ints,
              floor: float = PART_THRESHOLD) -> list[PartMove]:
        """The part pairs of two names that reach ``floor`` (:meth:`MemoPy.moves`): one
        call for all of them, which the compiled memo answers without Python."""
        return self.memo.moves(forms_a, bits_a, joined_a, joined_bits_a, forms_b, bits_b,
                               joined_b, joined_bits_b, floor)


def form_similarity(a: str, b: str, floor: float = SIMILARITY_FLOOR) -> float:
    """Similarity of two folded forms in [0, 1] (see :meth:`PartSimilarity.forms`),
    without a memo.

    >>> form_similarity("hasan", "hasan")
    1.0
    >>> form_similarity("mesmarI", "mismarI") >= PART_THRESHOLD
    True
    """
    return PartSimilarity(limit=16).forms(a, b, floor)
