"""Compare two names part by part, and explain every part's contribution.

Parts are aligned in order; a part may also meet two adjacent parts of the other name
joined (Abdul Razek / Abdelrazzak, Nasr Allah / Nasrallah). Two parts are similar when the
weighted edit distance between their folded forms is small for their length (costs in
``data/rules.yaml``). Two names match when their first parts align, no part of one stands
opposite a different part of the other, and the aligned parts are similar; a name of one
part (a surname mention such as "Ghosri") must meet the other's last part. When the first
parts differ, a leading Mohammed may be left out, or a surname written first put last.

>>> compare("Ahmed al-Mesmari", "Ahmed al-Mismari").decision
'match'
>>> compare("Hassan Nasrallah", "Hussein Nasrallah").decision
'no-match'
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Final, Literal

from rapidfuzz.distance import Levenshtein

from ._data import shipped
from ._pickling import by_fields
from .aliases import AliasTable
from .fold import SHORT_VOWELS, VOWELS, fold, join_forms, latin
from .keys import given_name, skeleton
from .parse import Name, Part, mention_ends, parse
from .script import UNVOCALIZED

PART_THRESHOLD: Final = 0.78
"""Least similarity for two parts to count as one name part."""
CONFLICT_BELOW: Final = 0.6
"""Parts opposite each other with less similarity than this make two names distinct."""
DEFAULT_THRESHOLD: Final = 0.8
"""Least score for two names to be one entity."""

CONFLICT_SCORE: Final = 0.3
"""The score of two names whose first parts differ or whose parts conflict, at most."""

EXTRA_PART_WEIGHT: Final = 0.15
"""A part one name has and the other lacks (a middle name, a longer nasab) weighs this much."""

REWRITE_FACTOR: Final = 0.97
"""Score factor for a match found only once one name is rewritten (a leading Mohammed left
out, a surname written first put last)."""

Decision = Literal["match", "no-match"]
Weights = Callable[[Part], float]
Kind = Literal["same", "alias", "extra", "conflict"]


@dataclass(frozen=True)
class PartMatch:
    """How one part (or two joined parts) of each name contributed to the score.

    ``kind`` is ``same`` (aligned parts), ``alias`` (linked by an alias table), ``extra``
    (a part one name has and the other lacks), or ``conflict`` (different parts standing
    opposite each other). ``a`` or ``b`` is empty for an ``extra`` part.
    """

    a: str
    b: str
    similarity: float
    weight: float
    kind: Kind

    def __reduce__(self) -> tuple[type[PartMatch], tuple[object, ...]]:
        return by_fields(self)


@dataclass(frozen=True)
class Match:
    """The result of comparing two names: score in [0, 1], decision and explanation."""

    a: str
    b: str
    score: float
    decision: Decision
    conflict: bool
    reason: str
    parts: tuple[PartMatch, ...]

    def explain(self) -> str:
        """A readable, multi-line account of the comparison."""
        lines = [f"{self.decision} (score {self.score:.3f}): {self.reason}"]
        for p in self.parts:
            lines.append(
                f"  {p.kind:<8} {p.a or '-':<24} {p.b or '-':<24} "
                f"sim {p.similarity:.2f}  weight {p.weight:.2f}"
            )
        return "\n".join(lines)

    def __reduce__(self) -> tuple[type[Match], tuple[object, ...]]:
        return by_fields(self)


Explained = tuple[tuple[Part, ...], tuple[Part, ...], float, float, Kind]
"""A :class:`PartMatch` before the public object is built: the parts of each side (empty
for an extra part), similarity, weight and kind. Their text is joined only when asked."""
Reason = str | tuple[str, tuple[Part, ...], tuple[Part, ...]]
"""Why two names differ: a sentence, or a gap's parts of each name and the verb between
them, put into words only when asked (judging millions of pairs never asks)."""


def _say(reason: Reason) -> str:
    if isinstance(reason, str):
        return reason
    verb, left, right = reason
    return f"{_text(left)!r} {verb} {_text(right)!r}"


class Outcome:
    """What comparing two parsed names finds: :class:`Match` without its explanation
    objects. :func:`resolve` judges millions of pairs and needs only the verdict; compiled,
    this plain class is built several times faster than frozen dataclasses.
    """

    def __init__(self, score: float, decision: Decision, conflict: bool,
                 reasons: str | list[Reason], parts: tuple[Explained, ...] = ()) -> None:
        self.score: Final = score
        self.decision: Final = decision
        self.conflict: Final = conflict
        self.reasons: Final = reasons
        self.parts: Final = parts

    def swapped(self) -> Outcome:
        """The same outcome seen from the other name."""
        parts = tuple((b, a, sim, weight, kind) for a, b, sim, weight, kind in self.parts)
        return Outcome(self.score, self.decision, self.conflict, self.reasons, parts)

    @property
    def reason(self) -> str:
        """Why the names match or not, in words."""
        if isinstance(self.reasons, str):
            return self.reasons
        return "; ".join(map(_say, self.reasons)) if self.reasons else "all parts agree"

    def match(self, a: str, b: str) -> Match:
        """The public result for names ``a`` and ``b``."""
        return Match(a, b, self.score, self.decision, self.conflict, self.reason,
                     tuple(PartMatch(_text(x), _text(y), sim, weight, kind)
                           for x, y, sim, weight, kind in self.parts))


_SHORT: Final = SHORT_VOWELS
_LONG: Final = frozenset("AYWIE")
_ALPHABET: Final = tuple("abcdefghijklmnopqrstuvwxyz'GXSCTDZHAYWIE")
# Against a form without written short vowels (Arabic script), the other side's short
# vowels cost almost nothing and vowel qualities blur.
_UNVOCALIZED_SHORT_INDEL: Final = 0.05
_UNVOCALIZED_VOWEL_FACTOR: Final = 0.5
# Similarity below this is reported as 0: the edit distance stops early on hopeless pairs.
SIMILARITY_FLOOR: Final = 0.5
SKELETON_EDITS_PER_UNIT: Final = 13.0
"""Two forms whose consonant skeletons (:func:`keys.skeleton`) are more than
``(1 - floor) * SKELETON_EDITS_PER_UNIT`` edits apart are taken to be below ``floor``
without computing the weighted edit distance: 2 edits at the part threshold, 5 at the
conflict threshold. Consonant classes rarely change between spellings of one part; on
650,000 form pairs from synthetic and labelled lists, none above a floor broke this bound.
"""
MAX_FORM: Final = 64
"""Forms longer than this (no real name part is) are compared for equality only."""
MAX_PARTS: Final = 24
"""Names of more parts than this (no real name has them) are compared for equality only."""


_INDEX: Final = {symbol: i for i, symbol in enumerate(_ALPHABET)}
_SIZE: Final = len(_ALPHABET)


@dataclass(frozen=True)
class _Costs:
    """Edit costs resolved for one comparison mode (both spelled, or one side unvocalized),
    by symbol index (see :class:`_Form`).

    ``start_indel`` holds the costs of a symbol at the start of a form, ``indel`` elsewhere;
    ``substitute[x * _SIZE + y]`` the cost of symbol x for y, and ``start_substitute`` that of
    two symbols that both start their forms.
    """

    indel: tuple[float, ...]
    start_indel: tuple[float, ...]
    substitute: tuple[float, ...]
    start_substitute: tuple[float, ...]


@functools.cache
def _costs(unvocalized: bool, letters_only: bool = False) -> _Costs:
    """Costs for two spelled forms, one unvocalized form (``unvocalized``), or two
    unvocalized forms (``letters_only``), where every vowel written is a letter."""
    data = shipped("rules.yaml")["costs"]
    base_indel = {str(k): float(v) for k, v in data["indel"].items()}
    default = base_indel.pop("default")
    table: dict[tuple[str, str], float] = {}
    for x, y, cost in data["substitute"]:
        table[(str(x), str(y))] = table[(str(y), str(x))] = float(cost)
    initial_indel = float(data["initial_vowel_indel"])
    initial_factor = float(data["initial_vowel_factor"])

    def indel(symbol: str, at_start: bool) -> float:
        if unvocalized and symbol in _SHORT:
            return _UNVOCALIZED_SHORT_INDEL
        if (unvocalized or letters_only) and symbol in "YW":
            return 1.0  # a written long vowel is a letter: حسين is neither Hassan nor حسن
        if at_start and symbol in VOWELS:
            return initial_indel
        return base_indel.get(symbol, default)

    def substitute(x: str, y: str, at_start: bool) -> float:
        if x == y:
            return 0.0
        cost = table.get((x, y), 1.0)
        if x in VOWELS and y in VOWELS:
            if unvocalized and cost <= 0.4:  # blur vowel qualities, not vowel lengths
                cost *= _UNVOCALIZED_VOWEL_FACTOR
            elif at_start:
                cost = min(1.0, cost * initial_factor)
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


class _Form:
    """What the edit distance reads of a folded form, worked out once per form: its
    skeleton, its symbols as indexes into the cost tables (a symbol outside the alphabet
    gets an index of its own past them, and its edits cost 1), and its length counted with
    and without short vowels."""

    def __init__(self, form: str) -> None:
        body = form.lstrip(UNVOCALIZED)
        self.skeleton: Final = skeleton(form)
        self.unvocalized: Final = len(body) != len(form)
        self.symbols: Final = tuple([_INDEX.get(s, _SIZE + ord(s)) for s in body])
        self.length: Final = sum(symbol_weight(s) for s in body)
        self.consonantal_length: Final = sum(symbol_weight(s) for s in body if s not in _SHORT)


_FORMS: Final[dict[str, _Form]] = {}
_FORMS_MAX: Final = 1 << 19


def _form(text: str) -> _Form:
    found = _FORMS.get(text)
    if found is None:
        if len(_FORMS) >= _FORMS_MAX:
            _FORMS.clear()
        found = _FORMS[text] = _Form(text)
    return found


def form_distance(a: str, b: str, limit: float = math.inf) -> float:
    """Weighted edit distance between two folded forms; ``inf`` once it must exceed ``limit``.

    >>> round(form_distance("mesmarI", "mismarI"), 2)
    0.2
    """
    return _distance(_form(a), _form(b), limit)


def _distance(a: _Form, b: _Form, limit: float) -> float:
    arabic_a, arabic_b = a.unvocalized, b.unvocalized
    costs = _costs(arabic_a != arabic_b, arabic_a and arabic_b)
    xs, ys = a.symbols, b.symbols
    indel, substitute = costs.indel, costs.substitute
    b_cost = [indel[y] if y < _SIZE else 1.0 for y in ys]
    if ys and ys[0] < _SIZE:
        b_cost[0] = costs.start_indel[ys[0]]
    previous = [0.0]
    total = 0.0
    for cost in b_cost:
        total += cost
        previous.append(total)
    for i, x in enumerate(xs):
        known = x < _SIZE
        x_cost = (costs.start_indel if i == 0 else indel)[x] if known else 1.0
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


class _Memo:
    """Computed similarities: ``rows[a][b]`` for ``a < b`` holds (similarity, the floor it
    was computed with, skeleton edits). One entry serves every floor at or above the one it
    was computed for, so the first-part check and the alignment share work. The result
    never depends on what the memo holds.

    Rows by form rather than one table by pair: no key tuple is built per look-up, and a
    common part's row stays small and warm in the processor's caches.
    """

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, tuple[float, float, int]]] = {}
        self.size = 0

    def clear(self) -> None:
        self.rows.clear()
        self.size = 0

    def put(self, a: str, b: str, row: dict[str, tuple[float, float, int]] | None,
            entry: tuple[float, float, int]) -> None:
        """Remember ``entry`` for (a, b); ``row`` is a's row if it has one."""
        if self.size >= _SIMILARITIES_MAX:
            self.clear()
            row = None
        if row is None:
            row = self.rows[a] = {}
        if b not in row:
            self.size += 1
        row[b] = entry


