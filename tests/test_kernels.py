"""The compiled kernel (``_kernels.c``) against its Python twin: the very same floats.

Runs where the kernel is built (a wheel built with a C compiler; editable installs are pure
Python, where ``tests/test_wheel.py`` runs the same check in the installed wheel).
"""

from __future__ import annotations

import itertools
import math
import random
from array import array
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import WHOLE_NAMES, every_shaped_name, rule_name_pairs, rule_names, shared_pairing

from namematch.aliases import AliasTable, load_aliases
from namematch.cluster import _within, _within_py
from namematch.compare import APART, CONFLICT, UNDECIDED, Comparer
from namematch.distance import (
    ALIASED,
    NEEDS_FORMS,
    Form,
    Memo,
    MemoPy,
    _new_memo,
    skeleton_bits,
    weighted_distance,
    weighted_distance_py,
)
from namematch.keys import (
    Buckets,
    _buckets,
    _buckets_py,
    _leaders,
    _leaders_py,
    _numbered,
    _numbered_py,
)
from namematch.parse import parse
from namematch.resolve import MAX_BUCKET, _JudgeWork, _pairing, _written_forms, prepare_list

kernels = pytest.importorskip("namematch._kernels")

# Folded-form symbols, one outside the alphabet, and the mark of an unvocalized form.
SYMBOLS = "abcdefghijklmnopqrstuvwxyz'GXSCTDZHAYWIEé"
forms = st.builds(lambda mark, body: mark + body, st.sampled_from(["", "~"]),
                  st.text(alphabet=SYMBOLS, max_size=20))
limits = st.one_of(st.just(math.inf), st.floats(min_value=0.0, max_value=8.0))


@given(forms, forms, limits)
def test_kernel_gives_the_float_of_the_python_twin(a: str, b: str, limit: float) -> None:
    assert weighted_distance(Form(a), Form(b), limit) == weighted_distance_py(Form(a), Form(b),
                                                                              limit)


# A memo's operations: tell it of a form, or ask for a pair of forms (or parts) at a floor,
# telling it of both forms when it asks for them (as PartSimilarity does). The forms come from
# a small pool per example, so that pairs meet again: some fixed (alike, unlike, unvocalized,
# as long as MAX_FORM and longer, skeletons as many edits apart as a floor allows or one
# more), some drawn.
FIXED_FORMS = ["hasan", "hosYn", "~hsn", "~hasan", "mesmarI", "mismarI", "~msmrI", "a", "I",
               "abdulkarIm", "abdulkadIzm", "abdelkadIr", "nadhurI", "nazurI", "gaddafI",
               "qadhafI", "marwan", "mnmn", "hasané", "hosYné", "b" * 64, "b" * 65, ""]
FLOORS = [0.95, 0.9, 0.78, 0.6, 0.5, 0.0]
pools = st.lists(st.one_of(st.sampled_from(FIXED_FORMS), forms), min_size=2, max_size=7)
operations = st.lists(st.tuples(st.sampled_from(["forms", "parts", "part", "add"]),
                                st.integers(0, 6), st.integers(0, 6), st.sampled_from(FLOORS),
                                st.integers(0, 3)), max_size=60)


def _asked(memo: Memo, operation: str, a: str, bits_a: int, b: str, bits_b: int,
           floor: float) -> list[float]:
    """The memo's answers to one question, before and after it is told of both forms."""
    def ask() -> float:
        if operation == "parts":
            return memo.parts(a, bits_a, b, bits_b, floor)
        if operation == "part":
            return memo.part(a, bits_a, b, bits_b, floor)
        return memo.forms(a, b, floor)

    found = [ask()]
    if found[0] == NEEDS_FORMS:
        memo.add_form(a, Form(a))
        memo.add_form(b, Form(b))
        found.append(ask())
    return found


