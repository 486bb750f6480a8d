"""Hypothesis strategies shared by the property tests: synthetic Arabic-like names; and the
pairing of named keys that the blocking tests build."""

from __future__ import annotations

from array import array

from hypothesis import strategies as st

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