_SIMILARITIES: Final = _Memo()
_SIMILARITIES_MAX: Final = 1 << 21
_SETTLED: Final[dict[tuple[float, int], tuple[float, float, int]]] = {}


def forget_similarities() -> None:
    """Empty the similarity memo (it holds up to two million pairs of forms) and the forms
    it read."""
    _SIMILARITIES.clear()
    _FORMS.clear()


# The edit distance stops once it exceeds its limit; the slack keeps a pair whose similarity
# is the floor itself (up to rounding) from stopping at one floor and not at another.
_SLACK: Final = 1e-9


def form_similarity(a: str, b: str, floor: float = SIMILARITY_FLOOR) -> float:
    """Similarity of two folded forms in [0, 1]: 1 minus distance over length.

    Below ``floor`` the similarity is reported as 0: the edit distance stops as soon as it
    is sure to fall below, so a caller that needs only high values asks for a high floor.

    >>> form_similarity("hasan", "hasan")
    1.0
    >>> form_similarity("hasan", "hosYn") < PART_THRESHOLD
    True
    """
    if a == b:
        return 1.0
    if len(a) > MAX_FORM or len(b) > MAX_FORM:
        return 0.0  # junk, not a name part: keep the edit distance off quadratic sizes
    if b < a:  # one cache entry per unordered pair
        a, b = b, a
    allowed = _PART_EDITS if floor == PART_THRESHOLD else _edits_allowed(floor)
    row = _SIMILARITIES.rows.get(a)
    cached = row.get(b) if row is not None else None
    if cached is None or (cached[0] == 0.0 and cached[1] > floor):
        form_a, form_b = _form(a), _form(b)
        edits = Levenshtein.distance(form_a.skeleton, form_b.skeleton,
                                     score_cutoff=allowed + 1)
        if edits > allowed:
            # Settled without the edit distance, for this floor and every higher one. Such
            # entries are most of the memo: they share one tuple per (floor, edits).
            key = (floor, edits)
            settled = _SETTLED.get(key)
            if settled is None:
                settled = _SETTLED[key] = (0.0, floor, edits)
            _SIMILARITIES.put(a, b, row, settled)
            return 0.0
        if form_a.unvocalized != form_b.unvocalized:
            length = max(form_a.consonantal_length, form_b.consonantal_length, 1.0)
        else:
            length = max(form_a.length, form_b.length, 1.0)
        # Down to the conflict floor at least, so that the conflict check after the alignment
        # finds the pair settled instead of computing it again.
        depth = min(floor, CONFLICT_BELOW)
        similarity = 1.0 - _distance(form_a, form_b, (1.0 - depth) * length + _SLACK) / length
        cached = (similarity if similarity >= depth else 0.0, depth, edits)
        _SIMILARITIES.put(a, b, row, cached)
    return cached[0] if cached[0] >= floor and cached[2] <= allowed else 0.0