@given(pools, operations, st.integers(1, 40))
def test_compiled_memo_answers_as_the_python_twin(
        pool: list[str], steps: list[tuple[str, int, int, float, int]], limit: int) -> None:
    """Every answer of the compiled memo is the Python twin's, through fills and restarts."""
    compiled, twin = _new_memo(limit, _same_part), MemoPy(limit, _same_part)
    assert not isinstance(compiled, MemoPy)
    for operation, i, j, floor, aliased in steps:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        bits_a = skeleton_bits(a) | (aliased & 1) * ALIASED
        bits_b = skeleton_bits(b) | (aliased >> 1) * ALIASED
        if operation == "add":
            compiled.add_form(a, Form(a))
            twin.add_form(a, Form(a))
        else:
            assert (_asked(compiled, operation, a, bits_a, b, bits_b, floor)
                    == _asked(twin, operation, a, bits_a, b, bits_b, floor))
        assert len(compiled) == len(twin)
        assert compiled.knows(a) == twin.knows(a)


@pytest.mark.parametrize("shared", [False, True])
def test_compiled_memo_answers_every_fixed_pair_as_the_python_twin(shared: bool) -> None:
    """Each pair of fixed forms at each floor, from high to low, so that a shared memo meets
    pairs it settled at a higher floor again; fresh memos compute every answer anew."""
    compiled, twin = _new_memo(1 << 12, _same_part), MemoPy(1 << 12, _same_part)
    for floor in FLOORS:
        for a in FIXED_FORMS:
            for b in FIXED_FORMS:
                if not shared:
                    compiled, twin = _new_memo(1 << 12, _same_part), MemoPy(1 << 12, _same_part)
                for operation, aliased in (("forms", 0), ("parts", 0), ("parts", 1),
                                           ("part", 0), ("part", 1)):
                    bits_a = skeleton_bits(a) | aliased * ALIASED
                    bits_b = skeleton_bits(b) | (aliased * ALIASED if operation == "part" else 0)
                    assert (_asked(compiled, operation, a, bits_a, b, bits_b, floor)
                            == _asked(twin, operation, a, bits_a, b, bits_b, floor)), (a, b, floor)


def test_compiled_memo_refuses_bits_beyond_64() -> None:
    with pytest.raises(OverflowError):
        _new_memo(4).parts("hasan", 1 << 70, "hosYn", 0, 0.78)


def _same_part(a: str, b: str) -> bool:
    """A stand-in for an alias table: hasan and hosYn are one name."""
    return {a, b} == {"hasan", "hosYn"}


@st.composite
def sides(draw: st.DrawFn, pool: list[str]) -> tuple[list[str], list[int], list[str], list[int]]:
    """One name's lists as Prepared holds them: forms, bits (some aliased), each part joined
    with the next or "" where it may not be, and the joined forms' bits."""
    forms_ = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4))
    aliased = draw(st.lists(st.booleans(), min_size=len(forms_), max_size=len(forms_)))
    joined = [x + y if draw(st.booleans()) else "" for x, y in itertools.pairwise(forms_)]
    bits = [skeleton_bits(f) | ALIASED * flag for f, flag in zip(forms_, aliased, strict=True)]
    return forms_, bits, joined, [skeleton_bits(x + y) for x, y in itertools.pairwise(forms_)]


@given(st.data(), pools, st.integers(1, 40), st.sampled_from(FLOORS),
       st.sampled_from([None, _same_part]))
def test_compiled_moves_are_the_python_twins(
        data: st.DataObject, pool: list[str], limit: int, floor: float,
        same_part: Callable[[str, str], bool] | None) -> None:
    """The moves of several pairs of names, in one memo: the same list as the twin's."""
    compiled, twin = _new_memo(limit, same_part), MemoPy(limit, same_part)
    for _ in range(data.draw(st.integers(1, 6))):
        names = [*pool, "hasan", "hosYn"]
        a, b = data.draw(sides(names)), data.draw(sides(names))
        assert compiled.moves(*a, *b, floor) == twin.moves(*a, *b, floor)
        assert len(compiled) == len(twin)


