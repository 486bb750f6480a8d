"""The part alignment: the shortcut for non-competing moves equals the full search, and
the shortcut for unsettled conflicts answers as the walk would."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from strategies import name_pairs

from namematch import align
from namematch.compare import Comparer
from namematch.parse import parse

KINDS = ("pair", "join-a", "join-b")


@st.composite
def chains(draw: st.DrawFn) -> tuple[list[object], int, int]:
    """Moves that can all be taken together, in order, within names of n and m parts."""
    moves = []
    i = j = 0
    for _ in range(draw(st.integers(0, 4))):
        i += draw(st.integers(0, 2))
        j += draw(st.integers(0, 2))
        kind = draw(st.sampled_from(KINDS))
        sim = draw(st.sampled_from([0.78, 0.8, 0.9, 1.0]))
        step = align.Step(kind, i, j, sim)
        moves.append(step)
        i, j = step.end()
    n = i + draw(st.integers(0, 2))
    m = j + draw(st.integers(0, 2))
    return moves, max(n, 1), max(m, 1)


@given(chains())
def test_chain_path_equals_best_path(case: tuple[list[object], int, int]) -> None:
    moves, n, m = case
    assert align._is_chain(moves)
    assert fields(align._chain_path(moves, n, m)) == fields(align._best_path(moves, n, m))


def fields(steps: list[align.Step]) -> list[tuple[str, int, int, float]]:
    return [(s.kind, s.i, s.j, s.similarity) for s in steps]


def test_competing_moves_are_not_a_chain() -> None:
    moves = [align.Step("pair", 0, 0, 1.0), align.Step("join-a", 0, 0, 0.9)]
    assert not align._is_chain(moves)


@given(name_pairs())
def test_chain_differs_says_when_the_walk_stops(texts: tuple[str, str]) -> None:
    """chain_differs answers for an unsettled walk exactly when the moves form a chain."""
    comparer = Comparer()
    a, b = (comparer.prepare(parse(text)) for text in texts)
    if not a.parts or not b.parts:
        return
    found = align.part_moves(a, b, comparer.similar)
    steps = align.align(a, b, comparer.similar, found)
    stops = not align.Tally(a, b, comparer.similar, settle=False).walk(steps)
    chain = align._is_chain([align.Step(align._MOVES[k], i, j, s) for k, i, j, s in found])
    assert align.chain_differs(found, a, b) == (chain and stops)