def join_parts(first: Part, second: Part) -> str:
    """The form of two adjacent parts written as one word (see :func:`fold.join_forms`)."""
    return join_forms(first.form, second.form, second.article)


def _opening_similarity(x: Prepared, y: Prepared, aliases: AliasTable | None) -> float:
    """Best similarity of x's first part with y's, allowing either to be joined with its next
    part.

    Every accepted alignment pairs these, so a low value settles a comparison early. Callers
    only compare the value with the thresholds, so once the parts themselves meet
    ``PART_THRESHOLD`` the joined options are not tried.
    """
    best = _similar(x.forms[0], x.letters[0], y.forms[0], y.letters[0], aliases, CONFLICT_BELOW)
    if best < PART_THRESHOLD and x.links:
        best = max(best, _similar(x.links[0], x.link_letters[0], y.forms[0], y.letters[0],
                                  aliases, CONFLICT_BELOW))
    if best < PART_THRESHOLD and y.links:
        best = max(best, _similar(x.forms[0], x.letters[0], y.links[0], y.link_letters[0],
                                  aliases, CONFLICT_BELOW))
    return best


def _uniform(part: Part) -> float:
    return 1.0


class _Step:
    """One move of an alignment, from cell (i, j). A plain class rather than a dataclass:
    compiled, it is built several times faster, and alignments build many."""

    def __init__(self, kind: Literal["pair", "join-a", "join-b", "skip-a", "skip-b"],
                 i: int, j: int, similarity: float = 0.0) -> None:
        self.kind: Final = kind
        self.i: Final = i
        self.j: Final = j
        self.similarity: Final = similarity