def test_compiled_moves_refuse_lists_that_do_not_fit() -> None:
    memo = _new_memo(4)
    with pytest.raises(ValueError):
        memo.moves(["hasan"], [0], ["x"], [0], ["hasan"], [0], [], [], 0.78)
    assert memo.moves(("hasan",), [0], (), [], ["hasan"], [0], [], [], 0.78) == [
        (0, 0, 0, 1.0)]  # lists or tuples
    with pytest.raises(TypeError):
        memo.moves("hasan", [0], [], [], ["hasan"], [0], [], [], 0.78)


# Names for a pairing: whether each has one part, its keys (part keys "p:", combined "c:",
# from a small pool so that buckets fill past small bounds) and how often it is mentioned.
named_lists = st.lists(st.tuples(st.booleans(), st.sets(st.sampled_from(
    ["p:msmr", "p:hftr", "p:sln", "c:hmd|msmr", "c:ali|hftr", "c:ali|msr", "c:mhmd|sln"])),
    st.integers(min_value=1, max_value=4)), max_size=60)


@given(named_lists, st.integers(min_value=1, max_value=8), st.integers(min_value=1, max_value=3))
def test_compiled_walk_gives_the_partners_of_the_python_twin(
    named: list[tuple[bool, set[str], int]], max_bucket: int, shares: int
) -> None:
    """The C walk of a pairing (keys bucketed in one or more shares, buckets within and over
    the bound, leaders) gives every name the partners of :meth:`Pairing.partners_py`."""
    indexes = array("q", [3 * i + 1 for i in range(len(named))])  # indexes are not positions
    pairing = shared_pairing(named, max_bucket, shares, indexes)
    assert pairing._walk is not None
    for position in range(len(named)):
        assert pairing.partners(position) == pairing.partners_py(position)


def test_compiled_walk_refuses_what_does_not_fit() -> None:
    """Arrays of another item size, shares of the wrong shape and positions outside the
    names are errors, never reads outside the arrays."""
    alone = bytearray([1, 1])  # one-part names pair through a part key
    parts = Buckets.of(["p:msmr", "p:msmr"], array("q", [1, 2]), alone, array("q", [1, 1]), 50)
    share = (parts.keys, parts.ends, parts.part_key, parts.sizes, parts.starts, parts.members,
             parts.ranks, parts.leaders)
    walk = kernels.Walk(array("q", [0, 1]), alone, [share], 50, 8)
    assert walk.partners(1) == [0]
    with pytest.raises(IndexError):
        walk.partners(2)
    with pytest.raises(TypeError):
        kernels.Walk(array("i", [0, 1]), bytearray(2), [share], 50, 8)
    with pytest.raises(TypeError):
        kernels.Walk(array("q", [0, 1]), bytearray(2), [share[:7]], 50, 8)
    with pytest.raises(ValueError):
        kernels.Walk(array("q", [0, 1, 2]), bytearray(3), [share], 50, 8)
    with pytest.raises(TypeError):
        kernels.number(array("q"), array("q"))  # one argument short
    with pytest.raises(TypeError):
        kernels.fill(array("q", [0]), *share[1:2], *share[3:7])  # 64-bit numbers
    broken = (array("i", [0, 5]), *share[1:])  # a bucket number past the buckets
    with pytest.raises(IndexError):
        kernels.Walk(array("q", [0, 1]), alone, [broken], 50, 8).partners(1)


@given(st.lists(st.integers(min_value=0, max_value=(1 << 62) - 1) | st.sampled_from([7, 9, 11]),
                max_size=80), st.data())
