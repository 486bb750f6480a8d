"""resolve(): parallel comparison, blocking bounds and clustering invariants."""

from __future__ import annotations

import importlib
from array import array
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import shared_pairing

from namematch import load_aliases, normalize, parse, resolve
from namematch.cluster import Verdicts, components, entities, entities_of_part, share_out
from namematch.compare import DEFAULT_THRESHOLD
from namematch.distinct import NameList
from namematch.keys import LEADERS, NEIGHBOURS, Pairing
from namematch.resolve import candidate_pairs, judge, prepare_list
from namematch.session import Session

NAMES = (Path(__file__).resolve().parents[1] / "seeds" / "names.txt").read_text(
    encoding="utf-8").splitlines()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(sorted(set(NAMES))), min_size=1, max_size=80, unique=True),
       st.integers(min_value=1, max_value=4))
def test_components_clustered_apart_give_the_entities_of_the_whole(
        sample: list[str], parts: int) -> None:
    written: dict[str, dict[str, int]] = {}
    for name in sample:
        if normalize(name):
            written.setdefault(normalize(name), {})[name] = 1 + len(name) % 3
    names, session = prepare_list(written, load_aliases(), DEFAULT_THRESHOLD)
    found = judge(sorted(candidate_pairs(names.parsed)), session)
    roots = components(names, found, session.table)
    shares = share_out(roots, parts)
    whole = entities(names, found, session)
    conflicts, size = list(found.conflicts), len(roots)
    found.keep_within(roots)  # as resolve does before clustering the parts
    assert list(found.conflicts) == [code for code in conflicts
                                     if roots[code // size] == roots[code % size]]
    by_parts: dict[str, tuple[str, str, float]] = {}
    for part in range(parts):
        by_parts.update(entities_of_part(names, found, session, roots, shares, part))
    assert by_parts == whole


@pytest.mark.parametrize(("first", "second", "joined"), [
    (0.9, 0.95, "saadi gaddafi"),  # the better match merges first; the conflict stops the other
    (0.9, 0.9, "muammar gaddafi"),  # equal scores: the pair of the earlier names first
])
def test_the_best_match_merges_first(first: float, second: float, joined: str) -> None:
    names = NameList.of({"muammar gaddafi": {"Muammar Gaddafi": 1},
                         "sa gaddafi": {"Sa Gaddafi": 1}, "saadi gaddafi": {"Saadi Gaddafi": 1}})
    size = len(names.texts)  # muammar 0, sa 1, saadi 2: sa matches both, who conflict
    found = Verdicts(array("q", [0 * size + 1, 1 * size + 2]), array("d", [first, second]),
                     bytearray(2), array("q", [0 * size + 2]))
    resolved = entities(names, found, Session(names.parsed))
    apart = ({"muammar gaddafi", "saadi gaddafi"} - {joined}).pop()
    assert resolved["sa gaddafi"][0] == resolved[joined][0] != resolved[apart][0]


@given(st.lists(st.integers(0, 5), min_size=1, max_size=30).flatmap(
    lambda roots: st.tuples(st.just(roots), st.lists(
        st.tuples(st.integers(0, len(roots) - 1), st.integers(0, len(roots) - 1)),
        max_size=60))))
def test_only_conflicts_within_a_component_are_kept(
        drawn: tuple[list[int], list[tuple[int, int]]]) -> None:
    """What resolve keeps of the possible conflicts before clustering the components apart:
    those between names of one component, in order."""
    roots_of, pairs = drawn
    roots, size = array("q", roots_of), len(roots_of)
    codes = [i * size + j for i, j in pairs]
    found = Verdicts(array("q"), array("d"), bytearray(), array("q", codes))
    found.keep_within(roots)
    assert list(found.conflicts) == [i * size + j for i, j in pairs if roots[i] == roots[j]]


@given(st.lists(st.integers(0, 30), max_size=200), st.integers(min_value=1, max_value=5))
def test_components_are_shared_out_whole_and_evenly(roots_of: list[int], parts: int) -> None:
    """Each component goes whole to one part; no part holds more names than another by
    more than the biggest component (the biggest first, each to the lightest part)."""
    roots = array("q", roots_of)
    shares = share_out(roots, parts)
    assert len(shares) == len(roots) and all(0 <= s < parts for s in shares)
    for root in set(roots):
        assert len({s for s, r in zip(shares, roots, strict=True) if r == root}) == 1
    load = [list(shares).count(part) for part in range(parts)]
    biggest = max((roots_of.count(root) for root in set(roots_of)), default=0)
    assert max(load) - min(load) <= biggest


def test_parallel_comparison_gives_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    module = importlib.import_module("namematch.resolve")  # the package exports a function too
    monkeypatch.setattr(module, "_PARALLEL_FROM", 0)  # use processes even for a short list
    monkeypatch.setattr(module, "_CHUNK", 7)
    assert resolve(NAMES, jobs=2) == resolve(NAMES)


def test_a_session_that_forgets_prepared_names_compares_the_same(
        monkeypatch: pytest.MonkeyPatch) -> None:
    module = importlib.import_module("namematch.session")
    names = [parse(normalize(text)) for text in NAMES]
    pairs = [(i, j) for i in range(len(names)) for j in range(i + 1, len(names))]

    def seen(session: Session, i: int, j: int) -> tuple[object, ...]:
        outcome = session.outcome(i, j)
        return outcome.score, outcome.decision, outcome.conflict, outcome.reason

    expected = [seen(Session(names), i, j) for i, j in pairs]
    monkeypatch.setattr(module, "KEPT_PREPARED", 2)
    session = Session(names)
    assert [seen(session, i, j) for i, j in pairs] == expected
    assert sum(name is not None for name in session._prepared) <= 2


def test_a_common_key_alone_does_not_pair_everyone() -> None:
    names = [parse("Haddad")] + [parse(f"{given} Haddad") for given in
             ["Ahmed", "Omar", "Khalifa", "Saleh", "Youssef", "Ibrahim", "Mustafa"]]
    unbounded = candidate_pairs(names, max_bucket=1000)
    bounded = candidate_pairs(names, max_bucket=3, mentions=[1, 1, 1, 1, 1, 1, 9, 1])
    assert {(0, i) for i in range(1, 8)} <= unbounded
    # over the bound, a name pairs only with its next neighbours in name order, and the bare
    # surname with the LEADERS full names mentioned most (Ibrahim, then the first others)
    leaders = {6, *range(1, LEADERS)}
    assert bounded & {(0, i) for i in range(1, 8)} == {
        (0, i) for i in {*range(1, NEIGHBOURS + 1), *leaders}}
    assert not {(i, j) for i, j in bounded if i > 0}  # longer names meet on their openings


def test_a_bare_surname_joins_the_person_mentioned_most_in_a_big_bucket() -> None:
    """Name order sorts a bare surname far from the full names; over the bound it still
    meets the full names mentioned most, and joins that person's entity."""
    others = [f"{given} al-Haddad" for given in
              ["Adel", "Amer", "Anas", "Badr", "Bilal", "Fadi", "Fares", "Ghazi", "Hadi"]]
    names = [*others, *["Ziad al-Haddad"] * 5, "Ziad Haddad", "Haddad", "al-Haddad"]
    rows = resolve(names, max_bucket=4)
    assert rows[-1].entity == rows[-2].entity == rows[-3].entity == rows[-4].entity
    assert len({row.entity for row in rows[:len(others)]}) == len(others)


def test_a_famous_name_with_more_spellings_than_the_bound_stays_one_entity() -> None:
    # 36 folded spellings share each key, more than a bound of 10 (at 1M names a famous
    # person has hundreds, more than MAX_BUCKET): neighbours in name order still chain them
    spellings = [f"Ahmed {article}M{e}sm{a}r{i}" for article in ("al-", "el-", "")
                 for e in "eia" for a in ("a", "aa", "e") for i in ("i", "y", "ee")]
    pairs = candidate_pairs([parse(s) for s in spellings], max_bucket=10)
    assert len(pairs) <= NEIGHBOURS * len(spellings) * 16  # linear: a bounded number of keys
    assert len({row.entity for row in resolve(spellings, max_bucket=10)}) == 1


def test_two_longer_names_meet_through_their_openings() -> None:
    """A shared family name alone does not pair two longer names; a shared opening does,
    also when one name joins its first two parts or starts with an extra Mohammed."""
    names = [parse(n) for n in ["Ahmed al-Mesmari", "Khalifa al-Mesmari", "Ahmed al-Mismari",
                                "Saif al-Islam Gaddafi", "Saifulislam Gaddafi",
                                "Mohammed Hosni Mubarak", "Hosni Mubarak"]]
    pairs = candidate_pairs(names)
    assert (0, 1) not in pairs
    assert {(0, 2), (3, 4), (5, 6)} <= pairs


def test_partial_mention_never_glues_two_people() -> None:
    rows = resolve(["Saif al-Islam Gaddafi", "Muammar Gaddafi", "Gaddafi", "Hannibal Gaddafi"])
    full = {rows[0].entity, rows[1].entity, rows[3].entity}
    assert len(full) == 3
    assert rows[2].entity in full


def test_junk_input_stays_fast_and_gives_one_row_each() -> None:
    """Very long parts and names of thousands of parts are compared for equality only."""
    junk = ["Ahmed " + "bcdfgh" * 3000, "Ahmed " + "bcdfgh" * 3000 + "x", "a" * 50000,
            " ".join(["Mohammed"] * 5000), " ".join(["al"] * 5000), "Ahmed al-Mesmari"]
    rows = resolve(junk)
    assert [r.name for r in rows] == junk
    assert rows[0].entity != rows[1].entity


def test_a_conflict_between_names_that_matches_connect_keeps_them_apart() -> None:
    """Candidate pairs are judged without settling conflicts; the clustering settles those
    between names a chain of matches connects, as here through the shortened name."""
    others = ["Ali Haftar", "Mohammed Haftar", "Ali Saleh", "Mohammed Saleh", "Ali Sistani",
              "Mohammed Sistani"]  # common given names weigh little: without the conflict
    rows = resolve(["Ahmed Mohammed al-Mesmari", "Ahmed al-Mesmari", "Ahmed Ali al-Mesmari",
                    "Ahmed Mohamed al-Mismari", *others])  # all four would be one entity
    assert rows[0].entity == rows[1].entity == rows[3].entity
    assert rows[2].entity != rows[0].entity  # Ali is not Mohammed


@given(st.lists(st.tuples(st.booleans(), st.sets(st.sampled_from(
    ["p:msmr", "p:hftr", "c:hmd|msmr", "c:ali|hftr", "c:ali|msr"])),
    st.integers(min_value=1, max_value=4)), max_size=30),
    st.integers(min_value=1, max_value=6))
def test_pairing_name_by_name_gives_the_pairs_of_each_bucket(
    named: list[tuple[bool, set[str], int]], max_bucket: int
) -> None:
    """Pairing name by name gives, once each, the pairs the bucket rules give bucket by
    bucket: all pairs of a bucket within the bound, neighbours in a bigger one, and a part
    key never pairs two names of several parts; in a part-key bucket over the bound, each
    one-part name also pairs with the longer names mentioned most."""
    expected = set()
    for key in {k for _, found, _ in named for k in found}:
        members = [i for i, (_, found, _) in enumerate(named) if key in found]
        for y, j in enumerate(members):
            first = max(0, y - NEIGHBOURS) if len(members) > max_bucket else 0
            for i in members[first:y]:
                if not key.startswith("p:") or named[i][0] or named[j][0]:
                    expected.add((i, j))
        if key.startswith("p:") and len(members) > max_bucket:
            longer = sorted((-named[i][2], i) for i in members if not named[i][0])
            for _, leader in longer[:LEADERS]:
                for i in members:
                    if named[i][0]:
                        expected.add((min(i, leader), max(i, leader)))
    pairing = Pairing.of(((i, single, sorted(found), times)
                          for i, (single, found, times) in enumerate(named)), max_bucket)
    found_pairs = [(i, j) for j, earlier in pairing for i in earlier]
    assert len(found_pairs) == len(set(found_pairs))
    assert set(found_pairs) == expected
    for shares in (2, 3):
        assert list(shared_pairing(named, max_bucket, shares)) == list(pairing)