def _edits_allowed(floor: float) -> int:
    """Skeleton edits beyond which two forms are below ``floor`` (see
    ``SKELETON_EDITS_PER_UNIT``)."""
    return int((1.0 - floor) * SKELETON_EDITS_PER_UNIT)


_PART_EDITS: Final = _edits_allowed(PART_THRESHOLD)


# letters(): a bit per skeleton letter, then 4 bits of length, then the alias flag; under
# 2**62, so compiled code keeps it an unboxed integer.
_LETTER_BITS: Final = 56
_LETTER_MASK: Final = (1 << _LETTER_BITS) - 1
_LONGEST_SKELETON: Final = 15
_ALIASED: Final = 1 << (_LETTER_BITS + 4)


def letters(form: str, aliases: AliasTable | None = None) -> int:
    """A form's skeleton as one integer: a bit per letter, its length above them, and a
    flag for a form the alias table lists (no alias table links the others).

    Two skeletons are at least as many edits apart as either has letters the other lacks,
    and as their lengths differ; :func:`_far_apart` reads both bounds off these integers,
    which settles most unlike pairs of parts without a look-up.
    """
    skel = skeleton(form)
    mask = 0
    for char in skel:
        mask |= 1 << (ord(char) % _LETTER_BITS)
    aliased = _ALIASED if aliases is not None and form in aliases.parts else 0
    return aliased | (min(len(skel), _LONGEST_SKELETON) << _LETTER_BITS) | mask


def _far_apart(x: int, y: int, allowed: int) -> bool:
    """Whether two skeletons (see :func:`letters`) are surely more than ``allowed`` edits
    apart."""
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


def _similar(a: str, letters_a: int, b: str, letters_b: int, aliases: AliasTable | None,
             floor: float = PART_THRESHOLD) -> float:
    """:func:`form_similarity` of two parts' forms, or 1 for parts an alias table links;
    ``letters_a`` and ``letters_b`` are their :func:`letters` against that table."""
    if letters_a & letters_b & _ALIASED and aliases is not None and aliases.same_part(a, b):
        return 1.0
    allowed = _PART_EDITS if floor == PART_THRESHOLD else _edits_allowed(floor)
    if _far_apart(letters_a, letters_b, allowed):
        return 0.0
    return form_similarity(a, b, floor)


class Prepared:
    """A name as the comparison reads it, worked out once per name rather than once per
    pair: part forms and weights, the forms of adjacent parts written as one word, their
    :func:`letters`, and the name rules' facts about its first part.

    >>> Prepared(parse("Nasr Allah Hassan")).links
    ['nasralaH', 'alaHhasan']
    """

    def __init__(self, name: Name, weights: Weights = _uniform,
                 aliases: AliasTable | None = None) -> None:
        parts = name.parts
        self.name: Final = name
        self.parts: Final = parts
        self.aliases: Final = aliases
        self.forms: Final = [p.form for p in parts]
        self.letters: Final = [letters(f, aliases) for f in self.forms]
        self.weights: Final = [weights(p) for p in parts]
        self.initials: Final = name.initials
        # Adjacent parts joined; in the alignment, not where one is initials, which
        # abbreviate words and so never join them.
        self.links: Final = [join_parts(x, y) for x, y in itertools.pairwise(parts)]
        self.link_letters: Final = [letters(f, aliases) for f in self.links]
        self.joined: Final = ([f if not (x.initials or y.initials) else ""
                               for f, (x, y) in zip(self.links, itertools.pairwise(parts),
                                                    strict=True)]
                              if self.initials else self.links)
        self.optional_first: Final = _optional_first(name)
        self.given_first: Final = bool(parts) and given_name(parts[0].form)
        self.weigh: Final = weights
        self._shortened: Prepared | None = None
        self._reordered: Prepared | None = None

    def rewritten(self, parts: tuple[Part, ...]) -> Prepared:
        """The same name with other parts (see :func:`_rewrites`)."""
        return Prepared(replace(self.name, parts=parts), self.weigh, self.aliases)

    def shortened(self) -> Prepared:
        """The name less its first part, prepared once (a name meets many others)."""
        if self._shortened is None:
            self._shortened = self.rewritten(self.parts[1:])
        return self._shortened

    def reordered(self) -> Prepared:
        """The name with its first part put last, prepared once."""
        if self._reordered is None:
            self._reordered = self.rewritten((*self.parts[1:], self.parts[0]))
        return self._reordered


