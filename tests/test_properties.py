"""Property-based tests: invariants that must hold for any input."""

from __future__ import annotations

import itertools
import pickle
import random
from collections import Counter

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein
from strategies import WHOLE_NAMES, name_part, rule_name_pairs, rule_names

from namematch import compare, normalize, parse, resolve
from namematch.aliases import AliasTable, load_aliases
from namematch.cluster import Clusters
from namematch.compare import APART, CONFLICT, Comparer
from namematch.distance import (
    PART_THRESHOLD,
    PartSimilarity,
    far_apart,
    form_distance,
    form_similarity,
    skeleton_bits,
)
from namematch.distinct import (
    Informativeness,
    Spellings,
    add_counts,
    part_frequency,
    signature,
)
from namematch.fold import VOWELS, collapse, fold, skeleton
from namematch.parse import PackedNames, Parser, Part, part_counts, titles_of
from namematch.rules import NameFacts, given_name
from namematch.tables import tables


@st.composite
def full_name(draw: st.DrawFn) -> str:
    parts = draw(st.lists(name_part(), min_size=2, max_size=4))
    return " ".join(p.capitalize() for p in parts)


names_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40
)


@given(names_text)
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_normalize_ascii_shortcut_equals_the_unicode_steps(text: str) -> None:
    from namematch.normalize import _once, _unicode_clean

    if text.isprintable() and "`" not in text:
        assert _once(text) == _once(_unicode_clean(text))


@given(names_text, names_text)
def test_compare_is_symmetric(a: str, b: str) -> None:
    ab, ba = compare(a, b), compare(b, a)
    assert ab.decision == ba.decision
    assert abs(ab.score - ba.score) < 1e-9


@given(full_name(), full_name())
def test_compare_is_symmetric_on_names(a: str, b: str) -> None:
    ab, ba = compare(a, b), compare(b, a)
    assert (ab.decision, ab.score) == (ba.decision, ba.score)


@given(full_name(), full_name())
def test_form_distance_is_symmetric(a: str, b: str) -> None:
    for x, y in zip(parse(a).forms, parse(b).forms, strict=False):
        assert form_distance(x, y) == form_distance(y, x)


FLOORS = st.sampled_from([0.0, 0.5, 0.6, 0.78, 0.8, 0.9])


@given(name_part(), name_part(), FLOORS, st.lists(FLOORS, max_size=3))
def test_form_similarity_does_not_depend_on_earlier_calls(
    a: str, b: str, floor: float, earlier: list[float]
) -> None:
    """The similarity cache serves many floors; what it holds must never change a result."""
    x, y = fold(a), fold(b)
    fresh = PartSimilarity().forms(x, y, floor)
    memo = PartSimilarity()
    for other in earlier:
        memo.forms(y, x, other)
    assert memo.forms(x, y, floor) == fresh


@given(st.one_of(name_part(), names_text), st.one_of(name_part(), names_text),
       st.integers(min_value=0, max_value=8))
def test_skeleton_bits_never_settle_a_pair_the_edit_distance_would_not(
    a: str, b: str, allowed: int
) -> None:
    """The skeleton bits are a lower bound on skeleton edits: whatever they settle as far
    apart, the edit distance would have settled too (so results do not change)."""
    x, y = fold(a), fold(b)
    if far_apart(skeleton_bits(x), skeleton_bits(y), allowed):
        assert Levenshtein.distance(skeleton(x), skeleton(y)) > allowed


@given(st.one_of(name_part().map(fold), st.text(alphabet="aeiouAYWIEH'~bdDgGhjklmnqrsStTwXyzZC",
                                               max_size=12)))
def test_skeleton_is_the_collapsed_key_classes_of_the_consonants(form: str) -> None:
    """The skeleton as rules.yaml states it: vowels (and the markers) dropped, each other
    symbol in its key class, doubled letters collapsed."""
    classes = tables().rules.key_classes
    letters = [classes.get(s, s) for s in form if s not in VOWELS | {"'", "~", "H"}]
    assert skeleton(form) == collapse("".join(letters))