def test_compiled_bucketing_numbers_fills_and_ranks_as_the_python_twin(
    numbers: list[int], data: st.DataObject
) -> None:
    """Key numbers bucketed in C (numbered in order of first appearance, then each bucket's
    size, start, members and ranks, and the leaders of part-key buckets over the bound) come
    out as the Python twins' arrays."""
    keys = array("q", numbers)
    numbered, distinct = _numbered(keys)
    twin_numbered, twin_distinct = _numbered_py(keys)
    assert (numbered, list(distinct)) == (twin_numbered, twin_distinct)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(keys)), max_size=30)))
    ends = array("q", [*cuts, len(keys)])
    buckets = _buckets(numbered, ends, len(distinct))
    assert buckets == _buckets_py(numbered, ends, len(distinct))
    part_key = bytearray(data.draw(st.lists(st.booleans(), min_size=len(distinct),
                                            max_size=len(distinct))))
    single = bytearray(data.draw(st.lists(st.booleans(), min_size=len(ends),
                                          max_size=len(ends))))
    mentions = array("q", data.draw(st.lists(st.integers(1, 3), min_size=len(ends),
                                             max_size=len(ends))))
    for bound in (0, 1, 3):
        arrays = (numbered, ends, part_key, buckets[0], single, mentions, bound)
        assert _leaders(*arrays) == _leaders_py(*arrays)


def test_compiled_numbering_grows_its_table_and_keeps_the_order() -> None:
    """Thousands of distinct keys (the C table grows several times over), repeated in
    shuffled order: numbered in order of first appearance, as the twin numbers them."""
    rng = random.Random(5)
    pool = [rng.getrandbits(62) for _ in range(5000)] + [0, 1, 1 << 61]
    keys = array("q", [rng.choice(pool) for _ in range(20000)])
    numbered, distinct = _numbered(keys)
    assert (numbered, list(distinct)) == _numbered_py(keys)
    assert len(distinct) > 4000


@given(st.lists(st.integers(0, 5), min_size=1, max_size=40), st.data())
def test_compiled_conflicts_within_components_are_the_python_twins(
    roots_of: list[int], data: st.DataObject
) -> None:
    """A part's conflicts selected in C (codes of two names of one component, the first one
    kept, renumbered) come out as :func:`_within_py` selects them, in order."""
    size = len(roots_of)
    roots = array("q", roots_of)
    codes = array("q", data.draw(st.lists(st.integers(0, size * size - 1), max_size=60)))
    kept = sorted(data.draw(st.sets(st.sampled_from(sorted(set(roots_of))))))
    members = [i for i in range(size) if roots[i] in kept]
    local = array("q", [-1]) * size
    for position, i in enumerate(members):
        local[i] = position
    assert _within(codes, roots, local, len(members)) == _within_py(codes, roots, local,
                                                                    len(members))


def test_compiled_conflicts_within_refuse_what_does_not_fit() -> None:
    """Codes past the names, arrays of another item size or of unequal lengths are errors;
    an output too short is left alone and the count still told."""
    roots, local = array("q", [0, 0]), array("q", [0, 1])
    assert kernels.within(array("q", [1, 2]), roots, local, 2, array("q")) == 2
    with pytest.raises(IndexError):
        kernels.within(array("q", [4]), roots, local, 2, array("q", [0]))
    with pytest.raises(IndexError):
        kernels.within(array("q", [-1]), roots, local, 2, array("q", [0]))
    with pytest.raises(TypeError):
        kernels.within(array("i", [1]), roots, local, 2, array("q", [0]))
    with pytest.raises(ValueError):
        kernels.within(array("q", [1]), roots, array("q", [0]), 2, array("q", [0]))


# Names for the triage: see strategies.rule_names.
TABLE = load_aliases()
SEEDS = Path(__file__).resolve().parents[1] / "seeds" / "names.txt"


@given(rule_name_pairs(), st.sampled_from([None, TABLE, WHOLE_NAMES]))
def test_compiled_triage_answers_as_the_python_twin(pair: tuple[str, str],
                                                    table: AliasTable | None) -> None:
    a, b = pair
    comparer = Comparer(table)
    x, y = comparer.prepare(parse(a)), comparer.prepare(parse(b))
    assert comparer.triage(x, y) == comparer.triage_py(x, y) == comparer.triage(y, x)