def _align(a: Prepared, b: Prepared, aliases: AliasTable | None) -> list[_Step]:
    """Order-preserving alignment of parts maximizing the summed similarity of pairs.

    Among equal sums, fewer skipped parts win; among those, the first option tried (skip a
    part of ``a``, skip one of ``b``, pair, join two of ``a``, join two of ``b``).
    """
    n, m = len(a.forms), len(b.forms)
    forms_a, forms_b, letters_a, letters_b = a.forms, b.forms, a.letters, b.letters
    joined_a, joined_b = a.joined, b.joined
    moves: list[_Step] = []  # every part (or two joined) that may stand opposite another
    for i in range(n):
        form_a, letter_a = forms_a[i], letters_a[i]
        for j in range(m):
            sim = _similar(form_a, letter_a, forms_b[j], letters_b[j], aliases)
            if sim >= PART_THRESHOLD:
                moves.append(_Step("pair", i, j, sim))
            if i and joined_a[i - 1]:
                sim = _similar(joined_a[i - 1], a.link_letters[i - 1], forms_b[j],
                               letters_b[j], aliases)
                if sim >= PART_THRESHOLD:
                    moves.append(_Step("join-a", i - 1, j, sim))
            if j and joined_b[j - 1]:
                sim = _similar(form_a, letter_a, joined_b[j - 1], b.link_letters[j - 1],
                               aliases)
                if sim >= PART_THRESHOLD:
                    moves.append(_Step("join-b", i, j - 1, sim))
    if _is_chain(moves):
        return _chain_path(moves, n, m)
    return _best_path(moves, n, m)


def _initials_agree(x: list[Part], y: list[Part]) -> bool:
    """Whether the initials on one side spell, in order, first letters of the parts on the
    other (A. H. = Abdullah Hassan; M. is not Ali)."""
    short, full = (x, y) if all(p.initials for p in x) else (y, x)
    letters = [c for p in short for c in latin(p.text)]
    firsts = iter(latin(p.text)[:1] for p in full)
    return all(any(c == f for f in firsts) for c in letters)


def _end(step: _Step) -> tuple[int, int]:
    """The cell a move leads to: the counts of parts of each name it has consumed."""
    return (step.i + (2 if step.kind == "join-a" else 1),
            step.j + (2 if step.kind == "join-b" else 1))


def _is_chain(moves: list[_Step]) -> bool:
    """Whether the moves can all be taken together, each after the one before."""
    return all(_end(x)[0] <= y.i and _end(x)[1] <= y.j for x, y in itertools.pairwise(moves))


def _chain_path(moves: list[_Step], n: int, m: int) -> list[_Step]:
    """The best path when the moves form a chain: all of them, with the skips between
    them in the order :func:`_best_path` would choose."""
    steps: list[_Step] = []
    i, j, k = n, m, len(moves) - 1
    while i or j:
        if k >= 0 and _end(moves[k]) == (i, j):
            steps.append(moves[k])
            i, j, k = moves[k].i, moves[k].j, k - 1
        elif i and (k < 0 or _end(moves[k])[0] < i):  # skipping in ``a`` loses no move
            steps.append(_Step("skip-a", i - 1, j))
            i -= 1
        else:
            steps.append(_Step("skip-b", i, j - 1))
            j -= 1
    steps.reverse()
    return steps