@given(rule_names(), st.booleans())
@example("Ali Mo Hamed", True)  # joined, the last two parts spell an aliased part (Mohamed)
def test_target_bits_are_the_skeleton_bits_of_the_targets(text: str, aliased: bool) -> None:
    """A name's targets' bits, read off its forms and joined forms, are what skeleton_bits
    gives each target: the alias flag for a part's own form, never for a joined one."""
    aliases = load_aliases() if aliased else None
    facts = NameFacts(parse(text), aliases)
    assert facts.target_bits == tuple(skeleton_bits(t.form, None if t.joined else aliases)
                                      for t in facts.targets)


@given(full_name(), st.lists(name_part(), min_size=1, max_size=3), st.booleans())
def test_unsettled_conflicts_keep_the_decision(a: str, rest: list[str], swap: bool) -> None:
    """Judged without settling conflicts, two names get the same decision, and a pair that
    conflicts is still reported as one (resolve settles those that matter later)."""
    b = " ".join([a.split()[0], *rest])  # same first part: the gaps are what differs
    comparer = Comparer()
    x, y = comparer.prepare(parse(a)), comparer.prepare(parse(b))
    if swap:
        x, y = y, x
    settled, unsettled = comparer.outcome(x, y), comparer.outcome(x, y, settle=False)
    assert unsettled.decision == settled.decision
    assert unsettled.conflict or not settled.conflict
    if settled.decision == "match":
        assert (unsettled.score, unsettled.conflict) == (settled.score, settled.conflict)


@given(st.one_of(full_name(), names_text))
def test_a_name_matches_itself(a: str) -> None:
    assume(parse(a).parts)
    assert compare(a, a).decision == "match"


@given(st.lists(names_text, max_size=30))
def test_resolve_gives_one_row_per_input_in_order(names: list[str]) -> None:
    rows = resolve(names)
    assert [r.name for r in rows] == names
    for row in rows:
        assert (row.entity == "") == (normalize(row.name) == "")


def _partition(names: list[str], rows: list) -> set[frozenset[int]]:  # type: ignore[type-arg]
    groups: dict[str, set[int]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(row.entity, set()).add(i)
    return {frozenset(g) for g in groups.values()}


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=60)
@given(st.lists(st.one_of(full_name(), name_part(), names_text), min_size=1, max_size=25),
       st.randoms(use_true_random=False))
def test_resolve_partition_does_not_depend_on_order(names: list[str], rnd: random.Random) -> None:
    names = names + [n.lower() for n in names[:3]]  # repeats, as in real lists
    order = list(range(len(names)))
    rnd.shuffle(order)
    first = resolve(names)
    shuffled = resolve([names[i] for i in order])
    # map shuffled rows back to original positions and compare the partitions
    back = [None] * len(names)
    for position, i in enumerate(order):
        back[i] = shuffled[position]  # type: ignore[call-overload]
    assert _partition(names, first) == _partition(names, back)
    assert [r.canonical for r in first] == [r.canonical for r in back]  # type: ignore[union-attr]


def _swap_vowel(name: str, rnd: random.Random) -> str:
    spots = [i for i, c in enumerate(name) if c in "ei" and i > 0]
    if not spots:
        return name
    i = rnd.choice(spots)
    return name[:i] + ("i" if name[i] == "e" else "e") + name[i + 1 :]


def _double_consonant(name: str, rnd: random.Random) -> str:
    # a letter of a digraph (sh, kh) is not a consonant of its own
    spots = [i for i, c in enumerate(name) if c in "bdflmnrstz" and i > 0
             and name[i - 1] != " " and name[i - 1] != c and name[i + 1 : i + 2] != "h"]
    if not spots:
        return name
    i = rnd.choice(spots)
    return name[: i + 1] + name[i] + name[i + 1 :]


def _article(name: str, rnd: random.Random) -> str:
    *given_parts, family = name.split(" ")
    return " ".join([*given_parts, rnd.choice(["al-", "el-", "Al ", "El-"]) + family])


def _initial(name: str, rnd: random.Random) -> str:
    # a middle part cut to its initial (not b, which lists write for bin)
    words = name.split(" ")
    spots = [i for i in range(1, len(words) - 1) if words[i][0].lower() != "b"]
    if not spots:
        return name
    i = rnd.choice(spots)
    return " ".join([*words[:i], words[i][0] + ".", *words[i + 1 :]])


def _title(name: str, rnd: random.Random) -> str:
    return rnd.choice(["Gen.", "Dr.", "President", "Brig. Gen.", "Sheikh"]) + " " + name