@pytest.mark.parametrize("table", [None, WHOLE_NAMES])
def test_compiled_triage_answers_every_shaped_pair_as_the_python_twin(
        table: AliasTable | None) -> None:
    """Every pair of names of the shapes the rules read (a kunya, bin, a title, initials,
    a leading Mohammed), their parts from a pool of three (one a surname after bin)."""
    comparer = Comparer(table)
    names = [comparer.prepare(parse(text))
             for text in every_shaped_name(["hasan", "laden", "salman"])]
    answers = set()
    for x, y in itertools.product(names, repeat=2):
        quick = comparer.triage(x, y)
        assert quick == comparer.triage_py(x, y), (x.name.text, y.name.text)
        answers.add(quick if isinstance(quick, int) else "match")
    assert answers == {APART, CONFLICT, UNDECIDED, "match"}


@pytest.mark.parametrize(("a", "b", "expected"), [
    ("Saadi Gaddafi", "Muammar Gaddafi", CONFLICT),  # first parts differ
    ("Mohammed Hassan", "Mohammed Omar", CONFLICT),  # parts differ after the first
    ("Saadi Gaddafi", "Ali", APART),  # a one-part name meets no target
    ("Hassan Ali", "Hussein Ali", APART),  # first parts differ, not enough to conflict
    ("Ahmed al-Mesmari", "Ahmed al-Mismari", "match"),  # scored in C, every part taken
    ("Ahmed Ali al-Mesmari", "Ahmed al-Mismari", "match"),  # a middle name extra
    ("Abdul Razek al-Nadoori", "Abdelrazzak al-Nadhouri", "match"),  # two parts joined
    ("Ahmed Ali Mesmari", "Ahmed Mesmari Hassan", APART),  # each has a part the other lacks
    ("Mesmari", "Ahmed al-Mismari", "match"),  # a one-part name meets the last part
    ("Nasrallah", "Nasr Allah", "match"),  # two parts joined: every part taken
    ("Salman", "Mohammed bin Salman", APART),  # not a father's name after bin
    ("King Salman", "Salman bin Abdulaziz", "match"),  # a given name meets the first part
    ("Ahmed H. al-Mesmari", "Ahmed Hassan al-Mismari", UNDECIDED),  # initials: in Python
    ("Mohammed Hosni Mubarak", "Ali Mubarak", CONFLICT),  # without Mohammed, still unlike
    ("Mohammed Hosni Mubarak", "Hosni Mubarak", UNDECIDED),  # a match once Mohammed goes
    ("Haftar Khalifa", "Khalifa Haftar", UNDECIDED),  # a surname written first, put last
    ("Haftar Khalifa", "Saadi Gaddafi", CONFLICT),  # it meets no last part: nothing to rewrite
    ("Hezbollah", "Hizb Allah", UNDECIDED),  # an alias table links the whole names
    ("Hezbollah", "Hizb Sallah", APART),
    ("Hezbollah", "Abu Ali", UNDECIDED),
    ("Abu Ali", "Abu Omar", CONFLICT),
])
def test_triage_of_real_cases(a: str, b: str, expected: int | str) -> None:
    comparer = Comparer(WHOLE_NAMES)
    x, y = comparer.prepare(parse(a)), comparer.prepare(parse(b))
    if expected == "match":
        outcome = comparer.outcome(x, y)
        assert outcome.decision == "match"
        expected = (outcome.score, outcome.whole)
    assert comparer.triage(x, y) == comparer.triage_py(x, y) == expected


