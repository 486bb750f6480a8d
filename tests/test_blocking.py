"""Blocking never hides a match: two names the comparison accepts share a blocking key.

The keys are derived from the name rules (:mod:`namematch.rules`) that the comparison
reads; this test checks the two agree on generated names and the variants the rules know:
spelling drift, dropped parts, titles, articles, initials, compounds packed or split, a
leading Mohammed left out, a surname written first, a bare surname or kunya.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import name_part

from namematch import compare, parse
from namematch.distinct import signature
from namematch.keys import KeyCache, key_numbers
from namematch.resolve import candidate_pairs

GIVEN = ["Ahmed", "Mohammed", "Muhammad", "Ali", "Omar", "Khalifa", "Hassan", "Youssef",
         "Abdul Rahman", "Abdelaziz", "Abu Bakr", "Saif"]
TITLES = ["Gen.", "Dr.", "Col.", "Sheikh", "Brig. Gen.", "President"]
ARTICLES = ["al-", "el-", "Al ", "", "al "]
# Spelling drift of the kinds transliteration gives (and the fold rules know).
SWAPS = [("e", "i"), ("i", "e"), ("o", "u"), ("u", "o"), ("a", "e"), ("q", "k"), ("k", "q"),
         ("dh", "d"), ("d", "dh"), ("th", "t"), ("kh", "h"), ("ss", "s"), ("s", "ss"),
         ("ou", "u"), ("ee", "i"), ("ch", "sh")]


@st.composite
def drifted(draw: st.DrawFn, word: str, slips: bool = True) -> str:
    """``word`` with at most one spelling slip (none unless ``slips``): blocking keys tolerate
    one slip in a part (two slips of consonant class, Khakhabab / Khaqhabab, may match and
    not be paired)."""
    if slips and draw(st.booleans()):
        old, new = draw(st.sampled_from(SWAPS))
        at = word.find(old, 1)
        if at > 0:
            word = word[:at] + new + word[at + len(old):]
    return word


FAMILY_CONSONANTS = ["b", "d", "f", "j", "k", "l", "m", "n", "q", "r", "s", "t", "z", "sh", "kh"]


@st.composite
def family_name(draw: st.DrawFn) -> str:
    """A family name of three or four different consonants: blocking keys allow one slip
    in a part of that many consonant classes (fewer would pair almost everything)."""
    consonants = draw(st.lists(st.sampled_from(FAMILY_CONSONANTS), min_size=3, max_size=4,
                               unique=True))
    vowels = [draw(st.sampled_from(["a", "i", "ou", "e", "aa"])) for _ in consonants]
    return "".join(c + v for c, v in zip(consonants, vowels, strict=True))[:-1].capitalize()


@st.composite
def person(draw: st.DrawFn) -> tuple[str, str | None, str, str]:
    """A given name, an optional middle (father's) name, an article and a family name."""
    given = draw(st.sampled_from(GIVEN))
    middle = draw(st.one_of(st.none(), st.sampled_from(GIVEN[:8]), family_name()))
    return given, middle, draw(st.sampled_from(ARTICLES)), draw(family_name())


@st.composite
def mention(draw: st.DrawFn, who: tuple[str, str | None, str, str], slips: bool = True) -> str:
    """One way of writing ``who``, its words with a spelling slip or not."""
    given, middle, article, family = who
    given = " ".join(draw(drifted(w, slips)) for w in given.split())
    family = draw(drifted(family, slips))
    article = draw(st.sampled_from([article, *ARTICLES]))
    shape = draw(st.sampled_from(["full", "full", "no-middle", "initial", "surname-first",
                                  "bare", "no-first", "packed", "nasab", "title"]))
    parts = [given, *([middle] if middle else []), article + family]
    if shape == "no-middle":
        parts = [given, article + family]
    elif shape == "initial" and middle:
        parts = [given, middle[0] + ".", article + family]
    elif shape == "surname-first":
        parts = [family, given]
    elif shape == "bare":
        parts = [family]
    elif shape == "no-first" and len(parts) == 3:
        parts = parts[1:]
    elif shape == "packed":
        parts = [given.replace(" ", "").replace("-", ""), *parts[1:]]
    elif shape == "nasab" and middle:
        parts = [given, "bin", middle, article + family]
    elif shape == "title":
        parts = [draw(st.sampled_from(TITLES)), *parts]
    return " ".join(parts)


@st.composite
def two_mentions(draw: st.DrawFn) -> tuple[str, str]:
    """Two mentions of one person, at most one slip apart in a word: the second keeps the
    spellings (two slips each way would be two apart, Badafakh as Badafah and Badafaqh)."""
    who = draw(person())
    return draw(mention(who)), draw(mention(who, slips=False))


def paired(a: str, b: str) -> bool:
    """Whether resolve would compare (or merge outright) names ``a`` and ``b``."""
    x, y = parse(a), parse(b)
    return signature(x) == signature(y) or bool(candidate_pairs([x, y]))


@settings(max_examples=400)
@given(two_mentions())
def test_two_mentions_that_match_share_a_key(case: tuple[str, str]) -> None:
    a, b = case
    if compare(a, b).decision == "match":
        assert paired(a, b), (a, b)


def test_examples_of_each_rule_share_a_key() -> None:
    """One pair per rule that blocking must keep (each also a match)."""
    pairs = [
        ("Mohammed Hosni Mubarak", "Hosni Mubarak"),  # a leading Mohammed left out
        ("Haftar Khalifa", "Khalifa Haftar"),  # a surname written first
        ("Nasrallah", "Hassan Nasr Allah"),  # a bare surname meets the last two joined
        ("Abu Obeida", "Abu Obeida al-Jarrah"),  # a kunya mention meets the leading kunya
        ("Abdul Razek al-Nadoori", "Abdelrazzak al-Nadhouri"),  # a compound packed
    ]
    for a, b in pairs:
        assert compare(a, b).decision == "match", (a, b)
        assert paired(a, b), (a, b)


@st.composite
def names_sharing_parts(draw: st.DrawFn) -> list[str]:
    """Names of one to three parts from a pool of a few, some with a vowel changed: the
    same parts and skeletons recur in other places of other names."""
    pool = draw(st.lists(name_part(), min_size=1, max_size=4))
    vowels = str.maketrans("aeiou", "eioua")
    words = [*pool, *(word.translate(vowels) for word in pool)]
    name = st.lists(st.sampled_from(words), min_size=1, max_size=3).map(" ".join)
    return draw(st.lists(name, min_size=1, max_size=12))


@settings(max_examples=300)
@given(names_sharing_parts(), st.sampled_from([None, 4, 40]))
def test_a_shared_key_cache_gives_each_name_its_own_keys(texts: list[str],
                                                        limit: int | None) -> None:
    """A run keeps one key cache for all its names (emptied when full): whatever it met
    before, a name gets the keys a cache of its own gives it."""
    shared = KeyCache(limit, texts=False)
    for text in texts:
        name = parse(text)
        assert key_numbers(name, shared) == key_numbers(name, KeyCache(texts=False))


def test_forms_of_one_skeleton_share_their_part_keys() -> None:
    """Forms that differ only in vowels hold one tuple of part keys, not one each: a large
    list has hundreds of thousands of forms (a set per form weighed 600 MB at 1M names)."""
    cache = KeyCache(texts=False)
    mesmari, mismari = cache.part_keys("msmari"), cache.part_keys("mismari")
    assert mesmari == mismari and mesmari is mismari
    assert len(set(mesmari)) == len(mesmari) == 5