@given(full_name(), st.sampled_from([_swap_vowel, _double_consonant, _article, _title, _initial]),
       st.randoms(use_true_random=False))
def test_known_spelling_rewrite_resolves_together(name: str, rewrite, rnd: random.Random) -> None:  # type: ignore[no-untyped-def]
    variant = rewrite(name, rnd)
    rows = resolve([name, variant])
    assert rows[0].entity == rows[1].entity, compare(name, variant).explain()


@given(full_name())
def test_surname_written_first_resolves_with_the_given_name_first(name: str) -> None:
    # "SURNAME Given" lists lose their comma; a surname that is no common given name is
    # turned back (a common given name first is a different person: Ali Hassan, Hassan Ali).
    *given_parts, family = name.split(" ")
    assume(not given_name(fold(family)))
    assume(all(form_similarity(fold(family), fold(p)) < PART_THRESHOLD for p in given_parts))
    assume(not any(p.role == "kunya" for p in parse(name).parts))
    turned = " ".join([family, *given_parts])
    rows = resolve([name, turned])
    assert rows[0].entity == rows[1].entity, compare(name, turned).explain()


STAGES = ["normalize", "parse", "keys", "pairs", "compare", "cluster"]


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=40)
@given(st.lists(st.one_of(full_name(), name_part(), names_text), max_size=20))
def test_progress_reports_every_stage_in_order_to_its_end(names: list[str]) -> None:
    """Each stage that runs reports in pipeline order, counts up to its total and ends there;
    hearing progress changes no row."""
    calls: list[tuple[str, int, int]] = []
    rows = resolve(names, progress=lambda *call: calls.append(call))
    assert rows == resolve(names)
    stages = [stage for i, (stage, _, _) in enumerate(calls) if i == 0 or calls[i - 1][0] != stage]
    if not names:
        expected = []
    elif not any(normalize(n) for n in names):
        expected = ["normalize"]
    else:
        expected = STAGES
    assert stages == expected  # each stage once, as one run of calls, in order
    for stage in stages:
        counts = [(done, total) for name, done, total in calls if name == stage]
        assert len({total for _, total in counts}) == 1
        assert [done for done, _ in counts] == sorted(done for done, _ in counts)
        assert counts[-1][0] == counts[-1][1] > 0


@given(rule_name_pairs(), st.sampled_from([None, load_aliases(), WHOLE_NAMES]))
def test_triage_settles_only_what_the_comparison_would(pair: tuple[str, str],
                                                       table: AliasTable | None) -> None:
    """What the triage (:meth:`Comparer.triage_py`, twin of the compiled one) settles of a
    pair without aligning it is what the whole comparison, unsettled, finds: apart is
    neither a match nor a conflict, a conflict is one; either order gives the same."""
    a, b = pair
    comparer = Comparer(table)
    x, y = comparer.prepare(parse(a)), comparer.prepare(parse(b))
    quick = comparer.triage_py(x, y)
    assert quick == comparer.triage_py(y, x)
    outcome = comparer.outcome(x, y, settle=False)
    if quick == APART:
        assert not outcome.conflict and outcome.decision == "no-match"
    elif quick == CONFLICT:
        assert outcome.conflict
    elif isinstance(quick, tuple):  # a match, scored as the whole comparison scores it
        assert outcome.decision == "match" and quick == (outcome.score, outcome.whole)


@given(st.lists(rule_names(), max_size=12))
def test_a_parser_shares_parts_and_parses_as_parse_does(texts: list[str]) -> None:
    """A run's parser makes each distinct part once (one object for equal parts) and
    gives every name what parse gives it, whatever it parsed before."""
    parser = Parser()
    names = [parser(text) for text in texts]
    assert names == [parse(text) for text in texts]
    by_fields: dict[Part, Part] = {}
    for part in (part for name in names for part in name.parts):
        assert by_fields.setdefault(part, part) is part


@given(st.lists(st.sampled_from(["Ali Saleh", "ali  saleh", "ALI SALEH", "Mesmari", "al-Mesmari",
                                 "", " ", "Gen. Ali Saleh", "Ali Saleh\r"]) | names_text,
                max_size=30))