def test_compiled_record_refuses_what_does_not_fit() -> None:
    good = ("ali hassan", ["alI", "hasan"], [1, 2], ["alIhasan"], [3], "alIhasan", 3,
            ["hasan"], [2], b"l", [1.0, 0.5], 0, 0, None)
    assert kernels.Record(*good) is not None
    assert kernels.Record(*good[:-1], kernels.Record(*good)) is not None
    for at, bad in [(0, 5), (1, "alI"), (2, [1]), (3, []), (7, ["hasan", "x"]), (9, b"lf"),
                    (2, [1, 1 << 64]), (1, ["alI", 5]), (10, [1.0]), (10, [1.0, "x"]),
                    (13, "ali")]:
        with pytest.raises((TypeError, ValueError, OverflowError)):
            kernels.Record(*good[:at], bad, *good[at + 1:])
    with pytest.raises(TypeError):
        kernels.Record(*good[:-1])
    with pytest.raises(TypeError):
        _new_memo(16).triage(good, good, 0.78, 0.8, 0.15)
    walk_only = kernels.Record(None, *good[1:])  # ordered by the walk, not by its text
    with pytest.raises(ValueError):
        _new_memo(16).triage(walk_only, kernels.Record(*good), 0.78, 0.8, 0.15)


def judged_both_ways(texts: list[str],
                     table: AliasTable) -> tuple[list[object], list[object]]:
    """The verdicts on a list's candidate pairs, judged by the C loop and by the Python one,
    each as its sorted matches and sorted conflicts."""
    names, session = prepare_list(_written_forms(texts, None), table, 0.85)
    heads = names.heads
    pairing = _pairing([names.parsed[i] for i in heads], names.mentions, MAX_BUCKET)
    assert pairing.walk is not None
    work = _JudgeWork(session, heads, pairing)
    everyone = range(len(heads))
    fast, slow = work.judge(everyone), work.judge_py(everyone)
    size = len(names.parsed)
    return ([sorted(fast.links(size)), sorted(fast.conflicts)],
            [sorted(slow.links(size)), sorted(slow.conflicts)])


@given(st.lists(rule_names(), max_size=30), st.sampled_from([None, TABLE, WHOLE_NAMES]))
def test_compiled_judge_loop_gives_the_verdicts_of_the_python_one(
        texts: list[str], table: AliasTable | None) -> None:
    fast, slow = judged_both_ways(texts, table if table is not None else AliasTable())
    assert fast == slow


def test_compiled_judge_loop_on_the_seeds() -> None:
    texts = SEEDS.read_text(encoding="utf-8").splitlines()
    fast, slow = judged_both_ways(texts, TABLE)
    assert fast == slow and fast[0] and fast[1]


def test_compiled_judge_loop_refuses_what_does_not_fit() -> None:
    """A failing record callback, heads outside the records, and the wrong types give an
    exception, not a crash."""
    names, session = prepare_list(_written_forms(["Ahmed Ali", "Ahmad Ali", "Ali"], None),
                                  TABLE, 0.85)
    heads = array("q", names.heads)
    pairing = _pairing([names.parsed[i] for i in heads], names.mentions, MAX_BUCKET)
    memo, records = session.comparer.similar.memo, [None] * len(names.parsed)
    arguments = (0.78, 0.85, 0.15)

    def failing(index: int) -> object:
        raise RuntimeError("no record")

    with pytest.raises(RuntimeError):
        kernels.judge(memo, pairing.walk, 0, len(heads), heads, records, failing, *arguments)
    with pytest.raises(IndexError):
        kernels.judge(memo, pairing.walk, 0, len(heads), array("q", [9] * len(heads)),
                      records, session.record, *arguments)
    with pytest.raises(IndexError):
        kernels.judge(memo, pairing.walk, 0, len(heads) + 1, heads, records, session.record,
                      *arguments)
    with pytest.raises(TypeError):
        kernels.judge(memo, pairing.walk, 0, 1, list(heads), records, session.record,
                      *arguments)
    with pytest.raises(TypeError):
        kernels.judge(pairing.walk, memo, 0, 1, heads, records, session.record, *arguments)