def _best_path(moves: list[_Step], n: int, m: int) -> list[_Step]:
    """Dynamic programming over the (n+1) x (m+1) cells, for moves that compete."""
    ending: dict[tuple[int, int], list[_Step]] = {}
    for step in moves:
        ending.setdefault(_end(step), []).append(step)
    total = [[0.0] * (m + 1) for _ in range(n + 1)]
    gaps = [[0] * (m + 1) for _ in range(n + 1)]
    back: list[list[_Step | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        for j in range(m + 1):
            if not (i or j):
                continue
            options: list[tuple[float, int, _Step]] = []
            if i:
                options.append((total[i - 1][j], gaps[i - 1][j] + 1, _Step("skip-a", i - 1, j)))
            if j:
                options.append((total[i][j - 1], gaps[i][j - 1] + 1, _Step("skip-b", i, j - 1)))
            for step in ending.get((i, j), ()):
                gain = step.similarity if step.kind == "pair" else 2 * step.similarity
                options.append((total[step.i][step.j] + gain, gaps[step.i][step.j], step))
            chosen = options[0]
            for option in options[1:]:
                if option[0] > chosen[0] or (option[0] == chosen[0] and option[1] < chosen[1]):
                    chosen = option
            total[i][j], gaps[i][j], back[i][j] = chosen
    steps: list[_Step] = []
    i, j = n, m
    while i or j:
        previous = back[i][j]
        assert previous is not None
        steps.append(previous)
        i, j = previous.i, previous.j
    steps.reverse()
    return steps


def _text(parts: tuple[Part, ...]) -> str:
    return " ".join(p.text for p in parts)


def compare(
    a: Name | str,
    b: Name | str,
    *,
    aliases: AliasTable | None = None,
    weights: Weights = _uniform,
    threshold: float = DEFAULT_THRESHOLD,
) -> Match:
    """Compare two names; ``weights`` gives each part's informativeness (default 1).

    >>> m = compare("Abdul Razek al-Nadoori", "Abdelrazzak al-Nadhouri")
    >>> m.decision, [p.kind for p in m.parts]
    ('match', ['same', 'same'])
    >>> compare("Saadi Gaddafi", "Muammar Gaddafi").conflict
    True
    """
    name_a = a if isinstance(a, Name) else parse(a)
    name_b = b if isinstance(b, Name) else parse(b)
    return outcome(name_a, name_b, aliases, weights, threshold).match(name_a.text, name_b.text)


def outcome(
    name_a: Name,
    name_b: Name,
    aliases: AliasTable | None = None,
    weights: Weights = _uniform,
    threshold: float = DEFAULT_THRESHOLD,
) -> Outcome:
    """:func:`compare` of two parsed names, without building the explanation objects.

    >>> outcome(parse("Ahmed al-Mesmari"), parse("Ahmed al-Mismari")).decision
    'match'
    """
    return judged(Prepared(name_a, weights, aliases), Prepared(name_b, weights, aliases),
                  threshold)


def judged(a: Prepared, b: Prepared, threshold: float = DEFAULT_THRESHOLD,
           settle: bool = True) -> Outcome:
    """:func:`outcome` of two names prepared with the same weights and alias table: a
    caller comparing each name with many others prepares it once.

    With ``settle=False``, the comparison stops at parts that differ, without comparing them
    further to tell whether they conflict: such a pair comes out as a possible conflict, with
    the conflict score and no explanation. Its decision is the settled outcome's (never a
    match); its ``conflict`` flag, score and explanation may differ. :func:`resolve` settles
    the few of those that could stop a merge.

    >>> judged(Prepared(parse("Saadi Gaddafi")), Prepared(parse("Muammar Gaddafi"))).conflict
    True
    """
    name_a, name_b, aliases = a.name, b.name, a.aliases
    if name_b.text < name_a.text or (name_b.text == name_a.text and name_b.parts < name_a.parts):
        # One fixed order, so that ties in the alignment cannot make compare asymmetric.
        return _compare(b, a, aliases, threshold, settle=settle).swapped()
    return _compare(a, b, aliases, threshold, settle=settle)


@functools.cache
def _optional_first_forms() -> frozenset[str]:
    return frozenset(fold(text) for text in shipped("names.yaml")["optional_first"])


def _optional_first(name: Name) -> bool:
    """Whether the name's first part may stand unmatched (see ``optional_first`` in names.yaml),
    or a given name before a kunya, by which the person goes (Adnan Abu Walid al-Sahrawi is
    Abu Walid al-Sahrawi)."""
    if len(name.parts) < 3 or name.patronymic:
        return False
    if name.parts[1].role == "kunya":
        return True
    form = name.parts[0].form
    return any(form_similarity(form, f) >= PART_THRESHOLD for f in _optional_first_forms())


def _match_rewritten(
    name_a: Prepared, name_b: Prepared, aliases: AliasTable | None, threshold: float
) -> Outcome | None:
    """The match of the two names once one of them is rewritten (see :func:`_rewrites`)."""
    for name, other, a_side in ((name_a, name_b, True), (name_b, name_a, False)):
        for rewritten, dropped, how in _rewrites(name, other, aliases):
            # Arguments spelled out: compiled, a call with *args goes through the generic
            # Python calling convention, a quarter of the time of such pairs.
            first, second = (rewritten, other) if a_side else (other, rewritten)
            match = _compare(first, second, aliases, threshold, may_rewrite=False,
                             settle=False)
            if match.decision != "match":
                continue
            parts = match.parts
            if dropped is not None:
                alone = (dropped,)
                parts = ((alone if a_side else (), () if a_side else alone, 0.0,
                          name.weigh(dropped), "extra"), *parts)
            score = round(match.score * REWRITE_FACTOR, 6)
            return Outcome(score, "match" if score >= threshold else "no-match", False,
                           f"all parts agree once {how}", parts)
    return None


def _rewrites(
    name: Prepared, other: Prepared, aliases: AliasTable | None
) -> Iterator[tuple[Prepared, Part | None, str]]:
    """Ways usage shortens or reorders a name whose first part differs from the other's:
    each rewritten name, the part it left out (if any), and how it was rewritten.

    * A leading Mohammed left out (Mohammed Hosni Mubarak = Hosni Mubarak), see
      ``optional_first`` in names.yaml.
    * A surname written first put last: lists flattened from "SURNAME, Given" lose the
      comma ("Haftar Khalifa"). Only when the part meets the other name's last part, and is
      not a common given name: "Ali Hassan" (Ali son of Hassan) is not "Hassan Ali".
    """
    parts = name.parts
    if name.optional_first:
        yield (name.shortened(), parts[0],
               f"the leading {parts[0].text!r} is left out")
    if (not name.name.patronymic and parts[0].role != "kunya" and not name.given_first
            and _similar(name.forms[0], name.letters[0], other.forms[-1], other.letters[-1],
                         aliases, CONFLICT_BELOW) >= PART_THRESHOLD):
        yield (name.reordered(), None,
               f"the surname {parts[0].text!r} written first is put last")


class _Tally:
    """What the walk along an alignment gathers: the explanation, the weights, and the
    verdicts on each gap of unaligned parts (a plain object rather than a closure, which
    compiled code would keep alive in a reference cycle)."""

    def __init__(self, a: Prepared, b: Prepared, settle: bool) -> None:
        self.a = a
        self.b = b
        self.settle = settle  # whether parts that differ are checked for a conflict
        self.initials = a.initials or b.initials  # whether either name has initials at all
        self.explained: list[Explained] = []
        self.reasons: list[Reason] = []
        self.matched_weight = 0.0
        self.total_weight = 0.0
        self.conflict = False
        self.lacks_a = False  # a part written out that the other name lacks
        self.lacks_b = False
        self.pending_a: list[int] = []  # the current gap: indexes of parts
        self.pending_b: list[int] = []

    def close_gap(self) -> None:
        """Judge the parts left unaligned since the last aligned pair."""
        gap_a, gap_b = self.pending_a, self.pending_b
        if not (gap_a or gap_b):
            return
        a, b, initials = self.a, self.b, self.initials
        kind: Literal["conflict", "extra"] = "extra"
        # Initials stand for parts written out elsewhere (H.A., M.): opposite other parts
        # they neither conflict nor differ, they weigh nothing, and a name lacks nothing for
        # having them. A side is "short" when it writes out no part in the gap.
        short_a = not gap_a or (initials and all(a.parts[i].initials for i in gap_a))
        short_b = not gap_b or (initials and all(b.parts[j].initials for j in gap_b))
        if gap_a and gap_b and not (short_a or short_b):
            if not self.settle:
                # Differing parts make an unsettled conflict: the comparison stops here.
                self.conflict = True
                return
            best = 0.0
            for i in gap_a:
                for j in gap_b:
                    similarity = _similar(a.forms[i], a.letters[i], b.forms[j], b.letters[j],
                                          None, CONFLICT_BELOW)
                    if similarity > best:
                        best = similarity
            if best < CONFLICT_BELOW:
                kind, self.conflict = "conflict", True
            self.reasons.append(("differs from", _gap(a, gap_a), _gap(b, gap_b)))
        elif gap_a and gap_b and not _initials_agree(list(_gap(a, gap_a)), list(_gap(b, gap_b))):
            short, full = (_gap(a, gap_a), _gap(b, gap_b)) if short_a else (
                _gap(b, gap_b), _gap(a, gap_a))
            self.reasons.append(("does not abbreviate", short, full))
        self.lacks_a = self.lacks_a or not short_a
        self.lacks_b = self.lacks_b or not short_b
        for i in gap_a:
            x = a.parts[i]
            weight = 0.0 if initials and x.initials else a.weights[i]
            self.total_weight += weight * EXTRA_PART_WEIGHT
            self.explained.append(((x,), (), 0.0, weight, kind))
        for j in gap_b:
            y = b.parts[j]
            weight = 0.0 if initials and y.initials else b.weights[j]
            self.total_weight += weight * EXTRA_PART_WEIGHT
            self.explained.append(((), (y,), 0.0, weight, kind))
        gap_a.clear()
        gap_b.clear()


# What an unsettled comparison gives once it meets parts that differ (see judged()).
_UNSETTLED: Final = Outcome(CONFLICT_SCORE, "no-match", True, "parts differ (not settled)")


def _rounded(score: float) -> float:
    """``round(score, 6)``. round() formats the number as decimal digits; most candidate
    pairs score 0.3 (a conflict), 0 or 1, which it would leave as they are.

    >>> _rounded(2 / 3), _rounded(0.3)
    (0.666667, 0.3)
    """
    if score == CONFLICT_SCORE or score == 0.0 or score == 1.0:
        return score
    return round(score, 6)


def _mention_similarity(one: Prepared, full: Prepared,
                        aliases: AliasTable | None) -> tuple[float, bool]:
    """The best similarity of a one-part name with the parts of a longer name it may meet
    (see :func:`parse.mention_ends`), and whether it may meet the last part."""
    form, letter = one.forms[0], one.letters[0]
    meets_first, meets_last = mention_ends(one.name, full.name)
    best = 0.0
    if meets_last:
        best = _similar(form, letter, full.forms[-1], full.letters[-1], aliases, CONFLICT_BELOW)
        if full.links:
            best = max(best, _similar(form, letter, full.links[-1], full.link_letters[-1],
                                      None, CONFLICT_BELOW))
    if meets_first and one.parts[0].role == "kunya":
        best = max(best, _opening_similarity(one, full, aliases))
    elif meets_first:  # a given name after a title: the first part itself
        best = max(best, _similar(form, letter, full.forms[0], full.letters[0], aliases,
                                  CONFLICT_BELOW))
    return best, meets_last


def _mention_reason(meets_last: bool) -> str:
    """Why a one-part name does not meet a longer one (see :func:`parse.mention_ends`)."""
    if meets_last:
        return "a one-part name must meet the other name's last part"
    return "a one-part name meets neither a father's name after bin nor this first part"


def _gap(name: Prepared, indexes: list[int]) -> tuple[Part, ...]:
    return tuple([name.parts[i] for i in indexes])


def _compare(
    a: Prepared,
    b: Prepared,
    aliases: AliasTable | None,
    threshold: float,
    may_rewrite: bool = True,
    settle: bool = True,
) -> Outcome:
    name_a, name_b = a.name, b.name
    pa, pb = a.parts, b.parts
    if aliases is not None and aliases.same_name(name_a.text, name_b.text):
        return Outcome(1.0, "match", False, "alias table")
    if not pa or not pb or max(len(pa), len(pb)) > MAX_PARTS:
        same = name_a.text == name_b.text
        return Outcome(float(same), "match" if same else "no-match",
                     False, "no name parts to compare, or too many", ())
    # Settle hopeless pairs before aligning: two full names must share their first part, and
    # a one-part name must meet the other's last part (or its first, for a kunya).
    if len(pa) > 1 and len(pb) > 1:
        first = _opening_similarity(a, b, aliases)
        if first < PART_THRESHOLD:
            rewritten = _match_rewritten(a, b, aliases, threshold) if may_rewrite else None
            if rewritten is not None:
                return rewritten
            return Outcome(CONFLICT_SCORE, "no-match", first < CONFLICT_BELOW,
                         "the first parts differ", ())
    elif len(pa) + len(pb) > 2:
        one, full = (a, b) if len(pa) == 1 else (b, a)
        best, meets_last = _mention_similarity(one, full, aliases)
        if best < PART_THRESHOLD:
            return Outcome(best, "no-match", False, _mention_reason(meets_last), ())
    first_aligned = False
    last_b_aligned = last_a_aligned = False
    tally = _Tally(a, b, settle)
    for step in _align(a, b, aliases):
        if step.kind == "skip-a":
            tally.pending_a.append(step.i)
            continue
        if step.kind == "skip-b":
            tally.pending_b.append(step.j)
            continue
        tally.close_gap()
        if tally.conflict and not settle:
            return _UNSETTLED
        i, j = step.i, step.j
        left = pa[i : i + 2] if step.kind == "join-a" else (pa[i],)
        right = pb[j : j + 2] if step.kind == "join-b" else (pb[j],)
        if i == 0 and j == 0:
            first_aligned = True
        if i + len(left) == len(pa):
            last_a_aligned = True
        if j + len(right) == len(pb):
            last_b_aligned = True
        weight_a = a.weights[i] + a.weights[i + 1] if len(left) == 2 else a.weights[i]
        weight_b = b.weights[j] + b.weights[j + 1] if len(right) == 2 else b.weights[j]
        weight = weight_b if weight_b > weight_a else weight_a
        alias = (len(left) == len(right) == 1 and a.letters[step.i] & b.letters[step.j] & _ALIASED
                 != 0 and aliases is not None and aliases.same_part(left[0].form, right[0].form))
        tally.explained.append((left, right, step.similarity, weight,
                                "alias" if alias else "same"))
        tally.matched_weight += weight * step.similarity
        tally.total_weight += weight
    tally.close_gap()
    if tally.conflict and not settle:
        return _UNSETTLED
    explained, reasons, conflict = tally.explained, tally.reasons, tally.conflict
    matched_weight, total_weight = tally.matched_weight, tally.total_weight
    single = len(pa) == 1 or len(pb) == 1
    if tally.lacks_a and tally.lacks_b and not reasons:
        # A shortened name drops parts; it does not add others (Mohammed Ibrahim Sulaiman is
        # not Mohammed Hassan Ibrahim).
        reasons.append("each name has parts the other lacks")
    if single:
        score = max((p[2] for p in explained if p[4] in ("same", "alias")), default=0.0)
    else:
        score = matched_weight / total_weight if total_weight else 0.0
    if single and not matched_weight:
        reasons.append("no part in common")
    elif single:
        # A one-part mention is a surname (or a kunya such as Abu Obeida): it must meet the
        # other name's last part, or its kunya.
        one_name, full_name = (name_a, name_b) if len(pa) == 1 else (name_b, name_a)
        other_last = last_b_aligned if len(pa) == 1 else last_a_aligned
        meets_first, meets_last = mention_ends(one_name, full_name)
        if len(pa) == len(pb) == 1:
            pass
        elif not ((meets_last and other_last) or (meets_first and first_aligned)):
            reasons.append(_mention_reason(meets_last))
            score = min(score, CONFLICT_BELOW)
    elif not first_aligned:
        reasons.append("the first parts differ")
        conflict = True
    if conflict:
        score = min(score, CONFLICT_SCORE)
    decision: Decision = "match" if score >= threshold and not reasons else "no-match"
    return Outcome(_rounded(score), decision, conflict, reasons,
                 tuple(explained))