def test_spellings_count_each_line_under_its_normalized_name(rows: list[str]) -> None:
    """Each non-blank name maps to its distinct lines and how often each occurs: what a
    counter of lines per normalized name gives, line by line and in total."""
    expected: dict[str, Counter[str]] = {}
    for row in rows:
        if normalize(row):
            expected.setdefault(normalize(row), Counter())[row] += 1
    written = Spellings.counted(rows, normalize)
    assert {n: dict(f) for n, f in written.items()} == expected
    assert {n: written.total(n) for n in written} == {n: c.total() for n, c in expected.items()}
    assert sorted(written.lines()) == sorted((n, line) for n, f in expected.items() for line in f)
    assert Spellings.of(expected) == written == pickle.loads(pickle.dumps(written))


@given(st.lists(rule_names(), max_size=12), st.integers(min_value=1, max_value=5))
def test_part_counts_of_slices_add_up_to_the_whole_list(texts: list[str], step: int) -> None:
    """Slices of a list counted apart (as parse workers count them), one skeleton memo
    shared or not, give the part counts of the whole list, and so its weights."""
    names = [parse(text) for text in texts]
    total: dict[str, int] = {}
    memo: dict[str, str] = {}
    for start in range(0, len(names), step):
        add_counts(total, part_frequency(names[start:start + step], memo if start % 2 else {}))
    assert total == Informativeness.of(names).frequency
    assert total == {skel: sum(skel in {skeleton(p.form) for p in n.parts} for n in names)
                     for skel in total}


@given(st.integers(min_value=2, max_value=12).flatmap(lambda size: st.tuples(
    st.just(size),
    st.lists(st.tuples(st.integers(0, size - 1), st.integers(0, size - 1), st.booleans()),
             max_size=20),
    st.lists(st.tuples(st.integers(0, size - 1), st.integers(0, size - 1)), max_size=30))))
def test_cannot_links_settled_when_a_union_meets_them_merge_as_settled_first(
        case: tuple[int, list[tuple[int, int, bool]], list[tuple[int, int]]]) -> None:
    """Possible cannot-links settled only when a union would join their names give the
    unions, and the sets, of the cannot-links that hold kept apart from the start; each
    is settled at most once, as it was given."""
    size, possible, tried = case
    unions = tried + tried[::-1]  # a blocked union tried again, from the other side too
    holds = {(a, b): real for a, b, real in possible if a != b}
    asked: list[tuple[int, int]] = []

    def settle(a: int, b: int) -> bool:
        asked.append((a, b))
        return holds[a, b]

    eager, lazy = Clusters(size), Clusters(size, settle)
    for (a, b), real in holds.items():
        if real:
            eager.keep_apart(a, b)
        lazy.may_keep_apart(a, b)
    assert [lazy.union(a, b) for a, b in unions] == [eager.union(a, b) for a, b in unions]
    assert [lazy.find(i) for i in range(size)] == [eager.find(i) for i in range(size)]
    assert len(asked) == len(set(asked)) and set(asked) <= set(holds)


@given(st.lists(st.one_of(rule_names(), names_text), max_size=6),
       st.lists(st.integers(min_value=0, max_value=99), max_size=4))
@example(["Abu Bakr Ali", "Abobakr Ali"], [1])  # one form, a kunya or not
def test_packed_names_read_back_as_parsed(texts: list[str], picks: list[int]) -> None:
    """Packed names unpack equal to the parsed names, in a view too, and two of them share
    a packed signature exactly when they share a signature."""
    parsed = [parse(normalize(text)) for text in texts]
    packed = PackedNames.of(parsed)
    assert list(packed) == parsed and len(packed) == len(parsed)
    assert list(part_counts(packed)) == list(part_counts(parsed)) == [len(n.parts) for n in parsed]
    assert [titles_of(packed, i) for i in range(len(parsed))] == [n.titles for n in parsed]
    for i, j in itertools.product(range(len(parsed)), repeat=2):
        assert (packed.signature(i) == packed.signature(j)) == \
            (signature(parsed[i]) == signature(parsed[j]))
    chosen = [pick % len(parsed) for pick in picks] if parsed else []
    view = packed.select(chosen)
    assert list(view) == [parsed[i] for i in chosen]
    assert list(pickle.loads(pickle.dumps(view))) == list(view)
    again = PackedNames.joined([PackedNames.of(parsed[:2]), parsed[2:3], packed.select(
        range(3, len(parsed)))])
    assert list(again) == parsed
