"""Hypothesis strategies shared by the property tests: synthetic Arabic-like names, with the
words the name rules read; and the pairing of named keys that the blocking tests build."""

from __future__ import annotations

import itertools
import re
from array import array

from hypothesis import strategies as st

from namematch.aliases import AliasTable
from namematch.keys import Buckets, Pairing

# Built from syllables, so no real person is involved.
CONSONANTS = ["b", "d", "f", "h", "j", "k", "l", "m", "n", "q", "r", "s", "t", "z", "sh", "kh"]
VOWELS = ["a", "e", "i", "o", "u"]


@st.composite
def name_part(draw: st.DrawFn) -> str:
    """One lower-case name part of two or three syllables and a closing consonant."""
    syllables = draw(st.integers(min_value=2, max_value=3))
    text = "".join(draw(st.sampled_from(CONSONANTS)) + draw(st.sampled_from(VOWELS))
                   for _ in range(syllables))
    return text + draw(st.sampled_from(CONSONANTS))


# The words the name rules read (a leading Mohammed, bin, Abu, titles, initials, parts the
# shipped alias table links), and a table of whole names, which the shipped one has none of.
RULE_WORDS = ["Mohammed", "Muhammad", "bin", "ibn", "Abu", "King", "Sheikh", "Abdul", "H.",
              "A.", "Hassan", "Hussein", "Gaddafi", "Qadhafi", "Hezbollah", "Hizb", "Allah"]
WHOLE_NAMES = AliasTable(names={"hassan ali": frozenset({1}), "hizb allah": frozenset({1}),
                                "hezbollah": frozenset({1, 2}), "abu ali": frozenset({2})})


# Shapes of names the rules read: {p} a part from a small pool, {v} the same with a vowel
# changed, {i} the initial of one.
SHAPES = ["{p}", "al-{p}", "King {p}", "Abu {p}", "Bin {p}", "{p} {v}", "{p} bin {p}",
          "Abu {p} {p}", "Abu {p} al-{p}", "Mohammed {p} {p}", "{p} {p} {v}", "{i} {p}",
          "{p} {i} {i} al-{p}", "Sheikh {p} bin {v} al-{p}", "{p} {p} {p} {p}", "{p}{p} {p}",
          "Abdul {p} al-{p}", "{p}{p} {p} {p}", "Abu{p}"]


def every_shaped_name(pool: list[str]) -> list[str]:
    """Every name of the shapes with its parts from ``pool`` (for exhaustive tests)."""
    names = []
    for shape in SHAPES:
        slots = [slot for slot in re.findall(r"\{[pvi]\}", shape)]
        for words in itertools.product(pool, repeat=len(slots)):
            name = shape
            for slot, word in zip(slots, words, strict=True):
                name = name.replace(slot, _filled(slot, word), 1)
            names.append(name)
    return names


def _filled(slot: str, word: str) -> str:
    return {"{v}": word.replace("a", "o", 1), "{i}": word[0].upper() + "."}.get(slot, word)


@st.composite
def shaped_name(draw: st.DrawFn, pool: list[str]) -> str:
    """A name of one of the shapes, its parts drawn from ``pool``."""
    shape = draw(st.sampled_from(SHAPES))
    for slot in ("{p}", "{v}", "{i}"):
        while slot in shape:
            shape = shape.replace(slot, _filled(slot, draw(st.sampled_from(pool))), 1)
    return shape


@st.composite
def rule_names(draw: st.DrawFn) -> str:
    """A name of one to five parts: syllable parts, some with al-, among the rule words."""
    pool = draw(st.lists(name_part(), min_size=1, max_size=3)) + RULE_WORDS
    words = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=5))
    return " ".join(("al-" + w if draw(st.booleans()) and w.islower() else w) for w in words)


@st.composite
def rule_name_pairs(draw: st.DrawFn) -> tuple[str, str]:
    """Two names that the name rules have something to say about: of the shapes the rules
    read with parts from one small pool (so that they often meet), or free (rule_names)."""
    if draw(st.booleans()):
        return draw(rule_names()), draw(rule_names())
    pool = draw(st.lists(name_part(), min_size=1, max_size=3))
    return draw(shaped_name(pool)), draw(shaped_name(pool))


@st.composite
def name_pairs(draw: st.DrawFn) -> tuple[str, str]:
    """Two names of one to four parts drawn from a small pool, so that parts often meet;
    some parts are initials, some spelled with a vowel changed."""
    pool = draw(st.lists(name_part(), min_size=2, max_size=4))

    def one() -> str:
        words = []
        for _ in range(draw(st.integers(1, 4))):
            word = draw(st.sampled_from(pool))
            form = draw(st.sampled_from(["as is", "initial", "vowel"]))
            if form == "initial":
                word = word[0].upper() + "."
            elif form == "vowel":
                word = word.replace("a", "o", 1)
            words.append(word)
        return " ".join(words)

    return one(), one()


def shared_pairing(named: list[tuple[bool, set[str], int]], max_bucket: int, shares: int,
                   indexes: array[int] | None = None) -> Pairing:
    """The pairing of ``named`` (whether each name has one part, its keys, its mentions) with
    its keys bucketed in ``shares`` shares; ``indexes`` name the names (their positions by
    default)."""
    every = sorted({k for _, found, _ in named for k in found})
    single = bytearray(alone for alone, _, _ in named)
    mentions = array("q", [times for _, _, times in named])
    parts = []
    for share in range(shares):
        keys: list[str] = []
        ends = array("q")
        for _, found, _ in named:
            keys.extend(k for k in sorted(found) if every.index(k) % shares == share)
            ends.append(len(keys))
        parts.append(Buckets.of(keys, ends, single, mentions, max_bucket))
    names = array("q", range(len(named))) if indexes is None else indexes
    return Pairing(names, single, parts, max_bucket)
