"""Align the parts of two names in order, and walk the alignment to weigh and explain it.

A move pairs a part of each name, or a part of one with two adjacent parts of the other
written as one word (Abdul Razek / Abdelrazzak); parts no move takes are skipped. The best
path maximises the summed similarity of its moves. :class:`Tally` walks a path: aligned
parts add their weighted similarity, and each gap of skipped parts is judged (extra parts,
initials that abbreviate, or parts that differ and may make the names distinct).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Final, Literal

from .distance import ALIASED, CONFLICT_BELOW, PartMove, PartSimilarity
from .fold import latin
from .parse import Part
from .rules import Prepared

__all__ = ["EXTRA_PART_WEIGHT", "Explained", "Kind", "Reason", "Step", "Tally", "align",
           "chain_differs", "chained", "part_moves"]

EXTRA_PART_WEIGHT: Final = 0.15
"""A part one name has and the other lacks (a middle name, a longer nasab) weighs this much."""

Kind = Literal["same", "alias", "extra", "conflict"]
Move = Literal["pair", "join-a", "join-b", "skip-a", "skip-b"]


class Explained:
    """One part's (or two joined parts') contribution before the public
    :class:`~namematch.compare.PartMatch` is built: the parts of each side (one side empty
    for an extra part), similarity, weight and kind. Their text is joined only when asked."""

    def __init__(self, a: tuple[Part, ...], b: tuple[Part, ...], similarity: float,
                 weight: float, kind: Kind) -> None:
        self.a: Final = a
        self.b: Final = b
        self.similarity: Final = similarity
        self.weight: Final = weight
        self.kind: Final = kind

    def swapped(self) -> Explained:
        return Explained(self.b, self.a, self.similarity, self.weight, self.kind)


Reason = str | tuple[str, tuple[Part, ...], tuple[Part, ...]]
"""Why two names differ: a sentence, or a gap's parts of each name and the verb between
them, put into words only when asked (judging millions of pairs never asks)."""


class Step:
    """One move of an alignment, from cell (i, j). A plain class rather than a dataclass:
    compiled, it is built several times faster, and alignments build many."""

    def __init__(self, kind: Move, i: int, j: int, similarity: float = 0.0) -> None:
        self.kind: Final = kind
        self.i: Final = i
        self.j: Final = j
        self.similarity: Final = similarity

    def end(self) -> tuple[int, int]:
        """The cell the move leads to: the counts of parts of each name it has consumed."""
        return (self.i + (2 if self.kind == "join-a" else 1),
                self.j + (2 if self.kind == "join-b" else 1))


_MOVES: Final[tuple[Move, Move, Move]] = ("pair", "join-a", "join-b")


def part_moves(a: Prepared, b: Prepared, similar: PartSimilarity) -> list[PartMove]:
    """Every part (or two joined) of ``a`` that may stand opposite one of ``b``, in order,
    as (kind, i, j, similarity) with kind an index into pair, join-a, join-b."""
    return similar.moves(a.forms, a.bits, a.joined, a.link_bits,
                         b.forms, b.bits, b.joined, b.link_bits)


def align(a: Prepared, b: Prepared, similar: PartSimilarity,
          found: list[PartMove] | None = None) -> list[Step]:
    """Order-preserving alignment of parts maximizing the summed similarity of pairs;
    ``found`` is :func:`part_moves` of the two names, when already known.

    Among equal sums, fewer skipped parts win; among those, the first option tried (skip a
    part of ``a``, skip one of ``b``, pair, join two of ``a``, join two of ``b``).
    """
    if found is None:
        found = part_moves(a, b, similar)
    moves = [Step(_MOVES[kind], i, j, sim) for kind, i, j, sim in found]
    n, m = len(a.forms), len(b.forms)
    if _is_chain(moves):
        return _chain_path(moves, n, m)
    return _best_path(moves, n, m)


def chain_differs(found: list[PartMove], a: Prepared, b: Prepared) -> bool:
    """Whether the moves ``found`` (:func:`part_moves`) form a chain whose alignment leaves
    a gap where both names write out parts: then walking it without settling stops at an
    unsettled conflict (:meth:`Tally.walk`). Most candidate pairs end so; this answers for
    them without building the alignment. False when the moves compete (not a chain).
    """
    initials = a.initials or b.initials
    differs = False
    done_a = done_b = 0  # parts of each name before the current gap
    for kind, i, j, _ in found:
        if i < done_a or j < done_b:
            return False
        differs = differs or not (_short(a, range(done_a, i), initials)
                                  or _short(b, range(done_b, j), initials))
        done_a, done_b = i + (2 if kind == 1 else 1), j + (2 if kind == 2 else 1)
    return differs or not (_short(a, range(done_a, len(a.parts)), initials)
                           or _short(b, range(done_b, len(b.parts)), initials))


def chained(found: list[PartMove]) -> bool:
    """Whether the moves ``found`` (:func:`part_moves`) can all be taken together, each
    after the one before: then the alignment takes them all."""
    return _is_chain([Step(_MOVES[kind], i, j, sim) for kind, i, j, sim in found])


def _short(name: Prepared, gap: Sequence[int], initials: bool) -> bool:
    """Whether a side of a gap writes out no part: it is empty, or (when either name has
    initials) holds initials only, which stand for parts written out elsewhere."""
    return not gap or (initials and all(name.parts[i].initials for i in gap))


def _is_chain(moves: list[Step]) -> bool:
    """Whether the moves can all be taken together, each after the one before."""
    return all(x.end()[0] <= y.i and x.end()[1] <= y.j for x, y in itertools.pairwise(moves))


def _chain_path(moves: list[Step], n: int, m: int) -> list[Step]:
    """The best path when the moves form a chain: all of them, with the skips between
    them in the order :func:`_best_path` would choose."""
    steps: list[Step] = []
    i, j, k = n, m, len(moves) - 1
    while i or j:
        if k >= 0 and moves[k].end() == (i, j):
            steps.append(moves[k])
            i, j, k = moves[k].i, moves[k].j, k - 1
        elif i and (k < 0 or moves[k].end()[0] < i):  # skipping in ``a`` loses no move
            steps.append(Step("skip-a", i - 1, j))
            i -= 1
        else:
            steps.append(Step("skip-b", i, j - 1))
            j -= 1
    steps.reverse()
    return steps


class _Cell:
    """The best way found to reach one cell: summed gain, skipped parts, last move."""

    def __init__(self, gain: float, gaps: int, step: Step | None) -> None:
        self.gain: Final = gain
        self.gaps: Final = gaps
        self.step: Final = step

    def beats(self, other: _Cell) -> bool:
        return self.gain > other.gain or (self.gain == other.gain and self.gaps < other.gaps)


def _best_path(moves: list[Step], n: int, m: int) -> list[Step]:
    """Dynamic programming over the (n+1) x (m+1) cells, for moves that compete."""
    ending: dict[tuple[int, int], list[Step]] = {}
    for step in moves:
        ending.setdefault(step.end(), []).append(step)
    cells = [[_Cell(0.0, 0, None)] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        for j in range(m + 1):
            if i or j:
                cells[i][j] = _best_into(cells, i, j, ending.get((i, j), []))
    steps: list[Step] = []
    i, j = n, m
    while i or j:
        previous = cells[i][j].step
        assert previous is not None
        steps.append(previous)
        i, j = previous.i, previous.j
    steps.reverse()
    return steps


def _best_into(cells: list[list[_Cell]], i: int, j: int, arriving: list[Step]) -> _Cell:
    """The best way into cell (i, j): a skip in either name, or one of ``arriving``."""
    options: list[_Cell] = []
    if i:
        before = cells[i - 1][j]
        options.append(_Cell(before.gain, before.gaps + 1, Step("skip-a", i - 1, j)))
    if j:
        before = cells[i][j - 1]
        options.append(_Cell(before.gain, before.gaps + 1, Step("skip-b", i, j - 1)))
    for step in arriving:
        gain = step.similarity if step.kind == "pair" else 2 * step.similarity
        start = cells[step.i][step.j]
        options.append(_Cell(start.gain + gain, start.gaps, step))
    chosen = options[0]
    for option in options[1:]:
        if option.beats(chosen):
            chosen = option
    return chosen


def initials_agree(x: list[Part], y: list[Part]) -> bool:
    """Whether the initials on one side spell, in order, first letters of the parts on the
    other (A. H. = Abdullah Hassan; M. is not Ali)."""
    short, full = (x, y) if all(p.initials for p in x) else (y, x)
    letters = [c for p in short for c in latin(p.text)]
    firsts = iter(latin(p.text)[:1] for p in full)
    return all(any(c == f for f in firsts) for c in letters)


def _gap(name: Prepared, indexes: list[int]) -> tuple[Part, ...]:
    return tuple([name.parts[i] for i in indexes])


class Tally:
    """What the walk along an alignment gathers: the explanation, the weights, and the
    verdicts on each gap of unaligned parts (a plain object rather than a closure, which
    compiled code would keep alive in a reference cycle)."""

    def __init__(self, a: Prepared, b: Prepared, similar: PartSimilarity, settle: bool) -> None:
        self.a = a
        self.b = b
        self.similar = similar
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
        self.first_aligned = False  # whether the first parts stand opposite each other
        self.last_a_aligned = False  # whether a's last part is aligned
        self.last_b_aligned = False

    def walk(self, steps: list[Step]) -> bool:
        """Take the steps of an alignment; False if an unsettled conflict stopped the walk."""
        for step in steps:
            if step.kind == "skip-a":
                self.pending_a.append(step.i)
            elif step.kind == "skip-b":
                self.pending_b.append(step.j)
            else:
                self.close_gap()
                if self.conflict and not self.settle:
                    return False
                self.take(step)
        self.close_gap()
        return not (self.conflict and not self.settle)

    def take(self, step: Step) -> None:
        """Add an aligned move: its parts, weight and similarity."""
        a, b = self.a, self.b
        i, j = step.i, step.j
        left = a.parts[i : i + 2] if step.kind == "join-a" else (a.parts[i],)
        right = b.parts[j : j + 2] if step.kind == "join-b" else (b.parts[j],)
        self.first_aligned = self.first_aligned or (i == 0 and j == 0)
        self.last_a_aligned = self.last_a_aligned or i + len(left) == len(a.parts)
        self.last_b_aligned = self.last_b_aligned or j + len(right) == len(b.parts)
        weight_a = a.weights[i] + a.weights[i + 1] if len(left) == 2 else a.weights[i]
        weight_b = b.weights[j] + b.weights[j + 1] if len(right) == 2 else b.weights[j]
        weight = weight_b if weight_b > weight_a else weight_a
        aliases = self.similar.aliases
        alias = (len(left) == len(right) == 1 and a.bits[i] & b.bits[j] & ALIASED != 0
                 and aliases is not None and aliases.same_part(left[0].form, right[0].form))
        self.explained.append(Explained(left, right, step.similarity, weight,
                                        "alias" if alias else "same"))
        self.matched_weight += weight * step.similarity
        self.total_weight += weight

    def close_gap(self) -> None:
        """Judge the parts left unaligned since the last aligned pair."""
        gap_a, gap_b = self.pending_a, self.pending_b
        if not (gap_a or gap_b):
            return
        # Initials stand for parts written out elsewhere (H.A., M.): opposite other parts
        # they neither conflict nor differ, they weigh nothing, and a name lacks nothing for
        # having them. A side is "short" when it writes out no part in the gap.
        short_a = _short(self.a, gap_a, self.initials)
        short_b = _short(self.b, gap_b, self.initials)
        kind: Kind = "extra"
        if gap_a and gap_b and not (short_a or short_b):
            if not self.settle:
                # Differing parts make an unsettled conflict: the comparison stops here.
                self.conflict = True
                return
            kind = self._judge_difference(gap_a, gap_b)
        elif gap_a and gap_b:
            self._judge_initials(gap_a, gap_b, short_a)
        self.lacks_a = self.lacks_a or not short_a
        self.lacks_b = self.lacks_b or not short_b
        self._extra(self.a, gap_a, kind, True)
        self._extra(self.b, gap_b, kind, False)
        gap_a.clear()
        gap_b.clear()

    def _judge_difference(self, gap_a: list[int], gap_b: list[int]) -> Kind:
        """Parts written out on both sides of a gap differ; they conflict when no two of
        them are even loosely alike."""
        a, b = self.a, self.b
        best = 0.0
        for i in gap_a:
            for j in gap_b:
                # No alias here: an alias links parts, it does not make different ones alike.
                similarity = self.similar.parts(a.forms[i], a.bits[i] & ~ALIASED, b.forms[j],
                                                b.bits[j] & ~ALIASED, CONFLICT_BELOW)
                if similarity > best:
                    best = similarity
        self.reasons.append(("differs from", _gap(a, gap_a), _gap(b, gap_b)))
        if best < CONFLICT_BELOW:
            self.conflict = True
            return "conflict"
        return "extra"

    def _judge_initials(self, gap_a: list[int], gap_b: list[int], short_a: bool) -> None:
        """Initials on one side of a gap must abbreviate the parts on the other."""
        parts_a, parts_b = _gap(self.a, gap_a), _gap(self.b, gap_b)
        if not initials_agree(list(parts_a), list(parts_b)):
            short, full = (parts_a, parts_b) if short_a else (parts_b, parts_a)
            self.reasons.append(("does not abbreviate", short, full))

    def _extra(self, name: Prepared, gap: list[int], kind: Kind, on_a: bool) -> None:
        for i in gap:
            part = name.parts[i]
            weight = 0.0 if self.initials and part.initials else name.weights[i]
            self.total_weight += weight * EXTRA_PART_WEIGHT
            alone = (part,)
            self.explained.append(Explained(alone if on_a else (), () if on_a else alone,
                                            0.0, weight, kind))
